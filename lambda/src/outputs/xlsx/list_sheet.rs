//! A sheet that lists lines under a headline and column headers (Changes, Scan
//! Coverage), continuing on `NAME (2)`, ... if they outgrow a sheet.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::{write_text, CellFormats};

/// One list: its sheet's name, headline, columns (header and width) and lines.
pub(super) struct List<'a, const N: usize> {
    pub name: &'a str,
    pub headline: &'a str,
    pub columns: [(&'a str, f64); N],
    pub lines: &'a [[&'a str; N]],
}

pub(super) fn write<const N: usize>(
    workbook: &mut Workbook,
    list: &List<'_, N>,
    max_rows: u32,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    let per_sheet = (max_rows as usize).saturating_sub(3).max(1);
    let pages = list.lines.len().div_ceil(per_sheet).max(1);
    for page in 0..pages {
        let mut sheet = workbook.new_worksheet_with_constant_memory();
        let name = if page == 0 {
            list.name.to_string()
        } else {
            format!("{} ({})", list.name, page + 1)
        };
        sheet.set_name(&name)?;
        formats.sheet = name;
        // Rows in order: a sheet of constant memory drops a write to a row behind it.
        for (c, (_, width)) in list.columns.iter().enumerate() {
            sheet.set_column_width(c as u16, *width)?;
        }
        sheet.write_string_with_format(0, 0, list.headline, &formats.bold)?;
        for (c, (header, _)) in list.columns.iter().enumerate() {
            sheet.write_string_with_format(2, c as u16, *header, &formats.bold)?;
        }
        sheet.set_freeze_panes(3, 0)?;
        let chunk = list.lines.iter().skip(page * per_sheet).take(per_sheet);
        for (r, line) in (3u32..).zip(chunk) {
            for (c, text) in line.iter().enumerate() {
                write_text(&mut sheet, r, c as u16, text, formats)?;
            }
        }
        workbook.push_worksheet(sheet);
    }
    Ok(())
}
