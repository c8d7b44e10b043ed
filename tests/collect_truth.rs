//! The live path held to what AWS Config really is: types it does not record read from
//! their own APIs, deleted resources never listed, every region Config does not see
//! named, and AWS's rates kept, against the local AWS held to botocore's models.

#[path = "collect_common.rs"]
mod collect_common;
mod common;

use collect_common::{collect, collect_into, collect_with, rows, seed, summary_text};
use common::{args, LocalAws};
use serde_json::{json, Value};

/// A fixture item of `resource_type` (tests/fixtures/config-types/, or network-types/
/// for the network facts), moved to `account` and `region`.
fn fixture_item(resource_type: &str, account: &str, region: &str) -> Value {
    let name = format!("{}.json", resource_type.replace("::", "_"));
    let path = ["config-types", "network-types"]
        .iter()
        .map(|d| common::repo("tests/fixtures").join(d).join(&name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no fixture {name}"));
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let item = &fixture["item"];
    let own = item["accountId"]
        .as_str()
        .or(item["awsAccountId"].as_str())
        .unwrap();
    let text = item.to_string().replace(own, account);
    let mut item: Value = serde_json::from_str(&text).unwrap();
    item["accountId"] = json!(account);
    item["awsRegion"] = json!(region);
    item
}

/// ElastiCache clusters and replication groups and EKS node groups, which AWS Config
/// does not record, made through their own APIs (moto emulates both).
fn service_resources() -> Value {
    json!({"us-east-1": {
        "cache_clusters": [{"CacheClusterId": "sessions-001", "Engine": "redis",
            "CacheNodeType": "cache.t3.micro", "NumCacheNodes": 1,
            "Tags": [{"Key": "owner", "Value": "cache team"}]}],
        "replication_groups": [{"ReplicationGroupId": "sessions",
            "ReplicationGroupDescription": "sessions", "Engine": "redis",
            "CacheNodeType": "cache.r6g.large", "NumCacheClusters": 2}],
        "eks_clusters": [{"name": "prod", "nodegroups": [{"nodegroupName": "workers",
            "instanceTypes": ["m6i.large"], "subnets": ["subnet-1", "subnet-2"],
            "tags": {"owner": "platform"}}]}]
    }})
}

#[test]
fn new_types_and_types_config_does_not_record_in_every_mode() {
    let accounts = ["111111111111", "333333333333"];
    let kinds = [
        "AWS::S3::Bucket",
        "AWS::Lambda::Function",
        "AWS::EC2::NetworkInterface",
        "AWS::Route53Resolver::ResolverEndpoint",
    ];
    let mut all = serde_json::Map::new();
    let mut services = serde_json::Map::new();
    for a in accounts {
        let mut list: Vec<Value> = kinds
            .iter()
            .map(|k| fixture_item(k, a, "us-east-1"))
            .collect();
        // An instance with its SSM inventory: OS and NetBIOS joined onto its row.
        let mut ssm = fixture_item("AWS::SSM::ManagedInstanceInventory", a, "us-east-1");
        ssm["resourceId"] = json!(format!("i-{a}"));
        list.push(ssm);
        list.push(
            json!({"resourceType": "AWS::EC2::Instance", "resourceId": format!("i-{a}"),
            "accountId": a, "awsRegion": "us-east-1",
            "configuration": {"instanceId": format!("i-{a}"), "privateIpAddress": "10.0.0.1"}}),
        );
        all.insert(a.to_string(), json!({"us-east-1": list}));
        services.insert(a.to_string(), service_resources());
    }
    // Batch get leaves keys unprocessed now and then: they are asked for again.
    let mut aws_seed = json!({"items": all, "services": services, "unprocessed": 3,
        "buckets": ["reports"], "topics": ["alerts"]});
    aws_seed["organization"] = json!(accounts);
    let aws = LocalAws::start(&aws_seed);
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut all = args.to_vec();
        all.extend(["--regions", "us-east-1", "--output", out.to_str().unwrap()]);
        let (code, result) = collect(&aws, &all);
        assert_eq!(code, 0, "{result:#}");
        rows(&out, true)
    };
    let listed = run(&["--accounts", "111111111111,333333333333"], "list.xlsx");
    for a in accounts {
        let of = |id: &str| -> Vec<String> {
            listed
                .iter()
                .find(|r| r[0] == id)
                .unwrap_or_else(|| panic!("{id} missing from {listed:#?}"))
                .clone()
        };
        let cluster = of(&format!(
            "arn:aws:elasticache:us-east-1:{a}:cluster:sessions-001"
        ));
        assert_eq!(cluster[11], "ElastiCache", "{cluster:?}");
        assert_eq!(cluster[12], "cache.t3.micro", "{cluster:?}");
        assert!(
            cluster.contains(&"cache team".to_string()),
            "tags: {cluster:?}"
        );
        let group = of(&format!(
            "arn:aws:elasticache:us-east-1:{a}:replicationgroup:sessions"
        ));
        assert_eq!(group[12], "cache.r6g.large", "{group:?}");
        let nodes: Vec<&Vec<String>> = listed
            .iter()
            .filter(|r| r[11] == "EKS Node Group")
            .filter(|r| {
                r[0].starts_with(&format!(
                    "arn:aws:eks:us-east-1:{a}:nodegroup/prod/workers/"
                ))
            })
            .collect();
        assert_eq!(nodes.len(), 1, "{listed:#?}");
        assert_eq!(nodes[0][12], "m6i.large", "{:?}", nodes[0]);
        assert!(nodes[0].contains(&"platform".to_string()), "{:?}", nodes[0]);
        of("arn:aws:s3:::mborch-test-bucket-config-item");
        // Read by batch get, its tags from its configuration (batch get returns none).
        let resolver: Vec<&Vec<String>> = listed
            .iter()
            .filter(|r| r[11] == "Route 53 Resolver Endpoint" && r[0].contains(&format!(":{a}:")))
            .collect();
        assert_eq!(resolver.len(), 2, "one row per address: {listed:#?}");
        assert!(
            resolver[0].contains(&"network team".to_string()),
            "{resolver:?}"
        );
        let host: Vec<&Vec<String>> = listed.iter().filter(|r| r[0] == format!("i-{a}")).collect();
        assert_eq!(host.len(), 1, "{listed:#?}");
        assert_eq!(
            host[0][9], "Microsoft Windows Server 2012 R2 Standard 6.3.9600",
            "SSM joined: {:?}",
            host[0]
        );
    }
    assert_eq!(run(&["--organization"], "org.xlsx"), listed);
    // The aggregator's shards read the types Config does not record through the member
    // role of the shard's account.
    assert_eq!(run(&["--aggregator", "org-aggregator"], "agg.xlsx"), listed);
}

/// Config keeps the last item of a deleted resource, and a region can have Config off
/// or stopped: deleted items give no row (counted by status in the Run Summary), and
/// each region Config does not see is named and makes the run partial.
#[test]
fn deleted_items_give_no_rows_and_regions_config_does_not_see_are_named() {
    let mut s = seed(&["111111111111", "222222222222"], 2);
    let mut gone = s["items"]["111111111111"]["us-east-1"][0].clone();
    gone["resourceId"] = json!("i-0gone");
    gone["arn"] = json!("arn:aws:ec2:us-east-1:111111111111:instance/i-0gone");
    gone["configuration"]["instanceId"] = json!("i-0gone");
    gone["configurationItemStatus"] = json!("ResourceDeleted");
    s["items"]["111111111111"]["us-east-1"]
        .as_array_mut()
        .unwrap()
        .push(gone);
    s["recorders"] = json!({"222222222222": {"us-east-1": {"recording": false},
        "us-west-2": null}});
    let mut aws = LocalAws::start(&s);
    let assumed_before = aws.ask("assume-calls").as_u64().unwrap();
    let (code, result, out) = collect_into(
        &aws,
        "inv.xlsx",
        &args("--accounts 111111111111,222222222222 --regions us-east-1,us-west-2 --format xlsx,derivation,sdr --sdr-overview-uri https://example.gov/cpo.json --service-reads off"),
    );
    assert_eq!(code, 2, "{result:#}");
    assert_eq!(result["status"], "partial");
    // The derivation document says the same, from what the run did.
    let derivation = std::fs::read_to_string(out.with_extension("derivation.md")).unwrap();
    for said in [
        "The accounts listed (111111111111, 222222222222), each through the member role",
        "| account 222222222222 / us-west-2 | 4 | read, but incomplete: AWS Config has no configuration recorder here",
        "- 1 left out: configurationItemStatus ResourceDeleted",
        "is not recording",
        "AWS Config has no configuration recorder here",
        "`AWS::ElastiCache::CacheCluster`: not read: turned off (service-reads: off)",
        "| inv.xlsx |",
        "| inv.snapshot.jsonl.gz |",
    ] {
        assert!(derivation.contains(said), "{said:?} not in:\n{derivation}");
    }
    // The SDR's inventory indicator says the run was partial, and why.
    let sdr: Value =
        serde_json::from_str(&std::fs::read_to_string(out.with_extension("sdr.json")).unwrap())
            .unwrap();
    let giv = &sdr["keySecurityIndicators"][0];
    assert_eq!(
        (&giv["ksiId"], &giv["ksiImplementationStatus"]),
        (&json!("KSI-PIY-GIV"), &json!("Partially Implemented")),
        "{sdr:#}"
    );
    let why = giv["ksiValidation"].to_string();
    assert!(
        why.contains("This run was partial: not read in full: account 222222222222 / us-east-1"),
        "{why}"
    );
    let findings: Vec<(String, String, String)> = result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["stage"], "coverage", "{e}");
            (
                e["account"].as_str().unwrap().into(),
                e["region"].as_str().unwrap().into(),
                e["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(findings.len(), 2, "{result:#}");
    assert_eq!(findings[0].0, "222222222222");
    assert_eq!(findings[0].1, "us-east-1");
    assert!(findings[0].2.contains("is not recording"), "{findings:?}");
    assert_eq!(findings[1].1, "us-west-2");
    assert!(
        findings[1].2.contains("no configuration recorder"),
        "{findings:?}"
    );
    let incomplete: Vec<&Value> = result["per_account"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "incomplete")
        .collect();
    assert_eq!(incomplete.len(), 2, "{result:#}");
    let listed = rows(&out, false);
    assert!(listed.iter().all(|r| r[0] != "i-0gone"), "{listed:#?}");
    let summary = summary_text(&out);
    assert!(
        summary.contains("configurationItemStatus ResourceDeleted | 1"),
        "{summary}"
    );
    assert!(
        summary.contains("coverage: AWS Config has no configuration recorder here"),
        "{summary}"
    );
    // One session per member account, shared by its two regions.
    let assumed = aws.ask("assume-calls").as_u64().unwrap() - assumed_before;
    assert_eq!(assumed, 2, "AssumeRole once per account");
}

/// 40 account-regions through one aggregator that throttles past 8 calls a second:
/// every row arrives and the run is `ok` (a stall of the machine can bunch calls; those
/// are retried).
///
/// That the collector asks at its rate is shown by what the local AWS saw, with no
/// stopwatch of ours and no throttling to blur it (a second local AWS, which throttles
/// nothing): the aggregator's limiter lets its N select calls go at least 1/8 s apart,
/// and each arrives after it was let go, so the last arrives at least (N-1)/8 s after
/// the harness's clock was read before the run. A load on the machine only makes that
/// later; a collector that did not hold the rate reads the same 40 targets in a
/// fraction of it. The limiter's own schedule is unit-tested on a clock the test drives
/// (`reader::quota`).
#[test]
fn an_aggregator_throttled_at_eight_calls_a_second_still_delivers_every_row() {
    let accounts: Vec<String> = (0..20).map(|i| format!("4000000000{i:02}")).collect();
    let ids: Vec<&str> = accounts.iter().map(String::as_str).collect();
    let mut s = seed(&ids, 2);
    let dir = tempfile::tempdir().unwrap();
    let run = |seed: &Value, name: &str| {
        let mut aws = LocalAws::start(seed);
        let out = dir.path().join(name);
        let before = aws.ask("clock").as_f64().unwrap();
        let (code, result) = collect_with(
            &aws,
            &["--aggregator", "org", "--output", out.to_str().unwrap()],
            &[],
        );
        let arrivals = aws.ask("arrivals select");
        (code, result, out, before, arrivals)
    };

    let (code, result, out, before, arrivals) = run(&s, "paced.xlsx");
    assert_eq!(code, 0, "{result:#}");
    // Every select call went to the aggregator, none to an account.
    let scopes: Vec<&String> = arrivals.as_object().unwrap().keys().collect();
    assert_eq!(scopes, ["aggregator org"], "{arrivals}");
    let times: Vec<f64> = arrivals["aggregator org"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap())
        .collect();
    // At least one query per target (40), each let through once.
    assert!(times.len() >= 40, "{} select calls", times.len());
    let last = times.iter().cloned().fold(f64::MIN, f64::max);
    let least = (times.len() - 1) as f64 / 8.0;
    assert!(
        last - before >= least,
        "{} select calls in {:.2} s: at 8 a second they take at least {least:.2} s",
        times.len(),
        last - before
    );

    s["rates"] = json!({"select": 8});
    let (code, result, out_throttled, _, _) = run(&s, "throttled.xlsx");
    assert_eq!(code, 0, "{result:#}");
    let shards = result["per_account"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t["account"].as_str().unwrap().starts_with("aggregator"))
        .count();
    assert_eq!(shards, 40, "{result:#}");
    // Per account: 2 + 3 tables and an instance of two addresses in each region.
    let listed = rows(&out_throttled, false);
    assert_eq!(listed.len(), 20 * (2 + 3 + 2 + 2), "{result:#}");
    assert_eq!(result["rows"], json!(listed.len()));
    let tables = listed.iter().filter(|r| r[11] == "DynamoDB").count();
    assert_eq!(tables, 20 * (2 + 3));
    assert_eq!(rows(&out, false), listed, "throttled or not, the same rows");
}

/// Each mode on a healthy organization ends `ok`, ElastiCache and EKS read through the
/// member roles; with `--service-reads off` they are left out, named as not read, and
/// the run is still `ok` (no role is assumed at all in aggregator mode). A member role
/// that is missing makes the run `partial`, with the cause named once for the account
/// (both its regions), after one AssumeRole.
#[test]
fn every_mode_ends_ok_when_healthy_and_names_a_missing_member_role_once() {
    let accounts = ["111111111111", "333333333333"];
    let mut s = seed(&accounts, 1);
    s["organization"] = json!(accounts);
    s["services"] =
        json!({"111111111111": service_resources(), "333333333333": service_resources()});
    let dir = tempfile::tempdir().unwrap();
    let modes: [&[&str]; 3] = [
        &["--accounts", "111111111111,333333333333"],
        &["--organization"],
        &["--aggregator", "org-aggregator"],
    ];
    let run = |aws: &mut LocalAws, mode: &[&str], extra: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut args = mode.to_vec();
        args.extend(extra);
        args.extend([
            "--regions",
            "us-east-1,us-west-2",
            "--output",
            out.to_str().unwrap(),
        ]);
        let before = aws.ask("assume-calls").as_u64().unwrap();
        let (code, result) = collect(aws, &args);
        let assumed = aws.ask("assume-calls").as_u64().unwrap() - before;
        (code, result, out, assumed)
    };
    let caches = |out: &std::path::Path| {
        rows(out, true)
            .iter()
            .filter(|r| r[11] == "ElastiCache" || r[11] == "EKS Node Group")
            .count()
    };

    let mut healthy = LocalAws::start(&s);
    for (i, mode) in modes.iter().enumerate() {
        let (code, result, out, assumed) = run(&mut healthy, mode, &[], &format!("ok{i}.xlsx"));
        assert_eq!(
            (code, &result["status"]),
            (0, &json!("ok")),
            "{mode:?}: {result:#}"
        );
        // Per account: a cluster, a replication group and a node group.
        assert_eq!(caches(&out), 2 * 3, "{mode:?}");
        assert_eq!(assumed, 2, "{mode:?}: one AssumeRole per member account");
        assert!(result.get("not_read").is_none(), "{result:#}");

        let (code, result, out, assumed) = run(
            &mut healthy,
            mode,
            &["--service-reads", "off"],
            &format!("off{i}.xlsx"),
        );
        assert_eq!(
            (code, &result["status"]),
            (0, &json!("ok")),
            "{mode:?}: {result:#}"
        );
        assert_eq!(caches(&out), 0, "{mode:?}");
        let not_read: Vec<&str> = result["not_read"]
            .as_array()
            .unwrap_or_else(|| panic!("{result:#}"))
            .iter()
            .map(|n| n["resource_type"].as_str().unwrap())
            .collect();
        assert_eq!(
            not_read,
            [
                "AWS::ElastiCache::CacheCluster",
                "AWS::ElastiCache::ReplicationGroup",
                "AWS::EKS::Nodegroup"
            ],
            "{result:#}"
        );
        assert!(result["not_read"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("not read: turned off (service-reads: off)"));
        let summary = summary_text(&out);
        assert!(
            summary.contains("Resource types not read")
                && summary.contains("AWS::ElastiCache::CacheCluster | not read: turned off"),
            "{summary}"
        );
        if mode[0] == "--aggregator" {
            assert_eq!(
                assumed, 0,
                "an aggregator without service reads needs no role"
            );
        }
    }

    s["no_role"] = json!(["333333333333"]);
    let mut missing = LocalAws::start(&s);
    for (i, mode) in modes.iter().enumerate() {
        let (code, result, _, assumed) = run(&mut missing, mode, &[], &format!("missing{i}.xlsx"));
        assert_eq!(
            (code, &result["status"]),
            (2, &json!("partial")),
            "{mode:?}: {result:#}"
        );
        assert_eq!(
            assumed, 2,
            "{mode:?}: the missing role is tried once, not per region"
        );
        let errors = result["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{mode:?}: named once: {result:#}");
        let e = &errors[0];
        assert_eq!(e["account"], "333333333333", "{result:#}");
        assert_eq!(e["region"], "us-east-1, us-west-2", "{result:#}");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains("sts:AssumeRole arn:aws:iam::333333333333:role/")
                && message.contains("AccessDenied"),
            "{result:#}"
        );
    }
    // Without service reads an aggregator needs no member role: the same organization
    // with the role missing is read whole.
    let (code, result, _, assumed) = run(
        &mut missing,
        modes[2],
        &["--service-reads", "off"],
        "agg-off.xlsx",
    );
    assert_eq!((code, &result["status"]), (0, &json!("ok")), "{result:#}");
    assert_eq!(assumed, 0);
}

/// The network facts (security groups, subnets, VPCs, route tables, internet gateways,
/// network ACLs, listeners) are read by the advanced query in every mode, counted in
/// the Run Summary and made into no row; with `--network off` the query leaves them out
/// and the run names each type as not read.
#[test]
fn network_facts_are_read_in_every_mode_and_named_when_turned_off() {
    let accounts = ["111111111111", "333333333333"];
    let mut all = serde_json::Map::new();
    for a in accounts {
        let mut list: Vec<Value> = fedramp_inventory::network::NETWORK_TYPES
            .iter()
            .map(|k| fixture_item(k, a, "us-east-1"))
            .collect();
        list.push(fixture_item("AWS::EC2::NetworkInterface", a, "us-east-1"));
        all.insert(a.to_string(), json!({ "us-east-1": list }));
    }
    let mut s = json!({"items": all, "buckets": ["reports"], "topics": ["alerts"]});
    s["organization"] = json!(accounts);
    let aws = LocalAws::start(&s);
    let modes: [&[&str]; 3] = [
        &["--accounts", "111111111111,333333333333"],
        &["--organization"],
        &["--aggregator", "org-aggregator"],
    ];
    let mut ports_in_first_mode = None;
    for mode in modes {
        let mut on = mode.to_vec();
        on.extend(["--regions", "us-east-1", "--service-reads", "off"]);
        let (code, result, out) = collect_into(&aws, "on.xlsx", &on);
        assert_eq!(
            (code, &result["status"]),
            (0, &json!("ok")),
            "{mode:?}: {result:#}"
        );
        assert_eq!(
            result["rows"],
            json!(2),
            "{mode:?}: the interfaces' rows only"
        );
        // Each account's interface is attached to the recorded group (read) and to one
        // that is not among the items (named as not read); the same entries in every mode.
        let network = &result["network"];
        assert_eq!(
            (&network["attached_assets"], &network["groups_not_read"]),
            (&json!(2), &json!(2)),
            "{mode:?}: {result:#}"
        );
        let ports = network["ports"].as_u64().unwrap_or(0);
        assert!(ports > 0, "{mode:?}: {result:#}");
        assert_eq!(*ports_in_first_mode.get_or_insert(ports), ports, "{mode:?}");
        let summary = summary_text(&out);
        assert!(
            summary.contains(&format!(
                "Entries (Ports Protocols Services sheet) | {ports}"
            )),
            "{mode:?}: {summary}"
        );
        assert!(
            summary.contains("Network facts read"),
            "{mode:?}: {summary}"
        );
        for kind in fedramp_inventory::network::NETWORK_TYPES {
            assert!(
                summary.contains(&format!("{kind} | 2")),
                "{mode:?} {kind}: {summary}"
            );
        }
        assert!(
            !summary.contains("Items of unsupported types | 1"),
            "{summary}"
        );

        let mut off = on.clone();
        off.extend(["--network", "off"]);
        let (code, result, out) = collect_into(&aws, "off.xlsx", &off);
        assert_eq!(
            (code, &result["status"]),
            (0, &json!("ok")),
            "{mode:?}: {result:#}"
        );
        let not_read: Vec<&str> = result["not_read"]
            .as_array()
            .unwrap_or_else(|| panic!("{result:#}"))
            .iter()
            .map(|n| n["resource_type"].as_str().unwrap())
            .filter(|t| fedramp_inventory::network::is_network_type(t))
            .collect();
        assert_eq!(not_read.len(), 7, "{mode:?}: {result:#}");
        assert!(result.get("network").is_none(), "{mode:?}: {result:#}");
        let summary = summary_text(&out);
        assert!(!summary.contains("Network facts read"), "{summary}");
        assert!(
            summary.contains("AWS::EC2::SecurityGroup | not read: turned off (network: off)"),
            "{summary}"
        );
    }
}

/// The network outputs live, in every mode: the web system read through the local AWS
/// gives the permitted connections, the diagram and an SDR FedRAMP's schema accepts;
/// a rule added to a group between two runs shows as a connection added in the second
/// run's result (its comparison with the first run's snapshot).
#[test]
fn connections_diagram_and_sdr_live_and_a_connection_added_between_runs() {
    use common::network::{sdr_errors, web_system, with_a_rule_added, ACCOUNT};
    let seeded = |system: &[Value]| json!({ ACCOUNT: { "us-east-1": system } });
    let before = web_system();
    let after = with_a_rule_added(&before);
    let mut s = json!({"items": seeded(&before), "buckets": ["reports"], "topics": ["alerts"]});
    s["organization"] = json!([ACCOUNT]);
    let mut aws = LocalAws::start(&s);
    let dir = tempfile::tempdir().unwrap();
    let write_items = |name: &str, system: &[Value]| {
        let path = dir.path().join(name);
        std::fs::write(&path, seeded(system).to_string()).unwrap();
        path
    };
    let (before_file, after_file) = (
        write_items("before.json", &before),
        write_items("after.json", &after),
    );
    let modes: [&[&str]; 3] = [
        &["--accounts", ACCOUNT],
        &["--organization"],
        &["--aggregator", "org-aggregator"],
    ];
    for (m, mode) in modes.iter().enumerate() {
        aws.ask(&format!("items {}", before_file.display()));
        let mut args = mode.to_vec();
        args.extend(["--regions", "us-east-1", "--service-reads", "off"]);
        args.extend(["--format", "xlsx,connections,diagram,sdr"]);
        args.extend(["--sdr-overview-uri", "https://example.gov/cpo.json"]);
        let first = dir.path().join(format!("first-{m}.xlsx"));
        let mut run = args.clone();
        run.extend(["--output", first.to_str().unwrap()]);
        let (code, result) = collect(&aws, &run);
        assert_eq!(
            (code, &result["status"]),
            (0, &json!("ok")),
            "{mode:?}: {result:#}"
        );
        let stem = |p: &std::path::Path, ext: &str| p.with_extension(ext);
        let connections: Value = serde_json::from_str(
            &std::fs::read_to_string(stem(&first, "connections.json")).unwrap(),
        )
        .unwrap();
        let inbound_5432 = connections["connections"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["ports"] == "5432" && c["direction"] == "inbound")
            .count();
        assert_eq!(inbound_5432, 1, "{mode:?}: {connections:#}");
        let svg = std::fs::read_to_string(stem(&first, "diagram.svg")).unwrap();
        for label in ["web entry", "partner entry", "app server"] {
            assert!(
                svg.contains(&format!(">{label}</text>")),
                "{mode:?}: {label}"
            );
        }
        let errors = sdr_errors(&stem(&first, "sdr.json"));
        assert!(errors.is_empty(), "{mode:?}: {errors:#?}");

        aws.ask(&format!("items {}", after_file.display()));
        let second = dir.path().join(format!("second-{m}.xlsx"));
        let mut run = args.clone();
        run.extend(["--output", second.to_str().unwrap()]);
        let previous = stem(&first, "snapshot.jsonl.gz");
        run.extend(["--previous", previous.to_str().unwrap()]);
        let (code, result) = collect(&aws, &run);
        assert_eq!(
            (code, &result["status"]),
            (0, &json!("ok")),
            "{mode:?}: {result:#}"
        );
        let sdr: Value =
            serde_json::from_str(&std::fs::read_to_string(stem(&second, "sdr.json")).unwrap())
                .unwrap();
        let drift = sdr["keySecurityIndicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["ksiId"] == "KSI-SVC-ACM")
            .unwrap_or_else(|| panic!("{mode:?}: no drift review: {sdr:#}"));
        let said = drift["ksiValidation"][0].as_str().unwrap();
        assert!(
            said.contains("permitted connections: 1 added, 0 removed"),
            "{said}"
        );
        let errors = sdr_errors(&stem(&second, "sdr.json"));
        assert!(errors.is_empty(), "{mode:?}: {errors:#?}");
        let changes = &result["changes"];
        assert_eq!(
            (
                &changes["status"],
                &changes["added"],
                &changes["connections_added"],
                &changes["connections_removed"]
            ),
            (&json!("compared"), &json!(0), &json!(1), &json!(0)),
            "{mode:?}: {result:#}"
        );
    }
}

/// `scope: all` live, in list and aggregator modes: every resource Config records
/// outside the mapped types is listed with its envelope, and counted in the SDR's
/// KSI-PIY-GIV (valid against FedRAMP's schema) (an IAM role, recorded as
/// global; a KMS key; a CloudTrail trail; a backup plan, a type the local AWS knows only
/// from botocore's enum; a Cognito user pool, which the advanced query does not return),
/// a deleted key is left out, and an account that holds nothing
/// of the mapped types still has its aggregator shard (the shards are counted over
/// every type).
#[test]
fn scope_all_lists_every_information_resource_in_list_and_aggregator_modes() {
    let envelope = |kind: &str, id: &str, account: &str, region: &str, status: &str| {
        json!({"resourceType": kind, "resourceId": id, "accountId": account, "awsRegion": region,
            "resourceName": id, "arn": format!("arn:aws:test::{account}:{id}"),
            "configurationItemStatus": status,
            "configurationItemCaptureTime": "2026-12-01T00:00:00.000Z",
            "tags": [{"key": "owner", "value": "platform"}], "configuration": {"any": "thing"}})
    };
    let outside = |a: &str| {
        vec![
            envelope("AWS::IAM::Role", &format!("AROA{a}"), a, "global", "OK"),
            envelope("AWS::KMS::Key", &format!("key-{a}"), a, "us-east-1", "OK"),
            envelope(
                "AWS::KMS::Key",
                &format!("gone-{a}"),
                a,
                "us-east-1",
                "ResourceDeleted",
            ),
            envelope(
                "AWS::CloudTrail::Trail",
                &format!("trail-{a}"),
                a,
                "us-east-1",
                "OK",
            ),
            envelope(
                "AWS::Backup::BackupPlan",
                &format!("plan-{a}"),
                a,
                "us-east-1",
                "OK",
            ),
            // Recorded, but not a type the advanced query returns (AWS's schema of it):
            // found by Config's counts and listed.
            envelope(
                "AWS::Cognito::UserPool",
                &format!("pool-{a}"),
                a,
                "us-east-1",
                "OK",
            ),
        ]
    };
    let (mapped, bare) = ("111111111111", "333333333333");
    let mut with_instance = outside(mapped);
    with_instance.push(
        json!({"resourceType": "AWS::EC2::Instance", "resourceId": "i-1",
        "accountId": mapped, "awsRegion": "us-east-1", "configurationItemStatus": "OK",
        "configuration": {"instanceId": "i-1", "privateIpAddress": "10.0.0.1"}}),
    );
    let mut s = json!({"items": {
        mapped: {"us-east-1": with_instance},
        bare: {"us-east-1": outside(bare)},
    }, "buckets": ["reports"], "topics": ["alerts"]});
    s["organization"] = json!([mapped, bare]);
    let mut aws = LocalAws::start(&s);
    let known = aws.ask("config-types");
    assert!(
        known
            .as_array()
            .unwrap()
            .contains(&json!("AWS::Backup::BackupPlan")),
        "a type of AWS's own model"
    );
    let modes: [&[&str]; 2] = [
        &["--accounts", "111111111111,333333333333"],
        &["--aggregator", "org-aggregator"],
    ];
    let mut first: Option<Vec<Vec<String>>> = None;
    for mode in modes {
        let mut args = mode.to_vec();
        args.extend([
            "--regions",
            "us-east-1",
            "--service-reads",
            "off",
            "--scope",
            "all",
            "--format",
            "xlsx,resources,sdr",
            "--sdr-overview-uri",
            "https://example.gov/cpo.json",
        ]);
        let (code, result, out) = collect_into(&aws, "all.xlsx", &args);
        assert_eq!(
            (code, &result["status"]),
            (0, &json!("ok")),
            "{mode:?}: {result:#}"
        );
        assert_eq!(result["rows"], json!(1), "{mode:?}: the instance's row");
        assert_eq!(
            result["resources"],
            json!({"AWS::Backup::BackupPlan": 2, "AWS::CloudTrail::Trail": 2,
                "AWS::Cognito::UserPool": 2, "AWS::IAM::Role": 2, "AWS::KMS::Key": 2}),
            "{mode:?}: the deleted keys left out; {result:#}"
        );
        let listed = common::csv_rows(&out.with_extension("resources.csv"));
        let ids: Vec<&str> = listed.iter().map(|r| r[3].as_str()).collect();
        assert!(ids.contains(&"plan-333333333333") && ids.contains(&"AROA111111111111"));
        assert!(!ids.iter().any(|id| id.starts_with("gone-")), "{ids:?}");
        let role = listed.iter().find(|r| r[3] == "AROA333333333333").unwrap();
        assert_eq!(
            (role[1].as_str(), role[6].as_str(), role[8].as_str()),
            ("global", "platform", "2026-12-01T00:00:00.000Z")
        );
        // Listed by type and batch-read: no tags (batch get returns none), its capture
        // time as the SDK gives it.
        let pool = listed.iter().find(|r| r[3] == "pool-111111111111").unwrap();
        assert_eq!(
            (pool[2].as_str(), pool[6].as_str(), pool[8].as_str()),
            ("AWS::Cognito::UserPool", "", "2026-12-01T00:00:00Z"),
            "{mode:?}"
        );
        assert!(
            summary_text(&out).contains("Information resources (scope: all)"),
            "{mode:?}"
        );
        // The SDR: valid against FedRAMP's schema, KSI-PIY-GIV counting them.
        let sdr_path = out.with_extension("sdr.json");
        assert_eq!(common::network::sdr_errors(&sdr_path), Vec::<String>::new());
        let sdr: Value =
            serde_json::from_str(&std::fs::read_to_string(&sdr_path).unwrap()).unwrap();
        let giv = sdr["keySecurityIndicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["ksiId"] == "KSI-PIY-GIV")
            .unwrap();
        assert!(
            giv["ksiValidation"][0]
                .as_str()
                .unwrap()
                .contains("10 other information resources of 5 Config types listed (scope: all)"),
            "{mode:?}: {giv:#}"
        );
        assert_eq!(first.get_or_insert(listed.clone()), &listed, "{mode:?}");
    }
}
