//! The snapshot output: every asset with its key and every column, for `diff` and for
//! anyone's own tooling (the format itself is [`crate::snapshot`]).

use std::path::Path;

use super::{OutputError, OutputSettings, Report};
use crate::fields::Field;
use crate::network::connections::{connections, Connection, Party};
use crate::network::AssetNames;
use crate::settings::Scope;
use crate::snapshot::{self, Header, SnapshotConnection, SnapshotResource, KIND, SCHEMA_VERSION};

pub fn write(path: &Path, report: &Report, settings: &OutputSettings) -> Result<(), OutputError> {
    let summary = report.summary;
    // The connections are kept when the run made them (it kept the network facts).
    let kept = summary.evidence.as_ref().filter(|e| e.has_facts());
    let (accounts, regions) = summary.scope();
    let header = Header {
        kind: KIND.into(),
        schema_version: SCHEMA_VERSION,
        tool: format!("fedramp-inventory {}", env!("CARGO_PKG_VERSION")),
        generated_at: summary
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        scope: snapshot::Scope {
            accounts,
            regions,
            inputs: summary.inputs.iter().map(|i| i.name.clone()).collect(),
        },
        settings: [
            ("layout".to_string(), settings.layout.name().to_string()),
            ("ip-cell".to_string(), settings.ip_cell.name().to_string()),
        ]
        .into_iter()
        .collect(),
        assets: report.inventory.asset_count() as u64,
        connections: kept.is_some(),
        resources: (summary.scope == Scope::All).then(|| report.inventory.resources().len() as u64),
    };
    let names = report.inventory;
    let made = kept.into_iter().flat_map(|e| connections(e, names));
    let lines = in_order(made, |c| line(c, names));
    let resources = report.inventory.resources().rows();
    let resources = resources.map(SnapshotResource::from_row);
    crate::snapshot::write(path, &header, report.inventory.assets(), resources, lines)
        .map_err(|e| OutputError::write(path, e))
}

/// Connections come asset by asset in (account, region, identifier) order; the snapshot
/// wants those of one identifier by id, once each (two assets may share an identifier).
fn in_order<'a>(
    made: impl Iterator<Item = Connection<'a>> + 'a,
    line: impl Fn(&Connection<'a>) -> SnapshotConnection + 'a,
) -> impl Iterator<Item = SnapshotConnection> + 'a {
    let mut made = made.peekable();
    std::iter::from_fn(move || {
        let first = made.next()?;
        let place = (first.account, first.region, first.asset_id);
        let mut batch = vec![line(&first)];
        while let Some(c) = made.next_if(|c| (c.account, c.region, c.asset_id) == place) {
            batch.push(line(&c));
        }
        batch.sort_by(|a, b| a.id.cmp(&b.id));
        batch.dedup_by(|a, b| a.id == b.id);
        Some(batch)
    })
    .flatten()
}

fn line(c: &Connection, names: &impl AssetNames) -> SnapshotConnection {
    let party = match &c.party {
        Party::Internet(cidr) => format!("internet {cidr}"),
        Party::Cidr(cidr) => format!("cidr {cidr}"),
        Party::PrefixList(id) => format!("prefix-list {id}"),
        Party::Group {
            id,
            account: Some(account),
        } if *account != c.account => format!("security-group {id} (account {account})"),
        Party::Group { id, .. } => format!("security-group {id}"),
        Party::Unfiltered => "any".into(),
    };
    SnapshotConnection {
        id: c.id.clone(),
        account: c.account.to_string(),
        region: c.region.to_string(),
        asset_type: names.cell(c.asset, Field::AssetType).to_string(),
        asset_id: c.asset_id.to_string(),
        direction: c.direction.to_string(),
        party,
        protocol: c.protocol.to_string(),
        ports: c.ports.clone(),
        security_group: c.security_group.map(str::to_string),
        rule: c.rule.clone(),
        reachable: c.reach.as_ref().and_then(|r| r.reachable),
    }
}
