"""Share links in the API: list and create a deck's links, revoke one.

- ``decks/{id}/share-links/``: GET lists the deck's links with their opens (the owner
  partner's staff; anyone else who sees the deck gets an empty list); POST
  ``{"days": n}`` (optional, ``SHARE_LINK_DAYS`` by default) creates one: 201 with the
  link and its ``share_url``, which is given this once and never again (only a hash of
  its token is stored). Managers of the owner partner only (403), ready decks only (400).
- ``share-links/{id}/revoke/``: POST ends a link now (managers of the owner partner).

The deck comes from ``deck_visible_to`` and the links from ``share_link_visible_to``:
another partner's deck or link is a 404, exactly like a missing id.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from promotion.api.crm import ProspectPagination, api_errors
from promotion.models import PitchDeck, ShareLink
from promotion.selectors.decks import deck_visible_to
from promotion.selectors.sharing import share_link_visible_to
from promotion.services.sharing import share_link_create, share_link_path, share_link_revoke

REFUSED = _("Only the owner partner's managers may share this deck or revoke its links.")


class ShareLinkSerializer(serializers.ModelSerializer):
    """A share link's dates and opens; never its token, which is not stored."""

    active = serializers.SerializerMethodField(
        help_text=_("Neither revoked nor expired (the deck must still be ready too).")
    )

    class Meta:
        model = ShareLink
        fields = [
            "id",
            "deck",
            "created_at",
            "expires_at",
            "revoked_at",
            "active",
            "first_opened_at",
            "last_opened_at",
            "open_count",
        ]
        read_only_fields = fields

    def get_active(self, obj: ShareLink) -> bool:
        return obj.is_active()


class ShareLinkCreateSerializer(serializers.Serializer):
    """The body of a POST to ``decks/{id}/share-links/``."""

    days = serializers.IntegerField(
        required=False,
        help_text=_("How many days the link works; by default SHARE_LINK_DAYS."),
    )


class DeckShareLinkList(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = ProspectPagination
    serializer_class = ShareLinkSerializer

    def get_deck(self) -> PitchDeck:
        return generics.get_object_or_404(
            deck_visible_to(user=self.request.user), pk=self.kwargs["pk"]
        )

    def get_queryset(self) -> QuerySet[ShareLink]:
        return share_link_visible_to(user=self.request.user).filter(deck=self.get_deck())

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ShareLinkSerializer(page, many=True).data)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deck = self.get_deck()
        body = ShareLinkCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with api_errors():
                link, token = share_link_create(
                    actor=request.user, deck=deck, days=body.validated_data.get("days")
                )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(REFUSED) from exc
        data = dict(ShareLinkSerializer(link).data)
        data["share_url"] = request.build_absolute_uri(share_link_path(token))
        response = Response(data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "private, no-store"  # it carries the link's token
        return response


class ShareLinkRevoke(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ShareLinkSerializer

    def get_queryset(self) -> QuerySet[ShareLink]:
        return share_link_visible_to(user=self.request.user)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        link = self.get_object()
        try:
            share_link_revoke(actor=request.user, link=link)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(REFUSED) from exc
        return Response(ShareLinkSerializer(link).data)
