//! A JSON value that borrows its text from the input, for reading Config items fast.
//!
//! Parsing into `serde_json::Value` was most of the time spent reading items: every
//! key and string became its own allocation and every object a B-tree. Here strings
//! point into the line they were read from (copied only when they hold escapes) and an
//! object is a list of members, so parsing an item costs a few allocations. It reads
//! like `Value` does: [`Object::get`] gives the last member of a name, and
//! [`Object::sorted`] lists members in key order, as a `Value` map iterates.
//!
//! Text is read by a small parser of its own ([`Plain`]) that leaves to serde_json
//! whatever it does not read itself (escapes, errors), so values and errors are always
//! serde_json's.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// One JSON value; strings borrow from the text it was parsed from when they can.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Json<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// An object's members in the order they were written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object<'a>(pub Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Object<'a> {
    /// The member named `key` (the last one, when the name repeats).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The member whose name equals `key` ignoring ASCII case; of several, the one
    /// first in key order.
    pub fn get_ignore_case(&self, key: &str) -> Option<&Json<'a>> {
        let mut best: Option<&(Cow<'a, str>, Json<'a>)> = None;
        for member in self.0.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key)) {
            // A repeated name: the last one, as for `get`.
            if best.is_none_or(|b| member.0 <= b.0) {
                best = Some(member);
            }
        }
        best.map(|(_, v)| v)
    }

    /// Takes the member named `key` out (the last one, when the name repeats).
    pub fn remove(&mut self, key: &str) -> Option<Json<'a>> {
        let at = self.0.iter().rposition(|(k, _)| k == key)?;
        // In place, so a name that repeats keeps its last value last.
        let (_, value) = self.0.remove(at);
        Some(value)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Members in key order, each name once (its last value).
    pub fn sorted(&self) -> Vec<(&str, &Json<'a>)> {
        last_of_each_name(self.0.iter().map(|(k, v)| (k.as_ref(), v)).collect())
    }

    /// Member values in key order, each name once.
    pub fn values(&self) -> impl Iterator<Item = &Json<'a>> {
        self.sorted().into_iter().map(|(_, v)| v)
    }

    /// The members, consumed, in key order, each name once.
    pub fn into_sorted(self) -> Vec<(Cow<'a, str>, Json<'a>)> {
        last_of_each_name(self.0)
    }
}

/// Members sorted by name, each name once with its last value, as a `Value` map
/// holds them.
fn last_of_each_name<K: Ord, V>(mut members: Vec<(K, V)>) -> Vec<(K, V)> {
    // Stable, so of a repeated name the last stays last; then keep only it.
    members.sort_by(|a, b| a.0.cmp(&b.0));
    let mut unique: Vec<(K, V)> = Vec::with_capacity(members.len());
    for member in members {
        match unique.last_mut() {
            Some(last) if last.0 == member.0 => *last = member,
            _ => unique.push(member),
        }
    }
    unique
}

impl<'a> Json<'a> {
    /// Parses `text`, borrowing its strings.
    pub fn parse(text: &'a [u8]) -> Result<Json<'a>, serde_json::Error> {
        // Text checked as UTF-8 once, in one fast pass, spares the parser checking
        // each string; text that is not UTF-8 is parsed as bytes, for the same error.
        match std::str::from_utf8(text) {
            Ok(text) => match Plain::parse(text) {
                Some(value) => Ok(value),
                None => whole::<_, Borrow>(serde_json::Deserializer::from_str(text)),
            },
            Err(_) => whole::<_, Borrow>(serde_json::Deserializer::from_slice(text)),
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(map) => map.get(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }

    /// A name for the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "text",
            Json::Array(_) => "a list",
            Json::Object(_) => "an object",
        }
    }
}

impl Json<'static> {
    /// Parses `text` into a value that owns its strings (JSON held in a string of
    /// another document, which does not outlive the parse).
    pub fn parse_owned(text: &str) -> Result<Json<'static>, serde_json::Error> {
        whole::<_, Own>(serde_json::Deserializer::from_str(text))
    }
}

/// One value and nothing after it but white space.
fn whole<'de, 'a, R, S>(mut de: serde_json::Deserializer<R>) -> Result<Json<'a>, serde_json::Error>
where
    R: serde_json::de::Read<'de>,
    S: Strings<'de, 'a>,
{
    let value = Seed::<S>(PhantomData).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A parser for JSON as Config items are written: strings without escapes. It gives
/// up (None) on anything else (an escape, deep nesting, any error) and serde_json then
/// reads the whole text, and a number's text is read by serde_json itself; so every
/// value and every error is serde_json's own. Going through serde's visitor was
/// most of the parsing time, and this reads an item in about half of it.
struct Plain<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
}

/// Nesting at which [`Plain`] gives up (serde_json's own limit is 128).
const PLAIN_DEPTH: usize = 100;

impl<'a> Plain<'a> {
    fn parse(text: &'a str) -> Option<Json<'a>> {
        let mut p = Plain {
            text,
            at: 0,
            depth: 0,
        };
        let value = p.value()?;
        p.skip_space();
        (p.at == text.len()).then_some(value)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Steps over `byte` after any white space, or gives up.
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_space();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn value(&mut self) -> Option<Json<'a>> {
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => Some(Json::String(Cow::Borrowed(self.string()?))),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn word(&mut self, word: &str, value: Json<'a>) -> Option<Json<'a>> {
        self.text[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// A string without escapes or control characters, borrowed.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.at + 1;
        let bytes = self.text.as_bytes().get(start..)?;
        let len = string_end(bytes);
        if bytes.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// A number: the characters a number may hold, read by serde_json (integers in
    /// range, floats with its own rounding, errors for the rest).
    fn number(&mut self) -> Option<Json<'a>> {
        let start = self.at;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.peek() {
            self.at += 1;
        }
        self.text[start..self.at]
            .parse::<Number>()
            .ok()
            .map(Json::Number)
    }

    /// The entries of an object or a list, from its opening bracket to `close`, each
    /// read by `entry`, separated by commas.
    fn entries(&mut self, close: u8, mut entry: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.depth += 1;
        self.at += 1;
        if self.depth > PLAIN_DEPTH {
            return None;
        }
        self.skip_space();
        if self.peek() == Some(close) {
            self.at += 1;
        } else {
            loop {
                entry(self)?;
                self.skip_space();
                match self.peek()? {
                    b',' => self.at += 1,
                    b if b == close => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    fn object(&mut self) -> Option<Json<'a>> {
        let mut members = Vec::new();
        self.entries(b'}', |p| {
            p.skip_space();
            if p.peek()? != b'"' {
                return None;
            }
            let key = p.string()?;
            p.expect(b':')?;
            members.push((Cow::Borrowed(key), p.value()?));
            Some(())
        })?;
        Some(Json::Object(Object(members)))
    }

    fn array(&mut self) -> Option<Json<'a>> {
        let mut elements = Vec::new();
        self.entries(b']', |p| {
            elements.push(p.value()?);
            Some(())
        })?;
        Some(Json::Array(elements))
    }
}

/// Where a string's text ends: its first `"`, `\\` or control character. Eight bytes
/// at a time, as most of an item's bytes are in its strings.
fn string_end(bytes: &[u8]) -> usize {
    use crate::words::{find, has, has_below};
    find(
        bytes,
        |x| has_below(x, 0x20) || has(x, b'"') || has(x, b'\\'),
        |b| b == b'"' || b == b'\\' || b < 0x20,
    )
}

/// A `serde_json::Value` read without copying its strings (a document already parsed,
/// an item built from an SDK type).
impl<'a> From<&'a Value> for Json<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Cow::Borrowed(s)),
            Value::Array(list) => Json::Array(list.iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from(v)))
                    .collect(),
            )),
        }
    }
}

impl From<Value> for Json<'static> {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n),
            Value::String(s) => Json::String(Cow::Owned(s)),
            Value::Array(list) => Json::Array(list.into_iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(Object(
                map.into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Json::from(v)))
                    .collect(),
            )),
        }
    }
}

/// The `serde_json::Value` a value reads as: members in key order, each name once.
impl From<&Json<'_>> for Value {
    fn from(json: &Json<'_>) -> Self {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(list) => Value::Array(list.iter().map(Value::from).collect()),
            Json::Object(map) => Value::Object(
                map.sorted()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), Value::from(v)))
                    .collect(),
            ),
        }
    }
}

/// How a string the parser can lend becomes part of the value: borrowed, or copied.
trait Strings<'de, 'a> {
    fn lend(s: &'de str) -> Cow<'a, str>;
}

struct Borrow;
struct Own;

impl<'de: 'a, 'a> Strings<'de, 'a> for Borrow {
    fn lend(s: &'de str) -> Cow<'a, str> {
        Cow::Borrowed(s)
    }
}

impl<'de, 'a> Strings<'de, 'a> for Own {
    fn lend(s: &'de str) -> Cow<'a, str> {
        Cow::Owned(s.to_owned())
    }
}

/// Marks what a seed or visitor produces (`Json<'a>`) and how it lends strings (`S`).
type Lends<'a, S> = PhantomData<fn() -> (Cow<'a, str>, S)>;

struct Seed<'a, S>(Lends<'a, S>);

impl<'de, 'a, S: Strings<'de, 'a>> DeserializeSeed<'de> for Seed<'a, S> {
    type Value = Json<'a>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'a>, D::Error> {
        d.deserialize_any(ValueVisitor::<S>(PhantomData))
    }
}

struct ValueVisitor<'a, S>(Lends<'a, S>);

impl<'de, 'a, S: Strings<'de, 'a>> Visitor<'de> for ValueVisitor<'a, S> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'a>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'a>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'a>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'a>, E> {
        // As serde_json's own Value does: a number it cannot hold is null.
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'a>, E> {
        Ok(Json::String(S::lend(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'a>, E> {
        Ok(Json::String(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'a>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }

    fn visit_none<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'a>, D::Error> {
        Seed::<S>(PhantomData).deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'a>, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(Seed::<S>(PhantomData))? {
            list.push(v);
        }
        Ok(Json::Array(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'a>, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key_seed(KeySeed::<S>(PhantomData))? {
            let value = map.next_value_seed(Seed::<S>(PhantomData))?;
            members.push((key, value));
        }
        Ok(Json::Object(Object(members)))
    }
}

struct KeySeed<'a, S>(Lends<'a, S>);

impl<'de, 'a, S: Strings<'de, 'a>> DeserializeSeed<'de> for KeySeed<'a, S> {
    type Value = Cow<'a, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'a, str>, D::Error> {
        d.deserialize_str(KeyVisitor::<S>(PhantomData))
    }
}

struct KeyVisitor<'a, S>(Lends<'a, S>);

impl<'de, 'a, S: Strings<'de, 'a>> Visitor<'de> for KeyVisitor<'a, S> {
    type Value = Cow<'a, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'a, str>, E> {
        Ok(S::lend(s))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(s))
    }
}

/// A number as the inventory writes it. Config records many integers as doubles
/// (`"memorySize": 128.0`, a port `3306.0`): a double with no fraction is written as the
/// integer it is ("128"), so a cell never says "128.0 MB". Other numbers keep
/// serde_json's text.
pub fn number_text(n: &Number) -> String {
    match n.as_f64() {
        // Below 2^53 every integer is exact in a double, so the text is the value.
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
            format!("{}", f as i64)
        }
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the text, the value reads as serde_json's own Value would.
    fn same_as_value(text: &str) {
        let ours = Json::parse(text.as_bytes());
        let theirs = serde_json::from_str::<Value>(text);
        match (ours, theirs) {
            (Ok(ours), Ok(theirs)) => {
                assert_eq!(Value::from(&ours), theirs, "{text}");
                assert_eq!(Json::parse_owned(text).unwrap(), ours, "{text}");
                assert_eq!(Value::from(&Json::from(&theirs)), theirs);
                assert_eq!(Value::from(&Json::from(theirs.clone())), theirs);
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
            (a, b) => panic!("{text}: {a:?} vs {b:?}"),
        }
    }

    #[test]
    fn reads_as_serde_json_value_reads() {
        for text in [
            r#"{"a": [1, -2, 3.5, 1e400, true, null, "x\"y", {"b": {}}], "c": "é\u00e9"}"#,
            r#"[]"#,
            r#"  "text"  "#,
            r#"{"a": 1,}"#,
            r#"{"a" 1}"#,
            r#"{"a": 1} x"#,
            "18446744073709551615",
            "-9223372036854775808",
            "0.1",
        ] {
            same_as_value(text);
        }
        // Not UTF-8: the same error as serde_json gives.
        let bytes = b"{\"a\": \"\xff\"}";
        assert_eq!(
            Json::parse(bytes).unwrap_err().to_string(),
            serde_json::from_slice::<Value>(bytes)
                .unwrap_err()
                .to_string()
        );
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = br#"{"key": "plain", "esc": "a\nb"}"#;
        let Json::Object(map) = Json::parse(text).unwrap() else {
            panic!("object");
        };
        assert!(matches!(map.0[0].0, Cow::Borrowed("key")));
        assert!(matches!(
            map.get("key"),
            Some(Json::String(Cow::Borrowed("plain")))
        ));
        assert!(matches!(map.get("esc"), Some(Json::String(Cow::Owned(_)))));
    }

    #[test]
    fn members_read_as_a_value_map_reads_them() {
        let text = r#"{"b": 1, "a": 2, "B": 3, "b": 4}"#;
        let Json::Object(map) = Json::parse(text.as_bytes()).unwrap() else {
            panic!("object");
        };
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(map.get("b"), Some(&Json::from(&value["b"])));
        // Taking a member out keeps a repeated name's last value the one read.
        let Json::Object(mut repeated) = Json::parse(br#"{"x": 0, "b": 1, "b": 2}"#).unwrap()
        else {
            panic!("object");
        };
        assert_eq!(repeated.remove("x"), Some(Json::Number(0.into())));
        assert_eq!(repeated.get("b"), Some(&Json::Number(2.into())));
        let keys: Vec<&str> = map.sorted().iter().map(|(k, _)| *k).collect();
        let theirs: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, theirs);
        assert_eq!(map.get_ignore_case("b"), Some(&Json::from(&value["B"])));
        let values: Vec<&Json> = map.values().collect();
        assert_eq!(values.len(), 3);
        let owned: Vec<String> = map
            .clone()
            .into_sorted()
            .into_iter()
            .map(|(k, _)| k.into_owned())
            .collect();
        assert_eq!(owned, theirs);
    }

    /// Any JSON value, with strings and numbers of every kind.
    fn any_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[a-z0-9 :/.-]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("[a-zA-Z]{0,6}", inner), 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Any text parses as serde_json parses it (the same value, or the same error).
        #[test]
        fn any_text_parses_as_serde_json_does(text in "[\\[\\]{}\",:0-9a-zA-Z \\\\.eE+-]{0,60}") {
            same_as_value(&text);
        }

        /// Any JSON text, compact or pretty, gives serde_json's value; and the fast
        /// parser reads it itself whenever it has no escapes.
        #[test]
        fn any_json_parses_as_serde_json_does(value in any_value()) {
            for text in [
                serde_json::to_string(&value).unwrap(),
                serde_json::to_string_pretty(&value).unwrap(),
            ] {
                same_as_value(&text);
                if !text.contains('\\') {
                    proptest::prop_assert!(Plain::parse(&text).is_some(), "{}", text);
                }
            }
        }
    }

    #[test]
    fn the_fast_parser_leaves_to_serde_json_what_it_does_not_read_itself() {
        for text in [
            r#"{"a":"x\"y"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"[1,]"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "01",
            "1e400",
            "1.",
            "--1",
            "[1 2]",
            "nul",
            "truex",
            "\"a",
            "",
        ] {
            assert!(Plain::parse(text).is_none(), "{text}");
            same_as_value(text);
        }
        // Numbers' text is read by serde_json's own number parser.
        for text in ["-0", "18446744073709551616", "-1.5e3", "[0.1,2E-2]"] {
            assert!(Plain::parse(text).is_some(), "{text}");
            same_as_value(text);
        }
        let deep = format!(
            "{}{}",
            "[".repeat(PLAIN_DEPTH + 1),
            "]".repeat(PLAIN_DEPTH + 1)
        );
        assert!(Plain::parse(&deep).is_none());
        same_as_value(&deep);
    }
}
