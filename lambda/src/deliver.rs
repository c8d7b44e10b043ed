//! Putting the workbook where the team collects its monthly submission: S3, under a
//! timestamped key, encrypted, with the run summary as JSON beside it.

use std::path::Path;

use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::aws::{describe, s3_client};

pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Where a report was put.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Delivered {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `{prefix}/FedRAMP-Integrated-Inventory-{YYYY-MM-DD-HH-MM-SS}.xlsx`, in UTC.
pub fn report_key(prefix: &str, at: DateTime<Utc>) -> String {
    let name = format!(
        "FedRAMP-Integrated-Inventory-{}.xlsx",
        at.format("%Y-%m-%d-%H-%M-%S")
    );
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    }
}

/// The object's https address; the host follows the partition (aws-cn is .com.cn).
pub fn object_url(bucket: &str, region: &str, key: &str) -> String {
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://{bucket}.s3.{region}.{domain}/{key}")
}

/// Where `upload` puts a workbook, known before the upload so that the summary stored
/// beside it can say so.
pub fn s3_location(config: &SdkConfig, bucket: &str, key: &str) -> Delivered {
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    Delivered {
        s3_uri: Some(format!("s3://{bucket}/{key}")),
        url: Some(object_url(bucket, &region, key)),
        path: None,
    }
}

/// Uploads the workbook and the summary JSON beside it (same key, `.json`).
pub async fn upload(
    config: &SdkConfig,
    bucket: &str,
    key: &str,
    workbook: &Path,
    summary_json: String,
) -> Result<(), String> {
    let s3 = s3_client(config);
    let body = ByteStream::from_path(workbook)
        .await
        .map_err(|e| format!("cannot read {}: {e}", workbook.display()))?;
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(body)
        .content_type(XLSX_CONTENT_TYPE)
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .map_err(|e| format!("s3:PutObject s3://{bucket}/{key} failed: {}", describe(&e)))?;
    let json_key = format!("{}.json", key.trim_end_matches(".xlsx"));
    s3.put_object()
        .bucket(bucket)
        .key(&json_key)
        .body(ByteStream::from(summary_json.into_bytes()))
        .content_type("application/json")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .map_err(|e| {
            format!(
                "s3:PutObject s3://{bucket}/{json_key} failed: {}",
                describe(&e)
            )
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn keys_and_urls() {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            report_key("/reports/", at),
            "reports/FedRAMP-Integrated-Inventory-2026-01-02-03-04-05.xlsx"
        );
        assert_eq!(
            report_key("", at),
            "FedRAMP-Integrated-Inventory-2026-01-02-03-04-05.xlsx"
        );
        assert_eq!(
            object_url("b", "us-gov-west-1", "k.xlsx"),
            "https://b.s3.us-gov-west-1.amazonaws.com/k.xlsx"
        );
        assert_eq!(
            object_url("b", "cn-north-1", "k"),
            "https://b.s3.cn-north-1.amazonaws.com.cn/k"
        );
    }
}
