"""The OpenAPI schema and the docs page: true to the API, and served with no CDN."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def schema() -> dict:
    response = APIClient().get(reverse("promotion_api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_validates_with_no_warning(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--custom-settings",
        "promotion.api.schema.SCHEMA_SETTINGS",
        "--file",
        str(out),
        stderr=StringIO(),
    )
    document = yaml.safe_load(out.read_text())
    assert document["openapi"].startswith("3.")


def test_the_schema_lists_the_apps_endpoints_under_the_hosts_prefix():
    document = schema()
    prefix = reverse("promotion_api:region-list").removesuffix("regions/")
    paths = set(document["paths"])
    for path in [
        "regions/",
        "regions/{slug}/facts/",
        "regions/{slug}/answer/",
        "prospects/",
        "prospects/{id}/",
        "prospects/summary/",
        "prospects/{id}/questions/",
        "prospects/{id}/decks/",
        "decks/{id}/",
        "decks/{id}/download/",
    ]:
        assert prefix + path in paths
    assert all(path.startswith(prefix) for path in paths)  # nothing of the host's
    assert not any("schema" in path for path in paths)


def test_the_schema_says_what_the_api_does():
    document = schema()
    prefix = reverse("promotion_api:region-list").removesuffix("regions/")
    paths = document["paths"]
    request_deck = paths[prefix + "prospects/{id}/decks/"]["post"]["responses"]["202"]
    assert "Location" in request_deck["headers"]
    download = paths[prefix + "decks/{id}/download/"]["get"]["responses"]["200"]
    assert download["content"]["application/pdf"]["schema"]["format"] == "binary"
    answer = paths[prefix + "regions/{slug}/answer/"]["get"]
    assert {p["name"] for p in answer["parameters"]} >= {"q", "lang"}
    assert answer["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Answer"
    }
    assert {"question", "answered", "topic", "confidence", "facts"} <= set(
        document["components"]["schemas"]["Answer"]["properties"]
    )
    listing = paths[prefix + "prospects/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"page", "page_size", "stage", "country", "partner", "search"} <= names
    assert "404" in paths[prefix + "prospects/{id}/"]["get"]["responses"]
    assert "429" in listing["responses"]
    facts = {p["name"] for p in paths[prefix + "regions/{slug}/facts/"]["get"]["parameters"]}
    assert {"topic", "q", "locality", "as_of_after", "as_of_before", "page"} <= facts
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


@override_settings(
    REST_FRAMEWORK={"DEFAULT_SCHEMA_CLASS": "rest_framework.schemas.openapi.AutoSchema"}
)
def test_the_schema_does_not_need_the_hosts_schema_class():
    assert schema()["paths"]


def test_the_docs_page_loads_nothing_from_another_host():
    response = APIClient().get(reverse("promotion_api:schema-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert any(asset.endswith("swagger-ui.css") for asset in assets)
    # The start-up script is the page's own address (no inline script), and names the
    # schema; no URL of another host anywhere, in the page or that script.
    docs = reverse("promotion_api:schema-docs")
    start = [asset for asset in assets if asset.startswith(docs)]
    assert [asset.replace("&amp;", "&") for asset in start] == [f"{docs}?script="]
    script = APIClient().get(start[0]).content.decode()
    assert f'"{reverse("promotion_api:schema")}"' in script
    assert not re.search(r"https?://|\"//", html + script)
    for asset in assets:
        if asset in start:
            continue
        assert asset.startswith(settings.STATIC_URL), asset
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
