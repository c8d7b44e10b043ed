//! `fedramp-inventory report`: Config items from files to the workbook (and any other
//! format), no AWS needed.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::cli::progress::{self, Pace};
use crate::mapper::{MapContext, SoftwareFilter, TagNames};
use crate::outputs::derivation::CodeUrl;
use crate::outputs::oscal::BaseSsp;
use crate::outputs::sdr::{OverviewUri, SdrBase, SdrSettings};
use crate::outputs::{
    Compression, Format, Formats, IpCell, Layout, OscalSettings, OutputSettings, EXCEL_MAX_ROWS,
};
use crate::reader::files::Input;
use crate::run::{run_report, ReportRequest, RunResult, Status};
use crate::settings::{Network, ScanPeriod, Scope};

/// How many problems are printed; all of them are in the Run Summary sheet.
const PRINTED_PROBLEMS: usize = 20;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Config items: JSON Lines, a JSON array, `aws configservice select-*` output or a
    /// Config snapshot. Repeat for several files; `-` reads standard input.
    #[arg(long = "input", short = 'i', required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
    /// Where to write: the workbook's path; every other format is named after its stem
    /// (inventory.xlsx -> inventory.csv, inventory.oscal.json, ...).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// A snapshot of an earlier run: the workbook gets a Changes sheet.
    #[arg(long, value_name = "SNAPSHOT")]
    pub previous: Option<PathBuf>,
    /// What `aws inspector2 list-coverage` printed (repeatable): In Latest Scan and
    /// Authenticated Scan from it, ECR images in use as assets, a Scan Coverage sheet.
    #[arg(long = "scan-coverage", value_name = "FILE")]
    pub scan_coverage: Vec<PathBuf>,
    /// Days back a scan counts as the latest (30: monthly; 7 or 3 for classes B and C).
    #[arg(long, value_name = "DAYS", default_value_t = ScanPeriod::default())]
    pub scan_period: ScanPeriod,
    /// Read security groups, subnets, VPCs, route tables, internet gateways, network
    /// ACLs and load-balancer listeners as network facts (on), or leave them unread.
    #[arg(long, value_name = "on|off", default_value_t = Network::default())]
    pub network: Network,
    /// List every other resource AWS Config records, of any type, as an information
    /// resource (all), or only the mapped types' rows (boundary).
    #[arg(long, value_name = "boundary|all", default_value_t = Scope::default())]
    pub scope: Scope,
    #[command(flatten)]
    pub outputs: OutputArgs,
}

/// What is written and how it looks; shared by `report` and `collect`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Formats to write, comma-separated: xlsx, csv, oscal, snapshot, scan-coverage,
    /// ports, sdr, connections, diagram.
    #[arg(long = "format", value_name = "FORMATS", default_value = "xlsx")]
    pub formats: Formats,
    /// Which template the workbook follows.
    #[arg(long, value_enum, default_value_t = Layout::Rev5)]
    pub layout: Layout,
    /// One row per IP address, or all of an asset's addresses joined in one cell.
    #[arg(long, value_enum, default_value_t = IpCell::PerRow)]
    pub ip_cell: IpCell,
    /// YAML file naming the tags that feed tag-driven columns, and `software:` (see docs/report.md).
    #[arg(long, value_name = "FILE")]
    pub tags: Option<PathBuf>,
    /// Installed packages (SSM inventory) that get rows of their own: none, all, or
    /// name patterns such as "nginx*,openssl*". Overrides the settings file's `software:`.
    #[arg(long, value_name = "WHICH")]
    pub software: Option<SoftwareFilter>,
    /// How hard the workbook is deflated: fast (level 1), balanced (3), small (6).
    #[arg(long, value_enum, default_value_t = Compression::Balanced)]
    pub compression: Compression,
    /// YAML file with the OSCAL skeleton's system name, id and import profile.
    #[arg(long, value_name = "FILE")]
    pub oscal_settings: Option<PathBuf>,
    /// The provider's own OSCAL SSP: its inventory items are replaced, the rest kept.
    #[arg(long, value_name = "FILE")]
    pub oscal_ssp: Option<PathBuf>,
    /// The provider's own Security Decision Record: its portsAndProtocols are replaced,
    /// the rest kept (`--format sdr`).
    #[arg(long, value_name = "FILE")]
    pub sdr: Option<PathBuf>,
    /// Where the Certification Package Overview is: the SDR's required
    /// certificationPackageOverviewUri when no --sdr is given.
    #[arg(long, value_name = "URI")]
    pub sdr_overview_uri: Option<OverviewUri>,
    /// Where the code you run is kept, as the derivation document says (default: this
    /// project's repository).
    #[arg(long, value_name = "URL", default_value_t = CodeUrl::default())]
    pub code_url: CodeUrl,
}

impl OutputArgs {
    /// The tag names and software filter from `--tags` and `--software`, or the defaults.
    pub fn mapping(&self) -> anyhow::Result<(TagNames, SoftwareFilter)> {
        let (names, software) = match &self.tags {
            None => (TagNames::default(), None),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read tag settings {}", path.display()))?;
                TagNames::with_software_from_yaml(&text)
                    .with_context(|| format!("in {}", path.display()))?
            }
        };
        let software = self.software.clone().or(software).unwrap_or_default();
        Ok((names, software))
    }

    /// The presentation settings, the OSCAL files read and checked before anything is
    /// written.
    pub fn output_settings(&self) -> anyhow::Result<OutputSettings> {
        let mut oscal = match &self.oscal_settings {
            None => OscalSettings::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read OSCAL settings {}", path.display()))?;
                OscalSettings::from_yaml(&text).with_context(|| format!("in {}", path.display()))?
            }
        };
        if let Some(path) = &self.oscal_ssp {
            oscal.base = Some(BaseSsp::load(path)?);
        }
        let sdr = SdrSettings {
            base: self
                .sdr
                .as_deref()
                .map(SdrBase::load)
                .transpose()
                .map_err(anyhow::Error::msg)?,
            overview_uri: self.sdr_overview_uri.clone(),
        };
        if self.formats.contains(Format::Sdr) {
            sdr.check().map_err(anyhow::Error::msg)?;
        }
        Ok(OutputSettings {
            layout: self.layout,
            ip_cell: self.ip_cell,
            compression: self.compression,
            max_sheet_rows: EXCEL_MAX_ROWS,
            oscal,
            sdr,
            code_url: self.code_url.clone(),
        })
    }
}

pub fn run(args: ReportArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    if args.outputs.formats.contains(Format::ScanCoverage) && args.scan_coverage.is_empty() {
        anyhow::bail!("--format scan-coverage lists the gaps between the inventory and Amazon Inspector's coverage: give the coverage with --scan-coverage FILE");
    }
    args.outputs
        .formats
        .check_network(args.network)
        .map_err(anyhow::Error::msg)?;
    crate::scan::coverage_file::check_readable(&args.scan_coverage)?;
    let request = ReportRequest {
        inputs: args.inputs.iter().map(|a| Input::from_arg(a)).collect(),
        output: args.output.clone(),
        formats: args.outputs.formats.clone(),
        outputs: args.outputs.output_settings()?,
        context: {
            let (tag_names, software) = args.outputs.mapping()?;
            MapContext {
                tag_names,
                software,
                network: args.network,
                scope: args.scope,
                subnets: args.outputs.formats.needs_network_facts(),
                ..MapContext::default()
            }
        },
        previous: args.previous.clone(),
        progress: Default::default(),
        coverage: args.scan_coverage.clone(),
        scan_period: args.scan_period,
    };
    // Only a run that takes a while shows progress: a small report prints nothing more.
    let shown = progress::show(
        std::sync::Arc::clone(&request.progress),
        "inputs",
        Pace {
            after: std::time::Duration::from_secs(2),
            every: std::time::Duration::from_secs(10),
            last_line: true,
        },
    );
    let result = run_report(&request);
    shown.finish();
    print_result(&result, &request, out)?;
    Ok(result.status.exit_code())
}

fn print_result(
    result: &RunResult,
    request: &ReportRequest,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let s = &result.summary;
    for d in s.diagnostics.entries().iter().take(PRINTED_PROBLEMS) {
        writeln!(out, "{d}")?;
    }
    let problems = s.diagnostics.entries().len();
    if problems > PRINTED_PROBLEMS {
        writeln!(
            out,
            "... and {} more problems, all listed in the Run Summary sheet",
            problems - PRINTED_PROBLEMS
        )?;
    }
    writeln!(
        out,
        "items read: {}, assets: {}, rows: {}, duplicates skipped: {}",
        s.items_read, s.assets, s.rows, s.duplicates
    )?;
    let mut per_type: std::collections::BTreeMap<&str, u64> = Default::default();
    for ((_, _, kind), n) in &s.row_counts {
        *per_type.entry(kind.as_str()).or_default() += n;
    }
    for (kind, n) in per_type {
        writeln!(out, "  {kind}: {n} rows")?;
    }
    for (reason, n) in &s.folded {
        writeln!(out, "  left out, {reason}: {n}")?;
    }
    for (kind, n) in &s.network {
        writeln!(out, "  network facts, {kind}: {n}")?;
    }
    if s.scope == Scope::All {
        let total: u64 = s.resources.values().sum();
        writeln!(out, "information resources (scope: all): {total}")?;
        for (kind, n) in &s.resources {
            writeln!(out, "  {kind}: {n}")?;
        }
    }
    if s.unlabelled > 0 {
        writeln!(
            out,
            "  assets without a Diagram Label (mandatory in Rev5): {}",
            s.unlabelled
        )?;
    }
    if let Some(e) = &s.evidence {
        writeln!(
            out,
            "  ports, protocols and services: {} on {} assets; security groups attached to nothing: {}, attached but not read: {}\n  KSI-CNA-RNT: {} open to the internet on a port other than 80/443, {} to all traffic from the internet",
            e.len(),
            e.attached_assets,
            e.unattached_groups.len(),
            e.groups_not_read.len(),
            e.internet_other_ports,
            e.internet_all_traffic
        )?;
    }
    for (kind, why) in &s.not_read {
        writeln!(out, "  {kind}: {why}")?;
    }
    for (kind, u) in &s.unsupported {
        writeln!(
            out,
            "  unsupported {kind}: {} items, not in the inventory (first at {})",
            u.items, u.first_seen
        )?;
    }
    let t = &result.timings;
    writeln!(
        out,
        "seconds: read+parse+map {:.2}, sort {:.2}, write {:.2}",
        t.read_map.as_secs_f64(),
        t.sort.as_secs_f64(),
        t.write.as_secs_f64()
    )?;
    if let Some(changes) = &result.changes {
        writeln!(out, "changes: {}", changes.headline())?;
    }
    if let Some(scan) = &s.scan {
        writeln!(
            out,
            "scan coverage: {}",
            crate::outputs::scan_table::headline(scan)
        )?;
        for (kind, n) in &scan.other_types {
            writeln!(
                out,
                "  coverage records of {kind}, not an inventory type: {n}"
            )?;
        }
    }
    match result.status {
        Status::Failed => writeln!(
            out,
            "FAILED: {}",
            result.failure.as_deref().unwrap_or("nothing written")
        )?,
        status => {
            for artifact in &result.artifacts {
                match artifact.format {
                    crate::outputs::Format::Xlsx => writeln!(
                        out,
                        "workbook: {} ({} layout)",
                        artifact.path.display(),
                        request.outputs.layout.name()
                    )?,
                    format => writeln!(out, "{format}: {}", artifact.path.display())?,
                }
            }
            if status == Status::WithProblems {
                writeln!(
                    out,
                    "{problems} problems with the input: see above and the Run Summary sheet"
                )?;
            }
        }
    }
    Ok(())
}
