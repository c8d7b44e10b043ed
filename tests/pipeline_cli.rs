//! `fedramp-deploy pipeline` against the local AWS: the pipeline stack is created,
//! redeployed with "no changes", given a new source when the checkout's commit
//! changes, shown by `plan`, and removed by `teardown --pipeline` (reports kept).
//!
//! moto's CloudFormation makes the pipeline's bucket and roles but not the CodeBuild
//! projects or the CodePipeline (it has no CloudFormation support for them): those are
//! covered by cfn-lint, checkov and Guard in `make lint`, and the buildspec they run
//! by tests/buildspec.rs.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::LocalAws;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-deploy");
const MANAGEMENT: &str = "123456789012";
const STACK: &str = "fedramp-inventory-pipeline";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A checkout holding the settings file, committed.
fn checkout(pipeline: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let settings = format!(
        "management:\n  account-id: \"{MANAGEMENT}\"\n  region: us-east-1\nmembers:\n  accounts:\n    - id: \"111111111111\"\n      name: prod\nreport-bucket: fedramp-reports\n{pipeline}"
    );
    std::fs::write(dir.path().join("deploy.yaml"), settings).unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "settings"]);
    dir
}

fn run(aws: &LocalAws, dir: &Path, args: &[&str]) -> (i32, String) {
    let mut deployer = Command::new(BIN);
    deployer
        .current_dir(dir)
        .args(args)
        .args(["--config", "deploy.yaml"]);
    common::run_against(aws, &mut deployer)
}

fn stack(aws: &mut LocalAws) -> Value {
    aws.ask(&format!("stacks {MANAGEMENT}"))[STACK].clone()
}

/// The actions docs/pipeline.md lists for the deploy stage's role.
fn readme_deploy_actions() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(common::repo("docs/pipeline.md")).unwrap();
    let start = readme
        .find("<!-- deploy-role:begin -->")
        .expect("docs/pipeline.md lists the deploy role's actions");
    let end = readme.find("<!-- deploy-role:end -->").unwrap();
    readme[start..end]
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| t.contains(':') && !t.contains(' '))
        .map(String::from)
        .collect()
}

#[test]
fn pipeline_deploys_redeploys_takes_new_commits_and_tears_down() {
    let mut aws = LocalAws::start(&json!({"items": {}}));
    let dir = checkout("pipeline:\n  approval: true\n");

    let (code, text) = run(&aws, dir.path(), &["pipeline"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("created (stack fedramp-inventory-pipeline)"),
        "{text}"
    );
    assert!(text.contains("uploaded; the pipeline runs on it"), "{text}");
    let created = stack(&mut aws);
    assert_eq!(created["status"], "CREATE_COMPLETE", "{created:#}");
    let bucket = created["outputs"]["PipelineBucketName"]
        .as_str()
        .unwrap_or_else(|| panic!("{created:#}"))
        .to_string();

    // The source is the checkout's last commit, in an encrypted bucket (its versioning
    // and TLS-only policy are template assertions: moto's CloudFormation skips them).
    let zip_path = dir.path().join("fetched.zip");
    let got = aws.ask(&format!(
        "s3-get {bucket} source/repository.zip {}",
        zip_path.display()
    ));
    assert!(got.get("error").is_none(), "{got:#}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut settings = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("deploy.yaml").unwrap(), &mut settings).unwrap();
    assert!(settings.contains("pipeline:"), "{settings}");
    let encryption = aws.ask(&format!("s3-encryption {bucket}"));
    assert_eq!(
        encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256",
        "{encryption:#}"
    );

    // The deploy stage's role may do exactly what docs/pipeline.md lists, nothing else.
    let roles = aws.ask(&format!("roles {MANAGEMENT}"));
    let deploy_role = roles
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|r| r.starts_with("fedramp-inventory-pipeline-DeployRole"))
        .unwrap_or_else(|| panic!("no deploy role in {roles}"))
        .to_string();
    let role = aws.ask(&format!("role {MANAGEMENT} {deploy_role}"));
    let granted: BTreeSet<String> = role["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .map(String::from)
        .collect();
    assert!(granted.iter().all(|a| !a.contains('*')), "{granted:?}");
    assert_eq!(granted, readme_deploy_actions());
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        "codebuild.amazonaws.com"
    );

    // Same commit, same settings: nothing to do.
    let (code, text) = run(&aws, dir.path(), &["pipeline"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.lines().any(|l| l == "no changes"), "{text}");
    assert!(text.contains(" unchanged"), "{text}");

    // A new commit is a new source version (which starts the pipeline).
    std::fs::write(dir.path().join("NOTES.md"), "a change\n").unwrap();
    git(dir.path(), &["add", "NOTES.md"]);
    git(dir.path(), &["commit", "-q", "-m", "change"]);
    let (code, text) = run(&aws, dir.path(), &["pipeline"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("stack unchanged"), "{text}");
    assert!(text.contains("uploaded; the pipeline runs on it"), "{text}");

    let (code, text) = run(&aws, dir.path(), &["plan"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.lines()
            .any(|l| l == "management fedramp-inventory-pipeline: no changes"),
        "{text}"
    );

    // Teardown keeps the pipeline unless asked, and says so.
    let (code, text) = run(&aws, dir.path(), &["teardown"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("pipeline stack fedramp-inventory-pipeline kept"),
        "{text}"
    );
    assert_eq!(stack(&mut aws)["status"], "CREATE_COMPLETE");
    let (code, text) = run(&aws, dir.path(), &["teardown", "--pipeline"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(stack(&mut aws), Value::Null, "{text}");
    let names = aws.ask("buckets")["names"].clone();
    assert!(
        !names.as_array().unwrap().contains(&json!(bucket)),
        "{names}"
    );
}

#[test]
fn pipeline_settings_are_checked_before_anything_is_made() {
    let mut aws = LocalAws::start(&json!({"items": {}}));
    let cases = [
        ("pipeline:\n  source: connection\n", "pipeline.connection-arn"),
        (
            "pipeline:\n  source: connection\n  connection-arn: arn:aws:codeconnections:us-east-1:123456789012:connection/abc\n  repository: just-a-name\n",
            "pipeline.repository: expected owner/name",
        ),
        ("pipeline:\n  repository: org/repo\n", "go with `source: connection`"),
        (
            "pipeline: {}\nmember-access:\n  profiles:\n    \"111111111111\": prod\n",
            "use member-access.role",
        ),
        ("pipeline:\n  approvals: true\n", "unknown field `approvals`"),
    ];
    for (pipeline, expected) in cases {
        let dir = checkout(pipeline);
        let (code, text) = run(&aws, dir.path(), &["pipeline"]);
        assert_ne!(code, 0, "{text}");
        assert!(text.contains(expected), "expected {expected:?} in {text}");
    }
    // Without a pipeline section there is nothing to make.
    let dir = checkout("");
    let (code, text) = run(&aws, dir.path(), &["pipeline"]);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("no `pipeline:` section"), "{text}");
    assert_eq!(aws.ask(&format!("stacks {MANAGEMENT}")), json!({}));
}
