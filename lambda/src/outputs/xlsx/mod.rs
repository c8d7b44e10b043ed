//! The workbook: inventory sheets in the chosen layout, the Changes since the last run
//! (when compared), then the Run Summary.
//!
//! Sheets are written in constant-memory mode (each row goes to a temporary file as
//! soon as it is complete), so the writer's memory does not grow with the inventory.
//! An inventory larger than one sheet continues on `Inventory (2)`, `Inventory (3)`,
//! ... each with the same header rows: nothing is truncated.

mod a13_guidance;
mod changes_sheet;
mod summary_sheet;

use std::path::Path;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::layout::Layout;
use super::table;
use super::{looks_like_formula, OutputError, OutputSettings, Report};

/// Excel's limit for the text of one cell, in characters.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The inventory sheets that were written, for the summary and the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetSpan {
    pub name: String,
    /// Inventory rows (1-based, in the sorted order) on this sheet.
    pub first_row: u64,
    pub last_row: u64,
}

/// Splits `rows` into inventory sheets of at most `per_sheet` data rows.
pub fn plan_sheets(rows: u64, per_sheet: u64) -> Vec<SheetSpan> {
    let pages = rows.div_ceil(per_sheet).max(1);
    (0..pages)
        .map(|p| SheetSpan {
            name: if p == 0 {
                "Inventory".to_string()
            } else {
                format!("Inventory ({})", p + 1)
            },
            first_row: p * per_sheet + 1,
            last_row: ((p + 1) * per_sheet).min(rows),
        })
        .collect()
}

/// Writes the workbook to `path`.
pub fn write(path: &Path, report: &Report, settings: &OutputSettings) -> Result<(), OutputError> {
    let mut workbook = build(report, settings).map_err(|e| OutputError::write(path, e))?;
    workbook.save(path).map_err(|e| OutputError::write(path, e))
}

/// A workbook with only the Changes sheet (`diff --output changes.xlsx`).
pub fn write_changes(
    path: &Path,
    changes: &crate::changes::ChangeReport,
    max_sheet_rows: u32,
) -> Result<(), OutputError> {
    let mut workbook = Workbook::new();
    let mut formats = CellFormats::new();
    changes_sheet::write(&mut workbook, changes, max_sheet_rows, &mut formats)
        .map_err(|e| OutputError::write(path, e))?;
    workbook.save(path).map_err(|e| OutputError::write(path, e))
}

/// Builds the whole workbook in memory-light form, ready to save.
fn build(report: &Report, options: &OutputSettings) -> Result<Workbook, XlsxError> {
    let summary = report.summary;
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::parse_from_str(
        &summary.generated_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
    )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("FedRAMP Integrated Inventory Workbook")
            .set_comment(options.layout.title())
            .set_creation_datetime(&created),
    );
    let layout = options.layout;
    let per_sheet = u64::from(options.max_sheet_rows - layout.header_rows());
    let total = table::row_count(report.inventory, options.ip_cell);
    let sheets = plan_sheets(total, per_sheet);
    let mut formats = CellFormats::new();
    let mut rows = table::rows(report.inventory, options.ip_cell);
    for span in &sheets {
        let mut sheet = workbook.new_worksheet_with_constant_memory();
        sheet.set_name(&span.name)?;
        formats.sheet.clone_from(&span.name);
        write_headers(&mut sheet, layout)?;
        let on_this_sheet = (span.last_row + 1 - span.first_row) as usize;
        for (r, row) in (layout.header_rows()..).zip(rows.by_ref().take(on_this_sheet)) {
            for (c, column) in layout.columns().iter().enumerate() {
                let text = row.cell(column.field);
                write_text(&mut sheet, r, c as u16, &text, &mut formats)?;
            }
        }
        workbook.push_worksheet(sheet);
    }
    if let Some(changes) = report.changes {
        changes_sheet::write(&mut workbook, changes, options.max_sheet_rows, &mut formats)?;
    }
    summary_sheet::write(
        &mut workbook,
        summary,
        report.changes,
        &sheets,
        options,
        &mut formats,
    )?;
    Ok(workbook)
}

fn write_headers(sheet: &mut Worksheet, layout: Layout) -> Result<(), XlsxError> {
    let base = Format::new()
        .set_font_name("Arial")
        .set_font_size(layout.header_font_size())
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    for group in layout.groups() {
        let mut format = base.clone().set_background_color(Color::RGB(group.fill));
        if group.white_text {
            format = format.set_font_color(Color::White);
        }
        sheet.merge_range(0, group.first, 0, group.last, group.title, &format)?;
    }
    let header = base
        .clone()
        .set_background_color(Color::RGB(layout.header_fill()));
    for (c, column) in layout.columns().iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, column.header, &header)?;
        sheet.set_column_width(c as u16, column.width)?;
    }
    let [h1, h2] = layout.header_heights();
    sheet.set_row_height(0, h1)?;
    sheet.set_row_height(1, h2)?;
    if layout == Layout::A13 {
        let guidance = base
            .clone()
            .set_font_size(8)
            .unset_bold()
            .set_background_color(Color::RGB(layout.header_fill()));
        for (i, texts) in a13_guidance::A13_GUIDANCE.iter().enumerate() {
            for (c, text) in texts.iter().enumerate() {
                sheet.write_string_with_format(2 + i as u32, c as u16, *text, &guidance)?;
            }
        }
    }
    let (row, col) = layout.freeze_at();
    sheet.set_freeze_panes(row, col)?;
    Ok(())
}

/// The few formats data cells need, and what writing cells had to change.
struct CellFormats {
    /// Cells cut to Excel's limit (the Run Summary says how many and the first).
    cut: u64,
    first_cut: Option<(String, u32, u16)>,
    sheet: String,
    /// Text Excel could take for a formula, shown as text even when a user edits it.
    quoted: Format,
    /// Several addresses in one cell, one per line.
    wrapped: Format,
    quoted_wrapped: Format,
    pub(crate) bold: Format,
}

impl CellFormats {
    fn new() -> Self {
        CellFormats {
            cut: 0,
            first_cut: None,
            sheet: String::new(),
            quoted: Format::new().set_quote_prefix(),
            wrapped: Format::new().set_text_wrap(),
            quoted_wrapped: Format::new().set_quote_prefix().set_text_wrap(),
            bold: Format::new().set_bold(),
        }
    }
}

/// Writes a value as a string cell, never a formula; a value longer than a cell holds
/// is cut (and counted). Empty values write nothing.
fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        return Ok(());
    }
    let text = match text.char_indices().nth(MAX_CELL_CHARS) {
        None => text,
        Some((cut, _)) => {
            formats.cut += 1;
            if formats.first_cut.is_none() {
                formats.first_cut = Some((formats.sheet.clone(), row, col));
            }
            &text[..cut]
        }
    };
    let format = match (looks_like_formula(text), text.contains('\n')) {
        (false, false) => None,
        (true, false) => Some(&formats.quoted),
        (false, true) => Some(&formats.wrapped),
        (true, true) => Some(&formats.quoted_wrapped),
    };
    match format {
        None => sheet.write_string(row, col, text)?,
        Some(f) => sheet.write_string_with_format(row, col, text, f)?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_split_at_the_limit() {
        assert_eq!(plan_sheets(0, 10).len(), 1);
        let s = plan_sheets(25, 10);
        assert_eq!(s.len(), 3);
        assert_eq!(s[2].name, "Inventory (3)");
        assert_eq!((s[2].first_row, s[2].last_row), (21, 25));
        assert_eq!(plan_sheets(20, 10).len(), 2);
    }
}
