//! Reading fields out of an item's `configuration`, tolerating absence and noting
//! wrong types.
//!
//! Paths are dotted names (`placement.availabilityZone`). Config spells the same field
//! in camelCase, PascalCase or lower case depending on how it records the type (and has
//! changed spelling over time), so each step matches its key exactly first and then
//! ignoring ASCII case: one mapper reads every spelling. A missing field is normal and
//! silent; a field of the wrong type is a warning, collected by [`Conf`] so no mapper
//! has to carry a warning list around.

use std::borrow::Cow;

use crate::json::{number_text, Json, Object};

/// One item's `configuration` and the warnings met while reading it.
pub struct Conf<'a> {
    root: &'a Json<'a>,
    pub warnings: Vec<String>,
}

impl<'a> Conf<'a> {
    pub fn new(root: &'a Json<'a>) -> Self {
        Conf {
            root,
            warnings: Vec::new(),
        }
    }

    pub fn root(&self) -> &'a Json<'a> {
        self.root
    }

    /// Text at `path`; numbers and booleans are kept as text, empty text is absent.
    pub fn text(&mut self, path: &str) -> Option<Cow<'a, str>> {
        text(self.root, path, &mut self.warnings)
    }

    /// The first of `paths` that holds text.
    pub fn first(&mut self, paths: &[&str]) -> Option<Cow<'a, str>> {
        paths.iter().find_map(|p| self.text(p))
    }

    pub fn list(&mut self, path: &str) -> &'a [Json<'a>] {
        list(self.root, path, &mut self.warnings)
    }

    pub fn flag(&mut self, path: &str) -> Option<bool> {
        flag(self.root, path, &mut self.warnings)
    }

    /// Text, or a list of texts joined with ", " (subnet ids where no VPC id is kept).
    pub fn joined(&mut self, path: &str) -> Option<Cow<'a, str>> {
        joined(self.root, path, &mut self.warnings)
    }

    /// Whether anything (even an empty list) is recorded at `path`.
    pub fn has(&mut self, path: &str) -> bool {
        lookup(self.root, path, &mut self.warnings).is_some()
    }

    /// The value at `path`, whatever it is.
    pub fn value(&mut self, path: &str) -> Option<&'a Json<'a>> {
        lookup(self.root, path, &mut self.warnings)
    }

    /// The same readers inside one element of a list.
    pub fn text_in(&mut self, element: &'a Json<'a>, path: &str) -> Option<Cow<'a, str>> {
        text(element, path, &mut self.warnings)
    }

    pub fn list_in(&mut self, element: &'a Json<'a>, path: &str) -> &'a [Json<'a>] {
        list(element, path, &mut self.warnings)
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }
}

/// A key of an object: exactly, else ignoring ASCII case.
fn member<'a>(map: &'a Object<'a>, key: &str) -> Option<&'a Json<'a>> {
    map.get(key).or_else(|| map.get_ignore_case(key))
}

/// The value at `path`; a step through something that is not an object is a warning
/// (`dBSubnetGroup` written as text), except at the root, which mappers may call with
/// whatever an array held.
fn lookup<'a>(root: &'a Json<'a>, path: &str, warnings: &mut Vec<String>) -> Option<&'a Json<'a>> {
    let mut v = root;
    let mut walked = 0;
    for part in path.split('.') {
        v = match v {
            Json::Object(map) => member(map, part)?,
            Json::Null => return None,
            other if walked > 0 => {
                let at = &path[..walked - 1];
                warnings.push(format!(
                    "configuration.{at} is {}, expected an object; ignored",
                    other.kind()
                ));
                return None;
            }
            _ => return None,
        };
        walked += part.len() + 1;
    }
    (!v.is_null()).then_some(v)
}

/// Text at `path` (numbers and booleans are kept as text); empty text counts as absent.
pub fn text<'a>(
    root: &'a Json<'a>,
    path: &str,
    warnings: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    as_text(lookup(root, path, warnings)?, path, warnings)
}

/// A found value as text, as [`text`] reads it.
fn as_text<'a>(
    value: &'a Json<'a>,
    path: &str,
    warnings: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    match value {
        Json::String(s) if s.trim().is_empty() => None,
        Json::String(s) => Some(Cow::Borrowed(s.trim())),
        Json::Number(n) => Some(Cow::Owned(number_text(n))),
        Json::Bool(b) => Some(Cow::Owned(b.to_string())),
        other if wrapped(other).is_some() => as_text(wrapped(other)?, path, warnings),
        other => {
            warnings.push(format!(
                "configuration.{path} is {}, expected text; ignored",
                other.kind()
            ));
            None
        }
    }
}

/// A list at `path`; absent is empty.
pub fn list<'a>(root: &'a Json<'a>, path: &str, warnings: &mut Vec<String>) -> &'a [Json<'a>] {
    match lookup(root, path, warnings) {
        None => &[],
        Some(Json::Array(items)) => items,
        Some(other) => {
            warnings.push(format!(
                "configuration.{path} is {}, expected a list; ignored",
                other.kind()
            ));
            &[]
        }
    }
}

/// A yes/no at `path`; Config writes booleans, exports sometimes write "true"/"false".
pub fn flag(root: &Json, path: &str, warnings: &mut Vec<String>) -> Option<bool> {
    match lookup(root, path, warnings)? {
        Json::Bool(b) => Some(*b),
        Json::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Json::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        other => {
            warnings.push(format!(
                "configuration.{path} is {}, expected true or false; ignored",
                other.kind()
            ));
            None
        }
    }
}

/// Text, or the texts of a list joined with ", ".
pub fn joined<'a>(
    root: &'a Json<'a>,
    path: &str,
    warnings: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    match lookup(root, path, warnings)? {
        Json::Array(items) => {
            let parts: Vec<Cow<'_, str>> = items.iter().filter_map(scalar).collect();
            (!parts.is_empty()).then(|| Cow::Owned(parts.join(", ")))
        }
        other => as_text(other, path, warnings),
    }
}

fn scalar<'a>(v: &'a Json<'a>) -> Option<Cow<'a, str>> {
    match v {
        Json::String(s) if !s.trim().is_empty() => Some(Cow::Borrowed(s.trim())),
        Json::Number(n) => Some(Cow::Owned(number_text(n))),
        other => scalar(wrapped(other)?),
    }
}

/// Config records some scalars of CloudFormation-registry types wrapped in an object of
/// their own, `{"value": "..."}` (an RDS cluster's `endpoint`, seen in recorded items):
/// the value inside, when that is all the object holds.
fn wrapped<'a>(v: &'a Json<'a>) -> Option<&'a Json<'a>> {
    match v {
        Json::Object(map) if map.0.len() == 1 => {
            let (key, inner) = &map.0[0];
            (key.eq_ignore_ascii_case("value")
                && !matches!(inner, Json::Object(_) | Json::Array(_)))
            .then_some(inner)
        }
        _ => None,
    }
}

/// Two optional parts joined by `sep` ("postgres-15.4", "udp/443"), or whichever one
/// is recorded.
pub fn pair<A: AsRef<str>, B: AsRef<str>>(a: Option<A>, b: Option<B>, sep: &str) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{}{sep}{}", a.as_ref(), b.as_ref())),
        (Some(a), None) => Some(a.as_ref().to_string()),
        (None, Some(b)) => Some(b.as_ref().to_string()),
        (None, None) => None,
    }
}

/// Excel's Yes/No for a boolean.
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

/// Whether a value names an Availability Zone (`us-gov-west-1a`), as opposed to the
/// "Regional", "Not Applicable" or "Multiple Availability Zones" Config also writes there.
pub fn is_zone(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let (head, rest) = match parts.as_slice() {
        [area, "gov", rest @ ..] if area.len() == 2 => (*area, rest),
        [area, rest @ ..] => (*area, rest),
        [] => return false,
    };
    let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    match rest {
        [direction, last] => {
            let digits = last.trim_end_matches(|c: char| c.is_ascii_lowercase());
            head.len() == 2
                && lower(head)
                && lower(direction)
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && last.len() == digits.len() + 1
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_warns() {
        let v = json!({"a": {"b": " x "}, "n": 5, "o": {}, "l": [1], "f": "TRUE", "e": ""});
        let v = Json::from(&v);
        let mut w = Vec::new();
        assert_eq!(text(&v, "a.b", &mut w).as_deref(), Some("x"));
        assert_eq!(text(&v, "n", &mut w).as_deref(), Some("5"));
        assert_eq!(text(&v, "e", &mut w), None);
        assert_eq!(text(&v, "missing.deep", &mut w), None);
        assert!(w.is_empty());
        assert_eq!(text(&v, "o", &mut w), None);
        assert_eq!(list(&v, "l", &mut w).len(), 1);
        assert_eq!(list(&v, "o", &mut w).len(), 0);
        assert_eq!(flag(&v, "f", &mut w), Some(true));
        assert_eq!(flag(&v, "n", &mut w), None);
        assert_eq!(text(&v, "a.b.c", &mut w), None);
        assert_eq!(w.len(), 4, "{w:?}");
        assert!(
            w[3].starts_with("configuration.a.b is text, expected an object"),
            "{w:?}"
        );
    }

    #[test]
    fn every_spelling_of_a_key_is_read_and_the_exact_one_wins() {
        let v = json!({"ResourcesVpcConfig": {"SubnetIds": ["s-1", "s-2"]}, "arn": "lower", "Arn": "pascal"});
        let v = Json::from(&v);
        let mut c = Conf::new(&v);
        assert_eq!(
            c.joined("resourcesVpcConfig.subnetIds").as_deref(),
            Some("s-1, s-2")
        );
        assert_eq!(c.text("Arn").as_deref(), Some("pascal"));
        assert_eq!(c.text("arn").as_deref(), Some("lower"));
        assert!(c.text("ARN").is_some());
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn zones_are_told_from_other_text() {
        for zone in [
            "us-east-1a",
            "us-gov-west-1b",
            "ap-southeast-2c",
            "eu-central-1a",
        ] {
            assert!(is_zone(zone), "{zone}");
        }
        for not in [
            "Regional",
            "Not Applicable",
            "Multiple Availability Zones",
            "us-east-1",
            "us-gov-west-1",
            "",
            "use1-az2",
            "global",
            "us-east-1ab",
        ] {
            assert!(!is_zone(not), "{not}");
        }
    }

    #[test]
    fn null_root_is_silent() {
        let mut w = Vec::new();
        assert_eq!(text(&Json::Null, "x", &mut w), None);
        assert!(list(&Json::Null, "x", &mut w).is_empty());
        assert!(w.is_empty());
    }
}
