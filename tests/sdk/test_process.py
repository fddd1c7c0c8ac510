"""`portico serve` as a process: configured keys, environment variables, graceful shutdown."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import PORTICO_BIN, _free_port, _wait_for_port


def _start(args, env_extra=None, tmp=None):
    tmp = tmp or tempfile.TemporaryDirectory(prefix="portico-proc-")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTICO_")}
    env.update(env_extra or {})
    log_path = os.path.join(tmp.name, "log")
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [PORTICO_BIN, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", f"sqlite://{tmp.name}/p.db", *args],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    return proc, port, tmp, log, log_path


def _stop(proc, tmp, log, keep=False):
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    log.close()
    if not keep:
        tmp.cleanup()


def _read(path):
    with open(path, errors="replace") as f:
        return f.read()


def test_configured_keys_from_the_environment_only():
    import pathlib
    proc, port, tmp, log, log_path = _start([], {"PORTICO_API_KEYS": "sk_test_alpha,sk_live_beta"})
    try:
        _wait_for_port(proc, port, pathlib.Path(log_path))
        base = f"http://127.0.0.1:{port}"
        ok = requests.post(base + "/v1/customers", data={"name": "A"}, auth=("sk_test_alpha", ""), timeout=10)
        assert ok.status_code == 200 and ok.json()["livemode"] is False
        # Log lines are written in batches, but never held back: the request's line shows
        # while the server is still running.
        rid = ok.headers["request-id"]
        deadline = time.monotonic() + 5
        while rid not in _read(log_path):
            assert time.monotonic() < deadline, "the request's log line was not written"
            time.sleep(0.05)
        live = requests.get(base + "/v1/customers", auth=("sk_live_beta", ""), timeout=10)
        assert live.status_code == 200 and live.json()["data"] == []
        other = requests.get(base + "/v1/customers", auth=("sk_test_gamma", ""), timeout=10)
        assert other.status_code == 401
        assert other.json()["error"]["message"] == "Invalid API Key provided: sk_test_*amma"
        # Keys never appear in the logs.
        requests.get(base + "/v1/customers", headers={"Authorization": "Bearer sk_test_alpha"}, timeout=10)
    finally:
        _stop(proc, tmp, log, keep=True)
    try:
        text = _read(log_path)
        assert rid in text, "the log was not kept for the check below"
        assert "sk_test_alpha" not in text and "sk_live_beta" not in text
    finally:
        tmp.cleanup()


def test_refuses_to_start_without_keys():
    proc, port, tmp, log, log_path = _start([])
    try:
        assert proc.wait(timeout=30) != 0
        assert "--api-key" in _read(log_path)
    finally:
        _stop(proc, tmp, log)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_graceful_shutdown(sig):
    import pathlib
    proc, port, tmp, log, log_path = _start(["--dev"])
    try:
        _wait_for_port(proc, port, pathlib.Path(log_path))
        r = requests.post(f"http://127.0.0.1:{port}/v1/customers", data={"email": "a@b.co"}, auth=("sk_test_x", ""), timeout=10)
        assert r.status_code == 200
        proc.send_signal(sig)
        assert proc.wait(timeout=15) == 0
    finally:
        _stop(proc, tmp, log, keep=True)
    # Restarted on the same database, the customer is still there.
    proc, port, tmp, log, log_path = _start(["--dev"], tmp=tmp)
    try:
        _wait_for_port(proc, port, pathlib.Path(log_path))
        again = requests.get(f"http://127.0.0.1:{port}/v1/customers/{r.json()['id']}", auth=("sk_test_x", ""), timeout=10)
        assert again.status_code == 200 and again.json()["email"] == "a@b.co"
    finally:
        _stop(proc, tmp, log)


def test_card_numbers_and_cvcs_are_never_stored_or_logged():
    """Create cards from raw numbers, then search every database file and the debug log."""
    import glob
    import pathlib

    numbers = ["4242424242424242", "5555555555554444", "4000002760003184", "6011111111111117"]
    cvc = "7391"  # an unusual four-digit value for Amex, easy to search for
    proc, port, tmp, log, log_path = _start(["--dev"], {"PORTICO_LOG": "debug"})
    try:
        _wait_for_port(proc, port, pathlib.Path(log_path))
        base = f"http://127.0.0.1:{port}"
        auth = ("sk_test_cards", "")
        cus = requests.post(base + "/v1/customers", data={"email": "c@x.io"}, auth=auth, timeout=10).json()["id"]
        for n in numbers:
            r = requests.post(base + "/v1/payment_methods", auth=auth, timeout=10, data={
                "type": "card", "card[number]": n, "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123"})
            assert r.status_code == 200, r.text
            a = requests.post(base + f"/v1/payment_methods/{r.json()['id']}/attach", data={"customer": cus}, auth=auth, timeout=10)
            assert a.status_code == 200, a.text
        amex = requests.post(base + "/v1/payment_methods", auth=auth, timeout=10, data={
            "type": "card", "card[number]": "378282246310005", "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": cvc})
        assert amex.status_code == 200, amex.text
        # A declined number and an invalid one go through the error paths too.
        requests.post(base + "/v1/payment_methods", auth=auth, timeout=10, data={
            "type": "card", "card[number]": "4242424242424241", "card[exp_month]": "12", "card[exp_year]": "2034"})
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        files = glob.glob(os.path.join(tmp.name, "p.db*")) + [log_path]
        assert any(f.endswith("p.db") for f in files)
        for path in files:
            data = open(path, "rb").read()
            for n in numbers + ["378282246310005", "4242424242424241"]:
                assert n.encode() not in data, f"card number {n} found in {path}"
            # The CVC as a token of its own (random ids may contain the digits by chance).
            assert not re.search(rb"(?<![A-Za-z0-9])" + cvc.encode() + rb"(?![A-Za-z0-9])", data), f"CVC found in {path}"
        # Positive controls: what is kept (last4) is found, so the search reads the real content.
        stored = b"".join(open(f, "rb").read() for f in files if f != log_path)
        assert b'"last4":"4242"' in stored and b'"last4":"0005"' in stored
        # The log did record the requests, so the search above looked at a real log.
        assert b"/v1/payment_methods" in open(log_path, "rb").read()
    finally:
        _stop(proc, tmp, log)
