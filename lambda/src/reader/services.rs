//! Resources AWS Config does not record, read from their own service's API.
//!
//! ElastiCache clusters and replication groups and EKS node groups are real assets of a
//! FedRAMP boundary, but they are not in the Config API's `ResourceType` enum: Config
//! never records them, so no Config query can return them. Each is read here in one
//! account and region, page by page, and made into an item of the shape the kernel
//! reads (`resourceType`, `arn`, `configuration` with the API's own member names, which
//! the mappers read ignoring case, `tags`), so they take the same path as Config's items.

use aws_config::SdkConfig;
use serde_json::{json, Map, Value};

use crate::aws::describe;
use crate::mapper::{ServiceRead, REGISTRY};

/// Where the items are: the account and region the client is for.
pub(crate) struct Place<'a> {
    pub account: &'a str,
    pub region: &'a str,
}

/// Every read a target makes for the types Config does not record, with their type.
pub(crate) fn service_reads() -> impl Iterator<Item = (ServiceRead, &'static str)> {
    REGISTRY.iter().filter_map(|m| match m.read {
        crate::mapper::Read::Service(read) => Some((read, m.resource_type)),
        _ => None,
    })
}

/// Reads one kind of resource, handing each page of items to `page` as it arrives.
/// `label` names the target's retry partition: its throttling spends its own retries.
pub(crate) async fn read(
    config: &SdkConfig,
    read: ServiceRead,
    place: &Place<'_>,
    label: &str,
    page: &mut (dyn FnMut(Vec<Value>) + Send),
) -> Result<(), String> {
    let partition = || aws_sdk_config::config::retry::RetryPartition::new(label.to_string());
    match read {
        ServiceRead::ElastiCacheClusters | ServiceRead::ElastiCacheReplicationGroups => {
            let conf = aws_sdk_elasticache::config::Builder::from(config)
                .retry_partition(partition())
                .build();
            let client = aws_sdk_elasticache::Client::from_conf(conf);
            if read == ServiceRead::ElastiCacheClusters {
                cache_clusters(&client, place, page).await
            } else {
                replication_groups(&client, place, page).await
            }
        }
        ServiceRead::EksNodegroups => {
            let conf = aws_sdk_eks::config::Builder::from(config)
                .retry_partition(partition())
                .build();
            nodegroups(&aws_sdk_eks::Client::from_conf(conf), place, page).await
        }
    }
}

fn item(
    resource_type: &str,
    id: Option<&str>,
    arn: Option<&str>,
    place: &Place<'_>,
    configuration: Value,
    tags: Vec<Value>,
) -> Value {
    json!({
        "resourceType": resource_type,
        "resourceId": id,
        "arn": arn,
        "accountId": place.account,
        "awsRegion": place.region,
        "configuration": configuration,
        "tags": tags,
    })
}

fn tag(key: &str, value: &str) -> Value {
    json!({"key": key, "value": value})
}

/// Drops the members the API did not give, so an absent field stays absent.
fn present(map: Map<String, Value>) -> Value {
    Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
}

fn endpoint(e: Option<&aws_sdk_elasticache::types::Endpoint>) -> Value {
    e.map_or(
        Value::Null,
        |e| json!({"Address": e.address(), "Port": e.port()}),
    )
}

/// ElastiCache returns no tags with a resource: one `ListTagsForResource` per ARN.
async fn elasticache_tags(
    client: &aws_sdk_elasticache::Client,
    arn: Option<&str>,
) -> Result<Vec<Value>, String> {
    let Some(arn) = arn else {
        return Ok(Vec::new());
    };
    let out = client
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .map_err(|e| {
            format!(
                "elasticache:ListTagsForResource {arn} failed: {}",
                describe(&e)
            )
        })?;
    Ok(out
        .tag_list()
        .iter()
        .filter_map(|t| Some(tag(t.key()?, t.value().unwrap_or_default())))
        .collect())
}

async fn cache_clusters(
    client: &aws_sdk_elasticache::Client,
    place: &Place<'_>,
    page: &mut (dyn FnMut(Vec<Value>) + Send),
) -> Result<(), String> {
    let mut pages = client
        .describe_cache_clusters()
        .show_cache_node_info(true)
        .max_records(100)
        .into_paginator()
        .send();
    while let Some(out) = pages.next().await {
        let out =
            out.map_err(|e| format!("elasticache:DescribeCacheClusters failed: {}", describe(&e)))?;
        let mut items = Vec::new();
        for c in out.cache_clusters() {
            let nodes: Vec<Value> = c
                .cache_nodes()
                .iter()
                .map(|n| json!({"CacheNodeId": n.cache_node_id(), "Endpoint": endpoint(n.endpoint())}))
                .collect();
            let mut conf = Map::new();
            conf.insert("ARN".into(), json!(c.arn()));
            conf.insert("CacheClusterId".into(), json!(c.cache_cluster_id()));
            conf.insert("CacheClusterStatus".into(), json!(c.cache_cluster_status()));
            conf.insert("CacheNodeType".into(), json!(c.cache_node_type()));
            conf.insert("NumCacheNodes".into(), json!(c.num_cache_nodes()));
            conf.insert("Engine".into(), json!(c.engine()));
            conf.insert("EngineVersion".into(), json!(c.engine_version()));
            conf.insert(
                "PreferredAvailabilityZone".into(),
                json!(c.preferred_availability_zone()),
            );
            conf.insert(
                "ConfigurationEndpoint".into(),
                endpoint(c.configuration_endpoint()),
            );
            conf.insert("CacheNodes".into(), Value::Array(nodes));
            conf.insert(
                "CacheSubnetGroupName".into(),
                json!(c.cache_subnet_group_name()),
            );
            conf.insert("ReplicationGroupId".into(), json!(c.replication_group_id()));
            let groups: Vec<Value> = c
                .security_groups()
                .iter()
                .map(|g| json!({"SecurityGroupId": g.security_group_id(), "Status": g.status()}))
                .collect();
            conf.insert("SecurityGroups".into(), Value::Array(groups));
            conf.insert(
                "TransitEncryptionEnabled".into(),
                json!(c.transit_encryption_enabled()),
            );
            let tags = elasticache_tags(client, c.arn()).await?;
            items.push(item(
                "AWS::ElastiCache::CacheCluster",
                c.cache_cluster_id(),
                c.arn(),
                place,
                present(conf),
                tags,
            ));
        }
        page(items);
    }
    Ok(())
}

async fn replication_groups(
    client: &aws_sdk_elasticache::Client,
    place: &Place<'_>,
    page: &mut (dyn FnMut(Vec<Value>) + Send),
) -> Result<(), String> {
    let mut pages = client
        .describe_replication_groups()
        .max_records(100)
        .into_paginator()
        .send();
    while let Some(out) = pages.next().await {
        let out = out.map_err(|e| {
            format!(
                "elasticache:DescribeReplicationGroups failed: {}",
                describe(&e)
            )
        })?;
        let mut items = Vec::new();
        for g in out.replication_groups() {
            let groups: Vec<Value> = g
                .node_groups()
                .iter()
                .map(|n| {
                    json!({"NodeGroupId": n.node_group_id(),
                           "PrimaryEndpoint": endpoint(n.primary_endpoint()),
                           "ReaderEndpoint": endpoint(n.reader_endpoint())})
                })
                .collect();
            let mut conf = Map::new();
            conf.insert("ARN".into(), json!(g.arn()));
            conf.insert("ReplicationGroupId".into(), json!(g.replication_group_id()));
            conf.insert("Description".into(), json!(g.description()));
            conf.insert("Status".into(), json!(g.status()));
            conf.insert("CacheNodeType".into(), json!(g.cache_node_type()));
            conf.insert("Engine".into(), json!(g.engine()));
            conf.insert(
                "ConfigurationEndpoint".into(),
                endpoint(g.configuration_endpoint()),
            );
            conf.insert("NodeGroups".into(), Value::Array(groups));
            conf.insert("MemberClusters".into(), json!(g.member_clusters()));
            let tags = elasticache_tags(client, g.arn()).await?;
            items.push(item(
                "AWS::ElastiCache::ReplicationGroup",
                g.replication_group_id(),
                g.arn(),
                place,
                present(conf),
                tags,
            ));
        }
        page(items);
    }
    Ok(())
}

/// Node groups of every cluster: `ListClusters`, then per cluster `ListNodegroups` and a
/// `DescribeNodegroup` each (one page of items per page of node group names).
async fn nodegroups(
    client: &aws_sdk_eks::Client,
    place: &Place<'_>,
    page: &mut (dyn FnMut(Vec<Value>) + Send),
) -> Result<(), String> {
    let mut clusters = client.list_clusters().into_paginator().send();
    while let Some(out) = clusters.next().await {
        let out = out.map_err(|e| format!("eks:ListClusters failed: {}", describe(&e)))?;
        for cluster in out.clusters() {
            let mut names = client
                .list_nodegroups()
                .cluster_name(cluster)
                .into_paginator()
                .send();
            while let Some(listed) = names.next().await {
                let listed = listed.map_err(|e| {
                    format!("eks:ListNodegroups {cluster} failed: {}", describe(&e))
                })?;
                let mut items = Vec::new();
                for name in listed.nodegroups() {
                    let described = client
                        .describe_nodegroup()
                        .cluster_name(cluster)
                        .nodegroup_name(name)
                        .send()
                        .await
                        .map_err(|e| {
                            format!(
                                "eks:DescribeNodegroup {cluster}/{name} failed: {}",
                                describe(&e)
                            )
                        })?;
                    let Some(n) = described.nodegroup() else {
                        continue;
                    };
                    let mut conf = Map::new();
                    conf.insert("nodegroupName".into(), json!(n.nodegroup_name()));
                    conf.insert("nodegroupArn".into(), json!(n.nodegroup_arn()));
                    conf.insert("clusterName".into(), json!(n.cluster_name()));
                    conf.insert("version".into(), json!(n.version()));
                    conf.insert("releaseVersion".into(), json!(n.release_version()));
                    conf.insert("status".into(), json!(n.status().map(|s| s.as_str())));
                    conf.insert(
                        "capacityType".into(),
                        json!(n.capacity_type().map(|s| s.as_str())),
                    );
                    conf.insert("instanceTypes".into(), json!(n.instance_types()));
                    conf.insert("subnets".into(), json!(n.subnets()));
                    conf.insert("amiType".into(), json!(n.ami_type().map(|s| s.as_str())));
                    let mut tags: Vec<Value> = n
                        .tags()
                        .map(|t| t.iter().map(|(k, v)| tag(k, v)).collect())
                        .unwrap_or_default();
                    tags.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
                    items.push(item(
                        "AWS::EKS::Nodegroup",
                        Some(&format!("{cluster}/{name}")),
                        n.nodegroup_arn(),
                        place,
                        present(conf),
                        tags,
                    ));
                }
                page(items);
            }
        }
    }
    Ok(())
}
