//! Scan coverage from fact: what Amazon Inspector says it scanned, joined onto the
//! inventory. It decides `In Latest Scan` and `Authenticated Scan` for the kinds
//! Inspector scans (EC2 instances, Lambda functions, container images), lists the ECR
//! images in use as assets of their own, and names both gaps a reviewer reconciles by
//! hand: inventory assets not scanned inside the window, and scanned resources the
//! inventory does not hold.
//!
//! Pure: records in ([`coverage`]), cells and a [`ScanReport`] out ([`join`]).

pub mod coverage;
pub mod coverage_file;
pub mod images;
pub mod join;
mod members;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

pub use coverage::{CoveredResource, ScanKind};

/// The scans that count as the latest: those since `as_of` less the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanWindow {
    pub as_of: DateTime<Utc>,
    pub days: u32,
}

impl ScanWindow {
    pub fn start(&self) -> DateTime<Utc> {
        self.as_of - Duration::days(i64::from(self.days))
    }

    pub fn holds(&self, at: DateTime<Utc>) -> bool {
        at >= self.start()
    }
}

/// Where Inspector's coverage was read, so an asset elsewhere is never called "not
/// scanned" for want of a record nobody asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Files: the coverage given stands for every account and region.
    #[default]
    Everywhere,
    /// Live: these accounts, regions and kinds had Inspector's scanning enabled and
    /// their coverage read.
    Places(BTreeSet<(String, String, ScanKind)>),
}

impl Scope {
    pub fn holds(&self, account: &str, region: &str, kind: ScanKind) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::Places(places) => {
                places.contains(&(account.to_string(), region.to_string(), kind))
            }
        }
    }
}

/// Everything read of Inspector's coverage for one run.
#[derive(Clone, Debug, Default)]
pub struct CoverageSet {
    pub records: coverage::RecordList,
    pub scope: Scope,
    /// Odd records, as (where, what): listed as warnings.
    pub warnings: Vec<(String, String)>,
}

/// One line of the Scan Coverage sheet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gap {
    pub account: String,
    pub region: String,
    /// The Asset Type (inventory side) or Inspector's `resourceType`.
    pub kind: String,
    pub id: String,
    /// Inspector's reason, or "no coverage record".
    pub reason: String,
    /// When Inspector last scanned it, ISO 8601 (empty: never, or not known).
    pub last_scanned: String,
}

impl Gap {
    /// A line for `account`, `region`, `kind` and `id`, with what the coverage says.
    pub fn of(account: &str, region: &str, kind: &str, id: &str, v: &Verdict) -> Gap {
        Gap {
            account: account.into(),
            region: region.into(),
            kind: kind.into(),
            id: id.into(),
            reason: v.remark.clone(),
            last_scanned: v
                .last_scanned
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default(),
        }
    }
}

/// What the join found: the Run Summary's counts, the run result's `scan_coverage`
/// and the Scan Coverage sheet's two lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub period_days: u32,
    pub window_start: String,
    pub records: u64,
    /// Inventory assets of the kinds Inspector scans, where coverage was read.
    pub assets: u64,
    pub scanned: u64,
    /// (a) Of `assets`, those not scanned inside the window, with the reason.
    pub not_scanned: Vec<Gap>,
    /// (b) Resources Inspector covers that the inventory does not hold.
    pub not_in_inventory: Vec<Gap>,
    /// (c) Assets of scanned kinds where no coverage was read (Inspector's scanning of
    /// their kind not enabled there, or not readable): their columns stay as tagged.
    pub unchecked: Vec<Gap>,
    /// Assets whose `in-latest-scan` tag said otherwise than the coverage (which wins).
    pub tag_disagreements: u64,
    pub images_listed: u64,
    /// ECR images neither in use now nor inside the window: not listed.
    pub images_not_in_use: u64,
    /// Records of resource types the inventory does not list, by `resourceType`.
    pub other_types: BTreeMap<String, u64>,
}

/// The counts a run result carries (`scan_coverage`): its lists are in the workbook
/// and `STEM.scan-coverage.csv`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScanCounts {
    pub assets: u64,
    pub scanned: u64,
    pub not_scanned: u64,
    pub not_in_inventory: u64,
    pub not_checked: u64,
}

impl ScanReport {
    pub fn counts(&self) -> ScanCounts {
        ScanCounts {
            assets: self.assets,
            scanned: self.scanned,
            not_scanned: self.not_scanned.len() as u64,
            not_in_inventory: self.not_in_inventory.len() as u64,
            not_checked: self.unchecked.len() as u64,
        }
    }

    /// Where assets could not be checked, with how many: each a coverage finding of a
    /// live run.
    pub fn unchecked_places(&self) -> BTreeMap<(String, String), u64> {
        let mut places = BTreeMap::new();
        for g in &self.unchecked {
            *places
                .entry((g.account.clone(), g.region.clone()))
                .or_default() += 1;
        }
        places
    }
}

/// What the coverage says of one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub scanned: bool,
    pub authenticated: bool,
    /// For Comments, and the gap list when not scanned.
    pub remark: String,
    pub last_scanned: Option<DateTime<Utc>>,
}

/// Agent-based modes read the installed packages from inside the running instance,
/// with the SSM or Inspector agent's own privileges: FedRAMP's authenticated scan.
const AGENT_MODES: [&str; 3] = [
    "EC2_SSM_AGENT_BASED",
    "EC2_INSPECTOR_AGENT_BASED",
    "VM_INSPECTOR_AGENT_BASED",
];

/// A scan type as the remark names it: lower case, then a space ("package ").
struct Lower<'a>(Option<&'a str>);

impl std::fmt::Display for Lower<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        use std::fmt::Write;
        let Some(text) = self.0 else { return Ok(()) };
        for c in text.chars().flat_map(char::to_lowercase) {
            f.write_char(c)?;
        }
        f.write_char(' ')
    }
}

/// A scan mode as the remark names it, in brackets after the scan.
struct Mode<'a>(Option<&'a str>);

impl std::fmt::Display for Mode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self.0 {
            Some("EC2_AGENTLESS") => f.write_str(" (agentless, EBS snapshot)"),
            Some(m) => write!(f, " ({m})"),
            None => Ok(()),
        }
    }
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// The verdict from a resource's records (Inspector may give one per scan type):
/// the one that counts is the best of them, a package scan first.
pub fn verdict(records: &[&CoveredResource], window: &ScanWindow) -> Verdict {
    let judged = |r: &CoveredResource| {
        let active = r.status_code.as_deref() == Some("ACTIVE")
            && r.status_reason.as_deref() == Some("SUCCESSFUL");
        let recent = r.last_scanned_at.is_some_and(|t| window.holds(t));
        (active && recent, r.scan_type.as_deref() == Some("PACKAGE"))
    };
    let Some(best) = records.iter().max_by_key(|r| judged(r)) else {
        return Verdict {
            scanned: false,
            authenticated: false,
            remark: "Inspector: no coverage record".into(),
            last_scanned: None,
        };
    };
    let (scanned, _) = judged(best);
    let agent = records.iter().any(|r| {
        r.scan_type.as_deref() == Some("PACKAGE")
            && r.status_code.as_deref() == Some("ACTIVE")
            && r.scan_mode
                .as_deref()
                .is_some_and(|m| AGENT_MODES.contains(&m))
    });
    let remark = match (
        best.status_code.as_deref(),
        best.status_reason.as_deref(),
        best.last_scanned_at,
    ) {
        // No date: the cell would change every run, and `diff` would list every
        // scanned asset as changed. The date is in the Scan Coverage sheet's gaps.
        // Written in one go: the join makes one for each of 40,000 instances.
        _ if scanned => format!(
            "Inspector: {}scan{}",
            Lower(best.scan_type.as_deref()),
            Mode(best.scan_mode.as_deref())
        ),
        (Some(code), reason, _) if code != "ACTIVE" || reason != Some("SUCCESSFUL") => {
            format!(
                "Inspector: {code} {}",
                reason.unwrap_or("(no reason given)")
            )
        }
        (None, _, _) => "Inspector: no scan status".into(),
        (_, _, Some(last)) => format!("Inspector: no scan since {}", day(last)),
        (_, _, None) => "Inspector: ACTIVE, never scanned".into(),
    };
    Verdict {
        scanned,
        authenticated: agent,
        remark,
        last_scanned: best.last_scanned_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 6, 0, 0).unwrap()
    }

    fn record(code: &str, reason: &str, mode: &str, scanned: Option<u32>) -> CoveredResource {
        CoveredResource {
            account: "1".into(),
            region: None,
            kind: Some(ScanKind::Ec2Instance),
            raw_type: "AWS_EC2_INSTANCE".into(),
            resource_id: "i-1".into(),
            scan_type: Some("PACKAGE".into()),
            scan_mode: Some(mode.into()),
            status_code: Some(code.into()),
            status_reason: Some(reason.into()),
            last_scanned_at: scanned.map(at),
            image: None,
        }
    }

    fn week() -> ScanWindow {
        ScanWindow {
            as_of: at(30),
            days: 7,
        }
    }

    #[test]
    fn scanned_means_active_successful_and_inside_the_window() {
        let ok = record("ACTIVE", "SUCCESSFUL", "EC2_SSM_AGENT_BASED", Some(28));
        let v = verdict(&[&ok], &week());
        assert!(v.scanned && v.authenticated, "{v:?}");
        assert_eq!(v.remark, "Inspector: package scan (EC2_SSM_AGENT_BASED)");
        let stale = record("ACTIVE", "SUCCESSFUL", "EC2_SSM_AGENT_BASED", Some(1));
        let v = verdict(&[&stale], &week());
        assert!(!v.scanned);
        assert_eq!(v.remark, "Inspector: no scan since 2026-11-01");
        let off = record(
            "INACTIVE",
            "UNMANAGED_EC2_INSTANCE",
            "EC2_SSM_AGENT_BASED",
            None,
        );
        let v = verdict(&[&off], &week());
        assert!(!v.scanned && !v.authenticated);
        assert_eq!(v.remark, "Inspector: INACTIVE UNMANAGED_EC2_INSTANCE");
        assert_eq!(
            verdict(&[], &week()).remark,
            "Inspector: no coverage record"
        );
    }

    #[test]
    fn agentless_scans_count_as_scanned_but_not_authenticated() {
        let r = record("ACTIVE", "SUCCESSFUL", "EC2_AGENTLESS", Some(29));
        let v = verdict(&[&r], &week());
        assert!(v.scanned && !v.authenticated);
        assert!(
            v.remark.ends_with("(agentless, EBS snapshot)"),
            "{}",
            v.remark
        );
    }

    #[test]
    fn the_best_of_several_records_counts() {
        let mut network = record("ACTIVE", "SUCCESSFUL", "EC2_SSM_AGENT_BASED", Some(29));
        network.scan_type = Some("NETWORK".into());
        let package = record(
            "INACTIVE",
            "STALE_INVENTORY",
            "EC2_SSM_AGENT_BASED",
            Some(2),
        );
        let v = verdict(&[&package, &network], &week());
        assert!(v.scanned, "the network scan inside the window counts");
        assert!(!v.authenticated, "the package scan is inactive");
        let both = record(
            "ACTIVE",
            "SUCCESSFUL",
            "EC2_INSPECTOR_AGENT_BASED",
            Some(29),
        );
        assert!(verdict(&[&network, &both], &week())
            .remark
            .contains("package scan"));
    }
}
