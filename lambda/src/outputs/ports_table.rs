//! The ports, protocols and services as lines of a table: what the workbook's Ports
//! Protocols Services sheet and `STEM.ports.csv` both write. Pure: no file, no format.

use std::borrow::Cow;

use crate::inventory::Inventory;
use crate::network::{Evidence, PortLine};

/// The table's columns.
pub const HEADERS: [&str; 13] = [
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
    "KSI-CNA-RNT",
];

/// The headline above the table: the counts, and what could not be judged.
pub fn headline(evidence: &Evidence) -> String {
    format!(
        "{} ports, protocols and services on {} assets; KSI-CNA-RNT: {} open to the internet on a port other than 80/443, {} to all traffic from the internet; {} security groups attached to nothing; {} attached but not read",
        evidence.len(),
        evidence.attached_assets,
        evidence.internet_other_ports,
        evidence.internet_all_traffic,
        evidence.unattached_groups.len(),
        evidence.groups_not_read.len()
    )
}

/// The entries with the inventory that names their assets.
#[derive(Clone, Copy)]
pub struct Ports<'a> {
    pub evidence: &'a Evidence,
    pub inventory: &'a Inventory,
}

impl<'a> Ports<'a> {
    pub fn new(evidence: &'a Evidence, inventory: &'a Inventory) -> Self {
        Ports {
            evidence,
            inventory,
        }
    }

    /// Line `i` (less than the evidence's `len()`), in account, region, asset,
    /// transport and port order.
    pub fn line(&self, i: usize) -> [Cow<'a, str>; 13] {
        cells(self.evidence.line(i, self.inventory))
    }

    pub fn lines(&self) -> impl Iterator<Item = [Cow<'a, str>; 13]> + 'a {
        self.evidence.lines(self.inventory).map(cells)
    }

    /// Lines `from..`, in order (cheaper a line than [`Self::line`]).
    pub fn lines_from(&self, from: usize) -> impl Iterator<Item = [Cow<'a, str>; 13]> + 'a {
        self.evidence.lines_from(from, self.inventory).map(cells)
    }

    /// At most how long a cell of a line is, in bytes: a text kept, or words around an
    /// asset's identifier, type and label (the Service Name and Purpose).
    pub fn longest_cell(&self) -> usize {
        let value = self.inventory.longest_value();
        self.evidence.longest_text.max(3 * value + 64)
    }
}

fn cells(l: PortLine<'_>) -> [Cow<'_, str>; 13] {
    [
        l.account.into(),
        l.region.into(),
        l.asset_id.into(),
        l.asset_type.into(),
        l.label.into(),
        l.port.into(),
        l.transport,
        l.service,
        l.encryption,
        l.purpose,
        l.sources.into(),
        l.groups.into(),
        l.exposure.describe().into(),
    ]
}
