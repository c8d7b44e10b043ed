//! AWS::EC2::Instance: one row per private and public address, each with the MAC of
//! its interface.

use super::conf::{list, text, yes_no};
use super::Asset;
use crate::fields::Field;
use crate::item::ConfigItem;

pub fn map(item: &ConfigItem, asset: &mut Asset) {
    let c = &item.configuration;
    let w = &mut Vec::new();
    let id = text(c, "instanceId", w);
    asset.set_opt(
        Field::AssetId,
        id.as_deref().or(item.resource_id.as_deref()),
    );
    asset.set(Field::AssetType, "EC2");
    asset.set(Field::AuthenticatedScan, "Yes");
    asset.set_opt(Field::HardwareModel, text(c, "instanceType", w).as_deref());
    asset.set_opt(Field::Vlan, text(c, "vpcId", w).as_deref());
    asset.set_opt(Field::Baseline, text(c, "imageId", w).as_deref());
    let zone = text(c, "placement.availabilityZone", w);
    asset.set_opt(
        Field::Location,
        zone.as_deref().or(item.availability_zone.as_deref()),
    );

    let mut public_ip = false;
    let interfaces = list(c, "networkInterfaces", w);
    for nic in interfaces {
        let mac = text(nic, "macAddress", w);
        let mac = mac.as_deref();
        let privates = list(nic, "privateIpAddresses", w);
        if privates.is_empty() {
            add(asset, text(nic, "privateIpAddress", w), mac);
        }
        for p in privates {
            add(asset, text(p, "privateIpAddress", w), mac);
            public_ip |= add(asset, text(p, "association.publicIp", w), mac);
        }
        public_ip |= add(asset, text(nic, "association.publicIp", w), mac);
        for v6 in list(nic, "ipv6Addresses", w) {
            add(asset, text(v6, "ipv6Address", w), mac);
        }
    }
    if interfaces.is_empty() {
        // Items without interface detail still carry the primary addresses.
        add(asset, text(c, "privateIpAddress", w), None);
        public_ip |= add(asset, text(c, "publicIpAddress", w), None);
    } else {
        public_ip |= text(c, "publicIpAddress", w).is_some();
    }
    let public_dns = text(c, "publicDnsName", w);
    asset.set(Field::Public, yes_no(public_ip || public_dns.is_some()));
    let dns = public_dns.or_else(|| text(c, "privateDnsName", w));
    asset.set_opt(Field::Dns, dns.as_deref());
    asset.warnings.append(w);
}

/// Adds an address when present; says whether it did.
fn add(asset: &mut Asset, ip: Option<std::borrow::Cow<'_, str>>, mac: Option<&str>) -> bool {
    match ip {
        Some(ip) => {
            asset.add_address(&ip, mac);
            true
        }
        None => false,
    }
}
