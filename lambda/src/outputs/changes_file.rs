//! The changes between two snapshots as a file of their own (`diff --output`): a
//! workbook with the Changes sheet, or CSV with the same columns, by the extension.

use std::path::Path;

use super::changes_table::{lines, HEADERS};
use super::{atomic_write, csv, xlsx, OutputError, EXCEL_MAX_ROWS};
use crate::changes::ChangeReport;

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
    csv::write_lines(path, &HEADERS, lines(report))
}
