//! The coverage joined onto the inventory, before it is sorted: the scan columns of
//! EC2 instances and Lambda functions, the images in use as assets, the ECS containers
//! that run them, and both gap lists.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

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

/// The records by resource, grouped by key (several per resource: one per scan type),
/// and whether the inventory holds that resource; images by identifier. Types the
/// inventory does not list are counted in the report.
struct Records<'a> {
    all: &'a RecordList,
    /// The records of listed kinds other than images, ordered by a hash of their key
    /// and then by key: 16 bytes a record, and a lookup compares numbers, not strings
    /// (the keys are worked out again only where two hashes meet). Sorting by the keys
    /// themselves made the join's three lookups per asset most of its time.
    by_key: Vec<(u64, RecordNo)>,
    held: Vec<bool>,
    images: BTreeMap<String, Image<'a>>,
}

impl<'a> Records<'a> {
    fn record(&self, at: usize) -> &'a CoveredResource {
        self.all.get(self.by_key[at].1)
    }

    fn key(&self, at: usize) -> Key<'a> {
        record_key(self.record(at))
    }

    /// Where `key`'s records are (a run of one to a few).
    fn run(&self, key: &Key) -> std::ops::Range<usize> {
        let hash = quick_hash(key);
        let from = self.by_key.partition_point(|&(h, no)| {
            h < hash || (h == hash && record_key(self.all.get(no)) < *key)
        });
        let len = self.by_key[from..]
            .iter()
            .take_while(|&&(h, no)| h == hash && record_key(self.all.get(no)) == *key)
            .count();
        from..from + len
    }

    fn of(&self, run: Run) -> Vec<&'a CoveredResource> {
        run.range().map(|at| self.record(at)).collect()
    }

    /// Marks `key`'s records as the inventory's, and says where they are.
    fn mark_held(&mut self, key: &Key) -> Run {
        let run = self.run(key);
        self.held[run.clone()].fill(true);
        Run {
            from: run.start as u32,
            len: run.len() as u32,
        }
    }
}

/// A hash for the join's lookups, several times quicker than the standard library's
/// (which resists hash flooding, which a join that compares every match exactly does
/// not need): FxHash's step, on eight bytes at a time.
fn quick_hash(value: &impl std::hash::Hash) -> u64 {
    let mut hasher = Quick::default();
    value.hash(&mut hasher);
    std::hash::Hasher::finish(&hasher)
}

/// See [`quick_hash`].
#[derive(Default)]
struct Quick(u64);

impl std::hash::Hasher for Quick {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(last) ^ bytes.len() as u64);
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Quick {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Where an asset's records are in [`Records::by_key`], found once for all the
/// join's uses of them.
#[derive(Clone, Copy)]
struct Run {
    from: u32,
    len: u32,
}

impl Run {
    fn range(self) -> std::ops::Range<usize> {
        self.from as usize..(self.from + self.len) as usize
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
            Some(_) => {
                records.by_key.push((quick_hash(&record_key(r)), no));
            }
        }
    }
    // Stable: a resource's records keep the order they were read in, which the
    // verdict breaks its ties by.
    let all = &set.records;
    records.by_key.sort_by(|&(h, a), &(g, b)| {
        h.cmp(&g)
            .then_with(|| record_key(all.get(a)).cmp(&record_key(all.get(b))))
    });
    records.held = vec![false; records.by_key.len()];
    records
}

/// What the join needs of the inventory before it changes it: indexes only, the
/// cells are read from the inventory when they are needed.
#[derive(Default)]
struct Held {
    /// EC2 instances and Lambda functions.
    scannable: Vec<(u32, ScanKind, Run)>,
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
    for (index, kind) in inventory.stored() {
        let account_and_id = || {
            let (account, _) = inventory.stored_place(index);
            (account, inventory.stored_cell(index, Field::AssetId))
        };
        let scan_kind = match kind {
            k if k == kinds.instance => ScanKind::Ec2Instance,
            k if k == kinds.function => ScanKind::LambdaFunction,
            k if k == kinds.repository => {
                let (account, id) = account_and_id();
                let cells = FROM_REPOSITORY
                    .iter()
                    .map(|f| (*f, inventory.stored_cell(index, *f).to_string()))
                    .filter(|(_, v)| !v.is_empty())
                    .collect();
                held.repositories.insert(id.to_string(), cells);
                held.registries.push(index);
                let _ = records.mark_held(&key_of(ScanKind::EcrRepository, account, id));
                continue;
            }
            k if k == kinds.task_definition => {
                held.containers.push(index);
                continue;
            }
            _ => continue,
        };
        let (account, id) = account_and_id();
        let run = records.mark_held(&key_of(scan_kind, account, id));
        held.scannable.push((index, scan_kind, run));
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
    let mut judged: Vec<(u32, Run, bool)> = Vec::with_capacity(held.scannable.len());

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

    let mut found = Vec::new();
    for &(index, kind, run) in &held.scannable {
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
        found.clear();
        found.extend(run.range().map(|at| records.record(at)));
        let v = verdict(&found, window);
        judged.push((index, run, v.scanned));
        let told = inventory.stored_cell(index, Field::InLatestScan);
        if !told.is_empty() && told != yes_no(v.scanned) {
            report.tag_disagreements += 1;
        }
        let comment = with_comment(inventory.stored_cell(index, Field::Comments), &v.remark);
        let cells = [
            (Field::InLatestScan, yes_no(v.scanned)),
            (Field::Comments, &comment),
            (Field::AuthenticatedScan, yes_no(v.authenticated)),
        ];
        // No agent runs in a Lambda function: its Authenticated Scan cell stays as mapped.
        let set = if kind == ScanKind::Ec2Instance { 3 } else { 2 };
        inventory.set_stored_cells(index, &cells[..set]);
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
        let (hash, len) = (records.by_key[at].0, records.by_key.len());
        let end = (at + 1..len)
            .find(|&i| records.by_key[i].0 != hash || records.key(i) != key)
            .unwrap_or(len);
        let run = at..end;
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
    let identity = |index: u32| {
        let (account, region) = inventory.stored_place(index);
        (
            account,
            region,
            inventory.stored_cell(index, Field::AssetType),
            inventory.stored_cell(index, Field::AssetId),
        )
    };
    // The same asset read twice has the same place, type and identifier (and so the
    // same verdict): counted once, by a hash of its identity, compared only when two
    // hashes meet.
    let mut first: HashMap<u64, u32, BuildHasherDefault<Quick>> =
        HashMap::with_capacity_and_hasher(judged.len(), Default::default());
    let mut collided: Vec<u32> = Vec::new();
    judged.retain(|&(index, ..)| {
        let id = inventory.stored_identity(index);
        let hash = quick_hash(&id);
        match first.get(&hash) {
            None => {
                first.insert(hash, index);
                true
            }
            Some(&other) if inventory.stored_identity(other) == id => false,
            Some(_) if collided.iter().any(|&o| inventory.stored_identity(o) == id) => false,
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
    for (index, run, _) in judged.into_iter().filter(|(.., scanned)| !scanned) {
        let (account, region, asset_type, id) = identity(index);
        let v = verdict(&records.of(run), window);
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
