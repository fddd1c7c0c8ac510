"""Several `portico serve` processes on one database (PostgreSQL with
PORTICO_TEST_DATABASE_URL, else one SQLite file): a portal session made on one is used on the
other, concurrent changes to one subscription through both lose no update (each write checks
the version it read and is retried when another won), and an idempotency key holds across them.
"""

from __future__ import annotations

import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from helpers import make_client, new_key
from server import Server


@pytest.fixture(scope="module")
def pair():
    tmp = tempfile.TemporaryDirectory(prefix="portico-cluster-")
    db = os.environ.get("PORTICO_TEST_DATABASE_URL") or f"sqlite://{tmp.name}/p.db"
    servers = []
    try:
        # A server that started is stopped even if the other cannot start.
        for name in ("a", "b"):
            servers.append(Server(db, tmp.name, name))
        yield servers
    finally:
        for s in servers:
            s.stop()
        tmp.cleanup()


def subscribed(v1):
    product = v1.products.create({"name": "Pro"})
    price = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}})
    c = v1.customers.create({"payment_method": "pm_card_visa", "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    return c, v1.subscriptions.create({"customer": c.id, "items": [{"price": price.id}]})


def test_a_session_made_on_one_instance_works_on_the_other(pair):
    a, b = pair
    key = new_key()
    va = make_client(a.url, key).v1
    c, sub = subscribed(va)
    session = va.billing_portal.sessions.create({"customer": c.id, "return_url": "https://app.example.com/"})
    browser = requests.Session()
    # Opened through the other instance (the link names A; the same path on B).
    path = session.url.split("/p/", 1)[1]
    page = browser.get(f"{b.url}/p/{path}", timeout=10)
    assert page.status_code == 200 and "portico_browser" in browser.cookies
    # And used again on the first: the browser binding lives in the database.
    again = browser.get(f"{a.url}/p/{path}", timeout=10)
    assert again.status_code == 200
    # A change made through A's pages shows on B's.
    cancel = browser.get(f"{a.url}/p/{path}/subscriptions/{sub.id}/cancel?step=reason", timeout=10)
    token = re.search(r'name="csrf" value="([^"]+)"', cancel.text).group(1)
    done = browser.post(f"{a.url}/p/{path}/subscriptions/{sub.id}/cancel", data={"csrf": token, "action": "cancel"},
                        allow_redirects=False, timeout=10)
    assert done.status_code == 303
    assert "Cancels on" in browser.get(f"{b.url}/p/{path}", timeout=10).text
    # Another browser is still turned away, on either instance.
    assert requests.get(f"{b.url}/p/{path}", timeout=10).status_code == 403


def test_concurrent_changes_through_both_instances_lose_nothing(pair):
    a, b = pair
    key = new_key()
    c, sub = subscribed(make_client(a.url, key).v1)

    def change(i: int) -> int:
        base = (a, b)[i % 2].url
        r = requests.post(f"{base}/v1/subscriptions/{sub.id}", data={f"metadata[k{i}]": str(i)}, auth=(key, ""), timeout=30)
        return r.status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(change, range(40)))
    assert statuses == [200] * 40
    final = make_client(b.url, key).v1.subscriptions.retrieve(sub.id)
    assert final.metadata.to_dict() == {f"k{i}": str(i) for i in range(40)}, "no update was lost"
    events = make_client(b.url, key).v1.events.list({"type": "customer.subscription.updated", "limit": 100})
    assert len(events.data) == 40


def test_an_idempotency_key_holds_across_instances(pair):
    a, b = pair
    key = new_key()
    headers = {"Idempotency-Key": "same-key"}

    def create(i: int):
        base = (a, b)[i % 2].url
        for _ in range(50):
            r = requests.post(f"{base}/v1/customers", data={"email": "once@example.com"}, headers=headers,
                              auth=(key, ""), timeout=30)
            if r.status_code != 409:  # in progress on the other instance: retry, as SDKs do
                return r.status_code, r.json()["id"]
        raise AssertionError("still in progress")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(create, range(8)))
    assert {s for s, _ in results} == {200}
    assert len({cid for _, cid in results}) == 1, "one customer, replayed to everyone"
    assert len(make_client(a.url, key).v1.customers.list({"email": "once@example.com"}).data) == 1


def test_the_default_configuration_is_made_once_across_instances(pair):
    a, b = pair
    key = new_key()
    c = make_client(a.url, key).v1.customers.create({})

    def session(i: int) -> str:
        return make_client((a, b)[i % 2].url, key).v1.billing_portal.sessions.create(
            {"customer": c.id, "return_url": "https://app.example.com/"}).configuration

    with ThreadPoolExecutor(8) as pool:
        configs = set(pool.map(session, range(16)))
    assert len(configs) == 1
