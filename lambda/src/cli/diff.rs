//! `fedramp-inventory diff`: what changed between two snapshots, printed and, with
//! `--output`, written as a workbook (`.xlsx`) or CSV (`.csv`).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::changes::{ChangeReport, Comparison};
use crate::outputs::changes_file;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot (`*.snapshot.jsonl.gz`).
    #[arg(long, value_name = "SNAPSHOT")]
    pub previous: PathBuf,
    /// The later snapshot.
    #[arg(long, value_name = "SNAPSHOT")]
    pub current: PathBuf,
    /// Also write the changes here: a workbook (.xlsx) or CSV (.csv).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Exit status: 0 compared (with or without changes), 1 could not compare.
pub fn run(args: DiffArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let report = ChangeReport::compare(
        &args.previous.display().to_string(),
        &args.previous,
        &args.current,
    );
    if let Comparison::Failed { reason, .. } = &report.comparison {
        writeln!(out, "FAILED: cannot compare: {reason}")?;
        return Ok(1);
    }
    writeln!(out, "{}", report.headline())?;
    for line in report.lines(usize::MAX) {
        writeln!(out, "  {line}")?;
    }
    if let Some(path) = &args.output {
        changes_file::write(path, &report)?;
        writeln!(out, "changes: {}", path.display())?;
    }
    Ok(0)
}
