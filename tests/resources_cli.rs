//! `scope: all` from files, end to end: every resource Config records outside the
//! mapped types is listed (the bundled sample's IAM role, KMS key, CloudTrail trail and
//! backup plan, and the network types, which give no row), a deleted one is left out,
//! and every output of one run says the same: the Information Resources sheet (read
//! back with calamine), `resources.csv`, the snapshot, the derivation document and the
//! SDR's evidence (valid against FedRAMP's schema), with each recorded hash matching
//! its file (CDS-CSO-CBF). `diff` names a resource added and removed.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::network::sdr_errors;
use common::{csv_rows, repo};
use fedramp_inventory::snapshot::SnapshotReader;

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");

/// The sample's resources outside the registry and the network types, as the CSV's
/// (account, region, type, id) identify them; its deleted KMS key is not among them.
const OUTSIDE: [(&str, &str, &str); 4] = [
    ("global", "AWS::IAM::Role", "AROAEXAMPLEINVREADER1"),
    (
        "us-east-2",
        "AWS::Backup::BackupPlan",
        "6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2190",
    ),
    ("us-east-2", "AWS::CloudTrail::Trail", "organization-trail"),
    (
        "us-east-2",
        "AWS::KMS::Key",
        "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
    ),
];
const DELETED_KEY: &str = "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f";

fn report(input: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let run = Command::new(BIN)
        .args(["report", "--input"])
        .arg(input)
        .arg("--output")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    (run.status.code().unwrap(), text)
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn scope_all_lists_every_other_resource_and_every_output_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo("sample-data/config-items.jsonl");
    let out = dir.path().join("inv.xlsx");
    let formats = "xlsx,resources,snapshot,derivation,sdr";
    let uri = "https://example.com/package/overview";
    let (code, text) = report(
        &sample,
        &out,
        &[
            "--scope",
            "all",
            "--format",
            formats,
            "--sdr-overview-uri",
            uri,
        ],
    );
    assert_eq!(code, 0, "{text}");

    // resources.csv: the four outside types and the seven network types, once each,
    // in (account, region, type, id) order; the deleted key left out and counted.
    let csv_path = dir.path().join("inv.resources.csv");
    let csv = csv_rows(&csv_path);
    let first = std::fs::read_to_string(&csv_path).unwrap();
    let header: Vec<String> = first
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    assert_eq!(header, fedramp_inventory::inventory::resources::COLUMNS);
    let rows: Vec<&Vec<String>> = csv.iter().collect();
    for (region, kind, id) in OUTSIDE {
        let found: Vec<_> = rows.iter().filter(|r| r[3] == id).collect();
        assert_eq!(found.len(), 1, "{id}: {rows:?}");
        assert_eq!((found[0][1].as_str(), found[0][2].as_str()), (region, kind));
    }
    let network = fedramp_inventory::network::NETWORK_TYPES;
    for kind in network {
        assert_eq!(rows.iter().filter(|r| r[2] == kind).count(), 1, "{kind}");
    }
    assert_eq!(rows.len(), OUTSIDE.len() + network.len());
    assert!(!rows.iter().any(|r| r[3] == DELETED_KEY));
    let keys: Vec<[&str; 4]> = rows
        .iter()
        .map(|r| [&r[0], &r[1], &r[2], &r[3]].map(String::as_str))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "in order, once each");
    let key = rows.iter().find(|r| r[2] == "AWS::KMS::Key").unwrap();
    assert_eq!(
        (key[6].as_str(), key[7].as_str(), key[8].as_str()),
        ("platform-team", "reports-app", "2023-07-21T17:11:40.501Z"),
        "the owner tags and the capture time"
    );
    assert!(
        text.contains(&format!(
            "information resources (scope: all): {}",
            rows.len()
        )),
        "{text}"
    );
    assert!(text.contains("left out, configurationItemStatus ResourceDeleted: 1"));
    assert!(!text.contains("unsupported"), "{text}");

    // The workbook's sheet: its headline's count, the CSV's header and lines.
    let listed = sheet(&out, "Information Resources");
    assert!(
        listed[0][0].starts_with(&format!("{} information resources of", rows.len())),
        "{:?}",
        listed[0]
    );
    let cells: Vec<Vec<String>> = listed[2..].to_vec();
    let expected: Vec<Vec<String>> = std::iter::once(header.clone())
        .chain(rows.iter().map(|r| (*r).clone()))
        .collect();
    assert_eq!(cells, expected);
    let summary: Vec<String> = sheet(&out, "Run Summary")
        .into_iter()
        .map(|r| r.join(" | "))
        .collect();
    assert!(
        summary.iter().any(|l| l.starts_with("AWS::KMS::Key | 1 |")),
        "{summary:?}"
    );
    assert!(
        summary.iter().any(|l| l.starts_with("Scope | all")),
        "{summary:?}"
    );

    // The snapshot keeps them; the derivation document counts them and hashes the
    // CSV; the SDR's inventory evidence counts them and cites the CSV, with its hash.
    let mut snap = SnapshotReader::open(&dir.path().join("inv.snapshot.jsonl.gz")).unwrap();
    assert_eq!(snap.header.resources, Some(rows.len() as u64));
    while snap.next_asset().unwrap().is_some() {}
    let mut kept = Vec::new();
    while let Some(r) = snap.next_resource().unwrap() {
        kept.push(r.resource_id);
    }
    let ids: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(kept, ids);
    let derivation = std::fs::read_to_string(dir.path().join("inv.derivation.md")).unwrap();
    assert!(
        derivation.contains("scope: all.")
            && derivation.contains(&format!("{} resources.", rows.len())),
        "{derivation}"
    );
    assert!(derivation.contains("| `AWS::CloudTrail::Trail` | 1 |"));
    let hashes = hashes_listed(&derivation);
    assert!(hashes.contains_key("inv.resources.csv"), "{hashes:?}");
    for (name, hash) in &hashes {
        assert_eq!(&sha256(&dir.path().join(name)), hash, "{name}");
    }
    let sdr_path = dir.path().join("inv.sdr.json");
    assert_eq!(sdr_errors(&sdr_path), Vec::<String>::new());
    let sdr: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sdr_path).unwrap()).unwrap();
    let giv = find_ksi(&sdr, "KSI-PIY-GIV").expect("KSI-PIY-GIV");
    let validation = giv["ksiValidation"].to_string();
    let counted = format!(
        "{} other information resources of {} Config types listed (scope: all)",
        rows.len(),
        OUTSIDE.len() + network.len()
    );
    assert!(validation.contains(&counted), "{validation}");
    // The same asset and row counts in the result, the derivation and the SDR.
    let counts = printed_counts(&text);
    assert!(
        derivation.contains(&format!("{} assets listed in {} rows.", counts.0, counts.1)),
        "{counts:?}"
    );
    assert!(
        validation.contains(&format!("{} assets in {} rows", counts.0, counts.1)),
        "{counts:?}: {validation}"
    );
    // Every hash the SDR records for another file is that file's.
    let mut checked = Vec::new();
    for evidence in all_evidence(&sdr) {
        let Some(hash) = evidence["evidenceText"]
            .as_str()
            .and_then(|t| t.strip_prefix("SHA-256 "))
            .and_then(|t| t.split(',').next())
        else {
            continue;
        };
        let location = evidence["evidenceLocation"].as_str().unwrap();
        let path = location.strip_prefix("file://").expect("a file URI");
        assert_eq!(sha256(Path::new(path)), hash, "{location}");
        checked.push(path.rsplit('/').next().unwrap().to_string());
    }
    checked.sort();
    checked.dedup();
    assert_eq!(
        checked,
        [
            "inv.derivation.md",
            "inv.resources.csv",
            "inv.snapshot.jsonl.gz",
            "inv.xlsx"
        ]
    );
    let cited: Vec<&serde_json::Value> = giv["ksiEvidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["evidenceLocation"]
                .as_str()
                .unwrap()
                .ends_with("inv.resources.csv")
        })
        .collect();
    assert_eq!(cited.len(), 1, "{giv:#}");
    let text = cited[0]["evidenceText"].as_str().unwrap();
    assert!(text.contains(&hashes["inv.resources.csv"]), "{text}");

    // Boundary scope: the same types are counted as unsupported (every item of them,
    // the deleted key too), not listed.
    let boundary = dir.path().join("boundary.xlsx");
    let (code, text) = report(&sample, &boundary, &["--format", "xlsx,snapshot"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("unsupported AWS::KMS::Key: 2 items"),
        "{text}"
    );
    assert!(!text.contains("information resources"), "{text}");
    assert!(!sheet_names(&boundary).contains(&"Information Resources".to_string()));
}

#[test]
fn diff_names_resources_added_and_removed_and_says_when_one_side_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(repo("sample-data/config-items.jsonl")).unwrap();
    let before = dir.path().join("before.jsonl");
    // Last month: no trail yet, and a secret since deleted.
    let lines: Vec<&str> = sample
        .lines()
        .filter(|l| !l.contains("\"AWS::CloudTrail::Trail\""))
        .collect();
    let secret = r#"{"accountId":"111111111111","awsRegion":"us-east-2","resourceType":"AWS::SecretsManager::Secret","resourceId":"arn:aws:secretsmanager:us-east-2:111111111111:secret:db-AbCdEf","arn":"arn:aws:secretsmanager:us-east-2:111111111111:secret:db-AbCdEf","resourceName":"db","configurationItemStatus":"OK","configuration":{}}"#;
    std::fs::write(&before, lines.join("\n") + "\n" + secret + "\n").unwrap();
    let snap = |input: &Path, name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec!["--format", "snapshot"];
        args.extend_from_slice(extra);
        let (code, text) = report(input, &out, &args);
        assert_eq!(code, 0, "{text}");
        dir.path().join(format!("{name}.snapshot.jsonl.gz"))
    };
    let old = snap(&before, "old", &["--scope", "all"]);
    let new = snap(
        &repo("sample-data/config-items.jsonl"),
        "new",
        &["--scope", "all"],
    );
    let diff = |a: &Path, b: &Path| {
        let run = Command::new(BIN)
            .arg("diff")
            .arg("--previous")
            .arg(a)
            .arg("--current")
            .arg(b)
            .output()
            .unwrap();
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr)
    };
    let text = diff(&old, &new);
    assert!(
        text.contains("information resources: 1 added, 1 removed"),
        "{text}"
    );
    assert!(
        text.contains("resource added AWS::CloudTrail::Trail organization-trail"),
        "{text}"
    );
    assert!(
        text.contains("resource removed AWS::SecretsManager::Secret"),
        "{text}"
    );

    let boundary = snap(&before, "boundary", &[]);
    let text = diff(&boundary, &new);
    assert!(
        text.contains(
            "information resources not compared: the previous snapshot does not keep them"
        ),
        "{text}"
    );
    assert!(!text.contains("resource added"), "{text}");
}

#[test]
fn an_unknown_scope_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.xlsx");
    let (code, text) = report(
        &repo("sample-data/config-items.jsonl"),
        &out,
        &["--scope", "everything"],
    );
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("scope: expected boundary or all"), "{text}");
    assert!(!out.exists());
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
}

/// "assets: A, rows: R" as `report` prints them.
fn printed_counts(text: &str) -> (u64, u64) {
    let line = text
        .lines()
        .find(|l| l.starts_with("items read: "))
        .expect("the counts line");
    let number = |key: &str| -> u64 {
        let at = line.find(key).unwrap() + key.len();
        line[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (number("assets: "), number("rows: "))
}

/// Every `ksiEvidence` item anywhere in the SDR.
fn all_evidence(v: &serde_json::Value) -> Vec<serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .flat_map(|(k, x)| match (k.as_str(), x) {
                ("ksiEvidence", serde_json::Value::Array(a)) => a.clone(),
                _ => all_evidence(x),
            })
            .collect(),
        serde_json::Value::Array(a) => a.iter().flat_map(all_evidence).collect(),
        _ => Vec::new(),
    }
}

fn find_ksi(sdr: &serde_json::Value, id: &str) -> Option<serde_json::Value> {
    fn walk(v: &serde_json::Value, id: &str) -> Option<serde_json::Value> {
        match v {
            serde_json::Value::Object(m) if m.get("ksiId").is_some_and(|k| k == id) => {
                Some(v.clone())
            }
            serde_json::Value::Object(m) => m.values().find_map(|x| walk(x, id)),
            serde_json::Value::Array(a) => a.iter().find_map(|x| walk(x, id)),
            _ => None,
        }
    }
    walk(sdr, id)
}

/// The derivation document's table of outputs: file name -> SHA-256.
fn hashes_listed(derivation: &str) -> BTreeMap<String, String> {
    derivation
        .lines()
        .skip_while(|l| *l != "## The outputs of this run")
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            (cells.len() == 3 && cells[2].starts_with('`')).then(|| {
                (
                    cells[0].trim_start_matches("| ").to_string(),
                    cells[2].trim_matches(['`', ' ', '|']).to_string(),
                )
            })
        })
        .collect()
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}
