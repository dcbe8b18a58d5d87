"""Pages of the app: the pitch-deck download, and the share links' pages."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from promotion import security
from promotion.embed import embed_language, frame_ancestors, frameable
from promotion.models import PitchDeck
from promotion.selectors.decks import deck_downloadable_by
from promotion.services.sharing import ShareLinkInvalid, share_link_open, share_link_resolve


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


@security.content_security_policy(security.DOCUMENT)
def deck_download(request: HttpRequest, pk: int) -> FileResponse:
    """The deck's PDF as an attachment; 404 for anyone who may not download it."""
    return deck_file_response(get_object_or_404(deck_downloadable_by(user=request.user), pk=pk))


# ---------------------------------------------------------------------------- share links

# The languages a share page speaks, the deck's first.
SHARE_LANGUAGES = ("en", "es")


def _share_headers(response: HttpResponseBase, language: str) -> HttpResponseBase:
    # The token is in the address: not kept by caches, not sent on to other sites as a
    # referrer, not indexed.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Language"] = language
    return response


def _share_invalid(request: HttpRequest, *, gone: bool) -> HttpResponse:
    """One page for every link that does not work: 410 for a link that existed (revoked,
    expired, its deck no longer ready), 404 for one not recognised. The page is the same,
    and names no deck, prospect or partner."""
    language = embed_language(None)
    languages = [language, *(code for code in SHARE_LANGUAGES if code != language)]
    with translation.override(language):
        response = render(
            request,
            "promotion/share/invalid.html",
            {"languages": languages},
            status=410 if gone else 404,
        )
    return _share_headers(response, language)


@frameable
@security.content_security_policy(security.DOCUMENT, frame_ancestors=frame_ancestors)
@require_safe
def share_link(request: HttpRequest, token: str) -> HttpResponse:
    """A share link's page: the deck, who sends it, its date and a download button, in
    the deck's language first and the other one after. A GET counts as an opening
    (``share_link_open``); a HEAD (link previews, checkers) does not."""
    try:
        if request.method == "GET":
            link = share_link_open(signed_token=token)
        else:
            link = share_link_resolve(signed_token=token)
    except ShareLinkInvalid as invalid:
        return _share_invalid(request, gone=invalid.gone)
    deck = link.deck
    prospect = deck.prospect
    language = embed_language(deck.language)
    languages = [language, *(code for code in SHARE_LANGUAGES if code != language)]
    partner = prospect.partner
    context = {
        "link": link,
        "parts": [
            {
                "language": code,
                "partner_name": (partner.name_es if code == "es" else "") or partner.name,
            }
            for code in languages
        ],
        # The deck's recipient is the prospect: its company is named only where the deck
        # prints it. Never the codename, which is the partner's internal name for it.
        "company": prospect.company_name if deck.identity_shown else "",
        "region": partner.region,
        "deck_date": deck.finished_at or deck.requested_at,
        "page_count": deck.page_count,
        "expires_at": link.expires_at,
        "download_url": reverse("promotion:share-link-download", args=[token]),
    }
    with translation.override(language):
        response = render(request, "promotion/share/page.html", context)
    return _share_headers(response, language)


@security.content_security_policy(security.DOCUMENT)
@require_safe
def share_link_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The shared deck's PDF, as the staff download answers it. Not counted as an
    opening: the page it is offered on was."""
    try:
        link = share_link_resolve(signed_token=token)
    except ShareLinkInvalid as invalid:
        return _share_invalid(request, gone=invalid.gone)
    return _share_headers(deck_file_response(link.deck), link.deck.language)
