//! `report --scan-coverage`: Amazon Inspector's coverage, as `aws inspector2
//! list-coverage` prints it, joined onto the inventory by the real binary. Dates are
//! made relative to today, so the window is the run's own.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};

mod common;
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");
const ACCOUNT: &str = "111111111111";
const REGION: &str = "us-gov-west-1";
const REPO_ARN: &str = "arn:aws-us-gov:ecr:us-gov-west-1:111111111111:repository/team/app";
const FUNCTION_ARN: &str = "arn:aws-us-gov:lambda:us-gov-west-1:111111111111:function:api";
const REGISTRY: &str = "111111111111.dkr.ecr.us-gov-west-1.amazonaws.com";

fn ago(days: i64) -> String {
    (Utc::now() - Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn instance(id: &str, ip: &str, tags: Value) -> Value {
    json!({"resourceType": "AWS::EC2::Instance", "resourceId": id, "accountId": ACCOUNT,
           "awsRegion": REGION,
           "arn": format!("arn:aws-us-gov:ec2:{REGION}:{ACCOUNT}:instance/{id}"),
           "configuration": {"instanceId": id, "imageId": "ami-0base", "instanceType": "t3.large",
               "placement": {"availabilityZone": "us-gov-west-1a"},
               "networkInterfaces": [{"macAddress": "0a:00:00:00:00:01",
                   "privateIpAddresses": [{"privateIpAddress": ip}]}]},
           "tags": tags})
}

/// Five instances, a function, the repository and a task definition that runs its image.
fn items() -> Vec<Value> {
    vec![
        instance(
            "i-0scanned",
            "10.0.0.1",
            json!([{"key": "in-latest-scan", "value": "No"}]),
        ),
        instance("i-0inactive", "10.0.0.2", json!([])),
        instance(
            "i-0norecord",
            "10.0.0.3",
            json!([{"key": "in-latest-scan", "value": "yes"}]),
        ),
        instance("i-0agentless", "10.0.0.4", json!([])),
        instance("i-0stale", "10.0.0.5", json!([])),
        json!({"resourceType": "AWS::Lambda::Function", "resourceId": "api", "accountId": ACCOUNT,
               "awsRegion": REGION, "arn": FUNCTION_ARN,
               "configuration": {"functionArn": FUNCTION_ARN, "functionName": "api",
                                 "runtime": "python3.12", "memorySize": 128}}),
        json!({"resourceType": "AWS::ECR::Repository", "resourceId": "team/app", "accountId": ACCOUNT,
               "awsRegion": REGION, "arn": REPO_ARN,
               "configuration": {"Arn": REPO_ARN, "RepositoryName": "team/app",
                                 "RepositoryUri": format!("{REGISTRY}/team/app")},
               "tags": [{"key": "owner", "value": "app-team"}]}),
        json!({"resourceType": "AWS::ECS::TaskDefinition", "resourceId": "web:3", "accountId": ACCOUNT,
               "awsRegion": REGION,
               "arn": format!("arn:aws-us-gov:ecs:{REGION}:{ACCOUNT}:task-definition/web:3"),
               "configuration": {"Family": "web", "Revision": 3, "Status": "ACTIVE",
                   "ContainerDefinitions": [{"Name": "app", "Image": format!("{REGISTRY}/team/app:v2")}]}}),
    ]
}

fn record(kind: &str, id: &str, scan: (&str, &str), mode: Option<&str>, last: Value) -> Value {
    let mut r = json!({"accountId": ACCOUNT, "resourceType": kind, "resourceId": id,
                       "scanType": "PACKAGE",
                       "scanStatus": {"statusCode": scan.0, "reason": scan.1},
                       "lastScannedAt": last});
    if let Some(m) = mode {
        r["scanMode"] = json!(m);
    }
    r
}

const OK: (&str, &str) = ("ACTIVE", "SUCCESSFUL");
const EC2: &str = "AWS_EC2_INSTANCE";

/// Coverage as the CLI prints it (one page per file), timestamps in several forms.
fn coverage() -> (Value, Value) {
    let recent_epoch = (Utc::now() - Duration::days(2)).timestamp();
    let mut network = record(EC2, "i-0scanned", OK, None, json!(ago(1)));
    network["scanType"] = json!("NETWORK");
    let image = |digest: &str, tags: Value, in_use: i64, last_use: String| {
        let mut r = record(
            "AWS_ECR_CONTAINER_IMAGE",
            &format!("{REPO_ARN}/sha256:{digest}"),
            OK,
            None,
            json!(ago(1)),
        );
        r["resourceMetadata"] = json!({"ecrImage": {"tags": tags, "inUseCount": in_use,
                                                    "lastInUseAt": last_use}});
        r
    };
    let first = json!({"coveredResources": [
        record(EC2, "i-0scanned", OK, Some("EC2_SSM_AGENT_BASED"), json!(ago(1))),
        network,
        record(EC2, "i-0inactive", ("INACTIVE", "UNMANAGED_EC2_INSTANCE"), Some("EC2_SSM_AGENT_BASED"), Value::Null),
        record(EC2, "i-0agentless", OK, Some("EC2_AGENTLESS"),
               json!((Utc::now() - Duration::days(5)).format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string())),
        record(EC2, "i-0stale", OK, Some("EC2_SSM_AGENT_BASED"), json!(ago(45))),
        record(EC2, "i-0ghost", OK, Some("EC2_SSM_AGENT_BASED"), json!(recent_epoch)),
    ], "nextToken": "page-2"});
    let mut code = record("CODE_REPOSITORY", "repo-1", OK, None, json!(ago(1)));
    code["scanType"] = json!("CODE");
    let lambda = record(
        "AWS_LAMBDA_FUNCTION",
        &format!("{FUNCTION_ARN}:$LATEST"),
        OK,
        None,
        json!(recent_epoch),
    );
    let second = json!({"coveredResources": [
        lambda,
        image("aaa111", json!(["v2", "latest"]), 2, ago(0)),
        image("bbb222", json!(["old"]), 0, ago(90)),
        record("AWS_ECR_REPOSITORY", REPO_ARN, OK, None, json!(ago(1))),
        code,
    ]});
    (first, second)
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().expect("temporary folder");
        let items: Vec<String> = items().iter().map(Value::to_string).collect();
        std::fs::write(dir.path().join("items.jsonl"), items.join("\n")).unwrap();
        let (first, second) = coverage();
        std::fs::write(dir.path().join("coverage-1.json"), first.to_string()).unwrap();
        // The second page as JSON Lines of covered resources.
        let lines: Vec<String> = second["coveredResources"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::to_string)
            .collect();
        std::fs::write(dir.path().join("coverage-2.jsonl"), lines.join("\n")).unwrap();
        Case { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn report(&self, extra: &[&str]) -> (i32, String) {
        let out = Command::new(BIN)
            .arg("report")
            .arg("--input")
            .arg(self.path("items.jsonl"))
            .arg("--output")
            .arg(self.path("inventory.xlsx"))
            .args(extra)
            .output()
            .expect("binary runs");
        (
            out.status.code().expect("exit code"),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn with_coverage(&self, extra: &[&str]) -> (i32, String) {
        let first = self.path("coverage-1.json");
        let second = self.path("coverage-2.jsonl");
        let mut args = vec![
            "--scan-coverage",
            first.to_str().unwrap(),
            "--scan-coverage",
            second.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.report(&args)
    }
}

/// What a real client reads of an output (tests/harness/check_outputs.py).
fn check(what: &str, path: &Path) -> Value {
    let out = Command::new(common::python())
        .arg(common::repo("tests/harness/check_outputs.py"))
        .arg(what)
        .arg(path)
        .output()
        .expect("the checker runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// The snapshot's assets: identifier -> cells.
fn snapshot(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let file = std::fs::File::open(path).expect("snapshot written");
    let lines = BufReader::new(flate2::read::GzDecoder::new(file)).lines();
    lines
        .skip(1)
        .map(|l| {
            let v: Value = serde_json::from_str(&l.unwrap()).unwrap();
            let cells: BTreeMap<String, String> =
                serde_json::from_value(v["cells"].clone()).unwrap();
            (cells["asset-id"].clone(), cells)
        })
        .collect()
}

fn sheet_rows(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("workbook opens");
    let range = wb.worksheet_range(name).expect("sheet exists");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("not text: {other:?}"),
                })
                .collect()
        })
        .collect()
}

fn csv_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("CSV written");
    text.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn coverage_decides_the_scan_columns_lists_images_and_names_both_gaps() {
    let case = Case::new();
    let (code, out) = case.with_coverage(&["--format", "xlsx,csv,snapshot,oscal,scan-coverage"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("scan coverage: 4 of 7 scannable assets scanned in the 30 days since"),
        "{out}"
    );
    assert!(
        out.contains("coverage records of CODE_REPOSITORY, not an inventory type: 1"),
        "{out}"
    );
    let assets = snapshot(&case.path("inventory.snapshot.jsonl.gz"));
    let cell = |id: &str, key: &str| -> String {
        assets
            .get(id)
            .unwrap_or_else(|| panic!("{id} not listed: {:?}", assets.keys()))[key]
            .clone()
    };
    // A scanned instance: both columns Yes, from its SSM agent's package scan.
    assert_eq!(cell("i-0scanned", "in-latest-scan"), "Yes");
    assert_eq!(cell("i-0scanned", "authenticated-scan"), "Yes");
    assert!(
        cell("i-0scanned", "comments").ends_with("Inspector: package scan (EC2_SSM_AGENT_BASED)")
    );
    // Inactive, with Inspector's reason.
    assert_eq!(cell("i-0inactive", "in-latest-scan"), "No");
    assert_eq!(cell("i-0inactive", "authenticated-scan"), "No");
    assert!(cell("i-0inactive", "comments").ends_with("Inspector: INACTIVE UNMANAGED_EC2_INSTANCE"));
    // No record: No, though its tag said yes (the coverage wins).
    assert_eq!(cell("i-0norecord", "in-latest-scan"), "No");
    assert!(cell("i-0norecord", "comments").ends_with("Inspector: no coverage record"));
    // Agentless: scanned, not authenticated.
    assert_eq!(cell("i-0agentless", "in-latest-scan"), "Yes");
    assert_eq!(cell("i-0agentless", "authenticated-scan"), "No");
    // Scanned, but before the window.
    assert_eq!(cell("i-0stale", "in-latest-scan"), "No");
    assert!(cell("i-0stale", "comments").contains("Inspector: no scan since "));
    // The function's record carries its version; it is the same function.
    assert_eq!(cell(FUNCTION_ARN, "in-latest-scan"), "Yes");
    // The image in use: one asset for its two tags, its repository's owner, and the
    // container that runs it names it. The image no longer in use is not listed.
    let image = format!("{REGISTRY}/team/app@sha256:aaa111");
    assert_eq!(cell(&image, "asset-type"), "Container Image");
    assert_eq!(
        cell(&image, "software-name-version"),
        "team/app:v2, team/app:latest"
    );
    assert_eq!(cell(&image, "in-latest-scan"), "Yes");
    assert_eq!(cell(&image, "virtual"), "Yes");
    assert_eq!(cell(&image, "location"), REGION);
    assert_eq!(cell(&image, "system-owner"), "app-team");
    assert!(
        !assets.keys().any(|k| k.contains("bbb222")),
        "{:?}",
        assets.keys()
    );
    let container = format!("arn:aws-us-gov:ecs:{REGION}:{ACCOUNT}:task-definition/web:3/app");
    assert!(
        cell(&container, "comments").ends_with(&format!("runs image {image}")),
        "{}",
        cell(&container, "comments")
    );

    // Both gaps, in the workbook and in their own CSV.
    let sheet = sheet_rows(&case.path("inventory.xlsx"), "Scan Coverage");
    assert!(
        sheet[0][0].starts_with("4 of 7 scannable assets scanned"),
        "{:?}",
        sheet[0]
    );
    assert_eq!(sheet[2][..3], ["Gap", "Account", "Region"]);
    let gaps: Vec<(String, String, String)> = sheet[3..]
        .iter()
        .map(|r| (r[0].clone(), r[4].clone(), r[5].clone()))
        .collect();
    let not_scanned = "inventory asset not scanned";
    assert_eq!(
        gaps.iter()
            .filter(|g| g.0 == not_scanned)
            .map(|g| g.1.as_str())
            .collect::<Vec<_>>(),
        ["i-0inactive", "i-0norecord", "i-0stale"]
    );
    assert_eq!(
        gaps.iter()
            .filter(|g| g.0 != not_scanned)
            .map(|g| (g.0.as_str(), g.1.as_str()))
            .collect::<Vec<_>>(),
        [("scanned resource not in the inventory", "i-0ghost")]
    );
    let csv = csv_lines(&case.path("inventory.scan-coverage.csv"));
    assert_eq!(csv.len(), 1 + gaps.len(), "{csv:?}");
    assert!(
        csv[0].starts_with("Gap,Account,Region,Type,Identifier"),
        "{}",
        csv[0]
    );
    assert!(csv
        .iter()
        .any(|l| l.contains("i-0inactive") && l.contains("INACTIVE UNMANAGED_EC2_INSTANCE")));

    // The counts in the Run Summary.
    let summary = sheet_rows(&case.path("inventory.xlsx"), "Run Summary");
    let value = |label: &str| {
        summary
            .iter()
            .find(|r| r[0] == label)
            .unwrap_or_else(|| panic!("no {label}"))[1]
            .clone()
    };
    assert_eq!(value("Scanned inside the window"), "4");
    assert_eq!(value("Container images listed"), "1");
    assert_eq!(value("Container images not in use (not listed)"), "1");
    assert_eq!(value("in-latest-scan tag overruled by the coverage"), "2");
    assert_eq!(
        value("Records of a type the inventory does not list"),
        "CODE_REPOSITORY: 1"
    );

    // OSCAL carries the image as every asset without an address: an internal service
    // component, its digest in its asset-id.
    let oscal: Value =
        serde_json::from_str(&std::fs::read_to_string(case.path("inventory.oscal.json")).unwrap())
            .unwrap();
    let components = oscal["system-security-plan"]["system-implementation"]["components"]
        .as_array()
        .unwrap();
    let found = components.iter().find(|c| {
        c["props"].as_array().is_some_and(|p| {
            p.iter()
                .any(|p| p["name"] == "asset-id" && p["value"] == image.as_str())
        })
    });
    let found = found.expect("the image is a component");
    assert_eq!(found["type"], "service", "{found}");
    assert!(
        found["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "asset-type" && p["value"] == "container-image"),
        "{found}"
    );
    // NIST's schema and trestle's models accept the SSP with it.
    let judged = check("oscal", &case.path("inventory.oscal.json"));
    assert_eq!(judged["errors"], json!([]), "{judged:#}");

    // The inventory's CSV, as Python's csv module reads it, has the same scan columns.
    let csv: Vec<Vec<String>> =
        serde_json::from_value(check("csv", &case.path("inventory.csv"))).unwrap();
    let col = |name: &str| csv[0].iter().position(|h| h == name).unwrap();
    let (id, in_scan, auth) = (
        col("UNIQUE ASSET IDENTIFIER"),
        col("In Latest Scan"),
        col("Authenticated Scan"),
    );
    let of = |asset: &str| {
        csv.iter()
            .find(|r| r[id] == asset)
            .unwrap_or_else(|| panic!("{asset}: {csv:?}"))
    };
    assert_eq!(
        (
            of("i-0scanned")[in_scan].as_str(),
            of("i-0scanned")[auth].as_str()
        ),
        ("Yes", "Yes")
    );
    assert_eq!(
        (
            of("i-0agentless")[in_scan].as_str(),
            of("i-0agentless")[auth].as_str()
        ),
        ("Yes", "No")
    );
    assert_eq!(of("i-0stale")[in_scan], "No");
    assert_eq!(of(&image)[in_scan], "Yes");
}

#[test]
fn a_shorter_period_leaves_older_scans_out() {
    let case = Case::new();
    let (code, out) = case.with_coverage(&["--format", "snapshot", "--scan-period", "3"]);
    assert_eq!(code, 0, "{out}");
    let assets = snapshot(&case.path("inventory.snapshot.jsonl.gz"));
    // Scanned five days ago: inside 30 days, not inside 3.
    assert_eq!(assets["i-0agentless"]["in-latest-scan"], "No");
    assert!(assets["i-0agentless"]["comments"].contains("Inspector: no scan since"));
    assert_eq!(assets["i-0scanned"]["in-latest-scan"], "Yes");
}

/// With scan coverage read, the SDR states FedRAMP's vulnerability-detection cadence
/// rule (VDR-TFR-PDD) with the window and what the run found; FedRAMP's schema accepts
/// it. A 14-day window meets Class C's cadence; the default 30 days, Class B's.
#[test]
fn the_sdr_states_the_detection_cadence_the_window_meets() {
    let case = Case::new();
    for (days, class) in [
        ("14", "Class C (at least once every 14 days)"),
        ("30", "Class B (at least once every month)"),
    ] {
        let (code, out) = case.with_coverage(&[
            "--format",
            "sdr",
            "--sdr-overview-uri",
            "https://example.gov/cpo.json",
            "--scan-period",
            days,
        ]);
        assert_eq!(code, 0, "{out}");
        let path = case.path("inventory.sdr.json");
        let errors = common::network::sdr_errors(&path);
        assert!(errors.is_empty(), "{errors:#?}");
        let sdr: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let frr = &sdr["fedRampRequirements"];
        assert_eq!(frr.as_array().map(Vec::len), Some(1), "{sdr:#}");
        assert_eq!(frr[0]["frrID"], "VDR-TFR-PDD");
        assert!(frr[0].get("frrImplementationStatus").is_none());
        let said = frr[0]["frrValidation"][0].as_str().unwrap();
        assert!(
            said.contains(&format!(
                "scannable assets scanned in the {days} days since"
            )),
            "{said}"
        );
        assert!(said.contains(class), "{said}");
    }
}

#[test]
fn without_coverage_the_tag_still_decides() {
    let case = Case::new();
    let (code, out) = case.report(&["--format", "snapshot"]);
    assert_eq!(code, 0, "{out}");
    let assets = snapshot(&case.path("inventory.snapshot.jsonl.gz"));
    assert_eq!(assets["i-0norecord"]["in-latest-scan"], "Yes");
    assert_eq!(assets["i-0scanned"]["in-latest-scan"], "No");
    assert!(!assets.keys().any(|k| k.contains("sha256")));
    let (code, out) = case.report(&["--format", "scan-coverage"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("--scan-coverage"), "{out}");
    assert!(!case.path("inventory.scan-coverage.csv").exists());
}

#[test]
fn what_is_not_list_coverage_output_fails_before_anything_is_written() {
    let case = Case::new();
    let config = case.path("items.jsonl");
    let (code, out) = case.report(&["--scan-coverage", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("is not `aws inspector2 list-coverage` output"),
        "{out}"
    );
    assert!(!case.path("inventory.xlsx").exists());
    let missing = case.path("nowhere.json");
    let (code, out) = case.report(&["--scan-coverage", missing.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("cannot read scan coverage"), "{out}");
    // At once: a path that does not open is refused before any item is read.
    assert!(!out.contains("items read"), "{out}");
}

/// A record without an account is named in the problems (exit 2); the rest still count.
#[test]
fn an_odd_record_is_named_and_the_rest_still_count() {
    let case = Case::new();
    let odd = case.path("odd.jsonl");
    std::fs::write(
        &odd,
        format!(
            "{}\n{}\n",
            json!({"resourceId": "i-0scanned", "resourceType": EC2, "scanType": "PACKAGE"}),
            record(
                EC2,
                "i-0scanned",
                OK,
                Some("EC2_SSM_AGENT_BASED"),
                json!(ago(1))
            )
        ),
    )
    .unwrap();
    let (code, out) = case.report(&[
        "--scan-coverage",
        odd.to_str().unwrap(),
        "--format",
        "snapshot",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("odd.jsonl:1 coveredResources[0]: a covered resource has no accountId"),
        "{out}"
    );
    let assets = snapshot(&case.path("inventory.snapshot.jsonl.gz"));
    assert_eq!(assets["i-0scanned"]["in-latest-scan"], "Yes");
}

/// The snapshot keeps the scan columns: `diff` shows an asset that stopped being scanned.
#[test]
fn diff_shows_an_asset_that_stopped_being_scanned() {
    let case = Case::new();
    let (code, out) = case.with_coverage(&["--format", "snapshot"]);
    assert_eq!(code, 0, "{out}");
    std::fs::rename(
        case.path("inventory.snapshot.jsonl.gz"),
        case.path("before.snapshot.jsonl.gz"),
    )
    .unwrap();
    // A month later the instance's agent is gone.
    let later = json!({"coveredResources": [
        record(EC2, "i-0scanned", ("INACTIVE", "UNMANAGED_EC2_INSTANCE"), Some("EC2_SSM_AGENT_BASED"), json!(ago(40)))
    ]});
    std::fs::write(case.path("later.json"), later.to_string()).unwrap();
    let later_path = case.path("later.json");
    let before = case.path("before.snapshot.jsonl.gz");
    let (code, out) = case.report(&[
        "--scan-coverage",
        later_path.to_str().unwrap(),
        "--previous",
        before.to_str().unwrap(),
        "--format",
        "xlsx",
    ]);
    assert_eq!(code, 0, "{out}");
    let changes = sheet_rows(&case.path("inventory.xlsx"), "Changes");
    assert!(
        changes.iter().any(|r| r[4] == "i-0scanned"
            && r[5] == "In Latest Scan"
            && r[6] == "Yes"
            && r[7] == "No"),
        "{changes:?}"
    );
}
