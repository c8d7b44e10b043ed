//! `STEM.derivation.md`: how this run's outputs were derived, made from what the run
//! did (MAS-CSO-IIR's and MAS-CSO-FLO's "human readable explanation of how the machine
//! readable output is derived"), never a static text: the sources read and how, the
//! types mapped and how each column is filled, what was left out and why, every finding,
//! how the network evidence was derived and what it counted, the code that did it, and
//! each other output with its SHA-256 so that a reviewer can tie the files together.

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Artifact, OutputError, Report};
use crate::mapper::registry_table;

/// The commit the tool was built from (build.rs: git, else the pipeline's source
/// version, else `unknown`).
pub const COMMIT: &str = env!("FEDRAMP_INVENTORY_COMMIT");
/// Where the code is when not told: the package's repository.
pub const DEFAULT_CODE_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// Where the code that made the outputs is kept, as the document says (MAS-CSO-IIR's
/// third artifact): `--code-url`, `CODE_URL`, `code-url:`; a team that deploys its own
/// copy points at it. An absolute URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeUrl(String);

impl Default for CodeUrl {
    fn default() -> Self {
        CodeUrl(DEFAULT_CODE_URL.to_string())
    }
}

impl std::str::FromStr for CodeUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if super::sdr::is_absolute_uri(s) {
            Ok(CodeUrl(s.to_string()))
        } else {
            Err(format!(
                "{s:?} is not an absolute URI (https://... where the code you run is kept)"
            ))
        }
    }
}

impl std::fmt::Display for CodeUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

crate::settings::deserialize_from_str!(CodeUrl);

/// The run's files' SHA-256 and sizes, each file read once: the derivation document
/// lists every output, and the SDR after it cites some of the same files.
#[derive(Default)]
pub struct Hashes(std::collections::HashMap<std::path::PathBuf, (String, u64)>);

impl Hashes {
    /// The file's SHA-256 (lowercase hex) and size in bytes.
    pub fn of(&mut self, path: &Path) -> std::io::Result<(String, u64)> {
        if let Some(known) = self.0.get(path) {
            return Ok(known.clone());
        }
        let hashed = sha256(path)?;
        self.0.insert(path.to_path_buf(), hashed.clone());
        Ok(hashed)
    }
}

/// A file's SHA-256, as lowercase hex.
fn sha256(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let mut hex = String::with_capacity(64);
    for b in hasher.finalize() {
        let _ = write!(hex, "{b:02x}");
    }
    Ok((hex, size))
}

/// Writes the document; `others` are the run's other outputs, already written.
pub fn write(
    path: &Path,
    report: &Report,
    others: &[Artifact],
    hashes: &mut Hashes,
    code_url: &CodeUrl,
) -> Result<(), OutputError> {
    let text =
        document(report, others, hashes, code_url).map_err(|e| OutputError::write(path, e))?;
    std::fs::write(path, text).map_err(|e| OutputError::write(path, e))
}

/// A Markdown table cell: no line break, no bar.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn document(
    report: &Report,
    others: &[Artifact],
    hashes: &mut Hashes,
    code_url: &CodeUrl,
) -> Result<String, String> {
    let s = report.summary;
    let mut d = String::new();
    let at = s
        .generated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let w = &mut d;
    let _ = writeln!(w, "# How this inventory was derived\n");
    let _ = writeln!(
        w,
        "Written by the run of {at}, from what that run did. It answers why an asset is in the inventory and why another is not; the machine-readable outputs it explains are listed with their SHA-256 at the end.\n"
    );
    let _ = writeln!(w, "## The code\n");
    let _ = writeln!(
        w,
        "- Tool: fedramp-inventory {}, built from commit `{COMMIT}`.",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(w, "- Code: {code_url}\n");

    let _ = writeln!(w, "## Sources read\n");
    for how in &s.read_with {
        let _ = writeln!(w, "- {how}");
    }
    let _ = writeln!(w, "\n| input | items | status |\n|---|---|---|");
    for i in &s.inputs {
        let _ = writeln!(
            w,
            "| {} | {} | {} |",
            cell(&i.name),
            i.items,
            cell(&i.status)
        );
    }
    let _ = writeln!(
        w,
        "\n{} items read; {} assets listed in {} rows.\n",
        s.items_read, s.assets, s.rows
    );

    let _ = writeln!(w, "## Types mapped, and how each column is filled\n");
    let _ = writeln!(w, "What this run met, by Config type:\n");
    let _ = writeln!(w, "| Config type | items | rows |\n|---|---|---|");
    for (kind, n) in &s.types {
        let _ = writeln!(w, "| `{kind}` | {} | {} |", n.items, n.rows);
    }
    let _ = writeln!(w, "\nEvery type this version maps (the registry):\n");
    d.push_str(&registry_table());
    let w = &mut d;

    let _ = writeln!(w, "\n## Information resources (scope)\n");
    match s.scope {
        crate::settings::Scope::Boundary => {
            let _ = writeln!(
                w,
                "scope: boundary. Only the types above are listed; an item of any other type is counted below as a type this version does not map (`--scope all` lists them too)."
            );
        }
        crate::settings::Scope::All => {
            let total: u64 = s.resources.values().sum();
            let _ = writeln!(
                w,
                "scope: all. Every other resource AWS Config recorded, of any type (the network types included, which give no row), is listed with the envelope Config keeps for every type ({}) on the Information Resources sheet and in `resources.csv`: {total} resources. Their configuration is not read; deleted and not-recorded ones are left out as above.\n",
                crate::mapper::ENVELOPE
            );
            let _ = writeln!(w, "| Config type | resources |\n|---|---|");
            for (kind, n) in &s.resources {
                let _ = writeln!(w, "| `{kind}` | {n} |");
            }
        }
    }

    let _ = writeln!(w, "\n## Left out, and why\n");
    let mut none = true;
    for (reason, n) in &s.folded {
        let _ = writeln!(w, "- {n} left out: {reason}");
        none = false;
    }
    if s.duplicates > 0 {
        let _ = writeln!(
            w,
            "- {} duplicates (the same resource read twice): kept once",
            s.duplicates
        );
        none = false;
    }
    for (kind, u) in &s.unsupported {
        let _ = writeln!(
            w,
            "- `{kind}`: {} items of a type this version does not map (first in {})",
            u.items, u.first_seen
        );
        none = false;
    }
    for (kind, why) in &s.not_read {
        let _ = writeln!(w, "- `{kind}`: {why}");
        none = false;
    }
    for why in &s.not_written {
        let _ = writeln!(w, "- {why}");
        none = false;
    }
    if none {
        let _ = writeln!(w, "Nothing: every item read was listed.");
    }

    let _ = writeln!(w, "\n## Findings\n");
    let entries = s.diagnostics.entries();
    if entries.is_empty() && s.unlabelled == 0 && s.scan.is_none() {
        let _ = writeln!(w, "None.");
    }
    for e in entries {
        let _ = writeln!(w, "- {:?} ({}): {}", e.severity, e.source, e.message);
    }
    if s.unlabelled > 0 {
        let _ = writeln!(
            w,
            "- {} listed assets have no Diagram Label (mandatory in Rev5; only the team's tag fills it).",
            s.unlabelled
        );
    }
    if let Some(scan) = &s.scan {
        let _ = writeln!(
            w,
            "- Scan coverage (Amazon Inspector): {}.",
            super::scan_table::headline(scan)
        );
    }

    if let Some(changes) = report.changes {
        let _ = writeln!(w, "\n## Changes since the last run\n");
        let _ = writeln!(w, "{}", changes.headline());
    }

    let _ = writeln!(w, "\n## Network: ports, connections and the diagram\n");
    match &s.evidence {
        None => {
            let _ = writeln!(
                w,
                "Not derived: the network facts were turned off (network: off)."
            );
        }
        Some(e) => {
            for (kind, n) in &s.network {
                let _ = writeln!(w, "- `{kind}`: {n} read as network facts");
            }
            let _ = writeln!(w, "- {}.", super::ports_table::headline(e));
            let _ = writeln!(w, "\n{NETWORK_DERIVATION}");
        }
    }

    let _ = writeln!(w, "\n## The outputs of this run\n");
    let _ = writeln!(
        w,
        "Each file as written (this document and the Security Decision Record, which is written after it, are not listed).\n\n| file | bytes | SHA-256 |\n|---|---|---|"
    );
    for a in others {
        let (hash, size) = hashes
            .of(&a.path)
            .map_err(|e| format!("cannot hash {}: {e}", a.path.display()))?;
        let name = a
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(w, "| {} | {size} | `{hash}` |", cell(&name));
    }
    Ok(d)
}

/// How the network evidence is derived: docs/network.md says it at length.
const NETWORK_DERIVATION: &str = "How: each inbound rule of each security group attached to a listed asset (through its own item or its network interfaces) gives an entry per port or range and transport, narrowed or added to by load-balancer listeners and database or cache endpoint ports; encryption is what the configuration records, else \"not determined from configuration\". Each rule, inbound and outbound, gives one permitted connection per peer it names (the internet, a CIDR, a prefix list, or a security group, meaning the listed assets attached to it). Reachability from the internet needs a public address or internet-facing scheme, a route to an internet gateway in the subnet's route table (its own, else the VPC's main) and the subnet's network ACL admitting the port. The diagram places each listed asset in its account, VPC and subnet, labelled with its Diagram Label, else its name, else its identifier. Not modelled: AWS Network Firewall and Gateway Load Balancer inspection; transit gateway, peering, VPN and Direct Connect routes; NAT and egress-only gateways; network ACL ephemeral ports and outbound entries; prefix lists' contents; load balancer target groups; resource policies.";
