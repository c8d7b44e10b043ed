//! The entries of the ports, protocols and services as [`super::ports`] keeps them:
//! ranges and transports, texts stored once, and how rules and endpoints become
//! entries. Pure, with plain data.

use std::collections::{BTreeMap, BTreeSet};

use hashbrown::HashMap;

use super::attach::{Encryption, Endpoint};
use super::facts::{Peer, Permission, Protocol, SecurityGroup, Vpc};

/// A transport as entries keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Transport {
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// An ELBv2 `TCP_UDP` listener.
    TcpUdp,
    /// Another IP protocol, by its text.
    Other(u32),
}

/// How an entry is encrypted, as kept (TLS with a policy by its words, `TLS (policy)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Enc {
    Tls(Option<u32>),
    Plain,
    NotDetermined,
}

/// A port range and transport, as entries are keyed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Range {
    pub(super) transport: Transport,
    pub(super) from: i32,
    pub(super) to: i32,
}

/// One entry of an asset's list.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub(super) range: Range,
    pub(super) encryption: Enc,
    /// The protocol's short name (`https`, `ssh`, `dns`), when the port or a listener
    /// gives one: see [`Entry::name`].
    name: u8,
    pub(super) sources: u32,
    pub(super) groups: u32,
    /// The range as written (see [`Texts::port`]).
    pub(super) port: u32,
    pub(super) exposure: Exposure,
}

impl Entry {
    pub(super) fn name(&self) -> Option<&'static str> {
        NAMES.get(usize::from(self.name)).copied().flatten()
    }
}

/// The protocol names an entry holds, by number (one byte an entry, where a reference
/// would take sixteen: a run keeps an entry for each port of each set of groups).
const NAMES: [Option<&str>; WELL_KNOWN.len() + 4] = {
    let mut names = [None; WELL_KNOWN.len() + 4];
    let mut i = 0;
    while i < WELL_KNOWN.len() {
        names[i + 1] = Some(WELL_KNOWN[i].1);
        i += 1;
    }
    names[WELL_KNOWN.len() + 1] = Some("tls");
    names[WELL_KNOWN.len() + 2] = Some("icmp");
    names[WELL_KNOWN.len() + 3] = Some("ipv6-icmp");
    names
};

fn name_number(name: Option<&'static str>) -> u8 {
    name.and_then(|n| NAMES.iter().position(|&x| x == Some(n)))
        .unwrap_or(0) as u8
}

/// Who may reach an entry, when no rule says.
pub(super) const NO_GROUP: &str = "no security group filters it (routes and network ACLs decide)";
pub(super) const GROUP_NOT_READ: &str = "not determined: its security group was not read";

pub(super) type Key<'a> = (&'a str, &'a str, &'a str);

/// An inbound rule as the entries use it: its range, its sources' texts, its group's.
pub(super) struct Rule {
    pub(super) range: Range,
    pub(super) sources: Vec<u32>,
    pub(super) group: u32,
    /// It admits the internet (`0.0.0.0/0` or `::/0`).
    pub(super) from_internet: bool,
}

/// What KSI-CNA-RNT flags in an entry: ingress from the internet to any port other
/// than 80 and 443 (TCP), or all traffic from the internet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Exposure {
    #[default]
    None,
    OtherPort,
    AllTraffic,
}

impl Exposure {
    fn of(range: &Range, from_internet: bool) -> Exposure {
        let web = range.transport == Transport::Tcp
            && range.from == range.to
            && matches!(range.from, 80 | 443);
        match (from_internet, range.transport) {
            (false, _) => Exposure::None,
            (true, Transport::All) => Exposure::AllTraffic,
            (true, _) if web => Exposure::None,
            (true, _) => Exposure::OtherPort,
        }
    }

    /// The ports table's KSI-CNA-RNT column.
    pub fn describe(self) -> &'static str {
        match self {
            Exposure::None => "",
            Exposure::OtherPort => "ingress from the internet to a port other than 80/443",
            Exposure::AllTraffic => "all traffic from the internet",
        }
    }
}

/// Texts stored once.
#[derive(Default)]
pub(super) struct Texts {
    pub(super) list: Vec<Box<str>>,
    pub(super) index: HashMap<Box<str>, u32>,
    /// Joined texts by what they join (see [`Texts::joined`]): the separator's
    /// number, then the texts'.
    pub(super) joins: HashMap<Vec<u32>, u32>,
    pub(super) key: Vec<u32>,
    /// The texts of ranges (see [`Texts::port`]).
    ports: HashMap<Range, u32>,
}

impl Texts {
    pub(super) fn id(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(text.into());
        self.index.insert(text.into(), i);
        i
    }

    /// The range as the tables write its port: `443`, `1024-65535`, `0-65535` for every
    /// port, an ICMP type or `all`. Made once per range, not once per line.
    pub(super) fn port(&mut self, range: &Range) -> u32 {
        if let Some(&i) = self.ports.get(range) {
            return i;
        }
        let text = match range.transport {
            Transport::Icmp | Transport::Icmpv6 if range.from < 0 => "all".to_string(),
            Transport::Other(_) => "all".to_string(),
            _ if range.from == range.to => range.from.to_string(),
            _ => format!("{}-{}", range.from, range.to),
        };
        let i = self.id(&text);
        self.ports.insert(*range, i);
        i
    }

    /// The texts of `ids` in text order, each once, joined with `sep`: made once per
    /// set of texts.
    pub(super) fn joined(&mut self, ids: impl IntoIterator<Item = u32>, sep: Sep) -> u32 {
        self.key.clear();
        self.key.extend(ids);
        self.key.sort_unstable();
        self.key.dedup();
        self.key.insert(0, sep as u32);
        if let Some(&i) = self.joins.get(self.key.as_slice()) {
            return i;
        }
        let mut words: Vec<&str> = self.key[1..]
            .iter()
            .map(|&i| &*self.list[i as usize])
            .collect();
        words.sort_unstable();
        let text = words.join(sep.text());
        let key = std::mem::take(&mut self.key);
        let i = self.id(&text);
        self.joins.insert(key, i);
        i
    }
}

/// How joined texts are separated: sources by "; ", groups by ", ".
#[derive(Clone, Copy)]
pub(super) enum Sep {
    Sources,
    Groups,
}

impl Sep {
    pub(super) fn text(self) -> &'static str {
        match self {
            Sep::Sources => "; ",
            Sep::Groups => ", ",
        }
    }
}

impl Range {
    pub(super) fn of_rule(p: &Permission, texts: &mut Texts) -> Range {
        let port = |p: Option<i64>, default: i32| p.map_or(default, |n| n.clamp(-1, 65_535) as i32);
        let (transport, from, to) = match &p.protocol {
            Protocol::All => (Transport::All, 0, 65_535),
            Protocol::Tcp => (
                Transport::Tcp,
                port(p.from_port, 0),
                port(p.to_port, 65_535),
            ),
            Protocol::Udp => (
                Transport::Udp,
                port(p.from_port, 0),
                port(p.to_port, 65_535),
            ),
            // An ICMP rule's fromPort is the type (-1: every type).
            Protocol::Icmp => {
                let t = port(p.from_port, -1);
                (Transport::Icmp, t, t)
            }
            Protocol::Icmpv6 => {
                let t = port(p.from_port, -1);
                (Transport::Icmpv6, t, t)
            }
            Protocol::Other(name) => (Transport::Other(texts.id(name)), -1, -1),
        };
        Range {
            transport,
            from,
            to,
        }
    }

    pub(super) fn of_endpoint(e: &Endpoint, texts: &mut Texts) -> Range {
        let transport = match &e.transport {
            Protocol::All => Transport::All,
            Protocol::Tcp => Transport::Tcp,
            Protocol::Udp => Transport::Udp,
            Protocol::Icmp => Transport::Icmp,
            Protocol::Icmpv6 => Transport::Icmpv6,
            Protocol::Other(p) if p == "TCP_UDP" => Transport::TcpUdp,
            Protocol::Other(p) => Transport::Other(texts.id(p)),
        };
        let port = e.port.clamp(0, 65_535) as i32;
        Range {
            transport,
            from: port,
            to: port,
        }
    }

    /// Whether a rule of this range lets traffic reach `e`.
    pub(super) fn covers(&self, e: &Range) -> bool {
        let transport = self.transport == Transport::All
            || self.transport == e.transport
            || (e.transport == Transport::TcpUdp
                && matches!(self.transport, Transport::Tcp | Transport::Udp));
        transport && self.from <= e.from && e.to <= self.to
    }
}

/// The inbound rules of `groups`: range, the texts of its sources, its group's text.
pub(super) fn rules_of(
    groups: &[&SecurityGroup],
    account: &str,
    vpcs: &HashMap<Key, &Vpc>,
    texts: &mut Texts,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    for group in groups {
        let vpc = group
            .vpc
            .as_ref()
            .and_then(|v| vpcs.get(&(group.account.as_str(), group.region.as_str(), v.as_str())));
        let id = texts.id(&group.id);
        for rule in &group.ingress {
            if rule.peers.is_empty() {
                continue;
            }
            let sources = rule
                .peers
                .iter()
                .map(|p| texts.id(&source(p, account, vpc.copied())))
                .collect();
            let from_internet = rule
                .peers
                .iter()
                .any(|p| matches!(p, Peer::Cidr(c) if c == "0.0.0.0/0" || c == "::/0"));
            rules.push(Rule {
                range: Range::of_rule(rule, texts),
                sources,
                group: id,
                from_internet,
            });
        }
    }
    rules
}

/// The entries of rules alone, one per range and transport, in range order.
pub(super) fn rule_entries(rules: &[Rule], texts: &mut Texts) -> Vec<Entry> {
    type Sets = (BTreeSet<u32>, BTreeSet<u32>, bool);
    let mut building: BTreeMap<Range, Sets> = BTreeMap::new();
    for rule in rules {
        let (s, g, internet) = building.entry(rule.range).or_default();
        s.extend(rule.sources.iter().copied());
        g.insert(rule.group);
        *internet |= rule.from_internet;
    }
    building
        .into_iter()
        .map(|(range, (sources, groups, internet))| Entry {
            range,
            encryption: Enc::NotDetermined,
            name: name_number(protocol_name(&range, None)),
            sources: texts.joined(sources, Sep::Sources),
            groups: texts.joined(groups, Sep::Groups),
            port: texts.port(&range),
            exposure: Exposure::of(&range, internet),
        })
        .collect()
}

/// Adds an asset's endpoints to the entries of its rules (`list`, in range order):
/// each where a rule permits it (or no group filters it, or a group was not read), on
/// the entry of its own range (made, or taken over from the rule of the same range),
/// with what the endpoint says of the protocol and its encryption.
pub(super) fn add_endpoints(
    list: &mut Vec<Entry>,
    rules: &[Rule],
    (read_any, missing): (bool, bool),
    endpoints: &[Endpoint],
    texts: &mut Texts,
) {
    for endpoint in endpoints {
        let range = Range::of_endpoint(endpoint, texts);
        let mut sources = Vec::new();
        let mut groups = Vec::new();
        let mut internet = false;
        for rule in rules {
            if rule.range.covers(&range) {
                sources.extend(rule.sources.iter().copied());
                groups.push(rule.group);
                internet |= rule.from_internet;
            }
        }
        if sources.is_empty() {
            if read_any && !missing {
                // Its groups permit nothing to it: not reachable, no entry.
                continue;
            }
            let why = if missing { GROUP_NOT_READ } else { NO_GROUP };
            sources.push(texts.id(why));
        }
        let encryption = match &endpoint.encryption {
            Encryption::Tls(policy) => {
                Enc::Tls(policy.as_deref().map(|p| texts.id(&format!("TLS ({p})"))))
            }
            Encryption::None => Enc::Plain,
            Encryption::NotDetermined => Enc::NotDetermined,
        };
        let entry = Entry {
            range,
            encryption,
            name: name_number(protocol_name(&range, endpoint.protocol.as_deref())),
            sources: texts.joined(sources, Sep::Sources),
            groups: texts.joined(groups, Sep::Groups),
            port: texts.port(&range),
            exposure: Exposure::of(&range, internet),
        };
        match list.binary_search_by(|e| e.range.cmp(&range)) {
            Ok(i) => list[i] = entry,
            Err(i) => list.insert(i, entry),
        }
    }
}

/// A peer as the tables summarise it: the internet, the VPC's own range, a prefix
/// list, another security group, or another CIDR.
pub(super) fn source(peer: &Peer, account: &str, vpc: Option<&Vpc>) -> String {
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
const WELL_KNOWN: &[(i32, &str)] = &[
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
pub(super) fn protocol_name(range: &Range, application: Option<&str>) -> Option<&'static str> {
    if let Some(app) = application {
        for name in ["http", "https", "tls"] {
            if app.eq_ignore_ascii_case(name) {
                return Some(name);
            }
        }
    }
    match range.transport {
        Transport::Icmp => Some("icmp"),
        Transport::Icmpv6 => Some("ipv6-icmp"),
        Transport::Tcp | Transport::Udp if range.from == range.to => WELL_KNOWN
            .iter()
            .find(|(p, _)| *p == range.from)
            .map(|(_, n)| *n),
        _ => None,
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn every_protocol_name_an_entry_can_hold_survives_its_byte() {
        let listener_names = ["http", "https", "tls", "icmp", "ipv6-icmp"];
        let names = WELL_KNOWN.iter().map(|(_, n)| *n).chain(listener_names);
        for name in names {
            let n = name_number(Some(name));
            assert_ne!(n, 0, "{name} has no number");
            assert_eq!(NAMES[usize::from(n)], Some(name));
        }
        assert_eq!(name_number(None), 0);
        assert_eq!(NAMES[0], None);
    }
}
