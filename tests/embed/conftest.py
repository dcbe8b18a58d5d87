from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from promotion.answering import cache


@pytest.fixture(autouse=True)
def _fresh_matchers():
    """Start each test with no matcher built in this process."""
    cache.clear()
    yield
    cache.clear()


def promotion_settings(**keys: object) -> override_settings:
    """``override_settings`` that merges ``keys`` into the host's PROMOTION dict, so the
    portal host keeps its base template when a test changes another key."""
    return override_settings(PROMOTION={**getattr(settings, "PROMOTION", {}), **keys})
