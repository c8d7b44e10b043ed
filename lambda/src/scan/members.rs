//! The members of a covered resource that the inventory reads, taken as a record is
//! parsed: other members are skipped unread, and so is all of `resourceMetadata` but
//! `ecrImage`. Building a whole `Value` for each record first (a B-tree of its members,
//! every name and string an allocation of its own, and the EC2 metadata nobody reads)
//! was most of the time spent reading a coverage file.
//!
//! Lenient as a `Value` is: a member of an unexpected type is kept as it is, for
//! [`super::coverage`] to judge, and a record that is not an object is `None`.

use serde::de::{Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

/// What a covered resource says, member by member (`None`: not there; a repeated
/// member: the last one, as in a `Value`).
#[derive(Debug, Default)]
pub struct Members {
    pub account_id: Option<Value>,
    pub resource_id: Option<Value>,
    pub resource_type: Option<Value>,
    pub scan_type: Option<Value>,
    pub scan_mode: Option<Value>,
    pub scan_status: Option<Value>,
    pub last_scanned_at: Option<Value>,
    /// `resourceMetadata.ecrImage`.
    pub ecr_image: Option<Value>,
}

/// A member's name, as botocore's `inspector2` model spells it; a page's
/// `coveredResources` is one too, for the reader that tells a page from a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
pub enum Name {
    CoveredResources,
    AccountId,
    ResourceId,
    ResourceType,
    ScanType,
    ScanMode,
    ScanStatus,
    LastScannedAt,
    ResourceMetadata,
    #[serde(other)]
    Other,
}

impl Members {
    /// A record already read whole (the live reader builds one as the CLI prints it),
    /// read by the same visitor as a record being parsed, so both know the same names.
    pub fn of(v: &Value) -> Option<Members> {
        // A `Value` deserializes without errors, and `Record` takes any value.
        Record.deserialize(v).ok().flatten()
    }

    /// Reads the value of the member `name` from `map` (skipped, when it is not read).
    pub fn take<'de, A: MapAccess<'de>>(
        &mut self,
        name: Name,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let slot = match name {
            Name::AccountId => &mut self.account_id,
            Name::ResourceId => &mut self.resource_id,
            Name::ResourceType => &mut self.resource_type,
            Name::ScanType => &mut self.scan_type,
            Name::ScanMode => &mut self.scan_mode,
            Name::ScanStatus => &mut self.scan_status,
            Name::LastScannedAt => &mut self.last_scanned_at,
            Name::ResourceMetadata => {
                self.ecr_image = map.next_value::<EcrImage>()?.0;
                return Ok(());
            }
            Name::CoveredResources | Name::Other => {
                map.next_value::<IgnoredAny>()?;
                return Ok(());
            }
        };
        *slot = Some(map.next_value()?);
        Ok(())
    }
}

/// The visitor methods of a value that is read only when it is an object: anything
/// else is skipped and read as `None`.
macro_rules! none_unless_object {
    () => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
}

/// One element of a page's `coveredResources`: its members, or `None` when it is not
/// an object.
pub struct Record;

impl<'de> DeserializeSeed<'de> for Record {
    type Value = Option<Members>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Record {
    type Value = Option<Members>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a covered resource")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Members::default();
        while let Some(name) = map.next_key::<Name>()? {
            members.take(name, &mut map)?;
        }
        Ok(Some(members))
    }

    none_unless_object!();
}

/// `resourceMetadata`, of which only `ecrImage` is kept.
struct EcrImage(Option<Value>);

impl<'de> Deserialize<'de> for EcrImage {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(Metadata).map(EcrImage)
    }
}

struct Metadata;

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum MetadataName {
    EcrImage,
    #[serde(other)]
    Other,
}

impl<'de> Visitor<'de> for Metadata {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("resource metadata")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut image = None;
        while let Some(name) = map.next_key::<MetadataName>()? {
            match name {
                MetadataName::EcrImage => image = Some(map.next_value()?),
                MetadataName::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(image)
    }

    none_unless_object!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Parsed as it streams by, a record gives what the same record read whole gives.
    #[test]
    fn members_as_parsed_are_the_members_of_the_whole_record() {
        for record in [
            json!({"accountId": "1", "resourceId": "i-1", "resourceType": "AWS_EC2_INSTANCE",
                   "scanType": "PACKAGE", "scanMode": "EC2_SSM_AGENT_BASED",
                   "resourceMetadata": {"ec2": {"platform": "LINUX", "tags": {"a": "b"}}},
                   "scanStatus": {"statusCode": "ACTIVE", "reason": "SUCCESSFUL"},
                   "lastScannedAt": 1_796_040_000, "extra": [1, {"x": null}]}),
            json!({"accountId": 1, "resourceId": null, "scanType": ["odd"],
                   "resourceMetadata": {"ecrImage": {"tags": ["v1"], "inUseCount": 2}},
                   "scanStatus": "ACTIVE"}),
            json!({"resourceMetadata": "none", "lastScannedAt": "soon"}),
            json!({"resourceMetadata": {"ecrImage": null}}),
            json!({"resourceMetadata": [1, 2], "resourceMetadata": {"ecrImage": 3}}),
        ] {
            let text = record.to_string();
            let read = Record
                .deserialize(&mut serde_json::Deserializer::from_str(&text))
                .unwrap()
                .unwrap();
            let whole = Members::of(&record).unwrap();
            assert_eq!(format!("{read:?}"), format!("{whole:?}"), "{text}");
        }
        for not_a_record in ["1", "\"x\"", "null", "[{\"accountId\": \"1\"}]", "true"] {
            let read = Record.deserialize(&mut serde_json::Deserializer::from_str(not_a_record));
            assert!(read.unwrap().is_none(), "{not_a_record}");
            assert!(Members::of(&serde_json::from_str(not_a_record).unwrap()).is_none());
        }
    }

    /// A member named twice: the last one, as a `Value` keeps it.
    #[test]
    fn a_repeated_member_keeps_its_last_value() {
        let text = r#"{"resourceId": "i-1", "resourceId": "i-2", "resourceMetadata": {"ecrImage": {}}, "resourceMetadata": {}}"#;
        let read = Record
            .deserialize(&mut serde_json::Deserializer::from_str(text))
            .unwrap()
            .unwrap();
        assert_eq!(read.resource_id, Some(json!("i-2")));
        assert_eq!(read.ecr_image, None);
    }
}
