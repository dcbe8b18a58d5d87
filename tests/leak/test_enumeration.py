"""The enumeration finds what it must: from the schema when there is one, from the
resolver otherwise; every path parameter is tied to a model; every admin is found."""

from __future__ import annotations

from rest_framework.test import APIClient

from promotion.models import PitchDeck, Prospect
from tests.leak.endpoints import (
    admin_sites,
    api_endpoints,
    model_for_param,
    resolver_endpoints,
)


def _root_client(world):
    client = APIClient()
    client.force_authenticate(user=world.users["root"])
    return client


def test_every_api_path_is_found(leak_world):
    endpoints = api_endpoints(_root_client(leak_world))
    templates = {e.template.replace("{pk}", "{id}") for e in endpoints}
    assert any(t.endswith("prospects/{id}/decks/") for t in templates), templates
    assert any(t.endswith("decks/{id}/download/") for t in templates), templates
    assert any(t.endswith("decks/{id}/share-links/") for t in templates), templates
    for endpoint in endpoints:
        for name, model in endpoint.models_of_params().items():
            assert model is not None or name == "slug", (endpoint.template, name)


def test_the_schema_gives_the_paths(leak_world):
    endpoints = api_endpoints(_root_client(leak_world))
    from_resolver = resolver_endpoints("promotion_api")
    # Every path from the schema; the resolver adds only what the schema leaves out: the
    # schema and its docs page.
    extra = sorted(e.template for e in endpoints if e.source != "schema")
    assert len(extra) == 2, extra
    assert extra[0].endswith("/schema/") and extra[1].endswith("/schema/docs/"), extra
    assert len(endpoints) == len(from_resolver)
    detail = next(e for e in endpoints if e.template.endswith("/prospects/{id}/"))
    assert detail.models_of_params() == {"id": Prospect}


def test_path_parameters_name_their_models():
    assert model_for_param("/api/prospects/{pk}/", "pk") is Prospect
    assert model_for_param("/api/decks/{id}/download/", "id") is PitchDeck
    assert model_for_param("/admin/x/{prospect_id}/", "prospect_id") is Prospect


def test_every_admin_site_of_the_urlconf_is_found(leak_world):
    sites = admin_sites()
    assert sites and all(Prospect in site._registry for site in sites)
