"""Subscriptions and their first invoice: statuses, discounts, payment behaviours, cancellation."""

import time

import pytest
import requests
import stripe

from helpers import body_of, check, expect_error


@pytest.fixture
def plan(v1):
    product = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}}})
    return product.default_price


def customer_with(v1, card="pm_card_visa"):
    return v1.customers.create({"email": "sub@example.com", "payment_method": card,
                                "invoice_settings": {"default_payment_method": card}})


def types(v1):
    return [e.type for e in v1.events.list({"limit": 100}).data][::-1]


def test_create_pays_the_first_invoice(v1, plan):
    cus = customer_with(v1)
    before = len(types(v1))
    sub = check(v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan, "quantity": 2}],
                                         "metadata": {"team": "a"}, "expand": ["latest_invoice"]}))
    assert sub.id.startswith("sub_") and sub.status == "active"
    assert sub.customer == cus.id and sub.currency == "usd" and sub.collection_method == "charge_automatically"
    item = sub["items"].data[0]
    assert item.id.startswith("si_") and item.quantity == 2 and item.price.id == plan
    assert item.current_period_end - item.current_period_start in range(28 * 86400, 31 * 86400 + 1)
    assert abs(item.current_period_start - time.time()) < 300
    inv = sub.latest_invoice
    assert inv.status == "paid" and inv.billing_reason == "subscription_create"
    assert (inv.subtotal, inv.total, inv.amount_due, inv.amount_paid, inv.amount_remaining) == (3000, 3000, 3000, 3000, 0)
    assert inv.number.endswith("-0001")
    assert inv.parent.subscription_details.subscription == sub.id
    line = inv.lines.data[0]
    assert line.description == "2 × Pro (at $15.00 / month)"
    assert line.pricing.price_details.price == plan and line.parent.subscription_item_details.subscription_item == item.id
    assert (line.period.start, line.period.end) == (item.current_period_start, item.current_period_end)
    assert v1.customers.retrieve(cus.id).currency == "usd"
    assert types(v1)[before:] == ["customer.updated", "customer.subscription.created", "invoice.created",
                                  "invoice.finalized", "invoice.paid", "invoice.payment_succeeded"]
    # Numbers continue per customer.
    sub2 = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    assert sub2.latest_invoice.number.endswith("-0002")


def test_coupon_and_promotion_code_discounts(v1, plan):
    cus = customer_with(v1)
    v1.coupons.create({"id": "TENPCT", "percent_off": 10, "duration": "forever"})
    off = v1.coupons.create({"amount_off": 500, "currency": "usd", "duration": "once"})
    promo = v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": off.id}, "code": "FIVE"})
    sub = check(v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan, "quantity": 2}],
                                         "discounts": [{"coupon": "TENPCT"}, {"promotion_code": promo.id}],
                                         "expand": ["latest_invoice", "discounts"]}))
    inv = sub.latest_invoice
    assert inv.subtotal == 3000 and inv.total == 3000 - 300 - 500
    assert [d.amount for d in inv.total_discount_amounts] == [300, 500]
    assert len(sub.discounts) == 2 and sub.discounts[0].source.coupon == "TENPCT"
    assert sub.discounts[1].promotion_code == promo.id
    check(body_of(sub)["discounts"][0])
    assert v1.coupons.retrieve("TENPCT").times_redeemed == 1
    assert v1.promotion_codes.retrieve(promo.id).times_redeemed == 1
    assert "coupon.updated" not in types(v1), "redemptions are not coupon updates"


def test_discount_rules(v1, plan):
    cus = customer_with(v1)
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "discounts": [{"coupon": "nope"}]}),
                 code="resource_missing", param="discounts[0][coupon]")
    eur = v1.coupons.create({"amount_off": 100, "currency": "eur"})
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "discounts": [{"coupon": eur.id}]}),
                 param="discounts[0][coupon]")
    big = v1.coupons.create({"percent_off": 5})
    promo = v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": big.id},
                                       "restrictions": {"minimum_amount": 5000, "minimum_amount_currency": "usd"}})
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "discounts": [{"promotion_code": promo.id}]}),
                 param="discounts[0][promotion_code]", message="minimum amount")
    limited = v1.coupons.create({"percent_off": 5, "max_redemptions": 1})
    v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "discounts": [{"coupon": limited.id}]})
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "discounts": [{"coupon": limited.id}]}),
                 code="coupon_expired")
    assert len(v1.subscriptions.list({"customer": cus.id}).data) == 1


def test_declined_first_payment_then_paid(v1, plan):
    cus = customer_with(v1, "pm_card_chargeCustomerFail")
    sub = check(v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]}))
    assert sub.status == "incomplete"
    inv = sub.latest_invoice
    assert (inv.status, inv.attempt_count, inv.attempted, inv.amount_remaining) == ("open", 1, True, 1500)
    assert "invoice.payment_failed" in types(v1)
    # The first attempt counts; payments asked for after it do not (only automatic retries do).
    assert inv.auto_advance is False, "an incomplete subscription's invoice waits for the customer"
    expect_error(lambda: v1.invoices.pay(inv.id), stripe.CardError, status=402, code="card_declined")
    assert v1.invoices.retrieve(inv.id).attempt_count == 1
    good = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    paid = check(v1.invoices.pay(inv.id, {"payment_method": good.id}))
    assert (paid.status, paid.amount_paid, paid.attempt_count) == ("paid", 1500, 1)
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    assert types(v1)[-3:] == ["invoice.paid", "invoice.payment_succeeded", "customer.subscription.updated"]
    expect_error(lambda: v1.invoices.pay(inv.id), message="status is paid")


def test_payment_behaviors(v1, plan):
    cus = customer_with(v1, "pm_card_chargeCustomerFail")
    before = types(v1)
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "payment_behavior": "error_if_incomplete"}),
                 stripe.CardError, status=402, code="card_declined")
    assert v1.subscriptions.list({"customer": cus.id, "status": "all"}).data == [] and types(v1) == before
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "payment_behavior": "default_incomplete",
                                   "expand": ["latest_invoice"]})
    assert sub.status == "incomplete" and sub.latest_invoice.status == "open" and sub.latest_invoice.attempt_count == 0
    # A customer with no way to pay: refused (400, not a card error), except with
    # default_incomplete, which leaves the first invoice open for the customer to pay.
    bare = v1.customers.create({})
    before = types(v1)
    for behavior in ("allow_incomplete", "error_if_incomplete"):
        expect_error(lambda: v1.subscriptions.create({"customer": bare.id, "items": [{"price": plan}],
                                                      "payment_behavior": behavior}),
                     message="no attached payment source or default payment method")
    assert v1.subscriptions.list({"customer": bare.id, "status": "all"}).data == [] and types(v1) == before
    waiting = v1.subscriptions.create({"customer": bare.id, "items": [{"price": plan}],
                                       "payment_behavior": "default_incomplete", "expand": ["latest_invoice"]})
    assert (waiting.status, waiting.latest_invoice.attempt_count) == ("incomplete", 0)
    # A trial charges nothing today, so it needs no card yet.
    assert v1.subscriptions.create({"customer": bare.id, "items": [{"price": plan}],
                                    "trial_period_days": 7}).status == "trialing"


def test_the_usual_incomplete_subscription_snippet(v1, plan):
    # Stripe's subscription guide: default_incomplete, save the card on the subscription, and
    # ask for the invoice's confirmation secret (null here: Portico has no PaymentIntents).
    bare = v1.customers.create({"email": "new@example.com"})
    sub = check(v1.subscriptions.create({
        "customer": bare.id, "items": [{"price": plan}], "payment_behavior": "default_incomplete",
        "payment_settings": {"save_default_payment_method": "on_subscription"},
        "expand": ["latest_invoice.confirmation_secret"]}))
    assert sub.status == "incomplete" and sub.default_payment_method is None
    assert sub.payment_settings.save_default_payment_method == "on_subscription"
    assert sub.latest_invoice.status == "open" and sub.latest_invoice.confirmation_secret is None
    # Paid with a fresh card, the card is attached and becomes the subscription's default.
    paid = check(v1.invoices.pay(sub.latest_invoice.id, {"payment_method": "pm_card_visa"}))
    assert paid.status == "paid"
    now = check(v1.subscriptions.retrieve(sub.id))
    assert now.status == "active" and now.default_payment_method
    assert v1.payment_methods.retrieve(now.default_payment_method).customer == bare.id
    assert types(v1)[-2:] == ["payment_method.attached", "customer.subscription.updated"]
    # The setting can be turned off again.
    off = check(v1.subscriptions.update(sub.id, {"payment_settings": {"save_default_payment_method": "off"}}))
    assert off.payment_settings.save_default_payment_method == "off"
    # A first payment made with the customer's default card saves that card too.
    cus = customer_with(v1)
    saved = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}],
                                     "payment_settings": {"save_default_payment_method": "on_subscription"}})
    assert saved.status == "active"
    assert saved.default_payment_method == v1.customers.retrieve(cus.id).invoice_settings.default_payment_method
    # Without the setting the default is never touched.
    plain = v1.subscriptions.create({"customer": v1.customers.create({}).id, "items": [{"price": plan}],
                                     "payment_behavior": "default_incomplete"})
    assert plain.payment_settings.save_default_payment_method == "off"
    v1.invoices.pay(plain.latest_invoice, {"payment_method": "pm_card_visa"})
    assert v1.subscriptions.retrieve(plain.id).default_payment_method is None
    expect_error(lambda: v1.subscriptions.create({"customer": bare.id, "items": [{"price": plan}],
                                                  "payment_settings": {"save_default_payment_method": "always"}}),
                 param="payment_settings[save_default_payment_method]")
    # The older form of the snippet names the card type: kept and shown; any other is refused.
    typed = check(v1.subscriptions.create({
        "customer": bare.id, "items": [{"price": plan}], "payment_behavior": "default_incomplete",
        "payment_settings": {"payment_method_types": ["card"], "save_default_payment_method": "on_subscription"}}))
    assert typed.payment_settings.payment_method_types == ["card"]
    assert plain.payment_settings.payment_method_types is None
    cleared = check(v1.subscriptions.update(typed.id, {"payment_settings": {"payment_method_types": ""}}))
    assert cleared.payment_settings.payment_method_types is None
    assert cleared.payment_settings.save_default_payment_method == "on_subscription", "left as it was"
    expect_error(lambda: v1.subscriptions.update(typed.id, {"payment_settings": {"payment_method_types": ["card", "sepa_debit"]}}),
                 param="payment_settings[payment_method_types][1]", message="paid by card")
    expect_error(lambda: v1.subscriptions.create({"customer": bare.id, "items": [{"price": plan}],
                                                  "payment_settings": {"payment_method_options": {"card": {"request_three_d_secure": "any"}}}}),
                 param="payment_settings[payment_method_options]")


def test_three_d_secure_first_payment(v1, plan):
    cus = customer_with(v1, "pm_card_authenticationRequired")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    assert sub.status == "incomplete"
    # The invoice's hosted page leads on to the authentication page.
    page = requests.get(sub.latest_invoice.hosted_invoice_url, timeout=10)
    assert page.status_code == 200 and "/p/authenticate/" in page.text
    assert "invoice.payment_action_required" in types(v1)


def test_trial(v1, plan):
    bare = v1.customers.create({})
    sub = check(v1.subscriptions.create({"customer": bare.id, "items": [{"price": plan}], "trial_period_days": 14,
                                         "expand": ["latest_invoice"]}))
    assert sub.status == "trialing"
    assert sub.trial_end - sub.trial_start == 14 * 86400
    assert sub["items"].data[0].current_period_end == sub.trial_end == sub.billing_cycle_anchor
    assert sub.latest_invoice.total == 0 and sub.latest_invoice.status == "paid"
    assert sub.latest_invoice.lines.data[0].description == "Trial period for Pro"
    expect_error(lambda: v1.subscriptions.create({"customer": bare.id, "items": [{"price": plan}], "trial_period_days": 731}),
                 param="trial_period_days")


def test_validation(v1, plan):
    cus = customer_with(v1)
    one_time = v1.prices.create({"product": v1.prices.retrieve(plan).product, "currency": "usd", "unit_amount": 100})
    yearly = v1.prices.create({"product": v1.prices.retrieve(plan).product, "currency": "usd", "unit_amount": 100,
                               "recurring": {"interval": "year"}})
    cases = [
        ({"customer": cus.id}, "items"),
        ({"items": [{"price": plan}]}, "customer"),
        ({"customer": "cus_nope", "items": [{"price": plan}]}, "customer"),
        ({"customer": cus.id, "items": [{"price": "price_nope"}]}, "items[0][price]"),
        ({"customer": cus.id, "items": [{"price": one_time.id}]}, "items[0][price]"),
        ({"customer": cus.id, "items": [{"price": plan}, {"price": yearly.id}]}, "items[1][price]"),
        ({"customer": cus.id, "items": [{"price": plan}, {"price": plan}]}, "items[1][price]"),
        ({"customer": cus.id, "items": [{"price": plan}], "default_payment_method": "pm_nope"}, "default_payment_method"),
        ({"customer": cus.id, "items": [{"price": plan}], "collection_method": "mailed"}, "collection_method"),
    ]
    for params, param in cases:
        expect_error(lambda: v1.subscriptions.create(params), param=param)
    other = v1.customers.create({"payment_method": "pm_card_visa"})
    someone_elses = v1.customers.payment_methods.list(other.id).data[0].id
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "default_payment_method": someone_elses}),
                 param="default_payment_method", message="must be attached to the customer")


def test_cancel_and_cancel_at_period_end(v1, plan):
    cus = customer_with(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    end = sub["items"].data[0].current_period_end
    u = check(v1.subscriptions.update(sub.id, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "too_expensive"}}))
    assert (u.cancel_at_period_end, u.cancel_at, u.status) == (True, end, "active")
    assert u.cancellation_details.feedback == "too_expensive" and u.cancellation_details.reason == "cancellation_requested"
    for params in ({"cancel_at": end - 60, "cancel_at_period_end": True},
                   {"cancel_at": "min_period_end", "cancel_at_period_end": "true"}):
        expect_error(lambda: v1.subscriptions.update(sub.id, params), param="cancel_at", message="only specify one")
    renewed = v1.subscriptions.update(sub.id, {"cancel_at_period_end": False})
    assert (renewed.cancel_at_period_end, renewed.cancel_at, renewed.canceled_at) == (False, None, None)
    gone = check(v1.subscriptions.cancel(sub.id, {"cancellation_details": {"comment": "moving on", "feedback": "other"}}))
    assert gone.status == "canceled" and gone.ended_at and gone.canceled_at
    assert gone.cancellation_details.comment == "moving on"
    assert types(v1)[-3:] == ["customer.subscription.updated", "customer.subscription.updated", "customer.subscription.deleted"]
    expect_error(lambda: v1.subscriptions.cancel(sub.id), message="already canceled")
    # An ended subscription keeps its notes up to date, and nothing else.
    noted = check(v1.subscriptions.update(sub.id, {"metadata": {"a": "b"},
                                                   "cancellation_details": {"comment": "back in June"}}))
    assert (noted.metadata["a"], noted.cancellation_details.comment, noted.status) == ("b", "back in June", "canceled")
    assert types(v1)[-1] == "customer.subscription.updated"
    for change in ({"description": "x"}, {"cancel_at_period_end": False}, {"metadata": {"c": "d"}, "trial_end": "now"},
                   {"items": [{"id": sub["items"].data[0].id, "quantity": 2}]}):
        expect_error(lambda: v1.subscriptions.update(sub.id, change), message="can only update its cancellation_details and metadata"
                     if "items" not in change else "canceled")
    assert v1.subscriptions.retrieve(sub.id).metadata.to_dict() == {"a": "b"}
    expect_error(lambda: v1.subscriptions.cancel(sub.id, {"prorate": True}), message="already canceled")
    assert v1.subscriptions.list({"customer": cus.id}).data == []
    assert [s.id for s in v1.subscriptions.list({"customer": cus.id, "status": "canceled"}).data] == [sub.id]


def test_updates_that_are_not_there_yet_are_refused(v1, plan):
    cus = customer_with(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    # add_invoice_items takes one-time prices only (see test_add_invoice_items.py).
    expect_error(lambda: v1.subscriptions.update(sub.id, {"add_invoice_items": [{"price": plan}]}), param="add_invoice_items[0][price]")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"trial_end": "now"}), param="trial_end")
    u = check(v1.subscriptions.update(sub.id, {"metadata": {"k": "v"}, "description": "team plan"}))
    assert u.metadata["k"] == "v" and u.description == "team plan"


def test_lists_and_invoices(v1, plan):
    cus = customer_with(v1)
    a = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    other_price = v1.prices.create({"product": v1.prices.retrieve(plan).product, "currency": "usd", "unit_amount": 900,
                                    "recurring": {"interval": "month"}})
    b = v1.subscriptions.create({"customer": cus.id, "items": [{"price": other_price.id, "quantity": 3}]})
    assert [s.id for s in check(v1.subscriptions.list({"customer": cus.id})).data] == [b.id, a.id]
    assert [s.id for s in v1.subscriptions.list({"price": plan}).data] == [a.id]
    invoices = check(v1.invoices.list({"customer": cus.id}))
    assert [i.id for i in invoices.data] == [b.latest_invoice, a.latest_invoice]
    assert [i.id for i in v1.invoices.list({"subscription": a.id}).data] == [a.latest_invoice]
    assert [i.id for i in v1.invoices.list({"status": "paid", "customer": cus.id}).data] == [b.latest_invoice, a.latest_invoice]
    lines = check(v1.invoices.line_items.list(b.latest_invoice))
    assert [l.amount for l in lines.data] == [2700] and lines.url == f"/v1/invoices/{b.latest_invoice}/lines"


def test_void_an_open_invoice(v1, plan):
    bare = v1.customers.create({})
    sub = v1.subscriptions.create({"customer": bare.id, "items": [{"price": plan}], "payment_behavior": "default_incomplete"})
    voided = check(v1.invoices.void_invoice(sub.latest_invoice))
    assert voided.status == "void" and voided.amount_remaining == 0 and voided.status_transitions.voided_at
    assert "invoice.voided" in types(v1)
    expect_error(lambda: v1.invoices.void_invoice(sub.latest_invoice), message="only void an open or uncollectible invoice")


def test_deleting_the_customer_cancels_its_subscriptions(v1, plan):
    cus = customer_with(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    v1.customers.delete(cus.id)
    gone = check(v1.subscriptions.retrieve(sub.id))
    assert gone.status == "canceled" and gone.ended_at is not None
    assert "customer.subscription.deleted" in types(v1)[-4:]


def test_invoice_pay_refuses_another_customers_payment_method(v1, plan):
    cus = customer_with(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    other = customer_with(v1)
    theirs = v1.payment_methods.list({"customer": other.id, "type": "card"}).data[0]
    expect_error(lambda: v1.invoices.pay(sub.latest_invoice, {"payment_method": theirs.id}), param="payment_method")
    assert v1.invoices.retrieve(sub.latest_invoice).status == "open"
    mine = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    assert check(v1.invoices.pay(sub.latest_invoice, {"payment_method": mine.id})).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_invoice_updates(v1, plan):
    cus = customer_with(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    inv = check(v1.invoices.update(sub.latest_invoice, {
        "metadata": {"order": "42"}, "description": "Thanks for your business", "auto_advance": False}))
    assert (inv.metadata["order"], inv.description, inv.auto_advance) == ("42", "Thanks for your business", False)
    update = v1.events.list({"type": "invoice.updated", "limit": 1}).data[0]
    assert update.data.previous_attributes["metadata"].to_dict() == {"order": None}
    assert update.data.previous_attributes["description"] is None
    # The invoice's own payment method comes before the subscription's and the customer's.
    good = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    inv = check(v1.invoices.update(inv.id, {"default_payment_method": good.id}))
    assert inv.default_payment_method == good.id
    assert check(v1.invoices.pay(inv.id)).status == "paid"
    # Once paid, only metadata changes.
    assert v1.invoices.update(inv.id, {"metadata": {"order": ""}}).metadata.to_dict() == {}
    for param, value in (("description", "late"), ("auto_advance", True), ("default_payment_method", good.id)):
        expect_error(lambda: v1.invoices.update(inv.id, {param: value}), param=param, message="only its metadata")
    stranger = v1.payment_methods.attach("pm_card_visa", {"customer": v1.customers.create({}).id})
    sub2 = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "payment_behavior": "default_incomplete"})
    expect_error(lambda: v1.invoices.update(sub2.latest_invoice, {"default_payment_method": stranger.id}),
                 param="default_payment_method")
    # An invoice's own card no longer attached to its customer is passed over for the defaults.
    spare = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    v1.invoices.update(sub2.latest_invoice, {"default_payment_method": spare.id})
    v1.payment_methods.detach(spare.id)
    expect_error(lambda: v1.invoices.pay(sub2.latest_invoice), exc=stripe.CardError, status=402)
    cleared = check(v1.invoices.update(sub2.latest_invoice, {"description": "", "metadata": {"a": "b"}}))
    assert cleared.description is None and cleared.metadata["a"] == "b"
    expect_error(lambda: v1.invoices.update("in_nope", {"metadata": {"a": "b"}}), status=404)


def test_mark_uncollectible_then_pay_or_void(v1, plan):
    cus = customer_with(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    inv = check(v1.invoices.mark_uncollectible(sub.latest_invoice))
    assert inv.status == "uncollectible" and inv.status_transitions.marked_uncollectible_at is not None
    assert inv.amount_remaining == 1500
    assert "invoice.marked_uncollectible" in types(v1)[-2:]
    expect_error(lambda: v1.invoices.mark_uncollectible(inv.id))
    mine = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    paid = check(v1.invoices.pay(inv.id, {"payment_method": mine.id}))
    assert paid.status == "paid" and v1.subscriptions.retrieve(sub.id).status == "active"
    # Another written-off invoice can still be voided.
    sub2 = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}],
                                    "payment_behavior": "default_incomplete"})
    written_off = v1.invoices.mark_uncollectible(sub2.latest_invoice)
    assert check(v1.invoices.void_invoice(written_off.id)).status == "void"
    expect_error(lambda: v1.invoices.mark_uncollectible(written_off.id))


def test_billing_mode_defaults_to_flexible_and_can_be_classic(v1, plan):
    cus = customer_with(v1)
    new = lambda **extra: check(v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], **extra}))
    # Subscriptions created through the API default to flexible since 2025-09-30.clover.
    default = new()
    assert default.billing_mode.to_dict() == {
        "flexible": {"proration_discounts": "itemized"}, "type": "flexible", "updated_at": default.created}
    classic = new(billing_mode={"type": "classic"})
    assert classic.billing_mode.to_dict() == {"flexible": None, "type": "classic"}
    included = new(billing_mode={"type": "flexible", "flexible": {"proration_discounts": "included"}})
    assert included.billing_mode.flexible.proration_discounts == "included"
    assert v1.subscriptions.retrieve(classic.id).billing_mode.type == "classic"
    # A schedule shows its subscription's mode.
    sched = check(v1.subscription_schedules.create({"from_subscription": classic.id}))
    assert sched.billing_mode.type == "classic"
    expect_error(lambda: new(billing_mode={"type": "classic", "flexible": {"proration_discounts": "included"}}),
                 param="billing_mode[flexible]")
    expect_error(lambda: new(billing_mode={"type": "hybrid"}), param="billing_mode[type]")
    preview = v1.invoices.create_preview({"customer": cus.id, "subscription_details": {
        "items": [{"price": plan}], "billing_mode": {"type": "classic"}}})
    assert preview.total == 1500
    # A change to an existing subscription keeps its mode.
    expect_error(lambda: v1.invoices.create_preview({"subscription": default.id, "subscription_details": {
        "billing_mode": {"type": "classic"}}}), param="subscription_details[billing_mode]")
    expect_error(lambda: new(billing_mode={"flexible": {"proration_discounts": "included"}}),
                 param="billing_mode[type]")


def approve_authentication(url):
    """Approve a hosted 3-D Secure page as the customer would, with its form's CSRF token."""
    import re
    import requests
    browser = requests.Session()
    page = browser.get(url)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    done = browser.post(url, data={"csrf": csrf, "outcome": "approve"}, allow_redirects=False)
    assert done.status_code in (200, 303), done.text[:300]


def test_updates_are_on_session_unless_off_session_is_given(v1, plan):
    # A card that asks for authentication unless it was set up for use while the customer is away.
    cus = v1.customers.create({})
    si = v1.setup_intents.create({"customer": cus.id, "payment_method": "pm_card_authenticationRequiredOnSetup",
                                  "confirm": True, "return_url": "https://app.example/done"})
    assert si.status == "requires_action"
    approve_authentication(si.next_action.redirect_to_url.url)
    assert v1.setup_intents.retrieve(si.id).status == "succeeded"
    v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": si.payment_method}})
    product = v1.prices.retrieve(plan).product
    bigger = v1.prices.create({"product": product, "currency": "usd", "unit_amount": 3000,
                               "recurring": {"interval": "month"}}).id
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "off_session": True})
    assert sub.status == "active"
    item = sub["items"].data[0].id
    upgrade = {"items": [{"id": item, "price": bigger}], "proration_behavior": "always_invoice"}
    # Away, the set-up card pays.
    away = check(v1.subscriptions.update(sub.id, {**upgrade, "off_session": True, "expand": ["latest_invoice"]}))
    assert (away.status, away.latest_invoice.status) == ("active", "paid")
    # Present (Stripe's default), the same card asks the customer to authenticate.
    back = {"items": [{"id": item, "price": plan}], "proration_behavior": "none"}
    v1.subscriptions.update(sub.id, back)
    present = check(v1.subscriptions.update(sub.id, {**upgrade, "expand": ["latest_invoice"]}))
    assert present.status == "past_due" and present.latest_invoice.status == "open"
    assert "/p/authenticate/" in requests.get(present.latest_invoice.hosted_invoice_url, timeout=10).text
    # The subscription item endpoint takes it too.
    v1.invoices.void_invoice(present.latest_invoice.id)
    check(v1.subscription_items.update(item, {"price": plan, "proration_behavior": "none"}))
    paid = check(v1.subscription_items.update(item, {"price": bigger, "proration_behavior": "always_invoice",
                                                      "off_session": True}))
    assert v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice).status == "paid"
    assert paid.price.id == bigger
    expect_error(lambda: v1.subscription_items.create({"subscription": sub.id, "price": plan,
                                                       "off_session": True}), param="off_session")


def test_trial_from_plan_adds_no_trial_as_prices_carry_none(v1):
    # Portico's prices have no trial_period_days (the parameter is refused), so a subscription
    # taking its trial "from the plan" has none, as a Stripe price without one would give.
    from helpers import expect_error
    expect_error(lambda: v1.prices.create({"currency": "usd", "unit_amount": 500, "product_data": {"name": "T"},
                                           "recurring": {"interval": "month", "trial_period_days": 7}}))
    price, cus = _monthly_and_customer(v1, "T")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}], "trial_from_plan": True})
    assert (sub.status, sub.trial_end) == ("active", None)
    assert v1.subscriptions.update(sub.id, {"trial_from_plan": False}).status == "active"
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}],
                                                  "trial_from_plan": True, "trial_end": "now"}),
                 param="trial_from_plan")


def test_currency_can_only_name_the_prices_currency(v1):
    from helpers import expect_error
    price, cus = _monthly_and_customer(v1, "C")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}], "currency": "USD"})
    assert sub.currency == "usd"
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}],
                                                  "currency": "eur"}), param="currency")
    assert len(v1.subscriptions.list({"customer": cus.id}).data) == 1


def test_cancel_at_takes_the_period_end_keywords(v1):
    # Stripe resolves min_period_end / max_period_end at once to the items' earliest / latest
    # period end: one moment, as a subscription's items share their period.
    from helpers import expect_error
    price, cus = _monthly_and_customer(v1, "K")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}], "cancel_at": "max_period_end"})
    end = sub["items"].data[0].current_period_end
    assert sub.cancel_at == end
    sub = v1.subscriptions.update(sub.id, {"cancel_at": ""})
    assert sub.cancel_at is None
    assert v1.subscriptions.update(sub.id, {"cancel_at": "min_period_end"}).cancel_at == end
    for bad in ("max_billed_until", "soon", "99999999999999"):
        expect_error(lambda: v1.subscriptions.update(sub.id, {"cancel_at": bad}), param="cancel_at")


def _monthly_and_customer(v1, name):
    """A $5 monthly price of a new product, and a customer paying by card."""
    price = v1.prices.create({"currency": "usd", "unit_amount": 500, "product_data": {"name": name},
                              "recurring": {"interval": "month"}})
    cus = v1.customers.create({"payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    return price, cus


def test_clearing_cancel_at_takes_off_any_cancellation(v1, plan):
    cus = customer_with(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}]})
    end = sub["items"].data[0].current_period_end
    v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    cleared = check(v1.subscriptions.update(sub.id, {"cancel_at": ""}))
    assert (cleared.cancel_at, cleared.cancel_at_period_end, cleared.canceled_at) == (None, False, None)
    v1.subscriptions.update(sub.id, {"cancel_at": end - 3600})
    moved = check(v1.subscriptions.update(sub.id, {"cancel_at": "", "cancel_at_period_end": True}))
    assert (moved.cancel_at, moved.cancel_at_period_end) == (end, True)


def test_a_detached_card_is_never_charged_again(v1, plan):
    """Detaching a subscription's own card clears it as the subscription's default (as it does the
    customer's); the next payment falls back to the customer's default and never touches the
    detached card, which stays detached."""
    cus = customer_with(v1, "pm_card_chargeCustomerFail")
    own = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "default_payment_method": own.id})
    assert sub.status == "active"
    v1.payment_methods.detach(own.id)
    after = v1.subscriptions.retrieve(sub.id)
    assert after.default_payment_method is None
    updated = v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data[0]
    assert updated.data.object.id == sub.id
    assert updated.data.previous_attributes.default_payment_method == own.id
    product = v1.prices.retrieve(plan).product
    bigger = v1.prices.create({"product": product, "currency": "usd", "unit_amount": 3000,
                               "recurring": {"interval": "month"}}).id
    changed = v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": bigger}],
                                               "proration_behavior": "always_invoice", "expand": ["latest_invoice"]})
    # The customer's declining card was tried, not the detached one.
    assert (changed.status, changed.latest_invoice.status) == ("past_due", "open")
    assert v1.payment_methods.retrieve(own.id).customer is None
    assert own.id not in [p.id for p in v1.payment_methods.list({"customer": cus.id}).data]
