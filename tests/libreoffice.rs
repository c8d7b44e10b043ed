//! A real spreadsheet program judges the streamed workbook: LibreOffice converts a
//! workbook of more than 100,000 rows (escaped characters, formula-like text, cells of
//! several lines) to CSV, and that must be exactly the rows our own CSV output lists;
//! openpyxl reads the same rows. So do the Ports Protocols Services and Information
//! Resources sheets, against their own CSV outputs.
//!
//! LibreOffice comes from Debian's `libreoffice-calc-nogui`, which `.ci/run` installs.
//! Where it is missing the test says so and passes, except in CI (CI=true), where it
//! fails: CI must have the judge.

mod common;

use std::path::Path;
use std::process::Command;

use common::{python, repo};

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");

fn rows(what: &str, path: &Path, extra: &[&str]) -> Vec<Vec<String>> {
    let out = Command::new(python())
        .arg(repo("tests/harness/check_outputs.py"))
        .arg(what)
        .arg(path)
        .args(extra)
        .output()
        .expect("the checker runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// Our CSV guards formula-like text with an apostrophe; the workbook uses a cell style.
fn unguarded(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// The same rows, or a short message naming the first that differs.
fn assert_same(got: &[Vec<String>], expected: &[Vec<String>], who: &str) {
    if let Some(i) = (0..got.len().min(expected.len())).find(|i| got[*i] != expected[*i]) {
        panic!(
            "{who}: row {i} differs:\n  got      {:?}\n  expected {:?}",
            got[i], expected[i]
        );
    }
    assert_eq!(got.len(), expected.len(), "{who}: row count");
}

/// LibreOffice's program; CI must have it, elsewhere the test says how to get it.
fn soffice() -> Option<&'static str> {
    let found = ["soffice", "libreoffice"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice (Debian libreoffice-calc-nogui) is required in CI"
        );
        eprintln!("LibreOffice not installed: skipped (apt-get install libreoffice-calc-nogui)");
    }
    found
}

/// `workbook` converted to CSV by LibreOffice, in a folder of `dir`, with the CSV
/// filter's options after its first three (`more`: say, which sheet); the CSV's path.
fn convert(soffice: &str, dir: &Path, workbook: &Path, more: &str) -> std::path::PathBuf {
    let converted = dir.join("libreoffice");
    let profile = format!("file://{}", dir.join("profile").display());
    let lo = Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to"])
        .arg(format!("csv:Text - txt - csv (StarCalc):44,34,76{more}"))
        .arg("--outdir")
        .arg(&converted)
        .arg(workbook)
        .output()
        .unwrap();
    assert!(
        lo.status.success(),
        "{}",
        String::from_utf8_lossy(&lo.stderr)
    );
    std::fs::read_dir(&converted)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .expect("LibreOffice wrote a CSV")
}

/// `gen_config_items.py` with `args`, into `dir/items.jsonl`.
fn generate(dir: &Path, args: &[&str]) -> std::path::PathBuf {
    let generated = dir.join("items.jsonl");
    let status = Command::new(python())
        .arg(repo("tests/gen_config_items.py"))
        .args(args)
        .arg("--out")
        .arg(&generated)
        .status()
        .unwrap();
    assert!(status.success());
    generated
}

/// `report` on `inputs` into `out` with `formats` (and `extra`), which must succeed.
fn report(inputs: &[&Path], out: &Path, formats: &str, extra: &[&str]) {
    let mut command = Command::new(BIN);
    command.arg("report");
    for input in inputs {
        command.arg("-i").arg(input);
    }
    let run = command
        .arg("-o")
        .arg(out)
        .args(["--format", formats])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
}

/// What LibreOffice and openpyxl read from the list sheet `name` of `workbook`, from its
/// headers (above them: the headline and an empty row) on, is exactly `ours`.
fn assert_list_sheet_reads_as(
    soffice: &str,
    dir: &Path,
    workbook: &Path,
    name: &str,
    ours: &[Vec<String>],
) {
    // The CSV filter's twelfth token picks the sheet, counted from 1.
    let names = calamine::open_workbook::<calamine::Xlsx<_>, _>(workbook)
        .map(|wb| calamine::Reader::sheet_names(&wb))
        .unwrap();
    let sheet = 1 + names.iter().position(|n| n == name).expect("the sheet");
    let exported = convert(
        soffice,
        dir,
        workbook,
        &format!(",1,,0,false,true,false,false,false,{sheet}"),
    );
    let from_header = |rows: Vec<Vec<String>>| {
        let at = rows
            .iter()
            .position(|r| r.first().map(String::as_str) == Some("Account"))
            .expect("the headers");
        rows[at..].to_vec()
    };
    let from_libreoffice = from_header(rows("csv", &exported, &[]));
    assert_same(&from_libreoffice, ours, "LibreOffice");
    let from_openpyxl = from_header(rows("xlsx", workbook, &[name]));
    assert_same(&from_openpyxl, ours, "openpyxl");
}

#[test]
fn libreoffice_reads_a_large_streamed_workbook_as_written() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let generated = generate(dir.path(), &["--count", "46000", "--seed", "7"]);
    let odd = dir.path().join("odd.jsonl");
    let values = [
        "a & b < c > d \"q\"",
        "ctl\u{1}\u{8}end",
        "_x0041_ literal",
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-minus",
        "@at",
        "line one\nline two",
        "é ü 中文",
    ];
    let items: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::json!({"resourceType": "AWS::DynamoDB::Table", "arn": format!("arn:odd{i}"),
                "accountId": "999999999999", "awsRegion": "r", "configuration": {},
                "tags": [{"key": "function", "value": v}, {"key": "owner", "value": v}]})
            .to_string()
        })
        .collect();
    std::fs::write(&odd, items.join("\n")).unwrap();
    let out = dir.path().join("big.xlsx");
    report(&[&generated, &odd], &out, "xlsx,csv", &[]);

    let from_libreoffice = rows("csv", &convert(soffice, dir.path(), &out, ""), &[]);
    let ours: Vec<Vec<String>> = rows("csv", &dir.path().join("big.csv"), &[])
        .into_iter()
        .map(|r| r.iter().map(|c| unguarded(c)).collect())
        .collect();
    assert!(ours.len() > 100_000, "{} rows", ours.len());
    // LibreOffice also lists the group header row above the column headers.
    assert_eq!(from_libreoffice[0][0], "All Inventories");
    assert_same(&from_libreoffice[1..], &ours, "LibreOffice");
    for v in values {
        assert!(
            ours.iter().any(|r| r[23] == v),
            "{v:?} is in the converted sheet"
        );
    }

    let from_openpyxl = rows("xlsx", &out, &["Inventory"]);
    assert_same(&from_openpyxl[1..], &ours, "openpyxl");
}

/// The Ports Protocols Services sheet, written into the skeleton as the inventory is:
/// what LibreOffice and openpyxl read from it is exactly the run's `STEM.ports.csv`.
#[test]
fn libreoffice_reads_the_ports_sheet_as_the_ports_csv() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let generated = generate(dir.path(), &["--count", "4000", "--network", "--seed", "9"]);
    let out = dir.path().join("net.xlsx");
    report(&[&generated], &out, "xlsx,ports", &[]);
    let ours = rows("csv", &dir.path().join("net.ports.csv"), &[]);
    assert!(ours.len() > 5_000, "{} lines", ours.len());
    assert_list_sheet_reads_as(soffice, dir.path(), &out, "Ports Protocols Services", &ours);
}

/// The Information Resources sheet (`scope: all`), written into the skeleton as the
/// inventory is: what LibreOffice and openpyxl read from it is exactly the run's
/// `STEM.resources.csv` (less its formula guard).
#[test]
fn libreoffice_reads_the_information_resources_sheet_as_the_resources_csv() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let generated = generate(
        dir.path(),
        &["--count", "300", "--envelopes", "6000", "--seed", "5"],
    );
    // One more whose name a spreadsheet would take for a formula.
    let mut items = std::fs::read_to_string(&generated).unwrap();
    items.push_str(r#"{"resourceType":"AWS::SSM::Parameter","resourceId":"p1","resourceName":"=HYPERLINK(\"x\")","accountId":"111111111111","awsRegion":"us-gov-west-1","configurationItemStatus":"OK"}"#);
    items.push('\n');
    std::fs::write(&generated, items).unwrap();
    let out = dir.path().join("all.xlsx");
    report(&[&generated], &out, "xlsx,resources", &["--scope", "all"]);
    let ours: Vec<Vec<String>> = rows("csv", &dir.path().join("all.resources.csv"), &[])
        .into_iter()
        .map(|r| r.iter().map(|c| unguarded(c)).collect())
        .collect();
    assert_eq!(ours.len(), 6002, "the header and every resource");
    assert!(ours.iter().any(|r| r[5] == "=HYPERLINK(\"x\")"));
    assert_list_sheet_reads_as(soffice, dir.path(), &out, "Information Resources", &ours);
}
