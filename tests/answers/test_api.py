"""The public region API: regions, facts, answers. No login, never internal notes."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def url(name: str, slug: str | None = None) -> str:
    """Wherever the host mounts the API (``api/`` here, ``invest/api/v1/`` in the portal)."""
    kwargs = {"slug": slug} if slug else {}
    return reverse(f"promotion_api:{name}", kwargs=kwargs)


# A host whose DRF default is "logged-in users only": our views must not inherit it.
LOCKED_DOWN = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": None,
}


@override_settings(REST_FRAMEWORK=LOCKED_DOWN)
def test_regions_list_and_detail_are_public(world, api: APIClient) -> None:
    listed = api.get(url("region-list"))
    assert listed.status_code == 200
    # Paginated like every list of the API, whatever the host's DEFAULT_PAGINATION_CLASS.
    assert listed.json()["count"] == 1
    assert [r["slug"] for r in listed.json()["results"]] == ["calibaja"]
    detail = api.get(url("region-detail", "calibaja"))
    assert detail.status_code == 200
    assert detail.json()["name"] == "Cali-Baja"
    assert api.get(url("region-detail", "nowhere")).status_code == 404


@override_settings(REST_FRAMEWORK=LOCKED_DOWN)
def test_facts_are_published_only_paginated_with_sources_and_without_notes(
    world, api: APIClient
) -> None:
    world.facts.households.note = "Internal: check against INEGI."
    world.facts.households.save()
    response = api.get(url("region-facts", "calibaja"))
    assert response.status_code == 200
    body = response.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    ids = {fact["id"] for fact in body["results"]}
    assert world.facts.held.pk not in ids
    assert world.facts.households.pk in ids
    for fact in body["results"]:
        assert "note" not in fact
        assert "status" not in fact
        assert {"title", "publisher", "url"} <= set(fact["source"])
    assert b"Internal: check" not in response.content


def test_facts_filter_by_topic_and_words(world, api: APIClient) -> None:
    by_topic = api.get(url("region-facts", "calibaja"), {"topic": "border-crossings"}).json()
    assert {f["id"] for f in by_topic["results"]} == {
        world.facts.otay.pk,
        world.facts.calexico.pk,
    }
    by_words = api.get(url("region-facts", "calibaja"), {"q": "Otay"}).json()
    assert [f["id"] for f in by_words["results"]] == [world.facts.otay.pk]
    by_spanish = api.get(url("region-facts", "calibaja"), {"q": "población"}).json()
    assert [f["id"] for f in by_spanish["results"]] == [world.facts.population.pk]
    held = api.get(url("region-facts", "calibaja"), {"q": "unverified"}).json()
    assert held["results"] == []


def test_facts_paginate(world, api: APIClient) -> None:
    for n in range(25):
        factories.FactFactory(region=world.region, text_en=f"Extra fact {n}.")
    first = api.get(url("region-facts", "calibaja")).json()
    assert len(first["results"]) == 20
    assert first["next"]
    assert api.get(url("region-facts", "nowhere")).status_code == 404


@override_settings(REST_FRAMEWORK=LOCKED_DOWN)
def test_answer_has_the_command_json_shape(world, api: APIClient) -> None:
    response = api.get(url("region-answer", "calibaja"), {"q": "¿Tienen wifi?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"question", "language", "answered", "topic", "confidence", "facts"}
    assert body["language"] == "es"
    assert body["answered"] is True and body["topic"] == "connectivity"
    assert body["facts"][0]["text"] == "Hogares de Baja California con acceso a internet."
    assert set(body["facts"][0]["source"]) == {"title", "publisher", "url"}


def test_answer_takes_the_language_and_declines_out_of_scope(world, api: APIClient) -> None:
    body = api.get(
        url("region-answer", "calibaja"), {"q": "Do you have wifi?", "lang": "es"}
    ).json()
    assert body["language"] == "es"
    declined = api.get(url("region-answer", "calibaja"), {"q": "Who won the Super Bowl?"}).json()
    assert declined["answered"] is False and declined["facts"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Give the question as ?q=..."),
        ({"q": "  "}, "The question (?q=) is empty."),
        ({"q": "x" * 501}, "longer than 500 characters"),
        ({"q": "wifi", "lang": "fr"}, "lang must be en or es."),
    ],
)
def test_answer_refuses_bad_questions_with_a_clear_message(
    world, api: APIClient, params: dict, message: str
) -> None:
    response = api.get(url("region-answer", "calibaja"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_answer_for_a_missing_region_is_404(world, api: APIClient) -> None:
    assert api.get(url("region-answer", "nowhere"), {"q": "wifi"}).status_code == 404


def test_a_question_of_exactly_500_characters_is_accepted(world, api: APIClient) -> None:
    question = ("Do you have wi-fi? " * 30)[:500]
    assert api.get(url("region-answer", "calibaja"), {"q": question}).status_code == 200
