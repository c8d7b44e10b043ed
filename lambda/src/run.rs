//! One report run from files: inputs -> items -> assets -> inventory -> outputs.
//!
//! Reading, parsing and mapping overlap: one thread reads raw lines, two parse and map
//! them (JSON parsing is most of the CPU time before the write), and the kernel gathers
//! the results in input order, so the output does not depend on thread timing.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::changes::ChangeReport;
use crate::inventory::Inventory;
use crate::kernel::{gather, map_value, Batch, InputStatus, STATUS_UNREADABLE};
use crate::mapper::MapContext;
use crate::network::{NETWORK_TYPES, OFF_REASON};
use crate::outputs::{self, Artifact, Formats, OutputSettings, Report};
use crate::progress::{Progress, Stage};
use crate::reader::files::{decode, read_input, Input, RawPiece, ReadError, BLOCK_LINES};
use crate::scan::coverage_file::{read_files, CoverageFileError};
use crate::scan::ScanWindow;
use crate::settings::{Network, ScanPeriod};
use crate::summary::Summary;

/// What the user asked for.
#[derive(Clone, Debug)]
pub struct ReportRequest {
    pub inputs: Vec<Input>,
    /// Names every output file: its stem plus each format's extension.
    pub output: PathBuf,
    pub formats: Formats,
    pub outputs: OutputSettings,
    pub context: MapContext,
    /// A snapshot of an earlier run to list the changes since (a Changes sheet).
    pub previous: Option<PathBuf>,
    /// Counters for whoever shows how far the run has got.
    pub progress: Arc<Progress>,
    /// Amazon Inspector's coverage (`--scan-coverage` files): when given, the scan
    /// columns come from it. They are read beside the items, on a thread of their own
    /// (read first, they made the benchmark's run 13% longer); a
    /// file that cannot be read fails the run before anything is written.
    pub coverage: Vec<PathBuf>,
    /// Which scans count as the latest.
    pub scan_period: ScanPeriod,
}

/// How a run ended, which decides the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Outputs written, no problem with any input.
    Clean,
    /// Outputs written, but some input was bad, or the comparison could not be made.
    WithProblems,
    /// No outputs: nothing could be read, or they could not be written.
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

/// Where the time went, for the printed summary and `make bench`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Reading, parsing and mapping, overlapped (the sort is not in it).
    pub read_map: std::time::Duration,
    pub sort: std::time::Duration,
    pub write: std::time::Duration,
}

#[derive(Debug)]
pub struct RunResult {
    pub status: Status,
    pub timings: Timings,
    pub summary: Summary,
    pub artifacts: Vec<Artifact>,
    pub changes: Option<ChangeReport>,
    /// Why no outputs were written, when the status is `Failed`.
    pub failure: Option<String>,
}

/// Items (about) a worker parses and maps at a time.
const BATCH: u64 = BLOCK_LINES;

/// Runs the whole report and writes its outputs.
pub fn run_report(request: &ReportRequest) -> RunResult {
    let generated_at = Utc::now();
    let started = std::time::Instant::now();
    let (inventory, mut summary, unread_coverage) = collect(request, generated_at);
    summary.read_with = read_with(request);
    summary.scope = request.context.scope;
    let mut timings = Timings {
        sort: summary.sort_time,
        read_map: started.elapsed().saturating_sub(summary.sort_time),
        write: std::time::Duration::ZERO,
    };
    let failed = |summary, failure: String, timings| RunResult {
        status: Status::Failed,
        timings,
        summary,
        artifacts: Vec::new(),
        changes: None,
        failure: Some(failure),
    };
    if let Some(e) = unread_coverage {
        let failure = format!("{e}; nothing was written");
        summary.diagnostics.error("scan coverage", e.to_string());
        return failed(summary, failure, timings);
    }
    if summary.inputs.iter().all(|i| i.status == STATUS_UNREADABLE) {
        return failed(
            summary,
            "no input could be read; nothing was written".to_string(),
            timings,
        );
    }
    let stem = outputs::stem(&request.output);
    request.progress.set_stage(Stage::Writing);
    let writing = std::time::Instant::now();
    let written = write(request, &stem, &inventory, &summary);
    timings.write = writing.elapsed();
    let (written, changes) = match written {
        Ok(done) => done,
        Err(e) => {
            summary.diagnostics.error("output", e.to_string());
            return failed(summary, e.to_string(), timings);
        }
    };
    let compared_badly = changes.as_ref().is_some_and(ChangeReport::is_failure);
    let status = if summary.diagnostics.is_empty() && !compared_badly {
        Status::Clean
    } else {
        Status::WithProblems
    };
    RunResult {
        status,
        timings,
        summary,
        artifacts: written,
        changes,
        failure: None,
    }
}

/// How a report reads, in words, for the derivation document.
fn read_with(request: &ReportRequest) -> Vec<String> {
    let mut out = vec![
        "AWS Config configuration items from the files listed below (`report --input`: JSON Lines, `select-resource-config` output or Config snapshots); items whose configurationItemStatus is ResourceDeleted, ResourceDeletedNotRecorded or ResourceNotRecorded give no row.".to_string(),
    ];
    if !request.coverage.is_empty() {
        let files: Vec<String> = request
            .coverage
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        out.push(format!(
            "Amazon Inspector coverage from {} (`--scan-coverage`), over a window of {} days.",
            files.join(", "),
            request.scan_period.days()
        ));
    }
    if request.context.network == crate::settings::Network::Off {
        out.push("The network facts were turned off (network: off).".into());
    }
    if request.context.scope == crate::settings::Scope::All {
        out.push("scope: all: an item of a type without a mapper is listed as an information resource, with its envelope only.".into());
    }
    out
}

/// Writes the outputs; with `--previous`, the snapshot first (kept only when asked
/// for), so the comparison reads both snapshots the same way.
fn write(
    request: &ReportRequest,
    stem: &std::path::Path,
    inventory: &Inventory,
    summary: &Summary,
) -> Result<(Vec<Artifact>, Option<ChangeReport>), outputs::OutputError> {
    let mut report = Report {
        inventory,
        summary,
        changes: None,
        published_at: None,
    };
    let Some(previous) = &request.previous else {
        let written = outputs::write_all(stem, &request.formats, &report, &request.outputs, &[])?;
        return Ok((written, None));
    };
    let snapshot = outputs::write_snapshot(stem, &report, &request.outputs)?;
    let changes = ChangeReport::compare(&previous.display().to_string(), previous, &snapshot.path);
    report.changes = Some(&changes);
    let kept = request.formats.contains(outputs::Format::Snapshot);
    let before = if kept {
        std::slice::from_ref(&snapshot)
    } else {
        &[]
    };
    let mut written =
        outputs::write_all_but_snapshot(stem, &request.formats, &report, &request.outputs, before)?;
    if kept {
        written.push(snapshot);
    } else {
        let _ = std::fs::remove_file(&snapshot.path);
    }
    Ok((written, Some(changes)))
}

/// Reads every input and the coverage, and builds the sorted inventory and the
/// finished summary; with coverage that could not be read, without the join and
/// with the reason.
fn collect(
    request: &ReportRequest,
    generated_at: DateTime<Utc>,
) -> (Inventory, Summary, Option<CoverageFileError>) {
    let names: Vec<String> = request.inputs.iter().map(|i| i.to_string()).collect();
    let (work_tx, work_rx) = sync_channel::<(u64, usize, Vec<RawPiece>)>(4);
    let (done_tx, done_rx) = sync_channel::<Batch>(4);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let mut statuses = Vec::new();
    let (gathered, coverage) = std::thread::scope(|scope| {
        let coverage =
            (!request.coverage.is_empty()).then(|| scope.spawn(|| read_files(&request.coverage)));
        // Parsing and mapping are most of the reading time: one worker per core (the
        // reader and the collector wait on channels most of the time).
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        for _ in 0..workers {
            let (rx, tx) = (Arc::clone(&work_rx), done_tx.clone());
            scope.spawn(move || map_batches(&rx, &tx, &request.context));
        }
        drop(done_tx);
        let progress = &request.progress;
        progress.set_targets(request.inputs.len());
        let collector = scope.spawn(move || gather(done_rx, names, progress));
        let mut seq = 0u64;
        for (index, input) in request.inputs.iter().enumerate() {
            let (mut batch, mut weight) = (Vec::new(), 0);
            let mut send = |batch: &mut Vec<RawPiece>| {
                // The workers only stop when this sender is gone, so a send cannot fail
                // while we hold it; a failure would mean a worker panicked.
                let _ = work_tx.send((seq, index, std::mem::take(batch)));
                seq += 1;
            };
            let read = read_input(input, &mut |piece| {
                weight += piece.weight();
                batch.push(piece);
                if weight >= BATCH {
                    send(&mut batch);
                    weight = 0;
                }
            });
            send(&mut batch);
            progress.target_done(!matches!(read, Ok(None)));
            statuses.push(match read {
                Ok(None) => InputStatus::read(),
                Ok(Some(stopped)) => InputStatus {
                    status: "partly read: a JSON syntax error ended it".into(),
                    error: Some(stopped.message),
                    error_line: Some(stopped.line),
                },
                Err(e @ ReadError::Empty) => InputStatus::failed("empty", e.to_string()),
                Err(e) => InputStatus::failed(STATUS_UNREADABLE, e.to_string()),
            });
        }
        drop(work_tx);
        let gathered = collector
            .join()
            .expect("the collector thread does not panic");
        let coverage =
            coverage.map(|reading| reading.join().expect("the coverage reader does not panic"));
        (gathered, coverage)
    });
    let (set, unread) = match coverage {
        None => (None, None),
        Some(Ok(set)) => (Some(set), None),
        Some(Err(e)) => (None, Some(e)),
    };
    let window = set.as_ref().map(|_| ScanWindow {
        as_of: generated_at,
        days: request.scan_period.days(),
    });
    let mut gathered = gathered;
    gathered.network_evidence(
        request.context.network,
        request.formats.needs_network_facts(),
    );
    let (inventory, mut summary) = gathered.finish(statuses, generated_at, window, set.as_ref());
    if request.context.network == Network::Off {
        for kind in NETWORK_TYPES {
            summary
                .not_read
                .insert(kind.to_string(), OFF_REASON.to_string());
        }
    }
    (inventory, summary, unread)
}

/// A worker: raw pieces in, mapped outcomes out.
fn map_batches(
    rx: &Mutex<Receiver<(u64, usize, Vec<RawPiece>)>>,
    tx: &std::sync::mpsc::SyncSender<Batch>,
    context: &MapContext,
) {
    loop {
        let next = rx.lock().map(|r| r.recv());
        let Ok(Ok((seq, input, pieces))) = next else {
            return;
        };
        let mut items = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            decode(piece, &mut |(origin, value)| {
                items.push(map_value(origin, value, context));
            });
        }
        if tx.send(Batch { seq, input, items }).is_err() {
            return;
        }
    }
}
