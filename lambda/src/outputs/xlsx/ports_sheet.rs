//! The Ports Protocols Services sheet: one line per service reachable on an asset,
//! under a headline with the counts.

use super::list_sheet::List;
use super::sheet_rows::{RowSource, Rows};
use crate::outputs::ports_table::{Ports, HEADERS};

const WIDTHS: [f64; 13] = [
    16.0, 14.0, 48.0, 22.0, 24.0, 12.0, 12.0, 26.0, 34.0, 40.0, 48.0, 28.0, 40.0,
];

pub(super) const NAME: &str = "Ports Protocols Services";

/// Lines `first..` of the table, rendered a piece at a time (see [`RowSource::rows`]).
pub(super) struct PortRows<'a> {
    pub ports: &'a Ports<'a>,
    pub first: usize,
}

impl RowSource for PortRows<'_> {
    fn row(&self, i: usize, mut cells: impl FnMut(&str)) {
        for text in self.ports.line(self.first + i) {
            cells(&text);
        }
    }

    fn rows(&self, from: usize, to: usize, out: &mut Rows<'_>) {
        let lines = self.ports.lines_from(self.first + from).take(to - from);
        for (i, line) in (from..to).zip(lines) {
            out.row(i, |cells| line.iter().for_each(|text| cells.push(text)));
        }
    }
}

/// The table under `headline`.
pub(super) fn list(headline: &str) -> List<'_, 13> {
    List {
        headline,
        columns: std::array::from_fn(|i| (HEADERS[i], WIDTHS[i])),
    }
}
