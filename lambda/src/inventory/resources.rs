//! The information resources outside the mapped types (`scope: all`): every other
//! resource AWS Config records, listed with the envelope Config keeps for any type
//! (account, region, type, id, ARN, name, tags, capture time) and nothing invented.
//!
//! There can be several times as many of them as workbook rows (IAM policies, KMS
//! aliases, Config's own records), so each is nine 4-byte symbols into a pool of its
//! own: the types, accounts, regions and owners repeat and are stored once.

use std::collections::BTreeMap;

use super::pool::{StringPool, Sym};

/// One resource as the kernel hands it over: its nine values (in [`COLUMNS`] order) in
/// one buffer, so a resource costs one allocation on its way from a worker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resource {
    text: String,
    ends: [u32; 9],
}

impl Resource {
    /// Account, region, type, id, ARN, name, owner, application owner, capture time.
    pub fn new(values: [&str; 9]) -> Self {
        let mut text = String::with_capacity(values.iter().map(|v| v.len()).sum());
        let mut ends = [0u32; 9];
        for (end, value) in ends.iter_mut().zip(values) {
            text.push_str(value);
            *end = text.len() as u32;
        }
        Resource { text, ends }
    }

    pub fn values(&self) -> [&str; 9] {
        std::array::from_fn(|i| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
            &self.text[start..self.ends[i] as usize]
        })
    }
}

/// The columns of the Information Resources sheet and `STEM.resources.csv`, in order.
pub const COLUMNS: [&str; 9] = [
    "Account",
    "Region",
    "Config Resource Type",
    "Resource ID",
    "ARN",
    "Name",
    "System Administrator/Owner",
    "Application Administrator/Owner",
    "Captured At",
];

/// Why a resource met twice is listed once (two inputs overlapped).
pub const READ_TWICE: &str = "same information resource read twice (overlapping inputs)";

type Stored = [Sym; 9];

/// The information resources of a run, in (account, region, type, id) order once
/// [`Resources::finish`] has run.
#[derive(Default)]
pub struct Resources {
    pool: Option<StringPool>,
    rows: Vec<Stored>,
    repeated: u64,
}

impl Resources {
    pub fn add(&mut self, r: &Resource) {
        let pool = self.pool.get_or_insert_with(StringPool::new);
        // Account, region, type and the owners repeat; the rest never does.
        const REPEATS: [bool; 9] = [true, true, true, false, false, false, true, true, false];
        let mut row = [Sym(0); 9];
        for ((cell, value), repeats) in row.iter_mut().zip(r.values()).zip(REPEATS) {
            *cell = if repeats {
                pool.intern(value)
            } else {
                pool.store(value)
            };
        }
        self.rows.push(row);
    }

    /// Puts them in order and lists a resource met twice once.
    pub(super) fn finish(&mut self) {
        let Some(pool) = &self.pool else {
            return;
        };
        // Account, region and type are few and interned: each is ranked once by its
        // text, so the sort compares one integer and reads only the ids from the pool.
        let mut lead: Vec<[Sym; 3]> = self.rows.iter().map(|s| [s[0], s[1], s[2]]).collect();
        lead.sort_unstable_by_key(|l| l.map(|sym| sym.0));
        lead.dedup();
        lead.sort_by(|a, b| a.map(|sym| pool.get(sym)).cmp(&b.map(|sym| pool.get(sym))));
        let rank: std::collections::HashMap<[Sym; 3], u32> = lead
            .into_iter()
            .enumerate()
            .map(|(i, l)| (l, i as u32))
            .collect();
        // Each id read from the pool once; stable, so of two with one key the first
        // met is kept.
        let mut keyed: Vec<(u32, &str, u32)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, s)| (rank[&[s[0], s[1], s[2]]], pool.get(s[3]), i as u32))
            .collect();
        keyed.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let before = keyed.len();
        keyed.dedup_by(|a, b| (a.0, a.1) == (b.0, b.1));
        let order: Vec<u32> = keyed.into_iter().map(|(_, _, i)| i).collect();
        self.rows = order.into_iter().map(|i| self.rows[i as usize]).collect();
        self.repeated = (before - self.rows.len()) as u64;
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Resources left out because they repeat another.
    pub fn repeated(&self) -> u64 {
        self.repeated
    }

    /// Each resource's cells, in [`COLUMNS`] order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = [&str; 9]> + '_ {
        (0..self.rows.len()).map(|i| self.row(i))
    }

    /// One resource's cells, in [`COLUMNS`] order (`i` < [`Self::len`]).
    pub fn row(&self, i: usize) -> [&str; 9] {
        match &self.pool {
            Some(pool) => self.rows[i].map(|sym| pool.get(sym)),
            None => [""; 9],
        }
    }

    /// The length in bytes of the longest value held (a sheet need not look for
    /// cells too long for Excel when it is short).
    pub fn longest_value(&self) -> usize {
        self.pool.as_ref().map_or(0, |p| p.longest)
    }

    /// How many of each Config type, for the Run Summary and the run result.
    pub fn per_type(&self) -> BTreeMap<String, u64> {
        let Some(pool) = &self.pool else {
            return BTreeMap::new();
        };
        let mut by_sym: std::collections::HashMap<Sym, u64> = Default::default();
        for row in &self.rows {
            *by_sym.entry(row[2]).or_default() += 1;
        }
        by_sym
            .into_iter()
            .map(|(sym, n)| (pool.get(sym).to_string(), n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(account: &str, kind: &str, id: &str) -> Resource {
        Resource::new([account, "us-east-1", kind, id, "", "", "", "", ""])
    }

    #[test]
    fn a_resource_gives_back_its_values() {
        let values = [
            "1",
            "",
            "AWS::KMS::Key",
            "k",
            "arn:k",
            "",
            "ops",
            "app",
            "t",
        ];
        assert_eq!(Resource::new(values).values(), values);
    }

    #[test]
    fn in_key_order_once_each_with_counts_by_type() {
        let mut all = Resources::default();
        for x in [
            r("222222222222", "AWS::KMS::Key", "k-2"),
            r("111111111111", "AWS::KMS::Key", "k-1"),
            r("111111111111", "AWS::IAM::Role", "AROA1"),
            r("111111111111", "AWS::KMS::Key", "k-1"),
        ] {
            all.add(&x);
        }
        all.finish();
        let ids: Vec<&str> = all.rows().map(|c| c[3]).collect();
        assert_eq!(ids, ["AROA1", "k-1", "k-2"]);
        assert_eq!(all.repeated(), 1);
        let counts = all.per_type();
        assert_eq!(counts["AWS::KMS::Key"], 2);
        assert_eq!(counts["AWS::IAM::Role"], 1);
    }

    #[test]
    fn none_is_empty() {
        let mut none = Resources::default();
        none.finish();
        assert!(none.is_empty());
        assert_eq!(none.rows().count(), 0);
        assert!(none.per_type().is_empty());
    }
}
