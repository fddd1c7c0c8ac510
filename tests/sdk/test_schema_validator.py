"""The schema validator must accept well-formed Stripe objects and reject broken ones."""

import copy

import pytest

import schema

GOOD_CUSTOMER = {
    "id": "cus_NffrFeUfNV2Hib",
    "object": "customer",
    "address": None,
    "balance": 0,
    "created": 1680893993,
    "currency": None,
    "default_source": None,
    "delinquent": False,
    "description": None,
    "email": "jennyrosen@example.com",
    "invoice_prefix": "0759376C",
    "invoice_settings": {
        "custom_fields": None,
        "default_payment_method": None,
        "footer": None,
        "rendering_options": None,
    },
    "livemode": False,
    "metadata": {},
    "name": "Jenny Rosen",
    "next_invoice_sequence": 1,
    "phone": None,
    "preferred_locales": [],
    "shipping": None,
    "tax_exempt": "none",
    "test_clock": None,
}

GOOD_PRICE = {
    "id": "price_1MoBy5LkdIwHu7ixZhnattbh",
    "object": "price",
    "active": True,
    "billing_scheme": "per_unit",
    "created": 1679431181,
    "currency": "usd",
    "custom_unit_amount": None,
    "livemode": False,
    "lookup_key": None,
    "metadata": {},
    "nickname": None,
    "product": "prod_NZKdYqrwEYx6iK",
    "recurring": {"interval": "month", "interval_count": 1, "meter": None, "usage_type": "licensed"},
    "tax_behavior": "unspecified",
    "tiers_mode": None,
    "transform_quantity": None,
    "type": "recurring",
    "unit_amount": 1000,
    "unit_amount_decimal": "1000",
}


def test_accepts_documented_customer():
    schema.validate(copy.deepcopy(GOOD_CUSTOMER))


def test_accepts_documented_price():
    schema.validate(copy.deepcopy(GOOD_PRICE))


def test_accepts_deleted_stubs_and_lists():
    schema.validate({"id": "cus_1", "object": "customer", "deleted": True})
    schema.validate({"id": "prod_1", "object": "product", "deleted": True})
    schema.validate({"object": "list", "data": [GOOD_CUSTOMER], "has_more": False, "url": "/v1/customers"})


def test_rejects_customer_missing_id():
    bad = copy.deepcopy(GOOD_CUSTOMER)
    del bad["id"]
    with pytest.raises(schema.SchemaError, match="id"):
        schema.validate(bad)


def test_rejects_price_with_string_unit_amount():
    bad = copy.deepcopy(GOOD_PRICE)
    bad["unit_amount"] = "1000"
    with pytest.raises(schema.SchemaError, match="unit_amount"):
        schema.validate(bad)


def test_rejects_null_in_non_nullable_field():
    bad = copy.deepcopy(GOOD_PRICE)
    bad["active"] = None
    with pytest.raises(schema.SchemaError):
        schema.validate(bad)
    bad = copy.deepcopy(GOOD_CUSTOMER)
    bad["metadata"] = None
    with pytest.raises(schema.SchemaError):
        schema.validate(bad)


def test_accepts_null_in_nullable_field():
    ok = copy.deepcopy(GOOD_PRICE)
    ok["unit_amount"] = None
    schema.validate(ok)


def test_rejects_bad_enum_and_nested_ref():
    bad = copy.deepcopy(GOOD_PRICE)
    bad["recurring"]["interval"] = "fortnight"
    with pytest.raises(schema.SchemaError):
        schema.validate(bad)
    bad = copy.deepcopy(GOOD_CUSTOMER)
    bad["invoice_settings"]["footer"] = 7
    with pytest.raises(schema.SchemaError):
        schema.validate(bad)


def test_rejects_bad_item_inside_list():
    bad = copy.deepcopy(GOOD_CUSTOMER)
    bad["livemode"] = "no"
    with pytest.raises(schema.SchemaError):
        schema.validate({"object": "list", "data": [GOOD_CUSTOMER, bad], "has_more": False, "url": "/v1/customers"})


def test_rejects_absolute_list_url():
    with pytest.raises(schema.SchemaError):
        schema.validate({"object": "list", "data": [], "has_more": False, "url": "http://x/v1/customers"})


def test_rejects_deleted_stub_with_wrong_type():
    with pytest.raises(schema.SchemaError):
        schema.validate({"id": "cus_1", "object": "customer", "deleted": "yes"})


def test_rejects_undocumented_field():
    if schema.ALLOW_EXTRA:
        pytest.skip("PORTICO_SCHEMA_ALLOW_EXTRA is set")
    bad = copy.deepcopy(GOOD_CUSTOMER)
    bad["favourite_colour"] = "blue"
    with pytest.raises(schema.SchemaError):
        schema.validate(bad)


def test_missing_refs_match_anything():
    # `package_dimensions` was cut from the subsets: any value passes there.
    prod = {
        "id": "prod_1", "object": "product", "active": True, "created": 1, "default_price": None,
        "description": None, "images": [], "livemode": False, "marketing_features": [], "metadata": {},
        "name": "P", "package_dimensions": {"height": 1.0, "length": 1.0, "weight": 1.0, "width": 1.0},
        "shippable": None, "statement_descriptor": None, "tax_code": None, "type": "service",
        "unit_label": None, "updated": 1, "url": None,
    }
    schema.validate(prod)
    # but a product missing its required `name` is still rejected
    del prod["name"]
    with pytest.raises(schema.SchemaError):
        schema.validate(prod)


def test_sdk_spec_fields_are_required_and_checked():
    # A subscription item carries its price as a legacy `plan` too: the public spec leaves it
    # out, the SDK spec requires it (async-stripe cannot decode an item without it).
    plan = {
        "id": GOOD_PRICE["id"], "object": "plan", "active": True, "amount": 1000,
        "amount_decimal": "1000", "billing_scheme": "per_unit", "created": 1679431181,
        "currency": "usd", "interval": "month", "interval_count": 1, "livemode": False,
        "metadata": {}, "meter": None, "nickname": None, "product": "prod_NZKdYqrwEYx6iK",
        "tiers_mode": None, "transform_usage": None, "trial_period_days": None,
        "usage_type": "licensed",
    }
    item = {
        "id": "si_1", "object": "subscription_item", "billing_thresholds": None, "created": 1,
        "current_period_end": 2, "current_period_start": 1, "discounts": [], "metadata": {},
        "plan": plan, "price": copy.deepcopy(GOOD_PRICE), "quantity": 1,
        "subscription": "sub_1", "tax_rates": [],
    }
    schema.validate(copy.deepcopy(item))
    for broken in (
        lambda i: i.pop("plan"),
        lambda i: i["plan"].pop("interval"),
        lambda i: i["plan"].update(object="price"),
        lambda i: i["plan"].update(usage_type="sometimes"),
        lambda i: i["plan"].update(undocumented=1),
    ):
        bad = copy.deepcopy(item)
        broken(bad)
        with pytest.raises(schema.SchemaError):
            schema.validate(bad)


def test_error_body_shape():
    schema.validate({"error": {"type": "invalid_request_error", "message": "x", "param": "email"}})
    with pytest.raises(schema.SchemaError):
        schema.validate({"error": {"type": "weird_error", "message": "x"}})
