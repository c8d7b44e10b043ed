//! The permitted connections (MAS-CSO-FLO): every connection a security group rule
//! permits to or from an inventory asset, inbound and outbound, with the group and rule
//! that permit it, and, for a connection to an asset, whether that asset is reachable
//! from the internet and why (its public address or scheme, its subnet's route to an
//! internet gateway, its subnet's network ACL).
//!
//! A rule that names another security group permits the assets attached to that group:
//! the connection names the group, and the groups' members are listed once (see
//! [`members`]). Connections are made as they are written, asset by asset, never all
//! kept. Pure: the facts and the inventory's names in, connections out.

use std::borrow::Cow;

use hashbrown::HashMap;

use super::entries::cidr_within;
use super::facts::{NetworkAcl, Peer, Permission, Protocol, RouteTable, SecurityGroup, Subnet};
use super::ports::{AssetNames, Evidence, Kept};
use crate::fields::Field;

/// One end of a connection that is not the asset itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Party<'a> {
    /// `0.0.0.0/0` or `::/0`.
    Internet(&'a str),
    Cidr(&'a str),
    PrefixList(&'a str),
    /// The assets attached to this group (in another account when it says so).
    Group {
        id: &'a str,
        account: Option<&'a str>,
    },
    /// Anyone: a listener of a load balancer no security group filters.
    Unfiltered,
}

impl Party<'_> {
    pub fn kind(&self) -> &'static str {
        match self {
            Party::Internet(_) => "internet",
            Party::Cidr(_) => "cidr",
            Party::PrefixList(_) => "prefix-list",
            Party::Group { .. } => "security-group",
            Party::Unfiltered => "any",
        }
    }
}

/// Whether an asset can be reached from the internet, and why: `reachable` is `None`
/// when a fact it depends on was not read (said in `reasons`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    pub reachable: Option<bool>,
    pub reasons: Vec<String>,
}

/// One permitted connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection<'a> {
    /// Stable across runs for the same connection (a hash of what it is).
    pub id: String,
    /// `inbound` (the party to the asset) or `outbound` (the asset to the party).
    pub direction: &'static str,
    pub account: &'a str,
    pub region: &'a str,
    pub asset_id: &'a str,
    /// The asset's stored index (the inventory's), to name it once in a listing.
    pub asset: u32,
    pub party: Party<'a>,
    /// `TCP`, `UDP`, `ICMP`, `ICMPv6`, `all`, or the protocol the rule names.
    pub protocol: Cow<'a, str>,
    /// `443`, `1024-65535`, `0-65535`; an ICMP type or `all`.
    pub ports: String,
    /// The group whose rule permits it (none for an unfiltered listener).
    pub security_group: Option<&'a str>,
    /// Which rule: `inbound 2` (its place in the group's recorded list).
    pub rule: String,
    /// For an inbound connection, whether the asset is reachable from the internet.
    pub reach: Option<Reach>,
}

/// A security group's members, for resolving the connections that name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Members<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub vpc: Option<&'a str>,
    /// The listed assets attached to it, by Unique Asset Identifier, in order.
    pub assets: Vec<&'a str>,
}

/// Every security group read with the listed assets attached to it, in account, region
/// and id order.
pub fn members<'a>(evidence: &'a Evidence, names: &'a impl AssetNames) -> Vec<Members<'a>> {
    let mut by_group: HashMap<(&str, &str, &str), Vec<&str>> = HashMap::new();
    for kept in evidence.attachments.kept() {
        if !names.listed(kept.asset) {
            continue;
        }
        let (account, region) = names.place(kept.asset);
        let id = names.cell(kept.asset, Field::AssetId);
        for &g in evidence.attachments.groups(kept) {
            let group = evidence.attachments.id(g);
            by_group
                .entry((account, region, group))
                .or_default()
                .push(id);
        }
    }
    let mut out: Vec<Members> = evidence
        .facts
        .security_groups
        .iter()
        .map(|g| {
            let mut assets = by_group
                .remove(&(g.account.as_str(), g.region.as_str(), g.id.as_str()))
                .unwrap_or_default();
            assets.sort_unstable();
            assets.dedup();
            Members {
                account: &g.account,
                region: &g.region,
                id: &g.id,
                name: g.name.as_deref(),
                vpc: g.vpc.as_deref(),
                assets,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.account, a.region, a.id).cmp(&(b.account, b.region, b.id)));
    out.dedup_by(|a, b| (a.account, a.region, a.id) == (b.account, b.region, b.id));
    out
}

/// Where the network facts are found by place and id.
struct Places<'a> {
    groups: HashMap<(&'a str, &'a str, &'a str), &'a SecurityGroup>,
    subnets: HashMap<(&'a str, &'a str, &'a str), &'a Subnet>,
    tables: &'a [RouteTable],
    acls: &'a [NetworkAcl],
}

impl<'a> Places<'a> {
    fn new(evidence: &'a Evidence) -> Self {
        let f = &evidence.facts;
        Places {
            groups: f
                .security_groups
                .iter()
                .map(|g| ((g.account.as_str(), g.region.as_str(), g.id.as_str()), g))
                .collect(),
            subnets: f
                .subnets
                .iter()
                .map(|s| ((s.account.as_str(), s.region.as_str(), s.id.as_str()), s))
                .collect(),
            tables: &f.route_tables,
            acls: &f.network_acls,
        }
    }

    /// The route table of a subnet: the one associated with it, else its VPC's main.
    fn table(&self, account: &str, region: &str, subnet: &str) -> Option<&'a RouteTable> {
        let here = |t: &&RouteTable| t.account == account && t.region == region;
        if let Some(t) = self
            .tables
            .iter()
            .filter(here)
            .find(|t| t.subnets.iter().any(|s| s == subnet))
        {
            return Some(t);
        }
        let vpc = self
            .subnets
            .get(&(account, region, subnet))?
            .vpc
            .as_deref()?;
        self.tables
            .iter()
            .filter(here)
            .find(|t| t.main && t.vpc.as_deref() == Some(vpc))
    }

    /// The network ACL of a subnet: the one associated with it, else its VPC's default.
    fn acl(&self, account: &str, region: &str, subnet: &str) -> Option<&'a NetworkAcl> {
        let here = |a: &&NetworkAcl| a.account == account && a.region == region;
        if let Some(a) = self
            .acls
            .iter()
            .filter(here)
            .find(|a| a.subnets.iter().any(|s| s == subnet))
        {
            return Some(a);
        }
        let vpc = self
            .subnets
            .get(&(account, region, subnet))?
            .vpc
            .as_deref()?;
        self.acls
            .iter()
            .filter(here)
            .find(|a| a.default && a.vpc.as_deref() == Some(vpc))
    }
}

/// The connections of every listed asset with a security group (or an unfiltered
/// listener), asset by asset in account, region and identifier order; each asset's in
/// direction, group, rule and party order.
pub fn connections<'a>(
    evidence: &'a Evidence,
    names: &'a impl AssetNames,
) -> impl Iterator<Item = Connection<'a>> + 'a {
    let places = Places::new(evidence);
    let mut kept: Vec<&Kept> = evidence
        .attachments
        .kept()
        .iter()
        .filter(|k| names.listed(k.asset))
        .collect();
    kept.sort_by_cached_key(|k| {
        let (account, region) = names.place(k.asset);
        (account, region, names.cell(k.asset, Field::AssetId))
    });
    kept.dedup_by_key(|k| k.asset);
    kept.into_iter()
        .flat_map(move |k| of_asset(evidence, &places, k, names))
}

fn of_asset<'a>(
    evidence: &'a Evidence,
    places: &Places<'a>,
    kept: &'a Kept,
    names: &'a impl AssetNames,
) -> Vec<Connection<'a>> {
    let (account, region) = names.place(kept.asset);
    let asset_id = names.cell(kept.asset, Field::AssetId);
    let subnets: Vec<&str> = evidence
        .attachments
        .subnets(kept)
        .iter()
        .map(|&n| evidence.attachments.id(n))
        .collect();
    let public = names.cell(kept.asset, Field::Public);
    let routes = routes_out(places, account, region, &subnets, public);
    let groups = evidence.attachments.groups(kept);
    let mut out = Vec::new();
    let push = |direction: &'static str,
                group: Option<&'a str>,
                rule: String,
                p: &Permission,
                party: Party<'a>,
                out: &mut Vec<Connection<'a>>| {
        let (protocol, ports) = words(&p.protocol, p.from_port, p.to_port);
        let reach = (direction == "inbound").then(|| {
            let from = match p.protocol {
                Protocol::Tcp | Protocol::Udp => p.from_port.unwrap_or(0),
                _ => 0,
            };
            reachability(
                places,
                account,
                region,
                &subnets,
                &routes,
                &p.protocol,
                from,
            )
        });
        let text = format!(
            "{direction}|{account}|{region}|{asset_id}|{}|{protocol}|{ports}|{}",
            group.unwrap_or(""),
            party_key(&party)
        );
        out.push(Connection {
            id: format!("c-{:016x}", fnv(text.as_bytes())),
            direction,
            account,
            region,
            asset_id,
            asset: kept.asset,
            party,
            protocol,
            ports,
            security_group: group,
            rule,
            reach,
        });
    };
    for &g in groups {
        let id = evidence.attachments.id(g);
        let Some(group) = places.groups.get(&(account, region, id)) else {
            continue;
        };
        for (direction, rules) in [("inbound", &group.ingress), ("outbound", &group.egress)] {
            for (i, p) in rules.iter().enumerate() {
                for peer in &p.peers {
                    let rule = format!("{direction} {}", i + 1);
                    push(direction, Some(&group.id), rule, p, party(peer), &mut out);
                }
            }
        }
    }
    // A load balancer no group filters: its listeners answer anyone the network lets in.
    if groups.is_empty() {
        let listeners = evidence.facts.listeners.iter().filter(|l| {
            l.account == account
                && l.region == region
                && l.load_balancer.as_deref() == Some(asset_id)
        });
        let ports = listeners
            .filter_map(|l| Some((l.port?, l.protocol.clone().unwrap_or_default())))
            .chain(
                evidence
                    .attachments
                    .endpoints(kept)
                    .iter()
                    .map(|e| (e.port, e.protocol.clone().unwrap_or_default())),
            );
        for (port, protocol) in ports {
            let p = Permission {
                protocol: if protocol.eq_ignore_ascii_case("UDP") {
                    Protocol::Udp
                } else {
                    Protocol::Tcp
                },
                from_port: Some(port),
                to_port: Some(port),
                peers: Vec::new(),
            };
            let rule = format!("listener {protocol} {port}");
            push("inbound", None, rule, &p, Party::Unfiltered, &mut out);
        }
    }
    out
}

fn party(peer: &Peer) -> Party<'_> {
    match peer {
        Peer::Cidr(c) if c == "0.0.0.0/0" || c == "::/0" => Party::Internet(c),
        Peer::Cidr(c) => Party::Cidr(c),
        Peer::PrefixList(id) => Party::PrefixList(id),
        Peer::Group { id, account } => Party::Group {
            id,
            account: account.as_deref(),
        },
    }
}

fn party_key(party: &Party) -> String {
    match party {
        Party::Internet(c) | Party::Cidr(c) | Party::PrefixList(c) => {
            format!("{}:{c}", party.kind())
        }
        Party::Group { id, account } => format!("group:{}:{id}", account.unwrap_or("")),
        Party::Unfiltered => "any".into(),
    }
}

/// A rule's protocol and ports in words, as the ports table writes them.
fn words(protocol: &Protocol, from: Option<i64>, to: Option<i64>) -> (Cow<'static, str>, String) {
    let range = |from: Option<i64>, to: Option<i64>| match (from.unwrap_or(0), to.unwrap_or(65_535))
    {
        (a, b) if a == b => a.to_string(),
        (a, b) => format!("{a}-{b}"),
    };
    match protocol {
        Protocol::All => ("all".into(), "0-65535".into()),
        Protocol::Tcp => ("TCP".into(), range(from, to)),
        Protocol::Udp => ("UDP".into(), range(from, to)),
        Protocol::Icmp | Protocol::Icmpv6 => {
            let name = if *protocol == Protocol::Icmp {
                "ICMP"
            } else {
                "ICMPv6"
            };
            let t = from
                .filter(|t| *t >= 0)
                .map_or("all".to_string(), |t| t.to_string());
            (name.into(), t)
        }
        Protocol::Other(p) => (format!("IP protocol {p}").into(), "all".into()),
    }
}

/// The route half of an asset's reachability, the same for all its connections: its
/// public address and its subnets' routes to an internet gateway.
struct Routes {
    /// Some(false) when the asset has no public address; None when not known.
    public: Option<bool>,
    /// Subnets with a route to an internet gateway, and the reason for each.
    open: Vec<(usize, String)>,
    /// Why the others are not open (or not known).
    closed: Vec<String>,
    unknown: bool,
}

fn routes_out(
    places: &Places,
    account: &str,
    region: &str,
    subnets: &[&str],
    public: &str,
) -> Routes {
    let public = match public {
        "Yes" => Some(true),
        "No" => Some(false),
        _ => None,
    };
    let mut routes = Routes {
        public,
        open: Vec::new(),
        closed: Vec::new(),
        unknown: false,
    };
    if subnets.is_empty() {
        routes.unknown = true;
        routes
            .closed
            .push("not determined: its item records no subnet".into());
    }
    for (i, subnet) in subnets.iter().enumerate() {
        let Some(table) = places.table(account, region, subnet) else {
            routes.unknown = true;
            routes.closed.push(format!(
                "not determined: no route table of subnet {subnet} was read"
            ));
            continue;
        };
        let gateway = table.routes.iter().find(|r| {
            (r.destination == "0.0.0.0/0" || r.destination == "::/0")
                && r.target.starts_with("igw-")
        });
        match gateway {
            Some(r) => routes.open.push((
                i,
                format!(
                    "subnet {subnet} routes {} to internet gateway {} ({})",
                    r.destination, r.target, table.id
                ),
            )),
            None => routes.closed.push(format!(
                "subnet {subnet}'s route table {} has no route to an internet gateway",
                table.id
            )),
        }
    }
    routes
}

/// Whether the asset is reachable from the internet on `protocol` and port `port`:
/// public, an open subnet, and that subnet's network ACL admitting it.
fn reachability(
    places: &Places,
    account: &str,
    region: &str,
    subnets: &[&str],
    routes: &Routes,
    protocol: &Protocol,
    port: i64,
) -> Reach {
    let mut reasons = Vec::new();
    match routes.public {
        Some(false) => {
            reasons.push("no public address or internet-facing scheme (Public: No)".to_string());
            return Reach {
                reachable: Some(false),
                reasons,
            };
        }
        None => {
            reasons.push("not determined: the inventory does not say whether it is public".into())
        }
        Some(true) => {
            reasons.push("a public address or internet-facing scheme (Public: Yes)".into())
        }
    }
    if routes.open.is_empty() {
        reasons.extend(routes.closed.iter().cloned());
        let known = routes.public.is_some() && !routes.unknown;
        return Reach {
            reachable: known.then_some(false),
            reasons,
        };
    }
    let mut acl_unknown = false;
    for (i, why) in &routes.open {
        let subnet = subnets[*i];
        match places.acl(account, region, subnet) {
            None => {
                acl_unknown = true;
                reasons.push(format!(
                    "not determined: no network ACL of subnet {subnet} was read"
                ));
            }
            Some(acl) => match acl_verdict(acl, protocol, port) {
                (true, rule) => {
                    reasons.push(why.clone());
                    reasons.push(format!("network ACL {} {rule} admits it", acl.id));
                    return Reach {
                        reachable: routes.public,
                        reasons,
                    };
                }
                (false, rule) => reasons.push(format!(
                    "{why}, but network ACL {} {rule} denies it",
                    acl.id
                )),
            },
        }
    }
    Reach {
        reachable: (!acl_unknown && routes.public.is_some()).then_some(false),
        reasons,
    }
}

/// A network ACL's verdict on traffic from any internet address: its inbound entries
/// in rule order, the first that covers the whole internet and the protocol and port
/// decides; none does: its default rule (`*`) denies.
fn acl_verdict(acl: &NetworkAcl, protocol: &Protocol, port: i64) -> (bool, String) {
    let mut entries: Vec<_> = acl.entries.iter().filter(|e| !e.egress).collect();
    entries.sort_by_key(|e| e.rule_number);
    for e in entries {
        let everyone = e
            .cidr
            .as_deref()
            .is_some_and(|c| cidr_within("0.0.0.0/0", c) || cidr_within("::/0", c));
        let protocol_matches = e.protocol == Protocol::All || e.protocol == *protocol;
        let port_matches = match (&e.protocol, e.from_port, e.to_port) {
            (Protocol::Tcp | Protocol::Udp, Some(a), Some(b)) => a <= port && port <= b,
            _ => true,
        };
        if everyone && protocol_matches && port_matches {
            let verdict = if e.allow { "allows" } else { "denies" };
            return (e.allow, format!("rule {} ({verdict})", e.rule_number));
        }
    }
    (false, "default rule (*)".into())
}

/// FNV-1a, 64 bits: the same id for the same connection on every run and platform.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
