//! The machine-readable snapshot of one inventory: gzip'd JSON Lines, a header line
//! then one asset per line, in inventory order. It is what `diff` compares month over
//! month and what a team's own tooling reads; the schema is documented in docs/outputs.md
//! and versioned (`schema_version`): a reader refuses a newer one rather than guess.
//!
//! Since version 2 a run that made the permitted connections keeps them too: after the
//! assets, one line per connection in (account, region, identifier, connection id)
//! order, then an end line that counts them, so that a file cut short is known.
//!
//! Since version 3 a run with `scope: all` keeps its information resources: between the
//! assets and the connections, as many resource lines as the header's `resources`
//! says, in (account, region, type, id) order.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};

use crate::fields::Field;
use crate::inventory::AssetView;

/// What the header's `kind` says, so a stray file is not taken for a snapshot.
pub const KIND: &str = "fedramp-inventory-snapshot";
/// Bumped when a reader of the previous version could misread the new one.
pub const SCHEMA_VERSION: u32 = 3;

/// The first line.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Header {
    pub kind: String,
    pub schema_version: u32,
    /// `fedramp-inventory 0.1.0`.
    pub tool: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub scope: Scope,
    /// The settings that shaped the rows (layout, ip-cell, ...), as given.
    pub settings: BTreeMap<String, String>,
    /// Asset lines that follow: a shorter file was cut off.
    pub assets: u64,
    /// Whether connection lines and their end line follow the assets (the run made the
    /// connections); a snapshot without them says nothing of the connections.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub connections: bool,
    /// Resource lines that follow the assets (`scope: all`); absent: the run listed
    /// only the boundary's assets and says nothing of other resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<u64>,
}

/// Where the inventory came from.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Scope {
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Files, or `account X / region` targets, as the Run Summary names them.
    pub inputs: Vec<String>,
}

/// The identity of an asset across runs: never its position.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssetKey {
    pub account: String,
    pub region: String,
    pub asset_type: String,
    pub asset_id: String,
}

/// One address of an asset.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Address {
    pub ip: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
}

/// One asset line.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SnapshotAsset {
    pub key: AssetKey,
    /// Every column but the addresses, by [`Field::key`]; empty cells are "".
    pub cells: BTreeMap<String, String>,
    pub addresses: Vec<Address>,
}

impl SnapshotAsset {
    pub fn cell(&self, field: Field) -> &str {
        self.cells.get(field.key()).map_or("", String::as_str)
    }
}

/// One permitted connection of a listed asset (`STEM.connections.json` says the same
/// with the group members and reasons; this is what month over month compares).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SnapshotConnection {
    /// The connection's stable id (`c-` and a hash of what it is).
    pub id: String,
    pub account: String,
    pub region: String,
    pub asset_type: String,
    pub asset_id: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// The other end in words: `internet 0.0.0.0/0`, `cidr 10.0.0.0/16`,
    /// `prefix-list pl-1`, `security-group sg-1`, `any`.
    pub party: String,
    pub protocol: String,
    pub ports: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group: Option<String>,
    /// Which rule permits it (`inbound 2`), or the listener.
    pub rule: String,
    /// For an inbound connection, whether the asset is reachable from the internet
    /// (absent when not determined or outbound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reachable: Option<bool>,
}

impl SnapshotConnection {
    /// Its place in the file's order.
    pub fn order_key(&self) -> (&str, &str, &str, &str) {
        (&self.account, &self.region, &self.asset_id, &self.id)
    }

    /// The connection in words, as the Changes sheet shows it.
    pub fn describe(&self) -> String {
        let (from, to) = match self.direction.as_str() {
            "inbound" => (self.party.as_str(), "this asset"),
            _ => ("this asset", self.party.as_str()),
        };
        let by = match &self.security_group {
            Some(g) => format!("security group {g} {}", self.rule),
            None => self.rule.clone(),
        };
        let reach = match self.reachable {
            Some(true) => "; reachable from the internet",
            Some(false) => "; not reachable from the internet",
            None => "",
        };
        format!(
            "{} {} {} from {from} to {to}, permitted by {by}{reach} ({})",
            self.direction, self.protocol, self.ports, self.id
        )
    }
}

/// One information resource (`scope: all`): the envelope Config records for any type.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SnapshotResource {
    pub account: String,
    pub region: String,
    pub resource_type: String,
    pub resource_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arn: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub application_owner: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub captured_at: String,
}

impl SnapshotResource {
    /// Its identity across runs, and its place in the file's order.
    pub fn key(&self) -> AssetKey {
        AssetKey {
            account: self.account.clone(),
            region: self.region.clone(),
            asset_type: self.resource_type.clone(),
            asset_id: self.resource_id.clone(),
        }
    }

    /// From a row of [`crate::inventory::Resources`].
    pub fn from_row(row: [&str; 9]) -> Self {
        let [account, region, resource_type, resource_id, arn, name, owner, application_owner, captured_at] =
            row.map(str::to_string);
        SnapshotResource {
            account,
            region,
            resource_type,
            resource_id,
            arn,
            name,
            owner,
            application_owner,
            captured_at,
        }
    }
}

/// The line that ends the connections.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionsEnd {
    connections_end: u64,
}

/// An asset line written straight from the inventory, in [`SnapshotAsset`]'s shape,
/// without copying its text.
struct AssetLine<'a, 'b>(&'b AssetView<'a>);

impl serde::Serialize for AssetLine<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeStruct};
        struct Key<'a, 'b>(&'b AssetView<'a>);
        impl serde::Serialize for Key<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut k = s.serialize_struct("AssetKey", 4)?;
                k.serialize_field("account", self.0.account())?;
                k.serialize_field("region", self.0.region())?;
                k.serialize_field("asset_type", self.0.get(Field::AssetType))?;
                k.serialize_field("asset_id", self.0.get(Field::AssetId))?;
                k.end()
            }
        }
        struct Cells<'a, 'b>(&'b AssetView<'a>);
        impl serde::Serialize for Cells<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                for field in Field::asset_fields() {
                    m.serialize_entry(field.key(), self.0.get(field))?;
                }
                m.end()
            }
        }
        struct Addresses<'a, 'b>(&'b AssetView<'a>);
        impl serde::Serialize for Addresses<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.addresses().map(|(ip, mac)| {
                    let mut m = std::collections::BTreeMap::new();
                    m.insert("ip", ip);
                    if !mac.is_empty() {
                        m.insert("mac", mac);
                    }
                    m
                }))
            }
        }
        let mut line = s.serialize_struct("SnapshotAsset", 3)?;
        line.serialize_field("key", &Key(self.0))?;
        line.serialize_field("cells", &Cells(self.0))?;
        line.serialize_field("addresses", &Addresses(self.0))?;
        line.end()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// Writes a snapshot: the header, then each asset, then (when the header says so) each
/// connection, in [`SnapshotConnection::order_key`] order, and their end line, gzip'd.
pub fn write<'a>(
    path: &Path,
    header: &Header,
    assets: impl Iterator<Item = AssetView<'a>>,
    resources: impl Iterator<Item = SnapshotResource>,
    connections: impl Iterator<Item = SnapshotConnection>,
) -> std::io::Result<()> {
    let file = File::create(path)?;
    // Level 3: most of level 6's size at a fraction of its time (the lines repeat
    // their keys, which any level takes out).
    let gz = GzEncoder::new(BufWriter::with_capacity(1 << 20, file), Compression::new(3));
    let mut out = BufWriter::with_capacity(1 << 20, gz);
    serde_json::to_writer(&mut out, header)?;
    out.write_all(b"\n")?;
    for asset in assets {
        serde_json::to_writer(&mut out, &AssetLine(&asset))?;
        out.write_all(b"\n")?;
    }
    if let Some(announced) = header.resources {
        let mut count = 0u64;
        for r in resources {
            serde_json::to_writer(&mut out, &r)?;
            out.write_all(b"\n")?;
            count += 1;
        }
        if count != announced {
            return Err(std::io::Error::other(format!(
                "{count} resources written, the header announces {announced}"
            )));
        }
    }
    if header.connections {
        let mut count = 0u64;
        for c in connections {
            serde_json::to_writer(&mut out, &c)?;
            out.write_all(b"\n")?;
            count += 1;
        }
        serde_json::to_writer(
            &mut out,
            &ConnectionsEnd {
                connections_end: count,
            },
        )?;
        out.write_all(b"\n")?;
    }
    let out = out.into_inner().map_err(|e| e.into_error())?;
    let mut inner = out.finish()?;
    inner.flush()?;
    inner.get_ref().sync_all()
}

/// Reads a snapshot one asset at a time, checking as it goes that it is one, of a
/// schema this version understands, in key order and not cut short.
pub struct SnapshotReader {
    path: String,
    lines: std::io::Lines<BufReader<MultiGzDecoder<File>>>,
    pub header: Header,
    read: u64,
    last: Option<AssetKey>,
    resources_read: u64,
    last_resource: Option<AssetKey>,
    connections_read: u64,
    last_connection: Option<SnapshotConnection>,
    /// The connections' end line was read.
    ended: bool,
}

impl SnapshotReader {
    pub fn open(path: &Path) -> Result<Self, SnapshotError> {
        let shown = path.display().to_string();
        let io = |source| SnapshotError::Io {
            path: shown.clone(),
            source,
        };
        let invalid = |message: String| SnapshotError::Invalid {
            path: shown.clone(),
            message,
        };
        let file = File::open(path).map_err(io)?;
        let mut lines = BufReader::with_capacity(1 << 20, MultiGzDecoder::new(file)).lines();
        let first = match lines.next() {
            None => return Err(invalid("empty: not a snapshot".into())),
            Some(line) => line.map_err(|e| invalid(format!("not a gzip'd snapshot ({e})")))?,
        };
        let header: Header = serde_json::from_str(&first)
            .map_err(|e| invalid(format!("the first line is not a snapshot header ({e})")))?;
        if header.kind != KIND {
            return Err(invalid(format!(
                "not a snapshot: kind is {:?}, expected {KIND:?}",
                header.kind
            )));
        }
        if header.schema_version > SCHEMA_VERSION {
            return Err(invalid(format!(
                "schema version {} is newer than this tool understands ({SCHEMA_VERSION}); update fedramp-inventory",
                header.schema_version
            )));
        }
        Ok(SnapshotReader {
            path: shown,
            lines,
            header,
            read: 0,
            last: None,
            resources_read: 0,
            last_resource: None,
            connections_read: 0,
            last_connection: None,
            ended: false,
        })
    }

    /// The next asset, `None` at a complete end.
    pub fn next_asset(&mut self) -> Result<Option<SnapshotAsset>, SnapshotError> {
        let invalid = |message: String| SnapshotError::Invalid {
            path: self.path.clone(),
            message,
        };
        if self.read == self.header.assets {
            // The connections follow, if any: `next_connection` reads them; else the
            // file ends here.
            let more = self.header.connections || self.header.resources.is_some();
            if !more && self.lines.next().is_some() {
                return Err(invalid(format!(
                    "more lines than the {} assets its header announces",
                    self.header.assets
                )));
            }
            return Ok(None);
        }
        let line = match self.lines.next() {
            None => {
                return Err(invalid(format!(
                    "cut short: {} of the {} assets its header announces",
                    self.read, self.header.assets
                )))
            }
            Some(Err(e)) => {
                return Err(invalid(format!(
                    "cut short or damaged after {} assets ({e})",
                    self.read
                )))
            }
            Some(Ok(line)) => line,
        };
        self.read += 1;
        let asset: SnapshotAsset = serde_json::from_str(&line)
            .map_err(|e| invalid(format!("asset line {} is not valid ({e})", self.read + 1)))?;
        if self.last.as_ref().is_some_and(|last| *last > asset.key) {
            return Err(invalid(format!(
                "asset line {} is out of key order (account, region, asset type, identifier)",
                self.read + 1
            )));
        }
        self.last = Some(asset.key.clone());
        Ok(Some(asset))
    }

    /// The next information resource, `None` after the last the header announces (at
    /// once when it announces none). Call once the assets are read.
    pub fn next_resource(&mut self) -> Result<Option<SnapshotResource>, SnapshotError> {
        let invalid = |message: String| SnapshotError::Invalid {
            path: self.path.clone(),
            message,
        };
        let announced = self.header.resources.unwrap_or(0);
        if self.resources_read == announced {
            if !self.header.connections
                && self.header.resources.is_some()
                && self.lines.next().is_some()
            {
                return Err(invalid(format!(
                    "more lines than the {announced} resources its header announces"
                )));
            }
            return Ok(None);
        }
        if self.read < self.header.assets {
            return Err(invalid("resources read before the assets".into()));
        }
        let line = match self.lines.next() {
            Some(Ok(line)) => line,
            _ => {
                return Err(invalid(format!(
                    "cut short: {} of the {announced} resources its header announces",
                    self.resources_read
                )))
            }
        };
        self.resources_read += 1;
        let at = self.header.assets + self.resources_read + 1;
        let r: SnapshotResource = serde_json::from_str(&line)
            .map_err(|e| invalid(format!("resource line {at} is not valid ({e})")))?;
        let key = r.key();
        if self.last_resource.as_ref().is_some_and(|last| *last > key) {
            return Err(invalid(format!(
                "resource line {at} is out of order (account, region, type, id)"
            )));
        }
        self.last_resource = Some(key);
        Ok(Some(r))
    }

    /// The next connection, `None` at their end line (or at once when the snapshot has
    /// none: see [`Header::connections`]). Call once the assets are read.
    pub fn next_connection(&mut self) -> Result<Option<SnapshotConnection>, SnapshotError> {
        let invalid = |message: String| SnapshotError::Invalid {
            path: self.path.clone(),
            message,
        };
        if !self.header.connections || self.ended {
            return Ok(None);
        }
        if self.read < self.header.assets
            || self.resources_read < self.header.resources.unwrap_or(0)
        {
            return Err(invalid(
                "connections read before the assets and resources".into(),
            ));
        }
        let line = match self.lines.next() {
            None => {
                return Err(invalid(format!(
                    "cut short: no end line after {} connections",
                    self.connections_read
                )))
            }
            Some(Err(e)) => {
                return Err(invalid(format!(
                    "cut short or damaged after {} connections ({e})",
                    self.connections_read
                )))
            }
            Some(Ok(line)) => line,
        };
        if let Ok(end) = serde_json::from_str::<ConnectionsEnd>(&line) {
            if end.connections_end != self.connections_read {
                return Err(invalid(format!(
                    "its end line counts {} connections, {} were read",
                    end.connections_end, self.connections_read
                )));
            }
            if self.lines.next().is_some() {
                return Err(invalid("lines after the connections' end line".into()));
            }
            self.ended = true;
            return Ok(None);
        }
        self.connections_read += 1;
        let at = self.header.assets + self.resources_read + self.connections_read + 1;
        let c: SnapshotConnection = serde_json::from_str(&line)
            .map_err(|e| invalid(format!("connection line {at} is not valid ({e})")))?;
        if self
            .last_connection
            .as_ref()
            .is_some_and(|last| last.order_key() > c.order_key())
        {
            return Err(invalid(format!(
                "connection line {at} is out of order (account, region, identifier, id)"
            )));
        }
        self.last_connection = Some(c.clone());
        Ok(Some(c))
    }
}
