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

/// `POST /v1/customers/{id}/balance_transactions`, as read.
#[derive(Clone, Debug, Default)]
pub struct BalanceAdjustment {
    pub amount: i64,
    pub currency: String,
    pub description: Option<String>,
    pub metadata: MetadataUpdate,
}

impl BalanceTransaction {
    /// The entry for a change of `customer`'s balance from `before` to what it is now; `None`
    /// when it did not change. In the customer's currency, else `fallback` (the account's).
    pub fn of_change(
        customer: &Customer,
        before: i64,
        kind: BalanceChange,
        invoice: Option<&str>,
        fallback: &str,
        ctx: &mut Ctx<'_>,
    ) -> Option<BalanceTransaction> {
        (customer.balance != before).then(|| BalanceTransaction {
            id: ctx.ids.next("cbtxn_", ID_LEN),
            created: ctx.now,
            livemode: customer.livemode,
            customer: customer.id.to_string(),
            currency: customer
                .currency
                .clone()
                .unwrap_or_else(|| fallback.to_owned()),
            amount: customer.balance - before,
            ending_balance: customer.balance,
            description: None,
            invoice: invoice.map(str::to_owned),
            kind,
            metadata: Metadata::new(),
        })
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
        let mut t = BalanceTransaction::of_change(
            customer,
            before,
            BalanceChange::Adjustment,
            None,
            &p.currency,
            ctx,
        )
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

    #[test]
    fn a_change_is_recorded_only_when_there_is_one() {
        let mut ids = SequentialIds::default();
        let mut ctx = ctx(&mut ids);
        let mut c = customer(&mut ctx);
        let kind = BalanceChange::AppliedToInvoice;
        assert!(BalanceTransaction::of_change(&c, 0, kind, None, "usd", &mut ctx).is_none());
        c.balance = 0;
        let before = -300;
        let t =
            BalanceTransaction::of_change(&c, before, kind, Some("in_1"), "usd", &mut ctx).unwrap();
        assert_eq!(
            (t.amount, t.ending_balance),
            (300, 0),
            "the credit was used up"
        );
        assert_eq!(
            (t.invoice.as_deref(), t.currency.as_str()),
            (Some("in_1"), "usd")
        );
    }
}
