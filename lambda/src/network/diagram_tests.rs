//! The boundary diagram's content from plain facts: where each asset is drawn, what it
//! is labelled, which edges join what, and how a large system is grouped.

use super::diagram::{diagram, Grouping, Place, NODE_LIMIT, PARTY_LIMIT};
use super::ports_tests::{cidr, placed, tcp, web, PRIVATE, PUBLIC};
use super::*;

fn drawn(system: &super::ports_tests::System) -> diagram::Diagram {
    let e = system.evidence();
    diagram(&e.evidence, &e.assets, 0..system.assets.len() as u32)
}

fn node(d: &diagram::Diagram, text: &str) -> usize {
    d.nodes
        .iter()
        .position(|n| n.text == text)
        .unwrap_or_else(|| panic!("no node {text}: {:#?}", d.nodes))
}

fn edge<'a>(d: &'a diagram::Diagram, from: &str, to: &str) -> &'a diagram::Edge {
    let (f, t) = (node(d, from), node(d, to));
    d.edges
        .iter()
        .find(|e| (e.from, e.to) == (f, t))
        .unwrap_or_else(|| panic!("no edge {from} -> {to}: {:#?}", d.edges))
}

/// Each asset in its subnet under its labels; the parties outside first; one edge per
/// pair with every protocol between them; a group peer drawn from its members.
#[test]
fn the_web_system_is_drawn_in_its_subnets_with_its_connections() {
    let d = drawn(&placed());
    assert_eq!(d.grouping, Grouping::None);
    let texts: Vec<&str> = d.nodes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Internet",
            "10.0.0.0/16",
            "10.0.1.0/24",
            "pl-office",
            // subnet-private, then subnet-public
            "app server",
            "orders db",
            "web entry"
        ]
    );
    let place = |text: &str| d.nodes[node(&d, text)].place.clone();
    let subnet = |s: &str| Place::Subnet {
        account: "111122223333".into(),
        region: "us-east-1".into(),
        vpc: Some("vpc-1".into()),
        subnet: Some(s.into()),
    };
    assert_eq!(place("web entry"), subnet(PUBLIC));
    assert_eq!(place("orders db"), subnet(PRIVATE));
    assert_eq!(place("Internet"), Place::Outside);
    assert_eq!(
        edge(&d, "Internet", "web entry").labels,
        ["TCP 443", "TCP 80"]
    );
    assert_eq!(edge(&d, "Internet", "app server").labels, ["TCP 22"]);
    assert_eq!(edge(&d, "web entry", "app server").labels, ["TCP 8080"]);
    let db = edge(&d, "app server", "orders db");
    assert_eq!(
        (db.labels.as_slice(), db.outbound),
        (&["TCP 5432".to_string()][..], false)
    );
    // Every group's recorded egress: all traffic to anywhere, dashed.
    let out = edge(&d, "orders db", "Internet");
    assert_eq!(
        (out.labels.as_slice(), out.outbound),
        (&["all".to_string()][..], true)
    );
    assert!(d.nodes[node(&d, "orders db")].title[0].contains("RDS arn:aws:rds"));
}

/// Past the threshold, one node per kind and subnet that lists its members; past the
/// node limit, per VPC; many networks outside become one node that lists them.
#[test]
fn a_large_system_is_grouped_and_every_asset_still_named() {
    let mut system = web();
    for i in 0..60 {
        system.add(
            &format!("i-web{i:02}"),
            "EC2",
            &format!("web {i:02}"),
            &["sg-alb"],
            vec![],
        );
        let n = system.assets.len() - 1;
        system.assets[n].1.subnets = vec![format!("subnet-{}", i % 2)];
    }
    for i in 0..=PARTY_LIMIT {
        system.facts.security_groups[0]
            .ingress
            .push(tcp(9000 + i as i64, &[cidr(&format!("192.168.{i}.0/24"))]));
    }
    let d = drawn(&system);
    assert_eq!(d.grouping, Grouping::Subnet);
    let web = &d.nodes[node(&d, "30 x EC2")];
    assert_eq!(web.assets, 30);
    assert!(
        web.title.iter().any(|t| t == "web 00 (EC2 i-web00)"),
        "{:?}",
        web.title
    );
    assert_eq!(d.nodes.iter().map(|n| n.assets).sum::<usize>(), 63);
    let networks = &d.nodes[node(&d, &format!("{} networks", PARTY_LIMIT + 3))];
    assert!(networks.title.iter().any(|t| t == "192.168.0.0/24"));
    let into_web = edge(&d, &format!("{} networks", PARTY_LIMIT + 3), "30 x EC2");
    assert!(into_web.labels.len() > PARTY_LIMIT, "{:?}", into_web.labels);
    // So many kinds that even one node per kind and VPC passes the limit: one per kind
    // and region, bounded by the kinds themselves.
    for i in 0..NODE_LIMIT {
        system.add(&format!("i-odd{i}"), &format!("Kind{i}"), "", &[], vec![]);
        let n = system.assets.len() - 1;
        system.assets[n].1.subnets = vec![format!("subnet-{}", i % 2)];
    }
    let d = drawn(&system);
    assert_eq!(d.grouping, Grouping::Region, "{} nodes", d.nodes.len());
    assert!(d.nodes.len() <= NODE_LIMIT + 10, "{}", d.nodes.len());
}
