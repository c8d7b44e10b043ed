//! AWS::ElasticLoadBalancing::LoadBalancer (classic) and
//! AWS::ElasticLoadBalancingV2::LoadBalancer (application, network, gateway).
//!
//! A load balancer is a managed service: not scanned with credentials, located by
//! region, one row per address it publishes (network load balancers) or one row.

use super::conf::{list, text, yes_no};
use super::{arn_or_id, Asset};
use crate::fields::Field;
use crate::item::ConfigItem;

pub fn map_classic(item: &ConfigItem, asset: &mut Asset) {
    let c = &item.configuration;
    let w = &mut Vec::new();
    asset.set_opt(Field::AssetId, arn_or_id(item, None));
    asset.set(Field::AssetType, "Load Balancer-Classic");
    // Classic items spell these in lower case; tolerate the v2 spelling too.
    let dns = text(c, "dnsname", w).or_else(|| text(c, "dNSName", w));
    asset.set_opt(Field::Dns, dns.as_deref());
    let vpc = text(c, "vpcid", w).or_else(|| text(c, "vpcId", w));
    asset.set_opt(Field::Vlan, vpc.as_deref());
    common(item, asset, w);
}

pub fn map_v2(item: &ConfigItem, asset: &mut Asset) {
    let c = &item.configuration;
    let w = &mut Vec::new();
    let configured_arn = text(c, "loadBalancerArn", w);
    asset.set_opt(Field::AssetId, arn_or_id(item, configured_arn.as_deref()));
    match text(c, "type", w) {
        Some(kind) => asset.set(Field::AssetType, &format!("Load Balancer-{kind}")),
        None => {
            w.push("configuration.type is missing; Asset Type is plain \"Load Balancer\"".into());
            asset.set(Field::AssetType, "Load Balancer");
        }
    }
    let dns = text(c, "dNSName", w).or_else(|| text(c, "dnsname", w));
    asset.set_opt(Field::Dns, dns.as_deref());
    asset.set_opt(Field::Vlan, text(c, "vpcId", w).as_deref());
    common(item, asset, w);
}

fn common(item: &ConfigItem, asset: &mut Asset, w: &mut Vec<String>) {
    let c = &item.configuration;
    asset.set(Field::AuthenticatedScan, "No");
    // Gateway load balancers have no scheme: they are never internet-facing.
    let public = text(c, "scheme", w).is_some_and(|s| s.eq_ignore_ascii_case("internet-facing"));
    asset.set(Field::Public, yes_no(public));
    for zone in list(c, "availabilityZones", w) {
        for address in list(zone, "loadBalancerAddresses", w) {
            if let Some(ip) = text(address, "ipAddress", w) {
                asset.add_address(&ip, None);
            }
        }
    }
    asset.warnings.append(w);
}
