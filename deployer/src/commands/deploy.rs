//! `fedramp-deploy deploy`: package, upload, collector stack, member role stacks.

use std::io::Write;
use std::path::PathBuf;

use aws_sdk_cloudformation::types::Parameter;
use aws_sdk_cloudformation::Client;

use crate::accounts::{management, member_session, members};
use crate::config::DeployConfig;
use crate::stack_list::{collector_role_arn, stack_list, Context, Entry, Part, Placement};
use crate::stacks::{self, Deployed};
use crate::{package, stackset};

pub async fn run(
    config: &DeployConfig,
    package_file: Option<PathBuf>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<i32> {
    let (base, me) = management(config).await?;
    let scope = crate::accounts::scope(config, &base, &me.partition).await?;
    let list = stack_list(config, false);
    // Checked before anything is made: trusted access is the customer's to turn on.
    let units = stackset_units(&base, &list).await?;
    let package_file = match package_file {
        Some(p) => p,
        None => package::build(&workspace_root(), &config.architecture)?,
    };
    let code_bucket = config.artifact_bucket();
    let code_key = package::upload(
        &base,
        &code_bucket,
        &config.management.account_id,
        &package_file,
    )
    .await?;
    writeln!(out, "package: s3://{code_bucket}/{code_key}")?;

    let cf = Client::new(&base);
    let mut context = Context {
        bucket_exists: report_bucket_adopted(&cf, &config.collector_stack(), config, &base).await?,
        scope,
        code_bucket,
        code_key,
        collector_role_arn: String::new(),
    };
    let mut changed = false;
    let mut done = Vec::new();
    for entry in &list {
        let params = entry.parameters(config, &context);
        let result = match &entry.placement {
            Placement::Management => stacks::deploy(&cf, &entry.name, entry.template, &params, out)
                .await
                .map(|d| (d, format!("{} stack {}", part_name(entry.part), entry.name)))
                .map_err(|e| vec![e.to_string()]),
            Placement::EachMember => {
                let accounts = members(config, &base).await?;
                deploy_each_member(config, &base, &me, entry, &params, &accounts)
                    .await
                    .map(|d| (d, format!("{} member role stacks", accounts.len())))
            }
            Placement::StackSet(settings) => {
                let desired =
                    stackset_desired(entry, &params, units.clone().unwrap_or_default(), config);
                stackset::deploy(&cf, &entry.name, &desired, settings, out)
                    .await
                    .map(|d| {
                        (
                            d,
                            format!(
                                "member role StackSet {} (in every account of {})",
                                entry.name,
                                desired.units.join(", ")
                            ),
                        )
                    })
                    .map_err(|e| vec![format!("{e:#}")])
            }
        };
        match result {
            Ok((deployed, what)) => {
                changed |= deployed != Deployed::NoChanges;
                done.push(what);
            }
            Err(failures) => {
                for f in &failures {
                    writeln!(out, "FAILED: {f}")?;
                }
                let made = if done.is_empty() {
                    "nothing else was deployed".to_string()
                } else {
                    format!("deployed: {}", done.join(", "))
                };
                writeln!(out, "{made}; not complete: {}; run deploy again, or `fedramp-deploy teardown` to remove it", entry.name)?;
                return Ok(1);
            }
        }
        if entry.part == Part::Collector {
            context.collector_role_arn = collector_role_arn(&cf, config).await.unwrap_or_default();
        }
    }
    if changed {
        writeln!(out, "deployed: {}", done.join(" and "))?;
    } else {
        writeln!(out, "no changes")?;
    }
    Ok(0)
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Collector => "collector",
        Part::MemberRole => "member role",
        Part::Pipeline => "pipeline",
    }
}

/// The member role stack in every account at once; the failures, one per account.
async fn deploy_each_member(
    config: &DeployConfig,
    base: &aws_config::SdkConfig,
    me: &fedramp_inventory::aws::Caller,
    entry: &Entry,
    params: &[(&'static str, String)],
    accounts: &[String],
) -> Result<Deployed, Vec<String>> {
    let mut tasks = tokio::task::JoinSet::new();
    for account in accounts {
        let (account, config, base, me, entry, params) = (
            account.clone(),
            config.clone(),
            base.clone(),
            me.clone(),
            entry.clone(),
            params.to_vec(),
        );
        tasks.spawn(async move {
            let session = member_session(&config, &base, &me, &account)
                .await
                .map_err(|e| format!("cannot reach account {account}: {e}"))?;
            let mut out = std::io::stdout();
            stacks::deploy(
                &Client::new(&session),
                &entry.name,
                entry.template,
                &params,
                &mut out,
            )
            .await
            .map_err(|e| format!("account {account}: {e}"))
        });
    }
    let (mut failed, mut changed) = (Vec::new(), false);
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(d)) => changed |= d != Deployed::NoChanges,
            Ok(Err(e)) => failed.push(e),
            Err(e) => failed.push(format!("internal: {e}")),
        }
    }
    if !failed.is_empty() {
        failed.sort();
        failed.push(format!(
            "{} of {} member accounts are not deployed",
            failed.len(),
            accounts.len()
        ));
        return Err(failed);
    }
    Ok(if changed {
        Deployed::Updated
    } else {
        Deployed::NoChanges
    })
}

/// With a member role StackSet in the list: trusted access checked, and its units.
pub async fn stackset_units(
    base: &aws_config::SdkConfig,
    list: &[Entry],
) -> anyhow::Result<Option<Vec<String>>> {
    for entry in list {
        if let Placement::StackSet(settings) = &entry.placement {
            stackset::check_trusted_access(base).await?;
            return Ok(Some(stackset::units(base, settings).await?));
        }
    }
    Ok(None)
}

/// The member role StackSet as the settings want it.
pub fn stackset_desired(
    entry: &Entry,
    params: &[(&'static str, String)],
    units: Vec<String>,
    config: &DeployConfig,
) -> stackset::Desired {
    stackset::Desired {
        template: entry.template.to_string(),
        parameters: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        units,
        region: config.management.region.clone(),
    }
}

/// Whether the report bucket is used rather than created: kept from the current stack,
/// or true when the bucket outlived an earlier (torn down) stack.
pub async fn report_bucket_adopted(
    cf: &Client,
    stack: &str,
    config: &DeployConfig,
    base: &aws_config::SdkConfig,
) -> anyhow::Result<bool> {
    if stacks::status(cf, stack).await?.is_some() {
        let described = cf.describe_stacks().stack_name(stack).send().await?;
        let current = described
            .stacks()
            .first()
            .map(|s| s.parameters().to_vec())
            .unwrap_or_default();
        return Ok(current.iter().any(|p: &Parameter| {
            p.parameter_key() == Some("ReportBucketExists") && p.parameter_value() == Some("true")
        }));
    }
    let s3 = fedramp_inventory::aws::s3_client(base);
    let bucket = &config.report_bucket;
    let owner = &config.management.account_id;
    if s3.head_bucket().bucket(bucket).send().await.is_err() {
        return Ok(false);
    }
    // A bucket that outlived a stack is adopted only when it is ours and as safe as the
    // stack would have made it.
    let mut missing = Vec::new();
    let owned = s3
        .head_bucket()
        .bucket(bucket)
        .expected_bucket_owner(owner)
        .send()
        .await
        .is_ok();
    if !owned {
        missing.push(format!("ownership by the management account {owner}"));
    } else {
        let blocked = s3
            .get_public_access_block()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .send()
            .await
            .ok()
            .and_then(|r| r.public_access_block_configuration().cloned())
            .is_some_and(|c| {
                c.block_public_acls() == Some(true)
                    && c.block_public_policy() == Some(true)
                    && c.ignore_public_acls() == Some(true)
                    && c.restrict_public_buckets() == Some(true)
            });
        if !blocked {
            missing.push("all four block-public-access settings".to_string());
        }
        let encrypted = s3
            .get_bucket_encryption()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .send()
            .await
            .is_ok();
        if !encrypted {
            missing.push("default encryption".to_string());
        }
        let tls_only = s3
            .get_bucket_policy()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .send()
            .await
            .ok()
            .and_then(|r| r.policy().map(|p| p.contains("aws:SecureTransport")))
            .unwrap_or(false);
        if !tls_only {
            missing.push("a policy denying requests without TLS (aws:SecureTransport)".to_string());
        }
    }
    if !missing.is_empty() {
        anyhow::bail!(
            "the report bucket {bucket} exists but is not adopted: it lacks {}; fix it or name another report-bucket. Nothing was changed",
            missing.join(", ")
        );
    }
    Ok(true)
}

/// The workspace root: the deployer is run from it (or from a built checkout).
fn workspace_root() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}
