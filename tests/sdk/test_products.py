"""Products: create, retrieve, update, delete, list filters, default prices."""

import time

import pytest

from helpers import check, expect_error


def test_create_minimal_defaults(v1):
    p = check(v1.products.create({"name": "Gold plan"}))
    assert p.object == "product"
    assert p.id.startswith("prod_")
    assert p.name == "Gold plan"
    assert p.active is True
    assert p.livemode is False
    assert p.default_price is None
    assert p.description is None
    assert p.images == []
    assert p.marketing_features == []
    assert p.metadata.to_dict() == {}
    assert p.package_dimensions is None
    assert p.shippable is None
    assert p.statement_descriptor is None
    assert p.tax_code is None
    assert p.unit_label is None
    assert p.url is None
    assert abs(p.created - time.time()) < 300
    assert p.updated >= p.created


def test_name_is_required(v1):
    expect_error(lambda: v1.products.create({}), status=400, code="parameter_missing", param="name",
                 message="Missing required param: name.")


def test_create_with_all_fields(v1):
    p = check(v1.products.create({
        "id": "gold-plan",
        "name": "Gold",
        "active": False,
        "description": "The gold plan",
        "images": ["https://example.com/a.png", "https://example.com/b.png"],
        "marketing_features": [{"name": "Fast"}, {"name": "Cheap"}],
        "metadata": {"k": "v"},
        "package_dimensions": {"height": 1.5, "length": 2, "weight": 3.25, "width": 4},
        "shippable": True,
        "statement_descriptor": "GOLD PLAN",
        "unit_label": "seat",
        "url": "https://example.com/gold",
    }))
    assert p.id == "gold-plan"
    assert p.active is False
    assert p.description == "The gold plan"
    assert p.images == ["https://example.com/a.png", "https://example.com/b.png"]
    assert [f.name for f in p.marketing_features] == ["Fast", "Cheap"]
    assert p.metadata.to_dict() == {"k": "v"}
    dims = p.package_dimensions.to_dict()
    assert dims == {"height": 1.5, "length": 2.0, "weight": 3.25, "width": 4.0}
    assert p.shippable is True
    assert p.statement_descriptor == "GOLD PLAN"
    assert p.unit_label == "seat"
    assert p.url == "https://example.com/gold"
    assert check(v1.products.retrieve("gold-plan")).to_dict() == p.to_dict()


def test_tax_code_is_stored(v1):
    p = check(v1.products.create({"name": "Tax", "tax_code": "txcd_10000000"}))
    # tax_code is expandable: unexpanded it is the id string.
    assert p.tax_code == "txcd_10000000"


def test_duplicate_custom_id(v1):
    v1.products.create({"id": "dup", "name": "A"})
    expect_error(lambda: v1.products.create({"id": "dup", "name": "B"}), status=400,
                 code="resource_already_exists")


def test_retrieve_missing(v1):
    expect_error(lambda: v1.products.retrieve("prod_nope"), status=404, code="resource_missing",
                 param="id", message="No such product: 'prod_nope'")


def test_statement_descriptor_limits(v1):
    # Stripe: at most 22 characters, and not made of only the forbidden characters < > \ ' " *
    expect_error(lambda: v1.products.create({"name": "x", "statement_descriptor": "A" * 23}), status=400,
                 param="statement_descriptor")


def test_update(v1):
    p = v1.products.create({"name": "A", "description": "d", "metadata": {"a": "1"}})
    time.sleep(1.1)
    u = check(v1.products.update(p.id, {"name": "B", "description": "", "active": False,
                                        "metadata": {"b": "2"}, "images": ["https://example.com/x.png"]}))
    assert u.name == "B"
    assert u.description is None
    assert u.active is False
    assert u.metadata.to_dict() == {"a": "1", "b": "2"}
    assert u.images == ["https://example.com/x.png"]
    assert u.updated > p.updated, "updated moves forward on update"
    assert u.created == p.created


def test_update_name_cannot_be_blank(v1):
    p = v1.products.create({"name": "A"})
    expect_error(lambda: v1.products.update(p.id, {"name": ""}), status=400, param="name")


def test_default_price_data(v1):
    p = check(v1.products.create({"name": "With price",
                                  "default_price_data": {"currency": "usd", "unit_amount": 1500,
                                                         "recurring": {"interval": "month"}}}))
    assert isinstance(p.default_price, str) and p.default_price.startswith("price_")
    price = check(v1.prices.retrieve(p.default_price))
    assert price.product == p.id
    assert price.unit_amount == 1500
    assert price.currency == "usd"
    assert price.type == "recurring"
    assert price.recurring.interval == "month"
    assert price.recurring.interval_count == 1
    assert price.active is True


def test_update_default_price(v1):
    p = v1.products.create({"name": "P", "default_price_data": {"currency": "usd", "unit_amount": 100}})
    second = v1.prices.create({"product": p.id, "currency": "usd", "unit_amount": 200})
    u = check(v1.products.update(p.id, {"default_price": second.id}))
    assert u.default_price == second.id


def test_default_price_must_belong_to_product(v1):
    p = v1.products.create({"name": "P"})
    other = v1.products.create({"name": "Other", "default_price_data": {"currency": "usd", "unit_amount": 1}})
    expect_error(lambda: v1.products.update(p.id, {"default_price": other.default_price}), status=400,
                 param="default_price")


def test_default_price_must_be_active(v1):
    p = v1.products.create({"name": "P"})
    inactive = v1.prices.create({"product": p.id, "currency": "usd", "unit_amount": 1, "active": False})
    expect_error(lambda: v1.products.update(p.id, {"default_price": inactive.id}), status=400,
                 param="default_price")


def test_default_price_must_exist(v1):
    p = v1.products.create({"name": "P"})
    expect_error(lambda: v1.products.update(p.id, {"default_price": "price_missing"}), status=400,
                 param="default_price")


def test_default_price_cannot_be_unset(v1):
    # Stripe's spec declares `default_price` on update as a plain string (no "" to unset).
    p = v1.products.create({"name": "P", "default_price_data": {"currency": "usd", "unit_amount": 100}})
    expect_error(lambda: v1.products.update(p.id, {"default_price": ""}), status=400, param="default_price")
    assert v1.products.retrieve(p.id).default_price == p.default_price


def test_update_unsets_optional_fields(v1):
    p = v1.products.create({"name": "P", "description": "d", "url": "https://x.example", "unit_label": "u",
                            "images": ["https://x.example/i.png"], "marketing_features": [{"name": "f"}],
                            "package_dimensions": {"height": 1, "length": 1, "weight": 1, "width": 1}})
    u = check(v1.products.update(p.id, {"description": "", "url": "", "unit_label": "", "images": "",
                                        "marketing_features": "", "package_dimensions": ""}))
    assert u.description is None and u.url is None and u.unit_label is None
    assert u.images == [] and u.marketing_features == [] and u.package_dimensions is None


def test_delete_product_without_prices(v1):
    p = v1.products.create({"name": "Temp"})
    d = check(v1.products.delete(p.id))
    assert d.to_dict() == {"id": p.id, "object": "product", "deleted": True}
    expect_error(lambda: v1.products.retrieve(p.id), status=404, code="resource_missing")
    expect_error(lambda: v1.products.delete(p.id), status=404, code="resource_missing")
    assert v1.products.list().data == []


def test_delete_product_with_prices_is_refused(v1):
    p = v1.products.create({"name": "Priced"})
    v1.prices.create({"product": p.id, "currency": "usd", "unit_amount": 5})
    expect_error(lambda: v1.products.delete(p.id), status=400,
                 message="This product cannot be deleted because it has one or more user-created prices.")
    assert check(v1.products.retrieve(p.id)).id == p.id


def test_delete_product_with_archived_price_is_still_refused(v1):
    p = v1.products.create({"name": "Priced"})
    price = v1.prices.create({"product": p.id, "currency": "usd", "unit_amount": 5})
    v1.prices.update(price.id, {"active": False})
    expect_error(lambda: v1.products.delete(p.id), status=400)


def test_list_filters(v1):
    a = v1.products.create({"name": "A", "active": True, "shippable": True, "url": "https://a.example"})
    b = v1.products.create({"name": "B", "active": False, "shippable": False})
    c = v1.products.create({"name": "C"})
    ids = lambda res: [x.id for x in check(res).data]  # noqa: E731
    assert ids(v1.products.list()) == [c.id, b.id, a.id]
    assert ids(v1.products.list({"active": True})) == [c.id, a.id]
    assert ids(v1.products.list({"active": False})) == [b.id]
    assert ids(v1.products.list({"shippable": True})) == [a.id]
    assert ids(v1.products.list({"shippable": False})) == [b.id]
    assert ids(v1.products.list({"url": "https://a.example"})) == [a.id]
    assert ids(v1.products.list({"ids": [a.id, c.id]})) == [c.id, a.id]
    assert ids(v1.products.list({"created": {"gte": a.created}})) == [c.id, b.id, a.id]
    assert ids(v1.products.list({"created": {"lt": a.created}})) == []
    assert check(v1.products.list()).last_response.data["url"] == "/v1/products"
