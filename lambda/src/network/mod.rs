//! The network as AWS Config records it: security groups and their rules, VPCs,
//! subnets, route tables, internet gateways, network ACLs and load-balancer listeners.
//! These are facts, not rows of the workbook: what the ports, protocols and services,
//! the permitted connections and the boundary diagram are derived from.
//!
//! Pure: a Config item in ([`facts::read`]), typed facts out, gathered per run in
//! [`NetworkFacts`]. What is read from where sits in `reader/`; each output that uses
//! the facts is a file of its own in `outputs/`.

pub mod attach;
pub mod connections;
pub mod diagram;
mod entries;
pub mod facts;
pub mod ports;

use std::collections::BTreeMap;

pub use attach::{Attachment, Encryption, Endpoint};
pub use facts::{
    Fact, InternetGateway, Listener, NetworkAcl, Peer, Permission, Protocol, RouteTable,
    SecurityGroup, Subnet, Vpc,
};
pub use ports::{AssetNames, Attachments, Evidence, EvidenceCounts, Exposure, GroupRef, PortLine};

/// The Config types read as network facts, with their full configuration. Each is in
/// aws-sdk-config's `ResourceType` enum and in awslabs/aws-config-resource-schema
/// (`tests/aws_models.rs` holds them to botocore's model).
pub const NETWORK_TYPES: [&str; 7] = [
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EC2::RouteTable",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NetworkAcl",
    "AWS::ElasticLoadBalancingV2::Listener",
];

/// Why the network types are not read when the setting is off (Run Summary, result).
pub const OFF_REASON: &str = "not read: turned off (network: off). No ports, protocols and services, permitted connections or boundary diagram are derived from this type";

pub fn is_network_type(resource_type: &str) -> bool {
    NETWORK_TYPES.contains(&resource_type)
}

/// Every network fact a run read, in the order read (the readers' order is fixed, so
/// the facts do not depend on thread timing).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkFacts {
    pub security_groups: Vec<SecurityGroup>,
    pub subnets: Vec<Subnet>,
    pub vpcs: Vec<Vpc>,
    pub route_tables: Vec<RouteTable>,
    pub internet_gateways: Vec<InternetGateway>,
    pub network_acls: Vec<NetworkAcl>,
    pub listeners: Vec<Listener>,
}

impl NetworkFacts {
    pub fn add(&mut self, fact: Fact) {
        match fact {
            Fact::SecurityGroup(f) => self.security_groups.push(f),
            Fact::Subnet(f) => self.subnets.push(f),
            Fact::Vpc(f) => self.vpcs.push(f),
            Fact::RouteTable(f) => self.route_tables.push(f),
            Fact::InternetGateway(f) => self.internet_gateways.push(f),
            Fact::NetworkAcl(f) => self.network_acls.push(f),
            Fact::Listener(f) => self.listeners.push(f),
        }
    }

    /// Lets go of the room kept for more, once every item is in.
    pub fn shrink_to_fit(&mut self) {
        self.security_groups.shrink_to_fit();
        self.subnets.shrink_to_fit();
        self.vpcs.shrink_to_fit();
        self.route_tables.shrink_to_fit();
        self.internet_gateways.shrink_to_fit();
        self.network_acls.shrink_to_fit();
        self.listeners.shrink_to_fit();
    }

    /// How many of each type were read, by Config type (types with none left out).
    pub fn counts(&self) -> BTreeMap<String, u64> {
        let counts = [
            self.security_groups.len(),
            self.subnets.len(),
            self.vpcs.len(),
            self.route_tables.len(),
            self.internet_gateways.len(),
            self.network_acls.len(),
            self.listeners.len(),
        ];
        NETWORK_TYPES
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| (t.to_string(), n as u64))
            .collect()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod ports_tests;

#[cfg(test)]
mod diagram_tests;
