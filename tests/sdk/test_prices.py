"""Prices: create (product / product_data), lookup keys, update rules, list filters."""

import time

import pytest

from helpers import check, expect_error


@pytest.fixture
def product(v1):
    return v1.products.create({"name": "Widget"})


def test_create_one_time(v1, product):
    p = check(v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1999}))
    assert p.object == "price"
    assert p.id.startswith("price_")
    assert p.product == product.id
    assert p.currency == "usd"
    assert p.unit_amount == 1999
    assert p.last_response.data["unit_amount_decimal"] == "1999"
    assert p.type == "one_time"
    assert p.recurring is None
    assert p.active is True
    assert p.billing_scheme == "per_unit"
    assert p.livemode is False
    assert p.lookup_key is None
    assert p.nickname is None
    assert p.metadata.to_dict() == {}
    assert p.tiers_mode is None
    assert p.transform_quantity is None
    assert p.custom_unit_amount is None
    assert abs(p.created - time.time()) < 300


def test_create_recurring(v1, product):
    p = check(v1.prices.create({"product": product.id, "currency": "eur", "unit_amount": 500,
                                "recurring": {"interval": "week", "interval_count": 2}}))
    assert p.type == "recurring"
    assert p.recurring.interval == "week"
    assert p.recurring.interval_count == 2
    assert p.recurring.usage_type == "licensed"
    assert p.recurring.meter is None


def test_currency_is_lowercased(v1, product):
    p = check(v1.prices.create({"product": product.id, "currency": "USD", "unit_amount": 1}))
    assert p.currency == "usd"


def test_invalid_currency(v1, product):
    expect_error(lambda: v1.prices.create({"product": product.id, "currency": "zzz", "unit_amount": 1}),
                 status=400, param="currency")


def test_required_params(v1, product):
    expect_error(lambda: v1.prices.create({"product": product.id, "unit_amount": 1}), status=400,
                 code="parameter_missing", param="currency")
    # neither product nor product_data
    expect_error(lambda: v1.prices.create({"currency": "usd", "unit_amount": 1}), status=400)
    # recurring without interval
    expect_error(lambda: v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1,
                                           "recurring": {"interval_count": 2}}),
                 status=400, code="parameter_missing", param="recurring[interval]")


def test_negative_amount_rejected(v1, product):
    expect_error(lambda: v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": -1}),
                 status=400, param="unit_amount")


def test_unknown_product(v1):
    expect_error(lambda: v1.prices.create({"product": "prod_missing", "currency": "usd", "unit_amount": 1}),
                 status=400, code="resource_missing", param="product",
                 message="No such product: 'prod_missing'")


def test_product_data(v1):
    p = check(v1.prices.create({"currency": "usd", "unit_amount": 300,
                                "product_data": {"name": "Inline", "metadata": {"a": "b"}}}))
    assert isinstance(p.product, str) and p.product.startswith("prod_")
    prod = check(v1.products.retrieve(p.product))
    assert prod.name == "Inline"
    assert prod.metadata.to_dict() == {"a": "b"}


def test_product_and_product_data_are_exclusive(v1, product):
    expect_error(lambda: v1.prices.create({"product": product.id, "product_data": {"name": "x"},
                                           "currency": "usd", "unit_amount": 1}), status=400)


def test_unit_amount_decimal_whole(v1, product):
    p = check(v1.prices.create({"product": product.id, "currency": "usd", "unit_amount_decimal": "1200"}))
    assert p.unit_amount == 1200
    assert p.last_response.data["unit_amount_decimal"] == "1200"


def test_unit_amount_and_decimal_exclusive(v1, product):
    expect_error(lambda: v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1,
                                           "unit_amount_decimal": "1"}), status=400)


def test_optional_fields(v1, product):
    p = check(v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1,
                                "nickname": "Intro", "lookup_key": "intro", "metadata": {"x": "y"},
                                "tax_behavior": "exclusive", "active": False}))
    assert p.nickname == "Intro"
    assert p.lookup_key == "intro"
    assert p.metadata.to_dict() == {"x": "y"}
    assert p.tax_behavior == "exclusive"
    assert p.active is False


def test_lookup_key_unique_and_transfer(v1, product):
    first = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1, "lookup_key": "std"})
    expect_error(lambda: v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 2,
                                           "lookup_key": "std"}), status=400)
    second = check(v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 2,
                                     "lookup_key": "std", "transfer_lookup_key": True}))
    assert second.lookup_key == "std"
    assert check(v1.prices.retrieve(first.id)).lookup_key is None
    res = check(v1.prices.list({"lookup_keys": ["std"]}))
    assert [p.id for p in res.data] == [second.id]


def test_lookup_key_transfer_on_update(v1, product):
    first = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1, "lookup_key": "k"})
    second = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 2})
    expect_error(lambda: v1.prices.update(second.id, {"lookup_key": "k"}), status=400)
    u = check(v1.prices.update(second.id, {"lookup_key": "k", "transfer_lookup_key": True}))
    assert u.lookup_key == "k"
    assert v1.prices.retrieve(first.id).lookup_key is None


def test_lookup_keys_are_per_account(portico_url, v1, product):
    from helpers import make_client, new_key

    other = make_client(portico_url, new_key()).v1
    v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1, "lookup_key": "shared"})
    op = other.products.create({"name": "x"})
    check(other.prices.create({"product": op.id, "currency": "usd", "unit_amount": 1, "lookup_key": "shared"}))


def test_update_allowed_fields(v1, product):
    p = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1,
                          "metadata": {"a": "1"}})
    u = check(v1.prices.update(p.id, {"nickname": "N", "metadata": {"b": "2"}, "active": False,
                                      "tax_behavior": "inclusive", "lookup_key": "lk"}))
    assert u.nickname == "N"
    assert u.metadata.to_dict() == {"a": "1", "b": "2"}
    assert u.active is False
    assert u.tax_behavior == "inclusive"
    assert u.lookup_key == "lk"
    assert u.unit_amount == 1


@pytest.mark.parametrize("field,value", [
    ("unit_amount", 5),
    ("currency", "eur"),
    ("product", "prod_x"),
    ("recurring", {"interval": "month"}),
])
def test_update_immutable_fields_unknown(v1, product, field, value):
    p = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1})
    expect_error(lambda: v1.prices.update(p.id, {field: value}), status=400, code="parameter_unknown",
                 message=f"Received unknown parameter: {field}")


def test_cannot_archive_default_price(v1):
    prod = v1.products.create({"name": "P", "default_price_data": {"currency": "usd", "unit_amount": 1}})
    expect_error(lambda: v1.prices.update(prod.default_price, {"active": False}), status=400)
    assert v1.prices.retrieve(prod.default_price).active is True


def test_delete_is_not_a_route(v1, raw, product):
    p = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1})
    r = raw.delete(f"/v1/prices/{p.id}")
    assert r.status_code == 404, r.text
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert err["message"].startswith(f"Unrecognized request URL (DELETE: /v1/prices/{p.id})"), err


def test_retrieve_missing(v1):
    expect_error(lambda: v1.prices.retrieve("price_missing"), status=404, code="resource_missing",
                 param="id", message="No such price: 'price_missing'")


def test_list_filters(v1):
    p1 = v1.products.create({"name": "One"})
    p2 = v1.products.create({"name": "Two"})
    a = v1.prices.create({"product": p1.id, "currency": "usd", "unit_amount": 1, "lookup_key": "a"})
    b = v1.prices.create({"product": p1.id, "currency": "eur", "unit_amount": 2,
                          "recurring": {"interval": "month"}, "lookup_key": "b"})
    c = v1.prices.create({"product": p2.id, "currency": "usd", "unit_amount": 3,
                          "recurring": {"interval": "year"}, "active": False})
    ids = lambda res: [x.id for x in check(res).data]  # noqa: E731
    assert ids(v1.prices.list()) == [c.id, b.id, a.id]
    assert ids(v1.prices.list({"active": True})) == [b.id, a.id]
    assert ids(v1.prices.list({"active": False})) == [c.id]
    assert ids(v1.prices.list({"currency": "usd"})) == [c.id, a.id]
    assert ids(v1.prices.list({"product": p1.id})) == [b.id, a.id]
    assert ids(v1.prices.list({"type": "one_time"})) == [a.id]
    assert ids(v1.prices.list({"type": "recurring"})) == [c.id, b.id]
    assert ids(v1.prices.list({"recurring": {"interval": "month"}})) == [b.id]
    assert ids(v1.prices.list({"lookup_keys": ["a", "b"]})) == [b.id, a.id]
    assert ids(v1.prices.list({"created": {"gte": a.created}})) == [c.id, b.id, a.id]
    assert check(v1.prices.list()).last_response.data["url"] == "/v1/prices"


@pytest.mark.parametrize("params,param", [
    ({"recurring": {"interval": "month", "usage_type": "metered"}}, None),
    ({"custom_unit_amount": {"enabled": True}}, "custom_unit_amount"),
    ({"currency_options": {"eur": {"unit_amount": 1}}}, "currency_options"),
    ({"transform_quantity": {"divide_by": 2, "round": "up"}}, "transform_quantity"),
])
def test_unsupported_params_are_refused(v1, product, params, param):
    # Portico refuses what it does not implement instead of silently ignoring it.
    base = {"product": product.id, "currency": "usd", "unit_amount": 1}
    e = expect_error(lambda: v1.prices.create({**base, **params}), status=400)
    if param:
        assert e.param and e.param.startswith(param), e.param
    assert v1.prices.list().data == []
