//! The network facts from files: `report` on real Config items of the network types
//! (tests/fixtures/network-types/), with the setting on and off, and with odd items.

mod common;

use std::process::Command;

use common::repo;

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");

/// The fixtures' items, one per line, and `extra` lines after them.
fn items(dir: &std::path::Path, extra: &[String]) -> std::path::PathBuf {
    let mut lines: Vec<String> = fedramp_inventory::network::NETWORK_TYPES
        .iter()
        .map(|kind| {
            let path = repo("tests/fixtures/network-types")
                .join(format!("{}.json", kind.replace("::", "_")));
            let file: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            file["item"].to_string()
        })
        .collect();
    lines.extend(extra.iter().cloned());
    let path = dir.join("items.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn report(input: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let run = Command::new(BIN)
        .args([
            "report",
            "-i",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    (run.status.code().unwrap(), text)
}

#[test]
fn network_items_are_facts_counted_and_named_when_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let input = items(dir.path(), &[]);
    let out = dir.path().join("inventory.xlsx");
    let (code, text) = report(&input, &out, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("items read: 7, assets: 0, rows: 0"), "{text}");
    for kind in fedramp_inventory::network::NETWORK_TYPES {
        assert!(
            text.contains(&format!("network facts, {kind}: 1")),
            "{kind}: {text}"
        );
    }
    assert!(!text.contains("unsupported"), "{text}");

    let (code, text) = report(&input, &out, &["--network", "off"]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("network facts"), "{text}");
    for kind in fedramp_inventory::network::NETWORK_TYPES {
        assert!(
            text.contains(&format!("{kind}: not read: turned off (network: off)")),
            "{kind}: {text}"
        );
    }
    let (code, text) = report(&input, &out, &["--network", "sometimes"]);
    assert_eq!(code, 2, "clap refuses it: {text}");
    assert!(text.contains("on or off"), "{text}");
}

/// A security group without rules and one with a CIDR that does not parse: warnings
/// that name the item's line; the facts are still counted, the run ends with problems.
/// A deleted subnet is left out and counted as deleted items are.
#[test]
fn odd_network_items_are_named_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let odd = |id: &str, configuration: serde_json::Value| {
        serde_json::json!({"resourceType": "AWS::EC2::SecurityGroup", "resourceId": id,
            "accountId": "1", "awsRegion": "us-east-1", "configuration": configuration})
        .to_string()
    };
    let input = items(
        dir.path(),
        &[
            odd("sg-norules", serde_json::json!({"groupId": "sg-norules"})),
            serde_json::json!({"resourceType": "AWS::EC2::Subnet", "resourceId": "subnet-gone",
                "configurationItemStatus": "ResourceDeleted", "configuration": {}})
            .to_string(),
            odd(
                "sg-badcidr",
                serde_json::json!({"groupId": "sg-badcidr", "ipPermissions": [
                    {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": ["300.0.0.1/32"]}]}),
            ),
        ],
    );
    let out = dir.path().join("inventory.xlsx");
    let (code, text) = report(&input, &out, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("network facts, AWS::EC2::SecurityGroup: 3"),
        "{text}"
    );
    assert!(
        text.contains("items.jsonl:8") && text.contains("no inbound rules read"),
        "{text}"
    );
    assert!(
        text.contains("items.jsonl:10") && text.contains("\"300.0.0.1/32\" is not a CIDR block"),
        "{text}"
    );
}
