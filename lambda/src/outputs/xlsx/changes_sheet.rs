//! The Changes sheet: what changed since the last run, one line per added or removed
//! asset and per changed column.

use super::list_sheet::List;
use crate::outputs::changes_table::HEADERS;

const WIDTHS: [f64; 8] = [12.0, 16.0, 14.0, 24.0, 48.0, 28.0, 40.0, 40.0];

pub(super) const NAME: &str = "Changes";

/// The list under `headline`.
pub(super) fn list(headline: &str) -> List<'_, 8> {
    List {
        headline,
        columns: std::array::from_fn(|i| (HEADERS[i], WIDTHS[i])),
    }
}
