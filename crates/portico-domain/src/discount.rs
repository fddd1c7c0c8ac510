//! Discounts: a coupon (maybe through a promotion code) applied to a customer's subscription.

use crate::calendar::add_months;
use crate::coupon::{Coupon, Duration};
use crate::id::ID_LEN;
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
        }
    }
}
