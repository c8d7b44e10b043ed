//! The Inventory sheet's rows, shared by the workbook and the CSV so both list exactly
//! the same rows: one per address, or (`--ip-cell joined`) one per asset with its
//! addresses on separate lines of one cell, as the template allows.

use std::borrow::Cow;
use std::str::FromStr;

use crate::fields::{Field, FIELD_COUNT};
use crate::inventory::{AssetView, Inventory, RowView};

/// How several addresses of one asset are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum IpCell {
    /// One row per address, as the template asks by default.
    #[default]
    PerRow,
    /// One row per asset, the addresses in one cell separated by line breaks.
    Joined,
}

impl IpCell {
    pub fn name(self) -> &'static str {
        match self {
            IpCell::PerRow => "per-row",
            IpCell::Joined => "joined",
        }
    }
}

impl FromStr for IpCell {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [IpCell::PerRow, IpCell::Joined]
            .into_iter()
            .find(|v| v.name() == s.trim())
            .ok_or_else(|| format!("expected per-row or joined, found {s:?}"))
    }
}

crate::settings::deserialize_from_str!(IpCell);

/// One row of the Inventory sheet.
pub(crate) enum TableRow<'a> {
    Row(RowView<'a>),
    Joined {
        asset: AssetView<'a>,
        ips: String,
        macs: String,
    },
}

impl<'a> TableRow<'a> {
    /// Every cell, by `Field::index()`.
    pub fn texts(&self) -> [&str; FIELD_COUNT] {
        match self {
            TableRow::Row(row) => row.texts(),
            TableRow::Joined { asset, ips, macs } => {
                let mut texts = asset.first_row().texts();
                texts[Field::Ip.index()] = ips;
                texts[Field::Mac.index()] = macs;
                texts
            }
        }
    }

    pub fn cell(&self, field: Field) -> Cow<'_, str> {
        match self {
            TableRow::Row(row) => Cow::Borrowed(row.get(field)),
            TableRow::Joined { asset, ips, macs } => match field {
                Field::Ip => Cow::Borrowed(ips.as_str()),
                Field::Mac => Cow::Borrowed(macs.as_str()),
                other => Cow::Borrowed(asset.get(other)),
            },
        }
    }
}

/// How many rows [`rows`] gives, without building them.
pub(crate) fn row_count(inventory: &Inventory, ip_cell: IpCell) -> u64 {
    match ip_cell {
        IpCell::PerRow => inventory.row_count() as u64,
        IpCell::Joined => inventory.asset_count() as u64,
    }
}

/// The rows in inventory order.
pub(crate) fn rows(
    inventory: &Inventory,
    ip_cell: IpCell,
) -> Box<dyn Iterator<Item = TableRow<'_>> + '_> {
    match ip_cell {
        IpCell::PerRow => Box::new(inventory.rows().map(TableRow::Row)),
        IpCell::Joined => Box::new(inventory.assets().map(joined)),
    }
}

/// The rows by position, so a writer can render ranges of them on several threads.
pub(crate) struct Table<'a> {
    inventory: &'a Inventory,
    /// Where each asset's rows begin, and where the last ends (joined rows only).
    asset_starts: Option<Vec<u32>>,
}

impl<'a> Table<'a> {
    pub fn new(inventory: &'a Inventory, ip_cell: IpCell) -> Self {
        let asset_starts = (ip_cell == IpCell::Joined).then(|| {
            let mut starts = inventory.asset_starts();
            starts.push(inventory.row_count() as u32);
            starts
        });
        Table {
            inventory,
            asset_starts,
        }
    }

    pub fn row(&self, i: usize) -> TableRow<'a> {
        match &self.asset_starts {
            None => TableRow::Row(self.inventory.row(i)),
            Some(starts) => joined(
                self.inventory
                    .asset_at(starts[i] as usize, starts[i + 1] as usize),
            ),
        }
    }
}

/// One row per asset: its addresses, and its distinct MACs, one per line.
fn joined(asset: AssetView<'_>) -> TableRow<'_> {
    let mut ips: Vec<&str> = Vec::new();
    let mut macs: Vec<&str> = Vec::new();
    for (ip, mac) in asset.addresses() {
        ips.push(ip);
        if !mac.is_empty() && !macs.contains(&mac) {
            macs.push(mac);
        }
    }
    TableRow::Joined {
        asset,
        ips: ips.join("\n"),
        macs: macs.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::Asset;

    #[test]
    fn joined_rows_put_addresses_and_distinct_macs_in_one_cell() {
        let mut inv = Inventory::new();
        let mut a = Asset::default();
        a.set(Field::AssetId, "i-1");
        a.add_address("10.0.0.10", Some("aa"));
        a.add_address("10.0.0.9", Some("aa"));
        a.add_address("3.3.3.3", Some("bb"));
        inv.add(&a, 0);
        let mut b = Asset::default();
        b.set(Field::AssetId, "i-2");
        inv.add(&b, 0);
        inv.finish();
        let got: Vec<(String, String, String)> = rows(&inv, IpCell::Joined)
            .map(|r| {
                (
                    r.cell(Field::AssetId).into_owned(),
                    r.cell(Field::Ip).into_owned(),
                    r.cell(Field::Mac).into_owned(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "i-1".into(),
                    "3.3.3.3\n10.0.0.9\n10.0.0.10".into(),
                    "bb\naa".into()
                ),
                ("i-2".into(), String::new(), String::new()),
            ]
        );
        assert_eq!(row_count(&inv, IpCell::Joined), 2);
        assert_eq!(rows(&inv, IpCell::PerRow).count(), 4);
        let table = Table::new(&inv, IpCell::Joined);
        assert_eq!(table.row(1).cell(Field::AssetId), "i-2");
        assert_eq!(table.row(0).cell(Field::Mac), "bb\naa");
        assert_eq!(
            Table::new(&inv, IpCell::PerRow).row(3).cell(Field::AssetId),
            "i-2"
        );
        assert_eq!(row_count(&inv, IpCell::PerRow), 4);
        // All cells at once read as each one alone.
        for ip_cell in [IpCell::PerRow, IpCell::Joined] {
            for row in rows(&inv, ip_cell) {
                let texts = row.texts();
                for field in Field::ALL {
                    assert_eq!(texts[field.index()], row.cell(field), "{field:?}");
                }
            }
        }
    }
}
