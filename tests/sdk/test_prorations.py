"""Changing a subscription's items: Stripe's prorations, and create_preview matching what is billed."""

import pytest
import stripe

from helpers import APR1, APR16, DAY, MAY1, body_of, carded_customer, check, expect_error


@pytest.fixture
def world(v1):
    product = v1.products.create({"name": "Plan"})
    price = lambda amount, interval="month": v1.prices.create({
        "product": product.id, "currency": "usd", "unit_amount": amount, "recurring": {"interval": interval}}).id
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    return {"basic": price(1000), "pro": price(2000), "yearly": price(10000, "year"), "clock": clock, "cus": cus}


def subscribe(v1, w, price=None, **extra):
    sub = v1.subscriptions.create({"customer": w["cus"].id, "items": [{"price": price or w["basic"]}], **extra})
    v1.test_helpers.test_clocks.advance(w["clock"].id, {"frozen_time": APR16})
    return sub


def shape(lines):
    """Lines without their ids: what must match between a preview and the real invoice."""
    return [(l["amount"], l["description"], l["period"]["start"], l["period"]["end"], l["quantity"],
             l["parent"]["subscription_item_details"]["proration"], l["pricing"]["price_details"]["price"],
             [d["amount"] for d in l["discount_amounts"]]) for l in lines]


def test_create_prorations_wait_for_the_renewal_and_the_preview_matches(v1, world):
    sub = subscribe(v1, world)
    item = sub["items"].data[0].id
    change = {"items": [{"id": item, "price": world["pro"]}], "proration_behavior": "create_prorations", "proration_date": APR16}
    preview = check(v1.invoices.create_preview({"subscription": sub.id, "subscription_details": change}))
    assert preview.id.startswith("upcoming_in_") and preview.status == "draft" and preview.billing_reason == "upcoming"
    got = [(l.amount, l.parent.subscription_item_details.proration) for l in preview.lines.data]
    # Stripe's example: -5 USD unused, +10 USD remaining; then the next month at 20 USD.
    assert got == [(-500, True), (1000, True), (2000, False)], got
    assert preview.total == 2500
    assert preview.lines.data[0].description == "Unused time on Plan after 16 Apr 2026"

    updated = check(v1.subscriptions.update(sub.id, change))
    assert updated["items"].data[0].id == item and updated["items"].data[0].price.id == world["pro"]
    assert updated.latest_invoice == sub.latest_invoice, "nothing billed now"
    assert shape(body_of(v1.invoices.create_preview({"subscription": sub.id}))["lines"]["data"]) == shape(body_of(preview)["lines"]["data"])

    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    renewal = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert renewal.status == "paid" and renewal.amount_paid == 2500
    assert shape(body_of(renewal)["lines"]["data"]) == shape(body_of(preview)["lines"]["data"])


@pytest.mark.parametrize("coupon", [None, {"percent_off": 10, "duration": "forever"}, {"amount_off": 300, "currency": "usd", "duration": "forever"}])
@pytest.mark.parametrize("target,quantity", [("pro", 1), ("basic", 3), ("pro", 2)])
def test_always_invoice_preview_equals_the_invoice(v1, world, coupon, target, quantity):
    extra = {}
    if coupon:
        extra["discounts"] = [{"coupon": v1.coupons.create(coupon).id}]
    sub = subscribe(v1, world, **extra)
    item = sub["items"].data[0].id
    change = {"items": [{"id": item, "price": world[target], "quantity": quantity}],
              "proration_behavior": "always_invoice", "proration_date": APR16}
    preview = check(v1.invoices.create_preview({"subscription": sub.id, "subscription_details": change}))
    assert preview.billing_reason == "upcoming" and all(l.parent.subscription_item_details.proration for l in preview.lines.data)
    updated = v1.subscriptions.update(sub.id, change)
    invoice = check(v1.invoices.retrieve(updated.latest_invoice))
    assert invoice.billing_reason == "subscription_update" and invoice.status == "paid"
    assert shape(body_of(invoice)["lines"]["data"]) == shape(body_of(preview)["lines"]["data"])
    assert (invoice.subtotal, invoice.total) == (preview.subtotal, preview.total)
    assert invoice.total == invoice.amount_paid


def test_downgrade_credit_and_none(v1, world):
    sub = subscribe(v1, world, price=world["pro"])
    item = sub["items"].data[0].id
    down = v1.subscriptions.update(sub.id, {"items": [{"id": item, "price": world["basic"]}], "proration_behavior": "always_invoice",
                                            "proration_date": APR16})
    inv = v1.invoices.retrieve(down.latest_invoice)
    assert [l.amount for l in inv.lines.data] == [-1000, 500] and inv.total == -500 and inv.amount_due == 0
    again = v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 4}], "proration_behavior": "none"})
    assert again.latest_invoice == down.latest_invoice and again["items"].data[0].quantity == 4
    nxt = v1.invoices.create_preview({"subscription": sub.id})
    assert [l.amount for l in nxt.lines.data] == [4000]


def test_interval_switch_and_anchor_reset_bill_now(v1, world):
    sub = subscribe(v1, world)
    item = sub["items"].data[0].id
    preview = v1.invoices.create_preview({"subscription": sub.id, "subscription_details": {"items": [{"id": item, "price": world["yearly"]}], "proration_date": APR16}})
    yearly = check(v1.subscriptions.update(sub.id, {"items": [{"id": item, "price": world["yearly"]}], "proration_date": APR16}))
    assert yearly.billing_cycle_anchor == APR16
    assert (yearly["items"].data[0].current_period_start, yearly["items"].data[0].current_period_end) == (APR16, APR16 + 365 * DAY)
    inv = v1.invoices.retrieve(yearly.latest_invoice)
    assert [(l.amount, l.parent.subscription_item_details.proration) for l in inv.lines.data] == [(-500, True), (10000, False)]
    assert shape(body_of(inv)["lines"]["data"]) == shape(body_of(preview)["lines"]["data"])
    other = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}]})
    reset = v1.subscriptions.update(other.id, {"billing_cycle_anchor": "now", "proration_behavior": "create_prorations"})
    assert reset.billing_cycle_anchor == APR16


def test_add_remove_items_and_errors(v1, world):
    sub = subscribe(v1, world)
    item = sub["items"].data[0].id
    added = v1.subscriptions.update(sub.id, {"items": [{"price": world["pro"]}], "proration_behavior": "none"})
    assert len(added["items"].data) == 2
    new_item = [i for i in added["items"].data if i.price.id == world["pro"]][0].id
    removed = v1.subscriptions.update(sub.id, {"items": [{"id": new_item, "deleted": True}], "proration_behavior": "none"})
    assert [i.id for i in removed["items"].data] == [item]
    expect_error(lambda: v1.subscriptions.update(sub.id, {"items": [{"id": item, "deleted": True}]}), param="items")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"items": [{"id": "si_nope", "quantity": 2}]}), code="resource_missing", param="items[0][id]")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"items": [{"id": item, "price": world["pro"]}], "proration_date": APR1 - DAY}), param="proration_date")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"items": [{"id": item, "price": world["yearly"]}, {"price": world["pro"]}]}),
                 param="items[1][price]")
    expect_error(lambda: v1.invoices.create_preview({"customer": world["cus"].id}), code="parameter_missing",
                 param="subscription_details[items]")
    expect_error(lambda: v1.invoices.create_preview({}), code="parameter_missing", param="customer")


def test_failed_payment_per_payment_behavior(v1, world):
    sub = subscribe(v1, world)
    item = sub["items"].data[0].id
    bad = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": world["cus"].id})
    v1.subscriptions.update(sub.id, {"default_payment_method": bad.id})
    change = {"items": [{"id": item, "price": world["pro"]}], "proration_behavior": "always_invoice"}
    before = v1.subscriptions.retrieve(sub.id)
    expect_error(lambda: v1.subscriptions.update(sub.id, {**change, "payment_behavior": "error_if_incomplete"}),
                 stripe.CardError, status=402)
    after = v1.subscriptions.retrieve(sub.id)
    assert after["items"].data[0].price.id == world["basic"] and after.latest_invoice == before.latest_invoice
    applied = v1.subscriptions.update(sub.id, change)
    assert applied.status == "past_due" and applied["items"].data[0].price.id == world["pro"]
    assert v1.invoices.retrieve(applied.latest_invoice).status == "open"


def test_no_upcoming_invoice_when_canceling(v1, world):
    sub = subscribe(v1, world)
    v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    expect_error(lambda: v1.invoices.create_preview({"subscription": sub.id}), code="invoice_upcoming_none")


def test_cancel_with_prorate_and_invoice_now(v1, world):
    sub = subscribe(v1, world)
    gone = check(v1.subscriptions.cancel(sub.id, {"prorate": True, "invoice_now": True}))
    assert gone.status == "canceled" and gone.latest_invoice != sub.latest_invoice
    final = check(v1.invoices.retrieve(gone.latest_invoice))
    assert [l.amount for l in final.lines.data] == [-500]
    assert final.lines.data[0].description == "Unused time on Plan after 16 Apr 2026"
    assert (final.total, final.amount_due, final.status) == (-500, 0, "paid")
    assert v1.customers.retrieve(world["cus"].id).balance == -500, "the credit goes to the customer's balance"


def test_cancel_with_prorate_only_leaves_a_pending_credit_proration(v1, world):
    # Stripe's `prorate`: "a proration invoice item that credits remaining unused time". Without
    # `invoice_now` nothing is invoiced and the balance is untouched: the credit waits.
    sub = subscribe(v1, world)
    gone = v1.subscriptions.cancel(sub.id, {"prorate": True})
    assert gone.latest_invoice == sub.latest_invoice
    assert v1.customers.retrieve(world["cus"].id).balance == 0
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert [(i.amount, i.proration, i.invoice, i.period.start, i.period.end) for i in pending] == [
        (-500, True, None, APR16, MAY1)]
    credit = pending[0]
    assert credit.id.startswith("ii_") and credit.parent.subscription_details.subscription == sub.id
    assert v1.invoice_items.retrieve(credit.id).amount == -500
    # The customer's next invoice that takes pending items bills it; the credit lands on the
    # balance when that invoice is finalized.
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert [(l.amount, l.parent.subscription_item_details.invoice_item) for l in inv.lines.data] == [(-500, credit.id)]
    assert v1.invoices.finalize_invoice(inv.id).total == -500
    assert v1.customers.retrieve(world["cus"].id).balance == -500
    assert v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data == []


def test_a_pending_cancellation_credit_can_be_waived(v1, world):
    sub = subscribe(v1, world)
    v1.subscriptions.cancel(sub.id, {"prorate": True})
    (credit,) = v1.invoice_items.list({"customer": world["cus"].id}).data
    assert v1.invoice_items.delete(credit.id).deleted is True
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert inv.lines.data == [] and v1.customers.retrieve(world["cus"].id).balance == 0


def test_cancel_with_prorate_and_invoice_now_leaves_nothing_pending(v1, world):
    sub = subscribe(v1, world)
    v1.subscriptions.cancel(sub.id, {"prorate": True, "invoice_now": True})
    assert v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data == []
    assert v1.customers.retrieve(world["cus"].id).balance == -500


def test_a_trialing_subscription_canceled_with_prorate_leaves_no_credit(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}],
                                   "trial_period_days": 30})
    v1.subscriptions.cancel(sub.id, {"prorate": True})
    assert v1.invoice_items.list({"customer": world["cus"].id}).data == []
    assert v1.customers.retrieve(world["cus"].id).balance == 0


def test_another_subscriptions_renewal_leaves_the_cancellation_credit_pending(v1, world):
    # The credit names its subscription, so only an invoice for it, or for none, takes it.
    other = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["pro"]}]})
    sub = subscribe(v1, world)
    v1.subscriptions.cancel(sub.id, {"prorate": True})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    renewal = v1.invoices.retrieve(v1.subscriptions.retrieve(other.id).latest_invoice)
    assert [l.amount for l in renewal.lines.data] == [2000]
    (credit,) = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert (credit.amount, credit.parent.subscription_details.subscription) == (-500, sub.id)


def test_canceling_drops_a_pending_update_and_voids_the_invoice_it_waited_for(v1, world):
    sub = subscribe(v1, world)
    failing = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": world["cus"].id})
    v1.customers.update(world["cus"].id, {"invoice_settings": {"default_payment_method": failing.id}})
    held = v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": world["pro"]}],
                                            "proration_behavior": "always_invoice",
                                            "payment_behavior": "pending_if_incomplete"})
    assert held.pending_update is not None
    gone = check(v1.subscriptions.cancel(sub.id, {"prorate": True}))
    assert gone.pending_update is None and gone["items"].data[0].price.id == world["basic"]
    assert v1.invoices.retrieve(held.latest_invoice).status == "void", "the change never happens"
    # The credit is for the price the subscription had: Basic's unused half of April.
    (credit,) = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert credit.amount == -500
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert [l.amount for l in inv.lines.data] == [-500]


def test_a_schedule_canceled_with_prorate_but_no_final_invoice_leaves_a_pending_credit(v1, world):
    sub = subscribe(v1, world)
    sched = v1.subscription_schedules.create({"from_subscription": sub.id})
    check(v1.subscription_schedules.cancel(sched.id, {"prorate": True, "invoice_now": False}))
    assert v1.subscriptions.retrieve(sub.id).status == "canceled"
    (credit,) = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert (credit.amount, credit.proration) == (-500, True)
    assert v1.customers.retrieve(world["cus"].id).balance == 0


def test_cancel_invoice_now_bills_pending_prorations(v1, world):
    sub = subscribe(v1, world)
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": world["pro"]}], "proration_date": APR16})
    gone = v1.subscriptions.cancel(sub.id, {"invoice_now": True})
    final = v1.invoices.retrieve(gone.latest_invoice)
    assert [l.amount for l in final.lines.data] == [-500, 1000] and final.amount_paid == 500


def test_always_invoice_with_nothing_to_bill_issues_no_invoice(v1, world):
    sub = subscribe(v1, world)
    same = check(v1.subscriptions.update(sub.id, {"metadata": {"k": "v"}, "proration_behavior": "always_invoice",
                                                  "items": [{"id": sub["items"].data[0].id, "quantity": 1}]}))
    assert same.latest_invoice == sub.latest_invoice
    assert len(v1.invoices.list({"subscription": sub.id}).data) == 1


def test_quantity_and_item_count_limits(v1, world):
    sub = subscribe(v1, world)
    item = sub["items"].data[0].id
    expect_error(lambda: v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 10**12}]}),
                 param="items[0][quantity]")
    expect_error(lambda: v1.subscriptions.create({"customer": world["cus"].id,
                                                  "items": [{"price": world["basic"], "quantity": 10**7}]}),
                 param="items[0][quantity]")
    assert v1.subscriptions.retrieve(sub.id)["items"].data[0].quantity == 1


def test_incomplete_subscription_items_cannot_change(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}],
                                   "payment_behavior": "default_incomplete"})
    assert sub.status == "incomplete"
    expect_error(lambda: v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 3}]}),
                 param="items")
    assert check(v1.subscriptions.update(sub.id, {"metadata": {"ok": "yes"}})).metadata["ok"] == "yes"


def test_pending_if_incomplete_is_for_updates_only(v1, world):
    expect_error(lambda: v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}],
                                                  "payment_behavior": "pending_if_incomplete"}),
                 param="payment_behavior")


def test_discounts_added_and_removed_on_update(v1, world):
    sub = subscribe(v1, world)
    ten = v1.coupons.create({"percent_off": 10, "duration": "forever"})
    once = v1.coupons.create({"amount_off": 300, "currency": "usd", "duration": "once"})
    updated = check(v1.subscriptions.update(sub.id, {"discounts": [{"coupon": ten.id}]}))
    assert len(updated.discounts) == 1 and updated.discounts[0].startswith("di_")
    assert updated.latest_invoice == sub.latest_invoice, "a new discount bills nothing now"
    assert v1.coupons.retrieve(ten.id).times_redeemed == 1
    assert v1.invoices.create_preview({"subscription": sub.id}).total == 900
    # Keep the first, add a once coupon: it applies to the next invoice only.
    kept = check(v1.subscriptions.update(sub.id, {"discounts": [{"discount": updated.discounts[0]}, {"coupon": once.id}]}))
    assert kept.discounts[0] == updated.discounts[0] and len(kept.discounts) == 2
    assert v1.coupons.retrieve(ten.id).times_redeemed == 1, "keeping a discount redeems nothing"
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    renewal = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert (renewal.subtotal, renewal.total, renewal.amount_paid) == (1000, 600, 600)
    assert v1.invoices.create_preview({"subscription": sub.id}).total == 900, "the once coupon is spent"
    # Errors name the entry and change nothing.
    expect_error(lambda: v1.subscriptions.update(sub.id, {"discounts": [{"discount": "di_not_ours"}]}),
                 param="discounts[0][discount]")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"discounts": [{"coupon": ten.id}, {"coupon": ten.id}]}),
                 param="discounts[1]")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"discounts": [{"coupon": "nope"}]}),
                 code="resource_missing", param="discounts[0][coupon]")
    # (The once discount, spent by the renewal, has left the subscription.)
    assert v1.subscriptions.retrieve(sub.id).discounts == kept.discounts[:1]
    cleared = check(v1.subscriptions.update(sub.id, {"discounts": ""}))
    assert cleared.discounts == []
    assert v1.invoices.create_preview({"subscription": sub.id}).total == 1000


def test_a_discount_added_with_an_always_invoice_change_applies_to_its_invoice(v1, world):
    sub = subscribe(v1, world)
    half = v1.coupons.create({"percent_off": 50, "duration": "forever"})
    change = {"items": [{"id": sub["items"].data[0].id, "price": world["pro"]}], "proration_behavior": "always_invoice",
              "proration_date": APR16, "discounts": [{"coupon": half.id}]}
    updated = check(v1.subscriptions.update(sub.id, change))
    inv = v1.invoices.retrieve(updated.latest_invoice)
    # -500 unused (no discount on credits) and +1000 remaining, half off: 500 - 500 = 0.
    assert [l.amount for l in inv.lines.data] == [-500, 1000]
    assert inv.total == 0


def test_the_customer_balance_pays_the_next_invoices(v1, world):
    sub = subscribe(v1, world)
    # A downgrade invoiced now leaves a credit (-500 + 250 = -250) on the customer's balance.
    cheap = v1.prices.create({"product": v1.prices.retrieve(world["basic"]).product, "currency": "usd",
                              "unit_amount": 500, "recurring": {"interval": "month"}}).id
    down = v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": cheap}],
                                            "proration_behavior": "always_invoice", "proration_date": APR16})
    inv = check(v1.invoices.retrieve(down.latest_invoice))
    assert (inv.total, inv.amount_due, inv.starting_balance, inv.ending_balance, inv.status) == (-250, 0, 0, -250, "paid")
    assert v1.customers.retrieve(world["cus"].id).balance == -250
    # The preview of the renewal shows the credit taken, without taking it.
    preview = v1.invoices.create_preview({"subscription": sub.id})
    assert (preview.total, preview.starting_balance, preview.amount_due, preview.ending_balance) == (500, -250, 250, None)
    assert v1.customers.retrieve(world["cus"].id).balance == -250
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    renewal = check(v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice))
    assert (renewal.total, renewal.starting_balance, renewal.ending_balance, renewal.amount_paid) == (500, -250, 0, 250)
    assert v1.customers.retrieve(world["cus"].id).balance == 0


def test_voiding_an_invoice_gives_back_the_credit_it_took(v1, world):
    v1.customers.update(world["cus"].id, {"balance": -400})
    bad = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": world["cus"].id})
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}],
                                   "default_payment_method": bad.id})
    inv = check(v1.invoices.retrieve(sub.latest_invoice))
    assert (inv.status, inv.starting_balance, inv.ending_balance, inv.amount_due) == ("open", -400, 0, 600)
    assert v1.customers.retrieve(world["cus"].id).balance == 0
    check(v1.invoices.void_invoice(inv.id))
    assert v1.customers.retrieve(world["cus"].id).balance == -400


def test_default_incomplete_update_waits_for_the_payment(v1, world):
    sub = subscribe(v1, world)
    change = {"items": [{"id": sub["items"].data[0].id, "price": world["pro"]}], "proration_behavior": "always_invoice",
              "proration_date": APR16, "payment_behavior": "default_incomplete"}
    updated = check(v1.subscriptions.update(sub.id, change))
    assert updated.status == "past_due" and updated["items"].data[0].price.id == world["pro"]
    inv = check(v1.invoices.retrieve(updated.latest_invoice))
    assert (inv.status, inv.amount_due, inv.attempt_count, inv.next_payment_attempt) == ("open", 500, 0, None)
    assert check(v1.invoices.pay(inv.id)).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_preview_of_a_new_subscription_equals_its_first_invoice(v1, world):
    v1.coupons.create({"id": "QUARTER", "percent_off": 25, "duration": "forever"})
    v1.customers.update(world["cus"].id, {"balance": -100})
    details = {"items": [{"price": world["pro"], "quantity": 2}]}
    preview = check(v1.invoices.create_preview({"customer": world["cus"].id, "subscription_details": details,
                                                "discounts": [{"coupon": "QUARTER"}]}))
    assert preview.id.startswith("upcoming_in_") and preview.status == "draft"
    assert (preview.subtotal, preview.total, preview.starting_balance, preview.amount_due) == (4000, 3000, -100, 2900)
    assert v1.coupons.retrieve("QUARTER").times_redeemed == 0, "a preview redeems nothing"
    assert v1.subscriptions.list({"customer": world["cus"].id}).data == []
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": details["items"],
                                   "discounts": [{"coupon": "QUARTER"}], "expand": ["latest_invoice"]})
    first = sub.latest_invoice
    assert shape(body_of(first)["lines"]["data"]) == shape(body_of(preview)["lines"]["data"])
    assert (first.total, first.amount_due, first.amount_paid) == (preview.total, preview.amount_due, 2900)
    expect_error(lambda: v1.invoices.create_preview({"customer": world["cus"].id, "subscription_details": {
        "items": [{"id": "si_x", "quantity": 1}]}}), param="subscription_details[items][0][id]")


def test_preview_with_new_discounts_equals_the_update(v1, world):
    sub = subscribe(v1, world)
    v1.coupons.create({"id": "HALF", "percent_off": 50, "duration": "forever"})
    change = {"items": [{"id": sub["items"].data[0].id, "price": world["pro"]}], "proration_behavior": "always_invoice",
              "proration_date": APR16}
    preview = check(v1.invoices.create_preview({"subscription": sub.id, "subscription_details": change,
                                                "discounts": [{"coupon": "HALF"}]}))
    updated = v1.subscriptions.update(sub.id, {**change, "discounts": [{"coupon": "HALF"}]})
    inv = v1.invoices.retrieve(updated.latest_invoice)
    assert shape(body_of(inv)["lines"]["data"]) == shape(body_of(preview)["lines"]["data"])
    assert inv.total == preview.total
    # Without discounts the next renewal preview keeps the subscription's; "" previews it without them.
    assert v1.invoices.create_preview({"subscription": sub.id}).total == 1000
    assert v1.invoices.create_preview({"subscription": sub.id, "discounts": ""}).total == 2000


def test_trial_end_moves_or_ends_the_trial(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}],
                                   "trial_period_days": 14})
    assert sub.status == "trialing"
    longer = check(v1.subscriptions.update(sub.id, {"trial_end": APR1 + 20 * DAY}))
    assert longer.trial_end == APR1 + 20 * DAY and longer["items"].data[0].current_period_end == APR1 + 20 * DAY
    assert longer.billing_cycle_anchor == APR1 + 20 * DAY and longer.status == "trialing"
    expect_error(lambda: v1.subscriptions.update(sub.id, {"trial_end": APR1 - DAY}), param="trial_end")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"trial_end": "soon"}), param="trial_end")
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    ended = check(v1.subscriptions.update(sub.id, {"trial_end": "now", "expand": ["latest_invoice"]}))
    assert ended.status == "active" and ended.trial_end == APR16
    item = ended["items"].data[0]
    assert (item.current_period_start, item.current_period_end) == (APR16, APR16 + 30 * DAY)
    assert ended.latest_invoice.status == "paid" and ended.latest_invoice.amount_paid == 1000
    assert ended.latest_invoice.billing_reason == "subscription_cycle"
    # Once active, a trial_end adds a new trial (see test_trial_end_behavior.py).
    again = check(v1.subscriptions.update(sub.id, {"trial_end": APR16 + 5 * DAY}))
    assert (again.status, again.trial_start, again.trial_end) == ("trialing", APR16, APR16 + 5 * DAY)


def pending_change(v1, world):
    sub = subscribe(v1, world)
    bad = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": world["cus"].id})
    v1.subscriptions.update(sub.id, {"default_payment_method": bad.id})
    change = {"items": [{"id": sub["items"].data[0].id, "price": world["pro"]}], "proration_behavior": "always_invoice",
              "proration_date": APR16, "payment_behavior": "pending_if_incomplete"}
    held = check(v1.subscriptions.update(sub.id, {**change, "metadata": {"asked": "pro"}}))
    assert held.metadata["asked"] == "pro", "the rest of the update applies at once"
    return sub, held, change


def test_pending_if_incomplete_applies_the_change_once_paid(v1, world):
    sub, held, change = pending_change(v1, world)
    assert held.status == "active" and held["items"].data[0].price.id == world["basic"], "nothing changed yet"
    pending = held.pending_update
    assert pending.expires_at == APR16 + 23 * 3600 and pending.billing_cycle_anchor is None
    assert [i.price.id for i in pending.subscription_items] == [world["pro"]]
    inv = v1.invoices.retrieve(held.latest_invoice)
    assert (inv.status, inv.amount_due, inv.billing_reason) == ("open", 500, "subscription_update")
    expect_error(lambda: v1.subscriptions.update(sub.id, change))
    good = v1.payment_methods.attach("pm_card_visa", {"customer": world["cus"].id})
    assert check(v1.invoices.pay(inv.id, {"payment_method": good.id})).status == "paid"
    applied = check(v1.subscriptions.retrieve(sub.id))
    assert applied.pending_update is None and applied["items"].data[0].price.id == world["pro"]
    assert applied.status == "active"
    kinds = [e.type for e in v1.events.list({"limit": 10}).data]
    assert "customer.subscription.pending_update_applied" in kinds


def test_pending_update_expires_unpaid(v1, world):
    sub, held, _ = pending_change(v1, world)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16 + 24 * 3600})
    after = check(v1.subscriptions.retrieve(sub.id))
    assert after.pending_update is None and after["items"].data[0].price.id == world["basic"]
    assert v1.invoices.retrieve(held.latest_invoice).status == "void"
    kinds = [e.type for e in v1.events.list({"limit": 10}).data]
    assert "customer.subscription.pending_update_expired" in kinds


def test_an_invoice_period_is_when_its_items_accrued_not_what_it_bills(v1, world):
    """Stripe's invoice `period_start`/`period_end` look back: the first invoice's is the moment
    it is made, a renewal's the period that ends; the lines carry the service periods."""
    period = lambda inv: (inv.period_start, inv.period_end)
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}],
                                   "expand": ["latest_invoice"]})
    first = sub.latest_invoice
    assert period(first) == (APR1, APR1)
    assert (first.lines.data[0].period.start, first.lines.data[0].period.end) == (APR1, MAY1)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    item = sub["items"].data[0].id
    changed = v1.subscriptions.update(sub.id, {"items": [{"id": item, "price": world["pro"]}],
                                               "proration_behavior": "always_invoice",
                                               "expand": ["latest_invoice"]})
    assert period(changed.latest_invoice) == (APR16, APR16)
    upcoming = v1.invoices.create_preview({"subscription": sub.id})
    assert period(upcoming) == (APR1, MAY1)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    renewal = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert period(renewal) == (APR1, MAY1)
    assert (renewal.lines.data[-1].period.start, renewal.lines.data[-1].period.end) == (MAY1, MAY1 + 31 * DAY)
    final = v1.subscriptions.cancel(sub.id, {"invoice_now": True, "prorate": True})
    assert period(v1.invoices.retrieve(final.latest_invoice)) == (MAY1, MAY1 + 3600)


def test_a_preview_that_prorates_says_when_it_prorated_from(v1, world):
    sub = subscribe(v1, world)
    item = sub["items"].data[0].id
    change = {"items": [{"id": item, "price": world["pro"]}], "proration_behavior": "always_invoice"}
    # Given, the preview names it; the update sent with it bills the same amounts.
    at = APR16 - 3600
    preview = check(v1.invoices.create_preview({"subscription": sub.id, "subscription_details": {**change, "proration_date": at}}))
    assert preview.parent.subscription_details.subscription_proration_date == at
    updated = v1.subscriptions.update(sub.id, {**change, "proration_date": at, "expand": ["latest_invoice"]})
    assert updated.latest_invoice.total == preview.total
    # Not given, it is the moment of the preview (the test clock's time here).
    later = check(v1.invoices.create_preview({"subscription": sub.id, "subscription_details": {
        "items": [{"id": item, "price": world["basic"]}], "proration_behavior": "always_invoice"}}))
    assert later.parent.subscription_details.subscription_proration_date == APR16
    # A preview with nothing prorated has none.
    plain = v1.invoices.create_preview({"subscription": sub.id})
    assert "subscription_proration_date" not in plain.parent.subscription_details.to_dict()


def test_a_new_subscriptions_preview_takes_a_timestamp_anchor(v1, world):
    # As the create does: the first invoice bills from now to the anchor, prorated.
    anchor = APR16 + 14 * 86400
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    details = {"items": [{"price": world["basic"]}], "billing_cycle_anchor": anchor}
    preview = check(v1.invoices.create_preview({"customer": world["cus"].id, "subscription_details": details}))
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}],
                                   "billing_cycle_anchor": anchor, "expand": ["latest_invoice"]})
    assert preview.total == sub.latest_invoice.total and 0 < preview.total < 1000
    # A change to a subscription takes only now or unchanged; a bad value is named.
    expect_error(lambda: v1.invoices.create_preview({"subscription": sub.id, "subscription_details": {
        "billing_cycle_anchor": anchor}}), param="subscription_details[billing_cycle_anchor]")
    expect_error(lambda: v1.invoices.create_preview({"customer": world["cus"].id, "subscription_details": {
        **details, "billing_cycle_anchor": "soon"}}), param="subscription_details[billing_cycle_anchor]")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"billing_cycle_anchor": anchor}),
                 param="billing_cycle_anchor")


def created_items(v1):
    """The invoice items announced so far, oldest first: (id, amount, invoice)."""
    events = v1.events.list({"type": "invoiceitem.created", "limit": 100}).data
    return [(e.data.object.id, e.data.object.amount, e.data.object.invoice) for e in reversed(events)]


def test_each_proration_is_announced_once_as_an_invoice_item(v1, world):
    # Prorations are invoice items, and Stripe announces each item it makes: when the change
    # makes it, not again when an invoice bills it.
    sub = subscribe(v1, world)
    change = {"items": [{"id": sub["items"].data[0].id, "price": world["pro"]}], "proration_behavior": "create_prorations"}
    v1.subscriptions.update(sub.id, change)
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert sorted(created_items(v1)) == sorted((i.id, i.amount, None) for i in pending)
    assert sorted(i.amount for i in pending) == [-500, 1000]
    (event,) = v1.events.list({"type": "invoiceitem.created", "limit": 1}).data
    assert event.data.object.proration is True and event.data.object.object == "invoiceitem"
    # Billed by a manual invoice, deleted, billed again by the renewal: still two.
    draft = v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"})
    v1.invoices.delete(draft.id)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    assert len(created_items(v1)) == 2
    # Billed at once: announced with the invoice that bills them.
    item = sub["items"].data[0].id
    v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 2}], "proration_behavior": "always_invoice"})
    latest = v1.subscriptions.retrieve(sub.id).latest_invoice
    now_billed = created_items(v1)[2:]
    lines = v1.invoices.retrieve(latest).lines.data
    assert sorted(now_billed) == sorted((l.parent.subscription_item_details.invoice_item, l.amount, latest) for l in lines)
    assert len(now_billed) >= 1
    # A prorated cancellation's credit too.
    v1.subscriptions.cancel(sub.id, {"prorate": True})
    (credit,) = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert created_items(v1)[-1] == (credit.id, credit.amount, None)
    # Taken by invoices, given back by a deleted draft: none of them was deleted.
    assert v1.events.list({"type": "invoiceitem.deleted"}).data == []



def test_prorations_removed_without_being_billed_are_announced_as_deleted(v1, world):
    sub = subscribe(v1, world)
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 2}],
                                     "proration_behavior": "create_prorations"})
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert len(pending) == 2
    # A change waiting for its payment bills them on its invoice; paid, the change applies and
    # they leave the subscription billed, not deleted.
    bad = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": world["cus"].id})
    v1.subscriptions.update(sub.id, {"default_payment_method": bad.id})
    held = v1.subscriptions.update(sub.id, {
        "items": [{"id": sub["items"].data[0].id, "price": world["pro"]}], "proration_behavior": "always_invoice",
        "payment_behavior": "pending_if_incomplete"})
    assert held.pending_update is not None
    inv = v1.invoices.retrieve(held.latest_invoice)
    assert {p.id for p in pending} <= {l.parent.subscription_item_details.invoice_item for l in inv.lines.data}
    good = v1.payment_methods.attach("pm_card_visa", {"customer": world["cus"].id})
    v1.invoices.pay(inv.id, {"payment_method": good.id})
    assert v1.subscriptions.retrieve(sub.id).pending_update is None
    assert v1.events.list({"type": "invoiceitem.deleted"}).data == []
    for p in pending:
        assert v1.invoice_items.retrieve(p.id).invoice == inv.id
    # Made again, then canceled with neither `prorate` nor `invoice_now`: removed, and announced
    # as deleted, each as it was.
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 3}],
                                     "proration_behavior": "create_prorations"})
    again = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert len(again) == 2
    v1.subscriptions.cancel(sub.id)
    deleted = v1.events.list({"type": "invoiceitem.deleted"}).data
    assert sorted(e.data.object.id for e in deleted) == sorted(p.id for p in again)
    for e in deleted:
        was = next(p for p in again if p.id == e.data.object.id)
        assert e.data.object.to_dict() == was.to_dict()
    kinds = [e.type for e in v1.events.list({"limit": 3}).data]
    assert kinds == ["invoiceitem.deleted", "invoiceitem.deleted", "customer.subscription.deleted"]
    assert v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data == []
    for p in again:
        expect_error(lambda: v1.invoice_items.retrieve(p.id), status=404)


def held_over_prorations(v1, world):
    """A subscription with two pending prorations (a quantity change on APR16), then a change
    to Pro waiting for its payment, whose invoice takes them: (sub, the prorations, held)."""
    sub = subscribe(v1, world)
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 2}],
                                     "proration_behavior": "create_prorations"})
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    bad = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": world["cus"].id})
    v1.subscriptions.update(sub.id, {"default_payment_method": bad.id})
    held = v1.subscriptions.update(sub.id, {
        "items": [{"id": sub["items"].data[0].id, "price": world["pro"]}], "proration_behavior": "always_invoice",
        "payment_behavior": "pending_if_incomplete"})
    return sub, pending, held


@pytest.mark.parametrize("end", ["expiry", "cancel"])
def test_prorations_a_dropped_pending_update_gives_back_are_pending_once(v1, world, end):
    sub, pending, held = held_over_prorations(v1, world)
    awaited = held.latest_invoice
    for p in pending:
        assert v1.invoice_items.retrieve(p.id).invoice == awaited, "on the invoice the change waits for"
    assert v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data == []
    if end == "expiry":
        v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16 + DAY})
    else:
        v1.subscriptions.cancel(sub.id, {"prorate": True})
    assert v1.invoices.retrieve(awaited).status == "void"
    # The change never happened: its invoice is void, and the prorations it took are pending
    # again, each listed once and retrieved as pending.
    listed = v1.invoice_items.list({"customer": world["cus"].id}).data
    ids = [x.id for x in listed]
    assert len(ids) == len(set(ids)), "each once"
    for p in pending:
        got = v1.invoice_items.retrieve(p.id)
        assert got.invoice is None and p.id in ids
    # The void invoice no longer lists them as its items.
    on_void = {x.id for x in v1.invoice_items.list({"invoice": awaited}).data}
    assert not on_void & {p.id for p in pending}
    if end == "expiry":
        # Billed by the renewal: its items, and still not the void invoice's.
        v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
        renewal = v1.subscriptions.retrieve(sub.id).latest_invoice
        for p in pending:
            assert v1.invoice_items.retrieve(p.id).invoice == renewal
        on_void = {x.id for x in v1.invoice_items.list({"invoice": awaited}).data}
        assert not on_void & {p.id for p in pending}


def test_a_cancellation_that_drops_a_pending_update_deletes_the_prorations_it_removes(v1, world):
    sub, pending, held = held_over_prorations(v1, world)
    # Neither `prorate` nor `invoice_now`: the change's invoice is voided, and the prorations
    # it took, pending again, are removed with the subscription's: deleted, each announced.
    v1.subscriptions.cancel(sub.id)
    assert v1.invoices.retrieve(held.latest_invoice).status == "void"
    deleted = [e.data.object.id for e in v1.events.list({"type": "invoiceitem.deleted"}).data]
    assert sorted(deleted) == sorted(p.id for p in pending)
    for p in pending:
        expect_error(lambda: v1.invoice_items.retrieve(p.id), status=404)
    # The void invoice keeps only the prorations of the change that never happened.
    listed = {x.id for x in v1.invoice_items.list({"customer": world["cus"].id}).data}
    on_void = {x.id for x in v1.invoice_items.list({"invoice": held.latest_invoice}).data}
    assert listed == on_void and not on_void & {p.id for p in pending}


def test_a_subscription_that_ends_drops_the_change_waiting_for_its_payment(v1, world):
    sub, held, _ = pending_change(v1, world)
    awaited = held.latest_invoice
    ends = APR16 + 2 * 3600
    v1.subscriptions.update(sub.id, {"cancel_at": ends, "proration_behavior": "none"})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": ends + 3600})
    ended = check(v1.subscriptions.retrieve(sub.id))
    assert (ended.status, ended.ended_at) == ("canceled", ends)
    # The change never happens: dropped when the subscription ended, its invoice voided, long
    # before it would have expired.
    assert ended.pending_update is None and ended["items"].data[0].price.id == world["basic"]
    assert v1.invoices.retrieve(awaited).status == "void"
    kinds = [e.type for e in v1.events.list({"limit": 20}).data]
    assert "customer.subscription.pending_update_expired" in kinds
    expect_error(lambda: v1.invoices.pay(awaited))


def test_an_uncollectible_invoice_a_dropped_change_waited_for_is_voided(v1, world):
    # Marked uncollectible, the invoice could still be paid; when its change expires it is
    # voided like an open one, so the prorations it took (pending again) are billed only once.
    sub, pending, held = held_over_prorations(v1, world)
    awaited = held.latest_invoice
    v1.invoices.mark_uncollectible(awaited)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16 + DAY})
    assert v1.subscriptions.retrieve(sub.id).pending_update is None
    assert v1.invoices.retrieve(awaited).status == "void"
    for p in pending:
        assert v1.invoice_items.retrieve(p.id).invoice is None
    expect_error(lambda: v1.invoices.pay(awaited))


def test_prorations_billed_by_an_invoice_voided_at_once_stay_its_items(v1, world):
    # Collection paused with `behavior=void`: an invoiced change's invoice is voided as it is
    # made. The prorations it took stay its items (not deleted, not pending).
    sub = subscribe(v1, world)
    v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "void"}})
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 2}],
                                     "proration_behavior": "create_prorations"})
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert len(pending) == 2
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": world["pro"]}],
                                     "proration_behavior": "always_invoice"})
    inv = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert inv.status == "void"
    assert v1.events.list({"type": "invoiceitem.deleted"}).data == []
    for p in pending:
        assert v1.invoice_items.retrieve(p.id).invoice == inv.id
    assert {p.id for p in pending} <= {x.id for x in v1.invoice_items.list({"invoice": inv.id}).data}
    assert v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data == []
