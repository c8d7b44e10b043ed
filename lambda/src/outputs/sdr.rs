//! The Security Decision Record (FedRAMP's 2026 rules, SDR-CSO-FRR): FedRAMP's JSON
//! schema (FedRAMP/schemas ae0dc43, `$schemaVersion` 1.0.0). This tool writes what it
//! derives, the `portsAndProtocols`, into the provider's own SDR when one is given, and
//! keeps everything else of it as it was; without one, a document of its own, which
//! needs the provider's Certification Package Overview URI (the schema requires it, and
//! a placeholder would be a false statement).

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::{json, Map, Value};

use super::{derivation, ksi};
use super::{Artifact, OutputError, Report, PORTS_NEED_NETWORK};

/// The provider's Certification Package Overview, where the SDR says it is: an absolute
/// URI (the schema's `format: uri`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverviewUri(String);

impl FromStr for OverviewUri {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if is_absolute_uri(s) {
            Ok(OverviewUri(s.to_string()))
        } else {
            Err(format!(
                "{s:?} is not an absolute URI (https://... where your Certification Package Overview is)"
            ))
        }
    }
}

/// RFC 3986's absolute URI, as far as a setting needs: a scheme, a colon, something
/// after it, no white space.
pub(crate) fn is_absolute_uri(s: &str) -> bool {
    s.split_once(':').is_some_and(|(scheme, rest)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !rest.is_empty()
            && !s.contains(char::is_whitespace)
    })
}

impl fmt::Display for OverviewUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::settings::deserialize_from_str!(OverviewUri);

/// Where the provider's SDR is kept for the Lambda: `s3://bucket/key`, read with the
/// collector's role before anything else (the Lambda's `SDR_BASE`, the deployer's
/// `sdr-base:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Object {
    pub bucket: String,
    pub key: String,
}

impl FromStr for S3Object {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parsed = s
            .trim()
            .strip_prefix("s3://")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(bucket, key)| !bucket.is_empty() && !key.is_empty() && !key.ends_with('/'));
        match parsed {
            Some((bucket, key)) => Ok(S3Object {
                bucket: bucket.to_string(),
                key: key.to_string(),
            }),
            None => Err(format!("{s:?} is not an S3 object's URI (s3://bucket/key)")),
        }
    }
}

impl fmt::Display for S3Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

crate::settings::deserialize_from_str!(S3Object);

/// The provider's own SDR, read and checked before anything is written.
#[derive(Clone, Debug, PartialEq)]
pub struct SdrBase {
    pub path: PathBuf,
    document: Map<String, Value>,
}

impl SdrBase {
    /// Reads `path`: a JSON object with the two members FedRAMP's schema requires.
    pub fn load(path: &Path) -> Result<SdrBase, String> {
        let fail = |why: String| format!("--sdr {}: {why}", path.display());
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        SdrBase::from_text(path.display().to_string(), &text).map_err(fail)
    }

    /// An SDR read from elsewhere (S3), named by `source` in what is said of it.
    pub fn from_text(source: String, text: &str) -> Result<SdrBase, String> {
        SdrBase::parse(text).map(|document| SdrBase {
            path: PathBuf::from(source),
            document,
        })
    }

    fn parse(text: &str) -> Result<Map<String, Value>, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
        let Value::Object(document) = value else {
            return Err("not a FedRAMP Security Decision Record: not a JSON object".into());
        };
        let not_sdr = |why: &str| format!("not a FedRAMP Security Decision Record: {why}");
        match document.get("certificationPackageOverviewUri") {
            Some(Value::String(uri)) => {
                uri.parse::<OverviewUri>()
                    .map_err(|e| not_sdr(&format!("certificationPackageOverviewUri: {e}")))?;
            }
            _ => return Err(not_sdr("no certificationPackageOverviewUri (a URI)")),
        }
        if !document
            .get("fedRampRequirements")
            .is_some_and(Value::is_array)
        {
            return Err(not_sdr("no fedRampRequirements (a list)"));
        }
        if document
            .get("portsAndProtocols")
            .is_some_and(|p| !p.is_array())
        {
            return Err(not_sdr("portsAndProtocols is not a list"));
        }
        Ok(document)
    }
}

/// Where the SDR starts from: the provider's own, or the overview's URI.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SdrSettings {
    pub base: Option<SdrBase>,
    pub overview_uri: Option<OverviewUri>,
}

/// Why no SDR can be written: it says which setting is missing.
pub const SDR_NEEDS_OVERVIEW: &str = "the Security Decision Record needs your Certification Package Overview's URI (FedRAMP's schema requires certificationPackageOverviewUri): give your SDR (--sdr FILE; SDR_BASE, sdr-base: in S3) or the URI (--sdr-overview-uri, SDR_OVERVIEW_URI, sdr-overview-uri:)";

impl SdrSettings {
    /// Refuses, before anything is read, an SDR that could not be written.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.base.is_none() && self.overview_uri.is_none() {
            return Err(SDR_NEEDS_OVERVIEW);
        }
        Ok(())
    }
}

/// Stands where the entries go while the rest of the document is made.
const MARKER: &str = "\u{1}ports-and-protocols\u{1}";

/// Writes the SDR to `path`: the base (or a document of its own) with
/// `portsAndProtocols` replaced by the run's entries, one per asset, port and transport,
/// and the KSI entries this tool states ([`ksi`]) with `others`, the run's files
/// written before it, as their evidence.
pub fn write(
    path: &Path,
    report: &Report,
    settings: &SdrSettings,
    others: &[Artifact],
    hashes: &mut derivation::Hashes,
) -> Result<(), OutputError> {
    let fail = |e: &dyn fmt::Display| OutputError::write(path, e);
    let evidence = report
        .summary
        .evidence
        .as_ref()
        .ok_or_else(|| fail(&PORTS_NEED_NETWORK))?;
    let mut document = match (&settings.base, &settings.overview_uri) {
        (Some(base), _) => base.document.clone(),
        (None, Some(uri)) => {
            let mut d = Map::new();
            d.insert("certificationPackageOverviewUri".into(), json!(uri.0));
            d.insert("fedRampRequirements".into(), json!([]));
            d
        }
        (None, None) => return Err(fail(&SDR_NEEDS_OVERVIEW)),
    };
    document.insert("portsAndProtocols".into(), json!(MARKER));
    let date = report.summary.generated_at.format("%Y-%m-%d").to_string();
    let mut indicators: Vec<Value> = match document.remove("keySecurityIndicators") {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    indicators.retain(|k| {
        !k["ksiId"]
            .as_str()
            .is_some_and(|id| ksi::OURS.contains(&id))
    });
    indicators.extend(ksi::entries(report, others, hashes, &date));
    let mut requirements: Vec<Value> = match document.remove("fedRampRequirements") {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    requirements.retain(|r| r["frrID"] != ksi::FRR_DETECTION);
    requirements.extend(ksi::requirements(report, &date));
    document.insert("fedRampRequirements".into(), Value::Array(requirements));
    document.insert("keySecurityIndicators".into(), Value::Array(indicators));
    let text = serde_json::to_string_pretty(&Value::Object(document)).map_err(|e| fail(&e))?;
    let marker = serde_json::to_string(MARKER).map_err(|e| fail(&e))?;
    let (before, after) = text
        .split_once(&marker)
        .ok_or_else(|| fail(&"the SDR's marker was not written"))?;
    let file = File::create(path).map_err(|e| fail(&e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let stream = |out: &mut BufWriter<File>| -> std::io::Result<()> {
        out.write_all(before.as_bytes())?;
        out.write_all(b"[")?;
        for (i, line) in evidence.lines(report.inventory).enumerate() {
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            let entry = json!({
                "serviceName": line.service,
                "portNumber": line.port,
                "transportProtocol": line.transport,
                "encryption": line.encryption,
                "purpose": line.purpose,
            });
            serde_json::to_writer(&mut *out, &entry)?;
        }
        out.write_all(b"\n]")?;
        out.write_all(after.as_bytes())?;
        out.write_all(b"\n")
    };
    stream(&mut out).map_err(|e| fail(&e))?;
    let file = out.into_inner().map_err(|e| fail(&e.into_error()))?;
    file.sync_all().map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overview_uri_is_absolute() {
        assert!("https://example.gov/cpo.json"
            .parse::<OverviewUri>()
            .is_ok());
        assert!("urn:fedramp:package:FR123".parse::<OverviewUri>().is_ok());
        for bad in [
            "",
            "cpo.json",
            "REPLACE-ME",
            "https://a b",
            "1http://x",
            "https:",
        ] {
            assert!(bad.parse::<OverviewUri>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_s3_object_has_a_bucket_and_a_key() {
        let o: S3Object = "s3://sdrs/fedramp/sdr.json".parse().unwrap();
        assert_eq!(
            (o.bucket.as_str(), o.key.as_str()),
            ("sdrs", "fedramp/sdr.json")
        );
        assert_eq!(o.to_string(), "s3://sdrs/fedramp/sdr.json");
        for bad in [
            "sdrs/sdr.json",
            "s3://sdrs",
            "s3://sdrs/",
            "s3:///k",
            "s3://b/dir/",
        ] {
            assert!(bad.parse::<S3Object>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_base_must_be_an_sdr() {
        let good = r#"{"certificationPackageOverviewUri": "https://x.gov/cpo", "fedRampRequirements": [], "securityControls": [{"id": "x"}]}"#;
        assert!(SdrBase::parse(good).is_ok());
        for (bad, why) in [
            ("[]", "not a JSON object"),
            ("{", "not JSON"),
            (
                r#"{"fedRampRequirements": []}"#,
                "no certificationPackageOverviewUri",
            ),
            (
                r#"{"certificationPackageOverviewUri": "cpo", "fedRampRequirements": []}"#,
                "not an absolute URI",
            ),
            (
                r#"{"certificationPackageOverviewUri": "https://x.gov/cpo"}"#,
                "no fedRampRequirements",
            ),
            (
                r#"{"certificationPackageOverviewUri": "https://x.gov/cpo", "fedRampRequirements": [], "portsAndProtocols": {}}"#,
                "portsAndProtocols is not a list",
            ),
        ] {
            let e = SdrBase::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn nothing_to_start_from_is_refused() {
        assert_eq!(SdrSettings::default().check(), Err(SDR_NEEDS_OVERVIEW));
        let uri = SdrSettings {
            overview_uri: Some("https://x.gov/cpo".parse().unwrap()),
            ..SdrSettings::default()
        };
        assert!(uri.check().is_ok());
    }
}
