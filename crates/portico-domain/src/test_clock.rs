//! Test clocks: a frozen time that customers (and everything they own) follow instead of the
//! server clock, advanced on request.

use crate::billing_cycle::nth_boundary_on;
use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::price::{Interval, Recurring};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// How long a test clock lives (Stripe deletes them after 30 days).
pub const LIFETIME_SECS: i64 = 30 * 86_400;

/// An advance still marked running after this long was abandoned (the server stopped).
pub const STALE_ADVANCE_SECS: i64 = 600;

/// A test clock as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestClock {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub frozen_time: i64,
    pub name: Option<String>,
    /// While an advance runs: the time it advances to.
    pub advancing_to: Option<i64>,
    /// When (server time) the running advance began; an advance left behind by a server that
    /// stopped mid-way is taken over after [`STALE_ADVANCE_SECS`].
    #[serde(default)]
    pub advance_started: Option<i64>,
    #[serde(default)]
    pub deleted: bool,
}

impl TestClock {
    /// A clock frozen at `frozen_time`.
    pub fn create(frozen_time: i64, name: Option<String>, ctx: &mut Ctx<'_>) -> TestClock {
        TestClock {
            id: ctx.ids.next("clock_", ID_LEN),
            created: ctx.now,
            livemode: ctx.livemode,
            frozen_time,
            name,
            advancing_to: None,
            advance_started: None,
            deleted: false,
        }
    }

    /// The furthest one advance may go, as Stripe allows: two intervals of the shortest of
    /// `cycles` (the billing cycles of the clock's subscriptions), or two years without any.
    pub fn advance_limit(&self, cycles: &[Recurring]) -> i64 {
        let from = self.frozen_time;
        let two_years = Recurring {
            interval: Interval::Year,
            interval_count: 1,
        };
        let shortest = cycles
            .iter()
            .min_by_key(|r| nth_boundary_on(from, None, r, 1))
            .unwrap_or(&two_years);
        nth_boundary_on(from, None, shortest, 2)
    }

    /// Starts advancing to `to`, which must be later than the clock's time and within `limit`
    /// ([`TestClock::advance_limit`]). `now` is the server's time, to recognise an abandoned
    /// advance.
    pub fn begin_advance(&mut self, to: i64, limit: i64, now: i64) -> DomainResult<()> {
        if to > limit {
            return Err(DomainError::invalid(
                "frozen_time",
                format!(
                    "Cannot advance the test clock past {limit}: one advance may go at most two intervals of the shortest subscription on the clock (two years when it has none). Advance in steps."
                ),
            ));
        }
        if to <= self.frozen_time {
            return Err(DomainError::invalid(
                "frozen_time",
                format!(
                    "The frozen_time must be after the test clock's current frozen_time ({}).",
                    self.frozen_time
                ),
            ));
        }
        if self.is_advancing(now) {
            return Err(DomainError::state(
                None,
                "This test clock is already advancing.",
            ));
        }
        self.advancing_to = Some(to);
        self.advance_started = Some(now);
        Ok(())
    }

    /// Finishes the advance: the clock shows the new time and is ready.
    pub fn finish_advance(&mut self) {
        if let Some(to) = self.advancing_to.take() {
            self.frozen_time = to;
        }
        self.advance_started = None;
    }

    /// Whether an advance is under way at `now` (the server's time): one stopped mid-way and
    /// older than [`STALE_ADVANCE_SECS`] is not.
    pub fn is_advancing(&self, now: i64) -> bool {
        self.advancing_to.is_some()
            && self
                .advance_started
                .is_some_and(|t| now - t < STALE_ADVANCE_SECS)
    }

    /// `ready` or `advancing`.
    pub fn status(&self) -> &'static str {
        if self.advancing_to.is_some() {
            "advancing"
        } else {
            "ready"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SequentialIds;

    #[test]
    fn an_advance_goes_at_most_two_intervals_of_the_shortest_cycle() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 0,
            livemode: false,
            ids: &mut ids,
        };
        // 2026-01-31 00:00 UTC.
        let jan31 = 1_769_817_600;
        let c = TestClock::create(jan31, None, &mut ctx);
        let every = |interval, interval_count| Recurring {
            interval,
            interval_count,
        };
        // No subscription: two years.
        assert_eq!(c.advance_limit(&[]), jan31 + (365 + 365) * 86_400);
        // The shortest of a yearly and a monthly cycle: to March 31, two months on.
        let monthly_and_yearly = [every(Interval::Year, 1), every(Interval::Month, 1)];
        assert_eq!(
            c.advance_limit(&monthly_and_yearly),
            jan31 + (28 + 31) * 86_400
        );
        assert_eq!(
            c.advance_limit(&[every(Interval::Week, 2)]),
            jan31 + 28 * 86_400
        );
        let mut c = c;
        let limit = c.advance_limit(&[every(Interval::Day, 1)]);
        assert!(c.begin_advance(limit + 1, limit, 0).is_err());
        c.begin_advance(limit, limit, 0).unwrap();
    }

    #[test]
    fn advancing() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 5,
            livemode: false,
            ids: &mut ids,
        };
        let mut c = TestClock::create(1000, Some("t".into()), &mut ctx);
        assert_eq!(c.status(), "ready");
        assert!(c.begin_advance(1000, i64::MAX, 10).is_err());
        c.begin_advance(2000, i64::MAX, 10).unwrap();
        assert_eq!(c.status(), "advancing");
        assert!(
            c.begin_advance(3000, i64::MAX, 11).is_err(),
            "one advance at a time"
        );
        c.finish_advance();
        assert_eq!((c.frozen_time, c.status()), (2000, "ready"));
        // An advance abandoned by a stopped server is taken over once stale.
        c.begin_advance(3000, i64::MAX, 20).unwrap();
        assert!(c
            .begin_advance(4000, i64::MAX, 20 + STALE_ADVANCE_SECS - 1)
            .is_err());
        c.begin_advance(4000, i64::MAX, 20 + STALE_ADVANCE_SECS)
            .unwrap();
        c.finish_advance();
        assert_eq!((c.frozen_time, c.status()), (4000, "ready"));
    }
}
