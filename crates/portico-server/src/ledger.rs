//! Customer balance ledgers: every commit that changes a customer's `balance` records a
//! `customer_balance_transaction` for it, in the same transaction. Like events, entries are
//! derived from the writes themselves, so no code path that moves a balance can forget one. The
//! cause is read from the invoices written with the customer: one finalized took the balance
//! (`applied_to_invoice`), one voided gave it back (`unapplied_from_invoice`); a customer made
//! with a balance starts with an `initial` entry, and any other change is an `adjustment`.

use portico_domain::balance_transaction::{BalanceChange, BalanceTransaction};
use portico_domain::customer::Customer;
use portico_domain::invoice::{Invoice, InvoiceStatus};
use portico_domain::Ctx;
use portico_store::{Object, Record, StoreError, Versioned};

/// The ledger entries `changes` (each written record with what it was, as the commit sees them)
/// call for, as records to insert, dated `now`. A commit that writes its own entry for a
/// customer (an adjustment through the API) gets none derived for that customer.
pub fn entries(
    changes: &[Option<(&Record, Option<Record>)>],
    now: i64,
    fallback_currency: &str,
) -> Result<Vec<Record>, StoreError> {
    let written = || changes.iter().flatten();
    let explicit: Vec<&str> = written()
        .filter(|(r, old)| r.kind == BalanceTransaction::KIND && old.is_none())
        .filter_map(|(r, _)| r.parent.as_deref())
        .collect();
    let mut out = Vec::new();
    for (record, old) in written().filter(|(r, _)| r.kind == Customer::KIND) {
        if explicit.contains(&record.id.as_str()) {
            continue;
        }
        let customer = Versioned::<Customer>::from_record(record)?.value;
        let before = match old {
            Some(o) => Versioned::<Customer>::from_record(o)?.value.balance,
            None => 0,
        };
        if customer.balance == before {
            continue;
        }
        // Dated as what caused it (on its test clock's time), else when committed.
        let (kind, invoice, at) = match old {
            None => (BalanceChange::Initial, None, customer.created),
            Some(_) => match cause(changes, customer.id.as_str())? {
                Some((kind, inv, at)) => (kind, Some(inv), at),
                None => (BalanceChange::Adjustment, None, now),
            },
        };
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now: at,
            livemode: customer.livemode,
            ids: &mut ids,
        };
        let entry = BalanceTransaction::of_change(
            &customer,
            before,
            kind,
            invoice.as_deref(),
            fallback_currency,
            &mut ctx,
        );
        out.extend(entry.map(|t| Versioned::new_record(&t)));
    }
    Ok(out)
}

/// Why `customer`'s balance changed in this commit, when an invoice of theirs finalized or
/// voided in it did it: how, the invoice, and when.
fn cause(
    changes: &[Option<(&Record, Option<Record>)>],
    customer: &str,
) -> Result<Option<(BalanceChange, String, i64)>, StoreError> {
    for (record, old) in changes.iter().flatten() {
        if record.kind != Invoice::KIND || record.parent.as_deref() != Some(customer) {
            continue;
        }
        let inv = Versioned::<Invoice>::from_record(record)?.value;
        let was = match old {
            Some(o) => Some(Versioned::<Invoice>::from_record(o)?.value.status),
            None => None,
        };
        let t = &inv.status_transitions;
        if let (InvoiceStatus::Void, Some(at)) = (inv.status, t.voided_at) {
            if was.is_some_and(|s| s != InvoiceStatus::Void) {
                return Ok(Some((BalanceChange::UnappliedFromInvoice, inv.id, at)));
            }
        }
        if let Some(at) = t.finalized_at {
            if was.is_none_or(|s| s == InvoiceStatus::Draft) {
                return Ok(Some((BalanceChange::AppliedToInvoice, inv.id, at)));
            }
        }
    }
    Ok(None)
}
