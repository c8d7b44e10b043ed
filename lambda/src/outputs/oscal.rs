//! The inventory as a FedRAMP OSCAL system security plan: one `inventory-item` per
//! asset (not per address: asset ids are unique), with the props FedRAMP expects, its
//! owners as responsible parties that resolve to `metadata.parties` and `roles`.
//!
//! Two modes. With a base SSP (`--oscal-ssp`), the provider's own plan is kept as it
//! is and only its inventory items (and the parties and roles they need) are replaced.
//! Without one, a minimal SSP skeleton is written around the inventory, its required
//! fields from [`OscalSettings`] or clear placeholders, so NIST's schema accepts it and
//! the provider can merge the inventory into their plan.
//!
//! Items are streamed: the document is serialized with a marker where the items go,
//! and each item is written in its place, so a million assets are never one JSON tree.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{OutputError, Report};
use crate::fields::Field;
use crate::inventory::AssetView;

/// FedRAMP's OSCAL namespace, for its own props (`vendor-name`, `scan-type`).
pub const FEDRAMP_NS: &str = "http://fedramp.gov/ns/oscal";
/// The OSCAL version FedRAMP pins.
pub const OSCAL_VERSION: &str = "1.1.2";
/// FedRAMP's Rev5 Moderate baseline: the profile most systems import.
pub const DEFAULT_IMPORT_PROFILE: &str = "https://raw.githubusercontent.com/GSA/fedramp-automation/master/dist/content/rev5/baselines/json/FedRAMP_rev5_MODERATE-baseline-resolved-profile_catalog.json";

/// The namespace of this tool's UUIDs (v5): the same asset keeps its UUID across runs.
const UUID_NS: Uuid = Uuid::from_u128(0x5c1d_7f0e_2b4a_4e59_9a7c_3f8e_6d21_b0a4);

const ITEMS_MARKER: &str = "\u{1}fedramp-inventory-items\u{1}";

/// The skeleton's settings (`--oscal-settings`, the Lambda's `OSCAL_SETTINGS`, the
/// deployer's `oscal:` block) and, from the command line, a base SSP.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct OscalSettings {
    pub system_name: String,
    /// The FedRAMP application number or package id.
    pub system_id: String,
    pub import_profile: String,
    #[serde(skip)]
    pub base: Option<BaseSsp>,
}

impl Default for OscalSettings {
    fn default() -> Self {
        OscalSettings {
            system_name: "REPLACE-ME: system name".into(),
            system_id: "REPLACE-ME-fedramp-package-id".into(),
            import_profile: DEFAULT_IMPORT_PROFILE.into(),
            base: None,
        }
    }
}

impl OscalSettings {
    /// Parses the YAML (or JSON) settings block; unknown keys are errors.
    pub fn from_yaml(text: &str) -> Result<Self, OscalError> {
        if text.trim().is_empty() {
            return Ok(OscalSettings::default());
        }
        let settings: OscalSettings =
            serde_yaml::from_str(text).map_err(|e| OscalError::Settings(e.to_string()))?;
        for (key, value) in [
            ("system-name", &settings.system_name),
            ("system-id", &settings.system_id),
            ("import-profile", &settings.import_profile),
        ] {
            if value.trim().is_empty() {
                return Err(OscalError::Settings(format!("{key}: must not be empty")));
            }
        }
        Ok(settings)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OscalError {
    #[error("OSCAL settings: {0}")]
    Settings(String),
    #[error("base SSP {path}: {message}")]
    Base { path: String, message: String },
}

/// A provider's own SSP, checked before anything is written.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseSsp {
    pub path: PathBuf,
    document: Value,
}

impl BaseSsp {
    /// Reads and checks a base SSP: JSON, an OSCAL system security plan, OSCAL 1.x.
    pub fn load(path: &Path) -> Result<BaseSsp, OscalError> {
        let fail = |message: String| OscalError::Base {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
        let document: Value =
            serde_json::from_str(&text).map_err(|e| fail(format!("not JSON ({e})")))?;
        let ssp = document
            .get("system-security-plan")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                fail(
                    "not an OSCAL system security plan (no \"system-security-plan\" object)".into(),
                )
            })?;
        let version = ssp
            .get("metadata")
            .and_then(|m| m.get("oscal-version"))
            .and_then(Value::as_str)
            .ok_or_else(|| fail("metadata.oscal-version is missing".into()))?;
        if version.split('.').next() != Some("1") {
            return Err(fail(format!(
                "OSCAL version {version}: this tool writes OSCAL 1.x"
            )));
        }
        Ok(BaseSsp {
            path: path.to_path_buf(),
            document,
        })
    }
}

/// Writes the SSP with the inventory.
pub fn write(path: &Path, report: &Report, settings: &OscalSettings) -> Result<(), OutputError> {
    let fail = |e: &dyn std::fmt::Display| OutputError::write(path, e);
    let owners = Owners::collect(report, settings.base.as_ref().map(|b| &b.document));
    let has_items = report.inventory.asset_count() > 0;
    let generated = report
        .summary
        .generated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut document = match &settings.base {
        Some(base) => base.document.clone(),
        None => skeleton(settings, &generated),
    };
    let ssp = document
        .get_mut("system-security-plan")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| fail(&"the base SSP has no system-security-plan"))?;
    merge_parties(ssp, &owners);
    let implementation = ssp
        .entry("system-implementation")
        .or_insert_with(|| json!({}));
    let Some(implementation) = implementation.as_object_mut() else {
        return Err(fail(&"system-implementation is not an object"));
    };
    if has_items {
        implementation.insert("inventory-items".into(), json!([ITEMS_MARKER]));
    } else {
        // OSCAL allows no empty list: no assets, no inventory-items.
        implementation.remove("inventory-items");
    }
    let text = serde_json::to_string_pretty(&document).map_err(|e| fail(&e))?;
    let file = File::create(path).map_err(|e| fail(&e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let quoted = format!("\"{}\"", ITEMS_MARKER.replace('\u{1}', "\\u0001"));
    let (before, after) = text.split_once(&quoted).unwrap_or((&text, ""));
    out.write_all(before.as_bytes()).map_err(|e| fail(&e))?;
    for (i, asset) in report.inventory.assets().enumerate() {
        if i > 0 {
            out.write_all(b",\n").map_err(|e| fail(&e))?;
        }
        serde_json::to_writer(&mut out, &inventory_item(&asset, &owners)).map_err(|e| fail(&e))?;
    }
    out.write_all(after.as_bytes()).map_err(|e| fail(&e))?;
    out.write_all(b"\n").map_err(|e| fail(&e))?;
    let file = out.into_inner().map_err(|e| fail(&e.into_error()))?;
    file.sync_all().map_err(|e| fail(&e))
}

/// A UUID that is the same for the same name on every run.
fn stable_uuid(name: &str) -> String {
    Uuid::new_v5(&UUID_NS, name.as_bytes()).to_string()
}

/// The people and teams named as owners, each a party.
struct Owners {
    /// Name -> party UUID (the base SSP's own, when it already lists that name).
    parties: BTreeMap<String, String>,
}

impl Owners {
    /// Every owner named in the inventory; one the base SSP already lists (by name)
    /// keeps the base's party UUID.
    fn collect(report: &Report, base: Option<&Value>) -> Owners {
        let known: BTreeMap<String, String> = base
            .and_then(|b| b.pointer("/system-security-plan/metadata/parties"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some((
                    p["name"].as_str()?.to_string(),
                    p["uuid"].as_str()?.to_string(),
                ))
            })
            .collect();
        let mut parties = BTreeMap::new();
        for asset in report.inventory.assets() {
            for field in [Field::SystemOwner, Field::ApplicationOwner] {
                let name = oscal_text(asset.get(field));
                if !name.is_empty() && !parties.contains_key(&name) {
                    let uuid = known
                        .get(&name)
                        .cloned()
                        .unwrap_or_else(|| stable_uuid(&format!("party:{name}")));
                    parties.insert(name, uuid);
                }
            }
        }
        Owners { parties }
    }

    fn uuid(&self, name: &str) -> Option<&str> {
        self.parties.get(&oscal_text(name)).map(String::as_str)
    }
}

/// Adds the asset roles and owner parties to the metadata, keeping every one there is
/// (a base SSP's party of the same name is used, not doubled).
fn merge_parties(ssp: &mut Map<String, Value>, owners: &Owners) -> Option<()> {
    if owners.parties.is_empty() {
        return Some(());
    }
    let metadata = ssp.get_mut("metadata")?.as_object_mut()?;
    let roles = metadata
        .entry("roles")
        .or_insert_with(|| json!([]))
        .as_array_mut()?;
    for (id, title) in [
        ("asset-owner", "Asset Owner"),
        ("asset-administrator", "Asset Administrator"),
    ] {
        if !roles.iter().any(|r| r["id"] == id) {
            roles.push(json!({"id": id, "title": title}));
        }
    }
    let parties = metadata
        .entry("parties")
        .or_insert_with(|| json!([]))
        .as_array_mut()?;
    for (name, uuid) in &owners.parties {
        if !parties.iter().any(|p| p["uuid"] == uuid.as_str()) {
            parties.push(json!({"uuid": uuid, "type": "person", "name": name}));
        }
    }
    Some(())
}

/// OSCAL strings hold no leading, trailing or line-break white space.
fn oscal_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn yes_no(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" => Some("yes"),
        "no" => Some("no"),
        _ => None,
    }
}

/// FedRAMP's asset-type values for our Asset Type texts; others are kept as written
/// (OSCAL allows other values).
fn asset_type(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    let core = match lower.as_str() {
        "ec2" | "workspace" => "operating-system",
        "rds" | "dynamodb" | "redshift" | "opensearch" | "amazon mq" | "msk" => "database",
        "s3" | "efs" | "ecr" => "storage-array",
        "cloudfront" | "api gateway" | "appsync" | "app runner" | "elastic beanstalk" => {
            "web-server"
        }
        "route 53" => "dns-server",
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

fn inventory_item(asset: &AssetView, owners: &Owners) -> Value {
    let mut props: Vec<Value> = Vec::new();
    let mut prop = |name: &str, value: &str, ns: Option<&str>| {
        let value = oscal_text(value);
        if value.is_empty() {
            return;
        }
        let mut p = json!({"name": name, "value": value});
        if let Some(ns) = ns {
            p["ns"] = json!(ns);
        }
        props.push(p);
    };
    let id = asset.get(Field::AssetId);
    let kind = asset_type(asset.get(Field::AssetType));
    prop("asset-id", id, None);
    let mut macs: Vec<&str> = Vec::new();
    for (ip, mac) in asset.addresses() {
        match ip.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) => prop("ipv6-address", ip, None),
            _ => prop("ipv4-address", ip, None),
        }
        if !mac.is_empty() && !macs.contains(&mac) {
            macs.push(mac);
        }
    }
    for (name, field) in [
        ("virtual", Field::Virtual),
        ("public", Field::Public),
        ("allows-authenticated-scan", Field::AuthenticatedScan),
        ("is-scanned", Field::InLatestScan),
    ] {
        if let Some(v) = yes_no(asset.get(field)) {
            prop(name, v, None);
        }
    }
    let dns = asset.get(Field::Dns);
    prop(if dns.contains("://") { "uri" } else { "fqdn" }, dns, None);
    prop("netbios-name", asset.get(Field::NetBios), None);
    for mac in macs {
        prop("mac-address", mac, None);
    }
    prop(
        "baseline-configuration-name",
        asset.get(Field::Baseline),
        None,
    );
    prop("os-name", asset.get(Field::OsNameVersion), None);
    prop("physical-location", asset.get(Field::Location), None);
    prop("asset-type", &kind, None);
    prop("hardware-model", asset.get(Field::HardwareModel), None);
    prop(
        "vendor-name",
        asset.get(Field::SoftwareVendor),
        Some(FEDRAMP_NS),
    );
    let (software, version) = name_and_version(asset.get(Field::SoftwareNameVersion));
    prop("software-name", &software, None);
    prop("software-version", version.as_deref().unwrap_or(""), None);
    prop("software-patch-level", asset.get(Field::PatchLevel), None);
    prop("label", asset.get(Field::DiagramLabel), None);
    prop("function", asset.get(Field::Function), None);
    prop("asset-tag", asset.get(Field::SerialAssetTag), None);
    prop("network-id", asset.get(Field::Vlan), None);
    prop("scan-type", scan_type(&kind), Some(FEDRAMP_NS));
    let described = oscal_text(&format!("{} {}", asset.get(Field::AssetType), id));
    let mut item = json!({
        "uuid": stable_uuid(&format!(
            "asset:{}:{}:{}:{}",
            asset.account(),
            asset.region(),
            asset.get(Field::AssetType),
            id
        )),
        "description": if described.is_empty() { "Asset without an identifier".to_string() } else { described },
        "props": props,
    });
    let mut parties = Vec::new();
    for (role, field) in [
        ("asset-owner", Field::SystemOwner),
        ("asset-administrator", Field::ApplicationOwner),
    ] {
        if let Some(uuid) = owners.uuid(asset.get(field)) {
            parties.push(json!({"role-id": role, "party-uuids": [uuid]}));
        }
    }
    if !parties.is_empty() {
        item["responsible-parties"] = json!(parties);
    }
    let mut remarks = oscal_text(asset.get(Field::Comments));
    let end_of_life = asset.get(Field::EndOfLife);
    if !end_of_life.is_empty() {
        remarks = format!("{remarks}. End-of-Life: {}", oscal_text(end_of_life));
    }
    if !remarks.is_empty() {
        item["remarks"] = json!(remarks);
    }
    item
}

/// The smallest SSP NIST's schema accepts around an inventory.
fn skeleton(settings: &OscalSettings, generated: &str) -> Value {
    let name = oscal_text(&settings.system_name);
    json!({"system-security-plan": {
        "uuid": Uuid::new_v4().to_string(),
        "metadata": {
            "title": format!("{name}: system inventory"),
            "published": generated,
            "last-modified": generated,
            "version": generated,
            "oscal-version": OSCAL_VERSION,
            "remarks": "Written by fedramp-inventory from AWS Config. Merge the inventory-items into the system's own SSP, or pass that SSP with --oscal-ssp to have them replaced in place."
        },
        "import-profile": {"href": settings.import_profile},
        "system-characteristics": {
            "system-ids": [{"identifier-type": "https://fedramp.gov", "id": oscal_text(&settings.system_id)}],
            "system-name": name,
            "description": "REPLACE-ME: system description (the inventory below is generated; this part is the provider's).",
            "system-information": {"information-types": [{
                "title": "REPLACE-ME: information type",
                "description": "REPLACE-ME: the NIST SP 800-60 information types the system processes."
            }]},
            "status": {"state": "operational"},
            "authorization-boundary": {"description": "REPLACE-ME: the authorization boundary. The inventory lists every asset AWS Config recorded in the accounts and regions read."}
        },
        "system-implementation": {
            "components": [{
                "uuid": stable_uuid(&format!("component:this-system:{}", settings.system_id)),
                "type": "this-system",
                "title": name,
                "description": "The system as a whole.",
                "status": {"state": "operational"}
            }]
        },
        "control-implementation": {
            "description": "Only CM-8 (system component inventory) is stated here: the inventory this file carries.",
            "implemented-requirements": [{
                "uuid": stable_uuid(&format!("requirement:cm-8:{}", settings.system_id)),
                "control-id": "cm-8",
                "remarks": "The inventory-items of system-implementation are generated monthly from AWS Config by fedramp-inventory."
            }]
        }
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_versions_and_texts() {
        assert_eq!(asset_type("EC2"), "operating-system");
        assert_eq!(asset_type("Load Balancer-application"), "appliance");
        assert_eq!(asset_type("Lambda Function"), "lambda-function");
        assert_eq!(scan_type("database"), "database");
        assert_eq!(
            name_and_version("aurora-mysql-8.0.35"),
            ("aurora-mysql".into(), Some("8.0.35".into()))
        );
        assert_eq!(name_and_version("DynamoDB"), ("DynamoDB".into(), None));
        assert_eq!(oscal_text(" a\nb  c "), "a b c");
        assert_eq!(stable_uuid("x"), stable_uuid("x"));
        assert_eq!(&stable_uuid("x")[14..15], "5");
    }

    #[test]
    fn settings_refuse_unknown_keys_and_blanks() {
        assert!(OscalSettings::from_yaml("system-nam: x").is_err());
        assert!(OscalSettings::from_yaml("system-name: ''").is_err());
        let s = OscalSettings::from_yaml("system-name: Cloud\nsystem-id: F123").unwrap();
        assert_eq!(s.system_name, "Cloud");
        assert_eq!(s.import_profile, DEFAULT_IMPORT_PROFILE);
    }

    #[test]
    fn a_base_ssp_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let err = |p: PathBuf| BaseSsp::load(&p).unwrap_err().to_string();
        assert!(err(write("a", "{not json")).contains("not JSON"));
        assert!(err(write("b", r#"{"catalog": {}}"#)).contains("not an OSCAL system security plan"));
        assert!(err(write(
            "c",
            r#"{"system-security-plan": {"metadata": {"oscal-version": "2.0.0"}}}"#
        ))
        .contains("OSCAL version 2.0.0"));
        assert!(BaseSsp::load(&write(
            "d",
            r#"{"system-security-plan": {"metadata": {"oscal-version": "1.1.2"}}}"#
        ))
        .is_ok());
    }
}
