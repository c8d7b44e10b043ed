//! A sheet that lists lines under a headline and column headers (Changes, Scan
//! Coverage), continuing on `NAME (2)`, ... if they outgrow a sheet. The skeleton
//! holds each sheet's headline, headers and a probe row; the lines are written into
//! it when the file is assembled ([`super::sheet_rows`]), as the inventory's rows are.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::{sheet_rows, CellFormats};

/// What each sheet of a list shows above its lines: a headline, and the columns
/// (header and width).
pub(super) struct List<'a, const N: usize> {
    pub headline: &'a str,
    pub columns: [(&'a str, f64); N],
}

/// Lines above a list's first: the headline, a blank line, the headers.
pub(super) const ABOVE: u32 = 3;

/// One sheet of a list: its name and which lines it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ListPage {
    pub name: String,
    pub first: usize,
    pub count: usize,
}

/// The sheets `count` lines take, `max_rows` rows to a sheet (one, when there are none).
pub(super) fn pages(name: &str, count: usize, max_rows: u32) -> Vec<ListPage> {
    let per_sheet = (max_rows as usize).saturating_sub(ABOVE as usize).max(1);
    let pages = count.div_ceil(per_sheet).max(1);
    (0..pages)
        .map(|page| ListPage {
            name: match page {
                0 => name.to_string(),
                _ => format!("{name} ({})", page + 1),
            },
            first: page * per_sheet,
            count: per_sheet.min(count - (page * per_sheet).min(count)),
        })
        .collect()
}

/// The list's sheets in the skeleton: headline, headers, and the probe row of the data
/// formats where the lines go.
pub(super) fn write_skeleton<const N: usize>(
    workbook: &mut Workbook,
    list: &List<'_, N>,
    pages: &[ListPage],
    formats: &CellFormats,
) -> Result<(), XlsxError> {
    for page in pages {
        let mut sheet = workbook.new_worksheet_with_constant_memory();
        sheet.set_name(&page.name)?;
        // Rows in order: a sheet of constant memory drops a write to a row behind it.
        for (c, (_, width)) in list.columns.iter().enumerate() {
            sheet.set_column_width(c as u16, *width)?;
        }
        sheet.write_string_with_format(0, 0, list.headline, &formats.bold)?;
        for (c, (header, _)) in list.columns.iter().enumerate() {
            sheet.write_string_with_format(2, c as u16, *header, &formats.bold)?;
        }
        sheet.set_freeze_panes(ABOVE, 0)?;
        super::write_probe(&mut sheet, ABOVE, formats)?;
        workbook.push_worksheet(sheet);
    }
    Ok(())
}

/// Counts the cells of the lines longer than a cell holds, and names the first, for
/// the Run Summary (which is built before the lines are written).
pub(super) fn count_cuts<S: AsRef<str>, const N: usize>(
    pages: &[ListPage],
    mut lines: impl Iterator<Item = [S; N]>,
    formats: &mut CellFormats,
) {
    for page in pages {
        for (r, line) in (ABOVE..).zip(lines.by_ref().take(page.count)) {
            for (c, text) in line.iter().enumerate() {
                if sheet_rows::fit(text.as_ref()).1 {
                    formats.cut += 1;
                    if formats.first_cut.is_none() {
                        formats.first_cut = Some((page.name.clone(), r, c as u16));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::{AssetChange, ChangeKind, ChangeReport, ColumnChange, Comparison};
    use crate::snapshot::AssetKey;
    use calamine::{open_workbook, Reader, Xlsx};

    fn change(id: &str, columns: &[&str]) -> AssetChange {
        AssetChange {
            change: if columns.is_empty() {
                ChangeKind::Added
            } else {
                ChangeKind::Changed
            },
            key: AssetKey {
                account: "1".into(),
                region: "r".into(),
                asset_type: "EC2".into(),
                asset_id: id.into(),
            },
            columns: columns
                .iter()
                .map(|c| ColumnChange {
                    column: c.to_string(),
                    previous: "old".into(),
                    current: format!("=new {c}"),
                })
                .collect(),
        }
    }

    /// Seven lines, four to a sheet: two sheets, every line once, in order, each sheet
    /// with its headline and headers, and text that looks like a formula kept as text.
    #[test]
    fn lines_continue_on_numbered_sheets_in_order() {
        assert_eq!(
            pages("Gaps", 5, 5),
            [
                ListPage {
                    name: "Gaps".into(),
                    first: 0,
                    count: 2
                },
                ListPage {
                    name: "Gaps (2)".into(),
                    first: 2,
                    count: 2
                },
                ListPage {
                    name: "Gaps (3)".into(),
                    first: 4,
                    count: 1
                },
            ]
        );
        assert_eq!(
            pages("Gaps", 0, 5).len(),
            1,
            "an empty list still has its sheet"
        );
        let report = ChangeReport {
            comparison: Comparison::FirstRun,
            connections_note: None,
            resources_note: None,
            changes: vec![
                change("i-1", &[]),
                change("i-2", &["Public", "DNS Name", "MAC Address"]),
                change("i-3", &[]),
                change("i-4", &["Comments", "Function"]),
            ],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("changes.xlsx");
        super::super::write_changes(&path, &report, ABOVE + 4).unwrap();

        let mut read: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(read.sheet_names(), ["Changes", "Changes (2)"]);
        let mut seen = Vec::new();
        for name in read.sheet_names() {
            let range = read.worksheet_range(&name).unwrap();
            let cell = |r: u32, c: u32| range.get_value((r, c)).map(|d| d.to_string());
            assert_eq!(cell(0, 0), Some(report.headline()));
            assert_eq!(cell(2, 4).as_deref(), Some("Unique Asset Identifier"));
            for r in ABOVE..range.end().map_or(0, |(r, _)| r + 1) {
                let line: Vec<String> = (0..8).map(|c| cell(r, c).unwrap_or_default()).collect();
                seen.push(line.join("|"));
            }
        }
        let want: Vec<String> = crate::outputs::changes_table::lines(&report)
            .map(|l| l.join("|"))
            .collect();
        assert_eq!(want.len(), 7);
        assert_eq!(seen, want);
        assert!(seen[1].ends_with("Public|old|=new Public"), "{seen:?}");
    }
}
