//! Servers and desktops: EC2 instances and dedicated hosts, WorkSpaces, SageMaker
//! notebooks.

use super::Draft;
use crate::fields::Field;

/// One row per private and public address, each with the MAC of its interface.
pub fn ec2_instance(d: &mut Draft<'_>) {
    d.copy(Field::Baseline, "imageId");
    // Without SSM inventory, the platform is all Config knows of the OS ("Linux/UNIX").
    d.copy(Field::OsNameVersion, "platformDetails");
    let mut public_ip = false;
    let interfaces = d.c.list("networkInterfaces");
    for nic in interfaces {
        let mac = d.c.text_in(nic, "macAddress");
        let mac = mac.as_deref();
        let privates = d.c.list_in(nic, "privateIpAddresses");
        if privates.is_empty() {
            let ip = d.c.text_in(nic, "privateIpAddress");
            d.address(ip, mac);
        }
        for p in privates {
            let ip = d.c.text_in(p, "privateIpAddress");
            d.address(ip, mac);
            let ip = d.c.text_in(p, "association.publicIp");
            public_ip |= d.address(ip, mac);
        }
        let ip = d.c.text_in(nic, "association.publicIp");
        public_ip |= d.address(ip, mac);
        for v6 in d.c.list_in(nic, "ipv6Addresses") {
            let ip = d.c.text_in(v6, "ipv6Address");
            d.address(ip, mac);
        }
    }
    if interfaces.is_empty() {
        // Items without interface detail still carry the primary addresses.
        let ip = d.c.text("privateIpAddress");
        d.address(ip, None);
        let ip = d.c.text("publicIpAddress");
        public_ip |= d.address(ip, None);
    } else {
        public_ip |= d.c.text("publicIpAddress").is_some();
    }
    let public_dns = d.c.text("publicDnsName");
    d.public(public_ip || public_dns.is_some());
    let dns = public_dns.or_else(|| d.c.text("privateDnsName"));
    d.set_opt(Field::Dns, dns);
}

/// A dedicated physical server (Virtual "No"); Outposts hosts carry an asset id.
pub fn ec2_host(d: &mut Draft<'_>) {
    let model = d.c.first(&[
        "hostProperties.instanceType",
        "hostProperties.instanceFamily",
    ]);
    let sockets = d.c.text("hostProperties.sockets");
    let cores = d.c.text("hostProperties.cores");
    let model = match (model, sockets, cores) {
        (Some(m), Some(s), Some(c)) => Some(format!("{m} ({s} sockets, {c} cores)")),
        (m, _, _) => m.map(|m| m.into_owned()),
    };
    d.set_opt(Field::HardwareModel, model);
    d.copy(Field::SerialAssetTag, "assetId");
}

pub fn workspace(d: &mut Draft<'_>) {
    d.copy(Field::Baseline, "BundleId");
    if let Some(name) = d.c.text("ComputerName") {
        let short = name.split('.').next().unwrap_or(&name).to_string();
        d.set(Field::NetBios, &short);
    }
    let ip = d.c.text("IpAddress");
    d.address(ip, None);
    if let Some(user) = d.c.text("UserName") {
        d.comment(&format!("user {user}"));
    }
}

/// Reached through presigned URLs, not a listener: not public. Direct internet access
/// is outbound, noted in Comments.
pub fn sagemaker_notebook(d: &mut Draft<'_>) {
    if let Some(access) = d.c.text("DirectInternetAccess") {
        d.comment(&format!("direct internet access {access}"));
    }
}
