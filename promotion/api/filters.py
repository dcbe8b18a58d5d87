"""django-filter filter sets of the API's lists. A choice of related objects (the owner
partner) lists only what the user may see; text search never reaches a company name the
user may not see."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField, RangeField
from django_filters.widgets import DateRangeWidget

from promotion.models import (
    DeckStatus,
    Fact,
    FactKind,
    Language,
    Partner,
    PitchDeck,
    ProjectType,
    Prospect,
    Question,
    Region,
    ShareLink,
    Stage,
)
from promotion.selectors.crm import partners_of
from promotion.selectors.decks import stale_deck_ids


def _words(value: str) -> list[str]:
    return value.strip()[:200].split()


def _visible_partners(request: Any) -> QuerySet[Partner]:
    return partners_of(user=getattr(request, "user", None))


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, in UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO
    8601 allows (e.g. -23:47); a time that UTC cannot hold is invalid input, not a 500."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        parsed = super().to_python(value)
        if parsed is None or timezone.is_naive(parsed):
            return parsed
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class UTCDateTimeRangeField(RangeField):
    widget = DateRangeWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__((UTCDateTimeField(), UTCDateTimeField()), *args, **kwargs)


class DateTimeRangeFilter(filters.IsoDateTimeFromToRangeFilter):
    """``<name>_after`` and ``<name>_before``: ISO 8601 date-times, any offset."""

    field_class = UTCDateTimeRangeField


class RegionFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("Name contains"))

    class Meta:
        model = Region
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        for word in _words(value):
            queryset = queryset.filter(name__icontains=word)
        return queryset


class FactFilter(filters.FilterSet):
    topic = filters.CharFilter(field_name="topics__slug", distinct=True, label=_("Topic (slug)"))
    q = filters.CharFilter(method="filter_q", label=_("Words in the fact (English or Spanish)"))
    locality = filters.CharFilter(field_name="locality__slug", label=_("Locality (slug)"))
    kind = filters.ChoiceFilter(choices=FactKind.choices, label=_("Kind"))
    as_of = filters.DateFromToRangeFilter(label=_("As of (from, to)"))

    class Meta:
        model = Fact
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Fact], name: str, value: str) -> QuerySet[Fact]:
        for word in _words(value):
            queryset = queryset.filter(Q(text_en__icontains=word) | Q(text_es__icontains=word))
        return queryset


class ProspectFilter(filters.FilterSet):
    stage = filters.MultipleChoiceFilter(choices=Stage.choices, label=_("Stage"))
    country = filters.CharFilter(method="filter_country", label=_("Country (ISO alpha-2)"))
    industry = filters.CharFilter(lookup_expr="icontains", label=_("Industry contains"))
    naics = filters.CharFilter(
        field_name="naics_code", lookup_expr="startswith", label=_("NAICS code starts with")
    )
    project_type = filters.ChoiceFilter(choices=ProjectType.choices, label=_("Project type"))
    language = filters.ChoiceFilter(choices=Language.choices, label=_("Language"))
    partner = filters.ModelChoiceFilter(
        queryset=_visible_partners, label=_("Owner partner (among yours)")
    )
    created = DateTimeRangeFilter(field_name="created_at", label=_("Created (from, to)"))
    updated = DateTimeRangeFilter(field_name="updated_at", label=_("Updated (from, to)"))
    search = filters.CharFilter(method="filter_search", label=_("Codename or company contains"))

    class Meta:
        model = Prospect
        fields: list[str] = []

    def filter_country(
        self, queryset: QuerySet[Prospect], name: str, value: str
    ) -> QuerySet[Prospect]:
        return queryset.filter(country=value.strip().upper())

    def filter_search(
        self, queryset: QuerySet[Prospect], name: str, value: str
    ) -> QuerySet[Prospect]:
        # The queryset carries ``identity_visible`` (``with_identity_visible``): the company
        # name is searched only where the user may see it.
        for word in _words(value):
            queryset = queryset.filter(
                Q(codename__icontains=word) | Q(identity_visible=True, company_name__icontains=word)
            )
        return queryset


class QuestionFilter(filters.FilterSet):
    topic = filters.CharFilter(field_name="topic__slug", label=_("Topic (slug)"))
    language = filters.ChoiceFilter(choices=Language.choices, label=_("Language"))
    needs_follow_up = filters.BooleanFilter(label=_("Needs follow-up"))
    asked_on = filters.DateFromToRangeFilter(label=_("Asked on (from, to)"))

    class Meta:
        model = Question
        fields: list[str] = []


class DeckFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=DeckStatus.choices, label=_("Status"))
    language = filters.ChoiceFilter(choices=Language.choices, label=_("Language"))
    stale = filters.BooleanFilter(
        method="filter_stale", label=_("Printed a fact that changed since")
    )

    class Meta:
        model = PitchDeck
        fields: list[str] = []

    def filter_stale(
        self, queryset: QuerySet[PitchDeck], name: str, value: bool | None
    ) -> QuerySet[PitchDeck]:
        if value is None:
            return queryset
        stale = stale_deck_ids(decks=queryset.filter(status=DeckStatus.READY))
        return queryset.filter(pk__in=stale) if value else queryset.exclude(pk__in=stale)


class ShareLinkFilter(filters.FilterSet):
    active = filters.BooleanFilter(method="filter_active", label=_("Neither revoked nor expired"))
    opened = filters.BooleanFilter(
        field_name="first_opened_at", lookup_expr="isnull", exclude=True, label=_("Opened")
    )

    class Meta:
        model = ShareLink
        fields: list[str] = []

    def filter_active(
        self, queryset: QuerySet[ShareLink], name: str, value: bool | None
    ) -> QuerySet[ShareLink]:
        if value is None:
            return queryset
        active = Q(revoked_at__isnull=True, expires_at__gt=timezone.now())
        return queryset.filter(active) if value else queryset.exclude(active)
