//! Config items from files or standard input.
//!
//! The format is detected, not configured: a user should be able to hand over whatever
//! `aws configservice select-resource-config`, a Config snapshot or a script produced.
//! - JSON Lines: the first line is a complete JSON value. Each line is read on its
//!   own, so one bad line costs that line only.
//! - One JSON document (pretty-printed object or array, or several in a row): read as
//!   a stream of values; a syntax error ends that input, after the values before it.
//!
//! Every value is then opened up: `{"Results": [...]}` (select output, each result a
//! JSON string), `{"configurationItems": [...]}` (snapshots) and arrays give their
//! elements; anything else is one item.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;

use serde_json::Value;

use crate::json::Json;
use crate::kernel::Origin;

/// One input the user named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

impl Input {
    /// `-` is standard input, as Unix tools expect.
    pub fn from_arg(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }

    fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        match self {
            Input::Stdin => Ok(Box::new(io::stdin())),
            Input::Path(p) => Ok(Box::new(File::open(p)?)),
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("<stdin>"),
            Input::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Why an input could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read: {0}")]
    Open(io::Error),
    #[error("the input is empty: no Config items in it")]
    Empty,
}

/// A raw piece of input, before any JSON work: parsing is left to whoever receives
/// it, so it can happen on another thread.
#[derive(Debug)]
pub enum Raw {
    /// Consecutive lines of JSON Lines, each ending in its newline (the last may not):
    /// one piece for many lines, so a worker gets a share worth sending to a thread.
    Lines(Vec<u8>),
    /// One value of a JSON document, already parsed (the document had to be).
    Value(Value),
}

/// A piece of input and the line it starts on.
#[derive(Debug)]
pub struct RawPiece {
    pub line: u64,
    pub raw: Raw,
}

/// Lines in a block of JSON Lines: a worker's share of parsing at a time.
pub const BLOCK_LINES: u64 = 512;
/// A block ends early past this many bytes, so very long lines do not pile up.
const BLOCK_BYTES: usize = 1 << 20;

impl RawPiece {
    /// How much parsing the piece is, in items: a block counts as full.
    pub fn weight(&self) -> u64 {
        match &self.raw {
            Raw::Lines(_) => BLOCK_LINES,
            Raw::Value(_) => 1,
        }
    }
}

/// A candidate Config item: a JSON value (borrowing from its piece) or the reason
/// there is none.
pub type Decoded<'a> = (Origin, Result<Json<'a>, String>);

/// A JSON document that ended early: the line of the syntax error and what it was.
#[derive(Debug, PartialEq, Eq)]
pub struct Stopped {
    pub line: u64,
    pub message: String,
}

/// Reads one input, handing each piece to `sink`. Returns `Some` when a syntax error
/// in a JSON document ended the input early (the pieces before it are kept).
pub fn read_input(
    input: &Input,
    sink: &mut dyn FnMut(RawPiece),
) -> Result<Option<Stopped>, ReadError> {
    let open_err = ReadError::Open;
    let mut reader = BufReader::with_capacity(1 << 20, input.open().map_err(open_err)?);
    let mut first = Vec::new();
    let mut line_no = 0u64;
    // Skip blank lines before the first value.
    loop {
        first.clear();
        if reader.read_until(b'\n', &mut first).map_err(open_err)? == 0 {
            return Err(ReadError::Empty);
        }
        line_no += 1;
        if !first.iter().all(u8::is_ascii_whitespace) {
            break;
        }
    }
    let first = strip_bom(&first);
    if serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok() {
        let mut block = first.to_vec();
        let mut block_line = line_no;
        let mut lines = 1;
        loop {
            let read = reader.read_until(b'\n', &mut block).map_err(open_err)?;
            if read > 0 {
                lines += 1;
            }
            if read == 0 || lines == BLOCK_LINES || block.len() >= BLOCK_BYTES {
                let capacity = if read == 0 { 0 } else { block.capacity() };
                let full = std::mem::replace(&mut block, Vec::with_capacity(capacity));
                if !full.iter().all(u8::is_ascii_whitespace) {
                    sink(RawPiece {
                        line: block_line,
                        raw: Raw::Lines(full),
                    });
                }
                block_line += lines;
                lines = 0;
            }
            if read == 0 {
                return Ok(None);
            }
        }
    }
    let mut doc = first.to_vec();
    reader.read_to_end(&mut doc).map_err(open_err)?;
    let first_line = line_no;
    let mut stream = serde_json::Deserializer::from_slice(&doc).into_iter::<Value>();
    let mut counted = (0usize, first_line);
    loop {
        let start = stream.byte_offset();
        match stream.next() {
            None => return Ok(None),
            Some(Ok(value)) => {
                let line = line_at(&doc, start, &mut counted);
                sink(RawPiece {
                    line,
                    raw: Raw::Value(value),
                });
            }
            Some(Err(e)) => {
                let line = first_line + e.line() as u64 - 1;
                let message = format!("not valid JSON ({e}); the rest of this input was not read");
                return Ok(Some(Stopped { line, message }));
            }
        }
    }
}

/// Line number of a byte offset, counting on from the previous call's position.
fn line_at(doc: &[u8], offset: usize, counted: &mut (usize, u64)) -> u64 {
    // The stream's offset is where the previous value ended; the value starts after
    // any white space.
    let offset = offset
        + doc[offset..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    let (pos, line) = counted;
    *line += doc[*pos..offset].iter().filter(|b| **b == b'\n').count() as u64;
    *pos = offset;
    *line
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Turns a raw piece into candidate items, opening up containers, handing each to
/// `out` as it is parsed. The items borrow their text from the piece.
pub fn decode<'a>(piece: &'a RawPiece, out: &mut dyn FnMut(Decoded<'a>)) {
    match &piece.raw {
        Raw::Value(v) => open_up(piece.line, Json::from(v), out),
        Raw::Lines(bytes) => {
            for (i, line) in lines(bytes).enumerate() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let line_no = piece.line + i as u64;
                match Json::parse(strip_bom(line)) {
                    Ok(v) => open_up(line_no, v, out),
                    Err(e) => out((
                        Origin {
                            line: line_no,
                            path: None,
                        },
                        Err(format!("not valid JSON ({e})")),
                    )),
                }
            }
        }
    }
}

/// A block's lines, each with its newline, as `split_inclusive` gives them; found with
/// memchr (a byte-by-byte split was a twentieth of the whole run).
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// A value's candidate items: a container's elements, or the value itself.
fn open_up<'a>(line: u64, value: Json<'a>, out: &mut dyn FnMut(Decoded<'a>)) {
    let origin = |path: Option<String>| Origin { line, path };
    match value {
        Json::Object(mut obj)
            if obj.contains_key("Results") || obj.contains_key("configurationItems") =>
        {
            let key = if obj.contains_key("Results") {
                "Results"
            } else {
                "configurationItems"
            };
            match obj.remove(key) {
                Some(Json::Array(list)) => {
                    for (i, v) in list.into_iter().enumerate() {
                        out((origin(Some(format!("{key}[{i}]"))), element(v)));
                    }
                }
                Some(other) => out((
                    origin(None),
                    Err(format!("{key} is {}, expected a list", other.kind())),
                )),
                None => {}
            }
        }
        Json::Array(list) => {
            for (i, v) in list.into_iter().enumerate() {
                out((origin(Some(format!("[{i}]"))), element(v)));
            }
        }
        other => out((origin(None), element(other))),
    }
}

/// An element of a container: an item object, or an item as JSON text (select output).
pub(crate) fn element(value: Json<'_>) -> Result<Json<'_>, String> {
    let parsed = match value {
        Json::String(std::borrow::Cow::Borrowed(text)) => Json::parse(text.as_bytes()),
        Json::String(std::borrow::Cow::Owned(text)) => Json::parse_owned(&text),
        other => return Ok(other),
    };
    parsed.map_err(|e| format!("result text is not valid JSON ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn lines_split_as_split_inclusive_does() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "a\n\nb\n",
            "\n\n",
            "{\"x\":1}\r\n{}",
        ] {
            let bytes = text.as_bytes();
            let ours: Vec<&[u8]> = lines(bytes).collect();
            let std: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    type Item = (Origin, Result<Value, String>);

    fn read_all(text: &str) -> (Vec<Item>, Option<Stopped>) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        let input = Input::Path(f.path().to_path_buf());
        let mut pieces = Vec::new();
        let stopped = read_input(&input, &mut |p| pieces.push(p)).unwrap();
        let mut items = Vec::new();
        for piece in &pieces {
            decode(piece, &mut |(o, v)| {
                items.push((o, v.map(|v| Value::from(&v))))
            });
        }
        (items, stopped)
    }

    #[test]
    fn json_lines_keep_going_past_a_bad_line() {
        let (items, stopped) = read_all("{\"a\":1}\n\nnot json\n{\"a\":2}\n");
        assert!(stopped.is_none());
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].0.line, 1);
        assert!(items[1].1.as_ref().unwrap_err().contains("not valid JSON"));
        assert_eq!(items[1].0.line, 3);
        assert_eq!(items[2].1.as_ref().unwrap()["a"], 2);
        assert_eq!(items[2].0.line, 4);
    }

    /// Lines keep their numbers across the blocks the reader cuts, blank lines
    /// included, and a bad line costs only itself.
    #[test]
    fn line_numbers_hold_across_blocks() {
        let mut text = String::new();
        for i in 1..=2000 {
            match i {
                700 => text.push('\n'),
                1500 => text.push_str("{oops\n"),
                _ => text.push_str(&format!("{{\"n\": {i}}}\n")),
            }
        }
        let (items, stopped) = read_all(&text);
        assert!(stopped.is_none());
        assert_eq!(items.len(), 1999);
        for (origin, value) in &items {
            match value {
                Ok(v) => assert_eq!(v["n"], origin.line, "{origin:?}"),
                Err(e) => {
                    assert_eq!(origin.line, 1500);
                    assert!(e.starts_with("not valid JSON"), "{e}");
                }
            }
        }
    }

    #[test]
    fn select_output_is_opened_up() {
        let text = "{\n  \"Results\": [\n    \"{\\\"a\\\":1}\",\n    \"{bad\"\n  ],\n  \"QueryInfo\": {}\n}\n";
        let (items, stopped) = read_all(text);
        assert!(stopped.is_none());
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].1.as_ref().unwrap()["a"], 1);
        assert_eq!(items[1].0.describe("f"), "f:1 Results[1]");
        assert!(items[1].1.is_err());
    }

    #[test]
    fn pretty_array_and_concatenated_documents() {
        let (items, _) = read_all(
            "\n[\n {\"a\": 1},\n {\"a\": 2}\n]\n{\n\"configurationItems\": [{\"a\": 3}]\n}\n",
        );
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].0.line, 2);
        assert_eq!(items[2].0.line, 6);
        assert_eq!(items[2].1.as_ref().unwrap()["a"], 3);
    }

    #[test]
    fn a_broken_document_keeps_what_came_before() {
        let (items, stopped) = read_all("{\"a\":\n1}\n{\"b\": oops}\n");
        assert_eq!(items.len(), 1);
        let stopped = stopped.unwrap();
        assert_eq!(stopped.line, 3);
        assert!(
            stopped.message.starts_with("not valid JSON"),
            "{}",
            stopped.message
        );
    }

    proptest::proptest! {
        /// Whatever bytes a line holds, decoding gives items or messages, never a panic.
        #[test]
        fn any_line_decodes_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            decode(&RawPiece { line: 1, raw: Raw::Lines(bytes) }, &mut |_| {});
        }

        /// Arbitrary text as a whole input: read and decoded without panic.
        #[test]
        fn any_input_reads_without_panic(text in "[\\[\\]{}\",:0-9a-zA-Z \n]{0,200}") {
            let mut f = tempfile::NamedTempFile::new().unwrap();
            f.write_all(text.as_bytes()).unwrap();
            let mut pieces = Vec::new();
            let _ = read_input(&Input::Path(f.path().to_path_buf()), &mut |p| pieces.push(p));
            for p in &pieces {
                decode(p, &mut |_| {});
            }
        }
    }

    #[test]
    fn empty_and_missing_inputs_are_errors() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b" \n\n").unwrap();
        let err = read_input(&Input::Path(f.path().to_path_buf()), &mut |_| {}).unwrap_err();
        assert!(matches!(err, ReadError::Empty));
        let err = read_input(&Input::from_arg("/no/such/file.jsonl"), &mut |_| {}).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot read: No such file"),
            "{err}"
        );
    }
}
