//! The workbook: inventory sheets in the chosen layout, the Changes since the last run
//! (when compared), then the Run Summary.
//!
//! One code path, two tools. rust_xlsxwriter builds the workbook as Excel wants it
//! (styles, header rows with their merges, widths, frozen panes, properties, the Run
//! Summary) with each inventory sheet and each sheet of a list (Scan Coverage,
//! Changes) holding only its header rows and one probe row that shows which style
//! indices the data formats got. The file is then assembled here: every part is
//! copied as rust_xlsxwriter deflated it, except those sheets, whose data rows are
//! written straight into them ([`sheet_rows`]) and deflated on every core
//! ([`deflate`]) at the chosen level. So the rows cost one pass and no temporary
//! files, and the workbook is written at the speed of the disk. (The lists went
//! through rust_xlsxwriter before: writing and deflating the benchmark's 8,807 scan
//! gaps on one core was a third of what scan coverage added to a report's time.)
//!
//! An inventory larger than one sheet continues on `Inventory (2)`, `Inventory (3)`,
//! ... each with the same header rows: nothing is truncated.

mod a13_guidance;
mod changes_sheet;
mod deflate;
mod list_sheet;
mod ports_sheet;
mod resources_sheet;
mod scan_sheet;
mod sheet_rows;
mod summary_sheet;
mod zip_file;

use std::fs::File;
use std::io::{self, BufWriter, Cursor, Read, Write};
use std::path::Path;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::changes_table::{self, Numbered};
use super::layout::Layout;
use super::{
    looks_like_formula, ports_table, scan_table, table, OutputError, OutputSettings, Report,
};
use crate::changes::ChangeReport;
use crate::inventory::Resources;
use crate::scan::ScanReport;
use crate::settings::Scope;
use list_sheet::ListPage;
use ports_table::Ports;
use sheet_rows::{CellStyles, ListRows, RowSource, TableRows};
use zip_file::{ZipFile, DEFLATED};

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
    let fail = |e: &dyn std::fmt::Display| OutputError::write(path, e);
    let layout = settings.layout;
    let per_sheet = u64::from(settings.max_sheet_rows - layout.header_rows());
    let total = table::row_count(report.inventory, settings.ip_cell);
    let sheets = plan_sheets(total, per_sheet);
    let lists = Lists::plan(
        report.summary.scan.as_ref(),
        report
            .summary
            .evidence_to_show()
            .map(|evidence| Ports::new(evidence, report.inventory)),
        (report.summary.scope == Scope::All).then(|| report.inventory.resources()),
        report.changes,
        settings,
    );
    let mut formats = CellFormats::new();
    count_cuts(report, settings, &sheets, per_sheet, &mut formats);
    lists.count_cuts(&mut formats);
    let mut workbook =
        skeleton(report, settings, &sheets, &lists, &mut formats).map_err(|e| fail(&e))?;
    let skeleton = workbook.save_to_buffer().map_err(|e| fail(&e))?;
    let table = table::Table::new(report.inventory, settings.ip_cell);
    let mut bodies: Vec<Body> = sheets
        .iter()
        .map(|span| Body::Inventory {
            table: &table,
            span,
            layout,
        })
        .collect();
    bodies.extend(lists.bodies());
    let level = settings.compression.level();
    assemble(path, &skeleton, level, &bodies).map_err(|e| fail(&e))
}

/// A workbook with only the Changes sheet (`diff --output changes.xlsx`).
pub fn write_changes(
    path: &Path,
    changes: &crate::changes::ChangeReport,
    max_sheet_rows: u32,
) -> Result<(), OutputError> {
    let fail = |e: &dyn std::fmt::Display| OutputError::write(path, e);
    let settings = OutputSettings {
        max_sheet_rows,
        ..OutputSettings::default()
    };
    let lists = Lists::plan(None, None, None, Some(changes), &settings);
    let mut workbook = Workbook::new();
    workbook
        .set_tempdir(std::env::temp_dir())
        .map_err(|e| fail(&e))?;
    lists
        .write_skeleton(&mut workbook, &CellFormats::new())
        .map_err(|e| fail(&e))?;
    let skeleton = workbook.save_to_buffer().map_err(|e| fail(&e))?;
    let bodies: Vec<Body> = lists.bodies().collect();
    assemble(path, &skeleton, settings.compression.level(), &bodies).map_err(|e| fail(&e))
}

/// The lists a workbook holds after its inventory sheets, each with its headline and
/// its sheets, planned before the workbook is built.
struct Lists<'a> {
    scan: Option<(&'a ScanReport, String, Vec<ListPage>)>,
    ports: Option<(Ports<'a>, String, Vec<ListPage>)>,
    resources: Option<(&'a Resources, String, Vec<ListPage>)>,
    changes: Option<(Numbered<'a>, String, Vec<ListPage>)>,
}

impl<'a> Lists<'a> {
    fn plan(
        scan: Option<&'a ScanReport>,
        ports: Option<Ports<'a>>,
        resources: Option<&'a Resources>,
        changes: Option<&'a ChangeReport>,
        settings: &OutputSettings,
    ) -> Lists<'a> {
        let rows = settings.max_sheet_rows;
        Lists {
            scan: scan.map(|report| {
                let count = scan_table::line_count(report);
                let pages = list_sheet::pages(scan_sheet::NAME, count, rows);
                (report, scan_table::headline(report), pages)
            }),
            ports: ports.map(|ports| {
                let pages = list_sheet::pages(ports_sheet::NAME, ports.evidence.len(), rows);
                (ports, ports_table::headline(ports.evidence), pages)
            }),
            resources: resources.map(|all| {
                let pages = list_sheet::pages(resources_sheet::NAME, all.len(), rows);
                (all, resources_sheet::headline(all), pages)
            }),
            changes: changes.map(|report| {
                let count = changes_table::line_count(report);
                let pages = list_sheet::pages(changes_sheet::NAME, count, rows);
                (Numbered::new(report), report.headline(), pages)
            }),
        }
    }

    /// Counts the list cells too long for a cell, after the inventory's.
    fn count_cuts(&self, formats: &mut CellFormats) {
        if let Some((report, _, pages)) = &self.scan {
            list_sheet::count_cuts(pages, scan_table::lines(report), formats);
        }
        // Lines are made as they are written: made twice only when one could be cut.
        if let Some((ports, _, pages)) = &self.ports {
            if ports.longest_cell() > MAX_CELL_CHARS {
                list_sheet::count_cuts(pages, ports.lines(), formats);
            }
        }
        if let Some((all, _, pages)) = &self.resources {
            if all.longest_value() > MAX_CELL_CHARS {
                list_sheet::count_cuts(pages, all.rows(), formats);
            }
        }
        if let Some((numbered, _, pages)) = &self.changes {
            list_sheet::count_cuts(pages, changes_table::lines(numbered.report()), formats);
        }
    }

    fn write_skeleton(
        &self,
        workbook: &mut Workbook,
        formats: &CellFormats,
    ) -> Result<(), XlsxError> {
        if let Some((_, headline, pages)) = &self.scan {
            list_sheet::write_skeleton(workbook, &scan_sheet::list(headline), pages, formats)?;
        }
        if let Some((_, headline, pages)) = &self.ports {
            list_sheet::write_skeleton(workbook, &ports_sheet::list(headline), pages, formats)?;
        }
        if let Some((_, headline, pages)) = &self.resources {
            list_sheet::write_skeleton(workbook, &resources_sheet::list(headline), pages, formats)?;
        }
        if let Some((_, headline, pages)) = &self.changes {
            list_sheet::write_skeleton(workbook, &changes_sheet::list(headline), pages, formats)?;
        }
        Ok(())
    }

    /// Their sheets' bodies, in the order [`Self::write_skeleton`] adds the sheets.
    fn bodies(&self) -> impl Iterator<Item = Body<'_>> {
        let scan = self
            .scan
            .iter()
            .flat_map(|(report, _, pages)| pages.iter().map(|page| Body::Scan { report, page }));
        let ports = self.ports.iter().flat_map(|(ports, _, pages)| {
            pages.iter().map(move |page| Body::Ports { ports, page })
        });
        let resources = self.resources.iter().flat_map(|(all, _, pages)| {
            pages.iter().map(move |page| Body::Resources { all, page })
        });
        let changes = self.changes.iter().flat_map(|(numbered, _, pages)| {
            pages
                .iter()
                .map(move |page| Body::Changes { numbered, page })
        });
        scan.chain(ports).chain(resources).chain(changes)
    }
}

/// A sheet whose data rows are written as the file is assembled.
enum Body<'a> {
    Inventory {
        table: &'a table::Table<'a>,
        span: &'a SheetSpan,
        layout: Layout,
    },
    Scan {
        report: &'a ScanReport,
        page: &'a ListPage,
    },
    Ports {
        ports: &'a Ports<'a>,
        page: &'a ListPage,
    },
    Resources {
        all: &'a Resources,
        page: &'a ListPage,
    },
    Changes {
        numbered: &'a Numbered<'a>,
        page: &'a ListPage,
    },
}

impl Body<'_> {
    /// Adds the sheet to `zip`: `xml` (the skeleton's part) with the rows written in.
    fn add<W: Write + io::Seek>(
        &self,
        zip: &mut ZipFile<W>,
        name: &str,
        xml: &str,
        level: u32,
    ) -> io::Result<()> {
        match *self {
            Body::Inventory {
                table,
                span,
                layout,
            } => {
                let shape = Shape {
                    probe: layout.header_rows() + 1,
                    columns: layout.columns().len(),
                    count: (span.last_row + 1 - span.first_row) as usize,
                };
                let source = TableRows {
                    table,
                    first: (span.first_row - 1) as usize,
                    columns: layout.columns(),
                };
                add_sheet(zip, name, xml, level, shape, source)
            }
            Body::Scan { report, page } => {
                add_list(zip, name, xml, level, page, |i| scan_table::line(report, i))
            }
            Body::Ports { ports, page } => {
                let shape = Shape {
                    probe: list_sheet::ABOVE + 1,
                    columns: ports_table::HEADERS.len(),
                    count: page.count,
                };
                let source = ports_sheet::PortRows {
                    ports,
                    first: page.first,
                };
                add_sheet(zip, name, xml, level, shape, source)
            }
            Body::Resources { all, page } => add_list(zip, name, xml, level, page, |i| all.row(i)),
            Body::Changes { numbered, page } => {
                add_list(zip, name, xml, level, page, |i| numbered.line(i))
            }
        }
    }
}

/// A sheet of a list: its lines `line(page.first..)`.
fn add_list<W: Write + io::Seek, S: AsRef<str>, const N: usize>(
    zip: &mut ZipFile<W>,
    name: &str,
    xml: &str,
    level: u32,
    page: &ListPage,
    line: impl Fn(usize) -> [S; N] + Sync,
) -> io::Result<()> {
    let shape = Shape {
        probe: list_sheet::ABOVE + 1,
        columns: N,
        count: page.count,
    };
    let source = ListRows {
        line,
        first: page.first,
    };
    add_sheet(zip, name, xml, level, shape, source)
}

/// Where a sheet's data rows go: the probe row (1-based, where the first goes), how
/// many columns and rows.
struct Shape {
    probe: u32,
    columns: usize,
    count: usize,
}

fn add_sheet<W: Write + io::Seek>(
    zip: &mut ZipFile<W>,
    name: &str,
    xml: &str,
    level: u32,
    shape: Shape,
    source: impl RowSource,
) -> io::Result<()> {
    let last_row = shape.probe - 1 + shape.count as u32;
    let parts = SheetParts::split(xml, shape.probe, last_row, shape.columns)?;
    let rows = sheet_rows::SheetRows {
        prefix: parts.prefix.as_bytes(),
        suffix: parts.suffix.as_bytes(),
        source,
        count: shape.count,
        first_row: shape.probe,
        styles: parts.styles,
    };
    zip.add(name, DEFLATED, |w| {
        let d = deflate::deflate_pieces(w, level, &rows)?;
        Ok((d.crc, d.compressed, d.size))
    })
}

/// The probe row at `row` (0-based): one cell in each data format, for [`SheetParts`]
/// to read the style indices from.
fn write_probe(sheet: &mut Worksheet, row: u32, formats: &CellFormats) -> Result<(), XlsxError> {
    sheet.write_number_with_format(row, 0, 1, &formats.quoted)?;
    sheet.write_number_with_format(row, 1, 2, &formats.wrapped)?;
    sheet.write_number_with_format(row, 2, 3, &formats.quoted_wrapped)?;
    Ok(())
}

/// The workbook without the inventory's data rows: each inventory sheet has its
/// header rows and a probe row of the data formats, which [`assemble`] replaces.
fn skeleton(
    report: &Report,
    options: &OutputSettings,
    sheets: &[SheetSpan],
    lists: &Lists,
    formats: &mut CellFormats,
) -> Result<Workbook, XlsxError> {
    let summary = report.summary;
    let mut workbook = Workbook::new();
    // An unwritable temporary folder is an error here, not a panic in the writer.
    workbook.set_tempdir(std::env::temp_dir())?;
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
    for span in sheets {
        let mut sheet = workbook.new_worksheet_with_constant_memory();
        sheet.set_name(&span.name)?;
        write_headers(&mut sheet, layout)?;
        write_probe(&mut sheet, layout.header_rows(), formats)?;
        workbook.push_worksheet(sheet);
    }
    lists.write_skeleton(&mut workbook, formats)?;
    summary_sheet::write(
        &mut workbook,
        summary,
        report.changes,
        sheets,
        options,
        formats,
    )?;
    Ok(workbook)
}

/// Counts the inventory cells longer than a cell holds (and finds the first), before
/// the Run Summary that states it is built.
fn count_cuts(
    report: &Report,
    options: &OutputSettings,
    sheets: &[SheetSpan],
    per_sheet: u64,
    formats: &mut CellFormats,
) {
    if options.ip_cell == table::IpCell::PerRow
        && report.inventory.longest_value() <= MAX_CELL_CHARS
    {
        // Every cell is one value, and none is longer than a cell holds.
        return;
    }
    let columns = options.layout.columns();
    for (i, row) in table::rows(report.inventory, options.ip_cell).enumerate() {
        for (c, column) in columns.iter().enumerate() {
            if sheet_rows::fit(&row.cell(column.field)).1 {
                formats.cut += 1;
                if formats.first_cut.is_none() {
                    let sheet = &sheets[(i as u64 / per_sheet) as usize];
                    let r = options.layout.header_rows() + (i as u64 % per_sheet) as u32;
                    formats.first_cut = Some((sheet.name.clone(), r, c as u16));
                }
            }
        }
    }
}

/// Writes the final file: the skeleton's parts as they are, the sheets with data rows
/// (`bodies`, the first sheets in order) with their rows.
fn assemble(path: &Path, skeleton: &[u8], level: u32, bodies: &[Body]) -> io::Result<()> {
    let mut archive = zip::ZipArchive::new(Cursor::new(skeleton)).map_err(io::Error::other)?;
    let file = File::create(path)?;
    let mut zip = ZipFile::new(BufWriter::with_capacity(1 << 20, file));
    for i in 0..archive.len() {
        let name = archive
            .name_for_index(i)
            .ok_or_else(|| io::Error::other("the workbook skeleton lost a part"))?
            .to_string();
        let body = name
            .strip_prefix("xl/worksheets/sheet")
            .and_then(|n| n.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| bodies.get(n.checked_sub(1)?));
        let Some(body) = body else {
            let mut part = archive.by_index_raw(i).map_err(io::Error::other)?;
            let method = match part.compression() {
                zip::CompressionMethod::Stored => 0,
                _ => DEFLATED,
            };
            let (crc, compressed, size) = (part.crc32(), part.compressed_size(), part.size());
            zip.add(&name, method, |w| {
                io::copy(&mut part, w)?;
                Ok((crc, compressed, size))
            })?;
            continue;
        };
        let mut xml = String::new();
        archive
            .by_index(i)
            .map_err(io::Error::other)?
            .read_to_string(&mut xml)?;
        body.add(&mut zip, &name, &xml, level)?;
    }
    let mut out = zip.finish()?;
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// A sheet of the skeleton, cut where its data rows go.
struct SheetParts {
    /// Up to the end of the header rows, the dimension set to the real range.
    prefix: String,
    /// From `</sheetData>` on.
    suffix: String,
    styles: CellStyles,
}

impl SheetParts {
    fn split(xml: &str, probe: u32, last_row: u32, columns: usize) -> io::Result<SheetParts> {
        let odd = || io::Error::other("a sheet of the workbook skeleton is not as expected");
        let start = xml.find(&format!("<row r=\"{probe}\"")).ok_or_else(odd)?;
        let end = start + xml[start..].find("</row>").ok_or_else(odd)? + "</row>".len();
        let row = &xml[start..end];
        let style = |col: char| -> io::Result<u32> {
            let key = format!("<c r=\"{col}{probe}\" s=\"");
            let at = row.find(&key).ok_or_else(odd)? + key.len();
            let digits: String = row[at..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().map_err(|_| odd())
        };
        let styles = CellStyles {
            quoted: style('A')?,
            wrapped: style('B')?,
            quoted_wrapped: style('C')?,
        };
        let mut prefix = xml[..start].to_string();
        let dim = prefix.find("<dimension ref=\"").ok_or_else(odd)? + "<dimension ref=\"".len();
        let dim_end = dim + prefix[dim..].find('"').ok_or_else(odd)?;
        let last_col = (b'A' + columns as u8 - 1) as char;
        prefix.replace_range(dim..dim_end, &format!("A1:{last_col}{last_row}"));
        Ok(SheetParts {
            prefix,
            suffix: xml[end..].to_string(),
            styles,
        })
    }
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
    let (text, cut) = sheet_rows::fit(text);
    if cut {
        formats.cut += 1;
        if formats.first_cut.is_none() {
            formats.first_cut = Some((formats.sheet.clone(), row, col));
        }
    }
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
