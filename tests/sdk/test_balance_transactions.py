"""A customer's balance ledger (`/v1/customers/{id}/balance_transactions`): adjustments made
through the API, and the entries Portico records by itself whenever a balance moves: the balance a
customer starts with, a change of `balance` on the customer, an invoice taking credit as it is
finalized, and a voided invoice giving it back."""

import pytest

from helpers import APR1, body_of, carded_customer, check, expect_error, make_client, new_key, sdk_shape

# The fields stripe-python 15 (API version 2026-07-29.dahlia) gives the object; the published
# spec subsets do not carry its schema.
FIELDS = {
    "id", "object", "amount", "checkout_session", "created", "credit_note", "currency",
    "customer", "customer_account", "description", "ending_balance", "invoice", "livemode",
    "metadata", "type",
}


def shape(t):
    body = sdk_shape(t, FIELDS, "customer_balance_transaction", "cbtxn_")
    assert (body["checkout_session"], body["credit_note"], body["customer_account"]) == (None, None, None)
    return t


def ledger(v1, cus):
    return [shape(t) for t in v1.customers.balance_transactions.list(cus).auto_paging_iter()]


@pytest.fixture
def plan(v1):
    return v1.prices.create({"product": v1.products.create({"name": "Plan"}).id, "currency": "usd",
                             "unit_amount": 3000, "recurring": {"interval": "month"}}).id


def test_an_adjustment_credits_the_customer(v1):
    cus = v1.customers.create({"email": "a@example.com"})
    t = shape(v1.customers.balance_transactions.create(
        cus.id, {"amount": -500, "currency": "usd", "description": "Goodwill", "metadata": {"ticket": "7"}}))
    assert (t.amount, t.ending_balance, t.type, t.currency) == (-500, -500, "adjustment", "usd")
    assert (t.customer, t.invoice, t.description, t.metadata.to_dict()) == (cus.id, None, "Goodwill", {"ticket": "7"})
    after = check(v1.customers.retrieve(cus.id))
    assert (after.balance, after.currency) == (-500, "usd"), "the first entry sets the currency"
    assert body_of(v1.customers.balance_transactions.retrieve(cus.id, t.id)) == body_of(t)
    debit = v1.customers.balance_transactions.create(cus.id, {"amount": 200, "currency": "usd"})
    assert (debit.amount, debit.ending_balance) == (200, -300)
    assert [x.id for x in ledger(v1, cus.id)] == [debit.id, t.id], "newest first"
    types = [e.type for e in v1.events.list({"limit": 10}).data]
    assert "customer.updated" in types and not any(x.startswith("customer_balance") for x in types)

    changed = v1.customers.balance_transactions.update(cus.id, t.id, {"description": "Apology", "metadata": {"ticket": ""}})
    assert (changed.description, changed.metadata.to_dict(), changed.amount) == ("Apology", {}, -500)
    assert v1.customers.balance_transactions.update(cus.id, t.id, {"description": ""}).description is None


def test_every_change_of_the_balance_is_an_entry(v1):
    cus = v1.customers.create({"email": "b@example.com", "balance": 1000})
    assert [(t.type, t.amount, t.ending_balance) for t in ledger(v1, cus.id)] == [("initial", 1000, 1000)]
    assert ledger(v1, cus.id)[0].currency == "usd", "the account's, the customer having none"
    assert v1.customers.retrieve(cus.id).currency == "usd", "which the balance holds them to"
    expect_error(lambda: v1.customers.balance_transactions.create(cus.id, {"amount": 1, "currency": "eur"}),
                 param="currency")
    v1.customers.update(cus.id, {"balance": -250})
    assert [(t.type, t.amount, t.ending_balance) for t in ledger(v1, cus.id)][0] == ("adjustment", -1250, -250)
    v1.customers.update(cus.id, {"name": "No balance change"})
    assert len(ledger(v1, cus.id)) == 2
    assert ledger(v1, v1.customers.create({}).id) == [], "no balance, no entry"


def test_an_invoice_takes_the_credit_and_gives_it_back_when_voided(v1, plan):
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    v1.customers.balance_transactions.create(cus.id, {"amount": -500, "currency": "usd"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    inv = check(v1.invoices.retrieve(sub.latest_invoice))
    assert (inv.starting_balance, inv.ending_balance, inv.amount_paid) == (-500, 0, 2500)
    applied = ledger(v1, cus.id)[0]
    assert (applied.type, applied.amount, applied.ending_balance, applied.invoice) == (
        "applied_to_invoice", 500, 0, inv.id)
    assert applied.created == APR1, "at the clock's time"
    assert [t.id for t in v1.customers.balance_transactions.list(cus.id, {"invoice": inv.id}).data] == [applied.id]
    expanded = v1.customers.balance_transactions.retrieve(cus.id, applied.id, {"expand": ["invoice", "customer"]})
    assert (expanded.invoice.id, expanded.customer.id) == (inv.id, cus.id)

    # An open invoice that took credit gives it back when voided.
    draft = check(v1.invoices.create({"customer": cus.id}))
    v1.invoice_items.create({"customer": cus.id, "amount": 900, "invoice": draft.id})
    v1.customers.balance_transactions.create(cus.id, {"amount": -400, "currency": "usd"})
    opened = check(v1.invoices.finalize_invoice(draft.id))
    assert (opened.starting_balance, opened.amount_due) == (-400, 500)
    v1.invoices.void_invoice(draft.id)
    entries = ledger(v1, cus.id)
    assert [(t.type, t.amount, t.invoice) for t in entries[:2]] == [
        ("unapplied_from_invoice", -400, draft.id), ("applied_to_invoice", 400, draft.id)]
    assert v1.customers.retrieve(cus.id).balance == -400
    # The ledger adds up to the balance.
    assert sum(t.amount for t in entries) == -400 == entries[0].ending_balance


def test_bad_requests_are_named(v1):
    cus = v1.customers.create({"email": "c@example.com"})
    create = lambda **p: v1.customers.balance_transactions.create(cus.id, p)
    expect_error(lambda: create(currency="usd"), param="amount", code="parameter_missing")
    expect_error(lambda: create(amount=100), param="currency", code="parameter_missing")
    expect_error(lambda: create(amount=0, currency="usd"), param="amount")
    expect_error(lambda: create(amount=100, currency="zzz"), param="currency")
    expect_error(lambda: create(amount=-10_000_000_000_000, currency="usd"), param="amount")
    expect_error(lambda: create(amount=100, currency="usd", description="x" * 351), param="description")
    create(amount=100, currency="usd")
    expect_error(lambda: create(amount=100, currency="eur"), param="currency", message="in usd")
    assert v1.customers.retrieve(cus.id).balance == 100, "nothing refused was applied"
    expect_error(lambda: v1.customers.balance_transactions.create("cus_nope", {"amount": 1, "currency": "usd"}),
                 status=404)
    other = v1.customers.create({})
    mine = ledger(v1, cus.id)[0]
    expect_error(lambda: v1.customers.balance_transactions.retrieve(other.id, mine.id), status=404)
    expect_error(lambda: v1.customers.balance_transactions.update(other.id, mine.id, {"description": "x"}), status=404)
    expect_error(lambda: v1.customers.balance_transactions.update(cus.id, mine.id, {"amount": 5}))


def test_accounts_are_isolated(v1, portico_url):
    cus = v1.customers.create({"balance": 300})
    t = ledger(v1, cus.id)[0]
    stranger = make_client(portico_url, new_key()).v1
    expect_error(lambda: stranger.customers.balance_transactions.retrieve(cus.id, t.id), status=404)
    expect_error(lambda: stranger.customers.balance_transactions.list(cus.id), status=404)


def test_a_paused_renewal_voided_at_once_takes_the_credit_and_gives_it_back(v1, plan):
    from helpers import DAY, HOUR
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    v1.customers.balance_transactions.create(cus.id, {"amount": -300, "currency": "usd"})
    v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "void"}})
    v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": APR1 + 30 * DAY + HOUR})
    renewal = check(v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice))
    assert renewal.status == "void"
    entries = ledger(v1, cus.id)
    assert [(t.type, t.amount, t.ending_balance, t.invoice) for t in entries[:2]] == [
        ("unapplied_from_invoice", -300, -300, renewal.id), ("applied_to_invoice", 300, 0, renewal.id)]
    assert v1.customers.retrieve(cus.id).balance == -300


def test_an_invoice_in_another_currency_leaves_the_balance_alone(v1):
    cus = v1.customers.create({"email": "gbp@example.com", "balance": -300})
    assert v1.customers.retrieve(cus.id).currency == "usd"
    draft = check(v1.invoices.create({"customer": cus.id, "currency": "gbp"}))
    v1.invoice_items.create({"customer": cus.id, "amount": 1000, "currency": "gbp", "invoice": draft.id})
    opened = check(v1.invoices.finalize_invoice(draft.id))
    assert (opened.starting_balance, opened.amount_due) == (0, 1000)
    assert v1.customers.retrieve(cus.id).balance == -300
    assert [t.type for t in ledger(v1, cus.id)] == ["initial"]
