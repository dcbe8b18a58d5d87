"""prospects/{id}/questions/: list a prospect's questions, or record one and answer it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from promotion.models import Question
from tests import factories

QUESTION_KEYS = {
    "id",
    "text",
    "language",
    "asked_on",
    "answered",
    "topic",
    "needs_follow_up",
    "facts",
}
FACT_KEYS = {"id", "text", "value", "unit", "as_of", "source", "translated"}


def questions(pk):
    return reverse("promotion_api:prospect-questions", args=[pk])


def assert_question_shape(data):
    assert set(data) == QUESTION_KEYS
    assert isinstance(data["answered"], bool)
    assert isinstance(data["needs_follow_up"], bool)
    assert data["topic"] is None or isinstance(data["topic"], str)
    assert isinstance(data["facts"], list)
    assert data["answered"] == bool(data["facts"])
    for fact in data["facts"]:
        assert set(fact) == FACT_KEYS
        assert set(fact["source"]) == {"title", "publisher", "url"}


def test_an_editor_records_a_question_and_gets_its_answer(world, client_for):
    response = client_for(world.a_editor).post(
        questions(world.a_prospect.pk), {"text": "  Do you have wi-fi?  "}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert_question_shape(data)
    question = Question.objects.get(pk=data["id"])
    assert question.prospect == world.a_prospect
    assert question.text == data["text"] == "Do you have wi-fi?"
    assert question.language == data["language"] == world.a_prospect.language
    assert data["asked_on"] == question.asked_on.isoformat()


def test_the_language_may_be_given(world, client_for):
    response = client_for(world.a_editor).post(
        questions(world.a_prospect.pk),
        {"text": "¿Tienen internet?", "language": "es"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["language"] == "es"
    assert Question.objects.get(pk=response.json()["id"]).language == "es"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"text": "Wi-fi?", "language": "fr"}, "language"),
    ],
)
def test_invalid_questions_are_a_400(world, client_for, payload, field):
    response = client_for(world.a_editor).post(
        questions(world.a_prospect.pk), payload, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Question.objects.exists()


def test_viewers_and_read_shares_cannot_record_questions(world, client_for):
    viewer = client_for(world.a_viewer).post(
        questions(world.a_prospect.pk), {"text": "Wi-fi?"}, format="json"
    )
    read_share = client_for(world.a_manager).post(
        questions(world.b_shared.pk), {"text": "Wi-fi?"}, format="json"
    )
    assert viewer.status_code == read_share.status_code == 403
    assert not Question.objects.exists()


def test_the_list_shows_the_questions_with_their_facts(world, client_for):
    topic = factories.TopicFactory(slug="connectivity")
    fact = factories.FactFactory(
        region=world.region, text_es="Texto en español.", unit_es="% de los hogares"
    )
    answered = factories.QuestionFactory(
        prospect=world.a_prospect,
        text="¿Hay internet?",
        language="es",
        topic=topic,
        asked_on=datetime.date(2026, 2, 1),
    )
    answered.facts.set([fact])
    factories.QuestionFactory(
        prospect=world.a_prospect,
        text="Is there a golf course?",
        needs_follow_up=True,
        asked_on=datetime.date(2026, 1, 1),
    )
    factories.QuestionFactory(prospect=world.b_shared, text="Not this one")
    response = client_for(world.a_viewer).get(questions(world.a_prospect.pk))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["text"] for r in rows] == ["¿Hay internet?", "Is there a golf course?"]
    for row in rows:
        assert_question_shape(row)
    first, second = rows
    assert first["topic"] == "connectivity" and first["answered"] is True
    assert first["facts"] == [
        {
            "id": fact.pk,
            "text": "Texto en español.",
            "translated": True,
            "value": fact.value,
            "unit": "% de los hogares",
            "as_of": fact.as_of.isoformat(),
            "source": {
                "title": fact.source.title,
                "publisher": fact.source.publisher,
                "url": fact.source.url,
            },
        }
    ]
    assert second["answered"] is False and second["needs_follow_up"] is True
    assert second["topic"] is None and second["facts"] == []


def test_an_identity_revealing_share_shows_the_questions(world, client_for):
    factories.QuestionFactory(prospect=world.b_shared, text="Shared question?")
    response = client_for(world.a_viewer).get(questions(world.b_shared.pk))
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Shared question?"]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_question_list_makes_as_many_queries_for_10_questions_as_for_2(world, client_for):
    client = client_for(world.a_viewer)
    url = questions(world.a_prospect.pk)

    def add(n):
        for _ in range(n):
            question = factories.QuestionFactory(
                prospect=world.a_prospect, topic=factories.TopicFactory(slug="talent")
            )
            question.facts.set([factories.FactFactory(region=world.region)])

    add(2)
    small = _count(client, url)
    add(8)
    assert _count(client, url) == small
