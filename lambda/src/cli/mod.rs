//! The `fedramp-inventory` command line: one file per subcommand, each writing to an
//! injected writer so tests can read what a user would see.

#[cfg(feature = "aws")]
pub mod collect;
pub mod diff;
pub mod progress;
pub mod report;
pub mod types;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "fedramp-inventory",
    version,
    about = "FedRAMP Integrated Inventory Workbook from AWS Config"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turn exported AWS Config items into the inventory workbook (and CSV, OSCAL, snapshot).
    Report(Box<report::ReportArgs>),
    /// List what changed between two snapshots: assets added, removed and changed.
    Diff(diff::DiffArgs),
    /// List every supported AWS Config type: Asset Type, how it is read, rows, columns.
    Types(types::TypesArgs),
    /// Read AWS Config in every account and region, write the workbook to a file or S3.
    #[cfg(feature = "aws")]
    Collect(Box<collect::CollectArgs>),
}

impl Cli {
    /// Runs the chosen subcommand; returns the process exit code.
    pub fn run(self, out: &mut dyn std::io::Write) -> anyhow::Result<i32> {
        match self.command {
            Command::Report(args) => report::run(*args, out),
            Command::Diff(args) => diff::run(args, out),
            Command::Types(args) => types::run(args, out),
            #[cfg(feature = "aws")]
            Command::Collect(args) => collect::run(*args, out),
        }
    }
}

/// Whether an error is a closed standard output (`fedramp-inventory types | head`):
/// the program then ends quietly, as other command-line tools do, not with "error:
/// Broken pipe".
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
