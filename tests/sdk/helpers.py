"""Helpers shared by the SDK tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import secrets

import requests
import stripe

import schema


def new_key() -> str:
    return "sk_test_" + secrets.token_hex(16)


def make_client(base_url: str, key: str, **kwargs) -> stripe.StripeClient:
    kwargs.setdefault("max_network_retries", 0)
    return stripe.StripeClient(key, base_addresses={"api": base_url}, **kwargs)


class Raw:
    """Plain HTTP access to the same account as `client`, for what the SDK cannot send."""

    def __init__(self, base_url: str, key: str):
        self.base_url = base_url
        self.key = key
        self.session = requests.Session()
        self.session.auth = (key, "")

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data=None, **kw):
        if isinstance(data, str):
            data = data.encode("utf-8")
        headers = dict(kw.pop("headers", {}) or {})
        if isinstance(data, bytes):
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return self.request("POST", path, data=data, headers=headers, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def body_of(obj) -> dict:
    """The JSON Portico sent for an SDK object (raw body when the SDK kept it)."""
    resp = getattr(obj, "last_response", None)
    if resp is not None and getattr(resp, "data", None) is not None:
        return resp.data
    return obj.to_dict(for_json=True)


def sdk_shape(obj, fields: set, object_name: str, prefix: str) -> dict:
    """For an object the published spec subsets leave out: assert its JSON has exactly `fields`
    (as the SDK types it), its `object` and id prefix; return the JSON."""
    body = body_of(obj)
    assert set(body) == fields, set(body) ^ fields
    assert body["object"] == object_name and body["id"].startswith(prefix), body
    return body


def check(obj):
    """Validate an SDK object (or a plain dict) against Stripe's schema; return it."""
    data = obj if isinstance(obj, dict) else body_of(obj)
    schema.validate(data)
    return obj


def check_error(resp: requests.Response, status: int, *, code=None, param=None, type_="invalid_request_error"):
    """Assert a raw response is a Stripe error of the given shape; return error dict."""
    assert resp.status_code == status, f"expected HTTP {status}, got {resp.status_code}: {resp.text[:500]}"
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = resp.json()
    schema.validate(body)
    err = body["error"]
    assert err["type"] == type_, err
    assert isinstance(err.get("message"), str) and err["message"], err
    if code is not None:
        assert err.get("code") == code, err
    if param is not None:
        assert err.get("param") == param, err
    return err


def expect_error(fn, exc=None, *, status=400, code=None, param=None, message=None, type_=None):
    """Call fn(); assert it raises a Stripe error of the given shape; return the exception."""
    exc = exc or stripe.InvalidRequestError
    try:
        result = fn()
    except stripe.StripeError as e:  # noqa: PERF203
        assert isinstance(e, exc), f"expected {exc.__name__}, got {type(e).__name__}: {e}"
        assert e.http_status == status, f"expected HTTP {status}, got {e.http_status}: {e}"
        if e.json_body is not None:
            schema.validate(e.json_body)
        err = (e.json_body or {}).get("error", {})
        if code is not None:
            assert e.code == code, f"expected code {code!r}, got {e.code!r}: {err}"
        if param is not None:
            assert getattr(e, "param", None) == param, f"expected param {param!r}, got {getattr(e, 'param', None)!r}: {err}"
        if message is not None:
            assert message in (err.get("message") or ""), f"expected message containing {message!r}: {err}"
        if type_ is not None:
            assert err.get("type") == type_, err
        assert e.request_id and e.request_id.startswith("req_"), f"error without Request-Id: {e.headers}"
        return e
    raise AssertionError(f"expected {exc.__name__}, call returned {result!r:.300}")


DAY = 86400
HOUR = 3600  # a renewal's invoice stays a draft this long, then is finalized and charged
APR1 = 1_775_001_600   # 2026-04-01 00:00:00 UTC: a 30-day period
APR16 = APR1 + 15 * DAY
MAY1 = APR1 + 30 * DAY


def carded_customer(v1, clock, card="pm_card_visa", **params):
    """A customer on test clock `clock` (an id) whose default payment method is `card`."""
    return v1.customers.create({"test_clock": clock, "payment_method": card,
                                "invoice_settings": {"default_payment_method": card}, **params})


def open_login_link(link: str, session: requests.Session | None = None) -> requests.Response:
    """Opens an emailed sign-in link as a browser does: its page, then its Continue button (the
    link is used up by the button, not by fetching it). The button's answer, not followed."""
    import re

    s = session or requests.Session()
    page = s.get(link, timeout=10)
    if page.status_code != 200:
        return page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return s.post(link, data={"csrf": csrf}, allow_redirects=False, timeout=10)
