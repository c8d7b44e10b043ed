//! The Inventory sheet as CSV: the layout's columns and header texts, one line per row
//! of the sheet, RFC 4180 quoting, UTF-8 with a byte-order mark so Excel opens it with
//! the right characters.
//!
//! CSV has no cell formats, so the workbook's formula guard (the quote prefix) becomes
//! a leading apostrophe: a value that starts with `=`, `+`, `-`, `@`, tab or carriage
//! return is written as `'=...`, which Excel and LibreOffice show as text.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::{looks_like_formula, table, OutputError, OutputSettings, Report};

pub fn write(path: &Path, report: &Report, settings: &OutputSettings) -> Result<(), OutputError> {
    let fail = |e: std::io::Error| OutputError::write(path, e);
    let file = File::create(path).map_err(fail)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let columns = settings.layout.columns();
    out.write_all(b"\xEF\xBB\xBF").map_err(fail)?;
    let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
    write_record(&mut out, headers.iter().copied(), false).map_err(fail)?;
    for row in table::rows(report.inventory, settings.ip_cell) {
        let cells: Vec<_> = columns.iter().map(|c| row.cell(c.field)).collect();
        write_record(&mut out, cells.iter().map(|c| c.as_ref()), true).map_err(fail)?;
    }
    let file = out.into_inner().map_err(|e| fail(e.into_error()))?;
    file.sync_all().map_err(fail)
}

/// A table of its own (the changes, the scan coverage gaps): a header and lines, with
/// the byte-order mark and formula guard of the inventory's CSV.
pub(crate) fn write_lines<S: AsRef<str>, const N: usize>(
    path: &Path,
    headers: &[&str; N],
    lines: impl Iterator<Item = [S; N]>,
) -> Result<(), OutputError> {
    let fail = |e: std::io::Error| OutputError::write(path, e);
    let file = File::create(path).map_err(fail)?;
    let mut out = BufWriter::new(file);
    out.write_all(b"\xEF\xBB\xBF").map_err(fail)?;
    write_record(&mut out, headers.iter().copied(), false).map_err(fail)?;
    for line in lines {
        write_record(&mut out, line.iter().map(AsRef::as_ref), true).map_err(fail)?;
    }
    let file = out.into_inner().map_err(|e| fail(e.into_error()))?;
    file.sync_all().map_err(fail)
}

/// One record, CRLF-terminated as RFC 4180 says; `guard` applies the formula guard.
pub(crate) fn write_record<'a>(
    out: &mut impl Write,
    cells: impl Iterator<Item = &'a str>,
    guard: bool,
) -> std::io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        let guarded;
        let cell = if guard && looks_like_formula(cell) {
            guarded = format!("'{cell}");
            guarded.as_str()
        } else {
            cell
        };
        if cell.contains([',', '"', '\n', '\r']) {
            out.write_all(b"\"")?;
            out.write_all(cell.replace('"', "\"\"").as_bytes())?;
            out.write_all(b"\"")?;
        } else {
            out.write_all(cell.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cells: &[&str]) -> String {
        let mut out = Vec::new();
        write_record(&mut out, cells.iter().copied(), true).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(record(&["a", "", "b c"]), "a,,b c\r\n");
        assert_eq!(
            record(&["x,y", "say \"hi\"", "1\n2"]),
            "\"x,y\",\"say \"\"hi\"\"\",\"1\n2\"\r\n"
        );
    }

    #[test]
    fn formula_like_values_stay_text() {
        assert_eq!(record(&["=1+1", "-x,y"]), "'=1+1,\"'-x,y\"\r\n");
    }
}
