//! The member role as a service-managed StackSet (`member-access: {stackset: {...}}`).
//!
//! CloudFormation then makes the role in every account of the organizational units,
//! and in each account that joins them later (automatic deployment), with no access
//! role assumed by the deployer. What would change is worked out first ([`steps`], pure
//! and unit-tested), so `deploy` says "no changes" on a second run and `plan` prints the
//! same steps without taking them. Stack-instance failures are reported per account,
//! with CloudFormation's reason.

use std::io::Write;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_cloudformation::types::{
    AutoDeployment, Capability, DeploymentTargets, Parameter, PermissionModels,
    RegionConcurrencyType, StackSetOperationPreferences, StackSetOperationResultStatus,
    StackSetOperationStatus, StackSetStatus,
};
use aws_sdk_cloudformation::Client;
use fedramp_inventory::aws::describe;

use crate::config::StackSetSettings;
use crate::stacks::Deployed;

/// The service principal of trusted access for CloudFormation StackSets.
pub const STACKSETS_PRINCIPAL: &str = "member.org.stacksets.cloudformation.amazonaws.com";

/// What the StackSet should be.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    pub template: String,
    pub parameters: Vec<(String, String)>,
    pub units: Vec<String>,
    /// Where the instances are made: IAM is global, so one region (management's).
    pub region: String,
}

/// What the StackSet is.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub template: String,
    pub parameters: Vec<(String, String)>,
    pub units: Vec<String>,
    /// Automatic deployment on, and stacks removed with an account that leaves.
    pub auto_deployment: bool,
}

/// One StackSet operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The StackSet itself (its instances follow as `AddUnits`).
    Create,
    /// New template or parameters for every instance (or automatic deployment back on).
    Update,
    AddUnits(Vec<String>),
    RemoveUnits(Vec<String>),
}

impl Step {
    pub fn describe(&self, region: &str) -> String {
        match self {
            Step::Create => {
                "create the StackSet (service-managed, automatic deployment to accounts that join)"
                    .into()
            }
            Step::Update => "update the template or parameters of every stack instance".into(),
            Step::AddUnits(units) => format!(
                "add a stack instance ({region}) in every account of {}",
                units.join(", ")
            ),
            Step::RemoveUnits(units) => format!(
                "delete the stack instances in the accounts of {}",
                units.join(", ")
            ),
        }
    }
}

/// The operations that take `current` to `desired`; none when they agree.
pub fn steps(current: Option<&Current>, desired: &Desired) -> Vec<Step> {
    let Some(current) = current else {
        return vec![Step::Create, Step::AddUnits(desired.units.clone())];
    };
    let mut steps = Vec::new();
    let sorted = |p: &[(String, String)]| {
        let mut p = p.to_vec();
        p.sort();
        p
    };
    if current.template != desired.template
        || sorted(&current.parameters) != sorted(&desired.parameters)
        || !current.auto_deployment
    {
        steps.push(Step::Update);
    }
    let added: Vec<String> = (desired.units.iter())
        .filter(|u| !current.units.contains(u))
        .cloned()
        .collect();
    let removed: Vec<String> = (current.units.iter())
        .filter(|u| !desired.units.contains(u))
        .cloned()
        .collect();
    if !added.is_empty() {
        steps.push(Step::AddUnits(added));
    }
    if !removed.is_empty() {
        steps.push(Step::RemoveUnits(removed));
    }
    steps
}

/// Trusted access for StackSets must already be on: the deployer checks and explains,
/// but never turns on an organization-wide setting by itself.
pub async fn check_trusted_access(base: &SdkConfig) -> anyhow::Result<()> {
    let orgs = aws_sdk_organizations::Client::new(base);
    let mut token = None;
    loop {
        let page = orgs
            .list_aws_service_access_for_organization()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "member-access.stackset needs the management account of an organization: organizations:ListAWSServiceAccessForOrganization failed: {}",
                    describe(&e)
                )
            })?;
        if page
            .enabled_service_principals()
            .iter()
            .any(|p| p.service_principal() == Some(STACKSETS_PRINCIPAL))
        {
            return Ok(());
        }
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    anyhow::bail!(
        "member-access.stackset: trusted access for CloudFormation StackSets is not enabled in AWS Organizations. \
         Enable it once, from the management account: in the CloudFormation console (StackSets, \"Activate trusted access\"), \
         or `aws cloudformation activate-organizations-access`. The deployer does not enable it for you. Nothing was changed"
    )
}

/// The settings' organizational units, or the organization's root.
pub async fn units(base: &SdkConfig, settings: &StackSetSettings) -> anyhow::Result<Vec<String>> {
    if !settings.organizational_units.is_empty() {
        return Ok(settings.organizational_units.clone());
    }
    let roots = aws_sdk_organizations::Client::new(base)
        .list_roots()
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("organizations:ListRoots failed: {}", describe(&e)))?;
    let ids: Vec<String> = roots
        .roots()
        .iter()
        .filter_map(|r| r.id().map(String::from))
        .collect();
    if ids.is_empty() {
        anyhow::bail!("organizations:ListRoots returned no root");
    }
    Ok(ids)
}

/// The StackSet as it is, or None when there is none.
pub async fn current(cf: &Client, name: &str) -> anyhow::Result<Option<Current>> {
    let described = match cf.describe_stack_set().stack_set_name(name).send().await {
        Ok(d) => d,
        Err(e) => {
            let message = describe(&e);
            if message.contains("StackSetNotFound") || message.contains("not found") {
                return Ok(None);
            }
            return Err(failed(name, "DescribeStackSet", message));
        }
    };
    let Some(set) = described.stack_set() else {
        return Ok(None);
    };
    if set.status() == Some(&StackSetStatus::Deleted) {
        return Ok(None);
    }
    Ok(Some(Current {
        template: set.template_body().unwrap_or_default().to_string(),
        parameters: set
            .parameters()
            .iter()
            .map(|p| {
                (
                    p.parameter_key().unwrap_or_default().to_string(),
                    p.parameter_value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        units: set.organizational_unit_ids().to_vec(),
        auto_deployment: set.auto_deployment().is_some_and(|a| {
            a.enabled() == Some(true) && a.retain_stacks_on_account_removal() == Some(false)
        }),
    }))
}

/// Brings the StackSet to `desired`, one operation at a time, each waited for.
pub async fn deploy(
    cf: &Client,
    name: &str,
    desired: &Desired,
    settings: &StackSetSettings,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<Deployed> {
    let existing = current(cf, name).await?;
    let todo = steps(existing.as_ref(), desired);
    if todo.is_empty() {
        return Ok(Deployed::NoChanges);
    }
    let parameters: Vec<Parameter> = desired
        .parameters
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect();
    let auto = AutoDeployment::builder()
        .enabled(true)
        .retain_stacks_on_account_removal(false)
        .build();
    let preferences = StackSetOperationPreferences::builder()
        .max_concurrent_percentage(i32::from(settings.max_concurrent_percentage))
        .failure_tolerance_percentage(i32::from(settings.failure_tolerance_percentage))
        .region_concurrency_type(RegionConcurrencyType::Parallel)
        .build();
    for step in &todo {
        writeln!(out, "{name}: {}", step.describe(&desired.region))?;
        let operation = match step {
            Step::Create => {
                cf.create_stack_set()
                    .stack_set_name(name)
                    .description(
                        "The role the FedRAMP inventory collector assumes in each member account",
                    )
                    .template_body(&desired.template)
                    .set_parameters(Some(parameters.clone()))
                    .capabilities(Capability::CapabilityNamedIam)
                    .permission_model(PermissionModels::ServiceManaged)
                    .auto_deployment(auto.clone())
                    .send()
                    .await
                    .map_err(|e| failed(name, "CreateStackSet", describe(&e)))?;
                continue;
            }
            Step::Update => cf
                .update_stack_set()
                .stack_set_name(name)
                .template_body(&desired.template)
                .set_parameters(Some(parameters.clone()))
                .capabilities(Capability::CapabilityNamedIam)
                .permission_model(PermissionModels::ServiceManaged)
                .auto_deployment(auto.clone())
                .operation_preferences(preferences.clone())
                .send()
                .await
                .map_err(|e| failed(name, "UpdateStackSet", describe(&e)))?
                .operation_id()
                .map(String::from),
            Step::AddUnits(units) => cf
                .create_stack_instances()
                .stack_set_name(name)
                .deployment_targets(targets(units))
                .regions(&desired.region)
                .operation_preferences(preferences.clone())
                .send()
                .await
                .map_err(|e| failed(name, "CreateStackInstances", describe(&e)))?
                .operation_id()
                .map(String::from),
            Step::RemoveUnits(units) => cf
                .delete_stack_instances()
                .stack_set_name(name)
                .deployment_targets(targets(units))
                .regions(&desired.region)
                .retain_stacks(false)
                .operation_preferences(preferences.clone())
                .send()
                .await
                .map_err(|e| failed(name, "DeleteStackInstances", describe(&e)))?
                .operation_id()
                .map(String::from),
        };
        if let Some(id) = operation {
            finish(cf, name, &id, out).await?;
        }
    }
    Ok(if existing.is_none() {
        Deployed::Created
    } else {
        Deployed::Updated
    })
}

/// Deployment targets: these organizational units (or the root).
fn targets(units: &[String]) -> DeploymentTargets {
    DeploymentTargets::builder()
        .set_organizational_unit_ids(Some(units.to_vec()))
        .build()
}

/// A failed CloudFormation call, named with the StackSet.
fn failed(name: &str, call: &str, message: String) -> anyhow::Error {
    anyhow::anyhow!("{name}: cloudformation:{call} failed: {message}")
}

/// Deletes every stack instance, then the StackSet. False when there was none.
pub async fn delete(cf: &Client, name: &str, out: &mut (dyn Write + Send)) -> anyhow::Result<bool> {
    let Some(existing) = current(cf, name).await? else {
        writeln!(out, "{name}: not there")?;
        return Ok(false);
    };
    let instances = cf
        .list_stack_instances()
        .stack_set_name(name)
        .send()
        .await
        .map_err(|e| failed(name, "ListStackInstances", describe(&e)))?;
    let mut regions: Vec<String> = (instances.summaries().iter())
        .filter_map(|i| i.region().map(String::from))
        .collect();
    regions.sort();
    regions.dedup();
    if !regions.is_empty() && !existing.units.is_empty() {
        writeln!(
            out,
            "{name}: deleting the stack instances in the accounts of {}",
            existing.units.join(", ")
        )?;
        let operation = cf
            .delete_stack_instances()
            .stack_set_name(name)
            .deployment_targets(targets(&existing.units))
            .set_regions(Some(regions))
            .retain_stacks(false)
            .send()
            .await
            .map_err(|e| failed(name, "DeleteStackInstances", describe(&e)))?;
        if let Some(id) = operation.operation_id() {
            finish(cf, name, id, out).await?;
        }
    }
    cf.delete_stack_set()
        .stack_set_name(name)
        .send()
        .await
        .map_err(|e| failed(name, "DeleteStackSet", describe(&e)))?;
    writeln!(out, "{name}: deleted")?;
    Ok(true)
}

/// Waits for an operation, then reports every account whose instance failed, with its
/// reason; an error when any did or the operation did not succeed.
async fn finish(
    cf: &Client,
    name: &str,
    id: &str,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let mut waited = 0u64;
    let (status, reason) = loop {
        let described = cf
            .describe_stack_set_operation()
            .stack_set_name(name)
            .operation_id(id)
            .send()
            .await
            .map_err(|e| failed(name, "DescribeStackSetOperation", describe(&e)))?;
        let operation = described.stack_set_operation();
        let status = operation.and_then(|o| o.status()).cloned();
        match status {
            Some(StackSetOperationStatus::Running)
            | Some(StackSetOperationStatus::Queued)
            | None => {}
            Some(done) => {
                break (
                    done,
                    operation
                        .and_then(|o| o.status_reason())
                        .unwrap_or_default()
                        .to_string(),
                )
            }
        }
        // StackSet operations take minutes: a line now and then shows it is alive.
        if waited % 60 == 0 {
            writeln!(out, "{name}: operation {id} running ({waited} s)")?;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        waited += 5;
    };
    let mut failures = Vec::new();
    let mut token = None;
    loop {
        let page = cf
            .list_stack_set_operation_results()
            .stack_set_name(name)
            .operation_id(id)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| failed(name, "ListStackSetOperationResults", describe(&e)))?;
        for r in page.summaries() {
            if matches!(
                r.status(),
                Some(StackSetOperationResultStatus::Failed)
                    | Some(StackSetOperationResultStatus::Cancelled)
            ) {
                failures.push(format!(
                    "account {} ({}): {} {}",
                    r.account().unwrap_or("?"),
                    r.region().unwrap_or("?"),
                    r.status().map(|s| s.as_str()).unwrap_or_default(),
                    r.status_reason().unwrap_or("(no reason given)")
                ));
            }
        }
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    for f in &failures {
        writeln!(out, "FAILED: {name}: {f}")?;
    }
    if status != StackSetOperationStatus::Succeeded || !failures.is_empty() {
        anyhow::bail!(
            "{name}: operation {id} ended {}{}; {} account(s) failed",
            status.as_str(),
            if reason.is_empty() {
                String::new()
            } else {
                format!(" ({reason})")
            },
            failures.len()
        );
    }
    writeln!(out, "{name}: operation {id} succeeded")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired(units: &[&str]) -> Desired {
        Desired {
            template: "T".into(),
            parameters: vec![("A".into(), "1".into()), ("B".into(), "2".into())],
            units: units.iter().map(|u| u.to_string()).collect(),
            region: "us-east-1".into(),
        }
    }

    fn current_of(d: &Desired) -> Current {
        Current {
            template: d.template.clone(),
            parameters: d.parameters.iter().rev().cloned().collect(),
            units: d.units.clone(),
            auto_deployment: true,
        }
    }

    #[test]
    fn nothing_to_do_when_it_matches_in_any_order() {
        let d = desired(&["r-ab12"]);
        assert_eq!(steps(Some(&current_of(&d)), &d), []);
    }

    #[test]
    fn a_new_stackset_is_created_then_given_instances() {
        let d = desired(&["ou-ab12-abcdefgh"]);
        assert_eq!(
            steps(None, &d),
            [
                Step::Create,
                Step::AddUnits(vec!["ou-ab12-abcdefgh".into()])
            ]
        );
    }

    #[test]
    fn changes_become_the_operations_that_make_them() {
        let d = desired(&["ou-ab12-aaaaaaaa", "ou-ab12-cccccccc"]);
        let mut c = current_of(&desired(&["ou-ab12-aaaaaaaa", "ou-ab12-bbbbbbbb"]));
        c.parameters[0].1 = "changed".into();
        assert_eq!(
            steps(Some(&c), &d),
            [
                Step::Update,
                Step::AddUnits(vec!["ou-ab12-cccccccc".into()]),
                Step::RemoveUnits(vec!["ou-ab12-bbbbbbbb".into()]),
            ]
        );
        let mut c = current_of(&d);
        c.auto_deployment = false;
        assert_eq!(steps(Some(&c), &d), [Step::Update]);
    }
}
