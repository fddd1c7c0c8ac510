//! Prorations: what part of a price a span of time is worth.
//!
//! Stripe prorates to the second over the current billing period: a span `[from, to)` of a
//! period `[start, end)` costs `amount × (to − from) / (end − start)`, rounded to the minor unit.
//! A change at time `t` credits the unused time on the old price and charges the remaining time
//! on the new one. Portico rounds half away from zero, on each line.

/// The value of `[from, to)` out of `amount` for the period `[start, end)`.
pub fn prorate(amount: i64, start: i64, end: i64, from: i64, to: i64) -> i64 {
    let len = i128::from(end - start);
    if len <= 0 || to <= from {
        return 0;
    }
    let num = i128::from(amount) * i128::from(to - from);
    // Round half away from zero.
    let q = num / len;
    let r = num % len;
    let rounded = if 2 * r.abs() >= len {
        q + num.signum()
    } else {
        q
    };
    rounded as i64
}

/// The two lines a price change at `at` produces within `[start, end)`: the credit for unused
/// time on the old amount (negative) and the charge for the remaining time on the new amount.
pub fn change(old_amount: i64, new_amount: i64, start: i64, end: i64, at: i64) -> (i64, i64) {
    (
        -prorate(old_amount, start, end, at, end),
        prorate(new_amount, start, end, at, end),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stripes_worked_example() {
        // docs.stripe.com/billing/subscriptions/prorations, "How prorations work": upgrading
        // from a 10 USD to a 20 USD monthly price halfway through the period gives a -5 USD
        // credit for unused time and a +10 USD charge for the remaining time: +5 USD in all.
        let (start, end) = (1_704_067_200, 1_704_067_200 + 30 * 86_400);
        let half = start + 15 * 86_400;
        let (credit, charge) = change(1000, 2000, start, end, half);
        assert_eq!((credit, charge, credit + charge), (-500, 1000, 500));
    }

    #[test]
    fn rounding_and_edges() {
        assert_eq!(prorate(1000, 0, 3, 0, 1), 333);
        assert_eq!(prorate(1000, 0, 3, 0, 2), 667);
        assert_eq!(prorate(1, 0, 2, 0, 1), 1, "half rounds away from zero");
        assert_eq!(prorate(-1, 0, 2, 0, 1), -1);
        assert_eq!(prorate(1000, 0, 10, 5, 5), 0);
        assert_eq!(
            prorate(1000, 10, 10, 0, 5),
            0,
            "an empty period prorates to nothing"
        );
        assert_eq!(
            prorate(i64::from(i32::MAX), 0, 31_622_400, 0, 31_622_399),
            i64::from(i32::MAX) - 68
        );
    }

    proptest! {
        /// Prorating [a,b) then [b,c) equals prorating [a,c), within one minor unit.
        #[test]
        fn spans_add_up(amount in 0i64..100_000_000, len in 1i64..100_000_000, a in 0i64..1_000_000_000, b in 0i64..1_000_000_000, c in 0i64..1_000_000_000) {
            let mut v = [a % len, b % len, c % len];
            v.sort();
            let [a, b, c] = v;
            let split = prorate(amount, 0, len, a, b) + prorate(amount, 0, len, b, c);
            let whole = prorate(amount, 0, len, a, c);
            prop_assert!((split - whole).abs() <= 1, "{split} vs {whole}");
        }

        /// Over a whole period, the credit and the charge sum to the price difference exactly.
        #[test]
        fn full_period_is_the_difference(old in 0i64..100_000_000, new in 0i64..100_000_000, start in 0i64..4_000_000_000, len in 1i64..100_000_000) {
            let (credit, charge) = change(old, new, start, start + len, start);
            prop_assert_eq!(credit + charge, new - old);
        }

        /// A credit never exceeds what was paid, nor a charge the new price.
        #[test]
        fn bounded_by_the_prices(old in 0i64..100_000_000, new in 0i64..100_000_000, len in 1i64..100_000_000, at in 0i64..100_000_000) {
            let at = at % len;
            let (credit, charge) = change(old, new, 0, len, at);
            prop_assert!(-credit <= old && credit <= 0);
            prop_assert!(charge <= new && charge >= 0);
        }
    }
}
