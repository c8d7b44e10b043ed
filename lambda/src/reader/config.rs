//! Config items from AWS Config, live: every account and region concurrently, or the
//! organization's aggregator.
//!
//! Each account x region is a [`Target`]. An aggregator is split into shards, one per
//! account and region it holds (found by a `GROUP BY` query), plus one target for the
//! types read by batch get, so that a large organization is not one chain of 10,000
//! sequential pages; the shards give exactly the items of the unsharded query.
//! Targets are read concurrently up to a bound; each page of results goes to a [`Sink`]
//! as it arrives: mapped and handed to the collector ([`Mapping`]), so no target's raw
//! items are ever held whole, or kept as read for a fan-out's merge. A target that fails is
//! reported with the stage it failed at and never stops the others.

use std::sync::Arc;

use aws_config::SdkConfig;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::config_calls::{fetch_page, Calls};
use super::inspector::{self, RawScan};
use super::quota::{Api, Limits};
use super::services;
use crate::aws::{describe, in_region, RoleSessions};
use crate::json::Json;
use crate::kernel::{map_value, Batch, Origin, Outcome};
use crate::mapper::{
    batch_get_types, envelope_query, envelope_shard_query, select_query, shard_query, shards_query,
    types_to_list, MapContext,
};
use crate::network::NETWORK_TYPES;
use crate::progress::Progress;
use crate::reader::files::element;
use crate::settings::{Network, ScanSource, Scope, ServiceReads};

/// A member account: id and, when known, its name.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// One query to run: an account in a region, or (part of) the aggregator. Serialized
/// in a fan-out run's manifest, so each batch names exactly what it reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Account { account: Account, region: String },
    Aggregator { name: String, part: AggregatorPart },
}

/// Which of the aggregator's items one target reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregatorPart {
    /// Everything, as one page chain.
    Whole,
    /// The advanced query's types in one account and region.
    Shard { account: String, region: String },
    /// The types the advanced query does not return, read by batch get.
    BatchTypes,
}

impl Target {
    /// Account and region as results and errors name them; the aggregator's account
    /// is `aggregator NAME`, its region empty, except a shard's, which are its own.
    pub fn account_region(&self) -> (String, String) {
        match self {
            Target::Account { account, region } => (account.id.clone(), region.clone()),
            Target::Aggregator {
                part: AggregatorPart::Shard { account, region },
                ..
            } => (account.clone(), region.clone()),
            Target::Aggregator { name, .. } => (format!("aggregator {name}"), String::new()),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Target::Account { account, region } => format!("account {} / {region}", account.id),
            Target::Aggregator { name, part } => match part {
                AggregatorPart::Whole => format!("aggregator {name}"),
                AggregatorPart::Shard { account, region } => {
                    format!("aggregator {name}: account {account} / {region}")
                }
                AggregatorPart::BatchTypes => {
                    format!("aggregator {name}: types read by batch get")
                }
            },
        }
    }
}

/// Why a target gave no (or not all) items.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TargetError {
    pub account: String,
    pub region: String,
    /// `assume-role`, `select`, `timeout` or `list-accounts`.
    pub stage: String,
    pub message: String,
}

/// How to read: who we are, how to reach the member accounts, and how fast.
pub(crate) struct ReadPlan {
    pub base: SdkConfig,
    pub caller_account: String,
    pub partition: String,
    pub role_name: String,
    /// One assumed session per member account, shared by its regions.
    pub sessions: Arc<RoleSessions>,
    /// AWS's rates, per API and per account or aggregator.
    pub limits: Limits,
    pub concurrency: usize,
    /// Which network facts and which resources are read.
    pub network: Network,
    pub scope: Scope,
    /// When reading stops: targets not finished by then are reported as `timeout`,
    /// and what they gave so far is kept.
    pub deadline: Option<tokio::time::Instant>,
    pub progress: Arc<Progress>,
    /// Whether Amazon Inspector's coverage is read in each account and region.
    pub scan: ScanSource,
    /// Whether the types Config does not record are read from their own APIs.
    pub service_reads: ServiceReads,
}

impl ReadPlan {
    /// The identity to read `account` in `region` with: the caller's own, or the member
    /// role's (assumed once per account).
    async fn member_config(&self, account: &str, region: &str) -> Result<SdkConfig, String> {
        if account == self.caller_account {
            return Ok(in_region(&self.base, region));
        }
        let role = format!(
            "arn:{}:iam::{account}:role/{}",
            self.partition, self.role_name
        );
        self.sessions.config(&role, region).await
    }
}

/// Where each target's pages go as they are read: mapped for this run's gatherer
/// ([`Mapping`]), or kept as read for a merge elsewhere (a fan-out batch).
pub(crate) trait Sink: Send + Sync {
    /// One page of a chain: its number in the chain and what the chain reads (empty: the
    /// advanced query; `envelope`; a batch-get or service type), which name it in
    /// warnings. `values` are result texts (select) or items.
    fn page(&self, index: usize, page: (u64, &str), values: Vec<serde_json::Value>);
    /// Amazon Inspector's coverage in the target's account and region.
    fn scan(&self, index: usize, scan: RawScan);
}

/// Maps each page as it arrives and hands it to the gatherer: no target's raw items
/// are ever held whole.
pub(crate) struct Mapping {
    context: MapContext,
    seq: std::sync::atomic::AtomicU64,
    tx: std::sync::mpsc::SyncSender<Batch>,
}

impl Mapping {
    pub fn new(context: MapContext, tx: std::sync::mpsc::SyncSender<Batch>) -> Self {
        Mapping {
            context,
            seq: std::sync::atomic::AtomicU64::new(0),
            tx,
        }
    }

    fn send(&self, index: usize, items: Vec<Outcome>) {
        let seq = self.seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // The collector outlives the readers; a failed send means it is gone already.
        let _ = self.tx.send(Batch {
            seq,
            input: index,
            items,
        });
    }
}

impl Sink for Mapping {
    fn page(&self, index: usize, page: (u64, &str), values: Vec<serde_json::Value>) {
        if !values.is_empty() {
            self.send(index, map_page(&self.context, page, &values));
        }
    }

    fn scan(&self, index: usize, scan: RawScan) {
        self.send(
            index,
            vec![Outcome::Scanned(Box::new(inspector::scan_read(scan)))],
        );
    }
}

/// What one target read besides items: the coverage findings (Config off, not
/// recording, types left out, aggregator sources behind), each a `coverage` error.
type Findings = Vec<TargetError>;

/// Active accounts of the organization (the management account included).
pub async fn organization_accounts(base: &SdkConfig) -> Result<Vec<Account>, String> {
    let client = aws_sdk_organizations::Client::new(base);
    let mut pages = client.list_accounts().into_paginator().send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| format!("organizations:ListAccounts failed: {}", describe(&e)))?;
        for a in page.accounts() {
            let active = a
                .state()
                .map(|s| s.as_str() == "ACTIVE")
                .unwrap_or_else(|| {
                    #[allow(deprecated)]
                    a.status().is_some_and(|s| s.as_str() == "ACTIVE")
                });
            if let (true, Some(id)) = (active, a.id()) {
                accounts.push(Account {
                    id: id.to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                });
            }
        }
    }
    Ok(accounts)
}

/// Reads every target, handing its pages to `sink` (input index = target index).
/// Returns the errors and the coverage findings, per target.
pub(crate) async fn read_targets(
    plan: Arc<ReadPlan>,
    targets: &[Target],
    sink: Arc<dyn Sink>,
) -> (Vec<(usize, TargetError)>, Vec<(usize, TargetError)>) {
    plan.progress.set_targets(targets.len());
    let permits = Arc::new(Semaphore::new(plan.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, target) in targets.iter().cloned().enumerate() {
        let (plan, permits, sink) = (Arc::clone(&plan), Arc::clone(&permits), Arc::clone(&sink));
        tasks.spawn(async move {
            let read = async {
                let _permit = permits.acquire_owned().await;
                read_target(&plan, index, &target, sink.as_ref()).await
            };
            let result = match plan.deadline {
                None => read.await,
                Some(at) => tokio::time::timeout_at(at, read)
                    .await
                    .unwrap_or_else(|_| Err(target_error(&target, "timeout", "not finished by the run's deadline; the items read before it are in the inventory".into()))),
            };
            plan.progress.target_done(result.is_err());
            (index, result)
        });
    }
    drop(sink);
    let (mut errors, mut findings) = (Vec::new(), Vec::new());
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((index, Ok(found))) => findings.extend(found.into_iter().map(|f| (index, f))),
            Ok((index, Err(e))) => errors.push((index, e)),
            Err(e) => errors.push((
                usize::MAX,
                TargetError {
                    account: String::new(),
                    region: String::new(),
                    stage: "internal".into(),
                    message: e.to_string(),
                },
            )),
        }
    }
    errors.sort_by_key(|(i, _)| *i);
    findings.sort_by_key(|(i, _)| *i);
    (errors, findings)
}

/// What one target reads.
struct Reads {
    query: Option<String>,
    /// The envelope of every other type (`scope: all`).
    envelope: Option<String>,
    batch: bool,
    /// The types Config does not record, from their own APIs (member role).
    services: bool,
    /// The account's own recorders.
    recorder: bool,
    /// The aggregator's sources.
    sources: bool,
}

/// The types read as network facts besides the registry's, by the network setting.
fn network_types(network: Network) -> &'static [&'static str] {
    match network {
        Network::On => &NETWORK_TYPES,
        Network::Off => &[],
    }
}

fn reads_of(target: &Target, network: Network, scope: Scope) -> Reads {
    let also = network_types(network);
    let every = scope == Scope::All;
    let all = Reads {
        query: Some(select_query(also)),
        envelope: every.then(|| envelope_query(also)),
        batch: true,
        services: true,
        recorder: true,
        sources: false,
    };
    match target {
        Target::Account { .. } => all,
        Target::Aggregator { part, .. } => match part {
            AggregatorPart::Whole => Reads {
                services: false,
                recorder: false,
                sources: true,
                ..all
            },
            AggregatorPart::Shard { account, region } => Reads {
                query: Some(shard_query(account, region, also)),
                envelope: every.then(|| envelope_shard_query(account, region, also)),
                batch: false,
                recorder: false,
                ..all
            },
            AggregatorPart::BatchTypes => Reads {
                query: None,
                envelope: None,
                services: false,
                recorder: false,
                sources: true,
                ..all
            },
        },
    }
}

/// A client of its own retry partition: one target's throttling spends only its own
/// retries, never another account's (the SDK's default is one bucket per service and
/// region for the whole process).
fn config_client(config: &SdkConfig, label: &str) -> aws_sdk_config::Client {
    let conf = aws_sdk_config::config::Builder::from(config)
        .retry_partition(aws_sdk_config::config::retry::RetryPartition::new(
            label.to_string(),
        ))
        .build();
    aws_sdk_config::Client::from_conf(conf)
}

async fn read_target(
    plan: &ReadPlan,
    index: usize,
    target: &Target,
    sink: &dyn Sink,
) -> Result<Findings, TargetError> {
    let fail = |stage: &str, message: String| target_error(target, stage, message);
    let account_region = target.account_region();
    let reads = reads_of(target, plan.network, plan.scope);
    // The types Config does not record are read where this target reads them, unless
    // turned off; Inspector's coverage needs the member role there as well.
    let services_read = reads.services && plan.service_reads == ServiceReads::MemberRoles;
    let needs_role = services_read || (reads.services && plan.scan == ScanSource::Inspector);
    let label = target.label();
    // The account (or aggregator) whose rates the calls count against, and where the
    // types Config does not record are read.
    let (client, aggregator, scope, place) = match target {
        Target::Account { account, region } => {
            let config = plan
                .member_config(&account.id, region)
                .await
                .map_err(|m| fail("assume-role", m))?;
            let client = config_client(&config, &label);
            (
                client,
                None,
                account.id.clone(),
                Some((account.id.clone(), region.clone(), Ok(config))),
            )
        }
        Target::Aggregator { name, part } => {
            let client = config_client(&plan.base, &label);
            let place = match part {
                AggregatorPart::Shard { account, region } if needs_role => {
                    let config = plan.member_config(account, region).await;
                    Some((account.clone(), region.clone(), config))
                }
                _ => None,
            };
            (
                client,
                Some(name.as_str()),
                format!("aggregator {name}"),
                place,
            )
        }
    };
    let calls = Calls {
        client: &client,
        aggregator,
        select: plan.limits.of(&scope, Api::Select),
        batch: plan.limits.of(&scope, Api::BatchGet),
        describe: plan.limits.of(&scope, Api::Describe),
    };
    let calls = &calls;
    // The advanced query, each batch-get type and each service read are separate page
    // chains: read at once, a target takes one chain's time, not the sum.
    // The advanced query, and with `scope: all` the envelope query: each a page chain.
    let selects = [(&reads.query, ""), (&reads.envelope, "envelope")]
        .into_iter()
        .filter_map(|(query, label)| query.as_ref().map(|q| (q, label)))
        .map(|(query, label)| async move {
            let (mut token, mut page_no) = (None, 0u64);
            loop {
                let (results, next) = calls
                    .select_page(query, token.take())
                    .await
                    .map_err(|m| fail("select", m))?;
                page_no += 1;
                let values = results.into_iter().map(serde_json::Value::String).collect();
                sink.page(index, (page_no, label), values);
                match next {
                    Some(t) if !t.is_empty() => token = Some(t),
                    _ => return Ok::<(), TargetError>(()),
                }
            }
        });
    let select = async {
        futures_util::future::join_all(selects)
            .await
            .into_iter()
            .collect::<Result<Vec<()>, TargetError>>()
            .map(|_| ())
    };
    let batch_chain = |resource_type: String| async move {
        let (mut token, mut page_no) = (None, 0u64);
        loop {
            let (items, next) = calls
                .batch_page(&resource_type, token.take())
                .await
                .map_err(|m| fail("batch-get", m))?;
            page_no += 1;
            sink.page(index, (page_no, &resource_type), items);
            match next {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok::<(), TargetError>(()),
            }
        }
    };
    let batches = batch_get_types()
        .filter(|_| reads.batch)
        .map(|resource_type| batch_chain(resource_type.to_string()));
    // `scope: all`: the types Config has discovered here that neither the advanced
    // query nor the registry reads (AWS's schema of the query leaves out about a
    // hundred recorded types), each listed and batch-read like the batch-get types.
    let listed = async {
        if !(reads.batch && plan.scope == Scope::All) {
            return Ok(());
        }
        let discovered = calls
            .discovered_types()
            .await
            .map_err(|m| fail("discovered-counts", m))?;
        let kinds = types_to_list(discovered.iter().map(String::as_str));
        futures_util::future::join_all(kinds.into_iter().map(batch_chain))
            .await
            .into_iter()
            .collect::<Result<Vec<()>, TargetError>>()
            .map(|_| ())
    };
    // Types Config does not record: an account target fails if they cannot be read; in
    // an aggregator shard (read with the aggregator's identity) a member role that
    // cannot be assumed is a coverage finding, as the rest of the shard is read.
    let services = async {
        let Some((account, region, config)) = &place else {
            return Ok(Vec::new());
        };
        if !services_read {
            return Ok(Vec::new());
        }
        let config = match config {
            Ok(c) => c,
            Err(m) => {
                let kinds: Vec<&str> = services::service_reads().map(|(_, t)| t).collect();
                return Ok(vec![finding(account, region, format!(
                    "{} not read (AWS Config does not record them; their own APIs need the member role): {m}",
                    kinds.join(", ")
                ))]);
            }
        };
        let here = services::Place { account, region };
        for (read, resource_type) in services::service_reads() {
            let mut page_no = 0u64;
            let mut page = |items: Vec<serde_json::Value>| {
                page_no += 1;
                sink.page(index, (page_no, resource_type), items);
            };
            services::read(config, read, &here, &label, &mut page)
                .await
                .map_err(|m| fail("service-api", m))?;
        }
        Ok(Vec::new())
    };
    let recorder = async {
        match (&place, reads.recorder) {
            (Some((account, region, _)), true) => calls
                .recorder_findings()
                .await
                .map(|found| {
                    found
                        .into_iter()
                        .map(|f| finding(account, region, f))
                        .collect()
                })
                .map_err(|m| fail("recorder", m)),
            _ => Ok(Vec::new()),
        }
    };
    // Inspector's coverage, through the same member role; a place it cannot be read in
    // is a coverage finding (its instances are then not judged), never a failure.
    let scans = async {
        if plan.scan != ScanSource::Inspector {
            return Vec::new();
        }
        let Some((account, region, config)) = &place else {
            return match target {
                Target::Aggregator {
                    part: AggregatorPart::Whole,
                    ..
                } => vec![finding(&account_region.0, "", "Amazon Inspector coverage not read: the aggregator was read as one page chain, not per account and region".into())],
                _ => Vec::new(),
            };
        };
        let config = match config {
            Ok(c) => c,
            Err(m) => {
                return vec![finding(
                    account,
                    region,
                    format!("Amazon Inspector coverage not read (it needs the member role): {m}"),
                )]
            }
        };
        match inspector::read(config, account, region, &label).await {
            Ok(read) => {
                sink.scan(index, read);
                Vec::new()
            }
            Err(m) => vec![finding(
                account,
                region,
                format!("Amazon Inspector coverage not read: {m}"),
            )],
        }
    };
    let sources = async {
        if !reads.sources {
            return Ok(Vec::new());
        }
        calls
            .source_findings()
            .await
            .map(|found| {
                found
                    .into_iter()
                    .map(|(a, r, f)| finding(&a, &r, f))
                    .collect::<Vec<_>>()
            })
            .map_err(|m| fail("aggregator-sources", m))
    };
    let (selected, batched, discovered, serviced, recorded, sourced, scanned) = tokio::join!(
        select,
        futures_util::future::join_all(batches),
        listed,
        services,
        recorder,
        sources,
        scans
    );
    selected?;
    discovered?;
    batched
        .into_iter()
        .collect::<Result<Vec<()>, TargetError>>()?;
    let mut findings: Findings = serviced?;
    findings.extend(recorded?);
    findings.extend(sourced?);
    findings.extend(scanned);
    Ok(findings)
}

fn finding(account: &str, region: &str, message: String) -> TargetError {
    TargetError {
        account: account.to_string(),
        region: region.to_string(),
        stage: "coverage".into(),
        message,
    }
}

/// The aggregator's targets: one shard per account and region that holds items of the
/// advanced query's types, and one for the batch-get types. When the shards cannot be
/// found, the whole aggregator as one target (its read then reports what failed).
pub(crate) async fn aggregator_targets(
    base: &SdkConfig,
    name: &str,
    limits: &Limits,
    network: Network,
    scope: Scope,
) -> Vec<Target> {
    let target = |part| Target::Aggregator {
        name: name.to_string(),
        part,
    };
    match aggregator_shards(base, name, limits, network, scope).await {
        Ok(shards) => shards
            .into_iter()
            .map(|(account, region)| target(AggregatorPart::Shard { account, region }))
            .chain(std::iter::once(target(AggregatorPart::BatchTypes)))
            .collect(),
        Err(message) => {
            tracing::warn!(aggregator = name, %message, "reading the aggregator unsharded");
            vec![target(AggregatorPart::Whole)]
        }
    }
}

/// Every (account, region) the aggregator holds items of the advanced query's types in,
/// from Config's own `GROUP BY`; ids that could not be quoted safely into a query are
/// an error, so the caller falls back to the unsharded read.
async fn aggregator_shards(
    base: &SdkConfig,
    name: &str,
    limits: &Limits,
    network: Network,
    scope: Scope,
) -> Result<Vec<(String, String)>, String> {
    let rate = limits.of(&format!("aggregator {name}"), Api::Select);
    let client = aws_sdk_config::Client::new(base);
    let query = shards_query(network_types(network), scope == Scope::All);
    let (mut shards, mut token) = (Vec::new(), None);
    loop {
        rate.wait().await;
        let (results, next) = fetch_page(&client, Some(name), &query, token.take()).await?;
        for text in results {
            let group: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("a GROUP BY result is not JSON: {e}"))?;
            let field = |key: &str| {
                group
                    .get(key)
                    .and_then(serde_json::Value::as_str)
                    .filter(|v| is_plain_id(v))
                    .map(String::from)
                    .ok_or_else(|| format!("a GROUP BY result has no usable {key}: {text}"))
            };
            shards.push((field("accountId")?, field("awsRegion")?));
        }
        match next {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => break,
        }
    }
    shards.sort();
    shards.dedup();
    Ok(shards)
}

/// Account ids and region names: letters, digits and `-` only, so quoting them into a
/// query cannot change its meaning.
fn is_plain_id(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn target_error(target: &Target, stage: &str, message: String) -> TargetError {
    let (account, region) = target.account_region();
    TargetError {
        account,
        region,
        stage: stage.into(),
        message,
    }
}

/// One page's items mapped, each named by where it sits in the page (`page`: as
/// [`Sink::page`] gives it).
fn map_page(context: &MapContext, page: (u64, &str), values: &[serde_json::Value]) -> Vec<Outcome> {
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let origin = Origin {
                line: page.0,
                path: Some(match page.1 {
                    "" => format!("Results[{i}]"),
                    kind => format!("{kind} Results[{i}]"),
                }),
            };
            map_value(origin, element(Json::from(value)), context)
        })
        .collect()
}
