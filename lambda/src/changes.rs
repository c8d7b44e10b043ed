//! What changed in the boundary since the last run: assets added, removed, and changed
//! (which columns, old and new value), and permitted connections added, removed or
//! changed when both snapshots keep them, from two snapshots.
//!
//! Assets are matched by their key (account, region, asset type, identifier), never by
//! row position. Both snapshots are in key order, so they are compared in one merging
//! pass that holds one asset of each at a time, however large the inventory.

mod resources;

use std::cmp::Ordering;

use serde::Serialize;

use crate::fields::Field;
use crate::snapshot::{AssetKey, SnapshotAsset, SnapshotConnection, SnapshotError, SnapshotReader};
pub use resources::RESOURCE_COLUMN;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    /// A permitted connection of the asset (its one column says which).
    ConnectionAdded,
    ConnectionRemoved,
    /// Its rule or its reachability from the internet.
    ConnectionChanged,
    /// An information resource outside the rows (`scope: all`).
    ResourceAdded,
    ResourceRemoved,
}

impl ChangeKind {
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
            ChangeKind::ConnectionAdded => "connection added",
            ChangeKind::ConnectionRemoved => "connection removed",
            ChangeKind::ConnectionChanged => "connection changed",
            ChangeKind::ResourceAdded => "resource added",
            ChangeKind::ResourceRemoved => "resource removed",
        }
    }
}

/// The Changes sheet's column for a connection change.
pub const CONNECTION_COLUMN: &str = "Connection";

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
    /// The assets' changes in key order, then the information resources', then the
    /// connections'.
    pub changes: Vec<AssetChange>,
    /// Why the connections were not compared, when one snapshot keeps them and the
    /// other does not.
    pub connections_note: Option<String>,
    /// Likewise for the information resources (`scope: all` in one run only).
    pub resources_note: Option<String>,
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
    #[serde(default)]
    pub connections_added: usize,
    #[serde(default)]
    pub connections_removed: usize,
    #[serde(default)]
    pub connections_changed: usize,
    #[serde(default)]
    pub resources_added: usize,
    #[serde(default)]
    pub resources_removed: usize,
}

impl ChangeReport {
    pub fn first_run() -> Self {
        ChangeReport {
            comparison: Comparison::FirstRun,
            changes: Vec::new(),
            connections_note: None,
            resources_note: None,
        }
    }

    pub fn failed(previous: impl Into<String>, reason: impl Into<String>) -> Self {
        ChangeReport {
            comparison: Comparison::Failed {
                previous: previous.into(),
                reason: reason.into(),
            },
            changes: Vec::new(),
            connections_note: None,
            resources_note: None,
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
            Ok(compared) => ChangeReport {
                comparison: Comparison::Compared {
                    previous: previous_name.to_string(),
                    previous_time: compared.previous_time,
                },
                changes: compared.changes,
                connections_note: compared.connections_note,
                resources_note: compared.resources_note,
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
            connections_added: self.count(ChangeKind::ConnectionAdded),
            connections_removed: self.count(ChangeKind::ConnectionRemoved),
            connections_changed: self.count(ChangeKind::ConnectionChanged),
            resources_added: self.count(ChangeKind::ResourceAdded),
            resources_removed: self.count(ChangeKind::ResourceRemoved),
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
                let mut line = if self.changes.is_empty() {
                    format!("no changes since {previous_time} ({previous})")
                } else {
                    let connections = [
                        ChangeKind::ConnectionAdded,
                        ChangeKind::ConnectionRemoved,
                        ChangeKind::ConnectionChanged,
                    ]
                    .map(|k| self.count(k));
                    let connections = if connections.iter().any(|&n| n > 0) {
                        format!(
                            "; connections: {} added, {} removed, {} changed",
                            connections[0], connections[1], connections[2]
                        )
                    } else {
                        String::new()
                    };
                    let resources = [ChangeKind::ResourceAdded, ChangeKind::ResourceRemoved]
                        .map(|k| self.count(k));
                    let resources = if resources.iter().any(|&n| n > 0) {
                        format!(
                            "; information resources: {} added, {} removed",
                            resources[0], resources[1]
                        )
                    } else {
                        String::new()
                    };
                    format!(
                        "{} added, {} removed, {} changed{resources}{connections} since {previous_time} ({previous})",
                        self.count(ChangeKind::Added),
                        self.count(ChangeKind::Removed),
                        self.count(ChangeKind::Changed)
                    )
                };
                for note in [&self.resources_note, &self.connections_note]
                    .into_iter()
                    .flatten()
                {
                    line.push_str("; ");
                    line.push_str(note);
                }
                line
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

/// What two snapshots' comparison found.
#[derive(Debug)]
pub struct Compared {
    pub previous_time: String,
    pub changes: Vec<AssetChange>,
    pub connections_note: Option<String>,
    pub resources_note: Option<String>,
}

/// The changes from `previous` to `current`, with the previous snapshot's time.
pub fn compare_files(
    previous: &std::path::Path,
    current: &std::path::Path,
) -> Result<Compared, SnapshotError> {
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
    let resources_note = resources::compare(&mut old.reader, &mut new.reader, &mut changes)?;
    let connections_note = match (
        old.reader.header.connections,
        new.reader.header.connections,
    ) {
        (true, true) => {
            connection_changes(&mut old.reader, &mut new.reader, &mut changes)?;
            None
        }
        (false, false) => None,
        (false, true) => Some("connections not compared: the previous snapshot does not keep them (its run did not make them)".to_string()),
        (true, false) => Some("connections not compared: this snapshot does not keep them (the run did not make them)".to_string()),
    };
    Ok(Compared {
        previous_time: time,
        changes,
        connections_note,
        resources_note,
    })
}

/// The connections' changes, in one merging pass over both snapshots' connections.
fn connection_changes(
    old: &mut SnapshotReader,
    new: &mut SnapshotReader,
    changes: &mut Vec<AssetChange>,
) -> Result<(), SnapshotError> {
    let key = |c: &SnapshotConnection| AssetKey {
        account: c.account.clone(),
        region: c.region.clone(),
        asset_type: c.asset_type.clone(),
        asset_id: c.asset_id.clone(),
    };
    let column = |previous: String, current: String| {
        vec![ColumnChange {
            column: CONNECTION_COLUMN.into(),
            previous,
            current,
        }]
    };
    let mut a = old.next_connection()?;
    let mut b = new.next_connection()?;
    loop {
        let order = match (&a, &b) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.order_key().cmp(&y.order_key()),
        };
        match order {
            Ordering::Less => {
                let x = a.take().unwrap_or_default();
                let columns = column(x.describe(), String::new());
                changes.push(change(ChangeKind::ConnectionRemoved, key(&x), columns));
                a = old.next_connection()?;
            }
            Ordering::Greater => {
                let y = b.take().unwrap_or_default();
                let columns = column(String::new(), y.describe());
                changes.push(change(ChangeKind::ConnectionAdded, key(&y), columns));
                b = new.next_connection()?;
            }
            Ordering::Equal => {
                let (x, y) = (a.take().unwrap_or_default(), b.take().unwrap_or_default());
                let (before, after) = (x.describe(), y.describe());
                if before != after {
                    let columns = column(before, after);
                    changes.push(change(ChangeKind::ConnectionChanged, key(&y), columns));
                }
                a = old.next_connection()?;
                b = new.next_connection()?;
            }
        }
    }
    Ok(())
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
            connections: false,
            resources: None,
        };
        let path = dir.join(name);
        let (none, nothing) = (std::iter::empty(), std::iter::empty());
        crate::snapshot::write(&path, &header, inv.assets(), none, nothing).unwrap();
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
        let compared = compare_files(&old, &new).unwrap();
        assert_eq!(compared.previous_time, "old");
        let changes = compared.changes;
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
        let same = compare_files(&new, &new).unwrap();
        assert!(same.changes.is_empty());
        assert_eq!(same.connections_note, None);
    }

    fn with_connections(
        dir: &std::path::Path,
        name: &str,
        connections: Option<&[SnapshotConnection]>,
    ) -> std::path::PathBuf {
        let path = snapshot(dir, name, &[("i-a", "No", "10.0.0.1")]);
        let mut reader = crate::snapshot::SnapshotReader::open(&path).unwrap();
        let mut header = reader.header.clone();
        let mut inv = Inventory::new();
        while let Some(asset) = reader.next_asset().unwrap() {
            let mut a = Asset::default();
            a.set_account(&asset.key.account);
            a.set_region(&asset.key.region);
            a.set(Field::AssetType, &asset.key.asset_type);
            a.set(Field::AssetId, &asset.key.asset_id);
            inv.add(&a, 0);
        }
        inv.finish();
        header.connections = connections.is_some();
        let lines = connections.unwrap_or_default().to_vec();
        let none = std::iter::empty();
        crate::snapshot::write(&path, &header, inv.assets(), none, lines.into_iter()).unwrap();
        path
    }

    fn connection(id: &str, ports: &str, reachable: Option<bool>) -> SnapshotConnection {
        SnapshotConnection {
            id: id.into(),
            account: "1".into(),
            region: "r".into(),
            asset_type: "EC2".into(),
            asset_id: "i-a".into(),
            direction: "inbound".into(),
            party: "internet 0.0.0.0/0".into(),
            protocol: "TCP".into(),
            ports: ports.into(),
            security_group: Some("sg-1".into()),
            rule: "inbound 1".into(),
            reachable,
        }
    }

    #[test]
    fn connections_are_matched_by_id_and_a_new_one_is_added() {
        let dir = tempfile::tempdir().unwrap();
        let before = [
            connection("c-1", "443", Some(false)),
            connection("c-2", "22", Some(false)),
        ];
        let after = [
            connection("c-1", "443", Some(true)),
            connection("c-3", "3389", Some(true)),
        ];
        let old = with_connections(dir.path(), "old", Some(&before));
        let new = with_connections(dir.path(), "new", Some(&after));
        let compared = compare_files(&old, &new).unwrap();
        let got: Vec<(ChangeKind, &str, &str)> = compared
            .changes
            .iter()
            .map(|c| {
                let col = &c.columns[0];
                (c.change, col.previous.as_str(), col.current.as_str())
            })
            .collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].0, ChangeKind::ConnectionChanged);
        assert!(got[0].1.ends_with("not reachable from the internet (c-1)"));
        assert!(got[0].2.ends_with("; reachable from the internet (c-1)"));
        assert_eq!(got[1], (ChangeKind::ConnectionRemoved, got[1].1, ""));
        assert!(got[1].1.starts_with("inbound TCP 22 from internet 0.0.0.0/0 to this asset, permitted by security group sg-1 inbound 1"));
        assert_eq!(got[2].0, ChangeKind::ConnectionAdded);
        assert!(got[2].2.contains("TCP 3389"));
        let report = ChangeReport::compare("old", &old, &new);
        assert_eq!(
            report.headline(),
            "0 added, 0 removed, 0 changed; connections: 1 added, 1 removed, 1 changed since old (old)"
        );
        let counts = report.counts();
        assert_eq!(
            (
                counts.connections_added,
                counts.connections_removed,
                counts.connections_changed
            ),
            (1, 1, 1)
        );
    }

    #[test]
    fn connections_kept_on_one_side_only_are_not_compared_and_said_so() {
        let dir = tempfile::tempdir().unwrap();
        let old = with_connections(dir.path(), "old", None);
        let new = with_connections(dir.path(), "new", Some(&[connection("c-1", "443", None)]));
        let report = ChangeReport::compare("old", &old, &new);
        assert!(report.changes.is_empty(), "never all shown as added");
        assert!(report.headline().ends_with(
            "connections not compared: the previous snapshot does not keep them (its run did not make them)"
        ));
    }

    #[test]
    fn a_snapshot_cut_short_in_its_connections_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let whole = with_connections(
            dir.path(),
            "whole",
            Some(&[
                connection("c-1", "443", None),
                connection("c-2", "22", None),
            ]),
        );
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::MultiGzDecoder::new(std::fs::File::open(&whole).unwrap()),
            &mut text,
        )
        .unwrap();
        let cut: Vec<&str> = text.lines().collect();
        assert_eq!(cut.last(), Some(&r#"{"connections_end":2}"#));
        let write = |name: &str, lines: &[&str]| {
            let path = dir.path().join(name);
            let mut gz = flate2::write::GzEncoder::new(
                std::fs::File::create(&path).unwrap(),
                flate2::Compression::fast(),
            );
            std::io::Write::write_all(&mut gz, (lines.join("\n") + "\n").as_bytes()).unwrap();
            gz.finish().unwrap();
            path
        };
        let no_end = write("no-end", &cut[..cut.len() - 1]);
        let err = compare_files(&whole, &no_end).unwrap_err().to_string();
        assert!(
            err.ends_with("cut short: no end line after 2 connections"),
            "{err}"
        );
        let short = write(
            "short",
            &[&cut[..cut.len() - 2], &cut[cut.len() - 1..]].concat(),
        );
        let err = compare_files(&whole, &short).unwrap_err().to_string();
        assert!(
            err.ends_with("its end line counts 2 connections, 1 were read"),
            "{err}"
        );
    }
}
