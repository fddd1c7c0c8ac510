"""Secrets stay secret: after a server has made webhook endpoints, portal links, emailed sign-in
links and taken card numbers (with idempotency keys, so responses are saved), none of those
secrets, nor the API key, appears in its log at debug level, and none is readable in its
database (the SQLite file and its WAL, or a `pg_dump` of PostgreSQL) except the links Stripe
shows again (a login page's URL in its configuration, a session's link in its event). The sealed
webhook secret still signs deliveries the app can verify, and a saved response replays with the
secret it showed.
"""

from __future__ import annotations

import base64
import glob
import os
import pathlib
import re
import secrets
import subprocess
import tempfile
import time

import requests
import stripe

from helpers import make_client, new_key, open_login_link
from server import Server
from webhook_receiver import Receiver

CARD = "4000056655665556"  # a Visa debit number: distinctive enough to find in a dump


def database_bytes(db: str, tmp: str) -> bytes:
    if db.startswith("sqlite://"):
        path = db[len("sqlite://"):]
        return b"".join(pathlib.Path(p).read_bytes() for p in glob.glob(path + "*"))
    pg_dump = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[-1]
    return subprocess.run([pg_dump, "--data-only", db], capture_output=True, check=True, timeout=60).stdout


def test_no_secret_in_logs_or_at_rest():
    tmp = tempfile.TemporaryDirectory(prefix="portico-secrets-")
    db = os.environ.get("PORTICO_TEST_DATABASE_URL") or f"sqlite://{tmp.name}/p.db"
    data_key = base64.b64encode(secrets.token_bytes(32)).decode()
    receiver = Receiver().start()
    server = Server(db, tmp.name, "secrets", "--data-key", data_key,
                    env={"PORTICO_LOG": "debug"})
    key = new_key()
    found = {"API key": key, "card number": CARD}
    logged_only = {}
    try:
        http = requests.Session()
        http.auth = (key, "")
        r = http.post(server.url + "/v1/webhook_endpoints", headers={"Idempotency-Key": "we-1"},
                      data={"url": receiver.url, "enabled_events[]": "customer.created"})
        assert r.status_code == 200, r.text
        secret = r.json()["secret"]
        found["webhook secret"] = secret
        # A replay shows the same secret: the saved response opens again.
        again = http.post(server.url + "/v1/webhook_endpoints", headers={"Idempotency-Key": "we-1"},
                          data={"url": receiver.url, "enabled_events[]": "customer.created"})
        assert again.headers.get("idempotent-replayed") == "true" and again.json()["secret"] == secret

        v1 = make_client(server.url, key).v1
        customer = v1.customers.create({"email": "ada@example.com", "name": "Ada"})
        # The sealed secret signs what is delivered.
        got = receiver.wait_for(lambda rs: any(x.event.get("type") == "customer.created" for x in rs))
        stripe.Webhook.construct_event(got[0].body.decode(), got[0].headers["stripe-signature"], secret)

        config = v1.billing_portal.configurations.create({
            "features": {"payment_method_update": {"enabled": True}, "invoice_history": {"enabled": True}},
            "login_page": {"enabled": True}})
        # Stripe shows the login page's URL on every read of its configuration: it is stored
        # as it is, but kept out of the log.
        logged_only = {"login page secret": config.login_page.url.rsplit("/", 1)[1]}
        r = http.post(server.url + "/v1/billing_portal/sessions", headers={"Idempotency-Key": "bps-1"},
                      data={"customer": customer.id, "return_url": "https://app.example.com/"})
        link = r.json()["url"]
        # The link is in the session's `billing_portal.session.created` event, as at Stripe (an
        # event carries its object), so it is kept out of the log only. It is of no use to
        # anyone else once opened (it binds to the browser) or after its time to open runs out.
        logged_only["portal link secret"] = link.rsplit("/", 1)[1]

        # A card number typed into the portal.
        browser = requests.Session()
        page = browser.get(link + "/payment-methods/new", timeout=10)
        assert page.status_code == 200, page.text[:300]
        found["browser secret"] = browser.cookies["portico_browser"]
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        done = browser.post(link + "/payment-methods", data={"csrf": csrf, "number": CARD, "expiry": "12/34",
                                                             "cvc": "123"}, allow_redirects=False, timeout=10)
        assert done.status_code in (200, 303), done.text[:300]
        assert v1.customers.payment_methods.list(customer.id).data[0].card.last4 == "5556"

        # A sign-in link by email (kept in the outbox: no SMTP server).
        def outbox() -> list[str]:
            page = requests.get(server.url + "/p/dev/mail", timeout=10).text
            return re.findall(r'/p/dev/mail/(em_[A-Za-z0-9]+)', page)

        before = set(outbox())
        login = requests.Session()
        page = login.get(config.login_page.url, timeout=10)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert login.post(config.login_page.url, data={"csrf": csrf, "email": "ada@example.com"},
                          timeout=10).status_code == 200
        deadline = time.monotonic() + 10
        while True:
            ids = [i for i in outbox() if i not in before]
            if ids:
                break
            assert time.monotonic() < deadline, "no email written"
            time.sleep(0.1)
        text = requests.get(f"{server.url}/p/dev/mail/{ids[0]}", timeout=10).text
        found["emailed sign-in secret"] = re.search(r"/open/([A-Za-z0-9_]+)", text).group(1)
        # The link works (so what was sealed opened again).
        opened = open_login_link(f"{config.login_page.url}/open/{found['emailed sign-in secret']}")
        assert opened.status_code == 303
    finally:
        server.stop()
        receiver.stop()

    log = server.log_text()
    assert "request" in log and "DEBUG" in log.upper(), "the server logged at debug level"
    at_rest = database_bytes(db, tmp.name)
    assert len(at_rest) > 10_000
    for what, value in {**found, **logged_only}.items():
        assert value not in log, f"the {what} is in the server's log"
    for what, value in found.items():
        assert value.encode() not in at_rest, f"the {what} is readable in the database"
    if db.startswith("sqlite://"):  # a database of this test's own: no secret of any kind
        assert b"whsec_" not in at_rest and b"4000 0566" not in at_rest
    # The data key itself is nowhere either.
    assert data_key not in log and data_key.encode() not in at_rest
    tmp.cleanup()
