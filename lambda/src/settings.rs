//! Settings shared by the CLI, the Lambda's environment and the deployer's YAML: each
//! is a library type with one parser (`FromStr`), and serde goes through that parser,
//! so a value that the function would refuse at cold start fails `fedramp-deploy plan`.

/// `impl Deserialize` through the type's `FromStr`, naming the accepted values.
macro_rules! deserialize_from_str {
    ($t:ty) => {
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use deserialize_from_str;

/// `a, b,c` -> [a, b, c].
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The role the collector assumes in every member account, unless told otherwise.
pub const DEFAULT_MEMBER_ROLE_NAME: &str = "InventoryCollector-for-Lambda";
