"""`pause_collection` on a subscription: it stays as it is and keeps renewing, but its renewal
invoices are kept as drafts, written off or voided instead of charged, until `resumes_at` or
until it is cleared. A kept draft is collected later with finalize and pay."""

from helpers import HOUR, check, expect_error

DAY = 86400
T0 = 1_767_225_600  # 2026-01-01 00:00:00 UTC
FEB1 = T0 + 31 * DAY
MAR1 = FEB1 + 28 * DAY
APR1 = MAR1 + 31 * DAY


def subscribed(v1, **customer):
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}, **customer})
    product = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": product.default_price}]})
    assert sub.status == "active"
    return clock, cus, sub


def advance(v1, clock, to):
    assert v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": to}).status == "ready"


def invoices_of(v1, sub):
    return v1.invoices.list({"subscription": sub.id}).data[::-1]


def types_since(v1, mark):
    events = v1.events.list({"limit": 100}).data[::-1]
    ids = [e.id for e in events]
    return [e.type for e in events[ids.index(mark) + 1:]]


def last_event(v1):
    return v1.events.list({"limit": 1}).data[0].id


def test_keep_as_draft_then_collect_later(v1):
    clock, cus, sub = subscribed(v1)
    paused = check(v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "keep_as_draft"}}))
    assert paused.pause_collection.behavior == "keep_as_draft" and paused.pause_collection.resumes_at is None
    assert paused.status == "active", "the subscription itself is not paused"
    update = v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data[0]
    assert update.data.previous_attributes["pause_collection"] is None

    mark = last_event(v1)
    advance(v1, clock, FEB1 + 1)
    after = check(v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]}))
    draft = after.latest_invoice
    assert after.status == "active" and after["items"].data[0].current_period_start == FEB1
    assert (draft.status, draft.auto_advance, draft.number, draft.amount_due, draft.amount_paid,
            draft.attempt_count) == ("draft", False, None, 1500, 0, 0)
    assert draft.billing_reason == "subscription_cycle"
    got = [t for t in types_since(v1, mark) if t.startswith("invoice.")]
    assert got == ["invoice.created"], got

    # Collection resumes; the kept draft is finalized and paid by hand.
    resumed = check(v1.subscriptions.update(sub.id, {"pause_collection": ""}))
    assert resumed.pause_collection is None
    opened = check(v1.invoices.finalize_invoice(draft.id))
    assert opened.status == "open" and opened.number and opened.amount_due == 1500
    assert opened.auto_advance is False, "kept as it was unless auto_advance is sent"
    paid = check(v1.invoices.pay(draft.id))
    assert paid.status == "paid" and paid.amount_paid == 1500
    expect_error(lambda: v1.invoices.finalize_invoice(draft.id), message="already finalized")
    expect_error(lambda: v1.invoices.finalize_invoice("in_nope"), status=404)

    # Later renewals are charged as usual (their draft's hour once passed).
    advance(v1, clock, MAR1 + HOUR)
    assert invoices_of(v1, sub)[-1].status == "paid"


def test_a_kept_draft_is_forgiven_by_voiding_not_deleting(v1):
    clock, cus, sub = subscribed(v1)
    v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "keep_as_draft"}})
    advance(v1, clock, FEB1 + 1)
    draft = invoices_of(v1, sub)[-1]
    assert draft.status == "draft"
    # A subscription's own invoice stays on record, as in Stripe: finalize it, then void it.
    expect_error(lambda: v1.invoices.delete(draft.id), message="finalize it, then void it")
    v1.invoices.finalize_invoice(draft.id)
    assert check(v1.invoices.void_invoice(draft.id)).status == "void"
    # (Void already: nothing is offered instead.)
    expect_error(lambda: v1.invoices.delete(draft.id), message="only delete draft invoices; this one is void.")


def test_mark_uncollectible_until_resumes_at(v1):
    clock, cus, sub = subscribed(v1)
    resumes = FEB1 + 10 * DAY
    v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "mark_uncollectible", "resumes_at": resumes}})
    advance(v1, clock, FEB1 + 1)
    written_off = invoices_of(v1, sub)[-1]
    assert (written_off.status, written_off.amount_paid, written_off.attempt_count) == ("uncollectible", 0, 0)
    assert written_off.number is not None, "finalized before it was written off"

    mark = last_event(v1)
    advance(v1, clock, resumes + 1)
    assert v1.subscriptions.retrieve(sub.id).pause_collection is None, "cleared at resumes_at"
    assert "customer.subscription.updated" in types_since(v1, mark)
    advance(v1, clock, MAR1 + HOUR)
    assert [i.status for i in invoices_of(v1, sub)] == ["paid", "uncollectible", "paid"]
    # A written-off invoice can still be paid.
    assert v1.invoices.pay(written_off.id).status == "paid"


def test_void_gives_back_the_credit_it_took(v1):
    clock, cus, sub = subscribed(v1, balance=-400)
    # The first invoice took the credit: 1500 - 400 charged.
    assert invoices_of(v1, sub)[0].amount_paid == 1100
    v1.customers.update(cus.id, {"balance": -400})
    v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "void"}})
    # Two months at most per advance, as on Stripe.
    advance(v1, clock, FEB1 + 1)
    advance(v1, clock, APR1 + 1)
    assert [i.status for i in invoices_of(v1, sub)] == ["paid", "void", "void", "void"]
    assert v1.customers.retrieve(cus.id).balance == -400, "a voided invoice keeps no credit"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_invoiced_changes_and_final_invoices_follow_the_pause_too(v1):
    clock, cus, sub = subscribed(v1)
    item = sub["items"].data[0].id
    steps = (("void", "void"), ("keep_as_draft", "draft"), ("mark_uncollectible", "uncollectible"))
    for quantity, (behavior, status) in enumerate(steps, start=2):
        v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": behavior}})
        changed = v1.subscriptions.update(sub.id, {
            "items": [{"id": item, "quantity": quantity}], "proration_behavior": "always_invoice",
            "expand": ["latest_invoice"]})
        assert changed.status == "active" and changed.pending_update is None, behavior
        assert changed["items"].data[0].quantity == quantity, "the change applies"
        inv = changed.latest_invoice
        assert inv.amount_due > 0
        assert (inv.status, inv.amount_paid, inv.attempt_count) == (status, 0, 0), behavior
    # Canceling with a final invoice for pending prorations while collection is paused:
    # written off, not charged.
    v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 5}], "proration_behavior": "create_prorations"})
    gone = v1.subscriptions.cancel(sub.id, {"invoice_now": True, "expand": ["latest_invoice"]})
    assert gone.status == "canceled" and gone.latest_invoice.amount_due > 0
    assert (gone.latest_invoice.status, gone.latest_invoice.attempt_count) == ("uncollectible", 0)


def test_a_trial_ending_while_collection_is_paused_is_billed_not_paused(v1):
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    cus = v1.customers.create({"test_clock": clock.id})
    product = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": product.default_price}],
                                   "trial_period_days": 7,
                                   "trial_settings": {"end_behavior": {"missing_payment_method": "pause"}}})
    v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "void"}})
    advance(v1, clock, T0 + 8 * DAY)
    after = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert after.status == "active" and after.latest_invoice.status == "void"


def test_bad_pause_collection_is_named(v1):
    clock, cus, sub = subscribed(v1)
    expect_error(lambda: v1.subscriptions.update(sub.id, {"pause_collection": {"resumes_at": FEB1}}),
                 param="pause_collection[behavior]", code="parameter_missing")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "skip"}}),
                 param="pause_collection[behavior]")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "void", "resumes_at": T0}}),
                 param="pause_collection[resumes_at]")
    assert v1.subscriptions.retrieve(sub.id).pause_collection is None, "refusals change nothing"


def test_the_setting_as_the_request_found_it_decides_the_changes_invoice(v1):
    clock, cus, sub = subscribed(v1)
    item = sub["items"].data[0].id
    v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "keep_as_draft"}})
    # Clearing it in the same request: this change's invoice is still kept as a draft.
    cleared = v1.subscriptions.update(sub.id, {"pause_collection": "", "items": [{"id": item, "quantity": 2}],
                                               "proration_behavior": "always_invoice", "expand": ["latest_invoice"]})
    assert cleared.pause_collection is None and cleared.latest_invoice.status == "draft"
    # Setting it in the same request: this change's invoice is charged as usual.
    paused = v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "void"}, "items": [{"id": item, "quantity": 3}],
                                              "proration_behavior": "always_invoice", "expand": ["latest_invoice"]})
    assert paused.pause_collection.behavior == "void" and paused.latest_invoice.status == "paid"


def test_the_portal_does_not_offer_plan_changes_while_collection_is_paused(v1):
    clock, cus, sub = subscribed(v1)
    product = v1.prices.retrieve(sub["items"].data[0].price.id).product
    cfg = v1.billing_portal.configurations.create({"features": {"subscription_update": {
        "enabled": True, "default_allowed_updates": ["quantity"],
        "products": [{"product": product, "prices": [sub["items"].data[0].price.id]}]},
        "payment_method_update": {"enabled": True}}})
    flow = {"type": "subscription_update", "subscription_update": {"subscription": sub.id}}
    v1.billing_portal.sessions.create({"customer": cus.id, "configuration": cfg.id,
                                       "return_url": "https://example.com", "flow_data": flow})
    v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "void"}})
    expect_error(lambda: v1.billing_portal.sessions.create({
        "customer": cus.id, "configuration": cfg.id, "return_url": "https://example.com", "flow_data": flow}),
        param="flow_data[subscription_update][subscription]", message="pause_collection")
