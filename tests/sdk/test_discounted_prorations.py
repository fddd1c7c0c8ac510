"""Discounts and proration credits: the customer is credited the discounted price of the unused
time, not more than was paid for it. Flexible billing mode credits what was debited, so a
discount added by the change itself leaves the credit whole; classic mode credits at the
subscription's discounts as they are after the change."""

import pytest

from helpers import APR1, APR16, MAY1, carded_customer, check


@pytest.fixture
def world(v1):
    product = v1.products.create({"name": "Plan"})
    price = lambda amount: v1.prices.create({"product": product.id, "currency": "usd",
                                             "unit_amount": amount,
                                             "recurring": {"interval": "month"}}).id
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    coupon = v1.coupons.create({"percent_off": 20, "duration": "forever"}).id
    return {"basic": price(1000), "pro": price(3000), "clock": clock, "cus": cus, "coupon": coupon}


def subscribe(v1, w, **extra):
    sub = v1.subscriptions.create({"customer": w["cus"].id, "items": [{"price": w["basic"]}], **extra})
    v1.test_helpers.test_clocks.advance(w["clock"].id, {"frozen_time": APR16})
    return sub


def upgrade(w, sub, **extra):
    return {"items": [{"id": sub["items"].data[0].id, "price": w["pro"]}],
            "proration_behavior": "always_invoice", "proration_date": APR16, **extra}


def lines(inv):
    return [(l.amount, [d.amount for d in l.discount_amounts]) for l in inv.lines.data]


def test_a_discount_the_customer_paid_with_reduces_the_credit(v1, world):
    sub = subscribe(v1, world, discounts=[{"coupon": world["coupon"]}])
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 800
    change = upgrade(world, sub)
    preview = check(v1.invoices.create_preview({"subscription": sub.id, "subscription_details": change}))
    inv = check(v1.subscriptions.update(sub.id, {**change, "expand": ["latest_invoice"]})).latest_invoice
    # Half of April: $5 unused at 20% off is $4 back; $15 remaining at 20% off is $12.
    assert lines(inv) == lines(preview) == [(-500, [-100]), (1500, [300])]
    assert (inv.subtotal, inv.total, inv.amount_paid) == (1000, 800, 800)
    assert [d.amount for d in inv.total_discount_amounts] == [200]


def test_flexible_mode_leaves_the_credit_whole_when_the_change_adds_the_discount(v1, world):
    sub = subscribe(v1, world)
    change = upgrade(world, sub, discounts=[{"coupon": world["coupon"]}])
    inv = check(v1.subscriptions.update(sub.id, {**change, "expand": ["latest_invoice"]})).latest_invoice
    # The $5 of unused time was paid in full, so $5 comes back; the new time is discounted.
    assert lines(inv) == [(-500, []), (1500, [300])]
    assert (inv.total, inv.amount_paid) == (700, 700)


def test_classic_mode_credits_at_the_discounts_after_the_change(v1, world):
    sub = subscribe(v1, world, billing_mode={"type": "classic"})
    change = upgrade(world, sub, discounts=[{"coupon": world["coupon"]}])
    inv = check(v1.subscriptions.update(sub.id, {**change, "expand": ["latest_invoice"]})).latest_invoice
    assert lines(inv) == [(-500, [-100]), (1500, [300])]
    assert inv.total == 800


def test_pending_credits_are_discounted_on_the_renewal(v1, world):
    sub = subscribe(v1, world, discounts=[{"coupon": world["coupon"]}])
    v1.subscriptions.update(sub.id, {**upgrade(world, sub), "proration_behavior": "create_prorations"})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    renewal = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert lines(renewal) == [(-500, [-100]), (1500, [300]), (3000, [600])]
    assert renewal.amount_paid == (-500 + 100) + (1500 - 300) + (3000 - 600)


def test_canceling_with_prorate_credits_what_was_paid(v1, world):
    sub = subscribe(v1, world, discounts=[{"coupon": world["coupon"]}])
    v1.subscriptions.cancel(sub.id, {"prorate": True})
    # The credit waits as a proration; the invoice that takes it applies the 20% it was paid with.
    assert v1.customers.retrieve(world["cus"].id).balance == 0
    inv = check(v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                                    "pending_invoice_items_behavior": "include"}))
    assert lines(inv) == [(-500, [-100])] and inv.total == -400
    v1.invoices.finalize_invoice(inv.id)
    assert v1.customers.retrieve(world["cus"].id).balance == -400
    # A customer-wide invoice takes such a credit with its discount too.
    again = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}],
                                     "discounts": [{"coupon": world["coupon"]}]})
    v1.subscriptions.cancel(again.id, {"prorate": True})
    wide = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    # Its whole month (paid at $8) comes back: $10 less 20%.
    assert lines(wide) == [(-1000, [-200])] and wide.total == -800
    other = carded_customer(v1, world["clock"].id)
    sub = v1.subscriptions.create({"customer": other.id, "items": [{"price": world["basic"]}],
                                   "discounts": [{"coupon": world["coupon"]}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16 + 3600})
    canceled = v1.subscriptions.cancel(sub.id, {"prorate": True, "invoice_now": True})
    inv = v1.invoices.retrieve(canceled.latest_invoice)
    (credit, discounts), = lines(inv)
    off = int(-credit * 0.2 + 0.5)
    assert credit < 0 and discounts == [-off]
    assert inv.total == credit + off
    assert v1.customers.retrieve(other.id).balance == inv.total


def test_flexible_mode_leaves_the_credit_whole_for_a_discount_added_since_the_period_was_paid(v1, world):
    # The retention coupon, say: added mid-period, with no invoice; the period was paid in full.
    sub = subscribe(v1, world)
    v1.subscriptions.update(sub.id, {"discounts": [{"coupon": world["coupon"]}]})
    inv = check(v1.subscriptions.update(sub.id, {**upgrade(world, sub), "expand": ["latest_invoice"]})).latest_invoice
    assert lines(inv) == [(-500, []), (1500, [300])]
    assert inv.total == 700


def renewal_after(v1, w, sub):
    v1.test_helpers.test_clocks.advance(w["clock"].id, {"frozen_time": MAY1 + 3600})
    return v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)


def later_upgrade(w, sub):
    return {**upgrade(w, sub), "proration_behavior": "create_prorations"}


def test_pending_prorations_keep_a_discount_that_ends_before_they_are_invoiced(v1, world):
    # 25% off for one month: it ends as May begins, after the change it discounted.
    month = v1.coupons.create({"percent_off": 25, "duration": "repeating", "duration_in_months": 1}).id
    sub = subscribe(v1, world, discounts=[{"coupon": month}])
    v1.subscriptions.update(sub.id, later_upgrade(world, sub))
    preview = v1.invoices.create_preview({"subscription": sub.id})
    renewal = renewal_after(v1, world, sub)
    # $5 unused and $15 remaining at 25% off; May at full price.
    assert lines(renewal) == lines(preview) == [(-500, [-125]), (1500, [375]), (3000, [])]
    assert renewal.amount_paid == -375 + 1125 + 3000


def test_pending_prorations_keep_a_discount_taken_off_after_them(v1, world):
    sub = subscribe(v1, world, discounts=[{"coupon": world["coupon"]}])
    v1.subscriptions.update(sub.id, later_upgrade(world, sub))
    v1.subscriptions.update(sub.id, {"discounts": ""})
    renewal = renewal_after(v1, world, sub)
    assert lines(renewal) == [(-500, [-100]), (1500, [300]), (3000, [])]
    assert renewal.amount_paid == -400 + 1200 + 3000


def test_a_discount_added_after_pending_prorations_leaves_them_whole(v1, world):
    sub = subscribe(v1, world)
    v1.subscriptions.update(sub.id, later_upgrade(world, sub))
    v1.subscriptions.update(sub.id, {"discounts": [{"coupon": world["coupon"]}]})
    renewal = renewal_after(v1, world, sub)
    assert lines(renewal) == [(-500, []), (1500, []), (3000, [600])]
    assert renewal.amount_paid == -500 + 1500 + 2400


def test_flexible_mode_credits_what_a_spent_once_discount_left_to_pay(v1, world):
    half = v1.coupons.create({"percent_off": 50, "duration": "once"}).id
    sub = subscribe(v1, world, discounts=[{"coupon": half}])
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 500
    inv = check(v1.subscriptions.update(sub.id, {**upgrade(world, sub), "expand": ["latest_invoice"]})).latest_invoice
    # Half of April was paid at half price: $2.50 comes back; the new time is at full price.
    assert lines(inv) == [(-500, [-250]), (1500, [])]
    assert inv.amount_paid == 1250
