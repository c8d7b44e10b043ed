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

/// One line per added or removed asset and per changed column, as they are written:
/// a list of 100,000 changes is not held twice.
pub fn lines(report: &ChangeReport) -> impl Iterator<Item = [&str; 8]> + '_ {
    report.changes.iter().flat_map(|c| {
        let k = [
            c.change.name(),
            c.key.account.as_str(),
            c.key.region.as_str(),
            c.key.asset_type.as_str(),
            c.key.asset_id.as_str(),
        ];
        let whole = c
            .columns
            .is_empty()
            .then_some([k[0], k[1], k[2], k[3], k[4], "", "", ""]);
        whole.into_iter().chain(c.columns.iter().map(move |col| {
            let (column, previous, current) = (
                col.column.as_str(),
                col.previous.as_str(),
                col.current.as_str(),
            );
            [k[0], k[1], k[2], k[3], k[4], column, previous, current]
        }))
    })
}

/// How many lines [`lines`] gives.
pub fn line_count(report: &ChangeReport) -> usize {
    report.changes.iter().map(|c| c.columns.len().max(1)).sum()
}
