//! What guards an inventory asset on the network, read from the asset's own Config
//! item: the security groups it is attached to, and the ports it answers on itself
//! (a Classic Load Balancer's listeners, a database's endpoint port), with the
//! encryption its configuration records for them.
//!
//! Each path below is one AWS Config records, checked against
//! awslabs/aws-config-resource-schema (adf55132ad87,
//! `config/properties/resource-types/<type>.properties.json`) and the recorded items of
//! tests/fixtures/config-types/; the ElastiCache cluster's are the DescribeCacheClusters
//! members `reader/services.rs` copies (botocore's `elasticache` model). A type not
//! listed here has no security group Config records (an S3 bucket, a DynamoDB table).

use crate::item::ConfigItem;
use crate::json::Json;
use crate::mapper::conf::Conf;

use super::facts::Protocol;

/// How traffic to a port is protected, as far as the configuration says.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Encryption {
    /// TLS, with the security policy that sets its versions and ciphers when recorded.
    Tls(Option<String>),
    /// Plain text by the protocol's definition (an HTTP listener, an ElastiCache
    /// cluster with in-transit encryption off).
    None,
    /// The configuration does not say (a security group rule names a port, not what
    /// speaks on it; an RDS instance's TLS is a parameter-group setting Config does not
    /// record with the instance).
    NotDetermined,
}

/// The text written for it (the SDR's `encryption`, the ports table's column).
pub const NOT_DETERMINED: &str = "not determined from configuration";

impl Encryption {
    pub fn describe(&self) -> String {
        match self {
            Encryption::Tls(Some(policy)) => format!("TLS ({policy})"),
            Encryption::Tls(None) => "TLS".into(),
            Encryption::None => "None".into(),
            Encryption::NotDetermined => NOT_DETERMINED.into(),
        }
    }
}

/// A port the resource answers on by its own configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub port: i64,
    pub transport: Protocol,
    /// The application protocol, when the configuration names it (`HTTPS`, `TLS`).
    pub protocol: Option<String>,
    pub encryption: Encryption,
}

/// One inventory asset's place on the network (the asset is the first its item makes;
/// where it sits comes from the inventory).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attachment {
    /// Security group ids, in the order recorded, each once.
    pub groups: Vec<String>,
    /// The subnets it has an address in (each once): where its routes and network ACL
    /// are found.
    pub subnets: Vec<String>,
    pub endpoints: Vec<Endpoint>,
    /// The purpose tag's value (the ports table's Purpose), when tagged.
    pub purpose: Option<String>,
    /// The resource's name, which labels it where it has no Diagram Label.
    pub name: Option<String>,
}

/// Where a type records its security groups: a list of ids, or of objects holding one.
struct Groups {
    list: &'static str,
    field: Option<&'static str>,
}

const fn ids(list: &'static str) -> Groups {
    Groups { list, field: None }
}

const fn objects(list: &'static str, field: &'static str) -> Groups {
    Groups {
        list,
        field: Some(field),
    }
}

type EndpointsFn = fn(&mut Conf<'_>) -> Vec<Endpoint>;

const ELBV2: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";

/// Every type an attachment is read from.
const TYPES: &[(&str, Groups, Option<EndpointsFn>)] = &[
    (
        "AWS::EC2::Instance",
        objects("securityGroups", "groupId"),
        None,
    ),
    (
        "AWS::EC2::NetworkInterface",
        objects("groups", "groupId"),
        None,
    ),
    ("AWS::EC2::VPCEndpoint", objects("groups", "groupId"), None),
    (
        "AWS::ElasticLoadBalancing::LoadBalancer",
        ids("securityGroups"),
        Some(classic_listeners),
    ),
    // Its listeners are items of their own (network facts), joined on its ARN.
    (ELBV2, ids("securityGroups"), None),
    (
        "AWS::RDS::DBInstance",
        objects("vpcSecurityGroups", "vpcSecurityGroupId"),
        Some(rds_instance_port),
    ),
    (
        "AWS::RDS::DBCluster",
        objects("vpcSecurityGroups", "vpcSecurityGroupId"),
        Some(rds_cluster_port),
    ),
    (
        "AWS::Redshift::Cluster",
        objects("vpcSecurityGroups", "vpcSecurityGroupId"),
        Some(redshift_port),
    ),
    (
        "AWS::ElastiCache::CacheCluster",
        objects("SecurityGroups", "SecurityGroupId"),
        Some(cache_port),
    ),
    (
        "AWS::Elasticsearch::Domain",
        ids("vpcoptions.securityGroupIds"),
        Some(search_domain_ports),
    ),
    (
        "AWS::OpenSearch::Domain",
        ids("VPCOptions.SecurityGroupIds"),
        Some(search_domain_ports),
    ),
    (
        "AWS::EKS::Cluster",
        ids("ResourcesVpcConfig.SecurityGroupIds"),
        None,
    ),
    (
        "AWS::ECS::Service",
        ids("NetworkConfiguration.AwsvpcConfiguration.SecurityGroups"),
        None,
    ),
    (
        "AWS::Lambda::Function",
        ids("vpcConfig.securityGroupIds"),
        None,
    ),
    (
        "AWS::MSK::Cluster",
        ids("BrokerNodeGroupInfo.SecurityGroups"),
        Some(kafka_ports),
    ),
    ("AWS::AmazonMQ::Broker", ids("SecurityGroups"), None),
    (
        "AWS::SageMaker::NotebookInstance",
        ids("SecurityGroupIds"),
        None,
    ),
    (
        "AWS::EC2::ClientVpnEndpoint",
        ids("SecurityGroupIds"),
        Some(client_vpn_port),
    ),
    (
        "AWS::Route53Resolver::ResolverEndpoint",
        ids("SecurityGroupIds"),
        None,
    ),
];

/// The types attachments are read from, for the docs and tests.
pub fn attached_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|(t, _, _)| *t)
}

/// The attachment of the asset made from `item`, with the warnings met (its subnets
/// too, when `subnets`); none for a type without security groups, or an item that
/// names no group and no port.
pub fn read(
    item: &ConfigItem<'_>,
    purpose_tag: &str,
    subnets: bool,
) -> (Option<Attachment>, Vec<String>) {
    let Some(rtype) = item.resource_type.as_deref() else {
        return (None, Vec::new());
    };
    let Some((_, where_, endpoints)) = TYPES.iter().find(|(t, _, _)| *t == rtype) else {
        return (None, Vec::new());
    };
    let mut c = Conf::new(&item.configuration);
    let mut groups: Vec<String> = Vec::new();
    for element in c.list(where_.list) {
        let id = match (element, where_.field) {
            (Json::String(s), _) => Some(s.to_string()),
            (other, Some(field)) => c.text_in(other, field).map(|s| s.to_string()),
            (_, None) => None,
        };
        match id {
            Some(id) if !id.trim().is_empty() => {
                if !groups.contains(&id) {
                    groups.push(id);
                }
            }
            _ => c.warn(format!(
                "configuration.{}[] holds an entry with no security group id; left out",
                where_.list
            )),
        }
    }
    let endpoints = endpoints.map(|read| read(&mut c)).unwrap_or_default();
    // Nothing to derive from (no group, no port of its own): nothing to keep, save for
    // a v2 load balancer, whose listeners are items of their own.
    if groups.is_empty() && endpoints.is_empty() && rtype != ELBV2 {
        return (None, c.warnings);
    }
    let subnets = if subnets {
        subnets_of(rtype, &mut c)
    } else {
        Vec::new()
    };
    let attachment = Attachment {
        subnets,
        groups,
        endpoints,
        purpose: item.tag(purpose_tag).map(|s| s.trim().to_string()),
        name: item
            .resource_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
    };
    (Some(attachment), c.warnings)
}

/// Where each type records its subnets (aws-config-resource-schema's paths; a list of
/// ids, or of objects holding one). Types not here record none Config keeps with them
/// (a Redshift or ElastiCache subnet group is named, not listed).
/// Paths of ids: each a path and, for a list of objects, the member holding the id.
type IdPaths = &'static [(&'static str, Option<&'static str>)];

const SUBNETS: &[(&str, IdPaths)] = &[
    (
        "AWS::EC2::Instance",
        &[("subnetId", None), ("networkInterfaces", Some("subnetId"))],
    ),
    ("AWS::EC2::NetworkInterface", &[("subnetId", None)]),
    ("AWS::EC2::VPCEndpoint", &[("subnetIds", None)]),
    (
        "AWS::ElasticLoadBalancing::LoadBalancer",
        &[("subnets", Some("value"))],
    ),
    (ELBV2, &[("availabilityZones", Some("subnetId"))]),
    (
        "AWS::RDS::DBInstance",
        &[("dBSubnetGroup.subnets", Some("subnetIdentifier"))],
    ),
    (
        "AWS::Elasticsearch::Domain",
        &[("vpcoptions.subnetIds", None)],
    ),
    ("AWS::OpenSearch::Domain", &[("VPCOptions.SubnetIds", None)]),
    (
        "AWS::EKS::Cluster",
        &[("ResourcesVpcConfig.SubnetIds", None)],
    ),
    (
        "AWS::ECS::Service",
        &[("NetworkConfiguration.AwsvpcConfiguration.Subnets", None)],
    ),
    ("AWS::Lambda::Function", &[("vpcConfig.subnetIds", None)]),
    (
        "AWS::MSK::Cluster",
        &[("BrokerNodeGroupInfo.ClientSubnets", None)],
    ),
    ("AWS::AmazonMQ::Broker", &[("SubnetIds", None)]),
    ("AWS::SageMaker::NotebookInstance", &[("SubnetId", None)]),
];

/// The subnet ids `rtype` records at its paths: text, a list of ids, or a list of
/// objects with the id at `field` (`{"value": ...}` as some Config items write lists).
fn subnets_of(rtype: &str, c: &mut Conf<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some((_, paths)) = SUBNETS.iter().find(|(t, _)| *t == rtype) else {
        return out;
    };
    for (path, field) in *paths {
        let mut found: Vec<String> = Vec::new();
        match c.value(path) {
            Some(Json::Array(list)) => {
                for element in list {
                    let id = match (element, field) {
                        (Json::String(s), _) => Some(s.to_string()),
                        (other, Some(f)) => c.text_in(other, f).map(|s| s.to_string()),
                        (other, None) => c.text_in(other, "value").map(|s| s.to_string()),
                    };
                    found.extend(id);
                }
            }
            Some(_) => found.extend(c.text(path).map(|s| s.to_string())),
            None => {}
        }
        for id in found {
            if !id.trim().is_empty() && !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

fn tcp(port: i64, protocol: Option<&str>, encryption: Encryption) -> Endpoint {
    Endpoint {
        port,
        transport: Protocol::Tcp,
        protocol: protocol.map(str::to_string),
        encryption,
    }
}

/// A port number at `path` (the first of `paths` recorded), when it is a real one:
/// Config writes 0 for an RDS instance's `dbInstancePort` when the port is elsewhere.
fn port(c: &mut Conf<'_>, paths: &[&str]) -> Option<i64> {
    let text = c.first(paths)?;
    match text.parse::<i64>() {
        Ok(p) if (1..=65_535).contains(&p) => Some(p),
        Ok(0) => None,
        _ => {
            c.warn(format!(
                "configuration.{} is {text:?}, not a port number; ignored",
                paths[0]
            ));
            None
        }
    }
}

/// HTTPS and SSL listeners end TLS with the policy named on the listener; HTTP is plain
/// text; TCP passes whatever the back end speaks.
fn classic_listeners(c: &mut Conf<'_>) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for description in c.list("listenerDescriptions") {
        let (Some(port), Some(protocol)) = (
            c.text_in(description, "listener.loadBalancerPort")
                .and_then(|p| p.parse::<i64>().ok()),
            c.text_in(description, "listener.protocol"),
        ) else {
            c.warn("configuration.listenerDescriptions[].listener without a port or protocol; left out");
            continue;
        };
        let policy = c
            .list_in(description, "policyNames")
            .iter()
            .find_map(|p| match p {
                Json::String(s) => Some(s.to_string()),
                _ => None,
            });
        out.push(listener_endpoint(port, &protocol, policy));
    }
    out
}

/// A load balancer listener's port as an endpoint (Classic and ELBv2 alike).
pub fn listener_endpoint(port: i64, protocol: &str, policy: Option<String>) -> Endpoint {
    let upper = protocol.to_ascii_uppercase();
    let encryption = match upper.as_str() {
        "HTTPS" | "SSL" | "TLS" => Encryption::Tls(policy),
        "HTTP" => Encryption::None,
        _ => Encryption::NotDetermined,
    };
    let transport = match upper.as_str() {
        "UDP" => Protocol::Udp,
        "TCP_UDP" => Protocol::Other("TCP_UDP".into()),
        _ => Protocol::Tcp,
    };
    Endpoint {
        port,
        transport,
        protocol: Some(upper),
        encryption,
    }
}

fn rds_instance_port(c: &mut Conf<'_>) -> Vec<Endpoint> {
    port(c, &["endpoint.port", "dbInstancePort"])
        .map(|p| tcp(p, None, Encryption::NotDetermined))
        .into_iter()
        .collect()
}

fn rds_cluster_port(c: &mut Conf<'_>) -> Vec<Endpoint> {
    port(c, &["port"])
        .map(|p| tcp(p, None, Encryption::NotDetermined))
        .into_iter()
        .collect()
}

/// Redshift's TLS is the parameter group's `require_ssl`, not recorded with the cluster.
fn redshift_port(c: &mut Conf<'_>) -> Vec<Endpoint> {
    port(c, &["endpoint.port"])
        .map(|p| tcp(p, None, Encryption::NotDetermined))
        .into_iter()
        .collect()
}

fn cache_port(c: &mut Conf<'_>) -> Vec<Endpoint> {
    let encryption = match c.flag("TransitEncryptionEnabled") {
        Some(true) => Encryption::Tls(None),
        Some(false) => Encryption::None,
        None => Encryption::NotDetermined,
    };
    let node = c
        .list("CacheNodes")
        .first()
        .and_then(|n| c.text_in(n, "Endpoint.Port"));
    let port = port(c, &["ConfigurationEndpoint.Port"])
        .or_else(|| node.and_then(|p| p.parse::<i64>().ok()));
    port.map(|p| tcp(p, None, encryption)).into_iter().collect()
}

/// An OpenSearch (or Elasticsearch) domain answers HTTPS on 443 with its TLS policy, and
/// plain HTTP on 80 too when `EnforceHTTPS` is off (OpenSearch Service's documentation,
/// "Enforcing HTTPS").
fn search_domain_ports(c: &mut Conf<'_>) -> Vec<Endpoint> {
    let policy = c
        .text("DomainEndpointOptions.TLSSecurityPolicy")
        .map(|s| s.to_string());
    let mut out = vec![tcp(443, Some("HTTPS"), Encryption::Tls(policy))];
    if c.flag("DomainEndpointOptions.EnforceHTTPS") == Some(false) {
        out.push(tcp(80, Some("HTTP"), Encryption::None));
    }
    out
}

/// MSK's client ports by its in-transit setting (Amazon MSK's "Port information"):
/// 9094 for TLS, 9092 for plain text; `TLS_PLAINTEXT` opens both.
fn kafka_ports(c: &mut Conf<'_>) -> Vec<Endpoint> {
    let setting = c
        .text("EncryptionInfo.EncryptionInTransit.ClientBroker")
        .map(|s| s.to_ascii_uppercase());
    let tls = tcp(9094, Some("Kafka TLS"), Encryption::Tls(None));
    let plain = tcp(9092, Some("Kafka"), Encryption::None);
    match setting.as_deref() {
        Some("TLS") => vec![tls],
        Some("PLAINTEXT") => vec![plain],
        Some("TLS_PLAINTEXT") => vec![tls, plain],
        _ => Vec::new(),
    }
}

/// Client VPN's tunnel is OpenVPN over TLS, on the port and transport it records (UDP
/// when it records none: the API's documented default).
fn client_vpn_port(c: &mut Conf<'_>) -> Vec<Endpoint> {
    let transport = match c.text("TransportProtocol").as_deref() {
        Some(t) if t.eq_ignore_ascii_case("tcp") => Protocol::Tcp,
        _ => Protocol::Udp,
    };
    port(c, &["VpnPort"])
        .map(|p| Endpoint {
            port: p,
            transport,
            protocol: Some("OpenVPN".into()),
            encryption: Encryption::Tls(None),
        })
        .into_iter()
        .collect()
}
