from __future__ import annotations

import pytest
from django.urls import reverse

from promotion.models import DeckStatus, Partner, PitchDeck
from tests import factories

pytestmark = pytest.mark.django_db


def test_action_generates_decks_for_visible_prospects_only(
    prospect, owner, calibaja, client, django_capture_on_commit_callbacks
):
    other = Partner.objects.filter(region=calibaja).exclude(pk=prospect.partner_id).first()
    foreign = factories.ProspectFactory(partner=other)
    client.force_login(owner)
    url = reverse("admin:promotion_prospect_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "generate_deck_es", "_selected_action": [prospect.pk, foreign.pk]}
        )
    assert response.status_code == 302
    assert not PitchDeck.objects.filter(prospect=foreign).exists()
    deck = PitchDeck.objects.get(prospect=prospect)
    assert deck.language == "es" and deck.status == DeckStatus.READY

    # The deck shows on the prospect and in the deck list, with its download link.
    page = client.get(reverse("admin:promotion_prospect_change", args=[prospect.pk]))
    assert page.status_code == 200
    download = reverse("promotion:deck-download", args=[deck.pk])
    assert download in page.content.decode()
    listing = client.get(reverse("admin:promotion_pitchdeck_changelist"))
    assert listing.status_code == 200 and download in listing.content.decode()


def test_deck_list_is_scoped(prospect, owner, calibaja, client):
    from promotion.services.decks import deck_request

    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    other = Partner.objects.filter(region=calibaja).exclude(pk=prospect.partner_id).first()
    stranger = factories.UserFactory(username="stranger-admin")
    factories.PartnerMembershipFactory(user=stranger, partner=other)
    client.force_login(stranger)
    listing = client.get(reverse("admin:promotion_pitchdeck_changelist"))
    assert listing.status_code == 200
    assert prospect.codename not in listing.content.decode()
    change = client.get(reverse("admin:promotion_pitchdeck_change", args=[deck.pk]))
    assert change.status_code in (302, 404)


def test_viewers_are_not_offered_the_deck_actions(prospect, owner, owner_partner, client):
    from promotion.models import PartnerRole

    viewer = factories.UserFactory(username="viewer-admin")
    factories.PartnerMembershipFactory(user=viewer, partner=owner_partner, role=PartnerRole.VIEWER)
    url = reverse("admin:promotion_prospect_changelist")
    client.force_login(owner)
    assert "generate_deck_en" in client.get(url).content.decode()
    client.force_login(viewer)
    page = client.get(url)
    assert page.status_code == 200 and prospect.codename in page.content.decode()
    assert "generate_deck_en" not in page.content.decode()
    # A tampered form is refused too, and no deck is queued.
    client.post(url, {"action": "generate_deck_en", "_selected_action": [prospect.pk]})
    assert not PitchDeck.objects.filter(prospect=prospect).exists()
