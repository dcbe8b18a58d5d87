"""The CRM API: prospects and their questions, with the CRM's tenancy rule on every path.

The views are thin callers: every queryset starts from ``prospect_visible_to`` (another
partner's prospect is a 404, exactly like a missing id), every write goes through a
service of ``promotion.services.crm``, and who may write is asked of the selectors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import generics, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from promotion.api.base import PromotionAPIMixin, PromotionPagination, api_schema
from promotion.api.crm_serializers import (
    PipelineSummarySerializer,
    ProspectSerializer,
    QuestionSerializer,
)
from promotion.api.filters import ProspectFilter, QuestionFilter
from promotion.models import PartnerRole, Prospect, Question
from promotion.selectors.crm import (
    contact_visible_to,
    partners_of,
    pipeline_totals,
    prospect_editable_by,
    prospect_editable_identified_by,
    prospect_identified_for,
    prospect_managed_by,
    prospect_visible_to,
    question_visible_to,
    with_identity_visible,
)
from promotion.services import crm as services

# The deck views import it by this name.
ProspectPagination = PromotionPagination


@contextmanager
def api_errors() -> Iterator[None]:
    """A service's ``django.core.exceptions.ValidationError`` becomes a 400."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise serializers.ValidationError(exc.messages) from exc
        detail = {
            api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: messages
            for name, messages in exc.message_dict.items()
        }
        raise serializers.ValidationError(detail) from exc


def _has(queryset: QuerySet[Prospect], prospect: Prospect) -> bool:
    return queryset.filter(pk=prospect.pk).exists()


class ProspectAccess(permissions.BasePermission):
    """Reading follows visibility (the queryset); adding needs an editor's place on some
    partner's staff; changing needs ``prospect_editable_by``; deleting
    ``prospect_managed_by``."""

    message = _("You may not change this prospect.")

    def has_permission(self, request: Request, view: Any) -> bool:
        # A POST to the list creates (the browsable API asks too, to show its form or not).
        if request.method == "POST" and not getattr(view, "detail", False):
            self.message = _("You may not add prospects.")
            return partners_of(user=request.user, role=PartnerRole.EDITOR).exists()
        return True

    def has_object_permission(self, request: Request, view: Any, obj: Prospect) -> bool:
        user = request.user
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE":
            self.message = _("Only the owner partner's managers may delete a prospect.")
            return _has(prospect_managed_by(user=user), obj)
        return _has(prospect_editable_by(user=user), obj)


class QuestionAccess(permissions.BasePermission):
    """Questions need the prospect's identity: reading them ``prospect_identified_for``,
    adding one ``prospect_editable_identified_by``. A prospect the user does not see at all
    is a 404 first (``ProspectQuestionList.get_prospect``)."""

    message = _("You may not add questions to this prospect.")

    def has_permission(self, request: Request, view: Any) -> bool:
        prospect = view.get_prospect()
        if request.method in permissions.SAFE_METHODS:
            self.message = _("This prospect is shared by its codename only.")
            return _has(prospect_identified_for(user=request.user), prospect)
        self.message = _("You may not add questions to this prospect.")
        return _has(prospect_editable_identified_by(user=request.user), prospect)


class ProspectViewSet(PromotionAPIMixin, viewsets.ModelViewSet):
    """Prospects the user may see: their partners' own and those shared with them.

    ``summary/`` totals the visible prospects by stage.
    """

    serializer_class = ProspectSerializer
    permission_classes = [permissions.IsAuthenticated, ProspectAccess]
    filterset_class = ProspectFilter

    def get_queryset(self) -> QuerySet[Prospect]:
        if getattr(self, "swagger_fake_view", False):  # the schema needs the model only
            return Prospect.objects.none()
        user = self.request.user
        return with_identity_visible(prospect_visible_to(user=user), user=user).prefetch_related(
            Prefetch("contacts", queryset=contact_visible_to(user=user))
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "summary":
            return PipelineSummarySerializer
        return ProspectSerializer

    def perform_create(self, serializer: ProspectSerializer) -> None:
        fields = dict(serializer.validated_data)
        with api_errors():
            serializer.instance = services.prospect_create(actor=self.request.user, **fields)

    def perform_update(self, serializer: ProspectSerializer) -> None:
        with api_errors():
            serializer.instance = services.prospect_update(
                actor=self.request.user,
                prospect=serializer.instance,
                **serializer.validated_data,
            )

    def perform_destroy(self, instance: Prospect) -> None:
        services.prospect_delete(actor=self.request.user, prospect=instance)

    @api_schema(filters=False, responses=PipelineSummarySerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def summary(self, request: Request) -> Response:
        """Counts, estimated jobs and capital investment by stage, over the visible
        prospects only."""
        stages = pipeline_totals(user=request.user)
        summary = {"count": sum(s.count for s in stages), "stages": stages}
        return Response(PipelineSummarySerializer(summary).data)


class ProspectQuestionList(PromotionAPIMixin, generics.ListCreateAPIView):
    """``prospects/{id}/questions/``: the prospect's questions, newest first (GET, with
    ``?topic=&language=&needs_follow_up=&asked_on_after=&asked_on_before=``), or record
    one and answer it (POST ``{"text", "language"}``): 201 with the question and its
    answer."""

    serializer_class = QuestionSerializer
    permission_classes = [permissions.IsAuthenticated, QuestionAccess]
    filterset_class = QuestionFilter

    def get_prospect(self) -> Prospect:
        if not hasattr(self, "_prospect"):
            self._prospect = generics.get_object_or_404(
                prospect_visible_to(user=self.request.user), pk=self.kwargs["pk"]
            )
        return self._prospect

    def get_queryset(self) -> QuerySet[Question]:
        if getattr(self, "swagger_fake_view", False):  # the schema needs the model only
            return Question.objects.none()
        return (
            question_visible_to(user=self.request.user)
            .filter(prospect=self.get_prospect())
            .select_related("topic")
            .prefetch_related("facts__source")
            .order_by("-asked_on", "-pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with api_errors():
            question = services.question_record(
                actor=request.user,
                prospect=self.get_prospect(),
                text=serializer.validated_data["text"],
                language=serializer.validated_data.get("language"),
            )
        question = self.get_queryset().get(pk=question.pk)
        return Response(self.get_serializer(question).data, status=status.HTTP_201_CREATED)
