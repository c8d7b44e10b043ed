//! Ports, protocols and services from plain facts: a two-tier web system behind an
//! internet-facing load balancer, and the odd cases.

use super::attach::{listener_endpoint, Attachment, Encryption, Endpoint};
use super::ports::{cidr_within, derive, Listed};
use super::*;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";

fn group(id: &str, ingress: Vec<Permission>) -> SecurityGroup {
    SecurityGroup {
        account: ACCOUNT.into(),
        region: REGION.into(),
        id: id.into(),
        name: None,
        vpc: Some("vpc-1".into()),
        ingress,
        egress: vec![rule(
            Protocol::All,
            None,
            None,
            &[Peer::Cidr("0.0.0.0/0".into())],
        )],
    }
}

fn rule(protocol: Protocol, from: Option<i64>, to: Option<i64>, peers: &[Peer]) -> Permission {
    Permission {
        protocol,
        from_port: from,
        to_port: to,
        peers: peers.to_vec(),
    }
}

fn tcp(port: i64, peers: &[Peer]) -> Permission {
    rule(Protocol::Tcp, Some(port), Some(port), peers)
}

fn cidr(c: &str) -> Peer {
    Peer::Cidr(c.into())
}

fn sg(id: &str) -> Peer {
    Peer::Group {
        id: id.into(),
        account: None,
    }
}

fn attachment(id: &str, groups: &[&str], endpoints: Vec<Endpoint>) -> Attachment {
    Attachment {
        account: ACCOUNT.into(),
        region: REGION.into(),
        asset_id: id.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        endpoints,
        purpose: None,
        name: None,
    }
}

fn listed(asset_type: &str, label: &str) -> Option<Listed> {
    Some(Listed {
        asset_type: asset_type.into(),
        label: label.into(),
    })
}

const ALB: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/1";

fn listener(port: i64, protocol: &str, policy: Option<&str>) -> Listener {
    Listener {
        account: ACCOUNT.into(),
        region: REGION.into(),
        arn: format!("{ALB}/listener/{port}"),
        load_balancer: Some(ALB.into()),
        port: Some(port),
        protocol: Some(protocol.into()),
        ssl_policy: policy.map(str::to_string),
    }
}

/// The web system: an ALB (HTTPS and HTTP from anywhere, IPv4 and IPv6), app servers
/// reached only from the ALB's group and by SSH from a prefix list, a database reached
/// only from the app's group on 5432, and a group attached to nothing.
fn web() -> (NetworkFacts, Vec<Attachment>, Vec<Option<Listed>>) {
    let anywhere = [cidr("0.0.0.0/0"), cidr("::/0")];
    let facts = NetworkFacts {
        security_groups: vec![
            group("sg-alb", vec![tcp(443, &anywhere), tcp(80, &anywhere)]),
            group(
                "sg-app",
                vec![
                    tcp(8080, &[sg("sg-alb")]),
                    tcp(22, &[Peer::PrefixList("pl-office".into())]),
                    rule(Protocol::Icmp, Some(-1), Some(-1), &[cidr("10.0.0.0/16")]),
                    rule(
                        Protocol::Tcp,
                        Some(1024),
                        Some(65_535),
                        &[cidr("10.0.1.0/24")],
                    ),
                ],
            ),
            group("sg-db", vec![tcp(5432, &[sg("sg-app")])]),
            group("sg-unused", vec![tcp(3389, &[cidr("0.0.0.0/0")])]),
        ],
        vpcs: vec![Vpc {
            account: ACCOUNT.into(),
            region: REGION.into(),
            id: "vpc-1".into(),
            cidrs: vec!["10.0.0.0/16".into()],
            ipv6_cidrs: vec![],
        }],
        listeners: vec![
            listener(443, "HTTPS", Some("ELBSecurityPolicy-TLS13-1-2-2021-06")),
            listener(80, "HTTP", None),
        ],
        ..NetworkFacts::default()
    };
    let attachments = vec![
        attachment(ALB, &["sg-alb"], vec![]),
        attachment("i-app", &["sg-app"], vec![]),
        attachment(
            "arn:aws:rds:us-east-1:111122223333:db:orders",
            &["sg-db"],
            vec![Endpoint {
                port: 5432,
                transport: Protocol::Tcp,
                protocol: None,
                encryption: Encryption::NotDetermined,
            }],
        ),
    ];
    let assets = vec![
        listed("Load Balancer-Application", "web entry"),
        listed("EC2", "app server"),
        listed("RDS", "orders db"),
    ];
    (facts, attachments, assets)
}

fn row<'a>(e: &'a Evidence, asset: &str, port: &str) -> &'a PortEntry {
    e.ports
        .iter()
        .find(|p| p.asset_id.ends_with(asset) && p.port == port)
        .unwrap_or_else(|| panic!("no entry for {asset} {port}: {:#?}", e.ports))
}

#[test]
fn a_listener_gives_its_tls_policy_and_the_rule_its_sources() {
    let (facts, attachments, assets) = web();
    let e = derive(&facts, &attachments, &assets);
    let https = row(&e, "web/1", "443");
    assert_eq!(
        (https.transport.as_str(), https.encryption.as_str()),
        ("TCP", "TLS (ELBSecurityPolicy-TLS13-1-2-2021-06)")
    );
    assert_eq!(https.protocol_name.as_deref(), Some("https"));
    assert_eq!(https.service, "https (Load Balancer-Application)");
    assert_eq!(https.sources, "internet (0.0.0.0/0); internet (::/0)");
    assert_eq!(https.groups, "sg-alb");
    let http = row(&e, "web/1", "80");
    assert_eq!(http.encryption, "None");
    assert_eq!(
        http.purpose,
        "TCP 80 to Load Balancer-Application web entry, from internet (0.0.0.0/0); internet (::/0), as sg-alb permits"
    );
}

#[test]
fn a_group_reference_a_prefix_list_icmp_and_a_range_are_named_as_such() {
    let (facts, attachments, assets) = web();
    let e = derive(&facts, &attachments, &assets);
    let db = row(&e, "db:orders", "5432");
    assert_eq!(db.sources, "security group sg-app");
    assert_eq!(db.service, "postgresql (RDS)");
    assert_eq!(db.encryption, "not determined from configuration");
    assert_eq!(row(&e, "i-app", "8080").sources, "security group sg-alb");
    assert_eq!(row(&e, "i-app", "22").sources, "prefix list pl-office");
    assert_eq!(row(&e, "i-app", "22").protocol_name.as_deref(), Some("ssh"));
    let icmp = row(&e, "i-app", "all");
    assert_eq!(icmp.transport, "ICMP");
    assert_eq!(icmp.sources, "VPC CIDR 10.0.0.0/16 (vpc-1)");
    let range = row(&e, "i-app", "1024-65535");
    assert_eq!(range.service, "EC2 ports 1024-65535");
    assert_eq!(range.sources, "CIDR 10.0.1.0/24 (inside vpc-1)");
    // One entry per asset, port and transport; in asset, transport and port order.
    assert_eq!(e.ports.len(), 2 + 4 + 1);
    assert_eq!(e.attached_assets, 3);
}

#[test]
fn a_group_attached_to_nothing_is_counted_and_gives_no_entry() {
    let (facts, attachments, assets) = web();
    let e = derive(&facts, &attachments, &assets);
    let ids: Vec<&str> = e.unattached_groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["sg-unused"]);
    assert!(e.ports.iter().all(|p| p.port != "3389"));
}

#[test]
fn all_traffic_is_every_port_and_covers_an_endpoint() {
    let (mut facts, mut attachments, mut assets) = web();
    facts.security_groups.push(group(
        "sg-open",
        vec![rule(Protocol::All, None, None, &[cidr("0.0.0.0/0")])],
    ));
    attachments.push(attachment(
        "cache-1",
        &["sg-open"],
        vec![Endpoint {
            port: 6379,
            transport: Protocol::Tcp,
            protocol: None,
            encryption: Encryption::Tls(None),
        }],
    ));
    assets.push(listed("ElastiCache", ""));
    let e = derive(&facts, &attachments, &assets);
    let all = row(&e, "cache-1", "0-65535");
    assert_eq!(
        (all.transport.as_str(), all.service.as_str()),
        ("all", "all traffic (ElastiCache)")
    );
    let redis = row(&e, "cache-1", "6379");
    assert_eq!(
        (redis.encryption.as_str(), redis.sources.as_str()),
        ("TLS", "internet (0.0.0.0/0)")
    );
    assert!(
        redis.purpose.contains("ElastiCache cache-1"),
        "{}",
        redis.purpose
    );
}

#[test]
fn an_endpoint_no_rule_permits_gives_no_entry_and_one_without_groups_says_so() {
    let (facts, mut attachments, mut assets) = web();
    // The database answers on 5432; its group permits only 5432, so 3306 is closed.
    attachments[2].endpoints.push(Endpoint {
        port: 3306,
        transport: Protocol::Tcp,
        protocol: None,
        encryption: Encryption::NotDetermined,
    });
    // A Network Load Balancer without a security group.
    let nlb = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/n/2";
    attachments.push(attachment(
        nlb,
        &[],
        vec![listener_endpoint(53, "UDP", None)],
    ));
    assets.push(listed("Load Balancer-Network", "dns"));
    // An app server whose group was not read.
    attachments.push(attachment("i-lost", &["sg-gone"], vec![]));
    assets.push(listed("EC2", ""));
    let e = derive(&facts, &attachments, &assets);
    assert!(e.ports.iter().all(|p| p.port != "3306"));
    let dns = row(&e, "net/n/2", "53");
    assert_eq!(dns.transport, "UDP");
    assert_eq!(dns.protocol_name.as_deref(), Some("dns"));
    assert!(
        dns.sources.starts_with("no security group filters it"),
        "{}",
        dns.sources
    );
    assert_eq!(dns.encryption, "not determined from configuration");
    let lost: Vec<&str> = e.groups_not_read.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(lost, ["sg-gone"]);
    assert!(e.ports.iter().all(|p| p.asset_id != "i-lost"));
}

#[test]
fn an_asset_not_listed_gives_no_entry_but_its_groups_are_attached() {
    let (facts, attachments, mut assets) = web();
    assets[1] = None;
    let e = derive(&facts, &attachments, &assets);
    assert!(e.ports.iter().all(|p| p.asset_id != "i-app"));
    assert!(e.unattached_groups.iter().all(|g| g.id != "sg-app"));
}

#[test]
fn the_purpose_tag_is_the_purpose() {
    let (facts, mut attachments, assets) = web();
    attachments[2].purpose = Some("orders database".into());
    let e = derive(&facts, &attachments, &assets);
    assert_eq!(row(&e, "db:orders", "5432").purpose, "orders database");
}

#[test]
fn blocks_inside_blocks() {
    assert!(cidr_within("10.0.1.0/24", "10.0.0.0/16"));
    assert!(cidr_within("10.0.0.0/16", "10.0.0.0/16"));
    assert!(!cidr_within("10.0.0.0/8", "10.0.0.0/16"));
    assert!(!cidr_within("10.1.0.0/24", "10.0.0.0/16"));
    assert!(cidr_within("2600:1f18:0:10::/64", "2600:1f18::/56"));
    assert!(!cidr_within("2600:1f18:1::/64", "2600:1f18::/56"));
    assert!(!cidr_within("10.0.0.0/24", "::/0"));
    assert!(cidr_within("::/0", "::/0"));
    assert!(cidr_within("192.168.0.0/24", "0.0.0.0/0"));
}
