"""Who may see and download pitch decks, and which decks are stale.

Decks inherit access from their prospect (``promotion.selectors.crm``): a deck is seen by
whoever sees its prospect, and downloaded by whoever sees it, once it is ready, unless it
prints the company name (``identity_shown``) and the user may see the codename only.
Admin, pages and API all start from these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Max, Q, QuerySet

from promotion.models import DeckStatus, Fact, FactStatus, PitchDeck
from promotion.selectors.crm import prospect_identified_for, prospect_visible_to


def deck_visible_to(*, user: Any) -> QuerySet[PitchDeck]:
    """Decks of the prospects the user sees, in any status; downloads are narrower."""
    return PitchDeck.objects.filter(prospect__in=prospect_visible_to(user=user))


def deck_downloadable_by(*, user: Any) -> QuerySet[PitchDeck]:
    """Ready decks the user may download: of prospects the user sees, and a deck that
    prints the company only where the user may see the company."""
    codename_only = (
        prospect_visible_to(user=user)
        .exclude(pk__in=prospect_identified_for(user=user).values("pk"))
        .values("pk")
    )
    return (
        deck_visible_to(user=user)
        .filter(status=DeckStatus.READY)
        .exclude(file="")
        .exclude(identity_shown=True, prospect__in=codename_only)
    )


def with_deck_downloadable(queryset: QuerySet[PitchDeck], *, user: Any) -> QuerySet[PitchDeck]:
    """Annotate ``downloadable`` (``deck_downloadable_by`` for every row) in the same
    query, so a list never asks per row whether to offer the PDF."""
    return queryset.annotate(
        downloadable=ExpressionWrapper(
            Q(pk__in=deck_downloadable_by(user=user).values("pk")),
            output_field=BooleanField(),
        )
    )


def fact_versions(*, fact_ids: list[int]) -> dict[str, int | None]:
    """The latest history id of each fact (``PitchDeck.facts_used``'s shape), one query."""
    latest = dict(
        Fact.history.filter(id__in=fact_ids)
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("id", "last")
    )
    return {str(pk): latest.get(pk) for pk in fact_ids}


def stale_deck_ids(*, decks: Iterable[PitchDeck]) -> set[int]:
    """The ids of the ready decks among ``decks`` that printed a fact which changed (or
    was held back) since: ``deck_changed_facts`` for many decks in two queries."""
    recorded = {
        deck.pk: {int(pk): version for pk, version in deck.facts_used.items()}
        for deck in decks
        if deck.status == DeckStatus.READY and deck.facts_used
    }
    fact_ids = sorted({pk for used in recorded.values() for pk in used})
    if not fact_ids:
        return set()
    latest = fact_versions(fact_ids=fact_ids)
    held = set(
        Fact.objects.filter(pk__in=fact_ids)
        .exclude(status=FactStatus.PUBLISHED)
        .values_list("pk", flat=True)
    )
    return {
        deck_id
        for deck_id, used in recorded.items()
        if any(pk in held or latest.get(str(pk)) != version for pk, version in used.items())
    }
