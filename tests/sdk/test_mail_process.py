"""Email from the login page, as processes: with `--smtp-url`, the link reaches a real SMTP
server (aiosmtpd on 127.0.0.1) as a localized message with a plain-text and an HTML part;
without it, the message waits in the outbox, which `portico mail list` and `show` read."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import tempfile
import time

import requests
from aiosmtpd.controller import Controller

from conftest import PORTICO_BIN, _free_port
from helpers import make_client, new_key, open_login_link
from server import Server


class Inbox:
    """An SMTP server that keeps what it is sent."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def ask_for_link(base: str, login_url: str, address: str, language: str = "fr") -> None:
    s = requests.Session()
    s.headers["Accept-Language"] = language
    page = s.get(login_url, timeout=10).text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = s.post(login_url, data={"csrf": token, "email": address}, timeout=10)
    assert r.status_code == 200, r.text[:300]


def portico(*args: str) -> str:
    out = subprocess.run([PORTICO_BIN, *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def setup_account(base: str, address: str, locales=("de",)):
    v1 = make_client(base, new_key()).v1
    v1.customers.create({"email": address, "name": "Ada Lovelace", "preferred_locales": list(locales)})
    cfg = v1.billing_portal.configurations.create({"features": {"invoice_history": {"enabled": True}},
                                                   "login_page": {"enabled": True}})
    return cfg.login_page.url


def test_login_links_go_out_through_smtp():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    tmp = tempfile.TemporaryDirectory(prefix="portico-smtp-")
    db = f"sqlite://{tmp.name}/p.db"
    server = Server(db, tmp.name, "smtp", "--smtp-url", f"smtp://127.0.0.1:{port}",
                    "--mail-from", "billing@acme.test")
    try:
        login = setup_account(server.url, "ada@example.com")
        ask_for_link(server.url, login, "ada@example.com")
        deadline = time.monotonic() + 20
        while not inbox.messages:
            assert time.monotonic() < deadline, "no email arrived"
            time.sleep(0.05)
        m = inbox.messages[0]
        assert m["To"] == "ada@example.com"
        assert m["From"].addresses[0].addr_spec == "billing@acme.test"
        # The customer's preferred locale (German) wins over the browser's (French).
        assert m["Subject"] == "Ihr Link zur Verwaltung Ihrer Abrechnung", m["Subject"]
        assert m.get_content_type() == "multipart/alternative"
        text = m.get_body(preferencelist=("plain",)).get_content()
        html = m.get_body(preferencelist=("html",)).get_content()
        link = re.search(r"http://\S+/open/[A-Za-z0-9]{43}", text).group(0)
        assert f'href="{link}"' in html
        assert "Ada Lovelace" in text and "15 Minuten" in text
        # Fetching the link (a mail filter, a link preview) uses nothing up; its button does, once.
        assert requests.head(link, timeout=10).status_code == 200
        assert "Open your billing portal" in requests.get(link, timeout=10).text
        r = open_login_link(link)
        assert r.status_code == 303 and r.headers["location"].startswith("/p/session/")
        used = requests.get(link, allow_redirects=False, timeout=10)
        assert used.status_code == 410 and 'href="/p/login/' in used.text, "the way to a new link"
        assert open_login_link(link).status_code == 410
        # The database records it as sent.
        listing = portico("mail", "list", "--database-url", db)
        assert re.search(r"sent\s+em_\S+\s+ada@example\.com", listing), listing
    finally:
        server.stop()
        controller.stop()
        tmp.cleanup()


def test_without_smtp_the_outbox_keeps_it():
    tmp = tempfile.TemporaryDirectory(prefix="portico-outbox-")
    db = f"sqlite://{tmp.name}/p.db"
    server = Server(db, tmp.name, "outbox")
    try:
        login = setup_account(server.url, "grace@example.com", locales=())
        ask_for_link(server.url, login, "grace@example.com", language="ja")
        ask_for_link(server.url, login, "nobody@example.com", language="ja")
        deadline = time.monotonic() + 10
        while "grace@example.com" not in (listing := portico("mail", "list", "--database-url", db)):
            assert time.monotonic() < deadline, listing
            time.sleep(0.05)
        assert "nobody@example.com" not in listing
        assert re.search(r"outbox\s+em_", listing)
        email_id = re.search(r"(em_\S+)", listing).group(1)
        shown = portico("mail", "show", email_id, "--database-url", db)
        # No preferred locale: the browser's language (Japanese).
        assert "1回のみ" in shown or "15分" in shown, shown
        assert re.search(r"/open/[A-Za-z0-9]{43}", shown)
        assert "<a href=" in portico("mail", "show", email_id, "--html", "--database-url", db)
    finally:
        server.stop()
        tmp.cleanup()
