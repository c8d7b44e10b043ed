//! `fedramp-deploy` run against the local AWS with the settings its tests share.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::LocalAws;

/// The deployer binary (only the deployer's own tests are built with it).
pub const BIN: &str = match option_env!("CARGO_BIN_EXE_fedramp-deploy") {
    Some(bin) => bin,
    None => "fedramp-deploy",
};
pub const MANAGEMENT: &str = "123456789012";

/// Settings for two listed member accounts, both regions, and `schedule`.
pub fn settings(dir: &Path, schedule: &str) -> PathBuf {
    let path = dir.join("deploy.yaml");
    std::fs::write(
        &path,
        format!(
            "management:\n  account-id: \"{MANAGEMENT}\"\n  region: us-east-1\nmembers:\n  accounts:\n    - id: \"111111111111\"\n      name: prod\n    - id: \"222222222222\"\n      name: dev\nregions: [us-east-1, us-west-2]\nschedule: \"{schedule}\"\nreport-bucket: fedramp-reports\nexternal-id: sesame\narchitecture: x86_64\n"
        ),
    )
    .unwrap();
    path
}

/// A stand-in function package: moto stores Lambda code without running it.
pub fn package(dir: &Path) -> PathBuf {
    let path = dir.join("bootstrap.zip");
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    zip.start_file("bootstrap", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, b"#!/bin/sh\n").unwrap();
    zip.finish().unwrap();
    path
}

pub fn deploy(aws: &LocalAws, args: &[&str]) -> (i32, String) {
    super::run_against(aws, Command::new(BIN).args(args))
}

/// One `deploy` with the daily schedule's settings plus `extra` YAML lines.
pub fn deploy_once(aws: &LocalAws, extra: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = settings(dir.path(), "cron(0 6 * * ? *)");
    let text = std::fs::read_to_string(&cfg).unwrap() + extra;
    std::fs::write(&cfg, text).unwrap();
    let pkg = package(dir.path());
    deploy(
        aws,
        &[
            "deploy",
            "--config",
            cfg.to_str().unwrap(),
            "--package",
            pkg.to_str().unwrap(),
        ],
    )
}
