"""Abuse limits, as processes: request rates per API key and per client answer 429 with
`Retry-After` (Stripe's error for the API, the portal's localized page for pages), and are off in
`--dev` unless asked for; oversized request heads and bodies are refused, a client that
sends its request head (or a dashboard form) too slowly is cut off, and one client holds only
so many connections.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time

import pytest
import requests
import stripe

from helpers import make_client, new_key
from server import Server


# Nothing here depends on the database: the suite's SQLite pass covers it.
pytestmark = pytest.mark.skipif(bool(os.environ.get("PORTICO_TEST_DATABASE_URL")),
                                reason="independent of the backend; runs in the SQLite pass")


@pytest.fixture(scope="module")
def tmp():
    d = tempfile.TemporaryDirectory(prefix="portico-abuse-")
    yield d.name
    d.cleanup()


def burst(url: str, n: int, **kw) -> list[requests.Response]:
    with requests.Session() as s:
        return [s.get(url, timeout=10, **kw) for _ in range(n)]


def test_per_key_limit_answers_stripes_rate_limit_error(tmp):
    key, other = new_key(), new_key()
    server = Server(f"sqlite://{tmp}/key.db", tmp, "key", "--rate-limit-per-key", "5")
    try:
        answers = burst(server.url + "/v1/customers", 30, auth=(key, ""))
        limited = [r for r in answers if r.status_code == 429]
        # A burst of twice the rate passes, then the limit holds.
        assert [r.status_code for r in answers[:10]] == [200] * 10
        assert len(limited) >= 15
        r = limited[0]
        assert int(r.headers["Retry-After"]) >= 1
        err = r.json()["error"]
        assert err["type"] == "invalid_request_error" and err["code"] == "rate_limit", err
        # Each key has its own allowance.
        assert burst(server.url + "/v1/customers", 1, auth=(other, ""))[0].status_code == 200
        # The SDK sees its RateLimitError. The allowance refills while the checks above run (a
        # token every 200 ms), so empty it again just before.
        client = make_client(server.url, key)
        burst(server.url + "/v1/customers", 10, auth=(key, ""))
        with pytest.raises(stripe.RateLimitError):
            client.v1.customers.list()
        # And after waiting as told, requests go through again.
        time.sleep(int(r.headers["Retry-After"]))
        assert burst(server.url + "/v1/customers", 1, auth=(key, ""))[0].status_code == 200
    finally:
        server.stop()


def test_per_client_limit_covers_pages_with_a_localized_page(tmp):
    server = Server(f"sqlite://{tmp}/client.db", tmp, "client", "--rate-limit-per-client", "5")
    try:
        answers = burst(server.url + "/p/session/test_nothing", 30, headers={"Accept-Language": "de"})
        limited = [r for r in answers if r.status_code == 429]
        assert len(limited) >= 15 and answers[0].status_code != 429
        page = limited[0]
        assert page.headers["Retry-After"].isdigit()
        assert page.headers["Content-Type"].startswith("text/html")
        assert 'lang="de"' in page.text and "<h1" in page.text
        # The API shares the client's allowance and answers with Stripe's error.
        api = requests.get(server.url + "/v1/customers", auth=(new_key(), ""), timeout=10)
        assert api.status_code == 429 and api.json()["error"]["code"] == "rate_limit"
    finally:
        server.stop()


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance(tmp):
    """Several instances behind one load balancer see every request come from it: with
    --trusted-proxy, the per-client limit counts the client the proxy names in X-Forwarded-For
    (the last address it appended), so one busy client does not lock everyone out; a request
    that does not come from the proxy still counts its own address, whatever it claims."""
    server = Server(f"sqlite://{tmp}/proxy.db", tmp, "proxy", "--rate-limit-per-client", "5",
                    "--trusted-proxy", "127.0.0.1")
    try:
        url = server.url + "/p/session/test_nothing"
        busy = burst(url, 30, headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.1"})
        assert sum(r.status_code == 429 for r in busy) >= 15
        # Another client behind the same proxy is not held back by the first.
        other = burst(url, 3, headers={"X-Forwarded-For": "203.0.113.2"})
        assert all(r.status_code != 429 for r in other), [r.status_code for r in other]
        # A forged first address does not buy a fresh allowance: the proxy's own entry counts.
        forged = burst(url, 3, headers={"X-Forwarded-For": "192.0.2.99, 203.0.113.1"})
        assert all(r.status_code == 429 for r in forged)
    finally:
        server.stop()


def test_dev_mode_has_no_rate_limits_unless_asked(tmp):
    server = Server(f"sqlite://{tmp}/dev.db", tmp, "dev")
    try:
        key = new_key()
        assert {r.status_code for r in burst(server.url + "/v1/customers", 300, auth=(key, ""))} == {200}
    finally:
        server.stop()


def raw(port: int, data: bytes, wait: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


def test_oversized_heads_and_bodies_are_refused(tmp):
    server = Server(f"sqlite://{tmp}/size.db", tmp, "size")
    try:
        key = new_key()
        # A request head of 100 KiB: refused before any handler runs.
        head = (b"GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
        assert raw(server.port, head).startswith(b"HTTP/1.1 431")
        # An API body over 1 MiB: Stripe's error.
        r = requests.post(server.url + "/v1/customers", auth=(key, ""),
                          data={"description": "x" * (1024 * 1024 + 10)}, timeout=10)
        assert r.status_code == 413 and r.json()["error"]["type"] == "invalid_request_error"
        # A portal form over 64 KiB: refused with a page.
        p = requests.post(server.url + "/p/login/nothing", data={"email": "x" * 70_000}, timeout=10)
        assert p.status_code == 413
        # The server is fine afterwards.
        assert requests.get(server.url + "/v1/customers", auth=(key, ""), timeout=10).status_code == 200
    finally:
        server.stop()


def test_a_slow_request_head_is_cut_off(tmp):
    server = Server(f"sqlite://{tmp}/slow.db", tmp, "slow")
    try:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
            s.sendall(b"GET /v1/customers HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            got = s.recv(65536)
            while got and not got.endswith(b"\r\n\r\n") and b"\r\n\r\n" not in got:
                got += s.recv(65536)
        waited = time.monotonic() - started
        # Cut off after the head timeout (10 s): closed, or answered 408 and closed.
        assert 9 <= waited < 20, waited
        assert got == b"" or got.startswith(b"HTTP/1.1 408"), got[:100]
    finally:
        server.stop()


def test_a_client_holds_only_so_many_connections(tmp):
    server = Server(f"sqlite://{tmp}/conns.db", tmp, "conns", "--max-connections-per-client", "20")
    try:
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(25)]
        answered = 0
        try:
            # The first 20 are served; those beyond are closed at once, without an answer. (The
            # start-up probe's connection may still count for a moment: one fewer is served.)
            for s in held:
                try:
                    s.sendall(b"GET /v1/customers HTTP/1.1\r\nHost: x\r\n\r\n")
                    got = s.recv(65536)
                except (ConnectionResetError, BrokenPipeError):
                    got = b""
                answered += got.startswith(b"HTTP/1.1 401")
            assert 19 <= answered <= 20, answered
        finally:
            for s in held:
                s.close()
        # Once they are closed, the client is served again.
        for _ in range(50):
            try:
                r = requests.get(server.url + "/v1/customers", auth=(new_key(), ""), timeout=10)
                break
            except requests.exceptions.ConnectionError:
                time.sleep(0.05)
        assert r.status_code == 200
    finally:
        server.stop()


def test_a_dashboard_body_that_never_finishes_is_cut_off(tmp):
    server = Server(f"sqlite://{tmp}/dash.db", tmp, "dash", "--admin-password", "correct horse")
    try:
        started = time.monotonic()
        got = raw(server.port, b"POST /dashboard/login HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Type: application/x-www-form-urlencoded\r\n"
                               b"Content-Length: 100\r\n\r\npassw", wait=60)
        waited = time.monotonic() - started
        # Cut off after the body timeout (30 s), as the API's and the portal's bodies are: the
        # form is refused as incomplete.
        assert 25 <= waited < 45, waited
        assert got == b"" or got.startswith((b"HTTP/1.1 408", b"HTTP/1.1 400")), got[:100]
    finally:
        server.stop()
