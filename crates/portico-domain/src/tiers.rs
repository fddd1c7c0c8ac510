//! Tiered prices (`billing_scheme=tiered`): what a quantity costs when the price per unit
//! depends on how many units there are.
//!
//! - **Volume** (`tiers_mode=volume`): the whole quantity is billed at the tier it falls in, its
//!   unit amount for every unit plus its flat amount.
//! - **Graduated** (`tiers_mode=graduated`): each tier bills the units that fall within it at its
//!   own unit amount, plus its flat amount once any unit reaches it.
//!
//! A quantity of zero falls in the first tier under both modes, so a first tier's flat amount is
//! billed even for no units.

use crate::error::{DomainError, DomainResult};
use crate::price::MAX_UNIT_AMOUNT;
use serde::{Deserialize, Serialize};

/// How a tiered price's tiers combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TiersMode {
    Graduated,
    Volume,
}

impl TiersMode {
    /// Accepted wire values.
    pub const VALUES: &'static [&'static str] = &["graduated", "volume"];

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "graduated" => Some(Self::Graduated),
            "volume" => Some(Self::Volume),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Graduated => "graduated",
            Self::Volume => "volume",
        }
    }
}

/// One tier: the units up to and including `up_to` (`None`: every unit beyond the tier
/// before), billed at `unit_amount` each and `flat_amount` for the tier. Either amount may be
/// absent (shown as `null`), never both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub up_to: Option<i64>,
    pub unit_amount: Option<i64>,
    pub flat_amount: Option<i64>,
}

/// A tiered price's tiers and how they combine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tiering {
    pub mode: TiersMode,
    pub tiers: Vec<Tier>,
}

/// One part of what a quantity costs under a tiered price: either `units` units of tier `tier`
/// (counted from 1) at `rate` each, or (`flat`) the tier's flat amount, `rate`. Each part is
/// an invoice line of its own, as Stripe bills tiered prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierCharge {
    pub tier: usize,
    pub flat: bool,
    pub units: i64,
    pub rate: i64,
    pub amount: i64,
}

impl Tiering {
    /// Checks tiers as sent (`tiers[i][...]` names the faulty one): at least one; bounds that
    /// rise, each a positive whole number, with only the last one `inf`; and each tier with
    /// a unit amount, a flat amount or both, none negative or over Stripe's limit.
    pub fn validate(&self) -> DomainResult<()> {
        let Some(last) = self.tiers.len().checked_sub(1) else {
            return Err(DomainError::invalid(
                "tiers",
                "A tiered price needs at least one tier.",
            ));
        };
        let mut floor = 0;
        for (i, t) in self.tiers.iter().enumerate() {
            match t.up_to {
                None if i != last => {
                    return Err(DomainError::invalid(
                        format!("tiers[{i}][up_to]"),
                        "Only the last tier can have `up_to=inf`: each other tier needs an upper bound.",
                    ))
                }
                Some(_) if i == last => {
                    return Err(DomainError::invalid(
                        format!("tiers[{i}][up_to]"),
                        "The last tier must have `up_to=inf`, so that every quantity falls in a tier.",
                    ))
                }
                Some(up) if up <= floor => {
                    return Err(DomainError::invalid(
                        format!("tiers[{i}][up_to]"),
                        if i == 0 {
                            format!("Invalid tiers[{i}][up_to]: {up}. A tier's upper bound must be a positive integer.")
                        } else {
                            format!("Invalid tiers[{i}][up_to]: {up}. Each tier's upper bound must be greater than the one before it ({floor}).")
                        },
                    ))
                }
                Some(up) => floor = up,
                None => {}
            }
            if t.unit_amount.is_none() && t.flat_amount.is_none() {
                return Err(DomainError::invalid(
                    format!("tiers[{i}]"),
                    format!("Each tier needs a unit amount, a flat amount, or both: tiers[{i}] has neither (`unit_amount`, `unit_amount_decimal`, `flat_amount` or `flat_amount_decimal`)."),
                ));
            }
            for (name, amount) in [
                ("unit_amount", t.unit_amount),
                ("flat_amount", t.flat_amount),
            ] {
                match amount {
                    Some(a) if a < 0 => {
                        return Err(DomainError::invalid_code(
                            format!("tiers[{i}][{name}]"),
                            crate::ErrorCode::ParameterInvalidInteger,
                            "Invalid non-negative integer",
                        ))
                    }
                    Some(a) if a > MAX_UNIT_AMOUNT => {
                        return Err(DomainError::invalid_code(
                            format!("tiers[{i}][{name}]"),
                            crate::ErrorCode::ParameterInvalidInteger,
                            format!("This value must be less than or equal to {MAX_UNIT_AMOUNT}."),
                        ))
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// What `quantity` units cost, part by part, in tier order: for each tier billed, its units
    /// (when it has a unit amount) and then its flat amount (when it has one).
    pub fn charges(&self, quantity: i64) -> Vec<TierCharge> {
        let quantity = quantity.max(0);
        let mut out = Vec::new();
        let bill = |out: &mut Vec<TierCharge>, i: usize, t: &Tier, units: i64| {
            if let Some(rate) = t.unit_amount {
                out.push(TierCharge {
                    tier: i + 1,
                    flat: false,
                    units,
                    rate,
                    amount: rate.saturating_mul(units),
                });
            }
            if let Some(rate) = t.flat_amount {
                out.push(TierCharge {
                    tier: i + 1,
                    flat: true,
                    units: 0,
                    rate,
                    amount: rate,
                });
            }
        };
        match self.mode {
            TiersMode::Volume => {
                let i = self
                    .tiers
                    .iter()
                    .position(|t| t.up_to.is_none_or(|up| quantity <= up))
                    .unwrap_or(self.tiers.len().saturating_sub(1));
                if let Some(t) = self.tiers.get(i) {
                    bill(&mut out, i, t, quantity);
                }
            }
            TiersMode::Graduated => {
                let mut floor = 0;
                for (i, t) in self.tiers.iter().enumerate() {
                    if i > 0 && quantity <= floor {
                        break;
                    }
                    let top = t.up_to.map_or(quantity, |up| up.min(quantity));
                    bill(&mut out, i, t, (top - floor).max(0));
                    match t.up_to {
                        Some(up) => floor = up,
                        None => break,
                    }
                }
            }
        }
        out
    }

    /// What `quantity` units cost in all.
    pub fn amount(&self, quantity: i64) -> i64 {
        self.charges(quantity)
            .iter()
            .fold(0i64, |sum, c| sum.saturating_add(c.amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tier(up_to: Option<i64>, unit: Option<i64>, flat: Option<i64>) -> Tier {
        Tier {
            up_to,
            unit_amount: unit,
            flat_amount: flat,
        }
    }

    /// Stripe's worked example: 1-5 fonts at 7 USD, 6-10 at 6.50, 11 and over at 6.
    fn fonts(mode: TiersMode) -> Tiering {
        Tiering {
            mode,
            tiers: vec![
                tier(Some(5), Some(700), None),
                tier(Some(10), Some(650), None),
                tier(None, Some(600), None),
            ],
        }
    }

    #[test]
    fn volume_bills_every_unit_at_the_tier_the_quantity_falls_in() {
        let v = fonts(TiersMode::Volume);
        for (q, total) in [(1, 700), (5, 3500), (6, 3900), (20, 12000), (25, 15000)] {
            assert_eq!(v.amount(q), total, "{q} fonts");
        }
        assert_eq!(v.charges(6).len(), 1, "one line: the tier's units");
    }

    #[test]
    fn graduated_bills_each_tier_its_own_units() {
        let g = fonts(TiersMode::Graduated);
        // 5 × 7 + 5 × 6.50 + 10 × 6 = 127.50 for 20 fonts.
        for (q, total) in [(1, 700), (5, 3500), (6, 4150), (10, 6750), (20, 12750)] {
            assert_eq!(g.amount(q), total, "{q} fonts");
        }
        let parts: Vec<(usize, i64, i64)> = g
            .charges(12)
            .iter()
            .map(|c| (c.tier, c.units, c.amount))
            .collect();
        assert_eq!(parts, vec![(1, 5, 3500), (2, 5, 3250), (3, 2, 1200)]);
    }

    #[test]
    fn flat_amounts_are_billed_once_for_each_tier_reached() {
        // A base fee for up to 3 seats, then 10 a seat with a one-off 50 for the second tier.
        let tiers = vec![
            tier(Some(3), Some(0), Some(2000)),
            tier(None, Some(1000), Some(50)),
        ];
        let g = Tiering {
            mode: TiersMode::Graduated,
            tiers: tiers.clone(),
        };
        assert_eq!(
            g.amount(0),
            2000,
            "no units still bills the first tier's flat amount"
        );
        assert_eq!(g.amount(3), 2000);
        assert_eq!(g.amount(4), 2000 + 1000 + 50);
        let parts: Vec<(usize, bool, i64, i64)> = g
            .charges(4)
            .iter()
            .map(|c| (c.tier, c.flat, c.units, c.amount))
            .collect();
        assert_eq!(
            parts,
            vec![
                (1, false, 3, 0),
                (1, true, 0, 2000),
                (2, false, 1, 1000),
                (2, true, 0, 50)
            ]
        );
        let v = Tiering {
            mode: TiersMode::Volume,
            tiers,
        };
        assert_eq!(v.amount(0), 2000);
        assert_eq!(v.amount(4), 4000 + 50, "only the tier it falls in");
    }

    #[test]
    fn tiers_are_checked_with_the_faulty_one_named() {
        let bad = |tiers: Vec<Tier>| match (Tiering {
            mode: TiersMode::Graduated,
            tiers,
        })
        .validate()
        {
            Err(DomainError::Invalid { param, .. }) => param.unwrap_or_default(),
            other => panic!("{other:?}"),
        };
        assert_eq!(bad(vec![]), "tiers");
        assert_eq!(bad(vec![tier(Some(5), Some(1), None)]), "tiers[0][up_to]");
        assert_eq!(
            bad(vec![tier(None, Some(1), None), tier(None, Some(1), None)]),
            "tiers[0][up_to]"
        );
        assert_eq!(
            bad(vec![
                tier(Some(5), Some(1), None),
                tier(Some(5), Some(1), None),
                tier(None, Some(1), None)
            ]),
            "tiers[1][up_to]"
        );
        assert_eq!(
            bad(vec![
                tier(Some(0), Some(1), None),
                tier(None, Some(1), None)
            ]),
            "tiers[0][up_to]"
        );
        assert_eq!(
            bad(vec![tier(Some(2), None, None), tier(None, Some(1), None)]),
            "tiers[0]"
        );
        assert_eq!(
            bad(vec![
                tier(Some(2), Some(1), Some(-1)),
                tier(None, Some(1), None)
            ]),
            "tiers[0][flat_amount]"
        );
        assert_eq!(
            bad(vec![
                tier(Some(2), Some(1), None),
                tier(None, Some(MAX_UNIT_AMOUNT + 1), None)
            ]),
            "tiers[1][unit_amount]"
        );
        fonts(TiersMode::Volume).validate().unwrap();
        Tiering {
            mode: TiersMode::Volume,
            tiers: vec![tier(None, None, Some(900))],
        }
        .validate()
        .unwrap();
    }

    fn tierings() -> impl Strategy<Value = Tiering> {
        (
            prop_oneof![Just(TiersMode::Graduated), Just(TiersMode::Volume)],
            prop::collection::vec(
                (
                    1i64..50,
                    proptest::option::of(0i64..10_000),
                    proptest::option::of(0i64..10_000),
                ),
                1..6,
            ),
        )
            .prop_map(|(mode, specs)| {
                let mut up = 0;
                let last = specs.len() - 1;
                let tiers = specs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (width, unit, flat))| {
                        up += width;
                        // One of the two amounts at least, as validation demands.
                        let unit = if unit.is_none() && flat.is_none() {
                            Some(0)
                        } else {
                            unit
                        };
                        tier((i != last).then_some(up), unit, flat)
                    })
                    .collect();
                Tiering { mode, tiers }
            })
    }

    proptest! {
        #[test]
        fn charges_add_up_and_match_their_definition(t in tierings(), q in 0i64..400) {
            prop_assert!(t.validate().is_ok());
            let charges = t.charges(q);
            prop_assert_eq!(charges.iter().map(|c| c.amount).sum::<i64>(), t.amount(q));
            for c in &charges {
                prop_assert_eq!(c.amount, if c.flat { c.rate } else { c.rate * c.units });
            }
            // Every unit is billed exactly once.
            let units: i64 = charges.iter().filter(|c| !c.flat).map(|c| c.units).sum();
            let priced = t.tiers.iter().all(|t| t.unit_amount.is_some());
            if priced {
                prop_assert_eq!(units, q);
            }
            // The tier of a unit: the first whose bound holds it.
            let tier_of = |n: i64| t.tiers.iter().position(|x| x.up_to.is_none_or(|up| n <= up)).unwrap();
            match t.mode {
                TiersMode::Volume => {
                    let i = tier_of(q);
                    let x = &t.tiers[i];
                    prop_assert_eq!(t.amount(q), x.unit_amount.unwrap_or(0) * q + x.flat_amount.unwrap_or(0));
                }
                TiersMode::Graduated => {
                    // Unit by unit, plus the flat amount of each tier reached (the first always).
                    let by_unit: i64 = (1..=q).map(|n| t.tiers[tier_of(n)].unit_amount.unwrap_or(0)).sum();
                    let top = if q == 0 { 0 } else { tier_of(q) };
                    let flats: i64 = t.tiers[..=top].iter().map(|x| x.flat_amount.unwrap_or(0)).sum();
                    prop_assert_eq!(t.amount(q), by_unit + flats);
                }
            }
        }

        #[test]
        fn graduated_never_costs_less_for_more(t in tierings(), q in 0i64..400) {
            let g = Tiering { mode: TiersMode::Graduated, ..t };
            prop_assert!(g.amount(q + 1) >= g.amount(q));
        }
    }
}
