//! One report run: inputs -> items -> assets -> inventory -> workbook.
//!
//! Reading, parsing and mapping overlap: one thread reads raw lines, two parse and map
//! them (JSON parsing is most of the CPU time before the write), and one collects the
//! results in input order, so the output does not depend on thread timing.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostics;
use crate::inventory::{Inventory, IpCell};
use crate::item::ConfigItem;
use crate::mapper::{map_item, Asset, MapContext, Mapped};
use crate::reader::files::{decode, read_input, Input, Origin, RawPiece, ReadError};
use crate::report::{
    write_workbook, InputReport, Layout, ReportError, Summary, UnsupportedType, WriteOptions,
};

/// What the user asked for.
#[derive(Clone, Debug)]
pub struct ReportRequest {
    pub inputs: Vec<Input>,
    pub output: PathBuf,
    pub layout: Layout,
    pub ip_cell: IpCell,
    pub context: MapContext,
    /// Rows per sheet including headers (Excel's limit unless testing the overflow).
    pub max_sheet_rows: u32,
}

/// How a run ended, which decides the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Workbook written, no problem with any input.
    Clean,
    /// Workbook written, but some input was bad: see the diagnostics.
    WithProblems,
    /// No workbook: nothing could be read, or it could not be written.
    Failed,
}

impl Status {
    pub fn exit_code(self) -> i32 {
        match self {
            Status::Clean => 0,
            Status::WithProblems => 2,
            Status::Failed => 1,
        }
    }
}

#[derive(Debug)]
pub struct RunResult {
    pub status: Status,
    pub summary: Summary,
    /// Why no workbook was written, when the status is `Failed`.
    pub failure: Option<String>,
}

const BATCH: usize = 512;

pub(crate) enum Outcome {
    Asset(Origin, Box<Asset>),
    Unsupported(Origin, Option<String>),
    Bad(Origin, String),
}

pub(crate) struct Batch {
    pub seq: u64,
    pub input: usize,
    pub items: Vec<Outcome>,
}

/// Runs the whole report and writes the workbook.
pub fn run_report(request: &ReportRequest) -> RunResult {
    let generated_at = Utc::now();
    let (mut summary, inventory) = collect(request, generated_at);
    let readable = summary.inputs.iter().any(|i| i.status != STATUS_UNREADABLE);
    if !readable {
        let failure = "no input could be read; no workbook was written".to_string();
        return RunResult {
            status: Status::Failed,
            summary,
            failure: Some(failure),
        };
    }
    let options = WriteOptions {
        layout: request.layout,
        max_sheet_rows: request.max_sheet_rows,
    };
    let written: Result<(), ReportError> =
        write_workbook(&request.output, &inventory, &summary, &options);
    match written {
        Ok(()) => {
            let status = if summary.diagnostics.is_empty() {
                Status::Clean
            } else {
                Status::WithProblems
            };
            RunResult {
                status,
                summary,
                failure: None,
            }
        }
        Err(e) => {
            summary
                .diagnostics
                .error(request.output.display().to_string(), e.to_string());
            RunResult {
                status: Status::Failed,
                summary,
                failure: Some(e.to_string()),
            }
        }
    }
}

pub(crate) const STATUS_UNREADABLE: &str = "not read";

/// Reads every input and builds the sorted inventory and the summary.
fn collect(request: &ReportRequest, generated_at: DateTime<Utc>) -> (Summary, Inventory) {
    let names: Vec<String> = request.inputs.iter().map(|i| i.to_string()).collect();
    let (work_tx, work_rx) = sync_channel::<(u64, usize, Vec<RawPiece>)>(8);
    let (done_tx, done_rx) = sync_channel::<Batch>(8);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let mut read_problems = Diagnostics::default();
    let mut statuses = Vec::new();
    let (inventory, mut summary) = std::thread::scope(|scope| {
        for _ in 0..2 {
            let (rx, tx) = (Arc::clone(&work_rx), done_tx.clone());
            scope.spawn(move || map_batches(&rx, &tx, request));
        }
        drop(done_tx);
        let collector = scope.spawn(|| gather(done_rx, &names, request.ip_cell));
        let mut seq = 0u64;
        for (index, input) in request.inputs.iter().enumerate() {
            let mut batch = Vec::with_capacity(BATCH);
            let mut send = |batch: &mut Vec<RawPiece>| {
                // The workers only stop when this sender is gone, so a send cannot fail
                // while we hold it; a failure would mean a worker panicked.
                let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
                let _ = work_tx.send((seq, index, full));
                seq += 1;
            };
            let read = read_input(input, &mut |piece| {
                batch.push(piece);
                if batch.len() == BATCH {
                    send(&mut batch);
                }
            });
            send(&mut batch);
            statuses.push(match read {
                Ok(None) => "read".to_string(),
                Ok(Some(stopped)) => {
                    read_problems.error(format!("{input}:{}", stopped.line), stopped.message);
                    "partly read: a JSON syntax error ended it".to_string()
                }
                Err(e @ ReadError::Empty) => {
                    read_problems.error(input.to_string(), e.to_string());
                    "empty".to_string()
                }
                Err(e) => {
                    read_problems.error(input.to_string(), e.to_string());
                    STATUS_UNREADABLE.to_string()
                }
            });
        }
        drop(work_tx);
        collector
            .join()
            .expect("the collector thread does not panic")
    });
    for (report, status) in summary.inputs.iter_mut().zip(statuses) {
        report.status = status;
    }
    let mut diagnostics = read_problems;
    for d in summary.diagnostics.entries() {
        diagnostics.push_entry(d.clone());
    }
    summary.diagnostics = diagnostics;
    summary.generated_at = generated_at;
    summary.layout = request.layout;
    (summary, inventory)
}

/// A worker: raw pieces in, mapped outcomes out.
fn map_batches(
    rx: &Mutex<Receiver<(u64, usize, Vec<RawPiece>)>>,
    tx: &std::sync::mpsc::SyncSender<Batch>,
    request: &ReportRequest,
) {
    loop {
        let next = rx.lock().map(|r| r.recv());
        let Ok(Ok((seq, input, pieces))) = next else {
            return;
        };
        let mut items = Vec::with_capacity(pieces.len());
        for piece in pieces {
            for (origin, value) in decode(piece) {
                items.push(map_value(origin, value, &request.context, request.ip_cell));
            }
        }
        if tx.send(Batch { seq, input, items }).is_err() {
            return;
        }
    }
}

pub(crate) fn map_value(
    origin: Origin,
    value: Result<serde_json::Value, String>,
    ctx: &MapContext,
    ip_cell: IpCell,
) -> Outcome {
    let value = match value {
        Ok(v) => v,
        Err(message) => return Outcome::Bad(origin, message),
    };
    let mut warnings = Vec::new();
    let item = match ConfigItem::from_json(value, &mut warnings) {
        Ok(item) => item,
        Err(e) => return Outcome::Bad(origin, e.to_string()),
    };
    match map_item(&item, ctx) {
        Mapped::Asset(mut asset) => {
            if ip_cell == IpCell::Joined {
                asset.join_addresses();
            }
            warnings.append(&mut asset.warnings);
            asset.warnings = warnings;
            Outcome::Asset(origin, asset)
        }
        Mapped::Unsupported(kind) => Outcome::Unsupported(origin, kind),
    }
}

/// The collector: takes batches in sequence order and builds inventory and summary.
pub(crate) fn gather(
    rx: Receiver<Batch>,
    names: &[String],
    ip_cell: IpCell,
) -> (Inventory, Summary) {
    let mut inventory = Inventory::new();
    let mut diagnostics = Diagnostics::default();
    let mut unsupported: BTreeMap<String, UnsupportedType> = BTreeMap::new();
    let mut per_input = vec![0u64; names.len()];
    let mut waiting: HashMap<u64, Batch> = HashMap::new();
    let mut next = 0u64;
    for batch in rx {
        waiting.insert(batch.seq, batch);
        while let Some(batch) = waiting.remove(&next) {
            next += 1;
            let name = &names[batch.input];
            for outcome in batch.items {
                match outcome {
                    Outcome::Asset(origin, asset) => {
                        per_input[batch.input] += 1;
                        for w in &asset.warnings {
                            diagnostics.warn(origin.describe(name), w.clone());
                        }
                        inventory.add(&asset);
                    }
                    Outcome::Unsupported(origin, kind) => {
                        per_input[batch.input] += 1;
                        let kind = kind.unwrap_or_else(|| "(no resourceType)".to_string());
                        let entry = unsupported.entry(kind).or_default();
                        if entry.items == 0 {
                            entry.first_seen = origin.describe(name);
                        }
                        entry.items += 1;
                    }
                    Outcome::Bad(origin, message) => {
                        diagnostics.error(origin.describe(name), message)
                    }
                }
            }
        }
    }
    inventory.finish();
    let summary = Summary {
        generated_at: Utc::now(),
        layout: Layout::default(),
        ip_cell,
        inputs: names
            .iter()
            .zip(&per_input)
            .map(|(name, items)| InputReport {
                name: name.clone(),
                items: *items,
                status: String::new(),
            })
            .collect(),
        items_read: per_input.iter().sum(),
        assets: inventory.asset_count() as u64,
        rows: inventory.row_count() as u64,
        duplicates: inventory.duplicates(),
        row_counts: inventory.row_counts(),
        unsupported,
        diagnostics,
    };
    (inventory, summary)
}
