//! `fedramp-inventory collect`: the Lambda's collection, run from a laptop with the
//! user's own AWS profile, region and endpoint.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use crate::aws::AwsSettings;
use crate::cli::progress::{self, Pace};
use crate::cli::report::OutputArgs;
use crate::collect::{collect, Accounts, CollectSettings, Destination, DEFAULT_CONCURRENCY};
use crate::outputs::Format;
use crate::reader::config::Account;
use crate::settings::{
    split_list, Network, Rates, ScanPeriod, ScanSource, Scope, ServiceReads,
    DEFAULT_MEMBER_ROLE_NAME,
};
use std::time::Duration;

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Member account ids to read, comma-separated.
    #[arg(long, value_name = "ID,ID", group = "source")]
    pub accounts: Option<String>,
    /// A JSON file like the Lambda's ACCOUNT_LIST: [{"name": "...", "id": "..."}].
    #[arg(long, value_name = "FILE", group = "source")]
    pub accounts_file: Option<PathBuf>,
    /// Read every active account of the organization.
    #[arg(long, group = "source")]
    pub organization: bool,
    /// Read this Config aggregator instead of each account: one query per account and
    /// region it holds, concurrently.
    #[arg(long, value_name = "NAME", group = "source")]
    pub aggregator: Option<String>,
    /// With --aggregator: one page chain for the whole aggregator instead of shards
    /// (slower; the same rows).
    #[arg(long, requires = "aggregator")]
    pub unsharded: bool,
    /// Role assumed in each member account.
    #[arg(long, default_value = DEFAULT_MEMBER_ROLE_NAME)]
    pub role_name: String,
    /// ExternalId the member roles require.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Regions to read in each account, comma-separated (default: the current region).
    #[arg(long, value_name = "REGION,REGION")]
    pub regions: Option<String>,
    /// Account x region reads at once.
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// AWS Config calls per second per account (or aggregator) and API, e.g.
    /// `select=8,batch-get=15,describe=8` (the default; APIs not named keep theirs).
    #[arg(long, value_name = "API=N,...", default_value_t = Rates::default())]
    pub rates: Rates,
    /// Where In Latest Scan and Authenticated Scan come from: none (the in-latest-scan
    /// tag) or inspector (Amazon Inspector's coverage in every account and region).
    #[arg(long, value_name = "none|inspector", default_value_t = ScanSource::default())]
    pub scan_coverage: ScanSource,
    /// Days back a scan counts as the latest (30: monthly; 7 or 3 for classes B and C).
    #[arg(long, value_name = "DAYS", default_value_t = ScanPeriod::default())]
    pub scan_period: ScanPeriod,
    /// ElastiCache and EKS node groups, which AWS Config does not record, read from
    /// their own APIs with the member role (member-roles), or left out and named as not
    /// read (off).
    #[arg(long, value_name = "member-roles|off", default_value_t = ServiceReads::default())]
    pub service_reads: ServiceReads,
    /// Read security groups, subnets, VPCs, route tables, internet gateways, network
    /// ACLs and load-balancer listeners as network facts (on), or leave them unread.
    #[arg(long, value_name = "on|off", default_value_t = Network::default())]
    pub network: Network,
    /// List every other resource AWS Config records, of any type, as an information
    /// resource (all), or only the mapped types' rows (boundary).
    #[arg(long, value_name = "boundary|all", default_value_t = Scope::default())]
    pub scope: Scope,
    /// Stop reading after this many seconds; unfinished targets are reported as
    /// `timeout` and what was read is written and delivered.
    #[arg(long, value_name = "SECONDS")]
    pub deadline: Option<u64>,
    /// Write the files here (named after this path's stem)...
    #[arg(long, short = 'o', value_name = "FILE", group = "destination")]
    pub output: Option<PathBuf>,
    /// ...or upload them to this bucket, where the last run's snapshot is found.
    #[arg(long, group = "destination")]
    pub bucket: Option<String>,
    /// Key prefix in the bucket.
    #[arg(long, default_value = "", requires = "bucket")]
    pub prefix: String,
    /// With --output: a snapshot of an earlier run to list the changes since.
    #[arg(long, value_name = "SNAPSHOT", requires = "output")]
    pub previous: Option<PathBuf>,
    /// SNS topic told about partial and failed runs.
    #[arg(long)]
    pub topic_arn: Option<String>,
    #[command(flatten)]
    pub outputs: OutputArgs,
    /// AWS profile (else AWS_PROFILE).
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region (else AWS_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// AWS endpoint, e.g. a local AWS for testing (else AWS_ENDPOINT_URL).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// FIPS endpoints: true or false (default: true in GovCloud regions, else as
    /// AWS_USE_FIPS_ENDPOINT says).
    #[arg(long, value_name = "true|false")]
    pub fips: Option<bool>,
}

pub fn run(args: CollectArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let settings = settings(args)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let shown = progress::show(
        std::sync::Arc::clone(&settings.progress),
        "accounts and regions",
        Pace {
            after: Duration::ZERO,
            every: Duration::from_secs(10),
            last_line: true,
        },
    );
    let outcome = runtime.block_on(collect(&settings));
    shown.finish();
    // A run that could not start (no credentials, refused ones) says why in one line
    // on stderr too; the JSON result on stdout is what scripts read.
    for e in outcome
        .errors
        .iter()
        .filter(|e| matches!(e.stage.as_str(), "identity" | "configuration"))
    {
        eprintln!("error: {}", e.message);
    }
    writeln!(out, "{}", serde_json::to_string_pretty(&outcome)?)?;
    Ok(outcome.status.exit_code())
}

fn settings(args: CollectArgs) -> anyhow::Result<CollectSettings> {
    let accounts = if let Some(ids) = &args.accounts {
        Accounts::List(
            split_list(ids)
                .into_iter()
                .map(|id| Account {
                    id,
                    name: String::new(),
                })
                .collect(),
        )
    } else if let Some(file) = &args.accounts_file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        Accounts::List(serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: expected [{{\"name\": ..., \"id\": ...}}]",
                file.display()
            )
        })?)
    } else if args.organization {
        Accounts::Organization
    } else if let Some(name) = &args.aggregator {
        Accounts::Aggregator {
            name: name.clone(),
            sharded: !args.unsharded,
        }
    } else {
        bail!("say which accounts to read: --accounts, --accounts-file, --organization or --aggregator");
    };
    let destination = match (args.output, args.bucket) {
        (Some(output), None) => Destination::File {
            output,
            previous: args.previous,
        },
        (None, Some(bucket)) => Destination::S3 {
            bucket,
            prefix: args.prefix,
        },
        _ => bail!("say where the files go: --output FILE or --bucket NAME"),
    };
    if args.outputs.formats.contains(Format::ScanCoverage)
        && args.scan_coverage != ScanSource::Inspector
    {
        bail!("--format scan-coverage lists the gaps between the inventory and Amazon Inspector's coverage: add --scan-coverage inspector");
    }
    args.outputs
        .formats
        .check_network(args.network)
        .map_err(anyhow::Error::msg)?;
    let (tag_names, software) = args.outputs.mapping()?;
    let outputs = args.outputs.output_settings()?;
    Ok(CollectSettings {
        aws: AwsSettings {
            profile: args.profile,
            region: args.region,
            endpoint_url: args.endpoint_url,
            fips: args.fips,
        },
        accounts,
        role_name: args.role_name,
        external_id: args.external_id,
        regions: args.regions.as_deref().map(split_list).unwrap_or_default(),
        concurrency: args.concurrency,
        rates: args.rates,
        outputs,
        formats: args.outputs.formats.clone(),
        tag_names,
        software,
        destination,
        topic_arn: args.topic_arn,
        read_for: args.deadline.map(std::time::Duration::from_secs),
        progress: Default::default(),
        scan_coverage: args.scan_coverage,
        scan_period: args.scan_period,
        service_reads: args.service_reads,
        network: args.network,
        scope: args.scope,
        sdr_base: None,
        // The CLI writes what it is told (its default: the workbook).
        not_written: Vec::new(),
        fan_out: Default::default(),
    })
}
