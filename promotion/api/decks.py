"""The pitch-deck API: request a deck of a prospect, follow its status, download the PDF.

Thin callers, like ``promotion.api.crm``: the prospect comes from ``prospect_visible_to``
and the decks from ``deck_visible_to`` (another partner's prospect or deck is a 404,
exactly like a missing id); the PDF from ``deck_downloadable_by``; a request goes through
the service ``deck_request``, which decides who may ask (viewers may not: 403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, generics, mixins, permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from promotion.api.base import PromotionAPIMixin, api_schema
from promotion.api.crm import api_errors
from promotion.api.deck_serializers import DeckRequestSerializer, PitchDeckSerializer
from promotion.api.filters import DeckFilter
from promotion.models import PitchDeck, Prospect
from promotion.selectors.crm import prospect_visible_to
from promotion.selectors.decks import (
    deck_downloadable_by,
    deck_visible_to,
    stale_deck_ids,
    with_deck_downloadable,
)
from promotion.services.decks import deck_request
from promotion.views import deck_file_response

REQUEST_REFUSED = _(
    "Only editors and managers of a partner that sees this prospect may request its decks."
)


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client send ``Accept: application/pdf`` to ``download/``; the view answers
    with the file itself, so nothing is ever rendered through here."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> Any:
        return data


class DeckViews:
    """What the deck views share: the user's decks, with ``downloadable`` annotated, and
    the stale ones of a page computed at once."""

    request: Request

    def deck_queryset(self) -> QuerySet[PitchDeck]:
        user = self.request.user
        return with_deck_downloadable(deck_visible_to(user=user), user=user)

    def deck_data(self, decks: Any, *, many: bool = False) -> Any:
        rows = decks if many else [decks]
        context = {"request": self.request, "stale_ids": stale_deck_ids(decks=rows)}
        return PitchDeckSerializer(decks, many=many, context=context).data


class ProspectDeckList(PromotionAPIMixin, DeckViews, generics.GenericAPIView):
    """``prospects/{id}/decks/``: the prospect's decks, newest first (GET), or request one
    (POST ``{"language": "en"|"es"}``, by default the prospect's language): 202 with the
    deck's status, which ``Location`` points to. The deck is rendered by a worker."""

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = DeckFilter

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.request.method == "POST":
            return DeckRequestSerializer
        return PitchDeckSerializer

    def get_prospect(self) -> Prospect:
        return generics.get_object_or_404(
            prospect_visible_to(user=self.request.user), pk=self.kwargs["pk"]
        )

    def get_queryset(self) -> QuerySet[PitchDeck]:
        if getattr(self, "swagger_fake_view", False):  # the schema needs the model only
            return PitchDeck.objects.none()
        return self.deck_queryset().filter(prospect=self.get_prospect())

    @api_schema(responses=PitchDeckSerializer(many=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.deck_data(page, many=True))

    @api_schema(
        request=DeckRequestSerializer,
        responses={202: PitchDeckSerializer},
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                description="The deck's status (decks/{id}/).",
                response=[202],
                required=True,
            )
        ],
        filters=False,
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        prospect = self.get_prospect()
        body = DeckRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with api_errors():
                deck = deck_request(
                    actor=request.user,
                    prospect=prospect,
                    language=body.validated_data.get("language"),
                )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(REQUEST_REFUSED) from exc
        # Read it again: a worker (or an eager Celery) may have moved it on already.
        data = self.deck_data(self.deck_queryset().get(pk=deck.pk))
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class DeckViewSet(PromotionAPIMixin, DeckViews, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``decks/{id}/``: a deck's status; ``decks/{id}/download/``: its PDF, as an
    attachment that is never cached, for those who may download it (404 for anyone
    else, exactly like a missing id)."""

    serializer_class = PitchDeckSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None  # no list here: decks are listed by prospect
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[PitchDeck]:
        if getattr(self, "swagger_fake_view", False):  # the schema needs the model only
            return PitchDeck.objects.none()
        return self.deck_queryset()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.deck_data(self.get_object()))

    @api_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The deck's PDF, as an attachment."
            )
        }
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[renderers.JSONRenderer, PDFRenderer],
        pagination_class=None,
    )
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The PDF (``application/pdf``, an attachment, ``Cache-Control: private, no-store``)."""
        deck = generics.get_object_or_404(deck_downloadable_by(user=request.user), pk=pk)
        return deck_file_response(deck)

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        # A refusal (401, 403, 404) to a client that asked for the PDF is still JSON.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), PDFRenderer
        ):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
