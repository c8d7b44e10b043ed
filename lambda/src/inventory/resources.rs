//! The information resources outside the mapped types (`scope: all`): every other
//! resource AWS Config records, listed with the envelope Config keeps for any type
//! (account, region, type, id, ARN, name, tags, capture time) and nothing invented.
//!
//! There can be several times as many of them as workbook rows (IAM policies, KMS
//! aliases, Config's own records), so each is nine 4-byte symbols into a pool of its
//! own: the types, accounts, regions and owners repeat and are stored once.

use std::collections::BTreeMap;

use super::pool::{StringPool, Sym};

/// One resource as the kernel hands it over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resource {
    pub account: String,
    pub region: String,
    pub resource_type: String,
    pub id: String,
    pub arn: String,
    pub name: String,
    /// The owner tags, as the workbook's own owner columns read them.
    pub owner: String,
    pub application_owner: String,
    /// `configurationItemCaptureTime`, as Config wrote it.
    pub captured_at: String,
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
        self.rows.push([
            pool.intern(&r.account),
            pool.intern(&r.region),
            pool.intern(&r.resource_type),
            pool.store(&r.id),
            pool.store(&r.arn),
            pool.store(&r.name),
            pool.intern(&r.owner),
            pool.intern(&r.application_owner),
            pool.store(&r.captured_at),
        ]);
    }

    /// Puts them in order and lists a resource met twice once.
    pub(super) fn finish(&mut self) {
        let Some(pool) = &self.pool else {
            return;
        };
        let key = |s: &Stored| [s[0], s[1], s[2], s[3]].map(|sym| pool.get(sym));
        self.rows.sort_by(|a, b| key(a).cmp(&key(b)));
        let before = self.rows.len();
        self.rows.dedup_by(|a, b| key(a) == key(b));
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
        self.rows.iter().map(|s| match &self.pool {
            Some(pool) => s.map(|sym| pool.get(sym)),
            None => [""; 9],
        })
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
        let mut out = BTreeMap::new();
        for row in self.rows() {
            *out.entry(row[2].to_string()).or_default() += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(account: &str, kind: &str, id: &str) -> Resource {
        Resource {
            account: account.into(),
            region: "us-east-1".into(),
            resource_type: kind.into(),
            id: id.into(),
            ..Resource::default()
        }
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
