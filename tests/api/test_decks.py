"""The pitch-deck API: request a deck (202), follow its status, download the PDF; the CRM's
tenancy rule on every path, and the company never shown to codename-only staff."""

from __future__ import annotations

import io

import pytest
from celery import Celery
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from promotion.models import DeckStatus, FactStatus, PitchDeck, Prospect
from promotion.selectors.decks import fact_versions
from promotion.services.decks import ERROR_NOT_VISIBLE, deck_render, deck_request
from tests import factories

DECK_KEYS = {
    "id",
    "url",
    "prospect",
    "language",
    "status",
    "error",
    "page_count",
    "identity_shown",
    "requested_at",
    "finished_at",
    "stale",
    "download_url",
}


@pytest.fixture(autouse=True)
def eager_celery():
    """The test settings make Celery eager; stand in for the host's Celery app."""
    app = Celery("promotion-tests")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.set_current()
    app.set_default()
    return app


def prospect_decks(pk):
    return reverse("promotion_api:prospect-decks", args=[pk])


def deck_detail(pk):
    return reverse("promotion_api:deck-detail", args=[pk])


def deck_download(pk):
    return reverse("promotion_api:deck-download", args=[pk])


def missing_prospect_id():
    return (Prospect.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def missing_deck_id():
    return (PitchDeck.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def absolute(path):
    return f"http://testserver{path}"


def rendered(prospect, user, language="en"):
    """A ready deck of ``prospect`` requested and rendered as ``user``."""
    deck = deck_request(actor=user, prospect=prospect, language=language, enqueue=False)
    deck = deck_render(deck_id=deck.pk, user_id=user.pk)
    assert deck.status == DeckStatus.READY, deck.error
    return deck


def pdf_of(response):
    return b"".join(response.streaming_content)


def pdf_text(data):
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def post_deck(django_capture_on_commit_callbacks):
    """POST to ``prospects/{id}/decks/`` and run what was queued on commit: the eager
    Celery task renders the deck in process."""

    def post(client, prospect_id, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(prospect_decks(prospect_id), data or {}, format="json")

    return post


# -- request, status, download ---------------------------------------------------------------


def test_a_request_is_accepted_then_ready_then_downloaded(world, client_for, post_deck):
    client = client_for(world.a_editor)
    response = post_deck(client, world.a_prospect.pk, {"language": "es"})
    assert response.status_code == 202, response.content
    data = response.json()
    assert set(data) == DECK_KEYS
    deck = PitchDeck.objects.get(prospect=world.a_prospect)
    assert data["id"] == deck.pk
    assert data["url"] == absolute(deck_detail(deck.pk))
    assert response["Location"] == data["url"]
    assert data["prospect"] == world.a_prospect.pk
    assert data["language"] == "es"
    assert data["status"] in {"queued", "rendering", "ready"}
    if data["status"] != "ready":
        assert data["identity_shown"] is None and data["download_url"] is None
    assert deck.requested_by == world.a_editor

    status = client.get(deck_detail(deck.pk))
    assert status.status_code == 200
    ready = status.json()
    assert ready["status"] == "ready"
    assert ready["error"] is None
    assert ready["page_count"] >= 1
    assert ready["finished_at"] is not None and ready["requested_at"] is not None
    assert ready["stale"] is False
    assert ready["identity_shown"] is True
    assert ready["download_url"] == absolute(deck_download(deck.pk))

    download = client.get(deck_download(deck.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert f"deck-{deck.pk}-es.pdf" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    assert pdf_of(download).startswith(b"%PDF")


def test_the_language_defaults_to_the_prospects(world, client_for, post_deck):
    Prospect.objects.filter(pk=world.a_prospect.pk).update(language="es")
    response = post_deck(client_for(world.a_editor), world.a_prospect.pk)
    assert response.status_code == 202, response.content
    assert response.json()["language"] == "es"


def test_a_client_asking_for_the_pdf_gets_it_and_json_refusals(world, client_for):
    deck = rendered(world.a_prospect, world.a_editor)
    client = client_for(world.a_viewer)
    download = client.get(deck_download(deck.pk), HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert pdf_of(download).startswith(b"%PDF")
    refused = client.get(deck_download(missing_deck_id()), HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/json"
    assert "detail" in refused.json()


def test_a_bad_language_is_a_400(world, client_for, post_deck):
    client = client_for(world.a_editor)
    for language in ("fr", "", "english"):
        response = post_deck(client, world.a_prospect.pk, {"language": language})
        assert response.status_code == 400, language
        assert "language" in response.json()
        assert '"en" or "es"' in response.json()["language"][0]
    assert not PitchDeck.objects.exists()


def test_a_failed_deck_shows_its_error_and_no_download(world, client_for):
    deck = PitchDeck.objects.create(
        prospect=world.a_prospect, language="en", status=DeckStatus.FAILED, error=ERROR_NOT_VISIBLE
    )
    data = client_for(world.a_viewer).get(deck_detail(deck.pk)).json()
    assert data["status"] == "failed"
    assert data["error"] == ERROR_NOT_VISIBLE
    assert data["download_url"] is None and data["stale"] is False
    assert client_for(world.a_viewer).get(deck_download(deck.pk)).status_code == 404


def test_a_deck_is_stale_once_a_fact_it_printed_changes(world, client_for):
    fact = factories.FactFactory(region=world.region)
    deck = PitchDeck.objects.create(
        prospect=world.a_prospect,
        language="en",
        status=DeckStatus.READY,
        file="promotion/decks/x/deck.pdf",
        facts_used=fact_versions(fact_ids=[fact.pk]),
    )
    client = client_for(world.a_viewer)
    assert client.get(deck_detail(deck.pk)).json()["stale"] is False
    fact.text_en += " Updated."
    fact.save()
    assert client.get(deck_detail(deck.pk)).json()["stale"] is True
    assert client.get(prospect_decks(world.a_prospect.pk)).json()["results"][0]["stale"] is True


def test_a_deck_is_stale_once_a_fact_it_printed_is_held_back(world, client_for):
    fact = factories.FactFactory(region=world.region)
    deck = PitchDeck.objects.create(
        prospect=world.a_prospect,
        language="en",
        status=DeckStatus.READY,
        file="promotion/decks/x/deck.pdf",
        facts_used=fact_versions(fact_ids=[fact.pk]),
    )
    # Held without a new version (a bulk update writes no history).
    type(fact).objects.filter(pk=fact.pk).update(status=FactStatus.NEEDS_VERIFICATION)
    assert client_for(world.a_viewer).get(deck_detail(deck.pk)).json()["stale"] is True


# -- who may do what ---------------------------------------------------------------------------


def test_viewers_see_decks_but_may_not_request_them(world, client_for, post_deck):
    deck = rendered(world.a_prospect, world.a_editor)
    client = client_for(world.a_viewer)
    refused = post_deck(client, world.a_prospect.pk, {"language": "es"})
    assert refused.status_code == 403
    assert "editors and managers" in refused.json()["detail"]
    assert list(PitchDeck.objects.values_list("pk", flat=True)) == [deck.pk]
    listed = client.get(prospect_decks(world.a_prospect.pk)).json()["results"]
    assert [row["id"] for row in listed] == [deck.pk]
    assert listed[0]["download_url"] == absolute(deck_download(deck.pk))


def test_a_share_holders_editor_may_request_a_deck(world, client_for, post_deck):
    response = post_deck(client_for(world.a_editor), world.b_shared.pk, {"language": "en"})
    assert response.status_code == 202, response.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_partners_prospect_is_a_404_like_a_missing_id(world, client_for, post_deck, method):
    client = client_for(world.a_manager)
    if method == "post":
        foreign = post_deck(client, world.b_secret.pk, {"language": "en"})
        missing = post_deck(client, missing_prospect_id(), {"language": "en"})
    else:
        foreign = client.get(prospect_decks(world.b_secret.pk))
        missing = client.get(prospect_decks(missing_prospect_id()))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert b"Falcon" not in foreign.content
    assert not PitchDeck.objects.filter(prospect=world.b_secret).exists()


@pytest.mark.parametrize("view", [deck_detail, deck_download])
def test_another_partners_deck_is_a_404_like_a_missing_id(world, client_for, view):
    deck = rendered(world.b_secret, world.b_editor)
    client = client_for(world.a_manager)
    foreign = client.get(view(deck.pk))
    missing = client.get(view(missing_deck_id()))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert client_for(world.b_viewer).get(view(deck.pk)).status_code == 200


def test_codename_only_staff_never_get_the_company(world, client_for, post_deck):
    # B's own staff render a deck that prints the company...
    named = rendered(world.b_codename_only, world.b_editor)
    assert named.identity_shown
    assert client_for(world.b_viewer).get(deck_download(named.pk)).status_code == 200

    # ...which A, holding a codename-only share, sees the status of but may not download.
    client = client_for(world.a_manager)
    listed = client.get(prospect_decks(world.b_codename_only.pk))
    status = client.get(deck_detail(named.pk))
    for response in (listed, status):
        assert response.status_code == 200
        assert b"Discreet" not in response.content
    assert status.json()["identity_shown"] is True
    assert status.json()["download_url"] is None
    assert listed.json()["results"][0]["download_url"] is None
    refused = client.get(deck_download(named.pk))
    missing = client.get(deck_download(missing_deck_id()))
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content

    # A deck A requests prints the codename only, and A may download it.
    response = post_deck(client, world.b_codename_only.pk, {"language": "es"})
    assert response.status_code == 202, response.content
    own = client.get(response["Location"]).json()
    assert own["status"] == "ready" and own["identity_shown"] is False
    download = client.get(own["download_url"])
    assert download.status_code == 200
    text = pdf_text(pdf_of(download))
    assert "Project Wren" in text and "Discreet" not in text


def test_anonymous_users_are_refused(world, client_for, post_deck):
    deck = rendered(world.a_prospect, world.a_editor)
    client = client_for()
    responses = [
        client.get(prospect_decks(world.a_prospect.pk)),
        post_deck(client, world.a_prospect.pk, {"language": "en"}),
        client.get(deck_detail(deck.pk)),
        client.get(deck_download(deck.pk)),
    ]
    assert [r.status_code in (401, 403) for r in responses] == [True] * 4
    assert PitchDeck.objects.count() == 1


# -- the list ----------------------------------------------------------------------------------


def _clone(deck, n):
    for _ in range(n):
        PitchDeck.objects.create(
            prospect_id=deck.prospect_id,
            language=deck.language,
            status=deck.status,
            file=deck.file.name,
            page_count=deck.page_count,
            facts_used=deck.facts_used,
            identity_shown=deck.identity_shown,
            finished_at=deck.finished_at,
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


def test_the_list_is_paginated_with_as_many_queries_for_5_decks_as_for_1(world, client_for):
    fact = factories.FactFactory(region=world.region)
    deck = PitchDeck.objects.create(
        prospect=world.a_prospect,
        language="en",
        status=DeckStatus.READY,
        file="promotion/decks/x/deck.pdf",
        page_count=9,
        facts_used=fact_versions(fact_ids=[fact.pk]),
        identity_shown=True,
    )
    client = client_for(world.a_viewer)
    url = prospect_decks(world.a_prospect.pk)
    one, data = _count(client, url)
    assert data["count"] == 1 and len(data["results"]) == 1
    _clone(deck, 4)
    five, data = _count(client, url)
    assert data["count"] == 5 and len(data["results"]) == 5
    assert five == one
    assert all(row["download_url"] for row in data["results"])

    page = client.get(url, {"page_size": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2
    assert page["next"] is not None and page["previous"] is None
    # Newest first.
    assert page["results"][0]["id"] == max(PitchDeck.objects.values_list("pk", flat=True))


def test_a_broker_down_leaves_the_deck_queued_for_resend(
    world, client_for, post_deck, monkeypatch, caplog
):
    """The request succeeds (202, the deck queued, as committed) when the broker cannot be
    reached; the resend sends it once the broker is back."""
    from datetime import timedelta

    from kombu.exceptions import OperationalError

    from promotion.services.deck_recovery import deck_resend
    from promotion.tasks import deck_render_task

    def unreachable(*args):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(deck_render_task, "delay", unreachable)
    client = client_for(world.a_editor)
    response = post_deck(client, world.a_prospect.pk, {"language": "en"})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    deck = PitchDeck.objects.get(prospect=world.a_prospect)
    assert deck.status == DeckStatus.QUEUED
    assert f"Deck {deck.pk} stays queued" in caplog.text
    assert "Tijuana Motors" not in caplog.text

    monkeypatch.undo()  # the broker is back
    deck_resend(older_than=timedelta(0))
    deck.refresh_from_db()
    assert deck.status == DeckStatus.READY
