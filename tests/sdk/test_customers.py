"""Customers: create, retrieve, update, delete, list filters, validation."""

import re
import time

import pytest
import stripe

from helpers import check, expect_error


def test_create_minimal_defaults(v1):
    c = check(v1.customers.create())
    assert c.object == "customer"
    assert c.id.startswith("cus_")
    assert c.livemode is False
    assert c.balance == 0
    assert c.delinquent is False
    assert c.email is None and c.name is None and c.description is None and c.phone is None
    assert c.address is None and c.shipping is None
    assert c.currency is None
    assert c.default_source is None
    assert c.discount is None
    assert c.metadata.to_dict() == {}
    assert c.preferred_locales == []
    assert c.tax_exempt == "none"
    assert c.next_invoice_sequence == 1
    assert re.fullmatch(r"[A-Z0-9]{3,12}", c.invoice_prefix), c.invoice_prefix
    assert c.invoice_settings.default_payment_method is None
    assert c.invoice_settings.custom_fields is None
    assert c.invoice_settings.footer is None
    assert abs(c.created - time.time()) < 300


def test_create_with_all_supported_fields(v1):
    address = {"line1": "1 Main St", "line2": "Apt 2", "city": "Springfield", "state": "IL",
               "postal_code": "62701", "country": "US"}
    c = check(v1.customers.create({
        "email": "jenny@example.com",
        "name": "Jenny Rosen",
        "description": "A good customer",
        "phone": "+15555550100",
        "address": address,
        "balance": -500,
        "invoice_prefix": "JENNY01",
        "next_invoice_sequence": 42,
        "preferred_locales": ["fr-FR", "en"],
        "tax_exempt": "exempt",
        "metadata": {"order": "6735", "tier": "gold"},
        "shipping": {"name": "Jenny Rosen", "phone": "+15555550101", "address": address},
        "invoice_settings": {
            "custom_fields": [{"name": "PO", "value": "1234"}],
            "footer": "Thanks!",
            "rendering_options": {"amount_tax_display": "exclude_tax"},
        },
    }))
    assert c.email == "jenny@example.com"
    assert c.name == "Jenny Rosen"
    assert c.description == "A good customer"
    assert c.phone == "+15555550100"
    assert c.address.to_dict() == address
    assert c.balance == -500
    assert c.invoice_prefix == "JENNY01"
    assert c.next_invoice_sequence == 42
    assert c.preferred_locales == ["fr-FR", "en"]
    assert c.tax_exempt == "exempt"
    assert c.metadata.to_dict() == {"order": "6735", "tier": "gold"}
    assert c.shipping.name == "Jenny Rosen"
    assert c.shipping.phone == "+15555550101"
    assert c.shipping.address.to_dict() == address
    assert c.invoice_settings.custom_fields[0].to_dict() == {"name": "PO", "value": "1234"}
    assert c.invoice_settings.footer == "Thanks!"
    assert c.invoice_settings.rendering_options.amount_tax_display == "exclude_tax"
    got = check(v1.customers.retrieve(c.id))
    assert got.to_dict() == c.to_dict()


def test_partial_address_fills_nulls(v1):
    c = check(v1.customers.create({"address": {"city": "Paris"}}))
    a = c.address.to_dict()
    assert a["city"] == "Paris"
    for k in ("line1", "line2", "state", "postal_code", "country"):
        assert k in a and a[k] is None, a


def test_business_and_individual_name(v1):
    c = check(v1.customers.create({"business_name": "Acme Inc", "individual_name": "Wile E."}))
    assert c.business_name == "Acme Inc"
    assert c.individual_name == "Wile E."
    c = check(v1.customers.update(c.id, {"business_name": "Acme Corp"}))
    assert c.business_name == "Acme Corp"
    assert c.individual_name == "Wile E."


def test_retrieve_missing_is_404(v1):
    expect_error(lambda: v1.customers.retrieve("cus_doesnotexist"), status=404, code="resource_missing",
                 param="id", message="No such customer: 'cus_doesnotexist'")


def test_update_fields(v1):
    c = v1.customers.create({"email": "a@example.com", "name": "A"})
    u = check(v1.customers.update(c.id, {"name": "B", "balance": 250, "phone": "123"}))
    assert u.id == c.id
    assert u.name == "B" and u.email == "a@example.com" and u.balance == 250 and u.phone == "123"
    assert check(v1.customers.retrieve(c.id)).name == "B"


def test_update_empty_string_unsets(v1):
    c = v1.customers.create({"email": "a@example.com", "name": "A", "description": "d", "phone": "1"})
    u = check(v1.customers.update(c.id, {"name": "", "description": "", "phone": "", "email": ""}))
    assert u.name is None and u.description is None and u.phone is None and u.email is None


def test_update_unset_address_and_shipping(v1):
    c = v1.customers.create({"address": {"line1": "x"}, "shipping": {"name": "n", "address": {"line1": "y"}}})
    u = check(v1.customers.update(c.id, {"address": "", "shipping": ""}))
    assert u.address is None and u.shipping is None


def test_update_missing_customer_is_404(v1):
    expect_error(lambda: v1.customers.update("cus_nope", {"name": "x"}), status=404, code="resource_missing",
                 message="No such customer: 'cus_nope'")


def test_metadata_set_unset_clear(v1):
    c = v1.customers.create({"metadata": {"a": "1", "b": "2"}})
    u = check(v1.customers.update(c.id, {"metadata": {"c": "3"}}))
    assert u.metadata.to_dict() == {"a": "1", "b": "2", "c": "3"}, "metadata updates merge"
    u = check(v1.customers.update(c.id, {"metadata": {"a": ""}}))
    assert u.metadata.to_dict() == {"b": "2", "c": "3"}
    u = check(v1.customers.update(c.id, {"metadata": {"b": "20"}}))
    assert u.metadata.to_dict() == {"b": "20", "c": "3"}
    u = check(v1.customers.update(c.id, {"metadata": ""}))
    assert u.metadata.to_dict() == {}
    assert v1.customers.retrieve(c.id).metadata.to_dict() == {}


def test_metadata_limits(v1):
    # Stripe: at most 50 keys, key up to 40 chars, value up to 500 chars.
    expect_error(lambda: v1.customers.create({"metadata": {f"k{i}": "v" for i in range(51)}}), status=400,
                 param="metadata")
    expect_error(lambda: v1.customers.create({"metadata": {"k" * 41: "v"}}), status=400)
    expect_error(lambda: v1.customers.create({"metadata": {"k": "v" * 501}}), status=400)
    ok = check(v1.customers.create({"metadata": {"k" * 40: "v" * 500}}))
    assert ok.metadata["k" * 40] == "v" * 500


def test_invalid_email(v1):
    expect_error(lambda: v1.customers.create({"email": "not-an-email"}), status=400, code="email_invalid",
                 param="email")
    c = v1.customers.create()
    expect_error(lambda: v1.customers.update(c.id, {"email": "bad@"}), status=400, code="email_invalid",
                 param="email")


def test_invalid_enum(v1):
    expect_error(lambda: v1.customers.create({"tax_exempt": "sometimes"}), status=400, param="tax_exempt")


def test_default_payment_method_must_exist(v1):
    expect_error(
        lambda: v1.customers.create({"invoice_settings": {"default_payment_method": "pm_x"}}),
        status=400, code="resource_missing", param="invoice_settings[default_payment_method]",
        message="No such PaymentMethod: 'pm_x'")


@pytest.mark.parametrize("params,param", [
    ({"source": "tok_visa"}, "source"),
    ({"tax": {"ip_address": "1.2.3.4"}}, "tax"),
    ({"tax_id_data": [{"type": "eu_vat", "value": "DE123456789"}]}, "tax_id_data"),
    ({"cash_balance": {"settings": {"reconciliation_mode": "manual"}}}, "cash_balance"),
])
def test_unsupported_create_params_are_refused(v1, params, param):
    # Portico refuses parameters it does not implement with a clear 400 instead of ignoring them.
    e = expect_error(lambda: v1.customers.create(params), status=400)
    assert e.param and e.param.startswith(param), e.param
    assert v1.customers.list().data == [], "a refused create must not create anything"


@pytest.mark.parametrize("param", ["default_source", "card", "bank_account"])
def test_unsupported_legacy_update_params_are_refused(v1, param):
    c = v1.customers.create()
    e = expect_error(lambda: v1.customers.update(c.id, {param: "src_123"}), status=400)
    assert e.param and e.param.startswith(param)


def test_delete_flow(v1):
    c = v1.customers.create({"email": "gone@example.com"})
    d = check(v1.customers.delete(c.id))
    assert d.to_dict() == {"id": c.id, "object": "customer", "deleted": True}
    # Stripe keeps answering a retrieve of a deleted customer with the deleted stub.
    again = check(v1.customers.retrieve(c.id))
    assert again.to_dict() == {"id": c.id, "object": "customer", "deleted": True}
    expect_error(lambda: v1.customers.delete(c.id), status=404, code="resource_missing")
    # deleted customers drop out of lists
    assert [x.id for x in v1.customers.list().data] == []


def test_delete_missing_is_404(v1):
    expect_error(lambda: v1.customers.delete("cus_never"), status=404, code="resource_missing",
                 message="No such customer: 'cus_never'")


def test_list_filter_by_email(v1):
    a = v1.customers.create({"email": "a@example.com"})
    v1.customers.create({"email": "b@example.com"})
    a2 = v1.customers.create({"email": "a@example.com"})
    res = check(v1.customers.list({"email": "a@example.com"}))
    assert [c.id for c in res.data] == [a2.id, a.id]
    assert check(v1.customers.list({"email": "nobody@example.com"})).data == []


def test_list_filter_by_created(v1, raw):
    c1 = v1.customers.create()
    res = check(v1.customers.list({"created": {"gte": c1.created}}))
    assert c1.id in [c.id for c in res.data]
    assert check(v1.customers.list({"created": {"gt": c1.created + 1000}})).data == []
    assert check(v1.customers.list({"created": {"lt": c1.created}})).data == []
    assert c1.id in [c.id for c in v1.customers.list({"created": {"lte": c1.created}}).data]
    # an exact timestamp is also accepted
    assert c1.id in [c.id for c in v1.customers.list({"created": c1.created}).data]


def test_list_envelope(v1):
    v1.customers.create()
    res = check(v1.customers.list())
    body = res.last_response.data
    assert body["object"] == "list"
    assert body["url"] == "/v1/customers"
    assert body["has_more"] is False
    assert len(body["data"]) == 1


def test_update_invalid_field_type(v1):
    c = v1.customers.create()
    expect_error(lambda: v1.customers.update(c.id, {"balance": "lots"}), status=400, param="balance")
    expect_error(lambda: v1.customers.update(c.id, {"next_invoice_sequence": "x"}), status=400,
                 param="next_invoice_sequence")
