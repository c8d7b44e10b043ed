//! The live path held to what AWS Config really is: types it does not record read from
//! their own APIs, deleted resources never listed, every region Config does not see
//! named, and AWS's rates kept, against the local AWS held to botocore's models.

#[path = "collect_common.rs"]
mod collect_common;
mod common;

use collect_common::{collect, collect_with, rows, seed, summary_text};
use common::LocalAws;
use serde_json::{json, Value};

/// A fixture item of `resource_type` (tests/fixtures/config-types/), moved to `account`
/// and `region`.
fn fixture_item(resource_type: &str, account: &str, region: &str) -> Value {
    let path = common::repo("tests/fixtures/config-types")
        .join(format!("{}.json", resource_type.replace("::", "_")));
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
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("inv.xlsx");
    let (code, result) = collect(
        &aws,
        &[
            "--accounts",
            "111111111111,222222222222",
            "--regions",
            "us-east-1,us-west-2",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{result:#}");
    assert_eq!(result["status"], "partial");
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
/// the collector holds itself to that rate, so it is seldom throttled (a stall of the
/// machine can still bunch calls; those are retried) and every row arrives, the run
/// `ok`. The same read with the limit lifted is throttled far more often.
#[test]
fn an_aggregator_throttled_at_eight_calls_a_second_still_delivers_every_row() {
    let accounts: Vec<String> = (0..20).map(|i| format!("4000000000{i:02}")).collect();
    let ids: Vec<&str> = accounts.iter().map(String::as_str).collect();
    let mut s = seed(&ids, 2);
    s["rates"] = json!({"select": 8});
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], env: &[(&str, &str)], name: &str| {
        let mut aws = LocalAws::start(&s);
        let out = dir.path().join(name);
        let mut args = vec!["--aggregator", "org", "--output", out.to_str().unwrap()];
        args.extend(extra);
        let (code, result) = collect_with(&aws, &args, env);
        let throttled = aws.ask("throttled").as_u64().unwrap();
        (code, result, out, throttled)
    };
    let (code, result, out, held) = run(&[], &[], "held.xlsx");
    assert_eq!(code, 0, "{result:#}");
    let shards = result["per_account"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t["account"].as_str().unwrap().starts_with("aggregator"))
        .count();
    assert_eq!(shards, 40, "{result:#}");
    // Per account: 2 + 3 tables and an instance of two addresses in each region.
    let listed = rows(&out, false);
    assert_eq!(listed.len(), 20 * (2 + 3 + 2 + 2), "{result:#}");
    assert_eq!(result["rows"], json!(listed.len()));
    let tables = listed.iter().filter(|r| r[11] == "DynamoDB").count();
    assert_eq!(tables, 20 * (2 + 3));
    // Without the limit, and without retries (so each throttled call is counted once).
    let no_retries = [("AWS_MAX_ATTEMPTS", "1")];
    let (_, _, _, unheld) = run(&["--rates", "select=1000"], &no_retries, "unheld.xlsx");
    // On a loaded machine the local AWS itself stalls now and then, and a stall bunches
    // calls (a few throttles, retried); without the limit most calls are throttled.
    assert!(
        unheld >= 10 && held * 2 < unheld,
        "throttled {held} times at the rate, {unheld} without it"
    );
}
