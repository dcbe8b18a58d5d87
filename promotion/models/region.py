"""Region data: shared by every partner of a region and kept by its region editors."""

from __future__ import annotations

import datetime
import operator
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from promotion.models.base import Language, NaturalKeyManager, related
from promotion.storage import PromotionStorage
from promotion.uploads import logo_upload_to, validate_logo


def capped_text(verbose_name: Any, max_length: int, **kwargs: Any) -> models.TextField:
    """A TextField whose length cap is enforced by validation, not only by the form widget."""
    return models.TextField(
        verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Enter a colour as #RRGGBB."))
latitude_field_validators = [MinValueValidator(-90), MaxValueValidator(90)]
longitude_field_validators = [MinValueValidator(-180), MaxValueValidator(180)]


class Country(models.TextChoices):
    UNITED_STATES = "US", _("United States")
    MEXICO = "MX", _("Mexico")


class Currency(models.TextChoices):
    USD = "USD", _("US dollars")
    MXN = "MXN", _("Mexican pesos")


class SlugManager(NaturalKeyManager):
    def natural_key_lookup(self, slug: str) -> dict[str, Any]:  # type: ignore[override]
        return {"slug": slug}


class Region(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description_en = capped_text(_("description (English)"), max_length=2000, blank=True)
    description_es = capped_text(_("description (Spanish)"), max_length=2000, blank=True)
    # The bounding box the region's places lie in; maps are drawn from it and coordinates
    # outside it are refused.
    min_latitude = models.DecimalField(
        _("south edge"), max_digits=8, decimal_places=5, validators=latitude_field_validators
    )
    max_latitude = models.DecimalField(
        _("north edge"), max_digits=8, decimal_places=5, validators=latitude_field_validators
    )
    min_longitude = models.DecimalField(
        _("west edge"), max_digits=8, decimal_places=5, validators=longitude_field_validators
    )
    max_longitude = models.DecimalField(
        _("east edge"), max_digits=8, decimal_places=5, validators=longitude_field_validators
    )

    objects = SlugManager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_latitude__lt=models.F("max_latitude"))
                & Q(min_longitude__lt=models.F("max_longitude")),
                name="promotion_region_bbox_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def contains(self, latitude: Any, longitude: Any) -> bool:
        return (
            self.min_latitude <= latitude <= self.max_latitude
            and self.min_longitude <= longitude <= self.max_longitude
        )


class RegionScopedManager(NaturalKeyManager):
    """Natural keys ``(region slug, own key)`` so fixtures never depend on primary keys."""

    key_field = "slug"

    def natural_key_lookup(self, region_slug: str, key: str) -> dict[str, Any]:  # type: ignore[override]
        return {"region__slug": region_slug, self.key_field: key}


class KeyedManager(RegionScopedManager):
    key_field = "key"


class RegionScoped(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )

    objects = RegionScopedManager()

    class Meta:
        abstract = True
        app_label = "promotion"

    def natural_key(self) -> tuple[str, str]:
        return (related(self, "region").slug, self.slug)  # type: ignore[attr-defined]

    natural_key.dependencies = ["promotion.region"]  # type: ignore[attr-defined]

    def _check_coordinates(self) -> None:
        latitude = getattr(self, "latitude", None)
        longitude = getattr(self, "longitude", None)
        if (latitude is None) != (longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if latitude is None or self.region_id is None:
            return
        if not related(self, "region").contains(latitude, longitude):
            raise ValidationError(
                {
                    "latitude": _("%(lat)s, %(lon)s lies outside the region %(region)s.")
                    % {"lat": latitude, "lon": longitude, "region": self.region}
                }
            )

    def clean(self) -> None:
        super().clean()
        self._check_coordinates()


class Source(RegionScoped):
    class Authority(models.TextChoices):
        OFFICIAL = "official", _("Official (government, statistics office, operator)")
        RESEARCH = "research", _("Research institution or report")
        PRESS = "press", _("Press")
        SECONDARY = "secondary", _("Secondary copy (encyclopaedia, mirror)")
        LOW = "low", _("Low authority (blog, promotional page)")

    key = models.CharField(
        _("key"), max_length=20, help_text=_("Short stable reference, e.g. S12.")
    )
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    date_note = models.CharField(
        _("date note"),
        max_length=300,
        blank=True,
        help_text=_("How the date is known when the source itself is undated."),
    )
    authority = models.CharField(
        _("authority"), max_length=20, choices=Authority.choices, default=Authority.PRESS
    )

    objects = KeyedManager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["region", "key"]
        constraints = [
            models.UniqueConstraint(fields=["region", "key"], name="promotion_source_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"

    def natural_key(self) -> tuple[str, str]:
        return (related(self, "region").slug, self.key)

    natural_key.dependencies = ["promotion.region"]  # type: ignore[attr-defined]


class LocalityKind(models.TextChoices):
    STATE = "state", _("State")
    COUNTY = "county", _("County")
    MUNICIPALITY = "municipality", _("Municipality")
    CITY = "city", _("City")


class Locality(RegionScoped):
    slug = models.SlugField(_("slug"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    other_names = models.CharField(
        _("other names"),
        max_length=200,
        blank=True,
        help_text=_(
            "Short or local names people write for it, separated by commas: “TJ” for "
            "Tijuana. Questions that use them are read as about this place."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LocalityKind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    admin_area = models.CharField(
        _("state"), max_length=80, help_text=_("State the locality lies in.")
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=latitude_field_validators,
        help_text=_("Leave empty when no source gives a position."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=longitude_field_validators,
    )
    coordinates_approximate = models.BooleanField(
        _("coordinates approximate"),
        default=False,
        help_text=_(
            "The position stands in for the place (e.g. its airport's) and must not be "
            "shown as exact."
        ),
    )
    coordinates_note = models.CharField(
        _("coordinates note"),
        max_length=300,
        blank=True,
        help_text=_("Where the position comes from."),
    )
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    population_as_of = models.DateField(_("population as of"), null=True, blank=True)
    population_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("population source"),
    )

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "slug"], name="promotion_locality_unique_slug"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="promotion_locality_coordinates_paired",
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True)
                | (Q(population_source__isnull=False) & Q(population_as_of__isnull=False)),
                name="promotion_locality_population_sourced",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AsOfPrecision(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


class IndustryCluster(RegionScoped):
    slug = models.SlugField(_("slug"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("concentration rank"),
        null=True,
        blank=True,
        help_text=_("Position in the published ranking of the most concentrated clusters."),
    )
    naics_codes = models.CharField(
        _("NAICS codes"),
        max_length=200,
        blank=True,
        validators=[RegexValidator(r"^\d{2,6}(,\s*\d{2,6})*$", _("Comma-separated NAICS codes."))],
        help_text=_("Comma-separated NAICS code prefixes that belong to this cluster."),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="clusters",
        verbose_name=_("source"),
        help_text=_("Where the cluster and its rank are named."),
    )
    # The figures often come from another study than the one that names the cluster: they
    # carry their own source and as-of date, and are never shown under ``source``.
    employment = models.PositiveIntegerField(_("employment"), null=True, blank=True)
    location_quotient = models.DecimalField(
        _("location quotient"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    location_quotient_more_than = models.BooleanField(
        _("location quotient is a lower bound"),
        default=False,
        help_text=_('The source says "more than" this location quotient.'),
    )
    figures_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cluster_figures",
        verbose_name=_("source of the figures"),
        help_text=_("Where the employment and location quotient come from."),
    )
    figures_as_of = models.DateField(
        _("figures as of"),
        null=True,
        blank=True,
        help_text=_("The date or period the employment and location quotient describe."),
    )
    figures_as_of_precision = models.CharField(
        _("figures as-of precision"),
        max_length=5,
        choices=AsOfPrecision.choices,
        default=AsOfPrecision.YEAR,
    )
    description_en = capped_text(_("description (English)"), max_length=2000, blank=True)
    description_es = capped_text(_("description (Spanish)"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("industry cluster")
        verbose_name_plural = _("industry clusters")
        ordering = ["region", models.F("rank").asc(nulls_last=True), "name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "slug"], name="promotion_cluster_unique_slug"
            ),
            models.UniqueConstraint(
                fields=["region", "rank"], name="promotion_cluster_unique_rank"
            ),
            models.CheckConstraint(
                condition=Q(employment__isnull=True, location_quotient__isnull=True)
                | Q(figures_source__isnull=False, figures_as_of__isnull=False),
                name="promotion_cluster_figures_sourced",
            ),
            models.CheckConstraint(
                condition=Q(location_quotient_more_than=False) | Q(location_quotient__isnull=False),
                name="promotion_cluster_lq_bound_has_value",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    def naics_prefixes(self) -> list[str]:
        return [code.strip() for code in self.naics_codes.split(",") if code.strip()]

    @property
    def has_figures(self) -> bool:
        return self.employment is not None or self.location_quotient is not None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.has_figures:
            if self.figures_source_id is None:
                errors["figures_source"] = _(
                    "Give the source of the employment and location quotient."
                )
            if self.figures_as_of is None:
                errors["figures_as_of"] = _(
                    "Give the date the employment and location quotient describe."
                )
        if self.location_quotient_more_than and self.location_quotient is None:
            errors["location_quotient"] = _("Give the location quotient it is more than.")
        for name in ("source", "figures_source"):
            other = related(self, name)
            if other is not None and self.region_id and other.region_id != self.region_id:
                errors[name] = _("This belongs to another region.")
        if errors:
            raise ValidationError(errors)


class TalentPool(RegionScoped):
    slug = models.SlugField(_("slug"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    description_en = capped_text(_("description (English)"), max_length=2000, blank=True)
    description_es = capped_text(_("description (Spanish)"), max_length=2000, blank=True)
    locality = models.ForeignKey(
        Locality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talent_pools",
        verbose_name=_("locality"),
    )
    clusters = models.ManyToManyField(
        IndustryCluster, blank=True, related_name="talent_pools", verbose_name=_("clusters")
    )

    class Meta:
        verbose_name = _("talent pool")
        verbose_name_plural = _("talent pools")
        ordering = ["region", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["region", "slug"], name="promotion_talent_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name_en


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research", _("Research institute")
    TECHNICAL_COLLEGE = "technical", _("Technical or community college")
    OTHER = "other", _("Other")


class Institution(RegionScoped):
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    locality = models.ForeignKey(
        Locality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("locality"),
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=latitude_field_validators,
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=longitude_field_validators,
    )
    description_en = capped_text(_("description (English)"), max_length=2000, blank=True)
    description_es = capped_text(_("description (Spanish)"), max_length=2000, blank=True)
    clusters = models.ManyToManyField(
        IndustryCluster, blank=True, related_name="institutions", verbose_name=_("clusters")
    )

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "slug"], name="promotion_institution_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AssetKind(models.TextChoices):
    BORDER_CROSSING = "border_crossing", _("Border crossing")
    AIRPORT = "airport", _("Airport")
    SEAPORT = "seaport", _("Seaport")
    FREEWAY = "freeway", _("Freeway")
    RAIL = "rail", _("Rail")
    OTHER = "other", _("Other")


class AssetStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    PLANNED = "planned", _("Planned")
    CLOSED = "closed", _("Closed")


class InfrastructureAsset(RegionScoped):
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.OPERATING
    )
    code = models.CharField(
        _("code"), max_length=10, blank=True, help_text=_("IATA code or similar, if any.")
    )
    locality = models.ForeignKey(
        Locality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("locality"),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=latitude_field_validators,
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=longitude_field_validators,
    )
    coordinates_approximate = models.BooleanField(
        _("coordinates approximate"),
        default=False,
        help_text=_("The position is approximate and must not be shown as exact."),
    )
    investment_amount = models.DecimalField(
        _("investment"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    investment_currency = models.CharField(
        _("investment currency"), max_length=3, choices=Currency.choices, blank=True
    )
    investment_note_en = models.CharField(
        _("investment note (English)"), max_length=300, blank=True
    )
    investment_note_es = models.CharField(
        _("investment note (Spanish)"), max_length=300, blank=True
    )
    description_en = capped_text(_("description (English)"), max_length=2000, blank=True)
    description_es = capped_text(_("description (Spanish)"), max_length=2000, blank=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="assets", verbose_name=_("source")
    )

    class Meta:
        verbose_name = _("infrastructure asset")
        verbose_name_plural = _("infrastructure assets")
        ordering = ["region", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "slug"], name="promotion_asset_unique_slug"),
            models.CheckConstraint(
                condition=Q(investment_amount__isnull=True) | ~Q(investment_currency=""),
                name="promotion_asset_investment_currency",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="promotion_asset_coordinates_paired",
            ),
        ]
        indexes = [models.Index(fields=["region", "kind"], name="promotion_asset_kind_idx")]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """What investors ask about. Shared by all regions; the slugs are a stable contract."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    description_en = capped_text(_("description (English)"), max_length=1000, blank=True)
    description_es = capped_text(_("description (Spanish)"), max_length=1000, blank=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name_en

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class TopicAliasManager(NaturalKeyManager):
    def natural_key_lookup(  # type: ignore[override]
        self, topic_slug: str, language: str, text: str
    ) -> dict[str, Any]:
        return {"topic__slug": topic_slug, "language": language, "text": text}


class TopicAlias(models.Model):
    """A word or phrase that means the topic: what staff teach the question matcher."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("topic")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    text = models.CharField(_("word or phrase"), max_length=100)

    objects = TopicAliasManager()

    class Meta:
        verbose_name = _("topic alias")
        verbose_name_plural = _("topic aliases")
        ordering = ["topic", "language", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "language", "text"], name="promotion_topicalias_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.language})"

    def natural_key(self) -> tuple[str, str, str]:
        return (related(self, "topic").slug, self.language, self.text)

    natural_key.dependencies = ["promotion.topic"]  # type: ignore[attr-defined]


def fact_subject(model: Any, verbose_name: Any) -> models.ForeignKey:
    """A foreign key from Fact to what it is about."""
    return models.ForeignKey(
        model,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facts",
        verbose_name=verbose_name,
    )


FACT_SUBJECT_FIELDS = ("locality", "cluster", "institution", "asset", "talent_pool", "partner")


def at_most_one_set(fields: tuple[str, ...]) -> Q:
    """A condition that holds when at most one of the nullable ``fields`` is set."""
    return reduce(
        operator.or_,
        (Q(**{f"{other}__isnull": True for other in fields if other != kept}) for kept in fields),
    )


class FactQuerySet(models.QuerySet["Fact"]):
    def due_for_review(self, cutoff: datetime.date) -> FactQuerySet:
        """Facts whose period ended before ``cutoff``.

        A fact "as of 2023" describes the whole year, so it ages from 31 December 2023,
        and one as of March 2024 from the end of March.
        """
        return self.filter(
            Q(as_of_precision=AsOfPrecision.YEAR, as_of__lt=datetime.date(cutoff.year, 1, 1))
            | Q(
                as_of_precision=AsOfPrecision.MONTH,
                as_of__lt=datetime.date(cutoff.year, cutoff.month, 1),
            )
            | Q(as_of_precision=AsOfPrecision.DAY, as_of__lt=cutoff)
        )

    def current(self, cutoff: datetime.date) -> FactQuerySet:
        return self.exclude(pk__in=self.due_for_review(cutoff).values("pk"))


class FactManager(KeyedManager.from_queryset(FactQuerySet)):  # type: ignore[misc]
    pass


class FactKind(models.TextChoices):
    FIGURE = "figure", _("Figure")
    EVENT = "event", _("Event or date")
    STATEMENT = "statement", _("Checkable statement")
    QUOTE = "quote", _("Attributed quote")


class FactStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    NEEDS_VERIFICATION = "verify", _("Held: needs verification")


class Fact(RegionScoped):
    """One sourced statement. A fact without a source does not exist."""

    key = models.CharField(
        _("key"), max_length=30, help_text=_("Short stable reference, e.g. CON-01.")
    )
    text_en = capped_text(_("statement (English)"), max_length=1000)
    text_es = capped_text(_("statement (Spanish)"), max_length=1000, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    value_number = models.DecimalField(
        _("numeric value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("The value as a number, when it is one, for formatting and charts."),
    )
    unit_en = models.CharField(_("unit (English)"), max_length=100, blank=True)
    unit_es = models.CharField(_("unit (Spanish)"), max_length=100, blank=True)
    as_of = models.DateField(_("as of"), help_text=_("The date or period the fact describes."))
    as_of_precision = models.CharField(
        _("as-of precision"),
        max_length=5,
        choices=AsOfPrecision.choices,
        default=AsOfPrecision.YEAR,
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=FactKind.choices, default=FactKind.FIGURE
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=FactStatus.choices,
        default=FactStatus.PUBLISHED,
        help_text=_("Held facts are kept on file but never shown in an answer or a deck."),
    )
    note = capped_text(
        _("internal note"),
        max_length=2000,
        blank=True,
        help_text=_("For staff only: caveats, conflicts with other sources, what to verify."),
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="facts", verbose_name=_("source")
    )
    topics = models.ManyToManyField(Topic, related_name="facts", verbose_name=_("topics"))
    # What the fact is about: at most one of these, or none for the region as a whole.
    locality = fact_subject(Locality, _("locality"))
    cluster = fact_subject(IndustryCluster, _("cluster"))
    institution = fact_subject(Institution, _("institution"))
    asset = fact_subject(InfrastructureAsset, _("infrastructure asset"))
    talent_pool = fact_subject(TalentPool, _("talent pool"))
    partner = fact_subject("Partner", _("partner"))

    objects = FactManager()
    history = HistoricalRecords()

    SUBJECT_FIELDS = FACT_SUBJECT_FIELDS

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        ordering = ["region", "key"]
        constraints = [
            models.UniqueConstraint(fields=["region", "key"], name="promotion_fact_unique_key"),
            models.UniqueConstraint(
                fields=["region", "source", "text_en"], name="promotion_fact_unique_source"
            ),
            models.CheckConstraint(
                condition=at_most_one_set(FACT_SUBJECT_FIELDS),
                name="promotion_fact_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "status"], name="promotion_fact_status_idx"),
            models.Index(fields=["as_of"], name="promotion_fact_as_of_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text_en[:80]}"

    def natural_key(self) -> tuple[str, str]:
        return (related(self, "region").slug, self.key)

    natural_key.dependencies = ["promotion.region", "promotion.source"]  # type: ignore[attr-defined]

    @property
    def subject(self) -> models.Model | None:
        for name in self.SUBJECT_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None

    def period_end(self) -> datetime.date:
        """The last day of the period the fact describes (its year, month or day)."""
        if self.as_of_precision == AsOfPrecision.YEAR:
            return datetime.date(self.as_of.year, 12, 31)
        if self.as_of_precision == AsOfPrecision.MONTH:
            following = (self.as_of.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
            return following - datetime.timedelta(days=1)
        return self.as_of

    def age_in_years(self, today: datetime.date | None = None) -> float:
        """Years since the end of the period the fact describes (never negative)."""
        today = today or datetime.date.today()
        return max(0.0, (today - self.period_end()).days / 365.25)

    def clean(self) -> None:
        super().clean()
        subjects = [n for n in self.SUBJECT_FIELDS if getattr(self, f"{n}_id") is not None]
        if len(subjects) > 1:
            raise ValidationError(
                {name: _("A fact is about one thing at most.") for name in subjects}
            )
        errors: dict[str, Any] = {}
        for name in ("source", *self.SUBJECT_FIELDS):
            other = related(self, name)
            if other is not None and self.region_id and other.region_id != self.region_id:
                errors[name] = _("This belongs to another region.")
        if errors:
            raise ValidationError(errors)


class Partner(RegionScoped):
    """An economic development organisation of the region; also the tenant of CRM data."""

    class Kind(models.TextChoices):
        EDC = "edc", _("Economic development organisation")
        GOVERNMENT = "government", _("Government agency")
        CHAMBER = "chamber", _("Business chamber or council")
        ACADEMIC = "academic", _("University or research centre")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EDC)
    role_en = models.CharField(
        _("role (English)"),
        max_length=300,
        blank=True,
        help_text=_("Its role in the region's initiative."),
    )
    role_es = models.CharField(_("role (Spanish)"), max_length=300, blank=True)
    locality = models.ForeignKey(
        Locality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("municipality"),
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, blank=True, validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, blank=True, validators=[hex_colour]
    )
    logo = models.ImageField(
        _("logo"),
        upload_to=logo_upload_to,
        storage=PromotionStorage(),
        blank=True,
        validators=[validate_logo],
        help_text=_("A PNG or JPEG image, at most 2 MB."),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("source"),
        help_text=_("Where its role in the initiative is stated."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def natural_key(self) -> tuple[str]:  # type: ignore[override]
        return (self.slug,)


class RegionEditor(models.Model):
    """A user who may change a region's data. Everyone else on staff reads it."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="editors", verbose_name=_("region")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="promotion_region_editor_roles",
        verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("region editor")
        verbose_name_plural = _("region editors")
        constraints = [
            models.UniqueConstraint(fields=["region", "user"], name="promotion_regioneditor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.region}"
