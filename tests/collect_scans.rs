//! Amazon Inspector's coverage read live, through the member role, against the local
//! AWS (which answers Inspector from seeded data, held to botocore's model). A binary
//! of its own: its reads would load the machine under the rate tests of
//! `collect_truth.rs`, which count throttles.

#[path = "collect_common.rs"]
mod collect_common;
mod common;

use collect_common::{collect, rows, seed, summary_text};
use common::LocalAws;
use serde_json::{json, Value};

/// A covered resource as the local AWS is seeded with it (its timestamps in days ago).
fn covered(account: &str, kind: &str, id: &str, status: (&str, &str), days: u32) -> Value {
    json!({"accountId": account, "resourceType": kind, "resourceId": id, "scanType": "PACKAGE",
           "scanMode": "EC2_SSM_AGENT_BASED",
           "scanStatus": {"statusCode": status.0, "reason": status.1},
           "lastScannedDaysAgo": days})
}

/// Amazon Inspector read live in every account and region through the member role, in
/// list and aggregator modes alike: scanned, inactive and unrecorded instances, a
/// scanned instance Config does not hold, an image in use, a region where Inspector
/// is not enabled (named, its instance not judged), and another account's records
/// left to that account.
#[test]
fn inspector_coverage_is_read_in_every_account_and_region_in_every_mode() {
    let (a, b) = ("111111111111", "222222222222");
    let mut s = seed(&[a, b], 1);
    let ok = ("ACTIVE", "SUCCESSFUL");
    let image_arn = format!(
        "arn:aws:ecr:us-east-1:{a}:repository/app/sha256:{}",
        "c".repeat(64)
    );
    let mut image = covered(a, "AWS_ECR_CONTAINER_IMAGE", &image_arn, ok, 1);
    image["resourceMetadata"] = json!({"ecrImage": {"tags": ["v1", "prod"], "inUseCount": 3}});
    s["inspector"] = json!({
        a: {
            "us-east-1": {"enabled": ["ec2", "ecr", "lambda"], "coverage": [
                covered(a, "AWS_EC2_INSTANCE", &format!("i-{a}-us-east-1"), ok, 1),
                covered(a, "AWS_EC2_INSTANCE", "i-0ghost0000000001", ok, 2),
                image]},
            "us-west-2": {"enabled": ["ec2"], "coverage": [
                covered(a, "AWS_EC2_INSTANCE", &format!("i-{a}-us-west-2"),
                        ("INACTIVE", "UNMANAGED_EC2_INSTANCE"), 40)]}},
        b: {
            // Enabled, but nothing covers the instance; another account's record here
            // (a delegated administrator sees its members) is not this account's.
            "us-west-2": {"enabled": ["ec2"], "coverage": [
                covered("999999999999", "AWS_EC2_INSTANCE", "i-0other000000000001", ok, 1)]}},
    });
    s["organization"] = json!([a, b]);
    let mut aws = LocalAws::start(&s);
    let dir = tempfile::tempdir().unwrap();
    let mut run = |mode: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut args = mode.to_vec();
        args.extend([
            "--regions",
            "us-east-1,us-west-2",
            "--scan-coverage",
            "inspector",
            "--format",
            "xlsx,scan-coverage",
            "--output",
            out.to_str().unwrap(),
        ]);
        let before = aws.ask("inspector-calls").as_u64().unwrap();
        let (code, result) = collect(&aws, &args);
        let calls = aws.ask("inspector-calls").as_u64().unwrap() - before;
        (code, result, out, calls)
    };
    let (code, listed, out, calls) = run(&["--accounts", "111111111111,222222222222"], "list.xlsx");
    // Each of 4 account-regions: its status, and its coverage where a scan is enabled.
    assert_eq!(calls, 4 + 3, "{listed:#}");
    // Partial: Inspector is not enabled in b / us-east-1, where an instance is.
    assert_eq!(code, 2, "{listed:#}");
    let findings: Vec<&Value> = listed["errors"].as_array().unwrap().iter().collect();
    assert_eq!(findings.len(), 1, "{listed:#}");
    assert_eq!(
        (
            findings[0]["account"].as_str(),
            findings[0]["region"].as_str()
        ),
        (Some(b), Some("us-east-1"))
    );
    assert_eq!(findings[0]["stage"], "coverage");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("Amazon Inspector's coverage not read here for 1 assets"));
    assert_eq!(
        listed["scan_coverage"],
        json!({"assets": 4, "scanned": 2, "not_scanned": 2, "not_in_inventory": 1, "not_checked": 1}),
        "{listed:#}"
    );
    let inventory = rows(&out, false);
    let row = |id: &str| -> Vec<String> {
        inventory
            .iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("{id} missing: {inventory:#?}"))
            .clone()
    };
    // Columns: Authenticated Scan 7, In Latest Scan 13, Comments 18.
    let scanned = row(&format!("i-{a}-us-east-1"));
    assert_eq!(
        (scanned[7].as_str(), scanned[13].as_str()),
        ("Yes", "Yes"),
        "{scanned:?}"
    );
    let inactive = row(&format!("i-{a}-us-west-2"));
    assert_eq!(inactive[13], "No");
    assert!(
        inactive[18].ends_with("Inspector: INACTIVE UNMANAGED_EC2_INSTANCE"),
        "{inactive:?}"
    );
    let unrecorded = row(&format!("i-{b}-us-west-2"));
    assert!(
        unrecorded[18].ends_with("Inspector: no coverage record"),
        "{unrecorded:?}"
    );
    let unchecked = row(&format!("i-{b}-us-east-1"));
    assert_eq!(
        unchecked[13], "",
        "not judged where Inspector is off: {unchecked:?}"
    );
    let image = row(&format!(
        "{a}.dkr.ecr.us-east-1.amazonaws.com/app@sha256:{}",
        "c".repeat(64)
    ));
    assert_eq!(
        (image[11].as_str(), image[13].as_str()),
        ("Container Image", "Yes")
    );
    let gaps = std::fs::read_to_string(out.with_file_name("list.scan-coverage.csv")).unwrap();
    assert!(gaps.contains("scanned resource not in the inventory,111111111111,us-east-1,AWS_EC2_INSTANCE,i-0ghost0000000001"), "{gaps}");
    assert!(
        !gaps.contains("i-0other"),
        "another account's record: {gaps}"
    );
    assert!(summary_text(&out).contains("Scanned inside the window | 2"));

    // The aggregator's shards read the same coverage through each shard's member role.
    let (code, aggregated, out, _) = run(&["--aggregator", "org-aggregator"], "agg.xlsx");
    assert_eq!(code, 2, "{aggregated:#}");
    assert_eq!(aggregated["scan_coverage"], listed["scan_coverage"]);
    assert_eq!(rows(&out, true), rows(&dir.path().join("list.xlsx"), true));
}
