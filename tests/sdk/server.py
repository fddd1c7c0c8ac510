"""A `portico serve` process of a test's own, for tests that need its flags, its log, or
several servers on one database."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import time

from conftest import PORTICO_BIN, _free_port, _wait_for_port


class Server:
    """A `portico serve` process of the test's own (`--dev` unless told otherwise)."""

    def __init__(self, db_url: str, tmp: str, name: str, *extra: str, dev: bool = True,
                 env: dict | None = None):
        self.port = _free_port()
        self.log_path = pathlib.Path(tmp) / f"{name}.log"
        self.log = open(self.log_path, "wb")
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PORTICO_")}, **(env or {})}
        self.proc = subprocess.Popen(
            [PORTICO_BIN, "serve", *(["--dev"] if dev else []), "--listen", f"127.0.0.1:{self.port}",
             "--database-url", db_url, *extra],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        _wait_for_port(self.proc, self.port, self.log_path)
        self.url = f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        """Everything the server wrote so far."""
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def logged(self, text: str, timeout: float = 5.0) -> bool:
        """Whether the server logs `text` within `timeout` seconds: its log is written by a
        thread of its own, a moment after the request that caused the line is answered."""
        deadline = time.monotonic() + timeout
        while text not in self.log_text():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def deliveries_logged(self) -> int:
        return self.log_path.read_text(errors="replace").count("webhook delivery")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
