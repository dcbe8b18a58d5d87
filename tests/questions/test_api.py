"""The API records questions through ``question_record``: they are answered at once."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from promotion.models import Question


def test_posting_a_question_answers_it(world):
    client = APIClient()
    client.force_authenticate(world.tj_editor)
    response = client.post(
        reverse("promotion_api:prospect-questions", args=[world.tj_prospect.pk]),
        {"text": "Do you have wi-fi?"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.data["topic"] == "connectivity"
    assert response.data["answered"] is True and response.data["needs_follow_up"] is False
    assert [fact["id"] for fact in response.data["facts"]] == [world.households.pk]
    assert Question.objects.get(pk=response.data["id"]).confidence > 0
