"""The admin for the staff who keep the region's facts.

Every staff member reads region data; only a region's editors (and superusers) change it.
That rule lives in ``RegionDataPermissions`` and in ``promotion.selectors.regions``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from promotion.conf import promotion_settings
from promotion.models import (
    Fact,
    IndustryCluster,
    InfrastructureAsset,
    Institution,
    Locality,
    Partner,
    Region,
    RegionEditor,
    Source,
    TalentPool,
    Topic,
    TopicAlias,
)
from promotion.selectors.regions import regions_editable_by


def review_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Facts describing a date before this one are due for review."""
    today = today or timezone.localdate()
    years = promotion_settings.FACT_REVIEW_AFTER_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def admin_link(obj: Any, text: Any = None) -> str:
    if obj is None:
        return "-"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


class PositionColumn:
    @admin.display(description=_("position"))
    def position(self, obj: Any) -> str:
        """Latitude and longitude, marked ≈ when they stand in for the real position."""
        if obj.latitude is None:
            return "-"
        text = f"{obj.latitude}, {obj.longitude}"
        return f"≈ {text}" if obj.coordinates_approximate else text


def _region_id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Region):
        return obj.pk
    return getattr(obj, "region_id", None)


def editable_region_ids(request: HttpRequest) -> frozenset[int]:
    """The regions the request's user edits, looked up once per request.

    The sidebar asks every model admin for its permissions on every page; without this,
    each of them would query the same memberships again.
    """
    cached = getattr(request, "_promotion_editable_region_ids", None)
    if cached is None:
        cached = frozenset(regions_editable_by(user=request.user).values_list("pk", flat=True))
        request._promotion_editable_region_ids = cached  # type: ignore[attr-defined]
    return cached


class RegionDataPermissions:
    """Staff read region data; a region's editors change it; superusers do everything."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # For inlines, ``obj`` is the parent being edited.
        if obj is not None:
            return self.has_change_permission(request, obj)
        return bool(editable_region_ids(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not (request.user.is_active and request.user.is_staff):
            return False
        if obj is None or isinstance(obj, Topic | TopicAlias):
            return bool(editable_region_ids(request))
        return _region_id_of(obj) in editable_region_ids(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


class RegionInheritingFormSet(BaseInlineFormSet):
    """Inline rows take the region of the object they are edited on."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)
        region_id = _region_id_of(self.instance)
        if region_id is not None:
            form.instance.region_id = region_id
        return form


class RegionDataAdmin(RegionDataPermissions, admin.ModelAdmin):
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "region":
            kwargs["queryset"] = regions_editable_by(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        """Every foreign key and many-to-many field, except those to the host's user."""
        user_model = get_user_model()
        names = []
        for field in self.model._meta.get_fields():
            if not (field.is_relation and field.concrete) or field.auto_created:
                continue
            if field.related_model is user_model and user_model not in admin.site._registry:
                continue
            names.append(field.name)
        return names

    def get_raw_id_fields(self, request: HttpRequest) -> list[str]:
        user_model = get_user_model()
        return [
            field.name
            for field in self.model._meta.get_fields()
            if field.is_relation
            and field.concrete
            and field.related_model is user_model
            and user_model not in admin.site._registry
        ]


class FactInline(RegionDataPermissions, admin.TabularInline):
    model = Fact
    formset = RegionInheritingFormSet
    fields = ["key", "text_en", "value", "unit_en", "as_of", "source", "status"]
    autocomplete_fields = ["source"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Fact]:
        return super().get_queryset(request).select_related("source", "region")


def fact_inline_for(fk_name: str) -> type[FactInline]:
    return type(f"FactInline_{fk_name}", (FactInline,), {"fk_name": fk_name})


class StalenessFilter(admin.SimpleListFilter):
    title = _("staleness")
    parameter_name = "staleness"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        years = promotion_settings.FACT_REVIEW_AFTER_YEARS
        return [
            (
                "due",
                ngettext(
                    "Due for review (older than %d year)",
                    "Due for review (older than %d years)",
                    years,
                )
                % years,
            ),
            ("current", _("Current")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Fact]) -> QuerySet[Fact]:
        if self.value() == "due":
            return queryset.due_for_review(review_cutoff())  # type: ignore[attr-defined]
        if self.value() == "current":
            return queryset.current(review_cutoff())  # type: ignore[attr-defined]
        return queryset


@admin.register(Region)
class RegionAdmin(RegionDataAdmin):
    list_display = ["name", "slug", "fact_count", "partner_count"]
    search_fields = ["name", "slug"]
    readonly_fields: list[str] = []

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        # Fact and Partner point at Region with related_name="+", so count by subquery.
        from django.db.models import OuterRef, Subquery
        from django.db.models.functions import Coalesce

        def count_of(model: Any) -> Any:
            rows = (
                model.objects.filter(region=OuterRef("pk"))
                .order_by()
                .values("region")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows), 0)

        return (
            super()
            .get_queryset(request)
            .annotate(fact_total=count_of(Fact), partner_total=count_of(Partner))
        )

    @admin.display(description=_("facts"), ordering="fact_total")
    def fact_count(self, obj: Region) -> int:
        return obj.fact_total  # type: ignore[attr-defined]

    @admin.display(description=_("partners"), ordering="partner_total")
    def partner_count(self, obj: Region) -> int:
        return obj.partner_total  # type: ignore[attr-defined]


@admin.register(Source)
class SourceAdmin(RegionDataAdmin):
    list_display = ["key", "title", "publisher", "open_url", "published", "authority", "fact_count"]
    list_filter = ["region", "authority"]
    search_fields = ["key", "title", "publisher", "url"]
    inlines = [FactInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).annotate(fact_total=Count("facts"))

    @admin.display(description=_("link"))
    def open_url(self, obj: Source) -> str:
        if not obj.url:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', obj.url, _("open")
        )

    @admin.display(description=_("published"), ordering="published_on")
    def published(self, obj: Source) -> str:
        if obj.published_on:
            return obj.published_on.isoformat()
        return obj.date_note or "-"

    @admin.display(description=_("facts"), ordering="fact_total")
    def fact_count(self, obj: Source) -> int:
        return obj.fact_total  # type: ignore[attr-defined]


class TopicAliasInline(RegionDataPermissions, admin.TabularInline):
    model = TopicAlias
    fields = ["language", "text"]
    extra = 1


@admin.register(Topic)
class TopicAdmin(RegionDataAdmin):
    list_display = ["slug", "name_en", "name_es", "aliases_en", "aliases_es", "fact_count"]
    search_fields = ["slug", "name_en", "name_es", "aliases__text"]
    inlines = [TopicAliasInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Topic]:
        return (
            super()
            .get_queryset(request)
            .annotate(fact_total=Count("facts", distinct=True))
            .prefetch_related("aliases")
        )

    def _aliases(self, obj: Topic, language: str) -> str:
        words = [a.text for a in obj.aliases.all() if a.language == language]
        return ", ".join(words[:8]) + (" …" if len(words) > 8 else "")

    @admin.display(description=_("aliases (English)"))
    def aliases_en(self, obj: Topic) -> str:
        return self._aliases(obj, "en")

    @admin.display(description=_("aliases (Spanish)"))
    def aliases_es(self, obj: Topic) -> str:
        return self._aliases(obj, "es")

    @admin.display(description=_("facts"), ordering="fact_total")
    def fact_count(self, obj: Topic) -> int:
        return obj.fact_total  # type: ignore[attr-defined]


@admin.register(TopicAlias)
class TopicAliasAdmin(RegionDataAdmin):
    list_display = ["text", "language", "topic"]
    list_filter = ["language", "topic"]
    search_fields = ["text", "topic__slug", "topic__name_en", "topic__name_es"]
    list_select_related = ["topic"]


@admin.register(Fact)
class FactAdmin(RegionDataAdmin, SimpleHistoryAdmin):
    list_display = [
        "key",
        "statement",
        "value_with_unit",
        "source_link",
        "as_of_display",
        "age",
        "status",
        "topic_list",
    ]
    list_display_links = ["key", "statement"]
    list_filter = [
        "status",
        StalenessFilter,
        "topics",
        "kind",
        ("source", admin.RelatedOnlyFieldListFilter),
        "source__authority",
        ("locality", admin.RelatedOnlyFieldListFilter),
        "region",
    ]
    search_fields = [
        "key",
        "text_en",
        "text_es",
        "value",
        "source__key",
        "source__title",
        "source__publisher",
    ]
    list_select_related = ["source", "region"]
    date_hierarchy = "as_of"
    readonly_fields = ["age"]
    fieldsets = [
        (None, {"fields": ["region", "key", "text_en", "text_es", "kind", "status"]}),
        (_("Value"), {"fields": ["value", "value_number", "unit_en", "unit_es"]}),
        (_("Source and date"), {"fields": ["source", "as_of", "as_of_precision", "age"]}),
        (
            _("What it is about"),
            {
                "fields": [
                    "topics",
                    "locality",
                    "cluster",
                    "institution",
                    "asset",
                    "talent_pool",
                    "partner",
                ]
            },
        ),
        (_("For staff"), {"fields": ["note"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Fact]:
        return super().get_queryset(request).prefetch_related("topics")

    @admin.display(description=_("statement"), ordering="text_en")
    def statement(self, obj: Fact) -> str:
        text = obj.text_en
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.display(description=_("value"))
    def value_with_unit(self, obj: Fact) -> str:
        return f"{obj.value} {obj.unit_en}".strip() or "-"

    @admin.display(description=_("source"), ordering="source__key")
    def source_link(self, obj: Fact) -> str:
        return admin_link(obj.source, obj.source.key)

    @admin.display(description=_("as of"), ordering="as_of")
    def as_of_display(self, obj: Fact) -> str:
        if obj.as_of_precision == "year":
            return str(obj.as_of.year)
        if obj.as_of_precision == "month":
            return obj.as_of.strftime("%Y-%m")
        return obj.as_of.isoformat()

    @admin.display(description=_("age"), ordering="as_of")
    def age(self, obj: Fact) -> str:
        if obj.as_of is None:
            return "-"
        years = obj.age_in_years(timezone.localdate())
        label = _("%(years).1f years") % {"years": years}
        if obj.period_end() < review_cutoff():
            return format_html(
                '<span class="promotion-stale" title="{}">⚠ {}</span>',
                _("Older than the review period: check the source for a newer figure."),
                label,
            )
        return label

    @admin.display(description=_("topics"))
    def topic_list(self, obj: Fact) -> str:
        return ", ".join(topic.slug for topic in obj.topics.all())


class SubjectAdmin(RegionDataAdmin):
    """Admin of something facts are about: its facts are shown inline."""

    fact_fk: str = ""

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return [*self.inlines, fact_inline_for(self.fact_fk)]


@admin.register(Locality)
class LocalityAdmin(PositionColumn, SubjectAdmin):
    fact_fk = "locality"
    list_display = [
        "name",
        "kind",
        "country",
        "admin_area",
        "position",
        "population",
        "population_as_of",
        "population_source_link",
    ]
    list_filter = ["region", "kind", "country", "coordinates_approximate"]
    search_fields = ["name", "other_names", "slug", "admin_area"]
    list_select_related = ["population_source"]

    @admin.display(description=_("population source"))
    def population_source_link(self, obj: Locality) -> str:
        return admin_link(obj.population_source, getattr(obj.population_source, "key", None))


@admin.register(IndustryCluster)
class IndustryClusterAdmin(SubjectAdmin):
    fact_fk = "cluster"
    list_display = [
        "rank",
        "name_en",
        "name_es",
        "naics_codes",
        "source_link",
        "employment",
        "location_quotient_display",
        "figures_as_of",
        "figures_source_link",
    ]
    list_display_links = ["rank", "name_en"]
    list_filter = ["region"]
    search_fields = ["name_en", "name_es", "naics_codes", "slug"]
    list_select_related = ["source", "figures_source"]
    fieldsets = [
        (
            None,
            {"fields": ["region", "slug", "name_en", "name_es", "rank", "naics_codes", "source"]},
        ),
        (
            _("Figures"),
            {
                "description": _(
                    "Employment and concentration with the source and date they come from, "
                    "which may differ from the source that names the cluster."
                ),
                "fields": [
                    "employment",
                    "location_quotient",
                    "location_quotient_more_than",
                    "figures_source",
                    "figures_as_of",
                    "figures_as_of_precision",
                ],
            },
        ),
        (None, {"fields": ["description_en", "description_es"]}),
    ]

    @admin.display(description=_("source"), ordering="source__key")
    def source_link(self, obj: IndustryCluster) -> str:
        return admin_link(obj.source, obj.source.key)

    @admin.display(description=_("location quotient"), ordering="location_quotient")
    def location_quotient_display(self, obj: IndustryCluster) -> str:
        if obj.location_quotient is None:
            return "-"
        if obj.location_quotient_more_than:
            return _("more than %(value)s") % {"value": obj.location_quotient}
        return str(obj.location_quotient)

    @admin.display(description=_("source of the figures"), ordering="figures_source__key")
    def figures_source_link(self, obj: IndustryCluster) -> str:
        return admin_link(obj.figures_source, getattr(obj.figures_source, "key", None))


@admin.register(TalentPool)
class TalentPoolAdmin(SubjectAdmin):
    fact_fk = "talent_pool"
    list_display = ["name_en", "name_es", "locality"]
    list_filter = ["region", ("locality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name_en", "name_es", "slug"]
    list_select_related = ["locality"]


@admin.register(Institution)
class InstitutionAdmin(SubjectAdmin):
    fact_fk = "institution"
    list_display = ["name", "acronym", "kind", "locality"]
    list_filter = ["region", "kind", ("locality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "acronym", "slug"]
    list_select_related = ["locality"]


@admin.register(InfrastructureAsset)
class InfrastructureAssetAdmin(PositionColumn, SubjectAdmin):
    fact_fk = "asset"
    list_display = [
        "name",
        "kind",
        "status",
        "code",
        "locality",
        "position",
        "investment",
        "source_link",
    ]
    list_filter = [
        "region",
        "kind",
        "status",
        "coordinates_approximate",
        ("locality", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "code", "slug"]
    list_select_related = ["locality", "source"]

    @admin.display(description=_("investment"), ordering="investment_amount")
    def investment(self, obj: InfrastructureAsset) -> str:
        if obj.investment_amount is None:
            return "-"
        return f"{obj.investment_currency} {obj.investment_amount:,.0f}"

    @admin.display(description=_("source"), ordering="source__key")
    def source_link(self, obj: InfrastructureAsset) -> str:
        return admin_link(obj.source, obj.source.key)


@admin.register(Partner)
class PartnerAdmin(SubjectAdmin):
    fact_fk = "partner"
    list_display = ["name", "short_name", "kind", "locality", "role_en", "is_active"]
    list_filter = ["region", "kind", "is_active", ("locality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_es", "short_name", "slug"]
    list_select_related = ["locality"]


@admin.register(RegionEditor)
class RegionEditorAdmin(RegionDataAdmin):
    list_display = ["user", "region"]
    list_filter = ["region"]
    list_select_related = ["user", "region"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [f"user__{get_user_model().USERNAME_FIELD}"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser
