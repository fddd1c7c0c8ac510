"""Wire-level behaviour the SDK cannot express: encodings, malformed bodies, routing."""

import json

import pytest

import schema
from helpers import check_error


def ok(resp, status=200):
    assert resp.status_code == status, f"HTTP {resp.status_code}: {resp.text[:500]}"
    body = resp.json()
    schema.validate(body)
    return body


def never_5xx(resp):
    assert resp.status_code < 500, f"server error {resp.status_code}: {resp.text[:500]}"
    assert 400 <= resp.status_code < 500, f"expected a 4xx, got {resp.status_code}: {resp.text[:300]}"
    body = resp.json()
    schema.validate(body)
    assert body["error"]["type"] == "invalid_request_error", body
    assert resp.headers.get("Request-Id", "").startswith("req_")
    return body["error"]


# --- bracket and space encodings -------------------------------------------------------------

def test_expand_with_empty_brackets_in_query(raw):
    prod = ok(raw.post("/v1/products", "name=P&default_price_data[currency]=usd&default_price_data[unit_amount]=5"))
    body = ok(raw.get(f"/v1/prices/{prod['default_price']}?expand[]=product"))
    assert body["product"]["id"] == prod["id"]
    body = ok(raw.get(f"/v1/prices/{prod['default_price']}?expand%5B%5D=product"))
    assert body["product"]["id"] == prod["id"]
    body = ok(raw.get("/v1/prices?expand[]=data.product"))
    assert body["data"][0]["product"]["id"] == prod["id"]


def test_expand_with_empty_brackets_in_body(raw):
    body = ok(raw.post("/v1/products", "name=P&default_price_data[currency]=usd"
                                       "&default_price_data[unit_amount]=5&expand[]=default_price"))
    assert body["default_price"]["object"] == "price"


def test_indexed_array_forms(raw):
    body = ok(raw.post("/v1/customers", "preferred_locales[0]=en&preferred_locales[1]=fr"))
    assert body["preferred_locales"] == ["en", "fr"]
    body = ok(raw.post("/v1/customers", "preferred_locales[]=de&preferred_locales[]=it"))
    assert body["preferred_locales"] == ["de", "it"]


def test_percent_encoded_brackets_in_body(raw):
    body = ok(raw.post("/v1/customers", "metadata%5Border%5D=42&address%5Bcity%5D=Lyon"))
    assert body["metadata"] == {"order": "42"}
    assert body["address"]["city"] == "Lyon"


def test_plus_and_percent20_are_spaces(raw):
    assert ok(raw.post("/v1/customers", "name=Jenny+Rosen"))["name"] == "Jenny Rosen"
    assert ok(raw.post("/v1/customers", "name=Jenny%20Rosen"))["name"] == "Jenny Rosen"
    assert ok(raw.post("/v1/customers", "name=a%2Bb"))["name"] == "a+b"
    assert ok(raw.post("/v1/customers", "metadata[my+key]=v+1"))["metadata"] == {"my key": "v 1"}


def test_utf8_values_roundtrip(raw):
    body = ok(raw.post("/v1/customers", "name=%E2%82%AC%20caf%C3%A9%20%F0%9F%98%80"))
    assert body["name"] == "€ café 😀"
    assert ok(raw.get(f"/v1/customers/{body['id']}"))["name"] == "€ café 😀"


def test_query_params_on_get(raw):
    ok(raw.post("/v1/customers", "email=q%2Btag@example.com"))
    body = ok(raw.get("/v1/customers?email=q%2Btag@example.com&limit=5"))
    assert [c["email"] for c in body["data"]] == ["q+tag@example.com"]


def test_created_range_brackets_in_query(raw):
    c = ok(raw.post("/v1/customers", "name=x"))
    body = ok(raw.get(f"/v1/customers?created[gte]={c['created']}&created[lte]={c['created']}"))
    assert [x["id"] for x in body["data"]] == [c["id"]]
    body = ok(raw.get(f"/v1/customers?created%5Bgt%5D={c['created']}"))
    assert body["data"] == []


# --- malformed input: always a 4xx Stripe error ------------------------------------------------

def test_unknown_param(raw):
    check_error(raw.post("/v1/customers", "foo=bar"), 400, code="parameter_unknown", param="foo")


def test_unknown_nested_param(raw):
    err = check_error(raw.post("/v1/customers", "address[foo]=bar"), 400, code="parameter_unknown",
                      param="address[foo]")
    assert err["message"].startswith("Received unknown parameter: address[foo]")


def test_unknown_query_param_on_get(raw):
    check_error(raw.get("/v1/customers?foo=bar"), 400, code="parameter_unknown", param="foo")


@pytest.mark.parametrize("body", [
    "metadata[k=v",
    "metadata]k[=v",
    "metadata[[k]]=v",
    "address[city=Paris",
    "[=x",
    "=x",
    "name",
    "&&&name=x&&",
])
def test_unbalanced_or_odd_brackets_never_5xx(raw, body):
    r = raw.post("/v1/customers", body)
    if r.status_code == 200:  # lenient forms ("name" with no value, stray &) may be accepted
        schema.validate(r.json())
    else:
        never_5xx(r)


@pytest.mark.parametrize("body,param", [
    ("balance=abc", "balance"),
    ("balance=1.5", "balance"),
    ("balance[x]=1", "balance"),
    ("metadata=notahash", "metadata"),
    ("metadata[]=x", "metadata"),
    ("preferred_locales=en", "preferred_locales"),
    ("address=Paris", "address"),
    ("name[first]=J", "name"),
    ("next_invoice_sequence=-", "next_invoice_sequence"),
])
def test_wrong_types(raw, body, param):
    err = never_5xx(raw.post("/v1/customers", body))
    assert err.get("param") == param, err


def test_wrong_boolean(raw):
    err = never_5xx(raw.post("/v1/products", "name=x&active=maybe"))
    assert err.get("param") == "active"


def test_huge_integer(raw):
    err = never_5xx(raw.post("/v1/customers", "balance=99999999999999999999999999"))
    assert err.get("param") == "balance"


def test_invalid_utf8_percent_encoded(raw):
    never_5xx(raw.post("/v1/customers", "name=%FF%FE"))


def test_invalid_utf8_raw_bytes(raw):
    never_5xx(raw.post("/v1/customers", b"name=\xff\xfe\xfd"))


def test_invalid_utf8_in_key(raw):
    never_5xx(raw.post("/v1/customers", b"metadata[\xff]=x"))


def test_invalid_percent_escape(raw):
    r = raw.post("/v1/customers", "name=100%zz")
    if r.status_code == 200:
        schema.validate(r.json())
    else:
        never_5xx(r)


def test_ten_megabyte_body(raw):
    body = "name=" + "a" * (10 * 1024 * 1024)
    r = raw.post("/v1/customers", body)
    assert r.status_code == 413, f"HTTP {r.status_code}: {r.text[:300]}"
    assert r.json()["error"]["type"] == "invalid_request_error"


def test_a_body_announced_too_large_is_refused_at_once(portico_url, api_key):
    """Content-Length over the limit is answered 413 as soon as the headers are read, without
    waiting (here: forever) for a body the client never sends."""
    import base64
    import socket
    import time
    from urllib.parse import urlparse

    u = urlparse(portico_url)
    auth = base64.b64encode(f"{api_key}:".encode()).decode()
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        started = time.monotonic()
        s.sendall((f"POST /v1/customers HTTP/1.1\r\nHost: {u.hostname}\r\nAuthorization: Basic {auth}\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000000\r\n\r\n"
                   "name=x").encode())
        head = s.recv(4096).decode(errors="replace")
        assert head.startswith("HTTP/1.1 413"), head[:200]
        assert time.monotonic() - started < 5


def test_long_string_over_limit(raw):
    err = never_5xx(raw.post("/v1/customers", "description=" + "a" * 40001))
    assert err.get("param") == "description"


def test_deep_nesting(raw):
    key = "metadata" + "[a]" * 100
    never_5xx(raw.post("/v1/customers", f"{key}=x"))
    key = "address" + "[a]" * 100
    never_5xx(raw.post("/v1/customers", f"{key}=x"))


def test_many_params(raw):
    body = "&".join(f"metadata[k{i}]=v" for i in range(5000))
    never_5xx(raw.post("/v1/customers", body))


def test_json_body_is_refused(raw):
    r = raw.post("/v1/customers", json.dumps({"email": "j@example.com"}).encode(),
                 headers={"Content-Type": "application/json"})
    never_5xx(r)
    assert raw.get("/v1/customers").json()["data"] == []


def test_multipart_body_never_5xx(raw):
    r = raw.request("POST", "/v1/customers", files={"name": (None, "x")})
    assert r.status_code < 500, r.text


def test_body_on_get_ignored_or_refused(raw):
    r = raw.request("GET", "/v1/customers", data="limit=1",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code < 500


def test_duplicate_scalar_param(raw):
    r = raw.post("/v1/customers", "name=a&name=b")
    assert r.status_code < 500, r.text


def test_ids_with_odd_characters(raw):
    for path in ("/v1/customers/%00", "/v1/customers/..%2F..", "/v1/customers/" + "x" * 5000,
                 "/v1/products/%E2%82%AC", "/v1/prices/%FF"):
        r = raw.get(path)
        assert 400 <= r.status_code < 500, f"{path}: {r.status_code} {r.text[:200]}"
        schema.validate(r.json())


# --- routing -----------------------------------------------------------------------------------

def test_unknown_route(raw):
    err = check_error(raw.get("/v1/foo"), 404)
    assert err["message"].startswith("Unrecognized request URL (GET: /v1/foo)"), err


def test_unknown_route_post(raw):
    err = check_error(raw.post("/v1/foo/bar", "x=1"), 404)
    assert err["message"].startswith("Unrecognized request URL (POST: /v1/foo/bar)"), err


def test_wrong_method_on_known_route(raw):
    err = check_error(raw.request("PUT", "/v1/customers"), 404)
    assert err["message"].startswith("Unrecognized request URL (PUT: /v1/customers)"), err
    err = check_error(raw.delete("/v1/customers"), 404)
    assert err["message"].startswith("Unrecognized request URL (DELETE: /v1/customers)"), err


def test_unknown_route_needs_no_auth_to_be_a_stripe_error(portico_url):
    import requests
    r = requests.get(portico_url + "/v1/foo", timeout=10)
    assert r.status_code in (401, 404)
    assert r.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/customers/cus_%00"),
    ("GET", "/v1/customers?email=a%00b"),
    ("GET", "/v1/customers?starting_after=cus_%00"),
    ("GET", "/v1/products/a%00b"),
    ("GET", "/v1/products?ids[]=prod_%00"),
    ("GET", "/v1/products?url=x%00"),
    ("GET", "/v1/prices/price_%00"),
    ("GET", "/v1/prices?lookup_keys[]=a%00"),
    ("GET", "/v1/prices?product=prod_%00"),
    ("POST", "/v1/customers/cus_%00"),
    ("DELETE", "/v1/customers/cus_%00"),
    ("DELETE", "/v1/products/prod_%00"),
])
def test_nul_byte_in_lookups_never_5xx(raw, method, path):
    # A NUL byte names nothing: the answer is a 4xx (e.g. 404 No such ...), never a server error.
    r = raw.request(method, path)
    assert r.status_code < 500, f"{method} {path}: {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        schema.validate(r.json())


@pytest.mark.parametrize("body", ["name=a%00b", "metadata[a%00]=b", "description=%00"])
def test_nul_byte_in_stored_values(raw, body):
    r = raw.post("/v1/customers", body)
    assert r.status_code < 500, r.text[:300]
    if r.status_code == 200:
        created = r.json()
        again = raw.get(f"/v1/customers/{created['id']}")
        assert again.status_code == 200, again.text[:300]
        assert again.json() == created


def test_delete_parameters_may_come_in_a_form_body(raw):
    # As `curl -X DELETE -d …` sends them: taken like the query string's, unknown ones refused.
    price = ok(raw.post("/v1/prices", data={"currency": "usd", "unit_amount": "1000", "product_data[name]": "D",
                                             "recurring[interval]": "month"}))
    cus = ok(raw.post("/v1/customers", data={"payment_method": "pm_card_visa",
                                             "invoice_settings[default_payment_method]": "pm_card_visa"}))
    sub = ok(raw.post("/v1/subscriptions", data={"customer": cus["id"], "items[0][price]": price["id"]}))
    body = never_5xx(raw.request("DELETE", f"/v1/subscriptions/{sub['id']}", data={"bogus": "1"}))
    assert body["param"] == "bogus"
    canceled = ok(raw.request("DELETE", f"/v1/subscriptions/{sub['id']}", data={"prorate": "true",
                                                                                  "invoice_now": "true"}))
    assert canceled["status"] == "canceled"
    final = ok(raw.get(f"/v1/invoices/{canceled['latest_invoice']}"))
    assert final["id"] != sub["latest_invoice"] and final["total"] < 0, final["total"]
