//! What changed in the boundary since the last run: assets added, removed, and changed
//! (which columns, old and new value), from two snapshots.
//!
//! Assets are matched by their key (account, region, asset type, identifier), never by
//! row position. Both snapshots are in key order, so they are compared in one merging
//! pass that holds one asset of each at a time, however large the inventory.

use std::cmp::Ordering;

use serde::Serialize;

use crate::fields::Field;
use crate::snapshot::{AssetKey, SnapshotAsset, SnapshotError, SnapshotReader};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One column of a changed asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnChange {
    /// The column's name as a person reads it (`Public`, `IP Address`).
    pub column: String,
    pub previous: String,
    pub current: String,
}

/// One asset that appeared, went away or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssetChange {
    pub change: ChangeKind,
    #[serde(flatten)]
    pub key: AssetKey,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnChange>,
}

/// Whether the run could compare, and with what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Compared with the snapshot at `previous`, made at `previous_time`.
    Compared {
        previous: String,
        previous_time: String,
    },
    /// No earlier snapshot: the first run.
    FirstRun,
    /// There was something to compare with, but it could not be read.
    Failed { previous: String, reason: String },
}

/// The changes of one run, for the Changes sheet, the run result and the notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeReport {
    pub comparison: Comparison,
    pub changes: Vec<AssetChange>,
}

/// Counts for the run result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ChangeCounts {
    /// `compared`, `first-run` or `not-compared`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

impl ChangeReport {
    pub fn first_run() -> Self {
        ChangeReport {
            comparison: Comparison::FirstRun,
            changes: Vec::new(),
        }
    }

    pub fn failed(previous: impl Into<String>, reason: impl Into<String>) -> Self {
        ChangeReport {
            comparison: Comparison::Failed {
                previous: previous.into(),
                reason: reason.into(),
            },
            changes: Vec::new(),
        }
    }

    /// Compares the snapshot at `previous_name` (read from `previous`) with `current`.
    /// A snapshot that cannot be read gives a report that says why, never an error:
    /// today's outputs are written all the same.
    pub fn compare(
        previous_name: &str,
        previous: &std::path::Path,
        current: &std::path::Path,
    ) -> ChangeReport {
        match compare_files(previous, current) {
            Ok((previous_time, changes)) => ChangeReport {
                comparison: Comparison::Compared {
                    previous: previous_name.to_string(),
                    previous_time,
                },
                changes,
            },
            Err(e) => ChangeReport::failed(previous_name, e.to_string()),
        }
    }

    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.change == kind).count()
    }

    pub fn counts(&self) -> ChangeCounts {
        let (status, previous, reason) = match &self.comparison {
            Comparison::Compared { previous, .. } => ("compared", Some(previous.clone()), None),
            Comparison::FirstRun => ("first-run", None, None),
            Comparison::Failed { previous, reason } => {
                ("not-compared", Some(previous.clone()), Some(reason.clone()))
            }
        };
        ChangeCounts {
            status: status.into(),
            previous,
            reason,
            added: self.count(ChangeKind::Added),
            removed: self.count(ChangeKind::Removed),
            changed: self.count(ChangeKind::Changed),
        }
    }

    /// True when the run could not compare although it should have.
    pub fn is_failure(&self) -> bool {
        matches!(self.comparison, Comparison::Failed { .. })
    }

    /// One line for a person: what the Run Summary and the notification say first.
    pub fn headline(&self) -> String {
        match &self.comparison {
            Comparison::FirstRun => {
                "nothing to compare with: no earlier snapshot (the first run)".into()
            }
            Comparison::Failed { previous, reason } => {
                format!("could not compare with {previous}: {reason}")
            }
            Comparison::Compared {
                previous,
                previous_time,
            } => {
                if self.changes.is_empty() {
                    format!("no changes since {previous_time} ({previous})")
                } else {
                    format!(
                        "{} added, {} removed, {} changed since {previous_time} ({previous})",
                        self.count(ChangeKind::Added),
                        self.count(ChangeKind::Removed),
                        self.count(ChangeKind::Changed)
                    )
                }
            }
        }
    }

    /// The first `limit` changes as lines, then how many more: for notifications.
    pub fn lines(&self, limit: usize) -> Vec<String> {
        let mut out: Vec<String> = self
            .changes
            .iter()
            .take(limit)
            .map(|c| {
                let what = format!(
                    "{} {} {} (account {}, {})",
                    c.change.name(),
                    c.key.asset_type,
                    c.key.asset_id,
                    c.key.account,
                    c.key.region
                );
                let cols: Vec<String> = c
                    .columns
                    .iter()
                    .map(|col| format!("{}: {:?} -> {:?}", col.column, col.previous, col.current))
                    .collect();
                if cols.is_empty() {
                    what
                } else {
                    format!("{what}: {}", cols.join("; "))
                }
            })
            .collect();
        if self.changes.len() > limit {
            out.push(format!("... and {} more", self.changes.len() - limit));
        }
        out
    }
}

/// The changes from `previous` to `current` and the previous snapshot's time.
pub fn compare_files(
    previous: &std::path::Path,
    current: &std::path::Path,
) -> Result<(String, Vec<AssetChange>), SnapshotError> {
    let old = SnapshotReader::open(previous)?;
    let time = old.header.generated_at.clone();
    let mut old = Cursor::new(old);
    let mut new = Cursor::new(SnapshotReader::open(current)?);
    let mut changes = Vec::new();
    let mut a = old.next()?;
    let mut b = new.next()?;
    loop {
        let order = match (&a, &b) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp_key(y),
        };
        match order {
            Ordering::Less => {
                let x = a.take().map(|k| k.asset).unwrap_or_default();
                changes.push(change(ChangeKind::Removed, x.key, Vec::new()));
                a = old.next()?;
            }
            Ordering::Greater => {
                let y = b.take().map(|k| k.asset).unwrap_or_default();
                changes.push(change(ChangeKind::Added, y.key, Vec::new()));
                b = new.next()?;
            }
            Ordering::Equal => {
                let (x, y) = (
                    a.take().map(|k| k.asset).unwrap_or_default(),
                    b.take().map(|k| k.asset).unwrap_or_default(),
                );
                let columns = differences(&x, &y);
                if !columns.is_empty() {
                    changes.push(change(ChangeKind::Changed, y.key, columns));
                }
                a = old.next()?;
                b = new.next()?;
            }
        }
    }
    Ok((time, changes))
}

fn change(kind: ChangeKind, key: AssetKey, columns: Vec<ColumnChange>) -> AssetChange {
    AssetChange {
        change: kind,
        key,
        columns,
    }
}

/// An asset and how many earlier assets of the same snapshot had the same key (assets
/// without an identifier can share one), so that equal keys pair up in order.
struct Keyed {
    asset: SnapshotAsset,
    ordinal: u32,
}

impl Keyed {
    fn cmp_key(&self, other: &Keyed) -> Ordering {
        self.asset
            .key
            .cmp(&other.asset.key)
            .then(self.ordinal.cmp(&other.ordinal))
    }
}

/// A snapshot read in order, numbering assets that share a key.
struct Cursor {
    reader: SnapshotReader,
    last: Option<AssetKey>,
    ordinal: u32,
}

impl Cursor {
    fn new(reader: SnapshotReader) -> Self {
        Cursor {
            reader,
            last: None,
            ordinal: 0,
        }
    }

    fn next(&mut self) -> Result<Option<Keyed>, SnapshotError> {
        let Some(asset) = self.reader.next_asset()? else {
            return Ok(None);
        };
        // The reader checked the order, so equal keys are consecutive.
        if self.last.as_ref() == Some(&asset.key) {
            self.ordinal += 1;
        } else {
            self.ordinal = 0;
            self.last = Some(asset.key.clone());
        }
        Ok(Some(Keyed {
            asset,
            ordinal: self.ordinal,
        }))
    }
}

/// The columns whose values differ, addresses compared as lists.
fn differences(old: &SnapshotAsset, new: &SnapshotAsset) -> Vec<ColumnChange> {
    let mut out = Vec::new();
    let list = |a: &SnapshotAsset, mac: bool| -> String {
        let mut seen: Vec<&str> = Vec::new();
        for addr in &a.addresses {
            let v = if mac {
                addr.mac.as_str()
            } else {
                addr.ip.as_str()
            };
            if !v.is_empty() && !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen.join(", ")
    };
    for field in Field::ALL {
        let (before, after) = match field {
            Field::Ip => (list(old, false), list(new, false)),
            Field::Mac => (list(old, true), list(new, true)),
            f => (old.cell(f).to_string(), new.cell(f).to_string()),
        };
        if before != after {
            out.push(ColumnChange {
                column: field.label().to_string(),
                previous: before,
                current: after,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Inventory;
    use crate::mapper::Asset;
    use crate::snapshot::{Header, Scope, KIND, SCHEMA_VERSION};

    fn snapshot(
        dir: &std::path::Path,
        name: &str,
        assets: &[(&str, &str, &str)],
    ) -> std::path::PathBuf {
        let mut inv = Inventory::new();
        for (id, public, ip) in assets {
            let mut a = Asset::default();
            a.set_account("1");
            a.set_region("r");
            a.set(Field::AssetType, "EC2");
            a.set(Field::AssetId, id);
            a.set(Field::Public, public);
            a.add_address(ip, None);
            inv.add(&a, 0);
        }
        inv.finish();
        let header = Header {
            kind: KIND.into(),
            schema_version: SCHEMA_VERSION,
            tool: "test".into(),
            generated_at: name.into(),
            scope: Scope::default(),
            settings: Default::default(),
            assets: inv.asset_count() as u64,
        };
        let path = dir.join(name);
        crate::snapshot::write(&path, &header, inv.assets()).unwrap();
        path
    }

    #[test]
    fn assets_are_matched_by_key_and_unnamed_ones_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let old = snapshot(
            dir.path(),
            "old",
            &[
                ("i-b", "No", "10.0.0.2"),
                ("", "No", "10.0.0.8"),
                ("", "No", "10.0.0.9"),
                ("i-a", "No", "10.0.0.1"),
            ],
        );
        let new = snapshot(
            dir.path(),
            "new",
            &[
                ("i-a", "Yes", "10.0.0.1"),
                ("", "No", "10.0.0.8"),
                ("", "No", "10.0.0.9"),
                ("", "No", "10.0.0.7"),
                ("i-c", "No", "10.0.0.3"),
            ],
        );
        let (time, changes) = compare_files(&old, &new).unwrap();
        assert_eq!(time, "old");
        let got: Vec<(ChangeKind, &str, Vec<&str>)> = changes
            .iter()
            .map(|c| {
                (
                    c.change,
                    c.key.asset_id.as_str(),
                    c.columns.iter().map(|k| k.column.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (ChangeKind::Added, "", vec![]),
                (ChangeKind::Changed, "i-a", vec!["Public"]),
                (ChangeKind::Removed, "i-b", vec![]),
                (ChangeKind::Added, "i-c", vec![]),
            ],
            "the third asset without an identifier is new; the two before pair up"
        );
        let (_, same) = compare_files(&new, &new).unwrap();
        assert!(same.is_empty());
    }
}
