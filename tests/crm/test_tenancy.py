from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from promotion.models import PartnerMembership, StageChange
from promotion.selectors.crm import (
    can_see_identity,
    contact_visible_to,
    partners_of,
    prospect_editable_by,
    prospect_visible_to,
)
from promotion.services import crm as services
from tests import factories


def names(queryset):
    return set(queryset.values_list("codename", flat=True))


def test_each_partner_sees_its_own_and_what_is_shared_with_it(world):
    assert names(prospect_visible_to(user=world.tj_manager)) == {"Project Osprey", "Project Tern"}
    assert names(prospect_visible_to(user=world.sd_manager)) == {"Project Falcon", "Project Tern"}
    assert names(prospect_visible_to(user=world.cd_editor)) == set()


def test_a_read_share_does_not_allow_editing(world):
    assert names(prospect_editable_by(user=world.tj_manager)) == {"Project Osprey"}
    assert names(prospect_editable_by(user=world.tj_viewer)) == set()


def test_superusers_see_everything(world):
    root = factories.UserFactory(username="root", is_superuser=True)
    assert len(names(prospect_visible_to(user=root))) == 3
    assert partners_of(user=root).count() == 3


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not prospect_visible_to(user=AnonymousUser()).exists()
    world.tj_manager.is_active = False
    assert not prospect_visible_to(user=world.tj_manager).exists()


def test_revoking_a_share_hides_the_prospect_at_once(world):
    share = world.shared.shares.get()
    with pytest.raises(PermissionDenied):
        services.share_revoke(actor=world.tj_manager, share=share)
    services.share_revoke(actor=world.sd_manager, share=share)
    assert names(prospect_visible_to(user=world.tj_manager)) == {"Project Osprey"}


def test_only_managers_of_the_owner_share(world):
    with pytest.raises(PermissionDenied):
        services.prospect_share(actor=world.tj_manager, prospect=world.shared, partner=world.cd)
    with pytest.raises(PermissionDenied):
        services.prospect_share(actor=world.tj_viewer, prospect=world.tj_prospect, partner=world.cd)
    share = services.prospect_share(
        actor=world.tj_manager, prospect=world.tj_prospect, partner=world.cd, access="edit"
    )
    assert share.granted_by == world.tj_manager
    assert "Project Osprey" in names(prospect_editable_by(user=world.cd_editor))


def test_codename_or_name(world):
    assert can_see_identity(user=world.tj_manager, prospect=world.tj_prospect)
    assert can_see_identity(user=world.tj_manager, prospect=world.shared)
    assert not can_see_identity(user=world.tj_manager, prospect=world.sd_prospect)
    share = world.shared.shares.get()
    share.reveal_identity = False
    share.save()
    assert not can_see_identity(user=world.tj_manager, prospect=world.shared)
    assert world.shared in prospect_visible_to(user=world.tj_manager)
    assert not contact_visible_to(user=world.tj_manager).filter(prospect=world.shared).exists()


def test_create_records_the_first_stage_and_a_codename(world):
    prospect = services.prospect_create(
        actor=world.tj_manager,
        partner=world.tj,
        company_name="New Co",
        country="MX",
        naics_code="3364",
    )
    assert prospect.codename.startswith("Project ")
    assert list(prospect.stage_changes.values_list("from_stage", "to_stage")) == [("", "lead")]
    with pytest.raises(PermissionDenied):
        services.prospect_create(
            actor=world.tj_manager,
            partner=world.sd,
            company_name="Other",
            country="MX",
            naics_code="3364",
        )


def test_stage_change_is_recorded_and_lost_needs_a_reason(world):
    prospect = world.tj_prospect
    services.prospect_change_stage(actor=world.tj_manager, prospect=prospect, stage="qualified")
    with pytest.raises(ValidationError):
        services.prospect_change_stage(actor=world.tj_manager, prospect=prospect, stage="lost")
    services.prospect_change_stage(
        actor=world.tj_manager, prospect=prospect, stage="lost", lost_reason="Chose Texas."
    )
    changes = StageChange.objects.filter(prospect=prospect).values_list("from_stage", "to_stage")
    assert list(changes) == [("lead", "qualified"), ("qualified", "lost")]
    with pytest.raises(PermissionDenied):
        services.prospect_change_stage(actor=world.sd_manager, prospect=prospect, stage="won")


def test_question_record(world):
    question = services.question_record(
        actor=world.tj_manager,
        prospect=world.tj_prospect,
        text="  ¿Hay wi-fi?  ",
        language="es",
    )
    assert question.text == "¿Hay wi-fi?"
    with pytest.raises(PermissionDenied):
        services.question_record(actor=world.tj_manager, prospect=world.sd_prospect, text="x")


def test_member_command(world, capsys):
    from django.contrib.auth import get_user_model

    login = getattr(world.cd_editor, get_user_model().USERNAME_FIELD)
    call_command("promotion_member", "add", login, "tj-edc", "--role", "manager")
    assert PartnerMembership.objects.get(user=world.cd_editor, partner=world.tj).role == "manager"
    assert "manager of tj-edc" in capsys.readouterr().out
    call_command("promotion_member", "remove", login, "tj-edc")
    assert not PartnerMembership.objects.filter(user=world.cd_editor, partner=world.tj).exists()
    with pytest.raises(CommandError, match="No user"):
        call_command("promotion_member", "add", "nobody", "tj-edc")
    with pytest.raises(CommandError, match="No partner"):
        call_command("promotion_member", "add", login, "nowhere")
    with pytest.raises(CommandError):
        call_command("promotion_member", "add", login, "tj-edc", "--role", "owner")
