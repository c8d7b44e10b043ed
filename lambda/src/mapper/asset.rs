//! What a mapper produces for one resource: its cells and its addresses.
//!
//! All text of one asset lives in a single buffer (cells are spans into it), so a
//! million items cost a million allocations, not fifteen million.

use crate::fields::{Field, FIELD_COUNT};

/// The longest value the inventory keeps, in characters (at most 256 KiB of UTF-8, so
/// it fits the inventory's string pool). Far above any real Config value; each output
/// applies its own limit on top (Excel's 32,767 characters in the workbook).
pub const MAX_VALUE_CHARS: usize = 65_536;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

/// One network address of an asset and the interface it belongs to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Address {
    ip: Span,
    mac: Span,
}

/// When an asset is the same thing as another asset already listed, and is left out
/// of the inventory for it (the Run Summary counts each rule). Decided once every item
/// is read, because the other asset may come later or not at all: nothing is folded
/// into an asset that is not listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fold {
    /// A network interface attached to this instance, whose rows carry its addresses.
    AttachedTo(String),
    /// A network interface another service manages (NAT gateway, load balancer):
    /// folded when every address it has is on another listed asset's rows.
    ManagedByService,
    /// An Elastic IP associated with this instance or interface: folded when that is
    /// listed or its address is on another listed asset's rows.
    AssociatedWith(Option<String>),
}

impl Fold {
    /// The reason, as the Run Summary states it.
    pub fn reason(&self) -> &'static str {
        match self {
            Fold::AttachedTo(_) => "network interface attached to a listed instance",
            Fold::ManagedByService => "network interface of a listed service (same addresses)",
            Fold::AssociatedWith(_) => "Elastic IP associated with a listed resource",
        }
    }
}

/// One resource as inventory cells. Each address becomes its own row (or all of them
/// one cell, by option); an asset without addresses is one row with the IP empty.
#[derive(Clone, Debug, Default)]
pub struct Asset {
    text: String,
    cells: [Span; FIELD_COUNT],
    account: Span,
    region: Span,
    addresses: Vec<Address>,
    /// Set when this asset may repeat another one (see [`Fold`]).
    pub fold: Option<Fold>,
    /// Problems met while mapping, phrased for a person reading the Run Summary.
    pub warnings: Vec<String>,
}

impl Asset {
    /// Sets a cell; surrounding white space is dropped and empty text leaves it empty.
    pub fn set(&mut self, field: Field, value: &str) {
        let span = self.push_text(field.label(), value);
        self.cells[field.index()] = span;
    }

    /// Sets a cell only when the value is present.
    pub fn set_opt(&mut self, field: Field, value: Option<&str>) {
        if let Some(v) = value {
            self.set(field, v);
        }
    }

    pub fn get(&self, field: Field) -> &str {
        self.span_text(self.cells[field.index()])
    }

    pub fn set_account(&mut self, account: &str) {
        self.account = self.push_text("account", account);
    }

    pub fn set_region(&mut self, region: &str) {
        self.region = self.push_text("region", region);
    }

    pub fn account(&self) -> &str {
        self.span_text(self.account)
    }

    pub fn region(&self) -> &str {
        self.span_text(self.region)
    }

    /// Adds an address unless this asset already has it (a public IP can appear both on
    /// the interface and on its private address's association).
    pub fn add_address(&mut self, ip: &str, mac: Option<&str>) {
        let ip = ip.trim();
        if ip.is_empty() || self.addresses().any(|(known, _)| known == ip) {
            return;
        }
        let ip = self.push_text("IP address", ip);
        let mac = self.push_text("MAC address", mac.unwrap_or(""));
        self.addresses.push(Address { ip, mac });
    }

    pub fn clear_addresses(&mut self) {
        self.addresses.clear();
    }

    /// The addresses as (IP, MAC) pairs, in the order they were found.
    pub fn addresses(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.addresses
            .iter()
            .map(|a| (self.span_text(a.ip), self.span_text(a.mac)))
    }

    fn span_text(&self, span: Span) -> &str {
        &self.text[span.start as usize..(span.start + span.len) as usize]
    }

    fn push_text(&mut self, what: &str, value: &str) -> Span {
        let mut value = value.trim();
        if value.is_empty() {
            return Span::default();
        }
        if value.len() > MAX_VALUE_CHARS {
            let chars = value.chars().count();
            if chars > MAX_VALUE_CHARS {
                let cut = value
                    .char_indices()
                    .nth(MAX_VALUE_CHARS)
                    .map_or(value.len(), |(i, _)| i);
                value = &value[..cut];
                self.warnings.push(format!(
                    "{what} cut from {chars} to {MAX_VALUE_CHARS} characters (the most the inventory keeps)"
                ));
            }
        }
        let start = self.text.len();
        self.text.push_str(value);
        Span {
            start: start as u32,
            len: value.len() as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_addresses_round_trip() {
        let mut a = Asset::default();
        a.set(Field::AssetId, " i-1 ");
        a.set(Field::Dns, "");
        a.add_address("10.0.0.1", Some("aa"));
        a.add_address("10.0.0.1", Some("bb"));
        a.add_address("3.3.3.3", None);
        assert_eq!(a.get(Field::AssetId), "i-1");
        assert_eq!(a.get(Field::Dns), "");
        assert_eq!(
            a.addresses().collect::<Vec<_>>(),
            vec![("10.0.0.1", "aa"), ("3.3.3.3", "")]
        );
    }

    #[test]
    fn overlong_text_is_cut_with_a_warning() {
        let mut a = Asset::default();
        a.set(Field::Comments, &"é".repeat(MAX_VALUE_CHARS + 5));
        assert_eq!(a.get(Field::Comments).chars().count(), MAX_VALUE_CHARS);
        assert_eq!(a.warnings.len(), 1);
    }
}
