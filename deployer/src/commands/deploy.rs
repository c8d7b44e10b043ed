//! `fedramp-deploy deploy`: package, upload, collector stack, member role stacks.

use std::io::Write;
use std::path::PathBuf;

use aws_sdk_cloudformation::types::Parameter;
use aws_sdk_cloudformation::Client;

use super::{COLLECTOR_TEMPLATE, MEMBER_TEMPLATE};
use crate::accounts::{management, member_session, members};
use crate::config::DeployConfig;
use crate::stacks::{self, Deployed};
use crate::{package, params, stackset};

pub async fn run(
    config: &DeployConfig,
    package_file: Option<PathBuf>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<i32> {
    let (base, me) = management(config).await?;
    let scope = crate::accounts::scope(config, &base, &me.partition).await?;
    // Checked before anything is made: trusted access is the customer's to turn on.
    let units = match &config.member_access.stackset {
        Some(settings) => {
            stackset::check_trusted_access(&base).await?;
            Some(stackset::units(&base, settings).await?)
        }
        None => None,
    };
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
    let stack = config.collector_stack();
    let bucket_exists = report_bucket_adopted(&cf, &stack, config, &base).await?;
    let params = params::collector(config, &scope, &code_bucket, &code_key, bucket_exists);
    let collector = stacks::deploy(&cf, &stack, COLLECTOR_TEMPLATE, &params, out).await;
    let collector = match collector {
        Ok(d) => d,
        Err(e) => {
            writeln!(out, "FAILED: {e}")?;
            writeln!(out, "nothing was deployed to member accounts; run `fedramp-deploy teardown` to remove what the collector stack left")?;
            return Ok(1);
        }
    };
    let outputs = stacks::outputs(&cf, &stack).await?;
    let role_arn = stacks::output(&outputs, "ExecutionRoleArn").unwrap_or_default();

    if let (Some(settings), Some(units)) = (&config.member_access.stackset, units) {
        let name = config.member_stackset();
        let desired = stackset_desired(config, &scope, &role_arn, units);
        return match stackset::deploy(&cf, &name, &desired, settings, out).await {
            Ok(d) if d == Deployed::NoChanges && collector == Deployed::NoChanges => {
                writeln!(out, "no changes")?;
                Ok(0)
            }
            Ok(_) => {
                writeln!(
                    out,
                    "deployed: collector stack {stack} and member role StackSet {name} (in every account of {})",
                    desired.units.join(", ")
                )?;
                Ok(0)
            }
            Err(e) => {
                writeln!(out, "FAILED: {e:#}")?;
                writeln!(
                    out,
                    "the collector stack is deployed; the member role StackSet is not complete"
                )?;
                Ok(1)
            }
        };
    }

    let accounts = members(config, &base).await?;
    let mut tasks = tokio::task::JoinSet::new();
    for account in accounts.clone() {
        let (config, base, me, role_arn, scope) = (
            config.clone(),
            base.clone(),
            me.clone(),
            role_arn.clone(),
            scope.clone(),
        );
        tasks.spawn(async move {
            let session = member_session(&config, &base, &me, &account)
                .await
                .map_err(|e| format!("cannot reach account {account}: {e}"))?;
            let cf = Client::new(&session);
            let mut out = std::io::stdout();
            stacks::deploy(
                &cf,
                &config.member_stack(),
                MEMBER_TEMPLATE,
                &params::member(&config, &scope, &role_arn),
                &mut out,
            )
            .await
            .map(|d| (account.clone(), d))
            .map_err(|e| format!("account {account}: {e}"))
        });
    }
    let mut failed = Vec::new();
    let mut changed = collector != Deployed::NoChanges;
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok((_, d))) => changed |= d != Deployed::NoChanges,
            Ok(Err(e)) => failed.push(e),
            Err(e) => failed.push(format!("internal: {e}")),
        }
    }
    if !failed.is_empty() {
        for f in &failed {
            writeln!(out, "FAILED: {f}")?;
        }
        writeln!(
            out,
            "the collector stack is deployed; {} of {} member accounts are not",
            failed.len(),
            accounts.len()
        )?;
        return Ok(1);
    }
    if changed {
        writeln!(
            out,
            "deployed: collector stack {stack} and {} member role stacks",
            accounts.len()
        )?;
    } else {
        writeln!(out, "no changes")?;
    }
    Ok(0)
}

/// The member role StackSet as the settings want it.
pub fn stackset_desired(
    config: &DeployConfig,
    scope: &crate::accounts::Scope,
    role_arn: &str,
    units: Vec<String>,
) -> stackset::Desired {
    stackset::Desired {
        template: MEMBER_TEMPLATE.to_string(),
        parameters: params::member(config, scope, role_arn)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
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
