//! The changes between two snapshots as lines of a table: the columns and rows that the
//! Changes sheet and the changes CSV both write. Pure: no file, no format.

use crate::changes::{AssetChange, ChangeReport, ColumnChange};

/// The Changes sheet's columns.
pub const HEADERS: [&str; 8] = [
    "Change",
    "Account",
    "Region",
    "Asset Type",
    "Unique Asset Identifier",
    "Column",
    "Previous value",
    "Current value",
];

/// One line per added or removed asset and per changed column, as they are written:
/// a list of 100,000 changes is not held twice.
pub fn lines(report: &ChangeReport) -> impl Iterator<Item = [&str; 8]> + '_ {
    report.changes.iter().flat_map(|c| {
        let whole = c.columns.is_empty().then(|| line_of(c, None));
        whole
            .into_iter()
            .chain(c.columns.iter().map(move |col| line_of(c, Some(col))))
    })
}

/// A change's line: the asset's, or one of its changed columns'.
fn line_of<'a>(c: &'a AssetChange, column: Option<&'a ColumnChange>) -> [&'a str; 8] {
    let (name, previous, current) = column.map_or(("", "", ""), |col| {
        (
            col.column.as_str(),
            col.previous.as_str(),
            col.current.as_str(),
        )
    });
    [
        c.change.name(),
        c.key.account.as_str(),
        c.key.region.as_str(),
        c.key.asset_type.as_str(),
        c.key.asset_id.as_str(),
        name,
        previous,
        current,
    ]
}

/// The lines of [`lines`] by number, for a sheet whose rows are written in pieces side
/// by side: where each change's lines begin (a number a change).
pub struct Numbered<'a> {
    report: &'a ChangeReport,
    starts: Vec<usize>,
}

impl<'a> Numbered<'a> {
    pub fn new(report: &'a ChangeReport) -> Self {
        let mut next = 0;
        let starts = report
            .changes
            .iter()
            .map(|c| {
                let start = next;
                next += c.columns.len().max(1);
                start
            })
            .collect();
        Numbered { report, starts }
    }

    pub fn report(&self) -> &'a ChangeReport {
        self.report
    }

    /// Line `i` (less than [`line_count`]).
    pub fn line(&self, i: usize) -> [&'a str; 8] {
        let at = self.starts.partition_point(|&start| start <= i) - 1;
        let c = &self.report.changes[at];
        line_of(c, c.columns.get(i - self.starts[at]))
    }
}

/// How many lines [`lines`] gives.
pub fn line_count(report: &ChangeReport) -> usize {
    report.changes.iter().map(|c| c.columns.len().max(1)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::{ChangeKind, Comparison};
    use crate::snapshot::AssetKey;

    /// Line by line or by number, the same lines.
    #[test]
    fn numbered_lines_are_the_lines() {
        let change = |id: &str, columns: usize| AssetChange {
            change: ChangeKind::Changed,
            key: AssetKey {
                asset_id: id.into(),
                ..AssetKey::default()
            },
            columns: (0..columns)
                .map(|c| ColumnChange {
                    column: format!("c{c}"),
                    previous: String::new(),
                    current: String::new(),
                })
                .collect(),
        };
        let report = ChangeReport {
            comparison: Comparison::FirstRun,
            connections_note: None,
            resources_note: None,
            changes: vec![
                change("a", 0),
                change("b", 3),
                change("c", 1),
                change("d", 0),
            ],
        };
        let numbered = Numbered::new(&report);
        let by_number: Vec<[&str; 8]> =
            (0..line_count(&report)).map(|i| numbered.line(i)).collect();
        assert_eq!(by_number, lines(&report).collect::<Vec<_>>());
        assert_eq!(by_number.len(), 6);
        assert_eq!((by_number[3][4], by_number[3][5]), ("b", "c2"));
    }
}
