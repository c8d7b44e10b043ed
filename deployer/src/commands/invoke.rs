//! `fedramp-deploy invoke`: run the collector once now (the function, or with fan-out its
//! state machine) and print its run result.

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
    let output = |name: &str| {
        outputs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    // Fanned out, the schedule starts the state machine: so does a run now.
    let answer = match output("StateMachineArn") {
        Some(machine) => execute(&base, &machine, out).await?,
        None => {
            let function = output("FunctionName").ok_or_else(|| {
                anyhow::anyhow!("the collector stack has no FunctionName output: deploy first")
            })?;
            invoke(&base, &function, out).await?
        }
    };
    let Some(payload) = answer else {
        return Ok(1);
    };
    print_result(&payload, out)
}

/// The function invoked once: its answer, or `None` when it failed (said on `out`).
async fn invoke(
    base: &aws_config::SdkConfig,
    function: &str,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<Option<String>> {
    let event =
        br#"{"source": "fedramp-deploy", "detail-type": "Manual Invocation", "detail": {}}"#;
    let answer = aws_sdk_lambda::Client::new(base)
        .invoke()
        .function_name(function)
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
        return Ok(None);
    }
    Ok(Some(payload))
}

/// One execution of the state machine, waited for: the merge's answer (or the single
/// run's, below the auto threshold), or `None` when it did not succeed.
async fn execute(
    base: &aws_config::SdkConfig,
    machine: &str,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<Option<String>> {
    let client = aws_sdk_sfn::Client::new(base);
    // Named by the time it starts, as the run's working prefix is.
    let name = chrono::Utc::now()
        .format("manual-%Y-%m-%dT%H-%M-%SZ")
        .to_string();
    let started = client
        .start_execution()
        .state_machine_arn(machine)
        .name(&name)
        .input(r#"{"source": "fedramp-deploy", "detail-type": "Manual Invocation"}"#)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("states:StartExecution {machine} failed: {}", describe(&e)))?;
    let execution = started.execution_arn().to_string();
    writeln!(out, "started {execution}")?;
    loop {
        let described = client
            .describe_execution()
            .execution_arn(&execution)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "states:DescribeExecution {execution} failed: {}",
                    describe(&e)
                )
            })?;
        match described.status().as_str() {
            "RUNNING" | "PENDING_REDRIVE" => {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
            "SUCCEEDED" => return Ok(Some(described.output().unwrap_or_default().to_string())),
            other => {
                writeln!(
                    out,
                    "the run's execution ended {other}: {} {}",
                    described.error().unwrap_or_default(),
                    described.cause().unwrap_or_default()
                )?;
                return Ok(None);
            }
        }
    }
}

fn print_result(payload: &str, out: &mut (dyn Write + Send)) -> anyhow::Result<i32> {
    // The run result is the library's own type: a field renamed there is caught here.
    let result: RunOutcome = match serde_json::from_str(payload) {
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
