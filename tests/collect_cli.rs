//! End-to-end tests of `fedramp-inventory collect` against a local AWS (moto, with
//! seeded AWS Config): several accounts and regions, a failing account, Organizations
//! and aggregator modes, pagination, S3 delivery and SNS notification.

mod common;

use std::path::Path;
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::{items, LocalAws};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");
const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

fn seed(accounts: &[&str], per_region: usize) -> Value {
    let mut all = serde_json::Map::new();
    for a in accounts {
        let mut regions = serde_json::Map::new();
        for (i, r) in REGIONS.iter().enumerate() {
            // Different items per account and region: counts differ too.
            regions.insert(r.to_string(), Value::from(items(a, r, per_region + i)));
        }
        all.insert(a.to_string(), Value::Object(regions));
    }
    json!({"items": all, "buckets": ["reports"], "topics": ["alerts"]})
}

fn collect(aws: &LocalAws, args: &[&str]) -> (i32, Value) {
    let out = Command::new(BIN)
        .arg("collect")
        .args(args)
        .env_remove("AWS_PROFILE")
        .envs(aws.env())
        .output()
        .expect("collect runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {stdout} stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), result)
}

/// Inventory rows as text, without the Comments column (which names accounts when
/// their names are known) when `drop_comments`.
fn rows(path: &Path, drop_comments: bool) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range("Inventory").unwrap();
    let end = range.end().map_or(0, |(r, _)| r + 1);
    (2..end)
        .map(|r| {
            (0..25u32)
                .filter(|c| !(drop_comments && *c == 18))
                .map(|c| match range.get_value((r, c)) {
                    Some(Data::String(s)) => s.clone(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect()
}

fn summary_text(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range("Run Summary").unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_denying_account_makes_a_partial_run_that_still_delivers() {
    let mut s = seed(&["111111111111", "222222222222", "333333333333"], 3);
    s["deny"] = json!(["222222222222"]);
    let mut aws = LocalAws::start(&s);
    let topic = "arn:aws:sns:us-east-1:123456789012:alerts";
    let (code, result) = collect(
        &aws,
        &[
            "--accounts",
            "111111111111,222222222222,333333333333",
            "--regions",
            "us-east-1,us-west-2",
            "--bucket",
            "reports",
            "--prefix",
            "monthly",
            "--topic-arn",
            topic,
        ],
    );
    assert_eq!(code, 2, "{result:#}");
    assert_eq!(result["status"], "partial");
    let errors = result["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{result:#}");
    assert!(
        errors
            .iter()
            .all(|e| e["account"] == "222222222222" && e["stage"] == "select"),
        "{result:#}"
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("AccessDenied"),
        "{result:#}"
    );
    // Healthy targets: 2 accounts x (3 + 4 tables + 2 rows of EC2 per region) = 2 x 11.
    assert_eq!(result["rows"], 22);

    let keys = aws.ask("s3-keys reports");
    let keys: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 3, "workbook, snapshot, run result: {keys:?}");
    let xlsx = keys.iter().find(|k| k.ends_with(".xlsx")).unwrap();
    assert!(
        keys.contains(&xlsx.replace(".xlsx", ".snapshot.jsonl.gz").as_str()),
        "the snapshot is always kept: {keys:?}"
    );
    assert!(
        xlsx.starts_with("monthly/FedRAMP-Integrated-Inventory-"),
        "{xlsx}"
    );
    assert!(
        keys.contains(&xlsx.replace(".xlsx", ".json").as_str()),
        "{keys:?}"
    );
    assert_eq!(result["report"]["s3_uri"], format!("s3://reports/{xlsx}"));
    assert_eq!(
        result["report"]["url"],
        format!("https://reports.s3.us-east-1.amazonaws.com/{xlsx}")
    );

    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("got.xlsx");
    let meta = aws.ask(&format!("s3-get reports {xlsx} {}", local.display()));
    assert_eq!(meta["ServerSideEncryption"], "AES256");
    let json_local = dir.path().join("got.json");
    aws.ask(&format!(
        "s3-get reports {} {}",
        xlsx.replace(".xlsx", ".json"),
        json_local.display()
    ));
    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_local).unwrap()).unwrap();
    assert_eq!(
        stored["report"], result["report"],
        "the stored summary says where its workbook is"
    );
    assert_eq!(stored["errors"], result["errors"]);
    assert_eq!(
        meta["ContentType"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let got = rows(&local, false);
    assert_eq!(got.len(), 22);
    assert!(
        got.iter().all(|r| !r[18].contains("222222222222")),
        "no rows of the failed account"
    );
    for account in ["111111111111", "333333333333"] {
        for region in REGIONS {
            assert!(
                got.iter()
                    .any(|r| r[18] == format!("Account {account}, Region {region}")),
                "{account} {region}"
            );
        }
    }
    let summary = summary_text(&local);
    assert!(
        summary.contains("account 222222222222 / us-east-1 | 0 | failed at select"),
        "{summary}"
    );

    let messages = aws.ask(&format!("sns {topic}"));
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let text = messages[0].as_str().unwrap();
    assert!(
        text.contains("222222222222") && text.contains("us-west-2"),
        "{text}"
    );
}

#[test]
fn organization_and_aggregator_modes_give_the_same_rows_as_a_list() {
    let mut s = seed(&["111111111111", "333333333333"], 2);
    s["organization"] = json!(["111111111111", "333333333333"]);
    let aws = LocalAws::start(&s);
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut all = args.to_vec();
        all.extend([
            "--regions",
            "us-east-1,us-west-2",
            "--output",
            out.to_str().unwrap(),
        ]);
        let (code, result) = collect(&aws, &all);
        assert_eq!(code, 0, "{result:#}");
        rows(&out, true)
    };
    let listed = run(&["--accounts", "111111111111,333333333333"], "list.xlsx");
    assert_eq!(listed.len(), 2 * (2 + 3 + 2 * 2));
    // The organization also lists its management account (no items here): read, empty.
    assert_eq!(run(&["--organization"], "org.xlsx"), listed);
    assert_eq!(run(&["--aggregator", "org-aggregator"], "agg.xlsx"), listed);
}

#[test]
fn every_page_is_read() {
    let aws_seed = seed(&["111111111111"], 250);
    let mut aws = LocalAws::start(&aws_seed);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pages.xlsx");
    let (code, result) = collect(
        &aws,
        &[
            "--accounts",
            "111111111111",
            "--regions",
            "us-east-1",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{result:#}");
    let got = rows(&out, false);
    assert_eq!(got.len(), 252, "250 tables and 2 EC2 rows");
    let tables: std::collections::BTreeSet<_> = got
        .iter()
        .filter(|r| r[11] == "DynamoDB")
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        tables.len(),
        250,
        "no item lost or doubled at page boundaries"
    );
    assert_eq!(aws.ask("config-calls"), 3, "251 items in pages of 100");
    assert_eq!(result["per_account"][0]["items"], 251);
}

#[test]
fn nothing_readable_fails_without_a_workbook() {
    let mut s = seed(&["111111111111"], 1);
    s["deny"] = json!(["111111111111"]);
    let aws = LocalAws::start(&s);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("none.xlsx");
    let (code, result) = collect(
        &aws,
        &[
            "--accounts",
            "111111111111",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{result:#}");
    assert_eq!(result["status"], "failed");
    assert!(!out.exists());
}
