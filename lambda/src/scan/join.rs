//! The coverage joined onto the inventory, before it is sorted: the scan columns of
//! EC2 instances and Lambda functions, the images in use as assets, the ECS containers
//! that run them, and both gap lists.

use std::collections::{BTreeMap, HashMap};

use super::coverage::{CoveredResource, ImageUse, RecordList, RecordNo, ScanKind};
use super::images::{image_asset, in_use, split_reference, ImageRef, IMAGE_ASSET_TYPE};
use super::{verdict, CoverageSet, Gap, ScanReport, ScanWindow};
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
/// without its version or alias), borrowed from the record or the inventory. EC2
/// records carry no region, and ids and ARNs are unique without one.
type Key<'a> = (ScanKind, &'a str, &'a str);

/// A record's key (records of a kind the inventory does not list are never keyed).
fn record_key(r: &CoveredResource) -> Key<'_> {
    key_of(
        r.kind.unwrap_or(ScanKind::EcrImage),
        &r.account,
        &r.resource_id,
    )
}

fn key_of<'a>(kind: ScanKind, account: &'a str, id: &'a str) -> Key<'a> {
    let id = match kind {
        // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:VERSION]
        ScanKind::LambdaFunction if id.starts_with("arn:") => match id.match_indices(':').nth(6) {
            Some((at, _)) => &id[..at],
            None => id,
        },
        _ => id,
    };
    (kind, account, id)
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

/// The records by resource, sorted by key (several per resource: one per scan type),
/// and whether the inventory holds that resource; images by identifier. Types the
/// inventory does not list are counted in the report.
struct Records<'a> {
    all: &'a RecordList,
    /// Where in `all` the records of listed kinds other than images are, in key order
    /// (8 bytes a record: the keys are worked out again when compared).
    by_key: Vec<RecordNo>,
    held: Vec<bool>,
    images: BTreeMap<String, Image<'a>>,
}

impl<'a> Records<'a> {
    fn record(&self, at: usize) -> &'a CoveredResource {
        self.all.get(self.by_key[at])
    }

    fn key(&self, at: usize) -> Key<'a> {
        record_key(self.record(at))
    }

    /// Where `key`'s records are (a run of one to a few).
    fn run(&self, key: &Key) -> std::ops::Range<usize> {
        let from = self
            .by_key
            .partition_point(|&no| record_key(self.all.get(no)) < *key);
        let len = (from..self.by_key.len())
            .take_while(|&at| self.key(at) == *key)
            .count();
        from..from + len
    }

    fn of(&self, key: &Key) -> Vec<&'a CoveredResource> {
        self.run(key).map(|at| self.record(at)).collect()
    }

    fn mark_held(&mut self, key: &Key) {
        let run = self.run(key);
        self.held[run].fill(true);
    }
}

fn group<'a>(
    set: &'a CoverageSet,
    report: &mut ScanReport,
    warnings: &mut Vec<(String, String)>,
) -> Records<'a> {
    let mut records = Records {
        all: &set.records,
        by_key: Vec::with_capacity(set.records.len()),
        held: Vec::new(),
        images: BTreeMap::new(),
    };
    for (no, r) in set.records.numbered() {
        match r.kind {
            None => *report.other_types.entry(r.raw_type.to_string()).or_default() += 1,
            Some(ScanKind::EcrImage) => match ImageRef::from_arn(&r.resource_id) {
                Some(image) => {
                    let usage = r.image.as_deref().cloned().unwrap_or_default();
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
            Some(_) => records.by_key.push(no),
        }
    }
    // Stable: a resource's records keep the order they were read in, which the
    // verdict breaks its ties by.
    let all = &set.records;
    records
        .by_key
        .sort_by(|&a, &b| record_key(all.get(a)).cmp(&record_key(all.get(b))));
    records.held = vec![false; records.by_key.len()];
    records
}

/// What the join needs of the inventory before it changes it: indexes only, the
/// cells are read from the inventory when they are needed.
#[derive(Default)]
struct Held {
    /// EC2 instances and Lambda functions.
    scannable: Vec<(u32, ScanKind)>,
    /// Repository ARN -> the cells its images take.
    repositories: HashMap<String, Vec<(Field, String)>>,
    /// ECR repositories (their images are known only from Inspector's ECR scanning).
    registries: Vec<u32>,
    /// ECS task definition container rows.
    containers: Vec<u32>,
}

/// The assets the join reads, and which records' resources the inventory holds.
fn held(inventory: &Inventory, kinds: &Kinds, records: &mut Records) -> Held {
    let mut held = Held::default();
    for (index, kind, account, _, id) in inventory.stored() {
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
                held.registries.push(index);
                records.mark_held(&key_of(ScanKind::EcrRepository, account, id));
                continue;
            }
            k if k == kinds.task_definition => {
                held.containers.push(index);
                continue;
            }
            _ => continue,
        };
        records.mark_held(&key_of(scan_kind, account, id));
        held.scannable.push((index, scan_kind));
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
    let mut records = group(set, &mut report, &mut warnings);
    let held = held(inventory, kinds, &mut records);
    // Every asset counted once, however often it was read (duplicates are dropped
    // later): images (one per identifier) with their line, the other assets by index
    // and whether they were scanned, deduplicated by what the inventory holds at the end.
    let mut images: Vec<(Gap, bool)> = Vec::new();
    let mut judged: Vec<(u32, ScanKind, bool)> = Vec::with_capacity(held.scannable.len());

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
        images.push((
            Gap::of(account, region, IMAGE_ASSET_TYPE, id, &v),
            v.scanned,
        ));
        inventory.add(&asset, kinds.image);
        report.images_listed += 1;
        let name = format!("{}/{}", img.image.registry(), img.image.repository);
        for tag in &img.tags {
            image_names.insert((name.clone(), tag.clone()), id.clone());
        }
    }

    for &(index, kind) in &held.scannable {
        let (account, region) = inventory.stored_place(index);
        if !set.scope.holds(account, region, kind) {
            let why = format!(
                "no coverage read: Amazon Inspector's {} scanning is not enabled here, or its coverage could not be read",
                kind.enabled_by().to_uppercase()
            );
            let asset_type = inventory.stored_cell(index, Field::AssetType);
            let id = inventory.stored_cell(index, Field::AssetId);
            report.unchecked.push(Gap {
                reason: why,
                ..Gap::of(account, region, asset_type, id, &verdict(&[], window))
            });
            continue;
        }
        let id = inventory.stored_cell(index, Field::AssetId);
        let v = verdict(&records.of(&key_of(kind, account, id)), window);
        judged.push((index, kind, v.scanned));
        let told = inventory.stored_cell(index, Field::InLatestScan);
        let found = yes_no(v.scanned);
        if !told.is_empty() && told != found {
            report.tag_disagreements += 1;
        }
        let comment = with_comment(inventory.stored_cell(index, Field::Comments), &v.remark);
        let mut cells = vec![(Field::InLatestScan, found), (Field::Comments, &comment)];
        if kind == ScanKind::Ec2Instance {
            cells.push((Field::AuthenticatedScan, yes_no(v.authenticated)));
        }
        inventory.set_stored_cells(index, &cells);
    }

    // A repository where ECR scanning was not read: the images it serves cannot be listed.
    for &index in &held.registries {
        let (account, region) = inventory.stored_place(index);
        if !set.scope.holds(account, region, ScanKind::EcrImage) {
            let kind = inventory.stored_cell(index, Field::AssetType);
            let id = inventory.stored_cell(index, Field::AssetId);
            report.unchecked.push(Gap {
                reason: "no coverage read: Amazon Inspector's ECR scanning is not enabled here, or its coverage could not be read; the images in use from this repository are not listed".into(),
                ..Gap::of(account, region, kind, id, &verdict(&[], window))
            });
        }
    }

    link_containers(inventory, &held.containers, &records.images, &image_names);

    let mut at = 0;
    while at < records.by_key.len() {
        let key = records.key(at);
        let run = records.run(&key);
        if !records.held[at] {
            let found: Vec<&CoveredResource> = run.clone().map(|i| records.record(i)).collect();
            let first = found[0];
            let region = first.region.as_deref().unwrap_or_default();
            let v = verdict(&found, window);
            report.not_in_inventory.push(Gap::of(
                key.1,
                region,
                &first.raw_type,
                &first.resource_id,
                &v,
            ));
        }
        at = run.end;
    }
    report.not_in_inventory.sort();
    report.unchecked.sort();
    report.unchecked.dedup();
    // The same asset read twice has the same place, kind, id and verdict.
    let identity = |index: u32| {
        let (account, region) = inventory.stored_place(index);
        (
            account,
            region,
            inventory.stored_cell(index, Field::AssetType),
            inventory.stored_cell(index, Field::AssetId),
        )
    };
    // By a hash of each identity, the strings compared only when two hashes meet.
    let mut first: HashMap<u64, u32> = HashMap::with_capacity(judged.len());
    let mut collided: Vec<u32> = Vec::new();
    let hasher = std::hash::RandomState::new();
    judged.retain(|&(index, ..)| {
        let id = identity(index);
        let hash = std::hash::BuildHasher::hash_one(&hasher, id);
        match first.get(&hash) {
            None => {
                first.insert(hash, index);
                true
            }
            Some(&other) if identity(other) == id => false,
            Some(_) if collided.iter().any(|&o| identity(o) == id) => false,
            Some(_) => {
                collided.push(index);
                true
            }
        }
    });
    report.assets = (images.len() + judged.len()) as u64;
    report.scanned = (images.iter().filter(|(_, scanned)| *scanned).count()
        + judged.iter().filter(|(.., scanned)| *scanned).count()) as u64;
    let mut not_scanned: Vec<Gap> = images
        .into_iter()
        .filter_map(|(gap, scanned)| (!scanned).then_some(gap))
        .collect();
    // The lines of the assets not scanned, their verdicts worked out again: keeping
    // each line from the loop above instead cost 1-3 MiB more peak RSS on the bench.
    for (index, kind, _) in judged.into_iter().filter(|(.., scanned)| !scanned) {
        let (account, region, asset_type, id) = identity(index);
        let v = verdict(&records.of(&key_of(kind, account, id)), window);
        not_scanned.push(Gap::of(account, region, asset_type, id, &v));
    }
    not_scanned.sort();
    report.not_scanned = not_scanned;
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

/// Comments with `text` added after what they said.
fn with_comment(old: &str, text: &str) -> String {
    if old.is_empty() {
        text.to_string()
    } else {
        format!("{old}; {text}")
    }
}

fn append_comment(inventory: &mut Inventory, index: u32, text: &str) {
    let new = with_comment(inventory.stored_cell(index, Field::Comments), text);
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
            records: vec![record("i-a"), record("i-ghost")].into(),
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
