//! One target's AWS Config calls: the advanced query, the batch reads (with keys left
//! unprocessed asked for again), and what Config says it sees (recorders, aggregator
//! sources). Each call first waits for its slot under AWS's rate for its API and
//! account (or aggregator).

use std::sync::Arc;

use super::quota::Limiter;
use crate::aws::describe;
use crate::mapper::Read;

/// One target's Config calls, each waiting for its slot under AWS's rate first.
pub(crate) struct Calls<'a> {
    pub client: &'a aws_sdk_config::Client,
    pub aggregator: Option<&'a str>,
    pub select: Arc<Limiter>,
    pub batch: Arc<Limiter>,
    pub describe: Arc<Limiter>,
}

/// How many times unprocessed keys are asked for again before the target fails.
const UNPROCESSED_TRIES: usize = 5;

impl Calls<'_> {
    /// One page of results (at most 100, Config's page size) and the token for the
    /// next, from the account's own Config or from the aggregator.
    pub(crate) async fn select_page(
        &self,
        query: &str,
        token: Option<String>,
    ) -> Result<(Vec<String>, Option<String>), String> {
        self.select.wait().await;
        fetch_page(self.client, self.aggregator, query, token).await
    }

    /// The recorders of the account and region, and what they leave unrecorded.
    pub(crate) async fn recorder_findings(&self) -> Result<Vec<String>, String> {
        use super::recorder::{findings, Recorder};
        // The two descriptions at once: a target waits for one round trip, not two.
        let recorders = async {
            self.describe.wait().await;
            self.client
                .describe_configuration_recorders()
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "config:DescribeConfigurationRecorders failed: {}",
                        describe(&e)
                    )
                })
        };
        let statuses = async {
            self.describe.wait().await;
            self.client
                .describe_configuration_recorder_status()
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "config:DescribeConfigurationRecorderStatus failed: {}",
                        describe(&e)
                    )
                })
        };
        let (recorders, statuses) = tokio::join!(recorders, statuses);
        let (recorders, statuses) = (recorders?, statuses?);
        let types = |list: &[aws_sdk_config::types::ResourceType]| -> Vec<String> {
            list.iter().map(|t| t.as_str().to_string()).collect()
        };
        let seen: Vec<Recorder> = recorders
            .configuration_recorders()
            .iter()
            .map(|r| {
                let name = r.name().unwrap_or_default().to_string();
                let status = statuses
                    .configuration_recorders_status()
                    .iter()
                    .find(|s| s.name() == r.name());
                let group = r.recording_group();
                Recorder {
                    recording: status.is_some_and(|s| s.recording()),
                    last_status: status
                        .and_then(|s| s.last_status())
                        .map(|s| s.as_str().to_string()),
                    last_error: status
                        .and_then(|s| error_text(s.last_error_code(), s.last_error_message())),
                    // A recorder without a recording group records every supported type.
                    all_supported: group.is_none_or(|g| g.all_supported()),
                    included: group.map(|g| types(g.resource_types())).unwrap_or_default(),
                    excluded: group
                        .and_then(|g| g.exclusion_by_resource_types())
                        .map(|x| types(x.resource_types()))
                        .unwrap_or_default(),
                    name,
                }
            })
            .collect();
        Ok(findings(&seen, recorded_types()))
    }

    /// The types Config has discovered resources of (at least one), from its own
    /// counts: GetDiscoveredResourceCounts in an account and region, or
    /// GetAggregateDiscoveredResourceCounts grouped by type across an aggregator.
    pub(crate) async fn discovered_types(&self) -> Result<Vec<String>, String> {
        use aws_sdk_config::types::ResourceCountGroupKey;
        let (mut types, mut token) = (Vec::new(), None);
        loop {
            self.describe.wait().await;
            let next = match self.aggregator {
                None => {
                    let out = self
                        .client
                        .get_discovered_resource_counts()
                        .limit(100)
                        .set_next_token(token.take())
                        .send()
                        .await
                        .map_err(|e| {
                            format!(
                                "config:GetDiscoveredResourceCounts failed: {}",
                                describe(&e)
                            )
                        })?;
                    types.extend(
                        out.resource_counts()
                            .iter()
                            .filter(|c| c.count() > 0)
                            .filter_map(|c| c.resource_type().map(|t| t.as_str().to_string())),
                    );
                    out.next_token().map(String::from)
                }
                Some(name) => {
                    let out = self
                        .client
                        .get_aggregate_discovered_resource_counts()
                        .configuration_aggregator_name(name)
                        .group_by_key(ResourceCountGroupKey::ResourceType)
                        .limit(1000)
                        .set_next_token(token.take())
                        .send()
                        .await
                        .map_err(|e| {
                            format!(
                                "config:GetAggregateDiscoveredResourceCounts failed: {}",
                                describe(&e)
                            )
                        })?;
                    types.extend(
                        out.grouped_resource_counts()
                            .iter()
                            .filter(|g| g.resource_count() > 0)
                            .map(|g| g.group_name().to_string()),
                    );
                    out.next_token().map(String::from)
                }
            };
            match next {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(types),
            }
        }
    }

    /// The aggregator's sources that failed or are out of date.
    pub(crate) async fn source_findings(&self) -> Result<Vec<(String, String, String)>, String> {
        use super::recorder::{source_findings, AggregatorSource};
        let Some(name) = self.aggregator else {
            return Ok(Vec::new());
        };
        let (mut all, mut token) = (Vec::new(), None);
        loop {
            self.describe.wait().await;
            let out = self
                .client
                .describe_configuration_aggregator_sources_status()
                .configuration_aggregator_name(name)
                .limit(100)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "config:DescribeConfigurationAggregatorSourcesStatus failed: {}",
                        describe(&e)
                    )
                })?;
            all.extend(out.aggregated_source_status_list().iter().map(|s| {
                AggregatorSource {
                    source_id: s.source_id().unwrap_or_default().to_string(),
                    region: s.aws_region().unwrap_or_default().to_string(),
                    status: s
                        .last_update_status()
                        .map(|x| x.as_str().to_string())
                        .unwrap_or_default(),
                    last_error: error_text(s.last_error_code(), s.last_error_message()),
                }
            }));
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(source_findings(&all))
    }
}

/// The Config types the inventory reads that a recording group can name: those of the
/// Config API's `ResourceType` enum (a few advanced-query types are not in it).
fn recorded_types() -> &'static [&'static str] {
    use aws_sdk_config::types::ResourceType;
    // The same for every target of every run: made once.
    static TYPES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        crate::mapper::REGISTRY
            .iter()
            .filter(|m| matches!(m.read, Read::Select | Read::BatchGet))
            .map(|m| m.resource_type)
            .filter(|t| ResourceType::values().contains(t))
            .collect()
    });
    &TYPES
}

/// `code: message` of an error Config reports in a status, when it names a code.
fn error_text(code: Option<&str>, message: Option<&str>) -> Option<String> {
    code.map(|code| format!("{code}: {}", message.unwrap_or_default()))
}

impl Calls<'_> {
    /// One batch get, and again for the keys it leaves unprocessed (Config may, under
    /// load: "the keys that were not processed with the current response"), until none
    /// are left or [`UNPROCESSED_TRIES`] calls were made; each call waits for its slot.
    async fn until_processed<K, F, Fut>(
        &self,
        mut keys: Vec<K>,
        (api, resource_type): (&str, &str),
        items: &mut Vec<serde_json::Value>,
        mut call: F,
    ) -> Result<(), String>
    where
        F: FnMut(Vec<K>) -> Fut,
        Fut: std::future::Future<
            Output = Result<(Vec<aws_sdk_config::types::BaseConfigurationItem>, Vec<K>), String>,
        >,
    {
        for _ in 0..UNPROCESSED_TRIES {
            if keys.is_empty() {
                return Ok(());
            }
            self.batch.wait().await;
            let (got, left) = call(keys).await.map_err(|e| format!("{api} failed: {e}"))?;
            items.extend(got.iter().map(base_item_json));
            keys = left;
        }
        if keys.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{api} left {} {resource_type} items unprocessed after {UNPROCESSED_TRIES} tries",
            keys.len()
        ))
    }

    /// One page of a type the advanced query does not return: its resource ids listed
    /// (at most 100), then their items fetched in one batch, in select shape. Keys
    /// Config leaves unprocessed (it may, under load) are asked for again.
    pub(crate) async fn batch_page(
        &self,
        resource_type: &str,
        token: Option<String>,
    ) -> Result<(Vec<serde_json::Value>, Option<String>), String> {
        use aws_sdk_config::types::{AggregateResourceIdentifier, ResourceKey, ResourceType};
        let kind = ResourceType::from(resource_type);
        let client = self.client;
        let mut items = Vec::new();
        let next = match self.aggregator {
            None => {
                self.batch.wait().await;
                let page = client
                    .list_discovered_resources()
                    .resource_type(kind.clone())
                    .limit(100)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| {
                        format!("config:ListDiscoveredResources failed: {}", describe(&e))
                    })?;
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
                let what = ("config:BatchGetResourceConfig", resource_type);
                self.until_processed(keys, what, &mut items, |keys| async move {
                    let out = client
                        .batch_get_resource_config()
                        .set_resource_keys(Some(keys))
                        .send()
                        .await
                        .map_err(|e| describe(&e))?;
                    Ok((
                        out.base_configuration_items().to_vec(),
                        out.unprocessed_resource_keys().to_vec(),
                    ))
                })
                .await?;
                page.next_token().map(String::from)
            }
            Some(name) => {
                self.batch.wait().await;
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
                let what = ("config:BatchGetAggregateResourceConfig", resource_type);
                self.until_processed(ids, what, &mut items, |ids| async move {
                    let out = client
                        .batch_get_aggregate_resource_config()
                        .configuration_aggregator_name(name)
                        .set_resource_identifiers(Some(ids))
                        .send()
                        .await
                        .map_err(|e| describe(&e))?;
                    Ok((
                        out.base_configuration_items().to_vec(),
                        out.unprocessed_resource_identifiers().to_vec(),
                    ))
                })
                .await?;
                page.next_token().map(String::from)
            }
        };
        Ok((items, next))
    }
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
        "configurationItemStatus": item.configuration_item_status().map(|s| s.as_str().to_string()),
        "arn": item.arn(),
        "accountId": item.account_id(),
        "awsRegion": item.aws_region(),
        "availabilityZone": item.availability_zone(),
        "configurationItemCaptureTime": item
            .configuration_item_capture_time()
            .and_then(|t| t.fmt(aws_sdk_config::primitives::DateTimeFormat::DateTime).ok()),
        "configuration": configuration,
        "supplementaryConfiguration": supplementary,
        "tags": tags,
    })
}

/// One page of results (at most 100, Config's page size) and the token for the next,
/// from the account's own Config or from the aggregator.
pub(crate) async fn fetch_page(
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
