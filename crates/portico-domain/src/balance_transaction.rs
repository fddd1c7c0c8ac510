//! Customer balance transactions (`cbtxn_…`): the ledger of a customer's credit balance. Every
//! change of `balance` is one entry, with what it was and the balance it left: one made through
//! the API (`adjustment`), the balance a customer was created with (`initial`), an invoice taking
//! credit or debit as it is finalized (`applied_to_invoice`), and a voided invoice giving it back
//! (`unapplied_from_invoice`). A negative amount credits the customer, a positive one debits.

use crate::customer::Customer;
use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::metadata::{Metadata, MetadataUpdate};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// The largest balance, either way, in the currency's minor unit.
pub const MAX_BALANCE: i64 = 9_999_999_999_999;

/// Why the balance changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalanceChange {
    /// Made through the API, or the balance set on the customer.
    Adjustment,
    /// The balance the customer was created with.
    Initial,
    /// An invoice took the balance (or put its negative total there) as it was finalized.
    AppliedToInvoice,
    /// A voided invoice gave back what it took.
    UnappliedFromInvoice,
}

impl BalanceChange {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            BalanceChange::Adjustment => "adjustment",
            BalanceChange::Initial => "initial",
            BalanceChange::AppliedToInvoice => "applied_to_invoice",
            BalanceChange::UnappliedFromInvoice => "unapplied_from_invoice",
        }
    }
}

/// One entry of a customer's balance ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalanceTransaction {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub customer: String,
    pub currency: String,
    /// Negative: a credit; positive: a debit.
    pub amount: i64,
    /// The customer's balance after it.
    pub ending_balance: i64,
    pub description: Option<String>,
    pub invoice: Option<String>,
    pub kind: BalanceChange,
    pub metadata: Metadata,
}

/// Something a commit did that moved a customer's balance: an invoice finalized or voided, or an
/// entry the commit writes itself.
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    pub kind: BalanceChange,
    pub invoice: Option<String>,
    /// What it moved the balance by.
    pub amount: i64,
    /// When it happened (on its test clock's time).
    pub at: i64,
    /// Written by the commit itself: counted, not recorded again.
    pub recorded: bool,
}

/// `POST /v1/customers/{id}/balance_transactions`, as read.
#[derive(Clone, Debug, Default)]
pub struct BalanceAdjustment {
    pub amount: i64,
    pub currency: String,
    pub description: Option<String>,
    pub metadata: MetadataUpdate,
}

impl BalanceTransaction {
    /// The entries for a commit that moved `customer`'s balance from `before` (`None`: a new
    /// customer) to what it is now: one per invoice that moved it, each with the balance it
    /// left, and what none of them explains as one more entry (`initial` for a new customer,
    /// else an `adjustment`) at `at`. Entries the commit writes itself (`recorded`) count
    /// without being made again. In the customer's currency, else `fallback`.
    pub fn entries_for(
        customer: &Customer,
        before: Option<i64>,
        causes: &[Cause],
        at: i64,
        fallback: &str,
        ids: &mut dyn crate::IdGen,
    ) -> Vec<BalanceTransaction> {
        let mut balance = before.unwrap_or(0);
        let mut out = Vec::new();
        let mut entry =
            |kind, invoice: Option<&str>, amount: i64, at: i64, balance: i64| BalanceTransaction {
                id: ids.next("cbtxn_", ID_LEN),
                created: at,
                livemode: customer.livemode,
                customer: customer.id.to_string(),
                currency: customer
                    .currency
                    .clone()
                    .unwrap_or_else(|| fallback.to_owned()),
                amount,
                ending_balance: balance,
                description: None,
                invoice: invoice.map(str::to_owned),
                kind,
                metadata: Metadata::new(),
            };
        for c in causes.iter().filter(|c| c.amount != 0) {
            balance += c.amount;
            if !c.recorded {
                out.push(entry(c.kind, c.invoice.as_deref(), c.amount, c.at, balance));
            }
        }
        let rest = customer.balance - balance;
        if rest != 0 {
            let kind = match before {
                None => BalanceChange::Initial,
                Some(_) => BalanceChange::Adjustment,
            };
            out.push(entry(kind, None, rest, at, customer.balance));
        }
        out
    }

    /// An adjustment of `customer`'s balance through the API: applied to the customer (whose
    /// currency it sets when they have none) and recorded.
    pub fn adjust(
        customer: &mut Customer,
        p: BalanceAdjustment,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<BalanceTransaction> {
        if p.amount == 0 {
            return Err(DomainError::invalid(
                "amount",
                "The amount must not be zero: a negative amount credits the customer, a positive \
                 one debits them.",
            ));
        }
        match &customer.currency {
            Some(c) if *c != p.currency => {
                return Err(DomainError::invalid(
                    "currency",
                    format!(
                        "The customer's balance is in {c}: a balance transaction for them cannot \
                         be in {}.",
                        p.currency
                    ),
                ))
            }
            Some(_) => {}
            None => customer.currency = Some(p.currency.clone()),
        }
        let after = customer.balance.saturating_add(p.amount);
        if !(-MAX_BALANCE..=MAX_BALANCE).contains(&after) {
            return Err(DomainError::invalid(
                "amount",
                format!(
                    "The customer's balance would be {after}, beyond the limit of \
                     ±{MAX_BALANCE}."
                ),
            ));
        }
        let metadata = p.metadata.build("metadata")?;
        let before = customer.balance;
        customer.balance = after;
        let made = BalanceTransaction::entries_for(
            customer,
            Some(before),
            &[],
            ctx.now,
            &p.currency,
            ctx.ids,
        );
        let mut t = made
            .into_iter()
            .next()
            .ok_or_else(|| DomainError::invalid("amount", "The amount must not be zero."))?;
        t.description = p.description;
        t.metadata = metadata;
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::CustomerParams;
    use crate::id::SequentialIds;

    fn customer(ctx: &mut Ctx<'_>) -> Customer {
        Customer::create(CustomerParams::default(), ctx).unwrap()
    }

    fn ctx(ids: &mut SequentialIds) -> Ctx<'_> {
        Ctx {
            now: 10,
            livemode: false,
            ids,
        }
    }

    #[test]
    fn an_adjustment_moves_the_balance_and_sets_the_currency() {
        let mut ids = SequentialIds::default();
        let mut ctx = ctx(&mut ids);
        let mut c = customer(&mut ctx);
        let credit = BalanceAdjustment {
            amount: -500,
            currency: "eur".into(),
            description: Some("Goodwill".into()),
            ..Default::default()
        };
        let t = BalanceTransaction::adjust(&mut c, credit, &mut ctx).unwrap();
        assert_eq!((t.amount, t.ending_balance, c.balance), (-500, -500, -500));
        assert_eq!(
            (t.kind, t.currency.as_str()),
            (BalanceChange::Adjustment, "eur")
        );
        assert_eq!(c.currency.as_deref(), Some("eur"));
        assert!(t.id.starts_with("cbtxn_") && t.created == 10);
        let usd = BalanceAdjustment {
            amount: 100,
            currency: "usd".into(),
            ..Default::default()
        };
        let e = BalanceTransaction::adjust(&mut c, usd, &mut ctx).unwrap_err();
        assert!(matches!(e, DomainError::Invalid { param: Some(p), .. } if p == "currency"));
        let zero = BalanceAdjustment {
            amount: 0,
            currency: "eur".into(),
            ..Default::default()
        };
        assert!(BalanceTransaction::adjust(&mut c, zero, &mut ctx).is_err());
        let huge = BalanceAdjustment {
            amount: -MAX_BALANCE,
            currency: "eur".into(),
            ..Default::default()
        };
        assert!(BalanceTransaction::adjust(&mut c, huge, &mut ctx).is_err());
        assert_eq!(c.balance, -500, "nothing changed by a refused adjustment");
    }

    fn cause(kind: BalanceChange, invoice: &str, amount: i64, at: i64) -> Cause {
        Cause {
            kind,
            invoice: Some(invoice.into()),
            amount,
            at,
            recorded: false,
        }
    }

    #[test]
    fn each_invoice_that_moved_the_balance_has_its_entry_and_the_rest_is_an_adjustment() {
        let mut ids = SequentialIds::default();
        let mut c = customer(&mut ctx(&mut ids));
        // From -1000: a draft finalized took 300 of the credit, a renewal 500, and 50 came from
        // nowhere the commit says.
        c.balance = -150;
        let causes = [
            cause(BalanceChange::AppliedToInvoice, "in_draft", 300, 5),
            cause(BalanceChange::AppliedToInvoice, "in_renewal", 500, 6),
        ];
        let out = BalanceTransaction::entries_for(&c, Some(-1000), &causes, 7, "usd", &mut ids);
        let seen: Vec<_> = out
            .iter()
            .map(|t| {
                (
                    t.kind,
                    t.invoice.as_deref(),
                    t.amount,
                    t.ending_balance,
                    t.created,
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    BalanceChange::AppliedToInvoice,
                    Some("in_draft"),
                    300,
                    -700,
                    5
                ),
                (
                    BalanceChange::AppliedToInvoice,
                    Some("in_renewal"),
                    500,
                    -200,
                    6
                ),
                (BalanceChange::Adjustment, None, 50, -150, 7),
            ]
        );
        // An entry the commit writes itself counts, and is not made again.
        let own = Cause {
            kind: BalanceChange::Adjustment,
            invoice: None,
            amount: 850,
            at: 7,
            recorded: true,
        };
        let out = BalanceTransaction::entries_for(&c, Some(-1000), &[own], 7, "usd", &mut ids);
        assert!(out.is_empty());
        // A new customer's balance is where they start.
        let out = BalanceTransaction::entries_for(&c, None, &[], 1, "usd", &mut ids);
        assert_eq!((out[0].kind, out[0].amount), (BalanceChange::Initial, -150));
    }

    proptest::proptest! {
        /// Whatever moved it, the entries add up to the change and each ends where the next
        /// starts.
        #[test]
        fn the_entries_add_up(
            before in proptest::option::of(-10_000i64..10_000),
            moves in proptest::collection::vec((-5_000i64..5_000, proptest::bool::ANY), 0..5),
            rest in -5_000i64..5_000,
        ) {
            let mut ids = SequentialIds::default();
            let mut c = customer(&mut ctx(&mut ids));
            let causes: Vec<Cause> = moves
                .iter()
                .enumerate()
                .map(|(i, &(amount, recorded))| Cause {
                    recorded,
                    ..cause(BalanceChange::AppliedToInvoice, &format!("in_{i}"), amount, 1)
                })
                .collect();
            let start = before.unwrap_or(0);
            c.balance = start + moves.iter().map(|m| m.0).sum::<i64>() + rest;
            let out = BalanceTransaction::entries_for(&c, before, &causes, 2, "usd", &mut ids);
            let recorded: i64 = causes.iter().filter(|c| c.recorded).map(|c| c.amount).sum();
            proptest::prop_assert_eq!(out.iter().map(|t| t.amount).sum::<i64>() + recorded, c.balance - start);
            proptest::prop_assert!(out.iter().all(|t| t.amount != 0));
            if let Some(last) = out.last() {
                proptest::prop_assert!(last.ending_balance == c.balance || rest == 0);
            }
        }
    }
}
