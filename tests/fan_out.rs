//! A run fanned out on AWS Step Functions: the template's own state machine
//! (cloudformation/collector.yaml), executed by moto's ASL interpreter (Distributed Map,
//! S3 ItemReader), its Lambda tasks answered by the real function under cargo-lambda's
//! runtime emulator, against the local AWS. Judged against the same function's run in
//! one invocation on the same organization.

mod common;

use common::{items, repo, LocalAws, Watch};
use serde_json::{json, Value};

const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

/// `n` accounts x both regions: account `i` holds `i % 4` tables, an instance and a role
/// in each region; with the ACCOUNT_LIST that names them.
fn organization(n: usize) -> (Value, String) {
    let mut seeded = serde_json::Map::new();
    let mut list = Vec::new();
    for i in 0..n {
        let id = format!("{}", 100_000_000_000u64 + i as u64);
        let regions: serde_json::Map<String, Value> = REGIONS
            .iter()
            .map(|r| (r.to_string(), json!(items(&id, r, i % 4))))
            .collect();
        seeded.insert(id.clone(), Value::Object(regions));
        list.push(json!({"name": format!("acct-{i}"), "id": id}));
    }
    (Value::Object(seeded), Value::Array(list).to_string())
}

/// Rows of account `i` in one region (`items`: tables, and the instance's two).
fn rows_of(i: usize) -> u64 {
    (i % 4 + 2) as u64
}

/// The function and its state machine, on the local AWS.
struct Deployed {
    aws: LocalAws,
    _watch: Watch,
    port: u16,
    machine: String,
}

fn deploy(seed: &Value, vars: &[(&str, &str)]) -> Deployed {
    let mut aws = LocalAws::start(seed);
    let mut env: Vec<(String, String)> = aws
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let settings = [
        ("REPORT_TARGET_BUCKET_NAME", "reports"),
        ("REPORT_TARGET_BUCKET_PATH", "inventory"),
        ("REGIONS", "us-east-1,us-west-2"),
        ("FORMATS", "xlsx,csv"),
        ("FAN_OUT", "on"),
        ("FAN_OUT_CONCURRENCY", "4"),
    ];
    for (k, v) in settings.iter().chain(vars) {
        env.push((k.to_string(), v.to_string()));
    }
    let (watch, port) = common::lambda_watch(&env);
    let made = aws.ask(&format!(
        "state-machine {} StateMachine fedramp-inventory http://127.0.0.1:{port} {} {}",
        repo("cloudformation/collector.yaml").display(),
        common::EMULATED_FUNCTION,
        json!({"FanOutConcurrency": "4"})
    ));
    let machine = made["arn"]
        .as_str()
        .unwrap_or_else(|| panic!("no state machine: {made}"))
        .to_string();
    Deployed {
        aws,
        _watch: watch,
        port,
        machine,
    }
}

impl Deployed {
    /// The function invoked once with the schedule's event: the single-function run.
    fn single(&self) -> Value {
        common::invoke_scheduled(self.port)
    }

    /// An execution of the state machine, as the schedule starts it: its output.
    fn fanned(&mut self, name: &str) -> Value {
        let done = self
            .aws
            .ask(&format!("execute {} {name} {{}}", self.machine));
        assert_eq!(done["status"], "SUCCEEDED", "{done:#}");
        done["output"].clone()
    }

    /// The text of one of a result's delivered files (unzipped when gzip).
    fn artifact(&mut self, result: &Value, format: &str) -> String {
        let uri = result["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["format"] == format)
            .and_then(|a| a["s3_uri"].as_str())
            .unwrap_or_else(|| panic!("no {format} in {result:#}"));
        let key = uri.strip_prefix("s3://reports/").unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        self.aws
            .ask(&format!("s3-get reports {key} {}", file.path().display()));
        let bytes = std::fs::read(file.path()).unwrap();
        let mut text = String::new();
        if key.ends_with(".gz") {
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
                .unwrap();
        } else {
            text = String::from_utf8(bytes).unwrap();
        }
        text
    }

    /// Each step the state machine asked of the function, in order.
    fn steps(&mut self) -> Vec<Value> {
        self.aws.ask("invoked").as_array().unwrap().clone()
    }
}

/// What two runs must agree on: everything but where and when they wrote.
fn same_run(one: &Value, other: &Value) {
    for field in [
        "status",
        "rows",
        "per_account",
        "errors",
        "warnings",
        "resources",
    ] {
        assert_eq!(one.get(field), other.get(field), "{field} differs");
    }
}

#[test]
fn forty_accounts_fanned_out_over_eight_batches_give_the_single_runs_inventory() {
    let (seeded, list) = organization(40);
    // Account 7 refuses Config: both runs are partial, name it alike, and say so.
    let denied = format!("{}", 100_000_000_007u64);
    let seed = json!({"items": seeded, "buckets": ["reports"], "topics": ["alerts"],
                      "deny": [denied]});
    let topic = "arn:aws:sns:us-east-1:123456789012:alerts";
    let mut d = deploy(
        &seed,
        &[
            ("ACCOUNT_LIST", list.as_str()),
            ("FAN_OUT_BATCH", "10"),
            ("NOTIFICATION_TOPIC_ARN", topic),
            ("FORMATS", "xlsx,csv,oscal"),
        ],
    );
    let one = d.single();
    assert_eq!(one["status"], "partial", "{one:#}");
    let expected: u64 = (0..40).filter(|i| *i != 7).map(rows_of).sum::<u64>() * 2;
    assert_eq!(one["rows"], expected);
    assert_eq!(one["errors"][0]["account"], denied.as_str(), "{one:#}");
    // Report names carry the second: the fanned-out run's is later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let run = "2026-12-07T06-00-00Z";
    let fanned = d.fanned(run);
    same_run(&one, &fanned);
    // It compared with the single run's snapshot, as the next run does: nothing changed.
    let changes = &fanned["changes"];
    assert_eq!(changes["status"], "compared", "{changes}");
    for count in ["added", "removed", "changed"] {
        assert_eq!(changes[count], 0, "{count}: {changes}");
    }
    assert_eq!(d.artifact(&one, "csv"), d.artifact(&fanned, "csv"));
    // The snapshot, past its header (when it was made): the same assets, line for line.
    let body = |d: &mut Deployed, run: &Value| {
        let text = d.artifact(run, "snapshot");
        text.lines().skip(1).map(String::from).collect::<Vec<_>>()
    };
    let (a, b) = (body(&mut d, &one), body(&mut d, &fanned));
    assert!(a.len() > 100, "{}", a.len());
    assert_eq!(a, b);
    // The OSCAL SSP, but for its own identity and its metadata (when it was made).
    let ssp = |d: &mut Deployed, run: &Value| {
        let mut doc: Value = serde_json::from_str(&d.artifact(run, "oscal")).unwrap();
        let plan = doc["system-security-plan"].as_object_mut().unwrap();
        plan.remove("uuid");
        plan.remove("metadata");
        doc
    };
    let (a, b) = (ssp(&mut d, &one), ssp(&mut d, &fanned));
    let components = a["system-security-plan"]["system-implementation"]["inventory-items"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(components > 100, "{components} inventory items");
    assert_eq!(a, b);
    // The two notifications say the same of the run (status, rows, failures); only
    // their comparison and the report's place differ.
    let told = d.aws.ask(&format!("sns {topic}"));
    let told: Vec<&str> = told
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(told.len(), 2, "{told:#?}");
    let run_part = |m: &str| m.split("\nChanges:").next().unwrap().to_string();
    assert!(told[0].contains(&denied), "{}", told[0]);
    assert_eq!(run_part(told[0]), run_part(told[1]));

    // Plan, eight reads of ten account-regions (five whole accounts) each, merge.
    let steps = d.steps();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    // The plan is told its state machine, to look for another run still going.
    assert_eq!(steps[0]["machine"], d.machine.as_str(), "{:#}", steps[0]);
    let mut expected_steps = vec!["plan"];
    expected_steps.extend(["read"; 8]);
    expected_steps.push("merge");
    assert_eq!(names, expected_steps);
    let mut batches: Vec<u64> = Vec::new();
    for read in &steps[1..9] {
        assert_eq!(read["run"], run);
        let targets = read["targets"].as_array().unwrap();
        assert_eq!(targets.len(), 10, "{read}");
        let accounts: std::collections::BTreeSet<&str> = targets
            .iter()
            .map(|t| t["account"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            accounts.len(),
            5,
            "an account's regions stay together: {read}"
        );
        batches.push(read["batch"].as_u64().unwrap());
    }
    batches.sort_unstable();
    assert_eq!(batches, (0..8).collect::<Vec<u64>>());
    // The working files are under the run's own prefix, apart from the reports.
    let keys = d.aws.ask("s3-keys reports");
    let working: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k.as_str())
        .filter(|k| k.starts_with(&format!("inventory/runs/{run}/")))
        .collect();
    assert_eq!(
        working.len(),
        9,
        "the manifest and eight batch files: {keys}"
    );
}

#[test]
fn a_batch_that_fails_is_named_and_every_other_batchs_rows_are_kept() {
    let (seeded, list) = organization(12);
    // The child of batch 2 cannot deliver what it read.
    let seed = json!({"items": seeded, "buckets": ["reports"], "refused_puts": ["/runs/[^/]+/batch-00002\\."]});
    let mut d = deploy(
        &seed,
        &[("ACCOUNT_LIST", list.as_str()), ("FAN_OUT_BATCH", "6")],
    );
    let fanned = d.fanned("failing-batch");
    assert_eq!(fanned["status"], "partial", "{fanned:#}");
    // Batch 2 is accounts 6, 7 and 8: each of their account-regions is named.
    let failed: Vec<(&str, &str)> = fanned["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["account"].as_str().unwrap(), e["stage"].as_str().unwrap()))
        .collect();
    let expected: Vec<(String, &str)> = (6..9)
        .flat_map(|i| {
            let id = format!("{}", 100_000_000_000u64 + i);
            [(id.clone(), "fan-out"), (id, "fan-out")]
        })
        .collect();
    assert_eq!(
        failed,
        expected
            .iter()
            .map(|(a, s)| (a.as_str(), *s))
            .collect::<Vec<_>>()
    );
    let message = fanned["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("batch 2 was not merged"), "{message}");
    let kept: u64 = (0..12)
        .filter(|i| !(6..9).contains(i))
        .map(rows_of)
        .sum::<u64>()
        * 2;
    assert_eq!(fanned["rows"], kept);
}

#[test]
fn an_aggregator_fans_out_by_its_shards_and_gives_the_single_runs_inventory() {
    let (seeded, _) = organization(6);
    let seed = json!({"items": seeded, "buckets": ["reports"]});
    let mut d = deploy(
        &seed,
        &[
            ("AGGREGATOR_NAME", "org"),
            ("FAN_OUT_BATCH", "4"),
            ("SCOPE", "all"),
        ],
    );
    let one = d.single();
    assert_eq!(one["status"], "ok", "{one:#}");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let fanned = d.fanned("aggregator-run");
    same_run(&one, &fanned);
    assert_eq!(
        fanned["resources"],
        json!({"AWS::IAM::Role": 12}),
        "{fanned:#}"
    );
    assert_eq!(d.artifact(&one, "csv"), d.artifact(&fanned, "csv"));
    // Twelve shards, two accounts' to a batch, and the batch-get types' target.
    let reads: Vec<Value> = d
        .steps()
        .into_iter()
        .filter(|s| s["step"] == "read")
        .collect();
    assert_eq!(reads.len(), 4, "{reads:#?}");
}

#[test]
fn auto_below_its_threshold_reads_in_one_invocation() {
    let (seeded, list) = organization(3);
    let seed = json!({"items": seeded, "buckets": ["reports"]});
    let mut d = deploy(
        &seed,
        &[("ACCOUNT_LIST", list.as_str()), ("FAN_OUT", "auto")],
    );
    let run = d.fanned("small-organization");
    assert_eq!(run["status"], "ok", "{run:#}");
    assert_eq!(run["rows"], (0..3).map(rows_of).sum::<u64>() * 2);
    // The plan said no fan-out: the function ran once, as the schedule runs it alone,
    // and nothing was written under the run's prefix.
    let steps = d.steps();
    assert_eq!(steps.len(), 2, "{steps:#?}");
    assert_eq!(steps[0]["step"], "plan");
    assert_eq!(steps[1].get("step"), None, "{steps:#?}");
    let keys = d.aws.ask("s3-keys reports");
    assert!(
        !keys.to_string().contains("/runs/"),
        "no working files: {keys}"
    );
}

#[test]
fn a_run_started_while_another_is_running_stops_and_the_first_goes_on() {
    let (seeded, list) = organization(4);
    let seed = json!({"items": seeded, "buckets": ["reports"]});
    let mut d = deploy(&seed, &[("ACCOUNT_LIST", list.as_str())]);
    // The first run's invocations wait in the harness: it is running when the second
    // one plans, however fast or slow this machine is.
    d.aws.ask("hold first");
    let started = d.aws.ask(&format!("start {} first {{}}", d.machine));
    let first = started["executionArn"].as_str().unwrap().to_string();
    let second = d.aws.ask(&format!("execute {} second {{}}", d.machine));
    assert_eq!(second["status"], "FAILED", "{second:#}");
    assert_eq!(second["error"], "FanOutPlanFailed", "{second:#}");
    let cause = second["cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("another run of") && cause.contains("first"),
        "{second:#}"
    );
    d.aws.ask("release first");
    let done = d.aws.ask(&format!("wait {first}"));
    assert_eq!(done["status"], "SUCCEEDED", "{done:#}");
    assert_eq!(done["output"]["status"], "ok", "{done:#}");
    // The second stopped at its plan: nothing of it was read or written.
    let keys = d.aws.ask("s3-keys reports");
    assert!(!keys.to_string().contains("runs/second"), "{keys}");
}
