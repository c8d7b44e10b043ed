//! `fedramp-deploy plan`: what deploy would create, update or delete; changes nothing
//! (its change sets are deleted unexecuted).

use std::io::Write;

use aws_sdk_cloudformation::Client;

use crate::accounts::{management, member_session, members};
use crate::commands::deploy::{report_bucket_adopted, stackset_desired, stackset_units};
use crate::config::DeployConfig;
use crate::stack_list::{collector_role_arn, stack_list, Context, Placement};
use crate::{package, stacks, stackset};

pub async fn run(config: &DeployConfig, out: &mut (dyn Write + Send)) -> anyhow::Result<i32> {
    let (base, me) = management(config).await?;
    let scope = crate::accounts::scope(config, &base, &me.partition).await?;
    let list = stack_list(config, config.pipeline.is_some());
    let units = stackset_units(&base, &list).await?;
    let cf = Client::new(&base);
    let collector = config.collector_stack();
    let context = Context {
        bucket_exists: report_bucket_adopted(&cf, &collector, config, &base).await?,
        scope,
        code_bucket: config.artifact_bucket(),
        // The package is not built for a plan: the code key stays what it is.
        code_key: current_parameter(&cf, &collector, "CodeKey")
            .await
            .unwrap_or_else(|| package::key_for(b"not built yet")),
        collector_role_arn: collector_role_arn(&cf, config).await.unwrap_or_else(|| {
            format!(
                "arn:{}:iam::{}:role/not-created-yet",
                me.partition, config.management.account_id
            )
        }),
    };
    writeln!(out, "{}", service_reads_line(config))?;
    writeln!(out, "{}", fan_out_line(config))?;
    for entry in &list {
        let params = entry.parameters(config, &context);
        match &entry.placement {
            Placement::Management => {
                print_plan(&cf, &entry.name, entry.template, &params, "management", out).await?
            }
            Placement::EachMember => {
                for account in members(config, &base).await? {
                    let session = member_session(config, &base, &me, &account)
                        .await
                        .map_err(anyhow::Error::msg)?;
                    let cf = Client::new(&session);
                    print_plan(&cf, &entry.name, entry.template, &params, &account, out).await?;
                }
            }
            Placement::StackSet(_) => {
                let desired =
                    stackset_desired(entry, &params, units.clone().unwrap_or_default(), config);
                let current = stackset::current(&cf, &entry.name).await?;
                let steps = stackset::steps(current.as_ref(), &desired);
                if steps.is_empty() {
                    writeln!(out, "management {} (StackSet): no changes", entry.name)?;
                }
                for step in steps {
                    writeln!(
                        out,
                        "management {} (StackSet): {}",
                        entry.name,
                        step.describe(&desired.region)
                    )?;
                }
            }
        }
    }
    Ok(0)
}

/// Which of the two `service-reads` settings applies, and what it means for each run.
fn service_reads_line(config: &DeployConfig) -> String {
    use fedramp_inventory::settings::ServiceReads;
    match config.service_reads {
        ServiceReads::MemberRoles => format!(
            "service reads: member-roles: ElastiCache clusters and replication groups and EKS node groups (which AWS Config does not record) are read from their own APIs with the member role {} in each account",
            config.collector_role_name
        ),
        ServiceReads::Off => "service reads: off: ElastiCache clusters and replication groups and EKS node groups (which AWS Config does not record) are not read; each run names them as not read".into(),
    }
}

/// What `fan-out` means for each run; fanned out, how many items the merge's memory
/// holds (docs/benchmarks.md: about 1 GiB a million, 0.5 with `scope: all`, past a
/// fifth of a GiB the function itself takes), since it holds every row.
fn fan_out_line(config: &DeployConfig) -> String {
    use fedramp_inventory::progress::thousands;
    use fedramp_inventory::settings::{FanOut, Scope, AUTO_FAN_OUT_SHARDS, AUTO_FAN_OUT_TARGETS};
    let gib_a_million = match config.scope {
        Scope::Boundary => 1.0,
        Scope::All => 0.5,
    };
    let millions = ((f64::from(config.memory) / 1024.0 - 0.2) / gib_a_million).max(0.0);
    let spread = format!(
        "the schedule starts the state machine, which reads {} batches at once of at most {} account-regions and merges them in one invocation; its memory ({} MB) holds about {millions:.1} million items (set `memory` for more: docs/fan-out.md)",
        config.fan_out_concurrency, config.fan_out_batch, config.memory
    );
    match config.fan_out {
        FanOut::Off => "fan-out: off: each run is one invocation of the function (about 4,900 accounts x 4 regions fit in its 15 minutes: docs/benchmarks.md)".into(),
        FanOut::On => format!("fan-out: on: {spread}"),
        FanOut::Auto => format!(
            "fan-out: auto: past {} account-regions or {} aggregator shards {spread}; below them the function runs once",
            thousands(AUTO_FAN_OUT_TARGETS as u64),
            thousands(AUTO_FAN_OUT_SHARDS as u64)
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fan_out_line_says_how_many_items_the_merge_holds() {
        let config = |extra: &str| {
            DeployConfig::parse(&format!(
                "management:\n  account-id: \"123456789012\"\n  region: us-east-1\nmembers:\n  organization: true\nreport-bucket: r\n{extra}"
            ))
            .unwrap()
        };
        assert!(fan_out_line(&config("")).starts_with("fan-out: off: each run is one invocation"));
        let on = fan_out_line(&config("fan-out: on\n"));
        assert!(on.contains("10 batches at once of at most 1000"), "{on}");
        assert!(
            on.contains("(2048 MB) holds about 1.8 million items"),
            "{on}"
        );
        let big = fan_out_line(&config("fan-out: auto\nmemory: 6144\nscope: all\n"));
        assert!(big.starts_with("fan-out: auto: past 9,800"), "{big}");
        assert!(big.contains("holds about 11.6 million items"), "{big}");
    }
}
