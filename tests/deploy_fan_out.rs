//! `fedramp-deploy` with `fan-out: on`: the collector stack's state machine made by
//! CloudFormation, started by `invoke` (and by the schedule), executed by moto's ASL
//! interpreter with the real function under cargo-lambda's emulator, and torn down.

mod common;

use common::deploy::{
    deploy, deploy_once, emulate_deployed, invoke, member_items, settings, MANAGEMENT,
};
use common::LocalAws;
use serde_json::{json, Value};

#[test]
fn a_fanned_out_collector_deploys_runs_through_its_state_machine_and_tears_down() {
    let members = ["111111111111", "222222222222"];
    let mut aws =
        LocalAws::start(&json!({"items": member_items(&members), "execute_state_machines": true}));
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
    let (function, _watch, port) = emulate_deployed(&mut aws);
    assert_eq!(function["ReservedConcurrency"], 3, "{function:#}");
    assert_eq!(function["Environment"]["FAN_OUT"], "on");
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
    let (result, text) = invoke(&aws, &cfg, &[]);
    assert!(
        text.starts_with(&format!(
            "started {}",
            machine.replace(":stateMachine:", ":execution:")
        )),
        "{text}"
    );
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

    let (code, text) = deploy(&aws, &["teardown", "--config", cfg.to_str().unwrap()]);
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
