"""A real multi-process, multi-threaded web server on loopback for tests/leak/test_load.py.

gunicorn (``gthread`` workers, as ``bench/api.py`` runs it) serves the test run's own
settings (``tests.leak.server_settings``) on the test's PostgreSQL database, with a file
storage shared with the test process, in its own process group so teardown never leaves
a worker behind. Nothing here imports models: the server's settings import this module.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What the test passes to the server's settings.
BASE_SETTINGS_ENV = "PROMOTION_TEST_BASE_SETTINGS"
STORAGE_ENV = "PROMOTION_TEST_STORAGE_DIR"

REQUEST_TIMEOUT = 30.0


def missing_gunicorn() -> str | None:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return "needs gunicorn to serve the API on loopback: pip install gunicorn (the bench extra)"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    """An HTTP response as the oracle and ``tests.leak.matrix.difference`` read one."""

    status_code: int
    headers: list[tuple[str, str]]
    content: bytes
    streaming = False

    def items(self) -> list[tuple[str, str]]:
        return self.headers


class Server:
    """``gunicorn --worker-class gthread`` on a free loopback port, leader of a process
    group; ``stop()`` ends the group (safe to call twice)."""

    def __init__(self, *, env: dict[str, str], log: Path, workers: int, threads: int) -> None:
        self.env = env
        self.log = log
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> Server:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "django.core.wsgi:get_wsgi_application()",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            # Longer than any pause of a client between two requests: a connection is
            # closed by the server only when the run ends.
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"gunicorn did not listen within {timeout} s") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)


# A kept-alive connection the server closed as the request went out: nothing was
# answered, so a client sends the GET again on a new connection (as urllib3 does).
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def fetch(
    connection: http.client.HTTPConnection, path: str, headers: dict[str, str]
) -> tuple[Reply, http.client.HTTPConnection, bool]:
    """GET ``path``: the reply, the connection to use next, and whether it reconnected."""
    reconnected = False
    for attempt in (1, 2):
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            break
        except STALE_CONNECTION:
            connection.close()
            connection = http.client.HTTPConnection(
                connection.host, connection.port, timeout=REQUEST_TIMEOUT
            )
            if attempt == 2:
                raise
            reconnected = True
    reply = Reply(response.status, response.getheaders(), body)
    if (response.getheader("Connection") or "").lower() == "close":
        connection.close()
    return reply, connection, reconnected
