//! Ports, protocols and services from plain facts: a two-tier web system behind an
//! internet-facing load balancer, and the odd cases.

use super::attach::{listener_endpoint, Attachment, Encryption, Endpoint};
use super::entries::cidr_within;
use super::ports::derive;
use super::*;
use crate::fields::Field;

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

pub(super) fn tcp(port: i64, peers: &[Peer]) -> Permission {
    rule(Protocol::Tcp, Some(port), Some(port), peers)
}

pub(super) fn cidr(c: &str) -> Peer {
    Peer::Cidr(c.into())
}

fn sg(id: &str) -> Peer {
    Peer::Group {
        id: id.into(),
        account: None,
    }
}

/// An asset as the inventory would list it.
#[derive(Clone)]
pub(super) struct Row {
    id: String,
    asset_type: String,
    label: String,
    listed: bool,
    /// The Public column: "Yes", "No" or empty.
    public: String,
}

/// The assets of a test, by stored index, as an inventory answers for them.
#[derive(Default)]
pub(super) struct Assets(Vec<Row>);

impl AssetNames for Assets {
    fn listed(&self, asset: u32) -> bool {
        self.0[asset as usize].listed
    }

    fn place(&self, _: u32) -> (&str, &str) {
        (ACCOUNT, REGION)
    }

    fn cell(&self, asset: u32, field: Field) -> &str {
        let row = &self.0[asset as usize];
        match field {
            Field::AssetId => &row.id,
            Field::AssetType => &row.asset_type,
            Field::DiagramLabel => &row.label,
            Field::Public => &row.public,
            _ => "",
        }
    }
}

/// A system under test: its facts, and each asset with its attachment.
pub(super) struct System {
    pub(super) facts: NetworkFacts,
    pub(super) assets: Vec<(Row, Attachment)>,
}

impl System {
    pub(super) fn add(
        &mut self,
        id: &str,
        asset_type: &str,
        label: &str,
        groups: &[&str],
        endpoints: Vec<Endpoint>,
    ) {
        let row = Row {
            id: id.into(),
            asset_type: asset_type.into(),
            label: label.into(),
            listed: true,
            public: "No".into(),
        };
        let attachment = Attachment {
            groups: groups.iter().map(|g| g.to_string()).collect(),
            endpoints,
            ..Attachment::default()
        };
        self.assets.push((row, attachment));
    }

    pub(super) fn evidence(&self) -> Lines {
        let mut attachments = Attachments::default();
        let mut assets = Assets::default();
        for (i, (row, attachment)) in self.assets.iter().enumerate() {
            assets.0.push(row.clone());
            attachments.add(i as u32, attachment.clone());
        }
        let mut evidence = derive(&self.facts, &attachments, &assets);
        let lines = evidence.lines(&assets).map(Line::of).collect();
        evidence.keep(self.facts.clone(), attachments);
        Lines {
            evidence,
            lines,
            assets,
        }
    }
}

/// A line in owned words, to compare.
#[derive(Debug)]
struct Line {
    asset_id: String,
    port: String,
    transport: String,
    service: String,
    protocol_name: Option<&'static str>,
    encryption: String,
    purpose: String,
    sources: String,
    groups: String,
    exposure: Exposure,
}

impl Line {
    fn of(l: PortLine<'_>) -> Line {
        Line {
            asset_id: l.asset_id.into(),
            port: l.port.to_string(),
            transport: l.transport.into(),
            service: l.service.into(),
            protocol_name: l.protocol_name,
            encryption: l.encryption.into(),
            purpose: l.purpose.into(),
            sources: l.sources.into(),
            groups: l.groups.into(),
            exposure: l.exposure,
        }
    }
}

pub(super) struct Lines {
    pub(super) evidence: Evidence,
    lines: Vec<Line>,
    pub(super) assets: Assets,
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
pub(super) fn web() -> System {
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
    let mut system = System {
        facts,
        assets: Vec::new(),
    };
    system.add(
        ALB,
        "Load Balancer-Application",
        "web entry",
        &["sg-alb"],
        vec![],
    );
    system.add("i-app", "EC2", "app server", &["sg-app"], vec![]);
    system.add(
        "arn:aws:rds:us-east-1:111122223333:db:orders",
        "RDS",
        "orders db",
        &["sg-db"],
        vec![Endpoint {
            port: 5432,
            transport: Protocol::Tcp,
            protocol: None,
            encryption: Encryption::NotDetermined,
        }],
    );
    system
}

fn row<'a>(e: &'a Lines, asset: &str, port: &str) -> &'a Line {
    e.lines
        .iter()
        .find(|p| p.asset_id.ends_with(asset) && p.port == port)
        .unwrap_or_else(|| panic!("no entry for {asset} {port}: {:#?}", e.lines))
}

#[test]
fn a_listener_gives_its_tls_policy_and_the_rule_its_sources() {
    let e = web().evidence();
    let https = row(&e, "web/1", "443");
    assert_eq!(
        (https.transport.as_str(), https.encryption.as_str()),
        ("TCP", "TLS (ELBSecurityPolicy-TLS13-1-2-2021-06)")
    );
    assert_eq!(https.protocol_name, Some("https"));
    assert_eq!(https.service, "https");
    assert_eq!(https.sources, "internet (0.0.0.0/0); internet (::/0)");
    assert_eq!(https.groups, "sg-alb");
    let http = row(&e, "web/1", "80");
    assert_eq!(http.encryption, "None");
    assert_eq!(http.purpose, "TCP 80 to web entry");
}

#[test]
fn a_group_reference_a_prefix_list_icmp_and_a_range_are_named_as_such() {
    let e = web().evidence();
    let db = row(&e, "db:orders", "5432");
    assert_eq!(db.sources, "security group sg-app");
    assert_eq!(db.service, "postgresql");
    assert_eq!(db.encryption, "not determined from configuration");
    assert_eq!(row(&e, "i-app", "8080").sources, "security group sg-alb");
    assert_eq!(row(&e, "i-app", "22").sources, "prefix list pl-office");
    assert_eq!(row(&e, "i-app", "22").protocol_name, Some("ssh"));
    let icmp = row(&e, "i-app", "all");
    assert_eq!(icmp.transport, "ICMP");
    assert_eq!(icmp.sources, "VPC CIDR 10.0.0.0/16 (vpc-1)");
    let range = row(&e, "i-app", "1024-65535");
    assert_eq!(range.service, "EC2 ports 1024-65535");
    assert_eq!(range.sources, "CIDR 10.0.1.0/24 (inside vpc-1)");
    // One entry per asset, port and transport; in asset, transport and port order.
    assert_eq!(e.lines.len(), 2 + 4 + 1);
    assert_eq!(e.evidence.len(), e.lines.len());
    assert_eq!(e.evidence.attached_assets, 3);
}

#[test]
fn ingress_from_the_internet_beyond_web_ports_is_flagged_for_ksi_cna_rnt() {
    let mut system = web();
    // SSH and all traffic from the internet, on an instance of its own.
    system.facts.security_groups.push(group(
        "sg-wide",
        vec![
            tcp(22, &[cidr("0.0.0.0/0")]),
            rule(Protocol::All, None, None, &[cidr("::/0")]),
            tcp(443, &[cidr("0.0.0.0/0")]),
        ],
    ));
    system.add("i-wide", "EC2", "", &["sg-wide"], vec![]);
    let e = system.evidence();
    assert_eq!(
        (
            e.evidence.internet_other_ports,
            e.evidence.internet_all_traffic
        ),
        (1, 1)
    );
    // The ALB's 443 and 80 from the internet are what KSI-CNA-RNT allows.
    assert_eq!(row(&e, "web/1", "443").exposure, Exposure::None);
    assert_eq!(row(&e, "web/1", "80").exposure, Exposure::None);
    assert_eq!(row(&e, "i-wide", "22").exposure, Exposure::OtherPort);
    assert_eq!(row(&e, "i-wide", "0-65535").exposure, Exposure::AllTraffic);
    assert_eq!(row(&e, "i-wide", "443").exposure, Exposure::None);
    // From inside the VPC, a port is no finding.
    assert_eq!(row(&e, "i-app", "1024-65535").exposure, Exposure::None);
    let counts = e.evidence.counts();
    assert_eq!((counts.findings(), counts.ports), (2, e.lines.len() as u64));
}

#[test]
fn a_group_attached_to_nothing_is_counted_and_gives_no_entry() {
    let e = web().evidence();
    let ids: Vec<&str> = e
        .evidence
        .unattached_groups
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(ids, ["sg-unused"]);
    assert!(e.lines.iter().all(|p| p.port != "3389"));
}

#[test]
fn all_traffic_is_every_port_and_covers_an_endpoint() {
    let mut system = web();
    system.facts.security_groups.push(group(
        "sg-open",
        vec![rule(Protocol::All, None, None, &[cidr("0.0.0.0/0")])],
    ));
    system.add(
        "cache-1",
        "ElastiCache",
        "",
        &["sg-open"],
        vec![Endpoint {
            port: 6379,
            transport: Protocol::Tcp,
            protocol: None,
            encryption: Encryption::Tls(None),
        }],
    );
    let e = system.evidence();
    let all = row(&e, "cache-1", "0-65535");
    assert_eq!(
        (all.transport.as_str(), all.service.as_str()),
        ("all", "all traffic")
    );
    let redis = row(&e, "cache-1", "6379");
    assert_eq!(
        (redis.encryption.as_str(), redis.sources.as_str()),
        ("TLS", "internet (0.0.0.0/0)")
    );
    assert!(redis.purpose.contains("to cache-1"), "{}", redis.purpose);
}

#[test]
fn an_endpoint_no_rule_permits_gives_no_entry_and_one_without_groups_says_so() {
    let mut system = web();
    // The database answers on 5432; its group permits only 5432, so 3306 is closed.
    system.assets[2].1.endpoints.push(Endpoint {
        port: 3306,
        transport: Protocol::Tcp,
        protocol: None,
        encryption: Encryption::NotDetermined,
    });
    // A Network Load Balancer without a security group.
    let nlb = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/n/2";
    system.add(
        nlb,
        "Load Balancer-Network",
        "dns",
        &[],
        vec![listener_endpoint(53, "UDP", None)],
    );
    // An app server whose group was not read.
    system.add("i-lost", "EC2", "", &["sg-gone"], vec![]);
    let e = system.evidence();
    assert!(e.lines.iter().all(|p| p.port != "3306"));
    let dns = row(&e, "net/n/2", "53");
    assert_eq!(dns.transport, "UDP");
    assert_eq!(dns.protocol_name, Some("dns"));
    assert!(
        dns.sources.starts_with("no security group filters it"),
        "{}",
        dns.sources
    );
    assert_eq!(dns.encryption, "not determined from configuration");
    let lost: Vec<&str> = e
        .evidence
        .groups_not_read
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(lost, ["sg-gone"]);
    assert!(e.lines.iter().all(|p| p.asset_id != "i-lost"));
}

#[test]
fn an_asset_not_listed_gives_no_entry_but_its_groups_are_attached() {
    let mut system = web();
    system.assets[1].0.listed = false;
    let e = system.evidence();
    assert!(e.lines.iter().all(|p| p.asset_id != "i-app"));
    assert!(e
        .evidence
        .unattached_groups
        .iter()
        .all(|g| g.id != "sg-app"));
}

#[test]
fn the_purpose_tag_is_the_purpose() {
    let mut system = web();
    system.assets[2].1.purpose = Some("orders database".into());
    let e = system.evidence();
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

#[test]
fn assets_with_the_same_groups_share_their_list_and_every_line_reads_by_number() {
    let mut system = web();
    system.add("i-app2", "EC2", "", &["sg-app"], vec![]);
    system.add("i-app0", "EC2", "", &["sg-app"], vec![]);
    let e = system.evidence();
    assert_eq!(e.lines.len(), 2 + 4 * 3 + 1);
    // In account, region and identifier order: i-app, i-app0, i-app2 after the ARNs.
    let order: Vec<&str> = e.lines.iter().map(|l| l.asset_id.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    assert_eq!(row(&e, "i-app2", "22").sources, "prefix list pl-office");
    // The label falls back to the identifier in the purpose.
    assert!(row(&e, "i-app0", "22").purpose == "TCP 22 to i-app0");
    let mut assets = Assets::default();
    for (r, _) in &system.assets {
        assets.0.push(r.clone());
    }
    for (i, walked) in e.lines.iter().enumerate() {
        let by_number = Line::of(e.evidence.line(i, &assets));
        assert_eq!(format!("{by_number:?}"), format!("{walked:?}"), "line {i}");
    }
    // As the sheet renders a piece: from any line on, across assets and across an
    // asset's own entries laid over its groups' (the ALB's listeners).
    for from in 0..=e.lines.len() {
        let rest = e.evidence.lines_from(from, &assets);
        let rest: Vec<String> = rest.map(|l| format!("{:?}", Line::of(l))).collect();
        let walked: Vec<String> = e.lines[from..].iter().map(|l| format!("{l:?}")).collect();
        assert_eq!(rest, walked, "from line {from}");
    }
}

// The permitted connections, on the same web system placed in a VPC: the ALB in a
// public subnet (a route to an internet gateway, a network ACL admitting 443 and 80
// and denying 22), the app server and database in a private subnet (no route out).

use super::connections::{connections, members, Connection, Party};
use super::facts::{AclEntry, Route};

pub(super) const PUBLIC: &str = "subnet-public";
pub(super) const PRIVATE: &str = "subnet-private";

pub(super) fn placed() -> System {
    let mut system = web();
    system.facts.subnets = [PUBLIC, PRIVATE]
        .iter()
        .map(|id| Subnet {
            account: ACCOUNT.into(),
            region: REGION.into(),
            id: id.to_string(),
            vpc: Some("vpc-1".into()),
            cidr: None,
            ipv6_cidrs: vec![],
            availability_zone: None,
            public_ip_on_launch: false,
        })
        .collect();
    let table = |id: &str, subnets: &[&str], main: bool, to_gateway: bool| RouteTable {
        account: ACCOUNT.into(),
        region: REGION.into(),
        id: id.into(),
        vpc: Some("vpc-1".into()),
        routes: [("10.0.0.0/16", "local")]
            .into_iter()
            .chain(to_gateway.then_some(("0.0.0.0/0", "igw-1")))
            .map(|(d, t)| Route {
                destination: d.into(),
                target: t.into(),
            })
            .collect(),
        subnets: subnets.iter().map(|s| s.to_string()).collect(),
        main,
    };
    // The private subnet has no table of its own: the VPC's main one serves it.
    system.facts.route_tables = vec![
        table("rtb-public", &[PUBLIC], false, true),
        table("rtb-main", &[], true, false),
    ];
    let entry = |n: i64, allow: bool, protocol: Protocol, ports: Option<(i64, i64)>| AclEntry {
        rule_number: n,
        egress: false,
        allow,
        protocol,
        cidr: Some("0.0.0.0/0".into()),
        from_port: ports.map(|p| p.0),
        to_port: ports.map(|p| p.1),
    };
    system.facts.network_acls = vec![NetworkAcl {
        account: ACCOUNT.into(),
        region: REGION.into(),
        id: "acl-1".into(),
        vpc: Some("vpc-1".into()),
        default: true,
        subnets: vec![],
        entries: vec![
            entry(90, false, Protocol::Tcp, Some((22, 22))),
            entry(100, true, Protocol::All, None),
        ],
    }];
    for (i, subnet) in [PUBLIC, PRIVATE, PRIVATE].iter().enumerate() {
        system.assets[i].1.subnets = vec![subnet.to_string()];
    }
    system.assets[0].0.public = "Yes".into();
    // The app server is open to SSH from anywhere, but private: permitted, not reachable.
    system.facts.security_groups[1]
        .ingress
        .push(tcp(22, &[cidr("0.0.0.0/0")]));
    system
}

fn owned(e: &Lines) -> Vec<Connection<'_>> {
    connections(&e.evidence, &e.assets).collect()
}

fn find<'a>(
    list: &'a [Connection<'a>],
    asset: &str,
    direction: &str,
    ports: &str,
) -> &'a Connection<'a> {
    list.iter()
        .find(|c| c.asset_id.ends_with(asset) && c.direction == direction && c.ports == ports)
        .unwrap_or_else(|| panic!("no {direction} {ports} on {asset}: {list:#?}"))
}

#[test]
fn a_public_subnet_with_a_gateway_and_an_admitting_acl_is_reachable() {
    let e = placed().evidence();
    let list = owned(&e);
    let https = find(&list, "web/1", "inbound", "443");
    assert_eq!(https.party, Party::Internet("0.0.0.0/0"));
    assert_eq!(https.security_group, Some("sg-alb"));
    let reach = https.reach.as_ref().unwrap();
    assert_eq!(reach.reachable, Some(true), "{reach:?}");
    assert!(
        reach
            .reasons
            .iter()
            .any(|r| r.contains("routes 0.0.0.0/0 to internet gateway igw-1 (rtb-public)")),
        "{reach:?}"
    );
    assert!(
        reach
            .reasons
            .iter()
            .any(|r| r.contains("network ACL acl-1 rule 100 (allows) admits it")),
        "{reach:?}"
    );
}

#[test]
fn a_private_subnet_open_to_the_internet_is_permitted_and_not_reachable() {
    let e = placed().evidence();
    let list = owned(&e);
    let from_internet = list
        .iter()
        .find(|c| {
            c.asset_id == "i-app" && c.ports == "22" && c.party == Party::Internet("0.0.0.0/0")
        })
        .expect("the group permits SSH from the internet");
    let reach = from_internet.reach.as_ref().unwrap();
    assert_eq!(reach.reachable, Some(false), "{reach:?}");
    assert!(
        reach.reasons.iter().any(|r| r.contains("Public: No")),
        "{reach:?}"
    );
    // Were it public, its subnet's main route table still has no way out.
    let mut system = placed();
    system.assets[1].0.public = "Yes".into();
    let e = system.evidence();
    let list = owned(&e);
    let c = list
        .iter()
        .find(|c| {
            c.asset_id == "i-app" && c.ports == "22" && c.party == Party::Internet("0.0.0.0/0")
        })
        .unwrap();
    let reach = c.reach.as_ref().unwrap();
    assert_eq!(reach.reachable, Some(false), "{reach:?}");
    assert!(
        reach.reasons.iter().any(|r| r
            == "subnet subnet-private's route table rtb-main has no route to an internet gateway"),
        "{reach:?}"
    );
}

#[test]
fn a_network_acl_that_denies_first_decides() {
    let mut system = placed();
    // SSH from anywhere to the ALB: its group permits it, the ACL's rule 90 denies it.
    system.facts.security_groups[0]
        .ingress
        .push(tcp(22, &[cidr("0.0.0.0/0")]));
    let e = system.evidence();
    let list = owned(&e);
    let reach = find(&list, "web/1", "inbound", "22").reach.clone().unwrap();
    assert_eq!(reach.reachable, Some(false), "{reach:?}");
    assert!(
        reach
            .reasons
            .iter()
            .any(|r| r.contains("network ACL acl-1 rule 90 (denies) denies it")),
        "{reach:?}"
    );
}

#[test]
fn group_peers_resolve_to_their_members_and_egress_is_outbound() {
    let e = placed().evidence();
    let list = owned(&e);
    let db = find(&list, "db:orders", "inbound", "5432");
    assert_eq!(
        db.party,
        Party::Group {
            id: "sg-app",
            account: None
        }
    );
    let groups = members(&e.evidence, &e.assets);
    let app = groups.iter().find(|g| g.id == "sg-app").unwrap();
    assert_eq!(app.assets, ["i-app"]);
    let unused = groups.iter().find(|g| g.id == "sg-unused").unwrap();
    assert!(unused.assets.is_empty());
    // Every group's egress rule (all traffic to anywhere) is an outbound connection.
    let out = find(&list, "i-app", "outbound", "0-65535");
    assert_eq!(
        (out.party.clone(), out.protocol.as_ref()),
        (Party::Internet("0.0.0.0/0"), "all")
    );
    assert!(out.reach.is_none());
}

#[test]
fn what_was_not_read_is_not_determined_and_ids_are_stable() {
    let mut system = placed();
    system.facts.route_tables.clear();
    system.assets[1].0.public = "Yes".into();
    let e = system.evidence();
    let list = owned(&e);
    let reach = find(&list, "i-app", "inbound", "8080")
        .reach
        .clone()
        .unwrap();
    assert_eq!(reach.reachable, None, "{reach:?}");
    assert!(
        reach
            .reasons
            .iter()
            .any(|r| r.starts_with("not determined: no route table of subnet subnet-private")),
        "{reach:?}"
    );
    // The same connection has the same id on another run; different ones differ.
    let again = placed().evidence();
    let ids = |e: &Lines| owned(e).iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let (a, b) = (ids(&again), ids(&placed().evidence()));
    assert_eq!(a, b);
    let mut unique = a.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), a.len(), "{a:?}");
}
