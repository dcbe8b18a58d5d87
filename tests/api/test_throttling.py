"""Throttles: a courtesy to the server, with rates from PROMOTION, not the host's DRF."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories


def rates(**scopes: str | None) -> dict:
    return {"API_THROTTLE_RATES": {"anon": None, "user": None, "answer": None, **scopes}}


def test_anonymous_clients_get_a_429_with_retry_after(db):
    factories.RegionFactory()
    url = reverse("promotion_api:region-list")
    client = APIClient()
    with override_settings(PROMOTION=rates(anon="2/minute")):
        assert [client.get(url).status_code for _ in range(2)] == [200, 200]
        refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()


def test_each_user_has_their_own_count(world, client_for):
    url = reverse("promotion_api:prospect-list")
    with override_settings(PROMOTION=rates(user="1/minute")):
        assert client_for(world.a_viewer).get(url).status_code == 200
        assert client_for(world.a_viewer).get(url).status_code == 429
        assert client_for(world.b_viewer).get(url).status_code == 200


def test_the_answer_endpoint_has_its_own_scope(db):
    region = factories.RegionFactory()
    answer = reverse("promotion_api:region-answer", kwargs={"slug": region.slug})
    listing = reverse("promotion_api:region-list")
    client = APIClient()
    with override_settings(PROMOTION=rates(answer="1/minute")):
        assert client.get(answer, {"q": "wifi?"}).status_code == 200
        assert client.get(answer, {"q": "wifi?"}).status_code == 429
        assert client.get(listing).status_code == 200


@override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}})
def test_the_hosts_drf_throttle_settings_do_not_apply(db):
    url = reverse("promotion_api:region-list")
    client = APIClient()
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
