from __future__ import annotations

import io
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from promotion.models import DeckStatus, Fact, FactStatus, PitchDeck, Topic
from promotion.services.decks import ERROR_NOT_VISIBLE, deck_render, deck_request
from promotion.tasks import deck_render_task
from tests import factories
from tests.decks.conftest import pdf_text

pytestmark = pytest.mark.django_db


def render(prospect, user, language="en"):
    deck = deck_request(actor=user, prospect=prospect, language=language, enqueue=False)
    deck = deck_render(deck_id=deck.pk, user_id=user.pk)
    assert deck.status == DeckStatus.READY, deck.error
    deck.file.open("rb")
    data = deck.file.read()
    deck.file.close()
    return deck, data


def fonts_of(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]))
    return names


def annotations_and_images(data: bytes) -> tuple[int, int]:
    reader = PdfReader(io.BytesIO(data))
    annots = sum(len(page.get("/Annots", []) or []) for page in reader.pages)
    images = sum(len(page.images) for page in reader.pages)
    return annots, images


def test_markup_characters_print_exactly(prospect, owner):
    deck, data = render(prospect, owner)
    text = pdf_text(data)
    assert 'AT&T <Labs> "R&D"' in text
    assert "&amp;" not in text
    assert 8 <= deck.page_count <= 12
    assert len(PdfReader(io.BytesIO(data)).pages) == deck.page_count
    assert deck.sha256 and len(deck.sha256) == 64
    assert deck.sections[0] == "cover" and deck.sections[-1] == "sources"
    assert deck.facts_used and deck.facts.count() == len(deck.facts_used)
    assert deck.identity_shown


def test_markup_in_fields_prints_as_text_and_adds_no_image_or_link(prospect, owner):
    prospect.industry = '<img src="/etc/passwd"/> <link href="javascript:x">click</link>'
    prospect.save()
    factories.QuestionFactory(prospect=prospect, text='<img src="/etc/passwd"> wifi?')
    _deck, data = render(prospect, owner)
    text = pdf_text(data)
    assert '<img src="/etc/passwd"/>' in text
    assert '<link href="javascript:x">' in text
    assert annotations_and_images(data) == (0, 0)


def test_spanish_deck_is_spanish(prospect, owner):
    _deck, data = render(prospect, owner, language="es")
    text = pdf_text(data)
    for heading in (
        "La región en cifras",
        "Por qué su industria encaja",
        "Talento",
        "Sus preguntas, respondidas",
        "Sus contactos",
        "Fuentes",
    ):
        assert heading in text
    assert "The region at a glance" not in text


@pytest.mark.parametrize("name", ["삼성전자 주식회사", "株式会社トヨタ", "比亚迪股份有限公司"])
def test_cjk_names_print_as_glyphs_with_embedded_fonts(owner_partner, owner, name):
    prospect = factories.ProspectFactory(partner=owner_partner, company_name=name)
    _deck, data = render(prospect, owner)
    assert name.replace(" ", "") in pdf_text(data).replace(" ", "")
    embedded = fonts_of(data)
    assert any("DroidSansFallback" in f for f in embedded)
    assert any("DejaVuSans" in f for f in embedded)


def test_the_cjk_font_is_loaded_only_for_a_deck_that_prints_cjk(owner_partner, owner):
    from promotion.decks import text

    text.register_cjk_font.cache_clear()  # as in a fresh worker process
    _deck, data = render(factories.ProspectFactory(partner=owner_partner), owner)
    assert text.register_cjk_font.cache_info().misses == 0
    assert not any("DroidSansFallback" in f for f in fonts_of(data))
    name = "삼성전자"
    _deck, data = render(factories.ProspectFactory(partner=owner_partner, company_name=name), owner)
    assert text.register_cjk_font.cache_info().misses == 1
    assert name in pdf_text(data)


def test_questions_answered_and_unanswered(prospect, owner, calibaja):
    fact = Fact.objects.filter(region=calibaja, status=FactStatus.PUBLISHED).order_by("key")[0]
    answered = factories.QuestionFactory(prospect=prospect, text="How many people live here?")
    answered.facts.set([fact])
    factories.QuestionFactory(prospect=prospect, text="Can we keep llamas on site?")
    deck, data = render(prospect, owner)
    text = " ".join(pdf_text(data).split())
    assert "How many people live here?" in text
    assert " ".join(fact.text_en.split())[:40] in text
    assert fact.source.title[:30] in text
    assert "Can we keep llamas on site?" in text
    assert "will follow up with you personally" in text
    assert str(fact.pk) in deck.facts_used


def test_codename_only_requester_gets_no_company(prospect, calibaja):
    from promotion.models import Partner

    other = Partner.objects.filter(region=calibaja).exclude(pk=prospect.partner_id).first()
    factories.ProspectShareFactory(prospect=prospect, partner=other, reveal_identity=False)
    viewer = factories.UserFactory(username="codename-only")
    factories.PartnerMembershipFactory(user=viewer, partner=other)
    factories.QuestionFactory(prospect=prospect, text="Secret question about AT&T?")
    deck, data = render(prospect, viewer)
    text = pdf_text(data)
    assert prospect.codename in text
    assert "AT&T" not in text
    assert not deck.identity_shown


def test_other_partner_cannot_request_or_download(prospect, owner, calibaja, client):
    from promotion.models import Partner

    other = Partner.objects.filter(region=calibaja).exclude(pk=prospect.partner_id).first()
    stranger = factories.UserFactory(username="stranger")
    factories.PartnerMembershipFactory(user=stranger, partner=other)
    with pytest.raises(PermissionDenied):
        deck_request(actor=stranger, prospect=prospect, language="en")
    deck, data = render(prospect, owner)
    url = reverse("promotion:deck-download", args=[deck.pk])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == data


def test_requesting_twice_returns_the_same_queued_deck(prospect, owner):
    first = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    second = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    assert first.pk == second.pk and first.status == DeckStatus.QUEUED
    assert PitchDeck.objects.filter(prospect=prospect).count() == 1


def test_request_queues_the_task_on_commit(prospect, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        deck = deck_request(actor=owner, prospect=prospect, language="en")
    assert len(callbacks) == 1
    deck.refresh_from_db()
    assert deck.status == DeckStatus.READY
    assert deck.requested_by == owner


def test_task_naming_someone_other_than_the_requester_leaves_the_deck_alone(prospect, owner):
    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    stranger = factories.UserFactory(username="stranger2")
    deck_render_task.delay(deck.pk, stranger.pk)
    deck_render_task.delay(deck.pk, None)
    deck.refresh_from_db()
    assert (deck.status, deck.attempts, deck.error) == (DeckStatus.QUEUED, 0, "")
    assert not deck.file
    # The requester's own message still renders it.
    deck_render_task.delay(deck.pk, owner.pk)
    deck.refresh_from_db()
    assert deck.status == DeckStatus.READY, deck.error


def test_task_for_a_requester_who_may_no_longer_see_fails_safely(prospect, owner):
    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    owner.promotion_memberships.all().delete()
    deck_render_task.delay(deck.pk, owner.pk)
    deck.refresh_from_db()
    assert deck.status == DeckStatus.FAILED
    assert deck.error == ERROR_NOT_VISIBLE
    assert "AT&T" not in deck.error and not deck.file


def test_task_for_a_requester_deleted_since_fails_safely(prospect, owner):
    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    owner_id = owner.pk
    owner.delete()
    deck_render_task.delay(deck.pk, owner_id)
    deck.refresh_from_db()
    assert deck.requested_by is None
    assert deck.status == DeckStatus.FAILED and deck.error == ERROR_NOT_VISIBLE


def test_a_ready_deck_is_not_rendered_again(prospect, owner):
    deck, _data = render(prospect, owner)
    name = deck.file.name
    again = deck_render(deck_id=deck.pk, user_id=owner.pk)
    assert again.file.name == name and again.attempts == 1


def test_render_error_is_stored_without_confidential_text(prospect, owner, settings):
    settings.PROMOTION = {"DECK_SECTIONS": ["tests.decks.broken.BrokenSection"]}
    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    deck = deck_render(deck_id=deck.pk, user_id=owner.pk)
    assert deck.status == DeckStatus.FAILED
    assert "AT&T" not in deck.error and "ValueError" in deck.error


def test_command_writes_a_file(prospect, tmp_path, capsys):
    output = tmp_path / "deck.pdf"
    call_command("promotion_deck", str(prospect.pk), "--lang", "es", "--output", str(output))
    assert str(output) in capsys.readouterr().out
    assert "Preparado para" in pdf_text(output.read_bytes())


def test_render_time(prospect, owner, calibaja):
    topic = Topic.objects.first()
    for n in range(5):
        factories.QuestionFactory(prospect=prospect, text=f"Question {n} about {topic}?")
    render(prospect, owner)  # warm
    timings = []
    for _ in range(3):
        PitchDeck.objects.all().delete()
        start = time.perf_counter()
        render(prospect, owner)
        timings.append(time.perf_counter() - start)
    print("deck render seconds:", ", ".join(f"{t:.3f}" for t in timings))


def test_a_deck_is_stale_once_a_fact_it_used_changes(prospect, owner):
    from promotion.services.decks import deck_changed_facts

    deck, _data = render(prospect, owner)
    assert deck_changed_facts(deck=deck) == []
    fact = Fact.objects.get(pk=int(next(iter(deck.facts_used))))
    fact.text_en = fact.text_en + " Updated."
    fact.save()
    assert deck_changed_facts(deck=deck) == [fact]


def test_a_redelivered_render_finishes_the_deck_once(prospect, owner):
    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    # A worker died mid-render: the row stays "rendering" and the message comes back.
    PitchDeck.objects.filter(pk=deck.pk).update(status=DeckStatus.RENDERING, attempts=1)
    deck = deck_render(deck_id=deck.pk, user_id=owner.pk)
    assert deck.status == DeckStatus.READY and deck.attempts == 2
    name = deck.file.name
    assert deck_render(deck_id=deck.pk, user_id=owner.pk).file.name == name


def test_a_deck_that_keeps_killing_its_worker_ends_failed(prospect, owner):
    from promotion.services.decks import MAX_ATTEMPTS

    deck = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    PitchDeck.objects.filter(pk=deck.pk).update(status=DeckStatus.RENDERING, attempts=MAX_ATTEMPTS)
    deck = deck_render(deck_id=deck.pk, user_id=owner.pk)
    assert deck.status == DeckStatus.FAILED and "attempts" in deck.error
    # A new request is possible again.
    again = deck_request(actor=owner, prospect=prospect, language="en", enqueue=False)
    assert again.pk != deck.pk


def test_a_huge_field_is_capped_and_does_not_stall(prospect, owner):
    # Text columns have no length limit in the database, and an import or a raw write can
    # put far more in them than the form allows: the renderer caps it again.
    factories.QuestionFactory(prospect=prospect, text="Why <gears> & " * 40_000)
    prospect.refresh_from_db()
    start = time.perf_counter()
    deck, data = render(prospect, owner)
    assert time.perf_counter() - start < 10
    assert 8 <= deck.page_count <= 12
    assert "Why <gears> & Why" in pdf_text(data)
    assert pdf_text(data).count("Why <gears>") < 100


@pytest.mark.parametrize("kept, bound", [(False, 28), (True, 14)])
def test_a_deck_reads_the_database_a_bounded_number_of_times(
    prospect, owner, calibaja, monkeypatch, django_assert_max_num_queries, kept, bound
):
    """A constant number, however many facts, clusters, assets and questions: 28, or 14
    once the region's data is kept between decks (promotion.decks.cache)."""
    monkeypatch.setattr("promotion.decks.cache.cache_is_shared", lambda: kept)
    facts = list(Fact.objects.filter(status=FactStatus.PUBLISHED).order_by("key")[:10])
    for n in range(8):
        question = factories.QuestionFactory(prospect=prospect, text=f"Question {n}?")
        question.facts.set(facts[n : n + 3])
    render(prospect, owner)  # the first deck of the process
    deck = deck_request(actor=owner, prospect=prospect, language="es", enqueue=False)
    # On PostgreSQL the move to "rendering" sets its commit lazy: one statement more.
    with django_assert_max_num_queries(bound + (connection.vendor == "postgresql")):
        deck = deck_render(deck_id=deck.pk, user_id=owner.pk)
    assert deck.status == DeckStatus.READY
