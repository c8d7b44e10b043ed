//! What the SSP's entries refer to and the document holds once: the owners (parties)
//! and the baselines given with a URL (back-matter resources). Both the entries
//! (`entry.rs`) and the document around them (`document.rs`) use these; neither
//! imports the other.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{oscal_text, stable_uuid};
use crate::fields::Field;
use crate::inventory::AssetView;

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
