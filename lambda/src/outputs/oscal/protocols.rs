//! An asset's ports, protocols and services as OSCAL `protocols` (on a system
//! component: OSCAL gives an inventory item none). Names are the protocols' short names
//! (`https`, `ssh`, `dns`, `tls`: GSA's rule `has-expected-network-protocols` looks for
//! DNS, NTP, SSH, HTTPS and TLS, upper-casing what it finds); a port without one is
//! named by its transport and port (`tcp-5439`).

use hashbrown::HashMap;
use serde_json::{json, Value};

use super::entry::{asset_type as asset_type_of, INVENTORY_NS};
use super::stable_uuid;
use crate::fields::Field;
use crate::inventory::{AssetView, Inventory};
use crate::network::{Evidence, PortLine};

/// The `protocols` of the component `owner` (its UUID's name), one per entry.
pub(super) fn protocols<'a>(owner: &str, lines: impl Iterator<Item = PortLine<'a>>) -> Vec<Value> {
    lines
        .map(|line| {
            let name = match line.protocol_name {
                Some(name) => name.to_string(),
                None if line.transport == "all" => "all".to_string(),
                None => format!("{}-{}", line.transport, line.port)
                    .to_ascii_lowercase()
                    .replace(' ', "-"),
            };
            let title = format!(
                "{} on {} {} (encryption: {})",
                line.service, line.transport, line.port, line.encryption
            );
            let mut protocol = json!({
                "uuid": stable_uuid(&format!("protocol:{owner}:{}:{}", line.transport, line.port)),
                "name": name,
                "title": title,
            });
            if let Some((start, end)) = line.range {
                let ranges: Vec<Value> = line
                    .transports
                    .iter()
                    .map(|t| json!({"start": start, "end": end, "transport": t}))
                    .collect();
                protocol["port-ranges"] = json!(ranges);
            }
            protocol
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn line(
        port: &'static str,
        transport: &'static str,
        name: Option<&'static str>,
    ) -> PortLine<'static> {
        let (range, transports): (Option<(u16, u16)>, &'static [&'static str]) = match transport {
            "TCP" => (Some((443, 443)), &["TCP"]),
            "all" => (Some((0, 65_535)), &["TCP", "UDP"]),
            _ => (None, &[]),
        };
        PortLine {
            account: "1",
            region: "r",
            asset_id: "a",
            asset_type: "RDS",
            label: "",
            port,
            transport: Cow::Borrowed(transport),
            service: "svc".into(),
            protocol_name: name,
            encryption: "TLS".into(),
            purpose: "".into(),
            range,
            transports,
            sources: "",
            groups: "",
            exposure: crate::network::Exposure::None,
        }
    }

    #[test]
    fn names_ranges_and_transports() {
        let list = protocols(
            "c",
            [
                line("443", "TCP", Some("https")),
                line("0-65535", "all", None),
                line("all", "ICMP", Some("icmp")),
                line("all", "IP protocol 50", None),
            ]
            .into_iter(),
        );
        assert_eq!(list[0]["name"], "https");
        assert_eq!(
            list[0]["port-ranges"],
            json!([{"start": 443, "end": 443, "transport": "TCP"}])
        );
        assert_eq!(list[1]["name"], "all");
        assert_eq!(list[1]["port-ranges"].as_array().unwrap().len(), 2);
        assert_eq!(list[2]["name"], "icmp");
        assert!(list[2].get("port-ranges").is_none(), "ICMP has no ports");
        assert_eq!(list[3]["name"], "ip-protocol-50-all");
        assert_ne!(list[0]["uuid"], list[1]["uuid"]);
    }
}

/// The components inventory items implement to show their ports, protocols and
/// services: OSCAL gives an item no `protocols`, so items of one asset type that offer
/// the same protocols implement one `service` component that lists them.
#[derive(Default)]
pub(super) struct Services {
    /// An item's component UUID, by the asset's stored index.
    by_asset: HashMap<u32, String>,
    components: Vec<Value>,
}

impl Services {
    /// One component per asset type and set of protocols among `items` (the assets
    /// written as inventory items).
    pub(super) fn of<'a>(
        items: impl Iterator<Item = AssetView<'a>>,
        inventory: &'a Inventory,
        evidence: &Evidence,
        by_asset: &HashMap<u32, usize>,
    ) -> Services {
        let mut services = Services::default();
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut counts: Vec<u64> = Vec::new();
        for asset in items {
            let Some(&k) = by_asset.get(&asset.index()) else {
                continue;
            };
            let asset_type = asset.get(Field::AssetType);
            let lines: Vec<PortLine> = evidence.lines_of(k, inventory).collect();
            let mut key = asset_type.to_string();
            for l in &lines {
                key.push_str(&format!(
                    "|{}/{}/{}",
                    l.protocol_name.unwrap_or(""),
                    l.transport,
                    l.port
                ));
            }
            let at = *keys.entry(key.clone()).or_insert_with(|| {
                let uuid = stable_uuid(&format!("service:{key}"));
                let mut names: Vec<&str> = lines.iter().filter_map(|l| l.protocol_name).collect();
                names.sort_unstable();
                names.dedup();
                let offered = if names.is_empty() {
                    String::new()
                } else {
                    format!(": {}", names.join(", "))
                };
                let title = format!("Network services of {asset_type}{offered}");
                services.components.push(json!({
                    "uuid": uuid,
                    "type": "service",
                    "title": title,
                    "description": "",
                    "props": [
                        {"name": "asset-type", "value": asset_type_of(asset_type)},
                        {"name": "network-services", "ns": INVENTORY_NS, "value": asset_type},
                    ],
                    "status": {"state": "operational"},
                    "protocols": protocols(&uuid, lines.into_iter()),
                }));
                counts.push(0);
                services.components.len() - 1
            });
            counts[at] += 1;
            let uuid = services.components[at]["uuid"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            services.by_asset.insert(asset.index(), uuid);
        }
        for (component, n) in services.components.iter_mut().zip(counts) {
            let asset_type = component["props"][1]["value"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            component["description"] = json!(format!(
                "The ports, protocols and services {n} inventory items of type {asset_type} offer, as their security groups and load-balancer listeners permit (derived from AWS Config by fedramp-inventory; each item implements this component)"
            ));
        }
        services
    }

    pub(super) fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    pub(super) fn components(&self) -> &[Value] {
        &self.components
    }

    /// The component the asset's items implement, when it offers any service.
    pub(super) fn of_asset(&self, index: u32) -> Option<&str> {
        self.by_asset.get(&index).map(String::as_str)
    }
}

/// Whether a component is one of these (an earlier run's, in a base SSP: replaced).
pub(super) fn is_service_component(component: &Value) -> bool {
    component["props"].as_array().is_some_and(|props| {
        props
            .iter()
            .any(|p| p["name"] == "network-services" && p["ns"] == INVENTORY_NS)
    })
}
