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
use std::hash::BuildHasher;
use std::net::IpAddr;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::fields::{Field, FIELD_COUNT};
use crate::mapper::{Asset, Fold, HostFacts};

/// A handle to a pooled string; `Sym(0)` is the empty string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Sym(u32);

/// Strings in fixed-size chunks: the pool grows without ever copying what it holds,
/// so its peak memory is what it stores, not twice that.
struct StringPool {
    chunks: Vec<String>,
    /// Per symbol, packed: chunk (upper 24 bits), offset (20 bits), length (20 bits).
    spans: Vec<u64>,
    /// Interned symbols with 32 bits of their text's hash: growing the index and
    /// telling most values apart never reads the strings (a cache miss each).
    index: HashTable<(u32, u32)>,
    hasher: DefaultHashBuilder,
    /// The longest value stored, in bytes.
    longest: usize,
}

const CHUNK: usize = 1 << 20;
const OFFSET_BITS: u32 = 20;
const LEN_BITS: u32 = 20;

impl StringPool {
    fn new() -> Self {
        StringPool {
            chunks: Vec::new(),
            spans: vec![0],
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            longest: 0,
        }
    }

    fn get(&self, sym: Sym) -> &str {
        span_text(&self.chunks, self.spans[sym.0 as usize])
    }

    /// Stores a value that is likely to repeat, once.
    fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym(0);
        }
        let short = self.hasher.hash_one(s) as u32;
        let Self {
            chunks,
            spans,
            index,
            longest,
            ..
        } = self;
        let found = index.find(spread(short), |(id, h)| {
            *h == short && span_text(chunks, spans[*id as usize]) == s
        });
        if let Some((id, _)) = found {
            return Sym(*id);
        }
        let id = push(chunks, spans, s);
        *longest = (*longest).max(s.len());
        index.insert_unique(spread(short), (id.0, short), |(_, h)| spread(*h));
        id
    }

    /// Stores a value that will not repeat (an identifier, an address), unindexed.
    fn store(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym(0);
        }
        self.longest = self.longest.max(s.len());
        push(&mut self.chunks, &mut self.spans, s)
    }
}

/// The index's 64-bit hash from the 32 kept: multiplied out, so both the high bits
/// (the index's tag) and the low bits (its bucket) vary.
fn spread(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn push(chunks: &mut Vec<String>, spans: &mut Vec<u64>, s: &str) -> Sym {
    // Values are cut to the model's limit (MAX_VALUE_CHARS, at most 256 KiB) before
    // they get here, so every value fits a chunk and its length field.
    debug_assert!(s.len() < CHUNK);
    if chunks.last().is_none_or(|c| c.len() + s.len() > CHUNK) {
        chunks.push(String::with_capacity(CHUNK.max(s.len())));
    }
    let chunk = chunks.len() - 1;
    let text = &mut chunks[chunk];
    let offset = text.len();
    text.push_str(s);
    let id = spans.len() as u32;
    spans.push(
        ((chunk as u64) << (OFFSET_BITS + LEN_BITS))
            | ((offset as u64) << LEN_BITS)
            | s.len() as u64,
    );
    Sym(id)
}

/// The text of a packed span.
fn span_text(chunks: &[String], span: u64) -> &str {
    if span == 0 {
        return "";
    }
    let chunk = (span >> (OFFSET_BITS + LEN_BITS)) as usize;
    let offset = ((span >> LEN_BITS) & ((1 << OFFSET_BITS) - 1)) as usize;
    let len = (span & ((1 << LEN_BITS) - 1)) as usize;
    &chunks[chunk][offset..offset + len]
}

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
        }
    }

    /// Adds an asset's rows; `kind` is the Config type it came from. The same resource
    /// met twice is dropped by [`Self::finish`].
    pub fn add(&mut self, asset: &Asset, kind: u16) {
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

    /// Every stored asset as (index, Config type, account, region, identifier): what a
    /// join that runs before [`Self::finish`] (scan coverage) looks assets up by.
    pub fn stored(&self) -> impl Iterator<Item = (u32, u16, &str, &str, &str)> + '_ {
        self.assets.iter().enumerate().map(|(i, a)| {
            (
                i as u32,
                a.kind,
                self.pool.get(a.account),
                self.pool.get(a.region),
                self.pool.get(cell(&self.values, a, Field::AssetId)),
            )
        })
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

/// Leaves out (rank `u32::MAX`) the interfaces and Elastic IPs that repeat an asset
/// that is listed; returns the reason for each. Interfaces are decided first, so an
/// Elastic IP on an interface that stays listed is folded into that interface.
fn fold_repeats<'p>(
    pool: &'p StringPool,
    assets: &[StoredAsset],
    values: &[Sym],
    rows: &[Row],
    folds: &[(u32, Fold)],
    rank: &mut [u32],
) -> Vec<&'static str> {
    use std::collections::HashSet;
    let mut reasons = Vec::new();
    if folds.is_empty() {
        return reasons;
    }
    let candidate: HashSet<u32> = folds.iter().map(|(a, _)| *a).collect();
    let place = |a: u32| {
        let s = &assets[a as usize];
        (s.account, s.region)
    };
    // The identifiers (and their last part: `…/eni-1` is `eni-1`) and the addresses
    // of every listed asset that is not itself a candidate.
    let mut ids: HashSet<(Sym, Sym, &'p str)> = HashSet::new();
    let mut addresses: HashSet<(Sym, Sym, &'p str)> = HashSet::new();
    let listed = |a: u32, rank: &[u32]| rank[a as usize] != u32::MAX;
    let add_id = |ids: &mut HashSet<(Sym, Sym, &'p str)>, a: u32| {
        let (acc, reg) = place(a);
        let id = pool.get(cell(values, &assets[a as usize], Field::AssetId));
        ids.insert((acc, reg, id));
        ids.insert((acc, reg, id.rsplit('/').next().unwrap_or(id)));
    };
    for (i, _) in assets.iter().enumerate() {
        let a = i as u32;
        if listed(a, rank) && !candidate.contains(&a) {
            add_id(&mut ids, a);
        }
    }
    for row in rows {
        if row.ip != Sym(0) && listed(row.asset, rank) && !candidate.contains(&row.asset) {
            let (acc, reg) = place(row.asset);
            addresses.insert((acc, reg, pool.get(row.ip)));
        }
    }
    // Rows are still in the order they were added: each asset's are adjacent, and
    // assets come in index order, so an asset's rows are found by bisection.
    let own_addresses = |a: u32| -> Vec<&'p str> {
        let first = rows.partition_point(|r| r.asset < a);
        rows[first..]
            .iter()
            .take_while(|r| r.asset == a)
            .filter(|r| r.ip != Sym(0))
            .map(|r| pool.get(r.ip))
            .collect()
    };
    let interfaces = folds
        .iter()
        .filter(|(_, f)| !matches!(f, Fold::AssociatedWith(_)));
    let elastic_ips = folds
        .iter()
        .filter(|(_, f)| matches!(f, Fold::AssociatedWith(_)));
    for (a, fold) in interfaces.chain(elastic_ips) {
        if !listed(*a, rank) {
            continue;
        }
        let (acc, reg) = place(*a);
        let mine = own_addresses(*a);
        let all_listed =
            !mine.is_empty() && mine.iter().all(|ip| addresses.contains(&(acc, reg, *ip)));
        let owner_listed = |o: Option<&str>| o.is_some_and(|o| ids.contains(&(acc, reg, o)));
        let fold_it = match fold {
            Fold::AttachedTo(owner) => owner_listed(Some(owner)),
            Fold::ManagedByService => all_listed,
            Fold::AssociatedWith(owner) => owner_listed(owner.as_deref()) || all_listed,
        };
        if fold_it {
            rank[*a as usize] = u32::MAX;
            reasons.push(fold.reason());
        } else {
            // Listed after all: later candidates may repeat it.
            add_id(&mut ids, *a);
            for ip in mine {
                addresses.insert((acc, reg, ip));
            }
        }
    }
    reasons
}

/// One asset of the inventory with all its rows (its addresses, in row order).
#[derive(Clone, Copy)]
pub struct AssetView<'a> {
    inventory: &'a Inventory,
    rows: &'a [Row],
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
    fn new(inventory: &'a Inventory, row: Row) -> Self {
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

    /// Identifiers that share a long beginning (ARNs), are prefixes of one another or
    /// differ only past their first bytes are listed in text order, and a repeated one
    /// is found, whatever order they arrive in.
    #[test]
    fn identifiers_are_ordered_by_their_whole_text() {
        let base = "arn:aws-us-gov:dynamodb:us-gov-west-1:111111111111:table/t";
        let ids = [
            format!("{base}-000010"),
            format!("{base}-00001"),
            format!("{base}-000002"),
            format!("{base}-00001"),
            base.to_string(),
            format!("{base}-000010x"),
            "a".to_string(),
            String::new(),
            // Alone in their group, sharing the first byte of different characters.
            "é".to_string(),
            "ê".to_string(),
        ];
        let region = |i: usize| match i {
            6 => "us-east-1",
            8.. => "eu-west-1",
            _ => "us-west-2",
        };
        let mut inv = Inventory::new();
        for (i, id) in ids.iter().enumerate() {
            inv.add(&asset("1", region(i), "DynamoDB", id, &[]), 0);
        }
        inv.finish();
        let mut expected: Vec<(&str, &str)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (region(i), id.as_str()))
            .collect();
        expected.sort();
        expected.dedup_by(|a, b| a == b && !a.1.is_empty());
        let got: Vec<String> = inv
            .rows()
            .map(|r| r.get(Field::AssetId).to_string())
            .collect();
        let want: Vec<String> = expected.iter().map(|(_, id)| id.to_string()).collect();
        assert_eq!(got, want);
        assert_eq!(inv.duplicates(), 1);
    }

    /// An asset's addresses are listed numerically, whatever order the mapper gave.
    #[test]
    fn an_assets_rows_are_in_address_order() {
        let mut inv = Inventory::new();
        inv.add(
            &asset("1", "r", "EC2", "i-1", &["10.0.0.10", "10.0.0.9", "b", "a"]),
            0,
        );
        inv.finish();
        let ips: Vec<&str> = inv.rows().map(|r| r.get(Field::Ip)).collect();
        assert_eq!(ips, ["10.0.0.9", "10.0.0.10", "a", "b"]);
    }

    #[test]
    fn rows_sort_by_account_region_type_id_and_ip() {
        let mut inv = Inventory::new();
        inv.add(
            &asset("2", "east", "EC2", "i-b", &["10.0.0.10", "10.0.0.9"]),
            0,
        );
        inv.add(&asset("1", "west", "EC2", "i-a", &[]), 0);
        inv.add(&asset("1", "east", "RDS", "arn:r", &[]), 0);
        inv.add(&asset("1", "east", "EC2", "i-z", &["3.3.3.3"]), 0);
        inv.finish();
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
        let assets: Vec<(String, Vec<(&str, &str)>)> = inv
            .assets()
            .map(|a| (a.get(Field::AssetId).to_string(), a.addresses().collect()))
            .collect();
        assert_eq!(
            assets,
            vec![
                ("i-z".into(), vec![("3.3.3.3", "mac")]),
                ("arn:r".into(), vec![]),
                ("i-a".into(), vec![]),
                (
                    "i-b".into(),
                    vec![("10.0.0.9", "mac"), ("10.0.0.10", "mac")]
                ),
            ]
        );
        assert_eq!(inv.assets().next().unwrap().account(), "1");
    }

    #[test]
    fn the_same_resource_twice_is_listed_once() {
        let mut inv = Inventory::new();
        inv.add(&asset("1", "east", "EC2", "i-a", &["10.0.0.1"]), 0);
        inv.add(&asset("1", "east", "RDS", "i-b", &[]), 0);
        inv.add(&asset("1", "east", "EC2", "i-a", &["10.0.0.2"]), 0);
        inv.add(&asset("2", "east", "EC2", "i-a", &["10.0.0.1"]), 0);
        inv.finish();
        assert_eq!(inv.duplicates(), 1);
        assert_eq!(inv.asset_count(), 3);
        assert_eq!(
            listing(&inv),
            vec!["i-a|10.0.0.1|mac", "i-b||", "i-a|10.0.0.1|mac"],
            "the first met is kept"
        );
    }

    #[test]
    fn sparse_cells_read_back_and_can_be_set_later() {
        let mut inv = Inventory::new();
        inv.add(&asset("1", "r", "EC2", "i-1", &["10.0.0.1"]), 0);
        inv.add(&asset("1", "r", "EC2", "i-2", &[]), 0);
        let sym = inv.pool.intern("Linux");
        inv.set_cell(0, Field::OsNameVersion, sym); // was empty: the cells move
        let sym = inv.pool.intern("No");
        inv.set_cell(0, Field::Virtual, sym); // had a value: set in place
        inv.set_cell(1, Field::Virtual, Sym(0)); // emptied
        inv.finish();
        let cells = |i: usize, fields: &[Field]| -> Vec<&str> {
            let row = inv.row(i);
            fields.iter().map(|f| row.get(*f)).collect()
        };
        let fields = [
            Field::AssetId,
            Field::Ip,
            Field::Mac,
            Field::Virtual,
            Field::OsNameVersion,
            Field::AssetType,
            Field::Public,
        ];
        assert_eq!(
            cells(0, &fields),
            ["i-1", "10.0.0.1", "mac", "No", "Linux", "EC2", ""]
        );
        assert_eq!(cells(1, &fields), ["i-2", "", "", "", "", "EC2", ""]);
        assert_eq!(inv.asset_copy(0).get(Field::OsNameVersion), "Linux");
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
        let u = pool.store("x");
        assert_ne!(u, a, "stored values are not looked up");
        assert_eq!(pool.get(u), "x");
        assert_eq!(pool.get(Sym(0)), "");
    }
}
