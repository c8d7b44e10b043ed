//! The pipeline's S3 source: the repository as one zip, uploaded only when it changed
//! (each new version starts a pipeline run).

use std::path::Path;
use std::process::Command;

use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use fedramp_inventory::aws::{describe, s3_client};

/// Where the pipeline's source action looks (cloudformation/pipeline.yaml).
pub const SOURCE_KEY: &str = "source/repository.zip";

/// What was archived: the zip, the commit, and whether the checkout had changes the
/// archive leaves out.
pub struct Archive {
    pub zip: Vec<u8>,
    pub commit: String,
    pub uncommitted: bool,
}

/// `git archive HEAD` of the checkout: committed files only, so what the pipeline
/// builds is a commit anyone can look up.
pub fn archive(checkout: &Path) -> anyhow::Result<Archive> {
    let git = |args: &[&str]| -> anyhow::Result<Vec<u8>> {
        let out = Command::new("git")
            .current_dir(checkout)
            .args(args)
            .output()
            .map_err(|e| anyhow::anyhow!("cannot run git: {e}"))?;
        if !out.status.success() {
            anyhow::bail!(
                "git {} failed in {}: {} (the S3 source is the git checkout fedramp-deploy runs in)",
                args.join(" "),
                checkout.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(out.stdout)
    };
    let commit = String::from_utf8_lossy(&git(&["rev-parse", "HEAD"])?)
        .trim()
        .to_string();
    let zip = git(&["archive", "--format=zip", "HEAD"])?;
    let uncommitted = !git(&["status", "--porcelain", "--untracked-files=no"])?.is_empty();
    Ok(Archive {
        zip,
        commit,
        uncommitted,
    })
}

/// Uploads the archive unless the object there has the same content. Returns whether
/// it uploaded. The bucket's default encryption applies (the pipeline's key, if any).
pub async fn upload(
    config: &SdkConfig,
    bucket: &str,
    owner: &str,
    archive: &Archive,
) -> anyhow::Result<bool> {
    let digest = crate::package::sha256_hex(&archive.zip);
    let s3 = s3_client(config);
    let current = s3
        .head_object()
        .bucket(bucket)
        .key(SOURCE_KEY)
        .expected_bucket_owner(owner)
        .send()
        .await
        .ok();
    let same = current
        .as_ref()
        .and_then(|h| h.metadata())
        .and_then(|m| m.get("sha256"))
        .is_some_and(|d| *d == digest);
    if same {
        return Ok(false);
    }
    s3.put_object()
        .bucket(bucket)
        .key(SOURCE_KEY)
        .expected_bucket_owner(owner)
        .metadata("sha256", &digest)
        .metadata("commit", &archive.commit)
        .body(ByteStream::from(archive.zip.clone()))
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "s3:PutObject s3://{bucket}/{SOURCE_KEY} failed: {}",
                describe(&e)
            )
        })?;
    Ok(true)
}
