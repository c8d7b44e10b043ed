//! The information resources' changes (`scope: all`): resources added and removed
//! between two snapshots that both keep them, in one merging pass.

use std::cmp::Ordering;

use super::{change, AssetChange, ChangeKind, ColumnChange};
use crate::snapshot::{SnapshotError, SnapshotReader, SnapshotResource};

/// The Changes sheet's column for a resource change.
pub const RESOURCE_COLUMN: &str = "Information resource";

/// Appends the resources' changes, reading both snapshots past their resources (so
/// their connections can be read next). When only one keeps resources, nothing is
/// compared and the note says why: they are never all listed as added.
pub(super) fn compare(
    old: &mut SnapshotReader,
    new: &mut SnapshotReader,
    changes: &mut Vec<AssetChange>,
) -> Result<Option<String>, SnapshotError> {
    let note = match (old.header.resources, new.header.resources) {
        (Some(_), Some(_)) => None,
        (None, None) => return Ok(None),
        (None, Some(_)) => Some("information resources not compared: the previous snapshot does not keep them (its run had scope: boundary)"),
        (Some(_), None) => Some("information resources not compared: this snapshot does not keep them (the run had scope: boundary)"),
    };
    if let Some(note) = note {
        while old.next_resource()?.is_some() {}
        while new.next_resource()?.is_some() {}
        return Ok(Some(note.to_string()));
    }
    let column = |r: &SnapshotResource, added: bool| {
        let what = match r.arn.as_str() {
            "" => r.name.clone(),
            arn => arn.to_string(),
        };
        let (previous, current) = if added {
            (String::new(), what)
        } else {
            (what, String::new())
        };
        vec![ColumnChange {
            column: RESOURCE_COLUMN.into(),
            previous,
            current,
        }]
    };
    let mut a = old.next_resource()?;
    let mut b = new.next_resource()?;
    loop {
        let order = match (&a, &b) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.key().cmp(&y.key()),
        };
        match order {
            Ordering::Less => {
                let x = a.take().unwrap_or_default();
                changes.push(change(
                    ChangeKind::ResourceRemoved,
                    x.key(),
                    column(&x, false),
                ));
                a = old.next_resource()?;
            }
            Ordering::Greater => {
                let y = b.take().unwrap_or_default();
                changes.push(change(ChangeKind::ResourceAdded, y.key(), column(&y, true)));
                b = new.next_resource()?;
            }
            Ordering::Equal => {
                a = old.next_resource()?;
                b = new.next_resource()?;
            }
        }
    }
    Ok(None)
}
