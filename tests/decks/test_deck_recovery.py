"""Decks whose task message was lost are found and sent again (services/deck_recovery.py).

The real-broker half (Redis restarted without persistence, then the recovery) is in
tests/decks/test_chaos.py; here the sending is recorded instead.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from promotion.models import DeckStatus, PitchDeck
from promotion.services.deck_recovery import deck_resend, deck_stale
from promotion.tasks import deck_render_task, deck_resend_stale_task
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls: list[tuple[int, int | None]] = []
    monkeypatch.setattr(deck_render_task, "delay", lambda *args: calls.append(args))
    return calls


def deck(*, status, minutes_ago, started_minutes_ago=None, language="en", user=None):
    now = timezone.now()
    prospect = factories.ProspectFactory()
    return PitchDeck.objects.create(
        prospect=prospect,
        language=language,
        status=status,
        requested_by=user,
        requested_at=now - timedelta(minutes=minutes_ago),
        started_at=(
            None if started_minutes_ago is None else now - timedelta(minutes=started_minutes_ago)
        ),
    )


@pytest.fixture
def decks():
    user = factories.UserFactory()
    return {
        "old queued": deck(status=DeckStatus.QUEUED, minutes_ago=30, user=user),
        "fresh queued": deck(status=DeckStatus.QUEUED, minutes_ago=2),
        "old rendering": deck(status=DeckStatus.RENDERING, minutes_ago=40, started_minutes_ago=20),
        # Waited long in the queue, but its render started a moment ago: not stale.
        "busy rendering": deck(status=DeckStatus.RENDERING, minutes_ago=40, started_minutes_ago=1),
        "old ready": deck(status=DeckStatus.READY, minutes_ago=60, started_minutes_ago=59),
        "old failed": deck(status=DeckStatus.FAILED, minutes_ago=60, started_minutes_ago=59),
    }


def test_stale_decks_are_the_queued_and_rendering_ones_past_the_limit(decks):
    stale = set(deck_stale(older_than=timedelta(minutes=15)))
    assert stale == {decks["old queued"], decks["old rendering"]}


def test_resend_sends_each_stale_deck_once_with_its_requester(decks, sent):
    resent = deck_resend(older_than=timedelta(minutes=15))
    assert [d.pk for d in resent] == sorted([decks["old queued"].pk, decks["old rendering"].pk])
    assert sorted(sent) == sorted(
        [
            (decks["old queued"].pk, decks["old queued"].requested_by_id),
            (decks["old rendering"].pk, None),
        ]
    )
    by_pk = {d.pk: d for d in resent}
    assert by_pk[decks["old rendering"].pk].since == decks["old rendering"].started_at
    assert by_pk[decks["old queued"].pk].since == decks["old queued"].requested_at
    # Nothing in the rows changes: the task moves them on.
    assert PitchDeck.objects.get(pk=decks["old queued"].pk).status == DeckStatus.QUEUED


def test_the_default_age_is_the_setting(decks, sent):
    with override_settings(PROMOTION={"DECK_RESEND_AFTER_MINUTES": 45}):
        assert deck_resend() == []
    with override_settings(PROMOTION={"DECK_RESEND_AFTER_MINUTES": 0.5}):
        assert len(deck_resend()) == 4  # the fresh queued and the busy rendering one too
    assert deck_resend_stale_task() == 2  # the default: 15 minutes


def test_the_command_lists_and_sends_or_only_lists(decks, sent):
    out = io.StringIO()
    call_command("promotion_deck_resend", "--dry-run", stdout=out)
    assert sent == []
    text = out.getvalue()
    assert f"deck {decks['old queued'].pk}: queued since" in text
    assert f"deck {decks['old rendering'].pk}: rendering since" in text
    assert "Would send 2 deck(s) again (queued or rendering for over 15 min)." in text
    assert decks["old queued"].prospect.company_name not in text

    out = io.StringIO()
    call_command("promotion_deck_resend", "--older-than", "1.5", stdout=out)
    assert len(sent) == 3 and "Sent 3 deck(s) again" in out.getvalue()


def test_a_bad_age_is_a_system_check_error():
    with override_settings(PROMOTION={"DECK_RESEND_AFTER_MINUTES": "soon"}):
        ids = {message.id for message in run_checks()}
    assert "promotion.E012" in ids
