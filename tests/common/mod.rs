//! The local AWS for end-to-end tests: `tests/harness/local_aws.py` (moto in-process
//! plus seeded AWS Config) as a child process, talked to over its stdin/stdout.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A path in the repository, found from the directory cargo runs tests in (their
/// package's) rather than where they were compiled: tests/buildspec.rs runs the same
/// test binaries (cargo finds them up to date) on a fresh copy of the repository, whose
/// own files they must read.
pub fn repo(path: &str) -> PathBuf {
    std::env::current_dir()
        .expect("a current directory")
        .join("..")
        .join(path)
}

/// Where cargo builds: CARGO_TARGET_DIR when set (as cargo reads it), else `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("target"))
}

/// The Python with the pinned harness packages: FEDRAMP_TEST_PYTHON, else the
/// repository's `.venv` (made by `make test`).
pub fn python() -> PathBuf {
    venv_python("FEDRAMP_TEST_PYTHON", ".venv")
}

/// A venv's Python: the variable `var` when set, else the repository's `venv` (which
/// `make test` creates).
pub fn venv_python(var: &str, venv: &str) -> PathBuf {
    if let Ok(p) = std::env::var(var) {
        return PathBuf::from(p);
    }
    let venv = repo(&format!("{venv}/bin/python"));
    assert!(
        venv.exists(),
        "no {}: run `make test`, which creates it",
        venv.display()
    );
    venv
}

pub struct LocalAws {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    pub url: String,
    _seed: tempfile::NamedTempFile,
}

impl LocalAws {
    pub fn start(seed: &serde_json::Value) -> LocalAws {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(seed.to_string().as_bytes()).unwrap();
        let mut child = Command::new(python())
            .arg(repo("tests/harness/local_aws.py"))
            .arg("--seed")
            .arg(file.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the harness starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("harness said {line:?}"))
            .to_string();
        LocalAws {
            child,
            stdin,
            stdout,
            url,
            _seed: file,
        }
    }

    /// A harness command (see local_aws.py), answered as JSON.
    pub fn ask(&mut self, command: &str) -> serde_json::Value {
        writeln!(self.stdin, "{command}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("harness answered {line:?}: {e}"))
    }

    /// Environment for a process that should talk to this AWS.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }
}

impl Drop for LocalAws {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` DynamoDB tables and one EC2 instance with two addresses in an account/region:
/// `n + 2` rows.
pub fn items(account: &str, region: &str, n: usize) -> Vec<serde_json::Value> {
    let mut out: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "resourceType": "AWS::DynamoDB::Table", "resourceId": format!("t{i}"),
                "arn": format!("arn:aws:dynamodb:{region}:{account}:table/t{i:04}"),
                "accountId": account, "awsRegion": region, "configuration": {"tableName": format!("t{i}")},
                "tags": [{"key": "owner", "value": "data"}]
            })
        })
        .collect();
    out.push(serde_json::json!({
        "resourceType": "AWS::EC2::Instance", "resourceId": format!("i-{account}{region}"),
        "accountId": account, "awsRegion": region,
        "configuration": {"instanceId": format!("i-{account}-{region}"), "instanceType": "t3.micro",
            "networkInterfaces": [{"macAddress": "0a:00:00:00:00:01",
                "privateIpAddresses": [{"privateIpAddress": "10.0.0.1"}, {"privateIpAddress": "10.0.0.2"}]}]}
    }));
    // Config answers only the types a query names: this one must not appear.
    out.push(serde_json::json!({"resourceType": "AWS::IAM::Role", "resourceId": "b", "accountId": account,
        "awsRegion": region, "configuration": {}}));
    out
}

/// cargo-lambda from the test venv (PyPI ships the binary and zig).
pub fn cargo_lambda() -> PathBuf {
    let bin = python().with_file_name("cargo-lambda");
    assert!(
        bin.exists(),
        "no {}: run `make test`, which installs it",
        bin.display()
    );
    bin
}

/// `cargo lambda watch` serving the real function, stopped when dropped.
pub struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cargo lambda watch` with the function binary and the environment in
/// `env_file` (dotenv), and waits until it listens; returns it with its port. The
/// function itself is compiled on its first invocation.
pub fn lambda_watch(env_file: &std::path::Path) -> (Watch, u16) {
    use std::time::{Duration, Instant};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(cargo_lambda())
        .current_dir(repo(""))
        .args([
            "lambda",
            "watch",
            "--ignore-changes",
            "--quiet",
            "-A",
            "127.0.0.1",
            "-P",
        ])
        .arg(port.to_string())
        .args([
            "-p",
            "fedramp-inventory",
            "--bin",
            "fedramp-inventory-lambda",
            "--env-file",
        ])
        .arg(env_file)
        // Its own target dir: cargo-lambda builds with other settings than `cargo test`,
        // and sharing one would rebuild half the tree on every switch.
        .env("CARGO_TARGET_DIR", target_dir().join("lambda-watch"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cargo lambda watch starts");
    let mut watch = Watch(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            watch.0.try_wait().unwrap().is_none(),
            "cargo lambda watch exited"
        );
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the emulator did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    (watch, port)
}

/// Runs `command` against the local AWS (its endpoint and test credentials, no named
/// profile): the exit code, and stdout followed by stderr.
pub fn run_against(aws: &LocalAws, command: &mut Command) -> (i32, String) {
    let out = command
        .env_remove("AWS_PROFILE")
        .envs(aws.env())
        .output()
        .expect("the command runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().expect("an exit code, not a signal"), text)
}

/// How a command run with no credentials, or bad ones, ends.
pub struct Refusal {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` with nothing of this environment but PATH, a HOME of its own (no
/// ~/.aws unless `aws_files` gives its files), no instance metadata, and `env`.
pub fn run_bare(
    command: &mut Command,
    aws_files: &[(&str, &str)],
    env: &[(&str, String)],
) -> Refusal {
    let home = tempfile::tempdir().unwrap();
    if !aws_files.is_empty() {
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        for (name, text) in aws_files {
            std::fs::write(home.path().join(".aws").join(name), text).unwrap();
        }
    }
    let out = command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("the command runs");
    Refusal {
        code: out.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
