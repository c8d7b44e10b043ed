//! End-to-end tests of the outputs besides the workbook, judged by real clients: the
//! CSV read back by Python's csv module, the OSCAL SSP by NIST's schema, trestle's
//! models and FedRAMP's inventory rules (tests/harness/check_outputs.py), the snapshot
//! by the library's own reader; and what changed between two runs (`diff`, and
//! `report --previous`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::{python, repo};
use fedramp_inventory::snapshot::SnapshotReader;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");

struct Run {
    code: i32,
    stdout: String,
}

fn cli(args: &[&str]) -> Run {
    let out = Command::new(BIN).args(args).output().expect("binary runs");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr),
    }
}

fn check(what: &str, path: &Path) -> Value {
    let out = Command::new(python())
        .arg(repo("tests/harness/check_outputs.py"))
        .arg(what)
        .arg(path)
        .output()
        .expect("the checker runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A sheet's rows from `first` on, every cell as text.
fn sheet_rows(path: &Path, name: &str, first: u32) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("workbook opens");
    let range = wb.worksheet_range(name).expect("sheet exists");
    let (end_row, end_col) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
    (first..end_row)
        .map(|r| {
            (0..end_col)
                .map(|c| match range.get_value((r, c)) {
                    Some(Data::String(s)) => s.clone(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).expect("workbook opens");
    wb.sheet_names()
}

fn inputs() -> [PathBuf; 2] {
    [
        repo("tests/fixtures/known-items.jsonl"),
        repo("sample-data/config-items.jsonl"),
    ]
}

fn report(out: &Path, extra: &[&str]) -> Run {
    let [a, b] = inputs();
    let mut args = vec![
        "report",
        "-i",
        a.to_str().unwrap(),
        "-i",
        b.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    cli(&args)
}

/// What the CSV guard does to a value, so the CSV can be compared with the workbook.
fn guarded(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[test]
fn workbook_csv_oscal_and_snapshot_of_one_run_agree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("inventory.xlsx");
    let run = report(&out, &["--format", "xlsx,csv,oscal,snapshot,derivation"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    for name in [
        "inventory.xlsx",
        "inventory.csv",
        "inventory.oscal.json",
        "inventory.snapshot.jsonl.gz",
        "inventory.derivation.md",
    ] {
        assert!(dir.path().join(name).exists(), "{name}: {}", run.stdout);
    }
    let workbook = sheet_rows(&out, "Inventory", 1);
    assert!(workbook.len() > 300);

    // The CSV, read by Python's csv module, is the Inventory sheet: headers and rows.
    let csv: Vec<Vec<String>> =
        serde_json::from_value(check("csv", &dir.path().join("inventory.csv"))).unwrap();
    let expected: Vec<Vec<String>> = workbook
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .map(|c| if i == 0 { c.clone() } else { guarded(c) })
                .collect()
        })
        .collect();
    assert_eq!(csv.len(), expected.len());
    assert_eq!(csv, expected);
    assert!(
        csv.iter().flatten().any(|c| c.starts_with("'=HYPERLINK")),
        "the formula guard is there"
    );
    let bytes = std::fs::read(dir.path().join("inventory.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");

    // The workbook's assets: identifier -> its addresses.
    let mut assets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in &workbook[1..] {
        let ips = assets.entry(row[0].clone()).or_default();
        if !row[1].is_empty() {
            ips.insert(row[1].clone());
        }
    }

    // OSCAL: valid; an asset is one item per IPv4 address (each with one, its asset-id
    // made unique by the address when there are several), or, without IPv4, one
    // internal service component; every address is written once.
    let oscal = check("oscal", &dir.path().join("inventory.oscal.json"));
    assert_eq!(
        oscal["errors"],
        Value::Array(vec![]),
        "{:#}",
        oscal["errors"]
    );
    let items = oscal["items"].as_array().unwrap();
    let strings = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let mut written: BTreeMap<String, (BTreeSet<String>, Vec<&str>)> = BTreeMap::new();
    for item in items {
        let id = item["asset-id"][0].as_str().unwrap();
        let v4 = strings(&item["ipv4-address"]);
        let asset = match v4.iter().next() {
            Some(ip) if !assets.contains_key(id) => id
                .strip_suffix(&format!("/{ip}"))
                .unwrap_or_else(|| panic!("{id}: not an asset, nor one with its address")),
            _ => id,
        };
        let entry = written.entry(asset.to_string()).or_default();
        entry.0.extend(v4);
        entry.0.extend(strings(&item["ipv6-address"]));
        entry.1.push(item["entry"][0].as_str().unwrap());
    }
    assert_eq!(written.len(), assets.len(), "every asset, none invented");
    let mut several = 0;
    for (id, (ips, kinds)) in &written {
        assert_eq!(Some(ips), assets.get(id), "{id}");
        let v4 = ips.iter().filter(|ip| !ip.contains(':')).count();
        if v4 == 0 {
            assert_eq!(kinds, &["component"], "{id}");
        } else {
            assert_eq!(kinds.len(), v4.max(ips.len() - v4), "{id}");
            assert!(kinds.iter().all(|k| *k == "item"), "{id}");
            several += usize::from(v4 > 1);
        }
    }
    assert!(several > 0, "the sample has assets with several addresses");
    // i-0known has three IPv4 addresses: three items, each with the instance's props.
    let known: Vec<&Value> = items
        .iter()
        .filter(|i| {
            i["asset-id"][0]
                .as_str()
                .is_some_and(|id| id.starts_with("i-0known/"))
        })
        .collect();
    let ids: BTreeSet<&str> = known
        .iter()
        .map(|i| i["asset-id"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "i-0known/3.30.0.1",
            "i-0known/10.0.0.5",
            "i-0known/10.0.1.5"
        ])
    );
    for known in known {
        assert_eq!(known["virtual"][0], "yes");
        assert_eq!(known["public"][0], "yes");
        assert_eq!(known["asset-type"][0], "operating-system");
        assert_eq!(known["scan-type"][0], "infrastructure");
        assert_eq!(known["hardware-model"][0], "t3.large");
        assert_eq!(
            known["vendor-name"][0], "AWS",
            "the maker of its virtual hardware"
        );
    }
    let rds = items
        .iter()
        .find(|i| i["asset-type"][0] == "database" && i["software-name"][0] == "postgres")
        .unwrap();
    assert_eq!(rds["software-version"][0], "15.4");

    // The snapshot: every asset once, with the same identifiers.
    let mut reader = SnapshotReader::open(&dir.path().join("inventory.snapshot.jsonl.gz")).unwrap();
    assert_eq!(reader.header.assets as usize, assets.len());
    let mut ids = BTreeSet::new();
    while let Some(a) = reader.next_asset().unwrap() {
        let ips: BTreeSet<String> = a.addresses.iter().map(|x| x.ip.clone()).collect();
        assert_eq!(Some(&ips), assets.get(&a.key.asset_id));
        ids.insert(a.key.asset_id);
    }
    assert_eq!(ids.len(), assets.len());

    // The derivation document: the same counts, and each other file's hash as
    // coreutils' sha256sum computes it.
    let derivation = std::fs::read_to_string(dir.path().join("inventory.derivation.md")).unwrap();
    let counts = format!("{} assets listed in {} rows.", assets.len(), csv.len() - 1);
    assert!(
        derivation.contains(&counts),
        "{counts:?} not in:\n{derivation}"
    );
    let listed: Vec<(&str, &str)> = derivation
        .lines()
        .skip_while(|l| *l != "## The outputs of this run")
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            (cells.len() == 3 && cells[2].starts_with('`')).then(|| {
                (
                    cells[0].trim_start_matches("| "),
                    cells[2].trim_matches(['`', ' ', '|']),
                )
            })
        })
        .collect();
    let names: Vec<&str> = listed.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "inventory.xlsx",
            "inventory.csv",
            "inventory.oscal.json",
            "inventory.snapshot.jsonl.gz"
        ],
        "every other output, and not itself"
    );
    for (name, hash) in listed {
        let sum = Command::new("sha256sum")
            .arg(dir.path().join(name))
            .output()
            .unwrap();
        let sum = String::from_utf8_lossy(&sum.stdout);
        assert_eq!(sum.split_whitespace().next(), Some(hash), "{name}");
    }
}

#[test]
fn joined_addresses_give_the_same_rows_in_csv_and_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("joined.xlsx");
    let run = report(
        &out,
        &[
            "--format",
            "csv,xlsx",
            "--ip-cell",
            "joined",
            "--layout",
            "a13",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let csv: Vec<Vec<String>> =
        serde_json::from_value(check("csv", &dir.path().join("joined.csv"))).unwrap();
    let workbook = sheet_rows(&out, "Inventory", 1);
    // a13: headers in row 2, three guidance rows, data from row 6.
    assert_eq!(csv[0], workbook[0]);
    let data: Vec<Vec<String>> = workbook[4..]
        .iter()
        .map(|r| r.iter().map(|c| guarded(c)).collect())
        .collect();
    assert_eq!(csv[1..], data[..]);
    assert!(csv.iter().any(|r| r[1] == "3.30.0.1\n10.0.0.5\n10.0.1.5"));
}

#[test]
fn a_base_ssp_keeps_everything_but_its_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ssp.xlsx");
    let base_path = repo("tests/fixtures/oscal/base-ssp.json");
    let run = report(
        &out,
        &[
            "--format",
            "oscal",
            "--oscal-ssp",
            base_path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!out.exists(), "only the formats asked for");
    let written = dir.path().join("ssp.oscal.json");
    let checked = check("oscal", &written);
    assert_eq!(
        checked["errors"],
        Value::Array(vec![]),
        "{:#}",
        checked["errors"]
    );
    let mut base: Value =
        serde_json::from_str(&std::fs::read_to_string(&base_path).unwrap()).unwrap();
    let mut got: Value = serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
    let items = got["system-security-plan"]["system-implementation"]["inventory-items"]
        .as_array()
        .unwrap();
    assert!(items.len() > 300);
    assert!(!items
        .iter()
        .any(|i| i["description"].as_str().unwrap().contains("stale")));
    // The base's own party of the same name is used, not doubled.
    let parties = got["system-security-plan"]["metadata"]["parties"]
        .as_array()
        .unwrap()
        .clone();
    let data_team: Vec<&Value> = parties
        .iter()
        .filter(|p| p["name"] == "data-team")
        .collect();
    assert_eq!(data_team.len(), 1);
    assert_eq!(data_team[0]["uuid"], "6c2f8e10-4a5b-4c6d-9e7f-8a9b0c1d2e33");
    // Every other part is the base's, value for value.
    for doc in [&mut base, &mut got] {
        let ssp = &mut doc["system-security-plan"];
        let implementation = ssp["system-implementation"].as_object_mut().unwrap();
        implementation.remove("inventory-items");
        // The inventory's service components (assets without an IPv4 address) are added,
        // and those the items implement to show their ports and protocols.
        let components = implementation["components"].as_array_mut().unwrap();
        components.retain(|c| {
            !c["props"].as_array().is_some_and(|p| {
                p.iter()
                    .any(|p| p["name"] == "asset-id" || p["name"] == "network-services")
            })
        });
        let meta = ssp["metadata"].as_object_mut().unwrap();
        meta.remove("parties");
        meta.remove("roles");
        // The components' locations (NIST: a component's physical-location is one).
        meta.remove("locations");
        // FedRAMP's fedramp-version is added; the base's own marking stays.
        meta["props"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p["name"] != "fedramp-version");
    }
    assert_eq!(got, base);
    let base_parties = ["Example Cloud, Inc.", "data-team"];
    for name in base_parties {
        assert!(parties.iter().any(|p| p["name"] == name), "{name} kept");
    }
}

#[test]
fn a_bad_base_ssp_stops_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("not-json.json", "{ this is not JSON", "not JSON"),
        (
            "catalog.json",
            r#"{"catalog": {"uuid": "x"}}"#,
            "not an OSCAL system security plan",
        ),
        (
            "v2.json",
            r#"{"system-security-plan": {"metadata": {"oscal-version": "2.0.0"}}}"#,
            "OSCAL version 2.0.0",
        ),
    ];
    for (name, text, expected) in cases {
        let base = dir.path().join(name);
        std::fs::write(&base, text).unwrap();
        let out = dir.path().join("out.xlsx");
        let run = report(
            &out,
            &[
                "--format",
                "xlsx,oscal",
                "--oscal-ssp",
                base.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 1, "{name}: {}", run.stdout);
        assert!(run.stdout.contains(expected), "{name}: {}", run.stdout);
        assert!(!out.exists() && !dir.path().join("out.oscal.json").exists());
    }
}

/// known-items.jsonl changed as a month might change it: one asset gone, one new, one
/// with another address, one with another owner tag.
fn next_month(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo("tests/fixtures/known-items.jsonl")).unwrap();
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.contains("\"resourceId\":\"legacy\""))
        .map(|l| {
            l.replace(
                "\"privateIpAddress\":\"10.0.1.5\"",
                "\"privateIpAddress\":\"10.0.1.6\"",
            )
            .replace("\"value\":\"data-team\"", "\"value\":\"platform-team\"")
        })
        .collect();
    lines.push(r#"{"resourceType":"AWS::DynamoDB::Table","resourceId":"audit","arn":"arn:aws-us-gov:dynamodb:us-gov-east-1:222222222222:table/audit","accountId":"222222222222","awsRegion":"us-gov-east-1","configuration":{"tableName":"audit"}}"#.into());
    let path = dir.join("next.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    assert_ne!(text.lines().count(), 0);
    path
}

fn snapshot_of(dir: &Path, input: &Path, name: &str) -> PathBuf {
    let out = dir.join(format!("{name}.xlsx"));
    let run = cli(&[
        "report",
        "-i",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "snapshot",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    dir.join(format!("{name}.snapshot.jsonl.gz"))
}

const EXPECTED_CHANGES: [[&str; 8]; 4] = [
    [
        "added",
        "222222222222",
        "us-gov-east-1",
        "DynamoDB",
        "arn:aws-us-gov:dynamodb:us-gov-east-1:222222222222:table/audit",
        "",
        "",
        "",
    ],
    [
        "changed",
        "222222222222",
        "us-gov-east-1",
        "DynamoDB",
        "arn:aws-us-gov:dynamodb:us-gov-east-1:222222222222:table/sessions",
        "System Administrator/Owner",
        "data-team",
        "platform-team",
    ],
    [
        "removed",
        "222222222222",
        "us-gov-east-1",
        "Load Balancer-Classic",
        "arn:aws-us-gov:elasticloadbalancing:us-gov-east-1:222222222222:loadbalancer/legacy",
        "",
        "",
        "",
    ],
    [
        "changed",
        "111111111111",
        "us-gov-west-1",
        "EC2",
        "i-0known",
        "IP Address",
        "3.30.0.1, 10.0.0.5, 10.0.1.5",
        "3.30.0.1, 10.0.0.5, 10.0.1.6",
    ],
];

fn sorted_lines(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut rows = rows.to_vec();
    rows.sort();
    rows
}

fn expected_lines() -> Vec<Vec<String>> {
    sorted_lines(
        &EXPECTED_CHANGES
            .iter()
            .map(|l| l.iter().map(|s| s.to_string()).collect())
            .collect::<Vec<_>>(),
    )
}

#[test]
fn diff_lists_what_was_added_removed_and_changed() {
    let dir = tempfile::tempdir().unwrap();
    let old = snapshot_of(
        dir.path(),
        &repo("tests/fixtures/known-items.jsonl"),
        "october",
    );
    let new = snapshot_of(dir.path(), &next_month(dir.path()), "november");

    let csv = dir.path().join("changes.csv");
    let run = cli(&[
        "diff",
        "--previous",
        old.to_str().unwrap(),
        "--current",
        new.to_str().unwrap(),
        "--output",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("1 added, 1 removed, 2 changed"),
        "{}",
        run.stdout
    );
    let rows: Vec<Vec<String>> = serde_json::from_value(check("csv", &csv)).unwrap();
    assert_eq!(rows[0][0], "Change");
    assert_eq!(sorted_lines(&rows[1..]), expected_lines());

    let xlsx = dir.path().join("changes.xlsx");
    let run = cli(&[
        "diff",
        "--previous",
        old.to_str().unwrap(),
        "--current",
        new.to_str().unwrap(),
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let sheet = sheet_rows(&xlsx, "Changes", 3);
    assert_eq!(sorted_lines(&sheet), expected_lines());

    // Nothing changed: no changes.
    let run = cli(&[
        "diff",
        "--previous",
        new.to_str().unwrap(),
        "--current",
        new.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("no changes since "),
        "{}",
        run.stdout
    );

    // The report itself compares when given the previous snapshot.
    let out = dir.path().join("with-changes.xlsx");
    let next = next_month(dir.path());
    let run = cli(&[
        "report",
        "-i",
        next.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--previous",
        old.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(sheet_names(&out), ["Inventory", "Changes", "Run Summary"]);
    assert_eq!(
        sorted_lines(&sheet_rows(&out, "Changes", 3)),
        expected_lines()
    );
    assert!(
        !dir.path().join("with-changes.snapshot.jsonl.gz").exists(),
        "the snapshot made for the comparison is not left behind unless asked for"
    );
}

#[test]
fn an_unreadable_previous_snapshot_still_writes_today_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = snapshot_of(
        dir.path(),
        &repo("tests/fixtures/known-items.jsonl"),
        "good",
    );
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.snapshot.jsonl.gz");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let newer = dir.path().join("newer.snapshot.jsonl.gz");
    {
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&newer).unwrap(),
            flate2::Compression::default(),
        );
        writeln!(gz, r#"{{"kind": "fedramp-inventory-snapshot", "schema_version": 99, "tool": "x", "generated_at": "x", "scope": {{"accounts": [], "regions": [], "inputs": []}}, "settings": {{}}, "assets": 0}}"#).unwrap();
        gz.finish().unwrap();
    }
    let garbage = dir.path().join("garbage.snapshot.jsonl.gz");
    std::fs::write(&garbage, "not a snapshot").unwrap();
    for (previous, reason) in [
        (&truncated, "cut short"),
        (&newer, "schema version 99 is newer"),
        (&garbage, "not a gzip'd snapshot"),
    ] {
        let out = dir.path().join("today.xlsx");
        let _ = std::fs::remove_file(&out);
        let run = cli(&[
            "report",
            "-i",
            repo("tests/fixtures/known-items.jsonl").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--previous",
            previous.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(out.exists(), "today's workbook is written");
        assert!(
            run.stdout.contains("could not compare") && run.stdout.contains(reason),
            "{reason}: {}",
            run.stdout
        );
        let summary = sheet_rows(&out, "Run Summary", 0);
        assert!(summary
            .iter()
            .any(|r| r[0] == "Changes since the last run" && r[1].contains("could not compare")));
        let run = cli(&[
            "diff",
            "--previous",
            previous.to_str().unwrap(),
            "--current",
            good.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(run.stdout.contains(reason), "{}", run.stdout);
    }
}

#[test]
fn a_value_longer_than_a_cell_is_cut_in_the_workbook_only() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(40_000);
    let input = dir.path().join("long.jsonl");
    std::fs::write(
        &input,
        format!(
            r#"{{"resourceType":"AWS::DynamoDB::Table","arn":"arn:t","accountId":"1","awsRegion":"r","configuration":{{}},"tags":[{{"key":"function","value":"{long}"}}]}}"#
        ),
    )
    .unwrap();
    let out = dir.path().join("long.xlsx");
    let run = cli(&[
        "report",
        "-i",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "xlsx,csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let rows = sheet_rows(&out, "Inventory", 2);
    assert_eq!(rows[0][23].chars().count(), 32_767);
    let summary = sheet_rows(&out, "Run Summary", 0);
    assert!(
        summary
            .iter()
            .any(|r| r[0] == "Cells cut to Excel's limit" && r[1].starts_with("1 cells")),
        "{summary:?}"
    );
    let csv: Vec<Vec<String>> =
        serde_json::from_value(check("csv", &dir.path().join("long.csv"))).unwrap();
    assert_eq!(csv[1][23], long, "the CSV keeps the whole value");
}
