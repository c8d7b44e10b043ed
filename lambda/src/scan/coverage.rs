//! What Amazon Inspector says it scans (`ListCoverage`'s `CoveredResource`), read
//! leniently from the CLI's output or the live API, as plain data.
//!
//! The shapes are botocore's `inspector2` model: `accountId`, `resourceId`,
//! `resourceType` and `scanType` are required; `scanStatus` holds `statusCode`
//! (ACTIVE/INACTIVE) and `reason`; `lastScannedAt` is a timestamp, which the CLI prints
//! as ISO 8601 text and other tools as epoch seconds; container images carry
//! `resourceMetadata.ecrImage` (`tags`, `inUseCount`, `lastInUseAt`).

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use super::members::Members;

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

    pub(crate) fn of(resource_type: &str) -> Option<ScanKind> {
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

    /// Keeps the first `len` records.
    pub fn truncate(&mut self, len: usize) {
        let mut left = len;
        let mut kept = 0;
        for block in &mut self.blocks {
            if left == 0 {
                break;
            }
            block.truncate(left);
            left -= block.len();
            kept += 1;
        }
        self.blocks.truncate(kept);
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

fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
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
        let members = Members::of(v).ok_or(RecordError::NotObject)?;
        Self::from_members(&members, region, words, warnings)
    }

    /// [`Self::from_json`] on the members read as the record was parsed.
    pub fn from_members(
        v: &Members,
        region: Option<&str>,
        words: &mut Words,
        warnings: &mut Vec<String>,
    ) -> Result<Self, RecordError> {
        let account = text(v.account_id.as_ref()).ok_or(RecordError::Missing("accountId"))?;
        let resource_id = text(v.resource_id.as_ref()).ok_or(RecordError::Missing("resourceId"))?;
        let raw_type =
            text(v.resource_type.as_ref()).ok_or(RecordError::Missing("resourceType"))?;
        let status = v.scan_status.as_ref();
        let last_scanned_at = match &v.last_scanned_at {
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
        let image = v.ecr_image.as_ref().map(|m| {
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
            scan_type: word(text(v.scan_type.as_ref())),
            scan_mode: word(text(v.scan_mode.as_ref())),
            status_code: word(text(status.and_then(|s| s.get("statusCode")))),
            status_reason: word(text(status.and_then(|s| s.get("reason")))),
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
    sink: (&mut RecordList, &mut Words),
    warnings: &mut Vec<(String, String)>,
) {
    take_members(Members::of(value), region, source, sink, warnings);
}

/// [`take_record`] on the members read as the record was parsed (`None`: it was not an
/// object).
pub(super) fn take_members(
    members: Option<Members>,
    region: Option<&str>,
    source: &str,
    (records, words): (&mut RecordList, &mut Words),
    warnings: &mut Vec<(String, String)>,
) {
    let mut odd = Vec::new();
    let read = members
        .ok_or(RecordError::NotObject)
        .and_then(|members| CoveredResource::from_members(&members, region, words, &mut odd));
    match read {
        Ok(r) => records.push(r),
        Err(e) => warnings.push((source.to_string(), format!("{e}; not used"))),
    }
    warnings.extend(odd.into_iter().map(|w| (source.to_string(), w)));
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
}
