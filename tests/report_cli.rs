//! End-to-end tests of `fedramp-inventory report`: the real binary on real files, the
//! workbook read back with calamine and compared with the official templates.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use calamine::{open_workbook, Data, Range, Reader, Xlsx};

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");

/// Found from where cargo runs the test (the package's directory): tests/buildspec.rs
/// runs this binary on a copy of the repository.
fn repo(path: &str) -> PathBuf {
    std::env::current_dir()
        .expect("a current directory")
        .join("..")
        .join(path)
}

struct Run {
    code: i32,
    stdout: String,
}

fn report(args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .arg("report")
        .args(args)
        .output()
        .expect("binary runs");
    let stdout =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Run {
        code: out.status.code().expect("exit code, not a signal"),
        stdout,
    }
}

/// `report` on tests/fixtures/known-items.jsonl, written to `out`, with `extra` options.
fn report_known(out: &Path, extra: &[&str]) -> Run {
    let known = repo("tests/fixtures/known-items.jsonl");
    let mut args = vec!["-i", known.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    report(&args)
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("workbook opens");
    wb.worksheet_range(name).expect("sheet exists")
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).expect("workbook opens");
    wb.sheet_names()
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(other) => panic!("cell ({row},{col}) is not a string: {other:?}"),
    }
}

fn row(range: &Range<Data>, r: u32, cols: u32) -> Vec<String> {
    (0..cols).map(|c| text(range, r, c)).collect()
}

/// Data rows of an inventory sheet (row index 2.. for rev5).
fn data_rows(range: &Range<Data>, first: u32, cols: u32) -> Vec<Vec<String>> {
    let end = range.end().map_or(0, |(r, _)| r + 1);
    (first..end).map(|r| row(range, r, cols)).collect()
}

fn summary_value(path: &Path, label: &str) -> String {
    let s = sheet(path, "Run Summary");
    let end = s.end().map_or(0, |(r, _)| r + 1);
    (0..end)
        .find(|r| text(&s, *r, 0) == label)
        .map(|r| text(&s, r, 1))
        .unwrap_or_else(|| panic!("no {label} in the Run Summary"))
}

fn summary_lines(path: &Path) -> Vec<String> {
    let s = sheet(path, "Run Summary");
    let end = s.end().map_or(0, |(r, _)| r + 1);
    (0..end).map(|r| row(&s, r, 4).join(" | ")).collect()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn bundled_sample_gives_a_clean_workbook() {
    let dir = tmp();
    let out = dir.path().join("inventory.xlsx");
    let run = report(&[
        "--input",
        repo("sample-data/config-items.jsonl").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("workbook: "), "{}", run.stdout);
    // The sample records no security group, but its load balancers' listeners and its
    // databases' ports are ports, protocols and services of their own.
    assert_eq!(
        sheet_names(&out),
        ["Inventory", "Ports Protocols Services", "Run Summary"]
    );
    let inv = sheet(&out, "Inventory");
    let rows = data_rows(&inv, 2, 25);
    assert_eq!(
        summary_value(&out, "Inventory rows"),
        rows.len().to_string()
    );
    assert!(rows.len() > 300, "one row per address: {}", rows.len());
    // Every type is present and every row has an identifier.
    for kind in [
        "EC2",
        "RDS",
        "DynamoDB",
        "Load Balancer-Classic",
        "Load Balancer-application",
        "Load Balancer-network",
        "Load Balancer-gateway",
    ] {
        assert!(rows.iter().any(|r| r[11] == kind), "no {kind} rows");
    }
    assert!(rows.iter().all(|r| !r[0].is_empty()));
    // Sorted by account, region, type, identifier.
    // Comments start with "Account A, Region R" (a type's own notes follow).
    let place = |c: &str| c.splitn(3, ", ").take(2).collect::<Vec<_>>().join(", ");
    let keys: Vec<_> = rows
        .iter()
        .map(|r| (place(&r[18]), r[11].clone(), r[0].clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

/// Row 2 (headers) and the group headers of row 1, against the official file.
#[test]
fn rev5_headers_match_the_official_template() {
    let dir = tmp();
    let out = dir.path().join("rev5.xlsx");
    let run = report_known(&out, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let ours = sheet(&out, "Inventory");
    let official = sheet(&repo("tests/fixtures/appendix-m-v3.1.xlsx"), "Inventory");
    // The official file has a guidance column A that is deleted before submission.
    for c in 0..25 {
        assert_eq!(
            text(&ours, 1, c),
            text(&official, 1, c + 1),
            "header column {c}"
        );
        assert_eq!(
            text(&ours, 0, c),
            text(&official, 0, c + 1),
            "group header column {c}"
        );
    }
    assert_eq!(text(&ours, 1, 24), "End-of-Life ");
    assert_eq!(text(&ours, 1, 20), "VLAN/\nNetwork ID");
    assert_eq!(text(&ours, 1, 25), "");
}

#[test]
fn a13_headers_and_guidance_match_the_official_template() {
    let dir = tmp();
    let out = dir.path().join("a13.xlsx");
    let run = report_known(&out, &["--layout", "a13"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let ours = sheet(&out, "Inventory");
    let official = sheet(&repo("tests/fixtures/a13-v2.2.xlsx"), "Inventory");
    for r in 0..5 {
        for c in 0..23 {
            assert_eq!(
                text(&ours, r, c),
                text(&official, r, c),
                "row {r} column {c}"
            );
        }
    }
    assert_eq!(text(&ours, 1, 1), "IPv4 or IPv6\nAddress");
    // Data from row 6.
    assert_eq!(text(&ours, 5, 0), "i-0known");
}

#[test]
fn known_items_give_exactly_these_rows() {
    let dir = tmp();
    let out = dir.path().join("known.xlsx");
    let run = report_known(&out, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("unsupported AWS::IAM::Role: 1 items"),
        "{}",
        run.stdout
    );
    let rows = data_rows(&sheet(&out, "Inventory"), 2, 25);
    fn ec2(ip: &'static str, mac: &'static str) -> Vec<&'static str> {
        vec![
            "i-0known",
            ip,
            "Yes",
            "Yes",
            "ec2-3-30-0-1.us-gov-west-1.compute.amazonaws.com",
            "",
            mac,
            "Yes",
            "ami-0base",
            "",
            "us-gov-west-1a",
            "EC2",
            "t3.large",
            "",
            "",
            "",
            "",
            "Web tier",
            "Account 111111111111, Region us-gov-west-1",
            "",
            "vpc-0a",
            "platform",
            "platform",
            "Web server",
            "6/30/2028",
        ]
    }
    let alb = vec![
        "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:111111111111:loadbalancer/app/web/0a",
        "",
        "Yes",
        "Yes",
        "web-0a.elb.us-gov-west-1.amazonaws.com",
        "",
        "",
        "No",
        "",
        "",
        "us-gov-west-1",
        "Load Balancer-application",
        "",
        "",
        "",
        "",
        "",
        "",
        "Account 111111111111, Region us-gov-west-1",
        "",
        "vpc-0a",
        "=HYPERLINK(\"http://x\")",
        "=HYPERLINK(\"http://x\")",
        "",
        "",
    ];
    let dynamo = vec![
        "arn:aws-us-gov:dynamodb:us-gov-east-1:222222222222:table/sessions",
        "",
        "Yes",
        "No",
        "",
        "",
        "",
        "No",
        "",
        "",
        "us-gov-east-1",
        "DynamoDB",
        "",
        "",
        "AWS",
        "DynamoDB",
        "",
        "",
        "Account 222222222222, Region us-gov-east-1",
        "",
        "",
        "data-team",
        "app-team",
        "",
        "",
    ];
    let clb = vec![
        "arn:aws-us-gov:elasticloadbalancing:us-gov-east-1:222222222222:loadbalancer/legacy",
        "",
        "Yes",
        "No",
        "internal-legacy.us-gov-east-1.elb.amazonaws.com",
        "",
        "",
        "No",
        "",
        "",
        "us-gov-east-1",
        "Load Balancer-Classic",
        "",
        "",
        "",
        "",
        "",
        "",
        "Account 222222222222, Region us-gov-east-1",
        "",
        "vpc-0b",
        "",
        "",
        "",
        "",
    ];
    let rds = vec![
        "arn:aws-us-gov:rds:us-gov-east-1:222222222222:db:orders",
        "",
        "Yes",
        "No",
        "orders.abc.us-gov-east-1.rds.amazonaws.com",
        "",
        "",
        "No",
        "",
        "",
        "us-gov-east-1b",
        "RDS",
        "db.m5.large",
        "",
        "AWS",
        "postgres-15.4",
        "",
        "",
        "Account 222222222222, Region us-gov-east-1",
        "",
        "vpc-0b",
        "",
        "",
        "",
        "",
    ];
    let expected: Vec<Vec<String>> = [
        ec2("3.30.0.1", "0a:00:00:00:00:01"),
        ec2("10.0.0.5", "0a:00:00:00:00:01"),
        ec2("10.0.1.5", "0a:00:00:00:00:02"),
        alb,
        dynamo,
        clb,
        rds,
    ]
    .into_iter()
    .map(|r| r.into_iter().map(String::from).collect())
    .collect();
    assert_eq!(rows, expected);
    assert!(
        summary_lines(&out)
            .iter()
            .any(|l| l.starts_with("AWS::IAM::Role | 1 | ")),
        "{:?}",
        summary_lines(&out)
    );
}

/// A value Excel could read as a formula is a text cell marked to stay text.
#[test]
fn formula_like_values_stay_text() {
    let dir = tmp();
    let out = dir.path().join("f.xlsx");
    report_known(&out, &[]);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(!xml.contains("<f>"), "no formula cells");
    assert!(xml.contains("=HYPERLINK"), "the value is kept as written");
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(
        styles.contains("quotePrefix=\"1\""),
        "a quote-prefix style exists"
    );
}

#[test]
fn bad_input_is_named_and_the_rest_still_becomes_rows() {
    let dir = tmp();
    let out = dir.path().join("bad.xlsx");
    let bad = repo("tests/fixtures/bad-items.jsonl");
    let run = report(&["-i", bad.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let name = bad.display().to_string();
    for expected in [
        format!("error: {name}:2: not valid JSON"),
        format!("warning: {name}:3: item has no configuration"),
        format!(
            "warning: {name}:4: configuration.publiclyAccessible is text, expected true or false"
        ),
        format!("warning: {name}:4: configuration.dBSubnetGroup is text, expected an object"),
        format!("error: {name}:6 [0]: expected a JSON object for a Config item, found a number"),
        format!("error: {name}:7: result text is not valid JSON"),
    ] {
        let found = run.stdout.lines().any(|l| l.starts_with(&expected));
        assert!(found, "missing {expected:?} in\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains("unsupported AWS::IAM::User: 1 items"),
        "{}",
        run.stdout
    );
    let rows = data_rows(&sheet(&out, "Inventory"), 2, 25);
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        [
            "arn:aws-us-gov:dynamodb:us-gov-east-1:111111111111:table/good",
            "i-noconf",
            "arn:aws-us-gov:rds:us-gov-east-1:111111111111:db:odd"
        ]
    );
    // The odd RDS item still gives what is known: the class written as a number.
    assert_eq!(rows[2][12], "42");
    let lines = summary_lines(&out);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("error | ") && l.contains(":2 | not valid JSON")),
        "{lines:?}"
    );
}

#[test]
fn missing_input_alone_fails_without_a_workbook() {
    let dir = tmp();
    let out = dir.path().join("none.xlsx");
    let run = report(&["-i", "/no/such/items.jsonl", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("/no/such/items.jsonl: cannot read"),
        "{}",
        run.stdout
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left behind"
    );
}

#[test]
fn empty_input_writes_an_empty_inventory_and_says_so() {
    let dir = tmp();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "\n").unwrap();
    let out = dir.path().join("empty.xlsx");
    let run = report(&["-i", empty.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("the input is empty"), "{}", run.stdout);
    assert_eq!(summary_value(&out, "Inventory rows"), "0");
}

#[test]
fn unwritable_output_is_a_clear_failure() {
    let run = report_known(Path::new("/no/such/dir/inv.xlsx"), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("cannot write /no/such/dir/inv.xlsx"),
        "{}",
        run.stdout
    );
}

/// `aws configservice select-resource-config` output, piped in.
#[test]
fn select_output_on_stdin() {
    let dir = tmp();
    let out = dir.path().join("stdin.xlsx");
    let items: Vec<String> = std::fs::read_to_string(repo("tests/fixtures/known-items.jsonl"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let doc = serde_json::json!({"Results": items, "QueryInfo": {"SelectFields": []}});
    let mut child = Command::new(BIN)
        .args(["report", "--input", "-", "--output", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string_pretty(&doc).unwrap().as_bytes())
        .unwrap();
    let done = child.wait_with_output().unwrap();
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stdout)
    );
    assert_eq!(data_rows(&sheet(&out, "Inventory"), 2, 25).len(), 7);
}

#[test]
fn overlapping_inputs_list_each_resource_once() {
    let dir = tmp();
    let out = dir.path().join("dup.xlsx");
    let known = repo("tests/fixtures/known-items.jsonl");
    let run = report(&[
        "-i",
        known.to_str().unwrap(),
        "-i",
        known.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(data_rows(&sheet(&out, "Inventory"), 2, 25).len(), 7);
    assert_eq!(summary_value(&out, "Duplicate items skipped"), "5");
}

#[test]
fn joined_addresses_and_tag_settings() {
    let dir = tmp();
    let tags = dir.path().join("tags.yaml");
    std::fs::write(&tags, "diagram-label: Function\n").unwrap();
    let out = dir.path().join("joined.xlsx");
    let run = report_known(
        &out,
        &["--ip-cell", "joined", "--tags", tags.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let rows = data_rows(&sheet(&out, "Inventory"), 2, 25);
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0][1], "3.30.0.1\n10.0.0.5\n10.0.1.5",
        "in the rows' order: numeric"
    );
    assert_eq!(rows[0][6], "0a:00:00:00:00:01\n0a:00:00:00:00:02");
    assert_eq!(
        rows[0][17], "Web server",
        "diagram label read from the tag named in tags.yaml"
    );

    std::fs::write(&tags, "diagram_label: x\n").unwrap();
    let run = report(&[
        "-i",
        "x",
        "-o",
        out.to_str().unwrap(),
        "--tags",
        tags.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("unknown field `diagram_label`"),
        "{}",
        run.stdout
    );
}

#[test]
fn two_runs_give_the_same_inventory() {
    let dir = tmp();
    let input = repo("sample-data/config-items.jsonl");
    let mut sheets = Vec::new();
    for name in ["a.xlsx", "b.xlsx"] {
        let out = dir.path().join(name);
        assert_eq!(
            report(&["-i", input.to_str().unwrap(), "-o", out.to_str().unwrap()]).code,
            0
        );
        sheets.push(data_rows(&sheet(&out, "Inventory"), 0, 25));
    }
    assert_eq!(sheets[0], sheets[1]);
}

/// An inventory longer than a sheet continues on the next with the same headers. The
/// sheet size is lowered through the library so the test need not write a million rows.
#[test]
fn rows_beyond_a_sheet_continue_on_the_next() {
    use fedramp_inventory::{
        mapper::MapContext,
        outputs::{Formats, OutputSettings},
        reader::files::Input,
        run,
    };
    let dir = tmp();
    let out = dir.path().join("pages.xlsx");
    let request = run::ReportRequest {
        inputs: vec![Input::Path(repo("sample-data/config-items.jsonl"))],
        output: out.clone(),
        formats: Formats::default(),
        outputs: OutputSettings {
            max_sheet_rows: 102,
            ..OutputSettings::default()
        },
        context: MapContext::default(),
        previous: None,
        progress: Default::default(),
        coverage: Vec::new(),
        scan_period: Default::default(),
    };
    let result = run::run_report(&request);
    assert_eq!(result.status, run::Status::Clean);
    let total = result.summary.rows as usize;
    let names = sheet_names(&out);
    let pages = total.div_ceil(100);
    let inventory_sheets = names.iter().filter(|n| n.starts_with("Inventory")).count();
    assert_eq!(inventory_sheets, pages, "{names:?}");
    assert_eq!(names[1], "Inventory (2)");
    let mut all = Vec::new();
    for name in &names[..pages] {
        let s = sheet(&out, name);
        assert_eq!(
            text(&s, 1, 0),
            "UNIQUE ASSET IDENTIFIER",
            "{name} has the headers"
        );
        let rows = data_rows(&s, 2, 25);
        assert!(rows.len() <= 100);
        all.extend(rows);
    }
    assert_eq!(all.len(), total, "no row lost between sheets");
    let single = dir.path().join("single.xlsx");
    report(&[
        "-i",
        repo("sample-data/config-items.jsonl").to_str().unwrap(),
        "-o",
        single.to_str().unwrap(),
    ]);
    assert_eq!(all, data_rows(&sheet(&single, "Inventory"), 2, 25));
    assert!(
        summary_lines(&out)
            .iter()
            .any(|l| l.contains("continues over")),
        "the summary says so"
    );
}

/// Every compression level holds the same cells; only the file size differs.
#[test]
fn every_compression_level_gives_the_same_cells() {
    let dir = tmp();
    let input = repo("sample-data/config-items.jsonl");
    let mut sizes = Vec::new();
    let mut sheets = Vec::new();
    for level in ["fast", "balanced", "small"] {
        let out = dir.path().join(format!("{level}.xlsx"));
        let run = report(&[
            "-i",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--compression",
            level,
        ]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        sizes.push(std::fs::metadata(&out).unwrap().len());
        sheets.push(data_rows(&sheet(&out, "Inventory"), 0, 25));
    }
    assert!(sheets[0].len() > 300);
    assert_eq!(sheets[0], sheets[1]);
    assert_eq!(sheets[1], sheets[2]);
    assert!(
        sizes[0] > sizes[1] && sizes[1] > sizes[2],
        "fast > balanced > small: {sizes:?}"
    );
    let run = report(&[
        "-i",
        input.to_str().unwrap(),
        "-o",
        "x.xlsx",
        "--compression",
        "max",
    ]);
    assert_eq!(run.code, 2, "a usage error: {}", run.stdout);
    assert!(
        run.stdout.contains("fast, balanced, small"),
        "{}",
        run.stdout
    );
}

/// Text that needs escaping survives the streamed sheet exactly: markup characters,
/// control characters, literal `_xHHHH_`, leading and trailing white space, formula-like
/// text, and several lines in one cell.
#[test]
fn escaped_text_reads_back_as_written() {
    let dir = tmp();
    let input = dir.path().join("odd.jsonl");
    let values = [
        "a & b < c > d \"q\" 'r'",
        "ctl\u{1}\u{8}\u{1f}end",
        "_x0041_ literal",
        "  padded  ",
        "=SUM(A1:A2)",
        "line one\nline two",
        "tab\tinside",
        "cr\rinside",
        "é ü 中文 🚀",
    ];
    let lines: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::json!({"resourceType": "AWS::DynamoDB::Table", "arn": format!("arn:t{i}"),
                "accountId": "1", "awsRegion": "r", "configuration": {},
                "tags": [{"key": "function", "value": v}]})
            .to_string()
        })
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = dir.path().join("odd.xlsx");
    let run = report(&["-i", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let rows = data_rows(&sheet(&out, "Inventory"), 2, 25);
    let got: Vec<&str> = rows.iter().map(|r| r[23].as_str()).collect();
    // Values are trimmed when mapped (as every cell is), then written exactly.
    let expected: Vec<&str> = values.iter().map(|v| v.trim()).collect();
    assert_eq!(got, expected);
}

/// docs/coverage.md's table is the `types` command's output, word for word.
#[test]
fn types_prints_the_readme_coverage_table() {
    let out = Command::new(BIN)
        .arg("types")
        .output()
        .expect("binary runs");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let lines = printed.lines().filter(|l| l.starts_with("| `")).count();
    assert!(lines >= 40, "{lines} types");
    let readme = std::fs::read_to_string(repo("docs/coverage.md")).unwrap();
    let start = readme.find("<!-- types:begin -->\n").expect("begin marker") + 21;
    let end = readme.find("<!-- types:end -->").expect("end marker");
    assert_eq!(
        &readme[start..end],
        printed,
        "run `fedramp-inventory types` and paste its output into docs/coverage.md"
    );
}

/// `types | head`: a reader that closes the pipe early ends the program quietly, with
/// exit 0 and nothing on stderr, as other command-line tools end.
#[test]
fn a_closed_pipe_ends_types_quietly() {
    let mut child = Command::new(BIN)
        .arg("types")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // Closed before the program has written anything: its first write meets EPIPE.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("it ends");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}

/// A report that takes a while says how far it got: here its input arrives in two
/// halves, 3 s apart, so it runs past the 2 s after which progress is shown, however
/// fast the machine. stderr is not a terminal, so progress is plain lines. (That a run
/// which ends before then prints nothing is a unit test of `cli::progress`: a wall
/// clock cannot show it here without depending on the machine's load.)
#[test]
fn a_long_report_shows_progress() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("slow.xlsx");
    let sample = std::fs::read_to_string(repo("sample-data/config-items.jsonl")).unwrap();
    let lines: Vec<&str> = sample.lines().collect();
    let mut child = Command::new(BIN)
        .args(["report", "-i", "-", "-o", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let half = lines.len() / 2;
    writeln!(stdin, "{}", lines[..half].join("\n")).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    writeln!(stdin, "{}", lines[half..].join("\n")).unwrap();
    drop(stdin);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{stderr}");
    let last = stderr
        .lines()
        .rfind(|l| l.starts_with("progress: "))
        .unwrap_or_else(|| panic!("no progress line: {stderr}"));
    assert!(
        last.starts_with(&format!("progress: 1/1 inputs, {} items, ", lines.len())),
        "{last}"
    );
}

/// GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as
/// hyphens (backticks and colons go, hyphens and underscores stay).
fn anchor_of(heading: &str) -> String {
    heading
        .trim_start_matches('#')
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every relative link and `#anchor` in README.md and docs/ resolves: the file exists,
/// and the anchor is a heading of it (code blocks are not headings).
#[test]
fn every_link_in_the_readme_and_docs_resolves() {
    let mut pages = vec![repo("README.md")];
    for entry in std::fs::read_dir(repo("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let anchors = |path: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap();
        let mut fenced = false;
        let mut found = Vec::new();
        for line in text.lines() {
            if line.starts_with("```") {
                fenced = !fenced;
            } else if !fenced && line.starts_with('#') {
                found.push(anchor_of(line));
            }
        }
        found
    };
    let link = regex_lite_links;
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for target in link(&text) {
            if target.starts_with("http://")
                || target.starts_with("https://")
                || target.starts_with("mailto:")
            {
                continue;
            }
            checked += 1;
            let (file, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let resolved = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            if !resolved.exists() {
                broken.push(format!("{}: {target} (no such file)", page.display()));
                continue;
            }
            if let Some(anchor) = anchor {
                if !anchors(&resolved).iter().any(|a| a == anchor) {
                    broken.push(format!("{}: {target} (no such heading)", page.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
    assert!(checked >= 20, "only {checked} links checked");
}

/// The targets of the Markdown links `[text](target)` and images `![alt](target)` of a
/// page, outside code blocks and code spans.
fn regex_lite_links(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Code spans hold no links.
        let plain: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
            .join(" ");
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            match after.find(')') {
                Some(end) => {
                    targets.push(after[..end].trim().to_string());
                    rest = &after[end..];
                }
                None => break,
            }
        }
    }
    targets
}

#[test]
fn anchors_are_githubs() {
    assert_eq!(
        anchor_of("## `fedramp-inventory collect`: live, from AWS Config"),
        "fedramp-inventory-collect-live-from-aws-config"
    );
    assert_eq!(
        anchor_of("# FedRAMP's validator: what remains the provider's"),
        "fedramps-validator-what-remains-the-providers"
    );
    assert_eq!(
        regex_lite_links("see [a](docs/a.md#x) and `[b](c)` and ![p](i.png)"),
        ["docs/a.md#x", "i.png"]
    );
}
