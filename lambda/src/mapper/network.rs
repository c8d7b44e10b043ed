//! VPC networking: network interfaces, Elastic IPs, NAT gateways, endpoints, VPNs and
//! Network Firewall.

use super::conf::pair;
use super::{Draft, Fold};
use crate::fields::Field;

/// Interfaces that repeat another asset's addresses are folded into it by the
/// inventory once every item is read (see [`Fold`]); the rest are listed in full.
pub fn network_interface(d: &mut Draft<'_>) {
    let mac = d.c.text("macAddress");
    let mac = mac.as_deref();
    let mut public_ip = false;
    let privates = d.c.list("privateIpAddresses");
    for p in privates {
        let ip = d.c.text_in(p, "privateIpAddress");
        d.address(ip, mac);
        let ip = d.c.text_in(p, "association.publicIp");
        public_ip |= d.address(ip, mac);
    }
    if privates.is_empty() {
        let ip = d.c.text("privateIpAddress");
        d.address(ip, mac);
    }
    let ip = d.c.text("association.publicIp");
    public_ip |= d.address(ip, mac);
    for v6 in d.c.list("ipv6Addresses") {
        let ip = d.c.text_in(v6, "ipv6Address");
        d.address(ip, mac);
    }
    d.public(public_ip);
    let dns = d.c.first(&["association.publicDnsName", "privateDnsName"]);
    d.set_opt(Field::Dns, dns);
    if let Some(description) = d.c.text("description") {
        d.comment(&description);
    }
    let managed = d.c.flag("requesterManaged").unwrap_or(false)
        || d.c
            .text("interfaceType")
            .is_some_and(|t| !t.eq_ignore_ascii_case("interface"));
    if let Some(instance) = d.c.text("attachment.instanceId") {
        d.fold(Fold::AttachedTo(instance.into_owned()));
    } else if managed {
        d.fold(Fold::ManagedByService);
    }
}

/// A DNS resolver's addresses in the VPC, one row each; which way it resolves in
/// Comments. Recorded through the CloudFormation registry (its schema's names).
pub fn resolver_endpoint(d: &mut Draft<'_>) {
    d.addresses_in_list("IpAddresses", &["Ip", "Ipv6"]);
    let direction = d.c.text("Direction");
    let kind = d.c.text("ResolverEndpointType");
    if let Some(text) = pair(direction, kind, ", ") {
        d.comment(&format!("resolver endpoint {text}"));
    }
}

/// Listed on its own only when it is not associated with something already listed.
pub fn elastic_ip(d: &mut Draft<'_>) {
    let ip = d.c.text("publicIp");
    let ip = ip.or_else(|| {
        d.item
            .resource_name
            .as_deref()
            .filter(|n| n.parse::<std::net::IpAddr>().is_ok())
            .map(Into::into)
    });
    d.address(ip, None);
    let owner = d.c.first(&["instanceId", "networkInterfaceId"]);
    if owner.is_some() || d.c.text("associationId").is_some() {
        d.fold(Fold::AssociatedWith(owner.map(|o| o.into_owned())));
    }
}

pub fn nat_gateway(d: &mut Draft<'_>) {
    for a in d.c.list("natGatewayAddresses") {
        let ip = d.c.text_in(a, "privateIp");
        d.address(ip, None);
        let ip = d.c.text_in(a, "publicIp");
        d.address(ip, None);
    }
    // A NAT gateway is public unless created as private (the default is public).
    let private =
        d.c.text("connectivityType")
            .is_some_and(|t| t.eq_ignore_ascii_case("private"));
    d.public(!private);
}

pub fn vpc_endpoint(d: &mut Draft<'_>) {
    if let Some(first) = d.c.list("dnsEntries").first() {
        let dns = d.c.text_in(first, "dnsName");
        d.set_opt(Field::Dns, dns);
    }
    d.copy(Field::SoftwareNameVersion, "serviceName");
}

/// The tunnels' outside addresses. The item's `customerGatewayConfiguration` holds the
/// tunnels' pre-shared keys and is never read.
pub fn vpn_connection(d: &mut Draft<'_>) {
    let mut any = false;
    for t in d.c.list("vgwTelemetry") {
        let ip = d.c.text_in(t, "outsideIpAddress");
        any |= d.address(ip, None);
    }
    if !any {
        for t in d.c.list("options.tunnelOptions") {
            let ip = d.c.text_in(t, "outsideIpAddress");
            d.address(ip, None);
        }
    }
}

pub fn client_vpn(d: &mut Draft<'_>) {
    let model = pair(d.c.text("TransportProtocol"), d.c.text("VpnPort"), "/");
    d.set_opt(Field::HardwareModel, model);
    if let Some(cidr) = d.c.text("ClientCidrBlock") {
        d.comment(&format!("client CIDR {cidr}"));
    }
    if let Some(split) = d.c.text("SplitTunnel") {
        d.comment(&format!("split tunnel {split}"));
    }
}

pub fn network_firewall(d: &mut Draft<'_>) {
    let policy =
        d.c.first(&["firewall.firewallPolicyArn", "FirewallPolicyArn"]);
    d.set_opt(Field::Baseline, policy);
}
