"""A deck never stays "rendering" for good: every way a render can end leaves it ready or
failed, with a message a person can act on and without the error's own text."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.models.fields.files import FieldFile

from promotion.decks.renderer import DeckRenderer
from promotion.models import DeckStatus, PitchDeck
from promotion.services.decks import deck_render, deck_request
from promotion.tasks import deck_render_task

pytestmark = pytest.mark.django_db

SECRET = "db.internal:5432 password=hunter2"


class UnreachableRenderer(DeckRenderer):
    def render(self, **kwargs):
        raise OperationalError(f"connection to server at {SECRET} failed")


class Retried(Exception):
    pass


def deliver(deck, user, retries):
    """Run the task as a worker runs its ``retries``-th redelivery (``self.retry`` stubbed:
    the test plays the broker)."""
    deck_render_task.push_request(retries=retries, is_eager=False)
    try:
        return deck_render_task.run(deck.pk, user.pk)
    finally:
        deck_render_task.pop_request()


def test_a_deck_whose_retries_are_used_up_ends_failed(prospect, owner, settings, monkeypatch):
    settings.PROMOTION = {"DECK_RENDERER": "tests.decks.test_deck_failures.UnreachableRenderer"}
    monkeypatch.setattr(deck_render_task, "retry", lambda **kwargs: Retried())
    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    for retries in range(deck_render_task.max_retries):
        with pytest.raises(Retried):
            deliver(deck, owner, retries)
        deck.refresh_from_db()
        assert deck.status == DeckStatus.RENDERING
    assert deliver(deck, owner, deck_render_task.max_retries) == deck.pk
    deck.refresh_from_db()
    assert deck.status == DeckStatus.FAILED
    assert "could not be reached" in deck.error and "OperationalError" in deck.error
    assert SECRET not in deck.error and deck.finished_at is not None
    # Failed, it no longer blocks a new request.
    assert deck_request(actor=owner, prospect=prospect, language="en", enqueue=False).pk != deck.pk


def test_a_storage_error_fails_the_deck_with_a_message(prospect, owner, monkeypatch):
    def refuse(self, name, content, save=True):
        raise OSError(28, f"No space left on device: /srv/{SECRET}")

    monkeypatch.setattr(FieldFile, "save", refuse)
    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    deck = deck_render(deck_id=deck.pk, user_id=owner.pk)
    assert deck.status == DeckStatus.FAILED
    assert "could not be saved to the deck storage (OSError)" in deck.error
    assert SECRET not in deck.error and "AT&T" not in deck.error
    row = PitchDeck.objects.get(pk=deck.pk)
    assert row.status == DeckStatus.FAILED and not row.file and not row.facts.exists()


def test_a_transient_storage_or_database_error_is_retried_then_renders(
    prospect, owner, monkeypatch
):
    from promotion.services import decks

    real = decks._finish
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(decks, "_finish", flaky)
    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    deck_render_task.apply(args=(deck.pk, owner.pk), throw=False)
    deck.refresh_from_db()
    assert deck.status == DeckStatus.READY and deck.attempts == 2 and len(calls) == 2
