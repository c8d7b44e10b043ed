//! A run spread over AWS Step Functions when one function cannot read the organization
//! in time. The state machine (cloudformation/collector.yaml) invokes this function in
//! three steps, each named by the event's `step`:
//!
//! - `plan`: the targets, grouped into batches (an account's regions, or its aggregator
//!   shards, never split), written as the JSON manifest the Distributed Map reads;
//! - `read`: one batch, a Map child: its targets read as a run reads them (the same
//!   sessions, recorder and coverage checks), the pages kept raw in a batch file;
//! - `merge`: every batch file replayed through the kernel into one gatherer, then the
//!   single-function run's own stages (assemble, write, compare, deliver, notify).
//!
//! Working files sit under `<report prefix>/runs/<run>/`, `<run>` the execution's own
//! name, so an execution started twice for one schedule writes apart from the other.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use aws_config::SdkConfig;
use serde::{Deserialize, Serialize};

use super::batch_file::{self, BatchWriter, Damaged, Line};
use super::{
    begin, finish, gathered, gatherer, map_context, read_plan, run_error, targets, Accounts,
    CollectSettings, Destination, PerTarget, Read, RunOutcome,
};
use crate::aws::{caller, describe, Caller};
use crate::changes::ChangeReport;
use crate::deliver;
use crate::reader::config::{read_targets, Mapping, Sink, Target, TargetError};
use crate::reader::quota::Limits;
use crate::settings::Scope;

/// What the function is asked to do by the state machine. Any other event (the
/// schedule's) is a whole run in one function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "lowercase")]
pub enum Step {
    /// `machine`: the state machine's ARN (`$$.StateMachine.Id`), whose other running
    /// executions the plan looks for.
    Plan {
        run: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        machine: Option<String>,
    },
    /// Each item of the manifest is one, as it is.
    Read(BatchOrder),
    Merge {
        run: String,
    },
}

impl Step {
    /// The step an event asks for: `None` when it names none (the schedule's event).
    pub fn of(event: &serde_json::Value) -> Result<Option<Step>, String> {
        if event.get("step").is_none() {
            return Ok(None);
        }
        serde_json::from_value(event.clone())
            .map(Some)
            .map_err(|e| format!("not a fan-out step (plan, read or merge): {e}"))
    }
}

/// One batch of a run: the targets a child reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchOrder {
    pub run: String,
    pub batch: usize,
    pub targets: Vec<Target>,
}

/// The plan's answer, which the state machine's choice and Map read.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Planned {
    pub run: String,
    /// Whether the run fans out; when not (`auto` below its threshold), the state
    /// machine runs the function once, as the schedule does without fan-out.
    pub fan_out: bool,
    pub targets: usize,
    pub batches: usize,
    pub bucket: String,
    /// The manifest's key, when the run fans out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// A child's answer: what its batch file holds.
#[derive(Debug, PartialEq, Serialize)]
pub struct BatchDone {
    pub run: String,
    pub batch: usize,
    pub targets: usize,
    pub items: u64,
    /// Targets that failed (named again by the merge).
    pub errors: usize,
    pub key: String,
}

/// The most targets a batch holds whatever the setting: each is a manifest item, which
/// Step Functions passes to its child whole, 256 KiB at most; a target is about 110
/// bytes of JSON with a long account name.
pub const MOST_PER_BATCH: usize = 2_000;

/// Lambda's 15 minutes less the 90 seconds kept for writing: what a child reads in.
const CHILD_READ_SECONDS: f64 = 810.0;

/// Where a run's working files are.
struct WorkPlace {
    bucket: String,
    owner: String,
    prefix: String,
}

impl WorkPlace {
    fn of(settings: &CollectSettings, me: &Caller, run: &str) -> Result<Self, String> {
        check_run(run)?;
        match &settings.destination {
            Destination::S3 { bucket, prefix } => Ok(WorkPlace {
                bucket: bucket.clone(),
                owner: me.account.clone(),
                prefix: deliver::object_key(prefix, &format!("runs/{run}")),
            }),
            Destination::File { .. } => {
                Err("a fanned-out run works in the report bucket: set one".into())
            }
        }
    }

    fn manifest(&self) -> String {
        format!("{}/manifest.json", self.prefix)
    }

    fn batch(&self, batch: usize) -> String {
        format!("{}/batch-{batch:05}.read.jsonl.gz", self.prefix)
    }

    fn bucket(&self) -> deliver::Bucket<'_> {
        deliver::Bucket {
            name: &self.bucket,
            owner: &self.owner,
        }
    }

    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

/// A run's name goes into object keys: Step Functions' execution names (1 to 80
/// letters, digits, `-`, `_`, `.`, `:`) and nothing that could climb out of the prefix.
fn check_run(run: &str) -> Result<(), String> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':');
    if (1..=80).contains(&run.len()) && run.bytes().all(plain) && !run.starts_with('.') {
        Ok(())
    } else {
        Err(format!(
            "run {run:?}: expected 1 to 80 letters, digits, -, _, . or :"
        ))
    }
}

/// Targets in batches of at most `most`, in order: an account's regions (or its
/// aggregator shards) always in one batch, alone when they are more than `most`.
pub fn batches(targets: Vec<Target>, most: usize) -> Vec<Vec<Target>> {
    let mut groups: Vec<Vec<Target>> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for target in targets {
        let (owner, _) = target.account_region();
        match group_of.get(&owner) {
            Some(&i) => groups[i].push(target),
            None => {
                group_of.insert(owner, groups.len());
                groups.push(vec![target]);
            }
        }
    }
    let mut out: Vec<Vec<Target>> = Vec::new();
    for group in groups {
        match out.last_mut() {
            Some(batch) if batch.len() + group.len() <= most.max(1) => batch.extend(group),
            _ => out.push(group),
        }
    }
    out
}

/// The most targets a batch holds. An aggregator's children share its select rate, so
/// a batch holds no more shards than a child reads in its time at its share, each
/// shard one select at least (two with `scope: all`), and half of that again for the
/// shards of more than one page.
fn batch_size(settings: &CollectSettings) -> usize {
    let most = settings.fan_out.batch.clamp(1, MOST_PER_BATCH);
    if !matches!(settings.accounts, Accounts::Aggregator { .. }) {
        return most;
    }
    let share = settings
        .rates
        .shared_by(settings.fan_out.concurrency)
        .select;
    let per_shard = if settings.scope == Scope::All {
        2.0
    } else {
        1.0
    };
    most.min(((CHILD_READ_SECONDS * share / per_shard / 2.0) as usize).max(1))
}

async fn connect(settings: &CollectSettings) -> Result<(SdkConfig, Caller), String> {
    let base = settings.aws.load().await.map_err(|e| e.to_string())?;
    let me = caller(&base, settings.aws.profile.as_deref())
        .await
        .map_err(|e| format!("identity: {e}"))?;
    Ok((base, me))
}

/// Step `plan`: the targets, and the manifest of their batches when the run fans out.
/// Another execution of `machine` still running that started before this one stops
/// this one (an error, which the state machine's alarm reports), so two runs never
/// overlap: EventBridge's rule cannot name executions, so this is where one run at a
/// time holds once the function's reserved concurrency is the Map's.
pub async fn plan(
    settings: &CollectSettings,
    run: &str,
    machine: Option<&str>,
) -> Result<Planned, String> {
    let (base, me) = connect(settings).await?;
    let place = WorkPlace::of(settings, &me, run)?;
    if let Some(machine) = machine {
        let running = running_executions(&base, machine).await?;
        if let Some(earlier) = started_before(&running, run) {
            return Err(format!(
                "another run of {machine} is still running ({earlier}): this one stops, so that two runs never overlap"
            ));
        }
    }
    let limits = Limits::new(settings.rates);
    let targets = targets(settings, &base, &limits)
        .await
        .map_err(|e| format!("{}: {}", e.stage, e.message))?;
    let aggregator = matches!(settings.accounts, Accounts::Aggregator { .. });
    let mut planned = Planned {
        run: run.to_string(),
        fan_out: settings.fan_out.mode.fans_out(targets.len(), aggregator),
        targets: targets.len(),
        batches: 0,
        bucket: place.bucket.clone(),
        manifest: None,
    };
    if !planned.fan_out {
        return Ok(planned);
    }
    let orders: Vec<Step> = batches(targets, batch_size(settings))
        .into_iter()
        .enumerate()
        .map(|(batch, targets)| {
            Step::Read(BatchOrder {
                run: run.to_string(),
                batch,
                targets,
            })
        })
        .collect();
    planned.batches = orders.len();
    let text = serde_json::to_string(&orders).map_err(|e| e.to_string())?;
    let key = place.manifest();
    deliver::upload_text(&base, place.bucket(), &key, text, "application/json").await?;
    planned.manifest = Some(key);
    Ok(planned)
}

/// Step `read`: one batch read as a run reads its targets, kept in its batch file.
/// Targets that fail are in the file (the merge names them); `Err` only when the file
/// could not be written or delivered, which the merge then names for every target.
pub async fn read_batch(
    settings: &CollectSettings,
    order: &BatchOrder,
    deadline: Option<tokio::time::Instant>,
) -> Result<BatchDone, String> {
    let (base, me) = connect(settings).await?;
    let place = WorkPlace::of(settings, &me, &order.run)?;
    // An account sits in one batch, so its own rates hold as they are; an aggregator's
    // are shared by every child running at once.
    let rates = match settings.accounts {
        Accounts::Aggregator { .. } => settings.rates.shared_by(settings.fan_out.concurrency),
        _ => settings.rates,
    };
    let plan = read_plan(settings, &base, &me, Limits::new(rates), deadline);
    let dir = work_dir()?;
    let path = dir.join(format!("batch-{}.read.jsonl.gz", order.batch));
    let writer = Arc::new(BatchWriter::create(
        &path,
        &order.run,
        order.batch,
        order.targets.len(),
    )?);
    let sink: Arc<dyn Sink> = Arc::clone(&writer) as Arc<dyn Sink>;
    let (errors, findings) = read_targets(Arc::new(plan), &order.targets, sink).await;
    let key = place.batch(order.batch);
    let sent = match writer.finish(errors, findings) {
        Ok(written) => deliver::upload_file(&base, place.bucket(), &key, &path, "application/gzip")
            .await
            .map(|()| written),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&path);
    let written = sent?;
    Ok(BatchDone {
        run: order.run.clone(),
        batch: order.batch,
        targets: order.targets.len(),
        items: written.items,
        errors: written.errors,
        key,
    })
}

/// A running execution: when it started (seconds, nanoseconds) and its name.
type Running = ((i64, u32), String);

async fn running_executions(base: &SdkConfig, machine: &str) -> Result<Vec<Running>, String> {
    let client = aws_sdk_sfn::Client::new(base);
    let mut pages = client
        .list_executions()
        .state_machine_arn(machine)
        .status_filter(aws_sdk_sfn::types::ExecutionStatus::Running)
        .into_paginator()
        .send();
    let mut running = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| format!("states:ListExecutions {machine} failed: {}", describe(&e)))?;
        for e in page.executions() {
            let at = e.start_date();
            running.push(((at.secs(), at.subsec_nanos()), e.name().to_string()));
        }
    }
    Ok(running)
}

/// The earliest running execution that started before `run` (by start, then name), as
/// `NAME (started at S s)`. `run` itself not among them (not yet listed): none.
fn started_before(running: &[Running], run: &str) -> Option<String> {
    let mine = running.iter().find(|(_, name)| name == run)?;
    running
        .iter()
        .filter(|other| (&other.0, other.1.as_str()) < (&mine.0, run))
        .min()
        .map(|((secs, _), name)| format!("{name}, started at {secs} s since 1970"))
}

/// The run's folder for batch files, made if missing.
fn work_dir() -> Result<PathBuf, String> {
    let dir = super::work_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Step `merge`, after connecting: the manifest's batches replayed in order, one
/// gatherer for all; a batch whose file is missing or damaged has every target named
/// as failed (what was read before the damage is kept), so the run is `partial`, never
/// silently smaller.
pub(super) async fn merge_run(
    settings: &CollectSettings,
    base: &SdkConfig,
    run: &str,
) -> Result<(RunOutcome, Option<ChangeReport>), TargetError> {
    let (me, settings) = begin(settings, base).await?;
    let settings = settings.as_ref();
    let place = WorkPlace::of(settings, &me, run).map_err(|e| run_error("fan-out", e))?;
    let manifest = place.manifest();
    let orders = read_manifest(base, &place, &manifest, run)
        .await
        .map_err(|e| run_error("fan-out", e))?;
    let targets: Vec<Target> = orders.iter().flat_map(|o| o.targets.clone()).collect();
    let (sink, collector) = gatherer(
        map_context(settings, &targets),
        &targets,
        &settings.progress,
    );
    let dir = work_dir().map_err(|e| run_error("fan-out", e))?;
    let (mut errors, mut findings) = (Vec::new(), Vec::new());
    let mut offset = 0usize;
    for order in orders {
        let key = place.batch(order.batch);
        let local = dir.join(format!("batch-{}.read.jsonl.gz", order.batch));
        let replayed = match deliver::download(base, place.bucket(), &key, &local).await {
            Err(e) => Err(format!(
                "batch {} was not merged: its read is missing ({e})",
                order.batch
            )),
            Ok(()) => {
                let (sink, path) = (Arc::clone(&sink), local.clone());
                let shape = (order.run.clone(), order.batch, order.targets.len());
                let result = tokio::task::spawn_blocking(move || {
                    replay(&path, (shape.0.as_str(), shape.1, shape.2), offset, &sink)
                })
                .await
                .map_err(|e| run_error("internal", e.to_string()))?;
                let _ = std::fs::remove_file(&local);
                result.map_err(|Damaged(why)| {
                    format!(
                        "batch {} is damaged, {why}; the items before the damage are kept ({})",
                        order.batch,
                        place.uri(&key)
                    )
                })
            }
        };
        match replayed {
            Ok((e, f)) => {
                errors.extend(e);
                findings.extend(f);
            }
            Err(message) => errors.extend(order.targets.iter().enumerate().map(|(i, t)| {
                let (account, region) = t.account_region();
                let error = TargetError {
                    account,
                    region,
                    stage: "fan-out".into(),
                    message: message.clone(),
                };
                (offset + i, error)
            })),
        }
        offset += order.targets.len();
    }
    drop(sink);
    let gathered = gathered(collector)?;
    let read = Read {
        gathered,
        errors,
        findings,
    };
    finish(settings, base, &me, &targets, read).await
}

/// The manifest the plan wrote: the batches of this run, numbered in order.
async fn read_manifest(
    base: &SdkConfig,
    place: &WorkPlace,
    key: &str,
    run: &str,
) -> Result<Vec<BatchOrder>, String> {
    let uri = place.uri(key);
    let text = deliver::read_text(base, &place.bucket, key)
        .await
        .map_err(|e| format!("the run's manifest cannot be read: {e}"))?;
    let steps: Vec<Step> = serde_json::from_str(&text)
        .map_err(|e| format!("the run's manifest {uri} is damaged: {e}"))?;
    steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| match step {
            Step::Read(order) if order.run == run && order.batch == i => Ok(order),
            _ => Err(format!(
                "the run's manifest {uri} is damaged: item {i} is not batch {i} of run {run}"
            )),
        })
        .collect()
}

/// One batch file through the kernel: each page handed to the run's own sink, as its
/// read handed it on, its targets numbered after `offset`.
fn replay(
    path: &std::path::Path,
    shape: (&str, usize, usize),
    offset: usize,
    sink: &Mapping,
) -> Result<(PerTarget, PerTarget), Damaged> {
    let (errors, findings) = batch_file::read(path, shape, &mut |line| match line {
        Line::Page {
            target,
            no,
            chain,
            values,
        } => sink.page(offset + target, (no, &chain), values),
        Line::Scan { target, scan } => sink.scan(offset + target, scan),
        Line::Begin { .. } | Line::End { .. } => {}
    })?;
    let shift =
        |list: PerTarget| -> PerTarget { list.into_iter().map(|(i, e)| (offset + i, e)).collect() };
    Ok((shift(errors), shift(findings)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::config::{Account, AggregatorPart};

    fn account(id: &str, region: &str) -> Target {
        Target::Account {
            account: Account {
                id: id.into(),
                name: String::new(),
            },
            region: region.into(),
        }
    }

    #[test]
    fn batches_keep_an_account_whole_and_stay_in_order() {
        let mut targets = Vec::new();
        for a in 0..5 {
            for r in ["us-east-1", "us-west-2"] {
                targets.push(account(&format!("{a:012}"), r));
            }
        }
        // An account's region listed apart from the others still joins them.
        targets.push(account(&format!("{:012}", 1), "eu-west-1"));
        let split = batches(targets.clone(), 4);
        let sizes: Vec<usize> = split.iter().map(Vec::len).collect();
        assert_eq!(sizes, [2, 3, 4, 2], "{split:?}");
        assert_eq!(
            split.concat().len(),
            targets.len(),
            "no target lost or doubled"
        );
        for batch in &split {
            for t in batch {
                let owner = t.account_region().0;
                let holders = split
                    .iter()
                    .filter(|b| b.iter().any(|u| u.account_region().0 == owner))
                    .count();
                assert_eq!(holders, 1, "{owner} split across batches");
            }
        }
        // More regions than a batch holds: the account alone, never split.
        assert_eq!(batches(targets[..4].to_vec(), 1).len(), 2);
        let shards = vec![
            Target::Aggregator {
                name: "org".into(),
                part: AggregatorPart::Shard {
                    account: "1".into(),
                    region: "a".into(),
                },
            },
            Target::Aggregator {
                name: "org".into(),
                part: AggregatorPart::BatchTypes,
            },
        ];
        assert_eq!(batches(shards, 1).len(), 2);
    }

    #[test]
    fn steps_read_from_events_and_a_manifest_item_is_a_read_step() {
        assert_eq!(
            Step::of(&serde_json::json!({"source": "aws.events"})).unwrap(),
            None
        );
        assert_eq!(
            Step::of(&serde_json::json!({"step": "merge", "run": "r"})).unwrap(),
            Some(Step::Merge { run: "r".into() })
        );
        assert_eq!(
            Step::of(&serde_json::json!({"step": "plan", "run": "r", "machine": "arn:m"})).unwrap(),
            Some(Step::Plan {
                run: "r".into(),
                machine: Some("arn:m".into())
            })
        );
        assert!(Step::of(&serde_json::json!({"step": "merge"})).is_err());
        assert!(Step::of(&serde_json::json!({"step": "dance", "run": "r"})).is_err());
        let item = Step::Read(BatchOrder {
            run: "r".into(),
            batch: 3,
            targets: vec![account("111111111111", "us-east-1")],
        });
        let text = serde_json::to_value(&item).unwrap();
        assert_eq!(text["step"], "read");
        assert_eq!(text["targets"][0]["kind"], "account");
        assert_eq!(Step::of(&text).unwrap(), Some(item));
    }

    #[test]
    fn only_a_run_started_earlier_stops_this_one() {
        let running = |list: &[((i64, u32), &str)]| -> Vec<Running> {
            list.iter().map(|(at, n)| (*at, n.to_string())).collect()
        };
        let both = running(&[((100, 0), "b"), ((90, 5), "a")]);
        assert_eq!(
            started_before(&both, "b").as_deref(),
            Some("a, started at 90 s since 1970")
        );
        assert_eq!(started_before(&both, "a"), None, "the earlier one goes on");
        // The same instant: the name decides, so exactly one of the two goes on.
        let tie = running(&[((100, 0), "x"), ((100, 0), "y")]);
        assert!(started_before(&tie, "y").is_some() && started_before(&tie, "x").is_none());
        assert_eq!(started_before(&running(&[((1, 0), "z")]), "z"), None);
        assert_eq!(started_before(&both, "not-listed"), None);
    }

    #[test]
    fn run_names_are_execution_names_and_stay_in_their_prefix() {
        assert!(check_run("2026-12-01T00-00-00Z_3f2a").is_ok());
        assert!(check_run("a:b.c").is_ok());
        for bad in ["", "../x", "a/b", ".hidden", &"x".repeat(81), "a b"] {
            assert!(check_run(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_aggregators_batches_fit_a_childs_share_of_its_rate() {
        let mut settings = crate::function::settings_from_env(|k| {
            let v = match k {
                "ORGANIZATION_MODE" => "true",
                "REPORT_TARGET_BUCKET_NAME" => "reports",
                _ => return None,
            };
            Some(v.to_string())
        })
        .unwrap();
        settings.accounts = Accounts::Aggregator {
            name: "org".into(),
            sharded: true,
        };
        settings.fan_out.concurrency = 10;
        // 8 selects a second shared by 10: 0.8 each, 648 in 810 s, half kept: 324.
        assert_eq!(batch_size(&settings), 324);
        settings.scope = Scope::All;
        assert_eq!(batch_size(&settings), 162);
        settings.accounts = Accounts::Organization;
        assert_eq!(batch_size(&settings), settings.fan_out.batch);
        settings.fan_out.batch = 50_000;
        assert_eq!(batch_size(&settings), MOST_PER_BATCH);
    }
}
