//! Which installed packages get rows of their own. A Linux host lists hundreds of
//! packages, so the default is none; a team names the ones its boundary reports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `none` (default), `all`, or name patterns where `*` matches any text
/// (`nginx*, openssl*`), compared ignoring case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SoftwareFilter {
    #[default]
    None,
    All,
    Patterns(Vec<String>),
}

impl SoftwareFilter {
    pub fn selects(&self, name: &str) -> bool {
        match self {
            SoftwareFilter::None => false,
            SoftwareFilter::All => true,
            SoftwareFilter::Patterns(p) => p.iter().any(|p| glob(p, name)),
        }
    }

    pub fn is_none(&self) -> bool {
        *self == SoftwareFilter::None
    }

    fn from_list(list: Vec<String>) -> Result<Self, String> {
        let list: Vec<String> = list
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        match list.as_slice() {
            [] => Ok(SoftwareFilter::None),
            [one] if one.eq_ignore_ascii_case("none") => Ok(SoftwareFilter::None),
            [one] if one.eq_ignore_ascii_case("all") => Ok(SoftwareFilter::All),
            _ => {
                if let Some(bad) = list
                    .iter()
                    .find(|p| p.eq_ignore_ascii_case("all") || p.eq_ignore_ascii_case("none"))
                {
                    return Err(format!(
                        "software: \"{bad}\" cannot be combined with name patterns"
                    ));
                }
                Ok(SoftwareFilter::Patterns(list))
            }
        }
    }
}

/// `*` matches any run of characters; everything else itself, ignoring case.
fn glob(pattern: &str, name: &str) -> bool {
    let p = pattern.to_lowercase();
    let n = name.to_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == n;
    }
    let mut rest = n.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl FromStr for SoftwareFilter {
    type Err = String;

    /// `none`, `all`, or a comma-separated list of patterns.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_list(crate::settings::split_list(text))
    }
}

impl fmt::Display for SoftwareFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SoftwareFilter::None => f.write_str("none"),
            SoftwareFilter::All => f.write_str("all"),
            SoftwareFilter::Patterns(p) => f.write_str(&p.join(",")),
        }
    }
}

/// YAML and JSON give it as `none`, `all`, a comma list, or a list of patterns.
impl<'de> Deserialize<'de> for SoftwareFilter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Text(String),
            List(Vec<String>),
        }
        match Shape::deserialize(d)? {
            Shape::Text(t) => t.parse(),
            Shape::List(l) => SoftwareFilter::from_list(l),
        }
        .map_err(serde::de::Error::custom)
    }
}

impl Serialize for SoftwareFilter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_select_by_name() {
        let f: SoftwareFilter = "nginx*, *ssl*, java".parse().unwrap();
        assert!(f.selects("nginx-core"));
        assert!(f.selects("OpenSSL-libs"));
        assert!(f.selects("Java"));
        assert!(!f.selects("java-17"));
        assert!(!f.selects("httpd"));
        assert!("all".parse::<SoftwareFilter>().unwrap().selects("x"));
        assert!(!SoftwareFilter::default().selects("x"));
        assert!("all, nginx*".parse::<SoftwareFilter>().is_err());
        let yaml: SoftwareFilter = serde_yaml::from_str("[httpd*, postgresql*]").unwrap();
        assert_eq!(yaml, "httpd*,postgresql*".parse().unwrap());
        let none: SoftwareFilter = serde_yaml::from_str("none").unwrap();
        assert!(none.is_none());
    }
}
