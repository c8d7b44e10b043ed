//! AWS::ElasticLoadBalancing::LoadBalancer (classic) and
//! AWS::ElasticLoadBalancingV2::LoadBalancer (application, network, gateway): a managed
//! service, one row per address it publishes (network load balancers) or one row.

use super::Draft;
use crate::fields::Field;

/// What both generations share: exposure by scheme, addresses per zone.
pub fn any(d: &mut Draft<'_>) {
    // Gateway load balancers have no scheme: they are never internet-facing.
    let scheme = d.c.text("scheme");
    d.public(scheme.is_some_and(|s| s.eq_ignore_ascii_case("internet-facing")));
    for zone in d.c.list("availabilityZones") {
        for address in d.c.list_in(zone, "loadBalancerAddresses") {
            let ip = d.c.text_in(address, "ipAddress");
            d.address(ip, None);
        }
    }
}

pub fn v2(d: &mut Draft<'_>) {
    match d.c.text("type") {
        Some(kind) => d.set(Field::AssetType, &format!("Load Balancer-{kind}")),
        None => {
            d.c.warn("configuration.type is missing; Asset Type is plain \"Load Balancer\"")
        }
    }
    any(d);
}
