"""Inline prices: `price_data` instead of `price` on subscription items, subscription item
endpoints, previews, schedule phases and added invoice items. Each makes a new price for an
existing product, stored inactive with the object that uses it, in the same commit."""

import pytest
import stripe

from helpers import APR1, APR16, DAY, HOUR, MAY1, carded_customer, check, expect_error

MONTHLY = {"interval": "month"}


@pytest.fixture
def world(v1):
    plan = v1.products.create({"name": "Seats"})
    fee = v1.products.create({"name": "Onboarding"})
    listed = v1.prices.create({"product": plan.id, "currency": "usd", "unit_amount": 1000,
                               "recurring": MONTHLY}).id
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    return {"plan": plan.id, "fee": fee.id, "listed": listed, "clock": clock, "cus": cus}


def inline(w, amount, **extra):
    return {"currency": "usd", "product": w["plan"], "unit_amount": amount,
            "recurring": MONTHLY, **extra}


def price_ids(v1, product):
    return sorted(p.id for p in v1.prices.list({"product": product, "limit": 100}).data)


def test_a_subscription_on_an_inline_price(v1, world):
    sub = check(v1.subscriptions.create({
        "customer": world["cus"].id, "expand": ["latest_invoice"],
        "items": [{"price_data": inline(world, 2500, tax_behavior="exclusive"), "quantity": 2}]}))
    price = sub["items"].data[0].price
    assert price.id.startswith("price_") and price.id != world["listed"]
    assert (price.active, price.unit_amount, price.currency, price.product) == (
        False, 2500, "usd", world["plan"])
    assert (price.recurring.interval, price.recurring.interval_count) == ("month", 1)
    assert (price.tax_behavior, price.type, price.lookup_key) == ("exclusive", "recurring", None)
    assert (sub.latest_invoice.status, sub.latest_invoice.amount_paid) == ("paid", 5000)
    line = sub.latest_invoice.lines.data[0]
    assert (line.description, line.pricing.price_details.price) == ("2 × Seats (at $25.00 / month)", price.id)
    # The price is an object of its own, kept out of the active catalogue.
    stored = check(v1.prices.retrieve(price.id))
    assert (stored.active, stored.unit_amount, stored.created) == (False, 2500, APR1)
    assert price.id not in [p.id for p in v1.prices.list({"active": True, "limit": 100}).data]
    assert price.id in [p.id for p in v1.prices.list({"active": False, "limit": 100}).data]
    # Announced before the subscription it was made for.
    types = [e.type for e in reversed(v1.events.list({"limit": 20}).data)]
    assert types.index("price.created") < types.index("customer.subscription.created")
    # It renews at its own amount.
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR})
    renewal = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert (renewal.status, renewal.amount_paid) == ("paid", 5000)


def test_unit_amount_decimal_and_mixing_with_a_listed_price(v1, world):
    sub = check(v1.subscriptions.create({
        "customer": world["cus"].id,
        "items": [{"price": world["listed"]},
                  {"price_data": {"currency": "usd", "product": world["fee"],
                                  "unit_amount_decimal": "700", "recurring": MONTHLY}}]}))
    amounts = [(i.price.unit_amount, i.price.active) for i in sub["items"].data]
    assert amounts == [(1000, True), (700, False)]
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 1700


def test_bad_inline_prices_are_refused_by_name(v1, world):
    cus, before = world["cus"].id, price_ids(v1, world["plan"])
    new = lambda item: v1.subscriptions.create({"customer": cus, "items": [item]})
    data = inline(world, 500)
    expect_error(lambda: new({"price": world["listed"], "price_data": data}), param="items[0][price]",
                 message="price, price_data")
    expect_error(lambda: new({"quantity": 1}), param="items[0][price]")
    for key in ("currency", "product", "recurring"):
        partial = {k: v for k, v in data.items() if k != key}
        expect_error(lambda: new({"price_data": partial}), param=f"items[0][price_data][{key}]")
    expect_error(lambda: new({"price_data": {**data, "unit_amount": None}}),
                 param="items[0][price_data][unit_amount]")
    expect_error(lambda: new({"price_data": {**data, "unit_amount_decimal": "500"}}),
                 param="items[0][price_data][unit_amount]", message="unit_amount_decimal")
    expect_error(lambda: new({"price_data": {**data, "unit_amount": -1}}),
                 param="items[0][price_data][unit_amount]")
    expect_error(lambda: new({"price_data": {**data, "recurring": {"interval": "fortnight"}}}),
                 param="items[0][price_data][recurring][interval]")
    expect_error(lambda: new({"price_data": {**data, "product": "prod_missing"}}),
                 param="items[0][price_data][product]", code="resource_missing")
    expect_error(lambda: new({"price_data": {**data, "nickname": "x"}}),
                 param="items[0][price_data][nickname]")
    v1.products.update(world["fee"], {"active": False})
    expect_error(lambda: new({"price_data": {**data, "product": world["fee"]}}),
                 param="items[0][price_data][product]", message="archived")
    # An inline price must match the others' currency and interval.
    expect_error(lambda: v1.subscriptions.create({"customer": cus, "items": [
        {"price": world["listed"]}, {"price_data": {**data, "currency": "eur"}}]}),
        param="items[1][price]")
    # Nothing was stored by any of these.
    assert price_ids(v1, world["plan"]) == before
    assert v1.subscriptions.list({"customer": cus}).data == []


def test_a_declined_first_payment_stores_no_price(v1, world):
    cus = carded_customer(v1, world["clock"].id, card="pm_card_chargeCustomerFail")
    before = price_ids(v1, world["plan"])
    expect_error(lambda: v1.subscriptions.create({
        "customer": cus.id, "payment_behavior": "error_if_incomplete",
        "items": [{"price_data": inline(world, 900)}]}), stripe.CardError, status=402)
    assert price_ids(v1, world["plan"]) == before


def test_switching_to_an_inline_price_prorates_and_previews_alike(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["listed"]}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    item = sub["items"].data[0].id
    change = {"items": [{"id": item, "price_data": inline(world, 3000)}],
              "proration_behavior": "always_invoice", "proration_date": APR16}
    before = price_ids(v1, world["plan"])
    preview = check(v1.invoices.create_preview({"subscription": sub.id,
                                                "subscription_details": change}))
    assert price_ids(v1, world["plan"]) == before, "a preview stores no price"
    updated = check(v1.subscriptions.update(sub.id, {**change, "expand": ["latest_invoice"]}))
    made = updated["items"].data[0].price
    assert (made.unit_amount, made.active, made.created) == (3000, False, APR16)
    assert price_ids(v1, world["plan"]) == sorted(before + [made.id])
    # Half of April left: credit half of $10, charge half of $30.
    inv = updated.latest_invoice
    assert [l.amount for l in inv.lines.data] == [l.amount for l in preview.lines.data] == [-500, 1500]
    assert (inv.amount_paid, preview.total) == (1000, 1000)
    # Sent back by id, the inline price is the item's own: no change, no invoice.
    again = v1.subscriptions.update(sub.id, {"items": [{"id": item, "price": made.id, "quantity": 2}],
                                             "proration_behavior": "none"})
    assert (again["items"].data[0].price.id, again["items"].data[0].quantity) == (made.id, 2)
    assert again.latest_invoice == inv.id


def test_subscription_item_endpoints_take_price_data(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["listed"]}]})
    added = check(v1.subscription_items.create({
        "subscription": sub.id, "proration_behavior": "none",
        "price_data": {"currency": "usd", "product": world["fee"], "unit_amount": 400,
                       "recurring": MONTHLY}}))
    assert (added.price.unit_amount, added.price.product, added.price.active) == (400, world["fee"], False)
    changed = check(v1.subscription_items.update(added.id, {
        "proration_behavior": "none",
        "price_data": {"currency": "usd", "product": world["fee"], "unit_amount": 450,
                       "recurring": MONTHLY}}))
    assert changed.price.unit_amount == 450 and changed.price.id != added.price.id
    # Errors name the endpoint's own parameters.
    expect_error(lambda: v1.subscription_items.create({
        "subscription": sub.id, "price_data": {"currency": "usd", "product": "prod_missing",
                                               "unit_amount": 1, "recurring": MONTHLY}}),
        param="price_data[product]", code="resource_missing")
    expect_error(lambda: v1.subscription_items.create({"subscription": sub.id}), param="price")
    expect_error(lambda: v1.subscription_items.update(added.id, {
        "price_data": {"currency": "usd", "product": world["fee"], "recurring": MONTHLY}}),
        param="price_data[unit_amount]")


def test_previewing_a_new_subscription_on_an_inline_price(v1, world):
    before = price_ids(v1, world["plan"])
    preview = check(v1.invoices.create_preview({
        "customer": world["cus"].id,
        "subscription_details": {"items": [{"price_data": inline(world, 1200), "quantity": 3}]}}))
    assert (preview.total, preview.lines.data[0].quantity) == (3600, 3)
    assert price_ids(v1, world["plan"]) == before
    # Errors name the preview's own parameters.
    expect_error(lambda: v1.invoices.create_preview({
        "customer": world["cus"].id,
        "subscription_details": {"items": [{"price_data": inline(world, 1200, product="prod_missing")}]}}),
        param="subscription_details[items][0][price_data][product]", code="resource_missing")


def test_a_one_off_charge_from_price_data(v1, world):
    sub = check(v1.subscriptions.create({
        "customer": world["cus"].id, "items": [{"price": world["listed"]}],
        "add_invoice_items": [{"price_data": {"currency": "usd", "product": world["fee"],
                                              "unit_amount": 9900}}]}))
    inv = v1.invoices.retrieve(sub.latest_invoice)
    fee, plan = inv.lines.data
    assert (fee.amount, fee.description, inv.amount_paid) == (9900, "Onboarding", 10900)
    made = check(v1.prices.retrieve(fee.pricing.price_details.price))
    assert (made.type, made.active, made.recurring) == ("one_time", False, None)
    # One-off prices do not recur.
    expect_error(lambda: v1.subscriptions.update(sub.id, {"add_invoice_items": [
        {"price_data": {"currency": "usd", "product": world["fee"], "unit_amount": 1,
                        "recurring": MONTHLY}}]}),
        param="add_invoice_items[0][price_data][recurring]")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"add_invoice_items": [
        {"price_data": {"currency": "eur", "product": world["fee"], "unit_amount": 1}}]}),
        param="add_invoice_items[0][price]")


def test_schedule_phases_on_inline_prices(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    sched = check(v1.subscription_schedules.create({
        "customer": cus.id, "start_date": "now", "end_behavior": "release",
        "phases": [{"items": [{"price_data": inline(world, 1500)}], "duration": {"interval": "month"}},
                   {"items": [{"price_data": inline(world, 2500)}]}]}))
    first, second = [p["items"][0].price for p in sched.phases]
    assert first != second and all(isinstance(p, str) for p in (first, second))
    assert [v1.prices.retrieve(p).unit_amount for p in (first, second)] == [1500, 2500]
    sub = v1.subscriptions.retrieve(sched.subscription)
    assert sub["items"].data[0].price.id == first
    # Its first invoice is drafted for an hour, then paid.
    assert v1.invoices.retrieve(sub.latest_invoice).amount_due == 1500
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR1 + HOUR})
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 1500
    # The phases, sent back as read, keep their inline prices.
    sent_back = [{"items": [{"price": p["items"][0].price}], "start_date": p.start_date,
                  "end_date": p.end_date} for p in sched.phases]
    check(v1.subscription_schedules.update(sched.id, {"phases": sent_back}))
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    sub = v1.subscriptions.retrieve(sched.subscription)
    assert sub["items"].data[0].price.id == second
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 2500


def test_a_later_schedule_on_an_inline_price(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    sched = check(v1.subscription_schedules.create({
        "customer": cus.id, "start_date": APR1 + 10 * DAY,
        "phases": [{"items": [{"price_data": inline(world, 800)}]}]}))
    made = sched.phases[0]["items"][0].price
    assert v1.prices.retrieve(made).created == APR1
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR1 + 10 * DAY + HOUR})
    started = v1.subscription_schedules.retrieve(sched.id)
    sub = v1.subscriptions.retrieve(started.subscription)
    assert sub["items"].data[0].price.id == made
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 800
