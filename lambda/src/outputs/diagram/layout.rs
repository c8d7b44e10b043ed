//! Where each box of the boundary diagram goes: the parties outside in a row at the
//! top, then each account as a box holding its VPCs (per region), each VPC its subnets,
//! each subnet its assets in a grid; assets whose item records no subnet in a box of
//! their own in their account. Boxes flow left to right and wrap, so the drawing grows
//! in both directions, not into one endless row.
//!
//! Why our own placement and not a graph-layout library: a boundary diagram is nested
//! boxes first (account, VPC, subnet), which layout-rs, the one pure-Rust Graphviz
//! layout, does not draw (its docs: it "lacks ... nested graphs"); a layered
//! (Sugiyama) layout of 10,000 nodes is also slow and unreadable. Boxes in a grid are
//! linear in the nodes, the same every run, and the DOT file beside the SVG gives the
//! same clusters to Graphviz for anyone who wants its layout. Pure: no I/O.

use std::collections::BTreeMap;

use crate::network::diagram::{Diagram, Place};

pub const NODE_HEIGHT: f64 = 44.0;
const NODE_MIN_WIDTH: f64 = 150.0;
const NODE_MAX_WIDTH: f64 = 320.0;
/// Roughly what a character of the 12px sans-serif text takes.
pub const CHAR_WIDTH: f64 = 7.0;
const GAP: f64 = 20.0;
const PAD: f64 = 14.0;
const HEADER: f64 = 26.0;
const MARGIN: f64 = 20.0;
/// Where a row of boxes wraps.
const ROW_WIDTH: f64 = 1800.0;
const GRID_COLUMNS: usize = 4;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center_x(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

/// A box that holds others: an account, a VPC, a subnet.
#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    pub rect: Rect,
    pub title: String,
    /// 0 for an account, 1 for a VPC (or the assets without a subnet), 2 for a subnet.
    pub depth: u8,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub containers: Vec<Container>,
    /// Each node's box, by the diagram's node index.
    pub nodes: Vec<Rect>,
    /// The nesting, for the DOT file's clusters: each container's nodes and children.
    pub tree: Vec<Tree>,
}

/// A container and what it holds, as laid out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tree {
    pub title: String,
    pub depth: u8,
    pub children: Vec<Tree>,
    pub nodes: Vec<usize>,
}

/// The width a node's text needs, within bounds (longer text is cut on the drawing, and
/// whole in its title).
pub fn node_width(text: &str, kind: &str) -> f64 {
    let chars = text.chars().count().max(kind.chars().count()) as f64;
    (chars * CHAR_WIDTH + 2.0 * PAD).clamp(NODE_MIN_WIDTH, NODE_MAX_WIDTH)
}

/// How many characters fit in a node of `width`.
pub fn fits(width: f64) -> usize {
    ((width - 2.0 * PAD) / CHAR_WIDTH).floor().max(1.0) as usize
}

pub fn layout(d: &Diagram) -> Layout {
    let tree = tree(d);
    let mut out = Layout {
        nodes: vec![Rect::default(); d.nodes.len()],
        ..Layout::default()
    };
    let widths: Vec<f64> = d
        .nodes
        .iter()
        .map(|n| node_width(&n.text, &n.kind))
        .collect();
    // The parties outside, in a row at the top.
    let outside: Vec<usize> = (0..d.nodes.len())
        .filter(|&i| d.nodes[i].place == Place::Outside)
        .collect();
    let mut y = MARGIN;
    let mut x = MARGIN;
    let mut width: f64 = 0.0;
    for &i in &outside {
        if x > MARGIN && x + widths[i] > ROW_WIDTH {
            x = MARGIN;
            y += NODE_HEIGHT + GAP;
        }
        out.nodes[i] = Rect {
            x,
            y,
            w: widths[i],
            h: NODE_HEIGHT,
        };
        x += widths[i] + GAP;
        width = width.max(x);
    }
    if !outside.is_empty() {
        // Room for the edges' labels under the row.
        y += NODE_HEIGHT + 3.0 * GAP;
    }
    let sizes: Vec<(f64, f64)> = tree.iter().map(|t| size(t, &widths)).collect();
    let (w, h) = flow(&tree, &sizes, MARGIN, y, &widths, &mut out);
    out.width = width.max(w) + MARGIN;
    out.height = (y + h).max(y) + MARGIN;
    out.tree = tree;
    out
}

/// The nesting of the diagram's asset nodes: account, VPC, subnet.
fn tree(d: &Diagram) -> Vec<Tree> {
    /// A VPC's subnets (`None`: its subnets drawn as one).
    type Subnets<'a> = BTreeMap<Option<&'a str>, Vec<usize>>;
    #[derive(Default)]
    struct Account<'a> {
        vpcs: BTreeMap<(&'a str, Option<&'a str>), Subnets<'a>>,
        regions: BTreeMap<(&'a str, bool), Vec<usize>>,
    }
    let mut accounts: BTreeMap<&str, Account> = BTreeMap::new();
    for (i, n) in d.nodes.iter().enumerate() {
        match &n.place {
            Place::Outside => {}
            Place::Subnet {
                account,
                region,
                vpc,
                subnet,
            } => accounts
                .entry(account)
                .or_default()
                .vpcs
                .entry((region, vpc.as_deref()))
                .or_default()
                .entry(subnet.as_deref())
                .or_default()
                .push(i),
            Place::Region {
                account,
                region,
                merged,
            } => accounts
                .entry(account)
                .or_default()
                .regions
                .entry((region, *merged))
                .or_default()
                .push(i),
        }
    }
    let heading = |id: &str| {
        let h = d.headings.get(id);
        let words: Vec<&str> = [
            h.and_then(|h| h.cidr.as_deref()),
            h.and_then(|h| h.zone.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if words.is_empty() {
            id.to_string()
        } else {
            format!("{id} ({})", words.join(", "))
        }
    };
    let leaf = |title: String, depth: u8, nodes: Vec<usize>| Tree {
        title,
        depth,
        children: Vec::new(),
        nodes,
    };
    accounts
        .into_iter()
        .map(|(account, a)| {
            let mut children: Vec<Tree> = a
                .vpcs
                .into_iter()
                .map(|((region, vpc), subnets)| {
                    let title = match vpc {
                        Some(vpc) => format!("VPC {} in {region}", heading(vpc)),
                        None => format!("VPC not recorded, in {region}"),
                    };
                    let children = subnets
                        .into_iter()
                        .map(|(subnet, nodes)| match subnet {
                            Some(s) => leaf(format!("Subnet {}", heading(s)), 2, nodes),
                            None => leaf("Its subnets, drawn as one".into(), 2, nodes),
                        })
                        .collect();
                    Tree {
                        title,
                        depth: 1,
                        children,
                        nodes: Vec::new(),
                    }
                })
                .collect();
            children.extend(a.regions.into_iter().map(|((region, merged), nodes)| {
                let title = if merged {
                    format!("In {region}: its VPCs and subnets drawn as one")
                } else {
                    format!("In {region}, no subnet recorded (regional services)")
                };
                leaf(title, 1, nodes)
            }));
            Tree {
                title: format!("AWS account {account}"),
                depth: 0,
                children,
                nodes: Vec::new(),
            }
        })
        .collect()
}

/// The grid of a container's own nodes: its column width, columns and rows.
fn grid(nodes: &[usize], widths: &[f64]) -> (f64, usize, usize) {
    let w = nodes
        .iter()
        .map(|&i| widths[i])
        .fold(NODE_MIN_WIDTH, f64::max);
    let columns = nodes.len().clamp(1, GRID_COLUMNS);
    (w, columns, nodes.len().div_ceil(columns))
}

/// A container's width and height.
fn size(t: &Tree, widths: &[f64]) -> (f64, f64) {
    let title = t.title.chars().count() as f64 * CHAR_WIDTH + 2.0 * PAD;
    let (inner_w, inner_h) = if t.children.is_empty() {
        let (w, columns, rows) = grid(&t.nodes, widths);
        (
            columns as f64 * (w + GAP) - GAP,
            rows as f64 * (NODE_HEIGHT + GAP) - GAP,
        )
    } else {
        let sizes: Vec<(f64, f64)> = t.children.iter().map(|c| size(c, widths)).collect();
        flow_size(&sizes)
    };
    ((inner_w + 2.0 * PAD).max(title), inner_h + HEADER + PAD)
}

/// The size of boxes placed left to right, wrapping at [`ROW_WIDTH`].
fn flow_size(sizes: &[(f64, f64)]) -> (f64, f64) {
    let (mut x, mut y, mut row_h, mut width) = (0.0, 0.0, 0.0_f64, 0.0_f64);
    for &(w, h) in sizes {
        if x > 0.0 && x + w > ROW_WIDTH {
            y += row_h + GAP;
            x = 0.0;
            row_h = 0.0;
        }
        x += w + GAP;
        row_h = row_h.max(h);
        width = width.max(x - GAP);
    }
    (width, y + row_h)
}

/// Places boxes left to right from (x0, y0), wrapping; returns the size they took.
fn flow(
    trees: &[Tree],
    sizes: &[(f64, f64)],
    x0: f64,
    y0: f64,
    widths: &[f64],
    out: &mut Layout,
) -> (f64, f64) {
    let (mut x, mut y, mut row_h, mut width) = (x0, y0, 0.0_f64, 0.0_f64);
    for (t, &(w, h)) in trees.iter().zip(sizes) {
        if x > x0 && x - x0 + w > ROW_WIDTH {
            y += row_h + GAP;
            x = x0;
            row_h = 0.0;
        }
        place(t, x, y, (w, h), widths, out);
        x += w + GAP;
        row_h = row_h.max(h);
        width = width.max(x - GAP - x0);
    }
    (width, y - y0 + row_h)
}

fn place(t: &Tree, x: f64, y: f64, (w, h): (f64, f64), widths: &[f64], out: &mut Layout) {
    out.containers.push(Container {
        rect: Rect { x, y, w, h },
        title: t.title.clone(),
        depth: t.depth,
    });
    let (ix, iy) = (x + PAD, y + HEADER);
    if t.children.is_empty() {
        let (nw, columns, _) = grid(&t.nodes, widths);
        for (k, &i) in t.nodes.iter().enumerate() {
            let (col, row) = (k % columns, k / columns);
            out.nodes[i] = Rect {
                x: ix + col as f64 * (nw + GAP),
                y: iy + row as f64 * (NODE_HEIGHT + GAP),
                w: nw,
                h: NODE_HEIGHT,
            };
        }
    } else {
        let sizes: Vec<(f64, f64)> = t.children.iter().map(|c| size(c, widths)).collect();
        flow(&t.children, &sizes, ix, iy, widths, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::diagram::{Heading, Node};

    fn node(place: Place, text: &str) -> Node {
        Node {
            place,
            text: text.into(),
            kind: "EC2".into(),
            title: vec![],
            assets: 1,
        }
    }

    fn inside(a: &Rect, b: &Rect) -> bool {
        a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h
    }

    fn overlap(a: &Rect, b: &Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    /// Every asset sits inside its subnet's box, inside its VPC's, inside its account's;
    /// no two assets overlap; the parties are above every account.
    #[test]
    fn assets_nest_in_their_subnet_vpc_and_account_and_never_overlap() {
        let subnet = |account: &str, vpc: &str, s: &str| Place::Subnet {
            account: account.into(),
            region: "us-east-1".into(),
            vpc: Some(vpc.into()),
            subnet: Some(s.into()),
        };
        let mut nodes = vec![node(Place::Outside, "Internet")];
        for i in 0..9 {
            nodes.push(node(subnet("1", "vpc-a", "subnet-a"), &format!("web {i}")));
        }
        nodes.push(node(
            subnet("1", "vpc-a", "subnet-b"),
            "a rather long label for a database server",
        ));
        nodes.push(node(subnet("2", "vpc-b", "subnet-c"), "app"));
        nodes.push(node(
            Place::Region {
                account: "2".into(),
                region: "us-east-1".into(),
                merged: false,
            },
            "bucket",
        ));
        let mut d = Diagram {
            nodes,
            ..Diagram::default()
        };
        d.headings.insert(
            "subnet-a".into(),
            Heading {
                cidr: Some("10.0.1.0/24".into()),
                zone: Some("us-east-1a".into()),
            },
        );
        let l = layout(&d);
        let find = |title: &str| {
            l.containers
                .iter()
                .find(|c| c.title.starts_with(title))
                .unwrap_or_else(|| panic!("{title}: {:#?}", l.containers))
                .rect
        };
        assert_eq!(l.containers.len(), 2 + 2 + 3 + 1);
        let (a, vpc, s) = (
            find("AWS account 1"),
            find("VPC vpc-a"),
            find("Subnet subnet-a (10.0.1.0/24, us-east-1a)"),
        );
        for i in 1..10 {
            assert!(inside(&l.nodes[i], &s) && inside(&s, &vpc) && inside(&vpc, &a));
        }
        assert!(inside(
            &l.nodes[12],
            &find("In us-east-1, no subnet recorded")
        ));
        assert!(inside(&l.nodes[12], &find("AWS account 2")));
        for i in 0..l.nodes.len() {
            for j in i + 1..l.nodes.len() {
                assert!(!overlap(&l.nodes[i], &l.nodes[j]), "{i} and {j}");
            }
            assert!(
                l.nodes[i].x + l.nodes[i].w <= l.width && l.nodes[i].y + l.nodes[i].h <= l.height
            );
        }
        assert!(l.nodes[0].y + l.nodes[0].h < a.y);
        assert!(
            l.nodes[10].w > l.nodes[11].w,
            "a long label gets a wider box"
        );
        assert_eq!(l.tree.len(), 2);
    }
}
