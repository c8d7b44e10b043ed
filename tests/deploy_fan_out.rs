//! `fedramp-deploy` with `fan-out: on`: the collector stack's state machine made by
//! CloudFormation, started by `invoke` (and by the schedule), executed by moto's ASL
//! interpreter with the real function under cargo-lambda's emulator, and torn down.

mod common;

use std::process::Command;

use common::deploy::{deploy, deploy_once, settings, BIN, MANAGEMENT};
use common::LocalAws;
use serde_json::{json, Value};

#[test]
fn a_fanned_out_collector_deploys_runs_through_its_state_machine_and_tears_down() {
    let members = ["111111111111", "222222222222"];
    let mut items = serde_json::Map::new();
    for (n, member) in members.iter().enumerate() {
        items.insert(
            member.to_string(),
            json!({"us-east-1": common::items(member, "us-east-1", n + 1),
                   "us-west-2": common::items(member, "us-west-2", 2)}),
        );
    }
    let mut aws = LocalAws::start(&json!({"items": items, "execute_state_machines": true}));
    let (code, text) = deploy_once(
        &aws,
        "fan-out: on\nfan-out-concurrency: 3\nfan-out-batch: 2\n",
    );
    assert_eq!(code, 0, "{text}");
    let stack = &aws.ask(&format!("stacks {MANAGEMENT}"))["fedramp-inventory-collector"];
    let machine = stack["outputs"]["StateMachineArn"]
        .as_str()
        .unwrap_or_else(|| panic!("no state machine: {stack}"));
    // The schedule starts the state machine, with a role of its own; the function may
    // run as many at once as the Map does.
    let rule = aws.ask(&format!("rule {MANAGEMENT}"));
    assert_eq!(rule["Targets"][0]["Arn"], machine, "{rule:#}");
    let role = rule["Targets"][0]["RoleArn"].as_str().unwrap();
    let role = aws.ask(&format!(
        "role {MANAGEMENT} {}",
        role.rsplit('/').next().unwrap()
    ));
    assert_eq!(
        role["Policies"],
        json!(["states:StartExecution"]),
        "{role:#}"
    );
    assert_eq!(role["Statements"][0]["Resource"], machine, "{role:#}");
    let function = aws.ask(&format!("lambda {MANAGEMENT} fedramp-inventory-collector"));
    assert_eq!(function["ReservedConcurrency"], 3, "{function:#}");
    assert_eq!(function["Environment"]["FAN_OUT"], "on");

    let mut env: Vec<(String, String)> = aws
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    // Every value as the function reads it, text (moto gives numbers as numbers).
    for (k, v) in function["Environment"].as_object().unwrap() {
        let text = v.as_str().map_or_else(|| v.to_string(), String::from);
        env.push((k.clone(), text));
    }
    let (_watch, port) = common::lambda_watch(&env);
    aws.ask(&format!(
        "pass-on fedramp-inventory-collector http://127.0.0.1:{port} {}",
        common::EMULATED_FUNCTION
    ));
    let dir = tempfile::tempdir().unwrap();
    let cfg = settings(dir.path(), "cron(0 6 * * ? *)");
    std::fs::write(
        &cfg,
        std::fs::read_to_string(&cfg).unwrap()
            + "fan-out: on\nfan-out-concurrency: 3\nfan-out-batch: 2\n",
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let out = Command::new(BIN)
        .args(["invoke", "--config", cfg])
        .env_remove("AWS_PROFILE")
        .envs(aws.env())
        .output()
        .expect("fedramp-deploy runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with(&format!(
            "started {}",
            machine.replace(":stateMachine:", ":execution:")
        )),
        "{text}"
    );
    let start = text.find('{').unwrap();
    let end = text.find("\n}\n").expect("a JSON run result") + 2;
    let result: Value = serde_json::from_str(&text[start..end]).unwrap();
    assert_eq!(result["status"], "ok", "{result:#}");
    assert_eq!(
        result["rows"],
        (1 + 2 + 2 + 2) + (2 + 2 + 2 + 2),
        "{result:#}"
    );
    // Two accounts of two regions, two account-regions a batch: plan, two reads, merge.
    let steps: Vec<Value> = aws.ask("invoked").as_array().unwrap().clone();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(names, ["plan", "read", "read", "merge"]);

    let (code, text) = deploy(&aws, &["teardown", "--config", cfg]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        aws.ask(&format!("stacks {MANAGEMENT}")),
        json!({}),
        "{text}"
    );
    assert_eq!(
        aws.ask("state-machines"),
        json!([]),
        "the state machine went with its stack"
    );
}
