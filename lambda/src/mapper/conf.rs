//! Reading fields out of an item's `configuration`, tolerating absence and noting
//! wrong types.
//!
//! Paths are dotted camel-cased names as Config writes them (`placement.availabilityZone`).
//! A missing field is normal and silent; a field of the wrong type is a warning.

use std::borrow::Cow;

use serde_json::Value;

use crate::item::kind;

/// The value at `path`; a step through something that is not an object is a warning
/// (`dBSubnetGroup` written as text), except at the root, which mappers may call with
/// whatever an array held.
fn lookup<'a>(root: &'a Value, path: &str, warnings: &mut Vec<String>) -> Option<&'a Value> {
    let mut v = root;
    let mut walked = 0;
    for part in path.split('.') {
        v = match v {
            Value::Object(map) => map.get(part)?,
            Value::Null => return None,
            other if walked > 0 => {
                let at = &path[..walked - 1];
                warnings.push(format!(
                    "configuration.{at} is {}, expected an object; ignored",
                    kind(other)
                ));
                return None;
            }
            _ => return None,
        };
        walked += part.len() + 1;
    }
    (!v.is_null()).then_some(v)
}

/// Text at `path` (numbers are kept as text); empty text counts as absent.
pub fn text<'a>(root: &'a Value, path: &str, warnings: &mut Vec<String>) -> Option<Cow<'a, str>> {
    match lookup(root, path, warnings)? {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(Cow::Borrowed(s.trim())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        other => {
            warnings.push(format!(
                "configuration.{path} is {}, expected text; ignored",
                kind(other)
            ));
            None
        }
    }
}

/// A list at `path`; absent is empty.
pub fn list<'a>(root: &'a Value, path: &str, warnings: &mut Vec<String>) -> &'a [Value] {
    match lookup(root, path, warnings) {
        None => &[],
        Some(Value::Array(items)) => items,
        Some(other) => {
            warnings.push(format!(
                "configuration.{path} is {}, expected a list; ignored",
                kind(other)
            ));
            &[]
        }
    }
}

/// A yes/no at `path`; Config writes booleans, exports sometimes write "true"/"false".
pub fn flag(root: &Value, path: &str, warnings: &mut Vec<String>) -> Option<bool> {
    match lookup(root, path, warnings)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        other => {
            warnings.push(format!(
                "configuration.{path} is {}, expected true or false; ignored",
                kind(other)
            ));
            None
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_warns() {
        let v = json!({"a": {"b": " x "}, "n": 5, "o": {}, "l": [1], "f": "TRUE", "e": ""});
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
    fn null_root_is_silent() {
        let mut w = Vec::new();
        assert_eq!(text(&Value::Null, "x", &mut w), None);
        assert!(list(&Value::Null, "x", &mut w).is_empty());
        assert!(w.is_empty());
    }
}
