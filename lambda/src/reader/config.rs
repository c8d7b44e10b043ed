//! Config items from AWS Config, live: every account and region concurrently, or the
//! organization's aggregator.
//!
//! Each account x region is a [`Target`]. An aggregator is split into shards, one per
//! account and region it holds (found by a `GROUP BY` query), plus one target for the
//! types read by batch get, so that a large organization is not one chain of 10,000
//! sequential pages; the shards give exactly the items of the unsharded query.
//! Targets are read concurrently up to a bound;
//! each page of results is parsed and mapped as it arrives and handed to the
//! collector, so no target's raw items are ever held whole. A target that fails is
//! reported with the stage it failed at and never stops the others.

use std::sync::Arc;

use aws_config::SdkConfig;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::aws::{assume_role, describe, in_region};
use crate::json::Json;
use crate::kernel::{map_value, Batch, Origin, Outcome};
use crate::mapper::{batch_get_types, select_query, shard_query, shards_query, MapContext};
use crate::progress::Progress;
use crate::reader::files::element;

/// A member account: id and, when known, its name.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// One query to run: an account in a region, or (part of) the aggregator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Account { account: Account, region: String },
    Aggregator { name: String, part: AggregatorPart },
}

/// Which of the aggregator's items one target reads.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// How to read: who we are and how to reach the member accounts.
pub(crate) struct ReadPlan {
    pub base: SdkConfig,
    pub caller_account: String,
    pub partition: String,
    pub role_name: String,
    pub external_id: Option<String>,
    pub concurrency: usize,
    pub context: MapContext,
    /// When reading stops: targets not finished by then are reported as `timeout`,
    /// and what they gave so far is kept.
    pub deadline: Option<tokio::time::Instant>,
    pub progress: Arc<Progress>,
}

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

/// Reads every target, sending mapped batches to `tx` (input index = target index).
/// Returns the errors, per target.
pub(crate) async fn read_targets(
    plan: Arc<ReadPlan>,
    targets: &[Target],
    tx: std::sync::mpsc::SyncSender<Batch>,
) -> Vec<(usize, TargetError)> {
    plan.progress.set_targets(targets.len());
    let permits = Arc::new(Semaphore::new(plan.concurrency.max(1)));
    let seq = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, target) in targets.iter().cloned().enumerate() {
        let (plan, permits, seq, tx) = (
            Arc::clone(&plan),
            Arc::clone(&permits),
            Arc::clone(&seq),
            tx.clone(),
        );
        tasks.spawn(async move {
            let read = async {
                let _permit = permits.acquire_owned().await;
                read_target(&plan, index, &target, &seq, &tx).await
            };
            let result = match plan.deadline {
                None => read.await,
                Some(at) => tokio::time::timeout_at(at, read)
                    .await
                    .unwrap_or_else(|_| Err(target_error(&target, "timeout", "not finished by the run's deadline; the items read before it are in the inventory".into()))),
            };
            plan.progress.target_done(result.is_err());
            result.err().map(|e| (index, e))
        });
    }
    drop(tx);
    let mut errors = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Some(e)) => errors.push(e),
            Ok(None) => {}
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
    errors
}

async fn read_target(
    plan: &ReadPlan,
    index: usize,
    target: &Target,
    seq: &std::sync::atomic::AtomicU64,
    tx: &std::sync::mpsc::SyncSender<Batch>,
) -> Result<(), TargetError> {
    let fail = |stage: &str, message: String| target_error(target, stage, message);
    let (mut query, mut batch) = (Some(select_query()), true);
    if let Target::Aggregator { part, .. } = target {
        match part {
            AggregatorPart::Whole => {}
            AggregatorPart::Shard { account, region } => {
                query = Some(shard_query(account, region));
                batch = false;
            }
            AggregatorPart::BatchTypes => query = None,
        }
    }
    let (client, aggregator) = match target {
        Target::Account { account, region } => {
            let config = if account.id == plan.caller_account {
                in_region(&plan.base, region)
            } else {
                let role = format!(
                    "arn:{}:iam::{}:role/{}",
                    plan.partition, account.id, plan.role_name
                );
                assume_role(
                    &plan.base,
                    &role,
                    plan.external_id.as_deref(),
                    region,
                    "fedramp-inventory",
                )
                .await
                .map_err(|m| fail("assume-role", m))?
            };
            (aws_sdk_config::Client::new(&config), None)
        }
        Target::Aggregator { name, .. } => {
            (aws_sdk_config::Client::new(&plan.base), Some(name.as_str()))
        }
    };
    // The advanced query and each batch-get type are separate page chains: read at
    // once, a target takes one chain's time, not the sum of five.
    let client = &client;
    let select = async {
        let Some(query) = &query else {
            return Ok(());
        };
        let (mut token, mut page_no) = (None, 0u64);
        loop {
            let (results, next) = fetch_page(client, aggregator, query, token.take())
                .await
                .map_err(|m| fail("select", m))?;
            page_no += 1;
            let values = results.into_iter().map(serde_json::Value::String).collect();
            send_page(plan, index, (page_no, ""), values, seq, tx);
            match next {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(()),
            }
        }
    };
    let batches = batch_get_types()
        .filter(|_| batch)
        .map(|resource_type| async move {
            let (mut token, mut page_no) = (None, 0u64);
            loop {
                let (items, next) = batch_page(client, aggregator, resource_type, token.take())
                    .await
                    .map_err(|m| fail("batch-get", m))?;
                page_no += 1;
                send_page(plan, index, (page_no, resource_type), items, seq, tx);
                match next {
                    Some(t) if !t.is_empty() => token = Some(t),
                    _ => return Ok::<(), TargetError>(()),
                }
            }
        });
    let (selected, batched) = tokio::join!(select, futures_util::future::join_all(batches));
    selected?;
    batched
        .into_iter()
        .collect::<Result<Vec<()>, TargetError>>()?;
    Ok(())
}

/// One page of a type the advanced query does not return: its resource ids listed
/// (at most 100), then their items fetched in one batch, in select shape.
async fn batch_page(
    client: &aws_sdk_config::Client,
    aggregator: Option<&str>,
    resource_type: &str,
    token: Option<String>,
) -> Result<(Vec<serde_json::Value>, Option<String>), String> {
    use aws_sdk_config::types::{AggregateResourceIdentifier, ResourceKey, ResourceType};
    let kind = ResourceType::from(resource_type);
    let (items, next) = match aggregator {
        None => {
            let page = client
                .list_discovered_resources()
                .resource_type(kind.clone())
                .limit(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| format!("config:ListDiscoveredResources failed: {}", describe(&e)))?;
            let keys: Vec<ResourceKey> = page
                .resource_identifiers()
                .iter()
                .filter_map(|r| {
                    ResourceKey::builder()
                        .resource_type(kind.clone())
                        .resource_id(r.resource_id()?)
                        .build()
                        .ok()
                })
                .collect();
            let next = page.next_token().map(String::from);
            if keys.is_empty() {
                return Ok((Vec::new(), next));
            }
            let out = client
                .batch_get_resource_config()
                .set_resource_keys(Some(keys))
                .send()
                .await
                .map_err(|e| format!("config:BatchGetResourceConfig failed: {}", describe(&e)))?;
            if !out.unprocessed_resource_keys().is_empty() {
                return Err(format!(
                    "config:BatchGetResourceConfig left {} {resource_type} items unprocessed",
                    out.unprocessed_resource_keys().len()
                ));
            }
            (out.base_configuration_items().to_vec(), next)
        }
        Some(name) => {
            let page = client
                .list_aggregate_discovered_resources()
                .configuration_aggregator_name(name)
                .resource_type(kind.clone())
                .limit(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "config:ListAggregateDiscoveredResources failed: {}",
                        describe(&e)
                    )
                })?;
            let ids: Vec<AggregateResourceIdentifier> = page.resource_identifiers().to_vec();
            let next = page.next_token().map(String::from);
            if ids.is_empty() {
                return Ok((Vec::new(), next));
            }
            let out = client
                .batch_get_aggregate_resource_config()
                .configuration_aggregator_name(name)
                .set_resource_identifiers(Some(ids))
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "config:BatchGetAggregateResourceConfig failed: {}",
                        describe(&e)
                    )
                })?;
            if !out.unprocessed_resource_identifiers().is_empty() {
                return Err(format!(
                    "config:BatchGetAggregateResourceConfig left {} {resource_type} items unprocessed",
                    out.unprocessed_resource_identifiers().len()
                ));
            }
            (out.base_configuration_items().to_vec(), next)
        }
    };
    Ok((items.iter().map(base_item_json).collect(), next))
}

/// A batch-get item in the select shape the kernel reads. Batch get returns no tags;
/// types recorded through CloudFormation keep theirs in the configuration (`Tags`).
fn base_item_json(item: &aws_sdk_config::types::BaseConfigurationItem) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let configuration: Value = item
        .configuration()
        .map(|c| serde_json::from_str(c).unwrap_or_else(|_| Value::String(c.to_string())))
        .unwrap_or(Value::Null);
    let mut tags = Map::new();
    let recorded = configuration
        .get("Tags")
        .or_else(|| configuration.get("tags"))
        .or_else(|| configuration.get("tagList"));
    match recorded {
        Some(Value::Array(list)) => {
            for t in list {
                let key = t
                    .get("Key")
                    .or_else(|| t.get("key"))
                    .and_then(Value::as_str);
                let value = t.get("Value").or_else(|| t.get("value")).cloned();
                if let Some(key) = key {
                    tags.insert(key.to_string(), value.unwrap_or(Value::Null));
                }
            }
        }
        Some(Value::Object(map)) => tags = map.clone(),
        _ => {}
    }
    let supplementary: Map<String, Value> = item
        .supplementary_configuration()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "resourceId": item.resource_id(),
        "resourceType": item.resource_type().map(|t| t.as_str().to_string()),
        "resourceName": item.resource_name(),
        "arn": item.arn(),
        "accountId": item.account_id(),
        "awsRegion": item.aws_region(),
        "availabilityZone": item.availability_zone(),
        "configuration": configuration,
        "supplementaryConfiguration": supplementary,
        "tags": tags,
    })
}

/// The aggregator's targets: one shard per account and region that holds items of the
/// advanced query's types, and one for the batch-get types. When the shards cannot be
/// found, the whole aggregator as one target (its read then reports what failed).
pub async fn aggregator_targets(base: &SdkConfig, name: &str) -> Vec<Target> {
    let target = |part| Target::Aggregator {
        name: name.to_string(),
        part,
    };
    match aggregator_shards(base, name).await {
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
async fn aggregator_shards(base: &SdkConfig, name: &str) -> Result<Vec<(String, String)>, String> {
    let client = aws_sdk_config::Client::new(base);
    let query = shards_query();
    let (mut shards, mut token) = (Vec::new(), None);
    loop {
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

/// One page of results (at most 100, Config's page size) and the token for the next,
/// from the account's own Config or from the aggregator.
async fn fetch_page(
    client: &aws_sdk_config::Client,
    aggregator: Option<&str>,
    query: &str,
    token: Option<String>,
) -> Result<(Vec<String>, Option<String>), String> {
    match aggregator {
        None => client
            .select_resource_config()
            .expression(query)
            .limit(100)
            .set_next_token(token)
            .send()
            .await
            .map(|page| (page.results().to_vec(), page.next_token().map(String::from)))
            .map_err(|e| format!("config:SelectResourceConfig failed: {}", describe(&e))),
        Some(name) => client
            .select_aggregate_resource_config()
            .configuration_aggregator_name(name)
            .expression(query)
            .limit(100)
            .set_next_token(token)
            .send()
            .await
            .map(|page| (page.results().to_vec(), page.next_token().map(String::from)))
            .map_err(|e| {
                format!(
                    "config:SelectAggregateResourceConfig failed: {}",
                    describe(&e)
                )
            }),
    }
}

/// Maps one page as it arrives; `values` are result texts (select) or items (batch get).
/// `page` is the page's number in its chain and the batch-get type it is of (empty for
/// the advanced query), which name it in warnings.
fn send_page(
    plan: &ReadPlan,
    index: usize,
    page: (u64, &str),
    values: Vec<serde_json::Value>,
    seq: &std::sync::atomic::AtomicU64,
    tx: &std::sync::mpsc::SyncSender<Batch>,
) {
    if values.is_empty() {
        return;
    }
    let items: Vec<Outcome> = values
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
            map_value(origin, element(Json::from(value)), &plan.context)
        })
        .collect();
    let seq = seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    // The collector outlives the readers; a failed send means it is gone already.
    let _ = tx.send(Batch {
        seq,
        input: index,
        items,
    });
}
