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
