//! The boundary diagram as a reader meets it: headless Chromium (Debian's `chromium`,
//! which `.ci/run` installs) opens `STEM.diagram.svg` and takes a screenshot, which
//! must not be blank; the SVG must be well-formed XML; and every Diagram Label of the
//! inventory (the workbook's column, read back from the CSV of the same run) must be in
//! it. At 10 assets and at 10,000 (the item generator's network), where assets of one
//! kind are drawn as one node and the node count stays bounded.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::network::web_system;
use common::{csv_rows, python, repo};

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");

/// Debian's Chromium; CI must have it, elsewhere the test says how to get it.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok())
        .map(PathBuf::from);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium (Debian chromium) is required in CI"
        );
        eprintln!("Chromium not installed: skipped (apt-get install chromium)");
    }
    found
}

/// A screenshot of `svg` in headless Chromium, as PNG, `width` pixels wide.
fn screenshot(chromium: &Path, svg: &Path, width: u32, height: u32) -> PathBuf {
    let dir = svg.parent().unwrap();
    let png = dir.join("screenshot.png");
    let _ = std::fs::remove_file(&png);
    // The flags this machine needs: no sandbox as root, and no background networking
    // (the network is closed; Chromium otherwise retries its own services).
    let run = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", svg.display()))
        .output()
        .unwrap();
    assert!(
        png.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    png
}

/// The share of pixels that are not white, and how many colours there are.
fn ink(png: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut inked = 0usize;
    let total = pixels.len() / channels;
    for p in pixels.chunks(channels) {
        if p[..3] != [255, 255, 255] {
            inked += 1;
        }
        if colours.len() < 1000 {
            colours.insert([p[0], p[1], p[2]]);
        }
    }
    (inked as f64 / total as f64, colours.len())
}

/// The SVG's text: every text node, of `<text>` and `<title>` alike, unescaped. Fails
/// on anything that is not well-formed XML with an `svg` root.
fn svg_texts(path: &Path) -> Vec<String> {
    use quick_xml::events::Event;
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = Vec::new();
    // A text node arrives in pieces: its text and each entity apart.
    let mut piece: Option<String> = None;
    let mut depth = 0i64;
    let mut root = None;
    loop {
        let event = reader.read_event();
        if !matches!(event, Ok(Event::Text(_)) | Ok(Event::GeneralRef(_))) {
            out.extend(piece.take());
        }
        match event {
            Ok(Event::Start(e)) => {
                if root.is_none() {
                    root = Some(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                }
                depth += 1;
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Text(t)) => piece
                .get_or_insert_with(String::new)
                .push_str(&t.decode().unwrap()),
            Ok(Event::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let c = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unknown entity &{other};"),
                };
                piece.get_or_insert_with(String::new).push_str(c);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "{}: not well-formed at {}: {e}",
                path.display(),
                reader.buffer_position()
            ),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    assert_eq!(root.as_deref(), Some("svg"));
    out
}

/// `report` with the diagram and the CSV; the CSV's header and rows, and the SVG.
fn run(dir: &Path, input: &Path) -> (Vec<String>, Vec<Vec<String>>, PathBuf) {
    let out = dir.join("inventory.xlsx");
    let run = Command::new(BIN)
        .args(["report", "-i"])
        .arg(input)
        .arg("-o")
        .arg(&out)
        .args(["--format", "csv,diagram"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let csv = dir.join("inventory.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<String> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim_matches('"').to_string())
        .collect();
    let svg = dir.join("inventory.diagram.svg");
    assert!(dir.join("inventory.diagram.dot").exists());
    (header, csv_rows(&csv), svg)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("{name} not in {header:?}"))
}

#[test]
fn the_web_systems_diagram_opens_in_a_browser_with_every_label() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("web.jsonl");
    let lines: Vec<String> = web_system().iter().map(|v| v.to_string()).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let (header, rows, svg) = run(dir.path(), &input);
    let texts = svg_texts(&svg);
    let label = column(&header, "Diagram Label");
    let mut labels: Vec<&str> = rows
        .iter()
        .map(|r| r[label].as_str())
        .filter(|l| !l.is_empty())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    assert_eq!(
        labels.len(),
        3,
        "the web system labels three assets: {labels:?}"
    );
    for l in &labels {
        assert!(
            texts.iter().any(|t| t == l),
            "{l:?} is not drawn on its node: {texts:?}"
        );
    }
    // The database has no label: its Config name stands in, on the drawing only.
    assert!(texts.iter().any(|t| t == "myrdstest"), "{texts:?}");
    // The internet reaches the ALB on 80 and 443, one edge with both.
    assert!(
        texts
            .iter()
            .any(|t| t == "Internet -> web entry: TCP 443, TCP 80"),
        "{texts:?}"
    );
    assert!(texts
        .iter()
        .any(|t| t == "app server -> myrdstest: TCP 5432"));
    let (share, colours) = ink(&screenshot(&chromium, &svg, 1400, 900));
    assert!(
        share > 0.02 && colours > 8,
        "the screenshot looks blank: {:.1}% inked, {colours} colours",
        share * 100.0
    );
}

#[test]
fn ten_thousand_assets_stay_readable_and_every_one_is_named() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("items.jsonl");
    let status = Command::new(python())
        .arg(repo("tests/gen_config_items.py"))
        .args(["--count", "10000", "--network", "--seed", "11", "--out"])
        .arg(&input)
        .status()
        .unwrap();
    assert!(status.success());
    let (header, rows, svg) = run(dir.path(), &input);
    let texts = svg_texts(&svg);
    let id = column(&header, "Unique Asset Identifier");
    let ids: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[id].as_str()).collect();
    assert!(ids.len() > 5_000, "{} assets", ids.len());
    // Every asset is named in its node's title, however they are grouped.
    let titled: std::collections::HashSet<&str> = texts
        .iter()
        .flat_map(|t| t.lines())
        .filter_map(|l| l.rsplit(' ').next())
        .map(|l| l.trim_end_matches(')'))
        .collect();
    let missing: Vec<&&str> = ids
        .iter()
        .filter(|i| !titled.contains(**i))
        .take(5)
        .collect();
    assert!(missing.is_empty(), "not in the diagram: {missing:?}");
    let body = std::fs::read_to_string(&svg).unwrap();
    let nodes = body.matches("<g class=\"node\">").count();
    assert!(
        (20..=200).contains(&nodes),
        "{nodes} nodes for {} assets: grouped to stay readable",
        ids.len()
    );
    assert!(texts.iter().any(|t| t == "Internet"));
    assert!(
        texts.iter().any(|t| t.contains(" x EC2")),
        "assets of one kind are drawn as one node"
    );
    let (share, colours) = ink(&screenshot(&chromium, &svg, 1800, 1200));
    assert!(
        share > 0.05 && colours > 8,
        "the screenshot looks blank: {:.1}% inked, {colours} colours",
        share * 100.0
    );
}
