//! What Amazon Inspector says it scans (`ListCoverage`'s `CoveredResource`), read
//! leniently from the CLI's output or the live API, as plain data.
//!
//! The shapes are botocore's `inspector2` model: `accountId`, `resourceId`,
//! `resourceType` and `scanType` are required; `scanStatus` holds `statusCode`
//! (ACTIVE/INACTIVE) and `reason`; `lastScannedAt` is a timestamp, which the CLI prints
//! as ISO 8601 text and other tools as epoch seconds; container images carry
//! `resourceMetadata.ecrImage` (`tags`, `inUseCount`, `lastInUseAt`).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::value::RawValue;
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

/// One covered resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoveredResource {
    pub account: String,
    /// From the resource's ARN, or the region it was read in; EC2 records carry a bare
    /// instance id and no region.
    pub region: Option<String>,
    /// `None` for a `resourceType` the inventory does not list (kept in `raw_type`).
    pub kind: Option<ScanKind>,
    pub raw_type: String,
    pub resource_id: String,
    pub scan_type: Option<String>,
    pub scan_mode: Option<String>,
    pub status_code: Option<String>,
    pub status_reason: Option<String>,
    pub last_scanned_at: Option<DateTime<Utc>>,
    pub image: Option<ImageUse>,
}

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
        let image = v.pointer("/resourceMetadata/ecrImage").map(|m| ImageUse {
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
        });
        Ok(CoveredResource {
            account: account.to_string(),
            region: arn_region(resource_id).or(region).map(String::from),
            kind: ScanKind::of(raw_type),
            raw_type: raw_type.to_string(),
            resource_id: resource_id.to_string(),
            scan_type: text(v, "scanType").map(String::from),
            scan_mode: text(v, "scanMode").map(String::from),
            status_code: status.and_then(|s| text(s, "statusCode")).map(String::from),
            status_reason: status.and_then(|s| text(s, "reason")).map(String::from),
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
    records: &mut Vec<CoveredResource>,
    warnings: &mut Vec<(String, String)>,
) {
    let mut odd = Vec::new();
    match CoveredResource::from_json(value, region, &mut odd) {
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
    pub records: Vec<CoveredResource>,
    pub warnings: Vec<(String, String)>,
}

/// Reads what `aws inspector2 list-coverage` prints: one page (`coveredResources`), a
/// JSON array of pages, or JSON Lines of covered resources (or of pages).
pub fn parse_file(path: &str, text: &str) -> Result<CoverageFile, CoverageFileError> {
    let not = |why: String| CoverageFileError::NotCoverage {
        path: path.to_string(),
        why,
    };
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(not("the file is empty".into()));
    }
    // (line, value) pieces, kept as their text: a record becomes a small tree of its
    // own only when it is read, so a file of 40,000 records is not held twice over.
    // A whole document is line 1.
    let pieces: Vec<(usize, &RawValue)> = match serde_json::from_str::<&RawValue>(text) {
        Ok(whole) if whole.get().starts_with('[') => {
            let list: Vec<&RawValue> =
                serde_json::from_str(whole.get()).map_err(|e| not(e.to_string()))?;
            list.into_iter().map(|v| (1, v)).collect()
        }
        Ok(whole) => vec![(1, whole)],
        Err(whole) => {
            let mut lines = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v = serde_json::from_str::<&RawValue>(line).map_err(|e| {
                    not(format!(
                        "neither one JSON document ({whole}) nor JSON Lines (line {}: {e})",
                        i + 1
                    ))
                })?;
                lines.push((i + 1, v));
            }
            lines
        }
    };
    let mut file = CoverageFile::default();
    for (line, piece) in pieces {
        let page: Page =
            serde_json::from_str(piece.get()).map_err(|e| not(format!("line {line}: {e}")))?;
        let records = match page.covered_resources {
            Some(list) => list,
            // `scanType` is required of every covered resource, and no Config item has it.
            None if page.scan_type.is_some() => vec![piece],
            None => {
                return Err(not(format!(
                    "line {line} has neither coveredResources nor a covered resource (no scanType)"
                )))
            }
        };
        for (i, record) in records.into_iter().enumerate() {
            let source = format!("{path}:{line} coveredResources[{i}]");
            let value: Value = serde_json::from_str(record.get()).unwrap_or(Value::Null);
            take_record(&value, None, &source, &mut file.records, &mut file.warnings);
        }
    }
    Ok(file)
}

/// What tells a page from a record: a page holds `coveredResources`, a record has a
/// `scanType`. Anything else in it is read record by record.
#[derive(serde::Deserialize)]
struct Page<'a> {
    #[serde(rename = "coveredResources", borrow, default)]
    covered_resources: Option<Vec<&'a RawValue>>,
    #[serde(rename = "scanType", default)]
    scan_type: Option<serde::de::IgnoredAny>,
}

/// Every file's records, in the order given: what `report --scan-coverage` reads
/// before anything is written.
pub fn read_files(paths: &[std::path::PathBuf]) -> Result<super::CoverageSet, CoverageFileError> {
    let mut set = super::CoverageSet::default();
    for path in paths {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CoverageFileError::Read {
            path: name.clone(),
            message: e.to_string(),
        })?;
        let file = parse_file(&name, &text)?;
        set.records.extend(file.records);
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
        let r = CoveredResource::from_json(
            &json!({"accountId": "111111111111", "resourceId": "i-1",
                    "resourceType": "AWS_EC2_INSTANCE", "scanType": "PACKAGE",
                    "scanStatus": {"statusCode": "ACTIVE", "reason": "SUCCESSFUL"},
                    "lastScannedAt": "soon"}),
            Some("us-east-1"),
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
            &mut w,
        )
        .unwrap();
        assert_eq!(lambda.region.as_deref(), Some("us-gov-west-1"));
        let odd = CoveredResource::from_json(
            &json!({"accountId": "1", "resourceType": "CODE_REPOSITORY", "resourceId": "x", "scanType": "CODE"}),
            None,
            &mut w,
        )
        .unwrap();
        assert_eq!((odd.kind, odd.raw_type.as_str()), (None, "CODE_REPOSITORY"));
        assert_eq!(
            CoveredResource::from_json(&json!({"resourceId": "i"}), None, &mut w),
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
