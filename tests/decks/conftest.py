from __future__ import annotations

import io

import pytest
from celery import Celery

from tests import factories


@pytest.fixture(autouse=True)
def eager_celery():
    """The test settings make Celery eager; the app that reads them is the host's, so
    stand one in for the tests (the app itself never imports a Celery app)."""
    app = Celery("promotion-tests")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.set_current()
    app.set_default()
    return app


@pytest.fixture(autouse=True)
def fresh_deck_cache():
    """Each test starts with no region data kept from another test's database."""
    from promotion.decks import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shared_cache(monkeypatch):
    """Decks keep region data between renders, as with a cache shared by all processes."""
    monkeypatch.setattr("promotion.decks.cache.cache_is_shared", lambda: True)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture
def owner_partner(calibaja):
    from promotion.models import Partner

    return Partner.objects.filter(region=calibaja).order_by("pk").first()


@pytest.fixture
def owner(owner_partner):
    user = factories.UserFactory(username="owner")
    factories.PartnerMembershipFactory(user=user, partner=owner_partner)
    return user


@pytest.fixture
def prospect(owner_partner):
    return factories.ProspectFactory(partner=owner_partner, company_name='AT&T <Labs> "R&D"')
