//! The changes between two snapshots as lines of a table: the columns and rows that the
//! Changes sheet and the changes CSV both write. Pure: no file, no format.

use crate::changes::ChangeReport;

/// The Changes sheet's columns.
pub const HEADERS: [&str; 8] = [
    "Change",
    "Account",
    "Region",
    "Asset Type",
    "Unique Asset Identifier",
    "Column",
    "Previous value",
    "Current value",
];

/// One line per added or removed asset and per changed column.
pub fn lines(report: &ChangeReport) -> Vec<[&str; 8]> {
    let mut out = Vec::new();
    for c in &report.changes {
        let k = [
            c.change.name(),
            c.key.account.as_str(),
            c.key.region.as_str(),
            c.key.asset_type.as_str(),
            c.key.asset_id.as_str(),
        ];
        if c.columns.is_empty() {
            out.push([k[0], k[1], k[2], k[3], k[4], "", "", ""]);
        }
        for col in &c.columns {
            let (column, previous, current) = (
                col.column.as_str(),
                col.previous.as_str(),
                col.current.as_str(),
            );
            out.push([k[0], k[1], k[2], k[3], k[4], column, previous, current]);
        }
    }
    out
}
