//! The deployer's one settings file (`deploy.example.yaml` documents every key).
//!
//! Unknown keys and wrong types are errors naming the key and line: a typo in a
//! compliance tool's settings must not silently fall back to a default.

use std::collections::BTreeMap;
use std::path::Path;

use fedramp_inventory::mapper::{SoftwareFilter, TagNames};
use fedramp_inventory::outputs::{Compression, Formats, IpCell, Layout, OscalSettings};
use fedramp_inventory::settings::DEFAULT_MEMBER_ROLE_NAME;
use serde::Deserialize;

#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DeployConfig {
    /// Base name of the stacks and the function.
    #[serde(default = "default_stack_name")]
    pub stack_name: String,
    pub management: Management,
    #[serde(default)]
    pub members: Members,
    #[serde(default)]
    pub member_access: MemberAccess,
    /// Read everything through this AWS Config aggregator instead of each member
    /// account (member role stacks are then only made for accounts listed).
    #[serde(default)]
    pub aggregator: String,
    /// Regions the collector reads; empty for the management region.
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default = "default_schedule")]
    pub schedule: String,
    /// The settings below are the library's own types, parsed by the same code the
    /// function runs at cold start: a value it would refuse fails here, at `plan`.
    #[serde(default)]
    pub layout: Layout,
    #[serde(default)]
    pub ip_cell: IpCell,
    /// Tag names for the tag-driven columns (keys as in the report's tags.yaml).
    #[serde(default)]
    pub tag_names: Option<TagNames>,
    /// What each run writes besides the snapshot (xlsx, csv, oscal, ports, ...); when
    /// not given, [`Formats::scheduled`] (see [`DeployConfig::formats`]).
    #[serde(default, rename = "formats")]
    pub formats_given: Option<Formats>,
    /// How hard the workbook is deflated: fast, balanced or small.
    #[serde(default)]
    pub compression: Compression,
    /// Installed packages (SSM inventory) listed as rows: none, all, or name patterns.
    #[serde(default)]
    pub software: SoftwareFilter,
    /// The OSCAL skeleton's system name, id and import profile (with `oscal` in formats).
    #[serde(default)]
    pub oscal: Option<OscalSettings>,
    #[serde(default)]
    pub external_id: String,
    #[serde(default)]
    pub notification_email: String,
    pub report_bucket: String,
    #[serde(default = "default_prefix")]
    pub report_prefix: String,
    #[serde(default = "default_architecture")]
    pub architecture: String,
    #[serde(default = "default_memory")]
    pub memory: u32,
    /// Account x region reads at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// AWS Config calls per second per account (or aggregator) and API, parsed by the
    /// library's own type as the CLI's `--rates` and the function's `CONFIG_RATES`.
    #[serde(default)]
    pub rates: fedramp_inventory::settings::Rates,
    /// Where In Latest Scan and Authenticated Scan come from (none, inspector), parsed by
    /// the library's own type as the CLI's `--scan-coverage` and `SCAN_COVERAGE`.
    #[serde(default)]
    pub scan_coverage: fedramp_inventory::settings::ScanSource,
    /// Days back a scan counts as the latest (`--scan-period`, `SCAN_PERIOD_DAYS`).
    #[serde(default)]
    pub scan_period: fedramp_inventory::settings::ScanPeriod,
    /// Whether the types Config does not record are read with the member roles
    /// (member-roles, off), the library's own type as `--service-reads` and
    /// `SERVICE_READS`.
    #[serde(default)]
    pub service_reads: fedramp_inventory::settings::ServiceReads,
    /// Whether the network facts (security groups, subnets, VPCs, route tables,
    /// internet gateways, network ACLs, listeners) are read (on, off), the library's own
    /// type as `--network` and `NETWORK`.
    #[serde(default)]
    pub network: fedramp_inventory::settings::Network,
    /// Which resources are listed (boundary, all), the library's own type as `--scope`
    /// and `SCOPE`.
    #[serde(default)]
    pub scope: fedramp_inventory::settings::Scope,
    /// Whether each scheduled run fans out on Step Functions (off, on, auto), the
    /// library's own type as the function's `FAN_OUT`.
    #[serde(default)]
    pub fan_out: fedramp_inventory::settings::FanOut,
    /// Batches read at once (the Map's MaxConcurrency and `FAN_OUT_CONCURRENCY`).
    #[serde(default = "default_fan_out_concurrency")]
    pub fan_out_concurrency: usize,
    /// The most account-regions (or aggregator shards) a batch holds (`FAN_OUT_BATCH`).
    #[serde(default = "default_fan_out_batch")]
    pub fan_out_batch: usize,
    /// Where the Certification Package Overview is: the Security Decision Record's
    /// certificationPackageOverviewUri (needed with `sdr` in `formats`).
    #[serde(default)]
    pub sdr_overview_uri: Option<fedramp_inventory::outputs::sdr::OverviewUri>,
    /// Your Security Decision Record in S3 (`s3://bucket/key`): the base of `sdr`, read
    /// by the function with its own role before each run.
    #[serde(default)]
    pub sdr_base: Option<fedramp_inventory::outputs::sdr::S3Object>,
    /// Where the code you deploy is kept, as each run's derivation document says; the
    /// same type as `--code-url` and `CODE_URL` (default: this project's repository).
    #[serde(default)]
    pub code_url: fedramp_inventory::outputs::derivation::CodeUrl,
    /// The role the collector assumes in member accounts.
    #[serde(default = "default_collector_role")]
    pub collector_role_name: String,
    /// Seconds before the function's timeout at which reading stops, so what was read
    /// is still written and delivered.
    #[serde(default = "default_deadline_margin")]
    pub deadline_margin: u32,
    /// FIPS endpoints for every AWS client of the function; default: on in GovCloud.
    #[serde(default)]
    pub fips: Option<bool>,
    /// Customer-managed KMS key: an existing key's ARN, `create`, or empty (AWS-managed).
    #[serde(default)]
    pub kms_key: String,
    /// The delivery pipeline (`fedramp-deploy pipeline`); absent: no pipeline.
    #[serde(default)]
    pub pipeline: Option<PipelineSettings>,
    /// The AWS profile of this invocation (`--profile`): not a setting of the file.
    #[serde(skip)]
    pub profile: Option<String>,
}

/// Where the pipeline takes the repository from.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PipelineSource {
    /// `fedramp-deploy pipeline` uploads the checkout it runs in (`git archive HEAD`).
    #[default]
    S3,
    /// A repository through an AWS CodeConnections connection: every push runs it.
    Connection,
}

/// The delivery pipeline in the management account (cloudformation/pipeline.yaml).
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PipelineSettings {
    #[serde(default)]
    pub source: PipelineSource,
    /// The CodeConnections connection (with `source: connection`).
    #[serde(default)]
    pub connection_arn: String,
    /// owner/name (with `source: connection`).
    #[serde(default)]
    pub repository: String,
    #[serde(default = "default_branch")]
    pub branch: String,
    /// This settings file, as a path inside the repository: what the deploy stage reads.
    #[serde(default = "default_pipeline_config")]
    pub config: String,
    /// A person approves each change before it is deployed (recorded by CodePipeline).
    #[serde(default = "default_true")]
    pub approval: bool,
}

fn default_branch() -> String {
    "main".into()
}
fn default_pipeline_config() -> String {
    "deploy.yaml".into()
}
fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Management {
    pub account_id: String,
    pub region: String,
}

/// Member accounts: an explicit list, or every account of the organization.
#[derive(Debug, Deserialize, Clone, PartialEq, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Members {
    #[serde(default)]
    pub organization: bool,
    #[serde(default)]
    pub accounts: Vec<MemberAccount>,
}

#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MemberAccount {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// How the deployer reaches member accounts to create their role stacks.
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MemberAccess {
    /// Role assumed in each member account (Organizations creates this one).
    #[serde(default = "default_access_role")]
    pub role: String,
    /// Or a named AWS profile per account id.
    #[serde(default)]
    pub profiles: BTreeMap<String, String>,
    /// Or no access to member accounts at all: a service-managed StackSet makes the
    /// role in every account of the organizational units, and in each that joins later.
    #[serde(default)]
    pub stackset: Option<StackSetSettings>,
}

impl Default for MemberAccess {
    fn default() -> Self {
        MemberAccess {
            role: default_access_role(),
            profiles: BTreeMap::new(),
            stackset: None,
        }
    }
}

/// The member role StackSet (`member-access: {stackset: {...}}`; `{}` takes every
/// default).
#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StackSetSettings {
    /// Organizational units (`ou-...`) or the root (`r-...`); empty: the root.
    #[serde(default)]
    pub organizational_units: Vec<String>,
    /// Share of accounts deployed to at once.
    #[serde(default = "default_max_concurrent")]
    pub max_concurrent_percentage: u8,
    /// Share of accounts that may fail before the operation stops.
    #[serde(default = "default_failure_tolerance")]
    pub failure_tolerance_percentage: u8,
}

impl Default for StackSetSettings {
    fn default() -> Self {
        StackSetSettings {
            organizational_units: Vec::new(),
            max_concurrent_percentage: default_max_concurrent(),
            failure_tolerance_percentage: default_failure_tolerance(),
        }
    }
}

fn default_max_concurrent() -> u8 {
    25
}
fn default_failure_tolerance() -> u8 {
    10
}

fn default_stack_name() -> String {
    "fedramp-inventory".into()
}
fn default_schedule() -> String {
    "cron(0 6 * * ? *)".into()
}
fn default_prefix() -> String {
    "inventory".into()
}
fn default_architecture() -> String {
    "arm64".into()
}
fn default_memory() -> u32 {
    // Lambda's CPU grows with memory (one vCPU at 1,769 MB); a 2 million item
    // inventory needs about 1.3 GiB (docs/benchmarks.md's capacity table).
    2048
}
fn default_fan_out_concurrency() -> usize {
    fedramp_inventory::settings::DEFAULT_FAN_OUT_CONCURRENCY
}

fn default_fan_out_batch() -> usize {
    fedramp_inventory::settings::DEFAULT_FAN_OUT_BATCH
}

fn default_concurrency() -> usize {
    fedramp_inventory::collect::DEFAULT_CONCURRENCY
}
fn default_collector_role() -> String {
    DEFAULT_MEMBER_ROLE_NAME.into()
}
fn default_deadline_margin() -> u32 {
    90
}
fn default_access_role() -> String {
    "OrganizationAccountAccessRole".into()
}

/// CloudFormation's own pattern for StackSet deployment targets.
fn is_organizational_unit(id: &str) -> bool {
    let plain = |s: &str, min: usize| {
        (min..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if let Some(root) = id.strip_prefix("r-") {
        return plain(root, 4);
    }
    match id.strip_prefix("ou-").and_then(|rest| rest.split_once('-')) {
        Some((a, b)) => plain(a, 4) && plain(b, 8),
        None => false,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl DeployConfig {
    pub fn load(path: &Path) -> Result<DeployConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        DeployConfig::parse(&text).map_err(|message| ConfigError::Invalid {
            path: shown,
            message,
        })
    }

    /// Parses and checks the settings; the message names the key (and line).
    /// The formats each run writes: as given, else what a scheduled run writes by
    /// default (the workbook, and the ports while the network facts are read).
    /// Whether the SDR has what it needs: a base SDR or the overview URI.
    pub fn sdr_configured(&self) -> bool {
        self.sdr_base.is_some() || self.sdr_overview_uri.is_some()
    }

    pub fn formats(&self) -> Formats {
        self.formats_given
            .clone()
            .unwrap_or_else(|| Formats::scheduled(self.network, self.scope, self.sdr_configured()))
    }

    pub fn parse(text: &str) -> Result<DeployConfig, String> {
        let config: DeployConfig = serde_yaml::from_str(text).map_err(|e| match e.location() {
            Some(at) => format!("line {}: {e}", at.line()),
            None => e.to_string(),
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        check_account("management.account-id", &self.management.account_id)?;
        if self.management.region.trim().is_empty() {
            return Err("management.region: required".into());
        }
        for (i, a) in self.members.accounts.iter().enumerate() {
            check_account(&format!("members.accounts[{i}].id"), &a.id)?;
        }
        let (organization, listed) = (self.members.organization, !self.members.accounts.is_empty());
        if organization && listed {
            return Err(
                "members: give either `organization: true` or a list of `accounts`, not both"
                    .into(),
            );
        }
        if !organization && !listed && self.aggregator.is_empty() {
            return Err(
                "members: give `organization: true` or a list of `accounts` (or set `aggregator`)"
                    .into(),
            );
        }
        if !organization && !listed {
            // An aggregator alone: no member role stack is made, so nothing may need one.
            use fedramp_inventory::settings::{ScanSource, ServiceReads};
            if self.service_reads == ServiceReads::MemberRoles {
                return Err("service-reads: member-roles reads ElastiCache and EKS node groups (which AWS Config does not record) through member roles, and an aggregator alone makes none: list `members` (or `organization: true`) for their roles, or set `service-reads: off` to leave those types out".into());
            }
            if self.scan_coverage == ScanSource::Inspector {
                return Err("scan-coverage: inspector reads Amazon Inspector through the member roles, and an aggregator alone makes none: list `members` (or `organization: true`)".into());
            }
        }
        self.formats()
            .check_network(self.network)
            .map_err(|m| format!("formats: {m}"))?;
        if self
            .formats()
            .contains(fedramp_inventory::outputs::Format::Sdr)
            && self.sdr_base.is_none()
        {
            let sdr = fedramp_inventory::outputs::sdr::SdrSettings {
                base: None,
                overview_uri: self.sdr_overview_uri.clone(),
            };
            sdr.check().map_err(|m| format!("formats: {m}"))?;
        }
        check_schedule(&self.schedule).map_err(|m| format!("schedule: {m}"))?;
        if let Some(oscal) = &self.oscal {
            // The same checks the function makes of OSCAL_SETTINGS.
            let text = serde_json::to_string(oscal).map_err(|e| format!("oscal: {e}"))?;
            OscalSettings::from_yaml(&text).map_err(|e| format!("oscal: {e}"))?;
        }
        if !["arm64", "x86_64"].contains(&self.architecture.as_str()) {
            return Err(format!(
                "architecture: expected arm64 or x86_64, found {:?}",
                self.architecture
            ));
        }
        // The template's bounds on the Map's MaxConcurrency and the batch.
        if !(1..=1000).contains(&self.fan_out_concurrency) {
            return Err(format!(
                "fan-out-concurrency: expected 1 to 1000 batches at once, found {}",
                self.fan_out_concurrency
            ));
        }
        if self.fan_out_batch == 0 {
            return Err("fan-out-batch: expected a positive number of account-regions".into());
        }
        if !(1..=256).contains(&self.concurrency) {
            return Err(format!(
                "concurrency: expected 1 to 256 account x region reads at once, found {}",
                self.concurrency
            ));
        }
        if !(128..=10240).contains(&self.memory) {
            return Err(format!(
                "memory: expected 128 to 10240 MB, found {}",
                self.memory
            ));
        }
        if self.report_bucket.trim() == self.artifact_bucket() {
            return Err(format!(
                "report-bucket: {:?} is the deployer's artifact bucket; reports need a bucket of their own",
                self.report_bucket
            ));
        }
        if self.report_prefix.trim_matches('/').is_empty() {
            return Err("report-prefix: must not be empty (the function's S3 permissions are granted on that prefix only)".into());
        }
        let key = self.kms_key.trim();
        if !(key.is_empty()
            || key == "create"
            || (key.starts_with("arn:") && key.contains(":key/")))
        {
            return Err(format!(
                "kms-key: expected a KMS key ARN (arn:...:key/...), create, or nothing; found {key:?}"
            ));
        }
        if !(10..=600).contains(&self.deadline_margin) {
            return Err(format!(
                "deadline-margin: expected 10 to 600 seconds, found {}",
                self.deadline_margin
            ));
        }
        if self.report_bucket.trim().is_empty() {
            return Err("report-bucket: required".into());
        }
        if let Some(pipeline) = &self.pipeline {
            self.check_pipeline(pipeline)?;
        }
        if let Some(stackset) = &self.member_access.stackset {
            self.check_stackset(stackset)?;
        }
        Ok(())
    }

    fn check_stackset(&self, stackset: &StackSetSettings) -> Result<(), String> {
        if !self.member_access.profiles.is_empty() {
            return Err("member-access: give either `stackset` or `profiles`, not both".into());
        }
        if !(1..=100).contains(&stackset.max_concurrent_percentage) {
            return Err(format!(
                "member-access.stackset.max-concurrent-percentage: expected 1 to 100, found {}",
                stackset.max_concurrent_percentage
            ));
        }
        if stackset.failure_tolerance_percentage > 100 {
            return Err(format!(
                "member-access.stackset.failure-tolerance-percentage: expected 0 to 100, found {}",
                stackset.failure_tolerance_percentage
            ));
        }
        for (i, ou) in stackset.organizational_units.iter().enumerate() {
            if !is_organizational_unit(ou) {
                return Err(format!(
                    "member-access.stackset.organizational-units[{i}]: expected an OU id (ou-xxxx-xxxxxxxx) or the root (r-xxxx), found {ou:?}"
                ));
            }
        }
        Ok(())
    }

    fn check_pipeline(&self, pipeline: &PipelineSettings) -> Result<(), String> {
        let connection = pipeline.source == PipelineSource::Connection;
        let arn = pipeline.connection_arn.trim();
        let arn_ok = arn.starts_with("arn:")
            && (arn.contains(":codeconnections:") || arn.contains(":codestar-connections:"))
            && arn.contains(":connection/");
        if connection && !arn_ok {
            return Err(format!(
                "pipeline.connection-arn: source: connection needs a CodeConnections connection ARN (arn:...:codeconnections:...:connection/...), found {arn:?}"
            ));
        }
        if connection
            && pipeline
                .repository
                .split('/')
                .filter(|p| !p.is_empty())
                .count()
                != 2
        {
            return Err(format!(
                "pipeline.repository: expected owner/name, found {:?}",
                pipeline.repository
            ));
        }
        if !connection && (!arn.is_empty() || !pipeline.repository.is_empty()) {
            return Err("pipeline: connection-arn and repository go with `source: connection`; the S3 source is the checkout `fedramp-deploy pipeline` runs in".into());
        }
        if pipeline.config.trim().is_empty() || pipeline.config.starts_with('/') {
            return Err(format!(
                "pipeline.config: expected this settings file's path inside the repository, found {:?}",
                pipeline.config
            ));
        }
        // The pipeline's roles are scoped to names that begin with the stack name, and
        // S3 lower-cases the bucket names CloudFormation makes from it.
        let name_ok = self
            .stack_name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            return Err(format!(
                "pipeline: stack-name must be lower-case letters, digits and hyphens for the pipeline (its permissions name resources by it), found {:?}",
                self.stack_name
            ));
        }
        // Its deploy role holds what `deploy` needs for member role stacks; the StackSet
        // calls are not in it yet, and an AccessDenied in CodeBuild is no way to learn it.
        if self.member_access.stackset.is_some() {
            return Err("pipeline: the pipeline's deploy role does not hold the CloudFormation StackSet actions yet; with a pipeline use member-access.role, or run `fedramp-deploy deploy` for member-access.stackset yourself".into());
        }
        // The deploy stage runs in CodeBuild: no one's named profiles are there.
        if !self.member_access.profiles.is_empty() {
            return Err("pipeline: member-access.profiles name profiles on this computer, which the pipeline's deploy stage does not have; use member-access.role".into());
        }
        Ok(())
    }

    /// Whether the function uses FIPS endpoints: as set, else on in GovCloud.
    pub fn fips(&self) -> bool {
        self.fips
            .unwrap_or_else(|| fedramp_inventory::aws::fips_by_default(&self.management.region))
    }

    /// Days without a successful run before the alarm: the schedule's period and a
    /// day's margin, at most the 7 days a CloudWatch alarm can look back.
    pub fn heartbeat_days(&self) -> u32 {
        let expr = self.schedule.trim();
        let days = if let Some(inner) = expr.strip_prefix("rate(").and_then(|s| s.strip_suffix(')'))
        {
            let mut parts = inner.split_whitespace();
            let n: u32 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(1);
            match parts.next() {
                Some(u) if u.starts_with("day") => n + 1,
                Some(u) if u.starts_with("hour") => n.div_ceil(24) + 1,
                _ => 2,
            }
        } else {
            // cron(min hour day-of-month month day-of-week year): daily when both day
            // fields are open, else weekly or rarer.
            let fields: Vec<&str> = expr
                .trim_start_matches("cron(")
                .trim_end_matches(')')
                .split_whitespace()
                .collect();
            let open = |f: Option<&&str>| f.is_some_and(|f| *f == "*" || *f == "?");
            if open(fields.get(2)) && open(fields.get(4)) {
                2
            } else {
                7
            }
        };
        days.clamp(1, 7)
    }

    pub fn collector_stack(&self) -> String {
        format!("{}-collector", self.stack_name)
    }

    pub fn pipeline_stack(&self) -> String {
        format!("{}-pipeline", self.stack_name)
    }

    /// The member role StackSet's name.
    pub fn member_stackset(&self) -> String {
        format!("{}-member-role", self.stack_name)
    }

    pub fn member_stack(&self) -> String {
        format!("{}-member-role", self.stack_name)
    }

    /// Where function packages go: one bucket per management account and region.
    pub fn artifact_bucket(&self) -> String {
        format!(
            "{}-artifacts-{}-{}",
            self.stack_name, self.management.account_id, self.management.region
        )
    }
}

fn check_account(key: &str, id: &str) -> Result<(), String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("{key}: {id:?} is not a 12-digit account id"))
    }
}

/// EventBridge schedules: `rate(N unit)` or `cron(min hour day-of-month month
/// day-of-week year)`, where one of the two day fields must be `?`.
pub fn check_schedule(expr: &str) -> Result<(), String> {
    let expr = expr.trim();
    if let Some(inner) = expr.strip_prefix("rate(").and_then(|s| s.strip_suffix(')')) {
        let mut parts = inner.split_whitespace();
        let (n, unit) = (parts.next(), parts.next());
        let n: u32 = n
            .and_then(|n| n.parse().ok())
            .filter(|n| *n > 0)
            .ok_or(format!("{expr:?}: rate needs a positive whole number"))?;
        let units: &[&str] = if n == 1 {
            &["minute", "hour", "day"]
        } else {
            &["minutes", "hours", "days"]
        };
        return match (unit, parts.next()) {
            (Some(u), None) if units.contains(&u) => Ok(()),
            _ => Err(format!(
                "{expr:?}: expected rate(1 day) or rate(N days|hours|minutes)"
            )),
        };
    }
    if let Some(inner) = expr.strip_prefix("cron(").and_then(|s| s.strip_suffix(')')) {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        if fields.len() != 6 {
            return Err(format!("{expr:?}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), found {}", fields.len()));
        }
        if fields[2] != "?" && fields[4] != "?" {
            return Err(format!(
                "{expr:?}: one of day-of-month and day-of-week must be ?"
            ));
        }
        let allowed = |f: &str| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || ",-*/?LW#".contains(c))
        };
        if let Some(bad) = fields.iter().find(|f| f.is_empty() || !allowed(f)) {
            return Err(format!("{expr:?}: {bad:?} is not a cron field"));
        }
        return Ok(());
    }
    Err(format!("{expr:?}: expected cron(...) or rate(...)"))
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
