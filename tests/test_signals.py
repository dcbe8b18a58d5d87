"""The signals a host listens to (``promotion.signals``): sent once, after commit, with the
documented arguments; never for a rolled-back change; and a receiver that raises neither
breaks the change nor leaks the prospect into the log."""

from __future__ import annotations

import logging
from decimal import Decimal
from types import SimpleNamespace

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from promotion import signals
from promotion.decks.renderer import RenderResult
from promotion.models import DeckStatus, PitchDeck, Prospect, Stage, StageChange
from promotion.services.crm import prospect_change_stage, prospect_create, prospect_update
from promotion.services.decks import MAX_ATTEMPTS, deck_render, deck_request
from tests import factories
from tests.crm.test_admin import _change_form_data
from tests.crm.test_import_export import confirm, upload
from tests.decks.conftest import eager_celery  # noqa: F401  (autouse: Celery runs eagerly)

pytestmark = pytest.mark.django_db

COMPANY = "Quiet Turbines de México"
CODENAME = "Project Kestrel"
EMAIL = "ana.quiet@example.com"
INVESTMENT = Decimal("98765432.00")
CONFIDENTIAL = (COMPANY, CODENAME, EMAIL, "98765432", "Ana Quiet")

DOCUMENTED = {
    "deck_ready": ("sender", "deck"),
    "deck_failed": ("sender", "deck"),
    "prospect_stage_changed": (
        "sender",
        "prospect",
        "from_stage",
        "to_stage",
        "changed_by",
        "stage_change",
    ),
    "share_link_opened": ("sender", "link", "first"),
}


# --- renderers standing in for reportlab: the signals are the service's, not the PDF's ----


class StubRenderer:
    def render(self, *, prospect, language, show_identity):
        return RenderResult(pdf=b"%PDF-1.4 stub", page_count=1, sections=["cover"], fact_ids=[])


class QuotingRenderer:
    """Fails the way reportlab does: quoting the text it choked on."""

    def render(self, *, prospect, language, show_identity):
        raise ValueError(f"cannot lay out {prospect.company_name!r}")


class SlowRenderer:
    """The worker's soft time limit hits in the middle of the render."""

    def render(self, *, prospect, language, show_identity):
        raise SoftTimeLimitExceeded()


class RacedRenderer:
    """Another delivery of the same render failed the deck while this one ran."""

    def render(self, *, prospect, language, show_identity):
        PitchDeck.objects.filter(prospect=prospect).update(
            status=DeckStatus.FAILED, error="The other delivery failed."
        )
        raise ValueError("this one fails too")


def use_renderer(settings, renderer):
    settings.PROMOTION = {"DECK_RENDERER": f"{__name__}.{renderer.__name__}"}


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    region = factories.RegionFactory()
    partner = factories.PartnerFactory(region=region, slug="tj-edc", name="Tijuana EDC")
    other = factories.PartnerFactory(region=region, slug="sd-edc", name="San Diego EDC")
    manager = factories.UserFactory(username="tj-manager")
    factories.PartnerMembershipFactory(user=manager, partner=partner, role="manager")
    stranger = factories.UserFactory(username="sd-manager")
    factories.PartnerMembershipFactory(user=stranger, partner=other, role="manager")
    prospect = factories.ProspectFactory(
        partner=partner,
        company_name=COMPANY,
        codename=CODENAME,
        capital_investment=INVESTMENT,
    )
    contact = factories.ContactFactory(prospect=prospect, name="Ana Quiet", email=EMAIL)
    return SimpleNamespace(
        partner=partner, manager=manager, stranger=stranger, prospect=prospect, contact=contact
    )


@pytest.fixture
def listen():
    """``listen(signal)`` connects a receiver that records what it is sent."""
    connected = []

    def connect(signal, receiver=None):
        calls: list[dict] = []

        def record(**kwargs):
            calls.append(kwargs)

        for fn in (receiver, record):
            if fn is not None:
                signal.connect(fn, weak=False)
                connected.append((signal, fn))
        return calls

    yield connect
    for signal, fn in connected:
        signal.disconnect(fn)


def raising_receiver(**kwargs):
    """A host receiver that fails, quoting everything it was given."""
    deck = kwargs.get("deck")
    prospect = kwargs.get("prospect") or deck.prospect
    contact = prospect.contacts.first()
    raise ValueError(
        f"{prospect.company_name} {prospect.codename} {contact.name} <{contact.email}> "
        f"{prospect.capital_investment}"
    )


def queued_deck(world):
    return deck_request(actor=world.manager, prospect=world.prospect, enqueue=False)


def assert_nothing_confidential(caplog):
    for record in caplog.records:
        assert record.exc_info is None, record.name  # error trackers keep frame variables
        assert record.name != "django.dispatch"
    for secret in CONFIDENTIAL:
        assert secret not in caplog.text, secret


# --- the reference ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTED)
def test_each_signal_is_declared_and_documented_with_its_arguments(name):
    signal = getattr(signals, name)
    assert isinstance(signal, signals.PromotionSignal) and signal.name == name
    assert name in signals.__all__
    section = signals.__doc__.split(f"``{name}``\n", 1)[1].split("\n``", 1)[0]
    for argument in DOCUMENTED[name]:
        assert f"``{argument}``" in section, (name, argument)
        assert f"``{argument}``" in signal.__doc__, (name, argument)


def test_share_link_opened_has_no_receiver_in_the_app():
    assert not signals.share_link_opened.has_listeners()


# --- decks ------------------------------------------------------------------------------------


def test_deck_ready_is_sent_once_after_commit(
    world, settings, listen, django_capture_on_commit_callbacks
):
    use_renderer(settings, StubRenderer)
    ready, failed = listen(signals.deck_ready), listen(signals.deck_failed)
    deck = queued_deck(world)
    with django_capture_on_commit_callbacks() as callbacks:
        deck = deck_render(deck_id=deck.pk, user_id=world.manager.pk)
        assert ready == []  # not before the commit
    for callback in callbacks:
        callback()
    assert deck.status == DeckStatus.READY
    assert len(ready) == 1 and failed == []
    assert set(ready[0]) == {"signal", "sender", "deck"}
    assert ready[0]["signal"] is signals.deck_ready
    assert ready[0]["sender"] is PitchDeck
    assert ready[0]["deck"].pk == deck.pk and ready[0]["deck"].status == DeckStatus.READY
    with django_capture_on_commit_callbacks(execute=True):
        deck_render(deck_id=deck.pk, user_id=world.manager.pk)  # a redelivered task
    assert len(ready) == 1


def test_deck_ready_through_the_queued_task(
    world, settings, listen, django_capture_on_commit_callbacks
):
    use_renderer(settings, StubRenderer)
    ready = listen(signals.deck_ready)
    with django_capture_on_commit_callbacks(execute=True):
        deck = deck_request(actor=world.manager, prospect=world.prospect)
    assert [call["deck"].pk for call in ready] == [deck.pk]


def _make_fail(case, world, settings):
    deck = queued_deck(world)
    user = world.manager
    if case == "render error":
        use_renderer(settings, QuotingRenderer)
    elif case == "soft time limit":
        use_renderer(settings, SlowRenderer)
    elif case == "attempts cap":
        # The worker was lost each time: the row stays "rendering", the task comes back.
        PitchDeck.objects.filter(pk=deck.pk).update(
            status=DeckStatus.RENDERING, attempts=MAX_ATTEMPTS
        )
    elif case == "no longer visible":
        # The requester left the partner after asking for the deck.
        world.manager.promotion_memberships.all().delete()
    return deck, user


@pytest.mark.parametrize(
    "case", ["render error", "soft time limit", "attempts cap", "no longer visible"]
)
def test_deck_failed_is_sent_once_on_every_path_to_failed(
    case, world, settings, listen, caplog, django_capture_on_commit_callbacks
):
    use_renderer(settings, StubRenderer)
    ready, failed = listen(signals.deck_ready), listen(signals.deck_failed)
    deck, user = _make_fail(case, world, settings)
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        deck = deck_render(deck_id=deck.pk, user_id=user.pk)
    assert deck.status == DeckStatus.FAILED
    assert ready == [] and len(failed) == 1
    assert set(failed[0]) == {"signal", "sender", "deck"}
    assert failed[0]["sender"] is PitchDeck
    assert failed[0]["deck"].pk == deck.pk and failed[0]["deck"].status == DeckStatus.FAILED
    assert failed[0]["deck"].error == deck.error
    with django_capture_on_commit_callbacks(execute=True):
        deck_render(deck_id=deck.pk, user_id=user.pk)  # a redelivered task
    assert len(failed) == 1
    assert_nothing_confidential(caplog)


def test_a_deck_another_delivery_failed_is_not_reported_twice(
    world, settings, listen, django_capture_on_commit_callbacks
):
    use_renderer(settings, RacedRenderer)
    failed = listen(signals.deck_failed)
    deck = queued_deck(world)
    with django_capture_on_commit_callbacks(execute=True):
        deck = deck_render(deck_id=deck.pk, user_id=world.manager.pk)
    assert deck.status == DeckStatus.FAILED
    assert failed == []  # the delivery that failed it first sends deck_failed


@pytest.mark.django_db(transaction=True)
def test_deck_signals_wait_for_the_commit_and_a_rollback_sends_nothing(world, settings, listen):
    use_renderer(settings, StubRenderer)
    ready = listen(signals.deck_ready)
    deck = queued_deck(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        deck_render(deck_id=deck.pk, user_id=world.manager.pk)
        assert ready == []
        raise RuntimeError("the surrounding work failed")
    deck.refresh_from_db()
    assert deck.status == DeckStatus.QUEUED and ready == []
    # Outside a transaction, the service's own commit sends it at once.
    deck = deck_render(deck_id=deck.pk, user_id=world.manager.pk)
    assert deck.status == DeckStatus.READY
    assert [call["deck"].pk for call in ready] == [deck.pk]


@pytest.mark.django_db(transaction=True)
def test_a_failed_render_rolled_back_sends_nothing(world, settings, listen):
    use_renderer(settings, QuotingRenderer)
    failed = listen(signals.deck_failed)
    deck = queued_deck(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        deck_render(deck_id=deck.pk, user_id=world.manager.pk)
        raise RuntimeError("the surrounding work failed")
    assert failed == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("renderer", [StubRenderer, QuotingRenderer])
def test_a_receiver_that_raises_does_not_break_the_render_nor_leak(
    renderer, world, settings, listen, caplog
):
    use_renderer(settings, renderer)
    signal = signals.deck_ready if renderer is StubRenderer else signals.deck_failed
    after = listen(signal, raising_receiver)
    deck = queued_deck(world)
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    deck = deck_render(deck_id=deck.pk, user_id=world.manager.pk)
    expected = DeckStatus.READY if renderer is StubRenderer else DeckStatus.FAILED
    assert deck.status == expected
    assert PitchDeck.objects.get(pk=deck.pk).status == expected
    assert len(after) == 1  # the other receivers still run
    failures = [r for r in caplog.records if r.name == "promotion.signals"]
    assert len(failures) == 1 and failures[0].levelno == logging.ERROR
    line = failures[0].getMessage()
    assert "raising_receiver" in line and signal.name in line and "ValueError" in line
    assert f"deck={deck.pk}" in line and "test_signals.py:" in line
    assert_nothing_confidential(caplog)


# --- stages -----------------------------------------------------------------------------------


def stage_calls_are(calls, *, prospect, from_stage, to_stage, changed_by):
    assert len(calls) == 1, calls
    call = calls[0]
    assert set(call) == {"signal", *DOCUMENTED["prospect_stage_changed"]}
    assert call["signal"] is signals.prospect_stage_changed
    assert call["sender"] is Prospect
    assert call["prospect"].pk == prospect.pk and call["prospect"].stage == to_stage
    assert (call["from_stage"], call["to_stage"]) == (from_stage, to_stage)
    assert call["changed_by"] == changed_by
    row = call["stage_change"]
    assert isinstance(row, StageChange) and row.pk is not None
    assert row == StageChange.objects.filter(prospect=prospect).latest("pk")
    assert (row.from_stage, row.to_stage) == (from_stage, to_stage)
    return call


def test_a_stage_change_is_sent_once_after_commit(
    world, listen, django_capture_on_commit_callbacks
):
    changed = listen(signals.prospect_stage_changed)
    with django_capture_on_commit_callbacks() as callbacks:
        prospect_change_stage(actor=world.manager, prospect=world.prospect, stage=Stage.QUALIFIED)
    assert changed == [] and len(callbacks) == 1
    callbacks[0]()
    stage_calls_are(
        changed,
        prospect=world.prospect,
        from_stage="lead",
        to_stage="qualified",
        changed_by=world.manager,
    )


def test_nothing_is_queued_while_nobody_listens(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        prospect_change_stage(actor=world.manager, prospect=world.prospect, stage=Stage.QUALIFIED)
    assert callbacks == []


def test_an_update_that_keeps_the_stage_sends_nothing(
    world, listen, django_capture_on_commit_callbacks
):
    changed = listen(signals.prospect_stage_changed)
    with django_capture_on_commit_callbacks(execute=True):
        prospect_update(actor=world.manager, prospect=world.prospect, estimated_jobs=7)
    assert changed == []


def test_a_new_prospect_sends_its_first_stage(world, listen, django_capture_on_commit_callbacks):
    changed = listen(signals.prospect_stage_changed)
    with django_capture_on_commit_callbacks(execute=True):
        prospect = prospect_create(
            actor=world.manager,
            partner=world.partner,
            company_name="New Co",
            country="MX",
            naics_code="3364",
            stage=Stage.QUALIFIED,
        )
    stage_calls_are(
        changed, prospect=prospect, from_stage="", to_stage="qualified", changed_by=world.manager
    )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_stage_change_sends_nothing(world, listen):
    changed = listen(signals.prospect_stage_changed)
    with pytest.raises(RuntimeError), transaction.atomic():
        prospect_change_stage(actor=world.manager, prospect=world.prospect, stage=Stage.PROPOSAL)
        raise RuntimeError("the surrounding work failed")
    assert changed == []
    assert Prospect.objects.get(pk=world.prospect.pk).stage == Stage.LEAD
    prospect = Prospect.objects.get(pk=world.prospect.pk)
    prospect_change_stage(actor=world.manager, prospect=prospect, stage=Stage.PROPOSAL)
    stage_calls_are(
        changed,
        prospect=prospect,
        from_stage="lead",
        to_stage="proposal",
        changed_by=world.manager,
    )


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_raises_does_not_break_the_stage_change_nor_leak(world, listen, caplog):
    after = listen(signals.prospect_stage_changed, raising_receiver)
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    prospect = prospect_change_stage(
        actor=world.manager, prospect=world.prospect, stage=Stage.LOST, lost_reason="Chose Texas"
    )
    assert prospect.stage == Stage.LOST
    assert Prospect.objects.get(pk=prospect.pk).stage == Stage.LOST
    row = StageChange.objects.get(prospect=prospect, to_stage=Stage.LOST)
    assert len(after) == 1  # the other receivers still run
    failures = [r for r in caplog.records if r.name == "promotion.signals"]
    assert len(failures) == 1 and failures[0].levelno == logging.ERROR
    line = failures[0].getMessage()
    assert "raising_receiver" in line and "prospect_stage_changed" in line
    assert f"prospect={prospect.pk}" in line and f"stage_change={row.pk}" in line
    assert_nothing_confidential(caplog)


# --- every way staff change a stage goes through the service ----------------------------------


def test_the_admin_form_sends_the_stage_change(
    world, client, listen, django_capture_on_commit_callbacks
):
    changed = listen(signals.prospect_stage_changed)
    client.force_login(world.manager)
    data = _change_form_data(client, world.prospect, stage="site_search")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:promotion_prospect_change", args=[world.prospect.pk]), data
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    stage_calls_are(
        changed,
        prospect=world.prospect,
        from_stage="lead",
        to_stage="site_search",
        changed_by=world.manager,
    )


def test_the_admin_action_sends_the_stage_change(
    world, client, listen, django_capture_on_commit_callbacks
):
    changed = listen(signals.prospect_stage_changed)
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:promotion_prospect_changelist"),
            {"action": "put_on_hold", "_selected_action": [world.prospect.pk]},
        )
    stage_calls_are(
        changed,
        prospect=world.prospect,
        from_stage="lead",
        to_stage="on_hold",
        changed_by=world.manager,
    )


def test_the_api_sends_the_stage_change(world, listen, django_capture_on_commit_callbacks):
    changed = listen(signals.prospect_stage_changed)
    client = APIClient()
    client.force_authenticate(user=world.manager)
    url = reverse("promotion_api:prospect-detail", args=[world.prospect.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(url, {"stage": "qualified"}, format="json")
    assert response.status_code == 200, response.content
    stage_calls_are(
        changed,
        prospect=world.prospect,
        from_stage="lead",
        to_stage="qualified",
        changed_by=world.manager,
    )


def test_an_import_sends_on_confirm_and_not_on_preview(
    world, client, listen, django_capture_on_commit_callbacks
):
    changed = listen(signals.prospect_stage_changed)
    client.force_login(world.manager)
    content = (
        "id,company_name,country,naics_code,stage,lost_reason,language\r\n"
        f"{world.prospect.pk},{COMPANY},KR,339112,negotiation,,en\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        preview = upload(client, "prospect", content)
    assert changed == []  # the preview is rolled back
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, "prospect", preview)
    assert response.status_code == 302
    stage_calls_are(
        changed,
        prospect=world.prospect,
        from_stage="lead",
        to_stage="negotiation",
        changed_by=world.manager,
    )
