//! Container images as assets. FedRAMP's continuous monitoring guidance asks for "a
//! unique asset identifier ... to every class of image which corresponds to one or
//! more production-deployed containers": an ECR image Inspector sees in use is one
//! asset, named by registry, repository and digest, so two tags of one image are one
//! asset and a re-pushed tag is a new one.

use super::coverage::ImageUse;
use super::ScanWindow;
use crate::fields::Field;
use crate::mapper::Asset;

/// The Asset Type of an image's row.
pub const IMAGE_ASSET_TYPE: &str = "Container Image";

/// An ECR image, from the ARN Inspector gives it:
/// `arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME/sha256:DIGEST` (NAME may hold `/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub repository: String,
    /// `sha256:…`.
    pub digest: String,
}

impl ImageRef {
    pub fn from_arn(arn: &str) -> Option<ImageRef> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("ecr"), Some(region), Some(account), Some(rest)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let (repository, digest) = rest.strip_prefix("repository/")?.rsplit_once('/')?;
        let hex = digest.strip_prefix("sha256:")?;
        if repository.is_empty() || hex.is_empty() || region.is_empty() || account.is_empty() {
            return None;
        }
        Some(ImageRef {
            partition: partition.into(),
            region: region.into(),
            account: account.into(),
            repository: repository.into(),
            digest: digest.into(),
        })
    }

    /// The registry's host, as `docker pull` names it.
    pub fn registry(&self) -> String {
        let domain = crate::partition::dns_suffix(&self.partition);
        format!("{}.dkr.ecr.{}.{domain}", self.account, self.region)
    }

    /// The image's unique asset identifier: `REGISTRY/REPOSITORY@sha256:DIGEST`.
    pub fn asset_id(&self) -> String {
        format!("{}/{}@{}", self.registry(), self.repository, self.digest)
    }

    /// Its repository's ARN, as Config records the repository.
    pub fn repository_arn(&self) -> String {
        format!(
            "arn:{}:ecr:{}:{}:repository/{}",
            self.partition, self.region, self.account, self.repository
        )
    }
}

/// In use now, or inside the window: such an image runs in production.
pub fn in_use(usage: &ImageUse, window: &ScanWindow) -> bool {
    usage.in_use_count.is_some_and(|n| n > 0)
        || usage.last_in_use_at.is_some_and(|t| window.holds(t))
}

/// An image reference as a task definition names it, split into name (registry and
/// repository), tag and digest: `host/repo:tag@sha256:x`.
pub fn split_reference(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    // A tag is after the last `/`; a `:` before it is a registry port.
    let last = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last..].rfind(':') {
        Some(i) => (&rest[..last + i], Some(&rest[last + i + 1..]), digest),
        None => (rest, None, digest),
    }
}

/// The image's row. `repository` holds the cells it takes from its repository's asset
/// when the inventory lists it (Public, owners, diagram label, function).
pub fn image_asset(
    image: &ImageRef,
    tags: &[String],
    usage: &ImageUse,
    repository: &[(Field, String)],
) -> Asset {
    let mut a = Asset::default();
    a.set(Field::AssetId, &image.asset_id());
    a.set(Field::AssetType, IMAGE_ASSET_TYPE);
    a.set(Field::Virtual, "Yes");
    // A private ECR image is pulled only with the account's credentials.
    a.set(Field::Public, "No");
    a.set(Field::Location, &image.region);
    a.set(Field::SoftwareVendor, &image.registry());
    let name = if tags.is_empty() {
        format!("{} (untagged)", image.repository)
    } else {
        tags.iter()
            .map(|t| format!("{}:{t}", image.repository))
            .collect::<Vec<_>>()
            .join(", ")
    };
    a.set(Field::SoftwareNameVersion, &name);
    a.set(Field::AuthenticatedScan, "No");
    for (field, value) in repository {
        a.set(*field, value);
    }
    let mut comment = vec![
        format!("Account {}", image.account),
        format!("Region {}", image.region),
    ];
    match (usage.in_use_count, usage.last_in_use_at) {
        (Some(n), Some(t)) if n > 0 => {
            comment.push(format!("in use by {n} (last {})", t.format("%Y-%m-%d")))
        }
        (Some(n), None) if n > 0 => comment.push(format!("in use by {n}")),
        (_, Some(t)) => comment.push(format!("last in use {}", t.format("%Y-%m-%d"))),
        _ => {}
    }
    a.set(Field::Comments, &comment.join(", "));
    a.set_account(&image.account);
    a.set_region(&image.region);
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    const ARN: &str =
        "arn:aws-us-gov:ecr:us-gov-west-1:111111111111:repository/team/app/sha256:abc123";

    #[test]
    fn an_image_is_named_by_registry_repository_and_digest() {
        let i = ImageRef::from_arn(ARN).unwrap();
        assert_eq!(i.repository, "team/app");
        assert_eq!(
            i.asset_id(),
            "111111111111.dkr.ecr.us-gov-west-1.amazonaws.com/team/app@sha256:abc123"
        );
        assert_eq!(
            i.repository_arn(),
            "arn:aws-us-gov:ecr:us-gov-west-1:111111111111:repository/team/app"
        );
        for bad in [
            "arn:aws:ecr:us-east-1:1:repository/app",
            "arn:aws:ecr:us-east-1:1:repository/app/latest",
            "arn:aws:lambda:us-east-1:1:function:f",
            "sha256:abc",
        ] {
            assert_eq!(ImageRef::from_arn(bad), None, "{bad}");
        }
    }

    #[test]
    fn references_split_into_name_tag_and_digest() {
        assert_eq!(
            split_reference("1.dkr.ecr.r.amazonaws.com/team/app:v2"),
            ("1.dkr.ecr.r.amazonaws.com/team/app", Some("v2"), None)
        );
        assert_eq!(
            split_reference("localhost:5000/app@sha256:ff"),
            ("localhost:5000/app", None, Some("sha256:ff"))
        );
        assert_eq!(split_reference("nginx"), ("nginx", None, None));
    }

    #[test]
    fn in_use_now_or_inside_the_window() {
        let window = ScanWindow {
            as_of: Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap(),
            days: 30,
        };
        let old = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
        let recent = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        let usage = |n, t| ImageUse {
            tags: vec![],
            in_use_count: n,
            last_in_use_at: t,
        };
        assert!(in_use(&usage(Some(2), Some(old)), &window));
        assert!(in_use(&usage(Some(0), Some(recent)), &window));
        assert!(!in_use(&usage(Some(0), Some(old)), &window));
        assert!(!in_use(&usage(None, None), &window));
    }

    #[test]
    fn an_image_row_lists_its_tags_and_takes_its_repository_s_owner() {
        let i = ImageRef::from_arn(ARN).unwrap();
        let a = image_asset(
            &i,
            &["v2".into(), "latest".into()],
            &ImageUse {
                in_use_count: Some(3),
                ..ImageUse::default()
            },
            &[(Field::SystemOwner, "ops@example.gov".into())],
        );
        assert_eq!(
            a.get(Field::SoftwareNameVersion),
            "team/app:v2, team/app:latest"
        );
        assert_eq!(a.get(Field::SystemOwner), "ops@example.gov");
        assert_eq!(a.get(Field::Public), "No");
        assert_eq!(a.get(Field::Location), "us-gov-west-1");
        assert!(
            a.get(Field::Comments).ends_with("in use by 3"),
            "{}",
            a.get(Field::Comments)
        );
    }
}
