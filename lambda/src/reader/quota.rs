//! AWS's request rates, held by us: one limiter per API and per account (or per
//! aggregator), so a large organization read at high concurrency stays under the rates
//! AWS throttles at instead of spending its retries on "Rate exceeded".
//!
//! A limiter spaces calls evenly (no burst): each call goes one interval after the one
//! before it. Concurrency still decides how many targets wait on AWS at once; the
//! limiter only decides how often one account or aggregator is asked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
        while let Some(at) = self.reserve(Instant::now()) {
            tokio::time::sleep_until(at.into()).await;
        }
    }

    /// The schedule itself, with the clock passed in so that tests can drive it: `None`
    /// when a call may go at `now` (and the next slot is then one interval on), or the
    /// instant at which to ask again.
    fn reserve(&self, now: Instant) -> Option<Instant> {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        match *next {
            Some(at) if at > now => Some(at),
            _ => {
                *next = Some(now + self.interval);
                None
            }
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

    /// The offsets from `start` at which `callers` callers, all asking at `start` and
    /// each sleeping exactly until the instant it is told, are let through one call
    /// each. The clock is ours, so the schedule is exact whatever the machine is doing.
    fn schedule(limiter: &Limiter, start: Instant, callers: usize) -> Vec<Duration> {
        let mut asking: Vec<Instant> = vec![start; callers];
        let mut through = Vec::new();
        // The earliest sleeper wakes first, as tokio's timer wakes them.
        while let Some(i) = (0..asking.len()).min_by_key(|&i| asking[i]) {
            match limiter.reserve(asking[i]) {
                None => {
                    through.push(asking[i] - start);
                    asking.swap_remove(i);
                }
                Some(at) => asking[i] = at,
            }
        }
        through
    }

    /// One caller making `calls` calls in a row from `start`.
    fn in_a_row(limiter: &Limiter, start: Instant, calls: usize) -> Vec<Duration> {
        let mut now = start;
        (0..calls)
            .map(|_| {
                while let Some(at) = limiter.reserve(now) {
                    now = at;
                }
                now - start
            })
            .collect()
    }

    #[test]
    fn calls_are_spaced_at_the_rate_per_scope_and_api() {
        let limits = Limits::new("select=100,batch-get=0.5".parse().unwrap());
        let start = Instant::now();
        let select = limits.of("111111111111", Api::Select);
        let ms = Duration::from_millis;
        let expected: Vec<Duration> = (0..9).map(|i| ms(10 * i)).collect();
        assert_eq!(in_a_row(&select, start, 9), expected);
        // Another account's limiter, or another API's, has slots of its own: its first
        // call does not wait, though at 0.5 a second the next one waits 2 s.
        let batch = limits.of("111111111111", Api::BatchGet);
        assert_eq!(
            in_a_row(&limits.of("222222222222", Api::BatchGet), start, 1),
            [ms(0)]
        );
        assert_eq!(in_a_row(&batch, start, 2), [ms(0), ms(2000)]);
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
    #[test]
    fn concurrent_callers_share_the_spacing() {
        let limiter = Limiter::new(4.0);
        let expected: Vec<Duration> = (0..8).map(|i| Duration::from_millis(250 * i)).collect();
        assert_eq!(schedule(&limiter, Instant::now(), 8), expected);
    }

    /// A caller that comes back after a long pause is not owed the calls it did not
    /// make: the next one after it still waits a whole interval (no burst after a
    /// stall).
    #[test]
    fn a_pause_earns_no_burst() {
        let limiter = Limiter::new(2.0);
        let start = Instant::now();
        assert_eq!(in_a_row(&limiter, start, 1), [Duration::ZERO]);
        let back = start + Duration::from_secs(10);
        assert_eq!(
            in_a_row(&limiter, back, 3),
            [
                Duration::ZERO,
                Duration::from_millis(500),
                Duration::from_millis(1000)
            ]
        );
    }

    /// `wait` follows the schedule on tokio's real clock: at a rate this high, three
    /// calls go through (how soon is the schedule's business, tested above).
    #[tokio::test]
    async fn wait_lets_calls_through() {
        let limiter = Limiter::new(1000.0);
        for _ in 0..3 {
            limiter.wait().await;
        }
        assert!(limiter.next.lock().unwrap().is_some());
    }
}
