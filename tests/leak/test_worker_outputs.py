"""What a real worker leaves behind holds no canary: broker contents, task results, the
worker's log output and the files it stores.

A ``celery worker`` (tests/decks/worker.py) on a ``redis-server`` of the test's own
(tests/decks/harness.py), with a result backend on the same Redis storing extended results
(the task's arguments included), renders decks of the leak world's prospects of the three
partners, all carrying canaries: each partner's own, A's of B's and C's shared prospects,
one refused in the worker (its share revoked after the request) and one message that names
someone other than the deck's requester (refused, the deck left as it is). Every key of
every type in every database of that Redis is scanned, with kombu's base64 message bodies
decoded, while the messages wait and after the worker is done, together with the worker's
log and the stored file names: none may hold any canary (messages carry ids only). Each
PDF the worker wrote is scanned for its requester.

The app sends no e-mail; the API and admin matrices scan ``mail.outbox`` all the same.
Needs PostgreSQL (``DATABASE_URL``) and the ``redis-server`` program; skipped with the
reason when one is missing, except under ``CI``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery import Celery, current_app
from django.db import transaction

from promotion.models import DeckStatus, PitchDeck, ProspectShare
from promotion.services.crm import share_revoke
from promotion.services.decks import ERROR_NOT_VISIBLE, deck_request
from promotion.tasks import deck_render_task
from tests.decks.harness import (
    Harness,
    RedisServer,
    missing_postgres,
    open_harness,
    skip_or_fail,
)
from tests.decks.worker import RESULT_BACKEND_ENV
from tests.leak.conftest import build_world
from tests.leak.oracle import assert_no_leak, find_leaks, redis_text

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TERMINAL = (DeckStatus.READY, DeckStatus.FAILED)


@pytest.fixture(scope="session", autouse=True)  # session: before the test database is set up
def _services() -> None:
    skip_or_fail(missing_postgres() or RedisServer.missing())


@pytest.fixture
def eager_celery() -> Celery:
    """The tests' Celery app, made current again when the harness lets go."""
    app = Celery("promotion-tests")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.set_current()
    app.set_default()
    return app


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(folder=tmp_path / "redis")
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
        state.env[RESULT_BACKEND_ENV] = redis_server.url
        yield state


def _wait(decks: list[PitchDeck], harness: Harness, timeout: float) -> list[PitchDeck]:
    deadline = time.monotonic() + timeout
    while True:
        fresh = [PitchDeck.objects.get(pk=deck.pk) for deck in decks]
        if all(deck.status in TERMINAL for deck in fresh):
            return fresh
        for worker in harness.workers:
            worker.check_alive()
        if time.monotonic() > deadline:
            states = [(d.pk, d.status) for d in fresh]
            raise AssertionError(f"decks not done in {timeout} s: {states}")
        time.sleep(0.2)


def _results(url: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return list(client.scan_iter(match="celery-task-meta-*"))
    finally:
        client.close()


def test_broker_results_worker_log_and_files_hold_no_canary(harness, redis_server, settings):
    settings.PROMOTION = {}
    world = build_world()
    users, prospects = world.users, world.prospects
    everything = world.forbidden(None)  # what nobody may find in a broker or a log
    with transaction.atomic():  # the messages go to Redis at commit
        decks = {
            "A": deck_request(actor=users["A_editor"], prospect=prospects["A"], language="es"),
            "B": deck_request(actor=users["B_editor"], prospect=prospects["B"], language="es"),
            "C": deck_request(actor=users["C_manager"], prospect=prospects["C"], language="es"),
            "BS": deck_request(actor=users["A_editor"], prospect=prospects["BS"], language="es"),
            "CC": deck_request(actor=users["A_editor"], prospect=prospects["CC"], language="es"),
        }
        # B's prospect is shared with C: C's editor asks for a deck, then B revokes.
        b_deck_for_c = deck_request(actor=users["C_editor"], prospect=prospects["B"], language="en")
    share_revoke(
        actor=users["B_manager"],
        share=ProspectShare.objects.get(prospect=prospects["B"], partner=world.partners["C"]),
    )
    # A message naming A's manager for B's deck: refused, B's deck left as it is.
    deck_render_task.delay(decks["B"].pk, users["A_manager"].pk)
    sent = len(decks) + 2

    waiting = redis_text(redis_server.url)
    # The scan reads the messages: each names its task and its deck's id.
    assert waiting.count('"task": "promotion.deck_render"') == sent, waiting[:2000]
    for deck in [*decks.values(), b_deck_for_c]:
        assert f"[[{deck.pk}, " in waiting, (deck.pk, waiting[:2000])
    leaks = find_leaks(waiting, everything)
    assert not leaks, f"queued messages: {leaks[:5]}"

    harness.start_worker()
    done = _wait([*decks.values(), b_deck_for_c], harness, timeout=120)
    deadline = time.monotonic() + 30
    while len(_results(redis_server.url)) < sent and time.monotonic() < deadline:
        time.sleep(0.2)  # a result is stored just after its deck's row is committed
    assert len(_results(redis_server.url)) == sent

    by_key = dict(zip([*decks, "B-for-C"], done, strict=True))
    for key in decks:
        assert by_key[key].status == DeckStatus.READY, (key, by_key[key].error)
    assert by_key["B"].attempts == 1  # rendered once: the wrong message did nothing
    assert by_key["CC"].identity_shown is False and by_key["BS"].identity_shown is True
    refused = by_key["B-for-C"]
    assert (refused.status, refused.error) == (DeckStatus.FAILED, ERROR_NOT_VISIBLE)
    assert not refused.file

    after = redis_text(redis_server.url)
    assert "celery-task-meta-" in after and '"args": [' in after, after[:2000]
    leaks = find_leaks(after, everything)
    assert not leaks, f"broker and results after the run: {leaks[:5]}"
    log = "\n".join(w.log.read_text(errors="replace") for w in harness.workers)
    assert "promotion.deck_render" in log and "succeeded" in log, log[-2000:]
    leaks = find_leaks(log, everything)
    assert not leaks, f"worker log: {leaks[:5]}"
    names = "\n".join(harness.all_deck_files())
    assert names.count(".pdf") >= len(decks)
    leaks = find_leaks(names, everything)
    assert not leaks, f"file names in storage: {leaks[:5]}"
    for key, deck in by_key.items():
        if deck.file:
            with deck.file.open("rb") as handle:
                pdf = handle.read()
            assert_no_leak(pdf, deck.requested_by, world=world, where=f"worker's deck {key}")

    # And the scan would see a canary sent as a task's argument, in the base64 body.
    canary = next(c for c in world.book.of("B") if c.field == "company_name")
    queue = f"leak-probe-{uuid.uuid4().hex[:8]}"
    current_app.send_task("promotion.leak_probe", args=[canary.text], queue=queue)
    found = find_leaks(redis_text(redis_server.url), everything)
    assert [c for c, _context in found] == [canary]
