//! The inventory as a FedRAMP OSCAL system security plan: each asset an inventory item
//! (one per IPv4 address) or, without an IPv4 address, an internal service component
//! ([`entry`] says why), with the props FedRAMP's inventory mapping names, its owners as
//! parties and roles in the metadata ([`document`]).
//!
//! Two modes. With a base SSP (`--oscal-ssp`), the provider's own plan is kept as it
//! is and only its inventory (items, and components that carry an `asset-id`) and the
//! parties, roles and resources it needs are replaced or added. Without one, a minimal
//! SSP skeleton is written around the inventory, its required fields from
//! [`OscalSettings`] or clear placeholders, so NIST's schema accepts it and the provider
//! can merge the inventory into their plan.
//!
//! Entries are streamed: the document is serialized with a marker where the items and
//! the components go, and each entry is written in its place, so a million assets are
//! never one JSON tree.

mod document;
mod entry;
mod protocols;
mod references;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{OutputError, Report};
use crate::inventory::Inventory;
use crate::network::Evidence;
use entry::Addresses;
use hashbrown::HashMap;
use protocols::Services;
use references::References;

/// FedRAMP's OSCAL namespace, for its own props (`vendor-name`, `scan-type`).
pub const FEDRAMP_NS: &str = "http://fedramp.gov/ns/oscal";
/// The OSCAL version FedRAMP pins.
pub const OSCAL_VERSION: &str = "1.1.2";
/// FedRAMP's Rev5 Moderate baseline: the profile most systems import.
pub const DEFAULT_IMPORT_PROFILE: &str = "https://raw.githubusercontent.com/GSA/fedramp-automation/master/dist/content/rev5/baselines/json/FedRAMP_rev5_MODERATE-baseline-resolved-profile_catalog.json";
/// The one value FedRAMP's allowed values (automate.fedramp.gov) list for a document's
/// `fedramp-version`.
pub const DEFAULT_FEDRAMP_VERSION: &str = "fedramp-3.0.0rc1-oscal-1.1.2";
/// FedRAMP's data sensitivity marking for an SSP: Controlled Unclassified Information.
pub const DEFAULT_MARKING: &str = "cui";

/// The namespace of this tool's UUIDs (v5): the same asset keeps its UUID across runs.
const UUID_NS: Uuid = Uuid::from_u128(0x5c1d_7f0e_2b4a_4e59_9a7c_3f8e_6d21_b0a4);

const ITEMS_MARKER: &str = "\u{1}fedramp-inventory-items\u{1}";
const COMPONENTS_MARKER: &str = "\u{1}fedramp-inventory-components\u{1}";

/// The skeleton's settings (`--oscal-settings`, the Lambda's `OSCAL_SETTINGS`, the
/// deployer's `oscal:` block) and, from the command line, a base SSP.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct OscalSettings {
    pub system_name: String,
    /// The FedRAMP application number or package id.
    pub system_id: String,
    pub import_profile: String,
    /// The metadata's `fedramp-version` prop (a base SSP's own is kept).
    pub fedramp_version: String,
    /// The metadata's `marking` prop (a base SSP's own is kept).
    pub marking: String,
    /// What the owner tags name: a tag cannot say whether "Platform Team" is a person.
    pub owner_party_type: PartyType,
    #[serde(skip)]
    pub base: Option<BaseSsp>,
}

/// OSCAL's two kinds of party.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PartyType {
    #[default]
    Person,
    Organization,
}

impl PartyType {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyType::Person => "person",
            PartyType::Organization => "organization",
        }
    }
}

impl Default for OscalSettings {
    fn default() -> Self {
        OscalSettings {
            system_name: "REPLACE-ME: system name".into(),
            system_id: "REPLACE-ME-fedramp-package-id".into(),
            import_profile: DEFAULT_IMPORT_PROFILE.into(),
            fedramp_version: DEFAULT_FEDRAMP_VERSION.into(),
            marking: DEFAULT_MARKING.into(),
            owner_party_type: PartyType::default(),
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
            ("fedramp-version", &settings.fedramp_version),
            ("marking", &settings.marking),
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
    let inventory = report.inventory;
    let base = settings.base.as_ref().map(|b| &b.document);
    // One pass for what the document needs before the entries: who and what they
    // refer to, and whether there are items, components or both.
    let mut refs = References::new(base);
    let (mut has_items, mut has_components) = (false, false);
    for asset in inventory.assets() {
        let item = Addresses::of(&asset).has_ipv4();
        refs.add(&asset, !item);
        has_items |= item;
        has_components |= !item;
    }
    let ports = report
        .summary
        .evidence
        .as_ref()
        .map(|evidence| (evidence, evidence.by_asset()));
    let services = match &ports {
        Some((evidence, by_asset)) => {
            let items = inventory.assets().filter(|a| Addresses::of(a).has_ipv4());
            Services::of(items, inventory, evidence, by_asset)
        }
        None => Services::default(),
    };
    has_components |= !services.is_empty();
    let generated = report
        .summary
        .generated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut document = match base {
        Some(base) => base.clone(),
        None => document::skeleton(settings, &generated),
    };
    let ssp = document
        .get_mut("system-security-plan")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| fail(&"the base SSP has no system-security-plan"))?;
    document::merge_references(ssp, &refs, settings);
    let implementation = ssp
        .entry("system-implementation")
        .or_insert_with(|| json!({}));
    let Some(implementation) = implementation.as_object_mut() else {
        return Err(fail(&"system-implementation is not an object"));
    };
    // OSCAL allows no empty list: no items, no inventory-items.
    implementation.remove("inventory-items");
    if has_items {
        implementation.insert("inventory-items".into(), json!([ITEMS_MARKER]));
    }
    let components = implementation
        .entry("components")
        .or_insert_with(|| json!([]));
    if let Some(list) = components.as_array_mut() {
        // A base's own inventory components (an earlier run's) are replaced too.
        list.retain(|c| !is_inventory_component(c) && !protocols::is_service_component(c));
        if has_components {
            list.push(json!(COMPONENTS_MARKER));
        }
        if list.is_empty() {
            implementation.remove("components");
        }
    }
    let text = serde_json::to_string_pretty(&document).map_err(|e| fail(&e))?;
    let file = File::create(path).map_err(|e| fail(&e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    stream(&mut out, &text, inventory, &refs, ports.as_ref(), &services).map_err(|e| fail(&e))?;
    let file = out.into_inner().map_err(|e| fail(&e.into_error()))?;
    file.sync_all().map_err(|e| fail(&e))
}

/// Writes the document's text with each marker replaced by its entries, asset by asset.
fn stream(
    out: &mut impl Write,
    text: &str,
    inventory: &Inventory,
    refs: &References,
    ports: Option<&(&Evidence, HashMap<u32, usize>)>,
    services: &Services,
) -> std::io::Result<()> {
    let mut rest = text;
    while let Some((at, marker)) = [ITEMS_MARKER, COMPONENTS_MARKER]
        .into_iter()
        .filter_map(|m| rest.find(&quoted(m)).map(|at| (at, m)))
        .min()
    {
        out.write_all(&rest.as_bytes()[..at])?;
        rest = &rest[at + quoted(marker).len()..];
        let mut first = true;
        if marker == COMPONENTS_MARKER {
            for component in services.components() {
                if !first {
                    out.write_all(b",\n")?;
                }
                first = false;
                serde_json::to_writer(&mut *out, component)?;
            }
        }
        for asset in inventory.assets() {
            let addresses = Addresses::of(&asset);
            let entries = match (marker == ITEMS_MARKER, addresses.has_ipv4()) {
                (true, true) => {
                    let mut items = entry::items(&asset, &addresses, refs);
                    // An item shows its protocols through the component it implements.
                    if let Some(uuid) = services.of_asset(asset.index()) {
                        for item in &mut items {
                            item["implemented-components"] = json!([{"component-uuid": uuid}]);
                        }
                    }
                    items
                }
                (false, false) => {
                    let mut component = entry::component(&asset, &addresses, refs);
                    let lines = ports.and_then(|(evidence, by_asset)| {
                        let k = by_asset.get(&asset.index())?;
                        Some(evidence.lines_of(*k, inventory))
                    });
                    if let Some(lines) = lines {
                        let owner = component["uuid"].as_str().unwrap_or_default().to_string();
                        component["protocols"] = json!(protocols::protocols(&owner, lines));
                    }
                    vec![component]
                }
                _ => continue,
            };
            for e in entries {
                if !first {
                    out.write_all(b",\n")?;
                }
                first = false;
                serde_json::to_writer(&mut *out, &e)?;
            }
        }
    }
    out.write_all(rest.as_bytes())?;
    out.write_all(b"\n")
}

/// A marker as serde_json writes it inside the document.
fn quoted(marker: &str) -> String {
    format!("\"{}\"", marker.replace('\u{1}', "\\u0001"))
}

/// FedRAMP gives an `asset-id` only to inventory entries (items, and image and service
/// components): a component with one is inventory, this tool's to replace.
fn is_inventory_component(component: &Value) -> bool {
    component["props"]
        .as_array()
        .is_some_and(|props| props.iter().any(|p| p["name"] == "asset-id"))
}

/// A UUID that is the same for the same name on every run.
fn stable_uuid(name: &str) -> String {
    Uuid::new_v5(&UUID_NS, name.as_bytes()).to_string()
}

/// OSCAL strings hold no leading, trailing or line-break white space.
fn oscal_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_uuids() {
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
