//! Rate limits kept in the process: a sliding window of hits per key (the login page), and token
//! buckets per API key and per client (every request). Each instance counts its own (several
//! instances behind one address each allow the limit).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

/// Keys kept before stale ones are swept out.
const SWEEP_ABOVE: usize = 50_000;

/// Hits per key, most recent last.
#[derive(Default)]
pub struct RateLimiter {
    hits: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl RateLimiter {
    /// Counts a hit on `key` at `now` if fewer than `max` happened in the last `window`
    /// seconds; otherwise refuses it and says in how many seconds one is allowed again.
    pub fn hit(&self, key: &str, now: i64, max: usize, window: i64) -> Result<(), i64> {
        let Ok(mut hits) = self.hits.lock() else {
            return Ok(());
        };
        if hits.len() > SWEEP_ABOVE {
            hits.retain(|_, h| h.back().is_some_and(|t| *t > now - window));
        }
        let h = hits.entry(key.to_owned()).or_default();
        while h.front().is_some_and(|t| *t <= now - window) {
            h.pop_front();
        }
        if h.len() >= max {
            let oldest = h.front().copied().unwrap_or(now);
            return Err((oldest + window - now).max(1));
        }
        h.push_back(now);
        Ok(())
    }

    /// Whether `key` already has `max` hits in the last `window` seconds (then: in how many
    /// seconds one is allowed again), without counting one.
    pub fn full(&self, key: &str, now: i64, max: usize, window: i64) -> Option<i64> {
        let hits = self.hits.lock().ok()?;
        let h = hits.get(key)?;
        let recent: Vec<i64> = h.iter().copied().filter(|t| *t > now - window).collect();
        (recent.len() >= max).then(|| (recent[0] + window - now).max(1))
    }
}

/// A rate: requests per second, with bursts of twice that.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub per_second: f64,
}

impl Rate {
    fn burst(self) -> f64 {
        (self.per_second * 2.0).max(1.0)
    }
}

/// Token buckets per key: each request takes a token; tokens come back at the key's rate.
#[derive(Default)]
pub struct Buckets {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Buckets {
    /// Takes a token from `key`'s bucket at `now`, or says in how many seconds one is back.
    pub fn take(&self, key: &str, rate: Rate, now: Instant) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() > SWEEP_ABOVE {
            // Buckets full again by now are the same as new ones.
            let full = |b: &(f64, Instant)| {
                b.0 + now.saturating_duration_since(b.1).as_secs_f64() * rate.per_second
                    >= rate.burst()
            };
            buckets.retain(|_, b| !full(b));
        }
        let (tokens, last) = buckets.entry(key.to_owned()).or_insert((rate.burst(), now));
        let refill = now.saturating_duration_since(*last).as_secs_f64() * rate.per_second;
        *tokens = (*tokens + refill).min(rate.burst());
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate.per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_allow_bursts_then_the_rate() {
        let b = Buckets::default();
        let rate = Rate { per_second: 2.0 };
        let t0 = Instant::now();
        for _ in 0..4 {
            assert_eq!(b.take("k", rate, t0), Ok(()), "a burst of twice the rate");
        }
        assert_eq!(b.take("k", rate, t0), Err(1));
        assert_eq!(b.take("other", rate, t0), Ok(()));
        let later = t0 + std::time::Duration::from_millis(500);
        assert_eq!(
            b.take("k", rate, later),
            Ok(()),
            "one token back after half a second"
        );
        assert_eq!(b.take("k", rate, later), Err(1));
    }

    #[test]
    fn a_sliding_window_per_key() {
        let l = RateLimiter::default();
        assert_eq!(l.hit("a", 100, 2, 60), Ok(()));
        assert_eq!(l.hit("a", 110, 2, 60), Ok(()));
        assert_eq!(l.hit("a", 120, 2, 60), Err(40));
        assert_eq!(l.hit("b", 120, 2, 60), Ok(()), "keys are counted apart");
        assert_eq!(
            l.hit("a", 160, 2, 60),
            Ok(()),
            "the first hit left the window"
        );
        assert_eq!(l.hit("a", 161, 2, 60), Err(9));
    }
}
