"""The shipped Cali-Baja data set: sourced, dated, bilingual, consistent."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest
from django.apps import apps

from promotion import models

pytestmark = pytest.mark.django_db

DESIGN_TOPICS = {
    "connectivity",
    "talent",
    "education-research",
    "border-crossings",
    "airports",
    "seaports",
    "roads-rail",
    "trade",
    "clusters",
    "manufacturing",
    "legal-ip",
    "quality-of-life",
    "partners",
    "demographics",
    "tech-ecosystem",
    "infrastructure-investment",
}
# The ten most concentrated clusters, in the order the seed article publishes them.
PUBLISHED_CLUSTERS = [
    "Audio and Video Equipment Manufacturing",
    "Medical Equipment and Supplies Manufacturing",
    "Semiconductor and Other Electronic Component Manufacturing",
    "Electronic and precision equipment repair and maintenance",
    "Ship and boat manufacturing",
    "Other Electrical Equipment and Component Manufacturing",
    "Hardware Manufacturing",
    "Other Miscellaneous Manufacturing",
    "Manufacturing and Reproducing Magnetic and Optical Media",
    "Aerospace Product and Parts Manufacturing",
]


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[\W_]+", " ", "".join(c for c in text if not unicodedata.combining(c)))


def test_every_record_passes_the_models_own_validation(calibaja: models.Region) -> None:
    for model in apps.get_app_config("promotion").get_models():
        historical = any(field.name == "history_id" for field in model._meta.fields)
        if historical or not hasattr(model, "region"):
            continue
        for obj in model.objects.all():
            obj.full_clean()  # coordinates inside the region, lengths, choices, one subject


def test_every_fact_has_a_source_a_date_and_both_languages(calibaja: models.Region) -> None:
    facts = models.Fact.objects.filter(region=calibaja).select_related("source")
    assert facts.count() >= 150
    for fact in facts:
        assert fact.source.title and fact.source.publisher, fact.key
        assert fact.as_of is not None, fact.key
        assert fact.text_en.strip() and fact.text_es.strip(), fact.key
        assert fact.topics.exists(), fact.key


def test_no_fact_is_there_twice(calibaja: models.Region) -> None:
    texts = Counter(normalised(t) for t in models.Fact.objects.values_list("text_en", flat=True))
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_source_is_cited(calibaja: models.Region) -> None:
    """By a record, or named in a fact's note or an asset's description (a second source
    for the same figure, or the source of a position)."""
    cited = set(models.Fact.objects.values_list("source", flat=True))
    for model in (models.IndustryCluster, models.InfrastructureAsset, models.Partner):
        cited |= set(model.objects.values_list("source", flat=True))
    cited |= set(models.IndustryCluster.objects.values_list("figures_source", flat=True))
    cited |= set(models.Locality.objects.values_list("population_source", flat=True))
    notes = " ".join(
        [
            *models.Fact.objects.values_list("note", flat=True),
            *models.InfrastructureAsset.objects.values_list("description_en", flat=True),
        ]
    )
    named = set(re.findall(r"\bS\d+[a-z]?\b", notes))
    unused = models.Source.objects.filter(region=calibaja).exclude(pk__in=cited)
    assert [key for key in unused.values_list("key", flat=True) if key not in named] == []


def test_every_topic_slug_is_there_with_aliases_in_both_languages(
    calibaja: models.Region,
) -> None:
    slugs = set(models.Topic.objects.values_list("slug", flat=True))
    assert DESIGN_TOPICS <= slugs
    for topic in models.Topic.objects.all():
        languages = Counter(topic.aliases.values_list("language", flat=True))
        assert languages["en"] >= 3 and languages["es"] >= 3, topic.slug
        assert topic.facts.exists(), f"no fact answers {topic.slug}"


def test_the_ten_most_concentrated_clusters_in_published_order(calibaja: models.Region) -> None:
    ranked = models.IndustryCluster.objects.filter(region=calibaja, rank__isnull=False)
    assert [c.name_en.casefold() for c in ranked.order_by("rank")] == [
        name.casefold() for name in PUBLISHED_CLUSTERS
    ]
    assert [c.rank for c in ranked.order_by("rank")] == list(range(1, 11))
    for cluster in ranked:
        assert cluster.name_es and cluster.naics_prefixes(), cluster.slug


def test_cluster_figures_cite_their_own_source_not_the_ranking(calibaja: models.Region) -> None:
    """The 2015 ranking (S2) gives no figures; the figures come from "Jobs Without Borders"
    (S11, 2008 data), as the research file's CLU-04 and CLU-05 say."""
    with_figures = {
        c.slug: c
        for c in models.IndustryCluster.objects.filter(region=calibaja).select_related(
            "source", "figures_source"
        )
        if c.has_figures
    }
    assert set(with_figures) == {"audio-video-equipment", "medical-equipment-supplies"}
    audio, medical = (
        with_figures["audio-video-equipment"],
        with_figures["medical-equipment-supplies"],
    )
    assert (audio.employment, audio.location_quotient) == (31600, 28)
    assert (medical.employment, medical.location_quotient) == (43015, 7)
    for cluster in (audio, medical):
        assert cluster.source.key == "S2"
        assert cluster.location_quotient_more_than  # "more than 28", "more than 7"
        assert cluster.figures_source.key == "S11"
        assert cluster.figures_source.url.startswith("http://www.sandiegouniontribune.com/")
        assert (cluster.figures_as_of.year, cluster.figures_as_of_precision) == (2008, "year")


def test_partners_of_the_initiative_with_role_and_municipality(calibaja: models.Region) -> None:
    partners = models.Partner.objects.filter(region=calibaja)
    names = " ".join(partners.values_list("name", flat=True)).casefold()
    for named in ("tijuana", "ensenada", "tecate", "mexicali", "san diego", "imperial"):
        assert named in names, named
    for partner in partners:
        assert partner.role_en and partner.role_es, partner.slug
        assert partner.locality_id is not None, partner.slug


def test_infrastructure_with_coordinates_status_and_investment(calibaja: models.Region) -> None:
    assets = models.InfrastructureAsset.objects.filter(region=calibaja)
    kinds = Counter(assets.values_list("kind", flat=True))
    assert kinds["border_crossing"] >= 6 and kinds["airport"] >= 3 and kinds["seaport"] >= 2
    statuses = set(assets.values_list("status", flat=True))
    assert {"operating", "under_construction"} <= statuses or {"operating", "planned"} <= statuses
    # A planned project may have no sourced position yet; anything built must have one.
    located = assets.filter(kind__in=["border_crossing", "airport", "seaport"])
    assert not located.exclude(status="planned").filter(latitude__isnull=True).exists()
    assert assets.filter(investment_amount__isnull=False).exists()


def test_conflicting_sources_are_both_kept(calibaja: models.Region) -> None:
    """Where sources disagree, each figure stays with its own source."""
    crossings = models.Fact.objects.filter(
        topics__slug="border-crossings", text_en__iregex=r"(ports? of entry|crossings)"
    ).filter(value_number__in=[6, 7])
    assert crossings.values("source").distinct().count() >= 2
    population = models.Fact.objects.filter(topics__slug="demographics", unit_en__icontains="")
    assert population.values("source").distinct().count() >= 2


def test_held_facts_say_why(calibaja: models.Region) -> None:
    for fact in models.Fact.objects.filter(status=models.FactStatus.NEEDS_VERIFICATION):
        assert fact.note.strip(), fact.key


def test_loading_twice_changes_nothing(calibaja: models.Region) -> None:
    from promotion.services.datasets import dataset_load

    before = {m: m.objects.count() for m in (models.Fact, models.Source, models.TopicAlias)}
    report = dataset_load(name="calibaja")
    assert sum(report.created.values()) == 0
    assert before == {m: m.objects.count() for m in before}


def test_every_place_of_the_region_is_there_with_a_sourced_position(
    calibaja: models.Region,
) -> None:
    localities = models.Locality.objects.filter(region=calibaja)
    assert {
        "san-diego-county",
        "imperial-county",
        "tijuana",
        "tecate",
        "mexicali",
        "ensenada",
        "playas-de-rosarito",
    } <= set(localities.values_list("slug", flat=True))
    for locality in localities:
        if locality.latitude is not None:
            assert re.search(r"\bS\d+\b", locality.coordinates_note), locality.slug
        else:
            assert locality.coordinates_note, locality.slug
