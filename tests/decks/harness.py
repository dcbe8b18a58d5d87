"""What the real-worker tests share: their services, a harness, and a Redis of their own.

``test_worker.py`` and ``test_chaos.py`` start ``celery worker`` processes
(tests/decks/worker.py) on the test's PostgreSQL database, so the rows are committed
(``transaction=True``) and the task is sent on commit, as in production. The harness points
this process's Celery app at the broker, shares a file storage with the workers and kills
every worker it started at teardown. ``RedisServer`` runs a ``redis-server`` that a test
owns, so it may kill and restart it without touching anyone else's Redis.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from celery import Celery

from tests.decks.worker import (
    BASE_SETTINGS_ENV,
    BROKER_ENV,
    CELERY_ENV_OVERRIDES,
    FAULT_DIR_ENV,
    QUEUE_ENV,
    RENDERS_LOG,
    ROOT,
    STORAGE_ENV,
    TASK_ANNOTATIONS,
    TRANSPORT_OPTIONS,
    Worker,
    new_queue,
    purge_queue,
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def missing_postgres() -> str | None:
    """Why PostgreSQL, shared with the worker processes, is not usable here, or None."""
    import dj_database_url
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "needs PostgreSQL, shared with the worker process: set DATABASE_URL=postgres://..."
    db = dj_database_url.parse(url)
    try:
        psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        return f"needs PostgreSQL at {db['HOST']}:{db['PORT']} ({type(exc).__name__})"
    return None


def missing_redis(url: str) -> str | None:
    """Why the Redis at ``url`` does not answer, or None."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return (
            f"needs Redis at {url} ({type(exc).__name__}): start redis-server, "
            "or set PROMOTION_TEST_REDIS_URL"
        )
    return None


def skip_or_fail(reason: str | None) -> None:
    """Skip a test that lacks a service; under CI a missing service is a failure."""
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI is set: the worker tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def worker_database_url() -> str:
    """DATABASE_URL with the test database's name (pytest-django's ``test_<name>``)."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path="/" + quote(connection.settings_dict["NAME"])).geturl()


@dataclass
class Harness:
    """What one test shares with its workers: their environment (queue, database), the
    file storage, the fault markers (tests/decks/faults.py) and the workers' logs."""

    env: dict[str, str]
    storage: Path
    faults: Path
    logs: Path
    redis_url: str
    queue: str
    workers: list[Worker] = field(default_factory=list)

    def start_worker(self, *, concurrency: int = 2) -> Worker:
        log = self.logs / f"worker-{len(self.workers) + 1}.log"
        worker = Worker(env=self.env, log=log, concurrency=concurrency)
        self.workers.append(worker)
        return worker.start()

    def deck_files(self, prospect: Any) -> list[str]:
        folder = self.storage / "promotion" / "decks" / str(prospect.pk)
        if not folder.exists():
            return []
        return sorted(str(path.relative_to(self.storage)) for path in folder.iterdir())

    def all_deck_files(self) -> list[str]:
        """Every file in the storage's deck folder: orphans and duplicates included."""
        folder = self.storage / "promotion" / "decks"
        if not folder.exists():
            return []
        return sorted(str(p.relative_to(self.storage)) for p in folder.rglob("*") if p.is_file())

    def renders(self) -> list[tuple[int, int]]:
        """``(prospect pk, child pid)`` of every render attempt the workers started."""
        log = self.faults / RENDERS_LOG
        if not log.exists():
            return []
        pairs = (line.split() for line in log.read_text().splitlines())
        return [(int(pk), int(pid)) for pk, pid in pairs]


@contextmanager
def open_harness(
    *, tmp_path: Path, settings: Any, monkeypatch: Any, eager_celery: Celery, redis_url: str
) -> Iterator[Harness]:
    """Point this process's Celery app at ``redis_url`` (other tests stay eager) and share
    a file storage with the workers; on exit kill every worker started, whatever happened."""
    import redis

    for name in CELERY_ENV_OVERRIDES:  # CI exports CELERY_BROKER_URL (db 15) for the demo
        monkeypatch.delenv(name, raising=False)
    queue = new_queue()
    storage, faults, logs = (tmp_path / name for name in ("storage", "faults", "logs"))
    for folder in (storage, faults, logs):
        folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(storage)},
        },
    }
    env = {name: value for name, value in os.environ.items() if name not in CELERY_ENV_OVERRIDES}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.decks.worker_settings",
            BASE_SETTINGS_ENV: os.environ["DJANGO_SETTINGS_MODULE"],  # set by pytest-django
            "DATABASE_URL": worker_database_url(),
            BROKER_ENV: redis_url,
            QUEUE_ENV: queue,
            STORAGE_ENV: str(storage),
            FAULT_DIR_ENV: str(faults),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )

    app = Celery("promotion-deck-tests-sender", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        task_always_eager=False,
        broker_url=redis_url,
        broker_transport_options=TRANSPORT_OPTIONS,
        task_default_queue=queue,
        task_annotations=TASK_ANNOTATIONS,
    )
    app.set_current()
    app.set_default()
    state = Harness(
        env=env, storage=storage, faults=faults, logs=logs, redis_url=redis_url, queue=queue
    )
    try:
        yield state
    finally:
        try:
            for worker in state.workers:
                worker.kill()
        finally:
            app.close()
            eager_celery.set_current()
            eager_celery.set_default()
            client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
            try:
                purge_queue(client, queue)
            except redis.RedisError:
                pass  # a test's own Redis may already be gone
            finally:
                client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A ``redis-server`` of one test's own on a free loopback port, in a temporary dir.

    ``appendonly=False`` is Redis without persistence (what a restart loses: everything);
    ``appendonly=True`` writes every command to the append-only file before answering
    (``appendfsync always``), so even a SIGKILL loses nothing. ``crash()`` SIGKILLs it and
    ``start()`` brings it back on the same port and dir; ``stop()`` ends it for good.
    """

    def __init__(self, *, folder: Path, appendonly: bool = False) -> None:
        self.folder = folder
        self.appendonly = appendonly
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def missing() -> str | None:
        if shutil.which("redis-server") is None:
            return "needs the redis-server program on PATH (the test starts its own Redis)"
        return None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> RedisServer:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always"]
            if self.appendonly
            else ["--appendonly", "no"]
        )
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.folder),
            "--save",
            "",
            *persistence,
            # The Redis settings the deployment notes ask for (never evict a queue).
            "--maxmemory-policy",
            "noeviction",
        ]
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while missing_redis(self.url) is not None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                log_text = (self.folder / "redis.log").read_text(errors="replace")
                raise AssertionError(f"redis-server did not start\n{log_text[-2000:]}")
            time.sleep(0.05)
        return self

    def crash(self) -> None:
        """SIGKILL: what a power cut or the OOM killer does; nothing is saved on the way."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
