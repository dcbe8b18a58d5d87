"""Schemathesis over the API's own OpenAPI schema, as a demo partner's manager.

Every operation of the schema gets generated requests (a bounded number, so this stays
well under two minutes); no response may be a server error or contradict the schema
(status code, content type, headers, body).
"""

from __future__ import annotations

import pytest
import schemathesis
from celery import Celery
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from promotion.models import Partner, PartnerMembership, PitchDeck
from promotion.selectors.crm import prospect_visible_to
from promotion.services.decks import deck_request
from promotion.services.demo import demo_setup
from promotion.services.tokens import token_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MAX_EXAMPLES = 20

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app(settings):
    """The host as a WSGI app, inside the test's transaction: Django closes the database
    connection at the start and end of each request, which would end the test's."""
    settings.PROMOTION = {  # no throttling: hypothesis sends many requests at once
        **settings.PROMOTION,
        "API_THROTTLE_RATES": {"anon": None, "user": None, "answer": None},
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def eager_celery():
    """The test settings make Celery eager; stand in for the host's Celery app."""
    app = Celery("promotion-tests")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.set_current()
    app.set_default()
    return app


@pytest.fixture
def demo_key(wsgi_app, eager_celery, django_capture_on_commit_callbacks):
    """The demo data set; a key of the first partner's demo manager; one ready deck."""
    demo_setup(region_slug="calibaja")
    partner = Partner.objects.filter(memberships__isnull=False).order_by("slug").first()
    manager = PartnerMembership.objects.filter(partner=partner).first().user
    prospect = prospect_visible_to(user=manager).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        deck = deck_request(actor=manager, prospect=prospect, language="en")
    assert PitchDeck.objects.get(pk=deck.pk).status == "ready"
    _token, key = token_create(user=manager, name="schemathesis")
    return key


@pytest.fixture
def api_schema(wsgi_app, demo_key):
    path = reverse("promotion_api:schema") + "?format=json"
    return schemathesis.openapi.from_wsgi(path, wsgi_app)


def test_the_api_keeps_to_its_schema(api_schema, demo_key):
    # Each operation in turn, with hypothesis driven here rather than by schemathesis's
    # pytest plugin, so the database fixtures hold for every operation.
    failures = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {demo_key}"}, checks=CHECKS)

        try:
            call()
        except Exception as exc:
            failures[operation.label] = exc
    assert not failures, "\n\n".join(f"{label}:\n{exc}" for label, exc in failures.items())
