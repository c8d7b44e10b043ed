//! The network facts read from real Config items (tests/fixtures/network-types/), and
//! from odd ones.

use super::facts::{read, AclEntry, Route};
use super::*;
use crate::item::ConfigItem;
use crate::json::Json;

/// The item of `resource_type` among the recorded items of tests/fixtures/`folder`/,
/// as text.
fn fixture_in(folder: &str, resource_type: &str) -> String {
    let name = resource_type.replace("::", "_");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(folder)
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    file["item"].to_string()
}

/// A network type's fixture (tests/fixtures/network-types/).
fn fixture(resource_type: &str) -> String {
    fixture_in("network-types", resource_type)
}

fn fact_of(text: &str) -> (Fact, Vec<String>) {
    let json = Json::parse(text.as_bytes()).unwrap();
    let item = ConfigItem::from_json(json, &mut Vec::new()).unwrap();
    read(&item).expect("a network type")
}

#[test]
fn every_network_type_has_a_real_item_that_reads_without_warnings() {
    let mut facts = NetworkFacts::default();
    for kind in NETWORK_TYPES {
        let (fact, warnings) = fact_of(&fixture(kind));
        assert!(warnings.is_empty(), "{kind}: {warnings:?}");
        facts.add(fact);
    }
    let counts = facts.counts();
    assert_eq!(counts.len(), NETWORK_TYPES.len());
    assert!(counts.values().all(|n| *n == 1));
}

#[test]
fn a_security_group_keeps_every_rule_and_peer_once() {
    let (Fact::SecurityGroup(sg), _) = fact_of(&fixture("AWS::EC2::SecurityGroup")) else {
        panic!("not a security group")
    };
    assert_eq!(
        (sg.id.as_str(), sg.vpc.as_deref()),
        ("sg-e627199e", Some("vpc-0990dc6d"))
    );
    assert_eq!(sg.ingress.len(), 5);
    let https = &sg.ingress[0];
    assert_eq!(
        (&https.protocol, https.from_port, https.to_port),
        (&Protocol::Tcp, Some(443), Some(443))
    );
    // `ipRanges` and `ipv4Ranges` name 0.0.0.0/0 twice: one peer; and ::/0.
    assert_eq!(
        https.peers,
        [Peer::Cidr("0.0.0.0/0".into()), Peer::Cidr("::/0".into())]
    );
    assert_eq!(
        sg.ingress[1].peers,
        [Peer::PrefixList("pl-63a5400a".into())]
    );
    let all = &sg.ingress[2];
    assert_eq!((&all.protocol, all.from_port), (&Protocol::All, None));
    assert_eq!(
        all.peers,
        [Peer::Group {
            id: "sg-e627199e".into(),
            account: Some("264683526309".into())
        }]
    );
    let icmp = &sg.ingress[3];
    assert_eq!(
        (&icmp.protocol, icmp.from_port, icmp.to_port),
        (&Protocol::Icmp, Some(8), Some(-1))
    );
    assert_eq!(
        (sg.ingress[4].from_port, sg.ingress[4].to_port),
        (Some(1024), Some(65535))
    );
    assert_eq!(sg.egress.len(), 1);
    assert_eq!(sg.egress[0].protocol, Protocol::All);
}

#[test]
fn routes_acls_gateways_subnets_vpcs_and_listeners_read_as_recorded() {
    let (Fact::RouteTable(table), _) = fact_of(&fixture("AWS::EC2::RouteTable")) else {
        panic!()
    };
    assert!(table.main);
    assert_eq!(
        table.routes[1],
        Route {
            destination: "0.0.0.0/0".into(),
            target: "igw-a5f227c1".into()
        }
    );
    let (Fact::InternetGateway(igw), _) = fact_of(&fixture("AWS::EC2::InternetGateway")) else {
        panic!()
    };
    assert_eq!(igw.vpcs, ["vpc-0990dc6d"]);
    let (Fact::NetworkAcl(acl), _) = fact_of(&fixture("AWS::EC2::NetworkAcl")) else {
        panic!()
    };
    assert!(acl.default);
    assert_eq!(acl.subnets.len(), 4);
    assert_eq!(
        acl.entries[3],
        AclEntry {
            rule_number: 32767,
            egress: false,
            allow: false,
            protocol: Protocol::All,
            cidr: Some("0.0.0.0/0".into()),
            from_port: None,
            to_port: None,
        }
    );
    let (Fact::Subnet(subnet), _) = fact_of(&fixture("AWS::EC2::Subnet")) else {
        panic!()
    };
    assert_eq!(subnet.cidr.as_deref(), Some("172.31.48.0/20"));
    assert!(subnet.public_ip_on_launch);
    let (Fact::Vpc(vpc), _) = fact_of(&fixture("AWS::EC2::VPC")) else {
        panic!()
    };
    assert_eq!(vpc.cidrs, ["172.31.0.0/16"], "the primary block once");
    let (Fact::Listener(listener), _) = fact_of(&fixture("AWS::ElasticLoadBalancingV2::Listener"))
    else {
        panic!()
    };
    assert_eq!(
        (
            listener.port,
            listener.protocol.as_deref(),
            listener.ssl_policy
        ),
        (Some(80), Some("HTTP"), None)
    );
    assert!(listener
        .load_balancer
        .unwrap()
        .ends_with("loadbalancer/app/test/abcd95d05fc9fc53"));
}

/// A group without rules, a CIDR that does not parse, a rule without a protocol: each
/// named in a warning, the rest kept.
#[test]
fn odd_rules_are_named_and_the_rest_kept() {
    let item = |configuration: serde_json::Value| {
        serde_json::json!({"resourceType": "AWS::EC2::SecurityGroup", "resourceId": "sg-1",
            "accountId": "1", "awsRegion": "r", "configuration": configuration})
        .to_string()
    };
    let (Fact::SecurityGroup(sg), warnings) = fact_of(&item(serde_json::json!({}))) else {
        panic!()
    };
    assert!(sg.ingress.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("ipPermissions"), "{warnings:?}");
    let (Fact::SecurityGroup(sg), warnings) = fact_of(&item(serde_json::json!({
        "ipPermissions": [
            {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80,
             "ipRanges": ["10.0.0.0/33", "10.1.0.0/16"], "ipv4Ranges": [{"cidrIp": "nonsense"}]},
            {"fromPort": 1, "toPort": 2, "ipRanges": ["10.0.0.0/8"]},
            {"ipProtocol": "udp", "fromPort": "fifty", "toPort": 53}
        ]
    }))) else {
        panic!()
    };
    assert_eq!(sg.ingress.len(), 2, "{sg:?}");
    assert_eq!(sg.ingress[0].peers, [Peer::Cidr("10.1.0.0/16".into())]);
    assert_eq!(
        (sg.ingress[1].from_port, sg.ingress[1].to_port),
        (None, Some(53))
    );
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert!(
        warnings[0].contains("\"10.0.0.0/33\" is not a CIDR block"),
        "{warnings:?}"
    );
    assert!(warnings[1].contains("\"nonsense\""), "{warnings:?}");
    assert!(
        warnings[2].contains("ipPermissions[1] has no ipProtocol"),
        "{warnings:?}"
    );
    assert!(warnings[3].contains("fifty"), "{warnings:?}");
}

/// With the network types, the advanced query still fits Config's `Expression` (at
/// most 4,096 characters in botocore's model), per aggregator shard too.
#[test]
fn the_query_with_the_network_types_fits_configs_limit() {
    use crate::mapper::{envelope_shard_query, select_query, shard_query, shards_query};
    let query = select_query(&NETWORK_TYPES);
    assert!(NETWORK_TYPES
        .iter()
        .all(|t| query.contains(&format!("'{t}'"))));
    let longest = shard_query("123456789012", "ap-southeast-5", &NETWORK_TYPES);
    assert!(longest.len() <= 4096, "{} characters", longest.len());
    assert!(shards_query(&NETWORK_TYPES, false).len() <= 4096);
    // `scope: all`: the envelope of every other type, which names every registry type.
    let envelope = envelope_shard_query("123456789012", "ap-southeast-5", &NETWORK_TYPES);
    assert!(envelope.len() <= 4096, "{} characters", envelope.len());
}

/// An inventory type's fixture (tests/fixtures/config-types/).
fn asset_fixture(resource_type: &str) -> String {
    fixture_in("config-types", resource_type)
}

fn attachment_of(text: &str) -> (Attachment, Vec<String>) {
    let json = Json::parse(text.as_bytes()).unwrap();
    let item = ConfigItem::from_json(json, &mut Vec::new()).unwrap();
    let (a, warnings) = attach::read(&item, "purpose", true);
    (a.expect("a type with security groups"), warnings)
}

/// A type, the groups its recorded item names, and its ports with their encryption.
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [(i64, &'static str)],
);

#[test]
fn recorded_items_name_their_security_groups_and_ports() {
    let cases: [Case; 6] = [
        ("AWS::EC2::Instance", &["sg-fd215482"], &[]),
        (
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            &["sg-2ed0d557"],
            &[],
        ),
        (
            "AWS::ElasticLoadBalancing::LoadBalancer",
            &["sg-783ba705"],
            &[(80, "None")],
        ),
        (
            "AWS::RDS::DBCluster",
            &["sg-test"],
            &[(3306, attach::NOT_DETERMINED)],
        ),
        (
            "AWS::Redshift::Cluster",
            &["sg-859be8e1"],
            &[(5439, attach::NOT_DETERMINED)],
        ),
        (
            "AWS::OpenSearch::Domain",
            &["sg-test"],
            &[(443, "TLS (Policy-Min-TLS-1-0-2019-07)")],
        ),
    ];
    for (kind, groups, ports) in cases {
        let (a, warnings) = attachment_of(&asset_fixture(kind));
        assert!(warnings.is_empty(), "{kind}: {warnings:?}");
        assert_eq!(a.groups, *groups, "{kind}");
        let got: Vec<(i64, String)> = a
            .endpoints
            .iter()
            .map(|e| (e.port, e.encryption.describe()))
            .collect();
        let want: Vec<(i64, String)> = ports.iter().map(|(p, e)| (*p, e.to_string())).collect();
        assert_eq!(got, want, "{kind}");
    }
}

#[test]
fn a_recorded_rds_instance_without_a_port_gives_no_endpoint() {
    // Its dbInstancePort is 0 and it records no endpoint: no port is made up.
    let (a, warnings) = attachment_of(&asset_fixture("AWS::RDS::DBInstance"));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(a.groups, ["sg-e627199e"]);
    assert!(a.endpoints.is_empty(), "{:?}", a.endpoints);
}

#[test]
fn a_cache_cluster_gives_its_port_with_its_in_transit_encryption() {
    let item = |transit: &str| {
        format!(
            r#"{{"resourceType": "AWS::ElastiCache::CacheCluster", "configuration": {{
                "SecurityGroups": [{{"SecurityGroupId": "sg-c", "Status": "active"}}],
                "CacheNodes": [{{"CacheNodeId": "0001", "Endpoint": {{"Address": "a", "Port": 6379}}}}]
                {transit}}}}}"#
        )
    };
    for (transit, want) in [
        (r#", "TransitEncryptionEnabled": true"#, "TLS"),
        (r#", "TransitEncryptionEnabled": false"#, "None"),
        ("", attach::NOT_DETERMINED),
    ] {
        let (a, _) = attachment_of(&item(transit));
        assert_eq!(a.groups, ["sg-c"]);
        assert_eq!(a.endpoints.len(), 1);
        assert_eq!(
            (a.endpoints[0].port, a.endpoints[0].encryption.describe()),
            (6379, want.to_string())
        );
    }
}

#[test]
fn an_odd_group_list_is_said_and_a_type_without_groups_has_no_attachment() {
    let text = r#"{"resourceType": "AWS::Lambda::Function", "tags": {"Purpose": "billing"},
        "configuration": {"vpcConfig": {"securityGroupIds": ["sg-1", 7, "sg-1"]}}}"#;
    let (a, warnings) = attachment_of(text);
    assert_eq!(a.groups, ["sg-1"]);
    assert_eq!(a.purpose.as_deref(), Some("billing"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("vpcConfig.securityGroupIds"),
        "{warnings:?}"
    );
    let json = Json::parse(br#"{"resourceType": "AWS::S3::Bucket"}"#).unwrap();
    let item = ConfigItem::from_json(json, &mut Vec::new()).unwrap();
    assert_eq!(attach::read(&item, "purpose", true), (None, vec![]));
    // An instance that names no group (and no port of its own) gives nothing to keep.
    let json =
        Json::parse(br#"{"resourceType": "AWS::EC2::Instance", "configuration": {}}"#).unwrap();
    let item = ConfigItem::from_json(json, &mut Vec::new()).unwrap();
    assert_eq!(attach::read(&item, "purpose", true), (None, vec![]));
}

#[test]
fn recorded_items_name_their_subnets_when_asked() {
    let text = asset_fixture("AWS::EC2::Instance");
    let (a, _) = attachment_of(&text);
    assert_eq!(a.subnets, ["subnet-1aaccc7f"]);
    let alb = asset_fixture("AWS::ElasticLoadBalancingV2::LoadBalancer");
    let (a, _) = attachment_of(&alb);
    assert_eq!(a.subnets, ["subnet-29428871", "subnet-38c20312"]);
    // Not asked (no connections written): nothing kept.
    let json = Json::parse(text.as_bytes()).unwrap();
    let item = ConfigItem::from_json(json, &mut Vec::new()).unwrap();
    let (a, _) = attach::read(&item, "purpose", false);
    assert!(a.unwrap().subnets.is_empty());
}
