//! A file of what `aws inspector2 list-coverage` printed, read one record at a time:
//! JSON Lines a line at a time, pages and arrays of pages (as the CLI prints them,
//! over many lines) as a stream, with every line named in what is said of it.

use std::io::{BufRead, Read};

use super::coverage::{take_members, RecordList, Words};
use super::members::{Members, Name, Record};

/// Why a coverage file could not be used at all: the run writes nothing.
#[derive(Debug, thiserror::Error)]
pub enum CoverageFileError {
    #[error("cannot read scan coverage {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path} is not `aws inspector2 list-coverage` output: {why}")]
    NotCoverage { path: String, why: String },
}

/// The records of one file, and what was odd in it (source, message).
#[derive(Debug, Default)]
pub struct CoverageFile {
    pub records: RecordList,
    pub warnings: Vec<(String, String)>,
}

/// Reads what `aws inspector2 list-coverage` prints: one page (`coveredResources`), a
/// JSON array of pages, or JSON Lines of covered resources (or of pages).
pub fn parse_file(path: &str, text: &str) -> Result<CoverageFile, CoverageFileError> {
    parse_reader(path, text.as_bytes())
}

/// [`parse_file`] on a stream: of each record only the members the inventory reads
/// are kept ([`Members`]), then compactly ([`super::CoveredResource`]), so no more than
/// one record's text is held at a time, however large the page.
pub fn parse_reader(path: &str, input: impl BufRead) -> Result<CoverageFile, CoverageFileError> {
    let mut input = PushBack {
        front: Vec::new(),
        at: 0,
        inner: input,
    };
    let not = |why: String| CoverageFileError::NotCoverage {
        path: path.to_string(),
        why,
    };
    let mut file = CoverageFile::default();
    let mut words = Words::default();
    let mut line = 1;
    let mut values = 0;
    let mut text = Vec::new();
    // Values one after another: one document, or one per line (JSON Lines).
    while skip_space(&mut input, &mut line, values == 0).map_err(|e| read_error(path, e))? {
        // A value on a line of its own (JSON Lines): parsed from the line's text, which
        // is quicker than a stream byte by byte.
        text.clear();
        let mut limited = (&mut input).take(LINE_LIMIT);
        limited
            .read_until(b'\n', &mut text)
            .map_err(|e| read_error(path, e))?;
        let whole = text.ends_with(b"\n") || input.fill_buf().map_or(true, |b| b.is_empty());
        if whole {
            let kept = (file.records.len(), file.warnings.len());
            let mut de = serde_json::Deserializer::from_slice(&text);
            let piece = Piece {
                path,
                line,
                sink: (&mut file, &mut words),
                top: true,
            };
            let read = serde::de::DeserializeSeed::deserialize(piece, &mut de);
            match read.map(|()| de.end()) {
                Ok(Ok(())) => {
                    line += usize::from(text.ends_with(b"\n"));
                    values += 1;
                    continue;
                }
                // The value goes on past the line, or another follows it on the line:
                // what it gave is read again from the stream below.
                Ok(Err(_)) => {}
                Err(e) if e.classify() == serde_json::error::Category::Eof => {}
                Err(e) => return Err(not(at_line(line, &e))),
            }
            file.records.truncate(kept.0);
            file.warnings.truncate(kept.1);
        }
        // A document over several lines (as the CLI prints it): read as a stream from
        // the line's start, one record at a time. What the line holds after the value
        // (another value on the same line) stays unread in `input`, for the next value.
        input.push_back(std::mem::take(&mut text));
        let mut counted = LineCount {
            inner: &mut input,
            lines: 0,
        };
        let mut de = serde_json::Deserializer::from_reader(&mut counted);
        let piece = Piece {
            path,
            line,
            sink: (&mut file, &mut words),
            top: true,
        };
        if let Err(e) = serde::de::DeserializeSeed::deserialize(piece, &mut de) {
            return Err(match e.classify() {
                serde_json::error::Category::Io => read_error(path, e.into()),
                _ => not(at_line(line, &e)),
            });
        }
        line += counted.lines;
        values += 1;
    }
    if values == 0 {
        return Err(not("the file is empty".into()));
    }
    Ok(file)
}

/// The longest line read as one value; a longer one is read as a stream.
const LINE_LIMIT: u64 = 1 << 20;

fn read_error(path: &str, e: std::io::Error) -> CoverageFileError {
    CoverageFileError::Read {
        path: path.to_string(),
        message: e.to_string(),
    }
}

/// A parse error at its line in the file (serde_json counts from the value's start).
fn at_line(start: usize, e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = text.rfind(" at line ").map_or(&text[..], |at| &text[..at]);
    format!("line {}: {what}", start + e.line().max(1) - 1)
}

/// Skips white space (and, at the start, a byte order mark), counting lines. False at
/// the end of the input.
fn skip_space(input: &mut impl BufRead, line: &mut usize, start: bool) -> std::io::Result<bool> {
    let mut first = start;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        if first && buf.starts_with("\u{feff}".as_bytes()) {
            input.consume(3);
            continue;
        }
        first = false;
        let blank = buf
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(buf.len());
        *line += buf[..blank].iter().filter(|b| **b == b'\n').count();
        let more = blank == buf.len();
        input.consume(blank);
        if !more {
            return Ok(true);
        }
    }
}

/// A reader that can be given back bytes it gave, to read them again first.
struct PushBack<R> {
    front: Vec<u8>,
    at: usize,
    inner: R,
}

impl<R> PushBack<R> {
    fn push_back(&mut self, mut bytes: Vec<u8>) {
        bytes.extend_from_slice(&self.front[self.at..]);
        (self.front, self.at) = (bytes, 0);
    }
}

impl<R: BufRead> Read for PushBack<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for PushBack<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.at < self.front.len() {
            return Ok(&self.front[self.at..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.at < self.front.len() {
            self.at = (self.at + n).min(self.front.len());
        } else {
            self.inner.consume(n);
        }
    }
}

/// The bytes serde_json takes, with the line ends among them counted.
struct LineCount<R> {
    inner: R,
    lines: usize,
}

impl<R: BufRead> std::io::Read for LineCount<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.lines += out[..n].iter().filter(|b| **b == b'\n').count();
        Ok(n)
    }
}

type Sink<'s> = (&'s mut CoverageFile, &'s mut Words);

/// A value of the file: at the top, a page, a covered resource, or an array of pages;
/// inside such an array, a page or a covered resource. A page's `coveredResources` are
/// read one by one; a covered resource has a `scanType`, which every covered resource
/// has and no Config item does.
struct Piece<'s> {
    path: &'s str,
    line: usize,
    sink: Sink<'s>,
    top: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Piece<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        if self.top {
            de.deserialize_any(self)
        } else {
            de.deserialize_map(self)
        }
    }
}

impl<'de> serde::de::Visitor<'de> for Piece<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(match self.top {
            true => "a page of covered resources, a covered resource, or a list of pages",
            false => "a page of covered resources or a covered resource",
        })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.top {
            return Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Seq,
                &self,
            ));
        }
        let (file, words) = self.sink;
        while seq
            .next_element_seed(Piece {
                path: self.path,
                line: self.line,
                sink: (&mut *file, &mut *words),
                top: false,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (file, words) = self.sink;
        let mut page = false;
        let mut members = Members::default();
        while let Some(name) = map.next_key::<Name>()? {
            if name == Name::CoveredResources {
                page = true;
                map.next_value_seed(Records {
                    source: format!("{}:{}", self.path, self.line),
                    sink: (&mut *file, &mut *words),
                })?;
            } else {
                members.take(name, &mut map)?;
            }
        }
        if page {
            return Ok(());
        }
        if members.scan_type.is_none() {
            return Err(serde::de::Error::custom(
                "neither coveredResources nor a covered resource (no scanType)",
            ));
        }
        let source = format!("{}:{} coveredResources[0]", self.path, self.line);
        take_members(
            Some(members),
            None,
            &source,
            (&mut file.records, words),
            &mut file.warnings,
        );
        Ok(())
    }
}

/// A page's `coveredResources`, each record read and kept as it comes.
struct Records<'s> {
    source: String,
    sink: Sink<'s>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Records<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Records<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of covered resources")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (file, words) = self.sink;
        let mut i = 0;
        while let Some(members) = seq.next_element_seed(Record)? {
            let source = format!("{} coveredResources[{i}]", self.source);
            take_members(
                members,
                None,
                &source,
                (&mut file.records, &mut *words),
                &mut file.warnings,
            );
            i += 1;
        }
        Ok(())
    }
}

/// That each file can be opened: checked before the items are read, so a mistyped
/// path fails at once, not after the items (the files are read beside them).
pub fn check_readable(paths: &[std::path::PathBuf]) -> Result<(), CoverageFileError> {
    for path in paths {
        std::fs::File::open(path).map_err(|e| read_error(&path.display().to_string(), e))?;
    }
    Ok(())
}

/// Every file's records, in the order given: what `report --scan-coverage` reads
/// before anything is written.
pub fn read_files(paths: &[std::path::PathBuf]) -> Result<super::CoverageSet, CoverageFileError> {
    let mut set = super::CoverageSet::default();
    for path in paths {
        let name = path.display().to_string();
        let opened = std::fs::File::open(path).map_err(|e| read_error(&name, e))?;
        let file = parse_reader(&name, std::io::BufReader::new(opened))?;
        set.records.append(file.records);
        set.warnings.extend(file.warnings);
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    #[test]
    fn files_are_pages_arrays_of_pages_or_json_lines() {
        let rec = json!({"accountId": "1", "resourceId": "i-1", "resourceType": "AWS_EC2_INSTANCE", "scanType": "PACKAGE"});
        let page = json!({"coveredResources": [rec, rec]});
        let one = parse_file("p", &page.to_string()).unwrap();
        assert_eq!(one.records.len(), 2);
        let many = parse_file("a", &json!([page, page]).to_string()).unwrap();
        assert_eq!(many.records.len(), 4);
        let lines = format!("{rec}\n\n{rec}\n{page}\n");
        assert_eq!(parse_file("l", &lines).unwrap().records.len(), 4);
        let bad = format!("{rec}\n{{\"resourceType\": 1, \"scanType\": \"PACKAGE\"}}\n");
        let f = parse_file("b", &bad).unwrap();
        assert_eq!((f.records.len(), f.warnings.len()), (1, 1));
        assert!(f.warnings[0].0.starts_with("b:2"), "{:?}", f.warnings);
    }

    #[test]
    fn a_printed_page_is_read_record_by_record_and_lines_are_named() {
        let rec = json!({"accountId": "1", "resourceId": "i-1", "resourceType": "AWS_EC2_INSTANCE", "scanType": "PACKAGE"});
        // As `aws inspector2 list-coverage` prints it: indented, after a byte order mark.
        let page = serde_json::to_string_pretty(
            &json!({"coveredResources": [rec, 7, rec], "nextToken": "t"}),
        )
        .unwrap();
        let f = parse_file("p", &format!("\u{feff}\n{page}\n")).unwrap();
        assert_eq!(f.records.len(), 2);
        assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
        assert_eq!(f.warnings[0].0, "p:2 coveredResources[1]");
        assert!(
            Arc::ptr_eq(
                &f.records.numbered().next().unwrap().1.account,
                &f.records.numbered().nth(1).unwrap().1.account
            ),
            "one account word"
        );
        // JSON Lines: each record named by its line, blank lines counted.
        let lines = format!("{rec}\n\n{rec}\n{{\"accountId\": 1, \"scanType\": \"PACKAGE\"}}\n");
        let f = parse_file("l", &lines).unwrap();
        assert_eq!(f.records.len(), 2);
        assert!(f.warnings[0].0.starts_with("l:4 "), "{:?}", f.warnings);
        // A broken line is named, counted from the start of the file.
        let broken = format!("{rec}\n{rec}\n{{\"accountId\": ]\n{rec}\n");
        match parse_file("b", &broken) {
            Err(CoverageFileError::NotCoverage { why, .. }) => {
                assert!(why.starts_with("line 3"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }

    /// A line is read on its own only when it holds whole values: what a line that
    /// goes on gave is taken back and read again from the stream, never twice.
    #[test]
    fn a_value_that_goes_on_past_its_line_is_read_once() {
        let rec = json!({"accountId": "1", "resourceId": "i-1", "resourceType": "AWS_EC2_INSTANCE", "scanType": "PACKAGE"});
        let odd = json!({"accountId": 1, "scanType": "PACKAGE"});
        // Two records and a warning on the first line, the page's end on the next.
        let text = format!("{{\"coveredResources\": [{rec}, {odd},\n{rec}]}}\n{rec}\n");
        let f = parse_file("p", &text).unwrap();
        assert_eq!(
            (f.records.len(), f.warnings.len()),
            (3, 1),
            "{:?}",
            f.warnings
        );
        // Two values on one line, and a line after them.
        let f = parse_file("t", &format!("{rec} {rec}\n{rec}\n")).unwrap();
        assert_eq!((f.records.len(), f.warnings.len()), (3, 0));
        let mut list: RecordList =
            vec![f.records.numbered().next().unwrap().1.clone(); 1100].into();
        list.truncate(600);
        assert_eq!(list.len(), 600);
        list.truncate(0);
        assert!(list.is_empty());
    }

    #[test]
    fn what_is_not_list_coverage_output_is_refused() {
        for text in [
            "",
            "not json at all",
            r#"{"configurationItems": []}"#,
            r#"{"resourceType": "AWS::EC2::Instance", "resourceId": "i-1", "configuration": {}}"#,
            r#"{"coveredResources": 3}"#,
            "[1, 2]",
        ] {
            let refused = parse_file("f", text);
            assert!(
                matches!(refused, Err(CoverageFileError::NotCoverage { .. })),
                "{text}: {refused:?}"
            );
        }
    }
}
