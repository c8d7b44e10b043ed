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

/// Reads one account's coverage in the client's region. `Err` when Inspector could not
/// be asked. Scanning not enabled is no error: the kinds enabled are in the result, and
/// the join names each asset it could then not check.
pub(crate) async fn read(
    config: &SdkConfig,
    account: &str,
    region: &str,
    label: &str,
) -> Result<ScanRead, String> {
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
    let mut read = ScanRead {
        account: account.to_string(),
        region: region.to_string(),
        enabled,
        records: Default::default(),
        warnings: Vec::new(),
    };
    if read.enabled.is_empty() {
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
    let mut words = Words::default();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| format!("inspector2:ListCoverage failed: {}", describe(&e)))?;
        page_no += 1;
        for (i, r) in page.covered_resources().iter().enumerate() {
            let source = format!("account {account} / {region}: ListCoverage page {page_no} [{i}]");
            take_record(
                &as_cli_json(r),
                Some(region),
                &source,
                (&mut read.records, &mut words),
                &mut read.warnings,
            );
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
