//! The Scan Coverage sheet: both gaps between the inventory and Amazon Inspector's
//! scans, under a headline with the counts and the window.

use super::list_sheet::List;
use crate::outputs::scan_table::HEADERS;

const WIDTHS: [f64; 7] = [30.0, 16.0, 16.0, 26.0, 60.0, 48.0, 22.0];

pub(super) const NAME: &str = "Scan Coverage";

/// The list under `headline`.
pub(super) fn list(headline: &str) -> List<'_, 7> {
    List {
        headline,
        columns: std::array::from_fn(|i| (HEADERS[i], WIDTHS[i])),
    }
}
