//! AWS::DynamoDB::Table: a managed database with no network presence of its own.

use super::conf::text;
use super::{arn_or_id, Asset};
use crate::fields::Field;
use crate::item::ConfigItem;

pub fn map(item: &ConfigItem, asset: &mut Asset) {
    let w = &mut Vec::new();
    let configured_arn = text(&item.configuration, "tableArn", w);
    asset.set_opt(Field::AssetId, arn_or_id(item, configured_arn.as_deref()));
    asset.set(Field::AssetType, "DynamoDB");
    asset.set(Field::Public, "No");
    asset.set(Field::AuthenticatedScan, "No");
    asset.set(Field::SoftwareVendor, "AWS");
    asset.set(Field::SoftwareNameVersion, "DynamoDB");
    asset.warnings.append(w);
}
