"""What the prospect sees: the share page, the download, and the one page for every link
that does not work. No account, no data beyond the deck, nothing cached or indexed."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from promotion.models import DeckStatus, ShareLink
from promotion.services.sharing import share_link_create, share_link_path, share_link_revoke
from promotion.storage import file_storage
from tests.sharing.conftest import promotion_settings

pytestmark = pytest.mark.django_db

PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def shared(world, deck=None, **kwargs):
    link, token = share_link_create(actor=world.a_manager, deck=deck or world.deck_es, **kwargs)
    return link, token, share_link_path(token)


def assert_private(response):
    for name, value in PRIVATE_HEADERS.items():
        assert response[name] == value, name


def assert_invalid(response, status):
    assert response.status_code == status
    html = response.content.decode()
    assert "This link is no longer valid" in html
    assert '<section class="promotion-share-part promotion-share-other" lang="es">' in html
    assert_private(response)
    return html


def test_the_page_shows_the_deck_in_its_language_first_and_nothing_else(world, client):
    _link, token, url = shared(world)
    response = client.get(url)
    assert response.status_code == 200
    assert_private(response)
    html = response.content.decode()
    # The deck is in Spanish: the page is, first, and English follows.
    assert '<html lang="es">' in html and response["Content-Language"] == "es"
    assert html.index('lang="es"', html.index("<main>")) < html.index('lang="en"')
    # The recipient's company, the partner (by its Spanish name in Spanish), the download.
    assert "Hanbit Medical" in html and "EDC de Tijuana" in html and "Tijuana EDC" in html
    download = reverse("promotion:share-link-download", args=[token])
    assert html.count(f'href="{download}"') == 2
    assert "Download the pitch deck (PDF)" in html
    # No codename, notes, contacts, other prospects, other decks, staff or admin links.
    for secret in (
        "Project Osprey",
        "budget is tight",
        "Canary",
        "minjun",
        "Project Crane",
        "Other Company",
        "a-manager",
        "/admin/",
        reverse("promotion:deck-download", args=[world.deck_es.pk]),
        reverse("promotion:deck-download", args=[world.deck_codename.pk]),
    ):
        assert secret not in html, secret
    # The app's own minimal page, not the host's base template with its navigation.
    assert "Partner Portal" not in html and "promotion-share" in html


def test_a_deck_that_does_not_print_the_company_is_shared_without_it(world, client):
    _link, _token, url = shared(world, deck=world.deck_codename)
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Hanbit Medical" not in html and "Project Osprey" not in html
    assert "A pitch deck from Tijuana EDC" in html


def test_the_download_is_the_stored_file_as_a_private_attachment(world, client):
    _link, token, _url = shared(world)
    with file_storage().open(world.deck_es.file.name, "rb") as handle:
        stored = handle.read()
    response = client.get(reverse("promotion:share-link-download", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="deck-{world.deck_es.pk}-es.pdf"'
    )
    assert_private(response)
    assert b"".join(response.streaming_content) == stored
    assert stored.startswith(b"%PDF-1.4") and stored.endswith(b"% es\n")


def test_opening_the_page_is_counted_and_head_and_downloads_are_not(world, client):
    link, token, url = shared(world)
    assert client.head(url).status_code == 200
    link.refresh_from_db()
    assert link.open_count == 0 and link.first_opened_at is None
    client.get(url)
    client.get(reverse("promotion:share-link-download", args=[token]))
    client.get(url)
    link.refresh_from_db()
    assert link.open_count == 2
    assert link.first_opened_at is not None and link.last_opened_at >= link.first_opened_at


def test_the_page_only_reads(world, client):
    link, _token, url = shared(world)
    assert client.post(url).status_code == 405
    link.refresh_from_db()
    assert link.open_count == 0


def test_a_revoked_link_answers_the_invalid_page(world, client):
    link, token, url = shared(world)
    share_link_revoke(actor=world.a_manager, link=link)
    html = assert_invalid(client.get(url), 410)
    assert "Hanbit" not in html and "Tijuana" not in html
    assert_invalid(client.get(reverse("promotion:share-link-download", args=[token])), 410)
    link.refresh_from_db()
    assert link.open_count == 0


def test_an_expired_link_answers_the_invalid_page(world, client):
    link, token, url = shared(world)
    ShareLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert_invalid(client.get(url), 410)
    assert_invalid(client.get(reverse("promotion:share-link-download", args=[token])), 410)


def test_a_deck_no_longer_ready_or_deleted_ends_its_links(world, client):
    _link, _token, url = shared(world)
    world.deck_es.status = DeckStatus.RENDERING
    world.deck_es.save()
    assert_invalid(client.get(url), 410)
    world.deck_es.delete()
    assert_invalid(client.get(url), 404)


def test_a_tampered_token_is_refused_before_any_query(world, client, django_assert_num_queries):
    _link, token, url = shared(world)
    raw, signature = token.rsplit(":", 1)
    forged = [
        f"{raw[:-1]}{'A' if raw[-1] != 'A' else 'B'}:{signature}",
        f"{raw}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        raw,
        "made-up",
    ]
    for bad in forged:
        with django_assert_num_queries(0):
            html = assert_invalid(client.get(reverse("promotion:share-link", args=[bad])), 404)
        assert "Hanbit" not in html
        with django_assert_num_queries(0):
            assert_invalid(client.get(reverse("promotion:share-link-download", args=[bad])), 404)
    # The same page as for a revoked link, but for its status.
    assert client.get(url).status_code == 200


def test_the_invalid_page_speaks_the_visitors_language_first(world, client):
    response = client.get(
        reverse("promotion:share-link", args=["made-up"]), HTTP_ACCEPT_LANGUAGE="es"
    )
    html = response.content.decode()
    assert response.status_code == 404 and '<html lang="es">' in html
    assert '<section class="promotion-share-part" lang="es">' in html
    assert '<section class="promotion-share-part promotion-share-other" lang="en">' in html


def test_framing_follows_the_frame_ancestors_setting(world, client):
    _link, _token, url = shared(world)
    with promotion_settings(FRAME_ANCESTORS=[]):
        response = client.get(url)
        assert response["Content-Security-Policy"].endswith("; frame-ancestors 'none'")
        assert response["X-Frame-Options"] == "DENY"
    with promotion_settings(FRAME_ANCESTORS=["https://portal.example.org"]):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert policy.endswith("; frame-ancestors https://portal.example.org")
        assert "X-Frame-Options" not in response


def test_a_new_secret_key_ends_links_unless_the_old_one_is_a_fallback(world, client, settings):
    _link, _token, url = shared(world)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-the-tests"
    assert client.get(url).status_code == 404
    settings.SECRET_KEY_FALLBACKS = [old]
    assert client.get(url).status_code == 200


def test_the_page_needs_no_account_and_no_session(world, client):
    _link, _token, url = shared(world)
    response = client.get(url)
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_the_company_name_is_escaped(world, client):
    world.prospect.company_name = 'AT&T <script>alert("x")</script>'
    world.prospect.save()
    _link, _token, url = shared(world)
    html = client.get(url).content.decode()
    assert "<script>" not in html
    assert "AT&amp;T &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
