"""Serializers of the pitch-deck API.

A deck is described by ids, status and dates only: never the company, so the same JSON is
safe for staff who may see the prospect's codename only. Whether the PDF may be downloaded
comes from ``deck_downloadable_by`` (annotated by the view as ``downloadable``), whether it
is stale from ``stale_deck_ids`` (given by the view in the context as ``stale_ids``).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from promotion.models import DeckStatus, Language, PitchDeck
from promotion.selectors.decks import deck_downloadable_by, stale_deck_ids


class DeckRequestSerializer(serializers.Serializer):
    """The body of a POST to ``prospects/{id}/decks/``."""

    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text=_("en or es; by default the prospect's language."),
        error_messages={
            "invalid_choice": _('"{input}" is not a deck language: use "en" or "es".'),
        },
    )


class PitchDeckSerializer(serializers.ModelSerializer):
    """A deck's status. ``download_url`` is null until the deck is ready, and stays null
    for a user who may not download it (a deck that prints the company, for staff who may
    see the codename only)."""

    url = serializers.SerializerMethodField(help_text=_("This deck's status."))
    prospect = serializers.IntegerField(source="prospect_id", read_only=True)
    error = serializers.SerializerMethodField(
        help_text=_("Why the deck failed, in words staff can act on; null otherwise.")
    )
    identity_shown = serializers.SerializerMethodField(
        help_text=_("Whether the PDF prints the company name; null until the deck is ready.")
    )
    stale = serializers.SerializerMethodField(
        help_text=_("Whether a fact the deck printed changed or was held back since.")
    )
    download_url = serializers.SerializerMethodField(
        help_text=_("The PDF, once the deck is ready and if you may download it; else null.")
    )

    class Meta:
        model = PitchDeck
        fields = [
            "id",
            "url",
            "prospect",
            "language",
            "status",
            "error",
            "page_count",
            "identity_shown",
            "requested_at",
            "finished_at",
            "stale",
            "download_url",
        ]
        read_only_fields = fields

    def _absolute(self, name: str, deck: PitchDeck) -> str:
        path = reverse(f"promotion_api:{name}", args=[deck.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, deck: PitchDeck) -> str:
        return self._absolute("deck-detail", deck)

    def get_error(self, deck: PitchDeck) -> str | None:
        return deck.error or None

    def get_identity_shown(self, deck: PitchDeck) -> bool | None:
        return deck.identity_shown if deck.status == DeckStatus.READY else None

    def get_stale(self, deck: PitchDeck) -> bool:
        stale = self.context.get("stale_ids")
        if stale is None:  # not given by the view: ask for this deck alone
            stale = stale_deck_ids(decks=[deck])
        return deck.pk in stale

    def get_download_url(self, deck: PitchDeck) -> str | None:
        downloadable = getattr(deck, "downloadable", None)
        if downloadable is None:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            downloadable = deck_downloadable_by(user=user).filter(pk=deck.pk).exists()
        return self._absolute("deck-download", deck) if downloadable else None
