"""The load run: the leak world served by a real server on loopback, under concurrent,
interleaved users of the three partners, every response through the leak oracle.

gunicorn (tests/leak/server.py: 2 processes x 4 threads) serves the test's settings on
its PostgreSQL database. ``CLIENTS`` threads send GETs over kept-alive connections for
``PROMOTION_LOAD_SECONDS`` seconds (60 unless set; set it lower for a quick local run).
Each request is made as a user picked at random among every role of the three partners,
by session cookie or by API token (``promotion.services.tokens``), or anonymously, so
consecutive requests on one connection come from different users and partners. They go
to the API's prospect list, prospect detail, questions and deck lists, deck status and
download, and the region's answer, for every prospect and deck of the world, the other
partners' included. The test fails on:

- any 5xx, and any transport error (a connection the server closed while idle is retried
  once, as any HTTP client does, and counted);
- any response (status, headers, body; the PDF's text and metadata) holding a canary its
  user may not see (``assert_no_leak``'s rules). Every response is scanned: an exact
  repeat of a response already scanned for the same user (same status, headers but
  ``Date``, body) reuses that scan's result;
- another partner's object told apart from a missing id (each such request is sent
  together with the same request for a missing id of as many digits, and compared);
- a user getting a different status for the same request during the run (under load,
  a request answers as it does alone), or not getting their own partner's prospect;
- a canary in the server's log (``promotion`` at DEBUG, ``django`` at INFO).

Needs PostgreSQL (``DATABASE_URL``, shared with the server) and gunicorn; marked ``slow``.
The figures are printed (requests, requests per second, p50/p95, statuses, responses
scanned, leaks) whether or not it passes.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from promotion.conf import promotion_settings
from promotion.models import PitchDeck, Prospect
from promotion.services.tokens import token_create
from tests.decks.harness import skip_or_fail, worker_database_url
from tests.leak.conftest import PARTNERS, ROLES, build_world
from tests.leak.endpoints import missing_like
from tests.leak.matrix import IGNORED_HEADERS, difference, sees_row
from tests.leak.oracle import World, find_leaks, response_text
from tests.leak.server import BASE_SETTINGS_ENV, STORAGE_ENV, Reply, Server, fetch
from tests.leak.server import missing_gunicorn as _missing_gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECONDS_ENV = "PROMOTION_LOAD_SECONDS"
CLIENTS = 8
SERVER_WORKERS, SERVER_THREADS = 2, 4
QUESTIONS = (
    ("en", "Do you have wi-fi in the industrial parks?"),
    ("es", "¿Cuántos ingenieros hablan inglés?"),
)


def run_seconds() -> float:
    return float(os.environ.get(SECONDS_ENV) or 60)


@dataclass(frozen=True)
class Identity:
    """Who sends a request: a user (by key in ``World.users``) and how they log in."""

    user: str | None  # None: anonymous
    auth: str  # "session", "token" or "none"
    headers: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return f"{self.user or 'anonymous'}/{self.auth}"


@dataclass(frozen=True)
class Target:
    """A request; for an object the user may not see, with its missing-id twin."""

    kind: str
    path: str
    accept: str
    missing_path: str | None = None
    other_id: Any = None
    missing_id: Any = None


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    seen: dict[tuple[str | None, str], int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    scanned: int = 0
    compared: int = 0
    reconnects: int = 0
    transport_errors: int = 0
    leaks: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def _identities(world: World) -> list[Identity]:
    identities = [Identity(None, "none", ())]
    for key in PARTNERS:
        for role in ROLES:
            name = f"{key}_{role}"
            user = world.users[name]
            browser = Client()
            browser.force_login(user)
            cookie = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
            _token, api_key = token_create(user=user, name="load run")
            identities.append(
                Identity(
                    name,
                    "session",
                    (("Cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}"),),
                )
            )
            identities.append(Identity(name, "token", (("Authorization", f"Bearer {api_key}"),)))
    return identities


def _targets(world: World, viewer: Any) -> list[Target]:
    """Every request of the run for ``viewer``: what it may see is scanned; what it may
    not see also goes with a missing id of as many digits, to be compared."""
    json_, any_ = "application/json", "*/*"
    targets = [
        Target("list", reverse("promotion_api:prospect-list") + "?page_size=100", json_),
    ]
    for language, question in QUESTIONS:
        query = urlencode({"q": question, "lang": language})
        answer = reverse("promotion_api:region-answer", args=[world.region.slug])
        targets.append(Target("answer", f"{answer}?{query}", json_))

    def add(kind: str, name: str, model: Any, obj: Any, prospect: Any, accept: str) -> None:
        path = reverse(f"promotion_api:{name}", args=[obj.pk])
        if sees_row(viewer, model, prospect):
            targets.append(Target(kind, path, accept))
            return
        missing = missing_like(model, obj.pk)
        missing_path = reverse(f"promotion_api:{name}", args=[missing])
        targets.append(Target(kind, path, accept, missing_path, obj.pk, missing))

    for prospect in world.prospects.values():
        add("prospect", "prospect-detail", Prospect, prospect, prospect, json_)
        add("questions", "prospect-questions", Prospect, prospect, prospect, json_)
        add("decks", "prospect-decks", Prospect, prospect, prospect, json_)
    for deck in world.decks.values():
        add("deck status", "deck-detail", PitchDeck, deck, deck.prospect, json_)
        add("download", "deck-download", PitchDeck, deck, deck.prospect, any_)
    return targets


class Scanner:
    """The oracle over every response, for its user; an exact repeat of a response
    already scanned for the same user reuses the result."""

    def __init__(self, world: World) -> None:
        self.forbidden = {
            name: world.forbidden(None if name is None else world.users[name])
            for name in [None, *world.users]
        }
        self.results: dict[tuple[str | None, str], list[str]] = {}
        self.texts: dict[str, str] = {}

    def scan(self, user: str | None, reply: Reply, where: str) -> list[str]:
        headers = [(k, v) for k, v in reply.headers if k.lower() not in IGNORED_HEADERS]
        digest = hashlib.sha256(
            repr((reply.status_code, headers)).encode() + b"\0" + reply.content
        ).hexdigest()
        found = self.results.get((user, digest))
        if found is None:
            text = self.texts.get(digest)
            if text is None:
                text = self.texts[digest] = response_text(reply)
            leaks = find_leaks(text, self.forbidden[user])
            found = [
                f"leak to {user or 'anonymous'} in {where}: {c.owner}.{c.model}.{c.field} "
                f"({c.level}) {c.text!r}: …{context!r}…"
                for c, context in leaks
            ]
            self.results[(user, digest)] = found
        return found


def _drive(
    server: Server,
    identities: list[Identity],
    targets: dict[str | None, list[Target]],
    scanner: Scanner,
    figures: Figures,
    until: float,
    seed: int,
) -> None:
    rng = random.Random(seed)
    connection = server.connection()

    def get(identity: Identity, path: str, accept: str, kind: str) -> Reply | None:
        nonlocal connection
        headers = {"Accept": accept, **dict(identity.headers)}
        started = time.perf_counter()
        try:
            reply, connection, reconnected = fetch(connection, path, headers)
        except Exception as exc:  # any transport error fails the run
            connection.close()
            connection = server.connection()
            with figures.lock:
                figures.transport_errors += 1
            figures.fail(f"{identity.name} GET {path}: {type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - started
        with figures.lock:
            figures.latencies.append(elapsed)
            figures.statuses[reply.status_code] += 1
            figures.kinds[kind] += 1
            figures.reconnects += reconnected
        if reply.status_code >= 500:
            figures.fail(f"{identity.name} GET {path}: {reply.status_code}")
        leaks = scanner.scan(identity.user, reply, f"{identity.name} GET {path}")
        with figures.lock:
            figures.scanned += 1
            figures.leaks += len(leaks)
            if leaks:
                figures.failures.extend(leaks)
            key = (identity.user, path)
            first = figures.seen.setdefault(key, reply.status_code)
        if first != reply.status_code:
            figures.fail(
                f"{identity.name} GET {path}: {reply.status_code}, where the same user had {first}"
            )
        return reply

    try:
        while time.monotonic() < until:
            identity = rng.choice(identities)
            target = rng.choice(targets[identity.user])
            reply = get(identity, target.path, target.accept, target.kind)
            if target.missing_path is None or reply is None:
                continue
            missing = get(identity, target.missing_path, target.accept, target.kind)
            if missing is None:
                continue
            why = difference(reply, target.other_id, missing, target.missing_id)
            with figures.lock:
                figures.compared += 1
            if why:
                figures.fail(
                    f"{identity.name} {target.kind} {target.path}: another partner's object "
                    f"is told apart from a missing one: {why}"
                )
    finally:
        connection.close()


def _report(figures: Figures, elapsed: float, scanner: Scanner, identities: int) -> str:
    total = len(figures.latencies)
    ordered = sorted(figures.latencies)
    p50 = statistics.median(ordered) * 1000 if ordered else float("nan")
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000 if ordered else float("nan")
    statuses = ", ".join(f"{code} x{n}" for code, n in sorted(figures.statuses.items()))
    kinds = ", ".join(f"{kind} x{n}" for kind, n in sorted(figures.kinds.items()))
    return "\n".join(
        [
            "",
            f"load run: {CLIENTS} clients, {identities} identities (users x session/token, "
            f"anonymous), gunicorn {SERVER_WORKERS} workers x {SERVER_THREADS} threads, "
            f"{elapsed:.1f} s",
            f"  requests: {total}, {total / elapsed:.1f}/s; p50 {p50:.1f} ms, p95 {p95:.1f} ms",
            f"  statuses: {statuses}",
            f"  endpoints: {kinds}",
            f"  responses scanned: {figures.scanned} ({len(scanner.results)} distinct "
            f"for their user); leaks: {figures.leaks}",
            f"  another partner's id vs a missing one: {figures.compared} pairs compared",
            f"  transport errors: {figures.transport_errors}; "
            f"stale kept-alive connections retried: {figures.reconnects}",
            f"  failures: {len(figures.failures)}",
            f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        ]
    )


@pytest.fixture
def served_world(settings, tmp_path) -> World:
    """The leak world, its deck files in a storage the server reads too."""
    settings.PROMOTION = {}
    storage = tmp_path / "storage"
    storage.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        promotion_settings.FILE_STORAGE: {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(storage)},
        },
    }
    return build_world()


def test_load_run_serves_every_partner_concurrently_without_a_leak(served_world, tmp_path, capsys):
    skip_or_fail(_missing_gunicorn())
    world = served_world
    identities = _identities(world)
    targets = {
        name: _targets(world, None if name is None else world.users[name])
        for name in {identity.user for identity in identities}
    }
    scanner = Scanner(world)
    storage = str(tmp_path / "storage")  # where served_world keeps the decks
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.leak.server_settings",
        BASE_SETTINGS_ENV: os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": worker_database_url(),
        STORAGE_ENV: storage,
    }
    server = Server(
        env=env, log=tmp_path / "server.log", workers=SERVER_WORKERS, threads=SERVER_THREADS
    )
    figures = Figures()
    seconds = run_seconds()
    server.start()
    try:
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=_drive,
                args=(server, identities, targets, scanner, figures, started + seconds, n),
                daemon=True,
            )
            for n in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 60)
        elapsed = time.monotonic() - started
        assert not any(thread.is_alive() for thread in threads), "a client never finished"
    finally:
        server.stop()
    report = _report(figures, elapsed, scanner, len(identities))
    with capsys.disabled():
        print(report)

    log = server.log_text()
    leaks_in_log = find_leaks(log, scanner.forbidden[None])  # no canary at all
    failures = list(figures.failures)
    failures += [f"canary in the server log: {c.text!r}: …{ctx!r}…" for c, ctx in leaks_in_log]
    failures += [f"server log: {line}" for line in log.splitlines() if "Traceback" in line]
    # The run reached what each user may see: their own partner's prospects answered 200.
    for key in PARTNERS:
        for role in ROLES:
            own = reverse("promotion_api:prospect-detail", args=[world.prospects[key].pk])
            status = figures.seen.get((f"{key}_{role}", own))
            if status not in (200, None):
                failures.append(f"{key}_{role} got {status} for their own prospect")
    assert figures.statuses[200] > 0 and figures.compared > 0, report
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])
