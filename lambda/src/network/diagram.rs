//! What the boundary diagram shows, before anything is placed: the inventory's assets in
//! their account, VPC and subnet, the parties outside (the internet, other networks,
//! prefix lists), and one edge per pair of nodes that a permitted connection joins,
//! labelled with its protocols and ports. Pure: the facts and the inventory's names in,
//! a [`Diagram`] out; `outputs/diagram/` places and draws it.
//!
//! Every listed asset is in it, so that diagram and inventory agree: each labelled with
//! its Diagram Label (the workbook's column), else its Config name, else its identifier.
//! Past [`GROUP_PAST`] assets, the assets of one kind (asset type and Function) in one
//! subnet become one node, `12 x EC2 web`, whose labels are listed in its title; when
//! that still leaves more than [`NODE_LIMIT`] nodes, one kind in one VPC, then one kind
//! in one account and region (see [`Grouping`]).

use std::collections::{BTreeMap, BTreeSet};

use hashbrown::HashMap;

use super::connections::{connections, members, Party};
use super::ports::{AssetNames, Evidence};
use crate::fields::Field;

/// Above this many assets, assets of one kind in one subnet are drawn as one node.
pub const GROUP_PAST: usize = 40;
/// Past this many nodes, the kinds are grouped more widely (a VPC, then a region).
pub const NODE_LIMIT: usize = 150;
/// Past this many networks (or prefix lists) outside, they are drawn as one node.
pub const PARTY_LIMIT: usize = 8;
/// An edge shows this many protocol and port labels; its title lists them all.
pub const EDGE_LABELS_SHOWN: usize = 3;

/// How widely the assets of one kind are drawn as one node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grouping {
    /// One node per asset.
    #[default]
    None,
    Subnet,
    Vpc,
    Region,
}

/// Where a node is drawn: outside every account, or in an account's subnet (or in its
/// region when its item records no subnet).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    Outside,
    Subnet {
        account: String,
        region: String,
        /// `None` when the subnet was not read (or named no VPC).
        vpc: Option<String>,
        /// `None` when the VPC's subnets are drawn as one ([`Grouping::Vpc`]).
        subnet: Option<String>,
    },
    /// In the region: the item records no subnet, or (`merged`) the region's VPCs are
    /// drawn as one ([`Grouping::Region`]).
    Region {
        account: String,
        region: String,
        merged: bool,
    },
}

impl Place {
    /// The place as drawn at `grouping`.
    fn at(&self, grouping: Grouping) -> Place {
        match (self, grouping) {
            (
                Place::Subnet {
                    account,
                    region,
                    vpc,
                    ..
                },
                Grouping::Vpc,
            ) => Place::Subnet {
                account: account.clone(),
                region: region.clone(),
                vpc: vpc.clone(),
                subnet: None,
            },
            (
                Place::Subnet {
                    account, region, ..
                }
                | Place::Region {
                    account, region, ..
                },
                Grouping::Region,
            ) => Place::Region {
                account: account.clone(),
                region: region.clone(),
                merged: true,
            },
            (p, _) => p.clone(),
        }
    }
}

/// One box of the diagram: an asset, a group of assets, or a party outside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub place: Place,
    /// What the box says: a label, or `12 x EC2 web`.
    pub text: String,
    /// The asset type, or what the party is (`internet`, `network`, `prefix list`).
    pub kind: String,
    /// What its title (the tooltip) lists: each asset's label and identifier.
    pub title: Vec<String>,
    /// The assets it stands for (0 for a party outside).
    pub assets: usize,
}

/// The permitted connections from one node to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// `TCP 443`, `UDP 53`, `all`, in order.
    pub labels: Vec<String>,
    /// At least one of them is permitted by the source's outbound rules (drawn dashed).
    pub outbound: bool,
}

/// A subnet, VPC or account as a box's heading says it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Heading {
    pub cidr: Option<String>,
    pub zone: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagram {
    /// The parties outside first, then the assets by place.
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// VPCs and subnets by id, for their boxes' headings.
    pub headings: HashMap<String, Heading>,
    /// How widely assets of one kind were drawn as one node.
    pub grouping: Grouping,
}

/// One listed asset, as the diagram needs it.
#[derive(Clone, Debug)]
struct Listed<'a> {
    asset: u32,
    account: &'a str,
    region: &'a str,
    asset_type: &'a str,
    asset_id: &'a str,
    label: &'a str,
    function: &'a str,
}

/// The diagram of the listed assets (`listed`, in inventory order) and the
/// connections between them and the parties outside.
pub fn diagram<'a>(
    evidence: &'a Evidence,
    names: &'a impl AssetNames,
    listed: impl Iterator<Item = u32>,
) -> Diagram {
    let attachments = &evidence.attachments;
    let kept: HashMap<u32, _> = attachments.kept().iter().map(|k| (k.asset, k)).collect();
    let subnet_vpc: HashMap<(&str, &str, &str), Option<&str>> = evidence
        .facts
        .subnets
        .iter()
        .map(|s| ((&*s.account, &*s.region, &*s.id), s.vpc.as_deref()))
        .collect();
    let mut headings = HashMap::new();
    for s in &evidence.facts.subnets {
        headings.insert(
            s.id.clone(),
            Heading {
                cidr: s.cidr.clone(),
                zone: s.availability_zone.clone(),
            },
        );
    }
    for v in &evidence.facts.vpcs {
        headings.insert(
            v.id.clone(),
            Heading {
                cidr: v.cidrs.first().cloned(),
                zone: None,
            },
        );
    }
    // Each listed asset with its place and the words it is shown with.
    let mut assets: Vec<(Place, Listed)> = listed
        .map(|asset| {
            let (account, region) = names.place(asset);
            let asset_id = names.cell(asset, Field::AssetId);
            let k = kept.get(&asset);
            let label = match names.cell(asset, Field::DiagramLabel) {
                "" => k.and_then(|k| attachments.name(k)).unwrap_or(asset_id),
                l => l,
            };
            let subnet = k.and_then(|k| {
                let mut subnets: Vec<&str> = attachments
                    .subnets(k)
                    .iter()
                    .map(|&n| attachments.id(n))
                    .collect();
                subnets.sort_unstable();
                subnets.first().copied()
            });
            let place = match subnet {
                Some(subnet) => Place::Subnet {
                    account: account.into(),
                    region: region.into(),
                    vpc: subnet_vpc
                        .get(&(account, region, subnet))
                        .copied()
                        .flatten()
                        .map(str::to_string),
                    subnet: Some(subnet.into()),
                },
                None => Place::Region {
                    account: account.into(),
                    region: region.into(),
                    merged: false,
                },
            };
            let listed = Listed {
                asset,
                account,
                region,
                asset_type: names.cell(asset, Field::AssetType),
                asset_id,
                label,
                function: names.cell(asset, Field::Function),
            };
            (place, listed)
        })
        .collect();
    let grouping = if assets.len() <= GROUP_PAST {
        Grouping::None
    } else {
        let nodes = |g: Grouping| {
            let kinds: hashbrown::HashSet<(Place, &str, &str)> = assets
                .iter()
                .map(|(p, a)| (p.at(g), a.asset_type, a.function))
                .collect();
            kinds.len()
        };
        [Grouping::Subnet, Grouping::Vpc]
            .into_iter()
            .find(|&g| nodes(g) <= NODE_LIMIT)
            .unwrap_or(Grouping::Region)
    };
    for (place, _) in assets.iter_mut() {
        *place = place.at(grouping);
    }
    assets.sort_by(|(a, x), (b, y)| {
        (a, x.asset_type, x.function, x.label, x.asset_id).cmp(&(
            b,
            y.asset_type,
            y.function,
            y.label,
            y.asset_id,
        ))
    });

    let mut d = Diagram {
        headings,
        grouping,
        ..Diagram::default()
    };
    let mut node_of: HashMap<u32, usize> = HashMap::new();
    // The assets, one node each or one per kind and subnet.
    let mut i = 0;
    while i < assets.len() {
        let (place, first) = &assets[i];
        let mut j = i + 1;
        if grouping != Grouping::None {
            while j < assets.len()
                && assets[j].0 == *place
                && (assets[j].1.asset_type, assets[j].1.function)
                    == (first.asset_type, first.function)
            {
                j += 1;
            }
        }
        let members = &assets[i..j];
        let title = members
            .iter()
            .map(|(_, a)| {
                if a.label == a.asset_id {
                    format!("{} {}", a.asset_type, a.asset_id)
                } else {
                    format!("{} ({} {})", a.label, a.asset_type, a.asset_id)
                }
            })
            .collect();
        let text = if members.len() == 1 {
            first.label.to_string()
        } else {
            let kind = [first.asset_type, first.function]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            format!("{} x {kind}", members.len())
        };
        let at = d.nodes.len();
        for (_, a) in members {
            node_of.insert(a.asset, at);
        }
        d.nodes.push(Node {
            place: place.clone(),
            text,
            kind: first.asset_type.to_string(),
            title,
            assets: members.len(),
        });
        i = j;
    }
    // A group named as a peer stands for its members' nodes.
    let mut group_nodes: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    let assets_by_id: HashMap<(&str, &str, &str), usize> = assets
        .iter()
        .filter_map(|(_, a)| Some(((a.account, a.region, a.asset_id), *node_of.get(&a.asset)?)))
        .collect();
    for m in members(evidence, names) {
        let mut nodes: Vec<usize> = m
            .assets
            .iter()
            .filter_map(|id| assets_by_id.get(&(m.account, m.region, *id)).copied())
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        group_nodes.insert((m.account, m.region, m.id), nodes);
    }
    // The edges: each pair of nodes once, with every protocol and port between them.
    // The parties are met as the connections stream by, and drawn before the assets.
    let mut edges: BTreeMap<(End, End), (BTreeSet<String>, bool)> = BTreeMap::new();
    let mut parties: BTreeSet<(u8, String)> = BTreeSet::new();
    for c in connections(evidence, names) {
        let Some(&at) = node_of.get(&c.asset) else {
            continue;
        };
        let label = if c.protocol == "all" {
            "all".to_string()
        } else {
            format!("{} {}", c.protocol, c.ports)
        };
        let others: Vec<End> = match &c.party {
            Party::Group { id, account } => group_nodes
                .get(&(account.unwrap_or(c.account), c.region, *id))
                .map(|nodes| nodes.iter().map(|&n| End::Node(n)).collect())
                .unwrap_or_default(),
            party => party_key(party)
                .map(|k| {
                    parties.insert(k.clone());
                    End::Party(k)
                })
                .into_iter()
                .collect(),
        };
        let outbound = c.direction == "outbound";
        for other in others {
            let pair = if outbound {
                (End::Node(at), other)
            } else {
                (other, End::Node(at))
            };
            let edge = edges.entry(pair).or_default();
            edge.0.insert(label.clone());
            edge.1 |= outbound;
        }
    }
    // Many networks or prefix lists outside become one node of each kind.
    let mut merged: HashMap<(u8, String), (u8, String)> = HashMap::new();
    let mut titles: BTreeMap<(u8, String), Vec<String>> = BTreeMap::new();
    for (kind, noun) in [(2u8, "networks"), (3, "prefix lists")] {
        let of_kind: Vec<&(u8, String)> = parties.iter().filter(|p| p.0 == kind).collect();
        if of_kind.len() > PARTY_LIMIT {
            let to = (kind, format!("{} {noun}", of_kind.len()));
            titles.insert(to.clone(), of_kind.iter().map(|p| p.1.clone()).collect());
            for p in of_kind {
                merged.insert(p.clone(), to.clone());
            }
        }
    }
    let drawn = |k: &(u8, String)| merged.get(k).cloned().unwrap_or_else(|| k.clone());
    let parties: BTreeSet<(u8, String)> = parties.iter().map(drawn).collect();
    let shift = parties.len();
    let mut nodes: Vec<Node> = parties
        .iter()
        .map(|p| party_node(p, titles.get(p)))
        .collect();
    nodes.append(&mut d.nodes);
    d.nodes = nodes;
    let party_at: HashMap<&(u8, String), usize> =
        parties.iter().enumerate().map(|(i, p)| (p, i)).collect();
    let index = |end: &End| match end {
        End::Node(n) => n + shift,
        End::Party(k) => party_at.get(&drawn(k)).copied().unwrap_or(0),
    };
    let mut joined: BTreeMap<(usize, usize), (BTreeSet<String>, bool)> = BTreeMap::new();
    for ((from, to), (labels, outbound)) in edges {
        let edge = joined.entry((index(&from), index(&to))).or_default();
        edge.0.extend(labels);
        edge.1 |= outbound;
    }
    d.edges = joined
        .into_iter()
        .map(|((from, to), (labels, outbound))| Edge {
            from,
            to,
            labels: labels.into_iter().collect(),
            outbound,
        })
        .collect();
    d
}

/// One end of an edge while the connections stream by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Party((u8, String)),
    Node(usize),
}

/// A party outside, by kind and what it is: the internet is one node, whichever CIDR.
fn party_key(party: &Party) -> Option<(u8, String)> {
    match party {
        Party::Internet(_) => Some((0, "Internet".into())),
        Party::Unfiltered => Some((1, "Any source (no security group)".into())),
        Party::Cidr(c) => Some((2, (*c).to_string())),
        Party::PrefixList(id) => Some((3, (*id).to_string())),
        Party::Group { .. } => None,
    }
}

fn party_node((kind, text): &(u8, String), merged: Option<&Vec<String>>) -> Node {
    let (kind, title) = match kind {
        0 => ("internet", "0.0.0.0/0 and ::/0"),
        1 => (
            "any",
            "a load balancer listener that no security group filters",
        ),
        2 => (
            "network",
            "an address range outside: on premises, a peer or a VPC",
        ),
        _ => (
            "prefix list",
            "a managed prefix list (its entries are not read)",
        ),
    };
    Node {
        place: Place::Outside,
        text: text.clone(),
        kind: kind.into(),
        title: merged.cloned().unwrap_or_else(|| vec![title.into()]),
        assets: 0,
    }
}
