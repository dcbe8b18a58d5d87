"""Two partners of one region: A owns a prospect with two ready decks (one printing the
company, one not) and a deck still queued; B is another partner, and a prospect of A is
shared with B. Staff of each with every role. The decks' files are small PDFs written to
the app's storage, as the renderer leaves them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from promotion.models import DeckStatus, PitchDeck
from tests import factories

PDF = b"%PDF-1.4\n% a shared deck\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def promotion_settings(**keys: object) -> override_settings:
    """``override_settings`` merging ``keys`` into the host's PROMOTION dict."""
    return override_settings(PROMOTION={**getattr(settings, "PROMOTION", {}), **keys})


def ready_deck(prospect, *, language="en", identity_shown=True, content=PDF):
    deck = PitchDeck.objects.create(
        prospect=prospect,
        language=language,
        status=DeckStatus.READY,
        identity_shown=identity_shown,
        page_count=9,
        finished_at=timezone.now(),
    )
    deck.file.save(f"deck-{language}.pdf", ContentFile(content), save=True)
    return deck


@pytest.fixture
def world(db):
    region = factories.RegionFactory()
    a = factories.PartnerFactory(
        region=region, slug="tj-edc", name="Tijuana EDC", name_es="EDC de Tijuana"
    )
    b = factories.PartnerFactory(region=region, slug="sd-edc", name="Rival Diego EDC")
    users = {}
    for partner, prefix in ((a, "a"), (b, "b")):
        for role in ("viewer", "editor", "manager"):
            user = factories.UserFactory(username=f"{prefix}-{role}")
            factories.PartnerMembershipFactory(user=user, partner=partner, role=role)
            users[f"{prefix}_{role}"] = user
    prospect = factories.ProspectFactory(
        partner=a,
        company_name="Hanbit Medical",
        codename="Project Osprey",
        notes="Internal note: budget is tight",
        language="es",
    )
    factories.ContactFactory(
        prospect=prospect, name="Min-jun Canary", email="minjun.canary@example.com"
    )
    other_prospect = factories.ProspectFactory(
        partner=a, company_name="Other Company Canary", codename="Project Crane"
    )
    shared_prospect = factories.ProspectFactory(
        partner=a, company_name="Shared Cables", codename="Project Tern"
    )
    factories.ProspectShareFactory(prospect=shared_prospect, partner=b, access="edit")
    return SimpleNamespace(
        region=region,
        a=a,
        b=b,
        prospect=prospect,
        deck_es=ready_deck(prospect, language="es", content=PDF + b"% es\n"),
        deck_codename=ready_deck(prospect, language="en", identity_shown=False),
        other_deck=ready_deck(other_prospect, content=PDF + b"% other\n"),
        shared_deck=ready_deck(shared_prospect),
        queued_deck=PitchDeck.objects.create(prospect=prospect, language="en"),
        **users,
    )
