from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from promotion.selectors.crm import (
    partner_service_levels,
    pipeline_summary,
    prospect_deck_time,
    prospect_first_deck_at,
    prospect_response_time,
    time_in_stages,
)
from promotion.services import crm as services
from tests import factories

pytestmark = pytest.mark.django_db


def at(day, hour=0):
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour))


def test_time_in_each_stage_adds_up_repeated_visits(world):
    prospect = services.prospect_create(
        actor=world.tj_manager,
        partner=world.tj,
        company_name="Timed Co",
        country="MX",
        naics_code="3364",
    )
    changes = prospect.stage_changes.all()
    changes.update(changed_at=at(1))
    for day, stage in ((3, "qualified"), (4, "on_hold"), (7, "qualified")):
        change = services.prospect_change_stage(
            actor=world.tj_manager, prospect=prospect, stage=stage
        ).stage_changes.latest("pk")
        change.changed_at = at(day)
        change.save()
    totals = time_in_stages(prospect=prospect, now=at(8))
    assert totals == {
        "lead": datetime.timedelta(days=2),
        "qualified": datetime.timedelta(days=1 + 1),
        "on_hold": datetime.timedelta(days=3),
    }


def test_response_time_from_first_inquiry_to_first_interaction(world):
    prospect = world.tj_prospect
    prospect.first_inquiry_on = datetime.date(2026, 3, 1)
    prospect.save()
    assert prospect_response_time(prospect=prospect) is None
    services.interaction_record(
        actor=world.tj_manager, prospect=prospect, kind="call", occurred_at=at(3, 12)
    )
    services.interaction_record(
        actor=world.tj_manager, prospect=prospect, kind="email", occurred_at=at(5)
    )
    prospect.refresh_from_db()
    assert prospect.first_response_at == at(3, 12)
    assert prospect_response_time(prospect=prospect) == datetime.timedelta(days=2, hours=12)


def test_partner_service_levels(world):
    world.tj_prospect.first_inquiry_on = datetime.date(2026, 3, 1)
    world.tj_prospect.save()
    factories.InteractionFactory(prospect=world.tj_prospect, occurred_at=at(2))
    levels = {str(level.partner): level for level in partner_service_levels(user=world.tj_manager)}
    assert set(levels) == {"Tijuana EDC", "San Diego EDC"}  # San Diego: the shared one only
    assert levels["Tijuana EDC"].answered == 1
    assert levels["Tijuana EDC"].average_response == datetime.timedelta(days=1)
    assert levels["San Diego EDC"].prospects == 1


def test_first_deck_hook_is_none_until_decks_exist(world):
    from django.apps import apps

    try:
        apps.get_model("promotion", "PitchDeck")
    except LookupError:
        assert prospect_first_deck_at(prospect=world.tj_prospect) is None
        assert prospect_deck_time(prospect=world.tj_prospect) is None


def test_pipeline_summary_by_stage(world):
    factories.ProspectFactory(
        partner=world.tj,
        stage="qualified",
        estimated_jobs=50,
        capital_investment=1000,
        currency="MXN",
    )
    summary = {str(row.partner): row for row in pipeline_summary(user=world.tj_manager)}
    stages = {s.stage: s for s in summary["Tijuana EDC"].stages}
    assert stages["lead"].count == 1 and stages["qualified"].count == 1
    assert stages["qualified"].investment == {"MXN": 1000}
    assert summary["San Diego EDC"].total == 1


def test_change_form_shows_service_levels(client, world):
    client.force_login(world.tj_manager)
    html = client.get(
        reverse("admin:promotion_prospect_change", args=[world.tj_prospect.pk])
    ).content.decode()
    assert "First response after the first inquiry" in html
    assert "Time in stage" in html or "First deck" in html
