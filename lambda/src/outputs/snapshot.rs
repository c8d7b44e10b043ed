//! The snapshot output: every asset with its key and every column, for `diff` and for
//! anyone's own tooling (the format itself is [`crate::snapshot`]).

use std::path::Path;

use super::{OutputError, OutputSettings, Report};
use crate::snapshot::{Header, Scope, KIND, SCHEMA_VERSION};

pub fn write(path: &Path, report: &Report, settings: &OutputSettings) -> Result<(), OutputError> {
    let summary = report.summary;
    let (accounts, regions) = summary.scope();
    let header = Header {
        kind: KIND.into(),
        schema_version: SCHEMA_VERSION,
        tool: format!("fedramp-inventory {}", env!("CARGO_PKG_VERSION")),
        generated_at: summary
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        scope: Scope {
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
    };
    crate::snapshot::write(path, &header, report.inventory.assets())
        .map_err(|e| OutputError::write(path, e))
}
