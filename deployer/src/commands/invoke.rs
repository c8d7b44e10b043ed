//! `fedramp-deploy invoke`: run the function once now and print its run result.

use std::io::Write;

use aws_sdk_cloudformation::Client;
use aws_sdk_lambda::primitives::Blob;
use fedramp_inventory::aws::describe;
use fedramp_inventory::collect::{RunOutcome, RunStatus};

use crate::accounts::management;
use crate::config::DeployConfig;
use crate::stacks;

pub async fn run(config: &DeployConfig, out: &mut (dyn Write + Send)) -> anyhow::Result<i32> {
    let (base, _) = management(config).await?;
    let outputs = stacks::outputs(&Client::new(&base), &config.collector_stack()).await?;
    let function = outputs
        .iter()
        .find(|(k, _)| k == "FunctionName")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| {
            anyhow::anyhow!("the collector stack has no FunctionName output: deploy first")
        })?;
    let event =
        br#"{"source": "fedramp-deploy", "detail-type": "Manual Invocation", "detail": {}}"#;
    let answer = aws_sdk_lambda::Client::new(&base)
        .invoke()
        .function_name(&function)
        .payload(Blob::new(event.to_vec()))
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("lambda:Invoke {function} failed: {}", describe(&e)))?;
    let payload = answer
        .payload()
        .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned())
        .unwrap_or_default();
    if let Some(error) = answer.function_error() {
        writeln!(out, "the function failed ({error}): {payload}")?;
        return Ok(1);
    }
    // The run result is the library's own type: a field renamed there is caught here.
    let result: RunOutcome = match serde_json::from_str(&payload) {
        Ok(r) => r,
        Err(e) => {
            writeln!(
                out,
                "the function answered something that is not a run result ({e}): {payload}"
            )?;
            return Ok(1);
        }
    };
    writeln!(out, "{}", serde_json::to_string_pretty(&result)?)?;
    for artifact in &result.artifacts {
        if let Some(uri) = &artifact.s3_uri {
            writeln!(out, "delivered: {uri}")?;
        }
    }
    if let Some(report) = result.report.as_ref().and_then(|r| r.s3_uri.as_deref()) {
        writeln!(out, "report: {report}")?;
    }
    Ok(match result.status {
        RunStatus::Ok => 0,
        RunStatus::Partial => 2,
        RunStatus::Failed => 1,
    })
}
