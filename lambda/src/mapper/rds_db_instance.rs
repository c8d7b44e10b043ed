//! AWS::RDS::DBInstance: a managed database, listed by ARN with its engine and class.

use super::conf::{flag, text, yes_no};
use super::{arn_or_id, Asset};
use crate::fields::Field;
use crate::item::ConfigItem;

pub fn map(item: &ConfigItem, asset: &mut Asset) {
    let c = &item.configuration;
    let w = &mut Vec::new();
    let configured_arn = text(c, "dBInstanceArn", w);
    asset.set_opt(Field::AssetId, arn_or_id(item, configured_arn.as_deref()));
    asset.set(Field::AssetType, "RDS");
    asset.set(Field::AuthenticatedScan, "No");
    if let Some(public) = flag(c, "publiclyAccessible", w) {
        asset.set(Field::Public, yes_no(public));
    }
    asset.set_opt(Field::Dns, text(c, "endpoint.address", w).as_deref());
    let zone = text(c, "availabilityZone", w);
    asset.set_opt(
        Field::Location,
        zone.as_deref().or(item.availability_zone.as_deref()),
    );
    asset.set_opt(
        Field::HardwareModel,
        text(c, "dBInstanceClass", w).as_deref(),
    );
    asset.set(Field::SoftwareVendor, "AWS");
    let engine = text(c, "engine", w);
    let version = text(c, "engineVersion", w);
    let name = match (engine, version) {
        (Some(e), Some(v)) => Some(format!("{e}-{v}")),
        (Some(e), None) => Some(e.into_owned()),
        (None, v) => v.map(|v| v.into_owned()),
    };
    asset.set_opt(Field::SoftwareNameVersion, name.as_deref());
    // Instances outside a VPC have no subnet group: the VLAN stays empty.
    asset.set_opt(Field::Vlan, text(c, "dBSubnetGroup.vpcId", w).as_deref());
    asset.warnings.append(w);
}
