//! What a mapper produces for one resource: its cells and its addresses.
//!
//! All text of one asset lives in a single buffer (cells are spans into it), so a
//! million items cost a million allocations, not fifteen million.

use crate::fields::{Field, FIELD_COUNT};

/// Excel's limit for the text of one cell, in characters.
pub const MAX_CELL_CHARS: usize = 32_767;

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

/// One resource as inventory cells. Each address becomes its own row (or all of them
/// one cell, by option); an asset without addresses is one row with the IP empty.
#[derive(Clone, Debug, Default)]
pub struct Asset {
    text: String,
    cells: [Span; FIELD_COUNT],
    account: Span,
    region: Span,
    addresses: Vec<Address>,
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

    /// Puts all addresses into one, IPs and distinct MACs each on their own line: the
    /// template's alternative to one row per address. Done here, not when writing, so
    /// a list longer than a cell holds is cut with a warning like any other value.
    pub fn join_addresses(&mut self) {
        if self.addresses.len() < 2 {
            return;
        }
        let ips: Vec<&str> = self.addresses().map(|(ip, _)| ip).collect();
        let mut macs: Vec<&str> = Vec::new();
        for (_, mac) in self.addresses() {
            if !mac.is_empty() && !macs.contains(&mac) {
                macs.push(mac);
            }
        }
        let (ips, macs) = (ips.join("\n"), macs.join("\n"));
        let ip = self.push_text("IP addresses", &ips);
        let mac = self.push_text("MAC addresses", &macs);
        self.addresses = vec![Address { ip, mac }];
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
        if value.len() > MAX_CELL_CHARS {
            let chars = value.chars().count();
            if chars > MAX_CELL_CHARS {
                let cut = value
                    .char_indices()
                    .nth(MAX_CELL_CHARS)
                    .map_or(value.len(), |(i, _)| i);
                value = &value[..cut];
                self.warnings.push(format!(
                    "{what} cut from {chars} to {MAX_CELL_CHARS} characters (the most an Excel cell holds)"
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
    fn joined_addresses_are_one() {
        let mut a = Asset::default();
        a.add_address("10.0.0.1", Some("aa"));
        a.add_address("10.0.0.2", Some("aa"));
        a.add_address("10.0.0.3", Some("bb"));
        a.join_addresses();
        assert_eq!(
            a.addresses().collect::<Vec<_>>(),
            vec![("10.0.0.1\n10.0.0.2\n10.0.0.3", "aa\nbb")]
        );
    }

    #[test]
    fn overlong_text_is_cut_with_a_warning() {
        let mut a = Asset::default();
        a.set(Field::Comments, &"é".repeat(MAX_CELL_CHARS + 5));
        assert_eq!(a.get(Field::Comments).chars().count(), MAX_CELL_CHARS);
        assert_eq!(a.warnings.len(), 1);
    }
}
