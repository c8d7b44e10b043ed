//! One Config item of a network type as a typed fact, read leniently: a field that is
//! missing or odd leaves that part out with a warning naming it, never a panic, and
//! never a rule made up.
//!
//! Shapes as Config records them (awslabs/aws-config-resource-schema): the EC2 types
//! in camelCase, ELBv2 listeners in PascalCase; a security group rule gives its CIDRs
//! twice, as `ipRanges` (strings) and `ipv4Ranges` (objects), and `-1` for all
//! protocols.

use std::net::IpAddr;

use crate::item::ConfigItem;
use crate::json::Json;
use crate::mapper::conf::Conf;

/// An IP protocol as a rule names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    /// `-1`: every protocol, every port.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Another protocol, by the number or name the rule gives.
    Other(String),
}

impl Protocol {
    fn read(text: &str) -> Protocol {
        match text.trim().to_ascii_lowercase().as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            _ => Protocol::Other(text.trim().to_string()),
        }
    }
}

/// Who a rule lets in (or out to).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    /// An IPv4 or IPv6 CIDR block, as written.
    Cidr(String),
    PrefixList(String),
    /// Another security group (in another account when `account` says so).
    Group {
        id: String,
        account: Option<String>,
    },
}

/// One rule of a security group: a protocol, a port range (ICMP: type and code) and
/// the peers it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    pub protocol: Protocol,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    pub peers: Vec<Peer>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityGroup {
    pub account: String,
    pub region: String,
    pub id: String,
    pub name: Option<String>,
    pub vpc: Option<String>,
    pub ingress: Vec<Permission>,
    pub egress: Vec<Permission>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subnet {
    pub account: String,
    pub region: String,
    pub id: String,
    pub vpc: Option<String>,
    pub cidr: Option<String>,
    pub ipv6_cidrs: Vec<String>,
    pub availability_zone: Option<String>,
    /// Instances launched here get a public IPv4 address.
    pub public_ip_on_launch: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vpc {
    pub account: String,
    pub region: String,
    pub id: String,
    pub cidrs: Vec<String>,
    pub ipv6_cidrs: Vec<String>,
}

/// A route: where traffic for `destination` (a CIDR or a prefix list) goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub destination: String,
    /// The gateway, NAT gateway, peering, interface or instance it goes to (`local`
    /// inside the VPC).
    pub target: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteTable {
    pub account: String,
    pub region: String,
    pub id: String,
    pub vpc: Option<String>,
    pub routes: Vec<Route>,
    /// The subnets associated with it explicitly.
    pub subnets: Vec<String>,
    /// The VPC's main table: it serves every subnet with no table of its own.
    pub main: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InternetGateway {
    pub account: String,
    pub region: String,
    pub id: String,
    pub vpcs: Vec<String>,
}

/// One numbered entry of a network ACL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclEntry {
    pub rule_number: i64,
    pub egress: bool,
    pub allow: bool,
    pub protocol: Protocol,
    pub cidr: Option<String>,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkAcl {
    pub account: String,
    pub region: String,
    pub id: String,
    pub vpc: Option<String>,
    pub default: bool,
    pub subnets: Vec<String>,
    pub entries: Vec<AclEntry>,
}

/// A load balancer's listener: the port and protocol it answers on, and the TLS
/// policy when it ends TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    pub account: String,
    pub region: String,
    pub arn: String,
    pub load_balancer: Option<String>,
    pub port: Option<i64>,
    pub protocol: Option<String>,
    pub ssl_policy: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    SecurityGroup(SecurityGroup),
    Subnet(Subnet),
    Vpc(Vpc),
    RouteTable(RouteTable),
    InternetGateway(InternetGateway),
    NetworkAcl(NetworkAcl),
    Listener(Listener),
}

/// The fact an item of a network type records, and the warnings met reading it;
/// `None` for a type that is not one of [`super::NETWORK_TYPES`].
pub fn read(item: &ConfigItem<'_>) -> Option<(Fact, Vec<String>)> {
    let mut c = Conf::new(&item.configuration);
    let owned = |v: Option<&std::borrow::Cow<'_, str>>| v.map(|s| s.to_string());
    let account = owned(item.account_id.as_ref()).unwrap_or_default();
    let region = owned(item.region.as_ref()).unwrap_or_default();
    let id = |c: &mut Conf, path: &str| {
        c.text(path)
            .map(|s| s.to_string())
            .or_else(|| owned(item.resource_id.as_ref()))
            .unwrap_or_default()
    };
    let fact = match item.resource_type.as_deref()? {
        "AWS::EC2::SecurityGroup" => {
            let id = id(&mut c, "groupId");
            if !c.has("ipPermissions") {
                c.warn("security group without configuration.ipPermissions: no inbound rules read");
            }
            Fact::SecurityGroup(SecurityGroup {
                name: c.text("groupName").map(|s| s.to_string()),
                vpc: c.text("vpcId").map(|s| s.to_string()),
                ingress: permissions(&mut c, "ipPermissions"),
                egress: permissions(&mut c, "ipPermissionsEgress"),
                account,
                region,
                id,
            })
        }
        "AWS::EC2::Subnet" => Fact::Subnet(Subnet {
            id: id(&mut c, "subnetId"),
            vpc: c.text("vpcId").map(|s| s.to_string()),
            cidr: c
                .text("cidrBlock")
                .and_then(|s| cidr(&mut c, "cidrBlock", &s)),
            ipv6_cidrs: cidrs(&mut c, "ipv6CidrBlockAssociationSet", "ipv6CidrBlock"),
            availability_zone: c.text("availabilityZone").map(|s| s.to_string()),
            public_ip_on_launch: c.flag("mapPublicIpOnLaunch").unwrap_or(false),
            account,
            region,
        }),
        "AWS::EC2::VPC" => {
            let mut v4 = cidrs(&mut c, "cidrBlockAssociationSet", "cidrBlock");
            if let Some(primary) = c
                .text("cidrBlock")
                .and_then(|s| cidr(&mut c, "cidrBlock", &s))
            {
                if !v4.contains(&primary) {
                    v4.insert(0, primary);
                }
            }
            Fact::Vpc(Vpc {
                id: id(&mut c, "vpcId"),
                cidrs: v4,
                ipv6_cidrs: cidrs(&mut c, "ipv6CidrBlockAssociationSet", "ipv6CidrBlock"),
                account,
                region,
            })
        }
        "AWS::EC2::RouteTable" => {
            let associations = c.list("associations");
            let subnets = associations
                .iter()
                .filter_map(|a| c.text_in(a, "subnetId").map(|s| s.to_string()))
                .collect();
            let main = associations
                .iter()
                .any(|a| c.text_in(a, "main").as_deref() == Some("true"));
            Fact::RouteTable(RouteTable {
                id: id(&mut c, "routeTableId"),
                vpc: c.text("vpcId").map(|s| s.to_string()),
                routes: routes(&mut c),
                subnets,
                main,
                account,
                region,
            })
        }
        "AWS::EC2::InternetGateway" => {
            let vpcs = c
                .list("attachments")
                .iter()
                .filter_map(|a| c.text_in(a, "vpcId").map(|s| s.to_string()))
                .collect();
            Fact::InternetGateway(InternetGateway {
                id: id(&mut c, "internetGatewayId"),
                vpcs,
                account,
                region,
            })
        }
        "AWS::EC2::NetworkAcl" => {
            let subnets = c
                .list("associations")
                .iter()
                .filter_map(|a| c.text_in(a, "subnetId").map(|s| s.to_string()))
                .collect();
            Fact::NetworkAcl(NetworkAcl {
                id: id(&mut c, "networkAclId"),
                vpc: c.text("vpcId").map(|s| s.to_string()),
                default: c.flag("isDefault").unwrap_or(false),
                subnets,
                entries: acl_entries(&mut c),
                account,
                region,
            })
        }
        "AWS::ElasticLoadBalancingV2::Listener" => Fact::Listener(Listener {
            arn: id(&mut c, "ListenerArn"),
            load_balancer: c.text("LoadBalancerArn").map(|s| s.to_string()),
            port: number(&mut c, None, "Port"),
            protocol: c.text("Protocol").map(|s| s.to_string()),
            ssl_policy: c.text("SslPolicy").map(|s| s.to_string()),
            account,
            region,
        }),
        _ => return None,
    };
    Some((fact, c.warnings))
}

/// A whole number at `path` (of `element`, else of the configuration).
fn number<'a>(c: &mut Conf<'a>, element: Option<&'a Json<'a>>, path: &str) -> Option<i64> {
    let text = match element {
        Some(e) => c.text_in(e, path)?,
        None => c.text(path)?,
    };
    match text.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            c.warn(format!(
                "configuration.{path} is {text:?}, expected a whole number; ignored"
            ));
            None
        }
    }
}

/// `text` when it is a CIDR block (an address, a slash and a prefix length that fits
/// it); else a warning, and `None`.
fn cidr(c: &mut Conf, path: &str, text: &str) -> Option<String> {
    let parsed = text.split_once('/').and_then(|(address, length)| {
        let address: IpAddr = address.parse().ok()?;
        let length: u8 = length.parse().ok()?;
        let most = if address.is_ipv4() { 32 } else { 128 };
        (length <= most).then_some(())
    });
    match parsed {
        Some(()) => Some(text.to_string()),
        None => {
            c.warn(format!(
                "configuration.{path}: {text:?} is not a CIDR block; left out"
            ));
            None
        }
    }
}

/// The CIDR blocks at `field` of each element of the list at `list`.
fn cidrs(c: &mut Conf, list: &str, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in c.list(list) {
        if let Some(text) = c.text_in(element, field) {
            let path = format!("{list}[].{field}");
            out.extend(cidr(c, &path, &text));
        }
    }
    out
}

/// A security group's rules at `path` (`ipPermissions` or `ipPermissionsEgress`).
fn permissions(c: &mut Conf, path: &str) -> Vec<Permission> {
    let mut out = Vec::new();
    for (i, rule) in c.list(path).iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Some(protocol) = c.text_in(rule, "ipProtocol") else {
            c.warn(format!(
                "configuration.{at} has no ipProtocol; rule left out"
            ));
            continue;
        };
        let mut peers: Vec<Peer> = Vec::new();
        let mut add = |peer: Peer| {
            if !peers.contains(&peer) {
                peers.push(peer);
            }
        };
        // The same CIDRs twice: as strings (`ipRanges`) and as objects (`ipv4Ranges`).
        for range in c.list_in(rule, "ipRanges") {
            let text = match range {
                Json::String(s) => Some(s.to_string()),
                other => c.text_in(other, "cidrIp").map(|s| s.to_string()),
            };
            if let Some(block) = text.and_then(|t| cidr(c, &format!("{at}.ipRanges"), &t)) {
                add(Peer::Cidr(block));
            }
        }
        for (list, field) in [("ipv4Ranges", "cidrIp"), ("ipv6Ranges", "cidrIpv6")] {
            for range in c.list_in(rule, list) {
                let text = c.text_in(range, field).map(|s| s.to_string());
                if let Some(block) = text.and_then(|t| cidr(c, &format!("{at}.{list}"), &t)) {
                    add(Peer::Cidr(block));
                }
            }
        }
        for list in c.list_in(rule, "prefixListIds") {
            if let Some(id) = c.text_in(list, "prefixListId") {
                add(Peer::PrefixList(id.to_string()));
            }
        }
        for pair in c.list_in(rule, "userIdGroupPairs") {
            if let Some(id) = c.text_in(pair, "groupId") {
                let account = c.text_in(pair, "userId").map(|s| s.to_string());
                add(Peer::Group {
                    id: id.to_string(),
                    account,
                });
            }
        }
        out.push(Permission {
            protocol: Protocol::read(&protocol),
            from_port: number(c, Some(rule), "fromPort"),
            to_port: number(c, Some(rule), "toPort"),
            peers,
        });
    }
    out
}

/// A route table's routes; a route with no destination or target is left out, said.
fn routes(c: &mut Conf) -> Vec<Route> {
    const DESTINATIONS: [&str; 3] = [
        "destinationCidrBlock",
        "destinationIpv6CidrBlock",
        "destinationPrefixListId",
    ];
    const TARGETS: [&str; 10] = [
        "gatewayId",
        "natGatewayId",
        "transitGatewayId",
        "vpcPeeringConnectionId",
        "egressOnlyInternetGatewayId",
        "networkInterfaceId",
        "instanceId",
        "localGatewayId",
        "carrierGatewayId",
        "coreNetworkArn",
    ];
    let mut out = Vec::new();
    for (i, route) in c.list("routes").iter().enumerate() {
        let destination = DESTINATIONS.iter().find_map(|p| c.text_in(route, p));
        let target = TARGETS.iter().find_map(|p| c.text_in(route, p));
        match (destination, target) {
            (Some(destination), Some(target)) => out.push(Route {
                destination: destination.to_string(),
                target: target.to_string(),
            }),
            _ => c.warn(format!(
                "configuration.routes[{i}] names no destination or no target; left out"
            )),
        }
    }
    out
}

fn acl_entries(c: &mut Conf) -> Vec<AclEntry> {
    let mut out = Vec::new();
    for (i, entry) in c.list("entries").iter().enumerate() {
        let (Some(number), Some(protocol)) = (
            c.text_in(entry, "ruleNumber").and_then(|n| n.parse().ok()),
            c.text_in(entry, "protocol"),
        ) else {
            c.warn(format!(
                "configuration.entries[{i}] has no rule number or protocol; left out"
            ));
            continue;
        };
        let block = c
            .text_in(entry, "cidrBlock")
            .or_else(|| c.text_in(entry, "ipv6CidrBlock"))
            .map(|s| s.to_string());
        out.push(AclEntry {
            rule_number: number,
            egress: c.text_in(entry, "egress").as_deref() == Some("true"),
            allow: c
                .text_in(entry, "ruleAction")
                .is_some_and(|a| a.eq_ignore_ascii_case("allow")),
            protocol: Protocol::read(&protocol),
            cidr: block.and_then(|b| cidr(c, &format!("entries[{i}]"), &b)),
            from_port: c
                .text_in(entry, "portRange.from")
                .and_then(|n| n.parse().ok()),
            to_port: c
                .text_in(entry, "portRange.to")
                .and_then(|n| n.parse().ok()),
        });
    }
    out
}
