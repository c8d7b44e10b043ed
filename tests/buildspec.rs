//! The pipeline's `buildspec.yml`, run phase by phase on a fresh copy of the repository
//! by `tests/harness/codebuild.py` (CodeBuild's environment variables, one shell across
//! phases, post_build after a failed build, artifacts that must exist), so a broken
//! buildspec fails here, not in the customer's pipeline.
//!
//! The copy builds in this checkout's cargo target directory: dependencies compiled for
//! these tests are reused, while the copy's own crates are compiled from its sources.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{python, repo, target_dir};

fn run_buildspec(buildspec: &Path, source: &Path, vars: &[&str]) -> (Output, tempfile::TempDir) {
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(python())
        .arg(repo("tests/harness/codebuild.py"))
        .args([buildspec, source, work.path()])
        .args(vars)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("the CodeBuild runner starts");
    (out, work)
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// The runner itself: a failed build still runs post_build and fails the build; a
/// failed pre_build skips build; shell state carries across phases; a missing artifact
/// fails the build.
#[test]
fn the_runner_keeps_codebuild_semantics() {
    let source = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(source.path())
            .args(args)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    git(&["init", "-q"]);
    std::fs::write(source.path().join("input.txt"), "x\n").unwrap();
    let spec = |body: &str| {
        let path = source.path().join("buildspec.yml");
        std::fs::write(&path, body).unwrap();
        path
    };
    let failing_build = spec(
        "version: 0.2\nenv:\n  variables:\n    GREETING: hello\nphases:\n  install:\n    commands:\n      - export CARRIED=yes\n  build:\n    commands:\n      - test \"$CARRIED\" = yes && test \"$GREETING\" = hello && test -n \"$CODEBUILD_BUILD_ID\" && test -z \"$CI\"\n      - mkdir out && cp input.txt out/\n      - sh -c 'exit 3'\n      - echo never\n  post_build:\n    commands:\n      - echo \"post_build with succeeding=$CODEBUILD_BUILD_SUCCEEDING\"\nartifacts:\n  base-directory: out\n  files: [input.txt]\n",
    );
    let (out, _work) = run_buildspec(&failing_build, source.path(), &[]);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(shown.contains("phase build FAILED (exit 3)"), "{shown}");
    assert!(!shown.contains("$ echo never"), "{shown}");
    assert!(shown.contains("post_build with succeeding=0"), "{shown}");

    let failing_pre_build = spec("version: 0.2\nphases:\n  pre_build:\n    commands:\n      - \"false\"\n  build:\n    commands:\n      - echo building\n  post_build:\n    commands:\n      - echo after\n");
    let (out, _work) = run_buildspec(&failing_pre_build, source.path(), &[]);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        !shown.contains("$ echo building") && !shown.contains("$ echo after"),
        "{shown}"
    );

    let missing_artifact = spec("version: 0.2\nphases:\n  build:\n    commands:\n      - \"true\"\nartifacts:\n  files: [nothing-made.zip]\n");
    let (out, _work) = run_buildspec(&missing_artifact, source.path(), &[]);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        shown.contains("no file matches 'nothing-made.zip'"),
        "{shown}"
    );
}

/// The pipeline tests with the whole suite: the real buildspec's pre_build is `make
/// test`, and `make test` runs every test of the workspace unless told otherwise.
#[test]
fn the_pipeline_runs_every_test() {
    let spec: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(repo("buildspec.yml")).unwrap()).unwrap();
    assert_eq!(
        spec["phases"]["pre_build"]["commands"],
        serde_yaml::from_str::<serde_yaml::Value>("[make test]").unwrap()
    );
    let dry = Command::new("make")
        .args(["-n", "test"])
        .current_dir(repo("."))
        .env_remove("CARGO_TEST_ARGS")
        .output()
        .unwrap();
    let shown = text(&dry);
    assert!(dry.status.success(), "{shown}");
    // cargo test, or cargo-nextest where it is installed: every target of the workspace.
    let cargo = shown
        .lines()
        .find(|l| l.contains(" test ") || l.contains(" nextest run "))
        .unwrap_or_else(|| panic!("no cargo test in {shown}"));
    assert!(
        cargo.trim_end().ends_with(" --workspace --all-targets"),
        "{cargo}"
    );
}

/// The real buildspec on a fresh copy: `make test` (its venvs made from nothing, cargo
/// testing the copy; narrowed to the unit tests by CARGO_TEST_ARGS, since this suite is
/// what it would run and is running now, see the test above), `make lambda` (the arm64
/// package), `make deployer`, the artifacts the deploy stage receives, and the deploy
/// stage itself. The two builds are unoptimized (BUILD_PROFILE, see Cargo.toml's
/// `package-check`); that the pipeline's own builds are release builds is the next
/// test's.
#[test]
fn the_buildspec_tests_builds_and_packages_a_fresh_copy() {
    if std::env::var_os("CODEBUILD_BUILD_ID").is_some() {
        // Inside a CodeBuild build: the buildspec is not run again.
        eprintln!("running inside a CodeBuild build: the buildspec is not run again");
        return;
    }
    let (out, work) = run_buildspec(
        &repo("buildspec.yml"),
        &repo("."),
        &[
            "DEPLOY_CONFIG=deploy.example.yaml",
            "CARGO_TEST_ARGS=--workspace --lib",
            "BUILD_PROFILE=package-check",
            "CARGO_INCREMENTAL=0",
        ],
    );
    let shown = text(&out);
    assert!(
        out.status.success(),
        "{}",
        &shown[shown.len().saturating_sub(20_000)..]
    );
    // Phase times, for whoever reads the test's output (`--nocapture`).
    for line in shown.lines().filter(|l| l.contains("SUCCEEDED (")) {
        eprintln!("{line}");
    }
    for phase in ["install", "pre_build", "build", "post_build"] {
        assert!(
            shown.contains(&format!("phase {phase} SUCCEEDED")),
            "{phase} did not run: {shown}"
        );
    }
    // `make test` tested the copy: its unit tests ran and passed (cargo test's
    // "test result: ok." or cargo-nextest's "N tests run: N passed").
    let passed = shown.lines().any(|l| {
        l.contains("test result: ok.")
            || l.contains(" tests run: ") && l.contains(" passed") && !l.contains(" failed")
    });
    assert!(shown.contains("$ make test") && passed, "{shown}");
    let artifacts = work.path().join("src/target/pipeline");
    let deployer = Command::new(artifacts.join("fedramp-deploy"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&deployer.stdout).contains("pipeline"),
        "{deployer:?}"
    );
    assert!(artifacts.join("deploy.example.yaml").is_file());
    // The function package: an arm64 `bootstrap` in a zip Lambda takes by direct
    // upload (50 MB). Unoptimized, it is about 20 MB; the release package's size is
    // `make bench`'s to watch.
    let package = artifacts.join("bootstrap.zip");
    let size = std::fs::metadata(&package).unwrap().len();
    assert!(size < 50 * 1024 * 1024, "bootstrap.zip is {size} bytes");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&package).unwrap()).unwrap();
    let mut head = [0u8; 20];
    std::io::Read::read_exact(&mut zip.by_name("bootstrap").unwrap(), &mut head).unwrap();
    assert_eq!(&head[..4], b"\x7fELF");
    // e_machine 183: AArch64.
    assert_eq!(u16::from_le_bytes([head[18], head[19]]), 183);

    // The pipeline's Deploy stage, with the artifacts: the real package deployed.
    let mut aws = common::LocalAws::start(&serde_json::json!({"items": {}}));
    let settings = work.path().join("deploy.yaml");
    std::fs::write(
        &settings,
        "management:\n  account-id: \"123456789012\"\n  region: us-east-1\nmembers:\n  accounts:\n    - id: \"111111111111\"\nreport-bucket: fedramp-reports\n",
    )
    .unwrap();
    let (code, shown) = common::run_against(
        &aws,
        Command::new(artifacts.join("fedramp-deploy"))
            .args(["deploy", "--config"])
            .arg(&settings)
            .arg("--package")
            .arg(&package),
    );
    assert_eq!(code, 0, "{shown}");
    let function = aws.ask("lambda 123456789012 fedramp-inventory-collector");
    let bytes = std::fs::read(&package).unwrap();
    use base64::Engine;
    use sha2::Digest;
    let sha = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes));
    assert_eq!(function["CodeSha256"], sha.as_str(), "{function:#}");
    assert_eq!(function["CodeSize"], bytes.len(), "{function:#}");
    assert_eq!(function["Runtime"], "provided.al2023", "{function:#}");
}

/// What the pipeline builds and ships: release builds, whatever the test above chose
/// for its copy, from the paths `pipeline-artifacts` copies.
#[test]
fn the_pipeline_ships_release_builds() {
    let spec: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(repo("buildspec.yml")).unwrap()).unwrap();
    assert_eq!(
        spec["phases"]["build"]["commands"],
        serde_yaml::from_str::<serde_yaml::Value>(
            "[make lambda LAMBDA_ARCH=\"$LAMBDA_ARCH\", make deployer]"
        )
        .unwrap()
    );
    let dry = Command::new("make")
        .args(["-n", "lambda", "deployer", "pipeline-artifacts"])
        .current_dir(repo("."))
        .env_remove("BUILD_PROFILE")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    let shown = text(&dry);
    assert!(dry.status.success(), "{shown}");
    assert!(
        shown.contains("cargo lambda build --release --output-format zip")
            && shown.contains("cargo build --release -p fedramp-deploy")
            && shown.contains("cp target/release/fedramp-deploy "),
        "{shown}"
    );
}
