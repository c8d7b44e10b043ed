//! One inventory, several outputs: the workbook, CSV, the machine-readable snapshot and
//! the OSCAL SSP inventory. One file per format; each owns its presentation (how
//! several addresses share a cell, Excel's cell limit, yes/no spelling), so the
//! inventory stays one plain model.
//!
//! Every file of a run is named after one stem: `--output inventory.xlsx --format
//! xlsx,csv,oscal` writes `inventory.xlsx`, `inventory.csv` and `inventory.oscal.json`.
//! Each file is written to a temporary name beside it and renamed, so a file under its
//! final name is complete or absent.

pub mod changes_file;
mod changes_table;
pub mod connections;
pub mod csv;
pub mod derivation;
pub mod diagram;
mod ksi;
pub mod layout;
pub mod oscal;
pub mod ports_table;
pub mod scan_table;
pub mod sdr;
pub mod snapshot;
mod table;
pub mod xlsx;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use layout::Layout;
pub use oscal::OscalSettings;
pub use table::IpCell;

use crate::changes::ChangeReport;
use crate::inventory::Inventory;
use crate::settings::{Network, Scope};
use crate::summary::Summary;

/// Excel's row limit for one sheet.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// One output format.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// The FedRAMP Integrated Inventory Workbook.
    Xlsx,
    /// The workbook's inventory rows as CSV (UTF-8 with a byte-order mark).
    Csv,
    /// A FedRAMP OSCAL system security plan holding the inventory.
    Oscal,
    /// Every asset as JSON Lines (gzip): the input of `diff` and of your own tools.
    Snapshot,
    /// Both gaps between the inventory and Amazon Inspector's scans, as CSV.
    ScanCoverage,
    /// The ports, protocols and services reachable on each asset, as CSV.
    Ports,
    /// FedRAMP's Security Decision Record (JSON) with the ports and protocols.
    Sdr,
    /// The permitted connections (JSON): MAS-CSO-FLO's machine-readable output.
    Connections,
    /// The boundary diagram (SVG), written with its DOT source ([`Format::DiagramDot`]).
    Diagram,
    /// The diagram's DOT source: always beside the SVG, never asked for alone.
    DiagramDot,
    /// How the run's outputs were derived (Markdown), with each other output's SHA-256.
    Derivation,
    /// Every information resource outside the workbook's rows (`scope: all`), as CSV.
    Resources,
}

impl Format {
    pub const ALL: [Format; 12] = [
        Format::Xlsx,
        Format::Csv,
        Format::Oscal,
        Format::Snapshot,
        Format::ScanCoverage,
        Format::Ports,
        Format::Sdr,
        Format::Connections,
        Format::Diagram,
        Format::DiagramDot,
        Format::Derivation,
        Format::Resources,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Oscal => "oscal",
            Format::Snapshot => "snapshot",
            Format::ScanCoverage => "scan-coverage",
            Format::Ports => "ports",
            Format::Sdr => "sdr",
            Format::Connections => "connections",
            Format::Diagram => "diagram",
            Format::DiagramDot => "diagram-dot",
            Format::Derivation => "derivation",
            Format::Resources => "resources",
        }
    }

    /// What follows the stem in the file name.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Oscal => "oscal.json",
            Format::Snapshot => "snapshot.jsonl.gz",
            Format::ScanCoverage => "scan-coverage.csv",
            Format::Ports => "ports.csv",
            Format::Sdr => "sdr.json",
            Format::Connections => "connections.json",
            Format::Diagram => "diagram.svg",
            Format::DiagramDot => "diagram.dot",
            Format::Derivation => "derivation.md",
            Format::Resources => "resources.csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv | Format::ScanCoverage | Format::Ports | Format::Resources => {
                "text/csv; charset=utf-8"
            }
            Format::Oscal | Format::Sdr | Format::Connections => "application/json",
            Format::Snapshot => "application/gzip",
            Format::Diagram => "image/svg+xml",
            Format::DiagramDot => "text/vnd.graphviz; charset=utf-8",
            Format::Derivation => "text/markdown; charset=utf-8",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!(
                    "unknown format {s:?}: expected xlsx, csv, oscal, snapshot, scan-coverage, ports, sdr, connections, diagram, derivation or resources"
                )
            })
            .and_then(|f| match f {
                Format::DiagramDot => Err("diagram-dot is written with diagram: ask for diagram".to_string()),
                f => Ok(f),
            })
    }
}

/// The formats a run writes, each once, in a fixed order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Formats(Vec<Format>);

impl Formats {
    pub fn new(formats: impl IntoIterator<Item = Format>) -> Self {
        let mut list: Vec<Format> = formats.into_iter().collect();
        // The diagram's SVG and its DOT source go together.
        list.retain(|f| *f != Format::DiagramDot);
        if list.contains(&Format::Diagram) {
            list.push(Format::DiagramDot);
        }
        list.sort();
        list.dedup();
        Formats(list)
    }

    pub fn contains(&self, format: Format) -> bool {
        self.0.contains(&format)
    }

    pub fn iter(&self) -> impl Iterator<Item = Format> + '_ {
        self.0.iter().copied()
    }
}

/// `xlsx,csv`: the text the CLI, the Lambda's `FORMATS` and the deployer take.
impl fmt::Display for Formats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .0
            .iter()
            .filter(|x| **x != Format::DiagramDot)
            .map(|x| x.name())
            .collect();
        f.write_str(&names.join(","))
    }
}

impl Formats {
    /// What a scheduled run (the Lambda, the deployer) writes when not told: the
    /// workbook and the derivation document; with the network facts read, the ports,
    /// the permitted connections and the boundary diagram, and the SDR when one of its
    /// settings is given (`sdr_configured`: a base SDR or the overview URI; see
    /// [`Formats::sdr_left_out`]).
    /// With `scope: all`, the information resources' CSV too.
    pub fn scheduled(network: Network, scope: Scope, sdr_configured: bool) -> Self {
        let base = [Format::Xlsx, Format::Derivation];
        let resources = (scope == Scope::All).then_some(Format::Resources);
        match network {
            Network::On => {
                let sdr = sdr_configured.then_some(Format::Sdr);
                let derived = [Format::Ports, Format::Connections, Format::Diagram];
                Formats::new(base.into_iter().chain(derived).chain(sdr).chain(resources))
            }
            Network::Off => Formats::new(base.into_iter().chain(resources)),
        }
    }

    /// Why the scheduled default leaves the SDR out, for the run to say: it is never
    /// written with a placeholder overview URI.
    pub fn sdr_left_out(network: Network, sdr_configured: bool) -> Option<&'static str> {
        (network == Network::On && !sdr_configured).then_some(SDR_LEFT_OUT)
    }

    /// Whether the run must keep the network facts (and each asset's subnets) for its
    /// outputs: the connections and the diagram are made from them after the mapping.
    pub fn needs_network_facts(&self) -> bool {
        self.contains(Format::Connections) || self.contains(Format::Diagram)
    }

    pub fn check_network(&self, network: Network) -> Result<(), String> {
        let derived = [
            Format::Ports,
            Format::Sdr,
            Format::Connections,
            Format::Diagram,
        ];
        if derived.iter().any(|f| self.contains(*f)) && network == Network::Off {
            return Err(PORTS_NEED_NETWORK.to_string());
        }
        Ok(())
    }
}

/// What a scheduled run says when its default formats leave the SDR out.
pub const SDR_LEFT_OUT: &str = "sdr: no Security Decision Record written: it needs its certificationPackageOverviewUri (sdr-overview-uri, SDR_OVERVIEW_URI, template SdrOverviewUri) or your own SDR as its base (sdr-base, SDR_BASE, template SdrBase)";

/// Why the ports cannot be written with the network setting off.
pub const PORTS_NEED_NETWORK: &str = "the ports format is derived from the network facts, which are turned off (network: off): turn them on (--network on, NETWORK=on, network: \"on\") or leave ports out of the formats";

impl Default for Formats {
    fn default() -> Self {
        Formats(vec![Format::Xlsx])
    }
}

impl FromStr for Formats {
    type Err = String;

    /// `xlsx,csv,oscal`: a comma-separated list, at least one.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let list = s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(Format::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        if list.is_empty() {
            return Err(
                "name at least one format: xlsx, csv, oscal, snapshot, scan-coverage, ports, sdr, connections, diagram, derivation or resources"
                    .into(),
            );
        }
        Ok(Formats::new(list))
    }
}

/// A comma-separated text or a list of names, each checked by [`Format::from_str`].
impl<'de> Deserialize<'de> for Formats {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Formats;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("formats: \"xlsx,csv\" or [xlsx, csv]")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Formats, E> {
                v.parse().map_err(E::custom)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Formats, A::Error> {
                let mut list = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    list.push(name.parse().map_err(serde::de::Error::custom)?);
                }
                if list.is_empty() {
                    return Err(serde::de::Error::custom(
                        "name at least one format: xlsx, csv, oscal, snapshot, scan-coverage, ports, sdr, connections, diagram, derivation or resources",
                    ));
                }
                Ok(Formats::new(list))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// How hard the workbook's inventory sheets are deflated: time against file size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Compression {
    /// Deflate level 1: the quickest, the largest file.
    Fast,
    /// Level 3: most of level 6's size at a fraction of its time.
    #[default]
    Balanced,
    /// Level 6, as Excel and rust_xlsxwriter write: the smallest file.
    Small,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::Fast => "fast",
            Compression::Balanced => "balanced",
            Compression::Small => "small",
        }
    }

    pub fn level(self) -> u32 {
        match self {
            Compression::Fast => 1,
            Compression::Balanced => 3,
            Compression::Small => 6,
        }
    }
}

impl FromStr for Compression {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Compression::Fast, Compression::Balanced, Compression::Small]
            .into_iter()
            .find(|c| c.name() == s.trim())
            .ok_or_else(|| format!("expected fast, balanced or small, found {s:?}"))
    }
}

crate::settings::deserialize_from_str!(Compression);

/// How the outputs present the inventory.
#[derive(Clone, Debug)]
pub struct OutputSettings {
    pub layout: Layout,
    pub ip_cell: IpCell,
    pub compression: Compression,
    /// Rows a sheet may hold, header rows included. Excel's limit; smaller only to
    /// exercise the overflow onto further sheets in tests.
    pub max_sheet_rows: u32,
    pub oscal: OscalSettings,
    pub sdr: sdr::SdrSettings,
    /// Where the code is, as the derivation document says.
    pub code_url: derivation::CodeUrl,
}

impl Default for OutputSettings {
    fn default() -> Self {
        OutputSettings {
            layout: Layout::default(),
            ip_cell: IpCell::default(),
            compression: Compression::default(),
            max_sheet_rows: EXCEL_MAX_ROWS,
            oscal: OscalSettings::default(),
            sdr: sdr::SdrSettings::default(),
            code_url: derivation::CodeUrl::default(),
        }
    }
}

/// What a run hands to its outputs.
pub struct Report<'a> {
    pub inventory: &'a Inventory,
    pub summary: &'a Summary,
    /// What changed since the previous run, when a previous snapshot was looked for.
    pub changes: Option<&'a ChangeReport>,
    /// Where the outputs are published, `s3://bucket/key` without the format's
    /// extension, for the SDR's evidence to point at; `None`: the files themselves.
    pub published_at: Option<String>,
}

/// One file written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    pub format: Format,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

impl OutputError {
    pub(crate) fn write(path: &Path, message: impl fmt::Display) -> Self {
        OutputError::Write {
            path: path.display().to_string(),
            message: message.to_string(),
        }
    }
}

/// `output` without a known extension: `reports/inventory.xlsx` -> `reports/inventory`.
pub fn stem(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut extensions: Vec<&str> = Format::ALL.iter().map(|f| f.extension()).collect();
    extensions.push("json");
    extensions.sort_by_key(|e| std::cmp::Reverse(e.len()));
    let base = extensions
        .iter()
        .find_map(|e| name.strip_suffix(&format!(".{e}")))
        .filter(|b| !b.is_empty())
        .unwrap_or(&name);
    output.with_file_name(base)
}

/// The file a format is written to, named after the stem.
pub fn artifact_path(stem: &Path, format: Format) -> PathBuf {
    let name = stem
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    stem.with_file_name(format!("{name}.{}", format.extension()))
}

/// Writes every format; stops at the first that fails (the files already written stay
/// and are listed in the error's place by the caller: nothing half-written remains).
/// `before` are outputs of the run written already (the snapshot of a collection), for
/// the derivation document to list. The derivation document comes after every other
/// output but the SDR, which comes last.
pub fn write_all(
    stem: &Path,
    formats: &Formats,
    report: &Report,
    settings: &OutputSettings,
    before: &[Artifact],
) -> Result<Vec<Artifact>, OutputError> {
    let mut written = Vec::new();
    let mut hashes = derivation::Hashes::default();
    let last = [Format::Derivation, Format::Sdr];
    let order = formats
        .iter()
        .filter(|f| !last.contains(f))
        .chain(last.into_iter().filter(|f| formats.contains(*f)));
    for format in order {
        let path = artifact_path(stem, format);
        match format {
            // Written with the diagram, from the same drawing.
            Format::DiagramDot => continue,
            Format::Diagram => {
                let dot = artifact_path(stem, Format::DiagramDot);
                atomic_write(&path, |svg| {
                    atomic_write(&dot, |dot| diagram::write(svg, dot, report))
                })?;
                written.push(Artifact { format, path });
                written.push(Artifact {
                    format: Format::DiagramDot,
                    path: dot,
                });
            }
            Format::Derivation => {
                let others: Vec<Artifact> = before.iter().chain(&written).cloned().collect();
                atomic_write(&path, |tmp| {
                    derivation::write(tmp, report, &others, &mut hashes, &settings.code_url)
                })?;
                written.push(Artifact { format, path });
            }
            Format::Sdr => {
                let others: Vec<Artifact> = before.iter().chain(&written).cloned().collect();
                atomic_write(&path, |tmp| {
                    sdr::write(tmp, report, &settings.sdr, &others, &mut hashes)
                })?;
                written.push(Artifact { format, path });
            }
            _ => {
                write_one(format, &path, report, settings)?;
                written.push(Artifact { format, path });
            }
        }
    }
    Ok(written)
}

/// Writes the snapshot alone: a run that compares with an earlier one reads it before
/// the other formats (the workbook's Changes sheet among them) are written.
pub fn write_snapshot(
    stem: &Path,
    report: &Report,
    settings: &OutputSettings,
) -> Result<Artifact, OutputError> {
    let path = artifact_path(stem, Format::Snapshot);
    write_one(Format::Snapshot, &path, report, settings)?;
    Ok(Artifact {
        format: Format::Snapshot,
        path,
    })
}

/// Writes every format of `formats` but the snapshot (written by [`write_snapshot`],
/// and in `before` when it is kept, for the derivation document to list).
pub fn write_all_but_snapshot(
    stem: &Path,
    formats: &Formats,
    report: &Report,
    settings: &OutputSettings,
    before: &[Artifact],
) -> Result<Vec<Artifact>, OutputError> {
    let rest = Formats::new(formats.iter().filter(|f| *f != Format::Snapshot));
    write_all(stem, &rest, report, settings, before)
}

fn write_one(
    format: Format,
    path: &Path,
    report: &Report,
    settings: &OutputSettings,
) -> Result<(), OutputError> {
    atomic_write(path, |tmp| {
        match format {
        Format::Xlsx => xlsx::write(tmp, report, settings),
        Format::Csv => csv::write(tmp, report, settings),
        Format::Oscal => oscal::write(tmp, report, &settings.oscal),
        Format::Snapshot => snapshot::write(tmp, report, settings),
        Format::ScanCoverage => match &report.summary.scan {
            Some(scan) => csv::write_lines(
                tmp,
                &scan_table::HEADERS,
                scan_table::lines(scan),
            ),
            None => Err(OutputError::write(
                path,
                "no scan coverage was read: give --scan-coverage FILE (report) or set scan-coverage: inspector (collect, the Lambda)",
            )),
        },
        Format::Connections => connections::write(tmp, report),
        Format::Resources => csv::write_lines(
            tmp,
            &crate::inventory::resources::COLUMNS,
            report.inventory.resources().rows(),
        ),
        Format::Diagram | Format::DiagramDot | Format::Derivation | Format::Sdr => {
            Err(OutputError::write(
                path,
                "written by write_all (the diagram with its DOT source, the derivation and the SDR after the others)",
            ))
        }
        Format::Ports => match &report.summary.evidence {
            Some(evidence) => {
                let ports = ports_table::Ports::new(evidence, report.inventory);
                csv::write_lines(tmp, &ports_table::HEADERS, ports.lines())
            }
            None => Err(OutputError::write(path, PORTS_NEED_NETWORK)),
        },
    }
    })
}

/// Writes through a temporary file beside `path`, renamed into place on success, so a
/// failed run never leaves a half-written file under the final name.
fn atomic_write(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = write(&tmp)
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| OutputError::write(path, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| match e {
        // Name the file the user asked for, not our temporary one.
        OutputError::Write { message, .. } => OutputError::write(path, message),
    })
}

/// The characters that make spreadsheet programs read a cell as a formula.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_after_the_stem() {
        let s = stem(Path::new("out/inventory.xlsx"));
        assert_eq!(s, Path::new("out/inventory"));
        assert_eq!(
            artifact_path(&s, Format::Oscal),
            Path::new("out/inventory.oscal.json")
        );
        assert_eq!(
            artifact_path(&s, Format::Snapshot),
            Path::new("out/inventory.snapshot.jsonl.gz")
        );
        assert_eq!(
            stem(Path::new("a.snapshot.jsonl.gz")),
            Path::new("a"),
            "the longest known extension is taken off"
        );
        assert_eq!(stem(Path::new("report.out")), Path::new("report.out"));
    }

    #[test]
    fn formats_parse_once_each_in_order() {
        let f: Formats = "oscal, xlsx,csv,xlsx".parse().unwrap();
        assert_eq!(
            f.iter().collect::<Vec<_>>(),
            [Format::Xlsx, Format::Csv, Format::Oscal]
        );
        assert!("xlsx,pdf".parse::<Formats>().unwrap_err().contains("pdf"));
        assert!("".parse::<Formats>().is_err());
        let y: Formats = serde_yaml::from_str("[csv, snapshot]").unwrap();
        assert_eq!(y, Formats::new([Format::Csv, Format::Snapshot]));
        assert_eq!(Formats::default().to_string(), "xlsx");
    }

    #[test]
    fn formula_starts() {
        for t in ["=1+1", "+x", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(looks_like_formula(t), "{t:?}");
        }
        assert!(!looks_like_formula("10.0.0.1"));
    }
}
