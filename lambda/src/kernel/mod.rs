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
use crate::json::Json;
use crate::mapper::{map_item, mapper_for, HostFacts, MapContext, Mapped, MappedItem, REGISTRY};
use crate::network::{self, is_network_type, Attachment, Attachments, Fact, NetworkFacts};
use crate::progress::Progress;
use crate::scan::coverage::RecordList;
use crate::scan::join::{join, Kinds, IMAGE_KIND, IMAGE_SOURCE};
use crate::scan::{CoverageSet, ScanKind, ScanWindow, Scope};
use crate::settings::Network;
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
    /// A network fact (security group, subnet, ...), with the warnings met reading it.
    Network(Origin, Box<Fact>, Vec<String>),
    /// An item of a network type left out: with the network setting off (the run names
    /// the network types as not read), or with the reason (deleted, not recorded),
    /// counted as the items of the other types are.
    NetworkLeftOut(Option<&'static str>),
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
    if item.resource_type.as_deref().is_some_and(is_network_type) {
        if ctx.network == Network::Off {
            return Outcome::NetworkLeftOut(None);
        }
        // A deleted or unrecorded resource permits nothing now.
        if let Some(reason) = item.not_current() {
            return Outcome::NetworkLeftOut(Some(reason));
        }
        if let Some((fact, mut more)) = network::facts::read(&item) {
            warnings.append(&mut more);
            return Outcome::Network(origin, Box::new(fact), warnings);
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
    items_per_kind: Vec<u64>,
    /// Inspector's coverage, read live (or handed in from files).
    coverage: Option<CoverageSet>,
    network: NetworkFacts,
    attachments: Attachments,
    /// Whether the facts stay with the evidence past [`Gathered::finish`].
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
                    Outcome::Network(origin, fact, warnings) => {
                        per_input[batch.input] += 1;
                        for w in warnings {
                            diagnostics.warn(origin.describe(name), w);
                        }
                        network.add(*fact);
                    }
                    Outcome::NetworkLeftOut(reason) => {
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
        keep_network: false,
    }
}

impl Gathered {
    /// Keeps the network facts and attachments with the evidence, for an output made
    /// from them when it is written (the permitted connections); otherwise they are let
    /// go once the ports are derived, before anything is written.
    pub fn keep_network_facts(&mut self, keep: bool) {
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
            scan,
            not_read: BTreeMap::new(),
            network: self.network.counts(),
            unlabelled: inventory
                .assets()
                .filter(|a| a.get(crate::fields::Field::DiagramLabel).is_empty())
                .count() as u64,
            evidence: Some({
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
mod tests {
    use super::*;
    use std::sync::mpsc::sync_channel;

    fn origin(line: u64) -> Origin {
        Origin { line, path: None }
    }

    fn table(arn: &str) -> Outcome {
        let item = serde_json::json!({"resourceType": "AWS::DynamoDB::Table", "arn": arn,
            "accountId": "1", "awsRegion": "r", "configuration": {}});
        map_value(origin(1), Ok(item.into()), &MapContext::default())
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
        let gathered = gather(rx, vec!["one".into(), "two".into()], &Progress::default());
        let (inventory, summary) = gathered.finish(
            vec![
                InputStatus::read(),
                InputStatus::failed("partly read", "syntax error"),
            ],
            Utc::now(),
            None,
            None,
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

/// The joins and folds that need every item: SSM facts onto instances, and assets that
/// repeat one already listed.
#[cfg(test)]
mod join_and_fold_tests {
    use super::*;
    use crate::fields::Field;
    use crate::mapper::SoftwareFilter;
    use serde_json::{json, Value};
    use std::sync::mpsc::sync_channel;

    const ACCOUNT: &str = "111111111111";
    const REGION: &str = "us-east-1";

    fn run(items: Vec<Value>, software: SoftwareFilter) -> (Inventory, Summary) {
        let ctx = MapContext {
            software,
            ..MapContext::default()
        };
        let outcomes = items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                map_value(
                    Origin {
                        line: i as u64 + 1,
                        path: None,
                    },
                    Ok(v.into()),
                    &ctx,
                )
            })
            .collect();
        let (tx, rx) = sync_channel(1);
        tx.send(Batch {
            seq: 0,
            input: 0,
            items: outcomes,
        })
        .unwrap();
        drop(tx);
        gather(rx, vec!["items".into()], &Progress::default()).finish(
            vec![InputStatus::read()],
            Utc::now(),
            None,
            None,
        )
    }

    fn item(kind: &str, id: &str, arn: Option<&str>, configuration: Value) -> Value {
        json!({"resourceType": kind, "resourceId": id, "arn": arn, "accountId": ACCOUNT,
               "awsRegion": REGION, "configuration": configuration})
    }

    /// An Elastic IP `eipalloc-N` at `ip`, with its association's fields in `attached`.
    fn eip(n: u32, ip: &str, attached: Value) -> Value {
        let id = format!("eipalloc-{n}");
        let mut configuration = json!({"allocationId": id, "publicIp": ip});
        for (k, v) in attached.as_object().into_iter().flatten() {
            configuration[k] = v.clone();
        }
        item("AWS::EC2::EIP", &id, None, configuration)
    }

    fn instance(id: &str, ip: &str) -> Value {
        item(
            "AWS::EC2::Instance",
            id,
            None,
            json!({"instanceId": id, "platformDetails": "Linux/UNIX",
            "networkInterfaces": [{"macAddress": "0a:00:00:00:00:01",
                "privateIpAddresses": [{"privateIpAddress": ip}]}]}),
        )
    }

    fn windows_inventory(id: &str) -> Value {
        item(
            "AWS::SSM::ManagedInstanceInventory",
            id,
            None,
            json!({
            "AWS:InstanceInformation": {"Content": {id: {"PlatformName": "Microsoft Windows Server 2022 Datacenter",
                "PlatformVersion": "10.0.20348", "PlatformType": "Windows", "ComputerName": "EC2AMAZ-ABC.corp.example",
                "IpAddress": "10.0.0.9"}}},
            "AWS:WindowsUpdate": {"Content": [
                {"HotFixID": "KB5034439", "InstalledTime": "Tuesday, January 9, 2024 12:00:00 AM"},
                {"HotFixID": "KB5031364", "InstalledTime": "Tuesday, October 10, 2023 12:00:00 AM"}]},
            "AWS:Application": {"Content": [
                {"Name": "Mozilla Firefox", "Version": "121.0", "Publisher": "Mozilla"}]}}),
        )
    }

    /// Current Config items key every Content by entry id, and one name at several
    /// versions is a list under its key.
    fn linux_inventory(id: &str) -> Value {
        item(
            "AWS::SSM::ManagedInstanceInventory",
            id,
            None,
            json!({
            "AWS:InstanceInformation": {"Content": {id: {"PlatformName": "Amazon Linux",
                "PlatformVersion": "2023", "PlatformType": "Linux", "ComputerName": "ip-10-0-0-5.ec2.internal"}}},
            "AWS:Application": {"Content": {
                "kernel": [
                    {"Name": "kernel", "Version": "6.1.72", "Release": "96.166.amzn2023", "Publisher": "Amazon Linux"},
                    {"Name": "kernel", "Version": "6.1.102", "Release": "108.177.amzn2023", "Publisher": "Amazon Linux"}],
                "nginx": {"Name": "nginx", "Version": "1.24.0", "Release": "1.amzn2023", "Publisher": "Amazon Linux"},
                "openssl": {"Name": "openssl", "Version": "3.0.8", "Publisher": "Amazon Linux"}}}}),
        )
    }

    fn by_id<'a>(inv: &'a Inventory, id: &str) -> Vec<crate::inventory::RowView<'a>> {
        inv.rows().filter(|r| r.get(Field::AssetId) == id).collect()
    }

    #[test]
    fn ssm_facts_join_their_instance_and_the_fallback_stays_without_them() {
        let (inv, summary) = run(
            vec![
                windows_inventory("i-win"),
                instance("i-win", "10.0.0.9"),
                instance("i-bare", "10.0.0.8"),
                linux_inventory("i-lin"),
                instance("i-lin", "10.0.0.5"),
            ],
            SoftwareFilter::None,
        );
        let win = by_id(&inv, "i-win");
        assert_eq!(win.len(), 1, "joined onto the instance, no row of its own");
        assert_eq!(
            win[0].get(Field::OsNameVersion),
            "Microsoft Windows Server 2022 Datacenter 10.0.20348"
        );
        assert_eq!(win[0].get(Field::NetBios), "EC2AMAZ-ABC");
        assert_eq!(win[0].get(Field::PatchLevel), "KB5034439");
        assert_eq!(win[0].get(Field::AssetType), "EC2");
        let lin = by_id(&inv, "i-lin");
        assert_eq!(lin[0].get(Field::OsNameVersion), "Amazon Linux 2023");
        assert_eq!(lin[0].get(Field::NetBios), "", "NetBIOS names are Windows'");
        assert_eq!(lin[0].get(Field::PatchLevel), "6.1.102-108.177.amzn2023");
        let bare = by_id(&inv, "i-bare");
        assert_eq!(bare[0].get(Field::OsNameVersion), "Linux/UNIX");
        assert_eq!(bare[0].get(Field::PatchLevel), "");
        assert_eq!(inv.row_count(), 3, "software rows are opt-in");
        assert!(
            summary.diagnostics.entries().is_empty(),
            "{:?}",
            summary.diagnostics.entries()
        );
        let ssm = &summary.types["AWS::SSM::ManagedInstanceInventory"];
        assert_eq!((ssm.items, ssm.rows), (2, 0));
    }

    #[test]
    fn software_rows_follow_the_filter_and_keep_every_version() {
        let items = || vec![linux_inventory("i-lin"), instance("i-lin", "10.0.0.5")];
        let (all, _) = run(items(), SoftwareFilter::All);
        let software: Vec<(String, String, String)> = all
            .rows()
            .filter(|r| r.get(Field::AssetType) == "Software")
            .map(|r| {
                (
                    r.get(Field::AssetId).to_string(),
                    r.get(Field::SoftwareNameVersion).to_string(),
                    r.get(Field::PatchLevel).to_string(),
                )
            })
            .collect();
        assert_eq!(
            software,
            vec![
                (
                    "i-lin/kernel/6.1.102-108.177.amzn2023".into(),
                    "kernel 6.1.102-108.177.amzn2023".into(),
                    "108.177.amzn2023".into()
                ),
                (
                    "i-lin/kernel/6.1.72-96.166.amzn2023".into(),
                    "kernel 6.1.72-96.166.amzn2023".into(),
                    "96.166.amzn2023".into()
                ),
                (
                    "i-lin/nginx".into(),
                    "nginx 1.24.0-1.amzn2023".into(),
                    "1.amzn2023".into()
                ),
                ("i-lin/openssl".into(), "openssl 3.0.8".into(), "".into()),
            ]
        );
        let row = by_id(&all, "i-lin/nginx")[0];
        assert_eq!(row.get(Field::SoftwareVendor), "Amazon Linux");
        assert_eq!(row.get(Field::Location), "us-east-1");
        assert!(
            row.get(Field::Comments).ends_with("installed on i-lin"),
            "{}",
            row.get(Field::Comments)
        );
        let (some, _) = run(items(), "nginx*,open*".parse().unwrap());
        let ids: Vec<&str> = some
            .rows()
            .filter(|r| r.get(Field::AssetType) == "Software")
            .map(|r| r.get(Field::AssetId))
            .collect();
        assert_eq!(ids, ["i-lin/nginx", "i-lin/openssl"]);
    }

    #[test]
    fn hybrid_nodes_and_unread_instances_get_rows_of_their_own() {
        let mut hybrid = windows_inventory("mi-0123456789abcdef0");
        hybrid["configuration"]["AWS:Network"] = json!({"Content": [
            {"Name": "Ethernet", "IPV4": "192.168.1.20", "IPV6": "fe80::1", "MacAddress": "00:15:5d:00:01:02"}]});
        let (inv, summary) = run(
            vec![hybrid, windows_inventory("i-gone")],
            SoftwareFilter::None,
        );
        let node = by_id(&inv, "mi-0123456789abcdef0");
        assert_eq!(node[0].get(Field::AssetType), "Managed Instance");
        assert_eq!(
            node[0].get(Field::Virtual),
            "",
            "a hybrid node may be physical"
        );
        let ips: Vec<&str> = node.iter().map(|r| r.get(Field::Ip)).collect();
        assert_eq!(ips, ["10.0.0.9", "192.168.1.20", "fe80::1"]);
        assert_eq!(by_id(&inv, "i-gone").len(), 1);
        let warned: Vec<String> = summary
            .diagnostics
            .entries()
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].contains("i-gone whose EC2 instance was not read"),
            "{warned:?}"
        );
    }

    #[test]
    fn patch_compliance_gives_patch_level_its_state() {
        let compliance = item(
            "AWS::SSM::PatchCompliance",
            "AWS::SSM::PatchCompliance/i-win",
            None,
            json!({
            "AWS:ComplianceItem": {"Content": {"Patch": {
                "KB1": {"Status": "COMPLIANT"}, "KB2": {"Status": "NON_COMPLIANT"}}}}}),
        );
        let (inv, _) = run(
            vec![
                compliance,
                windows_inventory("i-win"),
                instance("i-win", "10.0.0.9"),
            ],
            SoftwareFilter::None,
        );
        assert_eq!(
            by_id(&inv, "i-win")[0].get(Field::PatchLevel),
            "NON_COMPLIANT: 1 of 2 patches (KB5034439)"
        );
    }

    #[test]
    fn repeats_fold_into_what_is_listed_and_nothing_else_folds() {
        let eni = |id: &str, ip: &str, extra: Value| {
            let mut c =
                json!({"networkInterfaceId": id, "privateIpAddresses": [{"privateIpAddress": ip}]});
            c.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            item("AWS::EC2::NetworkInterface", id, None, c)
        };
        let domain = "arn:aws:es:us-east-1:111111111111:domain/search";
        let items = vec![
            instance("i-1", "10.0.0.1"),
            eni(
                "eni-attached",
                "10.0.0.1",
                json!({"attachment": {"instanceId": "i-1"}}),
            ),
            eni(
                "eni-of-unread",
                "10.0.0.2",
                json!({"attachment": {"instanceId": "i-unread"}}),
            ),
            item(
                "AWS::EC2::NatGateway",
                "nat-1",
                Some("arn:aws:ec2:us-east-1:111111111111:natgateway/nat-1"),
                json!({"natGatewayAddresses": [{"privateIp": "10.0.5.5", "publicIp": "3.3.3.3"}]}),
            ),
            eni(
                "eni-nat",
                "10.0.5.5",
                json!({"requesterManaged": true, "interfaceType": "nat_gateway",
                "association": {"publicIp": "3.3.3.3"}}),
            ),
            eni(
                "eni-lambda",
                "10.0.6.6",
                json!({"requesterManaged": true, "interfaceType": "lambda"}),
            ),
            eni("eni-free", "10.0.7.7", json!({})),
            eip(
                1,
                "5.5.5.5",
                json!({"associationId": "eipassoc-1", "instanceId": "i-1"}),
            ),
            eip(
                2,
                "3.3.3.3",
                json!({"associationId": "eipassoc-2", "networkInterfaceId": "eni-nat"}),
            ),
            eip(3, "6.6.6.6", json!({})),
            item(
                "AWS::Elasticsearch::Domain",
                "search",
                Some(domain),
                json!({}),
            ),
            item("AWS::OpenSearch::Domain", "search", Some(domain), json!({})),
        ];
        let (inv, summary) = run(items, SoftwareFilter::None);
        let ids: std::collections::BTreeSet<&str> =
            inv.rows().map(|r| r.get(Field::AssetId)).collect();
        let expected: std::collections::BTreeSet<&str> = [
            "i-1",
            "eni-of-unread",
            "arn:aws:ec2:us-east-1:111111111111:natgateway/nat-1",
            "eni-lambda",
            "eni-free",
            "eipalloc-3",
            domain,
        ]
        .into_iter()
        .collect();
        assert_eq!(ids, expected);
        assert_eq!(
            inv.asset_count(),
            expected.len(),
            "what is left out is not counted"
        );
        assert_eq!(summary.assets, expected.len() as u64);
        assert_eq!(summary.duplicates, 1);
        let folded: Vec<(&str, u64)> = summary
            .folded
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(
            folded,
            [
                ("Elastic IP associated with a listed resource", 2),
                ("network interface attached to a listed instance", 1),
                ("network interface of a listed service (same addresses)", 1),
                ("same resource recorded under two Config types", 1),
            ]
        );
    }

    #[test]
    fn inactive_task_definitions_are_skipped_and_counted() {
        let def = |status: &str| {
            item(
                "AWS::ECS::TaskDefinition",
                "td",
                Some("arn:td:1"),
                json!({
            "Status": status, "ContainerDefinitions": [{"Name": "web", "Image": "nginx:1.25"}, {"Name": "log", "Image": "fluent/fluent-bit:2"}]}),
            )
        };
        let (inv, summary) = run(vec![def("ACTIVE"), def("INACTIVE")], SoftwareFilter::None);
        let ids: Vec<&str> = inv.rows().map(|r| r.get(Field::AssetId)).collect();
        assert_eq!(ids, ["arn:td:1/log", "arn:td:1/web"]);
        assert_eq!(summary.folded["inactive ECS task definition revision"], 1);
    }
}
