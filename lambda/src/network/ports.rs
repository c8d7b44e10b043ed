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
//!
//! Kept compactly, as the inventory is: assets attached to the same groups in the same
//! place and with no port of their own (most instances) share one list of entries, and
//! the texts (sources, groups, policies) are stored once. A line's words are made when
//! it is written.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use hashbrown::{HashMap, HashSet};

use super::attach::{listener_endpoint, Attachment, Encryption, Endpoint, NOT_DETERMINED};
use super::facts::{Listener, Peer, Permission, Protocol, SecurityGroup, Vpc};
use super::NetworkFacts;
use crate::fields::Field;

/// What the derivation reads of the inventory's assets, by stored index: where each
/// sits and how it is listed, so the entries name it as the workbook does.
pub trait AssetNames {
    /// False for an asset the inventory left out (a network interface folded into its
    /// instance, a resource recorded twice).
    fn listed(&self, asset: u32) -> bool;
    fn place(&self, asset: u32) -> (&str, &str);
    fn cell(&self, asset: u32, field: Field) -> &str;
}

/// The attachments of a run's assets as the gatherer keeps them: security group ids
/// stored once each.
#[derive(Debug, Default)]
pub struct Attachments {
    ids: Vec<Box<str>>,
    by_id: HashMap<Box<str>, u32>,
    refs: Vec<u32>,
    kept: Vec<Kept>,
}

#[derive(Debug)]
struct Kept {
    asset: u32,
    first: u32,
    count: u32,
    endpoints: Vec<Endpoint>,
    purpose: Option<Box<str>>,
    name: Option<Box<str>>,
}

impl Attachments {
    /// Keeps the attachment of the stored asset `asset`.
    pub fn add(&mut self, asset: u32, attachment: Attachment) {
        let first = self.refs.len() as u32;
        for id in attachment.groups {
            let next = self.ids.len() as u32;
            let n = *self.by_id.entry(id.clone().into()).or_insert(next);
            if n == next {
                self.ids.push(id.into());
            }
            self.refs.push(n);
        }
        self.kept.push(Kept {
            asset,
            first,
            count: self.refs.len() as u32 - first,
            endpoints: attachment.endpoints,
            purpose: attachment.purpose.map(Into::into),
            name: attachment.name.map(Into::into),
        });
    }

    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    fn groups(&self, k: &Kept) -> &[u32] {
        &self.refs[k.first as usize..(k.first + k.count) as usize]
    }
}

/// A transport as entries keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Transport {
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

/// How an entry is encrypted, as kept (a policy by its text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Enc {
    Tls(Option<u32>),
    Plain,
    NotDetermined,
}

/// A port range and transport, as entries are keyed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Range {
    transport: Transport,
    from: i32,
    to: i32,
}

/// One entry of an asset's list.
#[derive(Clone, Copy, Debug)]
struct Entry {
    range: Range,
    encryption: Enc,
    /// The protocol's short name (`https`, `ssh`, `dns`), when the port or a listener
    /// gives one.
    name: Option<&'static str>,
    sources: u32,
    groups: u32,
}

/// An asset with entries, and where they are (shared lists are shared).
#[derive(Clone, Copy, Debug)]
struct Listed {
    asset: u32,
    first: u32,
    count: u32,
    /// The purpose tag's text, and the asset's Config name, when given.
    purpose: Option<u32>,
    name: Option<u32>,
}

/// A security group by where it lives, for the Run Summary.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupRef {
    pub account: String,
    pub region: String,
    pub id: String,
}

/// What the run derived from the network facts.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    texts: Vec<Box<str>>,
    entries: Vec<Entry>,
    /// In account, region and identifier order.
    listed: Vec<Listed>,
    /// `ends[k]`: the lines of `listed[..=k]`.
    ends: Vec<u64>,
    /// Security groups read that no asset of the run is attached to: they permit
    /// nothing to anything, so they give no entry (counted, never silent).
    pub unattached_groups: Vec<GroupRef>,
    /// Security groups an asset is attached to that were not read (Config does not
    /// record the type there, or the item was not found): who may reach the asset
    /// through them is not known.
    pub groups_not_read: Vec<GroupRef>,
    /// Inventory assets with at least one security group or listening port.
    pub attached_assets: u64,
    /// The longest text kept, in bytes: with the inventory's longest value, a bound on
    /// the longest word of a line.
    pub longest_text: usize,
}

/// One entry, in words: a line of the ports table, an item of the SDR's
/// `portsAndProtocols`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortLine<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub asset_id: &'a str,
    pub asset_type: &'a str,
    /// The Diagram Label, else the asset's Config name, else empty.
    pub label: &'a str,
    /// `443`, `1024-65535`, `0-65535` for every port, an ICMP type or `all`.
    pub port: String,
    /// `TCP`, `UDP`, `all`, `ICMP`, `ICMPv6`, `TCP and UDP`, `IP protocol N`.
    pub transport: Cow<'a, str>,
    pub service: Cow<'a, str>,
    /// The protocol's short name, as OSCAL's `protocols` and GSA's rules name it.
    pub protocol_name: Option<&'static str>,
    pub encryption: Cow<'a, str>,
    pub purpose: Cow<'a, str>,
    /// The port range as numbers and the transports it is open on, as OSCAL's
    /// `port-ranges` give them (TCP, UDP): none for ICMP and other protocols.
    pub range: Option<(u16, u16)>,
    pub transports: &'static [&'static str],
    /// Who may reach it, each once, joined with "; ".
    pub sources: &'a str,
    /// The security groups whose rules permit it, joined with ", ".
    pub groups: &'a str,
}

impl Evidence {
    /// How many entries (lines) there are.
    pub fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Line `i` (less than [`Self::len`]), in account, region, asset, transport and
    /// port order.
    pub fn line<'a>(&'a self, i: usize, names: &'a impl AssetNames) -> PortLine<'a> {
        let k = self.ends.partition_point(|&end| end <= i as u64);
        let listed = &self.listed[k];
        let before = if k == 0 { 0 } else { self.ends[k - 1] };
        let entry = &self.entries[(listed.first as u64 + i as u64 - before) as usize];
        self.words(listed, entry, names)
    }

    /// Where each asset's lines are, by its stored index: for an output that walks the
    /// assets (OSCAL's components), not the lines.
    pub fn by_asset(&self) -> HashMap<u32, usize> {
        self.listed
            .iter()
            .enumerate()
            .map(|(k, l)| (l.asset, k))
            .collect()
    }

    /// The lines of the asset at `k` of [`Self::by_asset`].
    pub fn lines_of<'a>(
        &'a self,
        k: usize,
        names: &'a impl AssetNames,
    ) -> impl Iterator<Item = PortLine<'a>> {
        let listed = &self.listed[k];
        let list = &self.entries[listed.first as usize..(listed.first + listed.count) as usize];
        list.iter().map(move |e| self.words(listed, e, names))
    }

    pub fn lines<'a>(&'a self, names: &'a impl AssetNames) -> impl Iterator<Item = PortLine<'a>> {
        self.listed.iter().flat_map(move |listed| {
            let list = &self.entries[listed.first as usize..(listed.first + listed.count) as usize];
            list.iter().map(move |e| self.words(listed, e, names))
        })
    }

    fn text(&self, i: u32) -> &str {
        &self.texts[i as usize]
    }

    fn words<'a>(
        &'a self,
        listed: &Listed,
        entry: &Entry,
        names: &'a impl AssetNames,
    ) -> PortLine<'a> {
        let (account, region) = names.place(listed.asset);
        let asset_id = names.cell(listed.asset, Field::AssetId);
        let asset_type = names.cell(listed.asset, Field::AssetType);
        let label = match names.cell(listed.asset, Field::DiagramLabel) {
            "" => listed.name.map_or("", |n| self.text(n)),
            l => l,
        };
        let range = entry.range;
        let port = match range.transport {
            Transport::Icmp | Transport::Icmpv6 if range.from < 0 => "all".into(),
            Transport::Other(_) => "all".into(),
            _ if range.from == range.to => range.from.to_string(),
            _ => format!("{}-{}", range.from, range.to),
        };
        let transport: Cow<str> = match range.transport {
            Transport::All => "all".into(),
            Transport::Tcp => "TCP".into(),
            Transport::Udp => "UDP".into(),
            Transport::Icmp => "ICMP".into(),
            Transport::Icmpv6 => "ICMPv6".into(),
            Transport::TcpUdp => "TCP and UDP".into(),
            Transport::Other(p) => format!("IP protocol {}", self.text(p)).into(),
        };
        // The port's IANA name where it has one, else what the asset kind says.
        let service: Cow<str> = match (range.transport, entry.name) {
            (Transport::All, _) => "all traffic".into(),
            (_, Some(n)) => n.into(),
            (Transport::Other(p), None) => format!("IP protocol {}", self.text(p)).into(),
            _ if range.from == range.to => format!("{asset_type} port {}", range.from).into(),
            _ => format!("{asset_type} ports {}-{}", range.from, range.to).into(),
        };
        let encryption: Cow<str> = match entry.encryption {
            Enc::Tls(Some(policy)) => format!("TLS ({})", self.text(policy)).into(),
            Enc::Tls(None) => "TLS".into(),
            Enc::Plain => "None".into(),
            Enc::NotDetermined => NOT_DETERMINED.into(),
        };
        let (sources, groups) = (self.text(entry.sources), self.text(entry.groups));
        // What the rule permits and to which asset; who from is the Sources column's.
        let purpose: Cow<str> = match listed.purpose {
            Some(p) => self.text(p).into(),
            None => {
                let to = if label.is_empty() { asset_id } else { label };
                format!("{transport} {port} to {to}").into()
            }
        };
        let transports: &'static [&'static str] = match range.transport {
            Transport::Tcp => &["TCP"],
            Transport::Udp => &["UDP"],
            Transport::All | Transport::TcpUdp => &["TCP", "UDP"],
            Transport::Icmp | Transport::Icmpv6 | Transport::Other(_) => &[],
        };
        let numbers =
            (!transports.is_empty()).then_some((range.from.max(0) as u16, range.to.max(0) as u16));
        PortLine {
            account,
            region,
            asset_id,
            asset_type,
            label,
            port,
            transport,
            range: numbers,
            transports,
            service,
            protocol_name: entry.name,
            encryption,
            purpose,
            sources,
            groups,
        }
    }
}

/// Who may reach an entry, when no rule says.
const NO_GROUP: &str = "no security group filters it (routes and network ACLs decide)";
const GROUP_NOT_READ: &str = "not determined: its security group was not read";

type Key<'a> = (&'a str, &'a str, &'a str);

/// Texts stored once.
#[derive(Default)]
struct Texts {
    list: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
    /// Joined texts by what they join (see [`Texts::joined`]): the separator's
    /// number, then the texts'.
    joins: HashMap<Vec<u32>, u32>,
    key: Vec<u32>,
}

impl Texts {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(text.into());
        self.index.insert(text.into(), i);
        i
    }

    /// The texts of `ids` in text order, each once, joined with `sep`: made once per
    /// set of texts.
    fn joined(&mut self, ids: impl IntoIterator<Item = u32>, sep: Sep) -> u32 {
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
enum Sep {
    Sources,
    Groups,
}

impl Sep {
    fn text(self) -> &'static str {
        match self {
            Sep::Sources => "; ",
            Sep::Groups => ", ",
        }
    }
}

/// The inbound rules of one set of groups in one place: each rule's range, its
/// sources' texts and its group's. Made once per set, however many assets share it.
struct Profile {
    rules: Vec<(Range, Vec<u32>, u32)>,
    /// A group of the set was read; another was not.
    read_any: bool,
    missing: bool,
    /// The entries of the rules alone (an asset with no port of its own).
    entries: (u32, u32),
}

/// The entries of every listed asset (`names` answers for the stored assets the
/// attachments name). Attachments of assets not listed give no entry, but their
/// groups count as attached.
pub fn derive(
    facts: &NetworkFacts,
    attachments: &Attachments,
    names: &impl AssetNames,
) -> Evidence {
    let groups: HashMap<Key, &SecurityGroup> = facts
        .security_groups
        .iter()
        .map(|g| ((g.account.as_str(), g.region.as_str(), g.id.as_str()), g))
        .collect();
    let vpcs: HashMap<Key, &Vpc> = facts
        .vpcs
        .iter()
        .map(|v| ((v.account.as_str(), v.region.as_str(), v.id.as_str()), v))
        .collect();
    let mut listeners: HashMap<Key, Vec<&Listener>> = HashMap::new();
    for l in &facts.listeners {
        if let Some(lb) = &l.load_balancer {
            let key = (l.account.as_str(), l.region.as_str(), lb.as_str());
            listeners.entry(key).or_default().push(l);
        }
    }
    let mut texts = Texts::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut listed: Vec<Listed> = Vec::new();
    let mut profiles: HashMap<(&str, &str, &[u32]), Profile> = HashMap::new();
    let mut attached: HashSet<(&str, &str, u32)> = HashSet::new();
    let mut not_read: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    let mut attached_assets = 0u64;
    for kept in &attachments.kept {
        let (account, region) = names.place(kept.asset);
        let ids = attachments.groups(kept);
        for &g in ids {
            attached.insert((account, region, g));
        }
        if !names.listed(kept.asset) {
            continue;
        }
        let asset_id = names.cell(kept.asset, Field::AssetId);
        let mut endpoints = Cow::Borrowed(&kept.endpoints[..]);
        for l in listeners
            .get(&(account, region, asset_id))
            .into_iter()
            .flatten()
        {
            if let (Some(port), Some(protocol)) = (l.port, &l.protocol) {
                let endpoint = listener_endpoint(port, protocol, l.ssl_policy.clone());
                endpoints.to_mut().push(endpoint);
            }
        }
        if ids.is_empty() && endpoints.is_empty() {
            continue;
        }
        attached_assets += 1;
        let profile = profiles.entry((account, region, ids)).or_insert_with(|| {
            let mut read = Vec::new();
            let mut missing = false;
            for &g in ids {
                let id = &*attachments.ids[g as usize];
                match groups.get(&(account, region, id)) {
                    Some(group) => read.push(*group),
                    None => {
                        missing = true;
                        not_read.insert((account, region, id));
                    }
                }
            }
            let rules = rules_of(&read, account, &vpcs, &mut texts);
            let list = rule_entries(&rules, &mut texts);
            let range = (entries.len() as u32, list.len() as u32);
            entries.extend(list);
            Profile {
                rules,
                read_any: !read.is_empty(),
                missing,
                entries: range,
            }
        });
        let (first, count) = if endpoints.is_empty() {
            profile.entries
        } else {
            let (at, n) = profile.entries;
            let mut list = entries[at as usize..(at + n) as usize].to_vec();
            add_endpoints(&mut list, profile, &endpoints, &mut texts);
            let range = (entries.len() as u32, list.len() as u32);
            entries.extend(list);
            range
        };
        if count == 0 {
            continue;
        }
        listed.push(Listed {
            asset: kept.asset,
            first,
            count,
            purpose: kept.purpose.as_deref().map(|p| texts.id(p)),
            name: kept.name.as_deref().map(|n| texts.id(n)),
        });
    }
    listed.sort_by_cached_key(|l| {
        let (account, region) = names.place(l.asset);
        (account, region, names.cell(l.asset, Field::AssetId))
    });
    let mut ends = Vec::with_capacity(listed.len());
    let mut total = 0u64;
    for l in &listed {
        total += u64::from(l.count);
        ends.push(total);
    }
    let group_ref = |(account, region, id): (&str, &str, &str)| GroupRef {
        account: account.to_string(),
        region: region.to_string(),
        id: id.to_string(),
    };
    let is_attached = |g: &SecurityGroup| {
        attachments
            .by_id
            .get(g.id.as_str())
            .is_some_and(|&n| attached.contains(&(g.account.as_str(), g.region.as_str(), n)))
    };
    let mut unattached: Vec<GroupRef> = facts
        .security_groups
        .iter()
        .filter(|g| !is_attached(g))
        .map(|g| group_ref((&g.account, &g.region, &g.id)))
        .collect();
    unattached.sort();
    unattached.dedup();
    let longest_text = texts.list.iter().map(|t| t.len()).max().unwrap_or(0);
    Evidence {
        longest_text,
        texts: texts.list,
        entries,
        listed,
        ends,
        unattached_groups: unattached,
        groups_not_read: not_read.into_iter().map(group_ref).collect(),
        attached_assets,
    }
}

impl Range {
    fn of_rule(p: &Permission, texts: &mut Texts) -> Range {
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

    fn of_endpoint(e: &Endpoint, texts: &mut Texts) -> Range {
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
    fn covers(&self, e: &Range) -> bool {
        let transport = self.transport == Transport::All
            || self.transport == e.transport
            || (e.transport == Transport::TcpUdp
                && matches!(self.transport, Transport::Tcp | Transport::Udp));
        transport && self.from <= e.from && e.to <= self.to
    }
}

/// The inbound rules of `groups`: range, the texts of its sources, its group's text.
fn rules_of(
    groups: &[&SecurityGroup],
    account: &str,
    vpcs: &HashMap<Key, &Vpc>,
    texts: &mut Texts,
) -> Vec<(Range, Vec<u32>, u32)> {
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
            rules.push((Range::of_rule(rule, texts), sources, id));
        }
    }
    rules
}

/// The entries of rules alone, one per range and transport, in range order.
fn rule_entries(rules: &[(Range, Vec<u32>, u32)], texts: &mut Texts) -> Vec<Entry> {
    let mut building: BTreeMap<Range, (BTreeSet<u32>, BTreeSet<u32>)> = BTreeMap::new();
    for (range, sources, group) in rules {
        let (s, g) = building.entry(*range).or_default();
        s.extend(sources.iter().copied());
        g.insert(*group);
    }
    building
        .into_iter()
        .map(|(range, (sources, groups))| Entry {
            range,
            encryption: Enc::NotDetermined,
            name: protocol_name(&range, None),
            sources: texts.joined(sources, Sep::Sources),
            groups: texts.joined(groups, Sep::Groups),
        })
        .collect()
}

/// Adds an asset's endpoints to the entries of its rules (`list`, in range order):
/// each where a rule permits it (or no group filters it, or a group was not read), on
/// the entry of its own range (made, or taken over from the rule of the same range),
/// with what the endpoint says of the protocol and its encryption.
fn add_endpoints(
    list: &mut Vec<Entry>,
    profile: &Profile,
    endpoints: &[Endpoint],
    texts: &mut Texts,
) {
    for endpoint in endpoints {
        let range = Range::of_endpoint(endpoint, texts);
        let mut sources = Vec::new();
        let mut groups = Vec::new();
        for (rule, s, g) in &profile.rules {
            if rule.covers(&range) {
                sources.extend(s.iter().copied());
                groups.push(*g);
            }
        }
        if sources.is_empty() {
            if profile.read_any && !profile.missing {
                // Its groups permit nothing to it: not reachable, no entry.
                continue;
            }
            let why = if profile.missing {
                GROUP_NOT_READ
            } else {
                NO_GROUP
            };
            sources.push(texts.id(why));
        }
        let encryption = match &endpoint.encryption {
            Encryption::Tls(policy) => Enc::Tls(policy.as_deref().map(|p| texts.id(p))),
            Encryption::None => Enc::Plain,
            Encryption::NotDetermined => Enc::NotDetermined,
        };
        let entry = Entry {
            range,
            encryption,
            name: protocol_name(&range, endpoint.protocol.as_deref()),
            sources: texts.joined(sources, Sep::Sources),
            groups: texts.joined(groups, Sep::Groups),
        };
        match list.binary_search_by(|e| e.range.cmp(&range)) {
            Ok(i) => list[i] = entry,
            Err(i) => list.insert(i, entry),
        }
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
fn protocol_name(range: &Range, application: Option<&str>) -> Option<&'static str> {
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
