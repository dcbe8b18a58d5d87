"""Celery tasks: thin, taking ids, each calling one service.

Reliability (see the deployment notes): late acknowledgement and rejection on a lost
worker, so a worker killed mid-render does not lose the deck; ``deck_render`` caps the
attempts (``MAX_ATTEMPTS``), so a deck that kills its worker every time ends failed; only
transient database errors are retried, with exponential backoff, and a deck whose retries
are used up ends failed with a message.

Time limits: a deck renders in well under a second, so the soft limit (60 s, the deck
then fails with a message) and the hard limit (90 s, the child is replaced and the
message redelivered, counted against the attempts) stay below the broker's visibility
timeout (Redis default: 1 h; the example deployment sets 300 s). A deck lost with its
worker comes back after that timeout plus kombu's restore sweep (about 100 s by default).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="promotion.deck_render",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # Celery acknowledges a message whose task hit the hard time limit unless told not to:
    # the deck would stay "rendering" for good. Requeued, the attempt cap ends it.
    acks_on_failure_or_timeout=False,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def deck_render_task(self: Any, deck_id: int, user_id: Any) -> int:
    from promotion.services.decks import deck_render

    try:
        return deck_render(deck_id=deck_id, user_id=user_id).pk
    except (OperationalError, InterfaceError) as exc:
        if self.request.retries >= self.max_retries:
            # Retries used up: fail the deck with a message rather than leave it
            # "rendering" for good. If even that cannot reach the database, re-raise.
            from promotion.services.decks import deck_give_up

            return deck_give_up(deck_id=deck_id, error=exc, tries=self.request.retries + 1).pk
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc


@shared_task(name="promotion.deck_resend_stale")
def deck_resend_stale_task() -> int:
    """Send again the decks whose message was lost (``promotion.services.deck_recovery``);
    schedule it with Celery beat every few minutes. Returns how many were sent."""
    from promotion.services.deck_recovery import deck_resend

    return len(deck_resend())
