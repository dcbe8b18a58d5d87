"""API views: thin callers of the services and queries. Region data is public."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from promotion.api.serializers import AnswerQuerySerializer, FactSerializer, RegionSerializer
from promotion.models import Fact, FactStatus, Region
from promotion.services.answers import answer_question


class FactPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class RegionList(generics.ListAPIView):
    """Every region."""

    queryset = Region.objects.order_by("name")
    serializer_class = RegionSerializer
    permission_classes = [AllowAny]  # public marketing data; never the host's default
    pagination_class = None


class RegionDetail(generics.RetrieveAPIView):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"


class RegionFactList(generics.ListAPIView):
    """Published facts of a region with their sources; ``?topic=slug`` and ``?q=words``."""

    serializer_class = FactSerializer
    permission_classes = [AllowAny]
    pagination_class = FactPagination

    def get_queryset(self) -> QuerySet[Fact]:
        region = get_object_or_404(Region, slug=self.kwargs["slug"])
        facts = Fact.objects.filter(region=region, status=FactStatus.PUBLISHED)
        topic = self.request.query_params.get("topic")
        if topic:
            facts = facts.filter(topics__slug=topic)
        query = (self.request.query_params.get("q") or "").strip()[:200]
        for word in query.split():
            facts = facts.filter(Q(text_en__icontains=word) | Q(text_es__icontains=word))
        return (
            facts.select_related("source", "locality")
            .prefetch_related("topics")
            .order_by("-as_of", "key")
            .distinct()
        )


class RegionAnswer(APIView):
    """``?q=question&lang=en|es``: the answer, in the shape of ``promotion_answer --json``."""

    permission_classes = [AllowAny]

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
