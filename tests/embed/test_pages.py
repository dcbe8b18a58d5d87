"""The "Ask the region" page (``promotion:ask``) and who may frame it."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.checks import Tags, run_checks
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from promotion.conf import DEFAULTS
from promotion.embed import ASK_PARAM, frameable
from tests.embed.conftest import promotion_settings

ORIGINS = ["https://portal.example.org", "https://partner.example.com:8443"]


def ask_url(slug: str = "calibaja") -> str:
    return reverse("promotion:ask", args=[slug])


def configured_base() -> str:
    return getattr(settings, "PROMOTION", {}).get("BASE_TEMPLATE", DEFAULTS["BASE_TEMPLATE"])


def test_ask_page_extends_the_configured_base_template(client, calibaja):
    response = client.get(ask_url())
    assert response.status_code == 200
    used = [t.name for t in response.templates]
    assert "promotion/embed/ask_page.html" in used
    assert configured_base() in used
    html = response.content.decode()
    if configured_base() == "portal/base.html":  # the portal host (tests.settings_portal)
        assert '<header class="portal-header">Partner Portal</header>' in html
    assert "promotion/promotion.css" in html
    assert f'name="{ASK_PARAM}"' in html


def test_ask_page_extends_a_base_template_the_host_names(client, calibaja, tmp_path):
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "base.html").write_text(
        "<title>{% block title %}{% endblock %}</title>"
        '<div class="host-frame">{% block content %}{% endblock %}</div>'
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    with override_settings(TEMPLATES=templates), promotion_settings(BASE_TEMPLATE="host/base.html"):
        response = client.get(ask_url())
    html = response.content.decode()
    assert '<div class="host-frame">' in html
    assert "<title>Ask Cali-Baja</title>" in html


def test_ask_page_answers_the_question_in_the_visitors_language(client, calibaja):
    english = client.get(ask_url(), {ASK_PARAM: "Do you have wi-fi?"}).content.decode()
    assert "What we know about" in english
    assert '<li class="promotion-fact">' in english
    spanish = client.get(
        ask_url(), {ASK_PARAM: "¿Tienen internet?"}, headers={"accept-language": "es"}
    ).content.decode()
    assert "Lo que sabemos sobre" in spanish
    assert "Pregunte a Cali-Baja" in spanish


def test_ask_page_escapes_the_question(client, calibaja):
    html = client.get(ask_url(), {ASK_PARAM: "<script>alert(1)</script>"}).content.decode()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_ask_page_of_an_unknown_region_is_not_found(client, db):
    assert client.get(ask_url("nowhere")).status_code == 404


def test_ask_page_only_reads(client, calibaja):
    assert client.head(ask_url()).status_code == 200
    assert client.post(ask_url(), {ASK_PARAM: "wi-fi"}).status_code == 405


# ---------------------------------------------------------------------- framing


def test_ask_page_may_be_framed_by_the_configured_origins_only(client, calibaja):
    with promotion_settings(FRAME_ANCESTORS=ORIGINS):
        response = client.get(ask_url())
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'none';")  # the app's whole policy (test_http)
    assert policy.endswith(
        "; frame-ancestors https://portal.example.org https://partner.example.com:8443"
    )
    assert "X-Frame-Options" not in response


def test_ask_page_may_be_framed_by_nobody_when_no_origin_is_configured(client, calibaja):
    with promotion_settings(FRAME_ANCESTORS=[]):
        response = client.get(ask_url())
    assert response["Content-Security-Policy"].endswith("; frame-ancestors 'none'")
    assert response["X-Frame-Options"] == "DENY"


def test_other_pages_still_refuse_to_be_framed(client, db):
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" in settings.MIDDLEWARE
    with promotion_settings(FRAME_ANCESTORS=ORIGINS):
        response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in response


def test_frameable_adds_the_directive_to_a_policy_the_view_set():
    @frameable
    def view(request):
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'self'"
        return response

    with promotion_settings(FRAME_ANCESTORS=["'self'"]):
        response = view(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'self'"
    assert response.xframe_options_exempt is True


def test_frameable_wraps_async_views():
    @frameable
    async def view(request):
        return HttpResponse()

    with promotion_settings(FRAME_ANCESTORS=[]):
        response = async_to_sync(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


# ---------------------------------------------------------------------- checks


def check_ids() -> set[str]:
    return {m.id for m in run_checks(tags=[Tags.compatibility]) if m.id.startswith("promotion.")}


@pytest.mark.parametrize(
    "origins",
    [
        ["portal.example.org"],
        ["https://portal.example.org/"],
        ["https://portal.example.org/embed"],
        ["https://portal.example.org; script-src *"],
        ["https://*.example.org"],
        ["ftp://portal.example.org"],
        ["https://portal.example.org:99999"],
        ["*"],
        ["'none'"],
        [42],
        "https://portal.example.org",
    ],
)
def test_check_rejects_a_frame_ancestor_that_is_not_an_origin(origins):
    with promotion_settings(FRAME_ANCESTORS=origins):
        assert "promotion.E010" in check_ids()


@pytest.mark.parametrize(
    "origins",
    [
        [],
        ["https://portal.example.org"],
        ["http://localhost:8000", "'self'"],
        ["https://[2001:db8::1]:8443"],
    ],
)
def test_check_accepts_origins(origins):
    with promotion_settings(FRAME_ANCESTORS=origins):
        assert "promotion.E010" not in check_ids()


@pytest.mark.parametrize("base", ["promotion/no-such-base.html", "", None])
def test_check_rejects_a_base_template_that_cannot_be_loaded(base):
    with promotion_settings(BASE_TEMPLATE=base):
        assert "promotion.E009" in check_ids()
