//! Discounts: a coupon (maybe through a promotion code) applied to a customer's subscription.

use crate::calendar::add_months;
use crate::coupon::{Coupon, Duration};
use crate::id::ID_LEN;
use crate::invoice::Invoice;
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// A discount as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Discount {
    pub id: String,
    pub coupon: String,
    pub promotion_code: Option<String>,
    pub customer: String,
    pub subscription: Option<String>,
    pub start: i64,
    /// For `repeating` coupons, when the discount stops applying.
    pub end: Option<i64>,
    /// The coupon as it was applied: its terms hold for this discount even if the coupon is
    /// deleted and its id made again with other terms. (Absent on discounts stored before it
    /// was kept; the stored coupon stands for them.)
    #[serde(default)]
    pub coupon_applied: Option<Box<Coupon>>,
    /// Taken off its subscription (spent, ended, replaced or cleared).
    #[serde(default)]
    pub deleted: bool,
}

impl Discount {
    /// A discount starting now for `coupon` on a subscription of `customer`.
    pub fn new(
        coupon: &Coupon,
        promotion_code: Option<String>,
        customer: &str,
        subscription: Option<&str>,
        ctx: &mut Ctx<'_>,
    ) -> Discount {
        let end = match (coupon.duration, coupon.duration_in_months) {
            (Duration::Repeating, Some(m)) => Some(add_months(ctx.now, m)),
            _ => None,
        };
        Discount {
            id: ctx.ids.next("di_", ID_LEN),
            coupon: coupon.id.clone(),
            promotion_code,
            customer: customer.to_owned(),
            subscription: subscription.map(str::to_owned),
            start: ctx.now,
            end,
            coupon_applied: Some(Box::new(coupon.clone())),
            deleted: false,
        }
    }

    /// The coupon whose terms this discount applies: `stored` (the coupon record with its id
    /// now, if any) while its terms are those the discount was made with (it may have been
    /// renamed since, which changes nothing), else the coupon as it was applied.
    pub fn terms(&self, stored: Option<Coupon>) -> Option<Coupon> {
        match (stored, &self.coupon_applied) {
            (Some(c), Some(applied)) if !c.same_terms(applied) => Some((**applied).clone()),
            (Some(c), _) => Some(c),
            (None, applied) => applied.as_deref().cloned(),
        }
    }

    /// Whether the discount applies to an invoice made at `at`, for a subscription whose
    /// latest invoice so far is `latest`. A `repeating` one runs until its end, a `forever`
    /// one always; a `once` one applies to the first invoice made after it. Timestamps are whole
    /// seconds, so an invoice of the discount's own second (always, on a frozen test clock) may
    /// have come before it or after it: it came after, and spent it, exactly when it applied it.
    pub fn in_force(&self, coupon: &Coupon, at: i64, latest: Option<&Invoice>) -> bool {
        match coupon.duration {
            Duration::Once => !latest.is_some_and(|i| {
                i.created > self.start
                    || (i.created == self.start && i.discounts.contains(&self.id))
            }),
            Duration::Repeating => self.end.is_some_and(|end| at < end),
            Duration::Forever => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coupon::CouponCreate;
    use crate::customer::{Customer, CustomerParams};
    use crate::id::SequentialIds;

    fn coupon(duration: Duration, months: Option<i64>, ctx: &mut Ctx<'_>) -> Coupon {
        Coupon::create(
            CouponCreate {
                percent_off: Some(20.0),
                duration: Some(duration),
                duration_in_months: months,
                ..Default::default()
            },
            ctx,
        )
        .unwrap()
    }

    /// An invoice made at `created`, which applied `applied` (discount ids).
    fn invoice(created: i64, applied: &[&str], ctx: &mut Ctx<'_>) -> Invoice {
        let c = Customer::create(CustomerParams::default(), ctx).unwrap();
        let mut inv = Invoice::draft(&c, Some("sub_1"), "x", "usd", (0, 1), Vec::new(), ctx);
        inv.created = created;
        inv.discounts = applied.iter().map(|d| d.to_string()).collect();
        inv
    }

    #[test]
    fn a_once_discount_applies_to_the_first_invoice_made_after_it() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 1_000,
            livemode: false,
            ids: &mut ids,
        };
        let once = coupon(Duration::Once, None, &mut ctx);
        let d = Discount::new(&once, None, "cus_1", Some("sub_1"), &mut ctx);
        let id = d.id.clone();
        // The latest invoice (when it was made, the discounts it applied) → in force.
        type Latest<'a> = Option<(i64, &'a [&'a str])>;
        let cases: [(Latest, bool); 6] = [
            (None, true),                   // never invoiced
            (Some((999, &[])), true),       // invoiced before the discount
            (Some((1_000, &[])), true),     // same second, before it: it did not apply it
            (Some((1_000, &[&id])), false), // same second, after it: it applied it
            (Some((1_001, &[&id])), false), // the invoice that applied it
            (Some((2_000, &[])), false),    // a later invoice: spent long ago
        ];
        for (latest, want) in cases {
            let latest = latest.map(|(at, applied)| invoice(at, applied, &mut ctx));
            assert_eq!(
                d.in_force(&once, 5_000, latest.as_ref()),
                want,
                "{latest:?}"
            );
        }
    }

    #[test]
    fn repeating_discounts_run_until_their_end_and_forever_ones_always() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 0,
            livemode: false,
            ids: &mut ids,
        };
        let repeating = coupon(Duration::Repeating, Some(3), &mut ctx);
        let d = Discount::new(&repeating, None, "cus_1", None, &mut ctx);
        let end = d.end.unwrap();
        let spent = invoice(end - 1, &[&d.id], &mut ctx);
        assert!(d.in_force(&repeating, end - 1, Some(&spent)));
        assert!(!d.in_force(&repeating, end, None));
        let forever = coupon(Duration::Forever, None, &mut ctx);
        let f = Discount::new(&forever, None, "cus_1", None, &mut ctx);
        assert!(f.in_force(&forever, i64::MAX, Some(&spent)));
    }
}
