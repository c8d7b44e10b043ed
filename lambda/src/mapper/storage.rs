//! Storage: S3 buckets and EFS file systems.

use serde_json::Value;

use super::conf::pair;
use super::Draft;
use crate::fields::Field;

/// Whether a bucket is public lives in `supplementaryConfiguration`: blocked when all
/// four public-access-block settings are on; else public when its policy allows
/// anyone without a condition or its ACL grants everyone. Without that section the
/// item does not say, and the cell stays empty.
pub fn s3_bucket(d: &mut Draft<'_>) {
    let name = d.c.text("name").map(|n| n.into_owned()).or_else(|| {
        d.item
            .resource_name
            .clone()
            .or_else(|| d.item.resource_id.clone())
    });
    if d.item.arn.is_none() {
        if let Some(name) = &name {
            d.set(Field::AssetId, &format!("arn:aws:s3:::{name}"));
        }
    }
    if let (Some(name), Some(region)) = (&name, d.item.region.clone()) {
        d.set(Field::Dns, &format!("{name}.s3.{region}.amazonaws.com"));
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

fn bucket_public(supp: &Value) -> Option<bool> {
    let Value::Object(map) = supp else {
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
        .all(|k| b.get(*k).and_then(Value::as_bool) == Some(true))
    });
    if blocked {
        return Some(false);
    }
    Some(
        policy_allows_anyone(map.get("BucketPolicy"))
            || acl_grants_everyone(map.get("AccessControlList")),
    )
}

fn policy_allows_anyone(policy: Option<&Value>) -> bool {
    let text = match policy.and_then(|p| p.get("policyText")) {
        Some(Value::String(s)) => s.clone(),
        _ => return false,
    };
    let Ok(doc) = serde_json::from_str::<Value>(&text) else {
        return false;
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => return false,
    };
    statements.iter().any(|st| {
        let allow = st.get("Effect").and_then(Value::as_str) == Some("Allow");
        let anyone = match st.get("Principal") {
            Some(Value::String(p)) => p == "*",
            Some(Value::Object(p)) => p.get("AWS").is_some_and(|a| match a {
                Value::String(s) => s == "*",
                Value::Array(l) => l.iter().any(|x| x.as_str() == Some("*")),
                _ => false,
            }),
            _ => false,
        };
        allow && anyone && st.get("Condition").is_none()
    })
}

fn acl_grants_everyone(acl: Option<&Value>) -> bool {
    let Some(acl) = acl else { return false };
    let text = acl.to_string();
    text.contains("http://acs.amazonaws.com/groups/global/AllUsers")
        || text.contains("http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
        || text.contains("\"AllUsers\"")
        || text.contains("\"AuthenticatedUsers\"")
}

pub fn efs(d: &mut Draft<'_>) {
    let id = d.c.text("FileSystemId").map(|i| i.into_owned());
    if let (Some(id), Some(region)) = (id, d.item.region.clone()) {
        d.set(Field::Dns, &format!("{id}.efs.{region}.amazonaws.com"));
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
