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
use std::collections::BTreeSet;

use hashbrown::{HashMap, HashSet};

use super::attach::{listener_endpoint, Attachment, Endpoint, NOT_DETERMINED};
pub use super::entries::Exposure;
use super::entries::{
    add_endpoints, rule_entries, rules_of, Enc, Entry, Key, Rule, Texts, Transport,
};
use super::facts::{Listener, SecurityGroup, Vpc};
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
#[derive(Clone, Debug, Default)]
pub struct Attachments {
    ids: Vec<Box<str>>,
    by_id: HashMap<Box<str>, u32>,
    refs: Vec<u32>,
    kept: Vec<Kept>,
    /// Every asset's endpoints, one after another.
    endpoints: Vec<Endpoint>,
    /// Every purpose tag and name, one after another.
    words: String,
}

/// One asset's attachment: where its parts are in [`Attachments`]' lists (compact: a
/// run keeps one for each asset on the network).
#[derive(Clone, Debug)]
pub(super) struct Kept {
    pub(super) asset: u32,
    first: u32,
    count: u32,
    /// Its subnets, as `first..first + count` are its groups (after them in `refs`).
    subnets: u32,
    endpoints: (u32, u32),
    purpose: Words,
    name: Words,
}

/// A text kept in a list of words (the attachments', the evidence's), or none.
#[derive(Clone, Copy, Debug)]
struct Words {
    start: u32,
    /// `u32::MAX`: none.
    len: u32,
}

impl Words {
    fn keep(words: &mut String, text: Option<&str>) -> Words {
        let start = words.len() as u32;
        match text {
            Some(text) => {
                words.push_str(text);
                Words {
                    start,
                    len: text.len() as u32,
                }
            }
            None => Words {
                start,
                len: u32::MAX,
            },
        }
    }

    fn of(self, words: &str) -> Option<&str> {
        (self.len != u32::MAX)
            .then(|| &words[self.start as usize..(self.start + self.len) as usize])
    }
}

impl Attachments {
    /// Keeps the attachment of the stored asset `asset`.
    pub fn add(&mut self, asset: u32, attachment: Attachment) {
        let first = self.refs.len() as u32;
        for id in attachment.groups {
            let n = self.intern(id);
            self.refs.push(n);
        }
        let count = self.refs.len() as u32 - first;
        for id in attachment.subnets {
            let n = self.intern(id);
            self.refs.push(n);
        }
        let endpoints = (
            self.endpoints.len() as u32,
            attachment.endpoints.len() as u32,
        );
        self.endpoints.extend(attachment.endpoints);
        let purpose = Words::keep(&mut self.words, attachment.purpose.as_deref());
        let name = Words::keep(&mut self.words, attachment.name.as_deref());
        self.kept.push(Kept {
            asset,
            first,
            count,
            subnets: self.refs.len() as u32 - first - count,
            endpoints,
            purpose,
            name,
        });
    }

    fn kept_words(&self, w: Words) -> Option<&str> {
        w.of(&self.words)
    }

    /// The asset's Config name, when its item gives one.
    pub(super) fn name(&self, k: &Kept) -> Option<&str> {
        self.kept_words(k.name)
    }

    /// The purpose tag's value, when tagged.
    pub(super) fn purpose(&self, k: &Kept) -> Option<&str> {
        self.kept_words(k.purpose)
    }

    pub(super) fn endpoints(&self, k: &Kept) -> &[Endpoint] {
        let (first, count) = k.endpoints;
        &self.endpoints[first as usize..(first + count) as usize]
    }

    fn intern(&mut self, id: String) -> u32 {
        match self.by_id.get(id.as_str()) {
            Some(&n) => n,
            None => {
                let n = self.ids.len() as u32;
                self.ids.push(id.as_str().into());
                self.by_id.insert(id.into(), n);
                n
            }
        }
    }

    pub(super) fn groups(&self, k: &Kept) -> &[u32] {
        &self.refs[k.first as usize..(k.first + k.count) as usize]
    }

    pub(super) fn subnets(&self, k: &Kept) -> &[u32] {
        let start = (k.first + k.count) as usize;
        &self.refs[start..start + k.subnets as usize]
    }

    pub(super) fn id(&self, n: u32) -> &str {
        &self.ids[n as usize]
    }

    pub(super) fn kept(&self) -> &[Kept] {
        &self.kept
    }

    /// Lets go of the room kept for more: once every item is in, the lists only shrink.
    pub fn shrink_to_fit(&mut self) {
        self.refs.shrink_to_fit();
        self.kept.shrink_to_fit();
        self.endpoints.shrink_to_fit();
        self.words.shrink_to_fit();
    }
}

/// An asset with entries, and where they are: the entries of its groups' rules, shared
/// by every asset with the same groups in the same place, and its own (its endpoints),
/// each standing for the shared one of the same range if there is one.
#[derive(Clone, Copy, Debug)]
struct Listed {
    asset: u32,
    first: u32,
    count: u32,
    own_first: u32,
    own_count: u32,
    /// Where its purpose tag and Config name are in the evidence's `named` (`u32::MAX`:
    /// neither given).
    named: u32,
}

/// How an asset's lines name it (see [`Evidence::asset_words`]).
#[derive(Clone, Copy)]
struct AssetWords<'a> {
    listed: &'a Listed,
    account: &'a str,
    region: &'a str,
    asset_id: &'a str,
    asset_type: &'a str,
    label: &'a str,
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
    /// The purpose tags and names of the listed assets, one after another, and where
    /// each asset's are (few assets have either: most lists leave this empty).
    words: String,
    named: Vec<(Words, Words)>,
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
    /// KSI-CNA-RNT's findings: entries open to the internet on a port other than 80/443,
    /// and entries open to all traffic from the internet.
    pub internet_other_ports: u64,
    pub internet_all_traffic: u64,
    /// The longest text kept, in bytes: with the inventory's longest value, a bound on
    /// the longest word of a line.
    pub longest_text: usize,
    /// What they were derived from, kept for the permitted connections, which are put
    /// into words only when they are written.
    pub(super) facts: NetworkFacts,
    pub(super) attachments: Attachments,
    /// Whether they were kept (see [`Evidence::keep`]).
    pub(super) kept: bool,
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
    pub port: &'a str,
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
    /// What KSI-CNA-RNT flags in it.
    pub exposure: Exposure,
}

/// What the run result and the notification say of the evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EvidenceCounts {
    /// Ports, protocols and services entries.
    pub ports: u64,
    pub attached_assets: u64,
    /// KSI-CNA-RNT's findings.
    pub internet_other_ports: u64,
    pub internet_all_traffic: u64,
    pub unattached_groups: u64,
    pub groups_not_read: u64,
}

impl EvidenceCounts {
    /// KSI-CNA-RNT's findings, in all.
    pub fn findings(&self) -> u64 {
        self.internet_other_ports + self.internet_all_traffic
    }
}

impl Evidence {
    /// Keeps the facts and attachments it was derived from (moved, not copied).
    pub fn keep(&mut self, facts: NetworkFacts, attachments: Attachments) {
        self.facts = facts;
        self.attachments = attachments;
        self.kept = true;
    }

    /// Whether the facts were kept, so that the connections can be made.
    pub fn has_facts(&self) -> bool {
        self.kept
    }

    pub fn counts(&self) -> EvidenceCounts {
        EvidenceCounts {
            ports: self.len() as u64,
            attached_assets: self.attached_assets,
            internet_other_ports: self.internet_other_ports,
            internet_all_traffic: self.internet_all_traffic,
            unattached_groups: self.unattached_groups.len() as u64,
            groups_not_read: self.groups_not_read.len() as u64,
        }
    }

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
        self.lines_from(i, names)
            .next()
            .expect("a line below len() is one of its asset's entries")
    }

    /// Lines `from..`, in order: each asset's names looked up once for all its lines
    /// (the workbook's sheet renders its pieces so).
    pub fn lines_from<'a>(
        &'a self,
        from: usize,
        names: &'a impl AssetNames,
    ) -> impl Iterator<Item = PortLine<'a>> {
        let k = self.ends.partition_point(|&end| end <= from as u64);
        let before = if k == 0 { 0 } else { self.ends[k - 1] };
        let mut skip = (from as u64).saturating_sub(before) as usize;
        self.listed[k..].iter().flat_map(move |listed| {
            let asset = self.asset_words(listed, names);
            let entries = self.entries_of(listed).skip(std::mem::take(&mut skip));
            entries.map(move |e| self.line_words(asset, e))
        })
    }

    /// The entries of one listed asset, in range order.
    fn entries_of(&self, l: &Listed) -> Merged<'_> {
        Merged {
            shared: &self.entries[l.first as usize..(l.first + l.count) as usize],
            own: &self.entries[l.own_first as usize..(l.own_first + l.own_count) as usize],
        }
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
        let asset = self.asset_words(listed, names);
        self.entries_of(listed)
            .map(move |e| self.line_words(asset, e))
    }

    pub fn lines<'a>(&'a self, names: &'a impl AssetNames) -> impl Iterator<Item = PortLine<'a>> {
        self.lines_from(0, names)
    }

    fn text(&self, i: u32) -> &str {
        &self.texts[i as usize]
    }

    /// An asset's purpose tag and name, when given.
    fn named_of(&self, l: &Listed) -> (Option<&str>, Option<&str>) {
        match self.named.get(l.named as usize) {
            Some((purpose, name)) => (purpose.of(&self.words), name.of(&self.words)),
            None => (None, None),
        }
    }

    /// How an asset's lines name it: looked up once for all of them.
    fn asset_words<'a>(&'a self, listed: &'a Listed, names: &'a impl AssetNames) -> AssetWords<'a> {
        let (account, region) = names.place(listed.asset);
        let label = match names.cell(listed.asset, Field::DiagramLabel) {
            "" => self.named_of(listed).1.unwrap_or(""),
            l => l,
        };
        AssetWords {
            listed,
            account,
            region,
            asset_id: names.cell(listed.asset, Field::AssetId),
            asset_type: names.cell(listed.asset, Field::AssetType),
            label,
        }
    }

    fn line_words<'a>(&'a self, asset: AssetWords<'a>, entry: &Entry) -> PortLine<'a> {
        let AssetWords {
            listed,
            account,
            region,
            asset_id,
            asset_type,
            label,
        } = asset;
        let range = entry.range;
        let port = self.text(entry.port);
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
        let service: Cow<str> = match (range.transport, entry.name()) {
            (Transport::All, _) => "all traffic".into(),
            (_, Some(n)) => n.into(),
            (Transport::Other(p), None) => format!("IP protocol {}", self.text(p)).into(),
            _ if range.from == range.to => format!("{asset_type} port {}", range.from).into(),
            _ => format!("{asset_type} ports {}-{}", range.from, range.to).into(),
        };
        let encryption: Cow<str> = match entry.encryption {
            Enc::Tls(Some(words)) => self.text(words).into(),
            Enc::Tls(None) => "TLS".into(),
            Enc::Plain => "None".into(),
            Enc::NotDetermined => NOT_DETERMINED.into(),
        };
        let (sources, groups) = (self.text(entry.sources), self.text(entry.groups));
        // What the rule permits and to which asset; who from is the Sources column's.
        let purpose: Cow<str> = match self.named_of(listed).0 {
            Some(p) => p.into(),
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
            protocol_name: entry.name(),
            encryption,
            purpose,
            sources,
            groups,
            exposure: entry.exposure,
        }
    }
}

/// Two lists of entries in range order, merged: where both have a range, the second's.
struct Merged<'a> {
    shared: &'a [Entry],
    own: &'a [Entry],
}

impl<'a> Iterator for Merged<'a> {
    type Item = &'a Entry;

    fn next(&mut self) -> Option<&'a Entry> {
        let take_own = match (self.shared.first(), self.own.first()) {
            (None, None) => return None,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(s), Some(o)) => match s.range.cmp(&o.range) {
                std::cmp::Ordering::Less => false,
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => {
                    self.shared = &self.shared[1..];
                    true
                }
            },
        };
        let list = if take_own {
            &mut self.own
        } else {
            &mut self.shared
        };
        let (first, rest) = list.split_first()?;
        *list = rest;
        Some(first)
    }
}

/// The inbound rules of one set of groups in one place: each rule's range, its
/// sources' texts and its group's. Made once per set, however many assets share it.
struct Profile {
    rules: Vec<Rule>,
    /// A group of the set was read; another was not.
    read_any: bool,
    missing: bool,
    /// The entries of the rules alone, shared by every asset of the set.
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
    let mut words = String::new();
    let mut named: Vec<(Words, Words)> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut listed: Vec<Listed> = Vec::with_capacity(attachments.kept.len());
    let mut profiles: HashMap<(&str, &str, &[u32]), Profile> = HashMap::new();
    let mut places: Vec<(&str, &str)> = Vec::new();
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
        let mut endpoints = Cow::Borrowed(attachments.endpoints(kept));
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
            places.push((account, region));
            Profile {
                rules,
                read_any: !read.is_empty(),
                missing,
                entries: range,
            }
        });
        let (first, count) = profile.entries;
        // Its endpoints' entries are its own; its groups' are shared, not copied.
        let (own_first, own_count) = if endpoints.is_empty() {
            (0, 0)
        } else {
            let mut own = Vec::new();
            let read = (profile.read_any, profile.missing);
            add_endpoints(&mut own, &profile.rules, read, &endpoints, &mut texts);
            let range = (entries.len() as u32, own.len() as u32);
            entries.extend(own);
            range
        };
        if count == 0 && own_count == 0 {
            continue;
        }
        let named_at = match (attachments.purpose(kept), attachments.name(kept)) {
            (None, None) => u32::MAX,
            (purpose, name) => {
                let kept = (
                    Words::keep(&mut words, purpose),
                    Words::keep(&mut words, name),
                );
                named.push(kept);
                named.len() as u32 - 1
            }
        };
        listed.push(Listed {
            asset: kept.asset,
            first,
            count,
            own_first,
            own_count,
            named: named_at,
        });
    }
    // By place, then identifier: the few places ranked once, so a key is a number and
    // one text (a lighter key than three texts, for a list as long as the assets).
    places.sort_unstable();
    places.dedup();
    listed.sort_by_cached_key(|l| {
        let place = names.place(l.asset);
        let rank = places.binary_search(&place).unwrap_or_default();
        (rank as u32, names.cell(l.asset, Field::AssetId))
    });
    entries.shrink_to_fit();
    listed.shrink_to_fit();
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
    let longest_word = named.iter().flat_map(|(purpose, name)| [*purpose, *name]);
    let longest_word = longest_word
        .filter(|w| w.len != u32::MAX)
        .map(|w| w.len as usize);
    let longest_text = texts
        .list
        .iter()
        .map(|t| t.len())
        .chain(longest_word)
        .max()
        .unwrap_or(0);
    let mut evidence = Evidence {
        longest_text,
        texts: texts.list,
        words,
        named,
        entries,
        listed,
        unattached_groups: unattached,
        groups_not_read: not_read.into_iter().map(group_ref).collect(),
        attached_assets,
        ..Evidence::default()
    };
    let mut total = 0u64;
    let mut ends = Vec::with_capacity(evidence.listed.len());
    let (mut other_ports, mut all_traffic) = (0, 0);
    for l in &evidence.listed {
        for e in evidence.entries_of(l) {
            total += 1;
            match e.exposure {
                Exposure::OtherPort => other_ports += 1,
                Exposure::AllTraffic => all_traffic += 1,
                Exposure::None => {}
            }
        }
        ends.push(total);
    }
    evidence.ends = ends;
    evidence.internet_other_ports = other_ports;
    evidence.internet_all_traffic = all_traffic;
    evidence
}
