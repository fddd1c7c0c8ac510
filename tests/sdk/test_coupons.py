"""Coupons and promotion codes: creation rules, validity, uniqueness, list filters."""

import time

import pytest
import stripe

from helpers import check, expect_error


def test_percent_coupon_defaults(v1):
    c = check(v1.coupons.create({"percent_off": 25}))
    assert c.object == "coupon"
    assert len(c.id) == 8
    assert c.percent_off == 25
    assert c.amount_off is None and c.currency is None
    assert c.duration == "once" and c.duration_in_months is None
    assert c.times_redeemed == 0 and c.valid is True
    assert c.max_redemptions is None and c.redeem_by is None


def test_amount_coupon_repeating_with_custom_id(v1):
    c = check(v1.coupons.create({"id": "TENOFF", "amount_off": 1000, "currency": "USD", "duration": "repeating",
                                 "duration_in_months": 3, "name": "Ten off", "metadata": {"k": "v"}}))
    assert (c.id, c.amount_off, c.currency, c.duration_in_months, c.name) == ("TENOFF", 1000, "usd", 3, "Ten off")
    assert check(v1.coupons.retrieve("TENOFF")).metadata["k"] == "v"
    expect_error(lambda: v1.coupons.create({"id": "TENOFF", "percent_off": 5}), code="resource_already_exists", param="id")


@pytest.mark.parametrize("params,param", [
    ({}, "percent_off"),
    ({"percent_off": 10, "amount_off": 100, "currency": "usd"}, "amount_off"),
    ({"percent_off": 0}, "percent_off"),
    ({"percent_off": 101}, "percent_off"),
    ({"amount_off": 100}, "currency"),
    ({"percent_off": 10, "duration": "repeating"}, "duration_in_months"),
    ({"percent_off": 10, "duration": "forever", "duration_in_months": 2}, "duration_in_months"),
    ({"percent_off": 10, "max_redemptions": 0}, "max_redemptions"),
    ({"percent_off": 10, "redeem_by": 1000}, "redeem_by"),
    ({"percent_off": 10, "duration": "weekly"}, "duration"),
    ({"amount_off": 100, "currency": "xyz"}, "currency"),
])
def test_coupon_rules(v1, params, param):
    expect_error(lambda: v1.coupons.create(params), param=param)


def test_applies_to_products_must_exist(v1):
    p = v1.products.create({"name": "P"})
    c = check(v1.coupons.create({"percent_off": 10, "applies_to": {"products": [p.id]}}))
    assert c.applies_to.products == [p.id]
    expect_error(lambda: v1.coupons.create({"percent_off": 10, "applies_to": {"products": [p.id, "prod_nope"]}}),
                 code="resource_missing", param="applies_to[products][1]")


def test_update_and_delete(v1):
    c = v1.coupons.create({"percent_off": 10, "name": "Old"})
    u = check(v1.coupons.update(c.id, {"name": "New", "metadata": {"a": "1"}}))
    assert (u.name, u.metadata["a"]) == ("New", "1")
    expect_error(lambda: v1.coupons.update(c.id, {"percent_off": 20}), code="parameter_unknown", param="percent_off")
    d = v1.coupons.delete(c.id)
    assert d.deleted is True and d.id == c.id
    check(d)
    expect_error(lambda: v1.coupons.retrieve(c.id), status=404, code="resource_missing")


def test_redeem_by_makes_a_coupon_invalid_later(v1, raw):
    soon = int(time.time()) + 3600
    c = check(v1.coupons.create({"percent_off": 10, "redeem_by": soon}))
    assert c.valid is True and c.redeem_by == soon


def test_coupon_list(v1):
    ids = [v1.coupons.create({"percent_off": 5 + i}).id for i in range(3)]
    page = check(v1.coupons.list({"limit": 2}))
    assert [c.id for c in page.data] == ids[::-1][:2] and page.has_more
    assert [c.id for c in v1.coupons.list().auto_paging_iter()] == ids[::-1]


@pytest.fixture
def coupon(v1):
    return v1.coupons.create({"percent_off": 20, "duration": "forever"})


def test_promotion_code_shape(v1, coupon):
    p = check(v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "Spring25"}))
    assert p.id.startswith("promo_") and p.object == "promotion_code"
    assert p.code == "Spring25" and p.active is True
    assert p.promotion.type == "coupon" and p.promotion.coupon == coupon.id
    assert p.restrictions.first_time_transaction is False
    assert p.restrictions.minimum_amount is None
    assert p.times_redeemed == 0 and p.customer is None and p.expires_at is None
    expanded = check(v1.promotion_codes.retrieve(p.id, {"expand": ["promotion.coupon"]}))
    assert expanded.promotion.coupon.id == coupon.id


def test_generated_code(v1, coupon):
    p = check(v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}}))
    assert len(p.code) == 8 and p.code.isalnum()


def test_codes_are_unique_among_active_codes_regardless_of_case(v1, coupon):
    promo = {"type": "coupon", "coupon": coupon.id}
    first = v1.promotion_codes.create({"promotion": promo, "code": "SAVE"})
    expect_error(lambda: v1.promotion_codes.create({"promotion": promo, "code": "save"}), param="code")
    v1.promotion_codes.update(first.id, {"active": False})
    second = check(v1.promotion_codes.create({"promotion": promo, "code": "save"}))
    # The old one cannot come back while the new one holds the code.
    expect_error(lambda: v1.promotion_codes.update(first.id, {"active": True}), param="code")
    v1.promotion_codes.update(second.id, {"active": False})
    assert v1.promotion_codes.update(first.id, {"active": True}).active is True


@pytest.mark.parametrize("extra,param", [
    ({"code": "not ok"}, "code"),
    ({"expires_at": 1000}, "expires_at"),
    ({"max_redemptions": 0}, "max_redemptions"),
    ({"restrictions": {"minimum_amount": 1000}}, "restrictions[minimum_amount_currency]"),
    ({"restrictions": {"minimum_amount_currency": "usd"}}, "restrictions[minimum_amount]"),
])
def test_promotion_code_rules(v1, coupon, extra, param):
    expect_error(lambda: v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}, **extra}), param=param)


def test_promotion_code_references(v1, coupon):
    expect_error(lambda: v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": "nope"}}),
                 code="resource_missing", param="promotion[coupon]")
    expect_error(lambda: v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}, "customer": "cus_nope"}),
                 code="resource_missing", param="customer")
    expect_error(lambda: v1.promotion_codes.create({"code": "X"}), code="parameter_missing", param="promotion")


def test_promotion_code_restrictions_and_customer(v1, coupon):
    cus = v1.customers.create({"email": "a@b.co"})
    p = check(v1.promotion_codes.create({
        "promotion": {"type": "coupon", "coupon": coupon.id}, "customer": cus.id, "max_redemptions": 5,
        "expires_at": int(time.time()) + 86400,
        "restrictions": {"first_time_transaction": True, "minimum_amount": 1000, "minimum_amount_currency": "usd"},
    }))
    assert p.customer == cus.id and p.max_redemptions == 5
    assert p.restrictions.first_time_transaction is True
    assert (p.restrictions.minimum_amount, p.restrictions.minimum_amount_currency) == (1000, "usd")


def test_promotion_code_list_filters(v1, coupon):
    other = v1.coupons.create({"percent_off": 5})
    a = v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "ALPHA"})
    b = v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": other.id}, "code": "BETA"})
    v1.promotion_codes.update(b.id, {"active": False})
    assert [p.id for p in check(v1.promotion_codes.list({"code": "alpha"})).data] == [a.id]
    assert [p.id for p in v1.promotion_codes.list({"coupon": other.id}).data] == [b.id]
    assert [p.id for p in v1.promotion_codes.list({"active": True}).data] == [a.id]
    assert [p.id for p in v1.promotion_codes.list({"active": False}).data] == [b.id]


def test_a_coupon_made_again_under_a_deleted_ones_id_leaves_its_discounts_alone(v1):
    # Deleting a coupon does not change the discounts already made from it, nor does a new
    # coupon with the same id and other terms.
    price = v1.prices.create({"currency": "usd", "unit_amount": 1000, "recurring": {"interval": "month"},
                              "product_data": {"name": "Plan"}}).id
    cus = v1.customers.create({"payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    v1.coupons.create({"id": "REUSE", "percent_off": 10, "duration": "forever"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price}], "discounts": [{"coupon": "REUSE"}]})
    v1.coupons.delete("REUSE")
    again = v1.coupons.create({"id": "REUSE", "percent_off": 90, "duration": "forever"})
    assert again.times_redeemed == 0
    preview = v1.invoices.create_preview({"subscription": sub.id})
    assert preview.total == 900, preview.total
    # A new subscription takes the new terms.
    fresh = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price}], "discounts": [{"coupon": "REUSE"}],
                                     "expand": ["latest_invoice"]})
    assert fresh.latest_invoice.total == 100


def test_applies_to_may_be_asked_expanded(v1):
    # Stripe lists it as expandable; Portico shows it whole whenever it is set, so expanding
    # changes nothing.
    product = v1.products.create({"name": "Only this"})
    c = v1.coupons.create({"percent_off": 5, "applies_to": {"products": [product.id]}})
    got = check(v1.coupons.retrieve(c.id, {"expand": ["applies_to"]}))
    assert got.applies_to.products == [product.id]
    plain = check(v1.coupons.retrieve(v1.coupons.create({"percent_off": 5}).id, {"expand": ["applies_to"]}))
    assert "applies_to" not in plain.to_dict()


def plan_and_customer(v1):
    """A $10 monthly price, and a customer paying by card."""
    price = v1.prices.create({"currency": "usd", "unit_amount": 1000, "recurring": {"interval": "month"},
                              "product_data": {"name": "Plan"}}).id
    cus = v1.customers.create({"payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    return price, cus


def test_delete_discount_takes_a_subscriptions_discount_off(v1):
    price, cus = plan_and_customer(v1)
    coupon = v1.coupons.create({"percent_off": 25, "duration": "forever"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price}],
                                   "discounts": [{"coupon": coupon.id}]})
    (discount_id,) = sub.discounts
    assert v1.invoices.create_preview({"subscription": sub.id}).total == 750

    gone = check(v1.subscriptions.delete_discount(sub.id))
    assert (gone.object, gone.id, gone.deleted) == ("discount", discount_id, True)
    assert (gone.subscription, gone.customer, gone.source.coupon) == (sub.id, cus.id, coupon.id)
    after = v1.subscriptions.retrieve(sub.id)
    assert after.discounts == []
    assert v1.invoices.create_preview({"subscription": sub.id}).total == 1000
    # Announced as the discount leaving, and as the subscription changing.
    events = {e.type: e for e in v1.events.list({"limit": 5}).data}
    assert events["customer.discount.deleted"].data.object.id == discount_id
    updated = events["customer.subscription.updated"].data
    assert updated.object.id == sub.id and updated.previous_attributes["discounts"] == [discount_id]
    # Nothing left to take off.
    expect_error(lambda: v1.subscriptions.delete_discount(sub.id), status=404, code="resource_missing",
                 message=f"No active discount for subscription: '{sub.id}'")


def test_delete_discount_refusals(v1):
    price, cus = plan_and_customer(v1)
    a = v1.coupons.create({"percent_off": 10, "duration": "forever"})
    b = v1.coupons.create({"amount_off": 100, "currency": "usd", "duration": "forever"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price}],
                                   "discounts": [{"coupon": a.id}, {"coupon": b.id}]})
    # Several discounts: the update names the ones to keep; nothing changes here.
    expect_error(lambda: v1.subscriptions.delete_discount(sub.id), message="discounts")
    assert len(v1.subscriptions.retrieve(sub.id).discounts) == 2
    expect_error(lambda: v1.subscriptions.delete_discount("sub_missing"), status=404, code="resource_missing")
    # A canceled subscription can no longer change.
    v1.subscriptions.cancel(sub.id)
    expect_error(lambda: v1.subscriptions.delete_discount(sub.id), message="canceled")
    # Customers carry no discount of their own in Stripe's current API.
    expect_error(lambda: v1.customers.delete_discount(cus.id), status=404, code="resource_missing",
                 message=f"No active discount for customer: '{cus.id}'")
    expect_error(lambda: v1.customers.delete_discount("cus_missing"), status=404, message="No such customer")
