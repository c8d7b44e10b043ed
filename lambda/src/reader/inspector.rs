//! Amazon Inspector's coverage in one account and region: which scans are enabled
//! there (`BatchGetAccountStatus`), and every resource it covers (`ListCoverage`,
//! paged, 200 at a time as the model allows), as the records `report --scan-coverage`
//! reads, so the live and the file path judge alike.

use aws_config::SdkConfig;
use serde_json::{json, Value};

use crate::aws::describe;
use crate::kernel::ScanRead;
use crate::scan::coverage::{take_record, Words};
use crate::scan::ScanKind;

/// The kinds the inventory judges, by the scan type each needs enabled.
const KINDS: [ScanKind; 4] = [
    ScanKind::Ec2Instance,
    ScanKind::LambdaFunction,
    ScanKind::EcrImage,
    ScanKind::EcrRepository,
];

/// `ListCoverage`'s largest page (botocore's model: `maxResults` 1..200).
const PAGE: i32 = 200;

/// One account's coverage as Inspector gave it: the kinds whose scanning is enabled,
/// and each covered resource as the CLI prints it, with where it was read. Kept raw so
/// that a fan-out batch can hand it on to the merge, which reads it as this run would.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct RawScan {
    pub account: String,
    pub region: String,
    /// `resourceType`s of the kinds enabled (Inspector's names).
    pub enabled: Vec<String>,
    /// (where it was read, the record).
    pub records: Vec<(String, Value)>,
}

/// The coverage read: records parsed as `report --scan-coverage` parses its files.
pub(crate) fn scan_read(raw: RawScan) -> ScanRead {
    let mut read = ScanRead {
        enabled: raw.enabled.iter().filter_map(|k| ScanKind::of(k)).collect(),
        records: Default::default(),
        warnings: Vec::new(),
        account: raw.account,
        region: raw.region,
    };
    let mut words = Words::default();
    for (source, record) in &raw.records {
        take_record(
            record,
            Some(&read.region),
            source,
            (&mut read.records, &mut words),
            &mut read.warnings,
        );
    }
    read
}

/// Reads one account's coverage in the client's region. `Err` when Inspector could not
/// be asked. Scanning not enabled is no error: the kinds enabled are in the result, and
/// the join names each asset it could then not check.
pub(crate) async fn read(
    config: &SdkConfig,
    account: &str,
    region: &str,
    label: &str,
) -> Result<RawScan, String> {
    let conf = aws_sdk_inspector2::config::Builder::from(config)
        .retry_partition(aws_sdk_config::config::retry::RetryPartition::new(format!(
            "{label} inspector2"
        )))
        .build();
    let client = aws_sdk_inspector2::Client::from_conf(conf);
    let status = client
        .batch_get_account_status()
        .account_ids(account)
        .send()
        .await
        .map_err(|e| format!("inspector2:BatchGetAccountStatus failed: {}", describe(&e)))?;
    let state = status.accounts().iter().find(|a| a.account_id() == account);
    let enabled_scan = |scan: &str| -> Option<String> {
        let resources = state.and_then(|s| s.resource_state());
        let st = match scan {
            "ec2" => resources.and_then(|r| r.ec2()),
            "ecr" => resources.and_then(|r| r.ecr()),
            _ => resources.and_then(|r| r.lambda()),
        };
        st.map(|s| s.status().as_str().to_string())
    };
    // ENABLED only: ENABLING has not scanned yet, and an account missing from the
    // answer has never enabled Inspector.
    let enabled: Vec<ScanKind> = KINDS
        .into_iter()
        .filter(|k| enabled_scan(k.enabled_by()).as_deref() == Some("ENABLED"))
        .collect();
    let mut read = RawScan {
        account: account.to_string(),
        region: region.to_string(),
        enabled: enabled
            .iter()
            .map(|k| k.resource_type().to_string())
            .collect(),
        records: Vec::new(),
    };
    if enabled.is_empty() {
        return Ok(read);
    }
    let only_this_account = aws_sdk_inspector2::types::CoverageStringFilter::builder()
        .comparison(aws_sdk_inspector2::types::CoverageStringComparison::Equals)
        .value(account)
        .build()
        .map_err(|e| e.to_string())?;
    let criteria = aws_sdk_inspector2::types::CoverageFilterCriteria::builder()
        .account_id(only_this_account)
        .build();
    let mut pages = client
        .list_coverage()
        .filter_criteria(criteria)
        .max_results(PAGE)
        .into_paginator()
        .send();
    let mut page_no = 0;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| format!("inspector2:ListCoverage failed: {}", describe(&e)))?;
        page_no += 1;
        for (i, r) in page.covered_resources().iter().enumerate() {
            let source = format!("account {account} / {region}: ListCoverage page {page_no} [{i}]");
            read.records.push((source, as_cli_json(r)));
        }
    }
    Ok(read)
}

fn seconds(t: Option<&aws_sdk_inspector2::primitives::DateTime>) -> Value {
    t.map_or(Value::Null, |t| json!(t.as_secs_f64()))
}

/// A covered resource as the CLI prints it (timestamps as epoch seconds).
fn as_cli_json(r: &aws_sdk_inspector2::types::CoveredResource) -> Value {
    let mut v = json!({
        "accountId": r.account_id(),
        "resourceId": r.resource_id(),
        "resourceType": r.resource_type().as_str(),
        "scanType": r.scan_type().as_str(),
        "scanMode": r.scan_mode().map(|m| m.as_str()),
        "lastScannedAt": seconds(r.last_scanned_at()),
    });
    if let Some(s) = r.scan_status() {
        v["scanStatus"] =
            json!({"statusCode": s.status_code().as_str(), "reason": s.reason().as_str()});
    }
    if let Some(image) = r.resource_metadata().and_then(|m| m.ecr_image()) {
        v["resourceMetadata"] = json!({"ecrImage": {
            "tags": image.tags(),
            "inUseCount": image.in_use_count(),
            "lastInUseAt": seconds(image.last_in_use_at()),
        }});
    }
    v
}
