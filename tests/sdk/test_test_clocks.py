"""Test clocks drive the billing engine: renewals, trial ends, retries, cancellations, in order."""

import pytest
import stripe

from helpers import HOUR, check, expect_error

DAY = 86400
T0 = 1_767_225_600  # 2026-01-01 00:00:00 UTC


@pytest.fixture
def plan(v1):
    product = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}}})
    return product.default_price


def on_clock(v1, card="pm_card_visa", start=T0):
    clock = check(v1.test_helpers.test_clocks.create({"frozen_time": start, "name": "scenario"}))
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": card,
                               "invoice_settings": {"default_payment_method": card}})
    return clock, cus


def advance(v1, clock, to):
    c = check(v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": to}))
    assert c.status == "ready" and c.frozen_time == to
    return c


def make_default(v1, cus, card):
    """Attaches `card` to `cus` and makes it their default; gives the payment method."""
    pm = v1.payment_methods.attach(card, {"customer": cus.id})
    v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": pm.id}})
    return pm


def failing_card(v1, plan):
    """A subscription from T0 whose customer's card declines from then on; and its first
    renewal's time (February 1)."""
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    make_default(v1, cus, "pm_card_chargeCustomerFail")
    return clock, cus, sub, T0 + 31 * DAY


def renewal_draft(v1, plan):
    """A subscription from T0 renewed on February 1 (a minute ago): its invoice a draft."""
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    feb1 = T0 + 31 * DAY
    advance(v1, clock, feb1 + 60)
    return clock, cus, sub, feb1, v1.subscriptions.retrieve(sub.id).latest_invoice


def event_types(v1, since_id=None):
    events = [e for e in v1.events.list({"limit": 100}).data][::-1]
    return [e.type for e in events]


def test_clock_object(v1):
    clock = check(v1.test_helpers.test_clocks.create({"frozen_time": T0, "name": "mine"}))
    assert clock.id.startswith("clock_") and clock.status == "ready" and clock.frozen_time == T0
    assert clock.deletes_after == clock.created + 30 * DAY
    assert [c.id for c in check(v1.test_helpers.test_clocks.list()).data] == [clock.id]
    expect_error(lambda: v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": T0 - 1}), param="frozen_time")
    cus = v1.customers.create({"test_clock": clock.id})
    assert cus.test_clock == clock.id and cus.created == T0
    assert [c.id for c in v1.customers.list({"test_clock": clock.id}).data] == [cus.id]
    gone = v1.test_helpers.test_clocks.delete(clock.id)
    assert gone.deleted is True
    assert v1.customers.retrieve(cus.id).deleted is True
    expect_error(lambda: v1.test_helpers.test_clocks.retrieve(clock.id), status=404)
    expect_error(lambda: v1.customers.create({"test_clock": "clock_nope"}), code="resource_missing", param="test_clock")


def test_scenario_renewal_decline_card_update_retry_cancel(v1, plan):
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    assert sub.status == "active" and sub.start_date == T0
    feb1 = T0 + 31 * DAY
    assert sub["items"].data[0].current_period_end == feb1
    mark = len(event_types(v1))

    # 0. An upgrade mid-period: prorations wait for the renewal.
    pro = v1.prices.create({"product": v1.prices.retrieve(plan).product, "currency": "usd", "unit_amount": 3100,
                            "recurring": {"interval": "month"}})
    advance(v1, clock, T0 + 16 * DAY)
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": pro.id}]})

    # 1. The first renewal is paid: the prorations (15 of 31 days) and the new price.
    advance(v1, clock, feb1 + 3600)
    sub = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert sub.status == "active"
    assert (sub["items"].data[0].current_period_start, sub["items"].data[0].current_period_end) == (feb1, T0 + 59 * DAY)
    inv = sub.latest_invoice
    assert [l.amount for l in inv.lines.data] == [-726, 1500, 3100]
    assert (inv.billing_reason, inv.status, inv.amount_paid, inv.created) == ("subscription_cycle", "paid", 3874, feb1)
    assert inv.number.endswith("-0002")

    # 2. The card starts failing: the next renewal is declined, the subscription is past due.
    make_default(v1, cus, "pm_card_chargeCustomerFail")
    mar1 = T0 + 59 * DAY
    advance(v1, clock, mar1 + 3600)
    sub = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert sub.status == "past_due"
    failed = sub.latest_invoice
    assert (failed.status, failed.attempt_count, failed.next_payment_attempt) == ("open", 1, mar1 + 3 * DAY)

    # 3. The customer updates the card; the scheduled retry succeeds.
    make_default(v1, cus, "pm_card_visa")
    advance(v1, clock, mar1 + 3 * DAY + 60)
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    paid = v1.invoices.retrieve(failed.id)
    assert (paid.status, paid.attempt_count, paid.next_payment_attempt) == ("paid", 2, None)

    # 4. Cancel at the period end, then advance past it.
    sub = v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    apr1 = T0 + 90 * DAY
    assert sub.cancel_at == apr1
    advance(v1, clock, apr1 + DAY)
    sub = v1.subscriptions.retrieve(sub.id)
    assert (sub.status, sub.ended_at, sub.cancellation_details.reason) == ("canceled", apr1, "cancellation_requested")
    assert len(v1.invoices.list({"subscription": sub.id}).data) == 3, "no invoice after cancellation"

    got = event_types(v1)[mark:]
    assert got == [
        "price.created",
        "test_helpers.test_clock.advancing", "test_helpers.test_clock.ready",
        # The upgrade and the two prorations it makes, which are invoice items.
        "customer.subscription.updated", "invoiceitem.created", "invoiceitem.created",
        "test_helpers.test_clock.advancing",
        "invoice.upcoming",
        "customer.subscription.updated", "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded",
        "test_helpers.test_clock.ready",
        "payment_method.attached", "customer.updated",
        "test_helpers.test_clock.advancing",
        "invoice.upcoming",
        # The renewal, its invoice, then the decline's own change: past due.
        "customer.subscription.updated", "invoice.created", "invoice.finalized", "invoice.payment_failed",
        "customer.subscription.updated",
        "test_helpers.test_clock.ready",
        "payment_method.attached", "customer.updated",
        "test_helpers.test_clock.advancing",
        "invoice.paid", "invoice.payment_succeeded", "customer.subscription.updated",
        "test_helpers.test_clock.ready",
        "customer.subscription.updated",
        "test_helpers.test_clock.advancing",
        "customer.subscription.deleted",
        "test_helpers.test_clock.ready",
    ], got
    # The renewal is announced still active; the decline after it makes the subscription past due.
    declined = [e for e in v1.events.list({"type": "customer.subscription.updated", "limit": 100}).data
                if e.data.object.latest_invoice == failed.id][::-1][:2]
    assert [e.data.object.status for e in declined] == ["active", "past_due"]
    assert declined[1].data.previous_attributes.to_dict() == {"status": "active"}
    # The upcoming invoice says when it will be charged: at the renewal it previews.
    upcoming = [e.data.object for e in v1.events.list({"type": "invoice.upcoming"}).data]
    assert [u.next_payment_attempt for u in upcoming] == [T0 + 59 * DAY + HOUR, T0 + 31 * DAY + HOUR]
    assert all(u.next_payment_attempt == u.period_end + HOUR for u in upcoming)


def test_a_renewal_preview_says_when_it_is_charged(v1, plan):
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    preview = v1.invoices.create_preview({"subscription": sub.id})
    assert preview.next_payment_attempt - HOUR == sub["items"].data[0].current_period_end == preview.created


def test_trial_ends_into_a_paid_renewal(v1, plan):
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "trial_period_days": 7})
    assert sub.status == "trialing"
    trial_end = T0 + 7 * DAY
    advance(v1, clock, trial_end + 1)
    sub = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    item = sub["items"].data[0]
    assert (item.current_period_start, item.current_period_end) == (trial_end, trial_end + 31 * DAY)
    # As on Stripe, the renewal's invoice waits an hour as a draft (for webhook handlers to see
    # invoice.created and change it), then is finalized and charged.
    draft = sub.latest_invoice
    assert sub.status == "active" and (draft.status, draft.number, draft.amount_paid) == ("draft", None, 0)
    assert draft.automatically_finalizes_at == draft.next_payment_attempt == trial_end + HOUR
    v1.invoices.update(draft.id, {"description": "Thanks for staying", "metadata": {"seen": "yes"}})
    advance(v1, clock, trial_end + HOUR)
    paid = v1.invoices.retrieve(draft.id)
    assert (paid.status, paid.amount_paid, paid.description, paid.automatically_finalizes_at) == (
        "paid", 1500, "Thanks for staying", None)
    assert paid.status_transitions.finalized_at == paid.status_transitions.paid_at == trial_end + HOUR
    assert paid.created == trial_end and paid.number is not None


def test_a_renewal_draft_is_announced_then_finalized_an_hour_later(v1, plan):
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    feb1 = T0 + 31 * DAY
    advance(v1, clock, feb1)
    draft = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert (draft.status, draft.billing_reason, draft.auto_advance) == ("draft", "subscription_cycle", True)
    created = [e for e in v1.events.list({"type": "invoice.created", "limit": 1}).data][0]
    assert created.data.object.id == draft.id and created.data.object.status == "draft"
    mark = len(event_types(v1))
    # A subscription's draft cannot be deleted; it is finalized and charged when its hour is up.
    expect_error(lambda: v1.invoices.delete(draft.id), message="generated by a subscription")
    advance(v1, clock, feb1 + HOUR)
    assert event_types(v1)[mark:] == [
        "test_helpers.test_clock.advancing",
        "invoice.finalized", "invoice.paid", "invoice.payment_succeeded",
        "test_helpers.test_clock.ready",
    ]


def test_a_renewal_draft_finalized_or_paid_by_hand_is_charged_once(v1, plan):
    clock, cus = on_clock(v1)
    a = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    b = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    feb1 = T0 + 31 * DAY
    advance(v1, clock, feb1 + 60)
    da, db = (v1.subscriptions.retrieve(s.id).latest_invoice for s in (a, b))
    # Finalized by hand, it waits open and is charged at the hour; paid by hand (a draft is
    # finalized first), nothing is left for the hour.
    opened = check(v1.invoices.finalize_invoice(da))
    assert (opened.status, opened.amount_paid, opened.next_payment_attempt) == ("open", 0, feb1 + HOUR)
    paid = check(v1.invoices.pay(db))
    assert (paid.status, paid.amount_paid) == ("paid", 1500) and paid.number is not None
    advance(v1, clock, feb1 + HOUR)
    for inv in (da, db):
        done = v1.invoices.retrieve(inv)
        assert (done.status, done.amount_paid, done.attempt_count) == ("paid", 1500, 1), inv


def test_a_renewal_draft_outlives_its_subscription_uncollected(v1, plan):
    # Canceled during the draft's hour, the subscription's last invoice is still finalized, but
    # not collected: Stripe stops collecting a canceled subscription's invoices.
    clock, cus, sub, feb1, draft = renewal_draft(v1, plan)
    v1.subscriptions.cancel(sub.id)
    advance(v1, clock, feb1 + HOUR)
    inv = v1.invoices.retrieve(draft)
    assert (inv.status, inv.attempt_count, inv.amount_paid, inv.auto_advance, inv.next_payment_attempt) == (
        "open", 0, 0, False, None)
    assert v1.subscriptions.retrieve(sub.id).status == "canceled"
    # Canceled with `prorate` at the renewal itself: the unused time of the new period is a
    # pending credit for the customer's next invoice; the draft is finalized uncollected all the
    # same, and the clock goes on.
    clock2, cus2 = on_clock(v1)
    sub2 = v1.subscriptions.create({"customer": cus2.id, "items": [{"price": plan}]})
    advance(v1, clock2, feb1)
    draft2 = v1.subscriptions.retrieve(sub2.id).latest_invoice
    v1.subscriptions.cancel(sub2.id, {"prorate": True})
    advance(v1, clock2, feb1 + HOUR)
    advance(v1, clock2, feb1 + 2 * HOUR)
    left = v1.invoices.retrieve(draft2)
    assert (left.status, left.amount_paid) == ("open", 0)
    (credit,) = v1.invoice_items.list({"customer": cus2.id, "pending": True}).data
    assert credit.proration and credit.amount == -left.total
    assert v1.customers.retrieve(cus2.id).balance == 0


def test_paying_a_draft_that_a_credit_covers_answers_paid(v1, plan):
    clock, cus, sub, feb1, draft = renewal_draft(v1, plan)
    v1.customers.update(cus.id, {"balance": -5000})
    paid = check(v1.invoices.pay(draft))
    assert (paid.status, paid.amount_due, paid.starting_balance, paid.ending_balance) == ("paid", 0, -5000, -3500)
    assert v1.customers.retrieve(cus.id).balance == -3500
    expect_error(lambda: v1.invoices.pay(draft), message="status is paid")


def test_a_draft_whose_collection_is_turned_off_stays_a_draft(v1, plan):
    clock, cus, sub, feb1, draft = renewal_draft(v1, plan)
    held = check(v1.invoices.update(draft, {"auto_advance": False}))
    assert (held.automatically_finalizes_at, held.next_payment_attempt) == (None, None)
    advance(v1, clock, feb1 + 2 * HOUR)
    assert v1.invoices.retrieve(draft).status == "draft"
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    # Turned back on after its hour, it waits an hour from then and is collected.
    again = check(v1.invoices.update(draft, {"auto_advance": True}))
    assert again.automatically_finalizes_at == again.next_payment_attempt == feb1 + 3 * HOUR
    advance(v1, clock, feb1 + 3 * HOUR)
    assert v1.invoices.retrieve(draft).status == "paid"


def test_ending_a_trial_added_during_the_hour_collects_both_as_the_request_asks(v1, plan):
    clock, cus, sub, feb1, draft = renewal_draft(v1, plan)
    assert v1.subscriptions.update(sub.id, {"trial_end": feb1 + 3 * HOUR}).status == "trialing"
    visa = v1.customers.retrieve(cus.id).invoice_settings.default_payment_method
    make_default(v1, cus, "pm_card_chargeCustomerFail")
    item = sub["items"].data[0].id
    # A declined charge refuses the whole request, as outside the hour: nothing is stored.
    expect_error(lambda: v1.subscriptions.update(sub.id, {
        "trial_end": "now", "payment_behavior": "error_if_incomplete", "items": [{"id": item, "quantity": 2}]}),
        stripe.CardError, status=402)
    assert v1.subscriptions.retrieve(sub.id).status == "trialing"
    assert v1.invoices.retrieve(draft).status == "draft"
    v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": visa}})
    ended = v1.subscriptions.update(sub.id, {"trial_end": "now", "payment_behavior": "error_if_incomplete",
                                            "expand": ["latest_invoice"]})
    assert ended.status == "active" and ended.latest_invoice.status == "paid"
    assert v1.invoices.retrieve(draft).status == "paid", "the waiting draft was collected first"


def test_a_paid_renewal_leaves_an_older_unpaid_invoice_on_its_retries(v1):
    # Daily: the first renewal is declined; the next one, paid with its own card, does not
    # forgive it: the subscription stays past due and the older invoice is still retried.
    daily = v1.prices.create({"product_data": {"name": "Daily"}, "currency": "usd", "unit_amount": 100,
                              "recurring": {"interval": "day"}})
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": daily.id}]})
    visa = v1.customers.retrieve(cus.id).invoice_settings.default_payment_method
    make_default(v1, cus, "pm_card_chargeCustomerFail")
    advance(v1, clock, T0 + DAY + HOUR)
    first = v1.subscriptions.retrieve(sub.id)
    assert first.status == "past_due"
    advance(v1, clock, T0 + 2 * DAY + 60)
    second = v1.subscriptions.retrieve(sub.id).latest_invoice
    v1.invoices.update(second, {"default_payment_method": visa})
    advance(v1, clock, T0 + 2 * DAY + HOUR)
    assert v1.invoices.retrieve(second).status == "paid"
    older = v1.invoices.retrieve(first.latest_invoice)
    assert (older.status, older.next_payment_attempt) == ("open", T0 + DAY + 3 * DAY)
    assert v1.subscriptions.retrieve(sub.id).status == "past_due"


def test_the_drafts_own_card_is_charged_at_the_hour(v1, plan):
    clock, cus, sub, feb1, draft = renewal_draft(v1, plan)
    visa = v1.customers.retrieve(cus.id).invoice_settings.default_payment_method
    make_default(v1, cus, "pm_card_chargeCustomerFail")
    v1.invoices.update(draft, {"default_payment_method": visa})
    advance(v1, clock, feb1 + HOUR)
    assert v1.invoices.retrieve(draft).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_paying_the_unpaid_invoice_during_a_renewals_hour_restores_good_standing(v1, plan):
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    advance(v1, clock, T0 + 15 * DAY)
    waiting = v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 2}],
                                               "proration_behavior": "always_invoice",
                                               "payment_behavior": "default_incomplete"})
    assert waiting.status == "past_due"
    unpaid = waiting.latest_invoice
    feb1 = T0 + 31 * DAY
    advance(v1, clock, feb1 + 60)
    assert v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice).status == "draft"
    assert check(v1.invoices.pay(unpaid)).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_an_expired_pending_update_voids_its_own_invoice_not_the_renewal(v1, plan):
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    feb1 = T0 + 31 * DAY
    advance(v1, clock, feb1 - 2 * HOUR)
    make_default(v1, cus, "pm_card_chargeCustomerFail")
    held = v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 3}],
                                            "proration_behavior": "always_invoice",
                                            "payment_behavior": "pending_if_incomplete"})
    pending_invoice = held.latest_invoice
    assert held.pending_update is not None
    advance(v1, clock, feb1 + 60)
    renewal = v1.subscriptions.retrieve(sub.id).latest_invoice
    assert renewal != pending_invoice
    advance(v1, clock, feb1 + 23 * HOUR)
    assert v1.invoices.retrieve(pending_invoice).status == "void"
    assert v1.invoices.retrieve(renewal).status == "open", "the renewal is still owed"


def test_canceling_stops_the_collection_of_open_invoices(v1, plan):
    clock, cus, sub, feb1 = failing_card(v1, plan)
    advance(v1, clock, feb1 + HOUR)
    failed = v1.subscriptions.retrieve(sub.id).latest_invoice
    assert v1.invoices.retrieve(failed).next_payment_attempt == feb1 + 3 * DAY
    v1.subscriptions.cancel(sub.id)
    stopped = v1.invoices.retrieve(failed)
    assert (stopped.status, stopped.auto_advance, stopped.next_payment_attempt) == ("open", False, None)


def test_a_failed_payment_by_hand_in_the_hour_starts_the_retries(v1, plan):
    clock, cus, sub, feb1, draft = renewal_draft(v1, plan)
    bad = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": cus.id})
    expect_error(lambda: v1.invoices.pay(draft, {"payment_method": bad.id}), stripe.CardError, status=402)
    # Past due at once, as after any failed renewal payment, with its retry three days on.
    now = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert (now.status, now.latest_invoice.status, now.latest_invoice.attempt_count) == ("past_due", "open", 1)
    assert now.latest_invoice.next_payment_attempt == feb1 + 3 * DAY
    latest = v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data[0]
    assert (latest.data.object.id, latest.data.previous_attributes["status"]) == (sub.id, "active")
    # The hour charges nothing more: the retry schedule has taken over.
    advance(v1, clock, feb1 + HOUR)
    after = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert (after.status, after.latest_invoice.attempt_count) == ("past_due", 1)
    # The retry schedule takes over: three days on, the customer's good card pays it.
    advance(v1, clock, feb1 + 3 * DAY + 60)
    assert v1.invoices.retrieve(draft).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_a_retry_goes_to_the_invoice_that_failed(v1, plan):
    # The renewal is declined; an invoiced change paid since becomes the latest invoice. The
    # retry still goes to the renewal's.
    clock, cus, sub, feb1 = failing_card(v1, plan)
    advance(v1, clock, feb1 + HOUR)
    failed = v1.subscriptions.retrieve(sub.id)
    assert failed.status == "past_due"
    renewal = failed.latest_invoice
    make_default(v1, cus, "pm_card_visa")
    v1.subscriptions.update(sub.id, {"items": [{"id": failed["items"].data[0].id, "quantity": 2}],
                                     "proration_behavior": "always_invoice"})
    assert v1.subscriptions.retrieve(sub.id).latest_invoice != renewal
    advance(v1, clock, feb1 + 3 * DAY + 60)
    assert v1.invoices.retrieve(renewal).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_retries_exhausted_cancel_the_subscription(v1, plan):
    clock, cus, sub, feb1 = failing_card(v1, plan)
    advance(v1, clock, feb1 + 10 * DAY)
    sub = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert (sub.status, sub.cancellation_details.reason, sub.ended_at) == ("canceled", "payment_failed", feb1 + 7 * DAY)
    assert (sub.latest_invoice.attempt_count, sub.latest_invoice.status, sub.latest_invoice.next_payment_attempt) == (4, "open", None)


def test_incomplete_subscriptions_expire(v1, plan):
    clock, cus = on_clock(v1, card="pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    assert sub.status == "incomplete"
    advance(v1, clock, T0 + 23 * 3600 + 1)
    sub = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert sub.status == "incomplete_expired" and sub.latest_invoice.status == "void"
    # As in Stripe's payloads for an expired subscription, canceled_at is set with ended_at.
    assert sub.canceled_at == sub.ended_at == T0 + 23 * 3600


def test_coupon_durations_over_renewals(v1, plan):
    clock, cus = on_clock(v1)
    once = v1.coupons.create({"percent_off": 50, "duration": "once"})
    twice = v1.coupons.create({"amount_off": 100, "currency": "usd", "duration": "repeating", "duration_in_months": 2})
    forever = v1.coupons.create({"percent_off": 10, "duration": "forever"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}],
                                   "discounts": [{"coupon": once.id}, {"coupon": twice.id}, {"coupon": forever.id}]})
    # At most two months per advance, as on Stripe.
    advance(v1, clock, T0 + 50 * DAY)
    advance(v1, clock, T0 + 100 * DAY)
    totals = [i.total for i in v1.invoices.list({"subscription": sub.id}).data][::-1]
    # January: 1500 −750 (once) −100 (repeating) −65 (10% of what is left); February: the
    # repeating coupon still runs; March and April: only the forever coupon.
    assert totals == [585, 1260, 1350, 1350], totals


def test_lists_leave_out_test_clock_objects_unless_asked(v1, plan):
    """As Stripe documents: customers, subscriptions and schedules on a test clock are listed
    only when the list asks for their clock (or, for the last two, their customer)."""
    clock, clocked = on_clock(v1)
    plain = v1.customers.create({"payment_method": "pm_card_visa",
                                 "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    subs = {c.id: v1.subscriptions.create({"customer": c.id, "items": [{"price": plan}]})
            for c in (clocked, plain)}
    scheds = {c: v1.subscription_schedules.create({"from_subscription": s.id}) for c, s in subs.items()}

    def ids(page):
        return [x.id for x in check(page).data]

    assert ids(v1.customers.list()) == [plain.id]
    assert ids(v1.customers.list({"test_clock": clock.id})) == [clocked.id]
    assert [c.id for c in v1.customers.list({"limit": 1}).auto_paging_iter()] == [plain.id]
    assert ids(v1.subscriptions.list()) == [subs[plain.id].id]
    assert ids(v1.subscriptions.list({"status": "all"})) == [subs[plain.id].id]
    assert ids(v1.subscriptions.list({"test_clock": clock.id})) == [subs[clocked.id].id]
    assert ids(v1.subscriptions.list({"customer": clocked.id})) == [subs[clocked.id].id]
    assert ids(v1.subscription_schedules.list()) == [scheds[plain.id].id]
    assert ids(v1.subscription_schedules.list({"customer": clocked.id})) == [scheds[clocked.id].id]
    # Retrieval and search are not lists of this kind: the object is there.
    assert v1.customers.retrieve(clocked.id).test_clock == clock.id


def test_clocks_are_per_account(v1, portico_url):
    from helpers import make_client, new_key
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    other = make_client(portico_url, new_key()).v1
    expect_error(lambda: other.test_helpers.test_clocks.retrieve(clock.id), status=404)
    expect_error(lambda: other.test_helpers.test_clocks.advance(clock.id, {"frozen_time": T0 + 1}), status=404)


def test_deleting_the_clock_cancels_its_subscriptions(v1):
    price = v1.prices.create({"currency": "usd", "unit_amount": 700, "recurring": {"interval": "month"},
                              "product_data": {"name": "Clocked"}})
    clock = v1.test_helpers.test_clocks.create({"frozen_time": 1_775_001_600})
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}]})
    v1.test_helpers.test_clocks.delete(clock.id)
    gone = v1.subscriptions.retrieve(sub.id)
    assert gone.status == "canceled" and gone.ended_at == 1_775_001_600


def test_what_an_advance_sets_off_is_automatic(v1, plan):
    """Only `.advancing` is the advance call's doing; the renewal, the invoice and the clock being
    ready again are Stripe's automatic handling, whose events name no request."""
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    before = {e.id for e in v1.events.list({"limit": 100}).data}
    advanced = v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": T0 + 32 * DAY},
                                                    options={"idempotency_key": "advance-1"})
    request_id = advanced.last_response.request_id
    new = [e for e in v1.events.list({"limit": 100}).data if e.id not in before]
    by_type = {}
    for e in new:
        by_type.setdefault(e.type, []).append(e)
    # (`request` is a method of the SDK's objects: the field is read by key.)
    assert by_type["test_helpers.test_clock.advancing"][0]["request"]["id"] == request_id
    assert by_type["test_helpers.test_clock.advancing"][0]["request"]["idempotency_key"] == "advance-1"
    automatic = [e for e in new if e.type != "test_helpers.test_clock.advancing"]
    assert {"invoice.created", "invoice.paid", "customer.subscription.updated",
            "test_helpers.test_clock.ready"} <= {e.type for e in automatic}
    assert all(e["request"]["id"] is None and e["request"]["idempotency_key"] is None for e in automatic), \
        [(e.type, e["request"]) for e in automatic if e["request"]["id"] is not None]
    assert v1.subscriptions.retrieve(sub.id)["items"].data[0].current_period_start == T0 + 31 * DAY


def test_a_renewal_saves_its_card_under_on_subscription(v1, plan):
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    assert sub.default_payment_method is None
    v1.subscriptions.update(sub.id, {"payment_settings": {"save_default_payment_method": "on_subscription"}})
    advance(v1, clock, T0 + 32 * 86400)
    renewed = check(v1.subscriptions.retrieve(sub.id))
    assert len(v1.invoices.list({"subscription": sub.id}).data) == 2
    assert renewed.default_payment_method == v1.customers.retrieve(cus.id).invoice_settings.default_payment_method


def test_one_advance_goes_at_most_two_intervals(v1, plan):
    """As on Stripe: two intervals of the clock's shortest subscription, or two years when it
    has none. Beyond that, advance in steps."""
    empty = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    expect_error(lambda: v1.test_helpers.test_clocks.advance(empty.id, {"frozen_time": T0 + 731 * DAY}),
                 param="frozen_time", message="two intervals")
    assert v1.test_helpers.test_clocks.advance(empty.id, {"frozen_time": T0 + 730 * DAY}).frozen_time == T0 + 730 * DAY
    clock, cus = on_clock(v1)
    v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    # January 1 plus two months is March 1.
    mar1 = T0 + (31 + 28) * DAY
    expect_error(lambda: v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": mar1 + 1}),
                 param="frozen_time")
    assert v1.test_helpers.test_clocks.retrieve(clock.id).frozen_time == T0, "nothing ran"
    advance(v1, clock, mar1)
    assert len(v1.invoices.list({"customer": cus.id}).data) == 3


def test_changes_made_while_the_clock_advances_wait_for_it(portico_url, api_key):
    """While a clock advances, its subscriptions move ahead of its frozen time. A change made
    meanwhile waits for the advance (or gets a 409 that SDKs retry), never a 400 about a
    proration date nobody sent; and the advance itself goes through a change made under it
    instead of giving up half way."""
    import threading

    import requests

    auth = (api_key, "")

    def post(path, data):
        return requests.post(portico_url + path, data=data, auth=auth, timeout=60)

    price = post("/v1/prices", {"currency": "usd", "unit_amount": 1000, "recurring[interval]": "week",
                                "product_data[name]": "Weekly"}).json()["id"]
    clock = post("/v1/test_helpers/test_clocks", {"frozen_time": T0}).json()["id"]
    subs = []
    for _ in range(4):
        cus = post("/v1/customers", {"test_clock": clock, "payment_method": "pm_card_visa",
                                     "invoice_settings[default_payment_method]": "pm_card_visa"}).json()["id"]
        subs.append(post("/v1/subscriptions", {"customer": cus, "items[0][price]": price}).json())
    busy = subs[-1]
    answers, stop = [], threading.Event()

    def change():
        n = 0
        while not stop.is_set():
            n += 1
            r = post(f"/v1/subscriptions/{busy['id']}", {
                "items[0][id]": busy["items"]["data"][0]["id"], "items[0][quantity]": 1 + n % 3,
                "proration_behavior": "create_prorations", "metadata[n]": n})
            answers.append((r.status_code, r.json().get("error", {}).get("code")))

    t = threading.Thread(target=change)
    t.start()
    try:
        done = post(f"/v1/test_helpers/test_clocks/{clock}/advance", {"frozen_time": T0 + 13 * DAY})
    finally:
        stop.set()
        t.join()
    assert done.status_code == 200, done.text
    assert answers and all(a == (200, None) or a == (409, "lock_timeout") for a in answers), answers
    c = requests.get(f"{portico_url}/v1/test_helpers/test_clocks/{clock}", auth=auth).json()
    assert c["status"] == "ready" and c["frozen_time"] == T0 + 13 * DAY
    for s in subs:
        now = requests.get(f"{portico_url}/v1/subscriptions/{s['id']}", auth=auth).json()
        assert now["items"]["data"][0]["current_period_start"] == T0 + 7 * DAY, now["id"]


@pytest.mark.parametrize("behavior,credit", [(None, -532), ("none", 0)])
def test_cancel_at_inside_the_period_credits_the_time_after_it(v1, plan, behavior, credit):
    # As the spec says of `cancel_at`: a date before the period ends causes a proration when
    # prorations are on (the default). January has 31 days; the last 11 are not used.
    clock, cus = on_clock(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    advance(v1, clock, T0 + 10 * DAY)
    params = {"cancel_at": T0 + 20 * DAY}
    if behavior:
        params["proration_behavior"] = behavior
    sub = check(v1.subscriptions.update(sub.id, params))
    assert sub.cancel_at == T0 + 20 * DAY and sub.status == "active"
    # It ends before the period does: there is no renewal to preview.
    expect_error(lambda: v1.invoices.create_preview({"subscription": sub.id}), code="invoice_upcoming_none")
    advance(v1, clock, T0 + 21 * DAY)
    ended = v1.subscriptions.retrieve(sub.id)
    assert (ended.status, ended.ended_at) == ("canceled", T0 + 20 * DAY)
    assert v1.customers.retrieve(cus.id).balance == credit
