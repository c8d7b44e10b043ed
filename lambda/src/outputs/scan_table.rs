//! The Scan Coverage lists as lines of a table: what the workbook's Scan Coverage sheet
//! and `STEM.scan-coverage.csv` both write. Pure: no file, no format.

use crate::scan::{Gap, ScanReport};

/// The lists' columns.
pub const HEADERS: [&str; 7] = [
    "Gap",
    "Account",
    "Region",
    "Type",
    "Identifier",
    "Amazon Inspector says",
    "Last scanned (UTC)",
];

/// (a) An inventory asset of a scanned kind not scanned inside the window.
pub const NOT_SCANNED: &str = "inventory asset not scanned";
/// (b) A resource Inspector covers that the inventory does not hold.
pub const NOT_IN_INVENTORY: &str = "scanned resource not in the inventory";

/// (c) An asset of a scanned kind where Inspector's coverage was not read.
pub const NOT_CHECKED: &str = "not checked (no coverage read there)";

/// The headline above the lists: the counts and the window.
pub fn headline(report: &ScanReport) -> String {
    format!(
        "{} of {} scannable assets scanned in the {} days since {}; {} not scanned; {} scanned resources not in the inventory; {} not checked",
        report.scanned,
        report.assets,
        report.period_days,
        report.window_start,
        report.not_scanned.len(),
        report.not_in_inventory.len(),
        report.unchecked.len()
    )
}

/// List (a), then (b), then (c), each in account, region, type and identifier order,
/// as they are written.
pub fn lines(report: &ScanReport) -> impl Iterator<Item = [&str; 7]> + '_ {
    (0..line_count(report)).map(|i| line(report, i))
}

/// Line `i` of [`lines`] (less than [`line_count`]).
pub fn line(report: &ScanReport, i: usize) -> [&str; 7] {
    let (a, b) = (report.not_scanned.len(), report.not_in_inventory.len());
    let (name, g): (_, &Gap) = match i {
        i if i < a => (NOT_SCANNED, &report.not_scanned[i]),
        i if i < a + b => (NOT_IN_INVENTORY, &report.not_in_inventory[i - a]),
        i => (NOT_CHECKED, &report.unchecked[i - a - b]),
    };
    [
        name,
        g.account.as_str(),
        g.region.as_str(),
        g.kind.as_str(),
        g.id.as_str(),
        g.reason.as_str(),
        g.last_scanned.as_str(),
    ]
}

/// How many lines [`lines`] gives.
pub fn line_count(report: &ScanReport) -> usize {
    report.not_scanned.len() + report.not_in_inventory.len() + report.unchecked.len()
}
