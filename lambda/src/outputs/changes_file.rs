//! The changes between two snapshots as a file of their own (`diff --output`): a
//! workbook with the Changes sheet, or CSV with the same columns, by the extension.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::{atomic_write, csv, xlsx, OutputError, EXCEL_MAX_ROWS};
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

pub fn write(path: &Path, report: &ChangeReport) -> Result<(), OutputError> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    atomic_write(path, |tmp| {
        if is_csv {
            write_csv(tmp, report)
        } else {
            xlsx::write_changes(tmp, report, EXCEL_MAX_ROWS)
        }
    })
}

fn write_csv(path: &Path, report: &ChangeReport) -> Result<(), OutputError> {
    let fail = |e: std::io::Error| OutputError::write(path, e);
    let file = File::create(path).map_err(fail)?;
    let mut out = BufWriter::new(file);
    out.write_all(b"\xEF\xBB\xBF").map_err(fail)?;
    csv::write_record(&mut out, HEADERS.iter().copied(), false).map_err(fail)?;
    for line in lines(report) {
        csv::write_record(&mut out, line.iter().copied(), true).map_err(fail)?;
    }
    out.flush().map_err(fail)
}
