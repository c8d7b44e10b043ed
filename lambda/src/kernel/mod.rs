//! The kernel every reader feeds: one Config item in, a mapped outcome out; outcomes
//! gathered in a fixed order into the inventory and a finished [`Summary`].
//!
//! Readers (files, AWS Config) sit above it and only produce [`Batch`]es and say how
//! each of their inputs went ([`InputStatus`]); nothing here knows where items came
//! from, so the file pipeline and the live collection cannot drift apart.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::Receiver;

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostics;
use crate::inventory::{Inventory, Resource};
use crate::item::{ConfigItem, NO_CONFIGURATION};
use crate::json::Json;
use crate::mapper::{
    map_item, mapper_for, HostFacts, MapContext, Mapped, MappedItem, TagNames, MAX_VALUE_CHARS,
    REGISTRY,
};
use crate::network::{self, is_network_type, Attachment, Attachments, Fact, NetworkFacts};
use crate::progress::Progress;
use crate::scan::coverage::RecordList;
use crate::scan::join::{join, Kinds, IMAGE_KIND, IMAGE_SOURCE};
use crate::scan::{CoverageSet, ScanKind, ScanWindow, Scope};
use crate::settings::{self, Network};
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
    /// The assets of an item, and where the first sits on the network (network on).
    Mapped(Origin, Box<MappedItem>, Option<Box<Attachment>>),
    Unsupported(Origin, Option<String>),
    Bad(Origin, String),
    /// Amazon Inspector's coverage in one account and region, read by a live target.
    Scanned(Box<ScanRead>),
    /// A network fact (security group, subnet, ...), with the warnings met reading it,
    /// and with `scope: all` the resource it is (no workbook row lists it).
    Network(Origin, Box<Fact>, Vec<String>, Option<Box<Resource>>),
    /// An item left out: of a network type with the network setting off (the run names
    /// the network types as not read), or with the reason (deleted, not recorded),
    /// counted as the items of the mapped types are.
    LeftOut(Option<&'static str>),
    /// An information resource of a type without a mapper (`scope: all`).
    Resource(Origin, Box<Resource>, Vec<String>),
}

/// What one account and region said of its scans: the kinds whose scanning is
/// enabled there (only those are judged), and the covered resources.
pub struct ScanRead {
    pub account: String,
    pub region: String,
    pub enabled: Vec<ScanKind>,
    pub records: RecordList,
    pub warnings: Vec<(String, String)>,
}

/// Outcomes of consecutive items of one input. `seq` orders batches across inputs and
/// threads, so the inventory does not depend on thread timing.
pub struct Batch {
    pub seq: u64,
    pub input: usize,
    pub items: Vec<Outcome>,
}

/// Parses and maps one candidate item.
pub fn map_value(origin: Origin, value: Result<Json<'_>, String>, ctx: &MapContext) -> Outcome {
    let value = match value {
        Ok(v) => v,
        Err(message) => return Outcome::Bad(origin, message),
    };
    let mut warnings = Vec::new();
    let item = match ConfigItem::from_json(value, &mut warnings) {
        Ok(item) => item,
        Err(e) => return Outcome::Bad(origin, e.to_string()),
    };
    let every = ctx.scope == settings::Scope::All;
    if item.resource_type.as_deref().is_some_and(is_network_type) {
        match ctx.network {
            // With `scope: all` it is listed as an information resource, below.
            Network::Off if !every => return Outcome::LeftOut(None),
            Network::Off => {}
            Network::On => {
                // A deleted or unrecorded resource permits nothing now.
                if let Some(reason) = item.not_current() {
                    return Outcome::LeftOut(Some(reason));
                }
                if let Some((fact, mut more)) = network::facts::read(&item) {
                    warnings.append(&mut more);
                    // Not a workbook row: with `scope: all`, an information resource.
                    let resource =
                        every.then(|| Box::new(resource_of(&item, &ctx.tag_names, &mut warnings)));
                    return Outcome::Network(origin, Box::new(fact), warnings, resource);
                }
            }
        }
    }
    match map_item(&item, ctx) {
        Mapped::Item(mut mapped) => {
            warnings.append(&mut mapped.warnings);
            let attachment = match (ctx.network, mapped.assets.first()) {
                (Network::On, Some(_)) => {
                    let (attachment, mut more) =
                        network::attach::read(&item, &ctx.tag_names.purpose, ctx.subnets);
                    warnings.append(&mut more);
                    attachment.map(Box::new)
                }
                _ => None,
            };
            mapped.warnings = warnings;
            Outcome::Mapped(origin, Box::new(mapped), attachment)
        }
        Mapped::Unsupported(Some(_)) if every => {
            // Listed like the mapped types: a deleted or unrecorded one is counted, not
            // listed.
            if let Some(reason) = item.not_current() {
                return Outcome::LeftOut(Some(reason));
            }
            // Read by its envelope alone: no configuration is expected.
            warnings.retain(|w| w != NO_CONFIGURATION);
            let resource = resource_of(&item, &ctx.tag_names, &mut warnings);
            Outcome::Resource(origin, Box::new(resource), warnings)
        }
        Mapped::Unsupported(kind) => Outcome::Unsupported(origin, kind),
    }
}

/// The envelope of an item of a type without a mapper, each value cut to what the
/// inventory keeps (with a warning: nothing is cut silently).
fn resource_of(item: &ConfigItem, tags: &TagNames, warnings: &mut Vec<String>) -> Resource {
    let values = [
        ("accountId", item.account_id.as_deref()),
        ("awsRegion", item.region.as_deref()),
        ("resourceType", item.resource_type.as_deref()),
        ("resourceId", item.resource_id.as_deref()),
        ("arn", item.arn.as_deref()),
        ("resourceName", item.resource_name.as_deref()),
        ("the owner tag", item.tag(&tags.owner)),
        (
            "the application-owner tag",
            item.tag(&tags.application_owner),
        ),
        ("configurationItemCaptureTime", item.captured_at.as_deref()),
    ]
    .map(|(what, value)| {
        let value = value.unwrap_or_default();
        // A value of at most MAX_VALUE_CHARS bytes has at most as many characters.
        if value.len() <= MAX_VALUE_CHARS || value.chars().count() <= MAX_VALUE_CHARS {
            return Cow::Borrowed(value);
        }
        warnings.push(format!(
            "{what} cut from {} to {MAX_VALUE_CHARS} characters (the most the inventory keeps)",
            value.chars().count()
        ));
        Cow::Owned(value.chars().take(MAX_VALUE_CHARS).collect::<String>())
    });
    Resource::new(std::array::from_fn(|i| values[i].as_ref()))
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
    items_per_kind: Vec<u64>,
    /// Inspector's coverage, read live (or handed in from files).
    coverage: Option<CoverageSet>,
    network: NetworkFacts,
    attachments: Attachments,
    /// Whether the network evidence is derived at all (`network: off`: no), and
    /// whether the facts stay with it past [`Gathered::finish`].
    network_setting: Network,
    keep_network: bool,
}

/// Takes batches in sequence order (whatever order they arrive in) and builds the
/// sorted inventory. `names` label the inputs in diagnostics.
pub fn gather(rx: Receiver<Batch>, names: Vec<String>, progress: &Progress) -> Gathered {
    let mut inventory = Inventory::new();
    let mut diagnostics = Diagnostics::default();
    let mut unsupported: BTreeMap<String, UnsupportedType> = BTreeMap::new();
    let mut per_input = vec![0u64; names.len()];
    let mut waiting: HashMap<u64, Batch> = HashMap::new();
    let mut items_per_kind = vec![0u64; REGISTRY.len()];
    // SSM facts per host, joined onto the instances once every item is in.
    let mut hosts: HashMap<(String, String, String), HostFacts> = HashMap::new();
    let mut coverage: Option<CoverageSet> = None;
    let mut network = NetworkFacts::default();
    let mut attachments = Attachments::default();
    let mut next = 0u64;
    for batch in rx {
        waiting.insert(batch.seq, batch);
        while let Some(batch) = waiting.remove(&next) {
            next += 1;
            let name = &names[batch.input];
            // Coverage is no item: it is not counted as one.
            let items = batch
                .items
                .iter()
                .filter(|o| !matches!(o, Outcome::Scanned(_)))
                .count() as u64;
            let rows = inventory.row_count();
            for outcome in batch.items {
                match outcome {
                    Outcome::Mapped(origin, mapped, attachment) => {
                        per_input[batch.input] += 1;
                        items_per_kind[mapped.kind as usize] += 1;
                        for w in mapped.warnings {
                            diagnostics.warn(origin.describe(name), w);
                        }
                        let mut first = None;
                        for asset in &mapped.assets {
                            let index = inventory.add(asset, mapped.kind);
                            first.get_or_insert(index);
                        }
                        if let (Some(attachment), Some(index)) = (attachment, first) {
                            attachments.add(index, *attachment);
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
                    Outcome::Scanned(read) => {
                        let set = coverage.get_or_insert_with(|| CoverageSet {
                            scope: Scope::Places(Default::default()),
                            ..CoverageSet::default()
                        });
                        if let Scope::Places(places) = &mut set.scope {
                            for kind in &read.enabled {
                                places.insert((read.account.clone(), read.region.clone(), *kind));
                            }
                        }
                        set.records.append(read.records);
                        set.warnings.extend(read.warnings);
                    }
                    Outcome::Network(origin, fact, warnings, resource) => {
                        per_input[batch.input] += 1;
                        for w in warnings {
                            diagnostics.warn(origin.describe(name), w);
                        }
                        network.add(*fact);
                        if let Some(resource) = resource {
                            inventory.add_resource(&resource);
                        }
                    }
                    Outcome::Resource(origin, resource, warnings) => {
                        per_input[batch.input] += 1;
                        for w in warnings {
                            diagnostics.warn(origin.describe(name), w);
                        }
                        inventory.add_resource(&resource);
                    }
                    Outcome::LeftOut(reason) => {
                        per_input[batch.input] += 1;
                        if let Some(reason) = reason {
                            inventory.count_skipped(reason);
                        }
                    }
                }
            }
            progress.add(items, (inventory.row_count() - rows) as u64);
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
    Gathered {
        sort_time: std::time::Duration::ZERO,
        inventory,
        names,
        per_input,
        diagnostics,
        unsupported,
        items_per_kind,
        coverage,
        network,
        attachments,
        network_setting: Network::On,
        keep_network: false,
    }
}

impl Gathered {
    /// Whether [`Gathered::finish`] derives the network evidence (`network`), and
    /// keeps the network facts and attachments with it (`keep`) for an output made from
    /// them when it is written (the permitted connections, the diagram); otherwise they
    /// are let go once the ports are derived, before anything is written.
    pub fn network_evidence(&mut self, network: Network, keep: bool) {
        self.network_setting = network;
        self.keep_network = keep;
    }

    /// The finished inventory and summary, once every input's status is known
    /// (`statuses[i]` is input `i`'s). Read errors come first in the problem list,
    /// then item problems in input order. With a scan window, the coverage is joined
    /// on first, then the rows are put in order: `files` (read from files, it stands
    /// for every account and region; borrowed, not copied), else what live targets
    /// read (none: nothing was in scope).
    pub fn finish(
        mut self,
        statuses: Vec<InputStatus>,
        generated_at: DateTime<Utc>,
        window: Option<ScanWindow>,
        files: Option<&CoverageSet>,
    ) -> (Inventory, Summary) {
        let scan = window.map(|window| {
            let read = self.coverage.take().unwrap_or_else(|| CoverageSet {
                scope: Scope::Places(Default::default()),
                ..CoverageSet::default()
            });
            let set = files.unwrap_or(&read);
            let (report, warnings) = join(&mut self.inventory, set, &window, &Kinds::of_registry());
            for (source, message) in warnings {
                self.diagnostics.warn(source, message);
            }
            report
        });
        // Every item is in: the network's lists only shrink from here.
        self.network.shrink_to_fit();
        self.attachments.shrink_to_fit();
        let sorting = std::time::Instant::now();
        self.inventory.finish();
        self.sort_time = sorting.elapsed();
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
        for (kind, &items) in self.items_per_kind.iter().enumerate() {
            if items > 0 {
                types.entry(type_name(kind as u16)).or_default().items += items;
            }
        }
        for (kind, rows) in inventory.rows_per_kind() {
            types.entry(type_name(kind)).or_default().rows += rows;
        }
        let summary = Summary {
            // Said by the run, which knows how it read (run.rs, collect/).
            read_with: Vec::new(),
            generated_at,
            inputs,
            items_read: self.per_input.iter().sum(),
            assets: inventory.asset_count() as u64,
            rows: inventory.row_count() as u64,
            duplicates: inventory.duplicates(),
            folded: inventory.folded().clone(),
            types,
            row_counts: inventory.row_counts(),
            scope: settings::Scope::Boundary,
            resources: inventory.resources().per_type(),
            unsupported: self.unsupported,
            diagnostics,
            sort_time: self.sort_time,
            scan,
            not_read: BTreeMap::new(),
            network: self.network.counts(),
            unlabelled: inventory
                .assets()
                .filter(|a| a.get(crate::fields::Field::DiagramLabel).is_empty())
                .count() as u64,
            not_written: Vec::new(),
            evidence: (self.network_setting == Network::On).then(|| {
                let mut evidence =
                    network::ports::derive(&self.network, &self.attachments, &inventory);
                if self.keep_network {
                    evidence.keep(self.network, self.attachments);
                }
                evidence
            }),
        };
        (inventory, summary)
    }
}

fn type_name(kind: u16) -> String {
    if kind == IMAGE_KIND {
        return IMAGE_SOURCE.to_string();
    }
    REGISTRY
        .get(kind as usize)
        .map_or("(unknown)", |m| m.resource_type)
        .to_string()
}

#[cfg(test)]
mod join_and_fold_tests;
#[cfg(test)]
mod tests;
