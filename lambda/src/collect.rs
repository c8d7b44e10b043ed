//! One live collection: accounts -> targets -> Config -> inventory -> workbook ->
//! S3 or a file -> run result, and a notification when anything failed.
//!
//! Shared by the `collect` command and the Lambda function, so both behave alike.

use std::path::PathBuf;
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;

use crate::aws::{caller, describe, AwsSettings};
use crate::deliver::{report_key, s3_location, upload, Delivered};
use crate::diagnostics::Diagnostics;
use crate::inventory::IpCell;
use crate::mapper::{MapContext, TagNames};
use crate::reader::config::{
    organization_accounts, read_targets, Account, ReadPlan, Target, TargetError,
};
use crate::report::{write_workbook, Layout, WriteOptions, EXCEL_MAX_ROWS};
use crate::run::gather;

/// Which accounts to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accounts {
    /// These accounts (the seed's `ACCOUNT_LIST`, or `--accounts`).
    List(Vec<Account>),
    /// Every active account of the organization (Organizations `ListAccounts`).
    Organization,
    /// One query to this Config aggregator, for everything it aggregates.
    Aggregator(String),
}

/// Where the workbook goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    File(PathBuf),
    S3 { bucket: String, prefix: String },
}

/// Everything a collection needs, from flags or from the Lambda's environment.
#[derive(Clone, Debug)]
pub struct CollectSettings {
    pub aws: AwsSettings,
    pub accounts: Accounts,
    pub role_name: String,
    pub external_id: Option<String>,
    /// Regions to read in each account; empty means the current region.
    pub regions: Vec<String>,
    pub concurrency: usize,
    pub layout: Layout,
    pub ip_cell: IpCell,
    pub tag_names: TagNames,
    pub destination: Destination,
    pub topic_arn: Option<String>,
}

pub const DEFAULT_ROLE_NAME: &str = "InventoryCollector-for-Lambda";
pub const DEFAULT_CONCURRENCY: usize = 8;

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Ok,
    Partial,
    Failed,
}

impl RunStatus {
    pub fn exit_code(self) -> i32 {
        match self {
            RunStatus::Ok => 0,
            RunStatus::Partial => 2,
            RunStatus::Failed => 1,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct TargetResult {
    pub account: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub region: String,
    pub items: u64,
    pub status: String,
}

/// What the run did: returned by the Lambda, printed by `collect`, stored beside the
/// workbook.
#[derive(Clone, Debug, Serialize)]
pub struct RunOutcome {
    pub status: RunStatus,
    pub report: Option<Delivered>,
    pub rows: u64,
    pub per_account: Vec<TargetResult>,
    pub errors: Vec<TargetError>,
    /// Problems with individual items (odd fields, bad JSON), all listed in the workbook's
    /// Run Summary sheet.
    pub warnings: usize,
}

/// Runs a collection. Never panics on AWS answers; every failure ends up in `errors`.
pub async fn collect(settings: &CollectSettings) -> RunOutcome {
    let mut outcome = RunOutcome {
        status: RunStatus::Failed,
        report: None,
        rows: 0,
        per_account: vec![],
        errors: vec![],
        warnings: 0,
    };
    let fail = |outcome: &mut RunOutcome, stage: &str, message: String| {
        outcome.errors.push(TargetError {
            account: String::new(),
            region: String::new(),
            stage: stage.into(),
            message,
        });
    };
    let base = match settings.aws.load().await {
        Ok(c) => c,
        Err(e) => {
            fail(&mut outcome, "configuration", e.to_string());
            return finish(settings, outcome, None).await;
        }
    };
    let (caller_account, partition) = match caller(&base).await {
        Ok(c) => c,
        Err(e) => {
            fail(&mut outcome, "identity", e.to_string());
            return finish(settings, outcome, Some(&base)).await;
        }
    };
    let regions = if settings.regions.is_empty() {
        vec![base.region().map(|r| r.to_string()).unwrap_or_default()]
    } else {
        settings.regions.clone()
    };
    let targets: Vec<Target> = match &settings.accounts {
        Accounts::Aggregator(name) => vec![Target::Aggregator { name: name.clone() }],
        Accounts::List(list) => expand(list, &regions),
        Accounts::Organization => match organization_accounts(&base).await {
            Ok(list) => expand(&list, &regions),
            Err(e) => {
                fail(&mut outcome, "list-accounts", e);
                return finish(settings, outcome, Some(&base)).await;
            }
        },
    };
    let mut context = MapContext {
        tag_names: settings.tag_names.clone(),
        ..MapContext::default()
    };
    for t in &targets {
        if let Target::Account { account, .. } = t {
            if !account.name.is_empty() {
                context
                    .account_names
                    .insert(account.id.clone(), account.name.clone());
            }
        }
    }
    let plan = Arc::new(ReadPlan {
        base: base.clone(),
        caller_account,
        partition,
        role_name: settings.role_name.clone(),
        external_id: settings.external_id.clone(),
        concurrency: settings.concurrency,
        context,
        ip_cell: settings.ip_cell,
    });
    let names: Vec<String> = targets.iter().map(Target::label).collect();
    let (tx, rx) = sync_channel(64);
    let ip_cell = settings.ip_cell;
    let collector = std::thread::spawn(move || gather(rx, &names, ip_cell));
    let errors = read_targets(plan, &targets, tx).await;
    let (inventory, mut summary) = match collector.join() {
        Ok(done) => done,
        Err(_) => {
            fail(
                &mut outcome,
                "internal",
                "the collector thread panicked".into(),
            );
            return finish(settings, outcome, Some(&base)).await;
        }
    };
    outcome.warnings = summary.diagnostics.entries().len();
    let mut read_problems = Diagnostics::default();
    for (index, report) in summary.inputs.iter_mut().enumerate() {
        report.status = match errors.iter().find(|(i, _)| *i == index) {
            Some((_, e)) => {
                read_problems.error(report.name.clone(), format!("{}: {}", e.stage, e.message));
                format!("failed at {}: {}", e.stage, e.message)
            }
            None => "read".into(),
        };
    }
    for (index, target) in targets.iter().enumerate() {
        let (account, name, region) = match target {
            Target::Account { account, region } => {
                (account.id.clone(), account.name.clone(), region.clone())
            }
            Target::Aggregator { name } => {
                (format!("aggregator {name}"), String::new(), String::new())
            }
        };
        let failed = errors.iter().any(|(i, _)| *i == index);
        outcome.per_account.push(TargetResult {
            account,
            name,
            region,
            items: summary.inputs[index].items,
            status: if failed { "failed".into() } else { "ok".into() },
        });
    }
    outcome.errors.extend(errors.into_iter().map(|(_, e)| e));
    for d in summary.diagnostics.entries() {
        read_problems.push_entry(d.clone());
    }
    summary.diagnostics = read_problems;
    summary.generated_at = Utc::now();
    summary.layout = settings.layout;
    outcome.rows = summary.rows;
    let any_read = outcome.per_account.iter().any(|t| t.status == "ok");
    if !any_read {
        fail(
            &mut outcome,
            "collect",
            "no account or region could be read; no workbook was written".into(),
        );
        return finish(settings, outcome, Some(&base)).await;
    }
    outcome.status = if outcome.errors.is_empty() {
        RunStatus::Ok
    } else {
        RunStatus::Partial
    };

    let options = WriteOptions {
        layout: settings.layout,
        max_sheet_rows: EXCEL_MAX_ROWS,
    };
    let (path, key) = match &settings.destination {
        Destination::File(p) => (p.clone(), None),
        Destination::S3 { prefix, .. } => {
            let key = report_key(prefix, summary.generated_at);
            let name = key
                .rsplit('/')
                .next()
                .unwrap_or("inventory.xlsx")
                .to_string();
            (std::env::temp_dir().join(name), Some(key))
        }
    };
    if let Err(e) = write_workbook(&path, &inventory, &summary, &options) {
        outcome.status = RunStatus::Failed;
        fail(&mut outcome, "write", e.to_string());
        return finish(settings, outcome, Some(&base)).await;
    }
    match (&settings.destination, key) {
        (Destination::S3 { bucket, .. }, Some(key)) => {
            outcome.report = Some(s3_location(&base, bucket, &key));
            let json = serde_json::to_string_pretty(&outcome).unwrap_or_default();
            let sent = upload(&base, bucket, &key, &path, json).await;
            let _ = std::fs::remove_file(&path);
            if let Err(e) = sent {
                outcome.report = None;
                outcome.status = RunStatus::Failed;
                fail(&mut outcome, "deliver", e);
            }
        }
        _ => {
            outcome.report = Some(Delivered {
                path: Some(path.display().to_string()),
                ..Delivered::default()
            })
        }
    }
    finish(settings, outcome, Some(&base)).await
}

fn expand(accounts: &[Account], regions: &[String]) -> Vec<Target> {
    accounts
        .iter()
        .flat_map(|a| {
            regions.iter().map(move |r| Target::Account {
                account: a.clone(),
                region: r.clone(),
            })
        })
        .collect()
}

/// Notifies on partial and failed runs, when a topic is configured.
async fn finish(
    settings: &CollectSettings,
    mut outcome: RunOutcome,
    base: Option<&aws_config::SdkConfig>,
) -> RunOutcome {
    if outcome.status == RunStatus::Ok {
        return outcome;
    }
    let (Some(topic), Some(base)) = (&settings.topic_arn, base) else {
        return outcome;
    };
    let mut text = format!(
        "FedRAMP inventory run {:?}: {} rows.\n\nFailures:\n",
        outcome.status, outcome.rows
    );
    for e in &outcome.errors {
        text.push_str(&format!(
            "- account {} region {} at {}: {}\n",
            e.account, e.region, e.stage, e.message
        ));
    }
    if let Some(r) = &outcome.report {
        text.push_str(&format!(
            "\nReport: {}\n",
            r.s3_uri.as_deref().or(r.path.as_deref()).unwrap_or("")
        ));
    }
    let subject = match outcome.status {
        RunStatus::Partial => "FedRAMP inventory: partial run",
        _ => "FedRAMP inventory: run failed",
    };
    let sent = aws_sdk_sns::Client::new(base)
        .publish()
        .topic_arn(topic)
        .subject(subject)
        .message(text)
        .send()
        .await;
    if let Err(e) = sent {
        let message = format!("sns:Publish to {topic} failed: {}", describe(&e));
        tracing::error!(%message);
        outcome.errors.push(TargetError {
            account: String::new(),
            region: String::new(),
            stage: "notify".into(),
            message,
        });
    }
    outcome
}
