//! Billing cycles: when each period of a recurring price starts and ends.
//!
//! Reproduces Stripe's rule for month-based intervals: periods are counted from the billing
//! cycle anchor, and when the anchor's day does not exist in a month the period ends on that
//! month's last day, returning to the anchor's day afterwards. Stripe's own example: a monthly
//! subscription anchored on January 31 bills on February 28 (29 in a leap year), then March 31,
//! April 30 and so on. Day and week intervals are exact multiples of 24 hours.

use crate::calendar::{
    add_months_on, civil_from_days, days_from_civil, days_in_month, month_after,
};
use crate::price::{Interval, Recurring};

/// The moment `n` intervals after `anchor` (n may be negative).
pub fn nth_boundary(anchor: i64, r: &Recurring, n: i64) -> i64 {
    nth_boundary_on(anchor, None, r, n)
}

/// [`nth_boundary`] for a cycle whose month-based boundaries fall on `day` of the month (the
/// last day of shorter months) rather than on the anchor's own day: a cycle set with
/// `billing_cycle_anchor_config[day_of_month]=31` and anchored on April 30 goes on to May 31.
/// The anchor's day must be `day`, or the last day of its month when that is earlier.
pub fn nth_boundary_on(anchor: i64, day: Option<i64>, r: &Recurring, n: i64) -> i64 {
    let steps = n * r.interval_count;
    match r.interval {
        Interval::Day => anchor + steps * 86_400,
        Interval::Week => anchor + steps * 7 * 86_400,
        // Always computed from the anchor, never from the previous boundary, so a short month
        // does not drag the day down for good.
        Interval::Month => add_months_on(anchor, steps, day),
        Interval::Year => add_months_on(anchor, steps * 12, day),
    }
}

/// The period `[start, end)` that contains `t`, for cycles anchored at `anchor`.
pub fn period_containing(anchor: i64, r: &Recurring, t: i64) -> (i64, i64) {
    period_containing_on(anchor, None, r, t)
}

/// [`period_containing`] for boundaries on `day` of the month (see [`nth_boundary_on`]).
pub fn period_containing_on(anchor: i64, day: Option<i64>, r: &Recurring, t: i64) -> (i64, i64) {
    // An estimate from the average interval length, then corrected by stepping.
    let approx_len = match r.interval {
        Interval::Day => 86_400,
        Interval::Week => 7 * 86_400,
        Interval::Month => 2_629_746,
        Interval::Year => 31_556_952,
    } * r.interval_count;
    let at = |n| nth_boundary_on(anchor, day, r, n);
    let mut n = (t - anchor).div_euclid(approx_len.max(1));
    // The estimate is off by a step or two; the bound only keeps times outside the years
    // Portico takes (see `calendar::LATEST`) from looping, should one ever get here.
    let mut steps = 0;
    while at(n) > t && steps < 64 {
        n -= 1;
        steps += 1;
    }
    while at(n + 1) <= t && steps < 128 {
        n += 1;
        steps += 1;
    }
    (at(n), at(n + 1))
}

/// The end of the period that starts at `start`, for cycles anchored at `anchor`.
pub fn period_end(anchor: i64, r: &Recurring, start: i64) -> i64 {
    period_containing(anchor, r, start).1
}

/// The first moment at or after `from` that falls on `day` of the month (the last day of
/// shorter months) at `time` seconds into the day (UTC), in `month` when given: where
/// `billing_cycle_anchor_config` puts a billing cycle anchor.
pub fn next_on_day(from: i64, day: i64, month: Option<i64>, time: i64) -> i64 {
    let (y, m, _) = civil_from_days(from.div_euclid(86_400));
    // Within this month, or within a year of it when a month is named.
    (0..=12)
        .map(|k| month_after(y, m, k))
        .filter(|(_, nm)| month.is_none_or(|want| want == *nm))
        .map(|(ny, nm)| days_from_civil(ny, nm, day.min(days_in_month(ny, nm))) * 86_400 + time)
        .find(|t| *t >= from)
        .unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn a_configured_day_outlasts_a_short_first_month() {
        // billing_cycle_anchor_config[day_of_month]=31 from April 10: the anchor is April 30,
        // and the boundaries go back to the 31st where a month has it.
        let from = at(2025, 4, 10);
        let anchor = next_on_day(from, 31, None, from.rem_euclid(86_400));
        assert_eq!(date(anchor), (2025, 4, 30));
        let ends: Vec<_> = (1..=4)
            .map(|n| date(nth_boundary_on(anchor, Some(31), &monthly(), n)))
            .collect();
        assert_eq!(
            ends,
            vec![(2025, 5, 31), (2025, 6, 30), (2025, 7, 31), (2025, 8, 31)]
        );
        // The anchor's own day would have drifted to the 30th.
        assert_eq!(date(nth_boundary(anchor, &monthly(), 1)), (2025, 5, 30));
        // The period before the anchor, on the same rule: March 31 to April 30.
        let (start, end) = period_containing_on(anchor, Some(31), &monthly(), anchor - 1);
        assert_eq!((date(start), date(end)), ((2025, 3, 31), (2025, 4, 30)));
    }

    #[test]
    fn next_occurrences() {
        let noon = 12 * 3600;
        let from = at(2025, 1, 15); // 12:34:56
                                    // Later this month; on the day itself but earlier in the day, next month.
        assert_eq!(date(next_on_day(from, 20, None, noon)), (2025, 1, 20));
        assert_eq!(date(next_on_day(from, 15, None, noon)), (2025, 2, 15));
        assert_eq!(next_on_day(from, 15, None, from.rem_euclid(86_400)), from);
        // February has no 30th: its last day.
        assert_eq!(date(next_on_day(from, 30, Some(2), noon)), (2025, 2, 28));
        // A named month that has passed this year: next year's.
        assert_eq!(date(next_on_day(from, 1, Some(1), noon)), (2026, 1, 1));
        assert_eq!(date(next_on_day(from, 29, Some(2), 0)), (2025, 2, 28));
        assert_eq!(
            date(next_on_day(at(2027, 3, 1), 29, Some(2), 0)),
            (2028, 2, 29)
        );
        assert_eq!(next_on_day(from, 20, None, 3600).rem_euclid(86_400), 3600);
    }

    proptest! {
        /// A configured day: every boundary falls on it, or on the last day of a shorter
        /// month, at the anchor's time of day; periods follow one another.
        #[test]
        fn configured_days_hold(from in 0i64..4_000_000_000, day in 1i64..=31, month in proptest::option::of(1i64..=12), time in 0i64..86_400, n in 0i64..60, yearly in any::<bool>()) {
            let r = Recurring {
                interval: if yearly { Interval::Year } else { Interval::Month },
                interval_count: 1,
            };
            let anchor = next_on_day(from, day, month, time);
            prop_assert!(anchor >= from);
            // The next occurrence: never more than a year (a month, without a month named) on.
            let days = if month.is_some() { 366 } else { 31 };
            prop_assert!(anchor - from <= days * 86_400);
            let b = nth_boundary_on(anchor, Some(day), &r, n);
            let (y, m, d) = date(b);
            prop_assert_eq!(d, day.min(days_in_month(y, m)));
            prop_assert_eq!(b.rem_euclid(86_400), time);
            if let Some(want) = month {
                prop_assert_eq!(date(anchor).1, want);
            }
            prop_assert_eq!(nth_boundary_on(anchor, Some(day), &r, 0), anchor);
            let (start, end) = period_containing_on(anchor, Some(day), &r, b);
            prop_assert_eq!(start, b);
            prop_assert_eq!(end, nth_boundary_on(anchor, Some(day), &r, n + 1));
        }

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
