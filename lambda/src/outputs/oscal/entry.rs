//! One asset as FedRAMP's OSCAL inventory: props named as FedRAMP's inventory mapping
//! names them, and the asset's shape chosen so GSA's validator can read it.
//!
//! GSA's Rev5 Schematron compares *the* `ipv4-address` of an inventory item with a
//! placeholder (`ipv4-has-non-placeholder`): an item with two IPv4 addresses stops the
//! validator with an XPath error, and an item with none fails. FedRAMP's own guidance
//! says "If a device has multiple IP addresses, then include one row in this inventory
//! for each IP address", so:
//! - an asset with one IPv4 address is one inventory item;
//! - an asset with several is one item per IPv4 address, each `asset-id` made unique by
//!   its address (`i-0abc/10.0.0.5`), the asset's IPv6 addresses paired in order;
//! - an asset without an IPv4 address (a bucket, a table, a queue) is what FedRAMP's
//!   mapping calls an internal `service` component (`implementation-point` `internal`),
//!   with the same props: FedRAMP counts such components with the inventory items.
//!
//! No address is ever invented.

use std::net::IpAddr;

use serde_json::{json, Value};

use super::references::{baseline_and_url, Baselines, Owners, References};
use super::{oscal_text, stable_uuid, FEDRAMP_NS};
use crate::fields::Field;
use crate::inventory::AssetView;

/// An asset's addresses, split as its entries need them.
pub(super) struct Addresses<'a> {
    v4: Vec<(&'a str, &'a str)>,
    v6: Vec<(&'a str, &'a str)>,
}

impl<'a> Addresses<'a> {
    pub(super) fn of(asset: &AssetView<'a>) -> Self {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for (ip, mac) in asset.addresses() {
            match ip.parse::<IpAddr>() {
                Ok(IpAddr::V6(_)) => v6.push((ip, mac)),
                _ => v4.push((ip, mac)),
            }
        }
        Addresses { v4, v6 }
    }

    /// Written as inventory items (else as an internal service component).
    pub(super) fn has_ipv4(&self) -> bool {
        !self.v4.is_empty()
    }
}

/// The asset's inventory items: one per IPv4 address (none without one). IPv6 addresses
/// beyond the IPv4 count are items of their own.
pub(super) fn items(asset: &AssetView, addresses: &Addresses, refs: &References) -> Vec<Value> {
    let id = asset.get(Field::AssetId);
    let count = addresses.v4.len().max(addresses.v6.len());
    // What every item of the asset shares, made once.
    let mut common = Props::default();
    add_common(&mut common, asset);
    common.add("physical-location", asset.get(Field::Location), None);
    let mut shared = json!({});
    finish(&mut shared, asset, &refs.baselines);
    let parties = owner_list(asset, &refs.owners);
    let mut items = Vec::with_capacity(count);
    for i in 0..count {
        let v4 = addresses.v4.get(i).copied();
        let v6 = addresses.v6.get(i).copied();
        let address = v4.or(v6).map(|(ip, _)| ip).unwrap_or_default();
        let (asset_id, uuid_name, described) = if count == 1 {
            (id.to_string(), uuid_name(asset), describe(asset))
        } else {
            (
                format!("{id}/{address}"),
                format!("{}:{address}", uuid_name(asset)),
                format!(
                    "{}, address {address} ({} of {count})",
                    describe(asset),
                    i + 1
                ),
            )
        };
        let mut props = Props::default();
        props.add("asset-id", &asset_id, None);
        let mut macs = Vec::new();
        if let Some((ip, mac)) = v4 {
            props.add("ipv4-address", ip, None);
            macs.push(mac);
        }
        if let Some((ip, mac)) = v6 {
            props.add("ipv6-address", ip, None);
            macs.push(mac);
        }
        add_macs(&mut props, macs);
        props.0.extend(common.0.iter().cloned());
        let mut item = json!({
            "uuid": stable_uuid(&uuid_name),
            "description": described,
            "props": props.0,
        });
        for (key, value) in shared.as_object().into_iter().flatten() {
            item[key] = value.clone();
        }
        if !parties.is_empty() {
            item["responsible-parties"] = json!(parties);
        }
        items.push(item);
    }
    items
}

/// An asset without an IPv4 address, as an internal service component.
pub(super) fn component(asset: &AssetView, addresses: &Addresses, refs: &References) -> Value {
    let mut props = Props::default();
    props.add("asset-id", asset.get(Field::AssetId), None);
    for (ip, _) in &addresses.v6 {
        props.add("ipv6-address", ip, None);
    }
    add_macs(
        &mut props,
        addresses.v6.iter().map(|(_, mac)| *mac).collect(),
    );
    props.add("implementation-point", "internal", None);
    add_common(&mut props, asset);
    // A component's location is a location of the metadata, by UUID (NIST's
    // oscal-component-prop-physical-location); an item's is the zone's name.
    let location = refs.locations.uuid(asset.get(Field::Location));
    props.add("physical-location", location.unwrap_or_default(), None);
    // NIST allows fewer names on a component than on an item (its addresses, DNS name,
    // NetBIOS name, location and scan state are item props): the others keep their
    // name in this tool's namespace, so no core constraint is broken and nothing is lost.
    for p in props.0.iter_mut() {
        let name = p["name"].as_str().unwrap_or_default();
        if p.get("ns").is_none() && !COMPONENT_PROP_NAMES.contains(&name) {
            p["ns"] = json!(INVENTORY_NS);
        }
    }
    let described = describe(asset);
    let mut component = json!({
        "uuid": stable_uuid(&format!("component:{}", uuid_name(asset))),
        "type": "service",
        "title": described,
        "description": described,
        "props": props.0,
        "status": {"state": "operational"},
    });
    finish(&mut component, asset, &refs.baselines);
    // Components name their people by role (`responsible-roles`), items by party.
    let roles = owner_list(asset, &refs.owners);
    if !roles.is_empty() {
        component["responsible-roles"] = json!(roles);
    }
    component
}

/// The prop names NIST allows on a `system-component` in its own namespace
/// (`oscal-component-prop-name-values`, oscal_implementation-common, OSCAL 1.2.3; the
/// ones this tool writes on components).
const COMPONENT_PROP_NAMES: [&str; 19] = [
    "implementation-point",
    "asset-type",
    "asset-id",
    "asset-tag",
    "public",
    "virtual",
    "vlan-id",
    "network-id",
    "baseline-configuration-name",
    "allows-authenticated-scan",
    "function",
    "hardware-model",
    "model",
    "os-name",
    "os-version",
    "software-name",
    "software-version",
    "software-patch-level",
    "version",
];

/// This tool's namespace, for what NIST's core names do not allow where it is written.
pub const INVENTORY_NS: &str = "urn:fedramp-inventory:oscal";

/// The UUID's name: the same asset keeps its UUID across runs.
fn uuid_name(asset: &AssetView) -> String {
    format!(
        "asset:{}:{}:{}:{}",
        asset.account(),
        asset.region(),
        asset.get(Field::AssetType),
        asset.get(Field::AssetId)
    )
}

fn describe(asset: &AssetView) -> String {
    let described = oscal_text(&format!(
        "{} {}",
        asset.get(Field::AssetType),
        asset.get(Field::AssetId)
    ));
    if described.is_empty() {
        "Asset without an identifier".to_string()
    } else {
        described
    }
}

#[derive(Default)]
struct Props(Vec<Value>);

impl Props {
    /// Adds a prop unless the value is empty (an unknown cell is never guessed); the
    /// prop is returned so remarks can be put on it.
    fn add(&mut self, name: &str, value: &str, ns: Option<&str>) -> Option<&mut Value> {
        let value = oscal_text(value);
        if value.is_empty() {
            return None;
        }
        let mut p = json!({"name": name, "value": value});
        if let Some(ns) = ns {
            p["ns"] = json!(ns);
        }
        self.0.push(p);
        self.0.last_mut()
    }
}

fn add_macs(props: &mut Props, macs: Vec<&str>) {
    let mut seen: Vec<&str> = Vec::new();
    for mac in macs {
        if !mac.is_empty() && !seen.contains(&mac) {
            seen.push(mac);
            props.add("mac-address", mac, None);
        }
    }
}

/// Every prop but the asset id and the addresses, the same on each of an asset's items.
fn add_common(props: &mut Props, asset: &AssetView) {
    let kind = asset_type(asset.get(Field::AssetType));
    let virtual_ = yes_no(asset.get(Field::Virtual));
    if let Some(v) = virtual_ {
        props.add("virtual", v, None);
    }
    if let Some(v) = yes_no(asset.get(Field::Public)) {
        props.add("public", v, None);
    }
    if let Some(v) = yes_no(asset.get(Field::AuthenticatedScan)) {
        if let Some(p) = props.add("allows-authenticated-scan", v, None) {
            if v == "no" {
                p["remarks"] = json!(NO_AUTHENTICATED_SCAN);
            }
        }
    }
    if let Some(v) = yes_no(asset.get(Field::InLatestScan)) {
        props.add("is-scanned", v, None);
    }
    let dns = asset.get(Field::Dns);
    props.add(if dns.contains("://") { "uri" } else { "fqdn" }, dns, None);
    props.add("netbios-name", asset.get(Field::NetBios), None);
    let (baseline, _) = baseline_and_url(asset.get(Field::Baseline));
    props.add("baseline-configuration-name", &baseline, None);
    let (os, os_version) = os_name_and_version(asset.get(Field::OsNameVersion));
    props.add("os-name", os, None);
    props.add("os-version", os_version.unwrap_or(""), None);
    props.add("asset-type", &kind, None);
    props.add("hardware-model", asset.get(Field::HardwareModel), None);
    props.add("vendor-name", vendor(asset, virtual_), Some(FEDRAMP_NS));
    let (software, version) = name_and_version(asset.get(Field::SoftwareNameVersion));
    props.add("software-name", &software, None);
    props.add("software-version", version.as_deref().unwrap_or(""), None);
    props.add("software-patch-level", asset.get(Field::PatchLevel), None);
    props.add(
        "diagram-label",
        asset.get(Field::DiagramLabel),
        Some(FEDRAMP_NS),
    );
    props.add("function", asset.get(Field::Function), None);
    props.add("asset-tag", asset.get(Field::SerialAssetTag), None);
    props.add("network-id", asset.get(Field::Vlan), None);
    let scan = scan_type(&kind);
    if let Some(p) = props.add("scan-type", scan, Some(FEDRAMP_NS)) {
        if scan == "other" {
            p["remarks"] = json!(OTHER_SCAN_TYPE);
        }
    }
    if let Some(date) = end_of_life_date(asset.get(Field::EndOfLife)) {
        props.add("end-of-life-date", &date, Some(FEDRAMP_NS));
    }
}

/// FedRAMP asks why an asset allows no authenticated scan. The registry says No where
/// AWS runs the resource's host: there is no operating system of the provider's to
/// log in to.
const NO_AUTHENTICATED_SCAN: &str = "AWS runs this resource's host: there is no operating system of the provider's for a scanner to log in to.";

/// FedRAMP asks what `other` means for an asset. It is given where no infrastructure,
/// database or web scanner applies to the kind of resource.
const OTHER_SCAN_TYPE: &str = "No infrastructure, database or web scan applies to this kind of AWS resource; how it is assessed (for example, by configuration checks) is the provider's to state.";

/// The baseline-link, the Comments remarks and the end-of-life text that is no date.
fn finish(entry: &mut Value, asset: &AssetView, baselines: &Baselines) {
    let (_, url) = baseline_and_url(asset.get(Field::Baseline));
    if let Some(uuid) = url.and_then(|u| baselines.uuid(u)) {
        entry["links"] = json!([{"href": format!("#{uuid}"), "rel": "baseline"}]);
    }
    let mut remarks = oscal_text(asset.get(Field::Comments));
    let end_of_life = asset.get(Field::EndOfLife);
    if !end_of_life.is_empty() && end_of_life_date(end_of_life).is_none() {
        // Not a date: FedRAMP's end-of-life-date must be one, so the text is kept here.
        remarks = oscal_text(&format!("{remarks}. End-of-Life: {end_of_life}"));
    }
    if !remarks.is_empty() {
        entry["remarks"] = json!(remarks);
    }
}

/// The owners as role and party pairs (an item's responsible-parties, a component's
/// responsible-roles: OSCAL gives both the same fields).
fn owner_list(asset: &AssetView, owners: &Owners) -> Vec<Value> {
    let mut list = Vec::new();
    for (role, field) in [
        ("asset-owner", Field::SystemOwner),
        ("asset-administrator", Field::ApplicationOwner),
    ] {
        if let Some(uuid) = owners.uuid(asset.get(field)) {
            list.push(json!({"role-id": role, "party-uuids": [uuid]}));
        }
    }
    list
}

fn yes_no(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" => Some("yes"),
        "no" => Some("no"),
        _ => None,
    }
}

/// The vendor as FedRAMP's `vendor-name` means it: the software's vendor where the
/// mapper knows it, else, for a virtual asset in AWS, the maker of its (virtual)
/// hardware, which FedRAMP's mapping also writes as `vendor-name`.
fn vendor<'a>(asset: &'a AssetView, virtual_: Option<&str>) -> &'a str {
    match asset.get(Field::SoftwareVendor) {
        "" if virtual_ == Some("yes") => "AWS",
        known => known,
    }
}

/// FedRAMP's asset-type values (its Rev5 value set: `operating-system`, `database`,
/// `web-server`, `dns-server`, `router`, `firewall`, `storage-array`, ...) where one
/// fits the kind of resource. Load balancers are OSCAL's own `appliance`, which
/// FedRAMP's mapping allows and GSA's value set lacks; kinds that fit none (queues,
/// topics, functions, containers) keep their own name, as OSCAL allows.
pub(super) fn asset_type(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    let core = match lower.as_str() {
        "ec2"
        | "workspace"
        | "ec2 dedicated host"
        | "sagemaker notebook"
        | "eks node group"
        | "managed instance"
        | "dms replication instance" => "operating-system",
        "rds" | "dynamodb" | "redshift" | "opensearch" | "elasticache" | "amazon mq" | "msk" => {
            "database"
        }
        "s3" | "efs" | "ecr repository" | "ecr public repository" => "storage-array",
        "cloudfront"
        | "api gateway"
        | "api gateway stage"
        | "appsync api"
        | "app runner service"
        | "elastic beanstalk environment" => "web-server",
        "route 53 hosted zone" | "route 53 resolver endpoint" => "dns-server",
        "nat gateway" | "site-to-site vpn" | "client vpn endpoint" => "router",
        "network firewall" => "firewall",
        k if k.starts_with("load balancer") => "appliance",
        _ => "",
    };
    if core.is_empty() {
        lower.replace(' ', "-")
    } else {
        core.to_string()
    }
}

/// FedRAMP's scan-type for an asset type.
fn scan_type(asset_type: &str) -> &'static str {
    match asset_type {
        "operating-system" | "appliance" | "firewall" | "router" | "switch" | "storage-array" => {
            "infrastructure"
        }
        "database" => "database",
        "web-server" => "web",
        _ => "other",
    }
}

/// `mysql-8.0.35` -> (`mysql`, `8.0.35`); a name without a version stays whole.
fn name_and_version(text: &str) -> (String, Option<String>) {
    match text.rsplit_once('-') {
        Some((name, version))
            if !name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            (name.to_string(), Some(version.to_string()))
        }
        _ => (text.to_string(), None),
    }
}

/// The OS column holds Systems Manager's platform name and version joined by a space
/// (`Amazon Linux 2023.6.20241111`): the last word is the version when it starts with
/// a digit. `Linux/UNIX` (EC2's platform, no version) stays a name.
fn os_name_and_version(text: &str) -> (&str, Option<&str>) {
    let text = text.trim();
    match text.rsplit_once(' ') {
        Some((name, version))
            if !name.trim().is_empty() && version.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            (name.trim_end(), Some(version))
        }
        _ => (text, None),
    }
}

/// FedRAMP's end-of-life-date is an ISO date (`2027-06-30`); the workbook's cell holds
/// the template's m/d/yyyy (the tag mapper writes dates so). Other texts are no date.
fn end_of_life_date(text: &str) -> Option<String> {
    use chrono::NaiveDate;
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%m/%d/%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_versions_and_texts() {
        assert_eq!(asset_type("EC2"), "operating-system");
        assert_eq!(asset_type("Load Balancer-application"), "appliance");
        assert_eq!(asset_type("Lambda Function"), "lambda-function");
        assert_eq!(asset_type("Route 53 Hosted Zone"), "dns-server");
        assert_eq!(asset_type("ECR Repository"), "storage-array");
        assert_eq!(scan_type("database"), "database");
        assert_eq!(
            name_and_version("aurora-mysql-8.0.35"),
            ("aurora-mysql".into(), Some("8.0.35".into()))
        );
        assert_eq!(name_and_version("DynamoDB"), ("DynamoDB".into(), None));
    }

    #[test]
    fn os_names_and_versions_split_on_the_last_word() {
        assert_eq!(
            os_name_and_version("Microsoft Windows Server 2019 Datacenter 10.0.17763"),
            (
                "Microsoft Windows Server 2019 Datacenter",
                Some("10.0.17763")
            )
        );
        assert_eq!(
            os_name_and_version("Amazon Linux 2"),
            ("Amazon Linux", Some("2"))
        );
        assert_eq!(os_name_and_version("Linux/UNIX"), ("Linux/UNIX", None));
        assert_eq!(os_name_and_version("Ubuntu LTS"), ("Ubuntu LTS", None));
        assert_eq!(os_name_and_version("2019"), ("2019", None));
    }

    #[test]
    fn baselines_split_name_and_url() {
        assert_eq!(
            baseline_and_url("CIS Amazon Linux 2 Benchmark L2 - https://cisecurity.org/b"),
            (
                "CIS Amazon Linux 2 Benchmark L2".to_string(),
                Some("https://cisecurity.org/b")
            )
        );
        assert_eq!(
            baseline_and_url("https://public.cyber.mil/stigs/x"),
            (
                "https://public.cyber.mil/stigs/x".to_string(),
                Some("https://public.cyber.mil/stigs/x")
            )
        );
        assert_eq!(baseline_and_url("ami-0abc"), ("ami-0abc".to_string(), None));
    }

    #[test]
    fn end_of_life_is_a_date_or_nothing() {
        assert_eq!(
            end_of_life_date(" 2027-06-30 ").as_deref(),
            Some("2027-06-30")
        );
        assert_eq!(end_of_life_date("6/30/2027").as_deref(), Some("2027-06-30"));
        assert_eq!(end_of_life_date("2027-02-30"), None);
        assert_eq!(end_of_life_date("June 2027"), None);
    }
}
