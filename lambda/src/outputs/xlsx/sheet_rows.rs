//! The data rows of the inventory sheets and of the lists (Scan Coverage, Changes) as
//! SpreadsheetML, written straight into the sheet part: everything Excel needs of a
//! cell is here, and only here.
//!
//! Cells are inline strings, written as rust_xlsxwriter writes them in constant-memory
//! mode but for one thing: a cell names its reference (`r="H12"`) only when an empty
//! cell comes before it in the row. The schema makes `r` optional and places a cell
//! without one just after the cell before it, as Excel, LibreOffice, openpyxl and
//! calamine read it; leaving out the references that say nothing new makes the sheet's
//! XML an eighth smaller and deflate 40% faster, since a row number in every cell is
//! what breaks deflate's matches. Then: `&`, `<`, `>` escaped; the control characters
//! XML 1.0 forbids as `_xHHHH_` (and a literal `_xHHHH_` kept literal as
//! `_x005F_xHHHH_`); `xml:space="preserve"` when a value starts or ends with white
//! space; at most 32,767 characters; the quote prefix style for text a spreadsheet
//! could take for a formula; the wrap style for several addresses on separate lines.

use super::deflate::{Pieces, WINDOW};
use super::MAX_CELL_CHARS;
use crate::outputs::layout::Column;
use crate::outputs::looks_like_formula;
use crate::outputs::table::Table;

/// The style indices of the workbook's data-cell formats (read from the workbook
/// rust_xlsxwriter built, so they always match its styles part).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CellStyles {
    pub quoted: u32,
    pub wrapped: u32,
    pub quoted_wrapped: u32,
}

/// The longest prefix of `text` a cell holds, and whether it had to be cut.
pub fn fit(text: &str) -> (&str, bool) {
    // Fast path: a value of at most 32,767 bytes has at most as many characters.
    if text.len() <= MAX_CELL_CHARS {
        return (text, false);
    }
    match text.char_indices().nth(MAX_CELL_CHARS) {
        None => (text, false),
        Some((cut, _)) => (&text[..cut], true),
    }
}

/// Data rows rendered in a piece: about a megabyte of XML for typical rows, so the
/// pieces in flight stay small and each deflate job is long enough to be worth a thread.
const ROWS_PER_PIECE: usize = 1024;

/// Where a sheet's data rows come from, any row at any time: the deflate workers
/// render pieces of a sheet side by side, each with the rows just before it.
pub trait RowSource: Sync {
    /// The texts of data row `i` (0-based on its sheet), in column order, to `cells`.
    fn row(&self, i: usize, cells: impl FnMut(&str));

    /// Rows `from..to`, in order, to `out`: row by row, unless a source's neighbouring
    /// rows share work (the ports table looks an asset's names up once for all its
    /// lines).
    fn rows(&self, from: usize, to: usize, out: &mut Rows<'_>) {
        for i in from..to {
            out.row(i, |cells| self.row(i, |text| cells.push(text)));
        }
    }
}

/// Where rows are rendered: a piece's buffer, with the sheet's numbering and styles.
pub struct Rows<'b> {
    buf: &'b mut Vec<u8>,
    /// The sheet row number (1-based) of data row 0.
    first_row: u32,
    styles: CellStyles,
}

impl Rows<'_> {
    /// Data row `i`, numbered on from the first: a cell for each non-empty text
    /// `cells` pushes, in column order.
    pub fn row(&mut self, i: usize, cells: impl FnOnce(&mut Cells<'_>)) {
        let mut digits = itoa::Buffer::new();
        let number = digits.format(self.first_row + i as u32);
        self.buf.extend_from_slice(b"<row r=\"");
        self.buf.extend_from_slice(number.as_bytes());
        self.buf.extend_from_slice(b"\">");
        let mut row = Cells {
            buf: self.buf,
            number,
            styles: self.styles,
            column: 0,
            next: 0,
        };
        cells(&mut row);
        self.buf.extend_from_slice(b"</row>");
    }
}

/// The cells of one row as they are rendered.
pub struct Cells<'a> {
    buf: &'a mut Vec<u8>,
    number: &'a str,
    styles: CellStyles,
    column: usize,
    /// The column just after the last cell written: where a cell without `r` goes.
    next: usize,
}

impl Cells<'_> {
    /// The next column's text (none written for an empty one).
    pub fn push(&mut self, text: &str) {
        if !text.is_empty() {
            let reference =
                (self.column != self.next).then_some((b'A' + self.column as u8, self.number));
            cell(self.buf, reference, text, self.styles);
            self.next = self.column + 1;
        }
        self.column += 1;
    }
}

/// Inventory rows `first..` of a table, in a layout's columns.
pub struct TableRows<'a> {
    pub table: &'a Table<'a>,
    pub first: usize,
    pub columns: &'a [Column],
}

impl RowSource for TableRows<'_> {
    fn row(&self, i: usize, mut cells: impl FnMut(&str)) {
        let row = self.table.row(self.first + i);
        let texts = row.texts();
        for column in self.columns {
            cells(texts[column.field.index()]);
        }
    }
}

/// Lines `first..` of a list, by number.
pub struct ListRows<F> {
    pub line: F,
    pub first: usize,
}

impl<S: AsRef<str>, const N: usize, F: Fn(usize) -> [S; N] + Sync> RowSource for ListRows<F> {
    fn row(&self, i: usize, mut cells: impl FnMut(&str)) {
        for text in (self.line)(self.first + i) {
            cells(text.as_ref());
        }
    }
}

/// One sheet as pieces ([`Pieces`]): the skeleton's XML up to the data rows, `count`
/// rows from `source`, then the rest of its XML.
pub struct SheetRows<'a, S> {
    pub prefix: &'a [u8],
    pub suffix: &'a [u8],
    pub source: S,
    pub count: usize,
    /// The sheet row number (1-based) of the first data row.
    pub first_row: u32,
    pub styles: CellStyles,
}

impl<S: RowSource> SheetRows<'_, S> {
    fn rows(&self, from: usize, to: usize, buf: &mut Vec<u8>) {
        let mut out = Rows {
            buf,
            first_row: self.first_row,
            styles: self.styles,
        };
        self.source.rows(from, to, &mut out);
    }
}

impl<S: RowSource> Pieces for SheetRows<'_, S> {
    fn count(&self) -> usize {
        self.count.div_ceil(ROWS_PER_PIECE).max(1)
    }

    fn render(&self, piece: usize, buf: &mut Vec<u8>) {
        if piece == 0 {
            buf.extend_from_slice(self.prefix);
        }
        let to = ((piece + 1) * ROWS_PER_PIECE).min(self.count);
        self.rows(piece * ROWS_PER_PIECE, to, buf);
        if piece + 1 == self.count() {
            buf.extend_from_slice(self.suffix);
        }
    }

    fn tail_before(&self, piece: usize, buf: &mut Vec<u8>) {
        if piece == 0 {
            return;
        }
        // The rows just before the piece, last first, until there is a window's worth;
        // the sheet's own XML when they reach its first row.
        let mut parts: Vec<Vec<u8>> = Vec::new();
        let (mut total, mut i) = (0, piece * ROWS_PER_PIECE);
        while total < WINDOW && i > 0 {
            i -= 1;
            let mut row = Vec::new();
            self.rows(i, i + 1, &mut row);
            total += row.len();
            parts.push(row);
        }
        if total < WINDOW {
            buf.extend_from_slice(self.prefix);
        }
        for part in parts.iter().rev() {
            buf.extend_from_slice(part);
        }
    }
}

/// One cell; `reference` (column letter, row number) when it does not follow the last.
fn cell(buf: &mut Vec<u8>, reference: Option<(u8, &str)>, text: &str, styles: CellStyles) {
    let (text, _) = fit(text);
    // Most cells are plain text: no escape, and no line to wrap (a newline is not plain).
    let plain = is_plain(text.as_bytes());
    let style = match (looks_like_formula(text), !plain && text.contains('\n')) {
        (false, false) => 0,
        (true, false) => styles.quoted,
        (false, true) => styles.wrapped,
        (true, true) => styles.quoted_wrapped,
    };
    buf.extend_from_slice(b"<c");
    if let Some((letter, row)) = reference {
        buf.extend_from_slice(b" r=\"");
        buf.push(letter);
        buf.extend_from_slice(row.as_bytes());
        buf.push(b'"');
    }
    if style > 0 {
        buf.extend_from_slice(b" s=\"");
        buf.extend_from_slice(itoa::Buffer::new().format(style).as_bytes());
        buf.push(b'"');
    }
    buf.extend_from_slice(b" t=\"inlineStr\"><is><t");
    let whitespace = ['\t', '\n', ' '];
    if text.starts_with(whitespace) || text.ends_with(whitespace) {
        buf.extend_from_slice(b" xml:space=\"preserve\"");
    }
    buf.push(b'>');
    if plain {
        buf.extend_from_slice(text.as_bytes());
    } else {
        escape(buf, text);
    }
    buf.extend_from_slice(b"</t></is></c>");
}

/// No byte below 0x20 and none of `&<>_`: text written as it is. Eight bytes at a
/// time (a byte-by-byte look-up was a quarter of the rendering).
fn is_plain(bytes: &[u8]) -> bool {
    use crate::words::{find, has, has_below};
    let word_hit =
        |x| has_below(x, 0x20) || has(x, b'&') || has(x, b'<') || has(x, b'>') || has(x, b'_');
    find(bytes, word_hit, |b| {
        b < 0x20 || matches!(b, b'&' | b'<' | b'>' | b'_')
    }) == bytes.len()
}

/// XML data escaping as Excel does it, for text that is not plain ([`is_plain`]).
fn escape(buf: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'&' => buf.extend_from_slice(b"&amp;"),
            b'<' => buf.extend_from_slice(b"&lt;"),
            b'>' => buf.extend_from_slice(b"&gt;"),
            b'_' if is_escape_sequence(&bytes[i..]) => buf.extend_from_slice(b"_x005F_"),
            b'\t' | b'\n' => buf.push(b),
            0x00..=0x1F => {
                buf.extend_from_slice(format!("_x{b:04X}_").as_bytes());
            }
            _ => buf.push(b),
        }
        i += 1;
    }
}

/// `_xHHHH` and one more character: text Excel could read as an escaped character
/// (rust_xlsxwriter's test, which does not look at the seventh character).
fn is_escape_sequence(bytes: &[u8]) -> bool {
    bytes.len() >= 7 && bytes[1] == b'x' && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(text: &str) -> String {
        let mut buf = Vec::new();
        let styles = CellStyles {
            quoted: 1,
            wrapped: 2,
            quoted_wrapped: 3,
        };
        cell(&mut buf, Some((b'B', "7")), text, styles);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn cells_are_written_as_rust_xlsxwriter_writes_them() {
        assert_eq!(
            xml("a&b<c>"),
            r#"<c r="B7" t="inlineStr"><is><t>a&amp;b&lt;c&gt;</t></is></c>"#
        );
        assert_eq!(
            xml("=1+1"),
            r#"<c r="B7" s="1" t="inlineStr"><is><t>=1+1</t></is></c>"#
        );
        assert_eq!(
            xml("10.0.0.1\n10.0.0.2"),
            "<c r=\"B7\" s=\"2\" t=\"inlineStr\"><is><t>10.0.0.1\n10.0.0.2</t></is></c>"
        );
        assert_eq!(
            xml("-a\nb"),
            "<c r=\"B7\" s=\"3\" t=\"inlineStr\"><is><t>-a\nb</t></is></c>"
        );
        assert_eq!(
            xml(" x"),
            r#"<c r="B7" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c>"#
        );
        assert_eq!(
            xml("a\u{1}b_x0041_c_x12_"),
            r#"<c r="B7" t="inlineStr"><is><t>a_x0001_b_x005F_x0041_c_x12_</t></is></c>"#
        );
    }

    #[test]
    fn a_cell_names_its_reference_only_after_an_empty_cell() {
        use crate::fields::Field;
        use crate::inventory::Inventory;
        use crate::mapper::Asset;
        use crate::outputs::layout::Layout;
        use crate::outputs::table::IpCell;

        let mut inventory = Inventory::new();
        let mut asset = Asset::default();
        asset.set(Field::AssetId, "i-1");
        asset.set(Field::Public, "No");
        asset.set(Field::Dns, "host");
        asset.add_address("10.0.0.1", None);
        inventory.add(&asset, 0);
        inventory.finish();
        let table = Table::new(&inventory, IpCell::PerRow);
        let mut buf = Vec::new();
        let rows = TableRows {
            table: &table,
            first: 0,
            columns: Layout::Rev5.columns(),
        };
        let mut out = Rows {
            buf: &mut buf,
            first_row: 3,
            styles: CellStyles::default(),
        };
        rows.rows(0, 1, &mut out);
        // A and B follow on from the row's start; D comes after the empty C, E after D.
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            concat!(
                r#"<row r="3"><c t="inlineStr"><is><t>i-1</t></is></c>"#,
                r#"<c t="inlineStr"><is><t>10.0.0.1</t></is></c>"#,
                r#"<c r="D3" t="inlineStr"><is><t>No</t></is></c>"#,
                r#"<c t="inlineStr"><is><t>host</t></is></c></row>"#,
            )
        );
    }

    proptest::proptest! {
        #[test]
        fn plain_text_is_found_eight_bytes_at_a_time(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            plain in proptest::collection::vec(0x20u8..0x7f, 0..40),
            at in 0usize..40,
            odd in proptest::sample::select(vec![0u8, 0x1f, b'\t', b'\n', b'&', b'<', b'>', b'_', b' ', 0x80, 0xff]),
        ) {
            let naive = |b: &[u8]| b.iter().all(|b| *b >= 0x20 && !b"&<>_".contains(b));
            proptest::prop_assert_eq!(is_plain(&bytes), naive(&bytes));
            // Mostly plain text with one byte changed, anywhere in a word or after.
            let mut one = plain.clone();
            if !one.is_empty() {
                let i = at % one.len();
                one[i] = odd;
            }
            proptest::prop_assert_eq!(is_plain(&one), naive(&one));
        }
    }

    #[test]
    fn long_values_are_cut_to_a_cell() {
        let long = "é".repeat(MAX_CELL_CHARS + 1);
        let (cut, was) = fit(&long);
        assert!(was);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert_eq!(fit("short"), ("short", false));
    }
}
