//! The coverage joined onto the inventory, before it is sorted: the scan columns of
//! EC2 instances and Lambda functions, the images in use as assets, the ECS containers
//! that run them, and both gap lists.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::coverage::{CoveredResource, ImageUse, ScanKind};
use super::images::{image_asset, in_use, split_reference, ImageRef, IMAGE_ASSET_TYPE};
use super::{verdict, CoverageSet, Gap, ScanReport, ScanWindow, Verdict};
use crate::fields::Field;
use crate::inventory::Inventory;
use crate::mapper::mapper_for;

/// The inventory's kinds (registry indexes) the join reads or writes.
#[derive(Clone, Copy, Debug)]
pub struct Kinds {
    pub instance: u16,
    pub function: u16,
    pub task_definition: u16,
    pub repository: u16,
    /// What image assets are counted under (not a Config type).
    pub image: u16,
}

/// Images are no Config type: their kind is past the registry's end.
pub const IMAGE_KIND: u16 = u16::MAX;

/// What the Run Summary names the image assets' source.
pub const IMAGE_SOURCE: &str = "Amazon Inspector: ECR container image (not recorded by Config)";

impl Kinds {
    pub fn of_registry() -> Kinds {
        let kind = |t| mapper_for(t).map_or(u16::MAX - 1, |(k, _)| k);
        Kinds {
            instance: kind("AWS::EC2::Instance"),
            function: kind("AWS::Lambda::Function"),
            task_definition: kind("AWS::ECS::TaskDefinition"),
            repository: kind("AWS::ECR::Repository"),
            image: IMAGE_KIND,
        }
    }
}

/// A resource as both sides name it: kind, account and identifier (a Lambda ARN
/// without its version or alias). EC2 records carry no region, and ids and ARNs are
/// unique without one.
type Key = (ScanKind, String, String);

fn key_of(kind: ScanKind, account: &str, id: &str) -> Key {
    let id = match kind {
        ScanKind::LambdaFunction if id.starts_with("arn:") => {
            id.splitn(8, ':').take(7).collect::<Vec<_>>().join(":")
        }
        _ => id.to_string(),
    };
    (kind, account.to_string(), id)
}

/// The cells an image takes from its repository's asset.
const FROM_REPOSITORY: [Field; 5] = [
    Field::Public,
    Field::SystemOwner,
    Field::ApplicationOwner,
    Field::DiagramLabel,
    Field::Function,
];

/// One image, from however many records name its digest.
struct Image<'a> {
    image: ImageRef,
    tags: Vec<String>,
    usage: ImageUse,
    records: Vec<&'a CoveredResource>,
}

/// The records by resource (several per resource: one per scan type), images by
/// identifier; types the inventory does not list are counted in the report.
struct Records<'a> {
    by_key: BTreeMap<Key, Vec<&'a CoveredResource>>,
    images: BTreeMap<String, Image<'a>>,
}

fn group<'a>(
    set: &'a CoverageSet,
    report: &mut ScanReport,
    warnings: &mut Vec<(String, String)>,
) -> Records<'a> {
    let mut records = Records {
        by_key: BTreeMap::new(),
        images: BTreeMap::new(),
    };
    for r in &set.records {
        match r.kind {
            None => *report.other_types.entry(r.raw_type.clone()).or_default() += 1,
            Some(ScanKind::EcrImage) => match ImageRef::from_arn(&r.resource_id) {
                Some(image) => {
                    let usage = r.image.clone().unwrap_or_default();
                    let entry = records
                        .images
                        .entry(image.asset_id())
                        .or_insert_with(|| Image {
                            image,
                            tags: Vec::new(),
                            usage: ImageUse::default(),
                            records: Vec::new(),
                        });
                    for t in &usage.tags {
                        if !entry.tags.contains(t) {
                            entry.tags.push(t.clone());
                        }
                    }
                    entry.usage.in_use_count = entry.usage.in_use_count.max(usage.in_use_count);
                    entry.usage.last_in_use_at =
                        entry.usage.last_in_use_at.max(usage.last_in_use_at);
                    entry.records.push(r);
                }
                None => warnings.push((
                    format!("scan coverage, account {}", r.account),
                    format!(
                        "{} is not an ECR image ARN (arn:...:repository/NAME/sha256:DIGEST); not listed",
                        r.resource_id
                    ),
                )),
            },
            Some(kind) => records
                .by_key
                .entry(key_of(kind, &r.account, &r.resource_id))
                .or_default()
                .push(r),
        }
    }
    records
}

/// What the join needs of the inventory before it changes it.
#[derive(Default)]
struct Held {
    /// EC2 instances and Lambda functions: index, key, account, region.
    scannable: Vec<(u32, Key, String, String)>,
    /// Repository ARN -> the cells its images take.
    repositories: HashMap<String, Vec<(Field, String)>>,
    /// ECR repositories: index, account, region (their images are known only from
    /// Inspector's ECR scanning).
    registries: Vec<(u32, String, String)>,
    /// ECS task definition container rows.
    containers: Vec<u32>,
    keys: HashSet<Key>,
}

fn held(inventory: &Inventory, kinds: &Kinds) -> Held {
    let mut held = Held::default();
    for (index, kind, account, region, id) in inventory.stored() {
        let scan_kind = match kind {
            k if k == kinds.instance => ScanKind::Ec2Instance,
            k if k == kinds.function => ScanKind::LambdaFunction,
            k if k == kinds.repository => {
                let cells = FROM_REPOSITORY
                    .iter()
                    .map(|f| (*f, inventory.stored_cell(index, *f).to_string()))
                    .filter(|(_, v)| !v.is_empty())
                    .collect();
                held.repositories.insert(id.to_string(), cells);
                held.registries
                    .push((index, account.to_string(), region.to_string()));
                held.keys
                    .insert(key_of(ScanKind::EcrRepository, account, id));
                continue;
            }
            k if k == kinds.task_definition => {
                held.containers.push(index);
                continue;
            }
            _ => continue,
        };
        let key = key_of(scan_kind, account, id);
        held.keys.insert(key.clone());
        held.scannable
            .push((index, key, account.to_string(), region.to_string()));
    }
    held
}

/// Joins the coverage onto the inventory. Returns the report and warnings (where, what).
pub fn join(
    inventory: &mut Inventory,
    set: &CoverageSet,
    window: &ScanWindow,
    kinds: &Kinds,
) -> (ScanReport, Vec<(String, String)>) {
    let mut report = ScanReport {
        period_days: window.days,
        window_start: window.start().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        records: set.records.len() as u64,
        ..ScanReport::default()
    };
    let mut warnings = set.warnings.clone();
    let records = group(set, &mut report, &mut warnings);
    let held = held(inventory, kinds);
    // Every asset counted once, however often it was read (duplicates are dropped later).
    let mut judged: BTreeMap<(String, String, String, String), Option<Gap>> = BTreeMap::new();
    let mut judge = |account: &str, region: &str, kind: &str, id: &str, v: &Verdict| {
        let gap = (!v.scanned).then(|| Gap::of(account, region, kind, id, v));
        judged.insert((account.into(), region.into(), kind.into(), id.into()), gap);
    };

    let mut image_names: HashMap<(String, String), String> = HashMap::new();
    for (id, img) in &records.images {
        if !in_use(&img.usage, window) {
            report.images_not_in_use += 1;
            continue;
        }
        let from_repository = held
            .repositories
            .get(&img.image.repository_arn())
            .map_or(&[][..], Vec::as_slice);
        let mut asset = image_asset(&img.image, &img.tags, &img.usage, from_repository);
        let v = verdict(&img.records, window);
        asset.set(Field::InLatestScan, yes_no(v.scanned));
        let comment = format!("{}; {}", asset.get(Field::Comments), v.remark);
        asset.set(Field::Comments, &comment);
        let (account, region) = (&img.image.account, &img.image.region);
        judge(account, region, IMAGE_ASSET_TYPE, id, &v);
        inventory.add(&asset, kinds.image);
        report.images_listed += 1;
        let name = format!("{}/{}", img.image.registry(), img.image.repository);
        for tag in &img.tags {
            image_names.insert((name.clone(), tag.clone()), id.clone());
        }
    }

    for (index, key, account, region) in &held.scannable {
        let kind = inventory.stored_cell(*index, Field::AssetType).to_string();
        let id = inventory.stored_cell(*index, Field::AssetId).to_string();
        if !set.scope.holds(account, region, key.0) {
            let why = format!(
                "no coverage read: Amazon Inspector's {} scanning is not enabled here, or its coverage could not be read",
                key.0.enabled_by().to_uppercase()
            );
            report.unchecked.push(Gap {
                reason: why,
                ..Gap::of(account, region, &kind, &id, &verdict(&[], window))
            });
            continue;
        }
        let v = verdict(
            records.by_key.get(key).map_or(&[][..], Vec::as_slice),
            window,
        );
        let told = inventory.stored_cell(*index, Field::InLatestScan);
        let found = yes_no(v.scanned);
        if !told.is_empty() && told != found {
            report.tag_disagreements += 1;
        }
        inventory.set_stored_cell(*index, Field::InLatestScan, found);
        if key.0 == ScanKind::Ec2Instance {
            inventory.set_stored_cell(*index, Field::AuthenticatedScan, yes_no(v.authenticated));
        }
        append_comment(inventory, *index, &v.remark);
        judge(account, region, &kind, &id, &v);
    }

    // A repository where ECR scanning was not read: the images it serves cannot be listed.
    for (index, account, region) in &held.registries {
        if !set.scope.holds(account, region, ScanKind::EcrImage) {
            let kind = inventory.stored_cell(*index, Field::AssetType);
            let id = inventory.stored_cell(*index, Field::AssetId);
            report.unchecked.push(Gap {
                reason: "no coverage read: Amazon Inspector's ECR scanning is not enabled here, or its coverage could not be read; the images in use from this repository are not listed".into(),
                ..Gap::of(account, region, kind, id, &verdict(&[], window))
            });
        }
    }

    link_containers(inventory, &held.containers, &records.images, &image_names);

    for (key, found) in &records.by_key {
        if !held.keys.contains(key) {
            let first = found[0];
            let region = first.region.as_deref().unwrap_or_default();
            let v = verdict(found, window);
            report.not_in_inventory.push(Gap::of(
                &key.1,
                region,
                &first.raw_type,
                &first.resource_id,
                &v,
            ));
        }
    }
    report.not_in_inventory.sort();
    report.unchecked.sort();
    report.unchecked.dedup();
    report.assets = judged.len() as u64;
    report.scanned = judged.values().filter(|g| g.is_none()).count() as u64;
    report.not_scanned = judged.into_values().flatten().collect();
    (report, warnings)
}

/// The containers that run a listed image name it: by digest, or by a tag it carries.
fn link_containers(
    inventory: &mut Inventory,
    containers: &[u32],
    images: &BTreeMap<String, Image>,
    names: &HashMap<(String, String), String>,
) {
    for &index in containers {
        let reference = inventory.stored_cell(index, Field::SoftwareNameVersion);
        let (name, tag, digest) = split_reference(reference);
        let found = match digest {
            Some(d) => Some(format!("{name}@{d}")).filter(|id| images.contains_key(id)),
            None => names
                .get(&(name.to_string(), tag.unwrap_or("latest").to_string()))
                .cloned(),
        };
        if let Some(id) = found {
            append_comment(inventory, index, &format!("runs image {id}"));
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

fn append_comment(inventory: &mut Inventory, index: u32, text: &str) {
    let old = inventory.stored_cell(index, Field::Comments);
    let new = if old.is_empty() {
        text.to_string()
    } else {
        format!("{old}; {text}")
    };
    inventory.set_stored_cell(index, Field::Comments, &new);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::Asset;
    use chrono::{TimeZone, Utc};

    const KINDS: Kinds = Kinds {
        instance: 1,
        function: 2,
        task_definition: 3,
        repository: 4,
        image: IMAGE_KIND,
    };

    fn instance(id: &str, region: &str) -> Asset {
        let mut a = Asset::default();
        a.set(Field::AssetId, id);
        a.set(Field::AssetType, "EC2");
        a.set(Field::Comments, "Account 1");
        a.set_account("1");
        a.set_region(region);
        a
    }

    fn record(id: &str) -> CoveredResource {
        CoveredResource {
            account: "1".into(),
            region: None,
            kind: Some(ScanKind::Ec2Instance),
            raw_type: "AWS_EC2_INSTANCE".into(),
            resource_id: id.into(),
            scan_type: Some("PACKAGE".into()),
            scan_mode: Some("EC2_INSPECTOR_AGENT_BASED".into()),
            status_code: Some("ACTIVE".into()),
            status_reason: Some("SUCCESSFUL".into()),
            last_scanned_at: Some(Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap()),
            image: None,
        }
    }

    fn window() -> ScanWindow {
        ScanWindow {
            as_of: Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap(),
            days: 30,
        }
    }

    #[test]
    fn an_asset_read_twice_is_judged_once_and_places_not_read_are_not_checked() {
        let mut inventory = Inventory::new();
        inventory.add(&instance("i-a", "r1"), KINDS.instance);
        inventory.add(&instance("i-a", "r1"), KINDS.instance);
        inventory.add(&instance("i-b", "r1"), KINDS.instance);
        inventory.add(&instance("i-c", "r2"), KINDS.instance);
        let mut repository = instance("arn:aws:ecr:r1:1:repository/app", "r1");
        repository.set(Field::AssetType, "ECR Repository");
        inventory.add(&repository, KINDS.repository);
        let set = CoverageSet {
            records: vec![record("i-a"), record("i-ghost")],
            scope: super::super::Scope::Places(
                [("1".to_string(), "r1".to_string(), ScanKind::Ec2Instance)].into(),
            ),
            warnings: Vec::new(),
        };
        let (report, warnings) = join(&mut inventory, &set, &window(), &KINDS);
        assert!(warnings.is_empty());
        assert_eq!((report.assets, report.scanned), (2, 1));
        assert_eq!(report.not_scanned.len(), 1);
        assert_eq!(report.not_scanned[0].id, "i-b");
        assert_eq!(report.not_in_inventory[0].id, "i-ghost");
        assert_eq!(report.unchecked.len(), 2);
        assert_eq!(report.unchecked[0].id, "arn:aws:ecr:r1:1:repository/app");
        assert!(report.unchecked[0]
            .reason
            .contains("images in use from this repository are not listed"));
        assert_eq!(report.unchecked[1].id, "i-c");
        let cells: Vec<(String, String, String)> = inventory
            .stored()
            .map(|(i, ..)| {
                (
                    inventory.stored_cell(i, Field::AssetId).to_string(),
                    inventory.stored_cell(i, Field::InLatestScan).to_string(),
                    inventory
                        .stored_cell(i, Field::AuthenticatedScan)
                        .to_string(),
                )
            })
            .collect();
        assert_eq!(cells[0], ("i-a".into(), "Yes".into(), "Yes".into()));
        assert_eq!(cells[2], ("i-b".into(), "No".into(), "No".into()));
        assert_eq!(cells[3], ("i-c".into(), "".into(), "".into()), "not judged");
    }

    #[test]
    fn lambda_arns_match_without_their_version() {
        assert_eq!(
            key_of(
                ScanKind::LambdaFunction,
                "1",
                "arn:aws:lambda:r:1:function:f:$LATEST"
            ),
            key_of(
                ScanKind::LambdaFunction,
                "1",
                "arn:aws:lambda:r:1:function:f"
            )
        );
    }
}
