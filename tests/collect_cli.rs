//! End-to-end tests of `fedramp-inventory collect` against a local AWS (moto, with
//! seeded AWS Config): several accounts and regions, a failing account, Organizations
//! and aggregator modes, pagination, S3 delivery and SNS notification.

#[path = "collect_common.rs"]
mod collect_common;
mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};
use collect_common::{collect, collect_into, collect_with, rows, seed, summary_text, BIN, REGIONS};
use common::{args, items, LocalAws};
use serde_json::{json, Value};

#[test]
fn a_denying_account_makes_a_partial_run_that_still_delivers() {
    let mut s = seed(&["111111111111", "222222222222", "333333333333"], 3);
    s["deny"] = json!(["222222222222"]);
    let mut aws = LocalAws::start(&s);
    let topic = "arn:aws:sns:us-east-1:123456789012:alerts";
    let (code, result) = collect(
        &aws,
        &args(&format!(
            "--accounts 111111111111,222222222222,333333333333 --regions us-east-1,us-west-2 \
             --bucket reports --prefix monthly --topic-arn {topic}"
        )),
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
    assert_eq!(
        run(
            &["--aggregator", "org-aggregator", "--unsharded"],
            "whole.xlsx"
        ),
        listed
    );
}

#[test]
fn an_aggregator_is_read_in_shards_that_give_the_unsharded_rows() {
    // 251 and 252 items in each of 3 accounts x 2 regions: 3 pages per shard.
    let accounts = ["111111111111", "222222222222", "333333333333"];
    let aws = LocalAws::start(&seed(&accounts, 250));
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut args = vec!["--aggregator", "org-aggregator", "--concurrency", "4"];
        args.extend(extra);
        args.extend(["--output", out.to_str().unwrap()]);
        let (code, result) = collect(&aws, &args);
        assert_eq!(code, 0, "{result:#}");
        (result, rows(&out, true))
    };
    let (whole, unsharded) = run(&["--unsharded"], "whole.xlsx");
    let (sharded, rows_sharded) = run(&[], "shards.xlsx");
    assert_eq!(rows_sharded, unsharded);
    // Per account: 250 + 251 tables, and one instance with two addresses per region.
    assert_eq!(unsharded.len(), 3 * (250 + 251 + 2 * 2));
    assert_eq!(sharded["rows"], whole["rows"]);
    // One result per account and region, with its own count, then the batch-get types.
    let per: Vec<(String, String, u64)> = sharded["per_account"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["account"].as_str().unwrap().to_string(),
                t["region"].as_str().unwrap().to_string(),
                t["items"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String, u64)> = accounts
        .iter()
        .flat_map(|a| {
            [("us-east-1", 251), ("us-west-2", 252)].map(|(r, n)| (a.to_string(), r.to_string(), n))
        })
        .collect();
    expected.push(("aggregator org-aggregator".into(), String::new(), 0));
    assert_eq!(per, expected);
    assert_eq!(whole["per_account"][0]["items"], 3 * (251 + 252));
}

#[test]
fn every_page_is_read() {
    let aws_seed = seed(&["111111111111"], 250);
    let mut aws = LocalAws::start(&aws_seed);
    let (code, result, out) = collect_into(
        &aws,
        "pages.xlsx",
        &["--accounts", "111111111111", "--regions", "us-east-1"],
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
    let (code, result, out) = collect_into(&aws, "none.xlsx", &["--accounts", "111111111111"]);
    assert_eq!(code, 1, "{result:#}");
    assert_eq!(result["status"], "failed");
    assert!(!out.exists());
}

/// The Changes sheet's lines, sorted, from a workbook in the bucket.
fn changes_in(aws: &mut LocalAws, key: &str, dir: &Path) -> (String, Vec<Vec<String>>) {
    let local = dir.join("changes.xlsx");
    aws.ask(&format!("s3-get reports {key} {}", local.display()));
    let mut wb: Xlsx<_> = open_workbook(&local).unwrap();
    let range = wb.worksheet_range("Changes").unwrap();
    let text = |r: u32, c: u32| match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    let end = range.end().map_or(0, |(r, _)| r + 1);
    let mut lines: Vec<Vec<String>> = (3..end)
        .map(|r| (0..8).map(|c| text(r, c)).collect())
        .collect();
    lines.sort();
    (text(0, 0), lines)
}

#[test]
fn changes_since_the_last_run_come_from_the_bucket_and_are_told() {
    let accounts = ["111111111111", "333333333333"];
    let regions = ["us-east-1"];
    let month = |changed: bool| -> Value {
        let mut all = serde_json::Map::new();
        for a in accounts {
            let mut list = items(a, regions[0], 2);
            if changed && a == "111111111111" {
                // One instance more, one with another address, one table with another owner.
                list.push(
                    json!({"resourceType": "AWS::EC2::Instance", "resourceId": "i-new",
                    "accountId": a, "awsRegion": "us-east-1",
                    "configuration": {"instanceId": "i-new", "instanceType": "m5.large"}}),
                );
                let text = serde_json::to_string(&list)
                    .unwrap()
                    .replace("10.0.0.2", "10.0.0.3");
                list = serde_json::from_str(&text).unwrap();
                let t1 = list.iter_mut().find(|i| i["resourceId"] == "t1").unwrap();
                t1["tags"] = json!([{"key": "owner", "value": "analytics"}]);
            }
            if changed && a == "333333333333" {
                list.remove(0); // one table fewer
            }
            all.insert(a.to_string(), json!({ regions[0]: list }));
        }
        Value::Object(all)
    };
    let mut s = json!({"buckets": ["reports"], "topics": ["alerts"]});
    s["items"] = month(false);
    let mut aws = LocalAws::start(&s);
    let dir = tempfile::tempdir().unwrap();
    let topic = "arn:aws:sns:us-east-1:123456789012:alerts";
    let line = format!(
        "--accounts 111111111111,333333333333 --regions us-east-1 --bucket reports \
         --prefix monthly --topic-arn {topic} --format xlsx,csv,oscal"
    );
    let args = args(&line);

    // First run: every format delivered with its content type, nothing to compare with.
    let (code, first) = collect(&aws, &args);
    assert_eq!(code, 0, "{first:#}");
    assert_eq!(first["changes"]["status"], "first-run", "{first:#}");
    let artifacts = first["artifacts"].as_array().unwrap();
    let types: BTreeMap<&str, &str> = artifacts
        .iter()
        .map(|a| {
            (
                a["format"].as_str().unwrap(),
                a["content_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        types,
        BTreeMap::from([
            ("csv", "text/csv; charset=utf-8"),
            ("oscal", "application/json"),
            ("snapshot", "application/gzip"),
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        ])
    );
    let keys = aws.ask("s3-keys reports");
    assert_eq!(
        keys.as_array().unwrap().len(),
        5,
        "4 files and the run result: {keys}"
    );
    for a in artifacts {
        let uri = a["s3_uri"].as_str().unwrap();
        let key = uri.strip_prefix("s3://reports/").unwrap();
        let meta = aws.ask(&format!(
            "s3-get reports {key} {}",
            dir.path().join("x").display()
        ));
        assert_eq!(meta["ContentType"], a["content_type"], "{key}");
    }
    assert_eq!(
        aws.ask(&format!("sns {topic}")),
        json!([]),
        "an ok run with no changes tells no one"
    );

    // A month later (keys carry the second): what changed is found and told.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let next = dir.path().join("next.json");
    std::fs::write(&next, month(true).to_string()).unwrap();
    aws.ask(&format!("items {}", next.display()));
    let (code, second) = collect(&aws, &args);
    assert_eq!(code, 0, "{second:#}");
    let counts = &second["changes"];
    assert_eq!(
        (
            counts["status"].as_str(),
            counts["added"].as_u64(),
            counts["removed"].as_u64(),
            counts["changed"].as_u64()
        ),
        (Some("compared"), Some(1), Some(1), Some(2)),
        "{second:#}"
    );
    let previous_snapshot = first["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["format"] == "snapshot")
        .unwrap()["s3_uri"]
        .clone();
    assert_eq!(counts["previous"], previous_snapshot);
    let xlsx = second["report"]["s3_uri"]
        .as_str()
        .unwrap()
        .strip_prefix("s3://reports/")
        .unwrap()
        .to_string();
    let (headline, lines) = changes_in(&mut aws, &xlsx, dir.path());
    assert!(
        headline.starts_with("1 added, 1 removed, 2 changed since "),
        "{headline}"
    );
    let line = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let table = |a: &str, n: u32| format!("arn:aws:dynamodb:us-east-1:{a}:table/t{n:04}");
    let mut expected = vec![
        line(&[
            "added",
            "111111111111",
            "us-east-1",
            "EC2",
            "i-new",
            "",
            "",
            "",
        ]),
        line(&[
            "changed",
            "111111111111",
            "us-east-1",
            "EC2",
            "i-111111111111-us-east-1",
            "IP Address",
            "10.0.0.1, 10.0.0.2",
            "10.0.0.1, 10.0.0.3",
        ]),
        line(&[
            "changed",
            "111111111111",
            "us-east-1",
            "DynamoDB",
            &table("111111111111", 1),
            "System Administrator/Owner",
            "data",
            "analytics",
        ]),
        line(&[
            "changed",
            "111111111111",
            "us-east-1",
            "DynamoDB",
            &table("111111111111", 1),
            "Application Administrator/Owner",
            "data",
            "analytics",
        ]),
        line(&[
            "removed",
            "333333333333",
            "us-east-1",
            "DynamoDB",
            &table("333333333333", 0),
            "",
            "",
            "",
        ]),
    ];
    expected.sort();
    assert_eq!(lines, expected);
    let messages = aws.ask(&format!("sns {topic}"));
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let text = messages[0].as_str().unwrap();
    assert!(
        text.contains("Changes: 1 added, 1 removed, 2 changed"),
        "{text}"
    );
    for expected in [
        "added EC2 i-new (account 111111111111, us-east-1)",
        "removed DynamoDB arn:aws:dynamodb:us-east-1:333333333333:table/t0000",
        "IP Address: \"10.0.0.1, 10.0.0.2\" -> \"10.0.0.1, 10.0.0.3\"",
        "System Administrator/Owner: \"data\" -> \"analytics\"",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }

    // Nothing changed since: the run says so, and tells no one.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, third) = collect(&aws, &args);
    assert_eq!(code, 0, "{third:#}");
    assert_eq!(third["changes"]["status"], "compared");
    assert_eq!(
        (
            third["changes"]["added"].as_u64(),
            third["changes"]["removed"].as_u64(),
            third["changes"]["changed"].as_u64()
        ),
        (Some(0), Some(0), Some(0))
    );
    let xlsx = third["report"]["s3_uri"]
        .as_str()
        .unwrap()
        .strip_prefix("s3://reports/")
        .unwrap()
        .to_string();
    let (headline, lines) = changes_in(&mut aws, &xlsx, dir.path());
    assert!(headline.starts_with("no changes since "), "{headline}");
    assert!(lines.is_empty());
    assert_eq!(
        aws.ask(&format!("sns {topic}")).as_array().unwrap().len(),
        1
    );
}

#[test]
fn an_unreadable_last_snapshot_still_delivers_and_is_partial() {
    let s = seed(&["111111111111"], 1);
    let mut aws = LocalAws::start(&s);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.gz");
    std::fs::write(&bad, "not gzip").unwrap();
    aws.ask(&format!(
        "s3-put reports monthly/FedRAMP-Integrated-Inventory-2000-01-01-00-00-00.snapshot.jsonl.gz {}",
        bad.display()
    ));
    let (code, result) = collect(
        &aws,
        &args("--accounts 111111111111 --regions us-east-1 --bucket reports --prefix monthly"),
    );
    assert_eq!(code, 2, "{result:#}");
    assert_eq!(result["status"], "partial");
    assert_eq!(result["changes"]["status"], "not-compared");
    assert!(
        result["report"]["s3_uri"].as_str().is_some(),
        "today's workbook is delivered"
    );
    let error = &result["errors"][0];
    assert_eq!(error["stage"], "compare");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("not a gzip'd snapshot"),
        "{result:#}"
    );
}

#[test]
fn the_deadline_stops_reading_and_what_was_read_is_delivered() {
    let mut s = seed(&["111111111111", "222222222222"], 1000);
    // Ten pages of 0.7 s each per account: the 3 s deadline stops the account being read
    // part-way, and a loaded machine (slow to start) still reads at least one page.
    // What shows that reading stopped is the result (both accounts `timeout`, part of
    // the first read), not a stopwatch.
    s["delay_ms"] = json!(700);
    let aws = LocalAws::start(&s);
    let (code, result, out) = collect_into(
        &aws,
        "deadline.xlsx",
        &args(
            "--accounts 111111111111,222222222222 --regions us-east-1 --concurrency 1 --deadline 3",
        ),
    );
    assert_eq!(code, 2, "{result:#}");
    assert_eq!(result["status"], "partial");
    let errors = result["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{result:#}");
    assert!(errors.iter().all(|e| e["stage"] == "timeout"), "{result:#}");
    // One account at a time, in whichever order the runtime starts them: together they
    // read some whole pages, never all.
    let accounts = result["per_account"].as_array().unwrap();
    assert!(
        accounts.iter().all(|a| a["status"] == "timeout"),
        "{result:#}"
    );
    let read: u64 = accounts.iter().map(|a| a["items"].as_u64().unwrap()).sum();
    assert!(
        (100..2000).contains(&read) && read % 100 == 0,
        "some whole pages were read: {read}"
    );
    assert_eq!(
        result["rows"].as_u64(),
        Some(read),
        "and they are in the workbook"
    );
    assert_eq!(rows(&out, false).len() as u64, read);
}

/// Config throttles: an account throttled for a while still gives every row (the SDK's
/// adaptive retries); one throttled past every retry is reported, and the others are
/// delivered all the same. AWS_MAX_ATTEMPTS (the SDK's own setting) keeps it short.
#[test]
fn throttling_is_retried_and_past_every_retry_reported() {
    let mut s = seed(&["111111111111", "222222222222"], 1);
    s["throttle"] = json!({"111111111111": 2, "222222222222": 1000});
    let aws = LocalAws::start(&s);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("throttled.xlsx");
    let (code, result) = collect_with(
        &aws,
        &[
            "--accounts",
            "111111111111,222222222222",
            "--regions",
            "us-east-1",
            "--output",
            out.to_str().unwrap(),
        ],
        &[("AWS_MAX_ATTEMPTS", "3")],
    );
    assert_eq!(code, 2, "{result:#}");
    let errors = result["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{result:#}");
    assert_eq!(errors[0]["account"], "222222222222");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("ThrottlingException"),
        "{result:#}"
    );
    assert_eq!(result["per_account"][0]["status"], "ok");
    // 1 table and an instance with two addresses.
    assert_eq!(result["rows"], 3, "{result:#}");
    assert_eq!(rows(&out, false).len(), 3);
}

/// Progress in a log (stderr is not a terminal here): a plain line at the end, with
/// the targets done of all, items, rows and failures.
#[test]
fn progress_is_a_plain_line_when_stderr_is_a_log() {
    let mut s = seed(&["111111111111", "222222222222"], 3);
    s["deny"] = json!(["222222222222"]);
    let aws = LocalAws::start(&s);
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args([
            "collect",
            "--accounts",
            "111111111111,222222222222",
            "--regions",
        ])
        .args(["us-east-1,us-west-2", "--output"])
        .arg(dir.path().join("p.xlsx"))
        .env_remove("AWS_PROFILE")
        .envs(aws.env())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr
        .lines()
        .rfind(|l| l.starts_with("progress: "))
        .unwrap_or_else(|| panic!("no progress line: {stderr}"));
    // Account 1: 3 + 4 tables and an instance per region (two addresses each).
    assert!(
        last.starts_with(
            "progress: 4/4 accounts and regions, 9 items, 11 rows, 2 failed; writing the outputs ("
        ),
        "{last}"
    );
}

/// `collect` with no credentials or refused ones: its JSON result on stdout (stage
/// `identity`), the same cause in one line on stderr, exit 1.
#[test]
fn collect_without_credentials_says_so_in_one_line_and_in_its_result() {
    let aws = LocalAws::start(&json!({"items": {}, "refused_keys": ["AKIDREFUSED"]}));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.xlsx");
    let args = [
        "collect",
        "--accounts",
        "111111111111",
        "--output",
        out.to_str().unwrap(),
    ];
    let region = ("AWS_REGION", "us-east-1".to_string());
    let check = |r: common::Refusal, expected: &str| {
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        let result: Value =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
        assert_eq!(result["status"], "failed");
        assert_eq!(result["errors"][0]["stage"], "identity", "{result:#}");
        let message = result["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{result:#}");
        let lines: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| !l.starts_with("progress:"))
            .collect();
        assert_eq!(lines, [format!("error: {message}")], "{}", r.stderr);
        assert!(!out.exists(), "nothing written");
    };
    let run = |extra: &[&str], files: &[(&str, &str)], env: &[(&str, String)]| {
        common::run_bare(Command::new(BIN).args(args).args(extra), files, env)
    };
    let bare = std::slice::from_ref(&region);
    check(
        run(&[], &[], bare),
        "no AWS credentials found: set AWS_PROFILE",
    );
    check(
        run(&["--profile", "nope"], &[], bare),
        "no AWS credentials for profile \"nope\"",
    );
    check(
        run(
            &["--profile", "stale"],
            &[(
                "credentials",
                "[stale]\naws_access_key_id = AKIDREFUSED\naws_secret_access_key = x\n",
            )],
            &[region.clone(), ("AWS_ENDPOINT_URL", aws.url.clone())],
        ),
        "AWS refused the credentials of profile \"stale\" (InvalidClientTokenId",
    );
}
