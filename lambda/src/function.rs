//! The Lambda function: settings from the environment, one collection per invocation.
//!
//! Variable names keep the AWS sample's (`ACCOUNT_LIST`, `CROSS_ACCOUNT_ROLE_NAME`,
//! `REPORT_TARGET_BUCKET_NAME`, `REPORT_TARGET_BUCKET_PATH`) so an existing deployment
//! can switch over; wrong settings fail the invocation at once, naming the variable.

use crate::aws::AwsSettings;
use crate::collect::fanout::{self, Step};
use crate::collect::{
    collect, Accounts, CollectSettings, Destination, RunOutcome, RunStatus, DEFAULT_CONCURRENCY,
};
use crate::mapper::{SoftwareFilter, TagNames};
use crate::outputs::sdr::{S3Object, SdrSettings};
use crate::outputs::{Compression, Format, Formats, IpCell, Layout, OscalSettings, OutputSettings};
use crate::reader::config::Account;
use crate::settings::{
    split_list, FanOutSettings, Network, Rates, ScanPeriod, ScanSource, Scope, ServiceReads,
    DEFAULT_FAN_OUT_BATCH, DEFAULT_FAN_OUT_CONCURRENCY, DEFAULT_MEMBER_ROLE_NAME,
};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{variable}: {problem}")]
pub struct SettingsError {
    pub variable: &'static str,
    pub problem: String,
}

fn bad(variable: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError {
        variable,
        problem: problem.into(),
    }
}

/// Reads the settings through `get` (the environment, or a map in tests).
pub fn settings_from_env(
    get: impl Fn(&str) -> Option<String>,
) -> Result<CollectSettings, SettingsError> {
    let var = |name: &str| set(&get, name);
    let flag = |name: &'static str| -> Result<bool, SettingsError> {
        match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("false") | Some("0") | Some("no") => Ok(false),
            Some("true") | Some("1") | Some("yes") => Ok(true),
            Some(other) => Err(bad(
                name,
                format!("expected true or false, found {other:?}"),
            )),
        }
    };
    let organization = flag("ORGANIZATION_MODE")?;
    let aggregator = var("AGGREGATOR_NAME");
    let list = var("ACCOUNT_LIST");
    let accounts = match (list, organization, aggregator) {
        (Some(json), false, None) => {
            let list: Vec<Account> = serde_json::from_str(&json).map_err(|e| {
                bad(
                    "ACCOUNT_LIST",
                    format!("expected [{{\"name\": ..., \"id\": ...}}], {e}"),
                )
            })?;
            if let Some(a) = list
                .iter()
                .find(|a| a.id.len() != 12 || !a.id.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(bad(
                    "ACCOUNT_LIST",
                    format!("{:?} is not a 12-digit account id", a.id),
                ));
            }
            Accounts::List(list)
        }
        (None, true, None) => Accounts::Organization,
        (None, false, Some(name)) => Accounts::Aggregator {
            name,
            sharded: true,
        },
        (None, false, None) => {
            return Err(bad(
                "ACCOUNT_LIST",
                "set one of ACCOUNT_LIST, ORGANIZATION_MODE=true or AGGREGATOR_NAME",
            ))
        }
        _ => {
            return Err(bad(
                "ACCOUNT_LIST",
                "set only one of ACCOUNT_LIST, ORGANIZATION_MODE=true and AGGREGATOR_NAME",
            ))
        }
    };
    let bucket = var("REPORT_TARGET_BUCKET_NAME")
        .ok_or_else(|| bad("REPORT_TARGET_BUCKET_NAME", "required"))?;
    let layout: Layout = parsed(&var, "LAYOUT")?.unwrap_or_default();
    let ip_cell: IpCell = parsed(&var, "IP_CELL")?.unwrap_or_default();
    let compression: Compression = parsed(&var, "COMPRESSION")?.unwrap_or_default();
    let software: SoftwareFilter = parsed(&var, "SOFTWARE")?.unwrap_or_default();
    let rates: Rates = parsed(&var, "CONFIG_RATES")?.unwrap_or_default();
    let scan_coverage: ScanSource = parsed(&var, "SCAN_COVERAGE")?.unwrap_or_default();
    let scan_period: ScanPeriod = parsed(&var, "SCAN_PERIOD_DAYS")?.unwrap_or_default();
    let service_reads: ServiceReads = parsed(&var, "SERVICE_READS")?.unwrap_or_default();
    let network: Network = parsed(&var, "NETWORK")?.unwrap_or_default();
    let scope: Scope = parsed(&var, "SCOPE")?.unwrap_or_default();
    let sdr = SdrSettings {
        base: None,
        overview_uri: parsed(&var, "SDR_OVERVIEW_URI")?,
    };
    let sdr_base: Option<S3Object> = parsed(&var, "SDR_BASE")?;
    let sdr_configured = sdr_base.is_some() || sdr.overview_uri.is_some();
    let given = parsed::<Formats>(&var, "FORMATS")?;
    let mut not_written = Vec::new();
    if given.is_none() {
        not_written.extend(Formats::sdr_left_out(network, sdr_configured).map(String::from));
    }
    let formats = given.unwrap_or_else(|| Formats::scheduled(network, scope, sdr_configured));
    formats
        .check_network(network)
        .map_err(|e| bad("FORMATS", e))?;
    if formats.contains(Format::ScanCoverage) && scan_coverage != ScanSource::Inspector {
        return Err(bad(
            "FORMATS",
            "scan-coverage lists the gaps against Amazon Inspector: set SCAN_COVERAGE=inspector",
        ));
    }
    if formats.contains(Format::Sdr) && sdr_base.is_none() {
        sdr.check().map_err(|e| bad("SDR_OVERVIEW_URI", e))?;
    }
    let oscal = match var("OSCAL_SETTINGS") {
        None => OscalSettings::default(),
        Some(text) => {
            OscalSettings::from_yaml(&text).map_err(|e| bad("OSCAL_SETTINGS", e.to_string()))?
        }
    };
    let concurrency = positive(&var, "CONCURRENCY", DEFAULT_CONCURRENCY)?;
    let tag_names = match var("TAG_NAMES") {
        None => TagNames::default(),
        Some(text) => TagNames::from_yaml(&text).map_err(|e| bad("TAG_NAMES", e.to_string()))?,
    };
    let fan_out = FanOutSettings {
        mode: parsed(&var, "FAN_OUT")?.unwrap_or_default(),
        concurrency: positive(&var, "FAN_OUT_CONCURRENCY", DEFAULT_FAN_OUT_CONCURRENCY)?,
        batch: positive(&var, "FAN_OUT_BATCH", DEFAULT_FAN_OUT_BATCH)?,
    };
    let fips = match var("FIPS") {
        None => None,
        Some(_) => Some(flag("FIPS")?),
    };
    Ok(CollectSettings {
        aws: AwsSettings {
            fips,
            ..AwsSettings::default()
        },
        accounts,
        role_name: var("CROSS_ACCOUNT_ROLE_NAME")
            .unwrap_or_else(|| DEFAULT_MEMBER_ROLE_NAME.to_string()),
        external_id: var("EXTERNAL_ID"),
        regions: var("REGIONS").map(|r| split_list(&r)).unwrap_or_default(),
        concurrency,
        rates,
        outputs: OutputSettings {
            layout,
            ip_cell,
            compression,
            oscal,
            sdr,
            code_url: parsed(&var, "CODE_URL")?.unwrap_or_default(),
            ..OutputSettings::default()
        },
        formats,
        tag_names,
        software,
        destination: Destination::S3 {
            bucket,
            prefix: var("REPORT_TARGET_BUCKET_PATH").unwrap_or_default(),
        },
        topic_arn: var("NOTIFICATION_TOPIC_ARN"),
        progress: Default::default(),
        // Set per invocation from the function's own deadline (see `handle`).
        read_for: None,
        scan_coverage,
        scan_period,
        service_reads,
        network,
        scope,
        sdr_base,
        not_written,
        fan_out,
    })
}

/// A positive whole number, `default` when unset.
fn positive(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: usize,
) -> Result<usize, SettingsError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| bad(name, format!("expected a positive number, found {v:?}"))),
    }
}

/// Seconds kept free at the end of an invocation for writing, delivering and
/// notifying: `DEADLINE_MARGIN_SECONDS`, default 90.
pub fn deadline_margin(
    get: impl Fn(&str) -> Option<String>,
) -> Result<std::time::Duration, SettingsError> {
    match set(&get, "DEADLINE_MARGIN_SECONDS") {
        None => Ok(std::time::Duration::from_secs(90)),
        Some(v) => v
            .parse::<u64>()
            .map(std::time::Duration::from_secs)
            .map_err(|_| {
                bad(
                    "DEADLINE_MARGIN_SECONDS",
                    format!("expected whole seconds, found {v:?}"),
                )
            }),
    }
}

/// A variable's value, trimmed; `None` when unset or blank.
fn set(get: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    get(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A variable parsed by its setting's own parser; `None` when unset.
fn parsed<T: std::str::FromStr<Err = String>>(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<T>, SettingsError> {
    var(name)
        .map(|v| v.parse().map_err(|e: String| bad(name, e)))
        .transpose()
}

/// The largest run result answered whole: under the 256 KiB Step Functions passes
/// between states (the whole result is delivered beside the reports either way).
pub const MOST_ANSWER: usize = 200 * 1024;

/// Lambda's longest invocation, with a little slack.
const MAX_INVOCATION: std::time::Duration = std::time::Duration::from_secs(16 * 60);

/// How long to read of the `remaining` invocation time: all but the margin, and never
/// less than half (a short timeout must not leave no time to read at all).
pub fn reading_time(
    remaining: std::time::Duration,
    margin: std::time::Duration,
) -> std::time::Duration {
    remaining.saturating_sub(margin).max(remaining / 2)
}

/// A run that failed, as the invocation's error: the Lambda Errors metric and its
/// alarm see it.
#[derive(Debug, thiserror::Error)]
#[error("inventory run failed: {0}")]
pub struct RunFailed(pub String);

/// Why an invocation failed: its error, which the Lambda Errors metric and its alarm
/// see (and the state machine, for a fanned-out run's step).
#[derive(Debug, thiserror::Error)]
pub enum InvokeFailed {
    #[error(transparent)]
    Run(#[from] RunFailed),
    #[error("fan-out {step} failed: {message}")]
    Step { step: &'static str, message: String },
}

/// The invocation's error as Lambda reports it: a name a reader (and a state machine's
/// `Retry` or `Catch`) can match, not the Rust type's, and the message.
impl From<InvokeFailed> for lambda_runtime::Diagnostic {
    fn from(failed: InvokeFailed) -> Self {
        let error_type = match &failed {
            InvokeFailed::Run(_) => "RunFailed".to_string(),
            InvokeFailed::Step { step, .. } => format!("FanOut{}Failed", capitalized(step)),
        };
        lambda_runtime::Diagnostic {
            error_type,
            error_message: failed.to_string(),
        }
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// One invocation: a whole run for the schedule's event (its content is not needed),
/// or the step of a fanned-out run the state machine names. Reading stops `margin`
/// before `deadline` (the invocation's own), so what was read is still written and
/// delivered.
pub async fn invoke(
    settings: &CollectSettings,
    event: &serde_json::Value,
    deadline: Option<std::time::SystemTime>,
    margin: std::time::Duration,
) -> Result<serde_json::Value, InvokeFailed> {
    let step = |step: &'static str| move |message: String| InvokeFailed::Step { step, message };
    let settings = for_invocation(settings, deadline, margin);
    // Each step's future boxed: together they are too deep a type for one future.
    let answer = match Step::of(event).map_err(step("event"))? {
        None => to_json(Box::pin(run(&settings, None)).await?.fit(MOST_ANSWER)),
        Some(Step::Merge { run: name }) => to_json(
            Box::pin(run(&settings, Some(&name)))
                .await?
                .fit(MOST_ANSWER),
        ),
        Some(Step::Plan { run, machine }) => to_json(
            Box::pin(fanout::plan(&settings, &run, machine.as_deref()))
                .await
                .map_err(step("plan"))?,
        ),
        Some(Step::Read(order)) => {
            let deadline = settings.read_for.map(|d| tokio::time::Instant::now() + d);
            let done = Box::pin(fanout::read_batch(&settings, &order, deadline))
                .await
                .map_err(step("read"))?;
            tracing::info!(
                batch = done.batch,
                items = done.items,
                errors = done.errors,
                "batch read"
            );
            to_json(done)
        }
    };
    answer.map_err(step("answer"))
}

fn to_json(value: impl serde::Serialize) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// The settings for one invocation: reading until `margin` before its deadline, with
/// fresh counters (a warm function keeps its settings between runs).
fn for_invocation(
    settings: &CollectSettings,
    deadline: Option<std::time::SystemTime>,
    margin: std::time::Duration,
) -> CollectSettings {
    let mut settings = settings.clone();
    let remaining = deadline.and_then(|d| d.duration_since(std::time::SystemTime::now()).ok());
    settings.read_for = match remaining {
        // Lambda runs 15 minutes at most: anything else is not a real deadline (an
        // emulator's), and reading to it would read nothing.
        Some(r) if r > std::time::Duration::ZERO && r <= MAX_INVOCATION => {
            Some(reading_time(r, margin))
        }
        other => {
            tracing::warn!(remaining = ?other, "the invocation's deadline is not usable; reading without one");
            None
        }
    };
    settings.progress = Default::default();
    settings
}

/// A whole run, or a fanned-out run's merge (`merge`: the run's name). A failed run is
/// an error; partial and ok runs return their result.
async fn run(settings: &CollectSettings, merge: Option<&str>) -> Result<RunOutcome, RunFailed> {
    // A log line every 30 s: a long run shows how far it got, even if Lambda ends it.
    let progress = std::sync::Arc::clone(&settings.progress);
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
        every.tick().await;
        loop {
            every.tick().await;
            let now = progress.snapshot();
            tracing::info!(
                targets_done = now.targets_done,
                targets_total = now.targets_total,
                items = now.items,
                rows = now.rows,
                failures = now.failures,
                "progress"
            );
        }
    });
    let outcome = match merge {
        None => collect(settings).await,
        Some(run) => crate::collect::merge(settings, run).await,
    };
    ticker.abort();
    tracing::info!(status = ?outcome.status, rows = outcome.rows, errors = outcome.errors.len(), "inventory run finished");
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    // Its own line on stdout, which CloudWatch reads as metrics (the alarms watch them).
    println!("{}", metrics_line(&outcome, &function, now));
    if outcome.status == RunStatus::Failed {
        let reasons: Vec<String> = outcome
            .errors
            .iter()
            .take(10)
            .map(|e| format!("{} {} {}: {}", e.stage, e.account, e.region, e.message))
            .collect();
        return Err(RunFailed(reasons.join("; ")));
    }
    Ok(outcome)
}

/// The run as CloudWatch embedded-metric-format JSON: runs that succeeded (a report was
/// delivered: ok or partial), partial and failed runs, failed targets and rows.
pub fn metrics_line(outcome: &RunOutcome, function: &str, now_ms: u64) -> String {
    let count = |b: bool| u64::from(b);
    let metrics = [
        ("SuccessfulRuns", count(outcome.status != RunStatus::Failed)),
        ("PartialRuns", count(outcome.status == RunStatus::Partial)),
        ("FailedRuns", count(outcome.status == RunStatus::Failed)),
        ("FailedTargets", outcome.errors.len() as u64),
        ("Rows", outcome.rows),
    ];
    let mut line = serde_json::json!({
        "_aws": {
            "Timestamp": now_ms,
            "CloudWatchMetrics": [{
                "Namespace": "FedRAMPInventory",
                "Dimensions": [["FunctionName"]],
                "Metrics": metrics.iter().map(|(name, _)| serde_json::json!({"Name": name, "Unit": "Count"})).collect::<Vec<_>>(),
            }]
        },
        "FunctionName": function,
    });
    for (name, value) in metrics {
        line[name] = serde_json::json!(value);
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<CollectSettings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        settings_from_env(|k| map.get(k).cloned())
    }

    #[test]
    fn the_seed_variables_work() {
        let s = settings(&[
            (
                "ACCOUNT_LIST",
                r#"[{"name": "prod", "id": "111111111111"}]"#,
            ),
            ("CROSS_ACCOUNT_ROLE_NAME", "Collector"),
            ("REPORT_TARGET_BUCKET_NAME", "reports"),
            ("REPORT_TARGET_BUCKET_PATH", "inventory"),
            ("REGIONS", "us-gov-west-1, us-gov-east-1"),
        ])
        .unwrap();
        assert_eq!(
            s.accounts,
            Accounts::List(vec![Account {
                id: "111111111111".into(),
                name: "prod".into()
            }])
        );
        assert_eq!(s.role_name, "Collector");
        assert_eq!(s.regions, ["us-gov-west-1", "us-gov-east-1"]);
        assert_eq!(
            s.destination,
            Destination::S3 {
                bucket: "reports".into(),
                prefix: "inventory".into()
            }
        );
        assert_eq!(s.concurrency, DEFAULT_CONCURRENCY);
        assert_eq!(s.scan_coverage, ScanSource::None);
        let scans = settings(&[
            ("ORGANIZATION_MODE", "true"),
            ("REPORT_TARGET_BUCKET_NAME", "reports"),
            ("SCAN_COVERAGE", "inspector"),
            ("SCAN_PERIOD_DAYS", "3"),
            ("FORMATS", "xlsx,scan-coverage"),
            ("NETWORK", "off"),
        ])
        .unwrap();
        assert_eq!(scans.scan_coverage, ScanSource::Inspector);
        assert_eq!(scans.scan_period.days(), 3);
        assert_eq!((s.network, scans.network), (Network::On, Network::Off));
        // Not told: the workbook and the derivation document, and the ports, connections
        // and diagram while the network facts are read; the SDR left out, and said,
        // without its settings.
        assert_eq!(
            s.formats.to_string(),
            "xlsx,ports,connections,diagram,derivation"
        );
        assert_eq!(
            s.not_written,
            vec![crate::outputs::SDR_LEFT_OUT.to_string()]
        );
        let with_sdr = settings(&[
            ("ORGANIZATION_MODE", "true"),
            ("REPORT_TARGET_BUCKET_NAME", "reports"),
            ("SDR_OVERVIEW_URI", "https://example.gov/cpo.json"),
        ])
        .unwrap();
        assert_eq!(
            with_sdr.formats.to_string(),
            "xlsx,ports,sdr,connections,diagram,derivation"
        );
        assert!(with_sdr.not_written.is_empty());
        let off = settings(&[
            ("ORGANIZATION_MODE", "true"),
            ("REPORT_TARGET_BUCKET_NAME", "reports"),
            ("NETWORK", "off"),
        ])
        .unwrap();
        assert_eq!(off.formats.to_string(), "xlsx,derivation");
        assert!(off.not_written.is_empty());
        // Every information resource: its CSV too, by default.
        let all = settings(&[
            ("ORGANIZATION_MODE", "true"),
            ("REPORT_TARGET_BUCKET_NAME", "reports"),
            ("SCOPE", "all"),
        ])
        .unwrap();
        assert_eq!((s.scope, all.scope), (Scope::Boundary, Scope::All));
        assert_eq!(
            all.formats.to_string(),
            "xlsx,ports,connections,diagram,derivation,resources"
        );
    }

    #[test]
    fn a_partial_run_is_one_metric_line() {
        let outcome: RunOutcome = serde_json::from_value(serde_json::json!({
            "status": "partial", "report": null, "rows": 7, "per_account": [],
            "errors": [{"account": "1", "region": "r", "stage": "select", "message": "denied"}],
            "warnings": 0
        }))
        .unwrap();
        let line: serde_json::Value =
            serde_json::from_str(&metrics_line(&outcome, "collector", 5)).unwrap();
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "FedRAMPInventory"
        );
        assert_eq!(line["FunctionName"], "collector");
        assert_eq!(
            (
                &line["SuccessfulRuns"],
                &line["PartialRuns"],
                &line["FailedRuns"],
                &line["FailedTargets"],
                &line["Rows"]
            ),
            (
                &serde_json::json!(1),
                &serde_json::json!(1),
                &serde_json::json!(0),
                &serde_json::json!(1),
                &serde_json::json!(7)
            )
        );
        assert_eq!(deadline_margin(|_| None).unwrap().as_secs(), 90);
        let secs = std::time::Duration::from_secs;
        assert_eq!(reading_time(secs(900), secs(90)), secs(810));
        assert_eq!(
            reading_time(secs(60), secs(90)),
            secs(30),
            "half, not nothing"
        );
        assert!(deadline_margin(|_| Some("soon".into())).is_err());
    }

    #[test]
    fn a_run_result_too_large_to_pass_between_states_says_what_it_left_out() {
        let target = |i: usize| crate::collect::TargetResult {
            account: format!("{:012}", i),
            name: String::new(),
            region: "us-east-1".into(),
            items: 3,
            status: "ok".into(),
        };
        let error = |i: usize| crate::reader::config::TargetError {
            account: format!("{:012}", i),
            region: "us-east-1".into(),
            stage: "select".into(),
            message: "AccessDenied".into(),
        };
        let mut outcome: RunOutcome = serde_json::from_value(serde_json::json!({
            "status": "partial", "report": null, "rows": 7, "per_account": [], "errors": [],
            "warnings": 0,
            "artifacts": [{"format": "snapshot", "s3_uri": "s3://b/p/Inv-1.snapshot.jsonl.gz"}]
        }))
        .unwrap();
        outcome.per_account = (0..5000).map(target).collect();
        outcome.errors = (0..500).map(error).collect();
        let small = outcome.clone().fit(usize::MAX);
        assert_eq!(small, outcome, "within the limit: whole");
        let fitted = outcome.fit(MOST_ANSWER);
        assert!(serde_json::to_vec(&fitted).unwrap().len() <= MOST_ANSWER);
        assert!(fitted.per_account.is_empty());
        assert_eq!(fitted.errors.len(), 100);
        assert_eq!(fitted.rows, 7);
        let said = fitted.left_out.unwrap();
        assert!(said.contains("5000 per-target results"), "{said}");
        assert!(said.contains("first 100 of 500 errors"), "{said}");
        assert!(said.ends_with("s3://b/p/Inv-1.json"), "{said}");
    }

    #[test]
    fn a_failed_invocation_is_named_for_what_failed() {
        let run: lambda_runtime::Diagnostic = InvokeFailed::Run(RunFailed("x".into())).into();
        assert_eq!(run.error_type, "RunFailed");
        assert_eq!(run.error_message, "inventory run failed: x");
        let plan: lambda_runtime::Diagnostic = InvokeFailed::Step {
            step: "plan",
            message: "another run".into(),
        }
        .into();
        assert_eq!(plan.error_type, "FanOutPlanFailed");
        assert_eq!(plan.error_message, "fan-out plan failed: another run");
    }

    #[test]
    fn wrong_settings_name_the_variable() {
        let base = [("REPORT_TARGET_BUCKET_NAME", "b")];
        let err = |extra: &[(&str, &str)]| {
            let mut v = base.to_vec();
            v.extend_from_slice(extra);
            settings(&v).unwrap_err().variable
        };
        assert_eq!(err(&[("ACCOUNT_LIST", "not json")]), "ACCOUNT_LIST");
        assert_eq!(
            err(&[("ACCOUNT_LIST", r#"[{"id": "12"}]"#)]),
            "ACCOUNT_LIST"
        );
        assert_eq!(err(&[]), "ACCOUNT_LIST");
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("AGGREGATOR_NAME", "a")]),
            "ACCOUNT_LIST"
        );
        assert_eq!(err(&[("ORGANIZATION_MODE", "maybe")]), "ORGANIZATION_MODE");
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("NETWORK", "sometimes")]),
            "NETWORK"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("SCOPE", "everything")]),
            "SCOPE"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("LAYOUT", "rev4")]),
            "LAYOUT"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("CONCURRENCY", "0")]),
            "CONCURRENCY"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("TAG_NAMES", "bogus: x")]),
            "TAG_NAMES"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("FORMATS", "xlsx,pdf")]),
            "FORMATS"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("COMPRESSION", "max")]),
            "COMPRESSION"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("SCAN_COVERAGE", "qualys")]),
            "SCAN_COVERAGE"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("SCAN_PERIOD_DAYS", "0")]),
            "SCAN_PERIOD_DAYS"
        );
        assert_eq!(
            err(&[
                ("ORGANIZATION_MODE", "true"),
                ("FORMATS", "xlsx,scan-coverage")
            ]),
            "FORMATS",
            "the gaps need the coverage"
        );
        assert_eq!(
            err(&[
                ("ORGANIZATION_MODE", "true"),
                ("FORMATS", "xlsx,ports"),
                ("NETWORK", "off")
            ]),
            "FORMATS",
            "the ports need the network facts"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("FORMATS", "xlsx,sdr")]),
            "SDR_OVERVIEW_URI",
            "the SDR needs its overview's URI"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("SDR_OVERVIEW_URI", "cpo")]),
            "SDR_OVERVIEW_URI"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("SOFTWARE", "all,nginx*")]),
            "SOFTWARE"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("FIPS", "sometimes")]),
            "FIPS"
        );
        assert_eq!(
            err(&[("ORGANIZATION_MODE", "true"), ("OSCAL_SETTINGS", "name: x")]),
            "OSCAL_SETTINGS"
        );
        assert_eq!(
            settings(&[("ORGANIZATION_MODE", "true")])
                .unwrap_err()
                .variable,
            "REPORT_TARGET_BUCKET_NAME"
        );
    }
}
