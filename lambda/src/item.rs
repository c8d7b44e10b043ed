//! A lenient, typed view of one AWS Config item.
//!
//! Config items come from `select_resource_config` (camel-cased fields such as
//! `accountId`), from snapshots and history (`awsAccountId`, `ARN`, tags as a map, the
//! configuration as a JSON string), or from a user's hand-made export. Every field is
//! optional and a field of the wrong type becomes a warning, never a failure: the
//! inventory must still list the resource with whatever is known.

use std::borrow::Cow;

use crate::json::{number_text, Json, Object};

/// One Config item, reduced to what the mappers read; its text borrows from the input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigItem<'a> {
    pub resource_type: Option<Cow<'a, str>>,
    pub resource_id: Option<Cow<'a, str>>,
    pub arn: Option<Cow<'a, str>>,
    pub account_id: Option<Cow<'a, str>>,
    pub region: Option<Cow<'a, str>>,
    pub availability_zone: Option<Cow<'a, str>>,
    pub resource_name: Option<Cow<'a, str>>,
    /// `configurationItemStatus`: `OK`, `ResourceDiscovered`, `ResourceNotRecorded`,
    /// `ResourceDeleted` or `ResourceDeletedNotRecorded` (absent in hand-made exports).
    pub status: Option<Cow<'a, str>>,
    /// `configurationItemCaptureTime`: when Config recorded this state of it.
    pub captured_at: Option<Cow<'a, str>>,
    /// The resource's own description; `Json::Null` when absent.
    pub configuration: Json<'a>,
    /// What Config records beside it (an S3 bucket's public access block, policy and
    /// ACL); an object whose values are objects, `Json::Null` when absent.
    pub supplementary: Json<'a>,
    /// Tags in their original case; look-ups ignore case (see [`ConfigItem::tag`]).
    pub tags: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// Why a JSON value could not be read as a Config item at all.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ItemError {
    #[error("expected a JSON object for a Config item, found {0}")]
    NotAnObject(&'static str),
}

impl<'a> ConfigItem<'a> {
    /// Reads an item from JSON, pushing a message onto `warnings` for each odd field.
    pub fn from_json(value: Json<'a>, warnings: &mut Vec<String>) -> Result<Self, ItemError> {
        let Json::Object(mut obj) = value else {
            return Err(ItemError::NotAnObject(value.kind()));
        };
        let mut text = |names: &[&str]| take_text(&mut obj, names, warnings);
        let resource_type = text(&["resourceType"]);
        let resource_id = text(&["resourceId"]);
        let arn = text(&["arn", "ARN"]);
        let account_id = text(&["accountId", "awsAccountId"]);
        let region = text(&["awsRegion"]);
        let availability_zone = text(&["availabilityZone"]);
        let resource_name = text(&["resourceName"]);
        let status = text(&["configurationItemStatus"]);
        let captured_at = text(&["configurationItemCaptureTime"]);
        let configuration = take_configuration(&mut obj, warnings);
        let supplementary = take_supplementary(&mut obj, warnings);
        let tags = take_tags(&mut obj, warnings);
        Ok(ConfigItem {
            resource_type,
            resource_id,
            arn,
            account_id,
            region,
            availability_zone,
            resource_name,
            status,
            captured_at,
            configuration,
            supplementary,
            tags,
        })
    }

    /// Why the item describes no resource in the boundary now: Config keeps the last
    /// item of a deleted resource (advanced query, snapshots and history return it), and
    /// a `ResourceNotRecorded` item holds no configuration of the resource. `None` for
    /// every other status, and when the item does not say.
    pub fn not_current(&self) -> Option<&'static str> {
        const GONE: [(&str, &str); 3] = [
            ("ResourceDeleted", "configurationItemStatus ResourceDeleted"),
            (
                "ResourceDeletedNotRecorded",
                "configurationItemStatus ResourceDeletedNotRecorded",
            ),
            (
                "ResourceNotRecorded",
                "configurationItemStatus ResourceNotRecorded",
            ),
        ];
        let status = self.status.as_deref()?;
        GONE.iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(status))
            .map(|(_, reason)| *reason)
    }

    /// The value of the tag whose key equals `key` ignoring ASCII case.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_ref())
            .filter(|v| !v.trim().is_empty())
    }
}

/// Text from the first present name; numbers and booleans are kept as text (an account
/// id written as a number is still the account), anything else is dropped with a warning.
fn take_text<'a>(
    obj: &mut Object<'a>,
    names: &[&str],
    warnings: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    let (name, value) = names.iter().find_map(|n| obj.remove(n).map(|v| (*n, v)))?;
    match value {
        Json::String(s) if s.trim().is_empty() => None,
        Json::String(s) => Some(s),
        Json::Null => None,
        Json::Number(n) => {
            warnings.push(format!("{name} is a number ({n}), read as text"));
            Some(Cow::Owned(number_text(&n)))
        }
        Json::Bool(b) => {
            warnings.push(format!("{name} is a boolean ({b}), read as text"));
            Some(Cow::Owned(b.to_string()))
        }
        other => {
            warnings.push(format!(
                "{name} is {}, expected text; ignored",
                other.kind()
            ));
            None
        }
    }
}

/// The warning for an item without its configuration: expected of an information
/// resource read by its envelope alone (`scope: all`), which drops it.
pub const NO_CONFIGURATION: &str =
    "item has no configuration; only its identifiers and tags are known";

/// Snapshots and history carry `configuration` as a JSON string; selects as an object.
fn take_configuration<'a>(obj: &mut Object<'a>, warnings: &mut Vec<String>) -> Json<'a> {
    match obj.remove("configuration") {
        None | Some(Json::Null) => {
            warnings.push(NO_CONFIGURATION.into());
            Json::Null
        }
        Some(Json::Object(map)) => Json::Object(map),
        Some(Json::String(s)) => match Json::parse_owned(&s) {
            Ok(Json::Object(map)) => Json::Object(map),
            Ok(other) => {
                warnings.push(format!(
                    "configuration text holds {}, expected an object; ignored",
                    other.kind()
                ));
                Json::Null
            }
            Err(e) => {
                warnings.push(format!("configuration text is not JSON ({e}); ignored"));
                Json::Null
            }
        },
        Some(other) => {
            warnings.push(format!(
                "configuration is {}, expected an object; ignored",
                other.kind()
            ));
            Json::Null
        }
    }
}

/// Selects give `supplementaryConfiguration` as an object of objects; snapshots and
/// history give each value as a JSON string. Both become objects.
fn take_supplementary<'a>(obj: &mut Object<'a>, warnings: &mut Vec<String>) -> Json<'a> {
    let map = match obj.remove("supplementaryConfiguration") {
        None | Some(Json::Null) => return Json::Null,
        Some(Json::Object(map)) => map,
        Some(Json::String(s)) => match Json::parse_owned(&s) {
            Ok(Json::Object(map)) => map,
            _ => {
                warnings
                    .push("supplementaryConfiguration text is not a JSON object; ignored".into());
                return Json::Null;
            }
        },
        Some(other) => {
            warnings.push(format!(
                "supplementaryConfiguration is {}, expected an object; ignored",
                other.kind()
            ));
            return Json::Null;
        }
    };
    let opened = map
        .into_sorted()
        .into_iter()
        .map(|(k, v)| match v {
            Json::String(s) => match Json::parse_owned(&s) {
                Ok(parsed) => (k, parsed),
                Err(_) => (k, Json::String(s)),
            },
            other => (k, other),
        })
        .collect();
    Json::Object(Object(opened))
}

/// Tags as Config's list of `{"key", "value"}` or as a `{key: value}` map.
fn take_tags<'a>(
    obj: &mut Object<'a>,
    warnings: &mut Vec<String>,
) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    match obj.remove("tags") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(list)) => {
            let mut tags = Vec::with_capacity(list.len());
            for entry in list {
                match entry {
                    Json::Object(mut e) => {
                        let key = e.remove("key").and_then(scalar_text);
                        let value = e.remove("value").and_then(scalar_text).unwrap_or_default();
                        match key {
                            Some(key) => tags.push((key, value)),
                            None => warnings.push("a tag has no key; ignored".into()),
                        }
                    }
                    other => warnings.push(format!(
                        "a tag is {}, expected an object; ignored",
                        other.kind()
                    )),
                }
            }
            tags
        }
        Some(Json::Object(map)) => map
            .into_sorted()
            .into_iter()
            .map(|(k, v)| (k, scalar_text(v).unwrap_or_default()))
            .collect(),
        Some(other) => {
            warnings.push(format!(
                "tags is {}, expected a list or an object; ignored",
                other.kind()
            ));
            Vec::new()
        }
    }
}

fn scalar_text(value: Json<'_>) -> Option<Cow<'_, str>> {
    match value {
        Json::String(s) => Some(s),
        Json::Number(n) => Some(Cow::Owned(number_text(&n))),
        Json::Bool(b) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn read(v: Value) -> (ConfigItem<'static>, Vec<String>) {
        let mut w = Vec::new();
        let item = ConfigItem::from_json(v.into(), &mut w).expect("object");
        (item, w)
    }

    #[test]
    fn select_shape_is_read() {
        let (item, w) = read(json!({
            "resourceType": "AWS::EC2::Instance", "resourceId": "i-1", "arn": "arn:x",
            "accountId": "111111111111", "awsRegion": "us-gov-west-1",
            "configuration": {"instanceId": "i-1"},
            "tags": [{"key": "Owner", "value": "ops"}]
        }));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(item.account_id.as_deref(), Some("111111111111"));
        assert_eq!(item.tag("owner"), Some("ops"));
        assert_eq!(
            item.configuration.get("instanceId").and_then(Json::as_str),
            Some("i-1")
        );
    }

    #[test]
    fn snapshot_shape_is_read() {
        let (item, w) = read(json!({
            "resourceType": "AWS::DynamoDB::Table", "ARN": "arn:t", "awsAccountId": "2",
            "configuration": "{\"tableName\": \"t\"}", "tags": {"OWNER": "x"}
        }));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(item.arn.as_deref(), Some("arn:t"));
        assert_eq!(item.account_id.as_deref(), Some("2"));
        assert_eq!(
            item.configuration.get("tableName").and_then(Json::as_str),
            Some("t")
        );
        assert_eq!(item.tag("Owner"), Some("x"));
    }

    #[test]
    fn odd_fields_warn_and_keep_what_is_known() {
        let (item, w) = read(json!({
            "resourceType": "AWS::RDS::DBInstance", "accountId": 123456789012u64,
            "awsRegion": ["x"], "configuration": 5, "tags": [{"value": "v"}, 3]
        }));
        assert_eq!(item.account_id.as_deref(), Some("123456789012"));
        assert_eq!(item.region, None);
        assert_eq!(item.configuration, Json::Null);
        assert!(item.tags.is_empty());
        assert_eq!(w.len(), 5, "{w:?}");
    }

    #[test]
    fn missing_configuration_warns() {
        let (_, w) = read(json!({"resourceType": "AWS::EC2::Instance"}));
        assert_eq!(
            w,
            vec!["item has no configuration; only its identifiers and tags are known"]
        );
    }

    #[test]
    fn supplementary_configuration_as_objects_or_json_strings() {
        let (a, w) = read(json!({"supplementaryConfiguration": {
            "PublicAccessBlockConfiguration": {"blockPublicAcls": true}}, "configuration": {}}));
        let (b, _) = read(json!({"supplementaryConfiguration": {
            "PublicAccessBlockConfiguration": "{\"blockPublicAcls\": true}"}, "configuration": {}}));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(a.supplementary, b.supplementary);
        let block = a.supplementary.get("PublicAccessBlockConfiguration");
        assert_eq!(
            block.and_then(|b| b.get("blockPublicAcls")),
            Some(&Json::Bool(true))
        );
    }

    #[test]
    fn non_object_is_an_error() {
        let mut w = Vec::new();
        assert_eq!(
            ConfigItem::from_json(json!([1]).into(), &mut w),
            Err(ItemError::NotAnObject("a list"))
        );
    }
}
