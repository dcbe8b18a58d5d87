from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from promotion.models import Contact
from promotion.services import crm as services
from tests import factories


@pytest.fixture
def person(world):
    contact = world.tj_contact
    contact.email = "known.person@example.com"
    contact.notes = "Prefers calls."
    contact.save()  # a second past version
    factories.InteractionFactory(
        prospect=world.tj_prospect,
        contact=contact,
        summary="Called Known Person at known.person@example.com about the site.",
    )
    LogEntry.objects.log_actions(
        user_id=world.tj_manager.pk, queryset=[contact], action_flag=CHANGE
    )
    return contact


def test_export_lists_the_contact_its_versions_and_interactions(world, person):
    data = services.contact_export_data(actor=world.tj_manager, contact=person)
    assert data["contact"]["email"] == "known.person@example.com"
    assert len(data["history"]) == 2
    assert "Known Person" in data["interactions"][0]["summary"]
    with pytest.raises(PermissionDenied):
        services.contact_export_data(actor=world.tj_manager, contact=world.sd_contact)


def test_erasure_blanks_the_contact_its_history_and_says_what_it_removed(world, person):
    report = services.contact_erase(actor=world.tj_manager, contact=person)
    person.refresh_from_db()
    assert person.name == services.ERASED_NAME and person.email == "" and person.erased_at
    assert set(report.fields) == {"name", "title", "email", "phone", "notes"}
    assert report.history_rows == 3  # two past versions and the erasure itself
    for row in person.history.all():
        assert (row.name, row.email, row.phone, row.notes) == (services.ERASED_NAME, "", "", "")
    summary = person.interactions.get().summary
    assert "Known Person" not in summary and "known.person" not in summary
    assert report.interactions_redacted == 1
    assert report.log_entries == 1
    assert not LogEntry.objects.filter(object_repr="Known Person").exists()
    assert any("Past versions purged" in line for line in report.lines())
    # The pipeline keeps its shape: the row and its links stay.
    assert person.interactions.count() == 1


def test_erasure_is_refused_for_other_partners_contacts(world):
    with pytest.raises(PermissionDenied):
        services.contact_erase(actor=world.tj_manager, contact=world.sd_contact)
    world.sd_contact.refresh_from_db()
    assert world.sd_contact.name == "Hidden Person"


def test_command_exports_then_erases(world, person, capsys):
    call_command("promotion_contact_erase", str(person.pk), "--export-only")
    out = json.loads(capsys.readouterr().out)
    assert out["contact"]["name"] == "Known Person"
    assert Contact.objects.get(pk=person.pk).name == "Known Person"
    call_command("promotion_contact_erase", str(person.pk))
    captured = capsys.readouterr()
    assert json.loads(captured.out)["contact"]["name"] == "Known Person"
    assert "blanked" in captured.err
    assert Contact.objects.get(pk=person.pk).name == services.ERASED_NAME
    with pytest.raises(CommandError, match="No contact"):
        call_command("promotion_contact_erase", "999999")


def test_admin_actions_export_and_erase_with_a_tampered_selection(client, world, person):
    client.force_login(world.tj_manager)
    url = reverse("admin:promotion_contact_changelist")
    selection = [person.pk, world.sd_contact.pk]
    response = client.post(url, {"action": "export_personal_data", "_selected_action": selection})
    data = json.loads(response.content)
    assert [row["contact"]["name"] for row in data] == ["Known Person"]
    assert "Hidden Person" not in response.content.decode()
    confirm = client.post(url, {"action": "erase_personal_data", "_selected_action": selection})
    html = confirm.content.decode()
    assert "Known Person" in html and "Hidden Person" not in html
    done = client.post(
        url,
        {"action": "erase_personal_data", "_selected_action": selection, "confirm": "yes"},
        follow=True,
    )
    assert "Past versions purged of personal fields: 3." in done.content.decode()
    world.sd_contact.refresh_from_db()
    assert world.sd_contact.name == "Hidden Person"
    assert Contact.objects.get(pk=person.pk).name == services.ERASED_NAME
