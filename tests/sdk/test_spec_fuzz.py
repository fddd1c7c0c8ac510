"""Every parameter of every endpoint in Stripe's published spec, spoiled: Portico answers each
request with an object that matches Stripe's schema or with a Stripe-shaped 4xx, never a 5xx.

The endpoints and their parameters come from the OpenAPI subsets (`schema.py` reads them), so an
endpoint or parameter added to Portico later is covered without listing it here. Each parameter
is sent alone with values of the wrong type, size or shape; then, on the calls that need other
parameters to get that far, beside a valid set of them, down to parameters three levels deep.
"""

from __future__ import annotations

import pytest

import schema
from helpers import Raw, new_key

# Values that are wrong for most parameters, in one way or another.
SPOILED = [
    "", "abc", "-1", "0", "1.5", "99999999999999999999999", "-9223372036854775809", "true",
    "null", "now", "a" * 6000, "<b>x</b>", "\x00x", "cus_nope", "price_nope", "[]",
]
# Where the accounts' webhooks go: a closed port on this machine (the server runs with --dev).
DEAD_HOOK = "http://127.0.0.1:9/hook"
# Shapes a scalar parameter should not take.
SUFFIXES = ["[x]", "[0]", "[]", "[a][b]"]


def _paths():
    return schema._openapi()["paths"]


def _form_params(op: dict) -> dict:
    content = op.get("requestBody", {}).get("content", {})
    body = content.get("application/x-www-form-urlencoded", {}).get("schema", {})
    return body.get("properties") or {}


def _query_params(op: dict) -> dict:
    return {p["name"]: p.get("schema", {}) for p in op.get("parameters", []) if p.get("in") == "query"}


def _nested(prefix: str, spec: dict, depth: int) -> list[str]:
    """The bracketed names under `prefix`, down to `depth` more levels."""
    if depth == 0 or not isinstance(spec, dict):
        return []
    out = []
    for alt in [spec, *(spec.get("anyOf") or [])]:
        if not isinstance(alt, dict):
            continue
        for name, sub in (alt.get("properties") or {}).items():
            out += [f"{prefix}[{name}]", *_nested(f"{prefix}[{name}]", sub, depth - 1)]
        items = alt.get("items")
        if isinstance(items, dict):
            for name, sub in (items.get("properties") or {}).items():
                out += [f"{prefix}[0][{name}]", *_nested(f"{prefix}[0][{name}]", sub, depth - 1)]
    return list(dict.fromkeys(out))


ENDPOINTS = sorted(
    (method, path)
    for path, ops in _paths().items()
    for method in ops
    if method in ("get", "post")
)
DELETES = sorted(path for path, ops in _paths().items() if "delete" in ops)


class World:
    """One account with one of everything the endpoints' paths name."""

    def __init__(self, portico_url: str):
        self.raw = Raw(portico_url, new_key())
        post = self.ok_post
        cus = post("/v1/customers", {"email": "fuzz@example.com", "payment_method": "pm_card_visa",
                                     "invoice_settings[default_payment_method]": "pm_card_visa"})
        product = post("/v1/products", {"name": "Fuzz"})
        monthly = {"product": product["id"], "currency": "usd", "recurring[interval]": "month"}
        price = post("/v1/prices", {**monthly, "unit_amount": "1000"})
        other = post("/v1/prices", {**monthly, "unit_amount": "2000"})
        sub = post("/v1/subscriptions", {"customer": cus["id"], "items[0][price]": price["id"]})
        scheduled = post("/v1/subscriptions", {"customer": cus["id"], "items[0][price]": other["id"]})
        coupon = post("/v1/coupons", {"percent_off": "10", "duration": "once"})
        promo = post("/v1/promotion_codes", {"promotion[type]": "coupon", "promotion[coupon]": coupon["id"]})
        schedule = post("/v1/subscription_schedules", {"from_subscription": scheduled["id"]})
        clock = post("/v1/test_helpers/test_clocks", {"frozen_time": "1900000000"})
        # Webhooks to a closed local port: they fail at once, and `close` drops their queue.
        endpoint = post("/v1/webhook_endpoints", {"url": DEAD_HOOK, "enabled_events[0]": "*"})
        config = post("/v1/billing_portal/configurations", {"features[invoice_history][enabled]": "true"})
        event = self.raw.get("/v1/events?limit=1").json()["data"][0]
        self.ids = {
            "customer": cus["id"], "payment_method": cus["invoice_settings"]["default_payment_method"],
            "subscription_exposed_id": sub["id"], "item": sub["items"]["data"][0]["id"],
            "invoice": sub["latest_invoice"], "coupon": coupon["id"], "promotion_code": promo["id"],
            "schedule": schedule["id"], "test_clock": clock["id"], "webhook_endpoint": endpoint["id"],
            "configuration": config["id"], "price": price["id"],
        }
        self.by_path = {"/v1/products/{id}": product["id"], "/v1/events/{id}": event["id"]}
        self.price, self.other, self.product = price["id"], other["id"], product["id"]

    def close(self):
        """Deletes the account's webhook endpoints, and with them the deliveries still queued,
        so that the tests after these do not wait behind them."""
        listed = self.raw.get("/v1/webhook_endpoints?limit=100").json()["data"]
        for e in listed:
            self.raw.session.delete(f"{self.raw.base_url}/v1/webhook_endpoints/{e['id']}", timeout=30)

    def ok_post(self, path: str, form: dict) -> dict:
        r = self.raw.session.post(self.raw.base_url + path, data=form, timeout=30)
        assert r.status_code == 200, f"setting up {path}: {r.status_code} {r.text[:300]}"
        return r.json()

    def url(self, path: str) -> str:
        if "{" not in path:
            return path
        name = path[path.index("{") + 1:path.index("}")]
        return path.replace("{" + name + "}", self.by_path.get(path) or self.ids[name])

    def send(self, method: str, path: str, form: dict):
        url = self.raw.base_url + path
        if method == "get":
            return self.raw.session.get(url, params=form, timeout=30)
        return self.raw.session.request(method.upper(), url, data=form, timeout=30)


def problem(resp) -> str | None:
    """What is wrong with an answer, if anything."""
    if resp.status_code >= 500:
        return f"HTTP {resp.status_code}: {resp.text[:300]}"
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code} with a body that is not JSON: {resp.text[:200]}"
    if resp.status_code >= 400 and not ("error" in body and body["error"].get("message")):
        return f"HTTP {resp.status_code} without a Stripe error: {resp.text[:300]}"
    try:
        schema.validate(body)
    except schema.SchemaError as e:
        return f"HTTP {resp.status_code}, does not match Stripe's schema: {str(e)[:300]}"
    return None


def run(world: World, method: str, path: str, forms) -> list[str]:
    found = []
    for form in forms:
        why = problem(world.send(method, path, form))
        if why:
            found.append(f"{method.upper()} {path} {str(form)[:160]}: {why}")
    return found


@pytest.fixture(scope="module")
def world(portico_url):
    w = World(portico_url)
    yield w
    w.close()


@pytest.mark.parametrize("method,path", ENDPOINTS, ids=[f"{m} {p}" for m, p in ENDPOINTS])
def test_each_parameter_spoiled_alone(world, method, path):
    op = _paths()[path][method]
    params = _form_params(op) if method == "post" else _query_params(op)
    forms = []
    for name, spec in params.items():
        forms += [{name: v} for v in SPOILED]
        forms += [{name + s: "1"} for s in SUFFIXES]
        for sub in _nested(name, spec, 1):
            forms += [{sub: v} for v in ("", "abc", "-1", "99999999999999999999999", "a" * 6000)]
            forms += [{sub + s: "1"} for s in SUFFIXES[:2]]
    found = run(world, method, world.url(path), forms)
    assert not found, f"{len(found)} of {len(forms)} requests:\n" + "\n".join(found[:15])


def _bases(w: World) -> dict:
    """Valid parameters for the calls that refuse a request early without them."""
    return {
        "/v1/billing_portal/sessions": {"customer": w.ids["customer"], "return_url": "https://example.com/back"},
        "/v1/subscriptions": {"customer": w.ids["customer"], "items[0][price]": w.price},
        "/v1/invoices/create_preview": {"subscription": w.ids["subscription_exposed_id"]},
        "/v1/prices": {"product": w.product, "currency": "usd", "unit_amount": "100"},
        "/v1/coupons": {"percent_off": "5"},
        "/v1/promotion_codes": {"promotion[type]": "coupon", "promotion[coupon]": w.ids["coupon"]},
        "/v1/subscription_items": {"subscription": w.ids["subscription_exposed_id"], "price": w.other},
        "/v1/payment_methods": {"type": "card", "card[token]": "tok_visa"},
        "/v1/webhook_endpoints": {"url": DEAD_HOOK, "enabled_events[0]": "*"},
    }


DEEP = ["/v1/billing_portal/sessions", "/v1/subscriptions", "/v1/invoices/create_preview", "/v1/prices",
        "/v1/coupons", "/v1/promotion_codes", "/v1/subscription_items", "/v1/payment_methods",
        "/v1/webhook_endpoints", "/v1/billing_portal/configurations",
        "/v1/subscriptions/{subscription_exposed_id}", "/v1/subscription_schedules/{schedule}",
        "/v1/customers"]


@pytest.mark.parametrize("path", DEEP)
def test_each_nested_parameter_spoiled_beside_valid_ones(world, path):
    base = _bases(world).get(path, {})
    params = _form_params(_paths()[path]["post"])
    names = []
    for name, spec in params.items():
        names += [name, *_nested(name, spec, 3)]
    values = ["", "abc", "-1", "0", "99999999999999999999999", "true", "a" * 6000, "now",
              world.ids["subscription_exposed_id"], world.ids["item"], world.other]
    forms = [{**base, name: v} for name in names for v in values]
    if path == "/v1/billing_portal/sessions":
        # Each flow with its subscription, and one of its own parameters spoiled.
        flows = ["payment_method_update", "subscription_cancel", "subscription_update",
                 "subscription_update_confirm"]
        for kind in flows:
            flow = {**base, "flow_data[type]": kind,
                    f"flow_data[{kind}][subscription]": world.ids["subscription_exposed_id"]}
            forms += [{**flow, name: v} for name in names if name.startswith("flow_data[")
                      for v in values[:5] + values[8:]]
    found = run(world, "post", world.url(path), forms)
    assert not found, f"{len(found)} of {len(forms)} requests:\n" + "\n".join(found[:15])


@pytest.mark.parametrize("path", DELETES)
def test_delete_with_stray_parameters(portico_url, path):
    # A world of its own: a delete that went through would take objects the others use.
    w = World(portico_url)
    try:
        forms = [{"x": "1"}, {"expand[0]": "nope"}, {"id": "abc"}]
        found = run(w, "delete", w.url(path), forms)
    finally:
        w.close()
    assert not found, "\n".join(found)
