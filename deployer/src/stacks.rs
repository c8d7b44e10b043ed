//! CloudFormation through change sets: see what would change, change it, follow its
//! events, and say plainly when nothing changed or what failed.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, Parameter, StackStatus,
};
use aws_sdk_cloudformation::Client;
use fedramp_inventory::aws::describe;

/// What deploying a stack did.
#[derive(Debug, PartialEq, Eq)]
pub enum Deployed {
    NoChanges,
    Created,
    Updated,
}

/// One planned change: action (Add, Modify, Remove), logical id, type.
pub type Change = (String, String, String);

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("{stack}: {message}")]
    Call { stack: String, message: String },
    #[error("{stack} ended in {status}: {reason}")]
    Failed {
        stack: String,
        status: String,
        reason: String,
    },
}

fn call(stack: &str, message: String) -> StackError {
    StackError::Call {
        stack: stack.to_string(),
        message,
    }
}

/// The error of a CloudFormation call on `stack` that AWS refused, for `map_err`.
fn failed<E, R>(stack: &str, api: &str) -> impl FnOnce(SdkError<E, R>) -> StackError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let (stack, api) = (stack.to_string(), api.to_string());
    move |e| {
        call(
            &stack,
            format!("cloudformation:{api} failed: {}", describe(&e)),
        )
    }
}

/// The stack's status, or None when there is no such stack.
pub async fn status(cf: &Client, stack: &str) -> Result<Option<StackStatus>, StackError> {
    match cf.describe_stacks().stack_name(stack).send().await {
        Ok(out) => Ok(out.stacks().first().and_then(|s| s.stack_status().cloned())),
        Err(e) if describe(&e).contains("does not exist") => Ok(None),
        Err(e) => Err(failed(stack, "DescribeStacks")(e)),
    }
}

/// Outputs of a stack, by key.
pub async fn outputs(cf: &Client, stack: &str) -> Result<Vec<(String, String)>, StackError> {
    let out = cf
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(failed(stack, "DescribeStacks"))?;
    Ok(out
        .stacks()
        .first()
        .map(|s| {
            s.outputs()
                .iter()
                .map(|o| {
                    (
                        o.output_key().unwrap_or_default().to_string(),
                        o.output_value().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// One output's value from [`outputs`].
pub fn output(outputs: &[(String, String)], key: &str) -> Option<String> {
    outputs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// Whether the stack already has exactly this template and these parameter values:
/// then there is nothing to do, and no change set is made.
async fn matches_current(
    cf: &Client,
    stack: &str,
    template: &str,
    params: &[(&str, String)],
) -> bool {
    let Ok(described) = cf.describe_stacks().stack_name(stack).send().await else {
        return false;
    };
    let Some(current) = described.stacks().first() else {
        return false;
    };
    let current: std::collections::BTreeMap<&str, &str> = current
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?, p.parameter_value().unwrap_or_default())))
        .collect();
    // The stack also lists the parameters left at their defaults; the deployer never
    // sets those, so only the ones it sets are compared.
    if params
        .iter()
        .any(|(k, v)| current.get(k) != Some(&v.as_str()))
    {
        return false;
    }
    match cf.get_template().stack_name(stack).send().await {
        Ok(t) => t.template_body().map(str::trim) == Some(template.trim()),
        Err(_) => false,
    }
}

/// A change set that is ready (or was refused as empty).
pub struct ChangeSet {
    pub name: String,
    /// Whether the stack existed before (an UPDATE change set), not a CREATE.
    pub stack_existed: bool,
    /// What it would change; empty when the stack already matches.
    pub changes: Vec<Change>,
}

/// Creates a change set and waits until it is ready.
pub async fn change_set(
    cf: &Client,
    stack: &str,
    template: &str,
    params: &[(&str, String)],
) -> Result<ChangeSet, StackError> {
    let exists =
        match status(cf, stack).await? {
            None => false,
            Some(StackStatus::ReviewInProgress) => false,
            Some(StackStatus::RollbackComplete) => return Err(call(
                stack,
                "is in ROLLBACK_COMPLETE after a failed create: run teardown, then deploy again"
                    .into(),
            )),
            Some(_) => true,
        };
    let name = format!(
        "fedramp-deploy-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    );
    let created = cf
        .create_change_set()
        .stack_name(stack)
        .change_set_name(&name)
        .change_set_type(if exists {
            ChangeSetType::Update
        } else {
            ChangeSetType::Create
        })
        .template_body(template)
        .set_parameters(Some(parameters(params)))
        .capabilities(Capability::CapabilityNamedIam)
        .send()
        .await;
    if let Err(e) = created {
        let message = describe(&e);
        // Some endpoints refuse an empty change set outright instead of failing it.
        if message.contains("No updates are to be performed") {
            return Ok(ChangeSet {
                name,
                stack_existed: exists,
                changes: Vec::new(),
            });
        }
        return Err(call(
            stack,
            format!("cloudformation:CreateChangeSet failed: {message}"),
        ));
    }
    loop {
        let cs = cf
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(&name)
            .send()
            .await
            .map_err(failed(stack, "DescribeChangeSet"))?;
        let changes: Vec<Change> = cs
            .changes()
            .iter()
            .filter_map(|c| c.resource_change())
            .map(|r| {
                (
                    r.action()
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                    r.logical_resource_id().unwrap_or_default().to_string(),
                    r.resource_type().unwrap_or_default().to_string(),
                )
            })
            .collect();
        match cs.status() {
            Some(ChangeSetStatus::CreateComplete) => {
                return Ok(ChangeSet {
                    name,
                    stack_existed: exists,
                    changes,
                })
            }
            Some(ChangeSetStatus::Failed) => {
                let reason = cs.status_reason().unwrap_or_default().to_string();
                if reason.contains("didn't contain changes") || reason.contains("No updates") {
                    return Ok(ChangeSet {
                        name,
                        stack_existed: exists,
                        changes: Vec::new(),
                    });
                }
                return Err(StackError::Failed {
                    stack: stack.into(),
                    status: "change set FAILED".into(),
                    reason,
                });
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

pub async fn drop_change_set(cf: &Client, stack: &str, name: &str) {
    let _ = cf
        .delete_change_set()
        .stack_name(stack)
        .change_set_name(name)
        .send()
        .await;
}

/// Creates or updates `stack` to `template`, printing its events as they come. A new
/// stack is created directly; an existing one is changed through a change set, which
/// tells "no changes" apart and lists what will change before it does.
pub async fn deploy(
    cf: &Client,
    stack: &str,
    template: &str,
    params: &[(&str, String)],
    out: &mut (dyn Write + Send),
) -> Result<Deployed, StackError> {
    if matches!(
        status(cf, stack).await?,
        None | Some(StackStatus::ReviewInProgress)
    ) {
        return create(cf, stack, template, parameters(params), out).await;
    }
    if matches_current(cf, stack, template, params).await {
        let _ = writeln!(out, "{stack}: no changes");
        return Ok(Deployed::NoChanges);
    }
    let ChangeSet {
        name,
        stack_existed: exists,
        changes,
    } = change_set(cf, stack, template, params).await?;
    if changes.is_empty()
        && cf
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(&name)
            .send()
            .await
            .is_err()
    {
        // Refused as empty: nothing to execute.
        let _ = writeln!(out, "{stack}: no changes");
        return Ok(Deployed::NoChanges);
    }
    if changes.is_empty() {
        let _ = writeln!(out, "{stack}: parameter values change");
    }
    for (action, id, kind) in &changes {
        let _ = writeln!(out, "{stack}: {action} {id} ({kind})");
    }
    let seen = known_events(cf, stack).await;
    cf.execute_change_set()
        .stack_name(stack)
        .change_set_name(&name)
        .send()
        .await
        .map_err(failed(stack, "ExecuteChangeSet"))?;
    let status = follow(cf, stack, seen, out).await?;
    if status.ends_with("_COMPLETE") && !status.contains("ROLLBACK") {
        Ok(if exists {
            Deployed::Updated
        } else {
            Deployed::Created
        })
    } else {
        Err(StackError::Failed {
            stack: stack.into(),
            status,
            reason: failure_reason(cf, stack).await,
        })
    }
}

async fn create(
    cf: &Client,
    stack: &str,
    template: &str,
    parameters: Vec<Parameter>,
    out: &mut (dyn Write + Send),
) -> Result<Deployed, StackError> {
    if status(cf, stack).await? == Some(StackStatus::ReviewInProgress) {
        // An empty stack left by an unexecuted plan: it holds nothing.
        let _ = cf.delete_stack().stack_name(stack).send().await;
    }
    cf.create_stack()
        .stack_name(stack)
        .template_body(template)
        .set_parameters(Some(parameters))
        .capabilities(Capability::CapabilityNamedIam)
        .send()
        .await
        .map_err(failed(stack, "CreateStack"))?;
    let status = follow(cf, stack, HashSet::new(), out).await?;
    if status == "CREATE_COMPLETE" {
        Ok(Deployed::Created)
    } else {
        Err(StackError::Failed {
            stack: stack.into(),
            status,
            reason: failure_reason(cf, stack).await,
        })
    }
}

fn parameters(params: &[(&str, String)]) -> Vec<Parameter> {
    params
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(*k)
                .parameter_value(v)
                .build()
        })
        .collect()
}

/// Deletes `stack` (if it exists) and waits for it to go.
pub async fn delete(
    cf: &Client,
    stack: &str,
    out: &mut (dyn Write + Send),
) -> Result<bool, StackError> {
    if status(cf, stack).await?.is_none() {
        let _ = writeln!(out, "{stack}: not there");
        return Ok(false);
    }
    let seen = known_events(cf, stack).await;
    cf.delete_stack()
        .stack_name(stack)
        .send()
        .await
        .map_err(failed(stack, "DeleteStack"))?;
    let status = follow(cf, stack, seen, out).await?;
    if status == "DELETE_COMPLETE" || status == "GONE" {
        let _ = writeln!(out, "{stack}: deleted");
        Ok(true)
    } else {
        Err(StackError::Failed {
            stack: stack.into(),
            status,
            reason: failure_reason(cf, stack).await,
        })
    }
}

async fn known_events(cf: &Client, stack: &str) -> HashSet<String> {
    match cf.describe_stack_events().stack_name(stack).send().await {
        Ok(out) => out
            .stack_events()
            .iter()
            .filter_map(|e| e.event_id().map(String::from))
            .collect(),
        Err(_) => HashSet::new(),
    }
}

/// Prints new events until the stack settles; returns its final status.
async fn follow(
    cf: &Client,
    stack: &str,
    mut seen: HashSet<String>,
    out: &mut (dyn Write + Send),
) -> Result<String, StackError> {
    loop {
        if let Ok(events) = cf.describe_stack_events().stack_name(stack).send().await {
            let mut new: Vec<_> = events
                .stack_events()
                .iter()
                .filter(|e| e.event_id().is_some_and(|id| !seen.contains(id)))
                .collect();
            new.reverse();
            for e in new {
                seen.insert(e.event_id().unwrap_or_default().to_string());
                let _ = writeln!(
                    out,
                    "{stack}: {} {} {}{}",
                    e.logical_resource_id().unwrap_or_default(),
                    e.resource_type().unwrap_or_default(),
                    e.resource_status().map(|s| s.as_str()).unwrap_or_default(),
                    e.resource_status_reason()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                );
            }
        }
        let status = match status(cf, stack).await? {
            None => return Ok("GONE".into()),
            Some(s) => s.as_str().to_string(),
        };
        if !status.ends_with("_IN_PROGRESS") {
            return Ok(status);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The first failed resource and why, from the stack's events.
async fn failure_reason(cf: &Client, stack: &str) -> String {
    let Ok(events) = cf.describe_stack_events().stack_name(stack).send().await else {
        return "unknown (events unreadable)".into();
    };
    events
        .stack_events()
        .iter()
        .rev()
        .find(|e| {
            e.resource_status()
                .is_some_and(|s| s.as_str().ends_with("_FAILED"))
        })
        .map(|e| {
            format!(
                "{} ({}): {}",
                e.logical_resource_id().unwrap_or_default(),
                e.resource_type().unwrap_or_default(),
                e.resource_status_reason().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "no failed resource reported".into())
}
