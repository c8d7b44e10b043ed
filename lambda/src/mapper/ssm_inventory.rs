//! What Systems Manager knows of a host: its OS, NetBIOS name, patch level and
//! installed software (`AWS::SSM::ManagedInstanceInventory`), and its patch
//! compliance (`AWS::SSM::PatchCompliance`).
//!
//! These items describe an EC2 instance rather than being assets: the inventory joins
//! them onto the instance's rows once every item is read (see
//! [`crate::inventory::Inventory::join_hosts`]). Only what the join needs is kept, so a
//! host's hundreds of packages never reach memory unless the software setting selects
//! them. Hybrid (`mi-`) nodes have no EC2 item and get rows of their own.

use std::cmp::Ordering;

use crate::json::Json;

use super::conf::{pair, Conf};
use super::{Asset, MapContext};
use crate::fields::Field;
use crate::item::ConfigItem;

/// One installed package selected for a row of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub vendor: String,
    pub release: String,
}

/// What the SSM items of one host say.
#[derive(Clone, Debug, Default)]
pub struct HostFacts {
    pub account: String,
    pub region: String,
    /// `i-…` (joined onto the EC2 instance) or `mi-…` (a hybrid node).
    pub instance_id: String,
    pub os: Option<String>,
    pub netbios: Option<String>,
    pub patch_level: Option<String>,
    /// From `AWS::SSM::PatchCompliance`: "COMPLIANT", or "NON_COMPLIANT: 3 of 120 patches".
    pub compliance: Option<String>,
    pub packages: Vec<Package>,
    /// The host as an asset of its own, listed when no EC2 instance takes the facts.
    pub standalone: Option<Asset>,
}

impl HostFacts {
    /// Adds what another item of the same host says (inventory and compliance are two
    /// items).
    pub fn merge(&mut self, other: HostFacts) {
        self.os = self.os.take().or(other.os);
        self.netbios = self.netbios.take().or(other.netbios);
        self.patch_level = self.patch_level.take().or(other.patch_level);
        self.compliance = self.compliance.take().or(other.compliance);
        self.packages.extend(other.packages);
        self.standalone = self.standalone.take().or(other.standalone);
    }

    /// Patch Level as the workbook shows it: the compliance state first when recorded.
    pub fn patch_cell(&self) -> Option<String> {
        match (&self.compliance, &self.patch_level) {
            (Some(c), Some(p)) => Some(format!("{c} ({p})")),
            (Some(c), None) => Some(c.clone()),
            (None, p) => p.clone(),
        }
    }
}

/// The host's id: the item's resource id (the id inside `Content` can differ, as in
/// AWS's own sample), or the last part of a compliance item's id.
fn host_id(item: &ConfigItem) -> Option<String> {
    let id = item.resource_id.as_deref()?;
    let last = id.rsplit('/').next().unwrap_or(id);
    (!last.is_empty()).then(|| last.to_string())
}

fn base(item: &ConfigItem, c: &mut Conf<'_>) -> Option<HostFacts> {
    let Some(instance_id) = host_id(item) else {
        c.warn("SSM item has no resourceId; it cannot be joined to an instance and is ignored");
        return None;
    };
    Some(HostFacts {
        account: item.account_id.as_deref().unwrap_or_default().to_string(),
        region: item.region.as_deref().unwrap_or_default().to_string(),
        instance_id,
        ..HostFacts::default()
    })
}

/// The entries of an inventory type's `Content`, whichever shape Config gave it: a
/// list of entries, a map of id to entry, or a map of id to a list of entries (one
/// name at several versions).
fn entries<'a>(c: &mut Conf<'a>, type_name: &str) -> Vec<&'a Json<'a>> {
    let Some(content) = c.root().get(type_name).and_then(|t| t.get("Content")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match content {
        Json::Array(list) => out.extend(list.iter().filter(|e| e.is_object())),
        Json::Object(map) if map.values().all(|v| !v.is_object() && !v.is_array()) => {
            out.push(content);
        }
        Json::Object(map) => {
            for v in map.values() {
                match v {
                    Json::Object(_) => out.push(v),
                    Json::Array(list) => out.extend(list.iter().filter(|e| e.is_object())),
                    _ => {}
                }
            }
        }
        Json::Null => {}
        other => c.warn(format!(
            "configuration.{type_name}.Content is {}, expected a list or an object; ignored",
            other.kind()
        )),
    }
    out
}

fn field<'a>(entry: &'a Json<'_>, name: &str) -> Option<&'a str> {
    entry
        .get(name)
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `AWS::SSM::ManagedInstanceInventory`.
pub fn inventory(item: &ConfigItem, c: &mut Conf<'_>, ctx: &MapContext) -> Option<HostFacts> {
    let mut facts = base(item, c)?;
    let info = entries(c, "AWS:InstanceInformation");
    let info = info.first().copied();
    let windows = info
        .and_then(|i| field(i, "PlatformType"))
        .is_some_and(|t| t.eq_ignore_ascii_case("windows"));
    if let Some(i) = info {
        facts.os = pair(field(i, "PlatformName"), field(i, "PlatformVersion"), " ");
        if windows {
            facts.netbios =
                field(i, "ComputerName").map(|n| n.split('.').next().unwrap_or(n).to_string());
        }
    } else {
        c.warn("configuration has no AWS:InstanceInformation; OS unknown");
    }
    let applications = entries(c, "AWS:Application");
    facts.patch_level = if windows {
        latest_hotfix(&entries(c, "AWS:WindowsUpdate"))
    } else {
        newest_kernel(&applications)
    };
    if !ctx.software.is_none() {
        for app in &applications {
            let Some(name) = field(app, "Name") else {
                continue;
            };
            if !ctx.software.selects(name) {
                continue;
            }
            let release = field(app, "Release");
            let version = pair(field(app, "Version"), release, "-").unwrap_or_default();
            let package = Package {
                name: name.to_string(),
                version,
                vendor: field(app, "Publisher").unwrap_or("").to_string(),
                release: release.unwrap_or("").to_string(),
            };
            if !facts.packages.contains(&package) {
                facts.packages.push(package);
            }
        }
    }
    facts.standalone = Some(standalone(c, &facts, info));
    Some(facts)
}

/// The host as its own asset: a hybrid node, or an instance whose EC2 item was not read.
fn standalone(c: &mut Conf<'_>, facts: &HostFacts, info: Option<&Json<'_>>) -> Asset {
    let mut a = Asset::default();
    a.set(Field::AssetId, &facts.instance_id);
    a.set(Field::AssetType, "Managed Instance");
    a.set(Field::AuthenticatedScan, "Yes");
    if facts.instance_id.starts_with("i-") {
        a.set(Field::Virtual, "Yes");
    }
    a.set_opt(Field::OsNameVersion, facts.os.as_deref());
    a.set_opt(Field::NetBios, facts.netbios.as_deref());
    a.set_opt(Field::PatchLevel, facts.patch_cell().as_deref());
    if let Some(ip) = info.and_then(|i| field(i, "IpAddress")) {
        a.add_address(ip, None);
    }
    for nic in entries(c, "AWS:Network") {
        let mac = field(nic, "MacAddress");
        for key in ["IPV4", "IPV6"] {
            // Several addresses of one interface come comma-separated.
            for ip in field(nic, key).unwrap_or("").split(',') {
                a.add_address(ip, mac);
            }
        }
    }
    a
}

/// Windows: the hot fix installed last.
fn latest_hotfix(updates: &[&Json<'_>]) -> Option<String> {
    updates
        .iter()
        .filter_map(|u| {
            Some((
                installed_at(field(u, "InstalledTime")),
                field(u, "HotFixID")?,
            ))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| natural(a.1, b.1)))
        .map(|(_, id)| id.to_string())
}

/// Windows writes "Wednesday, October 15, 2014 12:00:00 AM"; others "10/15/2014".
fn installed_at(text: Option<&str>) -> Option<chrono::NaiveDateTime> {
    let text = text?;
    for format in [
        "%A, %B %d, %Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M:%S %p",
        "%Y-%m-%dT%H:%M:%SZ",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Some(t);
        }
    }
    for format in ["%m/%d/%Y", "%Y%m%d", "%Y-%m-%d"] {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(text, format) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    None
}

/// Linux: the newest `kernel` package, as version-release.
fn newest_kernel(applications: &[&Json<'_>]) -> Option<String> {
    applications
        .iter()
        .filter(|a| {
            field(a, "Name").is_some_and(|n| n == "kernel" || n.starts_with("linux-image-"))
        })
        .filter_map(|a| {
            let version = field(a, "Version")?;
            Some(match field(a, "Release") {
                Some(r) => format!("{version}-{r}"),
                None => version.to_string(),
            })
        })
        .max_by(|a, b| natural(a, b))
}

/// Compares version text by its numbers (4.14.10 after 4.14.9).
fn natural(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .map(|p| (p.parse::<u64>().unwrap_or(0), p.to_string()))
            .collect()
    };
    parts(a).cmp(&parts(b))
}

/// `AWS::SSM::PatchCompliance`: the state of every patch the baseline names.
pub fn patch_compliance(
    item: &ConfigItem,
    c: &mut Conf<'_>,
    _ctx: &MapContext,
) -> Option<HostFacts> {
    let mut facts = base(item, c)?;
    let Some(patches) = c.value("AWS:ComplianceItem.Content.Patch") else {
        c.warn("configuration has no AWS:ComplianceItem.Content.Patch; patch compliance unknown");
        return Some(facts);
    };
    let statuses: Vec<&str> = match patches {
        Json::Object(map) => map.values().filter_map(|p| field(p, "Status")).collect(),
        Json::Array(list) => list.iter().filter_map(|p| field(p, "Status")).collect(),
        _ => Vec::new(),
    };
    let failing = statuses
        .iter()
        .filter(|s| !s.eq_ignore_ascii_case("COMPLIANT"))
        .count();
    facts.compliance = Some(match (statuses.len(), failing) {
        (0, _) => "no patch states recorded".to_string(),
        (n, 0) => format!("COMPLIANT ({n} patches)"),
        (n, f) => format!("NON_COMPLIANT: {f} of {n} patches"),
    });
    Some(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number() {
        assert_eq!(natural("4.14.10-1", "4.14.9-3"), Ordering::Greater);
        assert_eq!(natural("5.10.1", "5.10.1"), Ordering::Equal);
    }

    #[test]
    fn windows_times_parse() {
        assert!(installed_at(Some("Wednesday, October 15, 2014 12:00:00 AM")).is_some());
        assert!(installed_at(Some("10/15/2014")).is_some());
        assert!(installed_at(Some("someday")).is_none());
    }
}
