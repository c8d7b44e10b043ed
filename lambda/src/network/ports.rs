//! Ports, protocols and services: one entry for each service reachable on an inventory
//! asset, by port (or range) and transport, derived from the inbound rules of the
//! security groups attached to it, the listeners of a load balancer and the endpoint
//! ports a database or cache records.
//!
//! A rule and an endpoint on the same port and transport are one entry: the rule says
//! who may reach it, the endpoint what speaks there and how it is encrypted. An
//! endpoint inside a wider rule (a listener on 443, a rule for every port) is an entry
//! of its own as well. An endpoint no attached rule permits is not reachable and gives
//! no entry; on an asset with no security group at all (a Network Load Balancer
//! without one), it is listed with that said.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::attach::{Attachment, Encryption, Endpoint};
use super::facts::{Listener, Peer, Permission, Protocol, SecurityGroup, Vpc};
use super::NetworkFacts;
use crate::network::attach::listener_endpoint;

/// What the inventory lists for an attached asset: read back from its row, so the
/// entries name it as the workbook does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listed {
    pub asset_type: String,
    /// The Diagram Label, else the asset's name, else empty (the id stands for it).
    pub label: String,
}

/// One row of the ports, protocols and services table (and of the SDR's
/// `portsAndProtocols`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortEntry {
    pub account: String,
    pub region: String,
    pub asset_id: String,
    pub asset_type: String,
    pub label: String,
    /// `443`, `1024-65535`, `0-65535` for every port, an ICMP type or `all`.
    pub port: String,
    /// `TCP`, `UDP`, `all`, `ICMP`, `ICMPv6`, or the protocol the rule names.
    pub transport: String,
    pub service: String,
    /// The protocol's short name, as OSCAL's `protocols` and GSA's rules name it
    /// (`https`, `ssh`, `dns`), when the port or listener gives one.
    pub protocol_name: Option<String>,
    pub encryption: String,
    pub purpose: String,
    /// Who may reach it, summarised (`internet (0.0.0.0/0)`, `security group sg-1`),
    /// each once, joined with "; ".
    pub sources: String,
    /// The security groups whose rules permit it, joined with ", " (empty when none
    /// filters it).
    pub groups: String,
    /// The port range as numbers (`-1` for ICMP types and protocols without ports).
    pub from: i64,
    pub to: i64,
}

/// A security group by where it lives, for the Run Summary.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupRef {
    pub account: String,
    pub region: String,
    pub id: String,
}

/// What the run derived from the network facts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    pub ports: Vec<PortEntry>,
    /// Security groups read that no asset of the run is attached to: they permit
    /// nothing to anything, so they give no entry (counted, never silent).
    pub unattached_groups: Vec<GroupRef>,
    /// Security groups an asset is attached to that were not read (Config does not
    /// record the type there, or the item was not found): who may reach the asset
    /// through them is not known.
    pub groups_not_read: Vec<GroupRef>,
    /// Inventory assets with at least one security group or endpoint.
    pub attached_assets: u64,
}

/// Who may reach an entry, when no rule says.
const NO_GROUP: &str = "no security group filters it (routes and network ACLs decide)";
const GROUP_NOT_READ: &str = "not determined: its security group was not read";

type Key = (String, String, String);

fn key(account: &str, region: &str, id: &str) -> Key {
    (account.to_string(), region.to_string(), id.to_string())
}

/// The entries of every listed asset (`assets[i]` is what the inventory lists for
/// `attachments[i]`; attachments of assets not listed, such as a network interface
/// folded into its instance, are given with `None`: their groups count as attached, and
/// they give no entry).
pub fn derive(
    facts: &NetworkFacts,
    attachments: &[Attachment],
    assets: &[Option<Listed>],
) -> Evidence {
    let groups: HashMap<Key, &SecurityGroup> = facts
        .security_groups
        .iter()
        .map(|g| (key(&g.account, &g.region, &g.id), g))
        .collect();
    let vpcs: HashMap<Key, &Vpc> = facts
        .vpcs
        .iter()
        .map(|v| (key(&v.account, &v.region, &v.id), v))
        .collect();
    let mut listeners: HashMap<Key, Vec<&Listener>> = HashMap::new();
    for l in &facts.listeners {
        if let Some(lb) = &l.load_balancer {
            listeners
                .entry(key(&l.account, &l.region, lb))
                .or_default()
                .push(l);
        }
    }
    let mut attached: HashSet<Key> = HashSet::new();
    let mut not_read: BTreeSet<GroupRef> = BTreeSet::new();
    let mut evidence = Evidence::default();
    for (attachment, listed) in attachments.iter().zip(assets) {
        for id in &attachment.groups {
            attached.insert(key(&attachment.account, &attachment.region, id));
        }
        let Some(listed) = listed else { continue };
        let mut endpoints = attachment.endpoints.clone();
        let own = key(
            &attachment.account,
            &attachment.region,
            &attachment.asset_id,
        );
        for l in listeners.get(&own).into_iter().flatten() {
            if let (Some(port), Some(protocol)) = (l.port, &l.protocol) {
                endpoints.push(listener_endpoint(port, protocol, l.ssl_policy.clone()));
            }
        }
        let mut read = Vec::new();
        let mut missing = false;
        for id in &attachment.groups {
            match groups.get(&key(&attachment.account, &attachment.region, id)) {
                Some(g) => read.push(*g),
                None => {
                    missing = true;
                    not_read.insert(GroupRef {
                        account: attachment.account.clone(),
                        region: attachment.region.clone(),
                        id: id.clone(),
                    });
                }
            }
        }
        if attachment.groups.is_empty() && endpoints.is_empty() {
            continue;
        }
        evidence.attached_assets += 1;
        let entries = asset_entries(attachment, listed, &read, &endpoints, missing, &vpcs);
        evidence.ports.extend(entries);
    }
    evidence.unattached_groups = facts
        .security_groups
        .iter()
        .filter(|g| !attached.contains(&key(&g.account, &g.region, &g.id)))
        .map(|g| GroupRef {
            account: g.account.clone(),
            region: g.region.clone(),
            id: g.id.clone(),
        })
        .collect();
    evidence.unattached_groups.sort();
    evidence.unattached_groups.dedup();
    evidence.groups_not_read = not_read.into_iter().collect();
    evidence.ports.sort_by(|a, b| {
        (
            &a.account,
            &a.region,
            &a.asset_id,
            &a.transport,
            a.from,
            a.to,
        )
            .cmp(&(
                &b.account,
                &b.region,
                &b.asset_id,
                &b.transport,
                b.from,
                b.to,
            ))
    });
    evidence
}

/// A port range and transport, as entries are keyed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Range {
    transport: Protocol,
    from: i64,
    to: i64,
}

impl Range {
    fn of_rule(p: &Permission) -> Range {
        let (from, to) = match p.protocol {
            Protocol::All => (0, 65_535),
            Protocol::Tcp | Protocol::Udp => {
                (p.from_port.unwrap_or(0), p.to_port.unwrap_or(65_535))
            }
            // An ICMP rule's fromPort is the type (-1: every type).
            Protocol::Icmp | Protocol::Icmpv6 => {
                let t = p.from_port.unwrap_or(-1);
                (t, t)
            }
            Protocol::Other(_) => (-1, -1),
        };
        Range {
            transport: p.protocol.clone(),
            from,
            to,
        }
    }

    fn of_endpoint(e: &Endpoint) -> Range {
        Range {
            transport: e.transport.clone(),
            from: e.port,
            to: e.port,
        }
    }

    /// Whether a rule of this range lets traffic reach `endpoint`.
    fn covers(&self, e: &Range) -> bool {
        let transport = self.transport == Protocol::All
            || self.transport == e.transport
            || matches!(&e.transport, Protocol::Other(t) if t == "TCP_UDP"
                && matches!(self.transport, Protocol::Tcp | Protocol::Udp));
        transport && self.from <= e.from && e.to <= self.to
    }

    fn port_text(&self) -> String {
        match self.transport {
            Protocol::Icmp | Protocol::Icmpv6 if self.from < 0 => "all".into(),
            Protocol::Other(_) => "all".into(),
            _ if self.from == self.to => self.from.to_string(),
            _ => format!("{}-{}", self.from, self.to),
        }
    }

    fn transport_text(&self) -> String {
        match &self.transport {
            Protocol::All => "all".into(),
            Protocol::Tcp => "TCP".into(),
            Protocol::Udp => "UDP".into(),
            Protocol::Icmp => "ICMP".into(),
            Protocol::Icmpv6 => "ICMPv6".into(),
            Protocol::Other(p) if p == "TCP_UDP" => "TCP and UDP".into(),
            Protocol::Other(p) => format!("IP protocol {p}"),
        }
    }
}

#[derive(Default)]
struct Building {
    sources: BTreeSet<String>,
    groups: BTreeSet<String>,
    endpoint: Option<Endpoint>,
}

fn asset_entries(
    attachment: &Attachment,
    listed: &Listed,
    groups: &[&SecurityGroup],
    endpoints: &[Endpoint],
    missing: bool,
    vpcs: &HashMap<Key, &Vpc>,
) -> Vec<PortEntry> {
    let mut building: BTreeMap<Range, Building> = BTreeMap::new();
    let mut rules: Vec<(Range, BTreeSet<String>, &str)> = Vec::new();
    for group in groups {
        let vpc = group
            .vpc
            .as_ref()
            .and_then(|v| vpcs.get(&key(&group.account, &group.region, v)));
        for rule in &group.ingress {
            if rule.peers.is_empty() {
                continue;
            }
            let sources = rule
                .peers
                .iter()
                .map(|p| source(p, &attachment.account, vpc.copied()))
                .collect();
            rules.push((Range::of_rule(rule), sources, &group.id));
        }
    }
    for (range, sources, group) in &rules {
        let b = building.entry(range.clone()).or_default();
        b.sources.extend(sources.iter().cloned());
        b.groups.insert(group.to_string());
    }
    for endpoint in endpoints {
        let range = Range::of_endpoint(endpoint);
        let covering: Vec<_> = rules.iter().filter(|(r, _, _)| r.covers(&range)).collect();
        if covering.is_empty() && !groups.is_empty() && !missing {
            // Its groups permit nothing to it: not reachable, no entry.
            continue;
        }
        let b = building.entry(range).or_default();
        for (_, sources, group) in covering {
            b.sources.extend(sources.iter().cloned());
            b.groups.insert(group.to_string());
        }
        if b.sources.is_empty() {
            b.sources
                .insert(if missing { GROUP_NOT_READ } else { NO_GROUP }.to_string());
        }
        b.endpoint = Some(endpoint.clone());
    }
    building
        .into_iter()
        .map(|(range, b)| entry(attachment, listed, &range, b))
        .collect()
}

fn entry(attachment: &Attachment, listed: &Listed, range: &Range, b: Building) -> PortEntry {
    let application = b.endpoint.as_ref().and_then(|e| e.protocol.as_deref());
    let protocol_name = protocol_name(range, application);
    let service = service(range, protocol_name.as_deref(), &listed.asset_type);
    let encryption = b
        .endpoint
        .as_ref()
        .map_or(Encryption::NotDetermined, |e| e.encryption.clone())
        .describe();
    let groups = b.groups.into_iter().collect::<Vec<_>>().join(", ");
    let sources = b.sources.into_iter().collect::<Vec<_>>().join("; ");
    let port = range.port_text();
    let transport = range.transport_text();
    let purpose = attachment.purpose.clone().unwrap_or_else(|| {
        let to = if listed.label.is_empty() {
            &attachment.asset_id
        } else {
            &listed.label
        };
        let asset_type = &listed.asset_type;
        if groups.is_empty() {
            format!("{transport} {port} to {asset_type} {to}; {sources}")
        } else {
            format!("{transport} {port} to {asset_type} {to}, from {sources}, as {groups} permits")
        }
    });
    PortEntry {
        account: attachment.account.clone(),
        region: attachment.region.clone(),
        asset_id: attachment.asset_id.clone(),
        asset_type: listed.asset_type.clone(),
        label: listed.label.clone(),
        port,
        transport,
        service,
        protocol_name,
        encryption,
        purpose,
        sources,
        groups,
        from: range.from,
        to: range.to,
    }
}

/// A peer as the tables summarise it: the internet, the VPC's own range, a prefix
/// list, another security group, or another CIDR.
fn source(peer: &Peer, account: &str, vpc: Option<&Vpc>) -> String {
    match peer {
        Peer::Cidr(c) if c == "0.0.0.0/0" || c == "::/0" => format!("internet ({c})"),
        Peer::Cidr(c) => {
            let Some(vpc) = vpc else {
                return format!("CIDR {c}");
            };
            let ranges = vpc.cidrs.iter().chain(&vpc.ipv6_cidrs);
            if ranges.clone().any(|r| r == c) {
                format!("VPC CIDR {c} ({})", vpc.id)
            } else if ranges.clone().any(|r| cidr_within(c, r)) {
                format!("CIDR {c} (inside {})", vpc.id)
            } else {
                format!("CIDR {c}")
            }
        }
        Peer::PrefixList(id) => format!("prefix list {id}"),
        Peer::Group {
            id,
            account: Some(other),
        } if other != account => format!("security group {id} of account {other}"),
        Peer::Group { id, .. } => format!("security group {id}"),
    }
}

/// Whether the block `inner` lies inside `outer` (both as written, already checked to
/// be CIDR blocks when read).
pub fn cidr_within(inner: &str, outer: &str) -> bool {
    fn parse(c: &str) -> Option<(u128, u8, bool)> {
        let (address, length) = c.split_once('/')?;
        let length: u8 = length.parse().ok()?;
        match address.parse::<std::net::IpAddr>().ok()? {
            std::net::IpAddr::V4(a) => Some(((u32::from(a) as u128) << 96, length, true)),
            std::net::IpAddr::V6(a) => Some((u128::from(a), length, false)),
        }
    }
    let (Some((a, la, v4a)), Some((b, lb, v4b))) = (parse(inner), parse(outer)) else {
        return false;
    };
    if v4a != v4b {
        return false;
    }
    // An IPv4 address sits in the top 32 bits, so its prefix counts from the top too.
    if la < lb {
        return false;
    }
    let mask = if lb == 0 {
        0
    } else {
        u128::MAX << (128 - lb as u32)
    };
    a & mask == b & mask
}

/// Well-known ports by IANA's service names; `dns` for 53 (IANA: `domain`) as GSA's
/// rule `has-expected-network-protocols` names it.
const WELL_KNOWN: &[(i64, &str)] = &[
    (20, "ftp-data"),
    (21, "ftp"),
    (22, "ssh"),
    (23, "telnet"),
    (25, "smtp"),
    (53, "dns"),
    (69, "tftp"),
    (80, "http"),
    (88, "kerberos"),
    (110, "pop3"),
    (123, "ntp"),
    (143, "imap"),
    (161, "snmp"),
    (389, "ldap"),
    (443, "https"),
    (445, "microsoft-ds"),
    (465, "submissions"),
    (514, "syslog"),
    (587, "submission"),
    (636, "ldaps"),
    (853, "domain-s"),
    (993, "imaps"),
    (995, "pop3s"),
    (1433, "ms-sql-s"),
    (2049, "nfs"),
    (3306, "mysql"),
    (3389, "ms-wbt-server"),
    (5432, "postgresql"),
    (5671, "amqps"),
    (5672, "amqp"),
    (6379, "redis"),
    (8080, "http-alt"),
    (11211, "memcache"),
    (27017, "mongodb"),
];

/// The protocol's short name: the listener's own (`HTTPS` -> `https`, `TLS` -> `tls`),
/// else the port's IANA name.
fn protocol_name(range: &Range, application: Option<&str>) -> Option<String> {
    if let Some(app) = application {
        let lower = app.to_ascii_lowercase();
        if matches!(lower.as_str(), "http" | "https" | "tls") {
            return Some(lower);
        }
    }
    match range.transport {
        Protocol::Icmp => Some("icmp".into()),
        Protocol::Icmpv6 => Some("ipv6-icmp".into()),
        Protocol::Tcp | Protocol::Udp if range.from == range.to => WELL_KNOWN
            .iter()
            .find(|(p, _)| *p == range.from)
            .map(|(_, n)| n.to_string()),
        _ => None,
    }
}

fn service(range: &Range, name: Option<&str>, asset_type: &str) -> String {
    match (&range.transport, name) {
        (Protocol::All, _) => format!("all traffic ({asset_type})"),
        (_, Some(n)) => format!("{n} ({asset_type})"),
        (Protocol::Other(p), None) if p != "TCP_UDP" => format!("IP protocol {p} ({asset_type})"),
        _ if range.from == range.to => format!("{asset_type} port {}", range.from),
        _ => format!("{asset_type} ports {}-{}", range.from, range.to),
    }
}
