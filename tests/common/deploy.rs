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

/// Two regions of items for each member: `n + 1` tables in us-east-1 for the n-th, two
/// in us-west-2 (each region also one instance with two addresses).
pub fn member_items(members: &[&str]) -> serde_json::Value {
    let mut items = serde_json::Map::new();
    for (n, member) in members.iter().enumerate() {
        items.insert(
            member.to_string(),
            serde_json::json!({"us-east-1": super::items(member, "us-east-1", n + 1),
                               "us-west-2": super::items(member, "us-west-2", 2)}),
        );
    }
    serde_json::Value::Object(items)
}

/// The deployed collector function under cargo-lambda's emulator, with the environment
/// its stack gave it (every value as text, as Lambda gives it: moto keeps numbers as
/// numbers) and the local AWS's: its function description, the emulator and its port.
pub fn emulate_deployed(aws: &mut LocalAws) -> (serde_json::Value, super::Watch, u16) {
    let function = aws.ask(&format!("lambda {MANAGEMENT} fedramp-inventory-collector"));
    let mut env: Vec<(String, String)> = aws
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    for (k, v) in function["Environment"].as_object().unwrap() {
        let text = v.as_str().map_or_else(|| v.to_string(), String::from);
        env.push((k.clone(), text));
    }
    let (watch, port) = super::lambda_watch(&env);
    (function, watch, port)
}

/// `fedramp-deploy invoke --config CFG` with `env` added: the run result it printed
/// (the first JSON object of its output) and the whole output; it must exit 0.
pub fn invoke(aws: &LocalAws, cfg: &Path, env: &[(&str, &str)]) -> (serde_json::Value, String) {
    let out = Command::new(BIN)
        .args(["invoke", "--config", cfg.to_str().unwrap()])
        .env_remove("AWS_PROFILE")
        .envs(aws.env())
        .envs(env.iter().copied())
        .output()
        .expect("fedramp-deploy runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let start = text.find("{\n").expect("a JSON run result");
    let end = text.find("\n}\n").expect("a JSON run result") + 2;
    let result = serde_json::from_str(&text[start..end]).unwrap();
    (result, text)
}
