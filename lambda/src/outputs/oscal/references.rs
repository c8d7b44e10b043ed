//! What the SSP's entries refer to and the document holds once: the owners (parties)
//! and the baselines given with a URL (back-matter resources). Both the entries
//! (`entry.rs`) and the document around them (`document.rs`) use these; neither
//! imports the other.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{oscal_text, stable_uuid};
use crate::fields::Field;
use crate::inventory::AssetView;

/// The base SSP's metadata `list` (parties, locations) as `key` -> UUID: what it already
/// lists keeps its UUID.
fn uuids_by(base: Option<&Value>, list: &str, key: &str) -> BTreeMap<String, String> {
    base.and_then(|b| b.pointer(&format!("/system-security-plan/metadata/{list}")))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            Some((
                entry[key].as_str()?.to_string(),
                entry["uuid"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// What `key` already is in the base SSP (`known`), else a UUID of its own that the
/// same `kind:key` gets on every run.
fn kept_or_stable(known: &BTreeMap<String, String>, kind: &str, key: &str) -> String {
    known
        .get(key)
        .cloned()
        .unwrap_or_else(|| stable_uuid(&format!("{kind}:{key}")))
}

/// The people and teams named as owners, each a party.
pub(super) struct Owners {
    /// The base SSP's parties: name -> UUID.
    known: BTreeMap<String, String>,
    /// Name -> party UUID (the base SSP's own, when it already lists that name).
    pub(super) parties: BTreeMap<String, String>,
}

impl Owners {
    /// Owners the base SSP already lists (by name) keep the base's party UUID.
    pub(super) fn new(base: Option<&Value>) -> Owners {
        Owners {
            known: uuids_by(base, "parties", "name"),
            parties: BTreeMap::new(),
        }
    }

    /// The asset's owners, each a party.
    pub(super) fn add(&mut self, asset: &AssetView) {
        for field in [Field::SystemOwner, Field::ApplicationOwner] {
            let name = oscal_text(asset.get(field));
            if !name.is_empty() && !self.parties.contains_key(&name) {
                let uuid = kept_or_stable(&self.known, "party", &name);
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
    pub(super) resources: BTreeMap<String, (String, String)>,
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
                let uuid = kept_or_stable(&self.known, "baseline", url);
                self.resources.insert(url.to_string(), (uuid, name));
            }
        }
    }

    pub(super) fn uuid(&self, url: &str) -> Option<&str> {
        self.resources.get(url).map(|(uuid, _)| uuid.as_str())
    }
}

/// A baseline tag may hold a name, a URL, or both (`CIS Amazon Linux 2 L2
/// https://...`): the name is the prop, the URL a back-matter resource it links to.
/// A URL alone is also the name, as it is all that is known.
pub(super) fn baseline_and_url(text: &str) -> (String, Option<&str>) {
    let url = text
        .split_whitespace()
        .find(|w| w.starts_with("https://") || w.starts_with("http://"));
    let Some(url) = url else {
        return (oscal_text(text), None);
    };
    let name: Vec<&str> = text.split_whitespace().filter(|w| *w != url).collect();
    let name = name
        .join(" ")
        .trim_end_matches(|c: char| c == ':' || c == '-' || c == '(' || c.is_whitespace())
        .to_string();
    (
        if name.is_empty() {
            url.to_string()
        } else {
            name
        },
        Some(url),
    )
}

/// Where the service components are: NIST's constraint
/// `oscal-component-prop-physical-location` makes a component's `physical-location` the
/// UUID of a location in the metadata, so each distinct Location (an availability zone
/// or region) is a location, and the components refer to it.
pub(super) struct Locations {
    /// The base SSP's locations: title -> UUID.
    known: BTreeMap<String, String>,
    /// Title -> location UUID (the base SSP's own, when it has one of that title).
    pub(super) locations: BTreeMap<String, String>,
}

impl Locations {
    pub(super) fn new(base: Option<&Value>) -> Locations {
        Locations {
            known: uuids_by(base, "locations", "title"),
            locations: BTreeMap::new(),
        }
    }

    /// The location of an asset written as a component. AWS Config's `global` (IAM,
    /// Route 53 and other global services) is no place, so it is no location.
    pub(super) fn add(&mut self, asset: &AssetView) {
        let title = oscal_text(asset.get(Field::Location));
        if !title.is_empty() && title != "global" && !self.locations.contains_key(&title) {
            let uuid = kept_or_stable(&self.known, "location", &title);
            self.locations.insert(title, uuid);
        }
    }

    pub(super) fn uuid(&self, title: &str) -> Option<&str> {
        self.locations.get(&oscal_text(title)).map(String::as_str)
    }
}

/// Everything the entries refer to, found in one pass over the assets.
pub(super) struct References {
    pub(super) owners: Owners,
    pub(super) baselines: Baselines,
    pub(super) locations: Locations,
}

impl References {
    pub(super) fn new(base: Option<&Value>) -> References {
        References {
            owners: Owners::new(base),
            baselines: Baselines::new(base),
            locations: Locations::new(base),
        }
    }

    /// An asset's owners and baseline; its location when it is written as a component.
    pub(super) fn add(&mut self, asset: &AssetView, as_component: bool) {
        self.owners.add(asset);
        self.baselines.add(asset);
        if as_component {
            self.locations.add(asset);
        }
    }
}
