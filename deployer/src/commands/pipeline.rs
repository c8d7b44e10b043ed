//! `fedramp-deploy pipeline`: the delivery pipeline stack (cloudformation/pipeline.yaml)
//! and, with the S3 source, this checkout as what it builds and deploys.

use std::io::Write;

use aws_sdk_cloudformation::Client;

use crate::accounts::{management, scope};
use crate::config::{DeployConfig, PipelineSource};
use crate::source;
use crate::stack_list::{stack_list, Context, Part};
use crate::stacks::{self, Deployed};

pub async fn run(config: &DeployConfig, out: &mut (dyn Write + Send)) -> anyhow::Result<i32> {
    let Some(pipeline) = &config.pipeline else {
        anyhow::bail!(
            "the settings have no `pipeline:` section (see deploy.example.yaml); nothing was changed"
        );
    };
    // Archive first: a checkout git cannot read is found before anything is created.
    let archive = match pipeline.source {
        PipelineSource::S3 => Some(source::archive(&std::env::current_dir()?)?),
        PipelineSource::Connection => None,
    };
    let (base, me) = management(config).await?;
    let scope = scope(config, &base, &me.partition).await?;
    let cf = Client::new(&base);
    let list = stack_list(config, true);
    let entry = (list.iter().find(|e| e.part == Part::Pipeline))
        .ok_or_else(|| anyhow::anyhow!("no pipeline stack in the stack list"))?;
    let stack = &entry.name;
    let context = Context {
        scope,
        ..Context::default()
    };
    let params = entry.parameters(config, &context);
    let deployed = match stacks::deploy(&cf, stack, entry.template, &params, out).await {
        Ok(d) => d,
        Err(e) => {
            writeln!(out, "FAILED: {e}")?;
            return Ok(1);
        }
    };
    let outputs = stacks::outputs(&cf, stack).await?;
    let output = |key: &str| stacks::output(&outputs, key).unwrap_or_default();
    let uploaded = match &archive {
        Some(archive) => {
            let bucket = output("PipelineBucketName");
            let owner = &config.management.account_id;
            let uploaded = source::upload(&base, &bucket, owner, archive).await?;
            let what = if uploaded {
                "uploaded; the pipeline runs on it"
            } else {
                "unchanged"
            };
            writeln!(
                out,
                "source: s3://{bucket}/{} (commit {}) {what}",
                source::SOURCE_KEY,
                archive.commit
            )?;
            if archive.uncommitted {
                writeln!(out, "note: the checkout has uncommitted changes; the pipeline builds the last commit only")?;
            }
            uploaded
        }
        None => false,
    };
    let name = output("PipelineName");
    match deployed {
        Deployed::NoChanges if !uploaded => writeln!(out, "no changes")?,
        Deployed::NoChanges => writeln!(out, "pipeline {name}: stack unchanged")?,
        Deployed::Created => writeln!(out, "pipeline {name}: created (stack {stack})")?,
        Deployed::Updated => writeln!(out, "pipeline {name}: updated (stack {stack})")?,
    }
    Ok(0)
}
