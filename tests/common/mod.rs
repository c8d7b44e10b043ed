//! The local AWS for end-to-end tests: `tests/harness/local_aws.py` (moto in-process
//! plus seeded AWS Config) as a child process, talked to over its stdin/stdout.

#![allow(dead_code)]

pub mod deploy;
pub mod network;

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
/// A command line's arguments from one line of text, split at white space, so a test
/// reads like the command it runs (no argument here holds a space).
pub fn args(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

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

/// The name the emulator serves the function under: with `--only-lambda-apis` it knows
/// no function of its own, and invocations of its default name reach the runtime API
/// that the function polls.
pub const EMULATED_FUNCTION: &str = "_";

/// cargo-lambda's runtime emulator and the real function polling it, both stopped when
/// dropped.
pub struct Watch {
    emulator: Child,
    function: Child,
}

impl Drop for Watch {
    fn drop(&mut self) {
        for child in [&mut self.function, &mut self.emulator] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The function binary that `cargo test --workspace` built for the fedramp-inventory
/// package's own tests. The emulator runs it as it is: building it again under
/// `cargo lambda watch` compiled the whole tree a second time, in a profile of its own.
fn lambda_binary() -> PathBuf {
    let bin = option_env!("CARGO_BIN_EXE_fedramp-inventory-lambda")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/fedramp-inventory-lambda"));
    let built = std::fs::metadata(&bin)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| {
            panic!(
                "no {}: run `cargo test --workspace`, which builds it",
                bin.display()
            )
        });
    let newest_source = newest_change(&repo("lambda/src"));
    assert!(
        built >= newest_source,
        "{} is older than lambda/src: run `cargo test --workspace`, which rebuilds it",
        bin.display()
    );
    bin
}

fn newest_change(dir: &std::path::Path) -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest_change(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).unwrap()
        };
        newest = newest.max(time);
    }
    newest
}

/// Starts `cargo lambda watch --only-lambda-apis` and the function binary with `env`
/// and the runtime API's variables, and waits until the emulator listens; returns both
/// with the emulator's port, where `cargo lambda invoke` and Lambda's Invoke API reach
/// the function as [`EMULATED_FUNCTION`].
pub fn lambda_watch(env: &[(String, String)]) -> (Watch, u16) {
    use std::time::{Duration, Instant};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut emulator = Command::new(cargo_lambda())
        .current_dir(repo(""))
        .args([
            "lambda",
            "watch",
            "--only-lambda-apis",
            "--quiet",
            "-A",
            "127.0.0.1",
            "-P",
        ])
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cargo lambda watch starts");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if emulator.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(60) {
            let _ = emulator.kill();
            panic!("the emulator did not start");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // The variables the emulator names for a function started outside it.
    let function = Command::new(lambda_binary())
        .env_remove("AWS_PROFILE")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{port}/.rt"),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", EMULATED_FUNCTION)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "4096")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn();
    let function = match function {
        Ok(child) => child,
        Err(e) => {
            let _ = emulator.kill();
            panic!("the function starts: {e}");
        }
    };
    (Watch { emulator, function }, port)
}

/// The function under the emulator on `port` invoked once with the schedule's event
/// (`cargo lambda invoke`): its answer, the run result.
pub fn invoke_scheduled(port: u16) -> serde_json::Value {
    let invoked = Command::new(cargo_lambda())
        .current_dir(repo(""))
        .args(["lambda", "invoke", EMULATED_FUNCTION, "-A", "127.0.0.1"])
        .args(["-P", &port.to_string()])
        .arg("--data-file")
        .arg(repo("tests/fixtures/scheduled-event.json"))
        .output()
        .expect("cargo lambda invoke runs");
    let stdout = String::from_utf8_lossy(&invoked.stdout);
    assert!(
        invoked.status.success(),
        "invoke failed: {stdout} {}",
        String::from_utf8_lossy(&invoked.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
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

/// The data rows of a CSV file our writer made (quoted fields, `""` for a quote).
pub fn csv_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = vec![vec![String::new()]];
    let (mut quoted, mut chars) = (
        false,
        text.trim_start_matches('\u{feff}').chars().peekable(),
    );
    while let Some(c) = chars.next() {
        let row = rows.last_mut().unwrap();
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                row.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(String::new()),
            ('\r', false) => {}
            ('\n', false) => rows.push(vec![String::new()]),
            (c, _) => row.last_mut().unwrap().push(c),
        }
    }
    rows.retain(|r| r.len() > 1 || !r[0].is_empty());
    rows.remove(0);
    rows
}
