//! What a run read, what it made of it, and every problem: the model every output
//! states (the workbook's Run Summary sheet, the snapshot's header, the printed result).
//!
//! A reviewer or the team's own automation should be able to tell from it alone whether
//! the inventory is complete, and if not, what is missing and why.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostics;
use crate::inventory::RowCounts;
use crate::scan::ScanReport;

/// One input (a file, or an account x region) and how much of it was used.
#[derive(Clone, Debug)]
pub struct InputReport {
    pub name: String,
    pub items: u64,
    /// "read", or why it was not (fully) read.
    pub status: String,
}

/// A resource type with no mapper, how often it came and where first.
#[derive(Clone, Debug, Default)]
pub struct UnsupportedType {
    pub items: u64,
    pub first_seen: String,
}

/// Items of one supported type read, and the rows they gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypeCount {
    pub items: u64,
    pub rows: u64,
}

/// Everything a run states about itself.
#[derive(Debug)]
pub struct Summary {
    pub generated_at: DateTime<Utc>,
    /// How the items were read, in words (files; each query sent and API called), for
    /// the derivation document.
    pub read_with: Vec<String>,
    pub inputs: Vec<InputReport>,
    pub items_read: u64,
    pub assets: u64,
    pub rows: u64,
    pub duplicates: u64,
    /// Assets left out because they repeat another (and items that are no asset), by
    /// reason.
    pub folded: BTreeMap<String, u64>,
    /// Per supported type met: items read and rows written.
    pub types: BTreeMap<String, TypeCount>,
    pub row_counts: RowCounts,
    /// Which resources the run lists: said by the run, as `read_with`.
    pub scope: crate::settings::Scope,
    /// The information resources listed apart from the rows (`scope: all`), by type.
    pub resources: BTreeMap<String, u64>,
    /// Keyed by type; items without a type are under "(no resourceType)".
    pub unsupported: BTreeMap<String, UnsupportedType>,
    pub diagnostics: Diagnostics,
    /// How long putting the rows in order took (the one step between reading and
    /// writing), for the printed timings.
    pub sort_time: std::time::Duration,
    /// What Amazon Inspector's coverage showed, when scan coverage was read.
    pub scan: Option<ScanReport>,
    /// Resource types left unread on purpose, with why: what the inventory cannot see
    /// is said, never a silent gap.
    pub not_read: BTreeMap<String, String>,
    /// Network facts read (security groups, subnets, ...), by Config type.
    pub network: BTreeMap<String, u64>,
    /// Listed assets without a Diagram Label: Rev5 makes the column mandatory, and only
    /// the team's tag can fill it (the diagram labels such assets by name or id).
    pub unlabelled: u64,
    /// Outputs a scheduled run's default formats left out, and why (the SDR without its
    /// settings).
    pub not_written: Vec<String>,
    /// The ports, protocols and services derived from them; `None` with the network
    /// setting off.
    pub evidence: Option<crate::network::Evidence>,
}

impl Summary {
    /// The ports, protocols and services for the workbook: shown once the run read a
    /// network fact or derived an entry (an input without network items keeps its
    /// workbook as it was; `--format ports` writes its file either way).
    pub fn evidence_to_show(&self) -> Option<&crate::network::Evidence> {
        self.evidence
            .as_ref()
            .filter(|e| !e.is_empty() || !self.network.is_empty())
    }

    /// Accounts and regions that gave rows, for outputs that state their scope.
    pub fn scope(&self) -> (Vec<String>, Vec<String>) {
        let mut accounts: Vec<String> = self.row_counts.keys().map(|k| k.0.clone()).collect();
        let mut regions: Vec<String> = self.row_counts.keys().map(|k| k.1.clone()).collect();
        accounts.sort();
        accounts.dedup();
        regions.sort();
        regions.dedup();
        (accounts, regions)
    }
}
