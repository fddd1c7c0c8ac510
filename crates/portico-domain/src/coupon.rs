//! Coupons: a percentage or a fixed amount off, for once, some months, or forever.

use crate::currency::Currency;
use crate::error::{DomainError, DomainResult, ErrorCode};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// How long a coupon's discount lasts once applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duration {
    Once,
    Repeating,
    Forever,
}

impl Duration {
    /// Accepted wire values.
    pub const VALUES: &'static [&'static str] = &["forever", "once", "repeating"];

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Duration> {
        match s {
            "once" => Some(Duration::Once),
            "repeating" => Some(Duration::Repeating),
            "forever" => Some(Duration::Forever),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Duration::Once => "once",
            Duration::Repeating => "repeating",
            Duration::Forever => "forever",
        }
    }
}

/// A coupon as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coupon {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub amount_off: Option<i64>,
    pub currency: Option<Currency>,
    pub percent_off: Option<f64>,
    pub duration: Duration,
    pub duration_in_months: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub redeem_by: Option<i64>,
    pub times_redeemed: i64,
    /// `applies_to.products`; `None` when the coupon applies to everything.
    pub applies_to: Option<Vec<String>>,
    pub metadata: Metadata,
    pub name: Option<String>,
    #[serde(default)]
    pub deleted: bool,
}

/// Parameters of coupon create (products in `applies_to` already checked to exist).
#[derive(Clone, Debug, Default)]
pub struct CouponCreate {
    pub id: Option<String>,
    pub amount_off: Option<i64>,
    pub currency: Option<Currency>,
    pub percent_off: Option<f64>,
    pub duration: Option<Duration>,
    pub duration_in_months: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub redeem_by: Option<i64>,
    pub applies_to: Option<Vec<String>>,
    pub metadata: MetadataUpdate,
    pub name: Option<String>,
}

/// Characters of generated coupon ids (Stripe's are eight upper-case letters and digits).
const ID_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

impl Coupon {
    /// Whether `other` takes off what this coupon does, for as long (the terms a discount
    /// applies; the name, metadata and redemption limits do not count).
    pub fn same_terms(&self, other: &Coupon) -> bool {
        self.amount_off == other.amount_off
            && self.currency == other.currency
            && self.percent_off == other.percent_off
            && self.duration == other.duration
            && self.duration_in_months == other.duration_in_months
            && self.applies_to == other.applies_to
    }

    /// Creates a coupon, checking Stripe's rules.
    pub fn create(p: CouponCreate, ctx: &mut Ctx<'_>) -> DomainResult<Coupon> {
        match (p.percent_off, p.amount_off) {
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "amount_off",
                    "You may only specify one of these parameters: amount_off, percent_off.",
                ))
            }
            (None, None) => return Err(DomainError::invalid_code(
                "percent_off",
                ErrorCode::ParameterMissing,
                "Missing required param: percent_off or amount_off. A coupon takes one of them.",
            )),
            (Some(pct), None) => {
                if !(pct > 0.0 && pct <= 100.0) {
                    return Err(DomainError::invalid(
                        "percent_off",
                        "Invalid percent_off: must be greater than 0 and at most 100.",
                    ));
                }
            }
            (None, Some(amt)) => {
                if amt < 1 {
                    return Err(DomainError::invalid(
                        "amount_off",
                        "Invalid amount_off: must be a positive integer.",
                    ));
                }
                if p.currency.is_none() {
                    return Err(DomainError::invalid_code(
                        "currency",
                        ErrorCode::ParameterMissing,
                        "Missing required param: currency. A coupon with amount_off needs a currency.",
                    ));
                }
            }
        }
        if p.percent_off.is_some() && p.currency.is_some() {
            return Err(DomainError::invalid(
                "currency",
                "A currency is only allowed with amount_off, not with percent_off.",
            ));
        }
        let duration = p.duration.unwrap_or(Duration::Once);
        match (duration, p.duration_in_months) {
            (Duration::Repeating, None) => {
                return Err(DomainError::invalid_code(
                    "duration_in_months",
                    ErrorCode::ParameterMissing,
                    "Missing required param: duration_in_months. It is required when duration is repeating.",
                ))
            }
            (Duration::Repeating, Some(m)) if !(1..=1200).contains(&m) => {
                return Err(DomainError::invalid("duration_in_months", "Invalid duration_in_months: must be between 1 and 1200."))
            }
            (Duration::Once | Duration::Forever, Some(_)) => {
                return Err(DomainError::invalid(
                    "duration_in_months",
                    "duration_in_months can only be given when duration is repeating.",
                ))
            }
            _ => {}
        }
        if p.applies_to.as_ref().is_some_and(|ps| ps.len() > 100) {
            return Err(DomainError::invalid(
                "applies_to[products]",
                "Invalid applies_to[products]: at most 100 products.",
            ));
        }
        if let Some(m) = p.max_redemptions {
            if m < 1 {
                return Err(DomainError::invalid(
                    "max_redemptions",
                    "Invalid max_redemptions: must be a positive integer.",
                ));
            }
        }
        if let Some(t) = p.redeem_by {
            if t <= ctx.now {
                return Err(DomainError::invalid(
                    "redeem_by",
                    "Invalid redeem_by: it must be in the future.",
                ));
            }
        }
        let id = match p.id {
            Some(id) => {
                if id.is_empty()
                    || id.len() > 200
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(DomainError::invalid("id", "Invalid id: coupon ids may contain only letters, digits, '_' and '-', up to 200 characters."));
                }
                id
            }
            None => ctx.ids.random_string(ID_ALPHABET, 8),
        };
        Ok(Coupon {
            id,
            created: ctx.now,
            livemode: ctx.livemode,
            amount_off: p.amount_off,
            currency: p.currency,
            percent_off: p.percent_off,
            duration,
            duration_in_months: p.duration_in_months,
            max_redemptions: p.max_redemptions,
            redeem_by: p.redeem_by,
            times_redeemed: 0,
            applies_to: p.applies_to,
            metadata: p.metadata.build("metadata")?,
            name: p.name,
            deleted: false,
        })
    }

    /// Whether the coupon can still be redeemed at `now`.
    pub fn valid(&self, now: i64) -> bool {
        !self.deleted
            && self.redeem_by.is_none_or(|t| now < t)
            && self.max_redemptions.is_none_or(|m| self.times_redeemed < m)
    }

    /// Checks that the coupon can be applied now, to a bill in `currency`; `param` names the
    /// parameter that brought it.
    pub fn check_applicable(
        &self,
        now: i64,
        currency: Option<&Currency>,
        param: &str,
    ) -> DomainResult<()> {
        if !self.valid(now) {
            return Err(DomainError::invalid_code(
                param,
                ErrorCode::CouponExpired,
                format!("Coupon expired: {}", self.id),
            ));
        }
        if let (Some(mine), Some(theirs)) = (&self.currency, currency) {
            if mine != theirs {
                return Err(DomainError::invalid(
                    param,
                    format!(
                        "The coupon {} is in {} and cannot be applied to a bill in {}.",
                        self.id,
                        mine.code(),
                        theirs.code()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether the coupon discounts this product (`applies_to`).
    pub fn applies_to_product(&self, product: &str) -> bool {
        self.applies_to
            .as_ref()
            .is_none_or(|ps| ps.iter().any(|p| p == product))
    }

    /// The discount on `amount` (minor units), never more than the amount. Percentages round
    /// half away from zero to the minor unit, as Stripe does.
    pub fn discount_on(&self, amount: i64) -> i64 {
        if amount <= 0 {
            return 0;
        }
        if let Some(pct) = self.percent_off {
            let d = (amount as f64 * pct / 100.0).round() as i64;
            d.min(amount)
        } else {
            self.amount_off.unwrap_or(0).min(amount)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SequentialIds;

    fn ctx(ids: &mut SequentialIds) -> Ctx<'_> {
        Ctx {
            now: 1000,
            livemode: false,
            ids,
        }
    }

    fn usd() -> Option<Currency> {
        Currency::parse("usd")
    }

    #[test]
    fn creation_rules() {
        let mut ids = SequentialIds::default();
        let ok = |p: CouponCreate, ids: &mut SequentialIds| Coupon::create(p, &mut ctx(ids));
        let c = ok(
            CouponCreate {
                percent_off: Some(25.0),
                ..Default::default()
            },
            &mut ids,
        )
        .unwrap();
        assert_eq!(
            (c.duration, c.times_redeemed, c.id.len()),
            (Duration::Once, 0, 8)
        );
        for bad in [
            CouponCreate::default(),
            CouponCreate {
                percent_off: Some(10.0),
                amount_off: Some(5),
                currency: usd(),
                ..Default::default()
            },
            CouponCreate {
                percent_off: Some(0.0),
                ..Default::default()
            },
            CouponCreate {
                percent_off: Some(100.5),
                ..Default::default()
            },
            CouponCreate {
                amount_off: Some(500),
                ..Default::default()
            },
            CouponCreate {
                amount_off: Some(0),
                currency: usd(),
                ..Default::default()
            },
            CouponCreate {
                percent_off: Some(5.0),
                duration: Some(Duration::Repeating),
                ..Default::default()
            },
            CouponCreate {
                percent_off: Some(5.0),
                duration: Some(Duration::Forever),
                duration_in_months: Some(3),
                ..Default::default()
            },
            CouponCreate {
                percent_off: Some(5.0),
                max_redemptions: Some(0),
                ..Default::default()
            },
            CouponCreate {
                percent_off: Some(5.0),
                redeem_by: Some(999),
                ..Default::default()
            },
            CouponCreate {
                percent_off: Some(5.0),
                id: Some("no spaces".into()),
                ..Default::default()
            },
        ] {
            assert!(ok(bad.clone(), &mut ids).is_err(), "{bad:?}");
        }
        let r = ok(
            CouponCreate {
                amount_off: Some(500),
                currency: usd(),
                duration: Some(Duration::Repeating),
                duration_in_months: Some(3),
                ..Default::default()
            },
            &mut ids,
        )
        .unwrap();
        assert_eq!(r.duration_in_months, Some(3));
    }

    #[test]
    fn validity_expiry_and_redemptions() {
        let mut ids = SequentialIds::default();
        let mut c = Coupon::create(
            CouponCreate {
                percent_off: Some(10.0),
                redeem_by: Some(2000),
                max_redemptions: Some(2),
                ..Default::default()
            },
            &mut ctx(&mut ids),
        )
        .unwrap();
        assert!(c.valid(1999));
        assert!(!c.valid(2000), "redeem_by is exclusive");
        c.times_redeemed = 2;
        assert!(!c.valid(1500));
        let e = c.check_applicable(1500, None, "coupon").unwrap_err();
        assert!(matches!(
            e,
            DomainError::Invalid {
                code: Some(ErrorCode::CouponExpired),
                ..
            }
        ));
        c.times_redeemed = 1;
        c.check_applicable(1500, usd().as_ref(), "coupon").unwrap();
        c.deleted = true;
        assert!(!c.valid(1500));
    }

    #[test]
    fn currency_and_products() {
        let mut ids = SequentialIds::default();
        let c = Coupon::create(
            CouponCreate {
                amount_off: Some(500),
                currency: usd(),
                applies_to: Some(vec!["prod_a".into()]),
                ..Default::default()
            },
            &mut ctx(&mut ids),
        )
        .unwrap();
        assert!(c
            .check_applicable(1500, Currency::parse("eur").as_ref(), "coupon")
            .is_err());
        assert!(c.applies_to_product("prod_a"));
        assert!(!c.applies_to_product("prod_b"));
    }

    #[test]
    fn discount_amounts() {
        let mut ids = SequentialIds::default();
        let pct = Coupon::create(
            CouponCreate {
                percent_off: Some(33.5),
                ..Default::default()
            },
            &mut ctx(&mut ids),
        )
        .unwrap();
        assert_eq!(pct.discount_on(1000), 335);
        assert_eq!(pct.discount_on(999), 335); // 334.665 rounds to 335
        assert_eq!(pct.discount_on(0), 0);
        let amt = Coupon::create(
            CouponCreate {
                amount_off: Some(500),
                currency: usd(),
                ..Default::default()
            },
            &mut ctx(&mut ids),
        )
        .unwrap();
        assert_eq!(amt.discount_on(1200), 500);
        assert_eq!(amt.discount_on(300), 300, "never more than the amount");
    }
}
