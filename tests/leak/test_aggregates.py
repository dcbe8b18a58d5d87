"""Aggregates are sums over what the role may see, and nothing else: a total that
included another partner's prospect would leak its figures without printing them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from promotion.models import Prospect
from tests.leak.oracle import NONE, assert_no_leak, expected_access


@pytest.mark.parametrize("role", ["A_viewer", "A_manager", "outsider"])
def test_the_pipeline_summary_sums_the_visible_prospects_only(leak_world, role):
    world = leak_world
    user = world.users[role]
    visible = [p for p in Prospect.objects.all() if expected_access(user, p) is not NONE]
    client = APIClient()
    client.force_authenticate(user=user)
    response = client.get(reverse("promotion_api:prospect-summary"))
    assert response.status_code == 200
    assert_no_leak(response, user, world=world, where="summary")
    data = response.json()
    assert data["count"] == len(visible)
    assert sum(s["estimated_jobs"] for s in data["stages"]) == sum(
        p.estimated_jobs or 0 for p in visible
    )
    total = sum(Decimal(s["capital_investment"].get("USD", "0")) for s in data["stages"])
    assert total == sum(p.capital_investment or 0 for p in visible if p.currency == "USD")
