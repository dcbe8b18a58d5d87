"""Re-send decks whose task message was lost: the database, not the broker, is the truth.

A deck is requested as a ``PitchDeck`` row (queued) plus a message to the broker. Late
acknowledgement keeps the message while a worker renders, and Redis hands back a message
whose worker died once its visibility timeout runs out; but a broker that restarts without
persistence (Redis with ``appendonly no``), a broker that could not be reached when the
deck was requested, or an operator who purged the queue leaves the row waiting with no
message. ``deck_resend`` finds such decks (queued, or rendering, for longer than
``PROMOTION["DECK_RESEND_AFTER_MINUTES"]``) and sends their task again. That is safe
because the task is idempotent: a copy that finds the deck ready or failed does nothing,
two copies at once leave one file, and every attempt counts towards the cap, so a deck
that cannot be built still ends failed.

Run it with ``promotion_deck_resend`` after a broker outage, or every few minutes from
Celery beat (the ``promotion.deck_resend_stale`` task).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from promotion.conf import promotion_settings
from promotion.models import DeckStatus, PitchDeck

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaleDeck:
    pk: int
    status: str
    since: datetime  # requested (queued) or started (rendering)
    requested_by_id: int | None


def deck_stale(*, older_than: timedelta, now: datetime | None = None) -> QuerySet[PitchDeck]:
    """Decks queued since before ``now - older_than``, or rendering since then (a render
    ends within the task's hard time limit, so one still rendering has lost its worker)."""
    cutoff = (now or timezone.now()) - older_than
    return PitchDeck.objects.filter(
        Q(status=DeckStatus.QUEUED, requested_at__lt=cutoff)
        | Q(status=DeckStatus.RENDERING, started_at__lt=cutoff)
        | Q(status=DeckStatus.RENDERING, started_at__isnull=True, requested_at__lt=cutoff)
    ).order_by("pk")


def deck_resend(*, older_than: timedelta | None = None, dry_run: bool = False) -> list[StaleDeck]:
    """Send the render task again for every stale deck (``deck_stale``); returns them.

    ``older_than`` defaults to ``PROMOTION["DECK_RESEND_AFTER_MINUTES"]``. Keep it above
    the broker's visibility timeout plus the task's hard time limit plus kombu's restore
    sweep (about 100 s), so a deck that Redis will hand back by itself is not sent twice
    (twice would still be harmless), and above the longest a deck waits in the queue at
    the busiest time. ``dry_run`` only lists them.
    """
    if older_than is None:
        older_than = timedelta(minutes=promotion_settings.DECK_RESEND_AFTER_MINUTES)
    stale = [
        StaleDeck(
            pk=deck.pk,
            status=deck.status,
            since=(
                deck.started_at
                if deck.status == DeckStatus.RENDERING and deck.started_at
                else deck.requested_at
            ),
            requested_by_id=deck.requested_by_id,
        )
        for deck in deck_stale(older_than=older_than).only(
            "pk", "status", "started_at", "requested_at", "requested_by_id"
        )
    ]
    if dry_run or not stale:
        return stale
    from promotion.tasks import deck_render_task

    for deck in stale:
        # The rows are committed already: nothing to wait for before sending.
        deck_render_task.delay(deck.pk, deck.requested_by_id)
    logger.warning(
        "Re-sent %s deck(s) whose task was lost: %s",
        len(stale),
        ", ".join(str(deck.pk) for deck in stale),
    )
    return stale
