//! AWS's request rates, held by us: one limiter per API and per account (or per
//! aggregator), so a large organization read at high concurrency stays under the rates
//! AWS throttles at instead of spending its retries on "Rate exceeded".
//!
//! A limiter spaces calls evenly (no burst): each call takes the next free slot, one
//! interval after the one before. Concurrency still decides how many targets wait on
//! AWS at once; the limiter only decides how often one account or aggregator is asked.

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

    /// Waits for this call's slot.
    pub async fn wait(&self) {
        let slot = {
            let now = Instant::now();
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
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

    #[tokio::test]
    async fn calls_are_spaced_at_the_rate_per_scope_and_api() {
        let limits = Limits::new("select=100,batch-get=0.5".parse().unwrap());
        let start = Instant::now();
        let select = limits.of("111111111111", Api::Select);
        for _ in 0..9 {
            select.wait().await;
        }
        // Nine calls at 100 a second: the ninth no sooner than 80 ms after the first.
        assert!(
            start.elapsed() >= Duration::from_millis(80),
            "{:?}",
            start.elapsed()
        );
        // Another account's limiter, or another API's, has slots of its own: its first
        // call does not wait, though at 0.5 a second the next would wait 2 s.
        let other = Instant::now();
        limits.of("222222222222", Api::BatchGet).wait().await;
        limits.of("111111111111", Api::BatchGet).wait().await;
        assert!(
            other.elapsed() < Duration::from_secs(1),
            "{:?}",
            other.elapsed()
        );
        assert!(Arc::ptr_eq(
            &select,
            &limits.of("111111111111", Api::Select)
        ));
        assert!(!Arc::ptr_eq(
            &select,
            &limits.of("222222222222", Api::Select)
        ));
    }
}
