"""Chaos on the workers: decks keep their promises while workers and the broker die.

Each test starts its own ``redis-server`` (tests/decks/harness.py ``RedisServer``) on a
free loopback port, so it may kill and restart the broker, and real ``celery worker``
processes (tests/decks/worker.py) on the test's PostgreSQL database. What is promised:

- every deck requested ends in exactly one terminal state, ready or failed; a deck is
  never lost, never rendered into two files, and each PDF holds only its own prospect's
  canaries (never another partner's), whatever is killed on the way;
- a deck that kills its worker every time ends failed after the attempt cap while the
  others flow;
- the broker: Redis with ``appendonly yes`` keeps queued decks across a crash; without
  persistence a restart loses the messages, never the decks: the database is the source
  of truth and ``deck_resend`` (``promotion_deck_resend``) sends them again;
- a runaway render is ended by the soft time limit: the deck fails with a message and the
  same worker child goes on with the next deck.

Needs PostgreSQL (``DATABASE_URL``) and the ``redis-server`` program; skipped with the
reason when one is missing, except under ``CI``. Run them with ``-m worker``. The big test
prints its figures (``-s`` shows them) and stops by itself within ``CHAOS_BUDGET`` seconds.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import redis
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from promotion.models import DeckStatus, Partner, PartnerRole, PitchDeck, Prospect
from promotion.services.deck_recovery import deck_resend
from promotion.services.decks import (
    ERROR_RENDER,
    ERROR_TOO_MANY_ATTEMPTS,
    MAX_ATTEMPTS,
    deck_request,
)
from tests import factories
from tests.decks.conftest import pdf_text
from tests.decks.harness import (
    Harness,
    RedisServer,
    missing_postgres,
    open_harness,
    skip_or_fail,
)
from tests.decks.worker import (
    KILL_AFTER_SAVE,
    KILL_ALWAYS,
    RENDER_DELAY_ENV,
    RUNAWAY,
    SOFT_TIME_LIMIT,
    TIME_LIMIT,
    VISIBILITY_TIMEOUT,
    Worker,
    wait_for_file,
)

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TERMINAL = (DeckStatus.READY, DeckStatus.FAILED)
PARTNER_TAGS = ("TJ", "CD", "SD")
PROSPECTS_PER_PARTNER = 25  # x 2 languages x 3 partners = 150 deck requests
LANGUAGES = ("en", "es")
# Each render sleeps this long first, so most children the chaos kills are mid-render.
RENDER_DELAY = 0.25
# A random pool child is SIGKILLed every this many seconds.
KILL_EVERY = (2.0, 4.0)
# The whole chaos run, from the first worker started to the last deck checked; the waits
# inside derive from the configured limits (tests/decks/worker.py) and stay within it.
CHAOS_BUDGET = 170
# A worker that exits for the one reason a supervisor would restart it is restarted
# (``Supervisor``), at most this many times.
MAX_SUPERVISOR_RESTARTS = 5


@pytest.fixture(scope="session", autouse=True)  # session: before the test database is set up
def _services() -> None:
    """Skip without PostgreSQL or redis-server; under CI a missing service is a failure."""
    skip_or_fail(missing_postgres() or RedisServer.missing())


@pytest.fixture
def redis_server(request, tmp_path) -> Iterator[RedisServer]:
    """A Redis of the test's own; ``indirect`` parametrisation turns ``appendonly`` on."""
    server = RedisServer(folder=tmp_path / "redis", appendonly=getattr(request, "param", False))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def harness(tmp_path, settings, monkeypatch, eager_celery, redis_server) -> Iterator[Harness]:
    with open_harness(
        tmp_path=tmp_path,
        settings=settings,
        monkeypatch=monkeypatch,
        eager_celery=eager_celery,
        redis_url=redis_server.url,
    ) as state:
        yield state


def canary() -> str:
    return "CNRY" + uuid.uuid4().hex[:12].upper()


@dataclass
class Tenant:
    """A partner, an editor on its staff and its prospects, each with its canaries."""

    tag: str
    partner: Partner
    user: object
    prospects: list[Prospect] = field(default_factory=list)


def make_tenants(region, *, prospects: int) -> tuple[list[Tenant], dict[int, list[str]]]:
    tenants, canaries = [], {}
    for tag in PARTNER_TAGS:
        partner = factories.PartnerFactory(region=region, name=f"{tag} Development Council")
        user = factories.UserFactory(username=f"editor-{tag.lower()}")
        factories.PartnerMembershipFactory(user=user, partner=partner, role=PartnerRole.EDITOR)
        tenant = Tenant(tag=tag, partner=partner, user=user)
        for _ in range(prospects):
            company, question = canary(), canary()
            prospect = factories.ProspectFactory(
                partner=partner, company_name=f"{tag} Industries {company}"
            )
            factories.QuestionFactory(prospect=prospect, text=f"Is {question} near the border?")
            tenant.prospects.append(prospect)
            canaries[prospect.pk] = [company, question]
        tenants.append(tenant)
    return tenants, canaries


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    workers: list[Worker],
    watch: Callable[[], None] | None = None,
) -> float:
    """Seconds until ``condition()`` holds; fails after ``timeout``, or when a worker dies
    (``watch``, when given, is called instead and may restart it)."""
    started = time.monotonic()
    while not condition():
        if watch is not None:
            watch()
        else:
            for worker in workers:
                worker.check_alive()
        if time.monotonic() - started > timeout:
            tails = "\n".join(worker.log_tail(30) for worker in workers)
            raise AssertionError(f"{what}: not within {timeout:.0f} s\n{tails}")
        time.sleep(0.2)
    return time.monotonic() - started


def active_of(ids: list[int]) -> list[PitchDeck]:
    return list(PitchDeck.objects.filter(pk__in=ids).exclude(status__in=TERMINAL))


class Chaos(threading.Thread):
    """SIGKILLs a random pool child of the live workers every 2 to 4 seconds."""

    def __init__(self, workers: list[Worker], lock: threading.Lock, seed: int) -> None:
        super().__init__(name="chaos", daemon=True)
        self.workers = workers  # replaced in place, under ``lock``, when one restarts
        self.lock = lock
        self.random = random.Random(seed)
        self.halt = threading.Event()
        self.kills = 0

    def run(self) -> None:
        while not self.halt.wait(self.random.uniform(*KILL_EVERY)):
            with self.lock:
                victims = [(w, pid) for w in self.workers for pid in w.children()]
                if not victims:
                    continue
                worker, pid = self.random.choice(victims)
                try:
                    worker.kill_child(pid)
                except (ProcessLookupError, AssertionError):
                    continue  # it ended between the listing and the kill
                self.kills += 1

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=10)


class Supervisor:
    """Restarts a worker that exited, as systemd's ``Restart=always`` would in production.

    Celery exits (``WorkerLostError: Could not start worker processes``) when a pool child
    dies after the pool started but before the consumer's loop ran (celery/worker/loops.py
    ``did_start_ok``): a window of seconds on a busy machine, longer while the broker is
    down. The chaos kills children at random, so now and then it hits that window.
    """

    def __init__(self, harness: Harness, workers: list[Worker], lock: threading.Lock) -> None:
        self.harness = harness
        self.workers = workers
        self.lock = lock
        self.restarts: list[str] = []

    def __call__(self) -> None:
        with self.lock:
            for index, worker in enumerate(self.workers):
                if worker.process is None or worker.process.poll() is None:
                    continue
                log = worker.log.read_text(errors="replace")
                reason = next((line for line in reversed(log.splitlines()) if "Error" in line), "?")
                if len(self.restarts) >= MAX_SUPERVISOR_RESTARTS or "start worker" not in reason:
                    worker.check_alive()  # fails, with the worker's log
                self.restarts.append(reason.strip())
                worker.kill()  # whatever is left of its group
                self.workers[index] = self.harness.start_worker()


def test_150_decks_survive_killed_children_a_killed_worker_and_a_broker_restart(
    harness, redis_server, region
):
    started = time.monotonic()
    budget_left = lambda: CHAOS_BUDGET - (time.monotonic() - started)  # noqa: E731
    seed = random.randrange(1 << 30)
    tenants, canaries = make_tenants(region, prospects=PROSPECTS_PER_PARTNER)
    doomed_prospect = factories.ProspectFactory(
        partner=tenants[0].partner, company_name=f"Crashing Co {KILL_ALWAYS}"
    )
    requests = [
        (tenant.user, prospect, language)
        for tenant in tenants
        for prospect in tenant.prospects
        for language in LANGUAGES
    ]
    random.Random(seed).shuffle(requests)  # the three partners interleaved
    assert len(requests) == 150

    harness.env[RENDER_DELAY_ENV] = str(RENDER_DELAY)
    lock = threading.Lock()
    workers = [harness.start_worker(), harness.start_worker()]
    chaos = Chaos(workers, lock, seed)
    supervise = Supervisor(harness, workers, lock)
    broker = redis.Redis.from_url(redis_server.url, socket_timeout=5)
    deck_ids: list[int] = []
    unsent: list[str] = []

    def request(batch) -> None:
        for user, prospect, language in batch:
            try:
                deck_ids.append(deck_request(actor=user, prospect=prospect, language=language).pk)
            except OperationalError as exc:  # broker down: the deck is committed, not sent
                deck = PitchDeck.objects.get(prospect=prospect, language=language)
                deck_ids.append(deck.pk)
                unsent.append(f"{type(exc).__module__}.{type(exc).__name__}")

    def ready_count() -> int:
        return PitchDeck.objects.filter(pk__in=deck_ids, status=DeckStatus.READY).count()

    try:
        chaos.start()
        doomed = deck_request(actor=tenants[0].user, prospect=doomed_prospect, language="en")
        request(requests[:50])

        # A whole worker killed once (power cut, OOM killer), and started again.
        wait_until(
            lambda: ready_count() >= 15,
            timeout=60,
            what="15 decks",
            workers=workers,
            watch=supervise,
        )
        with lock:
            victim_children = len(workers[1].children())
            workers[1].kill()
        time.sleep(1)
        with lock:
            workers[1] = harness.start_worker()
        request(requests[50:100])

        # The broker crashes while decks wait in its queue; Redis keeps nothing (no AOF).
        wait_until(
            lambda: broker.llen(harness.queue) >= 5,
            timeout=30,
            what="decks waiting in the queue",
            workers=workers,
            watch=supervise,
        )
        lost_messages = broker.llen(harness.queue) + broker.hlen("unacked")
        redis_server.crash()
        request(requests[100:105])  # requested while the broker is down
        redis_server.start()
        back_at = timezone.now()
        request(requests[105:])

        # Recovery, as an operator (or beat) runs it: everything queued or rendering since
        # before the broker came back may have lost its message.
        time.sleep(1)
        resent = deck_resend(older_than=timezone.now() - back_at)

        wait_until(
            lambda: not active_of([*deck_ids, doomed.pk]),
            timeout=max(budget_left() - 40, 30),  # leave time for the checks below
            what="every deck ready or failed",
            workers=workers,
            watch=supervise,
        )
    finally:
        chaos.stop()
        broker.close()
    with lock:
        for worker in workers:
            worker.kill()  # free the CPU for the checks
    wall = time.monotonic() - started

    # Exactly one deck per request, each in one terminal state.
    assert len(deck_ids) == len(set(deck_ids)) == 150
    decks = {deck.pk: deck for deck in PitchDeck.objects.filter(pk__in=deck_ids)}
    assert PitchDeck.objects.count() == 151  # no second row for any request
    failed = {pk: deck.error for pk, deck in decks.items() if deck.status != DeckStatus.READY}
    assert failed == {}, failed

    doomed = PitchDeck.objects.get(pk=doomed.pk)
    assert doomed.status == DeckStatus.FAILED
    assert doomed.attempts == MAX_ATTEMPTS
    assert doomed.error == ERROR_TOO_MANY_ATTEMPTS % {"n": MAX_ATTEMPTS}
    assert not doomed.file

    # One file per ready deck in storage, nothing else: no orphan, no second copy.
    assert harness.all_deck_files() == sorted(deck.file.name for deck in decks.values())

    # Each PDF is whole and holds its own prospect's canaries and nobody else's.
    all_canaries = {word: pk for pk, words in canaries.items() for word in words}
    for deck in decks.values():
        with deck.file.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == deck.sha256
        text = pdf_text(data)
        for word in canaries[deck.prospect_id]:
            assert word in text, (deck.pk, word)
        strangers = [w for w in all_canaries if w in text and all_canaries[w] != deck.prospect_id]
        assert strangers == [], (deck.pk, strangers)

    renders = harness.renders()
    attempts = Counter(deck.attempts for deck in decks.values())
    figures = {
        "seed": seed,
        "decks": len(decks) + 1,
        "ready": sum(deck.status == DeckStatus.READY for deck in decks.values()),
        "failed": 1,
        "child kills (chaos)": chaos.kills,
        "child kills (kill-always deck)": doomed.attempts,
        "whole-worker kills": 1,
        "children lost with it": victim_children,
        "workers restarted by the supervisor": len(supervise.restarts),
        "messages lost in the broker crash": lost_messages,
        "requests while the broker was down": len(unsent),
        "what deck_request raised then": dict(Counter(unsent)),
        "decks re-sent by deck_resend": len(resent),
        "render attempts": len(renders),
        "redeliveries (attempts beyond the first)": sum(d.attempts - 1 for d in decks.values()),
        "attempts per deck": dict(sorted(attempts.items())),
        "wall time (s)": round(wall, 1),
    }
    print("\nchaos figures:", figures)
    for reason in supervise.restarts:
        print("supervisor restarted a worker after:", reason)
    assert chaos.kills >= 3, figures
    assert lost_messages > 0, figures
    assert wall < CHAOS_BUDGET, figures


def test_a_child_killed_between_writing_the_file_and_committing_leaves_one_file(harness, region):
    tenants, canaries = make_tenants(region, prospects=1)
    tenant, prospect = tenants[0], tenants[0].prospects[0]
    marker = harness.faults / f"{prospect.pk}{KILL_AFTER_SAVE}"
    marker.touch()
    worker = harness.start_worker()
    deck = deck_request(actor=tenant.user, prospect=prospect, language="en")
    wait_until(lambda: not active_of([deck.pk]), timeout=60, what="the deck", workers=[worker])

    deck = PitchDeck.objects.get(pk=deck.pk)
    assert not marker.exists()  # the child died with the file written, the row not
    assert (deck.status, deck.attempts) == (DeckStatus.READY, 2), deck.error
    # The redelivered attempt replaced the dead one's file: no orphan beside the deck's.
    assert harness.all_deck_files() == [deck.file.name]
    with deck.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == deck.sha256
    assert canaries[prospect.pk][0] in pdf_text(data)


@pytest.mark.parametrize(
    "redis_server", [True, False], ids=["appendonly", "no-persistence"], indirect=True
)
def test_a_broker_crash_keeps_queued_decks_only_with_appendonly(harness, redis_server, region):
    tenants, _ = make_tenants(region, prospects=3)
    with transaction.atomic():  # all six tasks go out at commit, no worker yet
        decks = [
            deck_request(actor=tenant.user, prospect=prospect, language="en")
            for tenant in tenants
            for prospect in tenant.prospects[:2]
        ]
    broker = redis.Redis.from_url(redis_server.url, socket_timeout=5)
    try:
        assert broker.llen(harness.queue) == 6
        redis_server.crash()  # SIGKILL: with appendfsync always, every write is on disk
        redis_server.start()
        kept = broker.llen(harness.queue)
    finally:
        broker.close()
    ids = [deck.pk for deck in decks]
    if redis_server.appendonly:
        assert kept == 6  # the promise of the documented configuration
    else:
        assert kept == 0  # without persistence the messages are gone, the decks are not
        assert len(active_of(ids)) == 6
        assert [deck.pk for deck in deck_resend(older_than=timedelta(0))] == sorted(ids)
    worker = harness.start_worker()
    wait_until(lambda: not active_of(ids), timeout=60, what="the six decks", workers=[worker])
    for deck in PitchDeck.objects.filter(pk__in=ids):
        assert (deck.status, deck.attempts) == (DeckStatus.READY, 1), deck.error
        assert harness.deck_files(deck.prospect) == [deck.file.name]


def test_the_soft_time_limit_ends_a_runaway_render_and_the_child_carries_on(harness, region):
    tenants, _ = make_tenants(region, prospects=2)
    tenant = tenants[0]
    runaway_prospect = factories.ProspectFactory(
        partner=tenant.partner, company_name=f"Endless Loop Ltd {RUNAWAY}"
    )
    # One child: the deck after the runaway one can only be drawn by the same process.
    worker = harness.start_worker(concurrency=1)
    runaway = deck_request(actor=tenant.user, prospect=runaway_prospect, language="en")
    child = int(wait_for_file(harness.faults / f"{runaway_prospect.pk}.runaway", worker, 60))
    began = time.monotonic()
    others = [deck_request(actor=tenant.user, prospect=p, language="es") for p in tenant.prospects]

    wait_until(
        lambda: not active_of([runaway.pk]),
        timeout=TIME_LIMIT + 20,
        what="the runaway deck",
        workers=[worker],
    )
    ended_after = time.monotonic() - began
    runaway = PitchDeck.objects.get(pk=runaway.pk)
    assert runaway.status == DeckStatus.FAILED
    assert runaway.error == ERROR_RENDER % {"kind": "SoftTimeLimitExceeded", "deck": runaway.pk}
    assert runaway.attempts == 1 and not runaway.file  # failed cleanly: no redelivery
    assert ended_after < TIME_LIMIT + 15  # the soft limit (6 s) ended it, not the hard one

    wait_until(
        lambda: not active_of([d.pk for d in others]),
        timeout=60,
        what="the decks after the runaway one",
        workers=[worker],
    )
    for deck in PitchDeck.objects.filter(pk__in=[d.pk for d in others]):
        assert deck.status == DeckStatus.READY, deck.error
    renders = harness.renders()
    assert {pid for pk, pid in renders} == {child}  # the same child drew them all
    assert worker.children() == [child]
    assert SOFT_TIME_LIMIT < TIME_LIMIT < VISIBILITY_TIMEOUT
