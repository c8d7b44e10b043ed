//! The Scan Coverage sheet: both gaps between the inventory and Amazon Inspector's
//! scans, under a headline with the counts and the window.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::list_sheet::{self, List};
use super::CellFormats;
use crate::outputs::scan_table::{headline, line_count, lines, HEADERS};
use crate::scan::ScanReport;

const WIDTHS: [f64; 7] = [30.0, 16.0, 16.0, 26.0, 60.0, 48.0, 22.0];

pub(super) fn write(
    workbook: &mut Workbook,
    report: &ScanReport,
    max_rows: u32,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    let headline = headline(report);
    let list = List {
        name: "Scan Coverage",
        headline: &headline,
        columns: std::array::from_fn(|i| (HEADERS[i], WIDTHS[i])),
        count: line_count(report),
    };
    list_sheet::write(workbook, &list, lines(report), max_rows, formats)
}
