//! `STEM.connections.json`: the permitted connections (MAS-CSO-FLO's machine-readable
//! output), written as they are made, with the security groups' members that resolve
//! the connections naming a group. docs/network.md says how they are derived.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{json, Value};

use super::{OutputError, Report, PORTS_NEED_NETWORK};
use crate::fields::Field;
use crate::network::connections::{connections, members, Connection, Party};
use crate::network::AssetNames;

/// What the file is and which version of its shape.
pub const KIND: &str = "fedramp-inventory-connections";
pub const SCHEMA_VERSION: u32 = 1;

pub fn write(path: &Path, report: &Report) -> Result<(), OutputError> {
    let fail = |e: &dyn std::fmt::Display| OutputError::write(path, e);
    let evidence = report
        .summary
        .evidence
        .as_ref()
        .ok_or_else(|| fail(&PORTS_NEED_NETWORK))?;
    if !evidence.has_facts() {
        // A run asks the kernel to keep them when connections are among its formats.
        return Err(fail(&"the network facts were let go before the connections were written (the run did not ask to keep them)"));
    }
    let names = report.inventory;
    let file = File::create(path).map_err(|e| fail(&e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let head = json!({
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "tool": format!("fedramp-inventory {}", env!("CARGO_PKG_VERSION")),
        "generated_at": report.summary.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "derivation": "Every rule of every security group attached to a listed asset, inbound and outbound, one connection per peer the rule names; a group named as a peer means the assets attached to it (security_groups lists them); a load balancer no group filters answers anyone on its listeners. reachable_from_internet: a public address or internet-facing scheme, a route to an internet gateway in a subnet's route table, and that subnet's network ACL admitting the port from any address. An asset end is {\"kind\": \"asset\", \"asset\": N}, the Nth of assets; reasons is the Nth list of reasons. See docs/network.md.",
    });
    let written = (|| -> std::io::Result<()> {
        let head = serde_json::to_string_pretty(&head)?;
        // The head without its closing brace, then the lists.
        out.write_all(head.trim_end().trim_end_matches('}').trim_end().as_bytes())?;
        out.write_all(b",\n  \"security_groups\": [")?;
        for (i, m) in members(evidence, names).iter().enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            let group = json!({
                "account": m.account, "region": m.region, "id": m.id, "name": m.name,
                "vpc": m.vpc, "assets": m.assets,
            });
            serde_json::to_writer(&mut out, &group)?;
        }
        // Each asset and each list of reasons is written once, after the connections
        // that refer to them by their place in the list: a connection is a line, not a
        // page (an asset's reasons are the same for most of its connections).
        let mut tables = Tables::default();
        out.write_all(b"\n  ],\n  \"connections\": [")?;
        for (i, c) in connections(evidence, names).enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            serde_json::to_writer(&mut out, &tables.connection(&c))?;
        }
        out.write_all(b"\n  ],\n  \"assets\": [")?;
        for (i, &asset) in tables.assets.iter().enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            let (account, region) = names.place(asset);
            let a = json!({
                "account": account, "region": region,
                "id": names.cell(asset, Field::AssetId), "type": names.cell(asset, Field::AssetType),
            });
            serde_json::to_writer(&mut out, &a)?;
        }
        out.write_all(b"\n  ],\n  \"reasons\": [")?;
        for (i, r) in tables.reasons.iter().enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            serde_json::to_writer(&mut out, r)?;
        }
        out.write_all(b"\n  ]\n}\n")
    })();
    written.map_err(|e| fail(&e))?;
    let file = out.into_inner().map_err(|e| fail(&e.into_error()))?;
    file.sync_all().map_err(|e| fail(&e))
}

/// The assets and the lists of reasons the connections refer to, each once.
#[derive(Default)]
struct Tables {
    /// Stored indices of the inventory's assets, in the order first met.
    assets: Vec<u32>,
    reasons: Vec<Vec<String>>,
    /// The lists of reasons by a hash of their text (kept once, in `reasons`).
    reason_index: hashbrown::HashMap<u64, Vec<usize>>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl Tables {
    /// Its place in `assets` (connections come asset by asset: the last is the one).
    fn asset(&mut self, c: &Connection) -> usize {
        if self.assets.last() != Some(&c.asset) {
            self.assets.push(c.asset);
        }
        self.assets.len() - 1
    }

    fn reasons(&mut self, reasons: &[String]) -> usize {
        use std::hash::BuildHasher;
        let hash = self.hasher.hash_one(reasons);
        let places = self.reason_index.entry(hash).or_default();
        if let Some(&at) = places.iter().find(|&&at| self.reasons[at] == reasons) {
            return at;
        }
        let at = self.reasons.len();
        self.reasons.push(reasons.to_vec());
        places.push(at);
        at
    }

    /// A connection as written: its asset and its reasons by their place in the lists.
    fn connection(&mut self, c: &Connection) -> Value {
        let asset = json!({"kind": "asset", "asset": self.asset(c)});
        let party = match &c.party {
            Party::Internet(cidr) | Party::Cidr(cidr) => {
                json!({"kind": c.party.kind(), "cidr": cidr})
            }
            Party::PrefixList(id) => json!({"kind": c.party.kind(), "id": id}),
            Party::Group { id, account } => {
                json!({"kind": c.party.kind(), "id": id, "account": account.unwrap_or(c.account), "region": c.region})
            }
            Party::Unfiltered => json!({"kind": c.party.kind()}),
        };
        let (source, destination) = match c.direction {
            "inbound" => (party, asset),
            _ => (asset, party),
        };
        let mut value = json!({
            "id": c.id,
            "direction": c.direction,
            "source": source,
            "destination": destination,
            "protocol": c.protocol,
            "ports": c.ports,
            "security_group": c.security_group,
            "rule": c.rule,
        });
        if let Some(reach) = &c.reach {
            value["reachable_from_internet"] = json!({
                "reachable": reach.reachable,
                "reasons": self.reasons(&reach.reasons),
            });
        }
        value
    }
}
