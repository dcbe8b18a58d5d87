"""Pages of the app: the pitch-deck download."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from promotion.models import PitchDeck
from promotion.selectors.decks import deck_downloadable_by


def deck_file_response(deck: PitchDeck) -> FileResponse:
    """The deck's PDF as a private, never cached attachment (this page and the API's
    ``decks/{id}/download/`` both answer with it). Its name carries no company."""
    if not deck.file:
        raise Http404
    name = f"deck-{deck.pk}-{deck.language}.pdf"
    response = FileResponse(
        deck.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def deck_download(request: HttpRequest, pk: int) -> FileResponse:
    """The deck's PDF as an attachment; 404 for anyone who may not download it."""
    return deck_file_response(get_object_or_404(deck_downloadable_by(user=request.user), pk=pk))
