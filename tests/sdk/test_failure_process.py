"""Failure on a SQLite server of the test's own: a client that stops waiting for an answer (a
timeout, a dropped connection) can still replay its result with the same idempotency key, the
change made once; a database file deleted under the server makes it refuse writes rather than
answer for changes that would be lost."""

from __future__ import annotations

import os
import pathlib
import sqlite3
import tempfile
import time

import pytest
import requests

from helpers import new_key
from server import Server

# It holds up SQLite's writer from outside; the PostgreSQL run has nothing more to show here.
pytestmark = pytest.mark.skipif(bool(os.environ.get("PORTICO_TEST_DATABASE_URL")),
                                reason="holds a SQLite database's write lock")


@pytest.fixture
def own():
    """A server on a SQLite database of its own: the server, the database's path, and an
    account's authorization header."""
    with tempfile.TemporaryDirectory() as tmp:
        db = pathlib.Path(tmp) / "portico.db"
        srv = Server(f"sqlite://{db}", tmp, "own")
        try:
            yield srv, db, {"Authorization": f"Bearer {new_key()}"}
        finally:
            srv.stop()


def test_a_request_whose_client_gave_up_finishes_and_replays(own):
    srv, db, auth = own
    assert requests.get(f"{srv.url}/v1/customers", headers=auth, timeout=10).status_code == 200
    # The database's writer is held up, so the request is still queued when its client
    # gives up and disconnects.
    lock = sqlite3.connect(db, timeout=10)
    lock.execute("BEGIN IMMEDIATE")
    headers = {**auth, "Idempotency-Key": "gave-up"}
    form = {"email": "gave-up@example.com"}
    try:
        requests.post(f"{srv.url}/v1/customers", data=form, headers=headers, timeout=0.3)
        raise AssertionError("the request should have waited for the lock")
    except requests.exceptions.Timeout:
        pass
    time.sleep(0.3)
    lock.rollback()
    lock.close()
    # The request went on without its client: the retry gets its answer, not a second
    # customer (while it is still finishing, the key is in use: 409).
    for _ in range(100):
        r = requests.post(f"{srv.url}/v1/customers", data=form, headers=headers, timeout=10)
        if r.status_code != 409:
            break
        time.sleep(0.05)
    assert r.status_code == 200, r.text
    assert r.headers.get("Idempotent-Replayed") == "true"
    listed = requests.get(f"{srv.url}/v1/customers", headers=auth, timeout=10).json()["data"]
    assert [c["id"] for c in listed] == [r.json()["id"]]


def test_a_database_deleted_under_the_server_refuses_writes(own):
    srv, db, auth = own
    ok = requests.post(f"{srv.url}/v1/customers", data={"name": "Kept"}, headers=auth, timeout=10)
    assert ok.status_code == 200
    for f in db.parent.glob("portico.db*"):
        f.unlink()
    r = requests.post(f"{srv.url}/v1/customers", data={"name": "Lost"}, headers=auth, timeout=10)
    assert r.status_code == 500, r.text
    assert r.json()["error"]["type"] == "api_error"
    assert srv.logged("deleted or replaced"), srv.log_text()[-2000:]
