//! Prices: how much and how often a product costs. Immutable but for a few fields, as in Stripe.

use crate::currency::Currency;
use crate::error::{DomainError, DomainResult, ErrorCode};
use crate::id::{PriceId, ProductId, ID_LEN};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::product::Product;
use crate::tiers::Tiering;
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// The unit of a billing interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Day,
    Week,
    Month,
    Year,
}

impl Interval {
    /// Accepted wire values, in Stripe's order.
    pub const VALUES: &'static [&'static str] = &["day", "week", "month", "year"];

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            "year" => Some(Self::Year),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
        }
    }

    /// The longest count Stripe allows for this unit: three years' worth.
    pub fn max_count(self) -> i64 {
        match self {
            Self::Day => 1095,
            Self::Week => 156,
            Self::Month => 36,
            Self::Year => 3,
        }
    }
}

/// A recurring price's schedule. Only licensed (per-seat) usage is billed by Portico.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurring {
    pub interval: Interval,
    pub interval_count: i64,
}

/// Whether the amount includes tax.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxBehavior {
    Exclusive,
    Inclusive,
    #[default]
    Unspecified,
}

impl TaxBehavior {
    /// Accepted wire values.
    pub const VALUES: &'static [&'static str] = &["exclusive", "inclusive", "unspecified"];

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "exclusive" => Some(Self::Exclusive),
            "inclusive" => Some(Self::Inclusive),
            "unspecified" => Some(Self::Unspecified),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exclusive => "exclusive",
            Self::Inclusive => "inclusive",
            Self::Unspecified => "unspecified",
        }
    }
}

/// A price as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub id: PriceId,
    pub created: i64,
    pub livemode: bool,
    pub active: bool,
    pub currency: Currency,
    pub lookup_key: Option<String>,
    pub metadata: Metadata,
    pub nickname: Option<String>,
    pub product: ProductId,
    pub recurring: Option<Recurring>,
    pub tax_behavior: TaxBehavior,
    /// Amount per unit in the currency's minor unit; `None` for a tiered price.
    pub unit_amount: Option<i64>,
    /// A tiered price's tiers (`billing_scheme=tiered`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Tiering>,
    /// Made from an item's `price_data`: stored inactive, as Stripe keeps such prices out of
    /// the catalogue, yet usable by the items it was made for, also when their id is sent back
    /// (a schedule's phases, say). Not part of the wire object.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inline: bool,
}

/// Largest `unit_amount` accepted, in minor units (Stripe's eight-digit limit).
pub const MAX_UNIT_AMOUNT: i64 = 99_999_999;

/// Parameters of price create. The product is resolved by the caller.
#[derive(Clone, Debug, Default)]
pub struct PriceCreate {
    pub active: Option<bool>,
    /// Required; the wire layer reports it missing.
    pub currency: Option<Currency>,
    pub lookup_key: Option<String>,
    pub metadata: MetadataUpdate,
    pub nickname: Option<String>,
    pub recurring: Option<Recurring>,
    pub tax_behavior: Option<TaxBehavior>,
    /// Required unless `tiers` is given; the wire layer reports it missing.
    pub unit_amount: Option<i64>,
    /// Makes the price tiered (`billing_scheme=tiered`).
    pub tiers: Option<Tiering>,
}

/// Parameters of price update: the only fields Stripe lets change.
#[derive(Clone, Debug, Default)]
pub struct PriceUpdate {
    pub active: Option<bool>,
    /// `Some(None)` clears the key.
    pub lookup_key: Option<Option<String>>,
    pub metadata: MetadataUpdate,
    pub nickname: Option<Option<String>>,
    pub tax_behavior: Option<TaxBehavior>,
}

impl Price {
    /// Creates a price for `product`.
    pub fn create(p: PriceCreate, product: &Product, ctx: &mut Ctx<'_>) -> DomainResult<Price> {
        let currency = p
            .currency
            .ok_or_else(|| DomainError::invalid("currency", "Missing required param: currency."))?;
        match (&p.tiers, p.unit_amount) {
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "unit_amount",
                    "A tiered price (`billing_scheme=tiered`) takes its amounts from its tiers: `unit_amount` and `unit_amount_decimal` cannot be used with it.",
                ))
            }
            (Some(t), None) => t.validate()?,
            (None, Some(a)) => validate_unit_amount(a)?,
            (None, None) => {
                return Err(DomainError::invalid_code(
                    "unit_amount",
                    ErrorCode::ParameterMissing,
                    "Missing required param: unit_amount.",
                ))
            }
        }
        if let Some(r) = &p.recurring {
            validate_recurring(r)?;
        }
        if let Some(k) = &p.lookup_key {
            validate_lookup_key(k)?;
        }
        let metadata = p.metadata.build("metadata")?;
        Ok(Price {
            id: PriceId(ctx.ids.next(PriceId::PREFIX, ID_LEN)),
            created: ctx.now,
            livemode: ctx.livemode,
            active: p.active.unwrap_or(true),
            currency,
            lookup_key: p.lookup_key,
            metadata,
            nickname: p.nickname,
            product: product.id.clone(),
            recurring: p.recurring,
            tax_behavior: p.tax_behavior.unwrap_or_default(),
            unit_amount: p.unit_amount,
            tiers: p.tiers,
            inline: false,
        })
    }

    /// What `quantity` units cost for one period (or once, for a one-time price).
    pub fn amount_for(&self, quantity: i64) -> i64 {
        match &self.tiers {
            Some(t) => t.amount(quantity),
            None => self.unit_amount.unwrap_or(0).saturating_mul(quantity),
        }
    }

    /// `per_unit` or `tiered`.
    pub fn billing_scheme(&self) -> &'static str {
        if self.tiers.is_some() {
            "tiered"
        } else {
            "per_unit"
        }
    }

    /// Whether a new item may use this price: an active one, or one made for the item.
    pub fn usable(&self) -> bool {
        self.active || self.inline
    }

    /// Applies an update of the mutable fields.
    pub fn update(&mut self, p: PriceUpdate) -> DomainResult<()> {
        if let Some(Some(k)) = &p.lookup_key {
            validate_lookup_key(k)?;
        }
        if let Some(tb) = p.tax_behavior {
            if self.tax_behavior != TaxBehavior::Unspecified && tb != self.tax_behavior {
                return Err(DomainError::invalid(
                    "tax_behavior",
                    format!(
                        "This price's tax_behavior is already '{}' and cannot be changed once set to inclusive or exclusive.",
                        self.tax_behavior.as_str()
                    ),
                ));
            }
        }
        let mut metadata = self.metadata.clone();
        p.metadata.apply("metadata", &mut metadata)?;
        self.metadata = metadata;
        if let Some(a) = p.active {
            self.active = a;
        }
        if let Some(k) = p.lookup_key {
            self.lookup_key = k;
        }
        if let Some(n) = p.nickname {
            self.nickname = n;
        }
        if let Some(tb) = p.tax_behavior {
            self.tax_behavior = tb;
        }
        Ok(())
    }

    /// Checks an update against the product: its default price cannot be archived.
    pub fn check_update_against(
        &self,
        update: &PriceUpdate,
        product: &Product,
    ) -> DomainResult<()> {
        if update.active == Some(false)
            && self.active
            && product.default_price.as_ref() == Some(&self.id)
        {
            return Err(DomainError::invalid(
                "active",
                "This price cannot be archived because it is the default price of its product. Set another default_price on the product first.",
            ));
        }
        Ok(())
    }

    /// `recurring` or `one_time`.
    pub fn price_type(&self) -> &'static str {
        if self.recurring.is_some() {
            "recurring"
        } else {
            "one_time"
        }
    }

    /// The refusal when another price already holds the lookup key this one wants.
    pub fn lookup_key_taken(holder: &PriceId) -> DomainError {
        DomainError::invalid(
            "lookup_key",
            format!("A price (`{holder}`) already uses that lookup key."),
        )
    }
}

fn validate_unit_amount(a: i64) -> DomainResult<()> {
    if a < 0 {
        return Err(DomainError::invalid_code(
            "unit_amount",
            ErrorCode::ParameterInvalidInteger,
            "Invalid non-negative integer",
        ));
    }
    if a > MAX_UNIT_AMOUNT {
        return Err(DomainError::invalid_code(
            "unit_amount",
            ErrorCode::ParameterInvalidInteger,
            format!("This value must be less than or equal to {MAX_UNIT_AMOUNT}."),
        ));
    }
    Ok(())
}

fn validate_recurring(r: &Recurring) -> DomainResult<()> {
    if r.interval_count < 1 {
        return Err(DomainError::invalid_code(
            "recurring[interval_count]",
            ErrorCode::ParameterInvalidInteger,
            "Invalid positive integer",
        ));
    }
    if r.interval_count > r.interval.max_count() {
        return Err(DomainError::invalid(
            "recurring[interval_count]",
            format!(
                "The maximum billing interval is 3 years: recurring[interval_count] can be at most {} when recurring[interval] is '{}'.",
                r.interval.max_count(),
                r.interval.as_str()
            ),
        ));
    }
    Ok(())
}

fn validate_lookup_key(k: &str) -> DomainResult<()> {
    if k.chars().count() > 200 {
        return Err(DomainError::invalid(
            "lookup_key",
            "Invalid lookup_key: must be at most 200 characters.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SequentialIds;
    use crate::product::ProductParams;

    fn product(ctx: &mut Ctx<'_>) -> Product {
        Product::create(
            ProductParams {
                name: Some("P".into()),
                ..Default::default()
            },
            ctx,
        )
        .unwrap()
    }

    fn usd() -> Option<Currency> {
        Currency::parse("usd")
    }

    #[test]
    fn an_inline_price_is_inactive_yet_usable_and_remembered() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 5,
            livemode: false,
            ids: &mut ids,
        };
        let prod = product(&mut ctx);
        let make = |active, ctx: &mut Ctx<'_>| {
            Price::create(
                PriceCreate {
                    active: Some(active),
                    currency: usd(),
                    unit_amount: Some(700),
                    ..Default::default()
                },
                &prod,
                ctx,
            )
            .unwrap()
        };
        let archived = make(false, &mut ctx);
        assert!(!archived.usable());
        let stored = serde_json::to_value(&archived).unwrap();
        assert!(
            stored.get("inline").is_none(),
            "only inline prices carry the flag"
        );
        let mut inline = make(false, &mut ctx);
        inline.inline = true;
        assert!(inline.usable() && !inline.active);
        let back: Price = serde_json::from_value(serde_json::to_value(&inline).unwrap()).unwrap();
        assert_eq!(back, inline);
        assert!(make(true, &mut ctx).usable());
    }

    #[test]
    fn create_one_time_and_recurring() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 5,
            livemode: false,
            ids: &mut ids,
        };
        let prod = product(&mut ctx);
        let one = Price::create(
            PriceCreate {
                currency: usd(),
                unit_amount: Some(500),
                ..Default::default()
            },
            &prod,
            &mut ctx,
        )
        .unwrap();
        assert_eq!(one.price_type(), "one_time");
        assert!(one.active);
        assert_eq!(one.tax_behavior, TaxBehavior::Unspecified);
        let rec = Price::create(
            PriceCreate {
                currency: usd(),
                unit_amount: Some(1200),
                recurring: Some(Recurring {
                    interval: Interval::Month,
                    interval_count: 1,
                }),
                ..Default::default()
            },
            &prod,
            &mut ctx,
        )
        .unwrap();
        assert_eq!(rec.price_type(), "recurring");
        assert_eq!(rec.product, prod.id);
    }

    #[test]
    fn interval_limits_are_three_years() {
        for (interval, max) in [
            (Interval::Day, 1095),
            (Interval::Week, 156),
            (Interval::Month, 36),
            (Interval::Year, 3),
        ] {
            validate_recurring(&Recurring {
                interval,
                interval_count: max,
            })
            .unwrap();
            assert!(validate_recurring(&Recurring {
                interval,
                interval_count: max + 1
            })
            .is_err());
        }
        assert!(validate_recurring(&Recurring {
            interval: Interval::Month,
            interval_count: 0
        })
        .is_err());
    }

    #[test]
    fn amounts_are_bounded() {
        validate_unit_amount(0).unwrap();
        validate_unit_amount(MAX_UNIT_AMOUNT).unwrap();
        assert!(validate_unit_amount(-1).is_err());
        assert!(validate_unit_amount(MAX_UNIT_AMOUNT + 1).is_err());
    }

    #[test]
    fn tax_behavior_is_fixed_once_set() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 5,
            livemode: false,
            ids: &mut ids,
        };
        let prod = product(&mut ctx);
        let mut p = Price::create(
            PriceCreate {
                currency: usd(),
                unit_amount: Some(1),
                ..Default::default()
            },
            &prod,
            &mut ctx,
        )
        .unwrap();
        p.update(PriceUpdate {
            tax_behavior: Some(TaxBehavior::Inclusive),
            ..Default::default()
        })
        .unwrap();
        assert!(p
            .update(PriceUpdate {
                tax_behavior: Some(TaxBehavior::Exclusive),
                ..Default::default()
            })
            .is_err());
        p.update(PriceUpdate {
            tax_behavior: Some(TaxBehavior::Inclusive),
            nickname: Some(Some("n".into())),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(p.nickname.as_deref(), Some("n"));
    }
}

#[cfg(test)]
mod catalog_rules {
    use super::*;
    use crate::id::SequentialIds;
    use crate::product::ProductParams;

    #[test]
    fn default_prices_and_deletion() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 1,
            livemode: false,
            ids: &mut ids,
        };
        let mut prod = Product::create(
            ProductParams {
                name: Some("P".into()),
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap();
        let other = Product::create(
            ProductParams {
                name: Some("O".into()),
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap();
        let usd = Currency::parse("usd");
        let mut price = Price::create(
            PriceCreate {
                currency: usd.clone(),
                unit_amount: Some(5),
                ..Default::default()
            },
            &prod,
            &mut ctx,
        )
        .unwrap();
        let foreign = Price::create(
            PriceCreate {
                currency: usd,
                unit_amount: Some(5),
                ..Default::default()
            },
            &other,
            &mut ctx,
        )
        .unwrap();
        prod.check_default_price(&price).unwrap();
        assert!(
            prod.check_default_price(&foreign).is_err(),
            "another product's price"
        );
        prod.default_price = Some(price.id.clone());
        let archive = PriceUpdate {
            active: Some(false),
            ..Default::default()
        };
        assert!(
            price.check_update_against(&archive, &prod).is_err(),
            "the default price stays active"
        );
        prod.default_price = None;
        price.check_update_against(&archive, &prod).unwrap();
        price.update(archive).unwrap();
        assert!(
            prod.check_default_price(&price).is_err(),
            "an archived price"
        );
        assert!(prod.delete(true).is_err());
        assert!(!prod.deleted);
        prod.delete(false).unwrap();
        assert!(prod.deleted);
    }
}
