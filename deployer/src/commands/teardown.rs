//! `fedramp-deploy teardown`: member role stacks, the collector stack and the
//! artifact bucket go; the report bucket and its reports stay unless `--delete-reports`.

use std::io::{BufRead, Write};

use aws_sdk_cloudformation::Client;

use crate::accounts::{management, member_session, members};
use crate::config::DeployConfig;
use crate::stack_list::{stack_list, Part, Placement};
use crate::{package, stacks, stackset};

/// What teardown removes besides the collector and member stacks.
pub struct Remove {
    /// The report bucket and every report in it.
    pub reports: bool,
    /// Asked for on the command line (`--yes`): no prompt before deleting reports.
    pub confirmed: bool,
    /// The delivery pipeline's stack and bucket.
    pub pipeline: bool,
}

pub async fn run(
    config: &DeployConfig,
    what: Remove,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<i32> {
    let delete_reports = what.reports;
    if delete_reports && !what.confirmed && !confirm(&config.report_bucket, out)? {
        writeln!(out, "not confirmed: nothing was deleted")?;
        return Ok(1);
    }
    let (base, me) = management(config).await?;
    let mut failed = Vec::new();
    let cf = Client::new(&base);
    // Backwards through what deploy made: the pipeline first, so that it cannot deploy
    // again what is being removed, and the collector after the roles that trust it.
    for entry in stack_list(config, true).iter().rev() {
        let result = match (entry.part, &entry.placement) {
            (Part::Pipeline, _) if !what.pipeline => {
                if stacks::status(&cf, &entry.name).await?.is_some() {
                    writeln!(
                        out,
                        "pipeline stack {} kept (--pipeline removes it)",
                        entry.name
                    )?;
                }
                Ok(())
            }
            (Part::Pipeline, _) => delete_pipeline(&cf, &base, config, out).await,
            (_, Placement::Management) => stacks::delete(&cf, &entry.name, out)
                .await
                .map(|_| ())
                .map_err(anyhow::Error::from),
            (_, Placement::StackSet(_)) => {
                stackset::delete(&cf, &entry.name, out).await.map(|_| ())
            }
            (_, Placement::EachMember) => {
                // A StackSet left from when the settings asked for one goes too.
                let leftover = config.member_stackset();
                if let Ok(Some(_)) = stackset::current(&cf, &leftover).await {
                    if let Err(e) = stackset::delete(&cf, &leftover, out).await {
                        failed.push(format!("{e:#}"));
                    }
                }
                for account in members(config, &base).await? {
                    let result = async {
                        let session = member_session(config, &base, &me, &account)
                            .await
                            .map_err(anyhow::Error::msg)?;
                        stacks::delete(&Client::new(&session), &entry.name, out)
                            .await
                            .map_err(anyhow::Error::from)
                    }
                    .await;
                    if let Err(e) = result {
                        failed.push(format!("account {account}: {e}"));
                    }
                }
                Ok(())
            }
        };
        if let Err(e) = result {
            failed.push(format!("{e:#}"));
        }
    }
    match package::delete_bucket(
        &base,
        &config.artifact_bucket(),
        &config.management.account_id,
    )
    .await
    {
        Ok(true) => writeln!(out, "artifact bucket {} deleted", config.artifact_bucket())?,
        Ok(false) => {}
        Err(e) => failed.push(e.to_string()),
    }
    if delete_reports {
        match package::delete_bucket(&base, &config.report_bucket, &config.management.account_id)
            .await
        {
            Ok(true) => writeln!(
                out,
                "report bucket {} and every report in it deleted",
                config.report_bucket
            )?,
            Ok(false) => writeln!(out, "report bucket {} not there", config.report_bucket)?,
            Err(e) => failed.push(e.to_string()),
        }
    } else {
        writeln!(
            out,
            "report bucket {} kept with its reports (--delete-reports removes them)",
            config.report_bucket
        )?;
    }
    for f in &failed {
        writeln!(out, "FAILED: {f}")?;
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
}

/// The pipeline's bucket (source, artifacts, cache: all rebuilt from the repository)
/// is emptied, then the stack deletes it; build logs are kept (DeletionPolicy: Retain).
async fn delete_pipeline(
    cf: &Client,
    base: &aws_config::SdkConfig,
    config: &DeployConfig,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let stack = config.pipeline_stack();
    if stacks::status(cf, &stack).await?.is_none() {
        writeln!(out, "pipeline stack {stack} not there")?;
        return Ok(());
    }
    let outputs = stacks::outputs(cf, &stack).await?;
    if let Some(bucket) = stacks::output(&outputs, "PipelineBucketName") {
        if package::empty_bucket(base, &bucket, &config.management.account_id).await? {
            writeln!(out, "pipeline bucket {bucket} emptied")?;
        }
    }
    stacks::delete(cf, &stack, out).await?;
    Ok(())
}

fn confirm(bucket: &str, out: &mut (dyn Write + Send)) -> anyhow::Result<bool> {
    write!(
        out,
        "This deletes every report in {bucket}. Type the bucket name to confirm: "
    )?;
    out.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == bucket)
}
