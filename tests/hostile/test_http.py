"""HTTP hygiene of the app's pages in a bare host (tests/settings.py, Django's default
security settings): security headers and Content-Security-Policy, CSRF on the
session-authenticated API, a new session key at login."""

from __future__ import annotations

import base64
import hashlib
import re

import django
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from rest_framework.test import APIClient

from promotion.embed import frame_ancestors
from promotion.models import Prospect
from tests import factories

NONE = "'none'"

pytestmark = pytest.mark.django_db

# What the host's own CSP middleware sends on its pages (Django 6's, or on Django 5.2 a
# stand-in that behaves the same: it never replaces a header a view set).
HOST_POLICY = "default-src 'self'"
# The app's pages, exactly (with the host's relative STATIC_URL).
BASE = "default-src 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"


def document_policy(*, frameable: bool) -> str:
    """The ask and share pages' policy; those may be framed by the host's FRAME_ANCESTORS."""
    ancestors = " ".join(frame_ancestors()) if frameable else ""
    return f"{BASE}; style-src 'self'; img-src 'self'; frame-ancestors {ancestors or NONE}"


SWAGGER_POLICY = (
    f"{BASE}; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'"
)
API_POLICY = re.compile(
    re.escape(f"{BASE}; script-src 'self'; style-src 'self' 'unsafe-hashes'")
    + r"( 'sha256-[A-Za-z0-9+/]{43}='){4,5}"  # the layout attributes, Pygments' block
    + re.escape("; img-src 'self'; font-src 'self'; connect-src 'self'; frame-ancestors 'none'")
)


@pytest.fixture
def calibaja(world):
    """The Cali-Baja data set loaded after the CRM world, in each test: the data set's
    "cdim" partner is the world's, which it then updates (the module-wide ``calibaja``
    would be loaded first, and the world's partner would clash with it)."""
    from promotion.models import Region
    from promotion.services.datasets import dataset_load

    dataset_load(name="calibaja")
    return Region.objects.get(slug="calibaja")


@pytest.fixture
def host_csp(settings):
    """The host runs its own CSP middleware with its own policy for its pages."""
    settings.SECURE_CSP = {"default-src": ["'self'"]}
    middleware = (
        "django.middleware.csp.ContentSecurityPolicyMiddleware"
        if django.VERSION >= (6, 0)
        else "tests.hostile.host_csp.ContentSecurityPolicyMiddleware"
    )
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], middleware, *settings.MIDDLEWARE[1:]]


def assert_secure_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in (
        "same-origin",
        "strict-origin-when-cross-origin",
        "no-referrer",
    )
    framing = response.get("X-Frame-Options") in ("DENY", "SAMEORIGIN") or (
        "frame-ancestors" in response.get("Content-Security-Policy", "")
    )
    assert framing, dict(response.headers)
    policy = response.get("Content-Security-Policy", "")
    assert policy, dict(response.headers)
    if policy != HOST_POLICY:  # the app's own: strict, whatever the page
        for directive in (
            "default-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors",
        ):
            assert directive in policy, (directive, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def app_pages(world) -> list[tuple[str, int]]:
    return [
        (reverse("promotion:ask", args=["calibaja"]) + "?promotion_q=wifi", 200),
        (reverse("promotion:ask", args=["no-such-region"]), 404),
        (reverse("promotion:share-link", args=["not-a-token"]), 404),
        (reverse("promotion:share-link-download", args=["not-a-token"]), 404),
        (reverse("promotion:deck-download", args=[999_999]), 404),
        (reverse("promotion_api:prospect-list"), 200),
        (reverse("promotion_api:prospect-list") + "?format=api", 200),
        (reverse("promotion_api:prospect-detail", args=[999_999]), 404),
        (reverse("promotion_api:region-list"), 200),
        (reverse("promotion_api:schema"), 200),
        (reverse("promotion_api:schema-docs"), 200),
        (reverse("promotion_api:schema-docs") + "?script", 200),
    ]


@pytest.mark.parametrize("host", ["bare", "own CSP middleware"])
def test_security_headers_on_the_apps_pages(client, world, calibaja, host, request):
    if host != "bare":
        request.getfixturevalue("host_csp")
    client.force_login(world.tj_manager)
    for page, status in app_pages(world):
        response = client.get(page)
        assert response.status_code == status, page
        assert_secure_headers(response)
        assert response["Content-Security-Policy"] != HOST_POLICY, page  # the app's
    admin_pages = [
        reverse("admin:promotion_prospect_changelist"),
        reverse("admin:promotion_prospect_change", args=[world.tj_prospect.pk]),
    ]
    for page in admin_pages:
        response = client.get(page)
        assert response.status_code == 200, page
        if host == "bare":  # the admin is the host's: the app adds nothing to it
            assert "Content-Security-Policy" not in response
        else:
            assert_secure_headers(response)
            assert response["Content-Security-Policy"] == HOST_POLICY


def test_the_key_pages_policies_exactly(client, world, calibaja, host_csp):
    client.force_login(world.tj_manager)
    ask = client.get(reverse("promotion:ask", args=["calibaja"]))
    assert ask["Content-Security-Policy"] == document_policy(frameable=True)
    share = client.get(reverse("promotion:share-link", args=["not-a-token"]))
    assert share["Content-Security-Policy"] == document_policy(frameable=True)
    download = client.get(reverse("promotion:deck-download", args=[999_999]))
    assert download["Content-Security-Policy"] == document_policy(frameable=False)
    docs = client.get(reverse("promotion_api:schema-docs"))
    assert docs["Content-Security-Policy"] == SWAGGER_POLICY
    for page in (reverse("promotion_api:region-list"), reverse("promotion_api:prospect-list")):
        for accept in ("application/json", "text/html"):
            response = client.get(page, HTTP_ACCEPT=accept)
            assert API_POLICY.fullmatch(response["Content-Security-Policy"]), (page, accept)


def test_the_docs_and_browsable_pages_need_no_inline_script(client, world, calibaja):
    """What the policies allow is all these pages load: no inline script or style block,
    scripts and styles from the site's static files, the start-up script from the page's
    own address."""
    client.force_login(world.tj_manager)
    docs_url = reverse("promotion_api:schema-docs")
    for page in (docs_url, reverse("promotion_api:prospect-list") + "?format=api"):
        html = client.get(page).content.decode()
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        assert scripts, page
        for attributes, body in scripts:
            executable = "application/json" not in attributes
            assert "src=" in attributes or not (executable and body.strip()), (page, body)
        # Inline styles only where the page's policy names their hash.
        policy = client.get(page)["Content-Security-Policy"]
        inline = re.findall(r"<style>(.*?)</style>", html, re.S)
        inline += re.findall(r'\sstyle="([^"]*)"', html)
        for text in inline:
            digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy, (page, text[:60])
        assert not re.search(r"\son[a-z]+=", html), page
        static = re.findall(r'(?:src|href)="/static/([^"?]+)"', html)
        assert static and [f for f in static if not finders.find(f)] == [], page
    html = client.get(docs_url).content.decode()
    start = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html)
    assert start, html
    script = client.get(start.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_host_widens_or_turns_off_the_apps_policy(client, calibaja, settings, host_csp):
    ask = reverse("promotion:ask", args=["calibaja"])
    settings.STATIC_URL = "https://static.example.org/assets/"
    settings.PROMOTION = {
        "CONTENT_SECURITY_POLICY": {"style-src": ["https://cdn.portal.example.org"]},
        "FRAME_ANCESTORS": ["https://portal.example.org"],
    }
    assert client.get(ask)["Content-Security-Policy"] == (
        f"{BASE}; style-src 'self' https://static.example.org https://cdn.portal.example.org; "
        "img-src 'self' https://static.example.org; frame-ancestors https://portal.example.org"
    )
    settings.PROMOTION = {"CONTENT_SECURITY_POLICY": None}
    download = client.get(reverse("promotion:deck-download", args=[999_999]))
    assert download["Content-Security-Policy"] == HOST_POLICY  # the host's middleware
    # The embeddable page still says who may frame it.
    assert client.get(ask)["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_a_bad_policy_setting_is_a_system_check_error(settings):
    from promotion.checks import check_settings

    settings.PROMOTION = {"CONTENT_SECURITY_POLICY": {"script-src": ["'self'; img-src *"]}}
    assert [e.id for e in check_settings()] == ["promotion.E016"]


def test_the_embeddable_page_refuses_framing_unless_configured(client, calibaja, settings):
    settings.PROMOTION = {**getattr(settings, "PROMOTION", {}), "FRAME_ANCESTORS": []}
    response = client.get(reverse("promotion:ask", args=["calibaja"]))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_session_api_enforces_csrf(world):
    prospects = reverse("promotion_api:prospect-list")
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(world.tj_manager)
    body = {"company_name": "No Token Inc", "country": "MX", "naics_code": "3364", "language": "en"}
    refused = api.post(prospects, body, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.content.decode()
    assert not Prospect.objects.filter(company_name="No Token Inc").exists()
    for method in ("patch", "delete"):
        response = getattr(api, method)(
            reverse("promotion_api:prospect-detail", args=[world.tj_prospect.pk]),
            {"industry": "x"},
            format="json",
        )
        assert response.status_code == 403, method
    # With the token from the cookie, the same request goes through.
    api.get(prospects)
    token = api.cookies.get(settings.CSRF_COOKIE_NAME)
    if token is None:
        from django.middleware.csrf import _get_new_csrf_string

        token = _get_new_csrf_string()
        api.cookies[settings.CSRF_COOKIE_NAME] = token
    else:
        token = token.value
    accepted = api.post(prospects, body, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content


def test_admin_login_rotates_the_session_key(client):
    user = factories.UserFactory(username="rotating")
    login = getattr(user, user.USERNAME_FIELD)
    index = reverse("admin:index")
    session = client.session
    session["before-login"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key
    response = client.post(
        reverse("admin:login"), {"username": login, "password": "secret", "next": index}
    )
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    from django.contrib.sessions.backends.db import SessionStore

    assert not SessionStore().exists(before)
    assert client.get(index).status_code == 200
    client.post(reverse("admin:logout"))
    client.cookies[settings.SESSION_COOKIE_NAME] = after
    assert client.get(index).status_code == 302  # the old cookie is dead after logout
