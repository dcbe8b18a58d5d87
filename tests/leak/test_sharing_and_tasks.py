"""Shares granted and revoked; the deck task called with another partner's deck.

A share gives the other partner's staff access at once, and its revocation ends it at
once, everywhere: the API, the admin, the PDF download. A deck queued before the
revocation is refused in the worker (the task re-checks), without rendering anything of
the prospect for the requester. And the deck task called directly with another partner's
deck and a user of A (not the deck's requester) is refused: B's deck is left untouched.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from promotion.models import DeckStatus, PitchDeck, ProspectShare
from promotion.services.crm import prospect_share, share_revoke
from promotion.services.decks import deck_render, deck_request
from promotion.tasks import deck_render_task
from tests.leak.endpoints import missing_like
from tests.leak.matrix import difference
from tests.leak.oracle import LeakFound, assert_no_leak


def _api(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def _admin(user):
    client = Client()
    client.force_login(user)
    return client


def _urls(prospect, deck):
    return {
        "api detail": reverse("promotion_api:prospect-detail", args=[prospect.pk]),
        "api decks": reverse("promotion_api:prospect-decks", args=[prospect.pk]),
        "api questions": reverse("promotion_api:prospect-questions", args=[prospect.pk]),
        "api deck": reverse("promotion_api:deck-detail", args=[deck.pk]),
        "api download": reverse("promotion_api:deck-download", args=[deck.pk]),
        "page download": reverse("promotion:deck-download", args=[deck.pk]),
    }


def _admin_urls(prospect, deck):
    return {
        "admin change": reverse("admin:promotion_prospect_change", args=[prospect.pk]),
        "admin history": reverse("admin:promotion_prospect_history", args=[prospect.pk]),
        "admin deck": reverse("admin:promotion_pitchdeck_change", args=[deck.pk]),
    }


@pytest.mark.parametrize("reveal", [True, False])
def test_a_share_gives_access_and_its_revocation_ends_it_at_once(leak_world, reveal):
    world = leak_world
    b_prospect, b_manager = world.prospects["B"], world.users["B_manager"]
    a_editor = world.users["A_editor"]
    deck = world.decks["B"]  # rendered for B, company printed
    share = prospect_share(
        actor=b_manager, prospect=b_prospect, partner=world.partners["A"], reveal_identity=reveal
    )
    # A deck A's editor asked for while the share lasted, for A (identity per the share).
    a_deck = deck_request(actor=a_editor, prospect=b_prospect, language="es", enqueue=False)
    a_deck = deck_render(deck_id=a_deck.pk, user_id=a_editor.pk)
    assert a_deck.status == DeckStatus.READY and a_deck.identity_shown is reveal

    api, admin = _api(a_editor), _admin(a_editor)
    during = {name: api.get(url) for name, url in _urls(b_prospect, a_deck).items()}
    assert during["api detail"].status_code == 200
    assert during["api download"].status_code == 200
    assert admin.get(_admin_urls(b_prospect, a_deck)["admin change"]).status_code == 200
    company = next(c for c in world.book.of("B") if c.field == "company_name")
    assert (company.text in during["api detail"].content.decode()) is reveal
    for name, response in during.items():
        assert_no_leak(response, a_editor, world=world, where=f"{name} during the share")
    # The identity deck of B's own staff is never A's to download without the identity.
    own = api.get(reverse("promotion_api:deck-download", args=[deck.pk]))
    assert (own.status_code == 200) is reveal
    assert_no_leak(own, a_editor, world=world, where="B's own deck during the share")

    share_revoke(actor=b_manager, share=share)

    for name, url in _urls(b_prospect, a_deck).items():
        # Another partner's object now answers exactly like a missing one.
        by_deck = name in ("api deck", "api download", "page download")
        model, pk = (PitchDeck, a_deck.pk) if by_deck else (type(b_prospect), b_prospect.pk)
        missing_id = missing_like(model, pk)
        other, missing = api.get(url), api.get(url.replace(f"/{pk}/", f"/{missing_id}/"))
        assert other.status_code == 404, (name, other.status_code)
        assert difference(other, pk, missing, missing_id) is None, name
        assert_no_leak(other, a_editor, world=world, where=f"{name} after the revocation")
    for name, url in _admin_urls(b_prospect, a_deck).items():
        response = admin.get(url)
        assert response.status_code == 404, (name, response.status_code)
        assert_no_leak(response, a_editor, world=world, where=f"{name} after the revocation")
    listing = api.get(reverse("promotion_api:prospect-list"), {"page_size": 100})
    assert_no_leak(listing, a_editor, world=world, where="list after the revocation")
    assert b_prospect.pk not in [row["id"] for row in listing.json()["results"]]


def test_a_deck_queued_before_the_revocation_is_refused_in_the_worker(leak_world):
    world = leak_world
    b_prospect, b_manager = world.prospects["BS"], world.users["B_manager"]
    a_editor = world.users["A_editor"]
    deck = deck_request(actor=a_editor, prospect=b_prospect, language="es", enqueue=False)
    share = ProspectShare.objects.get(prospect=b_prospect, partner=world.partners["A"])
    share_revoke(actor=b_manager, share=share)
    files_before = _stored_files()

    result = deck_render_task.apply(args=[deck.pk, a_editor.pk])

    deck.refresh_from_db()
    assert deck.status == DeckStatus.FAILED and not deck.file and not deck.sha256
    assert _stored_files() == files_before, "a PDF was rendered for a revoked share"
    for produced in (repr(result.result), deck.error, deck.sections, deck.facts_used):
        assert_no_leak(produced, a_editor, world=world, where="task result")
    # And the API tells A nothing about it any more.
    response = _api(a_editor).get(reverse("promotion_api:deck-detail", args=[deck.pk]))
    assert response.status_code == 404


def test_the_deck_task_with_another_partners_deck_renders_nothing_for_a(leak_world):
    world = leak_world
    a_manager, b_manager = world.users["A_manager"], world.users["B_manager"]
    b_deck = deck_request(
        actor=b_manager, prospect=world.prospects["B"], language="es", enqueue=False
    )
    files_before = _stored_files()

    result = deck_render_task.apply(args=[b_deck.pk, a_manager.pk])

    b_deck.refresh_from_db()
    # A message that does not name the deck's requester is refused without touching B's
    # deck: it is neither rendered nor failed, and B's own message still renders it.
    assert (b_deck.status, b_deck.attempts, b_deck.error) == (DeckStatus.QUEUED, 0, "")
    assert not b_deck.file and b_deck.started_at is None
    assert _stored_files() == files_before
    assert_no_leak(repr(result.result), a_manager, world=world, where="task result")
    assert_no_leak(b_deck.error, a_manager, world=world, where="deck error")
    # Nothing A can reach tells it the deck exists.
    response = _api(a_manager).get(reverse("promotion_api:deck-detail", args=[b_deck.pk]))
    assert response.status_code == 404
    deck_render_task.apply(args=[b_deck.pk, b_manager.pk])
    b_deck.refresh_from_db()
    assert b_deck.status == DeckStatus.READY, b_deck.error


def test_the_pdfs_hold_only_what_their_requester_may_see(leak_world):
    """Each ready deck's PDF, scanned for its requester: the oracle's PDF reading works
    on real decks (B's deck is a leak for A), and a codename deck holds no company."""
    world = leak_world
    for key, deck in world.decks.items():
        data = deck.file.open("rb").read()
        assert_no_leak(data, deck.requested_by, world=world, where=f"deck {key}")
    b_pdf = world.decks["B"].file.open("rb").read()
    with pytest.raises(LeakFound):
        assert_no_leak(b_pdf, world.users["A_manager"], world=world, where="B's deck")
    codename_pdf = world.decks["CC-for-A"].file.open("rb").read()
    assert_no_leak(codename_pdf, world.users["A_viewer"], world=world, where="codename deck")


def test_file_names_in_storage_hold_no_canary(leak_world):
    world = leak_world
    names = "\n".join(_stored_files())
    assert names
    for canary in world.book.canaries:
        assert canary.text.lower() not in names.lower(), canary
    assert_no_leak(mail.outbox and mail.outbox[0].body, None, world=world)


def _stored_files() -> list[str]:
    storage = PitchDeck._meta.get_field("file").storage
    found: list[str] = []

    def walk(path: str) -> None:
        dirs, files = storage.listdir(path)
        found.extend(f"{path}/{name}" for name in files)
        for name in dirs:
            walk(f"{path}/{name}" if path else name)

    try:
        walk("promotion")
    except FileNotFoundError:
        return []
    return sorted(found)


def test_a_share_narrowed_to_the_codename_before_the_render_renders_no_company(leak_world):
    world = leak_world
    shared, b_manager, a_editor = (
        world.prospects["BS"],
        world.users["B_manager"],
        world.users["A_editor"],
    )
    deck = deck_request(actor=a_editor, prospect=shared, language="es", enqueue=False)
    prospect_share(
        actor=b_manager, prospect=shared, partner=world.partners["A"], reveal_identity=False
    )
    deck_render_task.apply(args=[deck.pk, a_editor.pk])
    deck.refresh_from_db()
    assert deck.status == DeckStatus.READY and deck.identity_shown is False
    assert_no_leak(deck.file.open("rb").read(), a_editor, world=world, where="narrowed deck")
    response = _api(a_editor).get(reverse("promotion_api:deck-download", args=[deck.pk]))
    assert response.status_code == 200
    assert_no_leak(response, a_editor, world=world, where="narrowed deck download")
