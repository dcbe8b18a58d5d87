"""The share-link API: list a deck's links with their opens, create one (the address
given once), revoke one; the owner partner's managers only, others get 403 or 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from promotion.models import ShareLink
from promotion.services.sharing import share_link_create, share_link_open

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def links_url(deck):
    return reverse("promotion_api:deck-share-links", args=[deck.pk])


def revoke_url(link):
    return reverse("promotion_api:share-link-revoke", args=[link.pk])


def test_a_manager_creates_a_link_and_gets_its_address_once(world, client):
    response = api(world.a_manager).post(links_url(world.deck_es), {"days": 7}, format="json")
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    link = ShareLink.objects.get()
    assert data["id"] == link.pk and data["deck"] == world.deck_es.pk and data["active"]
    assert data["open_count"] == 0 and data["first_opened_at"] is None
    prefix = "http://testserver" + reverse("promotion:share-link", args=["x"])[:-2]
    assert data["share_url"].startswith(prefix)
    page = client.get(data["share_url"].removeprefix("http://testserver"))
    assert page.status_code == 200 and "Hanbit Medical" in page.content.decode()
    # The list shows the opening, never the address.
    listing = api(world.a_viewer).get(links_url(world.deck_es))
    assert listing.status_code == 200
    (row,) = listing.json()["results"]
    assert row["open_count"] == 1 and row["first_opened_at"] is not None
    assert "share_url" not in row
    token = data["share_url"].rstrip("/").rsplit("/", 1)[1]
    assert token not in listing.content.decode()


def test_refusals(world):
    for role in ("a_viewer", "a_editor"):
        response = api(getattr(world, role)).post(links_url(world.deck_es), {}, format="json")
        assert response.status_code == 403
    # Another partner: A's own deck is a 404, the deck shared with it a 403.
    assert api(world.b_manager).post(links_url(world.deck_es), {}).status_code == 404
    assert api(world.b_manager).get(links_url(world.deck_es)).status_code == 404
    assert api(world.b_manager).post(links_url(world.shared_deck), {}).status_code == 403
    assert api().get(links_url(world.deck_es)).status_code in (401, 403)
    # Not ready, or too long.
    manager = api(world.a_manager)
    assert manager.post(links_url(world.queued_deck), {}).status_code == 400
    response = manager.post(links_url(world.deck_es), {"days": 365}, format="json")
    assert response.status_code == 400 and "days" in response.json()
    assert not ShareLink.objects.exists()


def test_another_partner_sees_no_links_of_a_shared_deck(world):
    share_link_create(actor=world.a_manager, deck=world.shared_deck)
    response = api(world.b_manager).get(links_url(world.shared_deck))
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_manager_revokes_a_link(world):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    share_link_open(signed_token=token)
    assert api(world.a_editor).post(revoke_url(link)).status_code == 403
    assert api(world.b_manager).post(revoke_url(link)).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
    response = api(world.a_manager).post(revoke_url(link))
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None and response.json()["active"] is False
    assert response.json()["open_count"] == 1
