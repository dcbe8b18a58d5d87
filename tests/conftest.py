from __future__ import annotations

import os

import pytest

from tests import factories


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need DATABASE_URL to name a PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... to run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def region(db):
    return factories.RegionFactory()


@pytest.fixture
def staff_user(db):
    """A staff member who reads region data but may not change it."""
    return factories.UserFactory(username="staff")


@pytest.fixture
def editor(db, region):
    """A region editor of the test region."""
    user = factories.UserFactory(username="editor")
    factories.RegionEditorFactory(region=region, user=user)
    return user


@pytest.fixture
def calibaja(db):
    """The shipped Cali-Baja data set, loaded through the app's own loader."""
    from promotion.services.datasets import dataset_load

    dataset_load(name="calibaja")
    from promotion.models import Region

    return Region.objects.get(slug="calibaja")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The API's throttles count in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
