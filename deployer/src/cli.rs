//! Arguments, and dispatch to one file per subcommand.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands;
use crate::config::DeployConfig;

#[derive(Debug, Parser)]
#[command(
    name = "fedramp-deploy",
    version,
    about = "Deploy fedramp-inventory to an AWS organization, and remove it"
)]
pub struct Cli {
    /// AWS profile for the management account (else AWS_PROFILE, else the default
    /// credentials), as `fedramp-inventory collect --profile`.
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build and upload the function, create or update every stack.
    Deploy {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Use this bootstrap.zip instead of building one with cargo lambda.
        #[arg(long, value_name = "FILE")]
        package: Option<PathBuf>,
    },
    /// Show what deploy would create, update or delete; change nothing.
    Plan {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Create or update the delivery pipeline (the `pipeline:` settings); with the S3
    /// source, upload this checkout's last commit for it to test, build and deploy.
    Pipeline {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Run the function once now and print its run result.
    Invoke {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Delete every stack and the artifact bucket; keep the reports unless asked.
    Teardown {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Also delete the report bucket and every report in it.
        #[arg(long)]
        delete_reports: bool,
        /// Do not ask before deleting reports.
        #[arg(long, requires = "delete_reports")]
        yes: bool,
        /// Also delete the delivery pipeline (its stack and bucket; build logs are kept).
        #[arg(long)]
        pipeline: bool,
    },
}

impl Cli {
    pub fn run(self, out: &mut (dyn Write + Send)) -> anyhow::Result<i32> {
        let path = match &self.command {
            Command::Deploy { config, .. }
            | Command::Plan { config }
            | Command::Pipeline { config }
            | Command::Invoke { config }
            | Command::Teardown { config, .. } => config,
        };
        let mut config = DeployConfig::load(path)?;
        config.profile = self.profile.clone();
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(async {
            match self.command {
                Command::Deploy { package, .. } => {
                    commands::deploy::run(&config, package, out).await
                }
                Command::Plan { .. } => commands::plan::run(&config, out).await,
                Command::Pipeline { .. } => commands::pipeline::run(&config, out).await,
                Command::Invoke { .. } => commands::invoke::run(&config, out).await,
                Command::Teardown {
                    delete_reports,
                    yes,
                    pipeline,
                    ..
                } => {
                    let what = commands::teardown::Remove {
                        reports: delete_reports,
                        confirmed: yes,
                        pipeline,
                    };
                    commands::teardown::run(&config, what, out).await
                }
            }
        })
    }
}
