//! Billing cycles: when each period of a recurring price starts and ends.
//!
//! Reproduces Stripe's rule for month-based intervals: periods are counted from the billing
//! cycle anchor, and when the anchor's day does not exist in a month the period ends on that
//! month's last day, returning to the anchor's day afterwards. Stripe's own example: a monthly
//! subscription anchored on January 31 bills on February 28 (29 in a leap year), then March 31,
//! April 30 and so on. Day and week intervals are exact multiples of 24 hours.

use crate::calendar::add_months;
use crate::price::{Interval, Recurring};

/// The moment `n` intervals after `anchor` (n may be negative).
pub fn nth_boundary(anchor: i64, r: &Recurring, n: i64) -> i64 {
    let steps = n * r.interval_count;
    match r.interval {
        Interval::Day => anchor + steps * 86_400,
        Interval::Week => anchor + steps * 7 * 86_400,
        // Always computed from the anchor, never from the previous boundary, so a short month
        // does not drag the day down for good.
        Interval::Month => add_months(anchor, steps),
        Interval::Year => add_months(anchor, steps * 12),
    }
}

/// The period `[start, end)` that contains `t`, for cycles anchored at `anchor`.
pub fn period_containing(anchor: i64, r: &Recurring, t: i64) -> (i64, i64) {
    // An estimate from the average interval length, then corrected by stepping.
    let approx_len = match r.interval {
        Interval::Day => 86_400,
        Interval::Week => 7 * 86_400,
        Interval::Month => 2_629_746,
        Interval::Year => 31_556_952,
    } * r.interval_count;
    let mut n = (t - anchor).div_euclid(approx_len.max(1));
    while nth_boundary(anchor, r, n) > t {
        n -= 1;
    }
    while nth_boundary(anchor, r, n + 1) <= t {
        n += 1;
    }
    (nth_boundary(anchor, r, n), nth_boundary(anchor, r, n + 1))
}

/// The end of the period that starts at `start`, for cycles anchored at `anchor`.
pub fn period_end(anchor: i64, r: &Recurring, start: i64) -> i64 {
    period_containing(anchor, r, start).1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{civil_from_days, days_from_civil, days_in_month};
    use proptest::prelude::*;

    fn at(y: i64, m: i64, d: i64) -> i64 {
        days_from_civil(y, m, d) * 86_400 + 12 * 3600 + 34 * 60 + 56
    }

    fn date(t: i64) -> (i64, i64, i64) {
        civil_from_days(t.div_euclid(86_400))
    }

    fn monthly() -> Recurring {
        Recurring {
            interval: Interval::Month,
            interval_count: 1,
        }
    }

    #[test]
    fn stripes_january_31_example() {
        // docs.stripe.com/billing/subscriptions/billing-cycle: anchored on January 31, a monthly
        // subscription bills on the last day of shorter months and returns to the 31st.
        let anchor = at(2024, 1, 31);
        let ends: Vec<(i64, i64, i64)> = (1..=5)
            .map(|n| date(nth_boundary(anchor, &monthly(), n)))
            .collect();
        assert_eq!(
            ends,
            vec![
                (2024, 2, 29),
                (2024, 3, 31),
                (2024, 4, 30),
                (2024, 5, 31),
                (2024, 6, 30)
            ]
        );
        let anchor = at(2025, 1, 31);
        assert_eq!(date(nth_boundary(anchor, &monthly(), 1)), (2025, 2, 28));
        assert_eq!(date(nth_boundary(anchor, &monthly(), 2)), (2025, 3, 31));
    }

    #[test]
    fn ten_years_of_month_end_anchors() {
        for anchor_day in [29, 30, 31] {
            let anchor = at(2024, 1, anchor_day);
            let mut prev = anchor;
            for n in 1..=120 {
                let b = nth_boundary(anchor, &monthly(), n);
                let (y, m, d) = date(b);
                assert_eq!(
                    d,
                    anchor_day.min(days_in_month(y, m)),
                    "anchor day {anchor_day}, cycle {n}"
                );
                assert_eq!(
                    b.rem_euclid(86_400),
                    anchor.rem_euclid(86_400),
                    "same time of day"
                );
                assert!(b > prev);
                prev = b;
            }
        }
    }

    #[test]
    fn yearly_anchor_on_leap_day() {
        let anchor = at(2024, 2, 29);
        let y = Recurring {
            interval: Interval::Year,
            interval_count: 1,
        };
        assert_eq!(date(nth_boundary(anchor, &y, 1)), (2025, 2, 28));
        assert_eq!(date(nth_boundary(anchor, &y, 4)), (2028, 2, 29));
    }

    #[test]
    fn days_and_weeks_are_exact() {
        let anchor = at(2024, 3, 9);
        assert_eq!(
            nth_boundary(
                anchor,
                &Recurring {
                    interval: Interval::Week,
                    interval_count: 2
                },
                3
            ),
            anchor + 42 * 86_400
        );
        assert_eq!(
            nth_boundary(
                anchor,
                &Recurring {
                    interval: Interval::Day,
                    interval_count: 10
                },
                -1
            ),
            anchor - 10 * 86_400
        );
    }

    fn any_recurring() -> impl Strategy<Value = Recurring> {
        prop_oneof![
            (1i64..=1095).prop_map(|c| Recurring {
                interval: Interval::Day,
                interval_count: c
            }),
            (1i64..=156).prop_map(|c| Recurring {
                interval: Interval::Week,
                interval_count: c
            }),
            (1i64..=36).prop_map(|c| Recurring {
                interval: Interval::Month,
                interval_count: c
            }),
            (1i64..=3).prop_map(|c| Recurring {
                interval: Interval::Year,
                interval_count: c
            }),
        ]
    }

    proptest! {
        /// The period found for any moment contains it and is one interval long.
        #[test]
        fn periods_contain_their_moment(anchor in 0i64..4_000_000_000, offset in 0i64..400_000_000, r in any_recurring()) {
            let t = anchor + offset;
            let (start, end) = period_containing(anchor, &r, t);
            prop_assert!(start <= t && t < end);
            prop_assert_eq!(period_end(anchor, &r, start), end);
            // The next period starts where this one ends.
            prop_assert_eq!(period_containing(anchor, &r, end).0, end);
        }

        /// Month-based boundaries keep the anchor's day whenever the month has it.
        #[test]
        fn month_boundaries_return_to_the_anchor_day(y in 1990i64..2100, m in 1i64..=12, d in 1i64..=31, n in 0i64..240) {
            let d = d.min(days_in_month(y, m));
            let anchor = days_from_civil(y, m, d) * 86_400;
            let (by, bm, bd) = date(nth_boundary(anchor, &monthly(), n));
            prop_assert_eq!(bd, d.min(days_in_month(by, bm)));
        }
    }
}
