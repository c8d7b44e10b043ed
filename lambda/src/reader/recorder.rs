//! What AWS Config says it sees in one account and region, as plain data, and the
//! coverage findings that follow from it (pure: the live reader fills [`Recorder`] from
//! `DescribeConfigurationRecorders` and `DescribeConfigurationRecorderStatus`).
//!
//! An empty answer from Config is only "nothing here" when Config is recording
//! everything the inventory reads. Otherwise the inventory is silently incomplete,
//! which a FedRAMP inventory must never be: each gap is a finding, named in the Run
//! Summary, the run result and the notification, and the run is partial.

/// One configuration recorder and its status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorder {
    pub name: String,
    /// From the status: whether it records now.
    pub recording: bool,
    /// The status's `lastStatus` (`Pending`, `Success`, `Failure`), when known.
    pub last_status: Option<String>,
    /// `lastErrorCode: lastErrorMessage`, when the status has them.
    pub last_error: Option<String>,
    /// The recording group records every supported type.
    pub all_supported: bool,
    /// Types it records by name (an inclusion list).
    pub included: Vec<String>,
    /// Types it records all but (an exclusion list).
    pub excluded: Vec<String>,
}

impl Recorder {
    /// Whether this recorder records `resource_type`.
    fn records(&self, resource_type: &str) -> bool {
        if !self.excluded.is_empty() {
            return !self.excluded.iter().any(|t| t == resource_type);
        }
        self.all_supported || self.included.iter().any(|t| t == resource_type)
    }
}

/// The findings for one account and region. `read_types` are the Config types the
/// inventory reads that a recording group can name (the Config API's enum).
pub fn findings(recorders: &[Recorder], read_types: &[&str]) -> Vec<String> {
    if recorders.is_empty() {
        return vec![
            "AWS Config has no configuration recorder here: nothing in this region is recorded, so its inventory is empty whatever it holds"
                .into(),
        ];
    }
    let mut found = Vec::new();
    for r in recorders {
        if !r.recording {
            found.push(format!(
                "the configuration recorder {} is not recording: changes since it stopped are not in the inventory",
                r.name
            ));
        }
        if r.last_status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("failure"))
        {
            found.push(format!(
                "the configuration recorder {}'s last status is Failure ({})",
                r.name,
                r.last_error.as_deref().unwrap_or("no error given")
            ));
        }
    }
    let recording: Vec<&Recorder> = recorders.iter().filter(|r| r.recording).collect();
    if recording.is_empty() {
        return found;
    }
    let missing: Vec<&str> = read_types
        .iter()
        .copied()
        .filter(|t| !recording.iter().any(|r| r.records(t)))
        .collect();
    if missing.len() == read_types.len() && !missing.is_empty() {
        found.push(
            "the recording group leaves out every type the inventory reads: nothing of them is recorded"
                .into(),
        );
    } else if !missing.is_empty() {
        found.push(format!(
            "the recording group leaves out {} of the types the inventory reads: {}",
            missing.len(),
            missing.join(", ")
        ));
    }
    found
}

/// One source of an aggregator and how its last update went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AggregatorSource {
    pub source_id: String,
    pub region: String,
    /// `SUCCEEDED`, `FAILED` or `OUTDATED`.
    pub status: String,
    pub last_error: Option<String>,
}

/// The aggregator's sources that failed or are out of date: what the aggregator holds of
/// them is not current.
pub fn source_findings(sources: &[AggregatorSource]) -> Vec<(String, String, String)> {
    sources
        .iter()
        .filter(|s| !s.status.eq_ignore_ascii_case("SUCCEEDED"))
        .map(|s| {
            let why = match &s.last_error {
                Some(e) => format!(" ({e})"),
                None => String::new(),
            };
            (
                s.source_id.clone(),
                s.region.clone(),
                format!(
                    "the aggregator's last update from this source is {}{why}: its items may be missing or out of date",
                    s.status
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording() -> Recorder {
        Recorder {
            name: "default".into(),
            recording: true,
            last_status: Some("Success".into()),
            all_supported: true,
            ..Recorder::default()
        }
    }

    const TYPES: [&str; 3] = [
        "AWS::EC2::Instance",
        "AWS::S3::Bucket",
        "AWS::RDS::DBInstance",
    ];

    #[test]
    fn a_recorder_recording_everything_has_no_finding() {
        assert!(findings(&[recording()], &TYPES).is_empty());
    }

    #[test]
    fn no_recorder_stopped_failed_and_partial_groups_are_named() {
        assert!(findings(&[], &TYPES)[0].contains("no configuration recorder"));
        let stopped = Recorder {
            recording: false,
            ..recording()
        };
        let f = findings(&[stopped], &TYPES);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].contains("default is not recording"), "{f:?}");
        let failed = Recorder {
            last_status: Some("Failure".into()),
            last_error: Some("AccessDenied: no access to the bucket".into()),
            ..recording()
        };
        let f = findings(&[failed], &TYPES);
        assert_eq!(
            f,
            ["the configuration recorder default's last status is Failure (AccessDenied: no access to the bucket)"]
        );
        let some = Recorder {
            all_supported: false,
            included: vec!["AWS::EC2::Instance".into()],
            ..recording()
        };
        assert_eq!(
            findings(&[some], &TYPES),
            ["the recording group leaves out 2 of the types the inventory reads: AWS::S3::Bucket, AWS::RDS::DBInstance"]
        );
        let none = Recorder {
            all_supported: false,
            ..recording()
        };
        assert!(findings(&[none], &TYPES)[0].contains("every type"));
        let excluding = Recorder {
            all_supported: false,
            excluded: vec!["AWS::S3::Bucket".into()],
            ..recording()
        };
        assert_eq!(
            findings(&[excluding], &TYPES),
            ["the recording group leaves out 1 of the types the inventory reads: AWS::S3::Bucket"]
        );
    }

    #[test]
    fn a_second_recorder_covers_what_the_first_leaves_out() {
        let first = Recorder {
            all_supported: false,
            included: vec!["AWS::EC2::Instance".into()],
            ..recording()
        };
        let second = Recorder {
            name: "service-linked".into(),
            all_supported: false,
            included: vec!["AWS::S3::Bucket".into(), "AWS::RDS::DBInstance".into()],
            ..recording()
        };
        assert!(findings(&[first, second], &TYPES).is_empty());
    }

    #[test]
    fn failed_and_outdated_sources_are_named() {
        let s = |id: &str, status: &str| AggregatorSource {
            source_id: id.into(),
            region: "us-east-1".into(),
            status: status.into(),
            last_error: None,
        };
        let f = source_findings(&[s("1", "SUCCEEDED"), s("2", "FAILED"), s("3", "OUTDATED")]);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].0, "2");
        assert!(f[1].2.contains("OUTDATED"), "{f:?}");
    }
}
