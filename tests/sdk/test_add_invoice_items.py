"""`add_invoice_items` on subscription create and update: one-off charges (a setup fee) billed on
the subscription's first invoice, on the invoice an update makes, or else on the next one."""

import pytest

from helpers import APR1, APR16, DAY, HOUR, MAY1, body_of, carded_customer, check, expect_error


@pytest.fixture
def world(v1):
    plan = v1.products.create({"name": "Plan"})
    setup = v1.products.create({"name": "Setup fee"})
    monthly = v1.prices.create({"product": plan.id, "currency": "usd", "unit_amount": 3000,
                                "recurring": {"interval": "month"}}).id
    fee = v1.prices.create({"product": setup.id, "currency": "usd", "unit_amount": 5000}).id
    euro_fee = v1.prices.create({"product": setup.id, "currency": "eur", "unit_amount": 5000}).id
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    return {"monthly": monthly, "fee": fee, "euro_fee": euro_fee, "setup": setup.id,
            "clock": clock, "cus": cus}


def subscribe(v1, w, **extra):
    return check(v1.subscriptions.create({"customer": w["cus"].id,
                                          "items": [{"price": w["monthly"]}], **extra}))


def lines_of(v1, invoice_id):
    inv = check(v1.invoices.retrieve(invoice_id))
    return inv, inv.lines.data


def test_a_setup_fee_on_the_first_invoice(v1, world):
    sub = subscribe(v1, world, add_invoice_items=[
        {"price": world["fee"], "metadata": {"kind": "setup"}}])
    inv, lines = lines_of(v1, sub.latest_invoice)
    assert (inv.status, inv.total, inv.amount_paid) == ("paid", 8000, 8000)
    fee, plan = lines
    assert (fee.amount, fee.description, fee.quantity) == (5000, "Setup fee", 1)
    assert fee.parent.type == "invoice_item_details" and fee.parent.subscription_item_details is None
    details = fee.parent.invoice_item_details
    assert details.invoice_item.startswith("ii_") and details.subscription == sub.id
    assert details.proration is False
    assert (fee.period.start, fee.period.end) == (APR1, MAY1), "the subscription's first period"
    assert fee.metadata.to_dict() == {"kind": "setup"} and fee.discountable is True
    assert fee.pricing.price_details.price == world["fee"]
    assert plan.parent.type == "subscription_item_details" and plan.amount == 3000
    # Once only: the renewal bills the plan alone.
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR})
    _, renewal = lines_of(v1, v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert [l.amount for l in renewal] == [3000]


def test_a_trial_charges_the_fee_at_once(v1, world):
    sub = subscribe(v1, world, trial_period_days=14,
                    add_invoice_items=[{"price": world["fee"], "quantity": 2}])
    assert sub.status == "trialing"
    inv, lines = lines_of(v1, sub.latest_invoice)
    assert (inv.status, inv.total) == ("paid", 10000)
    assert [(l.amount, l.quantity) for l in lines] == [(10000, 2), (0, 1)]
    assert (lines[0].period.start, lines[0].period.end) == (APR1, APR1 + 14 * DAY)


def test_a_trial_whose_fee_is_not_paid_is_incomplete_until_it_is(v1, world):
    cus = v1.customers.create({"test_clock": world["clock"].id,
                               "payment_method": "pm_card_chargeCustomerFail",
                               "invoice_settings": {"default_payment_method": "pm_card_chargeCustomerFail"}})
    sub = check(v1.subscriptions.create({"customer": cus.id, "items": [{"price": world["monthly"]}],
                                         "trial_period_days": 14,
                                         "add_invoice_items": [{"price": world["fee"]}]}))
    assert sub.status == "incomplete"
    inv = v1.invoices.retrieve(sub.latest_invoice)
    assert (inv.status, inv.amount_due) == ("open", 5000)
    good = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    assert v1.invoices.pay(inv.id, {"payment_method": good.id}).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "trialing"


def test_discounts_skip_items_that_are_not_discountable(v1, world):
    coupon = v1.coupons.create({"percent_off": 50, "duration": "once"})
    sub = subscribe(v1, world, discounts=[{"coupon": coupon.id}], add_invoice_items=[
        {"price": world["fee"], "discountable": False}])
    inv, (fee, plan) = lines_of(v1, sub.latest_invoice)
    assert fee.discountable is False and fee.discount_amounts == []
    assert [d.amount for d in plan.discount_amounts] == [1500]
    assert inv.total == 5000 + 1500


def test_an_update_adds_the_charge_to_the_next_invoice(v1, world):
    sub = subscribe(v1, world)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    updated = check(v1.subscriptions.update(sub.id, {"add_invoice_items": [
        {"price": world["fee"], "period": {"start": {"type": "now"},
                                            "end": {"type": "min_item_period_end"}}}]}))
    assert updated.latest_invoice == sub.latest_invoice, "nothing billed now"
    preview = v1.invoices.create_preview({"subscription": sub.id})
    assert [l.amount for l in preview.lines.data] == [5000, 3000]
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR})
    inv, lines = lines_of(v1, v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert [l.amount for l in lines] == [5000, 3000] and inv.status == "paid"
    assert (lines[0].period.start, lines[0].period.end) == (APR16, MAY1)
    assert lines[0].parent.invoice_item_details.subscription == sub.id


def test_an_update_that_invoices_now_bills_the_charge_now(v1, world):
    sub = subscribe(v1, world)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    updated = check(v1.subscriptions.update(sub.id, {
        "proration_behavior": "always_invoice",
        "add_invoice_items": [{"price": world["fee"], "period": {
            "start": {"type": "timestamp", "timestamp": APR16},
            "end": {"type": "timestamp", "timestamp": APR16 + DAY}}}]}))
    inv, lines = lines_of(v1, updated.latest_invoice)
    assert inv.id != sub.latest_invoice and inv.billing_reason == "subscription_update"
    assert (inv.status, inv.total) == ("paid", 5000)
    assert [(l.period.start, l.period.end) for l in lines] == [(APR16, APR16 + DAY)]


def test_a_manual_invoice_takes_the_pending_charge_and_gives_it_back(v1, world):
    sub = subscribe(v1, world)
    v1.subscriptions.update(sub.id, {"add_invoice_items": [{"price": world["fee"]}]})
    draft = check(v1.invoices.create({"customer": world["cus"].id,
                                      "pending_invoice_items_behavior": "include"}))
    assert [l.amount for l in draft.lines.data] == [5000]
    assert draft.lines.data[0].parent.invoice_item_details.subscription == sub.id
    assert [l.amount for l in v1.invoices.create_preview({"subscription": sub.id}).lines.data] == [3000]
    v1.invoices.delete(draft.id)
    assert [l.amount for l in v1.invoices.create_preview({"subscription": sub.id}).lines.data] == [5000, 3000]


def test_refusals_name_the_parameter(v1, world):
    new = lambda items, **extra: v1.subscriptions.create({
        "customer": world["cus"].id, "items": [{"price": world["monthly"]}],
        "add_invoice_items": items, **extra})
    expect_error(lambda: new([{"price": world["monthly"]}]), param="add_invoice_items[0][price]",
                 message="one-time")
    expect_error(lambda: new([{"price": world["fee"]}, {"price": world["euro_fee"]}]),
                 param="add_invoice_items[1][price]")
    expect_error(lambda: new([{"price": "price_missing"}]), param="add_invoice_items[0][price]",
                 status=400, code="resource_missing")
    expect_error(lambda: new([{"quantity": 1}]), param="add_invoice_items[0][price]")
    expect_error(lambda: new([{"price": world["fee"], "quantity": -1}]),
                 param="add_invoice_items[0][quantity]")
    expect_error(lambda: new([{"price": world["fee"], "tax_rates": ["txr_1"]}]),
                 param="add_invoice_items[0][tax_rates]")
    expect_error(lambda: new([{"price": world["fee"]}] * 21), param="add_invoice_items")
    archived = v1.prices.create({"product": world["setup"], "currency": "usd", "unit_amount": 100})
    v1.prices.update(archived.id, {"active": False})
    expect_error(lambda: new([{"price": archived.id}]), param="add_invoice_items[0][price]",
                 message="not active")
    period = lambda start, end: [{"price": world["fee"], "period": {"start": start, "end": end}}]
    expect_error(lambda: new(period({"type": "timestamp", "timestamp": APR16},
                                    {"type": "timestamp", "timestamp": APR1})),
                 param="add_invoice_items[0][period][end]")
    expect_error(lambda: new(period({"type": "timestamp"}, {"type": "min_item_period_end"})),
                 param="add_invoice_items[0][period][start][timestamp]")
    expect_error(lambda: new(period({"type": "now", "timestamp": APR1},
                                    {"type": "min_item_period_end"})),
                 param="add_invoice_items[0][period][start][timestamp]")
    expect_error(lambda: new(period({"type": "later"}, {"type": "min_item_period_end"})),
                 param="add_invoice_items[0][period][start][type]")
    # Nothing was created.
    assert v1.subscriptions.list({"customer": world["cus"].id}).data == []
    # On update too, and the subscription is left as it was.
    sub = subscribe(v1, world)
    expect_error(lambda: v1.subscriptions.update(sub.id, {"add_invoice_items": [
        {"price": world["monthly"]}]}), param="add_invoice_items[0][price]")
    assert body_of(v1.subscriptions.retrieve(sub.id)) == body_of(sub)
