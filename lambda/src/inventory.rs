//! The rows of the inventory, kept compact, de-duplicated and put in a stable order.
//!
//! The workbook lists rows sorted by account, region, asset type, identifier and IP so
//! that two runs over the same estate give the same file. Sorting means holding every
//! row before the first is written, so rows are stored as small integer handles into
//! one string pool: the values that repeat (account, region, VPC, type, owner, "Yes")
//! are stored once, and a row costs 12 bytes plus its asset's share.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;
use std::net::IpAddr;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::fields::{Field, FIELD_COUNT};
use crate::mapper::Asset;

/// A handle to a pooled string; `Sym(0)` is the empty string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Sym(u32);

/// Every distinct string once, in one growing buffer.
struct StringPool {
    text: String,
    /// Per symbol: start (upper 40 bits) and byte length (lower 24 bits) in `text`.
    spans: Vec<u64>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

const LEN_BITS: u32 = 24;

impl StringPool {
    fn new() -> Self {
        StringPool {
            text: String::new(),
            spans: vec![0],
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }

    fn get(&self, sym: Sym) -> &str {
        span_text(&self.text, self.spans[sym.0 as usize])
    }

    fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym(0);
        }
        let hash = self.hasher.hash_one(s);
        let Self {
            text,
            spans,
            index,
            hasher,
        } = self;
        let lookup = |id: &u32| span_text(text, spans[*id as usize]) == s;
        if let Some(id) = index.find(hash, lookup) {
            return Sym(*id);
        }
        // Cells are cut to Excel's 32,767 characters before they get here, so the
        // length always fits; the id space (4 billion strings) is far beyond memory.
        let id = spans.len() as u32;
        spans.push(((text.len() as u64) << LEN_BITS) | s.len() as u64);
        text.push_str(s);
        let (text_ref, spans_ref) = (&*text, &*spans);
        index.insert_unique(hash, id, |id| {
            hasher.hash_one(span_text(text_ref, spans_ref[*id as usize]))
        });
        Sym(id)
    }
}

/// The text of a packed span.
fn span_text(text: &str, span: u64) -> &str {
    let start = (span >> LEN_BITS) as usize;
    let len = (span & ((1 << LEN_BITS) - 1)) as usize;
    &text[start..start + len]
}

struct StoredAsset {
    cells: [Sym; FIELD_COUNT],
    account: Sym,
    region: Sym,
}

#[derive(Clone, Copy)]
struct Row {
    asset: u32,
    ip: Sym,
    mac: Sym,
}

/// How several addresses of one asset are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IpCell {
    /// One row per address, as the template asks by default.
    #[default]
    PerRow,
    /// One row per asset, the addresses in one cell separated by line breaks.
    Joined,
}

/// Rows per account, region and asset type, for the Run Summary.
pub type RowCounts = BTreeMap<(String, String, String), u64>;

/// The inventory being gathered.
pub struct Inventory {
    pool: StringPool,
    assets: Vec<StoredAsset>,
    rows: Vec<Row>,
    seen: HashSet<[Sym; 4]>,
    duplicates: u64,
}

impl Default for Inventory {
    fn default() -> Self {
        Self::new()
    }
}

impl Inventory {
    pub fn new() -> Self {
        Inventory {
            pool: StringPool::new(),
            assets: Vec::new(),
            rows: Vec::new(),
            seen: HashSet::new(),
            duplicates: 0,
        }
    }

    /// Adds an asset's rows. Returns false, adding nothing, when the same resource
    /// (account, region, type, identifier) was already added: overlapping inputs must
    /// not list a resource twice.
    pub fn add(&mut self, asset: &Asset) -> bool {
        let account = self.pool.intern(asset.account());
        let region = self.pool.intern(asset.region());
        let mut cells = [Sym(0); FIELD_COUNT];
        for field in Field::ALL {
            if field != Field::Ip && field != Field::Mac {
                cells[field.index()] = self.pool.intern(asset.get(field));
            }
        }
        let id = cells[Field::AssetId.index()];
        if id != Sym(0)
            && !self
                .seen
                .insert([account, region, cells[Field::AssetType.index()], id])
        {
            self.duplicates += 1;
            return false;
        }
        let index = self.assets.len() as u32;
        self.assets.push(StoredAsset {
            cells,
            account,
            region,
        });
        for (ip, mac) in asset.addresses() {
            let row = Row {
                asset: index,
                ip: self.pool.intern(ip),
                mac: self.pool.intern(mac),
            };
            self.rows.push(row);
        }
        if self.rows.last().is_none_or(|r| r.asset != index) {
            self.rows.push(Row {
                asset: index,
                ip: Sym(0),
                mac: Sym(0),
            });
        }
        true
    }

    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    pub fn asset_count(&self) -> usize {
        self.assets.len()
    }

    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Puts the rows in their final order: account, region, asset type, identifier,
    /// then IP (numerically where both are addresses). Ties keep input order.
    pub fn sort(&mut self) {
        let pool = &self.pool;
        let assets = &self.assets;
        let mut order: Vec<u32> = (0..assets.len() as u32).collect();
        let key = |a: &StoredAsset| {
            [
                a.account,
                a.region,
                a.cells[Field::AssetType.index()],
                a.cells[Field::AssetId.index()],
            ]
        };
        order.sort_by(|&x, &y| {
            let (kx, ky) = (key(&assets[x as usize]), key(&assets[y as usize]));
            kx.iter()
                .zip(ky.iter())
                .map(|(a, b)| {
                    if a == b {
                        Ordering::Equal
                    } else {
                        pool.get(*a).cmp(pool.get(*b))
                    }
                })
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
        let mut rank = vec![0u32; assets.len()];
        for (r, &a) in order.iter().enumerate() {
            rank[a as usize] = r as u32;
        }
        self.rows.sort_by(|x, y| {
            rank[x.asset as usize]
                .cmp(&rank[y.asset as usize])
                .then_with(|| compare_ips(pool.get(x.ip), pool.get(y.ip)))
        });
    }

    /// The rows in their current order, each a lookup from field to text.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = RowView<'_>> + '_ {
        self.rows.iter().map(move |row| RowView {
            inventory: self,
            row: *row,
        })
    }

    /// Rows per account, region and asset type.
    pub fn row_counts(&self) -> RowCounts {
        let mut by_sym: std::collections::HashMap<[Sym; 3], u64> = std::collections::HashMap::new();
        for row in &self.rows {
            let a = &self.assets[row.asset as usize];
            *by_sym
                .entry([a.account, a.region, a.cells[Field::AssetType.index()]])
                .or_default() += 1;
        }
        let text = |s: Sym| self.pool.get(s).to_string();
        by_sym
            .into_iter()
            .map(|([account, region, kind], n)| ((text(account), text(region), text(kind)), n))
            .collect()
    }
}

/// One row of the inventory.
#[derive(Clone, Copy)]
pub struct RowView<'a> {
    inventory: &'a Inventory,
    row: Row,
}

impl<'a> RowView<'a> {
    pub fn get(&self, field: Field) -> &'a str {
        let pool = &self.inventory.pool;
        match field {
            Field::Ip => pool.get(self.row.ip),
            Field::Mac => pool.get(self.row.mac),
            _ => pool.get(self.inventory.assets[self.row.asset as usize].cells[field.index()]),
        }
    }
}

/// Addresses in numeric order (10.0.0.9 before 10.0.0.10), text otherwise; empty first.
fn compare_ips(a: &str, b: &str) -> Ordering {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(account: &str, region: &str, kind: &str, id: &str, ips: &[&str]) -> Asset {
        let mut a = Asset::default();
        a.set_account(account);
        a.set_region(region);
        a.set(Field::AssetType, kind);
        a.set(Field::AssetId, id);
        a.set(Field::Virtual, "Yes");
        for ip in ips {
            a.add_address(ip, Some("mac"));
        }
        a
    }

    fn listing(inv: &Inventory) -> Vec<String> {
        inv.rows()
            .map(|r| {
                format!(
                    "{}|{}|{}",
                    r.get(Field::AssetId),
                    r.get(Field::Ip),
                    r.get(Field::Mac)
                )
            })
            .collect()
    }

    #[test]
    fn rows_sort_by_account_region_type_id_and_ip() {
        let mut inv = Inventory::new();
        inv.add(&asset(
            "2",
            "east",
            "EC2",
            "i-b",
            &["10.0.0.10", "10.0.0.9"],
        ));
        inv.add(&asset("1", "west", "EC2", "i-a", &[]));
        inv.add(&asset("1", "east", "RDS", "arn:r", &[]));
        inv.add(&asset("1", "east", "EC2", "i-z", &["3.3.3.3"]));
        inv.sort();
        assert_eq!(
            listing(&inv),
            vec![
                "i-z|3.3.3.3|mac",
                "arn:r||",
                "i-a||",
                "i-b|10.0.0.9|mac",
                "i-b|10.0.0.10|mac"
            ]
        );
        assert_eq!(
            inv.row_counts()
                .get(&("2".into(), "east".into(), "EC2".into())),
            Some(&2)
        );
    }

    #[test]
    fn the_same_resource_twice_is_listed_once() {
        let mut inv = Inventory::new();
        assert!(inv.add(&asset("1", "east", "EC2", "i-a", &["10.0.0.1"])));
        assert!(!inv.add(&asset("1", "east", "EC2", "i-a", &["10.0.0.1"])));
        assert!(inv.add(&asset("2", "east", "EC2", "i-a", &["10.0.0.1"])));
        assert_eq!(inv.duplicates(), 1);
        assert_eq!(inv.row_count(), 2);
    }

    #[test]
    fn pool_interns_once() {
        let mut pool = StringPool::new();
        let a = pool.intern("x");
        let b = pool.intern("y");
        assert_eq!(pool.intern("x"), a);
        assert_ne!(a, b);
        assert_eq!(pool.get(b), "y");
        assert_eq!(pool.intern(""), Sym(0));
    }
}
