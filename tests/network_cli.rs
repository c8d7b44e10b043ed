//! The network facts from files: `report` on real Config items of the network types
//! (tests/fixtures/network-types/), with the setting on and off, and with odd items.

mod common;

use std::process::Command;

use common::network::{sdr_errors, web_system, with_a_rule_added, ACCOUNT, ALB as ALB_ARN};
use common::{csv_rows, repo};

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

#[test]
fn ports_protocols_and_services_of_a_web_system() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("web.jsonl");
    let lines: Vec<String> = web_system().iter().map(|v| v.to_string()).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("web.xlsx");
    let (code, text) = report(&input, &out, &["--format", "xlsx,ports"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("ports, protocols and services: 10 on 4 assets; security groups attached to nothing: 1, attached but not read: 0"),
        "{text}"
    );
    // The database has no Diagram Label tag: counted, since Rev5 makes it mandatory.
    assert!(
        text.contains("assets without a Diagram Label (mandatory in Rev5): 1"),
        "{text}"
    );
    let rows = csv_rows(&dir.path().join("web.ports.csv"));
    let find = |asset: &str, port: &str| {
        rows.iter()
            .find(|r| r[2].contains(asset) && r[5] == port)
            .unwrap_or_else(|| panic!("{asset} {port}: {rows:#?}"))
            .clone()
    };
    // Account, Region, Id, Type, Label, Port, Transport, Service, Encryption, Purpose,
    // Sources, Groups.
    let https = find("MyALB", "443");
    assert_eq!(https[4], "web entry");
    assert_eq!(
        &https[6..9],
        ["TCP", "https", "TLS (ELBSecurityPolicy-TLS13-1-2-2021-06)"]
    );
    assert_eq!(https[10], "internet (0.0.0.0/0); internet (::/0)");
    assert_eq!(find("MyALB", "80")[8], "None");
    let db = find("myrdstest", "5432");
    assert_eq!(
        (&db[7][..], &db[8][..], &db[9][..], &db[10][..], &db[11][..]),
        (
            "postgresql",
            "not determined from configuration",
            "orders database",
            "security group sg-app",
            "sg-db"
        )
    );
    assert_eq!(
        find("i-03402838daac1d611", "8080")[10],
        "security group sg-2ed0d557"
    );
    assert_eq!(
        find("i-03402838daac1d611", "22")[10],
        "prefix list pl-63a5400a"
    );
    assert_eq!(find("i-03402838daac1d611", "all")[6], "ICMP");
    assert_eq!(
        find("i-03402838daac1d611", "1024-65535")[10],
        "CIDR 192.168.0.0/24"
    );
    let dns = find("i-03402838daac1d611", "53");
    assert_eq!(
        (&dns[6][..], &dns[7][..], &dns[10][..]),
        ("UDP", "dns", "VPC CIDR 172.31.0.0/16 (vpc-0990dc6d)")
    );
    assert_eq!(find("i-03402838daac1d611", "123")[7], "ntp");
    // A Network Load Balancer without a security group, ending TLS: said so.
    let tls = find("MyNLB", "8443");
    assert_eq!(
        (&tls[7][..], &tls[8][..], &tls[10][..], &tls[11][..]),
        (
            "tls",
            "TLS (ELBSecurityPolicy-TLS13-1-2-2021-06)",
            "no security group filters it (routes and network ACLs decide)",
            ""
        )
    );
    assert_eq!(rows.len(), 10, "{rows:#?}");
    // KSI-CNA-RNT: only the web ports are open to the internet here; the partner NLB's
    // 8443 has no group, and nothing says who may reach it, so it is no finding.
    assert!(rows.iter().all(|r| r[12].is_empty()), "{rows:#?}");
    assert!(text.contains("KSI-CNA-RNT: 0 open to the internet on a port other than 80/443, 0 to all traffic from the internet"), "{text}");

    // The workbook's sheet holds the same lines under its headline.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    use calamine::Reader;
    let range = wb.worksheet_range("Ports Protocols Services").unwrap();
    let sheet: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(
        sheet[0][0].starts_with("10 ports, protocols and services on 4 assets"),
        "{:?}",
        sheet[0]
    );
    assert_eq!(sheet[2][0], "Account");
    assert_eq!(&sheet[3..], &rows[..]);
    let summary = wb.worksheet_range("Run Summary").unwrap();
    let cells: Vec<String> = summary.cells().map(|(_, _, c)| c.to_string()).collect();
    let unlabelled = cells
        .iter()
        .position(|c| c.starts_with("Assets without a Diagram Label"))
        .unwrap_or_else(|| panic!("{cells:?}"));
    assert_eq!(cells[unlabelled + 1], "1");
    assert!(
        cells
            .iter()
            .any(|c| c.starts_with("1: sg-e627199e (264683526309 / us-east-1)")),
        "{cells:?}"
    );

    // With the network off there is nothing to derive them from: said, nothing written.
    let (code, text) = report(
        &input,
        &dir.path().join("off.xlsx"),
        &["--format", "ports", "--network", "off"],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("network: off"), "{text}");
    assert!(!dir.path().join("off.ports.csv").exists());
}

/// FedRAMP's schema (tests/harness/check_sdr.py) on an SDR the run wrote.
/// The Security Decision Record: its portsAndProtocols are the run's entries, in a
/// document of its own (from the overview's URI) or in the provider's SDR, whose other
/// members are kept; FedRAMP's schema accepts both. What is not an SDR, or no way to say
/// where the overview is, is refused before anything is read.
#[test]
fn the_sdr_holds_the_ports_and_fedramps_schema_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("web.jsonl");
    let lines: Vec<String> = web_system().iter().map(|v| v.to_string()).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let read = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };

    let out = dir.path().join("own.xlsx");
    let uri = "https://example.gov/fedramp/cpo.json";
    let (code, text) = report(
        &input,
        &out,
        &[
            "--format",
            "xlsx,snapshot,derivation,sdr",
            "--sdr-overview-uri",
            uri,
        ],
    );
    assert_eq!(code, 0, "{text}");
    let path = dir.path().join("own.sdr.json");
    assert_eq!(sdr_errors(&path), Vec::<String>::new());
    let own = read(&path);
    assert_eq!(own["certificationPackageOverviewUri"], uri);
    assert_eq!(own["fedRampRequirements"], serde_json::json!([]));
    let ports = own["portsAndProtocols"].as_array().unwrap();
    assert_eq!(ports.len(), 10);
    assert!(ports.contains(&serde_json::json!({
        "serviceName": "https", "portNumber": "443", "transportProtocol": "TCP",
        "encryption": "TLS (ELBSecurityPolicy-TLS13-1-2-2021-06)", "purpose": "TCP 443 to web entry"
    })), "{ports:#?}");
    assert!(ports.iter().any(|p| p["portNumber"] == "1024-65535"));
    // The entries the run can state: KSI-PIY-GIV (the inventory, with the workbook, the
    // snapshot and the derivation document as evidence, each by location and hash) and
    // KSI-CNA-RNT (no drift review without a comparison). No assessment claimed, and no
    // status for a complete run.
    let ksi = own["keySecurityIndicators"].as_array().unwrap();
    let ids: Vec<&str> = ksi.iter().map(|k| k["ksiId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["KSI-PIY-GIV", "KSI-CNA-RNT"]);
    assert!(ksi
        .iter()
        .all(|k| k.get("ksiImplementationStatus").is_none()));
    assert!(ksi
        .iter()
        .all(|k| k["ksiAssessment"] == serde_json::json!([])));
    let cited: Vec<(String, String)> = ksi[0]["ksiEvidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["evidenceLocation"].as_str().unwrap().to_string(),
                e["evidenceText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(cited.len(), 3, "{cited:#?}");
    for (location, text) in &cited {
        let file = location
            .strip_prefix("file://")
            .unwrap_or_else(|| panic!("{location}"));
        let sum = Command::new("sha256sum").arg(file).output().unwrap();
        let sum = String::from_utf8_lossy(&sum.stdout);
        let hash = sum.split_whitespace().next().unwrap();
        assert!(
            text.starts_with(&format!("SHA-256 {hash}, ")),
            "{location}: {text}"
        );
    }
    assert!(cited[2].0.ends_with("/own.derivation.md"), "{cited:#?}");
    let ksi = &ksi[1..];
    let observed = ksi[0]["ksiEvidence"][0]["evidenceText"].as_str().unwrap();
    assert!(
        observed.contains("10 ports, protocols and services on 4 assets; 0 open to the internet on a port other than 80/443; 0 open to all traffic"),
        "{observed}"
    );

    // The provider's SDR: what the tool does not own stays as it was.
    let base = dir.path().join("provider.sdr.json");
    let provider = serde_json::json!({
        "certificationPackageOverviewUri": "https://csp.example.com/cpo",
        "fedRampRequirements": [{"frrID": "SDR-CSO-FRR", "frrImplementation": []}],
        "securityControls": [],
        "portsAndProtocols": [{"serviceName": "stale", "portNumber": "1"}],
        "keySecurityIndicators": [
            {"ksiId": "KSI-IAM-MFA", "ksiImplementation": ["phishing-resistant MFA"], "ksiValidation": [],
             "ksiAssessment": [], "ksiTests": [], "ksiEvidence": []},
            {"ksiId": "KSI-CNA-RNT", "ksiImplementation": ["stale"], "ksiValidation": [],
             "ksiAssessment": [], "ksiTests": [], "ksiEvidence": []}
        ]
    });
    std::fs::write(&base, provider.to_string()).unwrap();
    let out = dir.path().join("based.xlsx");
    let (code, text) = report(
        &input,
        &out,
        &["--format", "sdr", "--sdr", base.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{text}");
    let path = dir.path().join("based.sdr.json");
    assert_eq!(sdr_errors(&path), Vec::<String>::new());
    let based = read(&path);
    for key in [
        "certificationPackageOverviewUri",
        "fedRampRequirements",
        "securityControls",
    ] {
        assert_eq!(based[key], provider[key], "{key}");
    }
    assert_eq!(based["portsAndProtocols"], own["portsAndProtocols"]);
    // The provider's other KSIs stay; the tool's own (matched by ksiId) is replaced.
    let ksis = based["keySecurityIndicators"].as_array().unwrap();
    assert_eq!(ksis[0], provider["keySecurityIndicators"][0]);
    let ids: Vec<&str> = ksis.iter().map(|k| k["ksiId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["KSI-IAM-MFA", "KSI-PIY-GIV", "KSI-CNA-RNT"]);
    assert_ne!(ksis[2]["ksiImplementation"], serde_json::json!(["stale"]));

    // Not an SDR, or nothing to say where the overview is: refused, nothing written.
    let not_sdr = dir.path().join("not.json");
    std::fs::write(&not_sdr, r#"{"system-security-plan": {}}"#).unwrap();
    let out = dir.path().join("refused.xlsx");
    for (args, why) in [
        (
            vec!["--format", "xlsx,sdr", "--sdr", not_sdr.to_str().unwrap()],
            "not a FedRAMP Security Decision Record",
        ),
        (vec!["--format", "xlsx,sdr"], "--sdr-overview-uri"),
        (
            vec!["--format", "sdr", "--sdr-overview-uri", "REPLACE-ME"],
            "not an absolute URI",
        ),
    ] {
        let (code, text) = report(&input, &out, &args);
        assert_ne!(code, 0, "{args:?}: {text}");
        assert!(text.contains(why), "{args:?}: {text}");
        assert!(
            !text.contains("items read"),
            "{args:?}: nothing is read: {text}"
        );
        assert!(!out.exists() && !dir.path().join("refused.sdr.json").exists());
    }
}

/// The permitted connections of the web system: every rule of every attached group, in
/// and out, with the group and rule; a group peer resolved by the groups' members; the
/// Network Load Balancer's listener, which no group filters, open to anyone; ids stable
/// from run to run.
#[test]
fn the_permitted_connections_of_a_web_system() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("web.jsonl");
    let lines: Vec<String> = web_system().iter().map(|v| v.to_string()).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let read = |name: &str| -> serde_json::Value {
        let out = dir.path().join(format!("{name}.xlsx"));
        let (code, text) = report(&input, &out, &["--format", "connections"]);
        assert_eq!(code, 0, "{text}");
        let path = dir.path().join(format!("{name}.connections.json"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let doc = read("one");
    assert_eq!(
        (&doc["kind"], &doc["schema_version"]),
        (
            &serde_json::json!("fedramp-inventory-connections"),
            &serde_json::json!(1)
        )
    );
    let connections = doc["connections"].as_array().unwrap();
    // An asset end names its asset by its place in `assets`.
    let asset_of = |end: &serde_json::Value| -> serde_json::Value {
        let at = end["asset"].as_u64().unwrap_or(u64::MAX) as usize;
        doc["assets"].get(at).cloned().unwrap_or_default()
    };
    let find = |asset: &str, direction: &str, ports: &str| {
        connections
            .iter()
            .find(|c| {
                let end = if direction == "inbound" {
                    "destination"
                } else {
                    "source"
                };
                c["direction"] == direction
                    && asset_of(&c[end])["id"]
                        .as_str()
                        .unwrap_or("")
                        .contains(asset)
                    && c["ports"] == ports
            })
            .unwrap_or_else(|| panic!("{asset} {direction} {ports}: {connections:#?}"))
    };
    let db = find("myrdstest", "inbound", "5432");
    assert_eq!(
        db["source"],
        serde_json::json!({"kind": "security-group", "id": "sg-app", "account": ACCOUNT, "region": "us-east-1"})
    );
    assert_eq!(
        (&db["security_group"], &db["rule"]),
        (&serde_json::json!("sg-db"), &serde_json::json!("inbound 1"))
    );
    let app = doc["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "sg-app")
        .unwrap();
    assert_eq!(app["assets"], serde_json::json!(["i-03402838daac1d611"]));
    let https = find("MyALB", "inbound", "443");
    assert_eq!(
        https["source"],
        serde_json::json!({"kind": "internet", "cidr": "0.0.0.0/0"})
    );
    let reasons = &doc["reasons"][https["reachable_from_internet"]["reasons"]
        .as_u64()
        .unwrap() as usize];
    assert!(
        reasons
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("Public: Yes")),
        "{reasons:#}"
    );
    assert_eq!(
        asset_of(&https["destination"]),
        serde_json::json!({"account": ACCOUNT, "region": "us-east-1", "id": ALB_ARN,
            "type": "Load Balancer-application"})
    );
    let tls = find("MyNLB", "inbound", "8443");
    assert_eq!(
        (&tls["source"]["kind"], &tls["security_group"]),
        (&serde_json::json!("any"), &serde_json::Value::Null)
    );
    // The recorded group's egress (all traffic to anywhere), on each asset it guards.
    let out = find("i-03402838daac1d611", "outbound", "0-65535");
    assert_eq!(out["destination"]["kind"], "internet");
    // Each asset once.
    let ids: Vec<&str> = doc["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    // The same connections, the same ids, next run.
    let ids = |doc: &serde_json::Value| -> Vec<serde_json::Value> {
        doc["connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect()
    };
    assert_eq!(ids(&doc), ids(&read("two")));

    let (code, text) = report(
        &input,
        &dir.path().join("off.xlsx"),
        &["--format", "connections", "--network", "off"],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("network: off"), "{text}");
}

/// Month over month: the snapshot keeps the connections when the run makes them, so a
/// rule added to a group shows in `diff` (printed and in its Changes sheet) as the
/// connections it permits; nothing else changes.
#[test]
fn a_connection_added_between_two_snapshots_is_shown_by_diff() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, system: &[serde_json::Value]| -> std::path::PathBuf {
        let input = dir.path().join(format!("{name}.jsonl"));
        let lines: Vec<String> = system.iter().map(|v| v.to_string()).collect();
        std::fs::write(&input, lines.join("\n") + "\n").unwrap();
        let out = dir.path().join(format!("{name}.xlsx"));
        let (code, text) = report(&input, &out, &["--format", "snapshot,connections"]);
        assert_eq!(code, 0, "{text}");
        dir.path().join(format!("{name}.snapshot.jsonl.gz"))
    };
    let before = web_system();
    let after = with_a_rule_added(&before);
    let (old, new) = (run("before", &before), run("after", &after));
    let changes = dir.path().join("changes.csv");
    let diff = Command::new(BIN)
        .args(["diff", "--previous", old.to_str().unwrap()])
        .args(["--current", new.to_str().unwrap()])
        .args(["--output", changes.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&diff.stdout).into_owned();
    assert_eq!(diff.status.code(), Some(0), "{text}");
    assert!(
        text.starts_with(
            "0 added, 0 removed, 0 changed; connections: 1 added, 0 removed, 0 changed since"
        ),
        "{text}"
    );
    let rows = csv_rows(&changes);
    assert_eq!(rows.len(), 1, "one line, no header: {rows:?}");
    let db = format!("arn:aws:rds:us-east-1:{ACCOUNT}:db:myrdstest");
    assert_eq!(
        rows[0][..7],
        [
            "connection added",
            ACCOUNT,
            "us-east-1",
            "RDS",
            &db,
            "Connection",
            ""
        ],
        "{rows:?}"
    );
    assert!(
        rows[0][7].starts_with("inbound TCP 5432 from cidr 192.168.7.0/24 to this asset, permitted by security group sg-db inbound 2"),
        "{rows:?}"
    );
    // Without the connections on one side, they are not compared, and it says so.
    let plain = dir.path().join("plain.xlsx");
    let input = dir.path().join("before.jsonl");
    let (code, text) = report(&input, &plain, &["--format", "snapshot"]);
    assert_eq!(code, 0, "{text}");
    let diff = Command::new(BIN)
        .args(["diff", "--previous"])
        .arg(dir.path().join("plain.snapshot.jsonl.gz"))
        .args(["--current", new.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&diff.stdout).into_owned();
    assert!(
        text.contains("connections not compared: the previous snapshot does not keep them"),
        "{text}"
    );
}
