"""Decks rendered by a real Celery worker on Redis, including workers killed mid-render.

Each test starts ``celery worker --pool prefork --concurrency 2`` (tests/decks/worker.py)
on the test's PostgreSQL database, so the rows are committed (``transaction=True``) and
the task is sent on commit, as in production. Needs PostgreSQL (``DATABASE_URL``) and Redis
(``PROMOTION_TEST_REDIS_URL``, db 13 by default): skipped with the reason when one is
missing, except under ``CI``, where that fails.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.urls import reverse

from promotion.models import DeckStatus, Partner, PitchDeck
from promotion.services.decks import ERROR_TOO_MANY_ATTEMPTS, MAX_ATTEMPTS, deck_request
from promotion.tasks import deck_render_task
from tests import factories
from tests.decks.conftest import pdf_text
from tests.decks.harness import (
    Harness,
    missing_postgres,
    missing_redis,
    open_harness,
    skip_or_fail,
)
from tests.decks.worker import (
    KILL_ALWAYS,
    REDIS_URL,
    SLOW_ONCE,
    TIME_LIMIT,
    VISIBILITY_TIMEOUT,
    Worker,
    parent_pid,
    wait_for_file,
)

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TERMINAL = (DeckStatus.READY, DeckStatus.FAILED)


@pytest.fixture(scope="session", autouse=True)  # session: before the test database is set up
def _services() -> None:
    """Skip without PostgreSQL or Redis; under CI a missing service is a failure."""
    skip_or_fail(missing_postgres() or missing_redis(REDIS_URL))


@pytest.fixture
def harness(tmp_path, settings, monkeypatch, eager_celery) -> Iterator[Harness]:
    with open_harness(
        tmp_path=tmp_path,
        settings=settings,
        monkeypatch=monkeypatch,
        eager_celery=eager_celery,
        redis_url=REDIS_URL,
    ) as state:
        yield state


def wait_for_deck(deck: PitchDeck, worker: Worker, *, timeout: float) -> PitchDeck:
    """The deck once it is ready or failed; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        deck = PitchDeck.objects.get(pk=deck.pk)
        if deck.status in TERMINAL:
            return deck
        worker.check_alive()
        if time.monotonic() > deadline:
            raise AssertionError(
                f"deck {deck.pk} is still {deck.status} (attempts {deck.attempts}) after "
                f"{timeout} s\n{worker.log_tail()}"
            )
        time.sleep(0.1)


def download(client, user, deck: PitchDeck) -> bytes:
    client.force_login(user)
    response = client.get(reverse("promotion:deck-download", args=[deck.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    response.close()
    return data


@pytest.fixture
def owner_partner(region) -> Partner:
    """A partner of a small factory region: loading the Cali-Baja data set for each test
    (rows committed, then flushed) would cost several seconds a test, for nothing here."""
    return factories.PartnerFactory(region=region)


@pytest.fixture
def other_partner(region) -> Partner:
    return factories.PartnerFactory(region=region)


def test_a_worker_renders_requested_decks_for_download(
    harness, owner_partner, other_partner, owner, prospect, client
):
    secret = factories.ProspectFactory(partner=owner_partner, company_name="Hidden Motors S.A.")
    factories.ProspectShareFactory(prospect=secret, partner=other_partner, reveal_identity=False)
    viewer = factories.UserFactory(username="codename-only")
    factories.PartnerMembershipFactory(user=viewer, partner=other_partner)
    worker = harness.start_worker()

    # Each request commits, and the task goes to Redis on commit.
    named = deck_request(actor=owner, prospect=prospect, language="en")
    coded = deck_request(actor=viewer, prospect=secret, language="es")
    named = wait_for_deck(named, worker, timeout=60)
    coded = wait_for_deck(coded, worker, timeout=60)

    assert named.status == DeckStatus.READY, named.error
    assert named.attempts == 1 and named.identity_shown
    text = pdf_text(download(client, owner, named))
    assert 'AT&T <Labs> "R&D"' in text
    assert coded.status == DeckStatus.READY, coded.error
    assert coded.attempts == 1 and not coded.identity_shown
    text = pdf_text(download(client, viewer, coded))
    assert secret.codename in text and "Preparado para" in text
    assert "Hidden Motors" not in text


def test_a_child_killed_mid_render_leaves_the_deck_ready_once(
    harness, owner_partner, owner, client
):
    prospect = factories.ProspectFactory(
        partner=owner_partner, company_name=f"Slow Robotics {SLOW_ONCE}"
    )
    worker = harness.start_worker()
    deck = deck_request(actor=owner, prospect=prospect, language="en")

    child = int(wait_for_file(harness.faults / f"{prospect.pk}.pid", worker, timeout=30))
    rendering = PitchDeck.objects.get(pk=deck.pk)
    assert (rendering.status, rendering.attempts) == (DeckStatus.RENDERING, 1)
    worker.kill_child(child)

    deck = wait_for_deck(deck, worker, timeout=30)
    assert deck.status == DeckStatus.READY, deck.error
    assert deck.attempts == 2  # the killed attempt and the redelivered one
    assert harness.deck_files(prospect) == [deck.file.name]
    data = download(client, owner, deck)
    assert hashlib.sha256(data).hexdigest() == deck.sha256
    assert "Slow Robotics" in pdf_text(data)
    assert "WorkerLostError" in worker.log.read_text(errors="replace")


def test_a_deck_that_kills_every_child_fails_and_the_others_finish(
    harness, owner_partner, owner, prospect
):
    doomed_prospect = factories.ProspectFactory(
        partner=owner_partner, company_name=f"Crashing Co {KILL_ALWAYS}"
    )
    worker = harness.start_worker()
    with transaction.atomic():  # both tasks go out together, at commit
        doomed = deck_request(actor=owner, prospect=doomed_prospect, language="en")
        fine = deck_request(actor=owner, prospect=prospect, language="en")

    fine = wait_for_deck(fine, worker, timeout=30)
    doomed = wait_for_deck(doomed, worker, timeout=60)
    assert fine.status == DeckStatus.READY, fine.error
    assert fine.attempts == 1 and harness.deck_files(prospect) == [fine.file.name]
    assert doomed.status == DeckStatus.FAILED
    assert doomed.attempts == MAX_ATTEMPTS
    assert doomed.error == ERROR_TOO_MANY_ATTEMPTS % {"n": MAX_ATTEMPTS}
    assert not doomed.file and harness.deck_files(doomed_prospect) == []
    killed = (harness.faults / f"{doomed_prospect.pk}.killed").read_text().split()
    assert len(killed) == MAX_ATTEMPTS == len(set(killed))  # a new child each time
    worker.check_alive()  # the worker itself carries on


def test_a_deck_lost_with_its_whole_worker_comes_back_after_the_visibility_timeout(
    harness, owner_partner, owner
):
    prospect = factories.ProspectFactory(
        partner=owner_partner, company_name=f"Lost Freight {SLOW_ONCE}"
    )
    # As in production, a render ends (hard time limit) before Redis would hand it out again.
    assert deck_render_task.time_limit == TIME_LIMIT < VISIBILITY_TIMEOUT
    first = harness.start_worker()
    deck = deck_request(actor=owner, prospect=prospect, language="en")
    child = int(wait_for_file(harness.faults / f"{prospect.pk}.pid", first, timeout=30))
    assert parent_pid(child) == first.pid

    first.kill()  # SIGKILL to the whole process group: nothing acknowledges or rejects
    killed_at = time.monotonic()
    assert parent_pid(child) is None
    lost = PitchDeck.objects.get(pk=deck.pk)
    assert (lost.status, lost.attempts) == (DeckStatus.RENDERING, 1)

    second = harness.start_worker()
    deck = wait_for_deck(deck, second, timeout=VISIBILITY_TIMEOUT + 30)
    waited = time.monotonic() - killed_at
    assert deck.status == DeckStatus.READY, deck.error
    assert deck.attempts == 2
    assert harness.deck_files(prospect) == [deck.file.name]
    # Redis gave the message back once the visibility timeout ran out, not before.
    assert waited > VISIBILITY_TIMEOUT / 2, waited


def _worker_connections() -> list[int]:
    """The backend pids of the other sessions on the test database: the worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def test_connections_are_kept_between_decks_and_a_dropped_one_is_replaced(
    harness, owner_partner, owner
):
    prospects = [factories.ProspectFactory(partner=owner_partner) for _ in range(5)]
    worker = harness.start_worker()
    first = wait_for_deck(deck_request(actor=owner, prospect=prospects[0]), worker, timeout=60)
    assert first.status == DeckStatus.READY, first.error
    time.sleep(0.5)  # past the task's end: Celery's fixup would have closed it by now
    kept = _worker_connections()
    assert kept, "the worker closed its database connection after the task"

    # The server drops them (a restart, a failover, an idle timeout)...
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", [kept])
    # ...and the next decks still render, none retried: the health check before a task's
    # first query reconnects, rather than the task failing on the dead connection.
    with transaction.atomic():
        decks = [deck_request(actor=owner, prospect=p) for p in prospects[1:]]
    for deck in decks:
        deck = wait_for_deck(deck, worker, timeout=60)
        assert deck.status == DeckStatus.READY, deck.error
        assert deck.attempts == 1
    log = worker.log.read_text(errors="replace")
    assert "OperationalError" not in log and " retry: " not in log, worker.log_tail()
    assert not set(kept) & set(_worker_connections())
