"""The docs page answers GET and HEAD; any other method is a 405, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["options", "post", "put", "patch", "delete"])
def test_the_docs_page_refuses_other_methods(method):
    response = getattr(APIClient(), method)(
        reverse("promotion_api:schema-docs"), HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
def test_the_docs_page_answers_get_and_head(method):
    response = getattr(APIClient(), method)(reverse("promotion_api:schema-docs"))
    assert response.status_code == 200
