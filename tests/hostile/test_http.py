"""HTTP hygiene of the app's pages in a bare host (tests/settings.py, Django's default
security settings): security headers, CSRF on the session-authenticated API, a new
session key at login."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from promotion.models import Prospect
from tests import factories

pytestmark = pytest.mark.django_db


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


def test_security_headers_on_the_apps_pages(client, world, calibaja):
    client.force_login(world.tj_manager)
    pages = [
        reverse("promotion:ask", args=["calibaja"]) + "?promotion_q=wifi",
        reverse("admin:promotion_prospect_changelist"),
        reverse("admin:promotion_prospect_change", args=[world.tj_prospect.pk]),
        reverse("promotion_api:prospect-list"),
        reverse("promotion_api:region-list"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_secure_headers(response)
    missing = client.get(reverse("promotion:deck-download", args=[999_999]))
    assert missing.status_code == 404
    assert_secure_headers(missing)


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
