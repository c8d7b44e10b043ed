//! Progress a person can see while `collect` or `report` runs: a bar on a terminal,
//! a plain line now and then when stderr is a log (CI, a pipe, a file). Drawn on its own
//! thread from the run's counters, so the run never waits for the screen.

use std::io::IsTerminal;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::progress::Progress;

/// When and how often progress is shown.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// Nothing is shown for runs shorter than this.
    pub after: Duration,
    /// Between plain lines (a terminal's bar is redrawn ten times a second).
    pub every: Duration,
    /// A last plain line when the run ends (when anything was shown at all).
    pub last_line: bool,
}

/// Progress being shown; [`Shown::finish`] stops it.
pub struct Shown {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

/// Starts showing `progress`; `unit` names the targets ("accounts and regions").
pub fn show(progress: Arc<Progress>, unit: &'static str, pace: Pace) -> Shown {
    let stop = Arc::new((Mutex::new(false), Condvar::new()));
    let flag = Arc::clone(&stop);
    let thread = std::thread::spawn(move || {
        let started = Instant::now();
        if wait(&flag, pace.after) {
            return;
        }
        if std::io::stderr().is_terminal() {
            bar(&progress, unit, &flag, started.elapsed());
        } else {
            loop {
                let stopped = wait(&flag, pace.every);
                if !stopped || pace.last_line {
                    let secs = started.elapsed().as_secs();
                    eprintln!("progress: {} ({secs} s)", progress.snapshot().line(unit));
                }
                if stopped {
                    return;
                }
            }
        }
    });
    Shown {
        stop,
        thread: Some(thread),
    }
}

impl Shown {
    pub fn finish(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let (lock, wake) = &*self.stop;
        if let Ok(mut stopped) = lock.lock() {
            *stopped = true;
        }
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Shown {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Waits `long` or until stopped; true when stopped.
fn wait(stop: &(Mutex<bool>, Condvar), long: Duration) -> bool {
    let (lock, wake) = stop;
    let Ok(guard) = lock.lock() else {
        return true;
    };
    match wake.wait_timeout_while(guard, long, |stopped| !*stopped) {
        Ok((stopped, _)) => *stopped,
        Err(_) => true,
    }
}

fn bar(progress: &Progress, unit: &str, stop: &(Mutex<bool>, Condvar), elapsed: Duration) {
    let bar = ProgressBar::new(0).with_elapsed(elapsed);
    let style = ProgressStyle::with_template("{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    loop {
        let now = progress.snapshot();
        bar.set_length(now.targets_total);
        bar.set_position(now.targets_done);
        bar.set_message(format!("{unit}, {}", now.counts()));
        if wait(stop, Duration::from_millis(100)) {
            break;
        }
    }
    bar.finish_and_clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run that ends before `after` shows nothing: the wait for `after` returns at
    /// once when the run is stopped, and the thread then returns without a line. The
    /// wait is an hour, so only the stop can end it.
    #[test]
    fn a_run_that_ends_before_the_pace_shows_nothing() {
        let progress = Arc::new(Progress::default());
        let shown = show(
            progress,
            "inputs",
            Pace {
                after: Duration::from_secs(3600),
                every: Duration::from_secs(3600),
                last_line: true,
            },
        );
        let (lock, _) = &*shown.stop;
        assert!(!*lock.lock().unwrap());
        shown.finish();
        // A stopped flag ends any wait at once, however long it was asked to be.
        let stopped = (Mutex::new(true), Condvar::new());
        assert!(wait(&stopped, Duration::from_secs(3600)));
        let running = (Mutex::new(false), Condvar::new());
        assert!(!wait(&running, Duration::from_millis(1)));
    }
}
