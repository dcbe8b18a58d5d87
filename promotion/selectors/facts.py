"""Reads of a region's published facts for the host's pages (``promotion_tags``)."""

from __future__ import annotations

from django.db.models import QuerySet

from promotion.models import Fact, FactStatus, Region


def facts_published(*, region: Region, topic: str) -> QuerySet[Fact]:
    """The published facts of ``region`` filed under the topic with slug ``topic``, with
    their sources, newest first. Held facts are never shown outside the admin."""
    return (
        Fact.objects.filter(region=region, status=FactStatus.PUBLISHED, topics__slug=topic)
        .select_related("source")
        .order_by("-as_of", "key")
        .distinct()
    )
