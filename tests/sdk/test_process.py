"""`portico serve` as a process: configured keys, environment variables, graceful shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile

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


def test_configured_keys_from_the_environment_only():
    import pathlib
    proc, port, tmp, log, log_path = _start([], {"PORTICO_API_KEYS": "sk_test_alpha,sk_live_beta"})
    try:
        _wait_for_port(proc, port, pathlib.Path(log_path))
        base = f"http://127.0.0.1:{port}"
        ok = requests.post(base + "/v1/customers", data={"name": "A"}, auth=("sk_test_alpha", ""), timeout=10)
        assert ok.status_code == 200 and ok.json()["livemode"] is False
        live = requests.get(base + "/v1/customers", auth=("sk_live_beta", ""), timeout=10)
        assert live.status_code == 200 and live.json()["data"] == []
        other = requests.get(base + "/v1/customers", auth=("sk_test_gamma", ""), timeout=10)
        assert other.status_code == 401
        assert other.json()["error"]["message"] == "Invalid API Key provided: sk_test_*amma"
        # Keys never appear in the logs.
        requests.get(base + "/v1/customers", headers={"Authorization": "Bearer sk_test_alpha"}, timeout=10)
    finally:
        _stop(proc, tmp, log)
    text = open(log_path, errors="replace").read() if os.path.exists(log_path) else ""
    assert "sk_test_alpha" not in text and "sk_live_beta" not in text


def test_refuses_to_start_without_keys():
    proc, port, tmp, log, log_path = _start([])
    try:
        assert proc.wait(timeout=30) != 0
        assert "--api-key" in open(log_path, errors="replace").read()
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
