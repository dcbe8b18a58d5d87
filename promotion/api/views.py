"""API views: thin callers of the services and queries. Region data is public."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from promotion.api.base import PromotionAPIMixin, PromotionPagination, api_schema
from promotion.api.filters import FactFilter, RegionFilter
from promotion.api.serializers import (
    AnswerQuerySerializer,
    AnswerSerializer,
    FactSerializer,
    RegionSerializer,
)
from promotion.api.throttling import AnswerThrottle
from promotion.models import Fact, FactStatus, Region
from promotion.services.answers import answer_question


class FactPagination(PromotionPagination):
    page_size = 20


class RegionList(PromotionAPIMixin, generics.ListAPIView):
    """Every region (``?q=`` words of the name), paginated like every list."""

    queryset = Region.objects.order_by("name", "pk")
    serializer_class = RegionSerializer
    permission_classes = [AllowAny]  # public marketing data; never the host's default
    filterset_class = RegionFilter


class RegionDetail(PromotionAPIMixin, generics.RetrieveAPIView):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"


class RegionFactList(PromotionAPIMixin, generics.ListAPIView):
    """Published facts of a region with their sources: ``?topic=slug``, ``?q=words``,
    ``?locality=slug``, ``?kind=``, ``?as_of_after=&as_of_before=`` (dates)."""

    serializer_class = FactSerializer
    permission_classes = [AllowAny]
    pagination_class = FactPagination
    filterset_class = FactFilter

    def get_queryset(self) -> QuerySet[Fact]:
        if getattr(self, "swagger_fake_view", False):  # the schema needs the model only
            return Fact.objects.none()
        region = get_object_or_404(Region, slug=self.kwargs["slug"])
        return (
            Fact.objects.filter(region=region, status=FactStatus.PUBLISHED)
            .select_related("source", "locality")
            .prefetch_related("topics")
            .order_by("-as_of", "key")
        )


class RegionAnswer(PromotionAPIMixin, APIView):
    """``?q=question&lang=en|es``: the answer, in the shape of ``promotion_answer --json``."""

    permission_classes = [AllowAny]

    def get_throttles(self) -> list[Any]:
        return [*super().get_throttles(), AnswerThrottle()]

    @api_schema(parameters=[AnswerQuerySerializer], responses=AnswerSerializer)
    def get(self, request: Request, slug: str, **kwargs: Any) -> Response:
        region = get_object_or_404(Region, slug=slug)
        query = AnswerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = answer_question(
            region=region,
            text=query.validated_data["q"],
            language=query.validated_data.get("lang"),
        )
        return Response(answer.as_dict())
