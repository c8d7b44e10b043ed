//! Read-only views of the gathered inventory: an asset with its rows, and one row.

use std::cmp::Ordering;
use std::net::IpAddr;

use super::*;

/// One asset of the inventory with all its rows (its addresses, in row order).
#[derive(Clone, Copy)]
pub struct AssetView<'a> {
    pub(super) inventory: &'a Inventory,
    pub(super) rows: &'a [Row],
}

impl<'a> AssetView<'a> {
    /// A cell of the asset; the address fields are in [`Self::addresses`].
    pub fn get(&self, field: Field) -> &'a str {
        self.first_row().get(field)
    }

    /// Its first row (its only one when it has no more than one address).
    pub fn first_row(&self) -> RowView<'a> {
        RowView::new(self.inventory, self.rows[0])
    }

    /// Its stored index (see [`Inventory::stored`]): what the network evidence names it by.
    pub fn index(&self) -> u32 {
        self.rows[0].asset
    }

    pub fn account(&self) -> &'a str {
        let pool = &self.inventory.pool;
        pool.get(self.inventory.assets[self.rows[0].asset as usize].account)
    }

    pub fn region(&self) -> &'a str {
        let pool = &self.inventory.pool;
        pool.get(self.inventory.assets[self.rows[0].asset as usize].region)
    }

    /// (IP, MAC) pairs in row order; none for an asset without addresses.
    pub fn addresses(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let pool = &self.inventory.pool;
        self.rows
            .iter()
            .filter(|r| r.ip != Sym(0))
            .map(move |r| (pool.get(r.ip), pool.get(r.mac)))
    }

    /// The asset's rows, as the per-row layouts list them.
    pub fn rows(&self) -> impl Iterator<Item = RowView<'a>> + 'a {
        let inventory = self.inventory;
        self.rows
            .iter()
            .map(move |row| RowView::new(inventory, *row))
    }
}

/// One row of the inventory.
#[derive(Clone, Copy)]
pub struct RowView<'a> {
    inventory: &'a Inventory,
    /// Found once: a writer reads every field of a row in turn.
    asset: &'a StoredAsset,
    row: Row,
}

impl<'a> RowView<'a> {
    pub(super) fn new(inventory: &'a Inventory, row: Row) -> Self {
        RowView {
            inventory,
            asset: &inventory.assets[row.asset as usize],
            row,
        }
    }

    pub fn get(&self, field: Field) -> &'a str {
        let sym = match field {
            Field::Ip => self.row.ip,
            Field::Mac => self.row.mac,
            _ => cell(&self.inventory.values, self.asset, field),
        };
        self.inventory.pool.get(sym)
    }

    /// Every cell, by `Field::index()`: a writer that reads all of them walks the
    /// asset's values once instead of finding each.
    pub fn texts(&self) -> [&'a str; FIELD_COUNT] {
        let mut cells = all_cells(&self.inventory.values, self.asset);
        cells[Field::Ip.index()] = self.row.ip;
        cells[Field::Mac.index()] = self.row.mac;
        let pool = &self.inventory.pool;
        cells.map(|sym| pool.get(sym))
    }
}

/// Addresses in numeric order (10.0.0.9 before 10.0.0.10), text otherwise; empty first.
pub(super) fn compare_ips(a: &str, b: &str) -> Ordering {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}
