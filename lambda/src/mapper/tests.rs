//! Exact rows for known items of each supported type, and arbitrary JSON thrown at the
//! item reader and every mapper.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::fields::Field;

fn map(value: Value) -> Box<Asset> {
    let mut warnings = Vec::new();
    let item = ConfigItem::from_json(value.into(), &mut warnings).expect("an object");
    match map_item(&item, &MapContext::default()) {
        Mapped::Item(mut m) => {
            let mut asset = m.assets.remove(0);
            asset.warnings = m.warnings;
            Box::new(asset)
        }
        Mapped::Unsupported(t) => panic!("unsupported {t:?}"),
    }
}

/// The columns that say where an asset is and how it is reached, which most tests check.
const REACH: [Field; 6] = [
    Field::AssetId,
    Field::Public,
    Field::Dns,
    Field::AuthenticatedScan,
    Field::Location,
    Field::AssetType,
];

fn cells(asset: &Asset, fields: &[Field]) -> Vec<String> {
    fields.iter().map(|f| asset.get(*f).to_string()).collect()
}

#[test]
fn ec2_instance_with_two_interfaces_and_a_public_ip() {
    let asset = map(json!({
        "resourceType": "AWS::EC2::Instance", "resourceId": "i-0abc", "accountId": "111111111111",
        "awsRegion": "us-gov-west-1",
        "configuration": {
            "instanceId": "i-0abc", "imageId": "ami-1", "instanceType": "m5.large", "vpcId": "vpc-1",
            "placement": {"availabilityZone": "us-gov-west-1a"},
            "publicDnsName": "", "privateDnsName": "ip-10-0-0-5.internal",
            "networkInterfaces": [
                {"macAddress": "0a:00:00:00:00:01", "privateIpAddresses": [
                    {"privateIpAddress": "10.0.0.5", "association": {"publicIp": "3.30.0.1"}},
                    {"privateIpAddress": "10.0.0.6"}]},
                {"macAddress": "0a:00:00:00:00:02", "privateIpAddresses": [{"privateIpAddress": "10.0.1.5"}],
                 "ipv6Addresses": [{"ipv6Address": "2600:1f00::5"}]}
            ]
        },
        "tags": [{"key": "OWNER", "value": "ops"}, {"key": "Application-Owner", "value": "web"}]
    }));
    assert!(asset.warnings.is_empty(), "{:?}", asset.warnings);
    assert_eq!(
        asset.addresses().collect::<Vec<_>>(),
        vec![
            ("10.0.0.5", "0a:00:00:00:00:01"),
            ("3.30.0.1", "0a:00:00:00:00:01"),
            ("10.0.0.6", "0a:00:00:00:00:01"),
            ("10.0.1.5", "0a:00:00:00:00:02"),
            ("2600:1f00::5", "0a:00:00:00:00:02"),
        ]
    );
    use Field::*;
    let fields = [
        AssetId,
        Virtual,
        Public,
        Dns,
        AuthenticatedScan,
        Baseline,
        Location,
        AssetType,
        HardwareModel,
        Vlan,
        SystemOwner,
        ApplicationOwner,
        Comments,
        SoftwareVendor,
    ];
    assert_eq!(
        cells(&asset, &fields),
        [
            "i-0abc",
            "Yes",
            "Yes",
            "ip-10-0-0-5.internal",
            "Yes",
            "ami-1",
            "us-gov-west-1a",
            "EC2",
            "m5.large",
            "vpc-1",
            "ops",
            "web",
            "Account 111111111111, Region us-gov-west-1",
            ""
        ]
    );
}

#[test]
fn ec2_private_only_is_not_public_and_baseline_tag_wins() {
    let asset = map(json!({
        "resourceType": "AWS::EC2::Instance", "resourceId": "i-1", "awsRegion": "us-gov-east-1",
        "configuration": {"imageId": "ami-1", "privateIpAddress": "10.0.0.1", "publicDnsName": "",
                          "privateDnsName": "ip-10-0-0-1"},
        "tags": [{"key": "Baseline", "value": "CIS RHEL 8 L2"}]
    }));
    assert_eq!(asset.get(Field::AssetId), "i-1");
    assert_eq!(asset.get(Field::Public), "No");
    assert_eq!(asset.get(Field::Baseline), "CIS RHEL 8 L2");
    assert_eq!(asset.get(Field::Location), "us-gov-east-1");
    assert_eq!(asset.get(Field::Comments), "Region us-gov-east-1");
    assert_eq!(
        asset.addresses().collect::<Vec<_>>(),
        vec![("10.0.0.1", "")]
    );
}

#[test]
fn internet_facing_alb() {
    let arn =
        "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:222222222222:loadbalancer/app/web/1";
    let asset = map(json!({
        "resourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "resourceId": arn, "arn": arn,
        "configuration": {"type": "application", "scheme": "internet-facing", "vpcId": "vpc-2",
                          "dNSName": "web-1.elb.amazonaws.com",
                          "availabilityZones": [{"zoneName": "us-gov-west-1a", "loadBalancerAddresses": []}]}
    }));
    use Field::*;
    assert_eq!(
        cells(&asset, &[&REACH[..], &[Vlan, Comments]].concat()),
        [
            arn,
            "Yes",
            "web-1.elb.amazonaws.com",
            "No",
            "us-gov-west-1",
            "Load Balancer-application",
            "vpc-2",
            "Account 222222222222, Region us-gov-west-1"
        ]
    );
    assert_eq!(asset.addresses().count(), 0);
}

#[test]
fn network_lb_lists_its_addresses_and_gateway_lb_is_internal() {
    let nlb = map(json!({
        "resourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "arn": "arn:nlb",
        "configuration": {"type": "network", "scheme": "internal", "availabilityZones": [
            {"loadBalancerAddresses": [{"ipAddress": "10.1.1.1"}, {}]},
            {"loadBalancerAddresses": [{"ipAddress": "10.1.2.1"}]}]}
    }));
    assert_eq!(
        nlb.addresses().map(|(ip, _)| ip).collect::<Vec<_>>(),
        ["10.1.1.1", "10.1.2.1"]
    );
    assert_eq!(nlb.get(Field::Public), "No");
    let gwlb = map(json!({
        "resourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "arn": "arn:gwy",
        "configuration": {"type": "gateway"}
    }));
    assert_eq!(gwlb.get(Field::Public), "No");
    assert_eq!(gwlb.get(Field::AssetType), "Load Balancer-gateway");
    assert!(gwlb.warnings.is_empty());
}

#[test]
fn classic_elb_uses_lower_case_fields() {
    let asset = map(json!({
        "resourceType": "AWS::ElasticLoadBalancing::LoadBalancer", "resourceId": "clb-1",
        "arn": "arn:aws-us-gov:elasticloadbalancing:us-gov-east-1:111111111111:loadbalancer/clb-1",
        "configuration": {"scheme": "internet-facing", "vpcid": "vpc-3", "dnsname": "clb-1.elb.amazonaws.com"}
    }));
    use Field::*;
    assert_eq!(
        cells(&asset, &[Public, Dns, AssetType, Vlan, Location, Comments]),
        [
            "Yes",
            "clb-1.elb.amazonaws.com",
            "Load Balancer-Classic",
            "vpc-3",
            "us-gov-east-1",
            "Account 111111111111, Region us-gov-east-1"
        ]
    );
}

#[test]
fn rds_instance() {
    let asset = map(json!({
        "resourceType": "AWS::RDS::DBInstance", "arn": "arn:db", "accountId": "1", "awsRegion": "r",
        "configuration": {"dBInstanceClass": "db.r5.large", "engine": "postgres", "engineVersion": "15.4",
                          "publiclyAccessible": true, "availabilityZone": "us-gov-west-1b",
                          "endpoint": {"address": "db.example"}, "dBSubnetGroup": {"vpcId": "vpc-4"}}
    }));
    use Field::*;
    let more = [HardwareModel, SoftwareVendor, SoftwareNameVersion, Vlan, Ip];
    assert_eq!(
        cells(&asset, &[&REACH[..], &more].concat()),
        [
            "arn:db",
            "Yes",
            "db.example",
            "No",
            "us-gov-west-1b",
            "RDS",
            "db.r5.large",
            "AWS",
            "postgres-15.4",
            "vpc-4",
            ""
        ]
    );
    let no_group = map(
        json!({"resourceType": "AWS::RDS::DBInstance", "arn": "arn:db2",
                               "configuration": {"publiclyAccessible": false}}),
    );
    assert_eq!(no_group.get(Field::Vlan), "");
    assert_eq!(no_group.get(Field::Public), "No");
}

#[test]
fn dynamodb_table() {
    let asset = map(
        json!({"resourceType": "AWS::DynamoDB::Table", "resourceId": "t",
        "arn": "arn:aws-us-gov:dynamodb:us-gov-west-1:333333333333:table/t", "configuration": {"tableName": "t"}}),
    );
    use Field::*;
    assert_eq!(
        cells(
            &asset,
            &[
                AssetId,
                Public,
                AuthenticatedScan,
                Location,
                AssetType,
                SoftwareVendor,
                SoftwareNameVersion,
                Comments
            ]
        ),
        [
            "arn:aws-us-gov:dynamodb:us-gov-west-1:333333333333:table/t",
            "No",
            "No",
            "us-gov-west-1",
            "DynamoDB",
            "AWS",
            "DynamoDB",
            "Account 333333333333, Region us-gov-west-1"
        ]
    );
}

#[test]
fn account_names_appear_in_comments() {
    let mut ctx = MapContext::default();
    ctx.account_names.insert("1".into(), "Production".into());
    let item = ConfigItem::from_json(json!({"resourceType": "AWS::DynamoDB::Table", "arn": "a", "accountId": "1", "awsRegion": "r", "configuration": {}}).into(), &mut Vec::new()).unwrap();
    let Mapped::Item(m) = map_item(&item, &ctx) else {
        panic!()
    };
    let asset = &m.assets[0];
    assert_eq!(
        asset.get(Field::Comments),
        "Account 1 (Production), Region r"
    );
}

#[test]
fn missing_identifier_and_unsupported_types() {
    let asset = map(json!({"resourceType": "AWS::EC2::Instance", "configuration": {}}));
    assert_eq!(asset.get(Field::AssetId), "");
    assert!(
        asset.warnings.iter().any(|w| w.contains("no identifier")),
        "{:?}",
        asset.warnings
    );
    let item = ConfigItem::from_json(
        json!({"resourceType": "AWS::IAM::Role"}).into(),
        &mut Vec::new(),
    )
    .unwrap();
    assert!(
        matches!(map_item(&item, &MapContext::default()), Mapped::Unsupported(Some(t)) if t == "AWS::IAM::Role")
    );
}

#[test]
fn the_query_asks_for_every_registered_type() {
    let q = select_query(&[]);
    for m in REGISTRY {
        let asked = q.contains(&format!("'{}'", m.resource_type));
        assert_eq!(asked, m.read == Read::Select, "{} in {q}", m.resource_type);
    }
    let services = REGISTRY
        .iter()
        .filter(|m| matches!(m.read, Read::Service(_)))
        .count();
    assert_eq!(
        services, 3,
        "ElastiCache clusters, replication groups, EKS node groups"
    );
    let with = select_query(&["AWS::EC2::SecurityGroup"]);
    assert!(with.contains("'AWS::EC2::SecurityGroup'") && !q.contains("SecurityGroup"));
    assert!(REGISTRY.len() >= 40);
}

/// The registry's choice of how each type is read agrees with AWS's schema of the
/// advanced query; a recorded type the query does not return is listed instead.
#[test]
fn the_advanced_query_types_are_awss() {
    for m in REGISTRY {
        let returned = types_to_list([m.resource_type]).is_empty();
        assert!(returned, "{} is mapped: never listed", m.resource_type);
    }
    for m in REGISTRY
        .iter()
        .filter(|m| !matches!(m.read, Read::Service(_)))
    {
        let in_schema = advanced_query_types().contains(m.resource_type);
        assert_eq!(in_schema, m.read == Read::Select, "{}", m.resource_type);
    }
    assert_eq!(
        types_to_list([
            "AWS::Cognito::UserPool",
            "AWS::IAM::Role",
            "AWS::Cognito::UserPool"
        ]),
        ["AWS::Cognito::UserPool"],
        "the user pool is not in the advanced query's schema; a role is"
    );
}

/// `scope: all` reads the envelope of every type the registry does not read with its
/// configuration: every registry type (and the network types) is excluded, once, and
/// no configuration is selected.
#[test]
fn the_envelope_query_leaves_out_every_type_read_whole() {
    let q = envelope_query(&["AWS::EC2::SecurityGroup"]);
    let (fields, excluded) = q.split_once(" WHERE resourceType NOT IN (").unwrap();
    for m in REGISTRY {
        let quoted = format!("'{}'", m.resource_type);
        assert_eq!(excluded.matches(&quoted).count(), 1, "{quoted}");
    }
    assert!(excluded.contains("'AWS::EC2::SecurityGroup'"));
    assert!(!fields.contains("configuration,") && fields.contains("configurationItemCaptureTime"));
    assert_eq!(
        shards_query(&[], true),
        "SELECT accountId, awsRegion, COUNT(*) GROUP BY accountId, awsRegion"
    );
}

/// Any JSON value at all.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec!["internet-facing", "10.0.0.1", "=cmd", "true", ""])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Keys the item reader and mappers look at, and others.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "configuration",
            "tags",
            "key",
            "value",
            "networkInterfaces",
            "privateIpAddresses",
            "privateIpAddress",
            "association",
            "publicIp",
            "macAddress",
            "availabilityZones",
            "loadBalancerAddresses",
            "ipAddress",
            "scheme",
            "type",
            "dBSubnetGroup",
            "vpcId",
            "publiclyAccessible",
            "endpoint",
            "address",
            "placement",
            "availabilityZone",
            "arn",
            "accountId",
            "awsRegion",
            "instanceId",
            "ipv6Addresses",
            "ipv6Address",
            "Results",
        ])
        .prop_map(String::from),
        "[a-zA-Z]{1,8}",
    ]
}

proptest! {
    #[test]
    fn arbitrary_json_never_panics(value in arb_json(), type_index in 0usize..REGISTRY.len() + 1) {
        let mut value = value;
        if let Value::Object(map) = &mut value {
            if let Some(m) = REGISTRY.get(type_index) {
                map.insert("resourceType".into(), Value::from(m.resource_type));
            }
        }
        let mut warnings = Vec::new();
        if let Ok(item) = ConfigItem::from_json(value.into(), &mut warnings) {
            let _ = map_item(&item, &MapContext::default());
        }
    }
}

/// The rows an item gives, as field key -> text (empty cells left out), one map per row.
fn rows_of(m: &MappedItem) -> Value {
    let mut rows = Vec::new();
    for asset in &m.assets {
        let mut base = serde_json::Map::new();
        for f in Field::asset_fields() {
            if !asset.get(f).is_empty() {
                base.insert(f.key().into(), Value::from(asset.get(f)));
            }
        }
        let addresses: Vec<(&str, &str)> = asset.addresses().collect();
        if addresses.is_empty() {
            rows.push(Value::Object(base.clone()));
        }
        for (ip, mac) in addresses {
            let mut row = base.clone();
            row.insert(Field::Ip.key().into(), Value::from(ip));
            if !mac.is_empty() {
                row.insert(Field::Mac.key().into(), Value::from(mac));
            }
            rows.push(Value::Object(row));
        }
    }
    if let Some(h) = &m.host {
        let standalone = h.standalone.as_ref().map(|a| {
            rows_of(&MappedItem {
                assets: vec![a.clone()],
                ..MappedItem::default()
            })
        });
        rows.push(
            json!({"host": h.instance_id, "os": h.os, "netbios": h.netbios,
            "patch": h.patch_cell(), "packages": h.packages.len(), "standalone": standalone}),
        );
    }
    Value::Array(rows)
}

fn fixture_path(resource_type: &str) -> std::path::PathBuf {
    // Found from where cargo runs the test (the package's directory), not from where it
    // was compiled: tests/buildspec.rs runs these binaries on a copy of the repository.
    std::env::current_dir()
        .expect("a current directory")
        .join("../tests/fixtures/config-types")
        .join(format!("{}.json", resource_type.replace("::", "_")))
}

/// Every type in the registry has a real (or, where none is public, schema-built) item
/// under tests/fixtures/config-types, whose `source` says which, and the exact rows it
/// gives are stated beside it. `BLESS=1` rewrites the expected rows (review the diff).
#[test]
fn every_registered_type_maps_its_item_to_the_stated_rows() {
    let bless = std::env::var_os("BLESS").is_some();
    let tag_columns = [
        Field::DiagramLabel,
        Field::Function,
        Field::SystemOwner,
        Field::ApplicationOwner,
        Field::SerialAssetTag,
        Field::EndOfLife,
        Field::InLatestScan,
        Field::Baseline,
    ];
    let mut failures = Vec::new();
    for m in REGISTRY {
        let path = fixture_path(m.resource_type);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (every type needs a fixture)", path.display()));
        let mut fixture: Value = serde_json::from_str(&text).unwrap();
        assert!(
            fixture["source"].as_str().is_some_and(|s| s.len() > 20),
            "{}: say where the item came from",
            path.display()
        );
        let mut warnings = Vec::new();
        let item = ConfigItem::from_json(fixture["item"].clone().into(), &mut warnings).unwrap();
        let Mapped::Item(mapped) = map_item(&item, &MapContext::default()) else {
            panic!("{} is unsupported", m.resource_type)
        };
        let got = rows_of(&mapped);
        for row in got.as_array().unwrap() {
            for key in row.as_object().unwrap().keys() {
                let Some(field) = Field::from_key(key) else {
                    continue;
                };
                assert!(
                    m.columns().contains(&field) || tag_columns.contains(&field),
                    "{}: fills {key}, which `types` does not list",
                    m.resource_type
                );
            }
        }
        if bless {
            fixture["rows"] = got;
            fixture["warnings"] = json!(mapped.warnings);
            std::fs::write(
                &path,
                serde_json::to_string_pretty(&fixture).unwrap() + "\n",
            )
            .unwrap();
        } else if fixture["rows"] != got || fixture["warnings"] != json!(mapped.warnings) {
            failures.push(format!(
                "{}: rows {got:#} warnings {:?}",
                m.resource_type, mapped.warnings
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A fixture's item, and the rows and warnings it states.
fn fixture_item(resource_type: &str) -> (Value, Value, Value) {
    let text = std::fs::read_to_string(fixture_path(resource_type)).unwrap();
    let fixture: Value = serde_json::from_str(&text).unwrap();
    (
        fixture["item"].clone(),
        fixture["rows"].clone(),
        fixture["warnings"].clone(),
    )
}

fn rows_and_warnings(item: Value) -> (Value, Vec<String>) {
    let mut warnings = Vec::new();
    let item = ConfigItem::from_json(item.into(), &mut warnings).unwrap();
    let Mapped::Item(mapped) = map_item(&item, &MapContext::default()) else {
        panic!("unsupported")
    };
    warnings.extend(mapped.warnings.iter().cloned());
    (rows_of(&mapped), warnings)
}

/// Config writes many integers as doubles (`"memorySize": 128.0`) and some scalars
/// wrapped in `{"value": ...}` (an RDS cluster's `endpoint`). Both are built from the
/// captured fixtures (the captures themselves hold plain integers and text) and must
/// give exactly the fixture's stated rows and warnings: none about the shapes.
#[test]
fn doubles_and_wrapped_values_read_as_the_plain_values() {
    let (mut lambda, rows, stated) = fixture_item("AWS::Lambda::Function");
    lambda["configuration"]["memorySize"] = json!(128.0);
    lambda["configuration"]["timeout"] = json!(3.0);
    let (got, warnings) = rows_and_warnings(lambda);
    assert_eq!(got, rows);
    assert_eq!(got[0]["hardware-model"], "128 MB");
    assert_eq!(json!(warnings), stated);

    let (mut cluster, rows, stated) = fixture_item("AWS::RDS::DBCluster");
    let endpoint = cluster["configuration"]["endpoint"].clone();
    cluster["configuration"]["endpoint"] = json!({ "value": endpoint });
    let reader = cluster["configuration"]["readerEndpoint"].clone();
    if !reader.is_null() {
        cluster["configuration"]["readerEndpoint"] = json!({ "value": reader });
    }
    let (got, warnings) = rows_and_warnings(cluster);
    assert_eq!(got, rows);
    assert_eq!(json!(warnings), stated);

    // A fraction stays a fraction; an integer too large for a double's exact range
    // keeps serde_json's text.
    let n = |v: Value| match crate::json::Json::from(&v) {
        crate::json::Json::Number(n) => crate::json::number_text(&n),
        other => panic!("{other:?}"),
    };
    assert_eq!(n(json!(3306.0)), "3306");
    assert_eq!(n(json!(-2.0)), "-2");
    assert_eq!(n(json!(0.5)), "0.5");
    assert_eq!(n(json!(1e300)), "1e+300");
    assert_eq!(n(json!(12345678901234567890u64)), "12345678901234567890");
}

/// Config keeps the last item of a deleted resource (advanced query, snapshots and
/// history return it): it gives no row, and the reason names the status.
#[test]
fn deleted_and_unrecorded_items_give_no_rows() {
    let (live, rows, _) = fixture_item("AWS::EC2::Instance");
    let mut statuses = Vec::new();
    for status in [
        "OK",
        "ResourceDiscovered",
        "ResourceDeleted",
        "ResourceDeletedNotRecorded",
        "ResourceNotRecorded",
    ] {
        let mut item = live.clone();
        item["configurationItemStatus"] = json!(status);
        let item = ConfigItem::from_json(item.into(), &mut Vec::new()).unwrap();
        let Mapped::Item(mapped) = map_item(&item, &MapContext::default()) else {
            panic!("unsupported")
        };
        statuses.push((status, mapped.assets.len(), mapped.skipped));
        if mapped.skipped.is_none() {
            assert_eq!(rows_of(&mapped), rows);
        }
    }
    let n = rows.as_array().unwrap().len().min(1);
    assert_eq!(
        statuses,
        [
            ("OK", n.max(1), None),
            ("ResourceDiscovered", n.max(1), None),
            (
                "ResourceDeleted",
                0,
                Some("configurationItemStatus ResourceDeleted")
            ),
            (
                "ResourceDeletedNotRecorded",
                0,
                Some("configurationItemStatus ResourceDeletedNotRecorded")
            ),
            (
                "ResourceNotRecorded",
                0,
                Some("configurationItemStatus ResourceNotRecorded")
            ),
        ]
    );
}

/// A bucket item without an ARN (a query that did not select it) gets one in its
/// region's partition: GovCloud's buckets are `arn:aws-us-gov:s3:::`.
#[test]
fn a_bucket_without_an_arn_gets_one_in_its_partition() {
    let bucket = |region: &str| {
        map(
            json!({"resourceType": "AWS::S3::Bucket", "resourceId": "b", "awsRegion": region,
            "configuration": {"name": "b"}}),
        )
        .get(Field::AssetId)
        .to_string()
    };
    assert_eq!(bucket("us-gov-west-1"), "arn:aws-us-gov:s3:::b");
    assert_eq!(bucket("us-east-1"), "arn:aws:s3:::b");
    assert_eq!(bucket("cn-north-1"), "arn:aws-cn:s3:::b");
}

/// Every ARN and host the mappers make follows the item's partition: a hosted zone
/// without an ARN, a bucket's and a file system's hosts, an API's address.
#[test]
fn arns_and_hosts_follow_the_partition() {
    let zone = |region: &str| {
        map(json!({"resourceType": "AWS::Route53::HostedZone", "resourceId": "Z1",
            "awsRegion": region, "configuration": {"Id": "/hostedzone/Z1", "Name": "example.gov."}}))
        .get(Field::AssetId)
        .to_string()
    };
    assert_eq!(
        zone("us-gov-west-1"),
        "arn:aws-us-gov:route53:::hostedzone/Z1"
    );
    assert_eq!(zone("us-east-1"), "arn:aws:route53:::hostedzone/Z1");
    let dns = |item: serde_json::Value| map(item).get(Field::Dns).to_string();
    assert_eq!(
        dns(
            json!({"resourceType": "AWS::S3::Bucket", "resourceId": "b", "awsRegion": "cn-north-1",
            "configuration": {"name": "b"}})
        ),
        "b.s3.cn-north-1.amazonaws.com.cn"
    );
    assert_eq!(
        dns(
            json!({"resourceType": "AWS::EFS::FileSystem", "resourceId": "fs-1",
            "awsRegion": "us-isob-east-1", "configuration": {"FileSystemId": "fs-1"}})
        ),
        "fs-1.efs.us-isob-east-1.sc2s.sgov.gov"
    );
    assert_eq!(
        dns(
            json!({"resourceType": "AWS::ApiGateway::RestApi", "resourceId": "a1",
            "awsRegion": "us-iso-east-1", "configuration": {"id": "a1"}})
        ),
        "https://a1.execute-api.us-iso-east-1.c2s.ic.gov"
    );
}
