//! The Changes sheet: what changed since the last run, one line per added or removed
//! asset and per changed column.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::list_sheet::{self, List};
use super::CellFormats;
use crate::changes::ChangeReport;
use crate::outputs::changes_table::{line_count, lines, HEADERS};

const WIDTHS: [f64; 8] = [12.0, 16.0, 14.0, 24.0, 48.0, 28.0, 40.0, 40.0];

pub(super) fn write(
    workbook: &mut Workbook,
    report: &ChangeReport,
    max_rows: u32,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    let headline = report.headline();
    let list = List {
        name: "Changes",
        headline: &headline,
        columns: std::array::from_fn(|i| (HEADERS[i], WIDTHS[i])),
        count: line_count(report),
    };
    list_sheet::write(workbook, &list, lines(report), max_rows, formats)
}
