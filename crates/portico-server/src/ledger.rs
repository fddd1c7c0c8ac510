//! Customer balance ledgers: every commit that changes a customer's `balance` records
//! `customer_balance_transaction`s for it, in the same transaction. Like events, entries are
//! derived from the writes themselves, so no code path that moves a balance can forget one. The
//! invoices written with the customer say what moved it: each one finalized took its share
//! (`applied_to_invoice`), each one voided gave it back (`unapplied_from_invoice`); what they do
//! not explain is the balance a new customer starts with (`initial`) or an `adjustment` (see
//! [`BalanceTransaction::entries_for`]).

use portico_domain::balance_transaction::{BalanceChange, BalanceTransaction, Cause};
use portico_domain::customer::Customer;
use portico_domain::invoice::{Invoice, InvoiceStatus};
use portico_domain::test_clock::TestClock;
use portico_domain::AccountId;
use portico_store::{Object, Record, Store, StoreError, Versioned};

/// The ledger entries `changes` (each written record with what it was, as the commit sees them)
/// call for, as records to insert. Entries nothing dates otherwise are dated `now`, or the
/// customer's test clock time.
pub async fn entries(
    store: &dyn Store,
    account: &AccountId,
    changes: &[Option<(&Record, Option<Record>)>],
    now: i64,
    fallback_currency: &str,
) -> Result<Vec<Record>, StoreError> {
    let written = || changes.iter().flatten();
    // Each customer as the commit found it (`None`: new) and as it leaves it.
    let mut customers: Vec<(&Record, Option<&Record>, &Record)> = Vec::new();
    for (record, old) in written().filter(|(r, _)| r.kind == Customer::KIND) {
        match customers
            .iter_mut()
            .find(|(first, _, _)| first.id == record.id)
        {
            Some((_, _, last)) => *last = record,
            None => customers.push((record, old.as_ref(), record)),
        }
    }
    let mut out = Vec::new();
    for (_, before, after) in customers {
        let customer = portico_store::decode::<Customer>(store, account, after)?.value;
        let before = before
            .map(|o| portico_store::decode::<Customer>(store, account, o))
            .transpose()?
            .map(|c| c.value.balance);
        // Unchanged, it may still have moved there and back (an invoice finalized and voided at
        // once, as paused collection does): only an invoice that took a balance can have done
        // that, which its stored starting balance says without decoding it.
        let unchanged = before.unwrap_or(0) == customer.balance;
        if unchanged && !written().any(|(r, _)| took_a_balance(r, customer.id.as_str())) {
            continue;
        }
        let causes = causes(store, account, changes, customer.id.as_str())?;
        if unchanged && !causes.iter().any(|c| c.amount != 0 && !c.recorded) {
            continue;
        }
        let at = match &customer.test_clock {
            Some(id) => portico_store::get::<TestClock>(store, account, id)
                .await?
                .map_or(now, |c| c.value.frozen_time),
            None => now,
        };
        let mut ids = crate::ids::Ids;
        out.extend(
            BalanceTransaction::entries_for(
                &customer,
                before,
                &causes,
                at,
                fallback_currency,
                &mut ids,
            )
            .iter()
            .map(Versioned::new_record),
        );
    }
    Ok(out)
}

/// Whether `record` is an invoice of `customer` that took some of their balance.
fn took_a_balance(record: &Record, customer: &str) -> bool {
    record.kind == Invoice::KIND
        && record.parent.as_deref() == Some(customer)
        && crate::events::top_level_i64(&record.data, "starting_balance").is_some_and(|b| b != 0)
}

/// What moved `customer`'s balance in this commit: the invoices of theirs it finalized or
/// voided, and the entries it writes itself.
fn causes(
    store: &dyn Store,
    account: &AccountId,
    changes: &[Option<(&Record, Option<Record>)>],
    customer: &str,
) -> Result<Vec<Cause>, StoreError> {
    let mut out = Vec::new();
    for (record, old) in changes.iter().flatten() {
        if record.parent.as_deref() != Some(customer) {
            continue;
        }
        if record.kind == BalanceTransaction::KIND && old.is_none() {
            let t = portico_store::decode::<BalanceTransaction>(store, account, record)?.value;
            out.push(Cause {
                kind: t.kind,
                invoice: t.invoice,
                amount: t.amount,
                at: t.created,
                recorded: true,
            });
            continue;
        }
        if record.kind != Invoice::KIND {
            continue;
        }
        let inv = portico_store::decode::<Invoice>(store, account, record)?.value;
        let was = old
            .as_ref()
            .map(|o| portico_store::decode::<Invoice>(store, account, o))
            .transpose()?
            .map(|i| i.value.status);
        let t = &inv.status_transitions;
        // Finalized by this commit (and perhaps voided too, as paused collection does).
        if let Some(at) = t.finalized_at {
            if was.is_none_or(|s| s == InvoiceStatus::Draft) {
                out.push(Cause {
                    kind: BalanceChange::AppliedToInvoice,
                    invoice: Some(inv.id.clone()),
                    amount: inv.balance_taken(),
                    at,
                    recorded: false,
                });
            }
        }
        if let (InvoiceStatus::Void, Some(at)) = (inv.status, t.voided_at) {
            if was != Some(InvoiceStatus::Void) {
                out.push(Cause {
                    kind: BalanceChange::UnappliedFromInvoice,
                    invoice: Some(inv.id.clone()),
                    amount: -inv.balance_taken(),
                    at,
                    recorded: false,
                });
            }
        }
    }
    Ok(out)
}
