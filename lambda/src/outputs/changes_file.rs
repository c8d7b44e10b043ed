//! The changes between two snapshots as a file of their own (`diff --output`): a
//! workbook with the Changes sheet, or CSV with the same columns, by the extension.

use std::fs::File;
use std::io::{BufWriter, Write};
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
