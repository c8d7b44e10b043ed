//! What Amazon Inspector says it scans (`ListCoverage`'s `CoveredResource`), read
//! leniently from the CLI's output or the live API, as plain data.
//!
//! The shapes are botocore's `inspector2` model: `accountId`, `resourceId`,
//! `resourceType` and `scanType` are required; `scanStatus` holds `statusCode`
//! (ACTIVE/INACTIVE) and `reason`; `lastScannedAt` is a timestamp, which the CLI prints
//! as ISO 8601 text and other tools as epoch seconds; container images carry
//! `resourceMetadata.ecrImage` (`tags`, `inUseCount`, `lastInUseAt`).

use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// The kinds of resource Inspector covers that the inventory lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScanKind {
    Ec2Instance,
    LambdaFunction,
    EcrImage,
    EcrRepository,
}

impl ScanKind {
    /// The `resourceType` Inspector gives it.
    pub fn resource_type(self) -> &'static str {
        match self {
            ScanKind::Ec2Instance => "AWS_EC2_INSTANCE",
            ScanKind::LambdaFunction => "AWS_LAMBDA_FUNCTION",
            ScanKind::EcrImage => "AWS_ECR_CONTAINER_IMAGE",
            ScanKind::EcrRepository => "AWS_ECR_REPOSITORY",
        }
    }

    fn of(resource_type: &str) -> Option<ScanKind> {
        [
            ScanKind::Ec2Instance,
            ScanKind::LambdaFunction,
            ScanKind::EcrImage,
            ScanKind::EcrRepository,
        ]
        .into_iter()
        .find(|k| k.resource_type() == resource_type)
    }

    /// The scan type an account enables for it (`BatchGetAccountStatus`'s
    /// `resourceState` member): repositories and images are both ECR scanning.
    pub fn enabled_by(self) -> &'static str {
        match self {
            ScanKind::Ec2Instance => "ec2",
            ScanKind::LambdaFunction => "lambda",
            ScanKind::EcrImage | ScanKind::EcrRepository => "ecr",
        }
    }
}

/// How a container image is used, from `resourceMetadata.ecrImage`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageUse {
    pub tags: Vec<String>,
    pub in_use_count: Option<i64>,
    pub last_in_use_at: Option<DateTime<Utc>>,
}

/// A word many records repeat (account, region, type, status), held once per file
/// or read ([`Words`]): 40,000 records carry a handful of distinct ones.
pub type Word = Arc<str>;

/// The words of the records read so far, each held once.
#[derive(Clone, Debug, Default)]
pub struct Words(HashSet<Word>);

impl Words {
    pub fn get(&mut self, text: &str) -> Word {
        if let Some(word) = self.0.get(text) {
            return word.clone();
        }
        let word: Word = text.into();
        self.0.insert(word.clone());
        word
    }
}

/// One covered resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoveredResource {
    pub account: Word,
    /// From the resource's ARN, or the region it was read in; EC2 records carry a bare
    /// instance id and no region.
    pub region: Option<Word>,
    /// `None` for a `resourceType` the inventory does not list (kept in `raw_type`).
    pub kind: Option<ScanKind>,
    pub raw_type: Word,
    pub resource_id: Box<str>,
    pub scan_type: Option<Word>,
    pub scan_mode: Option<Word>,
    pub status_code: Option<Word>,
    pub status_reason: Option<Word>,
    pub last_scanned_at: Option<DateTime<Utc>>,
    /// Images only: boxed, so the other records do not carry its room.
    pub image: Option<Box<ImageUse>>,
}

/// Records in blocks of a fixed size. Growing never moves or frees a large buffer: a
/// `Vec` of 40,000 records did, and glibc then raised its mmap threshold, so the run's
/// later large buffers were taken from its arenas and kept there (about 10 MiB more
/// peak RSS on the benchmark's coverage, measured with `make bench`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordList {
    blocks: Vec<Vec<CoveredResource>>,
}

/// 512 records, about 75 KiB: under glibc's first mmap threshold (128 KiB).
const BLOCK: usize = 512;

impl RecordList {
    pub fn push(&mut self, record: CoveredResource) {
        match self.blocks.last_mut() {
            Some(block) if block.len() < BLOCK => block.push(record),
            _ => {
                let mut block = Vec::with_capacity(BLOCK);
                block.push(record);
                self.blocks.push(block);
            }
        }
    }

    /// Moves `other`'s records after these (its blocks as they are).
    pub fn append(&mut self, other: RecordList) {
        self.blocks.extend(other.blocks);
    }

    pub fn len(&self) -> usize {
        self.blocks.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(Vec::is_empty)
    }

    /// Every record with a number for [`Self::get`].
    pub fn numbered(&self) -> impl Iterator<Item = (RecordNo, &CoveredResource)> + '_ {
        self.blocks.iter().enumerate().flat_map(|(b, block)| {
            block
                .iter()
                .enumerate()
                .map(move |(i, r)| (RecordNo(b as u32, i as u32), r))
        })
    }

    pub fn get(&self, no: RecordNo) -> &CoveredResource {
        &self.blocks[no.0 as usize][no.1 as usize]
    }
}

impl From<Vec<CoveredResource>> for RecordList {
    fn from(records: Vec<CoveredResource>) -> Self {
        let mut list = RecordList::default();
        for r in records {
            list.push(r);
        }
        list
    }
}

/// Where a record is in its [`RecordList`]: block and place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordNo(u32, u32);

/// Why a record was not usable: said, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("a covered resource must be a JSON object")]
    NotObject,
    #[error("a covered resource has no {0}")]
    Missing(&'static str),
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A timestamp as the CLI prints it (ISO 8601, with or without a zone or fraction) or
/// as epoch seconds (a number, or digits). `None` for anything else.
pub fn timestamp(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => epoch(n.as_f64()?),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                return Some(t.with_timezone(&Utc));
            }
            for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
                if let Ok(t) = DateTime::parse_from_str(s, format) {
                    return Some(t.with_timezone(&Utc));
                }
            }
            for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
                if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
                    return Some(Utc.from_utc_datetime(&t));
                }
            }
            s.parse::<f64>().ok().and_then(epoch)
        }
        _ => None,
    }
}

fn epoch(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9) as u32;
    Utc.timestamp_opt(whole as i64, nanos).single()
}

/// The region in an ARN (`arn:partition:service:region:account:...`).
fn arn_region(id: &str) -> Option<&str> {
    id.strip_prefix("arn:")?
        .split(':')
        .nth(2)
        .filter(|r| !r.is_empty())
}

impl CoveredResource {
    /// One record; `region` is where it was read (live), used when its id does not
    /// name one. Returns warnings for fields it could not read (the record is kept).
    pub fn from_json(
        v: &Value,
        region: Option<&str>,
        words: &mut Words,
        warnings: &mut Vec<String>,
    ) -> Result<Self, RecordError> {
        if !v.is_object() {
            return Err(RecordError::NotObject);
        }
        let account = text(v, "accountId").ok_or(RecordError::Missing("accountId"))?;
        let resource_id = text(v, "resourceId").ok_or(RecordError::Missing("resourceId"))?;
        let raw_type = text(v, "resourceType").ok_or(RecordError::Missing("resourceType"))?;
        let status = v.get("scanStatus");
        let last_scanned_at = match v.get("lastScannedAt") {
            None | Some(Value::Null) => None,
            Some(t) => {
                let read = timestamp(t);
                if read.is_none() {
                    warnings.push(format!(
                        "{resource_id}: lastScannedAt {t} is not a timestamp; taken as never scanned"
                    ));
                }
                read
            }
        };
        let image = v.pointer("/resourceMetadata/ecrImage").map(|m| {
            Box::new(ImageUse {
                tags: m
                    .get("tags")
                    .and_then(Value::as_array)
                    .map(|t| {
                        t.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
                in_use_count: m.get("inUseCount").and_then(Value::as_i64),
                last_in_use_at: m.get("lastInUseAt").and_then(timestamp),
            })
        });
        let (account, raw_type_word) = (words.get(account), words.get(raw_type));
        let mut word = |t: Option<&str>| t.map(|t| words.get(t));
        Ok(CoveredResource {
            account,
            region: word(arn_region(resource_id).or(region)),
            kind: ScanKind::of(raw_type),
            raw_type: raw_type_word,
            resource_id: resource_id.into(),
            scan_type: word(text(v, "scanType")),
            scan_mode: word(text(v, "scanMode")),
            status_code: word(status.and_then(|s| text(s, "statusCode"))),
            status_reason: word(status.and_then(|s| text(s, "reason"))),
            last_scanned_at,
            image,
        })
    }
}

/// Adds one record to `records`, or says in `warnings` why it could not (the record's
/// `source` names it either way): how files and the live reader take each record.
pub fn take_record(
    value: &Value,
    region: Option<&str>,
    source: &str,
    (records, words): (&mut RecordList, &mut Words),
    warnings: &mut Vec<(String, String)>,
) {
    let mut odd = Vec::new();
    match CoveredResource::from_json(value, region, words, &mut odd) {
        Ok(r) => records.push(r),
        Err(e) => warnings.push((source.to_string(), format!("{e}; not used"))),
    }
    warnings.extend(odd.into_iter().map(|w| (source.to_string(), w)));
}

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

/// [`parse_file`] on a stream: each record is read into a small tree of its own and
/// kept compactly ([`CoveredResource`]), so no more than one record's text is held at
/// a time, however large the page.
pub fn parse_reader(
    path: &str,
    mut input: impl BufRead,
) -> Result<CoverageFile, CoverageFileError> {
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
        let top = |sink| Piece {
            path,
            line,
            sink,
            top: true,
        };
        // A value on a line of its own (JSON Lines): parsed from the line's text, which
        // is quicker than a stream byte by byte.
        text.clear();
        let mut limited = (&mut input).take(LINE_LIMIT);
        limited
            .read_until(b'\n', &mut text)
            .map_err(|e| read_error(path, e))?;
        let whole = text.ends_with(b"\n") || input.fill_buf().map_or(true, |b| b.is_empty());
        if whole && serde_json::from_slice::<serde::de::IgnoredAny>(&text).is_ok() {
            let mut de = serde_json::Deserializer::from_slice(&text);
            serde::de::DeserializeSeed::deserialize(top((&mut file, &mut words)), &mut de)
                .map_err(|e| not(at_line(line, &e)))?;
            line += usize::from(text.ends_with(b"\n"));
            values += 1;
            continue;
        }
        // A document over several lines (as the CLI prints it): read as a stream from
        // the line's start, one record at a time.
        let mut counted = LineCount {
            inner: std::io::Cursor::new(std::mem::take(&mut text)).chain(&mut input),
            lines: 0,
        };
        let mut de = serde_json::Deserializer::from_reader(&mut counted);
        if let Err(e) =
            serde::de::DeserializeSeed::deserialize(top((&mut file, &mut words)), &mut de)
        {
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
        let mut fields = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "coveredResources" {
                page = true;
                map.next_value_seed(Records {
                    source: format!("{}:{}", self.path, self.line),
                    sink: (&mut *file, &mut *words),
                })?;
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        if page {
            return Ok(());
        }
        if !fields.contains_key("scanType") {
            return Err(serde::de::Error::custom(
                "neither coveredResources nor a covered resource (no scanType)",
            ));
        }
        let source = format!("{}:{} coveredResources[0]", self.path, self.line);
        let value = Value::Object(fields);
        take_record(
            &value,
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
        while let Some(value) = seq.next_element::<Value>()? {
            let source = format!("{} coveredResources[{i}]", self.source);
            take_record(
                &value,
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

    #[test]
    fn timestamps_in_every_form_the_cli_and_tools_print() {
        let want = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        for v in [
            json!("2026-11-30T12:00:00Z"),
            json!("2026-11-30T12:00:00+00:00"),
            json!("2026-11-30T12:00:00.000000+00:00"),
            json!("2026-11-30T07:00:00-05:00"),
            json!("2026-11-30T12:00:00"),
            json!("2026-11-30 12:00:00+00:00"),
            json!(1_796_040_000),
            json!(1_796_040_000.0),
            json!("1796040000"),
        ] {
            assert_eq!(timestamp(&v), Some(want), "{v}");
        }
        assert_eq!(timestamp(&json!("last tuesday")), None);
        assert_eq!(timestamp(&json!(true)), None);
    }

    #[test]
    fn a_record_keeps_what_it_has_and_says_what_it_could_not_read() {
        let mut w = Vec::new();
        let mut words = Words::default();
        let r = CoveredResource::from_json(
            &json!({"accountId": "111111111111", "resourceId": "i-1",
                    "resourceType": "AWS_EC2_INSTANCE", "scanType": "PACKAGE",
                    "scanStatus": {"statusCode": "ACTIVE", "reason": "SUCCESSFUL"},
                    "lastScannedAt": "soon"}),
            Some("us-east-1"),
            &mut words,
            &mut w,
        )
        .unwrap();
        assert_eq!(r.kind, Some(ScanKind::Ec2Instance));
        assert_eq!(r.region.as_deref(), Some("us-east-1"));
        assert_eq!(r.last_scanned_at, None);
        assert_eq!(w.len(), 1, "{w:?}");
        let lambda = CoveredResource::from_json(
            &json!({"accountId": "1", "resourceType": "AWS_LAMBDA_FUNCTION",
                    "resourceId": "arn:aws:lambda:us-gov-west-1:1:function:f", "scanType": "PACKAGE"}),
            None,
            &mut words,
            &mut w,
        )
        .unwrap();
        assert_eq!(lambda.region.as_deref(), Some("us-gov-west-1"));
        let odd = CoveredResource::from_json(
            &json!({"accountId": "1", "resourceType": "CODE_REPOSITORY", "resourceId": "x", "scanType": "CODE"}),
            None,
            &mut words,
            &mut w,
        )
        .unwrap();
        assert_eq!((odd.kind, &*odd.raw_type), (None, "CODE_REPOSITORY"));
        assert_eq!(
            CoveredResource::from_json(&json!({"resourceId": "i"}), None, &mut words, &mut w),
            Err(RecordError::Missing("accountId"))
        );
    }

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
                &f.records.get(RecordNo(0, 0)).account,
                &f.records.get(RecordNo(0, 1)).account
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
