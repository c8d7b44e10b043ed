//! What the `collect` tests share: a seeded local AWS, one `collect` run, the workbook
//! read back.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::common::{items, LocalAws};

pub const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");
pub const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

pub fn seed(accounts: &[&str], per_region: usize) -> Value {
    let mut all = serde_json::Map::new();
    for a in accounts {
        let mut regions = serde_json::Map::new();
        for (i, r) in REGIONS.iter().enumerate() {
            // Different items per account and region: counts differ too.
            regions.insert(r.to_string(), Value::from(items(a, r, per_region + i)));
        }
        all.insert(a.to_string(), Value::Object(regions));
    }
    json!({"items": all, "buckets": ["reports"], "topics": ["alerts"]})
}

pub fn collect(aws: &LocalAws, args: &[&str]) -> (i32, Value) {
    collect_with(aws, args, &[])
}

/// `collect` with `args`, writing the workbook `name` in a new temporary directory.
pub fn collect_into(aws: &LocalAws, name: &str, args: &[&str]) -> (i32, Value, Written) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut all = args.to_vec();
    all.extend(["--output", path.to_str().unwrap()]);
    let (code, result) = collect(aws, &all);
    (code, result, Written { _dir: dir, path })
}

/// A workbook `collect` wrote, and the temporary directory that holds it while it lives.
pub struct Written {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl std::ops::Deref for Written {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

/// `collect` with more environment variables.
pub fn collect_with(aws: &LocalAws, args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let out = Command::new(BIN)
        .arg("collect")
        .args(args)
        .env_remove("AWS_PROFILE")
        .envs(aws.env())
        .envs(env.iter().copied())
        .output()
        .expect("collect runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {stdout} stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), result)
}

/// Inventory rows as text, without the Comments column (which names accounts when
/// their names are known) when `drop_comments`.
pub fn rows(path: &Path, drop_comments: bool) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range("Inventory").unwrap();
    let end = range.end().map_or(0, |(r, _)| r + 1);
    (2..end)
        .map(|r| {
            (0..25u32)
                .filter(|c| !(drop_comments && *c == 18))
                .map(|c| match range.get_value((r, c)) {
                    Some(Data::String(s)) => s.clone(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect()
}

pub fn summary_text(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range("Run Summary").unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
