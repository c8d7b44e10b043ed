//! The Changes sheet: what changed since the last run, one line per added or removed
//! asset and per changed column, continuing on `Changes (2)`, ... if it outgrows a sheet.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::{write_text, CellFormats};
use crate::changes::ChangeReport;
use crate::outputs::changes_table::{lines, HEADERS};

pub(super) fn write(
    workbook: &mut Workbook,
    report: &ChangeReport,
    max_rows: u32,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    let lines = lines(report);
    let headline = report.headline();
    let per_sheet = (max_rows as usize).saturating_sub(3).max(1);
    let pages = lines.len().div_ceil(per_sheet).max(1);
    for page in 0..pages {
        let mut sheet = workbook.new_worksheet_with_constant_memory();
        let name = if page == 0 {
            "Changes".to_string()
        } else {
            format!("Changes ({})", page + 1)
        };
        sheet.set_name(&name)?;
        formats.sheet = name;
        for (c, width) in [12.0, 16.0, 14.0, 24.0, 48.0, 28.0, 40.0, 40.0]
            .into_iter()
            .enumerate()
        {
            sheet.set_column_width(c as u16, width)?;
        }
        sheet.write_string_with_format(0, 0, &headline, &formats.bold)?;
        for (c, h) in HEADERS.iter().enumerate() {
            sheet.write_string_with_format(2, c as u16, *h, &formats.bold)?;
        }
        sheet.set_freeze_panes(3, 0)?;
        let chunk = lines.iter().skip(page * per_sheet).take(per_sheet);
        for (r, line) in (3u32..).zip(chunk) {
            for (c, text) in line.iter().enumerate() {
                write_text(&mut sheet, r, c as u16, text, formats)?;
            }
        }
        workbook.push_worksheet(sheet);
    }
    Ok(())
}
