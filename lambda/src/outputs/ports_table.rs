//! The ports, protocols and services as lines of a table: what the workbook's Ports
//! Protocols Services sheet and `STEM.ports.csv` both write. Pure: no file, no format.

use crate::network::Evidence;

/// The table's columns.
pub const HEADERS: [&str; 12] = [
    "Account",
    "Region",
    "Unique Asset Identifier",
    "Asset Type",
    "Diagram Label",
    "Port",
    "Transport Protocol",
    "Service Name",
    "Encryption",
    "Purpose",
    "Sources Permitted",
    "Security Groups",
];

/// The headline above the table: the counts, and what could not be judged.
pub fn headline(evidence: &Evidence) -> String {
    format!(
        "{} ports, protocols and services on {} assets; {} security groups attached to nothing; {} attached but not read",
        evidence.ports.len(),
        evidence.attached_assets,
        evidence.unattached_groups.len(),
        evidence.groups_not_read.len()
    )
}

/// Line `i` (less than `evidence.ports.len()`), in account, region, asset, transport
/// and port order.
pub fn line(evidence: &Evidence, i: usize) -> [&str; 12] {
    let e = &evidence.ports[i];
    [
        &e.account,
        &e.region,
        &e.asset_id,
        &e.asset_type,
        &e.label,
        &e.port,
        &e.transport,
        &e.service,
        &e.encryption,
        &e.purpose,
        &e.sources,
        &e.groups,
    ]
}

pub fn lines(evidence: &Evidence) -> impl Iterator<Item = [&str; 12]> + '_ {
    (0..evidence.ports.len()).map(|i| line(evidence, i))
}
