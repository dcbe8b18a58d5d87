"""What a matcher knows about a region: a plain, read-only snapshot of its data.

A snapshot holds every topic with its aliases, the region's places and its *published*
facts with their sources. It is loaded in a constant number of queries and kept in process
by ``promotion.answering.cache`` until the data changes, so answering a question needs no
query at all.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from promotion.models import Fact, FactStatus, Locality, Region, Topic, TopicAlias


@dataclass(frozen=True, slots=True)
class SourceEntry:
    title: str
    publisher: str
    url: str
    authority: str


@dataclass(frozen=True, slots=True)
class FactEntry:
    """A published fact; attribute names follow the model so ``localized()`` works on it."""

    id: int
    key: str
    text_en: str
    text_es: str
    value: str
    unit_en: str
    unit_es: str
    as_of: datetime.date
    kind: str
    source: SourceEntry
    topic_ids: tuple[int, ...]
    # The locality the fact is about: its own, or that of the asset, institution, talent
    # pool or partner it is about.
    locality_id: int | None
    # The name of what the fact is about, if anything ("Otay Mesa Port of Entry").
    subject_name: str
    as_of_precision: str = "year"  # "year", "month" or "day", as on the model
    # Each name of what the fact is about, apart: its full name, its acronym or short
    # name, and an asset's code ("SAN" for San Diego International Airport).
    subject_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicEntry:
    id: int
    slug: str
    name_en: str
    name_es: str
    description_en: str
    description_es: str
    aliases: tuple[tuple[str, str], ...]  # (language, text)
    model: Topic  # as loaded with the snapshot; shared, so treat it as read-only


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    id: int
    slug: str
    name: str
    admin_area: str  # the state it lies in
    country: str  # ISO 3166 alpha-2
    other_names: tuple[str, ...] = ()  # short or local names ("TJ")


@dataclass(frozen=True, slots=True)
class Knowledge:
    region_id: int
    region_slug: str
    region_name: str
    topics: tuple[TopicEntry, ...]
    places: tuple[PlaceEntry, ...]
    facts: tuple[FactEntry, ...]


def _subject(fact: Fact) -> tuple[int | None, tuple[str, ...]]:
    """The locality of what ``fact`` is about, and each of its names."""
    if fact.locality_id:
        return fact.locality_id, (fact.locality.name,)
    if fact.asset_id:
        return fact.asset.locality_id, (fact.asset.name, fact.asset.code)
    if fact.institution_id:
        return fact.institution.locality_id, (fact.institution.name, fact.institution.acronym)
    if fact.talent_pool_id:
        return fact.talent_pool.locality_id, (fact.talent_pool.name_en,)
    if fact.partner_id:
        return fact.partner.locality_id, (fact.partner.name, fact.partner.short_name)
    if fact.cluster_id:
        return None, (fact.cluster.name_en, fact.cluster.name_es)
    return None, ()


def load_knowledge(*, region: Region) -> Knowledge:
    """Read the snapshot of ``region`` in five queries, whatever the size of its data."""
    aliases: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for topic_id, language, text in TopicAlias.objects.values_list("topic_id", "language", "text"):
        aliases[topic_id].append((language, text))
    topics = tuple(
        TopicEntry(
            id=topic.pk,
            slug=topic.slug,
            name_en=topic.name_en,
            name_es=topic.name_es,
            description_en=topic.description_en,
            description_es=topic.description_es,
            aliases=tuple(aliases[topic.pk]),
            model=topic,
        )
        for topic in Topic.objects.order_by("slug")
    )
    places = tuple(
        PlaceEntry(
            id=pk,
            slug=slug,
            name=name,
            admin_area=admin_area,
            country=country,
            other_names=tuple(n.strip() for n in other_names.split(",") if n.strip()),
        )
        for pk, slug, name, admin_area, country, other_names in Locality.objects.filter(
            region=region
        )
        .order_by("pk")
        .values_list("pk", "slug", "name", "admin_area", "country", "other_names")
    )
    published = Fact.objects.filter(region=region, status=FactStatus.PUBLISHED)
    fact_topics: dict[int, list[int]] = defaultdict(list)
    for fact_id, topic_id in (
        Fact.topics.through.objects.filter(fact__in=published)
        .order_by("fact_id", "topic_id")
        .values_list("fact_id", "topic_id")
    ):
        fact_topics[fact_id].append(topic_id)
    facts = []
    for fact in published.select_related(
        "source", "locality", "asset", "institution", "talent_pool", "partner", "cluster"
    ).order_by("pk"):
        locality_id, subject_names = _subject(fact)
        subject_names = tuple(name for name in subject_names if name)
        facts.append(
            FactEntry(
                id=fact.pk,
                key=fact.key,
                text_en=fact.text_en,
                text_es=fact.text_es,
                value=fact.value,
                unit_en=fact.unit_en,
                unit_es=fact.unit_es,
                as_of=fact.as_of,
                kind=fact.kind,
                source=SourceEntry(
                    title=fact.source.title,
                    publisher=fact.source.publisher,
                    url=fact.source.url,
                    authority=fact.source.authority,
                ),
                topic_ids=tuple(fact_topics[fact.pk]),
                locality_id=locality_id,
                # An asset's code names it only as a word of its own ("SAN").
                subject_name=" ".join(subject_names[:1] if fact.asset_id else subject_names),
                subject_names=subject_names,
                as_of_precision=fact.as_of_precision,
            )
        )
    return Knowledge(
        region_id=region.pk,
        region_slug=region.slug,
        region_name=region.name,
        topics=topics,
        places=places,
        facts=tuple(facts),
    )
