//! What a type's own function works on: the item, its configuration (with the
//! warnings it collects) and the asset(s) being made, already holding what the
//! registry states as data.

use std::borrow::Cow;

use super::conf::{pair, yes_no, Conf};
use super::{Asset, Fold};
use crate::fields::Field;
use crate::item::ConfigItem;

pub struct Draft<'a> {
    pub item: &'a ConfigItem<'a>,
    pub c: Conf<'a>,
    assets: Vec<Asset>,
    skipped: Option<&'static str>,
}

impl<'a> Draft<'a> {
    pub(super) fn new(item: &'a ConfigItem, c: Conf<'a>, template: Asset) -> Self {
        Draft {
            item,
            c,
            assets: vec![template],
            skipped: None,
        }
    }

    /// The asset being made (the first, when a type makes several).
    pub fn asset(&mut self) -> &mut Asset {
        if self.assets.is_empty() {
            self.assets.push(Asset::default());
        }
        &mut self.assets[0]
    }

    pub fn set(&mut self, field: Field, value: &str) {
        self.asset().set(field, value);
    }

    pub fn set_opt<S: AsRef<str>>(&mut self, field: Field, value: Option<S>) {
        if let Some(v) = value {
            self.asset().set(field, v.as_ref());
        }
    }

    /// Text at a configuration path into a cell, when recorded.
    pub fn copy(&mut self, field: Field, path: &str) {
        let v = self.c.text(path);
        self.set_opt(field, v);
    }

    pub fn public(&mut self, public: bool) {
        self.set(Field::Public, yes_no(public));
    }

    /// A Public rule read from a flag: left empty (and warned about by the caller) when
    /// the item does not record it.
    pub fn public_from(&mut self, path: &str) {
        if let Some(p) = self.c.flag(path) {
            self.public(p);
        }
    }

    /// Adds an address when present and real (a pending NAT gateway reports the
    /// placeholder 0.0.0.0, which is no one's address); says whether it did.
    pub fn address(&mut self, ip: Option<Cow<'_, str>>, mac: Option<&str>) -> bool {
        match ip {
            Some(ip) if ip.trim() != "0.0.0.0" && ip.trim() != "::" => {
                self.asset().add_address(&ip, mac);
                true
            }
            _ => false,
        }
    }

    /// The addresses under `fields` of each entry of the list at `list` (a cluster's
    /// nodes, a resolver's addresses), one row each, in the list's order.
    pub fn addresses_in_list(&mut self, list: &str, fields: &[&str]) {
        for entry in self.c.list(list) {
            for field in fields {
                let ip = self.c.text_in(entry, field);
                self.address(ip, None);
            }
        }
    }

    /// "engine-version" as managed databases are named in the workbook.
    pub fn engine(&mut self, engine: &str, version: &str) {
        let name = pair(self.c.text(engine), self.c.text(version), "-");
        self.set_opt(Field::SoftwareNameVersion, name);
    }

    /// A version recorded at the first of `paths`, named after its product
    /// ("Redshift-1.0"); nothing when no version is recorded.
    pub fn versioned(&mut self, product: &str, paths: &[&str]) {
        let version = self.c.first(paths);
        self.set_opt(
            Field::SoftwareNameVersion,
            version.map(|v| format!("{product}-{v}")),
        );
    }

    /// Adds a line to Comments (after the account and region every asset has).
    pub fn comment(&mut self, text: &str) {
        let asset = self.asset();
        let joined = match asset.get(Field::Comments) {
            "" => text.to_string(),
            before => format!("{before}; {text}"),
        };
        asset.set(Field::Comments, &joined);
    }

    pub fn fold(&mut self, fold: Fold) {
        self.asset().fold = Some(fold);
    }

    /// Takes the asset made so far, to copy it once per part (a task definition's
    /// containers); give the copies back with [`Self::push`].
    pub fn take_template(&mut self) -> Asset {
        std::mem::take(&mut self.assets).pop().unwrap_or_default()
    }

    pub fn push(&mut self, asset: Asset) {
        self.assets.push(asset);
    }

    /// The item is not an asset (an inactive revision): no row, counted with `reason`.
    pub fn skip(&mut self, reason: &'static str) {
        self.skipped = Some(reason);
        self.assets.clear();
    }

    pub(super) fn finish(mut self) -> (Vec<Asset>, Option<&'static str>, Vec<String>) {
        if self.skipped.is_some() {
            self.assets.clear();
        }
        (self.assets, self.skipped, self.c.warnings)
    }
}
