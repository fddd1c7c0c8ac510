//! Test clocks: a frozen time that customers (and everything they own) follow instead of the
//! server clock, advanced on request.

use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
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

    /// Starts advancing to `to`, which must be later than the clock's time.
    /// `now` is the server's time, to recognise an abandoned advance.
    pub fn begin_advance(&mut self, to: i64, now: i64) -> DomainResult<()> {
        if to <= self.frozen_time {
            return Err(DomainError::invalid(
                "frozen_time",
                format!(
                    "The frozen_time must be after the test clock's current frozen_time ({}).",
                    self.frozen_time
                ),
            ));
        }
        let abandoned = self
            .advance_started
            .is_none_or(|t| now - t >= STALE_ADVANCE_SECS);
        if self.advancing_to.is_some() && !abandoned {
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
    fn advancing() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 5,
            livemode: false,
            ids: &mut ids,
        };
        let mut c = TestClock::create(1000, Some("t".into()), &mut ctx);
        assert_eq!(c.status(), "ready");
        assert!(c.begin_advance(1000, 10).is_err());
        c.begin_advance(2000, 10).unwrap();
        assert_eq!(c.status(), "advancing");
        assert!(c.begin_advance(3000, 11).is_err(), "one advance at a time");
        c.finish_advance();
        assert_eq!((c.frozen_time, c.status()), (2000, "ready"));
        // An advance abandoned by a stopped server is taken over once stale.
        c.begin_advance(3000, 20).unwrap();
        assert!(c.begin_advance(4000, 20 + STALE_ADVANCE_SECS - 1).is_err());
        c.begin_advance(4000, 20 + STALE_ADVANCE_SECS).unwrap();
        c.finish_advance();
        assert_eq!((c.frozen_time, c.status()), (4000, "ready"));
    }
}
