"""Errors, authentication, idempotency, headers and account isolation, through the SDK."""

import uuid

import pytest
import requests
import stripe

from helpers import check, expect_error, make_client, new_key


def test_error_exception_fields(v1):
    e = expect_error(lambda: v1.customers.create({"email": "nope"}), stripe.InvalidRequestError, status=400)
    assert e.param == "email"
    assert e.code == "email_invalid"
    assert e.http_status == 400
    assert e.json_body["error"]["type"] == "invalid_request_error"
    assert e.json_body["error"]["doc_url"].endswith("/email-invalid") or "doc_url" not in e.json_body["error"]


def test_unknown_param_via_sdk(v1):
    e = expect_error(lambda: v1.customers.create({"favourite_colour": "blue"}), status=400,
                     code="parameter_unknown", param="favourite_colour",
                     message="Received unknown parameter: favourite_colour")
    assert e.json_body["error"]["message"].startswith("Received unknown parameter: favourite_colour")


def test_nested_unknown_param_via_sdk(v1):
    expect_error(lambda: v1.customers.create({"address": {"planet": "Mars"}}), status=400,
                 code="parameter_unknown", param="address[planet]")


def test_invalid_api_key(portico_url):
    bad = make_client(portico_url, "sk_live_definitely_not_valid").v1
    expect_error(lambda: bad.customers.list(), stripe.AuthenticationError, status=401)
    bad = make_client(portico_url, "garbage").v1
    expect_error(lambda: bad.customers.list(), stripe.AuthenticationError, status=401)


def test_missing_api_key(portico_url):
    r = requests.get(portico_url + "/v1/customers", timeout=10)
    assert r.status_code == 401
    assert r.headers.get("Request-Id", "").startswith("req_")
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert "API key" in err["message"]


def test_bearer_and_basic_auth(portico_url):
    key = new_key()
    r = requests.post(portico_url + "/v1/customers", headers={"Authorization": f"Bearer {key}"},
                      data={"name": "bearer"}, timeout=10)
    assert r.status_code == 200, r.text
    r2 = requests.get(portico_url + f"/v1/customers/{r.json()['id']}", auth=(key, ""), timeout=10)
    assert r2.status_code == 200, r2.text
    assert r2.json()["name"] == "bearer"


def test_request_id_on_every_response(v1, raw):
    c = v1.customers.create()
    assert c.last_response.request_id.startswith("req_")
    other = v1.customers.retrieve(c.id)
    assert other.last_response.request_id != c.last_response.request_id
    for resp in (raw.get("/v1/customers"), raw.get("/v1/customers/cus_nope"), raw.get("/v1/foo")):
        assert resp.headers.get("Request-Id", "").startswith("req_"), resp.headers


def test_stripe_version_header(raw):
    r = raw.get("/v1/customers", headers={"Stripe-Version": "2026-07-29.dahlia"})
    assert r.status_code == 200, r.text
    assert r.headers.get("Stripe-Version") == "2026-07-29.dahlia"


def test_sdk_sends_its_pinned_version(v1):
    c = v1.customers.create()
    assert c.last_response.headers.get("Stripe-Version") == stripe.api_version == "2026-07-29.dahlia"


def test_invalid_stripe_version(raw):
    # Stripe answers a version it cannot read with 400 "Invalid Stripe API version: <header>"
    # (the message quoted in stripe-java#682 and stripity-stripe#606): a missing zero, an
    # impossible date, two versions joined by a repeated header.
    for bad in ("not-a-version", "2019-2-19", "2026-02-30", "2026-07-29, 2026-07-29", "2026-07-29.Dahlia"):
        r = raw.get("/v1/customers", headers={"Stripe-Version": bad})
        assert r.status_code == 400, (bad, r.text)
        err = r.json()["error"]
        assert err["type"] == "invalid_request_error"
        assert err["message"] == f"Invalid Stripe API version: {bad}"
    # Beta flags after the version are taken as they are.
    r = raw.get("/v1/customers", headers={"Stripe-Version": "2026-07-29.dahlia; portal_beta=v1"})
    assert r.status_code == 200, r.text


def test_idempotent_replay(v1):
    key = str(uuid.uuid4())
    a = check(v1.customers.create({"email": "idem@example.com"}, {"idempotency_key": key}))
    b = check(v1.customers.create({"email": "idem@example.com"}, {"idempotency_key": key}))
    assert a.id == b.id
    assert a.last_response.headers.get("Idempotent-Replayed") in (None, "false")
    assert b.last_response.headers.get("Idempotent-Replayed") == "true"
    assert b.last_response.headers.get("Idempotency-Key") == key
    assert a.to_dict() == b.to_dict()
    assert len(v1.customers.list().data) == 1


def test_idempotency_key_reused_with_other_params(v1):
    key = str(uuid.uuid4())
    v1.customers.create({"email": "one@example.com"}, {"idempotency_key": key})
    e = expect_error(lambda: v1.customers.create({"email": "two@example.com"}, {"idempotency_key": key}),
                     stripe.IdempotencyError, status=400, type_="idempotency_error")
    assert len(v1.customers.list().data) == 1


def test_idempotency_key_reused_on_other_endpoint(v1):
    key = str(uuid.uuid4())
    v1.customers.create({"name": "x"}, {"idempotency_key": key})
    expect_error(lambda: v1.products.create({"name": "x"}, {"idempotency_key": key}),
                 stripe.IdempotencyError, status=400, type_="idempotency_error")


def test_idempotency_keys_are_per_account(portico_url, v1):
    key = str(uuid.uuid4())
    a = v1.customers.create({"name": "x"}, {"idempotency_key": key})
    other = make_client(portico_url, new_key()).v1
    b = other.customers.create({"name": "x"}, {"idempotency_key": key})
    assert a.id != b.id
    assert b.last_response.headers.get("Idempotent-Replayed") in (None, "false")


def test_validation_failure_is_not_saved_for_idempotency(v1):
    # Stripe docs: results are only saved once an endpoint starts executing; a request that fails
    # parameter validation saves nothing, so the key can be retried with corrected parameters.
    key = str(uuid.uuid4())
    expect_error(lambda: v1.customers.create({"email": "bad"}, {"idempotency_key": key}), status=400)
    c = check(v1.customers.create({"email": "good@example.com"}, {"idempotency_key": key}))
    assert c.email == "good@example.com"


def test_retrying_client_sends_idempotency_key(portico_url):
    c = make_client(portico_url, new_key(), max_network_retries=2).v1
    cus = c.customers.create({"name": "retry"})
    assert cus.last_response.idempotency_key, "SDK adds an Idempotency-Key when retries are on"


def test_accounts_are_isolated(portico_url, v1):
    mine = v1.customers.create({"email": "mine@example.com"})
    prod = v1.products.create({"name": "mine", "default_price_data": {"currency": "usd", "unit_amount": 1}})
    other = make_client(portico_url, new_key()).v1
    expect_error(lambda: other.customers.retrieve(mine.id), status=404, code="resource_missing")
    expect_error(lambda: other.products.retrieve(prod.id), status=404, code="resource_missing")
    expect_error(lambda: other.prices.retrieve(prod.default_price), status=404, code="resource_missing")
    expect_error(lambda: other.customers.update(mine.id, {"name": "hijack"}), status=404)
    expect_error(lambda: other.customers.delete(mine.id), status=404)
    assert check(other.customers.list()).data == []
    assert check(other.products.list()).data == []
    assert check(other.prices.list()).data == []
    expect_error(lambda: other.prices.create({"product": prod.id, "currency": "usd", "unit_amount": 1}),
                 status=400, param="product")
    # the same custom product id can exist in both accounts
    v1.products.create({"id": "same-id", "name": "a"})
    assert other.products.create({"id": "same-id", "name": "b"}).name == "b"
    assert v1.products.retrieve("same-id").name == "a"
    assert v1.customers.retrieve(mine.id).email == "mine@example.com"


def test_idempotency_key_too_long(raw):
    r = raw.post("/v1/customers", "name=x", headers={"Idempotency-Key": "k" * 256})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["type"] == "invalid_request_error"
    assert raw.get("/v1/customers").json()["data"] == []


def test_limit_not_an_integer(v1):
    expect_error(lambda: v1.customers.list({"limit": "abc"}), status=400, param="limit")


def test_update_deleted_customer(v1):
    c = v1.customers.create()
    v1.customers.delete(c.id)
    expect_error(lambda: v1.customers.update(c.id, {"name": "z"}), status=404, code="resource_missing")


def test_a_parameter_stripe_takes_but_portico_lacks_is_named_unsupported(v1):
    cus = v1.customers.create({})
    inv = v1.invoices.create({"customer": cus.id, "currency": "usd"})
    e = expect_error(lambda: v1.invoices.update(inv.id, {"footer": "Thanks"}), status=400, param="footer",
                     message="Portico does not support `footer`: Stripe's API takes it here")
    assert e.code is None
    e = expect_error(lambda: v1.invoices.update(inv.id, {"footer": "x", "custom_fields": [{"name": "a", "value": "b"}]}),
                     param="custom_fields")
    assert e.user_message.endswith("not implemented: custom_fields, footer.")
    # A name Stripe does not know beside it is reported first, as unknown.
    expect_error(lambda: v1.invoices.update(inv.id, {"footer": "x", "fotter": "y"}), code="parameter_unknown",
                 param="fotter")
    # The same name is unknown where Stripe does not take it.
    expect_error(lambda: v1.customers.create({"footer": "x"}), code="parameter_unknown", param="footer")
