//! Storage: S3 buckets and EFS file systems.

use crate::json::Json;

use super::conf::pair;
use super::Draft;
use crate::fields::Field;
use crate::partition::{partition_of, region_dns_suffix};

/// Whether a bucket is public lives in `supplementaryConfiguration`: blocked when all
/// four public-access-block settings are on; else public when its policy allows
/// anyone without a condition or its ACL grants everyone. Without that section the
/// item does not say, and the cell stays empty.
pub fn s3_bucket(d: &mut Draft<'_>) {
    let name = d.c.text("name").map(|n| n.into_owned()).or_else(|| {
        d.item
            .resource_name
            .as_deref()
            .or(d.item.resource_id.as_deref())
            .map(str::to_string)
    });
    if d.item.arn.is_none() {
        if let Some(name) = &name {
            let partition = partition_of(d.item.region.as_deref().unwrap_or_default());
            d.set(Field::AssetId, &format!("arn:{partition}:s3:::{name}"));
        }
    }
    if let (Some(name), Some(region)) = (&name, d.item.region.as_deref()) {
        let suffix = region_dns_suffix(region);
        d.set(Field::Dns, &format!("{name}.s3.{region}.{suffix}"));
    }
    let supp = &d.item.supplementary;
    if let Some(public) = bucket_public(supp) {
        d.public(public);
    }
    if supp
        .get("BucketWebsiteConfiguration")
        .is_some_and(|w| !w.is_null())
    {
        d.comment("static website hosting on");
    }
}

fn bucket_public(supp: &Json<'_>) -> Option<bool> {
    let Json::Object(map) = supp else {
        return None;
    };
    if map.is_empty() {
        return None;
    }
    let block = map.get("PublicAccessBlockConfiguration");
    let blocked = block.is_some_and(|b| {
        [
            "blockPublicAcls",
            "ignorePublicAcls",
            "blockPublicPolicy",
            "restrictPublicBuckets",
        ]
        .iter()
        .all(|k| b.get(k).and_then(Json::as_bool) == Some(true))
    });
    if blocked {
        return Some(false);
    }
    Some(
        policy_allows_anyone(map.get("BucketPolicy"))
            || acl_grants_everyone(map.get("AccessControlList")),
    )
}

fn policy_allows_anyone(policy: Option<&Json<'_>>) -> bool {
    let Some(Json::String(text)) = policy.and_then(|p| p.get("policyText")) else {
        return false;
    };
    let Ok(doc) = Json::parse(text.as_bytes()) else {
        return false;
    };
    let statements = match doc.get("Statement") {
        Some(Json::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => return false,
    };
    statements.iter().any(|st| {
        let allow = st.get("Effect").and_then(Json::as_str) == Some("Allow");
        let anyone = match st.get("Principal") {
            Some(Json::String(p)) => p == "*",
            Some(Json::Object(p)) => p.get("AWS").is_some_and(|a| match a {
                Json::String(s) => s == "*",
                Json::Array(l) => l.iter().any(|x| x.as_str() == Some("*")),
                _ => false,
            }),
            _ => false,
        };
        allow && anyone && st.get("Condition").is_none()
    })
}

/// Whether any name or text in the ACL is the AllUsers or AuthenticatedUsers group
/// (by URI, or by name in the shape Config's ACL records use).
fn acl_grants_everyone(acl: Option<&Json<'_>>) -> bool {
    let everyone = |s: &str| {
        s.contains("http://acs.amazonaws.com/groups/global/AllUsers")
            || s.contains("http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
            || s == "AllUsers"
            || s == "AuthenticatedUsers"
    };
    fn any_text(v: &Json<'_>, found: &dyn Fn(&str) -> bool) -> bool {
        match v {
            Json::String(s) => found(s),
            Json::Array(list) => list.iter().any(|x| any_text(x, found)),
            Json::Object(map) => map.0.iter().any(|(k, x)| found(k) || any_text(x, found)),
            _ => false,
        }
    }
    acl.is_some_and(|acl| any_text(acl, &everyone))
}

pub fn efs(d: &mut Draft<'_>) {
    let id = d.c.text("FileSystemId").map(|i| i.into_owned());
    if let (Some(id), Some(region)) = (id, d.item.region.as_deref()) {
        let suffix = region_dns_suffix(region);
        d.set(Field::Dns, &format!("{id}.efs.{region}.{suffix}"));
    }
    let model = pair(
        d.c.text("PerformanceMode"),
        d.c.text("ThroughputMode"),
        " / ",
    );
    d.set_opt(Field::HardwareModel, model);
    if let Some(encrypted) = d.c.flag("Encrypted") {
        d.comment(if encrypted {
            "encrypted"
        } else {
            "not encrypted"
        });
    }
}
