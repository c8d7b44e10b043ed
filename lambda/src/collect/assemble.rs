//! Stage (pure) of the live run: the inventory, its summary and the run outcome from
//! what the targets gave.

use super::*;

/// Stage (pure): the inventory, its summary and the run outcome from what was read.
/// Failed when no target could be read; partial when one failed or Config does not
/// see all of one (a coverage finding).
pub fn assemble(
    targets: &[Target],
    gathered: Gathered,
    errors: Vec<(usize, TargetError)>,
    mut findings: Vec<(usize, TargetError)>,
    generated_at: DateTime<Utc>,
    window: Option<ScanWindow>,
) -> (Inventory, Summary, RunOutcome) {
    // Each target's first failure and its findings, found in one pass over each list
    // (a large organization has tens of thousands of targets). A finding names its
    // account and region when they are not the target's own (an aggregator source,
    // read by the aggregator's target).
    let mut failures: Vec<Option<&TargetError>> = vec![None; targets.len()];
    for (i, e) in &errors {
        if let Some(slot) = failures.get_mut(*i).filter(|s| s.is_none()) {
            *slot = Some(e);
        }
    }
    let failure_of = |index: usize| failures.get(index).copied().flatten();
    let mut found_in: Vec<Vec<String>> = vec![Vec::new(); targets.len()];
    for (i, f) in &findings {
        let Some(list) = found_in.get_mut(*i) else {
            continue;
        };
        let own = targets[*i].account_region();
        list.push(if (&f.account, &f.region) == (&own.0, &own.1) {
            f.message.clone()
        } else {
            format!("account {} / {}: {}", f.account, f.region, f.message)
        });
    }
    let statuses: Vec<InputStatus> = (0..targets.len())
        .map(|i| match (failure_of(i), &found_in[i]) {
            (Some(e), _) => InputStatus::failed(
                format!("failed at {}: {}", e.stage, e.message),
                format!("{}: {}", e.stage, e.message),
            ),
            (None, found) if found.is_empty() => InputStatus::read(),
            (None, found) => InputStatus::failed(
                format!("read, but incomplete: {}", found.join("; ")),
                format!("coverage: {}", found.join("; ")),
            ),
        })
        .collect();
    let mut read_errors = statuses.iter().filter(|s| s.error.is_some()).count();
    let (inventory, mut summary) = gathered.finish(statuses, generated_at, window, None);
    // Scannable assets where Inspector's coverage was not read: named, never "not
    // scanned" for want of a record nobody could ask for.
    let unchecked = summary
        .scan
        .as_ref()
        .map(|s| s.unchecked_places())
        .unwrap_or_default();
    for ((account, region), n) in unchecked.clone() {
        let message = format!(
            "Amazon Inspector's coverage not read here for {n} assets (scanning not enabled, or not readable): their scan columns are as tagged, and images in use here are not listed (Scan Coverage sheet)"
        );
        summary.diagnostics.error(
            format!("account {account} / {region}"),
            format!("coverage: {message}"),
        );
        read_errors += 1;
        findings.push((
            usize::MAX,
            TargetError {
                account,
                region,
                stage: "coverage".into(),
                message,
            },
        ));
    }
    let per_account: Vec<TargetResult> = targets
        .iter()
        .enumerate()
        .map(|(index, target)| {
            let (account, region) = target.account_region();
            let unscanned = unchecked.contains_key(&(account.clone(), region.clone()));
            let name = match target {
                Target::Account { account, .. } => account.name.clone(),
                Target::Aggregator { .. } => String::new(),
            };
            TargetResult {
                account,
                name,
                region,
                items: summary.inputs[index].items,
                status: match failure_of(index) {
                    None if !found_in[index].is_empty() || unscanned => "incomplete".into(),
                    None => "ok".into(),
                    Some(e) if e.stage == "timeout" => "timeout".into(),
                    Some(_) => "failed".into(),
                },
            }
        })
        .collect();
    // A target cut off by the deadline still gave what it read before it.
    let any_read = per_account.iter().any(|t| {
        matches!(t.status.as_str(), "ok" | "incomplete") || (t.status == "timeout" && t.items > 0)
    });
    let mut outcome = RunOutcome {
        status: if errors.is_empty() && findings.is_empty() {
            RunStatus::Ok
        } else {
            RunStatus::Partial
        },
        rows: summary.rows,
        warnings: summary.diagnostics.entries().len() - read_errors,
        per_account,
        errors: role_failures_once(errors.into_iter().chain(findings).map(|(_, e)| e)),
        scan_coverage: summary.scan.as_ref().map(|s| s.counts()),
        network: summary.evidence.as_ref().map(|e| e.counts()),
        ..RunOutcome::failed()
    };
    if !any_read {
        outcome.fail(
            "collect",
            "no account or region could be read; nothing was written",
        );
    }
    (inventory, summary, outcome)
}

/// A member role that could not be assumed is tried once per run and named once: the
/// same failure in each of the account's regions becomes one error listing them.
fn role_failures_once(errors: impl Iterator<Item = TargetError>) -> Vec<TargetError> {
    let mut out: Vec<TargetError> = Vec::new();
    let mut seen: std::collections::HashMap<(String, String, String), usize> =
        std::collections::HashMap::new();
    for e in errors {
        if !e.message.contains("sts:AssumeRole ") {
            out.push(e);
            continue;
        }
        let key = (e.account.clone(), e.stage.clone(), e.message.clone());
        match seen.get(&key) {
            Some(&at) => {
                let regions = &mut out[at].region;
                regions.push_str(", ");
                regions.push_str(&e.region);
            }
            None => {
                seen.insert(key, out.len());
                out.push(e);
            }
        }
    }
    out
}

/// How a collection reads, in words, for the derivation document: the accounts, each
/// query and API, what is turned off.
pub fn read_with(settings: &CollectSettings) -> Vec<String> {
    use crate::mapper::{batch_get_types, select_query};
    use crate::settings::{Network, ScanSource, ServiceReads};
    let also: &[&str] = match settings.network {
        Network::On => &crate::network::NETWORK_TYPES,
        Network::Off => &[],
    };
    let query = select_query(also);
    let mut out = vec![match &settings.accounts {
        Accounts::List(list) => {
            let ids: Vec<&str> = list.iter().map(|a| a.id.as_str()).collect();
            format!(
                "The accounts listed ({}), each through the member role `{}`: AWS Config's advanced query (SelectResourceConfig) in each account and region, `{query}`, 100 items a page.",
                ids.join(", "),
                settings.role_name
            )
        }
        Accounts::Organization => format!(
            "Every active account of the organization (Organizations ListAccounts), each through the member role `{}`: AWS Config's advanced query (SelectResourceConfig) in each account and region, `{query}`, 100 items a page.",
            settings.role_name
        ),
        Accounts::Aggregator { name, sharded } => format!(
            "The AWS Config aggregator `{name}` and the status of its sources (DescribeConfigurationAggregatorSourcesStatus): SelectAggregateResourceConfig, `{query}`{}, 100 items a page.",
            if *sharded { ", once per account and region it holds (with `AND accountId = ... AND awsRegion = ...`)" } else { "" }
        ),
    }];
    if settings.scope == crate::settings::Scope::All {
        out.push(format!(
            "scope: all. The envelope of every other type, in each account and region (each shard of the aggregator) likewise: `{}`. Then the types Config has discovered (GetDiscoveredResourceCounts, or GetAggregateDiscoveredResourceCounts by type) that the advanced query does not return (AWS's schema of it) are each read with ListDiscoveredResources and BatchGetResourceConfig.",
            crate::mapper::envelope_query(also)
        ));
    }
    let batch: Vec<&str> = batch_get_types().collect();
    out.push(format!(
        "The types the advanced query does not return, with ListDiscoveredResources and BatchGetResourceConfig: {}.",
        batch.join(", ")
    ));
    if !matches!(settings.accounts, Accounts::Aggregator { .. }) {
        out.push("In each account and region, the Config recorder and its recording group (DescribeConfigurationRecorders, DescribeConfigurationRecorderStatus): a region where it is off, or a type it does not record, is a finding below.".into());
    }
    out.push("Items whose configurationItemStatus is ResourceDeleted, ResourceDeletedNotRecorded or ResourceNotRecorded give no row.".into());
    if settings.service_reads == ServiceReads::MemberRoles {
        out.push("ElastiCache clusters and EKS node groups (which AWS Config does not record) from their own APIs through the member roles.".into());
    }
    if settings.scan_coverage == ScanSource::Inspector {
        out.push(format!(
            "Amazon Inspector's coverage (BatchGetAccountStatus, ListCoverage) through the member roles, over a window of {} days.",
            settings.scan_period.days()
        ));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kernel::{map_value, Batch, Origin};
    use std::sync::mpsc::sync_channel;

    fn target(id: &str) -> Target {
        Target::Account {
            account: Account {
                id: id.into(),
                name: String::new(),
            },
            region: "us-east-1".into(),
        }
    }

    /// One table read from target 0, an odd item (a warning) with it.
    fn gathered(targets: &[Target]) -> Gathered {
        let (tx, rx) = sync_channel(2);
        let item = serde_json::json!({"resourceType": "AWS::DynamoDB::Table", "arn": "arn:t",
            "accountId": "1", "awsRegion": "us-east-1"});
        let origin = Origin {
            line: 1,
            path: None,
        };
        tx.send(Batch {
            seq: 0,
            input: 0,
            items: vec![map_value(origin, Ok(item.into()), &MapContext::default())],
        })
        .unwrap();
        drop(tx);
        gather(
            rx,
            targets.iter().map(Target::label).collect(),
            &Progress::default(),
        )
    }

    /// One member role refused in two regions is one error naming both; other
    /// failures, and another account's refusal, stay as they are.
    #[test]
    fn a_refused_role_is_named_once_with_its_regions() {
        let e = |account: &str, region: &str, stage: &str, message: &str| TargetError {
            account: account.into(),
            region: region.into(),
            stage: stage.into(),
            message: message.into(),
        };
        let refused = "sts:AssumeRole arn:aws:iam::2:role/r failed: AccessDenied: no";
        let merged = role_failures_once(
            [
                e("2", "us-east-1", "assume-role", refused),
                e("3", "us-east-1", "select", "AccessDenied"),
                e("2", "us-west-2", "assume-role", refused),
                e("3", "us-west-2", "select", "AccessDenied"),
                e(
                    "4",
                    "us-east-1",
                    "assume-role",
                    "sts:AssumeRole arn:aws:iam::4:role/r failed: x",
                ),
            ]
            .into_iter(),
        );
        assert_eq!(
            merged,
            [
                e("2", "us-east-1, us-west-2", "assume-role", refused),
                e("3", "us-east-1", "select", "AccessDenied"),
                e("3", "us-west-2", "select", "AccessDenied"),
                e(
                    "4",
                    "us-east-1",
                    "assume-role",
                    "sts:AssumeRole arn:aws:iam::4:role/r failed: x"
                ),
            ]
        );
    }

    /// A target refused by Config (also the notification tests' failure).
    pub(crate) fn denied(index: usize) -> (usize, TargetError) {
        (
            index,
            TargetError {
                account: "2".into(),
                region: "us-east-1".into(),
                stage: "select".into(),
                message: "AccessDenied".into(),
            },
        )
    }

    #[test]
    fn one_failed_target_makes_a_partial_outcome() {
        let targets = [target("1"), target("2")];
        let (inventory, summary, outcome) = assemble(
            &targets,
            gathered(&targets),
            vec![denied(1)],
            vec![],
            Utc::now(),
            None,
        );
        assert_eq!(outcome.status, RunStatus::Partial);
        assert_eq!(inventory.row_count(), 1);
        assert_eq!(outcome.rows, 1);
        assert_eq!(outcome.per_account[0].status, "ok");
        assert_eq!(outcome.per_account[0].items, 1);
        assert_eq!(outcome.per_account[1].status, "failed");
        assert_eq!(outcome.errors.len(), 1);
        assert_eq!(outcome.warnings, 1, "the odd item, not the failed target");
        assert_eq!(summary.inputs[1].status, "failed at select: AccessDenied");
        assert_eq!(
            summary.diagnostics.entries()[0].to_string(),
            "error: account 2 / us-east-1: select: AccessDenied",
            "the read failure is listed first"
        );
    }

    /// A region read without error whose recorder is off: the run is partial, the
    /// finding is in the result and the Run Summary, and its items still count.
    #[test]
    fn a_coverage_finding_makes_a_partial_outcome() {
        let targets = [target("1"), target("2")];
        let off = TargetError {
            account: "2".into(),
            region: "us-east-1".into(),
            stage: "coverage".into(),
            message: "AWS Config has no configuration recorder here".into(),
        };
        let (_, summary, outcome) = assemble(
            &targets,
            gathered(&targets),
            vec![],
            vec![(1, off)],
            Utc::now(),
            None,
        );
        assert_eq!(outcome.status, RunStatus::Partial);
        assert_eq!(outcome.per_account[1].status, "incomplete");
        assert_eq!(outcome.errors.len(), 1);
        assert_eq!(outcome.errors[0].stage, "coverage");
        assert_eq!(
            summary.inputs[1].status,
            "read, but incomplete: AWS Config has no configuration recorder here"
        );
        assert!(summary.diagnostics.entries().iter().any(|d| d
            .to_string()
            .contains("coverage: AWS Config has no configuration recorder")));
    }

    #[test]
    fn no_target_read_fails_the_run() {
        let targets = [target("2")];
        let (_, _, outcome) = assemble(
            &targets,
            gathered(&targets),
            vec![denied(0)],
            vec![],
            Utc::now(),
            None,
        );
        assert_eq!(outcome.status, RunStatus::Failed);
        assert_eq!(outcome.errors.last().unwrap().stage, "collect");
    }
}
