"""Share links in the admin: created from the deck list by the owner's managers, the
address shown once, the links and their opens on the deck and the prospect for the
owner's staff only, revoked from the list of links."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from promotion.models import ShareLink
from promotion.services.sharing import share_link_create, share_link_open, share_link_path

pytestmark = pytest.mark.django_db

DECKS = "admin:promotion_pitchdeck_changelist"
LINKS = "admin:promotion_sharelink_changelist"


def deck_page(deck):
    return reverse("admin:promotion_pitchdeck_change", args=[deck.pk])


def test_a_manager_creates_a_link_and_sees_its_address_once(world, client):
    client.force_login(world.a_manager)
    listing = client.get(reverse(DECKS))
    assert "create_share_link" in listing.content.decode()
    response = client.post(
        reverse(DECKS),
        {"action": "create_share_link", "_selected_action": [world.deck_es.pk]},
        follow=True,
    )
    html = response.content.decode()
    link = ShareLink.objects.get()
    assert link.deck == world.deck_es and link.created_by == world.a_manager
    prefix = re.escape("http://testserver" + reverse("promotion:share-link", args=["TOKEN"]))
    prefix = prefix.replace("TOKEN", "([^/]+)")
    found = re.search(prefix, html)
    assert found, html
    token = found.group(1)
    # The address in the message works, and is never shown again.
    assert client.get(share_link_path(token)).status_code == 200
    again = client.get(deck_page(world.deck_es)).content.decode()
    assert token not in again and token.split(":")[0] not in again
    assert token not in client.get(reverse(LINKS)).content.decode()


def test_a_deck_that_is_not_ready_or_of_a_shared_prospect_is_not_shared(world, client):
    client.force_login(world.a_manager)
    response = client.post(
        reverse(DECKS),
        {"action": "create_share_link", "_selected_action": [world.queued_deck.pk]},
        follow=True,
    )
    assert "1 deck was not shared" in response.content.decode()
    assert not ShareLink.objects.exists()
    # B's staff see A's shared deck in their list, but may not share it.
    client.force_login(world.b_manager)
    listing = client.get(reverse(DECKS)).content.decode()
    assert "Project Tern" in listing
    client.post(
        reverse(DECKS), {"action": "create_share_link", "_selected_action": [world.shared_deck.pk]}
    )
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("role", ["a_viewer", "a_editor"])
def test_viewers_and_editors_are_not_offered_the_share_actions(world, client, role):
    client.force_login(getattr(world, role))
    listing = client.get(reverse(DECKS))
    assert listing.status_code == 200 and "Project Osprey" in listing.content.decode()
    assert "create_share_link" not in listing.content.decode()
    client.post(
        reverse(DECKS), {"action": "create_share_link", "_selected_action": [world.deck_es.pk]}
    )
    assert not ShareLink.objects.exists()


def test_the_deck_and_the_prospect_show_the_links_and_their_opens_to_the_owner(world, client):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    share_link_open(signed_token=token)
    share_link_open(signed_token=token)
    for role in ("a_viewer", "a_manager"):
        client.force_login(getattr(world, role))
        html = client.get(deck_page(world.deck_es)).content.decode()
        assert 'id="share_links-group"' in html and "a-manager" in html and "Active" in html
        assert re.search(r'class="field-open_count">\s*<p>2</p>', html)
        prospect = client.get(
            reverse("admin:promotion_prospect_change", args=[world.prospect.pk])
        ).content.decode()
        assert re.search(r'class="field-share_link_opens">\s*<p>2, last ', prospect)
        listing = client.get(reverse(LINKS)).content.decode()
        assert f"Share link {link.pk} of deck {world.deck_es.pk}" in listing


def test_another_partners_staff_never_see_the_links(world, client):
    link, token = share_link_create(actor=world.a_manager, deck=world.shared_deck)
    share_link_open(signed_token=token)
    client.force_login(world.b_manager)
    # B sees the shared deck, but neither its links nor their opens.
    html = client.get(deck_page(world.shared_deck)).content.decode()
    assert "Project Tern" in html
    assert 'id="share_links-group"' not in html and "field-open_count" not in html
    opens = re.search(
        r'field-share_link_opens".*?<div class="readonly">(.*?)</div>', html, re.DOTALL
    )
    assert opens and opens.group(1) == "—"
    listing = client.get(reverse(LINKS))
    assert listing.status_code == 200
    assert f"Share link {link.pk} " not in listing.content.decode()
    change = client.get(reverse("admin:promotion_sharelink_change", args=[link.pk]))
    assert change.status_code == 404
    # Nor A's own decks at all.
    assert client.get(deck_page(world.deck_es)).status_code in (302, 404)
    # A revoke sent by hand changes nothing.
    client.post(reverse(LINKS), {"action": "revoke", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_manager_revokes_links_from_the_list_and_the_link_stops_working(world, client):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    _other, other_token = share_link_create(actor=world.a_manager, deck=world.deck_codename)
    client.force_login(world.a_editor)
    page = client.get(reverse(LINKS)).content.decode()
    assert f"Share link {link.pk} " in page and 'value="revoke"' not in page
    client.post(reverse(LINKS), {"action": "revoke", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is None
    client.force_login(world.a_manager)
    assert 'value="revoke"' in client.get(reverse(LINKS)).content.decode()
    response = client.post(
        reverse(LINKS), {"action": "revoke", "_selected_action": [link.pk]}, follow=True
    )
    assert "1 share link revoked." in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == world.a_manager
    assert client.get(share_link_path(token)).status_code == 410
    assert client.get(share_link_path(other_token)).status_code == 200
    html = client.get(deck_page(world.deck_es)).content.decode()
    assert "Revoked" in html
    # From the deck list too: every link of the selected decks.
    client.post(
        reverse(DECKS),
        {"action": "revoke_deck_share_links", "_selected_action": [world.deck_codename.pk]},
    )
    assert client.get(share_link_path(other_token)).status_code == 410
