//! The kernel every reader feeds: one Config item in, a mapped outcome out; outcomes
//! gathered in a fixed order into the inventory and a finished [`Summary`].
//!
//! Readers (files, AWS Config) sit above it and only produce [`Batch`]es and say how
//! each of their inputs went ([`InputStatus`]); nothing here knows where items came
//! from, so the file pipeline and the live collection cannot drift apart.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::Receiver;

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostics;
use crate::inventory::Inventory;
use crate::item::ConfigItem;
use crate::mapper::{map_item, mapper_for, HostFacts, MapContext, Mapped, MappedItem, REGISTRY};
use crate::summary::{InputReport, Summary, TypeCount, UnsupportedType};

/// Where a value was found: line of the input, and its place inside that line's or
/// document's value when it was opened up (`Results[3]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub line: u64,
    pub path: Option<String>,
}

impl Origin {
    pub fn describe(&self, input: &str) -> String {
        match &self.path {
            Some(p) => format!("{input}:{} {p}", self.line),
            None => format!("{input}:{}", self.line),
        }
    }
}

/// What became of one candidate item.
pub enum Outcome {
    Mapped(Origin, Box<MappedItem>),
    Unsupported(Origin, Option<String>),
    Bad(Origin, String),
}

/// Outcomes of consecutive items of one input. `seq` orders batches across inputs and
/// threads, so the inventory does not depend on thread timing.
pub struct Batch {
    pub seq: u64,
    pub input: usize,
    pub items: Vec<Outcome>,
}

/// Parses and maps one candidate item.
pub fn map_value(
    origin: Origin,
    value: Result<serde_json::Value, String>,
    ctx: &MapContext,
) -> Outcome {
    let value = match value {
        Ok(v) => v,
        Err(message) => return Outcome::Bad(origin, message),
    };
    let mut warnings = Vec::new();
    let item = match ConfigItem::from_json(value, &mut warnings) {
        Ok(item) => item,
        Err(e) => return Outcome::Bad(origin, e.to_string()),
    };
    match map_item(&item, ctx) {
        Mapped::Item(mut mapped) => {
            warnings.append(&mut mapped.warnings);
            mapped.warnings = warnings;
            Outcome::Mapped(origin, Box::new(mapped))
        }
        Mapped::Unsupported(kind) => Outcome::Unsupported(origin, kind),
    }
}

/// How one input was read, as the reader saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputStatus {
    /// "read", or why not (fully): shown beside the input in the Run Summary.
    pub status: String,
    /// The error that stopped it, listed before the item problems.
    pub error: Option<String>,
    /// The line the error is on, when it is on one.
    pub error_line: Option<u64>,
}

impl InputStatus {
    pub fn read() -> Self {
        InputStatus {
            status: "read".into(),
            error: None,
            error_line: None,
        }
    }

    pub fn failed(status: impl Into<String>, error: impl Into<String>) -> Self {
        InputStatus {
            status: status.into(),
            error: Some(error.into()),
            error_line: None,
        }
    }
}

/// The status of an input that could not be opened.
pub const STATUS_UNREADABLE: &str = "not read";

/// What the gatherer built, before the readers said how each input went.
pub struct Gathered {
    sort_time: std::time::Duration,
    inventory: Inventory,
    names: Vec<String>,
    per_input: Vec<u64>,
    diagnostics: Diagnostics,
    unsupported: BTreeMap<String, UnsupportedType>,
    /// Items read per registry index.
    items_per_kind: BTreeMap<u16, u64>,
}

/// Takes batches in sequence order (whatever order they arrive in) and builds the
/// sorted inventory. `names` label the inputs in diagnostics.
pub fn gather(rx: Receiver<Batch>, names: Vec<String>) -> Gathered {
    let mut inventory = Inventory::new();
    let mut diagnostics = Diagnostics::default();
    let mut unsupported: BTreeMap<String, UnsupportedType> = BTreeMap::new();
    let mut per_input = vec![0u64; names.len()];
    let mut waiting: HashMap<u64, Batch> = HashMap::new();
    let mut items_per_kind: BTreeMap<u16, u64> = BTreeMap::new();
    // SSM facts per host, joined onto the instances once every item is in.
    let mut hosts: HashMap<(String, String, String), HostFacts> = HashMap::new();
    let mut next = 0u64;
    for batch in rx {
        waiting.insert(batch.seq, batch);
        while let Some(batch) = waiting.remove(&next) {
            next += 1;
            let name = &names[batch.input];
            for outcome in batch.items {
                match outcome {
                    Outcome::Mapped(origin, mapped) => {
                        per_input[batch.input] += 1;
                        *items_per_kind.entry(mapped.kind).or_default() += 1;
                        for w in mapped.warnings {
                            diagnostics.warn(origin.describe(name), w);
                        }
                        for asset in &mapped.assets {
                            inventory.add(asset, mapped.kind);
                        }
                        if let Some(reason) = mapped.skipped {
                            inventory.count_skipped(reason);
                        }
                        if let Some(host) = mapped.host {
                            let key = (
                                host.account.clone(),
                                host.region.clone(),
                                host.instance_id.clone(),
                            );
                            match hosts.get_mut(&key) {
                                Some(known) => known.merge(*host),
                                None => {
                                    hosts.insert(key, *host);
                                }
                            }
                        }
                    }
                    Outcome::Unsupported(origin, kind) => {
                        per_input[batch.input] += 1;
                        let kind = kind.unwrap_or_else(|| "(no resourceType)".to_string());
                        let entry = unsupported.entry(kind).or_default();
                        if entry.items == 0 {
                            entry.first_seen = origin.describe(name);
                        }
                        entry.items += 1;
                    }
                    Outcome::Bad(origin, message) => {
                        diagnostics.error(origin.describe(name), message)
                    }
                }
            }
        }
    }
    let mut hosts: Vec<HostFacts> = hosts.into_values().collect();
    hosts.sort_by(|a, b| {
        (&a.account, &a.region, &a.instance_id).cmp(&(&b.account, &b.region, &b.instance_id))
    });
    let instance_kind = mapper_for("AWS::EC2::Instance").map_or(0, |(k, _)| k);
    let host_kind = mapper_for("AWS::SSM::ManagedInstanceInventory").map_or(0, |(k, _)| k);
    for (source, message) in inventory.join_hosts(hosts, instance_kind, host_kind) {
        diagnostics.warn(source, message);
    }
    let sorting = std::time::Instant::now();
    inventory.finish();
    Gathered {
        sort_time: sorting.elapsed(),
        inventory,
        names,
        per_input,
        diagnostics,
        unsupported,
        items_per_kind,
    }
}

impl Gathered {
    /// The finished inventory and summary, once every input's status is known
    /// (`statuses[i]` is input `i`'s). Read errors come first in the problem list,
    /// then item problems in input order.
    pub fn finish(
        self,
        statuses: Vec<InputStatus>,
        generated_at: DateTime<Utc>,
    ) -> (Inventory, Summary) {
        let mut diagnostics = Diagnostics::default();
        let mut inputs = Vec::with_capacity(self.names.len());
        for (i, name) in self.names.into_iter().enumerate() {
            let status = statuses.get(i).cloned().unwrap_or_else(InputStatus::read);
            if let Some(error) = &status.error {
                let source = match status.error_line {
                    Some(line) => format!("{name}:{line}"),
                    None => name.clone(),
                };
                diagnostics.error(source, error.clone());
            }
            inputs.push(InputReport {
                name,
                items: self.per_input[i],
                status: status.status,
            });
        }
        for d in self.diagnostics.entries() {
            diagnostics.push_entry(d.clone());
        }
        let inventory = self.inventory;
        let mut types: BTreeMap<String, TypeCount> = BTreeMap::new();
        for (kind, items) in &self.items_per_kind {
            types.entry(type_name(*kind)).or_default().items += items;
        }
        for (kind, rows) in inventory.rows_per_kind() {
            types.entry(type_name(kind)).or_default().rows += rows;
        }
        let summary = Summary {
            generated_at,
            inputs,
            items_read: self.per_input.iter().sum(),
            assets: inventory.asset_count() as u64,
            rows: inventory.row_count() as u64,
            duplicates: inventory.duplicates(),
            folded: inventory.folded().clone(),
            types,
            row_counts: inventory.row_counts(),
            unsupported: self.unsupported,
            diagnostics,
            sort_time: self.sort_time,
        };
        (inventory, summary)
    }
}

fn type_name(kind: u16) -> String {
    REGISTRY
        .get(kind as usize)
        .map_or("(unknown)", |m| m.resource_type)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::sync_channel;

    fn origin(line: u64) -> Origin {
        Origin { line, path: None }
    }

    fn table(arn: &str) -> Outcome {
        let item = serde_json::json!({"resourceType": "AWS::DynamoDB::Table", "arn": arn,
            "accountId": "1", "awsRegion": "r", "configuration": {}});
        map_value(origin(1), Ok(item), &MapContext::default())
    }

    #[test]
    fn batches_are_taken_in_sequence_and_the_summary_is_finished() {
        let (tx, rx) = sync_channel(4);
        tx.send(Batch {
            seq: 1,
            input: 1,
            items: vec![table("b"), Outcome::Bad(origin(7), "not JSON".into())],
        })
        .unwrap();
        tx.send(Batch {
            seq: 0,
            input: 0,
            items: vec![table("a"), Outcome::Unsupported(origin(2), None)],
        })
        .unwrap();
        drop(tx);
        let gathered = gather(rx, vec!["one".into(), "two".into()]);
        let (inventory, summary) = gathered.finish(
            vec![
                InputStatus::read(),
                InputStatus::failed("partly read", "syntax error"),
            ],
            Utc::now(),
        );
        assert_eq!(inventory.row_count(), 2);
        assert_eq!(summary.items_read, 3);
        assert_eq!(summary.inputs[1].status, "partly read");
        assert_eq!(summary.unsupported["(no resourceType)"].first_seen, "one:2");
        let problems: Vec<String> = summary
            .diagnostics
            .entries()
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            problems,
            ["error: two: syntax error", "error: two:7: not JSON"],
            "read errors first, then item problems"
        );
    }
}
