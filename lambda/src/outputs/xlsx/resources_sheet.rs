//! The Information Resources sheet (`scope: all`): every resource AWS Config records
//! outside the inventory's rows, one line each, under a headline with the counts.

use super::list_sheet::List;
use crate::inventory::resources::COLUMNS;
use crate::inventory::Resources;

const WIDTHS: [f64; 9] = [16.0, 14.0, 40.0, 40.0, 60.0, 32.0, 28.0, 28.0, 26.0];

pub(super) const NAME: &str = "Information Resources";

/// The table under `headline`.
pub(super) fn list(headline: &str) -> List<'_, 9> {
    List {
        headline,
        columns: std::array::from_fn(|i| (COLUMNS[i], WIDTHS[i])),
    }
}

/// What the sheet says above its lines.
pub(super) fn headline(resources: &Resources) -> String {
    let types = resources.per_type().len();
    format!(
        "{} information resources of {types} AWS Config types besides the inventory's rows (scope: all), with the envelope Config records for every type",
        resources.len()
    )
}
