//! AWS's own definitions decide, not ours: the registry held against the Config API's
//! `ResourceType` enum in botocore's service model (the pinned botocore of the test
//! venv, read from its model file, never copied by hand), and the local AWS's own tests
//! (tests/harness/test_local_aws.py), which hold what it answers beyond moto to AWS's
//! model and documentation.

mod common;

use std::process::Command;

use common::{python, repo};
use fedramp_inventory::mapper::{Read, REGISTRY};

/// Types advanced query returns that are not in the Config API's enum, each checked
/// against awslabs/aws-config-resource-schema at commit adf55132ad87 (2025-03-04),
/// `config/properties/resource-types/<type>.properties.json`: the discovery APIs refuse
/// them, advanced query returns them.
const QUERYABLE_NOT_IN_ENUM: [&str; 2] = [
    "AWS::DMS::ReplicationInstance",
    "AWS::SageMaker::NotebookInstance",
];

fn config_enum() -> Vec<String> {
    let out = Command::new(python())
        .args([
            "-c",
            "import json, botocore.session\n\
             m = botocore.session.get_session().get_service_model('config')\n\
             print(json.dumps(m.shape_for('ResourceType').enum))",
        ])
        .output()
        .expect("the harness python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON list")
}

/// The network facts are read by advanced query, which takes the enum's types.
#[test]
fn every_network_type_is_one_config_has() {
    let known = config_enum();
    for kind in fedramp_inventory::network::NETWORK_TYPES {
        assert!(
            known.iter().any(|k| k == kind),
            "{kind} is not in the Config enum"
        );
    }
}

#[test]
fn every_type_read_from_config_is_one_config_has() {
    let known = config_enum();
    assert!(
        known.len() > 400,
        "{} types: not the Config enum",
        known.len()
    );
    let has = |t: &str| known.iter().any(|k| k == t);
    let mut wrong = Vec::new();
    for m in REGISTRY {
        let t = m.resource_type;
        let ok = match m.read {
            // The discovery APIs take enum values only.
            Read::BatchGet => has(t),
            Read::Select => has(t) || QUERYABLE_NOT_IN_ENUM.contains(&t),
            // Read from its own service because Config does not record it: if Config
            // starts to, this says so, and the type should move to Config.
            Read::Service(_) => !has(t),
        };
        if !ok {
            wrong.push(format!("{t} ({:?})", m.read));
        }
    }
    assert!(
        wrong.is_empty(),
        "not as AWS's model says: {}",
        wrong.join(", ")
    );
    for t in QUERYABLE_NOT_IN_ENUM {
        assert!(
            !has(t),
            "{t} is in the enum now: drop it from the exceptions"
        );
    }
}

#[test]
fn the_local_aws_answers_as_aws_does() {
    let out = Command::new(python())
        .arg(repo("tests/harness/test_local_aws.py"))
        .arg("-v")
        .output()
        .expect("the harness python runs");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Ran 16 tests"), "{text}");
}
