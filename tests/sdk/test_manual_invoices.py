"""`POST /v1/invoices`: a draft for a customer, empty or carrying pending prorations (Stripe's
pending invoice items) so they are billed now rather than at the renewal."""

import pytest

from helpers import APR1, APR16, DAY, HOUR, MAY1, carded_customer, check, expect_error


@pytest.fixture
def world(v1):
    product = v1.products.create({"name": "Plan"})
    price = lambda amount: v1.prices.create({
        "product": product.id, "currency": "usd", "unit_amount": amount, "recurring": {"interval": "month"}}).id
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    return {"basic": price(1000), "pro": price(2000), "clock": clock, "cus": cus}


def upgraded(v1, w, coupon=None):
    """A Basic subscription from April 1, upgraded to Pro on April 16 with its prorations pending
    (made with `coupon`'s discount, added on April 16 just before)."""
    sub = v1.subscriptions.create({"customer": w["cus"].id, "items": [{"price": w["basic"]}]})
    v1.test_helpers.test_clocks.advance(w["clock"].id, {"frozen_time": APR16})
    if coupon:
        v1.subscriptions.update(sub.id, {"discounts": [{"coupon": coupon}]})
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": w["pro"]}],
                                     "proration_behavior": "create_prorations"})
    return sub


def renewal(v1, w, sub):
    v1.test_helpers.test_clocks.advance(w["clock"].id, {"frozen_time": MAY1 + 1})
    return v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]


def test_pending_prorations_are_billed_now(v1, world):
    sub = upgraded(v1, world)
    inv = check(v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                                    "pending_invoice_items_behavior": "include",
                                    "description": "Upgrade", "metadata": {"reason": "upgrade"}}))
    assert (inv.status, inv.billing_reason, inv.auto_advance) == ("draft", "manual", False)
    assert inv.parent.subscription_details.subscription == sub.id
    assert (inv.description, inv.metadata["reason"], inv.number, inv.created) == ("Upgrade", "upgrade", None, APR16)
    assert [l.amount for l in inv.lines.data] == [-500, 1000] and inv.total == 500
    assert all(l.parent.subscription_item_details.proration for l in inv.lines.data)
    assert v1.subscriptions.retrieve(sub.id).latest_invoice != inv.id, "the subscription's cycle is untouched"
    assert "invoice.created" in [e.type for e in v1.events.list({"limit": 3}).data]

    opened = check(v1.invoices.finalize_invoice(inv.id))
    assert opened.status == "open" and opened.amount_due == 500
    assert check(v1.invoices.pay(inv.id)).amount_paid == 500
    # The renewal bills the new price alone: the prorations were billed already.
    assert [l.amount for l in renewal(v1, world, sub).lines.data] == [2000]


def test_excluding_pending_items_gives_an_empty_draft(v1, world):
    sub = upgraded(v1, world)
    empty = check(v1.invoices.create({"customer": world["cus"].id, "auto_advance": True}))
    assert (empty.lines.data, empty.total, empty.parent, empty.auto_advance) == ([], 0, None, True)
    assert empty.currency == "usd", "the customer's currency"
    assert check(v1.invoices.finalize_invoice(empty.id)).status == "paid", "nothing due"
    assert [l.amount for l in renewal(v1, world, sub).lines.data] == [-500, 1000, 2000]


def test_a_customer_wide_invoice_takes_every_subscriptions_prorations(v1, world):
    a = upgraded(v1, world)
    b = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"], "quantity": 2}]})
    v1.subscriptions.update(b.id, {"items": [{"id": b["items"].data[0].id, "quantity": 3}],
                                   "proration_behavior": "create_prorations", "proration_date": APR16})
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert inv.parent is None and len(inv.lines.data) == 4
    # Each line names its own subscription, as the invoice names none.
    assert sorted(l.parent.subscription_item_details.subscription for l in inv.lines.data) == sorted([a.id, a.id, b.id, b.id])
    # Deleting the draft gives the prorations back: each renewal bills its own.
    v1.invoices.delete(inv.id)
    assert [l.amount for l in renewal(v1, world, a).lines.data] == [-500, 1000, 2000]
    # b started on April 16: its change on that day credits the whole period, then bills it again.
    assert [l.amount for l in v1.invoices.create_preview({"subscription": b.id}).lines.data] == [-2000, 3000, 3000]


def test_a_canceled_subscriptions_prorations_wait_for_the_customers_next_invoice(v1, world):
    # Canceled at once with `prorate` but no final invoice, a subscription leaves its pending
    # prorations to the customer's next invoice, as Stripe leaves them in place, with the credit
    # for its unused time on the price it had reached (the upgrade's $10 for the rest of April).
    sub = upgraded(v1, world)
    assert v1.subscriptions.cancel(sub.id, {"prorate": True}).status == "canceled"
    assert v1.customers.retrieve(world["cus"].id).balance == 0
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert sorted(l.amount for l in inv.lines.data) == [-1000, -500, 1000] and inv.total == -500
    assert {l.parent.subscription_item_details.subscription for l in inv.lines.data} == {sub.id}
    # Taken once: the next invoice has none left.
    again = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert again.lines.data == []


def test_a_trials_credit_outlives_a_prorated_cancellation_during_the_trial(v1, world):
    # A trial added on April 16 credits the unused half of April for after the trial; the
    # subscription canceled during the trial with `prorate` leaves that credit for the
    # customer's next invoice.
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    assert v1.subscriptions.update(sub.id, {"trial_end": APR16 + 20 * DAY}).status == "trialing"
    v1.subscriptions.cancel(sub.id, {"prorate": True})
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert [l.amount for l in inv.lines.data] == [-500] and inv.total == -500


def test_canceling_at_once_without_prorate_or_invoice_now_removes_pending_prorations(v1, world):
    # As Stripe's cancel documents: neither `invoice_now` nor `prorate`, and they are gone.
    sub = upgraded(v1, world)
    v1.subscriptions.cancel(sub.id)
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert inv.lines.data == []


def test_a_deleted_draft_is_gone(v1, world):
    draft = v1.invoices.create({"customer": world["cus"].id, "currency": "usd", "description": "Setup fee"})
    mark = v1.events.list({"limit": 1}).data[0].id
    gone = v1.invoices.delete(draft.id)
    assert (gone.id, gone.object, gone.deleted) == (draft.id, "invoice", True)
    events = v1.events.list({"limit": 5}).data
    assert [e.type for e in events[:[e.id for e in events].index(mark)]] == ["invoice.deleted"]
    assert events[0].data.object.id == draft.id and events[0].data.object.status == "draft"
    for call in (lambda: v1.invoices.retrieve(draft.id), lambda: v1.invoices.delete(draft.id),
                 lambda: v1.invoices.finalize_invoice(draft.id), lambda: v1.invoices.pay(draft.id),
                 lambda: v1.invoices.update(draft.id, {"metadata": {"a": "b"}})):
        expect_error(call, status=404, code="resource_missing")
    assert draft.id not in [i.id for i in v1.invoices.list({"customer": world["cus"].id}).data]


def test_only_a_draft_is_deleted_and_voiding_is_offered_only_while_it_can_be_paid(v1, world):
    inv = v1.invoices.create({"customer": world["cus"].id, "currency": "usd"})
    v1.invoice_items.create({"customer": world["cus"].id, "amount": 700, "currency": "usd", "invoice": inv.id})
    v1.invoices.finalize_invoice(inv.id)
    expect_error(lambda: v1.invoices.delete(inv.id), message="Void it instead")
    v1.invoices.void_invoice(inv.id)
    err = expect_error(lambda: v1.invoices.delete(inv.id), message="this one is void")
    assert "Void it" not in err.user_message


def test_a_subscriptions_discounts_apply_and_a_once_discount_is_spent(v1, world):
    once = v1.coupons.create({"percent_off": 50, "duration": "once"})
    sub = upgraded(v1, world, once.id)
    inv = check(v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                                    "pending_invoice_items_behavior": "include"}))
    # Half off the charge for Pro (1000), not the credit: 1000 − 500 − 500.
    assert (inv.subtotal, inv.total) == (500, 0)
    assert v1.subscriptions.retrieve(sub.id).discounts == [], "spent by this invoice"
    assert renewal(v1, world, sub).total == 2000


def test_several_subscriptions_prorations_are_invoiced_together_each_with_its_own_discounts(v1, world):
    # Each proration names the discounts it was made with, so one invoice for the customer can
    # gather several subscriptions' and still discount each by its own.
    forever = v1.coupons.create({"percent_off": 10, "duration": "forever"})
    sub = upgraded(v1, world, forever.id)
    plain = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}]})
    v1.subscriptions.update(plain.id, {"items": [{"id": plain["items"].data[0].id, "price": world["pro"]}],
                                       "proration_behavior": "create_prorations"})
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    by_sub = {}
    for l in inv.lines.data:
        d = sum(a.amount for a in l.discount_amounts)
        by_sub.setdefault(l.parent.subscription_item_details.subscription, []).append((l.amount, d))
    # The discounted one: the credit for April's first half, paid in full, is given back whole;
    # the Pro half at 10% off. The other, which started on April 16, is credited and billed
    # April's second half in full.
    assert sorted(by_sub[sub.id]) == [(-500, 0), (1000, 100)]
    assert sorted(by_sub[plain.id]) == [(-1000, 0), (2000, 0)]
    assert inv.total == 400 + 1000
    # One by one works as before.
    assert check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"})).lines.data == []


def test_prorations_made_with_a_once_discount_the_subscription_still_has_are_invoiced_by_name(v1, world):
    # The `once` discount is spent by the invoice that applies it, which only an invoice for its
    # subscription records.
    once = v1.coupons.create({"percent_off": 50, "duration": "once"})
    sub = upgraded(v1, world, once.id)
    expect_error(lambda: v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}),
                 param="pending_invoice_items_behavior", message=sub.id)
    assert v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data != [], "nothing was taken"
    named = check(v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                                      "pending_invoice_items_behavior": "include"}))
    assert named.total == -500 + 500
    assert v1.subscriptions.retrieve(sub.id).discounts == [], "spent"


def test_prorations_waiting_on_a_pending_update_are_not_taken(v1, world):
    sub = upgraded(v1, world)
    failing = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": world["cus"].id})
    v1.customers.update(world["cus"].id, {"invoice_settings": {"default_payment_method": failing.id}})
    held = v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 2}],
                                            "proration_behavior": "always_invoice",
                                            "payment_behavior": "pending_if_incomplete"})
    assert held.pending_update is not None
    inv = v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                              "pending_invoice_items_behavior": "include"})
    assert inv.lines.data == [], "they are on the pending update's invoice already"


def test_a_deleted_draft_of_a_canceled_subscription_leaves_its_prorations_pending(v1, world):
    sub = upgraded(v1, world)
    inv = v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                              "pending_invoice_items_behavior": "include"})
    v1.subscriptions.cancel(sub.id, {"prorate": True})
    assert v1.invoices.delete(inv.id).deleted
    # Pending again, for the customer's next invoice, with the cancellation's credit.
    again = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert sorted(l.amount for l in again.lines.data) == [-1000, -500, 1000]


def test_bad_requests_are_named(v1, world):
    sub = upgraded(v1, world)
    cus = world["cus"].id
    expect_error(lambda: v1.invoices.create({}), param="customer", code="parameter_missing")
    expect_error(lambda: v1.invoices.create({"customer": "cus_nope"}), param="customer", code="resource_missing")
    other = v1.customers.create({})
    # A customer with no currency of their own is invoiced in the account's (`--default-currency`).
    assert check(v1.invoices.create({"customer": other.id})).currency == "usd"
    expect_error(lambda: v1.invoices.create({"customer": other.id, "subscription": sub.id}), param="subscription")
    expect_error(lambda: v1.invoices.create({"customer": cus, "subscription": sub.id, "currency": "eur"}), param="currency")
    expect_error(lambda: v1.invoices.create({"customer": cus, "currency": "zzz"}), param="currency")
    expect_error(lambda: v1.invoices.create({"customer": cus, "days_until_due": 3}), param="days_until_due")
    expect_error(lambda: v1.invoices.create({"customer": cus, "footer": "Thanks"}), param="footer")
    expect_error(lambda: v1.invoices.create({"customer": cus, "discounts": [{"coupon": "c"}]}), param="discounts")
    expect_error(lambda: v1.invoices.create({"customer": cus, "pending_invoice_items_behavior": "all"}),
                 param="pending_invoice_items_behavior")
    stranger = v1.payment_methods.attach("pm_card_visa", {"customer": other.id})
    expect_error(lambda: v1.invoices.create({"customer": cus, "default_payment_method": stranger.id}),
                 param="default_payment_method")
    # `discounts=""` declines a customer discount there never is.
    assert check(v1.invoices.create({"customer": other.id, "currency": "usd", "discounts": ""})).status == "draft"
    # None of it took the pending prorations.
    assert [l.amount for l in renewal(v1, world, sub).lines.data] == [-500, 1000, 2000]


def test_a_deleted_draft_gives_back_credits_of_removed_items_and_its_once_discount(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id,
                                   "items": [{"price": world["basic"]}, {"price": world["pro"]}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    item = {i.price.id: i.id for i in sub["items"].data}
    once = v1.coupons.create({"amount_off": 100, "currency": "usd", "duration": "once"})
    # Pro removed (its credit names an item that is gone), Basic doubled, a one-off discount.
    v1.subscriptions.update(sub.id, {"items": [{"id": item[world["pro"]], "deleted": True},
                                               {"id": item[world["basic"]], "quantity": 2}],
                                     "proration_behavior": "create_prorations", "discounts": [{"coupon": once.id}]})
    inv = v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                              "pending_invoice_items_behavior": "include"})
    assert sorted(l.amount for l in inv.lines.data) == [-1000, -500, 1000]
    assert inv.total_discount_amounts[0].amount == 100
    assert v1.subscriptions.retrieve(sub.id).discounts == [], "spent by the draft"
    spent = [e for e in v1.events.list({"type": "customer.discount.deleted", "limit": 1}).data]
    assert spent and spent[0].data.object.source.coupon == once.id
    v1.invoices.delete(inv.id)
    back = v1.subscriptions.retrieve(sub.id, {"expand": ["discounts"]}).discounts
    assert len(back) == 1, "the once discount it spent is back"
    # Its record is in force again, and announced so.
    assert back[0].id == spent[0].data.object.id and "deleted" not in back[0]
    restored = v1.events.list({"type": "customer.discount.created", "limit": 1}).data[0]
    assert restored.data.object.id == back[0].id and restored.created >= spent[0].created
    billed = renewal(v1, world, sub)
    assert sorted(l.amount for l in billed.lines.data) == [-1000, -500, 1000, 2000]
    assert billed.total_discount_amounts[0].amount == 100


def test_paying_with_a_card_that_needs_3d_secure_says_so_by_code(v1, world):
    import stripe
    sub = upgraded(v1, world)
    inv = v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                              "pending_invoice_items_behavior": "include"})
    v1.invoices.finalize_invoice(inv.id)
    secure = v1.payment_methods.attach("pm_card_authenticationRequired", {"customer": world["cus"].id})
    err = expect_error(lambda: v1.invoices.pay(inv.id, {"payment_method": secure.id}), stripe.CardError,
                       status=402, code="invoice_payment_intent_requires_action")
    assert "3-D Secure" in err.user_message
    assert v1.invoices.retrieve(inv.id).status == "open"


def test_a_deleted_draft_gives_back_only_the_once_discounts_it_spent(v1, world):
    forever = v1.coupons.create({"percent_off": 20, "duration": "forever"})
    sub = upgraded(v1, world, forever.id)
    v1.subscriptions.update(sub.id, {"discounts": ""})
    # Made with the discount, the prorations keep it, on a customer-wide invoice too (deleted,
    # it gives them back).
    wide = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert [l.amount for l in wide.lines.data] == [-500, 1000] and wide.total == 300
    v1.invoices.delete(wide.id)
    draft = check(v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                                      "pending_invoice_items_behavior": "include"}))
    # The discount came after April was paid: the credit is whole (flexible mode), the debit 20% off.
    assert [l.amount for l in draft.lines.data] == [-500, 1000] and draft.total == 300
    v1.invoices.delete(draft.id)
    assert v1.subscriptions.retrieve(sub.id).discounts == [], "the removed discount stays removed"
    assert [(l.amount, [d.amount for d in l.discount_amounts]) for l in renewal(v1, world, sub).lines.data] == [
        (-500, []), (1000, [200]), (2000, [])]


def test_a_deleted_draft_does_not_bring_back_a_once_discount_taken_off(v1, world):
    once = v1.coupons.create({"percent_off": 50, "duration": "once"})
    sub = upgraded(v1, world, once.id)
    v1.subscriptions.update(sub.id, {"discounts": ""})
    draft = check(v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                                      "pending_invoice_items_behavior": "include"}))
    # The prorations carry the discount; the invoice itself has none of its own.
    assert draft.discounts == [] and [d.amount for d in draft.total_discount_amounts] == [500]
    v1.invoices.delete(draft.id)
    assert v1.subscriptions.retrieve(sub.id).discounts == []
    assert [(l.amount, [d.amount for d in l.discount_amounts]) for l in renewal(v1, world, sub).lines.data] == [
        (-500, []), (1000, [500]), (2000, [])]


def test_an_invoice_paid_out_of_band_is_paid_without_a_charge(v1, world):
    sub = upgraded(v1, world)
    inv = v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                              "pending_invoice_items_behavior": "include"})
    # A draft is finalized first, then marked paid; the card is never tried, even one given.
    paid = check(v1.invoices.pay(inv.id, {"paid_out_of_band": True, "payment_method": "pm_card_chargeDeclined"}))
    assert (paid.status, paid.amount_due, paid.amount_paid, paid.amount_remaining) == ("paid", 500, 500, 0)
    assert (paid.amount_paid_off_stripe, paid.attempted, paid.attempt_count) == (500, False, 0)
    assert paid.number and paid.status_transitions.paid_at == APR16
    assert paid.status_transitions.finalized_at == APR16
    assert v1.invoices.retrieve(inv.id).amount_paid_off_stripe == 500
    kinds = [e.type for e in v1.events.list({"limit": 20}).data if getattr(e.data.object, "id", None) == inv.id]
    assert "invoice.paid" in kinds and "invoice.finalized" in kinds
    assert "invoice.payment_succeeded" not in kinds and "invoice.payment_failed" not in kinds
    # `invoice.finalized` shows the invoice as it was finalized, unpaid.
    finalized = v1.events.list({"type": "invoice.finalized", "limit": 1}).data[0].data.object
    assert (finalized.status, finalized.amount_paid_off_stripe, finalized.amount_remaining) == ("open", 0, 500)
    # Paid is final.
    expect_error(lambda: v1.invoices.pay(inv.id, {"paid_out_of_band": True}), message="status is paid")
    expect_error(lambda: v1.invoices.pay(inv.id), message="status is paid")
    # `paid_out_of_band=false` is an ordinary payment.
    again = v1.invoices.create({"customer": world["cus"].id, "currency": "usd"})
    assert check(v1.invoices.pay(again.id, {"paid_out_of_band": False})).amount_paid_off_stripe == 0


def test_a_past_due_subscription_is_active_again_once_its_invoice_is_paid_out_of_band(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}]})
    v1.customers.update(world["cus"].id, {"invoice_settings": {"default_payment_method": v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", {"customer": world["cus"].id}).id}})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR + 60})
    failed = v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]
    assert v1.subscriptions.retrieve(sub.id).status == "past_due"
    assert failed.status == "open" and failed.next_payment_attempt
    paid = check(v1.invoices.pay(failed.id, {"paid_out_of_band": True}))
    assert (paid.status, paid.amount_paid, paid.amount_paid_off_stripe, paid.attempt_count) == ("paid", 1000, 1000, 1)
    assert paid.next_payment_attempt is None
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    updated = v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data[0]
    assert updated.data.object.status == "active" and updated.data.previous_attributes.status == "past_due"
    # An uncollectible invoice can be marked paid too; a void one cannot.
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 31 * DAY + HOUR + 60})
    late = v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]
    assert late.status == "open"
    v1.invoices.mark_uncollectible(late.id)
    assert check(v1.invoices.pay(late.id, {"paid_out_of_band": True})).status == "paid"
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 2}],
                                     "proration_behavior": "create_prorations"})
    draft = v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                                "pending_invoice_items_behavior": "include"})
    assert v1.invoices.finalize_invoice(draft.id).status == "open"
    v1.invoices.void_invoice(draft.id)
    expect_error(lambda: v1.invoices.pay(draft.id, {"paid_out_of_band": True}), message="status is void")
    expect_error(lambda: v1.invoices.pay(draft.id, {"paid_out_of_band": "maybe"}), param="paid_out_of_band")
