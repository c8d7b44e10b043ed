//! How far a long run has got: counters the readers and the kernel bump as they go,
//! read by whoever shows progress (a bar on a terminal, log lines elsewhere). Updating
//! them costs a relaxed atomic add; the run never waits for whoever reads them.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::Relaxed};

/// The counters of one run.
#[derive(Debug, Default)]
pub struct Progress {
    /// Accounts x regions (collect) or input files (report) to read.
    targets_total: AtomicU64,
    targets_done: AtomicU64,
    failures: AtomicU64,
    items: AtomicU64,
    rows: AtomicU64,
    stage: AtomicU8,
}

/// What the run is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Writing,
}

/// The counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub targets_total: u64,
    pub targets_done: u64,
    pub failures: u64,
    pub items: u64,
    pub rows: u64,
    pub writing: bool,
}

impl Progress {
    pub fn set_targets(&self, total: usize) {
        self.targets_total.store(total as u64, Relaxed);
    }

    pub fn target_done(&self, failed: bool) {
        self.targets_done.fetch_add(1, Relaxed);
        if failed {
            self.failures.fetch_add(1, Relaxed);
        }
    }

    pub fn add(&self, items: u64, rows: u64) {
        self.items.fetch_add(items, Relaxed);
        self.rows.fetch_add(rows, Relaxed);
    }

    pub fn set_stage(&self, stage: Stage) {
        self.stage.store(stage as u8, Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            targets_total: self.targets_total.load(Relaxed),
            targets_done: self.targets_done.load(Relaxed),
            failures: self.failures.load(Relaxed),
            items: self.items.load(Relaxed),
            rows: self.rows.load(Relaxed),
            writing: self.stage.load(Relaxed) == Stage::Writing as u8,
        }
    }
}

impl Snapshot {
    /// One plain line, for logs: `12/40 accounts and regions, 3,400 items, 7,100 rows,
    /// 1 failed`. `unit` names what the targets are.
    pub fn line(&self, unit: &str) -> String {
        format!(
            "{}/{} {unit}, {}",
            self.targets_done,
            self.targets_total,
            self.counts()
        )
    }

    /// What follows the targets in [`Self::line`]: `3,400 items, 7,100 rows, 1 failed`
    /// (a bar shows the targets itself).
    pub fn counts(&self) -> String {
        let mut counts = format!(
            "{} items, {} rows",
            thousands(self.items),
            thousands(self.rows)
        );
        if self.failures > 0 {
            counts += &format!(", {} failed", self.failures);
        }
        if self.writing {
            counts += "; writing the outputs";
        }
        counts
    }
}

/// 1234567 as 1,234,567.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_back_as_a_line() {
        let p = Progress::default();
        p.set_targets(40);
        p.add(3_400, 7_100);
        p.add(1_000_000, 0);
        for failed in [false, true, false] {
            p.target_done(failed);
        }
        let s = p.snapshot();
        assert_eq!(
            s.line("accounts and regions"),
            "3/40 accounts and regions, 1,003,400 items, 7,100 rows, 1 failed"
        );
        p.set_stage(Stage::Writing);
        assert!(p
            .snapshot()
            .line("inputs")
            .ends_with("; writing the outputs"));
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
