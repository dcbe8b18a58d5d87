from __future__ import annotations

import os

import pytest

from tests import factories


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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _skip_postgres_tests_without_postgres(items)
    _put_calibaja_tests_last_in_their_module(items)


def _skip_postgres_tests_without_postgres(items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need DATABASE_URL to name a PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... to run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _put_calibaja_tests_last_in_their_module(items: list[pytest.Item]) -> None:
    """Within each module's run of tests, those that use ``calibaja`` go last.

    The data set stays loaded from a module's first such test to the module's end (see
    ``_calibaja_for_module``), so a test of the same module that builds its own small world
    runs before it. pytest-django's order (database tests, transactional ones, the rest)
    is kept: only neighbours from the same module change places.
    """
    start = 0
    for end in range(1, len(items) + 1):
        if end == len(items) or items[end].path != items[start].path:
            items[start:end] = sorted(items[start:end], key=_uses_calibaja)
            start = end
    for item in items:
        if _uses_calibaja(item) and _is_transactional(item):
            raise pytest.UsageError(
                f"{item.nodeid}: the calibaja fixture lives in a transaction kept open for "
                "its module, which a transactional test would commit or flush; load the "
                "data set in the test itself (dataset_load)."
            )


def _uses_calibaja(item: pytest.Item) -> bool:
    return "calibaja" in getattr(item, "fixturenames", ())


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.fixture(scope="module")
def _calibaja_for_module(django_db_setup, django_db_blocker):
    """The shipped Cali-Baja data set, loaded once for a module's tests.

    Loading it takes seconds on PostgreSQL, and hundreds of tests read it. It is loaded in
    a transaction that stays open until the module's last test and is then rolled back, as
    ``TestCase.setUpTestData`` does for a class: each test runs in a savepoint of its own,
    so what one test changes the next does not see.
    """
    from django.db import transaction

    from promotion.models import Region
    from promotion.services.datasets import dataset_load

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            dataset_load(name="calibaja")
            yield Region.objects.get(slug="calibaja").pk
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def calibaja(_calibaja_for_module, db):
    """The shipped Cali-Baja data set, loaded through the app's own loader (once a module)."""
    from promotion.models import Region

    return Region.objects.get(pk=_calibaja_for_module)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The API's throttles count in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
