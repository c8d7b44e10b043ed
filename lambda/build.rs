//! The commit the tool is built from, for the derivation document (MAS-CSO-IIR asks
//! for "the code for the automated process"): git's HEAD when the source is a git
//! checkout, else the pipeline's source version (CodeBuild's
//! `CODEBUILD_RESOLVED_SOURCE_VERSION`), else `unknown`.

use std::process::Command;

fn main() {
    let from_git = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let commit = from_git
        .or_else(|| std::env::var("CODEBUILD_RESOLVED_SOURCE_VERSION").ok())
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=FEDRAMP_INVENTORY_COMMIT={commit}");
    println!("cargo:rerun-if-env-changed=CODEBUILD_RESOLVED_SOURCE_VERSION");
    // A new commit moves HEAD or the branch it names.
    for path in ["../.git/HEAD", "../.git/refs/heads", "../.git/packed-refs"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
