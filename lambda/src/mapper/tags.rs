//! The columns that AWS Config cannot know and teams record as resource tags.
//!
//! Rev5 makes Diagram Label, Function and Baseline Configuration Name mandatory, and
//! only the team knows them, so they come from tags whose names the team chooses.

use serde::{Deserialize, Serialize};

use crate::fields::Field;
use crate::item::ConfigItem;
use crate::mapper::{Asset, SoftwareFilter};

/// Which tag feeds which column. Keys are matched ignoring case.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct TagNames {
    pub diagram_label: String,
    pub function: String,
    pub baseline: String,
    pub asset_tag: String,
    pub end_of_life: String,
    pub in_latest_scan: String,
    pub owner: String,
    pub application_owner: String,
    /// The Purpose of a port, protocol and service entry (the asset's own purpose).
    pub purpose: String,
}

impl Default for TagNames {
    fn default() -> Self {
        TagNames {
            diagram_label: "diagram-label".into(),
            function: "function".into(),
            baseline: "baseline".into(),
            asset_tag: "asset-tag".into(),
            end_of_life: "end-of-life".into(),
            in_latest_scan: "in-latest-scan".into(),
            owner: "owner".into(),
            application_owner: "application-owner".into(),
            purpose: "purpose".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("tag settings: {0}")]
pub struct TagNamesError(String);

impl TagNames {
    /// Parses the YAML settings; unknown keys are errors so a typo is not silently ignored.
    pub fn from_yaml(text: &str) -> Result<TagNames, TagNamesError> {
        if text.trim().is_empty() {
            return Ok(TagNames::default());
        }
        serde_yaml::from_str(text).map_err(|e| match e.location() {
            Some(at) => TagNamesError(format!("line {}: {e}", at.line())),
            None => TagNamesError(e.to_string()),
        })
    }

    /// The settings file (`--tags`): tag names, and the `software:` filter for SSM
    /// packages, which lives in the same file so a team keeps one file of settings.
    pub fn with_software_from_yaml(
        text: &str,
    ) -> Result<(TagNames, Option<SoftwareFilter>), TagNamesError> {
        let mut doc: serde_yaml::Value = if text.trim().is_empty() {
            serde_yaml::Value::Null
        } else {
            serde_yaml::from_str(text).map_err(|e| TagNamesError(e.to_string()))?
        };
        let Some(software) = doc.as_mapping_mut().and_then(|m| m.remove("software")) else {
            // No software key: the tag names alone, with the file's own line numbers.
            return Ok((TagNames::from_yaml(text)?, None));
        };
        let software = serde_yaml::from_value::<SoftwareFilter>(software)
            .map_err(|e| TagNamesError(e.to_string()))?;
        let names =
            serde_yaml::from_value::<TagNames>(doc).map_err(|e| TagNamesError(e.to_string()))?;
        Ok((names, Some(software)))
    }
}

/// Fills the tag-driven columns. Runs after the family mapper, so a `baseline` tag
/// overrides a mapper's fallback (an EC2 instance's AMI id).
pub fn apply(item: &ConfigItem, names: &TagNames, asset: &mut Asset) {
    asset.set_opt(Field::DiagramLabel, item.tag(&names.diagram_label));
    asset.set_opt(Field::Function, item.tag(&names.function));
    asset.set_opt(Field::Baseline, item.tag(&names.baseline));
    asset.set_opt(Field::SerialAssetTag, item.tag(&names.asset_tag));
    let owner = item.tag(&names.owner);
    asset.set_opt(Field::SystemOwner, owner);
    asset.set_opt(
        Field::ApplicationOwner,
        item.tag(&names.application_owner).or(owner),
    );
    if let Some(v) = item.tag(&names.in_latest_scan) {
        match yes_no_text(v) {
            Some(yn) => asset.set(Field::InLatestScan, yn),
            None => {
                asset.warnings.push(format!(
                    "tag {} is {v:?}, expected Yes or No; kept as written",
                    names.in_latest_scan
                ));
                asset.set(Field::InLatestScan, v);
            }
        }
    }
    if let Some(v) = item.tag(&names.end_of_life) {
        match end_of_life_date(v) {
            Some(date) => asset.set(Field::EndOfLife, &date),
            None => {
                asset.warnings.push(format!(
                    "tag {} is {v:?}, expected a date (m/d/yyyy or yyyy-mm-dd); kept as written",
                    names.end_of_life
                ));
                asset.set(Field::EndOfLife, v);
            }
        }
    }
}

fn yes_no_text(v: &str) -> Option<&'static str> {
    match v.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some("Yes"),
        "no" | "n" | "false" | "0" => Some("No"),
        _ => None,
    }
}

/// The template wants m/d/yyyy; teams often tag ISO dates.
fn end_of_life_date(v: &str) -> Option<String> {
    use chrono::NaiveDate;
    let v = v.trim();
    let date = NaiveDate::parse_from_str(v, "%m/%d/%Y")
        .or_else(|_| NaiveDate::parse_from_str(v, "%Y-%m-%d"))
        .ok()?;
    Some(date.format("%-m/%-d/%Y").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'a>(tags: &[(&'a str, &'a str)]) -> ConfigItem<'a> {
        ConfigItem {
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            ..ConfigItem::default()
        }
    }

    #[test]
    fn tag_columns_with_defaults() {
        let it = item(&[
            ("Diagram-Label", "web tier"),
            ("FUNCTION", "web server"),
            ("baseline", "CIS Amazon Linux 2 L1"),
            ("asset-tag", "AT-1"),
            ("end-of-life", "2027-01-05"),
            ("in-latest-scan", "true"),
            ("Owner", "ops"),
        ]);
        let mut a = Asset::default();
        apply(&it, &TagNames::default(), &mut a);
        assert_eq!(a.get(Field::DiagramLabel), "web tier");
        assert_eq!(a.get(Field::Function), "web server");
        assert_eq!(a.get(Field::Baseline), "CIS Amazon Linux 2 L1");
        assert_eq!(a.get(Field::SerialAssetTag), "AT-1");
        assert_eq!(a.get(Field::EndOfLife), "1/5/2027");
        assert_eq!(a.get(Field::InLatestScan), "Yes");
        assert_eq!(a.get(Field::SystemOwner), "ops");
        assert_eq!(a.get(Field::ApplicationOwner), "ops");
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn odd_tag_values_are_kept_with_a_warning() {
        let it = item(&[
            ("end-of-life", "soon"),
            ("in-latest-scan", "maybe"),
            ("application-owner", "app"),
        ]);
        let mut a = Asset::default();
        apply(&it, &TagNames::default(), &mut a);
        assert_eq!(a.get(Field::EndOfLife), "soon");
        assert_eq!(a.get(Field::InLatestScan), "maybe");
        assert_eq!(a.get(Field::ApplicationOwner), "app");
        assert_eq!(a.get(Field::SystemOwner), "");
        assert_eq!(a.warnings.len(), 2);
    }

    #[test]
    fn yaml_settings() {
        let (with, software) =
            TagNames::with_software_from_yaml("function: Role\nsoftware: [nginx*]\n").unwrap();
        assert_eq!(with.function, "Role");
        assert_eq!(software, Some("nginx*".parse().unwrap()));
        assert!(TagNames::with_software_from_yaml("functoin: Role\nsoftware: all\n").is_err());
        assert_eq!(
            TagNames::with_software_from_yaml("").unwrap(),
            (TagNames::default(), None)
        );
        let names = TagNames::from_yaml("function: Role\nowner: Team\n").unwrap();
        assert_eq!(names.function, "Role");
        assert_eq!(names.owner, "Team");
        assert_eq!(names.baseline, "baseline");
        let err = TagNames::from_yaml("functoin: Role\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("functoin"), "{err}");
    }
}
