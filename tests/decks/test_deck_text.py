"""What the decks say, word for word: the text extracted from the demo data's decks is
compared with the text recorded in ``golden/``, so a change made for speed (queries,
caches, fonts) cannot change a deck's words unnoticed.

When a deck's words change on purpose (new wording, new data set), record them again:
``PROMOTION_RECORD_DECK_TEXT=1 pytest tests/decks/test_deck_text.py`` and review the diff.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from promotion.models import DeckStatus, Partner, PartnerRole, Prospect
from promotion.services.crm import question_record
from promotion.services.decks import deck_render, deck_request
from promotion.services.demo import demo_pipeline
from tests import factories
from tests.decks.conftest import pdf_text

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
TODAY = datetime.date(2026, 11, 30)
FIVE_QUESTIONS = (
    "How many engineers speak English?",
    "How long is the wait at Otay Mesa?",
    "Which universities are near the border?",
    "Do you have wi-fi?",
    "How far is the nearest seaport?",
)


@pytest.fixture(params=["database", "kept"])
def region_data(request, monkeypatch):
    """Every deck reads region data from the database, or (after the first) from what the
    process kept (``promotion.decks.cache``): the words are the same either way."""
    if request.param == "kept":
        monkeypatch.setattr("promotion.decks.cache.cache_is_shared", lambda: True)
    return request.param


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def demo(calibaja, frozen_today, region_data):
    partner = Partner.objects.filter(region=calibaja).order_by("slug").first()
    manager = factories.UserFactory(username="manager")
    factories.PartnerMembershipFactory(user=manager, partner=partner, role=PartnerRole.MANAGER)
    viewer = factories.UserFactory(username="viewer")
    other = Partner.objects.filter(region=calibaja).exclude(pk=partner.pk).order_by("slug")[0]
    factories.PartnerMembershipFactory(user=viewer, partner=other, role=PartnerRole.MANAGER)
    prospects = demo_pipeline(partner=partner, manager=manager)
    five = factories.ProspectFactory(
        partner=partner,
        codename="Demo Five",
        company_name='Hanbit 한빛 電子 AT&T <Labs> "R&D"',
        naics_code="334413",
        language="en",
        estimated_jobs=240,
        capital_investment=18_000_000,
    )
    for text in FIVE_QUESTIONS:
        question_record(actor=manager, prospect=five, text=text, language="en")
    return manager, viewer, [*prospects, five]


def deck_text(prospect: Prospect, user, language: str) -> str:
    deck = deck_request(actor=user, prospect=prospect, language=language, enqueue=False)
    deck = deck_render(deck_id=deck.pk, user_id=user.pk)
    assert deck.status == DeckStatus.READY, deck.error
    with deck.file.open("rb") as handle:
        return pdf_text(handle.read())


def check(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("PROMOTION_RECORD_DECK_TEXT"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name}: the deck's text changed"


def test_demo_decks_say_what_they_said(demo):
    manager, _viewer, prospects = demo
    for prospect in prospects:
        for language in ("en", "es"):
            slug = prospect.codename.lower().replace(" ", "-")
            check(f"{slug}-{language}", deck_text(prospect, manager, language))


def test_a_codename_deck_says_what_it_said(demo):
    from promotion.selectors import crm

    _manager, viewer, prospects = demo
    prospect = prospects[-1]
    # The staff of another partner see this prospect by its codename only.
    factories.ProspectShareFactory(
        prospect=prospect,
        partner=Partner.objects.get(memberships__user=viewer),
        reveal_identity=False,
    )
    assert not crm.can_see_identity(user=viewer, prospect=prospect)
    check("demo-five-codename-es", deck_text(prospect, viewer, "es"))
