//! Rate limits kept in the process: at most `max` hits per key within a sliding window. Each
//! instance counts its own hits (several instances behind one address each allow the limit).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

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
}

#[cfg(test)]
mod tests {
    use super::*;

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
