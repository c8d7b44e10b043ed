//! One live collection, in stages: connect -> targets -> read (AWS Config, through the
//! kernel) -> assemble the outcome (pure) -> write the outputs, comparing with the last
//! run's snapshot -> deliver (S3 or files) -> notify.
//!
//! Shared by the `collect` command and the Lambda function, so both behave alike. A
//! stage that fails ends the run there with the failure in the result; a target that
//! fails never stops the others.

use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod assemble;
mod batch_file;
pub mod fanout;
mod notify;

use crate::aws::{caller, AwsSettings, Caller, RoleSessions};
use crate::changes::{ChangeCounts, ChangeReport};
use crate::deliver::{self, Delivered};
use crate::inventory::Inventory;
use crate::kernel::{gather, Gathered, InputStatus};
use crate::mapper::{MapContext, SoftwareFilter, TagNames};
use crate::network::{NETWORK_TYPES, OFF_REASON};
use crate::outputs::sdr::{S3Object, SdrBase};
use crate::outputs::{self, Artifact, Format, Formats, OutputSettings, Report};
use crate::progress::{Progress, Stage};
use crate::reader::config::{
    aggregator_targets, organization_accounts, read_targets, Account, AggregatorPart, Mapping,
    ReadPlan, Target, TargetError,
};
use crate::reader::quota::{Limits, Rates};
use crate::reader::services;
use crate::scan::{ScanCounts, ScanWindow};
use crate::settings::{FanOutSettings, Network, ScanPeriod, ScanSource, Scope, ServiceReads};
use crate::summary::Summary;
pub use assemble::assemble;
use notify::notify;

/// Which accounts to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accounts {
    /// These accounts (the seed's `ACCOUNT_LIST`, or `--accounts`).
    List(Vec<Account>),
    /// Every active account of the organization (Organizations `ListAccounts`).
    Organization,
    /// This Config aggregator, for everything it aggregates: one shard per account and
    /// region it holds (`sharded`), or one page chain.
    Aggregator { name: String, sharded: bool },
}

/// Where the outputs go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Files named after this path's stem; `previous` is a snapshot to compare with.
    File {
        output: PathBuf,
        previous: Option<PathBuf>,
    },
    /// Uploaded under this prefix; the newest earlier snapshot there is compared with.
    S3 { bucket: String, prefix: String },
}

/// Everything a collection needs, from flags or from the Lambda's environment.
#[derive(Clone, Debug)]
pub struct CollectSettings {
    pub aws: AwsSettings,
    pub accounts: Accounts,
    pub role_name: String,
    pub external_id: Option<String>,
    /// Regions to read in each account; empty means the current region.
    pub regions: Vec<String>,
    pub concurrency: usize,
    /// AWS's request rates the reads keep to, per API and per account or aggregator.
    pub rates: Rates,
    pub outputs: OutputSettings,
    /// What is written besides the snapshot, which a collection always keeps.
    pub formats: Formats,
    pub tag_names: TagNames,
    /// Installed packages that get rows of their own.
    pub software: SoftwareFilter,
    pub destination: Destination,
    pub topic_arn: Option<String>,
    /// Stop reading this long after the run starts (the Lambda: its own deadline less
    /// a margin), and write and deliver what was read.
    pub read_for: Option<std::time::Duration>,
    /// Counters for whoever shows how far the run has got.
    pub progress: Arc<Progress>,
    /// Whether Amazon Inspector's coverage decides the scan columns.
    pub scan_coverage: ScanSource,
    /// Which scans count as the latest.
    pub scan_period: ScanPeriod,
    /// Whether the types AWS Config does not record are read (with the member roles).
    pub service_reads: ServiceReads,
    /// Whether the network facts are read.
    pub network: Network,
    /// Which resources are listed: the mapped types, or every type Config records.
    pub scope: Scope,
    /// The provider's Security Decision Record in S3 (the Lambda's `SDR_BASE`), read
    /// before anything else: the base of `sdr`, as `--sdr FILE` is on the command line.
    pub sdr_base: Option<S3Object>,
    /// What the run leaves out of its default formats, and why (said in the Run
    /// Summary and the result): the SDR without its settings.
    pub not_written: Vec<String>,
    /// Whether and how a scheduled run spreads over Step Functions (the Lambda's).
    pub fan_out: FanOutSettings,
}

/// Account x region reads at once. Each waits on AWS most of its time (AssumeRole, then
/// page after page): by `make bench-collect` with AWS's rates held, 8 at a time read
/// about 10 account-regions a second and 32 or 64 about 22-23, so 5,000 accounts x 4
/// regions take 14-15 minutes at 64, just past one Lambda run (docs/benchmarks.md's capacity
/// table). More waiting targets do not pass an account's rates: each has its own.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// How a run went: `ok` (exit 0), `partial` (exit 2), `failed` (exit 1).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Ok,
    Partial,
    Failed,
}

impl RunStatus {
    pub fn exit_code(self) -> i32 {
        match self {
            RunStatus::Ok => 0,
            RunStatus::Partial => 2,
            RunStatus::Failed => 1,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TargetResult {
    pub account: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub region: String,
    pub items: u64,
    pub status: String,
}

/// What the run did: returned by the Lambda, printed by `collect`, stored beside the
/// outputs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RunOutcome {
    pub status: RunStatus,
    /// The workbook, when one was written.
    pub report: Option<Delivered>,
    /// Every file of the run, the workbook included.
    #[serde(default)]
    pub artifacts: Vec<Delivered>,
    pub rows: u64,
    pub per_account: Vec<TargetResult>,
    pub errors: Vec<TargetError>,
    /// Problems with individual items (odd fields, bad JSON), all listed in the workbook's
    /// Run Summary sheet.
    pub warnings: usize,
    /// What changed since the last run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<ChangeCounts>,
    /// Amazon Inspector's coverage of the inventory, when it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_coverage: Option<ScanCounts>,
    /// Resource types left unread on purpose (a setting), with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_read: Vec<NotRead>,
    /// The ports, protocols and services and KSI-CNA-RNT's findings, when the network
    /// facts were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<crate::network::EvidenceCounts>,
    /// Outputs the default formats left out, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_written: Vec<String>,
    /// The information resources listed besides the rows, by Config type (`scope:
    /// all`; absent with `scope: boundary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<std::collections::BTreeMap<String, u64>>,
    /// What [`RunOutcome::fit`] left out of this answer, and where the whole is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out: Option<String>,
}

/// A resource type the run did not read, and why.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct NotRead {
    pub resource_type: String,
    pub reason: String,
}

impl RunOutcome {
    fn failed() -> Self {
        RunOutcome {
            status: RunStatus::Failed,
            report: None,
            artifacts: Vec::new(),
            rows: 0,
            per_account: Vec::new(),
            errors: Vec::new(),
            warnings: 0,
            changes: None,
            scan_coverage: None,
            not_read: Vec::new(),
            network: None,
            not_written: Vec::new(),
            resources: None,
            left_out: None,
        }
    }

    /// The answer within `most` bytes of JSON: Step Functions passes at most 256 KiB
    /// between states, and a large organization's per-target list and errors pass it.
    /// Past it, the per-target list is left out and the errors cut to the first
    /// hundred; `left_out` says so and names the whole result, which is always
    /// delivered beside the reports (`STEM.json`).
    pub fn fit(mut self, most: usize) -> Self {
        let size = serde_json::to_vec(&self).map_or(usize::MAX, |v| v.len());
        if size <= most {
            return self;
        }
        let (targets, errors) = (self.per_account.len(), self.errors.len());
        self.per_account.clear();
        self.errors.truncate(100);
        let whole = self
            .artifacts
            .iter()
            .find_map(|a| {
                let uri = a.s3_uri.as_deref().or(a.path.as_deref())?;
                let format = a.format?;
                uri.strip_suffix(&format!(".{}", format.extension()))
                    .map(|stem| format!("{stem}.json"))
            })
            .unwrap_or_else(|| "in the function's log".into());
        self.left_out = Some(format!(
            "this answer ({size} bytes whole) leaves out the {targets} per-target results and all but the first {} of {errors} errors; the whole result: {whole}",
            self.errors.len()
        ));
        self
    }

    fn fail(&mut self, stage: &str, message: impl Into<String>) {
        self.status = RunStatus::Failed;
        self.errors.push(run_error(stage, message));
    }
}

fn run_error(stage: &str, message: impl Into<String>) -> TargetError {
    TargetError {
        account: String::new(),
        region: String::new(),
        stage: stage.into(),
        message: message.into(),
    }
}

/// Runs a collection. Never panics on AWS answers; every failure ends up in `errors`.
pub async fn collect(settings: &CollectSettings) -> RunOutcome {
    let deadline = settings.read_for.map(|d| tokio::time::Instant::now() + d);
    run_with(settings, Work::Whole(deadline)).await
}

/// The last step of a fanned-out run: the batches its children read, merged into one
/// inventory and written, delivered and notified as [`collect`] does.
pub async fn merge(settings: &CollectSettings, run: &str) -> RunOutcome {
    run_with(settings, Work::Merge(run)).await
}

/// What a run reads: everything, until the deadline, or a fanned-out run's batches.
enum Work<'a> {
    Whole(Option<tokio::time::Instant>),
    Merge(&'a str),
}

async fn run_with(settings: &CollectSettings, work: Work<'_>) -> RunOutcome {
    let outcome = match settings.aws.load().await {
        Ok(base) => {
            let done = match work {
                Work::Whole(deadline) => run(settings, &base, deadline).await,
                Work::Merge(run) => fanout::merge_run(settings, &base, run).await,
            };
            let (outcome, changes) = match done {
                Ok(done) => done,
                Err(e) => {
                    let mut outcome = RunOutcome::failed();
                    outcome.errors.push(e);
                    (outcome, None)
                }
            };
            notify(settings, &base, outcome, changes.as_ref()).await
        }
        Err(e) => {
            let mut outcome = RunOutcome::failed();
            outcome.fail("configuration", e.to_string());
            outcome
        }
    };
    // Every failure is its own log line (JSON in the Lambda), not only a count.
    for e in &outcome.errors {
        tracing::error!(account = %e.account, region = %e.region, stage = %e.stage, message = %e.message, "inventory target failed");
    }
    outcome
}

/// The stages after connecting; an `Err` is a failure of the whole run.
async fn run(
    settings: &CollectSettings,
    base: &SdkConfig,
    deadline: Option<tokio::time::Instant>,
) -> Result<(RunOutcome, Option<ChangeReport>), TargetError> {
    let (me, settings) = begin(settings, base).await?;
    let settings = settings.as_ref();
    // AWS's rates hold from the first call: the aggregator's GROUP BY counts too.
    let limits = Limits::new(settings.rates);
    let targets = targets(settings, base, &limits).await?;
    let plan = read_plan(settings, base, &me, limits, deadline);
    let read = read(plan, map_context(settings, &targets), &targets).await?;
    finish(settings, base, &me, &targets, read).await
}

/// Stage: who the run is, and the provider's SDR, read before anything else: one that
/// cannot be read, or is not an SDR, stops the run before anything is read or written.
async fn begin<'a>(
    settings: &'a CollectSettings,
    base: &SdkConfig,
) -> Result<(Caller, std::borrow::Cow<'a, CollectSettings>), TargetError> {
    let me = caller(base, settings.aws.profile.as_deref())
        .await
        .map_err(|e| run_error("identity", e.to_string()))?;
    let Some(object) = &settings.sdr_base else {
        return Ok((me, std::borrow::Cow::Borrowed(settings)));
    };
    let text = crate::deliver::read_text(base, &object.bucket, &object.key)
        .await
        .map_err(|e| run_error("sdr-base", e))?;
    let sdr = SdrBase::from_text(object.to_string(), &text)
        .map_err(|e| run_error("sdr-base", format!("{object}: {e}")))?;
    let mut copy = settings.clone();
    copy.outputs.sdr.base = Some(sdr);
    Ok((me, std::borrow::Cow::Owned(copy)))
}

/// How the targets are read: as `me`, through the member roles, within `limits`.
fn read_plan(
    settings: &CollectSettings,
    base: &SdkConfig,
    me: &Caller,
    limits: Limits,
    deadline: Option<tokio::time::Instant>,
) -> ReadPlan {
    ReadPlan {
        base: base.clone(),
        caller_account: me.account.clone(),
        partition: me.partition.clone(),
        role_name: settings.role_name.clone(),
        sessions: Arc::new(RoleSessions::new(
            base,
            settings.external_id.clone(),
            "fedramp-inventory",
        )),
        limits,
        concurrency: settings.concurrency,
        network: settings.network,
        scope: settings.scope,
        deadline,
        progress: Arc::clone(&settings.progress),
        scan: settings.scan_coverage,
        service_reads: settings.service_reads,
    }
}

/// What the targets gave: the gathered items, and the errors and coverage findings per
/// target index.
struct Read {
    gathered: Gathered,
    errors: PerTarget,
    findings: PerTarget,
}

/// The stages after reading: assemble, write (comparing with the last run), deliver.
async fn finish(
    settings: &CollectSettings,
    base: &SdkConfig,
    me: &Caller,
    targets: &[Target],
    read: Read,
) -> Result<(RunOutcome, Option<ChangeReport>), TargetError> {
    let Read {
        mut gathered,
        errors,
        findings,
    } = read;
    gathered.network_evidence(settings.network, settings.formats.needs_network_facts());
    settings.progress.set_stage(Stage::Writing);
    let now = Utc::now();
    let window = (settings.scan_coverage == ScanSource::Inspector).then(|| ScanWindow {
        as_of: now,
        days: settings.scan_period.days(),
    });
    let (inventory, mut summary, mut outcome) =
        assemble(targets, gathered, errors, findings, now, window);
    summary.not_written.clone_from(&settings.not_written);
    summary.read_with = assemble::read_with(settings);
    summary.scope = settings.scope;
    if settings.scope == Scope::All {
        outcome.resources = Some(summary.resources.clone());
    }
    outcome.not_written.clone_from(&settings.not_written);
    let mut not_read: Vec<(&str, &str)> = Vec::new();
    if settings.service_reads == ServiceReads::Off {
        let reason = "not read: turned off (service-reads: off). AWS Config does not record this type; its own API is read only with the member roles (service-reads: member-roles)";
        not_read.extend(services::service_reads().map(|(_, t)| (t, reason)));
    }
    if settings.network == Network::Off {
        not_read.extend(NETWORK_TYPES.iter().map(|t| (*t, OFF_REASON)));
    }
    for (resource_type, reason) in not_read {
        summary
            .not_read
            .insert(resource_type.to_string(), reason.to_string());
        outcome.not_read.push(NotRead {
            resource_type: resource_type.to_string(),
            reason: reason.to_string(),
        });
    }
    if outcome.status == RunStatus::Failed {
        return Ok((outcome, None));
    }
    let (stem, keys) = staging(settings, summary.generated_at, &me.account);
    let written = write_outputs(settings, base, &stem, keys.as_ref(), &inventory, &summary).await;
    let (artifacts, changes) = match written {
        Ok(done) => done,
        Err(e) => {
            outcome.fail("write", e);
            return Ok((outcome, None));
        }
    };
    if let Some(c) = &changes {
        outcome.changes = Some(c.counts());
        if c.is_failure() {
            outcome.errors.push(run_error("compare", c.headline()));
            outcome.status = RunStatus::Partial;
        }
    }
    deliver(base, &artifacts, keys.as_ref(), &mut outcome).await;
    Ok((outcome, changes))
}

/// Stage: the account x region pairs (or the aggregator) to read.
async fn targets(
    settings: &CollectSettings,
    base: &SdkConfig,
    limits: &Limits,
) -> Result<Vec<Target>, TargetError> {
    let regions = if settings.regions.is_empty() {
        vec![base.region().map(|r| r.to_string()).unwrap_or_default()]
    } else {
        settings.regions.clone()
    };
    Ok(match &settings.accounts {
        Accounts::Aggregator {
            name,
            sharded: true,
        } => aggregator_targets(base, name, limits, settings.network, settings.scope).await,
        Accounts::Aggregator {
            name,
            sharded: false,
        } => vec![Target::Aggregator {
            name: name.clone(),
            part: AggregatorPart::Whole,
        }],
        Accounts::List(list) => expand(list, &regions),
        Accounts::Organization => {
            let list = organization_accounts(base)
                .await
                .map_err(|e| run_error("list-accounts", e))?;
            expand(&list, &regions)
        }
    })
}

fn expand(accounts: &[Account], regions: &[String]) -> Vec<Target> {
    accounts
        .iter()
        .flat_map(|a| {
            regions.iter().map(move |r| Target::Account {
                account: a.clone(),
                region: r.clone(),
            })
        })
        .collect()
}

fn map_context(settings: &CollectSettings, targets: &[Target]) -> MapContext {
    let mut context = MapContext {
        tag_names: settings.tag_names.clone(),
        software: settings.software.clone(),
        network: settings.network,
        scope: settings.scope,
        subnets: settings.formats.needs_network_facts(),
        ..MapContext::default()
    };
    for t in targets {
        if let Target::Account { account, .. } = t {
            if !account.name.is_empty() {
                context
                    .account_names
                    .insert(account.id.clone(), account.name.clone());
            }
        }
    }
    context
}

/// Errors (or coverage findings), each with the index of its target.
type PerTarget = Vec<(usize, TargetError)>;

/// Stage: every target read through the kernel; errors and coverage findings per
/// target index.
async fn read(
    plan: ReadPlan,
    context: MapContext,
    targets: &[Target],
) -> Result<Read, TargetError> {
    let (sink, collector) = gatherer(context, targets, &plan.progress);
    let (errors, findings) = read_targets(Arc::new(plan), targets, sink).await;
    let gathered = gathered(collector)?;
    Ok(Read {
        gathered,
        errors,
        findings,
    })
}

/// The gatherer on a thread of its own (input `i` is `targets[i]`), and the sink that
/// maps pages into it: a run's reads and a fan-out's merge feed it alike.
fn gatherer(
    context: MapContext,
    targets: &[Target],
    progress: &Arc<Progress>,
) -> (Arc<Mapping>, std::thread::JoinHandle<Gathered>) {
    let names: Vec<String> = targets.iter().map(Target::label).collect();
    let (tx, rx) = sync_channel(64);
    let progress = Arc::clone(progress);
    let collector = std::thread::spawn(move || gather(rx, names, &progress));
    (Arc::new(Mapping::new(context, tx)), collector)
}

/// What the gatherer built, once every clone of its sink is gone.
fn gathered(collector: std::thread::JoinHandle<Gathered>) -> Result<Gathered, TargetError> {
    collector
        .join()
        .map_err(|_| run_error("internal", "the collector thread panicked"))
}

/// This process's folder for the files a run writes before it delivers them.
fn work_dir() -> PathBuf {
    std::env::temp_dir().join(format!("fedramp-inventory-{}", std::process::id()))
}

/// Object keys of a run delivered to S3: its stem, and the prefix it is under.
struct Keys {
    bucket: String,
    /// The account that must own the bucket: the caller's own.
    owner: String,
    prefix: String,
    stem: String,
}

impl Keys {
    /// The object key of one format's file.
    fn key(&self, format: Format) -> String {
        format!("{}.{}", self.stem, format.extension())
    }

    fn bucket(&self) -> deliver::Bucket<'_> {
        deliver::Bucket {
            name: &self.bucket,
            owner: &self.owner,
        }
    }
}

/// Where the files are written first: the user's path, or a temporary folder.
fn staging(settings: &CollectSettings, at: DateTime<Utc>, owner: &str) -> (PathBuf, Option<Keys>) {
    match &settings.destination {
        Destination::File { output, .. } => (outputs::stem(output), None),
        Destination::S3 { bucket, prefix } => {
            let name = deliver::report_name(at);
            let dir = work_dir();
            (
                dir.join(&name),
                Some(Keys {
                    bucket: bucket.clone(),
                    owner: owner.to_string(),
                    prefix: prefix.clone(),
                    stem: deliver::object_key(prefix, &name),
                }),
            )
        }
    }
}

/// Stage: the snapshot, the comparison with the last run's, then every other format.
async fn write_outputs(
    settings: &CollectSettings,
    base: &SdkConfig,
    stem: &Path,
    keys: Option<&Keys>,
    inventory: &Inventory,
    summary: &Summary,
) -> Result<(Vec<Artifact>, Option<ChangeReport>), String> {
    if let Some(dir) = stem.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut report = Report {
        inventory,
        summary,
        changes: None,
        published_at: keys.map(|k| format!("s3://{}/{}", k.bucket, k.stem)),
    };
    let snapshot =
        outputs::write_snapshot(stem, &report, &settings.outputs).map_err(|e| e.to_string())?;
    let changes = compare(settings, base, keys, stem, &snapshot.path).await;
    report.changes = changes.as_ref();
    let mut artifacts = vec![snapshot];
    let rest = outputs::write_all_but_snapshot(
        stem,
        &settings.formats,
        &report,
        &settings.outputs,
        &artifacts,
    )
    .map_err(|e| e.to_string())?;
    artifacts.extend(rest);
    Ok((artifacts, changes))
}

/// The comparison with the previous snapshot: the newest earlier one in the bucket, or
/// the file given. `None` when there is nowhere to look.
async fn compare(
    settings: &CollectSettings,
    base: &SdkConfig,
    keys: Option<&Keys>,
    stem: &Path,
    current: &Path,
) -> Option<ChangeReport> {
    match (&settings.destination, keys) {
        (Destination::File { previous, .. }, _) => previous
            .as_ref()
            .map(|p| ChangeReport::compare(&p.display().to_string(), p, current)),
        (Destination::S3 { .. }, Some(keys)) => {
            let current_key = keys.key(Format::Snapshot);
            let found =
                deliver::previous_snapshot(base, keys.bucket(), &keys.prefix, &current_key).await;
            let key = match found {
                Ok(Some(key)) => key,
                Ok(None) => return Some(ChangeReport::first_run()),
                Err(e) => {
                    let place = format!("s3://{}/{}", keys.bucket, keys.prefix);
                    return Some(ChangeReport::failed(place, e));
                }
            };
            let name = format!("s3://{}/{key}", keys.bucket);
            let local = stem.with_file_name("previous.snapshot.jsonl.gz");
            let report = match deliver::download(base, keys.bucket(), &key, &local).await {
                Ok(()) => ChangeReport::compare(&name, &local, current),
                Err(e) => ChangeReport::failed(name, e),
            };
            let _ = std::fs::remove_file(&local);
            Some(report)
        }
        (Destination::S3 { .. }, None) => None,
    }
}

/// Stage: files stay where they were written, or go to S3 with the run result beside
/// them (the temporary copies are removed either way).
async fn deliver(
    base: &SdkConfig,
    artifacts: &[Artifact],
    keys: Option<&Keys>,
    outcome: &mut RunOutcome,
) {
    let Some(keys) = keys else {
        outcome.artifacts = artifacts
            .iter()
            .map(|a| Delivered {
                format: Some(a.format),
                path: Some(a.path.display().to_string()),
                content_type: Some(a.format.content_type().to_string()),
                ..Delivered::default()
            })
            .collect();
        outcome.report = workbook_of(&outcome.artifacts);
        return;
    };
    outcome.artifacts = artifacts
        .iter()
        .map(|a| deliver::s3_location(base, &keys.bucket, &keys.key(a.format), a.format))
        .collect();
    outcome.report = workbook_of(&outcome.artifacts);
    let mut failure = None;
    for a in artifacts {
        let sent = deliver::upload_file(
            base,
            keys.bucket(),
            &keys.key(a.format),
            &a.path,
            a.format.content_type(),
        )
        .await;
        if let (Err(e), None) = (sent, &failure) {
            failure = Some(e);
        }
    }
    if failure.is_none() {
        let json = serde_json::to_string_pretty(&outcome).unwrap_or_default();
        let sent = deliver::upload_text(
            base,
            keys.bucket(),
            &format!("{}.json", keys.stem),
            json,
            "application/json",
        )
        .await;
        failure = sent.err();
    }
    for a in artifacts {
        let _ = std::fs::remove_file(&a.path);
    }
    if let Some(dir) = artifacts.first().and_then(|a| a.path.parent()) {
        let _ = std::fs::remove_dir(dir);
    }
    if let Some(e) = failure {
        outcome.report = None;
        outcome.artifacts.clear();
        outcome.fail("deliver", e);
    }
}

/// The workbook among a run's files: the result's `report`.
fn workbook_of(artifacts: &[Delivered]) -> Option<Delivered> {
    artifacts
        .iter()
        .find(|a| a.format == Some(Format::Xlsx))
        .cloned()
}
