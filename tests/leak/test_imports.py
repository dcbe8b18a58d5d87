"""Imports naming other partners' ids, through the admin's import view (which runs the
scoped resources): a row with another partner's id must not update it, and the error
must not tell whether it exists (the preview page reads the same as for a missing id).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from promotion.models import Contact, Prospect
from tests.leak.endpoints import missing_like
from tests.leak.matrix import difference, snapshot
from tests.leak.oracle import assert_no_leak, response_text


def _csv(rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _preview(client: Client, model: str, content: bytes) -> object:
    return client.post(
        reverse(f"admin:promotion_{model}_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("rows.csv", content)},
    )


def _text(world, key, field):
    return next(c.text for c in world.book.of(key) if c.field == field and not c.number)


PROSPECT_ROW = {
    "company_name": "Imported Company",
    "country": "MX",
    "naics_code": "336390",
    "stage": "lead",
    "language": "en",
}


@pytest.mark.parametrize("role", ["A_editor", "A_manager"])
@pytest.mark.parametrize("other", ["B", "C"])
def test_an_import_naming_another_partners_prospect_id_reads_like_a_missing_id(
    leak_world, role, other
):
    world = leak_world
    user = world.users[role]
    client = Client()
    client.force_login(user)
    before = snapshot(world, user)
    target = world.prospects[other]
    missing = missing_like(Prospect, target.pk)
    responses = {}
    for pk in (target.pk, missing):
        responses[pk] = _preview(client, "prospect", _csv([{"id": pk, **PROSPECT_ROW}]))
        assert responses[pk].status_code == 200
        assert responses[pk].context.get("confirm_form") is None  # nothing to confirm
        assert_no_leak(responses[pk], user, world=world, where="import preview")
    assert difference(responses[target.pk], target.pk, responses[missing], missing) is None
    assert snapshot(world, user) == before


@pytest.mark.parametrize("column", ["id", "prospect"])
def test_a_contact_import_naming_another_partners_rows_reads_like_a_missing_id(leak_world, column):
    world = leak_world
    user = world.users["A_editor"]
    client = Client()
    client.force_login(user)
    before = snapshot(world, user)
    own = world.prospects["A"]
    if column == "id":
        other = Contact.objects.get(prospect=world.prospects["B"]).pk
        missing = missing_like(Contact, other)
    else:
        other = world.prospects["B"].pk
        missing = missing_like(Prospect, other)
    responses = {}
    for value in (other, missing):
        row = {"id": "", "prospect": own.pk, "name": "Ana", "email": "ana@example.test"}
        row[column] = value
        responses[value] = _preview(client, "contact", _csv([row]))
        assert responses[value].context.get("confirm_form") is None
        assert_no_leak(responses[value], user, world=world, where="contact import preview")
    assert difference(responses[other], other, responses[missing], missing) is None
    assert snapshot(world, user) == before


def test_an_import_through_an_edit_share_cannot_probe_the_owners_companies(leak_world):
    """A's editor holds an edit share of C's prospect CC by its codename only. An import
    row updating CC with the company of C's other prospect must not answer "C already
    has this company (codename …)", nor change CC's company or codename."""
    world = leak_world
    user = world.users["A_editor"]
    client = Client()
    client.force_login(user)
    shared = world.prospects["CC"]
    row = {
        "id": shared.pk,
        "company_name": _text(world, "C", "company_name"),
        "codename": shared.codename,
        "country": "KR",
        "naics_code": "334413",
        "stage": "qualified",
        "language": "en",
    }
    probe = _preview(client, "prospect", _csv([row]))
    # The page echoes the file (the user's own input): the rest must name nothing of C's.
    echoed = response_text(probe).replace(row["company_name"], "(the file's company)")
    assert_no_leak(echoed, user, world=world, where="import preview through a share")
    unknown = _preview(client, "prospect", _csv([{**row, "company_name": "Nobody At All"}]))
    assert difference(probe, 0, unknown, 0) is None or (
        probe.status_code == unknown.status_code
        and (probe.context.get("confirm_form") is None)
        == (unknown.context.get("confirm_form") is None)
    ), "the preview tells C's companies apart"
    stored = Prospect.objects.get(pk=shared.pk)
    assert stored.company_name == _text(world, "CC", "company_name")


def test_the_import_preview_of_a_codename_share_shows_no_company(leak_world):
    """A valid update of CC through the edit share: the preview's before/after columns
    must not print CC's company or notes (import-export's own diff read them raw), and
    the confirmed import changes what the share allows only."""
    world = leak_world
    user = world.users["A_editor"]
    client = Client()
    client.force_login(user)
    shared = world.prospects["CC"]
    row = {
        "id": shared.pk,
        "country": "KR",
        "naics_code": "334413",
        "stage": "qualified",
        "language": "en",
        "industry": "Probe industry",
    }
    preview = _preview(client, "prospect", _csv([row]))
    assert preview.context.get("confirm_form") is not None, preview.content.decode()[-3000:]
    assert_no_leak(preview, user, world=world, where="import preview of a codename share")
    # Exported blank (the export hides it), re-imported: the company is kept, not erased.
    blank = _preview(client, "prospect", _csv([{**row, "company_name": "", "notes": ""}]))
    assert blank.context.get("confirm_form") is not None, blank.content.decode()[-3000:]
    form = blank.context["confirm_form"]
    done = client.post(reverse("admin:promotion_prospect_process_import"), form.initial)
    assert done.status_code == 302
    stored = Prospect.objects.get(pk=shared.pk)
    assert stored.industry == "Probe industry"
    assert stored.company_name == _text(world, "CC", "company_name")
    assert stored.notes == _text(world, "CC", "notes")
