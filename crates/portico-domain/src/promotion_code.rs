//! Promotion codes: customer-facing codes for a coupon, with their own restrictions.

use crate::coupon::Coupon;
use crate::currency::Currency;
use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::metadata::{Metadata, MetadataUpdate};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// Restrictions on who and what a code can be redeemed for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Restrictions {
    pub first_time_transaction: bool,
    pub minimum_amount: Option<i64>,
    pub minimum_amount_currency: Option<Currency>,
}

/// A promotion code as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionCode {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub active: bool,
    pub code: String,
    pub coupon: String,
    pub customer: Option<String>,
    pub expires_at: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub times_redeemed: i64,
    pub restrictions: Restrictions,
    pub metadata: Metadata,
}

/// Parameters of promotion code create (coupon and customer already loaded and checked).
#[derive(Clone, Debug, Default)]
pub struct PromotionCodeCreate {
    pub active: Option<bool>,
    pub code: Option<String>,
    pub customer: Option<String>,
    pub expires_at: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub metadata: MetadataUpdate,
    pub restrictions: Restrictions,
}

/// What a redemption is for, to check a code's restrictions against.
#[derive(Clone, Debug)]
pub struct Redemption<'a> {
    pub customer: &'a str,
    /// Whether the customer has paid anything before (for `first_time_transaction`).
    pub customer_has_paid_before: bool,
    /// The amount before discounts, in `currency`'s minor unit.
    pub amount: i64,
    pub currency: &'a Currency,
}

/// Characters of generated codes.
const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The key that makes active codes unique regardless of case.
pub fn code_key(code: &str) -> String {
    code.to_lowercase()
}

impl PromotionCode {
    /// Creates a code for `coupon`.
    pub fn create(
        p: PromotionCodeCreate,
        coupon: &Coupon,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<PromotionCode> {
        let code = match p.code {
            Some(c) => {
                if c.is_empty()
                    || c.chars().count() > 500
                    || !c.chars().all(|ch| ch.is_ascii_alphanumeric())
                {
                    return Err(DomainError::invalid("code", "Invalid code: promotion codes may contain only letters (a-z, A-Z) and digits (0-9)."));
                }
                c
            }
            None => ctx.ids.random_string(CODE_ALPHABET, 8),
        };
        if !coupon.valid(ctx.now) {
            return Err(DomainError::invalid(
                "promotion[coupon]",
                format!(
                    "The coupon {} is no longer valid, so no promotion code can be created for it.",
                    coupon.id
                ),
            ));
        }
        if let Some(t) = p.expires_at {
            if t <= ctx.now {
                return Err(DomainError::invalid(
                    "expires_at",
                    "Invalid expires_at: it must be in the future.",
                ));
            }
            if coupon.redeem_by.is_some_and(|r| t > r) {
                return Err(DomainError::invalid(
                    "expires_at",
                    "The promotion code cannot expire after its coupon's redeem_by date.",
                ));
            }
        }
        if let Some(m) = p.max_redemptions {
            if m < 1 {
                return Err(DomainError::invalid(
                    "max_redemptions",
                    "Invalid max_redemptions: must be a positive integer.",
                ));
            }
        }
        let r = &p.restrictions;
        match (r.minimum_amount, &r.minimum_amount_currency) {
            (Some(a), Some(_)) if a < 1 => {
                return Err(DomainError::invalid("restrictions[minimum_amount]", "Invalid restrictions[minimum_amount]: must be a positive integer."))
            }
            (Some(_), None) => {
                return Err(DomainError::invalid(
                    "restrictions[minimum_amount_currency]",
                    "restrictions[minimum_amount_currency] is required when restrictions[minimum_amount] is set.",
                ))
            }
            (None, Some(_)) => {
                return Err(DomainError::invalid(
                    "restrictions[minimum_amount]",
                    "restrictions[minimum_amount] is required when restrictions[minimum_amount_currency] is set.",
                ))
            }
            _ => {}
        }
        Ok(PromotionCode {
            id: ctx.ids.next("promo_", ID_LEN),
            created: ctx.now,
            livemode: ctx.livemode,
            active: p.active.unwrap_or(true),
            code,
            coupon: coupon.id.clone(),
            customer: p.customer,
            expires_at: p.expires_at,
            max_redemptions: p.max_redemptions,
            times_redeemed: 0,
            restrictions: p.restrictions,
            metadata: p.metadata.build("metadata")?,
        })
    }

    /// The uniqueness key while active (active codes are unique regardless of case).
    pub fn unique_key(&self) -> Option<String> {
        self.active.then(|| code_key(&self.code))
    }

    /// Checks every rule for redeeming this code with `coupon` for `r` at `now`; `param` names
    /// the parameter that carried the code.
    pub fn check_redeemable(
        &self,
        coupon: &Coupon,
        r: &Redemption<'_>,
        now: i64,
        param: &str,
    ) -> DomainResult<()> {
        let refuse = |why: String| Err(DomainError::invalid(param, why));
        if !self.active {
            return refuse(format!("The promotion code {} is not active.", self.code));
        }
        if self.expires_at.is_some_and(|t| now >= t) {
            return refuse(format!("The promotion code {} has expired.", self.code));
        }
        if self
            .max_redemptions
            .is_some_and(|m| self.times_redeemed >= m)
        {
            return refuse(format!(
                "The promotion code {} has reached its maximum number of redemptions.",
                self.code
            ));
        }
        if let Some(c) = &self.customer {
            if c != r.customer {
                return refuse(format!(
                    "The promotion code {} cannot be redeemed by this customer.",
                    self.code
                ));
            }
        }
        if self.restrictions.first_time_transaction && r.customer_has_paid_before {
            return refuse(format!(
                "The promotion code {} can only be redeemed on a customer's first transaction.",
                self.code
            ));
        }
        if let (Some(min), Some(cur)) = (
            self.restrictions.minimum_amount,
            &self.restrictions.minimum_amount_currency,
        ) {
            if cur != r.currency {
                return refuse(format!(
                    "The promotion code {} requires a minimum amount in {}, and this bill is in {}.",
                    self.code,
                    cur.code(),
                    r.currency.code()
                ));
            }
            if r.amount < min {
                return refuse(format!(
                    "The promotion code {} requires a minimum amount of {} {} (in the currency's smallest unit); this bill is {}.",
                    self.code,
                    min,
                    cur.code(),
                    r.amount
                ));
            }
        }
        coupon.check_applicable(now, Some(r.currency), param)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coupon::{CouponCreate, Duration};
    use crate::id::SequentialIds;

    fn setup(ids: &mut SequentialIds) -> Coupon {
        let mut ctx = Ctx {
            now: 1000,
            livemode: false,
            ids,
        };
        Coupon::create(
            CouponCreate {
                percent_off: Some(20.0),
                duration: Some(Duration::Forever),
                redeem_by: Some(10_000),
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap()
    }

    fn usd() -> Currency {
        Currency::parse("usd").unwrap()
    }

    fn redemption<'a>(cur: &'a Currency, amount: i64, paid_before: bool) -> Redemption<'a> {
        Redemption {
            customer: "cus_a",
            customer_has_paid_before: paid_before,
            amount,
            currency: cur,
        }
    }

    #[test]
    fn creation_rules() {
        let mut ids = SequentialIds::default();
        let coupon = setup(&mut ids);
        let mut ctx = Ctx {
            now: 1000,
            livemode: false,
            ids: &mut ids,
        };
        let p = PromotionCode::create(
            PromotionCodeCreate {
                code: Some("Spring25".into()),
                ..Default::default()
            },
            &coupon,
            &mut ctx,
        )
        .unwrap();
        assert!(p.id.starts_with("promo_"));
        assert_eq!(p.unique_key().as_deref(), Some("spring25"));
        let generated =
            PromotionCode::create(PromotionCodeCreate::default(), &coupon, &mut ctx).unwrap();
        assert_eq!(generated.code.len(), 8);
        for bad in [
            PromotionCodeCreate {
                code: Some("has space".into()),
                ..Default::default()
            },
            PromotionCodeCreate {
                expires_at: Some(999),
                ..Default::default()
            },
            PromotionCodeCreate {
                expires_at: Some(20_000),
                ..Default::default()
            },
            PromotionCodeCreate {
                max_redemptions: Some(0),
                ..Default::default()
            },
            PromotionCodeCreate {
                restrictions: Restrictions {
                    minimum_amount: Some(100),
                    ..Default::default()
                },
                ..Default::default()
            },
        ] {
            assert!(
                PromotionCode::create(bad.clone(), &coupon, &mut ctx).is_err(),
                "{bad:?}"
            );
        }
        let inactive = PromotionCode::create(
            PromotionCodeCreate {
                active: Some(false),
                ..Default::default()
            },
            &coupon,
            &mut ctx,
        )
        .unwrap();
        assert_eq!(inactive.unique_key(), None);
    }

    #[test]
    fn redemption_rules() {
        let mut ids = SequentialIds::default();
        let coupon = setup(&mut ids);
        let mut ctx = Ctx {
            now: 1000,
            livemode: false,
            ids: &mut ids,
        };
        let usd = usd();
        let eur = Currency::parse("eur").unwrap();
        let mut p = PromotionCode::create(
            PromotionCodeCreate {
                code: Some("FIRST".into()),
                expires_at: Some(5000),
                max_redemptions: Some(1),
                restrictions: Restrictions {
                    first_time_transaction: true,
                    minimum_amount: Some(1000),
                    minimum_amount_currency: Some(usd.clone()),
                },
                ..Default::default()
            },
            &coupon,
            &mut ctx,
        )
        .unwrap();
        let check = |p: &PromotionCode, r: &Redemption<'_>, now: i64| {
            p.check_redeemable(&coupon, r, now, "promotion_code")
        };
        check(&p, &redemption(&usd, 1000, false), 2000).unwrap();
        assert!(
            check(&p, &redemption(&usd, 999, false), 2000).is_err(),
            "below the minimum"
        );
        assert!(
            check(&p, &redemption(&eur, 5000, false), 2000).is_err(),
            "minimum in another currency"
        );
        assert!(
            check(&p, &redemption(&usd, 1000, true), 2000).is_err(),
            "not a first transaction"
        );
        assert!(
            check(&p, &redemption(&usd, 1000, false), 5000).is_err(),
            "expired"
        );
        p.times_redeemed = 1;
        assert!(
            check(&p, &redemption(&usd, 1000, false), 2000).is_err(),
            "redeemed up"
        );
        p.times_redeemed = 0;
        p.customer = Some("cus_b".into());
        assert!(
            check(&p, &redemption(&usd, 1000, false), 2000).is_err(),
            "someone else's code"
        );
        p.customer = None;
        p.active = false;
        assert!(
            check(&p, &redemption(&usd, 1000, false), 2000).is_err(),
            "inactive"
        );
        p.active = true;
        // The coupon's own validity still counts.
        assert!(check(&p, &redemption(&usd, 1000, false), 10_000).is_err());
    }
}
