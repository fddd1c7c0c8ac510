"""A webhook receiver for tests: an HTTP server on 127.0.0.1 that records every POST and answers
with a status chosen per request (so a test can fail the first attempts of an event)."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional


@dataclass
class Received:
    at: float
    path: str
    headers: Dict[str, str]
    body: bytes
    status: int
    #: The parsed body (an empty dict when it is not JSON).
    event: dict


@dataclass
class Receiver:
    """Records deliveries; `answer(received_so_far_for_this_event, event)` picks the status."""

    answer: Callable[[int, dict], int] = lambda n, event: 200
    #: Seconds to wait before answering (to keep deliveries in flight).
    delay: float = 0.0
    #: Requests on connections accepted before this time (time.monotonic()) get 503: a sender
    #: killed mid-request cannot have its last bytes counted as a success.
    fail_connections_before: float = 0.0
    #: A Location header to send (for redirect answers).
    location: Optional[str] = None
    received: List[Received] = field(default_factory=list)
    seen: Dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def setup(self):
                self.accepted_at = time.monotonic()
                super().setup()

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    event = json.loads(body)
                except ValueError:
                    event = {}
                with receiver.lock:
                    before = receiver.seen.get(event.get("id"), 0)
                    receiver.seen[event.get("id")] = before + 1
                    status = receiver.answer(before, event)
                    if self.accepted_at < receiver.fail_connections_before or self.sender_gone():
                        status = 503
                    receiver.received.append(
                        Received(time.monotonic(), self.path, {k.lower(): v for k, v in self.headers.items()}, body, status, event)
                    )
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                if receiver.location:
                    self.send_header("Location", receiver.location)
                payload = b"ok" if status < 300 else b"not now"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def sender_gone(self) -> bool:
                """Whether the sender has closed the connection (a killed server's request may
                still be read from the socket after its process is gone; nobody is there to see
                the answer, so it cannot count as delivered)."""
                try:
                    return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
                except BlockingIOError:
                    return False
                except OSError:
                    return True

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default backlog of 5 drops bursts of connections

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def snapshot(self) -> List[Received]:
        with self.lock:
            return list(self.received)

    def succeeded_ids(self) -> List[str]:
        return [r.event["id"] for r in self.snapshot() if r.status < 300]

    def wait_for(self, predicate: Callable[[List[Received]], bool], timeout: float = 20.0) -> List[Received]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.snapshot()
            if predicate(got):
                return got
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"receiver condition not met within {timeout}s; got {len(got)} deliveries: "
                    + ", ".join(f"{r.event.get('type')}:{r.status}" for r in got[:40])
                )
            time.sleep(0.05)
