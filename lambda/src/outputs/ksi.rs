//! The Key Security Indicator entries this tool writes into the Security Decision Record,
//! each from what the run did and counted, with the run's files as evidence (their
//! location and SHA-256):
//!
//! - KSI-PIY-GIV, "Authoritative sources are used to automatically generate real-time
//!   inventories of all information resources when needed": how the inventory was
//!   generated and what checked it; the workbook, the snapshot and the derivation
//!   document as evidence. `Partially Implemented` when the run was partial, with why.
//! - KSI-SVC-ACM, "The configuration of machine-based information resources is managed
//!   using automation and persistently reviewed for drift": the month-over-month
//!   comparison, when the run made one, with its counts.
//! - KSI-CNA-RNT, "Machine-based information resources are persistently reviewed to
//!   ensure they are appropriately configured to limit inbound and outbound network
//!   traffic": the ports, protocols and services and their findings.
//!
//! And, when Amazon Inspector's coverage was read, the `fedRampRequirements` entry of
//! VDR-TFR-PDD (FedRAMP's rules 2026.07.14.01, "Persistent Drift Detection": "...
//! persistently perform vulnerability detection on all information resources that are
//! likely to drift, at least once every" 3 months, month, 14 days or 7 days for Classes
//! A to D), with the scan window the run held the inventory to and what it found.
//!
//! None states an assessment (the assessor's); only KSI-PIY-GIV states a status, and
//! only when the run itself shows it was partial. A provider's entry of the same
//! `ksiId` (or `frrID`) is replaced; every other entry is kept.

use std::path::Path;

use serde_json::{json, Value};

use super::derivation::Hashes;
use super::{Artifact, Format, Report};

pub const KSI_INVENTORY: &str = "KSI-PIY-GIV";
pub const KSI_DRIFT: &str = "KSI-SVC-ACM";
pub const KSI_NETWORK: &str = "KSI-CNA-RNT";

/// The `ksiId`s this tool owns in an SDR.
pub const OURS: [&str; 3] = [KSI_INVENTORY, KSI_DRIFT, KSI_NETWORK];
/// The `frrID` this tool owns: vulnerability detection's cadence.
pub const FRR_DETECTION: &str = "VDR-TFR-PDD";

/// The requirement entries the run can state: VDR-TFR-PDD when scan coverage was read.
pub fn requirements(report: &Report, date: &str) -> Vec<Value> {
    let Some(scan) = &report.summary.scan else {
        return Vec::new();
    };
    let days = scan.period_days;
    // FedRAMP's cadences by class; a month is taken as 31 days, three as 92.
    let class = [
        (7, "D", "7 days"),
        (14, "C", "14 days"),
        (31, "B", "month"),
        (92, "A", "3 months"),
    ]
    .into_iter()
    .find(|(most, _, _)| days <= *most);
    let meets = match class {
        Some((_, class, every)) => format!(
            "A window of {days} days meets the cadence FedRAMP sets for Class {class} (at least once every {every}) and every longer one."
        ),
        None => format!(
            "A window of {days} days is longer than any cadence FedRAMP sets (the longest: once every 3 months for Class A)."
        ),
    };
    vec![json!({
        "frrID": FRR_DETECTION,
        "frrImplementation": [format!(
            "Each run of {} holds the inventory to Amazon Inspector's coverage: an asset of a kind Inspector scans that was not scanned in the last {days} days is listed as a gap (the workbook's Scan Coverage sheet), as is a resource Inspector covers that the inventory does not hold.",
            tool()
        )],
        "frrValidation": [format!(
            "On {date}: {}. {meets}",
            super::scan_table::headline(scan)
        )],
    })]
}

fn tool() -> String {
    format!("fedramp-inventory {}", env!("CARGO_PKG_VERSION"))
}

/// Every entry the run can state, in `ksiId` order of [`OURS`].
pub fn entries(
    report: &Report,
    others: &[Artifact],
    hashes: &mut Hashes,
    date: &str,
) -> Vec<Value> {
    let mut evidence = |formats: &[Format], description: &str| -> Vec<Value> {
        others
            .iter()
            .filter(|a| formats.contains(&a.format))
            .filter_map(|a| {
                let (hash, size) = hashes.of(&a.path).ok()?;
                Some(json!({
                    "evidenceType": "Report",
                    "evidenceDescription": format!("{description}: {}", name(&a.path)),
                    "evidenceLocation": location(report, a),
                    "evidenceText": format!("SHA-256 {hash}, {size} bytes"),
                    "lastUpdated": date,
                }))
            })
            .collect()
    };
    let mut out = vec![inventory(
        report,
        date,
        evidence(
            &[
                Format::Xlsx,
                Format::Snapshot,
                Format::Derivation,
                Format::Resources,
            ],
            "The run's inventory and how it was derived",
        ),
    )];
    if let Some(changes) = report.changes {
        let counts = changes.counts();
        let observed = format!(
            "On {date}: {}. Assets: {} added, {} removed, {} changed; permitted connections: {} added, {} removed, {} changed; information resources: {} added, {} removed.",
            changes.headline(),
            counts.added,
            counts.removed,
            counts.changed,
            counts.connections_added,
            counts.connections_removed,
            counts.connections_changed,
            counts.resources_added,
            counts.resources_removed
        );
        out.push(json!({
            "ksiId": KSI_DRIFT,
            "ksiImplementation": ["The configuration of every inventory asset (and of the permitted connections, when the run makes them) is kept in a snapshot by each run and compared with the previous run's."],
            "ksiValidation": [format!("Each run of {} compares its snapshot with the previous one by asset and by connection, and lists what was added, removed or changed (the workbook's Changes sheet). {observed}", tool())],
            "ksiAssessment": [],
            "ksiTests": [format!("{}: month-over-month comparison of two snapshots, by asset key and connection id", tool())],
            "ksiEvidence": evidence(&[Format::Xlsx, Format::Snapshot], "The comparison (the Changes sheet) and the snapshot compared"),
        }));
    }
    if let Some(e) = &report.summary.evidence {
        out.push(network(&e.counts(), date));
    }
    out
}

/// Whether the run read all it should have: every input read in full, no error.
fn partial_because(report: &Report) -> Option<String> {
    let s = report.summary;
    let short: Vec<String> = s
        .inputs
        .iter()
        .filter(|i| i.status != "read" && i.status != "ok")
        .map(|i| format!("{} ({})", i.name, i.status))
        .collect();
    let errors = s.diagnostics.count(crate::diagnostics::Severity::Error);
    match (short.is_empty(), errors) {
        (true, 0) => None,
        (true, n) => Some(format!(
            "{n} errors (see the derivation document's findings)"
        )),
        (false, _) => Some(format!("not read in full: {}", short.join("; "))),
    }
}

fn inventory(report: &Report, date: &str, evidence: Vec<Value>) -> Value {
    let s = report.summary;
    let resources = match s.scope {
        crate::settings::Scope::All => format!(
            "; {} other information resources of {} Config types listed (scope: all)",
            s.resources.values().sum::<u64>(),
            s.resources.len()
        ),
        crate::settings::Scope::Boundary => {
            let unmapped: u64 = s.unsupported.values().map(|u| u.items).sum();
            format!("; {unmapped} items of types without a mapper counted, not listed (scope: boundary)")
        }
    };
    let observed = format!(
        "On {date}: {} items read from {} inputs (AWS Config and the services it does not record); {} assets in {} rows{resources}; {} resource types not read, each named.",
        s.items_read,
        s.inputs.len(),
        s.assets,
        s.rows,
        s.not_read.len()
    );
    let mut entry = json!({
        "ksiId": KSI_INVENTORY,
        "ksiImplementation": ["The inventory is generated by each scheduled run from AWS Config, the authoritative record of the resources in every account and region, and from the services' own APIs for the types Config does not record; nothing is entered by hand."],
        "ksiValidation": [format!("Each run of {} checks that the Config recorder records in every account and region it reads (a region where it is off, or a type not recorded, is a finding), names every type it does not read, and, with scan coverage, holds the inventory to Amazon Inspector's coverage. {observed}", tool())],
        "ksiAssessment": [],
        "ksiTests": [format!("{}: recorder coverage per account and region; scan coverage against Amazon Inspector when read", tool())],
        "ksiEvidence": evidence,
    });
    if let Some(why) = partial_because(report) {
        entry["ksiImplementationStatus"] = json!("Partially Implemented");
        if let Some(list) = entry["ksiValidation"].as_array_mut() {
            list.push(json!(format!("This run was partial: {why}.")));
        }
    }
    entry
}

fn network(counts: &crate::network::EvidenceCounts, date: &str) -> Value {
    let tool = tool();
    let observed = format!(
        "On {date}: {} ports, protocols and services on {} assets; {} open to the internet on a port other than 80/443; {} open to all traffic from the internet; {} security groups attached to nothing; {} attached but not read.",
        counts.ports,
        counts.attached_assets,
        counts.internet_other_ports,
        counts.internet_all_traffic,
        counts.unattached_groups,
        counts.groups_not_read
    );
    json!({
        "ksiId": KSI_NETWORK,
        "ksiImplementation": [
            "Inbound and outbound traffic of machine-based resources is limited by the security groups (and the network ACLs and routes) AWS Config records for them; each run of the inventory reads them all."
        ],
        "ksiValidation": [format!(
            "Each run of {tool} reads every security group, subnet, route table, network ACL and load-balancer listener AWS Config records, derives the ports, protocols and services reachable on each inventory asset, and flags ingress from the internet (0.0.0.0/0, ::/0) to any port other than TCP 80 and 443 and all traffic from the internet. {observed}"
        )],
        "ksiAssessment": [],
        "ksiTests": [format!(
            "{tool}: ingress from the internet to a port other than 80/443, and all traffic from the internet, per security group rule and asset (the Ports Protocols Services table's KSI-CNA-RNT column)"
        )],
        "ksiEvidence": [{
            "evidenceType": "Configuration",
            "evidenceDescription": "The ports, protocols and services and their findings, derived from the security groups, listeners and endpoint ports AWS Config records (the run's Ports Protocols Services sheet and ports CSV).",
            "evidenceText": observed,
            "lastUpdated": date,
        }],
    })
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Where a file of the run is found, as a URI (the schema's `format: uri`): its S3
/// object when the run publishes there, else `file://` and its absolute path.
pub fn location(report: &Report, a: &Artifact) -> String {
    if let Some(stem) = &report.published_at {
        return format!("{stem}.{}", a.format.extension());
    }
    let path = std::fs::canonicalize(&a.path).unwrap_or_else(|_| a.path.clone());
    let mut uri = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(b as char)
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri
}
