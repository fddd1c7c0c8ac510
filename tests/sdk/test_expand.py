"""The `expand` parameter."""

from helpers import check, expect_error


def _product_with_price(v1):
    return v1.products.create({"name": "P", "default_price_data": {"currency": "usd", "unit_amount": 700}})


def test_price_expand_product(v1):
    prod = _product_with_price(v1)
    p = check(v1.prices.retrieve(prod.default_price, {"expand": ["product"]}))
    assert p.product.object == "product"
    assert p.product.id == prod.id
    assert p.product.name == "P"


def test_product_expand_default_price(v1):
    prod = _product_with_price(v1)
    got = check(v1.products.retrieve(prod.id, {"expand": ["default_price"]}))
    assert got.default_price.object == "price"
    assert got.default_price.unit_amount == 700


def test_expand_on_create_and_update(v1):
    prod = check(v1.products.create({"name": "P", "default_price_data": {"currency": "usd", "unit_amount": 1},
                                     "expand": ["default_price"]}))
    assert prod.default_price.object == "price"
    price = check(v1.prices.create({"product": prod.id, "currency": "usd", "unit_amount": 2,
                                    "expand": ["product"]}))
    assert price.product.id == prod.id
    price = check(v1.prices.update(price.id, {"nickname": "n", "expand": ["product"]}))
    assert price.product.object == "product"


def test_nested_expand(v1):
    prod = _product_with_price(v1)
    p = check(v1.prices.retrieve(prod.default_price, {"expand": ["product.default_price"]}))
    assert p.product.default_price.object == "price"
    assert p.product.default_price.id == prod.default_price


def test_expand_in_lists(v1):
    prod = _product_with_price(v1)
    res = check(v1.prices.list({"expand": ["data.product"]}))
    assert res.data[0].product.id == prod.id
    res = check(v1.products.list({"expand": ["data.default_price"]}))
    assert res.data[0].default_price.id == prod.default_price


def test_expand_null_field_stays_null(v1):
    prod = v1.products.create({"name": "No price"})
    got = check(v1.products.retrieve(prod.id, {"expand": ["default_price"]}))
    assert got.default_price is None


def test_non_expandable_property(v1):
    c = v1.customers.create({"email": "x@example.com"})
    expect_error(lambda: v1.customers.retrieve(c.id, {"expand": ["email"]}), status=400,
                 message="This property cannot be expanded (email).")


def test_expand_unknown_property(v1):
    prod = _product_with_price(v1)
    expect_error(lambda: v1.prices.retrieve(prod.default_price, {"expand": ["nonsense"]}), status=400)


def test_expand_list_without_data_prefix(v1):
    # In a list, the expandable paths live under `data.`; `product` alone names nothing on the list.
    _product_with_price(v1)
    expect_error(lambda: v1.prices.list({"expand": ["product"]}), status=400)


def test_expand_max_depth(v1):
    prod = _product_with_price(v1)
    path = "product.default_price.product.default_price.product"
    expect_error(lambda: v1.prices.retrieve(prod.default_price, {"expand": [path]}), status=400,
                 code="property_expansion_max_depth")
    # exactly four levels is fine
    p = check(v1.prices.retrieve(prod.default_price, {"expand": ["product.default_price.product.default_price"]}))
    assert p.product.default_price.product.default_price.id == prod.default_price


def test_every_field_stripe_expands_can_be_expanded(v1):
    # Fields Stripe's spec marks expandable (`x-expansionResources`) on the objects Portico serves:
    # those Portico has no objects for (applications, accounts, sources, tax codes) stay null,
    # and a subscription's test clock expands to the clock.
    clock = check(v1.test_helpers.test_clocks.create({"frozen_time": 1_767_225_600, "name": "c"}))
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    prod = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": prod.default_price}]})

    got = check(v1.subscriptions.retrieve(sub.id, {"expand": [
        "application", "default_source", "on_behalf_of", "pending_setup_intent", "test_clock",
        "items.data.price.product", "items.data.plan.product", "items.data.discounts"]}))
    assert got.items.data[0].price.product.object == "product"
    assert got.items.data[0].price.product.id == prod.id
    # The item's legacy plan mirrors its price, product expandable too.
    assert got.items.data[0].plan.id == got.items.data[0].price.id
    assert got.items.data[0].plan.product.id == prod.id
    assert got.test_clock.object == "test_helpers.test_clock" and got.test_clock.id == clock.id
    assert (got.application, got.default_source, got.on_behalf_of, got.pending_setup_intent) == (None,) * 4

    inv = check(v1.invoices.retrieve(sub.latest_invoice, {"expand": [
        "application", "default_source", "latest_revision", "on_behalf_of", "test_clock",
        "lines.data.subscription", "lines.data.discounts", "account_tax_ids"]}))
    assert inv.test_clock.id == clock.id
    assert (inv.application, inv.default_source, inv.latest_revision, inv.on_behalf_of) == (None,) * 4
    assert inv.lines.data[0].subscription.object == "subscription"
    assert inv.lines.data[0].subscription.id == sub.id

    assert check(v1.products.retrieve(prod.id, {"expand": ["tax_code"]})).tax_code is None

    schedule = check(v1.subscription_schedules.create({"from_subscription": sub.id}))
    got = check(v1.subscription_schedules.retrieve(schedule.id, {"expand": ["application", "test_clock"]}))
    assert got.application is None and got.test_clock.id == clock.id

    config = v1.billing_portal.configurations.create({
        "features": {"invoice_history": {"enabled": True}}})
    got = check(v1.billing_portal.configurations.retrieve(config.id, {"expand": ["application"]}))
    assert got.application is None
    listed = check(v1.billing_portal.configurations.list({"expand": ["data.application"]}))
    assert all(c.application is None for c in listed.data)
    session = check(v1.billing_portal.sessions.create({
        "customer": cus.id, "configuration": config.id, "return_url": "https://app.example.com/",
        "expand": ["configuration.application"]}))
    assert session.configuration.id == config.id and session.configuration.application is None


def test_fields_inside_lists_of_hashes_expand(v1):
    # Stripe's spec marks fields inside a schedule's phases and an invoice's discount amounts
    # expandable: each element of the list is expanded.
    cus = v1.customers.create({"payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    prod = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}}})
    coupon = v1.coupons.create({"percent_off": 10, "duration": "forever"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": prod.default_price}],
                                   "discounts": [{"coupon": coupon.id}],
                                   "default_payment_method": cus.invoice_settings.default_payment_method})
    sched = v1.subscription_schedules.create({"from_subscription": sub.id})
    got = check(v1.subscription_schedules.retrieve(sched.id, {"expand": [
        "phases.items.price.product", "phases.discounts.discount", "phases.discounts.coupon",
        "phases.default_payment_method", "phases.on_behalf_of",
        "default_settings.default_payment_method"]}))
    (phase,) = got.phases
    assert phase["items"][0].price.object == "price" and phase["items"][0].price.id == prod.default_price
    assert phase["items"][0].price.product.id == prod.id
    for d in phase.discounts:
        assert d.discount is None or d.discount.object == "discount"
        assert d.coupon is None or d.coupon.object == "coupon"
    assert phase.on_behalf_of is None
    # In lists too, and refused by name where nothing expands.
    listed = check(v1.subscription_schedules.list({"customer": cus.id, "expand": ["data.phases.items.price"]}))
    assert listed.data[0].phases[0]["items"][0].price.object == "price"
    expect_error(lambda: v1.subscription_schedules.retrieve(sched.id, {"expand": ["phases.items.quantity"]}))
    expect_error(lambda: v1.subscription_schedules.retrieve(sched.id, {"expand": ["phases.nothing"]}))

    inv = check(v1.invoices.retrieve(sub.latest_invoice, {"expand": [
        "total_discount_amounts.discount", "lines.data.discount_amounts.discount"]}))
    assert inv.total_discount_amounts[0].discount.object == "discount"
    assert inv.total_discount_amounts[0].discount.id == sub.discounts[0]
    assert inv.lines.data[0].discount_amounts[0].discount.id == sub.discounts[0]
    lines = check(v1.invoices.line_items.list(inv.id, {"expand": ["data.pricing.price_details.price"]}))
    line = lines.data[0]
    assert line.pricing.price_details.price.object == "price"
    assert line.pricing.price_details.price.id == prod.default_price
    got = check(v1.subscriptions.retrieve(sub.id, {"expand": ["discounts.source.coupon"]}))
    assert got.discounts[0].source.coupon.object == "coupon" and got.discounts[0].source.coupon.id == coupon.id


def test_lists_held_inside_an_object_expand_too(v1):
    # An invoice's lines and a subscription's items are paged from their object; `expand`
    # applies to them as to any list.
    cus = v1.customers.create({"payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    prod = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": prod.default_price}]})
    items = check(v1.subscription_items.list({"subscription": sub.id, "expand": ["data.price.product"]}))
    assert items.data[0].price.product.object == "product"
    lines = check(v1.invoices.line_items.list(sub.latest_invoice, {"expand": ["data.subscription"]}))
    assert lines.data[0].subscription.object == "subscription" and lines.data[0].subscription.id == sub.id
    expect_error(lambda: v1.invoices.line_items.list(sub.latest_invoice, {"expand": ["data.nothing"]}))
    expect_error(lambda: v1.subscription_items.list({"subscription": sub.id, "expand": ["price"]}))
