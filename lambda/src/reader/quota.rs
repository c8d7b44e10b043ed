//! AWS's request rates, held by us: one limiter per API and per account (or per
//! aggregator), so a large organization read at high concurrency stays under the rates
//! AWS throttles at instead of spending its retries on "Rate exceeded".
//!
//! A limiter spaces calls evenly (no burst): each call goes one interval after the one
//! before it. Concurrency still decides how many targets wait on AWS at once; the
//! limiter only decides how often one account or aggregator is asked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

pub use crate::settings::{Api, Rates};

/// One API's calls for one account or aggregator.
pub(crate) struct Limiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Limiter {
    fn new(per_second: f64) -> Self {
        Limiter {
            interval: Duration::from_secs_f64(1.0 / per_second.max(0.001)),
            next: Mutex::new(None),
        }
    }

    /// Waits until a call may be made: one interval after the last call let through,
    /// measured when that call went, not when it was queued. A caller that wakes late
    /// (a busy machine) does not let those queued behind it through at once: a burst
    /// after a stall is what AWS throttles.
    pub async fn wait(&self) {
        loop {
            let now = Instant::now();
            let at = {
                let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
                match *next {
                    Some(at) if at > now => at,
                    _ => {
                        *next = Some(now + self.interval);
                        return;
                    }
                }
            };
            tokio::time::sleep_until(at).await;
        }
    }
}

/// Every limiter of a run, made when first asked for.
pub(crate) struct Limits {
    rates: Rates,
    limiters: Mutex<HashMap<(String, Api), Arc<Limiter>>>,
}

impl Limits {
    pub fn new(rates: Rates) -> Self {
        Limits {
            rates,
            limiters: Mutex::new(HashMap::new()),
        }
    }

    /// The limiter of `api` for `scope` (an account id, or `aggregator NAME`).
    pub fn of(&self, scope: &str, api: Api) -> Arc<Limiter> {
        let mut map = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(
            map.entry((scope.to_string(), api))
                .or_insert_with(|| Arc::new(Limiter::new(self.rates.per_second(api)))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offsets from `start` at which each of `calls` waits on `limiter` returned.
    async fn schedule(limiter: &Limiter, start: Instant, calls: usize) -> Vec<Duration> {
        let mut at = Vec::new();
        for _ in 0..calls {
            limiter.wait().await;
            at.push(Instant::now() - start);
        }
        at
    }

    /// Under tokio's paused clock, time moves only when every task sleeps, so the
    /// schedule is exact whatever the machine is doing.
    #[tokio::test(start_paused = true)]
    async fn calls_are_spaced_at_the_rate_per_scope_and_api() {
        let limits = Limits::new("select=100,batch-get=0.5".parse().unwrap());
        let start = Instant::now();
        let select = limits.of("111111111111", Api::Select);
        let ms = Duration::from_millis;
        let expected: Vec<Duration> = (0..9).map(|i| ms(10 * i)).collect();
        assert_eq!(schedule(&select, start, 9).await, expected);
        // Another account's limiter, or another API's, has slots of its own: its first
        // call does not wait, though at 0.5 a second the next one waits 2 s.
        let other = Instant::now();
        let batch = limits.of("111111111111", Api::BatchGet);
        limits.of("222222222222", Api::BatchGet).wait().await;
        assert_eq!(schedule(&batch, other, 2).await, [ms(0), ms(2000)]);
        assert!(Arc::ptr_eq(
            &select,
            &limits.of("111111111111", Api::Select)
        ));
        assert!(!Arc::ptr_eq(
            &select,
            &limits.of("222222222222", Api::Select)
        ));
    }

    /// Callers waiting together are let through one interval apart, in turn: none
    /// goes early because others queued beside it.
    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_the_spacing() {
        let limiter = Arc::new(Limiter::new(4.0));
        let start = Instant::now();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let limiter = Arc::clone(&limiter);
                tokio::spawn(async move {
                    limiter.wait().await;
                    Instant::now() - start
                })
            })
            .collect();
        let mut at = Vec::new();
        for task in tasks {
            at.push(task.await.unwrap());
        }
        at.sort();
        let expected: Vec<Duration> = (0..8).map(|i| Duration::from_millis(250 * i)).collect();
        assert_eq!(at, expected);
    }

    /// A caller that comes back after a long pause is not owed the calls it did not
    /// make: the next one after it still waits a whole interval (no burst after a
    /// stall).
    #[tokio::test(start_paused = true)]
    async fn a_pause_earns_no_burst() {
        let limiter = Limiter::new(2.0);
        limiter.wait().await;
        tokio::time::advance(Duration::from_secs(10)).await;
        let back = Instant::now();
        assert_eq!(
            schedule(&limiter, back, 3).await,
            [
                Duration::ZERO,
                Duration::from_millis(500),
                Duration::from_millis(1000)
            ]
        );
    }
}
