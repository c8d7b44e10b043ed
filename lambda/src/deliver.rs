//! The report bucket: this run's files go in under one timestamped stem, each with its
//! content type, the run result as JSON beside them; the last run's snapshot comes out
//! of it for the comparison.
//!
//! No `x-amz-server-side-encryption` header is sent: the bucket's default encryption
//! (SSE-S3, or the customer's KMS key) applies, and a request header would override it.
//! Every call names the expected bucket owner (the caller's own account): a bucket of
//! that name in another account is refused by S3, never written to or read from.

use std::path::Path;

use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aws::{describe, s3_client};
use crate::outputs::Format;

/// Where one file of a run was put.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Delivered {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// File names of a run: `FedRAMP-Integrated-Inventory-{YYYY-MM-DD-HH-MM-SS}` (UTC).
pub fn report_name(at: DateTime<Utc>) -> String {
    format!(
        "FedRAMP-Integrated-Inventory-{}",
        at.format("%Y-%m-%d-%H-%M-%S")
    )
}

/// `{prefix}/{name}`, without doubled or leading slashes.
pub fn object_key(prefix: &str, name: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// The object's https address; the host follows the partition (aws-cn is .com.cn).
pub fn object_url(bucket: &str, region: &str, key: &str) -> String {
    let domain = crate::partition::region_dns_suffix(region);
    format!("https://{bucket}.s3.{region}.{domain}/{key}")
}

/// Where an upload puts `key`, known before the upload so that the run result stored
/// beside it can say so.
pub fn s3_location(config: &SdkConfig, bucket: &str, key: &str, format: Format) -> Delivered {
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    Delivered {
        format: Some(format),
        s3_uri: Some(format!("s3://{bucket}/{key}")),
        url: Some(object_url(bucket, &region, key)),
        path: None,
        content_type: Some(format.content_type().to_string()),
    }
}

/// The report bucket and the account that must own it.
#[derive(Clone, Copy, Debug)]
pub struct Bucket<'a> {
    pub name: &'a str,
    pub owner: &'a str,
}

impl Bucket<'_> {
    /// `s3://NAME/KEY`, as errors name an object.
    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.name)
    }
}

/// Uploads one file.
pub async fn upload_file(
    config: &SdkConfig,
    bucket: Bucket<'_>,
    key: &str,
    file: &Path,
    content_type: &str,
) -> Result<(), String> {
    let body = ByteStream::from_path(file)
        .await
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    put(config, bucket, key, body, content_type).await
}

/// Uploads text (the run result).
pub async fn upload_text(
    config: &SdkConfig,
    bucket: Bucket<'_>,
    key: &str,
    text: String,
    content_type: &str,
) -> Result<(), String> {
    put(
        config,
        bucket,
        key,
        ByteStream::from(text.into_bytes()),
        content_type,
    )
    .await
}

async fn put(
    config: &SdkConfig,
    bucket: Bucket<'_>,
    key: &str,
    body: ByteStream,
    content_type: &str,
) -> Result<(), String> {
    s3_client(config)
        .put_object()
        .bucket(bucket.name)
        .expected_bucket_owner(bucket.owner)
        .key(key)
        .body(body)
        .content_type(content_type)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("s3:PutObject {} failed: {}", bucket.uri(key), describe(&e)))
}

/// The newest snapshot under `prefix` whose key sorts before `current` (keys carry the
/// time, so key order is time order), if any.
pub async fn previous_snapshot(
    config: &SdkConfig,
    bucket: Bucket<'_>,
    prefix: &str,
    current: &str,
) -> Result<Option<String>, String> {
    let prefix = prefix.trim_matches('/');
    let list_prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let suffix = format!(".{}", Format::Snapshot.extension());
    let mut pages = s3_client(config)
        .list_objects_v2()
        .bucket(bucket.name)
        .expected_bucket_owner(bucket.owner)
        .prefix(&list_prefix)
        .into_paginator()
        .send();
    let mut newest: Option<String> = None;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            format!(
                "s3:ListBucket {} failed: {}",
                bucket.uri(&list_prefix),
                describe(&e)
            )
        })?;
        for key in page.contents().iter().filter_map(|o| o.key()) {
            let candidate = key.ends_with(&suffix)
                && key < current
                && !key[list_prefix.len()..].contains('/')
                && newest.as_deref().is_none_or(|n| key > n);
            if candidate {
                newest = Some(key.to_string());
            }
        }
    }
    Ok(newest)
}

/// An object's text (the provider's SDR), read with the run's own credentials.
pub async fn read_text(config: &SdkConfig, bucket: &str, key: &str) -> Result<String, String> {
    let uri = format!("s3://{bucket}/{key}");
    let object = s3_client(config)
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| format!("s3:GetObject {uri} failed: {}", describe(&e)))?;
    let bytes = object
        .body
        .collect()
        .await
        .map_err(|e| format!("reading {uri} failed: {e}"))?;
    String::from_utf8(bytes.into_bytes().to_vec()).map_err(|_| format!("{uri} is not UTF-8 text"))
}

/// Downloads `key` to `file`.
pub async fn download(
    config: &SdkConfig,
    bucket: Bucket<'_>,
    key: &str,
    file: &Path,
) -> Result<(), String> {
    let object = s3_client(config)
        .get_object()
        .bucket(bucket.name)
        .expected_bucket_owner(bucket.owner)
        .key(key)
        .send()
        .await
        .map_err(|e| format!("s3:GetObject {} failed: {}", bucket.uri(key), describe(&e)))?;
    let bytes = object
        .body
        .collect()
        .await
        .map_err(|e| format!("reading {} failed: {e}", bucket.uri(key)))?;
    std::fs::write(file, bytes.into_bytes())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn keys_and_urls() {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            object_key("/reports/", &format!("{}.xlsx", report_name(at))),
            "reports/FedRAMP-Integrated-Inventory-2026-01-02-03-04-05.xlsx"
        );
        assert_eq!(object_key("", "x.csv"), "x.csv");
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
