//! `fedramp-inventory report`: Config items from files to a workbook, no AWS needed.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::inventory::IpCell;
use crate::mapper::{MapContext, TagNames};
use crate::reader::files::Input;
use crate::report::{Layout, EXCEL_MAX_ROWS};
use crate::run::{run_report, ReportRequest, RunResult, Status};

/// How many problems are printed; all of them are in the Run Summary sheet.
const PRINTED_PROBLEMS: usize = 20;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Config items: JSON Lines, a JSON array, `aws configservice select-*` output or a
    /// Config snapshot. Repeat for several files; `-` reads standard input.
    #[arg(long = "input", short = 'i', required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
    /// Where to write the workbook (.xlsx).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub workbook: WorkbookArgs,
}

/// How the workbook looks; shared by `report` and `collect`.
#[derive(Debug, Args)]
pub struct WorkbookArgs {
    /// Which template the workbook follows.
    #[arg(long, value_enum, default_value_t = Layout::Rev5)]
    pub layout: Layout,
    /// One row per IP address, or all of an asset's addresses joined in one cell.
    #[arg(long, value_enum, default_value_t = IpCell::PerRow)]
    pub ip_cell: IpCell,
    /// YAML file naming the tags that feed tag-driven columns (see README).
    #[arg(long, value_name = "FILE")]
    pub tags: Option<PathBuf>,
}

impl WorkbookArgs {
    /// The tag settings from `--tags`, or the defaults.
    pub fn tag_names(&self) -> anyhow::Result<TagNames> {
        let Some(path) = &self.tags else {
            return Ok(TagNames::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read tag settings {}", path.display()))?;
        TagNames::from_yaml(&text).with_context(|| format!("in {}", path.display()))
    }
}

pub fn run(args: ReportArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let request = ReportRequest {
        inputs: args.inputs.iter().map(|a| Input::from_arg(a)).collect(),
        output: args.output.clone(),
        layout: args.workbook.layout,
        ip_cell: args.workbook.ip_cell,
        context: MapContext {
            tag_names: args.workbook.tag_names()?,
            ..MapContext::default()
        },
        max_sheet_rows: EXCEL_MAX_ROWS,
    };
    let result = run_report(&request);
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
    for (kind, u) in &s.unsupported {
        writeln!(
            out,
            "  unsupported {kind}: {} items, not in the inventory (first at {})",
            u.items, u.first_seen
        )?;
    }
    match result.status {
        Status::Failed => writeln!(
            out,
            "FAILED: {}",
            result.failure.as_deref().unwrap_or("no workbook written")
        )?,
        status => {
            writeln!(
                out,
                "workbook: {} ({} layout)",
                request.output.display(),
                request.layout.name()
            )?;
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
