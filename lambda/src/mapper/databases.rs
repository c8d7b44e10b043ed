//! Managed databases, caches and search: RDS instances and clusters, Redshift,
//! ElastiCache, DMS, Elasticsearch and OpenSearch.

use super::Draft;
use crate::fields::Field;

pub fn rds_instance(d: &mut Draft<'_>) {
    d.public_from("publiclyAccessible");
    d.engine("engine", "engineVersion");
}

/// The cluster's row is its endpoint; its members are DB instance items of their own,
/// so they are not repeated here. Aurora, DocumentDB and Neptune clusters alike.
pub fn rds_cluster(d: &mut Draft<'_>) {
    d.public_from("publiclyAccessible");
    // Real items carry the endpoint as text; the schema lists `endpoint.value`.
    let endpoint =
        d.c.first(&["endpoint", "endpoint.value", "endpoint.address"]);
    d.set_opt(Field::Dns, endpoint);
    let class =
        d.c.first(&["dbclusterInstanceClass", "dBClusterInstanceClass"]);
    let serverless =
        d.c.text("engineMode")
            .is_some_and(|m| m.eq_ignore_ascii_case("serverless"));
    match class {
        Some(class) => d.set(Field::HardwareModel, &class),
        None if serverless => d.set(Field::HardwareModel, "serverless"),
        None => {}
    }
    d.engine("engine", "engineVersion");
    if let Some(reader) = d.c.first(&["readerEndpoint", "readerEndpoint.value"]) {
        d.comment(&format!("reader endpoint {reader}"));
    }
}

/// `nodeType × numberOfNodes`, or the model alone.
pub(super) fn times(
    model: Option<std::borrow::Cow<'_, str>>,
    count: Option<std::borrow::Cow<'_, str>>,
) -> Option<String> {
    match (model, count) {
        (Some(m), Some(n)) if n != "1" => Some(format!("{m} x {n}")),
        (m, _) => m.map(|m| m.into_owned()),
    }
}

pub fn redshift(d: &mut Draft<'_>) {
    d.public_from("publiclyAccessible");
    d.addresses_in_list("clusterNodes", &["privateIPAddress", "publicIPAddress"]);
    let ip = d.c.text("elasticIpStatus.elasticIp");
    d.address(ip, None);
    let model = times(d.c.text("nodeType"), d.c.text("numberOfNodes"));
    d.set_opt(Field::HardwareModel, model);
    d.versioned("Redshift", &["clusterVersion"]);
}

/// A cache cluster: reachable inside its VPC only.
pub fn cache_cluster(d: &mut Draft<'_>) {
    if d.asset().get(Field::Dns).is_empty() {
        if let Some(node) = d.c.list("cacheNodes").first() {
            let dns = d.c.text_in(node, "endpoint.address");
            d.set_opt(Field::Dns, dns);
        }
    }
    let model = times(d.c.text("cacheNodeType"), d.c.text("numCacheNodes"));
    d.set_opt(Field::HardwareModel, model);
    d.engine("engine", "engineVersion");
}

pub fn replication_group(d: &mut Draft<'_>) {
    if d.asset().get(Field::Dns).is_empty() {
        if let Some(group) = d.c.list("nodeGroups").first() {
            let dns = d.c.text_in(group, "primaryEndpoint.address");
            d.set_opt(Field::Dns, dns);
        }
    }
    d.engine("engine", "engineVersion");
    if d.asset().get(Field::SoftwareNameVersion).is_empty() {
        d.set(Field::SoftwareNameVersion, "ElastiCache");
    }
}

pub fn dms(d: &mut Draft<'_>) {
    d.public_from("PubliclyAccessible");
    for path in [
        "ReplicationInstancePrivateIpAddresses",
        "ReplicationInstancePublicIpAddresses",
    ] {
        for ip in d.c.list(path) {
            d.address(ip.as_str().map(Into::into), None);
        }
    }
    d.versioned("DMS", &["EngineVersion"]);
}

/// A domain inside a VPC is private; one without VPC options has a public endpoint.
pub fn elasticsearch(d: &mut Draft<'_>) {
    let in_vpc =
        d.c.text("vpcoptions.vpcid").is_some() || !d.c.list("vpcoptions.subnetIds").is_empty();
    search_domain(
        d,
        in_vpc,
        &["endpoint", "endpoints.vpc"],
        "elasticsearchClusterConfig",
    );
    d.versioned("Elasticsearch", &["elasticsearchVersion"]);
}

pub fn opensearch(d: &mut Draft<'_>) {
    let in_vpc = !d.c.list("VPCOptions.SubnetIds").is_empty();
    search_domain(
        d,
        in_vpc,
        &["DomainEndpoint", "DomainEndpoints.vpc"],
        "ClusterConfig",
    );
    d.copy(Field::SoftwareNameVersion, "EngineVersion");
}

/// What the two generations of search domain share under their own key names: public
/// unless in a VPC, the endpoint, and instance type times count (`cluster`'s
/// InstanceType and InstanceCount, in any key spelling).
fn search_domain(d: &mut Draft<'_>, in_vpc: bool, endpoints: &[&str], cluster: &str) {
    d.public(!in_vpc);
    let dns = d.c.first(endpoints);
    d.set_opt(Field::Dns, dns);
    let model = times(
        d.c.text(&format!("{cluster}.InstanceType")),
        d.c.text(&format!("{cluster}.InstanceCount")),
    );
    d.set_opt(Field::HardwareModel, model);
}
