"""A real ``celery worker`` for tests/decks/test_worker.py: its configuration and process.

The worker runs ``tests.decks.worker_app`` under ``tests.decks.worker_settings`` (the
tests' own settings with a broker, the test database, a file storage shared with the test
process and ``tests.decks.faults.FaultyRenderer``), prefork with two children, in its own
process group so a test can SIGKILL one child, or all of it, and teardown never leaves one
behind. Nothing here imports models: the worker's settings import this module.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# A Redis database of its own (CI's other runs use 15): override with PROMOTION_TEST_REDIS_URL.
REDIS_URL = os.environ.get("PROMOTION_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

# The production relation, scaled down so a lost message comes back within a test: the hard
# time limit (90 s in promotion/tasks.py) stays below the visibility timeout (300 s in
# calibaja/settings.py), else a deck still rendering would be delivered a second time.
VISIBILITY_TIMEOUT = 10
SOFT_TIME_LIMIT = 6
TIME_LIMIT = 8
TRANSPORT_OPTIONS: dict[str, Any] = {
    "visibility_timeout": VISIBILITY_TIMEOUT,
    # kombu sweeps for expired unacknowledged messages every 10 s × 10 by default.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # A worker killed while it held the sweep's mutex would block the next one for 300 s.
    "unacked_mutex_expire": 5,
}
# Sender and worker both annotate the task: the sender's values travel in the message.
TASK_ANNOTATIONS = {
    "promotion.deck_render": {"soft_time_limit": SOFT_TIME_LIMIT, "time_limit": TIME_LIMIT}
}

# Markers in a prospect's company name that make FaultyRenderer misbehave.
SLOW_ONCE = "[slow-once]"
KILL_ALWAYS = "[kill-always]"
RUNAWAY = "[runaway]"
# Suffix of the marker file that makes FaultyStorage die once after writing a deck's file.
KILL_AFTER_SAVE = ".kill-after-save"
# How long the first attempt of a SLOW_ONCE deck sleeps: time for the test to kill it,
# and below the soft time limit.
SLOW_SECONDS = 4
# How long a KILL_ALWAYS render runs before it kills its child.
CRASH_AFTER_SECONDS = 0.5

# What the test passes to the worker's settings.
BASE_SETTINGS_ENV = "PROMOTION_TEST_BASE_SETTINGS"
BROKER_ENV = "PROMOTION_TEST_BROKER_URL"
QUEUE_ENV = "PROMOTION_TEST_QUEUE"
STORAGE_ENV = "PROMOTION_TEST_STORAGE_DIR"
FAULT_DIR_ENV = "PROMOTION_TEST_FAULT_DIR"
# A result backend for the worker (default none, as in the tests' settings): the leak test
# of the broker stores results, extended (with the task's arguments), to scan them too.
RESULT_BACKEND_ENV = "PROMOTION_TEST_RESULT_BACKEND"
# Seconds every render sleeps first (default none): the chaos test slows renders down so
# that the children it kills are mostly killed mid-render.
RENDER_DELAY_ENV = "PROMOTION_TEST_RENDER_DELAY"
# The file in the fault dir where FaultyRenderer notes each render: "<prospect pk> <pid>".
RENDERS_LOG = "renders.log"

# Environment variables Celery prefers over its configuration (celery.app.utils.Settings).
CELERY_ENV_OVERRIDES = (
    "CELERY_BROKER_URL",
    "CELERY_BROKER_READ_URL",
    "CELERY_BROKER_WRITE_URL",
    "CELERY_RESULT_BACKEND",
)


def new_queue() -> str:
    """A queue of one test's own: concurrent runs on the same Redis never share messages."""
    return f"promotion-deck-tests-{uuid.uuid4().hex[:12]}"


def purge_queue(client: Any, queue: str) -> None:
    """Drop the queue and its messages, including unacknowledged ones of killed workers."""
    bindings = (f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    client.delete(queue, *(f"{queue}\x06\x16{n}" for n in range(10)), *bindings)
    for tag, payload in client.hscan_iter("unacked"):
        try:
            routing_key = json.loads(payload)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.pipeline().hdel("unacked", tag).zrem("unacked_index", tag).execute()


def _stat(pid: int | str) -> list[str] | None:
    """State, parent pid, process group, ... of a live process (/proc/<pid>/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return None if fields[0] in {"Z", "X"} else fields  # a zombie has finished


def parent_pid(pid: int) -> int | None:
    """The parent of a live process; None once it has ended."""
    fields = _stat(pid)
    return None if fields is None else int(fields[1])


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(entry.name)
            if fields is not None and int(fields[2]) == pgid:
                members.append(int(entry.name))
    return members


def wait_for_file(path: Path, worker: Worker, timeout: float) -> str:
    """The content of ``path`` once it appears (the faulty renderer writes it)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        worker.check_alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} did not appear in {timeout} s\n{worker.log_tail()}")
        time.sleep(0.05)
    return path.read_text()


class Worker:
    """``celery worker --pool prefork --concurrency 2`` (or ``concurrency``) as the leader of
    a process group."""

    def __init__(self, *, env: dict[str, str], log: Path, concurrency: int = 2) -> None:
        self.env = env
        self.log = log
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Worker:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.decks.worker_app",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(self.concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            f"deck-tests-{uuid.uuid4().hex[:8]}@%h",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the children
            )
        return self

    def children(self) -> list[int]:
        """The pool's live children (none once the worker has ended)."""
        if self.process is None or self.process.poll() is not None:
            return []
        return [pid for pid in group_members(self.pid) if parent_pid(pid) == self.pid]

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(
                f"the worker exited ({self.process.returncode})\n{self.log_tail()}"
            )

    def kill_child(self, pid: int) -> None:
        """SIGKILL one pool child (and check it is one of this worker's)."""
        assert parent_pid(pid) == self.pid, f"{pid} is not a child of worker {self.pid}"
        os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole worker, main process and children; safe to call twice."""
        if self.process is None:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the children end a moment after the leader
            if self.process.poll() is not None and not group_members(self.pid):
                return
            time.sleep(0.02)
        raise AssertionError(f"worker {self.pid} survived SIGKILL: {group_members(self.pid)}")

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no worker log)"
        return "--- worker log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])
