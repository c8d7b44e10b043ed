//! `fedramp-deploy plan`: what deploy would create, update or delete; changes nothing
//! (its change sets are deleted unexecuted).

use std::io::Write;

use aws_sdk_cloudformation::Client;

use super::{COLLECTOR_TEMPLATE, MEMBER_TEMPLATE, PIPELINE_TEMPLATE};
use crate::accounts::{management, member_session, members};
use crate::commands::deploy::{report_bucket_adopted, stackset_desired};
use crate::config::DeployConfig;
use crate::{package, params, stacks, stackset};

pub async fn run(config: &DeployConfig, out: &mut (dyn Write + Send)) -> anyhow::Result<i32> {
    let (base, me) = management(config).await?;
    let scope = crate::accounts::scope(config, &base, &me.partition).await?;
    let units = match &config.member_access.stackset {
        Some(settings) => {
            stackset::check_trusted_access(&base).await?;
            Some(stackset::units(&base, settings).await?)
        }
        None => None,
    };
    let cf = Client::new(&base);
    let stack = config.collector_stack();
    let bucket_exists = report_bucket_adopted(&cf, &stack, config, &base).await?;
    // The package is not built for a plan: the code key stays what it is.
    let code_key = current_parameter(&cf, &stack, "CodeKey")
        .await
        .unwrap_or_else(|| package::key_for(b"not built yet"));
    let params = params::collector(
        config,
        &scope,
        &config.artifact_bucket(),
        &code_key,
        bucket_exists,
    );
    print_plan(&cf, &stack, COLLECTOR_TEMPLATE, &params, "management", out).await?;
    let role_arn = stacks::outputs(&cf, &stack)
        .await
        .ok()
        .and_then(|o| stacks::output(&o, "ExecutionRoleArn"))
        .unwrap_or_else(|| {
            format!(
                "arn:{}:iam::{}:role/not-created-yet",
                me.partition, config.management.account_id
            )
        });
    if let Some(pipeline) = &config.pipeline {
        let params = params::pipeline(config, pipeline, &scope);
        let stack = config.pipeline_stack();
        print_plan(&cf, &stack, PIPELINE_TEMPLATE, &params, "management", out).await?;
    }
    if let Some(units) = units {
        let name = config.member_stackset();
        let desired = stackset_desired(config, &scope, &role_arn, units);
        let current = stackset::current(&cf, &name).await?;
        let steps = stackset::steps(current.as_ref(), &desired);
        if steps.is_empty() {
            writeln!(out, "management {name} (StackSet): no changes")?;
        }
        for step in steps {
            writeln!(
                out,
                "management {name} (StackSet): {}",
                step.describe(&desired.region)
            )?;
        }
        return Ok(0);
    }
    for account in members(config, &base).await? {
        let session = member_session(config, &base, &me, &account)
            .await
            .map_err(anyhow::Error::msg)?;
        let cf = Client::new(&session);
        print_plan(
            &cf,
            &config.member_stack(),
            MEMBER_TEMPLATE,
            &params::member(config, &scope, &role_arn),
            &account,
            out,
        )
        .await?;
    }
    Ok(0)
}

async fn print_plan(
    cf: &Client,
    stack: &str,
    template: &str,
    params: &[(&str, String)],
    account: &str,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let planned = stacks::change_set(cf, stack, template, params).await?;
    stacks::drop_change_set(cf, stack, &planned.name).await;
    if !planned.stack_existed {
        // A CREATE change set leaves an empty stack in REVIEW_IN_PROGRESS: remove it.
        let _ = cf.delete_stack().stack_name(stack).send().await;
    }
    if planned.changes.is_empty() {
        writeln!(out, "{account} {stack}: no changes")?;
    }
    for (action, id, kind) in planned.changes {
        writeln!(out, "{account} {stack}: {action} {id} ({kind})")?;
    }
    Ok(())
}

async fn current_parameter(cf: &Client, stack: &str, key: &str) -> Option<String> {
    let described = cf.describe_stacks().stack_name(stack).send().await.ok()?;
    let stack = described.stacks().first()?;
    stack
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some(key))
        .and_then(|p| p.parameter_value().map(String::from))
}
