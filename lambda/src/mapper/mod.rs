//! Config item -> inventory assets.
//!
//! [`REGISTRY`] is the single list of supported resource types, as data: what every
//! asset of a type shares (Asset Type, Authenticated Scan, vendor, where its identifier,
//! DNS name, model and network are recorded), and at most one small function per type
//! for what is particular to it (addresses, the Public rule, several assets from one
//! item). The Config query asks for exactly these types ([`select_query`]), the
//! `types` command prints them, and an item of any other type is counted as
//! unsupported rather than dropped silently.

mod asset;
mod compute;
pub mod conf;
mod containers;
mod databases;
mod draft;
mod edge;
mod load_balancer;
mod messaging;
mod network;
mod registry;
mod serverless;
pub mod software;
pub mod ssm_inventory;
mod storage;
pub mod tags;

use std::collections::HashMap;

pub use asset::{Asset, Fold, MAX_VALUE_CHARS};
pub use draft::Draft;
pub use registry::{Location, Mapper, Public, Read, Rows, ServiceRead, REGISTRY};
pub use software::SoftwareFilter;
pub use ssm_inventory::HostFacts;
pub use tags::TagNames;

use crate::fields::Field;
use crate::item::ConfigItem;
use conf::{is_zone, Conf};

/// What every mapper may consult besides the item.
#[derive(Clone, Debug, Default)]
pub struct MapContext {
    pub tag_names: TagNames,
    /// Account id -> friendly name, for the Comments column when known.
    pub account_names: HashMap<String, String>,
    /// Which installed packages (from SSM inventory) get rows of their own.
    pub software: SoftwareFilter,
    /// Whether items of the network types are read as network facts.
    pub network: crate::settings::Network,
    /// Whether items of the types without a mapper are listed as information
    /// resources (`all`) or counted as unsupported (`boundary`).
    pub scope: crate::settings::Scope,
    /// Whether each asset's subnets are kept (the permitted connections need them; a
    /// run that writes none keeps nothing it will not use).
    pub subnets: bool,
}

/// The registry entry of a type, and its index (the compact type id the inventory keeps).
pub fn mapper_for(resource_type: &str) -> Option<(u16, &'static Mapper)> {
    // Every item looks its type up: a map, not a walk through fifty names.
    static BY_TYPE: std::sync::LazyLock<HashMap<&'static str, u16>> =
        std::sync::LazyLock::new(|| {
            REGISTRY
                .iter()
                .enumerate()
                .map(|(i, m)| (m.resource_type, i as u16))
                .collect()
        });
    let kind = *BY_TYPE.get(resource_type)?;
    Some((kind, &REGISTRY[kind as usize]))
}

/// Every supported type as a Markdown table: how it is read, its rows, the columns it
/// fills. `types` prints it, docs/coverage.md holds it, each derivation document cites it.
pub fn registry_table() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "| Config type | Asset Type | read by | rows per item | columns filled (besides the tag-driven ones) |\n|---|---|---|---|---|\n",
    );
    for m in REGISTRY {
        let columns: Vec<&str> = m.columns().iter().map(|f| f.label()).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            m.resource_type,
            m.asset_type,
            m.read.describe(),
            m.rows.describe(),
            columns.join(", ")
        );
    }
    let _ = writeln!(out, "\n{} types.", REGISTRY.len());
    out
}

/// The types read with `ListDiscoveredResources` + `BatchGetResourceConfig`, because
/// Config's advanced query does not return them.
pub fn batch_get_types() -> impl Iterator<Item = &'static str> {
    REGISTRY
        .iter()
        .filter(|m| m.read == Read::BatchGet)
        .map(|m| m.resource_type)
}

/// The AWS Config advanced query for every type it can return, and the types `also`
/// read with their full configuration (the network facts).
pub fn select_query(also: &[&str]) -> String {
    format!(
        "SELECT resourceId, resourceType, resourceName, arn, accountId, awsRegion, availabilityZone, configurationItemStatus, configuration, supplementaryConfiguration, tags \
         WHERE {}",
        selected_types(also)
    )
}

/// [`select_query`] for one account and region of an aggregator (ids already checked
/// to be plain letters, digits and dashes).
pub fn shard_query(account: &str, region: &str, also: &[&str]) -> String {
    format!(
        "{} AND accountId = '{account}' AND awsRegion = '{region}'",
        select_query(also)
    )
}

/// The envelope every Config item carries, whatever its type: what `scope: all` reads
/// of the types without a mapper (their configuration is never read, so the cost per
/// resource stays a few hundred bytes).
pub const ENVELOPE: &str = "resourceId, resourceType, resourceName, arn, accountId, awsRegion, availabilityZone, tags, configurationItemCaptureTime, configurationItemStatus";

/// The advanced query for the envelope of every type that [`select_query`] and the
/// batch gets do not read with its configuration (every registry type, and `also`):
/// `resourceType NOT IN`, as AWS's Workload Discovery reads an aggregator.
pub fn envelope_query(also: &[&str]) -> String {
    let types: Vec<String> = REGISTRY
        .iter()
        .map(|m| m.resource_type)
        .chain(also.iter().copied())
        .map(|t| format!("'{t}'"))
        .collect();
    format!(
        "SELECT {ENVELOPE} WHERE resourceType NOT IN ({})",
        types.join(", ")
    )
}

/// The types AWS Config's advanced query returns (AWS's own schema of it: see the file).
fn advanced_query_types() -> &'static std::collections::HashSet<&'static str> {
    static TYPES: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| {
            include_str!("advanced_query_types.txt")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect()
        });
    &TYPES
}

/// Of the types Config says it has discovered (`discovered`), those `scope: all` must
/// read by listing them (ListDiscoveredResources and a batch get), because neither the
/// advanced query nor the registry reads them: without this they would be silently
/// missing. Sorted, each once.
pub fn types_to_list<'a>(discovered: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = discovered
        .into_iter()
        .filter(|t| mapper_for(t).is_none() && !advanced_query_types().contains(t))
        .map(String::from)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// [`envelope_query`] for one account and region of an aggregator.
pub fn envelope_shard_query(account: &str, region: &str, also: &[&str]) -> String {
    format!(
        "{} AND accountId = '{account}' AND awsRegion = '{region}'",
        envelope_query(also)
    )
}

/// The accounts and regions an aggregator holds items of [`select_query`]'s types in;
/// with `every_type` (`scope: all`), items of any type.
pub fn shards_query(also: &[&str], every_type: bool) -> String {
    let filter = if every_type {
        String::new()
    } else {
        format!("WHERE {} ", selected_types(also))
    };
    format!("SELECT accountId, awsRegion, COUNT(*) {filter}GROUP BY accountId, awsRegion")
}

fn selected_types(also: &[&str]) -> String {
    let types: Vec<String> = REGISTRY
        .iter()
        .filter(|m| m.read == Read::Select)
        .map(|m| m.resource_type)
        .chain(also.iter().copied())
        .map(|t| format!("'{t}'"))
        .collect();
    format!("resourceType IN ({})", types.join(", "))
}

/// What one item became.
#[derive(Debug)]
pub enum Mapped {
    Item(MappedItem),
    /// No mapper for this type (the type is `None` when the item does not say).
    Unsupported(Option<String>),
}

/// The assets of one item of a supported type (none when it is skipped), or what it
/// tells about a host (SSM), with the warnings met while reading it.
#[derive(Debug, Default)]
pub struct MappedItem {
    /// Index into [`REGISTRY`].
    pub kind: u16,
    pub assets: Vec<Asset>,
    pub host: Option<Box<HostFacts>>,
    /// Why the item gives no row (an inactive task-definition revision).
    pub skipped: Option<&'static str>,
    pub warnings: Vec<String>,
}

/// Maps one item: the type's constants, its recorded paths, its own function, then
/// what every asset shares (tags, account, region, Comments, Location).
pub fn map_item(item: &ConfigItem, ctx: &MapContext) -> Mapped {
    let Some(rtype) = item.resource_type.as_deref() else {
        return Mapped::Unsupported(None);
    };
    let Some((kind, mapper)) = mapper_for(rtype) else {
        return Mapped::Unsupported(Some(rtype.to_string()));
    };
    // Deleted (or never recorded) resources are counted by status, never listed.
    if let Some(reason) = item.not_current() {
        return Mapped::Item(MappedItem {
            kind,
            skipped: Some(reason),
            ..MappedItem::default()
        });
    }
    let mut conf = Conf::new(&item.configuration);
    if let Some(host) = mapper.host {
        let facts = host(item, &mut conf, ctx);
        let mut warnings = conf.warnings;
        let host = facts.map(|mut f| {
            if let Some(a) = f.standalone.as_mut() {
                fill_common(item, ctx, a);
                warnings.append(&mut a.warnings);
            }
            Box::new(f)
        });
        return Mapped::Item(MappedItem {
            kind,
            host,
            warnings,
            ..MappedItem::default()
        });
    }
    let mut template = Asset::default();
    fill_declared(mapper, item, &mut conf, &mut template);
    let mut draft = Draft::new(item, conf, template);
    if let Some(fill) = mapper.fill {
        fill(&mut draft);
    }
    let (mut assets, skipped, mut warnings) = draft.finish();
    for asset in &mut assets {
        if asset.get(Field::AssetId).is_empty() {
            warnings.push(
                "no identifier found (instance id, ARN or resource id); Unique Asset Identifier left empty"
                    .into(),
            );
        }
        if let Public::Rule(what) = mapper.public {
            if asset.get(Field::Public).is_empty() {
                warnings.push(format!(
                    "Public left empty: the item does not record {what}"
                ));
            }
        }
        fill_common(item, ctx, asset);
        warnings.append(&mut asset.warnings);
    }
    Mapped::Item(MappedItem {
        kind,
        assets,
        skipped,
        warnings,
        host: None,
    })
}

/// The columns the registry states as data.
fn fill_declared(mapper: &Mapper, item: &ConfigItem, c: &mut Conf<'_>, asset: &mut Asset) {
    asset.set(Field::AssetType, mapper.asset_type);
    asset.set(Field::Virtual, if mapper.physical { "No" } else { "Yes" });
    asset.set(
        Field::AuthenticatedScan,
        if mapper.scan { "Yes" } else { "No" },
    );
    match mapper.public {
        Public::Yes => asset.set(Field::Public, "Yes"),
        Public::No => asset.set(Field::Public, "No"),
        Public::Rule(_) => {}
    }
    asset.set(Field::SoftwareVendor, mapper.vendor);
    asset.set(Field::SoftwareNameVersion, mapper.software);
    // The configured id is read only when it is the one used: most items carry an ARN.
    let arn = item.arn.as_deref().filter(|_| !mapper.short_id);
    let configured = match arn {
        Some(_) => None,
        None => c.first(mapper.id),
    };
    let id = arn
        .or(configured.as_deref())
        .or(item.resource_id.as_deref());
    asset.set_opt(Field::AssetId, id);
    asset.set_opt(Field::Dns, c.first(mapper.dns).as_deref());
    if let Some(model) = mapper.hardware.iter().find_map(|p| c.joined(p)) {
        asset.set(Field::HardwareModel, &model);
    }
    if let Some(vlan) = mapper.vlan.iter().find_map(|p| c.joined(p)) {
        asset.set(Field::Vlan, &vlan);
    }
    match mapper.location {
        Location::Region => {}
        Location::Global => asset.set(Field::Location, "global"),
        Location::Zone(paths) => {
            let recorded = paths.iter().filter_map(|p| c.text(p)).find(|z| is_zone(z));
            let zone = recorded
                .as_deref()
                .or(item.availability_zone.as_deref().filter(|z| is_zone(z)));
            asset.set_opt(Field::Location, zone);
        }
    }
}

/// What every asset shares, whatever its type.
fn fill_common(item: &ConfigItem, ctx: &MapContext, asset: &mut Asset) {
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
    let own = asset.get(Field::Comments);
    if !own.is_empty() {
        comment.push(own.to_string());
    }
    asset.set(Field::Comments, &comment.join(", "));
    if asset.get(Field::Location).is_empty() {
        asset.set_opt(Field::Location, region);
    }
}

/// A part of an ARN (`arn:partition:service:region:account:resource`), when the item
/// does not carry its account or region as fields (queries that did not select them).
pub(crate) fn arn_part(arn: Option<&str>, index: usize) -> Option<&str> {
    arn?.splitn(6, ':').nth(index).filter(|p| !p.is_empty())
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
