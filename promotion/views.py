"""Pages of the app: the pitch-deck download."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from promotion.models import DeckStatus, PitchDeck
from promotion.selectors.crm import prospect_identified_for, prospect_visible_to


def decks_downloadable_by(*, user: Any) -> QuerySet[PitchDeck]:
    """Ready decks the user may download: of prospects the user sees, and a deck that
    prints the company only where the user may see the company."""
    return PitchDeck.objects.filter(
        status=DeckStatus.READY, prospect__in=prospect_visible_to(user=user)
    ).exclude(identity_shown=True, prospect__in=_hidden(user))


def _hidden(user: Any) -> QuerySet[Any]:
    return (
        prospect_visible_to(user=user)
        .exclude(pk__in=prospect_identified_for(user=user).values("pk"))
        .values("pk")
    )


def deck_download(request: HttpRequest, pk: int) -> FileResponse:
    """The deck's PDF as an attachment; 404 for anyone who may not see it."""
    deck = get_object_or_404(decks_downloadable_by(user=request.user), pk=pk)
    if not deck.file:
        raise Http404
    name = f"deck-{deck.pk}-{deck.language}.pdf"
    response = FileResponse(
        deck.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
