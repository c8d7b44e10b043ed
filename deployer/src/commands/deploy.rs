//! `fedramp-deploy deploy`: package, upload, collector stack, member role stacks.

use std::io::Write;
use std::path::PathBuf;

use aws_sdk_cloudformation::types::Parameter;
use aws_sdk_cloudformation::Client;

use super::{COLLECTOR_TEMPLATE, MEMBER_TEMPLATE};
use crate::accounts::{management, member_session, members};
use crate::config::DeployConfig;
use crate::stacks::{self, Deployed};
use crate::{package, params};

pub async fn run(
    config: &DeployConfig,
    package_file: Option<PathBuf>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<i32> {
    let (base, partition) = management(config).await?;
    let package_file = match package_file {
        Some(p) => p,
        None => package::build(&workspace_root(), &config.architecture)?,
    };
    let code_bucket = config.artifact_bucket();
    let code_key = package::upload(&base, &code_bucket, &package_file).await?;
    writeln!(out, "package: s3://{code_bucket}/{code_key}")?;

    let cf = Client::new(&base);
    let stack = config.collector_stack();
    let bucket_exists = report_bucket_adopted(&cf, &stack, config, &base).await?;
    let params = params::collector(config, &code_bucket, &code_key, bucket_exists);
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
    let role_arn = outputs
        .iter()
        .find(|(k, _)| k == "ExecutionRoleArn")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();

    let accounts = members(config, &base).await?;
    let mut tasks = tokio::task::JoinSet::new();
    for account in accounts.clone() {
        let (config, base, partition, role_arn) = (
            config.clone(),
            base.clone(),
            partition.clone(),
            role_arn.clone(),
        );
        tasks.spawn(async move {
            let session = member_session(&config, &base, &partition, &account)
                .await
                .map_err(|e| format!("cannot reach account {account}: {e}"))?;
            let cf = Client::new(&session);
            let mut out = std::io::stdout();
            stacks::deploy(
                &cf,
                &config.member_stack(),
                MEMBER_TEMPLATE,
                &params::member(&config, &role_arn),
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
    Ok(s3
        .head_bucket()
        .bucket(&config.report_bucket)
        .send()
        .await
        .is_ok())
}

/// The workspace root: the deployer is run from it (or from a built checkout).
fn workspace_root() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}
