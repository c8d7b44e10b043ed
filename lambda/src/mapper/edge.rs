//! Global edge services: CloudFront, Global Accelerator, Route 53 hosted zones.

use super::Draft;
use crate::fields::Field;

pub fn cloudfront(d: &mut Draft<'_>) {
    let aliases: Vec<String> =
        d.c.list("distributionConfig.aliases.items")
            .iter()
            .filter_map(|a| a.as_str().map(String::from))
            .collect();
    if !aliases.is_empty() {
        d.comment(&format!("aliases {}", aliases.join(", ")));
    }
    if let Some(acl) = d.c.text("distributionConfig.webACLId") {
        d.comment(&format!("web ACL {acl}"));
    }
}

pub fn global_accelerator(d: &mut Draft<'_>) {
    for ip in d.c.list("IpAddresses") {
        d.address(ip.as_str().map(Into::into), None);
    }
    for set in d.c.list("IpSets") {
        for ip in d.c.list_in(set, "IpAddresses") {
            d.address(ip.as_str().map(Into::into), None);
        }
    }
}

/// A zone associated with VPCs is private; one without is public.
pub fn hosted_zone(d: &mut Draft<'_>) {
    if d.asset().get(Field::AssetId).is_empty() || d.item.arn.is_none() {
        if let Some(id) = d.c.text("Id") {
            let id = id.trim_start_matches("/hostedzone/");
            // Route 53 is global, recorded in a region of the zone's partition.
            let partition =
                crate::partition::partition_of(d.item.region.as_deref().unwrap_or_default());
            d.set(
                Field::AssetId,
                &format!("arn:{partition}:route53:::hostedzone/{id}"),
            );
        }
    }
    let private = !d.c.list("VPCs").is_empty();
    d.public(!private);
    let vpcs: Vec<String> =
        d.c.list("VPCs")
            .iter()
            .filter_map(|v| {
                v.get("VPCId")
                    .or_else(|| v.get("vpcId"))
                    .and_then(|x| x.as_str())
                    .map(String::from)
            })
            .collect();
    if !vpcs.is_empty() {
        d.set(Field::Vlan, &vpcs.join(", "));
    }
    let servers = d.c.joined("NameServers");
    if let Some(servers) = servers {
        d.comment(&format!("name servers {servers}"));
    }
}
