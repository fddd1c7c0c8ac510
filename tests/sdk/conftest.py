"""Start a Portico server for the session and hand tests an isolated account each.

Environment:
  PORTICO_BIN                path of the portico binary
                             (default: <repo>/target/debug/portico)
  PORTICO_TEST_DATABASE_URL  database to serve from (default: a fresh SQLite
                             file in a temporary directory)
  PORTICO_SHARED_DIR         folder holding stripe-openapi/ (read by schema.py)
"""

from __future__ import annotations

import os
import pathlib
import secrets
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests
import stripe

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from helpers import Raw, make_client, new_key  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
PORTICO_BIN = os.environ.get("PORTICO_BIN", str(REPO / "target" / "debug" / "portico"))
STARTUP_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(proc: subprocess.Popen, port: int, log_path: pathlib.Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"portico exited with code {proc.returncode} during startup:\n"
                + log_path.read_text(errors="replace")
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(
        f"portico did not accept connections on port {port} within {STARTUP_TIMEOUT}s:\n"
        + log_path.read_text(errors="replace")
    )


@pytest.fixture(scope="session")
def portico_url():
    """Base URL (http://127.0.0.1:PORT) of a Portico server running for this session."""
    if not os.path.exists(PORTICO_BIN):
        pytest.exit(f"portico binary not found at {PORTICO_BIN} (build it or set PORTICO_BIN)", 2)
    tmp = tempfile.TemporaryDirectory(prefix="portico-sdk-tests-")
    tmpdir = pathlib.Path(tmp.name)
    db_url = os.environ.get("PORTICO_TEST_DATABASE_URL") or f"sqlite://{tmpdir / 'portico.db'}"
    port = _free_port()
    log_path = tmpdir / "portico.log"
    log = open(log_path, "wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTICO_") or k == "PORTICO_LOG_FORMAT"}
    proc = subprocess.Popen(
        [
            PORTICO_BIN,
            "serve",
            "--dev",
            "--listen",
            f"127.0.0.1:{port}",
            "--database-url",
            db_url,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        _wait_for_port(proc, port, log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if os.environ.get("PORTICO_TEST_KEEP_LOG"):
            sys.stderr.write(log_path.read_text(errors="replace"))
        tmp.cleanup()


@pytest.fixture
def api_key() -> str:
    """A fresh test-mode key: in --dev mode, a fresh empty account."""
    return new_key()


@pytest.fixture
def client(portico_url, api_key) -> stripe.StripeClient:
    return make_client(portico_url, api_key)


@pytest.fixture
def v1(client):
    """The SDK's v1 service namespace (client.v1.customers, ...)."""
    return client.v1


@pytest.fixture
def raw(portico_url, api_key) -> Raw:
    return Raw(portico_url, api_key)
