//! The workbook's shared strings: the texts a long list repeats on every line (account,
//! region, asset type, transport, service, encryption, sources, groups), stored once in
//! `xl/sharedStrings.xml` and named by number in its cells (`<c t="s"><v>7</v></c>`).
//!
//! Why: the Ports Protocols Services sheet has a line per entry, hundreds of thousands
//! on a large estate, and most of its cells repeat a handful of texts. As inline strings
//! the sheet was more XML than the inventory itself, and deflating it was most of what
//! the network evidence added to a report's time; as shared strings it is about half
//! the XML, and half the deflating. The table is made before the rows from what the
//! cells can hold (not by reading every line first); a text not in it stays an inline
//! string, so a cell is never wrong, only sometimes longer.
//!
//! Only texts that need no style go in (nothing a spreadsheet could take for a formula,
//! no line break, no control character): a cell that needs one stays inline, where the
//! writer styles it.

use hashbrown::HashMap;

use super::sheet_rows::{escape_into, RowSource};
use crate::outputs::looks_like_formula;

/// The shared texts, by number.
#[derive(Default)]
pub struct SharedStrings {
    texts: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl SharedStrings {
    /// Adds `text` unless it is there already, or needs a style (see the module).
    pub fn add(&mut self, text: &str) {
        let plain = !text.is_empty()
            && !looks_like_formula(text)
            && !text.bytes().any(|b| b < 0x20)
            && !text.starts_with(' ')
            && !text.ends_with(' ')
            && text.len() <= super::MAX_CELL_CHARS;
        if plain && !self.index.contains_key(text) {
            self.index.insert(text.into(), self.texts.len() as u32);
            self.texts.push(text.into());
        }
    }

    pub fn get(&self, text: &str) -> Option<u32> {
        self.index.get(text).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// `xl/sharedStrings.xml`. `count` is the number of cells naming them, which
    /// SpreadsheetML makes optional: left out, since the cells are written later.
    pub fn part(&self) -> Vec<u8> {
        let mut xml =
            Vec::with_capacity(64 + self.texts.iter().map(|t| t.len() + 16).sum::<usize>());
        xml.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" uniqueCount=\"");
        xml.extend_from_slice(self.texts.len().to_string().as_bytes());
        xml.extend_from_slice(b"\">");
        for text in &self.texts {
            xml.extend_from_slice(b"<si><t>");
            escape_into(&mut xml, text);
            xml.extend_from_slice(b"</t></si>");
        }
        xml.extend_from_slice(b"</sst>");
        xml
    }
}

/// The rows of `rows`, whose cells in the `shared` columns name a shared string when
/// the table holds their text.
pub struct SharedRows<'a, R, const N: usize> {
    pub rows: R,
    pub table: &'a SharedStrings,
    pub shared: [bool; N],
}

impl<R: RowSource, const N: usize> RowSource for SharedRows<'_, R, N> {
    fn row(&self, i: usize, cells: impl FnMut(&str)) {
        self.rows.row(i, cells);
    }

    fn shared(&self, column: usize, text: &str) -> Option<u32> {
        if *self.shared.get(column)? {
            self.table.get(text)
        } else {
            None
        }
    }
}

/// `[Content_Types].xml` with the shared strings' part declared.
pub fn with_content_type(xml: &str) -> String {
    const OVERRIDE: &str = "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>";
    insert_before(xml, "</Types>", OVERRIDE)
}

/// `xl/_rels/workbook.xml.rels` with a relationship to the shared strings, under an id
/// no other relationship has.
pub fn with_relationship(xml: &str) -> String {
    let next = xml
        .match_indices("Id=\"rId")
        .filter_map(|(at, m)| {
            let digits: String = xml[at + m.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<u32>().ok()
        })
        .max()
        .unwrap_or(0)
        + 1;
    let relationship = format!("<Relationship Id=\"rId{next}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>");
    insert_before(xml, "</Relationships>", &relationship)
}

fn insert_before(xml: &str, end: &str, what: &str) -> String {
    match xml.rfind(end) {
        Some(at) => format!("{}{what}{}", &xml[..at], &xml[at..]),
        None => xml.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_texts_are_shared_once_each() {
        let mut t = SharedStrings::default();
        for text in ["TCP", "TCP", "=1+1", "a\nb", " x", "", "a & b"] {
            t.add(text);
        }
        assert_eq!((t.get("TCP"), t.get("a & b")), (Some(0), Some(1)));
        assert_eq!(
            t.get("=1+1"),
            None,
            "a formula-like text keeps its quote style inline"
        );
        assert_eq!(t.get("a\nb"), None);
        let part = String::from_utf8(t.part()).unwrap();
        assert!(
            part.ends_with(r#"uniqueCount="2"><si><t>TCP</t></si><si><t>a &amp; b</t></si></sst>"#),
            "{part}"
        );
    }

    #[test]
    fn the_part_is_declared_and_related_under_a_new_id() {
        let rels = r#"<Relationships xmlns="x"><Relationship Id="rId1" Target="a"/><Relationship Id="rId12" Target="b"/></Relationships>"#;
        let got = with_relationship(rels);
        assert!(got.contains(r#"<Relationship Id="rId13" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#), "{got}");
        let types = with_content_type("<Types><Default/></Types>");
        assert!(types.ends_with("sharedStrings+xml\"/></Types>"), "{types}");
    }
}
