//! The Ports Protocols Services sheet: one line per service reachable on an asset,
//! under a headline with the counts.

use super::list_sheet::List;
use crate::outputs::ports_table::HEADERS;

const WIDTHS: [f64; 13] = [
    16.0, 14.0, 48.0, 22.0, 24.0, 12.0, 12.0, 26.0, 34.0, 40.0, 48.0, 28.0, 40.0,
];

pub(super) const NAME: &str = "Ports Protocols Services";

/// The table under `headline`.
pub(super) fn list(headline: &str) -> List<'_, 13> {
    List {
        headline,
        columns: std::array::from_fn(|i| (HEADERS[i], WIDTHS[i])),
    }
}
