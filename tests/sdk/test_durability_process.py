"""Durability: a server killed with SIGKILL in the middle of a sustained write load — customers,
subscriptions, portal sessions, flows completed through the pages — loses nothing it answered,
and leaves nothing half-done; after a restart its webhooks resume and deliver every event.

Runs on SQLite, or on PostgreSQL with PORTICO_TEST_DATABASE_URL. PORTICO_DURABILITY_SECONDS
sets how long the load runs before the kill (default 3; scripts/durability.sh runs longer).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections import Counter

import requests
import stripe

from helpers import make_client, new_key
from server import Server
from webhook_receiver import Receiver

SECONDS = float(os.environ.get("PORTICO_DURABILITY_SECONDS", "3"))
WRITERS = 8


class Writer(threading.Thread):
    """Writes until told to stop, remembering what was answered 2xx."""

    def __init__(self, n: int, base: dict, key: str, fx: dict, stop: threading.Event):
        super().__init__(daemon=True)
        self.n, self.base, self.key, self.fx, self.stop_event = n, base, key, fx, stop
        self.customers: list[str] = []
        self.subscriptions: list[str] = []
        self.sessions: list[str] = []
        self.canceled: list[str] = []
        self.failures = 0

    def api(self, path: str, data: dict) -> dict | None:
        try:
            r = requests.post(self.base["url"] + path, data=data, auth=(self.key, ""), timeout=10)
        except requests.RequestException:
            self.failures += 1
            return None
        if r.status_code != 200:
            self.failures += 1
            return None
        return r.json()

    def cancel_flow(self, sub: str, customer: str) -> bool:
        s = self.api("/v1/billing_portal/sessions", {
            "customer": customer, "configuration": self.fx["config"],
            "flow_data[type]": "subscription_cancel", "flow_data[subscription_cancel][subscription]": sub,
            "flow_data[after_completion][type]": "redirect",
            "flow_data[after_completion][redirect][return_url]": "https://app.example.com/done"})
        if not s:
            return False
        self.sessions.append(s["id"])
        try:
            b = requests.Session()
            page = b.get(s["url"], timeout=10)
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            if page.status_code != 200 or not token:
                return False
            done = b.post(page.url, data={"csrf": token.group(1), "action": "cancel"}, allow_redirects=False, timeout=10)
            return done.status_code == 303 and done.headers.get("location") == "https://app.example.com/done"
        except requests.RequestException:
            return False

    def run(self):
        i = 0
        while not self.stop_event.is_set():
            i += 1
            tag = f"w{self.n}-{i}"
            c = self.api("/v1/customers", {"email": f"{tag}@example.com", "payment_method": "pm_card_visa",
                                           "invoice_settings[default_payment_method]": "pm_card_visa"})
            if not c:
                time.sleep(0.05)
                continue
            self.customers.append(c["id"])
            sub = self.api("/v1/subscriptions", {"customer": c["id"], "items[0][price]": self.fx["price"]})
            if not sub:
                continue
            self.subscriptions.append(sub["id"])
            if i % 3 == 0 and self.cancel_flow(sub["id"], c["id"]):
                self.canceled.append(sub["id"])
            elif i % 3 == 1:
                s = self.api("/v1/billing_portal/sessions", {"customer": c["id"]})
                if s:
                    self.sessions.append(s["id"])


def all_of(list_call) -> list:
    return list(list_call.auto_paging_iter())


def test_kill_9_under_load_loses_nothing_answered():
    tmp = tempfile.TemporaryDirectory(prefix="portico-durability-")
    db = os.environ.get("PORTICO_TEST_DATABASE_URL") or f"sqlite://{tmp.name}/p.db"
    receiver = Receiver().start()
    key = new_key()
    # Short webhook timeouts: the killed server's leases run out within seconds.
    first = Server(db, tmp.name, "first", "--webhook-timeout", "2s")
    second = None
    try:
        v1 = make_client(first.url, key).v1
        endpoint = v1.webhook_endpoints.create({"url": receiver.url, "enabled_events": ["*"]})
        product = v1.products.create({"name": "Pro"})
        price = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1500,
                                  "recurring": {"interval": "month"}})
        config = v1.billing_portal.configurations.create({"features": {"subscription_cancel": {"enabled": True}}})
        fx = {"price": price.id, "config": config.id}
        base = {"url": first.url}
        stop = threading.Event()
        writers = [Writer(n, base, key, fx, stop) for n in range(WRITERS)]
        for w in writers:
            w.start()
        time.sleep(SECONDS)
        first.kill()  # SIGKILL, with writes in flight
        stop.set()
        for w in writers:
            w.join(timeout=30)
        second = Server(db, tmp.name, "second", "--webhook-timeout", "2s")
        base["url"] = second.url
        v1 = make_client(second.url, key).v1

        answered = {k: [x for w in writers for x in getattr(w, k)] for k in ("customers", "subscriptions", "sessions", "canceled")}
        assert len(answered["customers"]) >= WRITERS, answered
        # Everything answered 2xx is there.
        customers = {c.id: c for c in all_of(v1.customers.list({"limit": 100}))}
        assert set(answered["customers"]) <= set(customers), "answered customers are stored"
        subs = {s.id: s for s in all_of(v1.subscriptions.list({"limit": 100, "status": "all", "expand": ["data.latest_invoice"]}))}
        assert set(answered["subscriptions"]) <= set(subs)
        for sid in answered["canceled"]:
            assert subs[sid].cancel_at_period_end is True, sid
        # Nothing half-done: every stored subscription has its paid first invoice with lines,
        # and every stored object its events.
        events = all_of(v1.events.list({"limit": 100}))
        by_object = Counter((e.type, e.data.object.id) for e in events)
        for sid, s in subs.items():
            inv = s.latest_invoice
            assert inv is not None and inv.status == "paid" and inv.lines.data, sid
            assert by_object[("customer.subscription.created", sid)] == 1, sid
            assert by_object[("invoice.paid", inv.id)] == 1, sid
            if s.cancel_at_period_end:
                assert by_object[("customer.subscription.updated", sid)] >= 1, sid
        for cid in customers:
            assert by_object[("customer.created", cid)] == 1, cid
        for sess in answered["sessions"]:
            assert by_object[("billing_portal.session.created", sess)] == 1, sess
        # Webhooks resume: every event arrives, signed, once the new server is up.
        ids = {e.id for e in events}
        receiver.wait_for(lambda rs: ids <= {r.event["id"] for r in rs if r.status == 200}, timeout=120)
        for r in receiver.snapshot()[:20]:
            stripe.Webhook.construct_event(r.body.decode(), r.headers["stripe-signature"], endpoint.secret)
        backend = "postgres" if db.startswith("postgres") else "sqlite"
        print(f"\ndurability ({backend}): killed after {SECONDS:g} s of load; answered 2xx and found after "
              f"restart: {len(answered['customers'])} customers, {len(answered['subscriptions'])} "
              f"subscriptions, {len(answered['sessions'])} portal sessions, {len(answered['canceled'])} "
              f"cancellations through the pages; {len(subs)} subscriptions checked whole; {len(events)} "
              f"events, all delivered after the restart; requests cut off by the kill: "
              f"{sum(w.failures for w in writers)}")
    finally:
        first.kill()
        if second:
            second.stop()
        receiver.stop()
        tmp.cleanup()
