//! The rows of the inventory, kept compact, de-duplicated and put in a stable order.
//!
//! The workbook lists rows sorted by account, region, asset type, identifier and IP so
//! that two runs over the same estate give the same file. Sorting means holding every
//! row before the first is written, so rows are small integer handles into one string
//! pool: the values that repeat (account, region, VPC, type, owner, "Yes") are stored
//! once, values that never repeat (identifiers, addresses, DNS names) are stored without
//! an index entry, and a row costs 12 bytes plus its asset's share.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::fields::{Field, FIELD_COUNT};
use crate::mapper::{Asset, Fold, HostFacts};

mod fold;
mod pool;
pub mod resources;
#[cfg(test)]
mod tests;
mod views;

use fold::fold_repeats;
use pool::{StringPool, Sym};
pub use resources::{Resource, Resources};
use views::compare_ips;
pub use views::{AssetView, RowView};

/// See [`Inventory::stored_identity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StoredIdentity<'a>(Sym, Sym, Sym, &'a str);

/// An asset's cells, sparse: most of a row's 25 cells are empty, and at a million
/// assets the full array was a third of the inventory's memory.
struct StoredAsset {
    /// Which fields have a value (bit `Field::index()`).
    present: u32,
    /// Where its values begin in [`Inventory::values`], in field order.
    first: u32,
    account: Sym,
    region: Sym,
    /// The Config type it came from (index into the mapper registry).
    kind: u16,
}

#[derive(Clone, Copy)]
struct Row {
    asset: u32,
    ip: Sym,
    mac: Sym,
}

/// Rows per account, region and asset type, for the Run Summary.
pub type RowCounts = BTreeMap<(String, String, String), u64>;

/// The inventory being gathered.
pub struct Inventory {
    pool: StringPool,
    assets: Vec<StoredAsset>,
    /// The assets' non-empty cells, each asset's together ([`StoredAsset::first`]).
    values: Vec<Sym>,
    rows: Vec<Row>,
    /// The few assets that may repeat another (network interfaces, Elastic IPs).
    folds: Vec<(u32, Fold)>,
    /// Assets left out, by reason (the Run Summary lists them).
    folded: BTreeMap<String, u64>,
    /// The stored indices of the assets [`Self::finish`] left out, in order.
    left_out: Vec<u32>,
    /// Every other resource Config records (`scope: all`), listed apart from the rows.
    resources: Resources,
}

/// The identity of an asset: two assets with the same account, region, Asset Type
/// and identifier are one resource, however many times or under however many Config
/// types it was read (a search domain is both an Elasticsearch and an OpenSearch item).
/// Its rows are then told apart by address (each asset's addresses are distinct), and
/// a software row carries its package in its identifier (`i-1/openssl`).
type Identity = [Sym; 4];

/// Why an asset whose identity was met before is left out.
const READ_TWICE: &str = "same resource read twice (overlapping inputs)";
const TWO_TYPES: &str = "same resource recorded under two Config types";

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
            values: Vec::new(),
            rows: Vec::new(),
            folds: Vec::new(),
            folded: BTreeMap::new(),
            left_out: Vec::new(),
            resources: Resources::default(),
        }
    }

    /// Lists an information resource of a type without a mapper (`scope: all`).
    pub fn add_resource(&mut self, resource: &Resource) {
        self.resources.add(resource);
    }

    /// The information resources, in order once [`Self::finish`] has run.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// Adds an asset's rows; `kind` is the Config type it came from. The same resource
    /// met twice is dropped by [`Self::finish`]. Its stored index (see [`Self::stored`]).
    pub fn add(&mut self, asset: &Asset, kind: u16) -> u32 {
        let account = self.pool.intern(asset.account());
        let region = self.pool.intern(asset.region());
        let mut cells = [Sym(0); FIELD_COUNT];
        for field in Field::ALL {
            cells[field.index()] = match field {
                Field::Ip | Field::Mac => continue,
                Field::AssetId | Field::Dns => self.pool.store(asset.get(field)),
                _ => self.pool.intern(asset.get(field)),
            };
        }
        let index = self.assets.len() as u32;
        if let Some(fold) = &asset.fold {
            self.folds.push((index, fold.clone()));
        }
        let (present, first) = self.push_cells(&cells);
        self.assets.push(StoredAsset {
            present,
            first,
            account,
            region,
            kind,
        });
        // An asset's rows are listed by address, numerically where both are IPs.
        let mut addresses: Vec<(&str, &str)> = asset.addresses().collect();
        addresses.sort_by(|x, y| compare_ips(x.0, y.0));
        for (ip, mac) in addresses {
            let row = Row {
                asset: index,
                ip: self.pool.store(ip),
                mac: self.pool.store(mac),
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
        index
    }

    /// Whether a stored asset is listed: after [`Self::finish`], false for one it left
    /// out (a repeat, a folded interface or Elastic IP).
    pub fn is_listed(&self, index: u32) -> bool {
        self.left_out.binary_search(&index).is_err()
    }

    /// Appends the non-empty `cells` to [`Self::values`]: (present, first).
    fn push_cells(&mut self, cells: &[Sym; FIELD_COUNT]) -> (u32, u32) {
        let first = self.values.len() as u32;
        let mut present = 0;
        for (i, sym) in cells.iter().enumerate() {
            if *sym != Sym(0) {
                present |= 1 << i;
                self.values.push(*sym);
            }
        }
        (present, first)
    }

    /// Every cell of a stored asset, empty ones included.
    fn cells(&self, index: u32) -> [Sym; FIELD_COUNT] {
        all_cells(&self.values, &self.assets[index as usize])
    }

    /// Sets one cell of a stored asset. A cell that was empty moves the asset's cells
    /// to the end of [`Self::values`] (a host's facts are set on a few instances).
    fn set_cell(&mut self, index: u32, field: Field, sym: Sym) {
        if let (Some(at), true) = (slot(&self.assets[index as usize], field), sym != Sym(0)) {
            self.values[at] = sym;
            return;
        }
        let mut cells = self.cells(index);
        cells[field.index()] = sym;
        let (present, first) = self.push_cells(&cells);
        let a = &mut self.assets[index as usize];
        (a.present, a.first) = (present, first);
    }

    /// Assets met more than once (their identity repeated), after [`Self::finish`].
    pub fn duplicates(&self) -> u64 {
        [READ_TWICE, TWO_TYPES]
            .iter()
            .filter_map(|r| self.folded.get(*r))
            .sum()
    }

    /// Assets left out because they repeat another, by reason.
    pub fn folded(&self) -> &BTreeMap<String, u64> {
        &self.folded
    }

    /// Counts items that gave no asset at all (an inactive revision), by reason.
    pub fn count_skipped(&mut self, reason: &str) {
        *self.folded.entry(reason.to_string()).or_default() += 1;
    }

    /// Joins what SSM says of each host onto its EC2 instance's rows (`instance_kind`
    /// is the registry index of `AWS::EC2::Instance`), adds the selected packages as
    /// rows of their own, and lists hosts with no instance on their own. Runs once
    /// every item is read and before [`Self::finish`]. Returns warnings as (where, what).
    pub fn join_hosts(
        &mut self,
        hosts: Vec<HostFacts>,
        instance_kind: u16,
        host_kind: u16,
    ) -> Vec<(String, String)> {
        let mut warnings = Vec::new();
        if hosts.is_empty() {
            return warnings;
        }
        let mut instances: std::collections::HashMap<(&str, &str, &str), u32> =
            std::collections::HashMap::new();
        for (i, a) in self.assets.iter().enumerate() {
            if a.kind == instance_kind {
                let id = self.pool.get(cell(&self.values, a, Field::AssetId));
                instances
                    .entry((self.pool.get(a.account), self.pool.get(a.region), id))
                    .or_insert(i as u32);
            }
        }
        let found: Vec<Option<u32>> = hosts
            .iter()
            .map(|h| {
                instances
                    .get(&(
                        h.account.as_str(),
                        h.region.as_str(),
                        h.instance_id.as_str(),
                    ))
                    .copied()
            })
            .collect();
        drop(instances);
        for (mut host, found) in hosts.into_iter().zip(found) {
            let host_asset = match found {
                Some(index) => {
                    let cells = [
                        (Field::OsNameVersion, host.os.clone()),
                        (Field::NetBios, host.netbios.clone()),
                        (Field::PatchLevel, host.patch_cell()),
                    ];
                    for (field, value) in cells {
                        if let Some(v) = value {
                            let sym = self.pool.intern(&v);
                            self.set_cell(index, field, sym);
                        }
                    }
                    self.asset_copy(index)
                }
                None => {
                    let Some(mut own) = host.standalone.take() else {
                        warnings.push((
                            format!("account {} / {}", host.account, host.region),
                            format!(
                                "SSM patch compliance for {} whose instance was not read; not listed",
                                host.instance_id
                            ),
                        ));
                        continue;
                    };
                    if !host.instance_id.starts_with("mi-") {
                        warnings.push((
                            format!("account {} / {}", host.account, host.region),
                            format!(
                                "SSM inventory for {} whose EC2 instance was not read; listed on its own as a Managed Instance",
                                host.instance_id
                            ),
                        ));
                    }
                    if own.get(Field::PatchLevel).is_empty() {
                        own.set_opt(Field::PatchLevel, host.patch_cell().as_deref());
                    }
                    self.add(&own, host_kind);
                    own
                }
            };
            for package in &host.packages {
                let mut row = host_asset.clone();
                row.clear_addresses();
                row.fold = None;
                let several = host
                    .packages
                    .iter()
                    .filter(|p| p.name == package.name)
                    .count()
                    > 1;
                let id = if several {
                    format!("{}/{}/{}", host.instance_id, package.name, package.version)
                } else {
                    format!("{}/{}", host.instance_id, package.name)
                };
                row.set(Field::AssetId, &id);
                row.set(Field::AssetType, "Software");
                row.set(Field::SoftwareVendor, &package.vendor);
                row.set(
                    Field::SoftwareNameVersion,
                    format!("{} {}", package.name, package.version).trim(),
                );
                row.set(Field::PatchLevel, &package.release);
                row.set(Field::Dns, "");
                row.set(Field::NetBios, "");
                row.set(Field::HardwareModel, "");
                row.set(Field::AuthenticatedScan, "No");
                row.set(Field::Public, "");
                let comment = match host_asset.get(Field::Comments) {
                    "" => format!("installed on {}", host.instance_id),
                    c => format!("{c}; installed on {}", host.instance_id),
                };
                row.set(Field::Comments, &comment);
                self.add(&row, host_kind);
            }
        }
        warnings
    }

    /// Every stored asset as (index, Config type): what a join that runs before
    /// [`Self::finish`] (scan coverage) walks, reading the cells of the kinds it wants
    /// (reading every asset's cells here made that walk a fifth of the join).
    pub fn stored(&self) -> impl Iterator<Item = (u32, u16)> + '_ {
        self.assets
            .iter()
            .enumerate()
            .map(|(i, a)| (i as u32, a.kind))
    }

    /// A stored asset's account and region (an index of [`Self::stored`]).
    pub fn stored_place(&self, index: u32) -> (&str, &str) {
        let a = &self.assets[index as usize];
        (self.pool.get(a.account), self.pool.get(a.region))
    }

    /// What tells a stored asset from another (place, asset type and identifier), to
    /// hash and compare: equal for the same asset read twice. Cheaper than the four
    /// strings, since place and type are interned.
    pub fn stored_identity(&self, index: u32) -> StoredIdentity<'_> {
        let a = &self.assets[index as usize];
        StoredIdentity(
            a.account,
            a.region,
            cell(&self.values, a, Field::AssetType),
            self.pool.get(cell(&self.values, a, Field::AssetId)),
        )
    }

    /// One cell of a stored asset (an index of [`Self::stored`]).
    pub fn stored_cell(&self, index: u32, field: Field) -> &str {
        self.pool
            .get(cell(&self.values, &self.assets[index as usize], field))
    }

    /// Sets one cell of a stored asset (an index of [`Self::stored`]).
    pub fn set_stored_cell(&mut self, index: u32, field: Field, value: &str) {
        let sym = self.pool.intern(value);
        self.set_cell(index, field, sym);
    }

    /// Sets several cells of a stored asset at once: cells that were empty move the
    /// asset's cells once, not once each (the scan join sets two on 40,000 instances).
    pub fn set_stored_cells(&mut self, index: u32, cells: &[(Field, &str)]) {
        // Once one cell moves the asset, the others are set in the moved copy.
        let mut moved: Option<[Sym; FIELD_COUNT]> = None;
        for (field, value) in cells {
            let sym = self.pool.intern(value);
            match &mut moved {
                Some(all) => all[field.index()] = sym,
                None if sym != Sym(0) && slot(&self.assets[index as usize], *field).is_some() => {
                    self.set_cell(index, *field, sym)
                }
                None => {
                    let mut all = self.cells(index);
                    all[field.index()] = sym;
                    moved = Some(all);
                }
            }
        }
        if let Some(all) = moved {
            let (present, first) = self.push_cells(&all);
            let a = &mut self.assets[index as usize];
            (a.present, a.first) = (present, first);
        }
    }

    /// A stored asset's cells back as an [`Asset`] (to copy a host onto its packages).
    fn asset_copy(&self, index: u32) -> Asset {
        let stored = &self.assets[index as usize];
        let cells = self.cells(index);
        let mut a = Asset::default();
        for field in Field::asset_fields() {
            a.set(field, self.pool.get(cells[field.index()]));
        }
        a.set_account(self.pool.get(stored.account));
        a.set_region(self.pool.get(stored.region));
        a
    }

    /// Rows per Config type (registry index), after [`Self::finish`].
    pub fn rows_per_kind(&self) -> BTreeMap<u16, u64> {
        let mut counts = BTreeMap::new();
        for rows in self.asset_rows() {
            *counts
                .entry(self.assets[rows[0].asset as usize].kind)
                .or_default() += rows.len() as u64;
        }
        counts
    }

    /// Assets listed (after [`Self::finish`]: without those left out). Every asset
    /// has at least one row, and an asset's rows are adjacent.
    pub fn asset_count(&self) -> usize {
        self.asset_rows().count()
    }

    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The length in bytes of the longest value held: when it fits a cell, no cell of
    /// a row does, and the writer need not look.
    pub fn longest_value(&self) -> usize {
        self.pool.longest
    }

    /// Puts the rows in their final order (account, region, asset type, identifier,
    /// then IP, numerically where both are addresses) and drops every resource met
    /// before (same account, region, type and identifier: overlapping inputs must not
    /// list a resource twice). The first one met is kept.
    pub fn finish(&mut self) {
        self.resources.finish();
        if self.resources.repeated() > 0 {
            let n = self.resources.repeated();
            *self
                .folded
                .entry(resources::READ_TWICE.to_string())
                .or_default() += n;
        }
        let order = self.listing_order();
        // Above the asset index, a key tells identifiers apart without the pool
        // unless they begin alike.
        let head = |k: u128| k >> 32;
        let pool = &self.pool;
        let (assets, values) = (&self.assets, &self.values[..]);
        let key = |a: u32| -> Identity {
            let a = &assets[a as usize];
            [
                a.account,
                a.region,
                cell(values, a, Field::AssetType),
                cell(values, a, Field::AssetId),
            ]
        };
        let mut rank = vec![0u32; assets.len()];
        let mut previous: Option<u128> = None;
        let mut folded: Vec<&'static str> = Vec::new();
        for (r, &k) in order.iter().enumerate() {
            let a = k as u32;
            let same = previous.is_some_and(|pk| {
                let (kp, ka): (Identity, Identity) = (key(pk as u32), key(a));
                head(pk) == head(k)
                    && ka[3] != Sym(0)
                    && kp[..3] == ka[..3]
                    && pool.get(kp[3]) == pool.get(ka[3])
            });
            match previous.map(|pk| pk as u32) {
                Some(p) if same => {
                    rank[a as usize] = u32::MAX;
                    folded.push(if assets[p as usize].kind == assets[a as usize].kind {
                        READ_TWICE
                    } else {
                        TWO_TYPES
                    });
                }
                _ => {
                    rank[a as usize] = r as u32;
                    previous = Some(k);
                }
            }
        }
        folded.extend(fold_repeats(
            pool,
            assets,
            values,
            &self.rows,
            &self.folds,
            &mut rank,
        ));
        for reason in folded {
            *self.folded.entry(reason.to_string()).or_default() += 1;
        }
        drop(order);
        self.left_out = (0..rank.len() as u32)
            .filter(|&a| rank[a as usize] == u32::MAX)
            .collect();
        self.rows.retain(|row| rank[row.asset as usize] != u32::MAX);
        // Each asset's rows are adjacent and already in address order (`add` pushes
        // them so) and move together.
        self.rows.sort_by_key(|row| rank[row.asset as usize]);
        self.rows.shrink_to_fit();
    }

    /// Assets in listing order: account, region, asset type, identifier, and of equal
    /// keys the first met first (it is the one kept). Each is a key whose low 32 bits
    /// are the asset's index.
    fn listing_order(&self) -> Vec<u128> {
        let (pool, assets, values) = (&self.pool, &self.assets, &self.values[..]);
        // Account, region and type repeat across many assets: each combination is
        // ranked once by its text, so the sort compares integers and an identifier's
        // first eight bytes, and reads identifiers from the pool only when those tie.
        let lead = |a: &StoredAsset| [a.account, a.region, cell(values, a, Field::AssetType)];
        let id = |a: usize| pool.get(cell(values, &assets[a], Field::AssetId));
        // One pass numbers the combinations as they are met (the number held in the
        // key's top bits until they are ranked) and finds, per combination, the
        // beginning its identifiers share: often a long one (ARNs), so identifiers are
        // compared from where they first differ. (Bytes, not text: two identifiers may
        // differ inside one character.)
        let mut groups: hashbrown::HashMap<[Sym; 3], u32> = hashbrown::HashMap::new();
        let mut shared: Vec<&[u8]> = Vec::new();
        let mut keys: Vec<u128> = Vec::with_capacity(assets.len());
        for (a, asset) in assets.iter().enumerate() {
            let text = id(a).as_bytes();
            let met = *groups.entry(lead(asset)).or_insert_with(|| {
                shared.push(text);
                shared.len() as u32 - 1
            });
            let common = shared[met as usize];
            let n = common.iter().zip(text).take_while(|(x, y)| x == y).count();
            shared[met as usize] = &common[..n];
            keys.push((u128::from(met) << 96) | a as u128);
        }
        let mut distinct: Vec<([Sym; 3], u32)> = groups.into_iter().collect();
        distinct.sort_unstable_by(|(x, _), (y, _)| {
            x.iter()
                .zip(y)
                .map(|(a, b)| pool.get(*a).cmp(pool.get(*b)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
        let mut rank = vec![0u32; distinct.len()];
        for (r, (_, met)) in distinct.iter().enumerate() {
            rank[*met as usize] = r as u32;
        }
        // Ranked combination (32 bits) | 8 bytes of the identifier past the shared
        // beginning (64) | asset index (32).
        for key in &mut keys {
            let (met, a) = ((*key >> 96) as usize, *key as u32 as usize);
            let text = &id(a).as_bytes()[shared[met].len()..];
            let mut prefix = [0u8; 8];
            let n = text.len().min(8);
            prefix[..n].copy_from_slice(&text[..n]);
            *key = (u128::from(rank[met]) << 96)
                | (u128::from(u64::from_be_bytes(prefix)) << 32)
                | a as u128;
        }
        keys.sort_unstable_by(|x, y| {
            let (hx, hy) = (x >> 32, y >> 32);
            if hx != hy {
                return hx.cmp(&hy);
            }
            let (ax, ay) = ((*x as u32) as usize, (*y as u32) as usize);
            id(ax).cmp(id(ay)).then(ax.cmp(&ay))
        });
        keys
    }

    /// The rows in their current order, each a lookup from field to text.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = RowView<'_>> + '_ {
        self.rows.iter().map(move |row| RowView::new(self, *row))
    }

    /// Each asset's rows, in row order (they are adjacent).
    fn asset_rows(&self) -> impl Iterator<Item = &[Row]> + '_ {
        self.rows.chunk_by(|a, b| a.asset == b.asset)
    }

    /// Row `i` of the current order.
    pub fn row(&self, i: usize) -> RowView<'_> {
        RowView::new(self, self.rows[i])
    }

    /// Where each asset's rows begin, in row order (after [`Self::finish`]).
    pub fn asset_starts(&self) -> Vec<u32> {
        let mut starts = Vec::new();
        let mut at = 0u32;
        for rows in self.asset_rows() {
            starts.push(at);
            at += rows.len() as u32;
        }
        starts
    }

    /// The asset whose rows are `from..to` (two neighbours of [`Self::asset_starts`]).
    pub fn asset_at(&self, from: usize, to: usize) -> AssetView<'_> {
        AssetView {
            inventory: self,
            rows: &self.rows[from..to],
        }
    }

    /// The assets in row order, each with its rows (after [`Self::finish`]).
    pub fn assets(&self) -> impl Iterator<Item = AssetView<'_>> + '_ {
        self.asset_rows().map(move |rows| AssetView {
            inventory: self,
            rows,
        })
    }

    /// Rows per account, region and asset type.
    pub fn row_counts(&self) -> RowCounts {
        let mut by_sym: hashbrown::HashMap<[Sym; 3], u64> = hashbrown::HashMap::new();
        for rows in self.asset_rows() {
            let a = &self.assets[rows[0].asset as usize];
            *by_sym
                .entry([a.account, a.region, cell(&self.values, a, Field::AssetType)])
                .or_default() += rows.len() as u64;
        }
        let text = |s: Sym| self.pool.get(s).to_string();
        by_sym
            .into_iter()
            .map(|([account, region, kind], n)| ((text(account), text(region), text(kind)), n))
            .collect()
    }
}

/// Where a stored asset's value for `field` is in [`Inventory::values`] (which holds
/// its non-empty cells in field order), if it has one.
fn slot(a: &StoredAsset, field: Field) -> Option<usize> {
    let bit = 1u32 << field.index();
    (a.present & bit != 0).then(|| a.first as usize + (a.present & (bit - 1)).count_ones() as usize)
}

/// One cell of a stored asset.
fn cell(values: &[Sym], a: &StoredAsset, field: Field) -> Sym {
    slot(a, field).map_or(Sym(0), |at| values[at])
}

/// Every cell of a stored asset, in one walk of its values.
fn all_cells(values: &[Sym], a: &StoredAsset) -> [Sym; FIELD_COUNT] {
    let mut cells = [Sym(0); FIELD_COUNT];
    let (mut present, mut at) = (a.present, a.first as usize);
    while present != 0 {
        cells[present.trailing_zeros() as usize] = values[at];
        present &= present - 1;
        at += 1;
    }
    cells
}

/// The network evidence names its assets by stored index, as the inventory keeps them.
impl crate::network::AssetNames for Inventory {
    fn listed(&self, asset: u32) -> bool {
        self.is_listed(asset)
    }

    fn place(&self, asset: u32) -> (&str, &str) {
        self.stored_place(asset)
    }

    fn cell(&self, asset: u32, field: Field) -> &str {
        self.stored_cell(asset, field)
    }
}
