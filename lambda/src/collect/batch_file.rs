//! What one fan-out child read, as it read it: every page of every target and each
//! target's Inspector coverage, then its errors and findings, as gzip JSON Lines.
//!
//! The child keeps the pages raw rather than its own partial inventory so that the
//! merge maps every item through the same kernel, in one gatherer, as a run in one
//! function does: the rows, counts, warnings and network evidence (a security group in
//! one batch permits traffic to an instance in another's view only when joined once)
//! cannot differ from the single-function run's. The last line says the batch
//! finished; a file without it was cut short and is read as damaged.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::PerTarget;
use crate::reader::config::Sink;
use crate::reader::inspector::RawScan;

/// One line of a batch file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Line {
    /// First: which run and batch, and how many targets it read.
    Begin {
        run: String,
        batch: usize,
        targets: usize,
    },
    /// One page of one target's chain, as [`Sink::page`] was given it.
    Page {
        target: usize,
        no: u64,
        chain: String,
        values: Vec<Value>,
    },
    Scan {
        target: usize,
        scan: RawScan,
    },
    /// Last: the batch finished, with what failed and what the coverage checks found.
    End {
        errors: PerTarget,
        findings: PerTarget,
    },
}

/// Writes a batch file as the targets are read (a [`Sink`]); the first write error is
/// kept and returned by [`BatchWriter::finish`], so a batch never uploads a file that
/// lost pages.
pub(crate) struct BatchWriter {
    state: Mutex<Writing>,
}

struct Writing {
    out: Option<GzEncoder<BufWriter<File>>>,
    error: Option<String>,
    items: u64,
}

/// What a finished batch file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Written {
    pub items: u64,
    pub errors: usize,
}

impl BatchWriter {
    pub fn create(path: &Path, run: &str, batch: usize, targets: usize) -> Result<Self, String> {
        let file =
            File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        let writer = BatchWriter {
            state: Mutex::new(Writing {
                out: Some(GzEncoder::new(
                    BufWriter::new(file),
                    flate2::Compression::fast(),
                )),
                error: None,
                items: 0,
            }),
        };
        writer.write(
            &Line::Begin {
                run: run.to_string(),
                batch,
                targets,
            },
            0,
        );
        Ok(writer)
    }

    /// One line, holding `items` items, under one lock.
    fn write(&self, line: &Line, items: u64) {
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        state.items += items;
        if state.error.is_some() {
            return;
        }
        let Some(out) = state.out.as_mut() else {
            return;
        };
        let written = serde_json::to_writer(&mut *out, line)
            .map_err(|e| e.to_string())
            .and_then(|()| out.write_all(b"\n").map_err(|e| e.to_string()));
        if let Err(e) = written {
            state.error = Some(format!("writing the batch file failed: {e}"));
        }
    }

    /// The closing line, then the file flushed: `Err` if anything could not be written.
    pub fn finish(&self, errors: PerTarget, findings: PerTarget) -> Result<Written, String> {
        let count = errors.len();
        self.write(&Line::End { errors, findings }, 0);
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(e) = state.error.take() {
            return Err(e);
        }
        let out = state
            .out
            .take()
            .ok_or("the batch file was already finished")?;
        out.finish()
            .and_then(|mut w| w.flush())
            .map_err(|e| format!("writing the batch file failed: {e}"))?;
        Ok(Written {
            items: state.items,
            errors: count,
        })
    }
}

impl Sink for BatchWriter {
    fn page(&self, index: usize, page: (u64, &str), values: Vec<Value>) {
        if values.is_empty() {
            return;
        }
        let items = values.len() as u64;
        let line = Line::Page {
            target: index,
            no: page.0,
            chain: page.1.to_string(),
            values,
        };
        self.write(&line, items);
    }

    fn scan(&self, index: usize, scan: RawScan) {
        self.write(
            &Line::Scan {
                target: index,
                scan,
            },
            0,
        );
    }
}

/// Why a batch file could not be read to its end: what was read before is kept.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Damaged(pub String);

/// Reads a batch file of `run`'s batch `batch`, which read `targets` targets, handing
/// each page and coverage line to `each` in order; its errors and findings when it
/// ends as a finished batch does.
pub(crate) fn read(
    path: &Path,
    (run, batch, targets): (&str, usize, usize),
    each: &mut dyn FnMut(Line),
) -> Result<(PerTarget, PerTarget), Damaged> {
    let file = File::open(path).map_err(|e| Damaged(format!("cannot open it: {e}")))?;
    let lines = BufReader::new(MultiGzDecoder::new(BufReader::new(file))).lines();
    let mut begun = false;
    for (n, line) in lines.enumerate() {
        let at = n + 1;
        let text = line.map_err(|e| Damaged(format!("line {at} cannot be read: {e}")))?;
        let line: Line = serde_json::from_str(&text)
            .map_err(|e| Damaged(format!("line {at} is not a batch line: {e}")))?;
        let in_batch = |target: usize| {
            (target < targets)
                .then_some(())
                .ok_or_else(|| Damaged(format!("line {at} names target {target}, of {targets}")))
        };
        match line {
            Line::Begin {
                run: r,
                batch: b,
                targets: t,
            } => {
                if begun || (r.as_str(), b, t) != (run, batch, targets) {
                    return Err(Damaged(format!(
                        "line {at} begins run {r:?} batch {b} of {t} targets, not run {run:?} batch {batch} of {targets}"
                    )));
                }
                begun = true;
            }
            _ if !begun => return Err(Damaged("it does not begin with its batch".into())),
            Line::End { errors, findings } => {
                for (i, _) in errors.iter().chain(&findings) {
                    in_batch(*i)?;
                }
                return Ok((errors, findings));
            }
            Line::Page { target, .. } | Line::Scan { target, .. } => {
                in_batch(target)?;
                each(line);
            }
        }
    }
    Err(Damaged(
        "it ends before the batch finished (no closing line)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::config::TargetError;

    fn error(stage: &str) -> TargetError {
        TargetError {
            account: "111111111111".into(),
            region: "us-east-1".into(),
            stage: stage.into(),
            message: "m".into(),
        }
    }

    #[test]
    fn a_batch_reads_back_as_written_and_a_cut_one_is_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.jsonl.gz");
        let writer = BatchWriter::create(&path, "r1", 2, 3).unwrap();
        writer.page(0, (1, ""), vec![Value::String("{\"a\":1}".into())]);
        writer.page(1, (1, "envelope"), vec![]);
        writer.scan(
            2,
            RawScan {
                account: "1".into(),
                region: "r".into(),
                enabled: vec!["AWS_EC2_INSTANCE".into()],
                records: vec![("here".into(), serde_json::json!({"resourceId": "i-1"}))],
            },
        );
        let written = writer
            .finish(vec![(1, error("select"))], vec![(2, error("coverage"))])
            .unwrap();
        assert_eq!(
            written,
            Written {
                items: 1,
                errors: 1
            }
        );
        let mut seen = Vec::new();
        let (errors, findings) = read(&path, ("r1", 2, 3), &mut |l| seen.push(l)).unwrap();
        assert_eq!(seen.len(), 2, "the empty page is not written: {seen:?}");
        assert!(
            matches!(&seen[0], Line::Page { target: 0, no: 1, chain, values } if chain.is_empty() && values.len() == 1)
        );
        assert!(matches!(&seen[1], Line::Scan { target: 2, scan } if scan.records.len() == 1));
        assert_eq!((errors[0].0, findings[0].0), (1, 2));

        // Another batch's file, or one of another run, is not taken for this one.
        let other = read(&path, ("r1", 3, 3), &mut |_| {}).unwrap_err();
        assert!(other.0.contains("not run \"r1\" batch 3"), "{other:?}");
        // Cut before its closing line: damaged, with what came before handed on.
        let whole = {
            let mut text = String::new();
            std::io::Read::read_to_string(
                &mut MultiGzDecoder::new(File::open(&path).unwrap()),
                &mut text,
            )
            .unwrap();
            text
        };
        let cut = dir.path().join("cut.jsonl.gz");
        let mut out = GzEncoder::new(File::create(&cut).unwrap(), flate2::Compression::fast());
        let kept: Vec<&str> = whole.lines().take(2).collect();
        out.write_all(format!("{}\n", kept.join("\n")).as_bytes())
            .unwrap();
        out.finish().unwrap();
        let mut pages = 0;
        let damaged = read(&cut, ("r1", 2, 3), &mut |_| pages += 1).unwrap_err();
        assert!(damaged.0.contains("no closing line"), "{damaged:?}");
        assert_eq!(pages, 1);
        // A line naming a target outside the batch, or not JSON.
        let bad = dir.path().join("bad.jsonl.gz");
        let mut out = GzEncoder::new(File::create(&bad).unwrap(), flate2::Compression::fast());
        out.write_all(
            format!(
                "{}\n{{\"page\":{{\"target\":9,\"no\":1,\"chain\":\"\",\"values\":[]}}}}\n",
                kept[0]
            )
            .as_bytes(),
        )
        .unwrap();
        out.finish().unwrap();
        let damaged = read(&bad, ("r1", 2, 3), &mut |_| {}).unwrap_err();
        assert!(damaged.0.contains("target 9, of 3"), "{damaged:?}");
        std::fs::write(&bad, b"not gzip").unwrap();
        assert!(read(&bad, ("r1", 2, 3), &mut |_| {}).is_err());
    }
}
