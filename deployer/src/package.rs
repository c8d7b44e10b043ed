//! The function package: built with cargo-lambda (or given), stored under its content
//! hash so an unchanged build changes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};
use fedramp_inventory::aws::{describe, s3_client};
use sha2::{Digest, Sha256};

/// Builds `bootstrap.zip` for the architecture with `cargo lambda build`.
pub fn build(workspace: &Path, architecture: &str) -> anyhow::Result<PathBuf> {
    let arch_flag = if architecture == "arm64" {
        "--arm64"
    } else {
        "--x86-64"
    };
    let status = Command::new("cargo")
        .current_dir(workspace)
        .args([
            "lambda",
            "build",
            "--release",
            "--output-format",
            "zip",
            arch_flag,
        ])
        .args([
            "-p",
            "fedramp-inventory",
            "--bin",
            "fedramp-inventory-lambda",
        ])
        .status()
        .map_err(|e| {
            anyhow::anyhow!("cannot run cargo lambda (install it: pip install cargo-lambda): {e}")
        })?;
    if !status.success() {
        anyhow::bail!("cargo lambda build failed ({status})");
    }
    Ok(workspace.join("target/lambda/fedramp-inventory-lambda/bootstrap.zip"))
}

/// The SHA-256 of `bytes` in lower-case hex: what names a package and marks an upload.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `fedramp-inventory/bootstrap-{sha256}.zip`.
pub fn key_for(bytes: &[u8]) -> String {
    format!("fedramp-inventory/bootstrap-{}.zip", sha256_hex(bytes))
}

/// Makes the artifact bucket (private, encrypted) if needed and uploads the package
/// unless the same content is already there. Returns the key.
pub async fn upload(
    config: &SdkConfig,
    bucket: &str,
    owner: &str,
    package: &Path,
) -> anyhow::Result<String> {
    let bytes = std::fs::read(package)
        .map_err(|e| anyhow::anyhow!("cannot read the package {}: {e}", package.display()))?;
    let key = key_for(&bytes);
    let s3 = s3_client(config);
    let mine = s3
        .head_bucket()
        .bucket(bucket)
        .expected_bucket_owner(owner)
        .send()
        .await;
    if let Err(e) = &mine {
        // Someone else's bucket of that name answers 403: never write packages to it.
        if s3.head_bucket().bucket(bucket).send().await.is_ok() {
            anyhow::bail!(
                "the artifact bucket {bucket} exists but does not belong to {owner} ({}); nothing was changed",
                describe(e)
            );
        }
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let mut create = s3.create_bucket().bucket(bucket);
        if region != "us-east-1" {
            let location = CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region.as_str()))
                .build();
            create = create.create_bucket_configuration(location);
        }
        create
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("s3:CreateBucket {bucket} failed: {}", describe(&e)))?;
        let block = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .block_public_policy(true)
            .ignore_public_acls(true)
            .restrict_public_buckets(true)
            .build();
        s3.put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(block)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("s3:PutPublicAccessBlock {bucket} failed: {}", describe(&e))
            })?;
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(
                ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::Aes256)
                    .build()?,
            )
            .build();
        s3.put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .rules(rule)
                    .build()?,
            )
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("s3:PutBucketEncryption {bucket} failed: {}", describe(&e))
            })?;
        // Every package version kept (what ran when), and TLS only.
        s3.put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                aws_sdk_s3::types::VersioningConfiguration::builder()
                    .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("s3:PutBucketVersioning {bucket} failed: {}", describe(&e))
            })?;
        let partition = partition_of(config);
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [format!("arn:{partition}:s3:::{bucket}"), format!("arn:{partition}:s3:::{bucket}/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }]
        });
        s3.put_bucket_policy()
            .bucket(bucket)
            .policy(policy.to_string())
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("s3:PutBucketPolicy {bucket} failed: {}", describe(&e)))?;
    }
    if s3
        .head_object()
        .bucket(bucket)
        .key(&key)
        .expected_bucket_owner(owner)
        .send()
        .await
        .is_err()
    {
        s3.put_object()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .key(&key)
            .body(ByteStream::from(bytes))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("s3:PutObject s3://{bucket}/{key} failed: {}", describe(&e))
            })?;
    }
    Ok(key)
}

/// The partition of the session's region (AWS's table, one copy for the whole tool).
fn partition_of(config: &SdkConfig) -> &'static str {
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    fedramp_inventory::partition::partition_of(&region)
}

/// Deletes every object version in a bucket, then the bucket; only a bucket `owner`
/// owns (a bucket of that name elsewhere answers 403 and is left alone).
pub async fn delete_bucket(config: &SdkConfig, bucket: &str, owner: &str) -> anyhow::Result<bool> {
    if !empty_bucket(config, bucket, owner).await? {
        return Ok(false);
    }
    s3_client(config)
        .delete_bucket()
        .bucket(bucket)
        .expected_bucket_owner(owner)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("s3:DeleteBucket {bucket} failed: {}", describe(&e)))?;
    Ok(true)
}

/// Deletes every object version in a bucket `owner` owns, leaving the bucket (for a
/// stack to delete). False when there is no such bucket of theirs.
pub async fn empty_bucket(config: &SdkConfig, bucket: &str, owner: &str) -> anyhow::Result<bool> {
    let s3 = s3_client(config);
    if s3
        .head_bucket()
        .bucket(bucket)
        .expected_bucket_owner(owner)
        .send()
        .await
        .is_err()
    {
        return Ok(false);
    }
    loop {
        let versions = s3
            .list_object_versions()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("s3:ListObjectVersions {bucket} failed: {}", describe(&e))
            })?;
        let mut targets: Vec<(String, Option<String>)> = versions
            .versions()
            .iter()
            .map(|v| {
                (
                    v.key().unwrap_or_default().to_string(),
                    v.version_id().map(String::from),
                )
            })
            .collect();
        targets.extend(versions.delete_markers().iter().map(|v| {
            (
                v.key().unwrap_or_default().to_string(),
                v.version_id().map(String::from),
            )
        }));
        if targets.is_empty() {
            let listed = s3
                .list_objects_v2()
                .bucket(bucket)
                .expected_bucket_owner(owner)
                .send()
                .await
                .map_err(|e| {
                    anyhow::anyhow!("s3:ListObjectsV2 {bucket} failed: {}", describe(&e))
                })?;
            targets.extend(
                listed
                    .contents()
                    .iter()
                    .map(|o| (o.key().unwrap_or_default().to_string(), None)),
            );
        }
        if targets.is_empty() {
            break;
        }
        for (key, version) in targets {
            s3.delete_object()
                .bucket(bucket)
                .expected_bucket_owner(owner)
                .key(&key)
                .set_version_id(version.filter(|v| v != "null"))
                .send()
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "s3:DeleteObject s3://{bucket}/{key} failed: {}",
                        describe(&e)
                    )
                })?;
        }
    }
    Ok(true)
}
