"""The leak world: three partners A, B and C, staff of each in every role, a prospect of
each carrying canaries in every text field, and two of B's and C's shared with A.

    A   A's own prospect
    B   B's, shared with nobody
    C   C's, shared with nobody
    BS  B's, shared with A (read, identity shown)
    CC  C's, shared with A (edit, codename only)

Each prospect has a contact, an interaction, a question and a stage change, and a ready
pitch deck rendered for its owner's manager (the company printed); CC also has one
rendered for A's editor (codename only). Canaries are drawn once per test session, so a
deck's PDF is rendered once and reused.
"""

from __future__ import annotations

import datetime
import functools
import logging
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from promotion.models import Contact, DeckStatus, Interaction, PitchDeck, Question, StageChange
from tests import factories
from tests.leak import oracle
from tests.leak.oracle import Canary, CanaryBook, World

PARTNERS = ("A", "B", "C")
ROLES = ("viewer", "editor", "manager")
PROSPECTS = {"A": "A", "B": "B", "C": "C", "BS": "B", "CC": "C"}

# Session-stable canaries (so the PDFs can be rendered once).
_TOKENS: dict[tuple[str, ...], Any] = {}
_PDFS: dict[tuple[str, bool], bytes] = {}


def _stable(key: tuple[str, ...], make: Any) -> Any:
    if key not in _TOKENS:
        _TOKENS[key] = make()
    return _TOKENS[key]


def _plant(book: CanaryBook, instance: Any, *, owner: str, partner: str) -> None:
    model = instance._meta.model_name
    for db_field in oracle.text_fields(type(instance)):
        text = _stable(
            (owner, model, db_field.name),
            functools.partial(oracle.text_canary, partner, owner, model, db_field.name),
        )
        value = oracle.canary_value(db_field, text)
        if db_field.max_length:
            assert len(value) <= db_field.max_length, (db_field, value)
        setattr(instance, db_field.attname, value)
        book.add(
            Canary(
                text, owner, partner, model, db_field.name, oracle.level_for(model, db_field.name)
            )
        )


def _numbers(book: CanaryBook, prospect: Any, *, owner: str, partner: str) -> None:
    figures = {
        "estimated_jobs": _stable((owner, "jobs"), lambda: oracle.distinctive_number(9)),
        "capital_investment": _stable((owner, "capex"), lambda: oracle.distinctive_number(12)),
        "site_min_area_m2": _stable((owner, "min"), lambda: oracle.distinctive_number(9)),
        "site_water_m3_day": _stable((owner, "water"), lambda: oracle.distinctive_number(9)),
    }
    figures["site_max_area_m2"] = figures["site_min_area_m2"] + 17
    for name, value in figures.items():
        setattr(prospect, name, Decimal(value) if name == "capital_investment" else value)
        if name == "site_max_area_m2":
            continue  # too close to the minimum to tell apart; the minimum stands for both
        for variant in oracle.number_variants(value):
            book.add(Canary(variant, owner, partner, "prospect", name, "visible", number=True))


def _deck(world: World, key: str, requester: Any, *, show_identity: bool) -> PitchDeck:
    from promotion.services.decks import deck_render, deck_request

    prospect = world.prospects[key]
    cached = _PDFS.get((key, show_identity))
    if cached is None:
        deck = deck_request(actor=requester, prospect=prospect, language="en", enqueue=False)
        deck = deck_render(deck_id=deck.pk, user_id=requester.pk)
        assert deck.status == DeckStatus.READY, deck.error
        assert deck.identity_shown == show_identity
        _PDFS[(key, show_identity)] = deck.file.read()
        return deck
    deck = PitchDeck.objects.create(
        prospect=prospect,
        language="en",
        requested_by=requester,
        status=DeckStatus.READY,
        identity_shown=show_identity,
        page_count=1,
        attempts=1,
        finished_at=timezone.now(),
    )
    deck.file.save("en.pdf", ContentFile(cached), save=True)
    return deck


def build_world() -> World:
    book = CanaryBook()
    region = factories.RegionFactory()
    partners = {
        key: factories.PartnerFactory(region=region, slug=f"leak-{key.lower()}", name=f"EDC {key}")
        for key in PARTNERS
    }
    users: dict[str, Any] = {}
    for key, partner in partners.items():
        for role in ROLES:
            name = _stable(
                ("user", key, role), lambda k=key, r=role: f"canary-{k}-user-{r}-{oracle.token()}"
            )
            user = factories.UserFactory(username=name)
            factories.PartnerMembershipFactory(user=user, partner=partner, role=role)
            users[f"{key}_{role}"] = user
            book.add(Canary(name, f"staff:{key}", key, "user", role, "staff"))
    users["outsider"] = factories.UserFactory(username="leak-outsider")
    users["root"] = factories.UserFactory(username="leak-root", is_superuser=True)

    prospects: dict[str, Any] = {}
    for key, owner in PROSPECTS.items():
        prospect = factories.ProspectFactory.build(
            partner=partners[owner], country="KR", naics_code="334413", stage="qualified"
        )
        _plant(book, prospect, owner=key, partner=owner)
        _numbers(book, prospect, owner=key, partner=owner)
        extra = _stable(
            (key, "prospect", "extra"), lambda k=key: f"CANARY-{k}-prospect-extra-{oracle.token()}"
        )
        prospect.extra = {"canary": extra}
        book.add(Canary(extra, key, owner, "prospect", "extra", "identity"))
        if key in ("A", "B", "C"):  # the unshared ones name their staff
            prospect.assigned_to = users[f"{owner}_editor"]
            prospect.created_by = users[f"{owner}_manager"]
        prospect.first_inquiry_on = datetime.date(2026, 1, 5)
        prospect.full_clean()
        prospect.save()
        StageChange.objects.create(prospect=prospect, from_stage="", to_stage="qualified")
        for model in (Contact, Interaction, Question):
            row = model(prospect=prospect)
            if model is Interaction:
                row.kind = "meeting"
            _plant(book, row, owner=key, partner=owner)
            row.full_clean(exclude=["topic", "facts"])
            row.save()
        prospects[key] = prospect

    factories.ProspectShareFactory(
        prospect=prospects["BS"],
        partner=partners["A"],
        access="read",
        reveal_identity=True,
        granted_by=users["B_manager"],
    )
    factories.ProspectShareFactory(
        prospect=prospects["CC"],
        partner=partners["A"],
        access="edit",
        reveal_identity=False,
        granted_by=users["C_manager"],
    )
    # B's own prospect is shared with C (whom A cannot see): a share row A must not see.
    factories.ProspectShareFactory(
        prospect=prospects["B"], partner=partners["C"], access="read", granted_by=users["B_manager"]
    )
    world = World(book=book, partners=partners, prospects=prospects, users=users, region=region)
    for key, owner in PROSPECTS.items():
        world.decks[key] = _deck(world, key, users[f"{owner}_manager"], show_identity=True)
    world.decks["CC-for-A"] = _deck(world, "CC", users["A_editor"], show_identity=False)
    _share_links(world)
    return world


def _share_links(world: World) -> None:
    """A share link of each owner's deck, where the app has share links."""
    try:
        from promotion.services.sharing import share_link_create
    except ImportError:
        return
    for key, owner in PROSPECTS.items():
        share_link_create(actor=world.users[f"{owner}_manager"], deck=world.decks[key])


@pytest.fixture
def leak_world(db, caplog, settings) -> World:
    settings.PROMOTION = {}
    world = build_world()
    caplog.set_level(logging.DEBUG, logger="promotion")
    caplog.set_level(logging.DEBUG, logger="django")
    caplog.clear()
    mail.outbox = []
    return world


# The roles the matrices run as: A's staff in each role, staff of no partner, nobody.
VIEWERS = ["A_viewer", "A_editor", "A_manager", "outsider", "anonymous"]


def viewers(*slow: str) -> list[object]:
    """``VIEWERS`` as parameters, the ``slow`` ones marked so (``-m "not slow"``)."""
    return [pytest.param(v, marks=pytest.mark.slow) if v in slow else v for v in VIEWERS]


def viewer_of(world: World, name: str) -> Any:
    return None if name == "anonymous" else world.users[name]
