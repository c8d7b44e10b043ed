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
