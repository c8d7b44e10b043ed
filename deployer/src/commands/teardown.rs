//! `fedramp-deploy teardown`: member role stacks, the collector stack and the
//! artifact bucket go; the report bucket and its reports stay unless `--delete-reports`.

use std::io::{BufRead, Write};

use aws_sdk_cloudformation::Client;

use crate::accounts::{management, member_session, members};
use crate::config::DeployConfig;
use crate::{package, stacks};

pub async fn run(
    config: &DeployConfig,
    delete_reports: bool,
    yes: bool,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<i32> {
    if delete_reports && !yes && !confirm(&config.report_bucket, out)? {
        writeln!(out, "not confirmed: nothing was deleted")?;
        return Ok(1);
    }
    let (base, me) = management(config).await?;
    let mut failed = Vec::new();
    for account in members(config, &base).await? {
        let result = async {
            let session = member_session(config, &base, &me, &account)
                .await
                .map_err(anyhow::Error::msg)?;
            stacks::delete(&Client::new(&session), &config.member_stack(), out)
                .await
                .map_err(anyhow::Error::from)
        }
        .await;
        if let Err(e) = result {
            failed.push(format!("account {account}: {e}"));
        }
    }
    if let Err(e) = stacks::delete(&Client::new(&base), &config.collector_stack(), out).await {
        failed.push(e.to_string());
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
