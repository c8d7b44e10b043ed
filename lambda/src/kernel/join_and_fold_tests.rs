//! The joins and folds that need every item: SSM facts onto instances, and assets that
//! repeat one already listed.

use super::*;
use crate::fields::Field;
use crate::mapper::SoftwareFilter;
use serde_json::{json, Value};
use std::sync::mpsc::sync_channel;

const ACCOUNT: &str = "111111111111";
const REGION: &str = "us-east-1";

fn run(items: Vec<Value>, software: SoftwareFilter) -> (Inventory, Summary) {
    let ctx = MapContext {
        software,
        ..MapContext::default()
    };
    let outcomes = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            map_value(
                Origin {
                    line: i as u64 + 1,
                    path: None,
                },
                Ok(v.into()),
                &ctx,
            )
        })
        .collect();
    let (tx, rx) = sync_channel(1);
    tx.send(Batch {
        seq: 0,
        input: 0,
        items: outcomes,
    })
    .unwrap();
    drop(tx);
    gather(rx, vec!["items".into()], &Progress::default()).finish(
        vec![InputStatus::read()],
        Utc::now(),
        None,
        None,
    )
}

fn item(kind: &str, id: &str, arn: Option<&str>, configuration: Value) -> Value {
    json!({"resourceType": kind, "resourceId": id, "arn": arn, "accountId": ACCOUNT,
           "awsRegion": REGION, "configuration": configuration})
}

/// An Elastic IP `eipalloc-N` at `ip`, with its association's fields in `attached`.
fn eip(n: u32, ip: &str, attached: Value) -> Value {
    let id = format!("eipalloc-{n}");
    let mut configuration = json!({"allocationId": id, "publicIp": ip});
    for (k, v) in attached.as_object().into_iter().flatten() {
        configuration[k] = v.clone();
    }
    item("AWS::EC2::EIP", &id, None, configuration)
}

fn instance(id: &str, ip: &str) -> Value {
    item(
        "AWS::EC2::Instance",
        id,
        None,
        json!({"instanceId": id, "platformDetails": "Linux/UNIX",
        "networkInterfaces": [{"macAddress": "0a:00:00:00:00:01",
            "privateIpAddresses": [{"privateIpAddress": ip}]}]}),
    )
}

fn windows_inventory(id: &str) -> Value {
    item(
        "AWS::SSM::ManagedInstanceInventory",
        id,
        None,
        json!({
        "AWS:InstanceInformation": {"Content": {id: {"PlatformName": "Microsoft Windows Server 2022 Datacenter",
            "PlatformVersion": "10.0.20348", "PlatformType": "Windows", "ComputerName": "EC2AMAZ-ABC.corp.example",
            "IpAddress": "10.0.0.9"}}},
        "AWS:WindowsUpdate": {"Content": [
            {"HotFixID": "KB5034439", "InstalledTime": "Tuesday, January 9, 2024 12:00:00 AM"},
            {"HotFixID": "KB5031364", "InstalledTime": "Tuesday, October 10, 2023 12:00:00 AM"}]},
        "AWS:Application": {"Content": [
            {"Name": "Mozilla Firefox", "Version": "121.0", "Publisher": "Mozilla"}]}}),
    )
}

/// Current Config items key every Content by entry id, and one name at several
/// versions is a list under its key.
fn linux_inventory(id: &str) -> Value {
    item(
        "AWS::SSM::ManagedInstanceInventory",
        id,
        None,
        json!({
        "AWS:InstanceInformation": {"Content": {id: {"PlatformName": "Amazon Linux",
            "PlatformVersion": "2023", "PlatformType": "Linux", "ComputerName": "ip-10-0-0-5.ec2.internal"}}},
        "AWS:Application": {"Content": {
            "kernel": [
                {"Name": "kernel", "Version": "6.1.72", "Release": "96.166.amzn2023", "Publisher": "Amazon Linux"},
                {"Name": "kernel", "Version": "6.1.102", "Release": "108.177.amzn2023", "Publisher": "Amazon Linux"}],
            "nginx": {"Name": "nginx", "Version": "1.24.0", "Release": "1.amzn2023", "Publisher": "Amazon Linux"},
            "openssl": {"Name": "openssl", "Version": "3.0.8", "Publisher": "Amazon Linux"}}}}),
    )
}

fn by_id<'a>(inv: &'a Inventory, id: &str) -> Vec<crate::inventory::RowView<'a>> {
    inv.rows().filter(|r| r.get(Field::AssetId) == id).collect()
}

#[test]
fn ssm_facts_join_their_instance_and_the_fallback_stays_without_them() {
    let (inv, summary) = run(
        vec![
            windows_inventory("i-win"),
            instance("i-win", "10.0.0.9"),
            instance("i-bare", "10.0.0.8"),
            linux_inventory("i-lin"),
            instance("i-lin", "10.0.0.5"),
        ],
        SoftwareFilter::None,
    );
    let win = by_id(&inv, "i-win");
    assert_eq!(win.len(), 1, "joined onto the instance, no row of its own");
    assert_eq!(
        win[0].get(Field::OsNameVersion),
        "Microsoft Windows Server 2022 Datacenter 10.0.20348"
    );
    assert_eq!(win[0].get(Field::NetBios), "EC2AMAZ-ABC");
    assert_eq!(win[0].get(Field::PatchLevel), "KB5034439");
    assert_eq!(win[0].get(Field::AssetType), "EC2");
    let lin = by_id(&inv, "i-lin");
    assert_eq!(lin[0].get(Field::OsNameVersion), "Amazon Linux 2023");
    assert_eq!(lin[0].get(Field::NetBios), "", "NetBIOS names are Windows'");
    assert_eq!(lin[0].get(Field::PatchLevel), "6.1.102-108.177.amzn2023");
    let bare = by_id(&inv, "i-bare");
    assert_eq!(bare[0].get(Field::OsNameVersion), "Linux/UNIX");
    assert_eq!(bare[0].get(Field::PatchLevel), "");
    assert_eq!(inv.row_count(), 3, "software rows are opt-in");
    assert!(
        summary.diagnostics.entries().is_empty(),
        "{:?}",
        summary.diagnostics.entries()
    );
    let ssm = &summary.types["AWS::SSM::ManagedInstanceInventory"];
    assert_eq!((ssm.items, ssm.rows), (2, 0));
}

#[test]
fn software_rows_follow_the_filter_and_keep_every_version() {
    let items = || vec![linux_inventory("i-lin"), instance("i-lin", "10.0.0.5")];
    let (all, _) = run(items(), SoftwareFilter::All);
    let software: Vec<(String, String, String)> = all
        .rows()
        .filter(|r| r.get(Field::AssetType) == "Software")
        .map(|r| {
            (
                r.get(Field::AssetId).to_string(),
                r.get(Field::SoftwareNameVersion).to_string(),
                r.get(Field::PatchLevel).to_string(),
            )
        })
        .collect();
    assert_eq!(
        software,
        vec![
            (
                "i-lin/kernel/6.1.102-108.177.amzn2023".into(),
                "kernel 6.1.102-108.177.amzn2023".into(),
                "108.177.amzn2023".into()
            ),
            (
                "i-lin/kernel/6.1.72-96.166.amzn2023".into(),
                "kernel 6.1.72-96.166.amzn2023".into(),
                "96.166.amzn2023".into()
            ),
            (
                "i-lin/nginx".into(),
                "nginx 1.24.0-1.amzn2023".into(),
                "1.amzn2023".into()
            ),
            ("i-lin/openssl".into(), "openssl 3.0.8".into(), "".into()),
        ]
    );
    let row = by_id(&all, "i-lin/nginx")[0];
    assert_eq!(row.get(Field::SoftwareVendor), "Amazon Linux");
    assert_eq!(row.get(Field::Location), "us-east-1");
    assert!(
        row.get(Field::Comments).ends_with("installed on i-lin"),
        "{}",
        row.get(Field::Comments)
    );
    let (some, _) = run(items(), "nginx*,open*".parse().unwrap());
    let ids: Vec<&str> = some
        .rows()
        .filter(|r| r.get(Field::AssetType) == "Software")
        .map(|r| r.get(Field::AssetId))
        .collect();
    assert_eq!(ids, ["i-lin/nginx", "i-lin/openssl"]);
}

#[test]
fn hybrid_nodes_and_unread_instances_get_rows_of_their_own() {
    let mut hybrid = windows_inventory("mi-0123456789abcdef0");
    hybrid["configuration"]["AWS:Network"] = json!({"Content": [
        {"Name": "Ethernet", "IPV4": "192.168.1.20", "IPV6": "fe80::1", "MacAddress": "00:15:5d:00:01:02"}]});
    let (inv, summary) = run(
        vec![hybrid, windows_inventory("i-gone")],
        SoftwareFilter::None,
    );
    let node = by_id(&inv, "mi-0123456789abcdef0");
    assert_eq!(node[0].get(Field::AssetType), "Managed Instance");
    assert_eq!(
        node[0].get(Field::Virtual),
        "",
        "a hybrid node may be physical"
    );
    let ips: Vec<&str> = node.iter().map(|r| r.get(Field::Ip)).collect();
    assert_eq!(ips, ["10.0.0.9", "192.168.1.20", "fe80::1"]);
    assert_eq!(by_id(&inv, "i-gone").len(), 1);
    let warned: Vec<String> = summary
        .diagnostics
        .entries()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("i-gone whose EC2 instance was not read"),
        "{warned:?}"
    );
}

#[test]
fn patch_compliance_gives_patch_level_its_state() {
    let compliance = item(
        "AWS::SSM::PatchCompliance",
        "AWS::SSM::PatchCompliance/i-win",
        None,
        json!({
        "AWS:ComplianceItem": {"Content": {"Patch": {
            "KB1": {"Status": "COMPLIANT"}, "KB2": {"Status": "NON_COMPLIANT"}}}}}),
    );
    let (inv, _) = run(
        vec![
            compliance,
            windows_inventory("i-win"),
            instance("i-win", "10.0.0.9"),
        ],
        SoftwareFilter::None,
    );
    assert_eq!(
        by_id(&inv, "i-win")[0].get(Field::PatchLevel),
        "NON_COMPLIANT: 1 of 2 patches (KB5034439)"
    );
}

#[test]
fn repeats_fold_into_what_is_listed_and_nothing_else_folds() {
    let eni = |id: &str, ip: &str, extra: Value| {
        let mut c =
            json!({"networkInterfaceId": id, "privateIpAddresses": [{"privateIpAddress": ip}]});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        item("AWS::EC2::NetworkInterface", id, None, c)
    };
    let domain = "arn:aws:es:us-east-1:111111111111:domain/search";
    let items = vec![
        instance("i-1", "10.0.0.1"),
        eni(
            "eni-attached",
            "10.0.0.1",
            json!({"attachment": {"instanceId": "i-1"}}),
        ),
        eni(
            "eni-of-unread",
            "10.0.0.2",
            json!({"attachment": {"instanceId": "i-unread"}}),
        ),
        item(
            "AWS::EC2::NatGateway",
            "nat-1",
            Some("arn:aws:ec2:us-east-1:111111111111:natgateway/nat-1"),
            json!({"natGatewayAddresses": [{"privateIp": "10.0.5.5", "publicIp": "3.3.3.3"}]}),
        ),
        eni(
            "eni-nat",
            "10.0.5.5",
            json!({"requesterManaged": true, "interfaceType": "nat_gateway",
            "association": {"publicIp": "3.3.3.3"}}),
        ),
        eni(
            "eni-lambda",
            "10.0.6.6",
            json!({"requesterManaged": true, "interfaceType": "lambda"}),
        ),
        eni("eni-free", "10.0.7.7", json!({})),
        eip(
            1,
            "5.5.5.5",
            json!({"associationId": "eipassoc-1", "instanceId": "i-1"}),
        ),
        eip(
            2,
            "3.3.3.3",
            json!({"associationId": "eipassoc-2", "networkInterfaceId": "eni-nat"}),
        ),
        eip(3, "6.6.6.6", json!({})),
        item(
            "AWS::Elasticsearch::Domain",
            "search",
            Some(domain),
            json!({}),
        ),
        item("AWS::OpenSearch::Domain", "search", Some(domain), json!({})),
    ];
    let (inv, summary) = run(items, SoftwareFilter::None);
    let ids: std::collections::BTreeSet<&str> = inv.rows().map(|r| r.get(Field::AssetId)).collect();
    let expected: std::collections::BTreeSet<&str> = [
        "i-1",
        "eni-of-unread",
        "arn:aws:ec2:us-east-1:111111111111:natgateway/nat-1",
        "eni-lambda",
        "eni-free",
        "eipalloc-3",
        domain,
    ]
    .into_iter()
    .collect();
    assert_eq!(ids, expected);
    assert_eq!(
        inv.asset_count(),
        expected.len(),
        "what is left out is not counted"
    );
    assert_eq!(summary.assets, expected.len() as u64);
    assert_eq!(summary.duplicates, 1);
    let folded: Vec<(&str, u64)> = summary
        .folded
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        folded,
        [
            ("Elastic IP associated with a listed resource", 2),
            ("network interface attached to a listed instance", 1),
            ("network interface of a listed service (same addresses)", 1),
            ("same resource recorded under two Config types", 1),
        ]
    );
}

#[test]
fn inactive_task_definitions_are_skipped_and_counted() {
    let def = |status: &str| {
        item(
            "AWS::ECS::TaskDefinition",
            "td",
            Some("arn:td:1"),
            json!({
        "Status": status, "ContainerDefinitions": [{"Name": "web", "Image": "nginx:1.25"}, {"Name": "log", "Image": "fluent/fluent-bit:2"}]}),
        )
    };
    let (inv, summary) = run(vec![def("ACTIVE"), def("INACTIVE")], SoftwareFilter::None);
    let ids: Vec<&str> = inv.rows().map(|r| r.get(Field::AssetId)).collect();
    assert_eq!(ids, ["arn:td:1/log", "arn:td:1/web"]);
    assert_eq!(summary.folded["inactive ECS task definition revision"], 1);
}
