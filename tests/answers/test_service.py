"""answer_question: what it may return, in which language, and at what cost."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from promotion.answering import cache
from promotion.answering.matchers import AliasMatcher, BaseMatcher, Match
from promotion.answering.text import detect_language, stem, words
from promotion.models import FactStatus, TopicAlias
from promotion.services.answers import answer_question
from tests import factories


def ask(world, text: str, language: str | None = None):
    return answer_question(region=world.region, text=text, language=language)


def test_a_held_fact_is_never_returned(world) -> None:
    held = world.facts.held.pk
    for question in [
        "How many bilingual engineers are there?",
        "unverified count of bilingual engineers",
        "¿Cuántos ingenieros bilingües hay?",
        "Un conteo no verificado de ingenieros bilingües",
    ]:
        answer = ask(world, question)
        assert answer.topic is not None and answer.topic.slug == "talent"
        assert held not in {fact.id for fact in answer.facts}


def test_a_fact_held_after_publication_disappears_from_answers(world) -> None:
    question = "Do engineers speak English in Tijuana?"
    assert ask(world, question).facts[0].id == world.facts.engineers.pk
    world.facts.engineers.status = FactStatus.NEEDS_VERIFICATION
    world.facts.engineers.save()
    assert world.facts.engineers.pk not in {f.id for f in ask(world, question).facts}


def test_an_untranslated_fact_is_shown_in_english_and_marked(world) -> None:
    fact = factories.FactFactory(
        region=world.region,
        topics=[world.topics["airports"]],
        text_en="Tijuana International Airport (TIJ) passenger traffic.",
        text_es="",
        unit_es="",
        unit_en="passengers",
        as_of=datetime.date(2024, 1, 1),
    )
    answer = ask(world, "¿Cuántos pasajeros tiene el aeropuerto TIJ?")
    assert answer.language == "es"
    shown = {f.id: f for f in answer.facts}
    assert fact.pk in shown
    assert shown[fact.pk].translated is False
    assert shown[fact.pk].text == fact.text_en
    assert shown[fact.pk].unit == "passengers"
    translated = [f for f in answer.facts if f.id != fact.pk]
    assert all(f.translated for f in translated)
    english = ask(world, "How many passengers does TIJ airport move?")
    assert all(f.translated for f in english.facts)


def test_every_fact_carries_its_source(world) -> None:
    answer = ask(world, "How do trucks cross into the US?")
    assert answer.facts
    for fact in answer.facts:
        assert fact.source.title and fact.source.publisher
        assert fact.source.url.startswith("https://")


def test_answer_as_dict_has_the_contract_shape(world) -> None:
    data = ask(world, "Do you have wi-fi?").as_dict()
    assert set(data) == {"question", "language", "answered", "topic", "confidence", "facts"}
    assert data["topic"] == "connectivity"
    assert set(data["facts"][0]) >= {"id", "text", "value", "unit", "as_of", "source"}
    assert set(data["facts"][0]["source"]) == {"title", "publisher", "url"}
    assert "note" not in data["facts"][0]


def test_unknown_language_is_refused(world) -> None:
    with pytest.raises(ValueError, match="language"):
        ask(world, "Do you have wi-fi?", "fr")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Do you have wi-fi?", "en"),
        ("¿Tienen wi-fi?", "es"),
        ("cuantos ingenieros hay en tijuana", "es"),
        ("How many engineers in Tijuana?", "en"),
        ("Población", "es"),
        ("wifi", "en"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_stemming_folds_plurals_and_genders_together() -> None:
    assert stem("engineers") == stem("engineer")
    assert stem("ingenieros") == stem("ingeniero")
    assert stem("universities") == stem("university")
    assert stem("aeropuertos") == stem("aeropuerto")
    assert stem("crossings") == stem("crossing") == stem("cross")
    assert stem("cruzan") == stem("cruzar") == stem("cruzando")
    assert [w.text for w in words("¿Cuántos EE. UU. y U.S.?")] == ["cuantos", "usa", "y", "usa"]


def test_an_alias_added_in_the_orm_takes_effect_at_once(world) -> None:
    assert not ask(world, "¿Hay chamba en Tijuana?").answered
    TopicAlias.objects.create(topic=world.topics["talent"], language="es", text="chamba")
    answer = ask(world, "¿Hay chamba en Tijuana?")
    assert answer.answered and answer.topic.slug == "talent"


@pytest.fixture
def superuser_client(db) -> Client:
    user = factories.UserFactory(username="root", is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_an_alias_added_through_the_admin_add_form_takes_effect_at_once(
    world, superuser_client: Client
) -> None:
    question = "Is there enough bandwidth?"
    assert not ask(world, question).answered
    response = superuser_client.post(
        reverse("admin:promotion_topicalias_add"),
        {"topic": world.topics["connectivity"].pk, "language": "en", "text": "bandwidth"},
    )
    assert response.status_code == 302, response.content[:2000]
    answer = ask(world, question)
    assert answer.answered and answer.topic.slug == "connectivity"


def test_an_alias_added_through_the_topic_inline_takes_effect_at_once(
    world, superuser_client: Client
) -> None:
    topic = world.topics["airports"]
    question = "¿Hay una terminal aérea cerca?"
    assert not ask(world, question).answered
    existing = list(topic.aliases.all())
    data = {
        "slug": topic.slug,
        "name_en": topic.name_en,
        "name_es": topic.name_es,
        "description_en": "",
        "description_es": "",
        "aliases-TOTAL_FORMS": str(len(existing) + 1),
        "aliases-INITIAL_FORMS": str(len(existing)),
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
    }
    for i, alias in enumerate(existing):
        data |= {
            f"aliases-{i}-id": alias.pk,
            f"aliases-{i}-topic": topic.pk,
            f"aliases-{i}-language": alias.language,
            f"aliases-{i}-text": alias.text,
        }
    n = len(existing)
    data |= {
        f"aliases-{n}-topic": topic.pk,
        f"aliases-{n}-language": "es",
        f"aliases-{n}-text": "terminal aérea",
    }
    response = superuser_client.post(reverse("admin:promotion_topic_change", args=[topic.pk]), data)
    assert response.status_code == 302, response.content[:3000]
    answer = ask(world, question)
    assert answer.answered and answer.topic.slug == "airports"


def test_a_new_fact_is_answered_at_once(world) -> None:
    first = ask(world, "internet in Mexicali")
    new = factories.FactFactory(
        region=world.region,
        topics=[world.topics["connectivity"]],
        locality=world.mexicali,
        text_en="Mexicali data center opened.",
        as_of=datetime.date(2025, 1, 1),
    )
    second = ask(world, "internet in Mexicali")
    assert new.pk not in {f.id for f in first.facts}
    assert new.pk in {f.id for f in second.facts}


def test_another_process_sees_changes_through_the_cache_token(world) -> None:
    ask(world, "Do you have wi-fi?")
    # What another process's receiver would do: only the shared token changes.
    cache.knowledge_changed(region_id=world.region.pk)
    stamp_before = cache._matchers[world.region.pk][0]
    ask(world, "Do you have wi-fi?")
    assert cache._matchers[world.region.pk][0] != stamp_before


def make_facts(region, topic, n: int) -> None:
    for i in range(n):
        factories.FactFactory(region=region, topics=[topic], text_en=f"Internet figure {i}.")


@pytest.mark.parametrize("n", [5, 200])
def test_queries_do_not_grow_with_the_number_of_facts(
    world, n: int, django_assert_max_num_queries, django_assert_num_queries
) -> None:
    make_facts(world.region, world.topics["connectivity"], n)
    # Building the matcher reads the snapshot in a constant number of queries...
    with django_assert_max_num_queries(5):
        ask(world, "Do you have internet?")
    # ...and then a question needs none.
    with django_assert_num_queries(0):
        for question in ["Do you have wi-fi?", "¿Cuántos ingenieros hay?", "Mars weather"]:
            ask(world, question)


class EverythingIsConnectivity(BaseMatcher):
    def match(self, *, text: str, language: str) -> Match:
        topic = next(t for t in self.knowledge.topics if t.slug == "connectivity")
        facts = tuple(f for f in self.knowledge.facts if topic.id in f.topic_ids)
        return Match(topic_id=topic.id, confidence=1.0, facts=facts[:1])


def test_the_matcher_is_chosen_by_the_setting(world) -> None:
    path = f"{__name__}.EverythingIsConnectivity"
    with override_settings(PROMOTION={"ANSWER_MATCHER": path}):
        assert ask(world, "Mars weather").topic.slug == "connectivity"
    assert ask(world, "Mars weather").topic is None


def test_the_default_matcher_is_the_alias_matcher() -> None:
    from promotion.conf import promotion_settings

    assert promotion_settings.ANSWER_MATCHER is AliasMatcher


def test_a_matcher_that_cannot_be_imported_is_a_system_check_error() -> None:
    from django.core.checks import Tags, run_checks

    # The app's checks are compatibility checks; others may need the database.
    with override_settings(PROMOTION={"ANSWER_MATCHER": "promotion.nowhere.Matcher"}):
        ids = {m.id for m in run_checks(tags=[Tags.compatibility])}
    assert "promotion.E005" in ids
    assert "promotion.E005" not in {m.id for m in run_checks(tags=[Tags.compatibility])}


def test_a_region_without_data_declines_everything(db) -> None:
    region = factories.RegionFactory(slug="empty", name="Empty")
    answer = answer_question(region=region, text="Do you have wi-fi?", language="en")
    assert answer.answered is False and answer.topic is None and answer.facts == ()


def test_tagging_a_fact_from_the_topic_side_takes_effect_at_once(world) -> None:
    fact = factories.FactFactory(
        region=world.region, text_en="Mexicali broadband fiber hub.", text_es=""
    )
    assert fact.pk not in {f.id for f in ask(world, "broadband fiber hub in Mexicali").facts}
    world.topics["connectivity"].facts.add(fact)  # the reverse side of Fact.topics
    assert fact.pk in {f.id for f in ask(world, "broadband fiber hub in Mexicali").facts}


def test_deleting_a_fact_takes_effect_at_once(world) -> None:
    otay = world.facts.otay.pk
    assert otay in {f.id for f in ask(world, "How do trucks cross into the US?").facts}
    world.facts.otay.delete()
    assert otay not in {f.id for f in ask(world, "How do trucks cross into the US?").facts}


class CarelessMatcher(BaseMatcher):
    """Returns every fact, whatever its topic: the service must not pass them on."""

    def match(self, *, text: str, language: str) -> Match:
        topic = next(t for t in self.knowledge.topics if t.slug == "airports")
        return Match(topic_id=topic.id, confidence=1.0, facts=self.knowledge.facts)


def test_the_service_keeps_the_contract_whatever_the_matcher(world) -> None:
    for n in range(8):
        factories.FactFactory(
            region=world.region, topics=[world.topics["airports"]], text_en=f"Airport {n}."
        )
    with override_settings(PROMOTION={"ANSWER_MATCHER": f"{__name__}.CarelessMatcher"}):
        answer = ask(world, "anything")
    airport_facts = set(world.topics["airports"].facts.values_list("pk", flat=True))
    assert len(answer.facts) == 5
    assert {f.id for f in answer.facts} <= airport_facts
    assert world.facts.held.pk not in {f.id for f in answer.facts}


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_changes_are_seen_at_once_even_when_the_cache_stores_nothing(world) -> None:
    assert not ask(world, "¿Hay chamba?").answered
    TopicAlias.objects.create(topic=world.topics["talent"], language="es", text="chamba")
    assert ask(world, "¿Hay chamba?").answered
