//! Config item -> inventory asset, one file per resource family.
//!
//! [`REGISTRY`] is the single list of supported resource types: the Config query asks
//! for exactly these ([`select_query`]), and an item of any other type is counted as
//! unsupported rather than dropped silently.

mod asset;
pub mod conf;
mod dynamodb_table;
mod ec2_instance;
mod load_balancer;
mod rds_db_instance;
pub mod tags;

use std::collections::HashMap;

pub use asset::{Asset, MAX_VALUE_CHARS};
pub use tags::TagNames;

use crate::fields::Field;
use crate::item::ConfigItem;

/// What every mapper may consult besides the item.
#[derive(Clone, Debug, Default)]
pub struct MapContext {
    pub tag_names: TagNames,
    /// Account id -> friendly name, for the Comments column when known.
    pub account_names: HashMap<String, String>,
}

/// A mapper fills the family-specific columns; common columns are filled by [`map_item`].
type MapFn = fn(&ConfigItem, &mut Asset);

/// One supported resource type and the function that maps it.
pub struct Mapper {
    pub resource_type: &'static str,
    map: MapFn,
}

/// Every supported resource type.
pub const REGISTRY: &[Mapper] = &[
    Mapper {
        resource_type: "AWS::EC2::Instance",
        map: ec2_instance::map,
    },
    Mapper {
        resource_type: "AWS::ElasticLoadBalancing::LoadBalancer",
        map: load_balancer::map_classic,
    },
    Mapper {
        resource_type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        map: load_balancer::map_v2,
    },
    Mapper {
        resource_type: "AWS::RDS::DBInstance",
        map: rds_db_instance::map,
    },
    Mapper {
        resource_type: "AWS::DynamoDB::Table",
        map: dynamodb_table::map,
    },
];

pub fn supported_resource_types() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|m| m.resource_type)
}

/// The AWS Config advanced query for every supported type.
pub fn select_query() -> String {
    let types: Vec<String> = supported_resource_types()
        .map(|t| format!("'{t}'"))
        .collect();
    format!(
        "SELECT resourceId, resourceType, arn, accountId, awsRegion, availabilityZone, configuration, tags \
         WHERE resourceType IN ({})",
        types.join(", ")
    )
}

/// The result of mapping one item.
#[derive(Debug)]
pub enum Mapped {
    Asset(Box<Asset>),
    /// No mapper for this type (the type is `None` when the item does not say).
    Unsupported(Option<String>),
}

/// Maps one item: the family's columns, then what every asset shares.
pub fn map_item(item: &ConfigItem, ctx: &MapContext) -> Mapped {
    let Some(rtype) = item.resource_type.as_deref() else {
        return Mapped::Unsupported(None);
    };
    let Some(mapper) = REGISTRY.iter().find(|m| m.resource_type == rtype) else {
        return Mapped::Unsupported(Some(rtype.to_string()));
    };
    let mut asset = Asset::default();
    (mapper.map)(item, &mut asset);
    if asset.get(Field::AssetId).is_empty() {
        asset.warnings.push("no identifier found (instance id, ARN or resource id); Unique Asset Identifier left empty".into());
    }
    fill_common(item, ctx, &mut asset);
    Mapped::Asset(Box::new(asset))
}

fn fill_common(item: &ConfigItem, ctx: &MapContext, asset: &mut Asset) {
    asset.set(Field::Virtual, "Yes");
    tags::apply(item, &ctx.tag_names, asset);
    let account = item
        .account_id
        .as_deref()
        .or_else(|| arn_part(item.arn.as_deref(), 4));
    let region = item
        .region
        .as_deref()
        .or_else(|| arn_part(item.arn.as_deref(), 3));
    asset.set_opt_account(account);
    asset.set_opt_region(region);
    let mut comment = Vec::new();
    if let Some(account) = account {
        match ctx.account_names.get(account) {
            Some(name) => comment.push(format!("Account {account} ({name})")),
            None => comment.push(format!("Account {account}")),
        }
    }
    if let Some(region) = region {
        comment.push(format!("Region {region}"));
    }
    asset.set(Field::Comments, &comment.join(", "));
    if asset.get(Field::Location).is_empty() {
        asset.set_opt(Field::Location, region);
    }
}

/// A part of an ARN (`arn:partition:service:region:account:resource`), when the item
/// does not carry its account or region as fields (queries that did not select them).
fn arn_part(arn: Option<&str>, index: usize) -> Option<&str> {
    arn?.splitn(6, ':').nth(index).filter(|p| !p.is_empty())
}

/// The identifier the template wants for managed services: the ARN, else whatever
/// the item names itself by.
fn arn_or_id<'a>(item: &'a ConfigItem, configured_arn: Option<&'a str>) -> Option<&'a str> {
    item.arn
        .as_deref()
        .or(configured_arn)
        .or(item.resource_id.as_deref())
}

impl Asset {
    fn set_opt_account(&mut self, account: Option<&str>) {
        if let Some(a) = account {
            self.set_account(a);
        }
    }

    fn set_opt_region(&mut self, region: Option<&str>) {
        if let Some(r) = region {
            self.set_region(r);
        }
    }
}

#[cfg(test)]
mod tests;
