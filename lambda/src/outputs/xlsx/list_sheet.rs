//! A sheet that lists lines under a headline and column headers (Changes, Scan
//! Coverage), continuing on `NAME (2)`, ... if they outgrow a sheet.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::{write_text, CellFormats};

/// One list: its sheet's name, headline, columns (header and width), and how many
/// lines its iterator gives (they are written as they come, never gathered first).
pub(super) struct List<'a, const N: usize> {
    pub name: &'a str,
    pub headline: &'a str,
    pub columns: [(&'a str, f64); N],
    pub count: usize,
}

pub(super) fn write<'a, const N: usize>(
    workbook: &mut Workbook,
    list: &List<'_, N>,
    mut lines: impl Iterator<Item = [&'a str; N]>,
    max_rows: u32,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    let per_sheet = (max_rows as usize).saturating_sub(3).max(1);
    let pages = list.count.div_ceil(per_sheet).max(1);
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
        for (r, line) in (3u32..).zip(lines.by_ref().take(per_sheet)) {
            for (c, text) in line.iter().enumerate() {
                write_text(&mut sheet, r, c as u16, text, formats)?;
            }
        }
        workbook.push_worksheet(sheet);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook, Reader, Xlsx};

    /// Five lines, two to a sheet: three sheets, every line once, in order, each sheet
    /// with its headline and headers.
    #[test]
    fn lines_continue_on_numbered_sheets_as_they_come() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.xlsx");
        let texts: Vec<String> = (1..=5).map(|i| format!("line {i}")).collect();
        let list = List {
            name: "Gaps",
            headline: "five gaps",
            columns: [("What", 20.0), ("Where", 10.0)],
            count: texts.len(),
        };
        let mut workbook = Workbook::new();
        let mut formats = CellFormats::new();
        let lines = texts.iter().map(|t| [t.as_str(), "here"]);
        write(&mut workbook, &list, lines, 5, &mut formats).unwrap();
        workbook.save(&path).unwrap();

        let mut read: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(read.sheet_names(), ["Gaps", "Gaps (2)", "Gaps (3)"]);
        let mut seen = Vec::new();
        for name in read.sheet_names() {
            let range = read.worksheet_range(&name).unwrap();
            let cell = |r: u32, c: u32| range.get_value((r, c)).map(|d| d.to_string());
            assert_eq!(cell(0, 0).as_deref(), Some("five gaps"));
            assert_eq!(cell(2, 0).as_deref(), Some("What"));
            for r in 3..range.end().map_or(0, |(r, _)| r + 1) {
                seen.extend(cell(r, 0));
            }
        }
        assert_eq!(seen, texts);
    }
}
