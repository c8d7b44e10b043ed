//! The Lambda function under cargo-lambda's runtime emulator (`cargo lambda watch
//! --only-lambda-apis`, polled by the function binary the tests built),
//! invoked with a scheduled event (`cargo lambda invoke`), against the local AWS.

mod common;

use common::{items, LocalAws};
use serde_json::{json, Value};

#[test]
fn scheduled_invocation_returns_the_run_result_and_delivers() {
    let seed = json!({
        "items": {"111111111111": {"us-east-1": items("111111111111", "us-east-1", 3)},
                  "222222222222": {"us-east-1": items("222222222222", "us-east-1", 1)}},
        "buckets": ["reports", "sdrs"]
    });
    let mut aws = LocalAws::start(&seed);
    // The provider's Security Decision Record, which the run reads from S3 first and
    // writes back with its portsAndProtocols.
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.sdr.json");
    let provider = json!({
        "certificationPackageOverviewUri": "https://csp.example.com/cpo",
        "fedRampRequirements": [],
        "securityControls": [],
        "portsAndProtocols": [{"serviceName": "stale", "portNumber": "1"}]
    });
    std::fs::write(&base, provider.to_string()).unwrap();
    aws.ask(&format!("s3-put sdrs provider/sdr.json {}", base.display()));
    let mut env: Vec<(String, String)> = aws
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    for (k, v) in [
        (
            "ACCOUNT_LIST",
            r#"[{"name":"prod","id":"111111111111"},{"name":"dev","id":"222222222222"}]"#,
        ),
        ("REPORT_TARGET_BUCKET_NAME", "reports"),
        ("REPORT_TARGET_BUCKET_PATH", "lambda"),
        // No FORMATS: the function's default, which with SDR_BASE set is every
        // network output and the SDR, and with SCOPE=all the information resources.
        ("SDR_BASE", "s3://sdrs/provider/sdr.json"),
        ("SCOPE", "all"),
    ] {
        env.push((k.to_string(), v.to_string()));
    }

    let (_watch, port) = common::lambda_watch(&env);
    let result = common::invoke_scheduled(port);
    assert_eq!(result["status"], "ok", "{result:#}");
    assert_eq!(result["rows"], 3 + 2 + 1 + 2);
    assert_eq!(result["per_account"][0]["name"], "prod");
    let uri = result["report"]["s3_uri"].as_str().unwrap();
    let key = uri.strip_prefix("s3://reports/").unwrap();
    assert!(
        key.starts_with("lambda/FedRAMP-Integrated-Inventory-"),
        "{key}"
    );
    let keys = aws.ask("s3-keys reports");
    assert!(keys.as_array().unwrap().iter().any(|k| k == key), "{keys}");
    let mut delivered: Vec<&str> = result["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["format"].as_str())
        .collect();
    delivered.sort_unstable();
    assert_eq!(
        delivered,
        [
            "connections",
            "derivation",
            "diagram",
            "diagram-dot",
            "ports",
            "resources",
            "sdr",
            "snapshot",
            "xlsx"
        ],
        "{result:#}"
    );
    assert_eq!(result.get("not_written"), None, "{result:#}");
    // The IAM role each account holds (which boundary scope never asks for).
    assert_eq!(
        result["resources"],
        json!({"AWS::IAM::Role": 2}),
        "{result:#}"
    );
    let sdr_uri = result["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["format"] == "sdr")
        .and_then(|a| a["s3_uri"].as_str())
        .unwrap_or_else(|| panic!("no SDR delivered: {result:#}"));
    let got = dir.path().join("got.sdr.json");
    let sdr_key = sdr_uri.strip_prefix("s3://reports/").unwrap();
    aws.ask(&format!("s3-get reports {sdr_key} {}", got.display()));
    let sdr: Value = serde_json::from_str(&std::fs::read_to_string(&got).unwrap()).unwrap();
    assert_eq!(
        sdr["certificationPackageOverviewUri"],
        provider["certificationPackageOverviewUri"]
    );
    assert_eq!(sdr["securityControls"], json!([]));
    // The inventory's evidence points at the delivered objects.
    let located: Vec<&str> = sdr["keySecurityIndicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["ksiId"] == "KSI-PIY-GIV")
        .and_then(|k| k["ksiEvidence"].as_array())
        .map(|e| {
            e.iter()
                .filter_map(|e| e["evidenceLocation"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        located.len(),
        4,
        "the workbook, snapshot, derivation and resources: {sdr:#}"
    );
    for uri in located {
        let key = uri
            .strip_prefix("s3://reports/")
            .unwrap_or_else(|| panic!("{uri}"));
        assert!(
            keys.as_array().unwrap().iter().any(|k| k == key),
            "{uri} not in {keys}"
        );
    }
    // The generated items name no security group and no port: nothing stale is kept.
    assert_eq!(sdr["portsAndProtocols"], json!([]), "{sdr:#}");
    assert_eq!(result["network"]["ports"], json!(0), "{result:#}");
}
