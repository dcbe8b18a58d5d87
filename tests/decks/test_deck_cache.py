"""Region data kept between decks (``promotion.decks.cache``): fewer queries, and never an
old word after a change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from promotion.decks import cache
from promotion.models import DeckStatus, Fact, FactStatus, InfrastructureAsset, Partner
from promotion.services.decks import deck_render, deck_request
from tests.decks.conftest import pdf_text

pytestmark = pytest.mark.django_db


def render(prospect, user, language="en"):
    deck = deck_request(actor=user, prospect=prospect, language=language, enqueue=False)
    with CaptureQueriesContext(connection) as queries:
        deck = deck_render(deck_id=deck.pk, user_id=user.pk)
    assert deck.status == DeckStatus.READY, deck.error
    with deck.file.open("rb") as handle:
        return deck, pdf_text(handle.read()), len(queries)


def test_with_a_per_process_cache_nothing_is_kept(prospect, owner):
    assert not cache.cache_is_shared()  # the tests' LocMemCache
    _deck, _text, first = render(prospect, owner)
    _deck, _text, second = render(prospect, owner)
    assert second == first


def test_a_shared_cache_keeps_region_data_between_decks(prospect, owner, shared_cache):
    _deck, text, first = render(prospect, owner)
    _deck, again, second = render(prospect, owner)
    assert second <= first - 8  # glance, clusters, talent, assets, places, partners
    assert again == text


def test_a_changed_fact_is_printed_in_the_next_deck(prospect, owner, shared_cache):
    deck, _text, _queries = render(prospect, owner)
    fact = Fact.objects.get(pk=int(next(iter(deck.facts_used))))
    fact.text_en = "A freshly corrected statement of the figure."
    fact.save()
    _deck, text, _queries = render(prospect, owner)
    assert "A freshly corrected statement of the figure." in text


def test_a_held_fact_leaves_the_next_deck(prospect, owner, shared_cache, calibaja):
    deck, _text, _queries = render(prospect, owner)
    held = Fact.objects.filter(region=calibaja, status=FactStatus.PUBLISHED, topics__slug="trade")
    held = held.filter(value_number__isnull=False).order_by("key").first()
    assert str(held.pk) in deck.facts_used
    held.status = FactStatus.NEEDS_VERIFICATION
    held.save()
    deck, _text, _queries = render(prospect, owner)
    assert str(held.pk) not in deck.facts_used


def test_renamed_assets_and_partners_are_printed(prospect, owner, shared_cache, calibaja):
    render(prospect, owner)
    asset = InfrastructureAsset.objects.filter(region=calibaja, kind="airport").order_by("name")[0]
    asset.name = "Aardvark Renamed Airport"
    asset.save()
    partner = Partner.objects.filter(region=calibaja).exclude(pk=prospect.partner_id)[0]
    partner.name = "Renamed Partner of the Test"
    partner.save()
    _deck, text, _queries = render(prospect, owner)
    text = " ".join(text.split())  # a table cell may wrap the name
    assert "Aardvark Renamed Airport" in text and "Renamed Partner of the Test" in text
