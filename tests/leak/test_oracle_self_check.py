"""The oracle must catch a planted leak, or every "no leak" below could pass silently."""

from __future__ import annotations

import io
import json

import pytest
from django.http import HttpResponse
from openpyxl import Workbook
from reportlab.pdfgen import canvas

from tests.leak.oracle import LeakFound, assert_no_leak, expected_access


def _canary(world, owner, field):
    return next(c for c in world.book.of(owner) if c.field == field)


def test_every_text_field_of_every_prospect_holds_a_canary(leak_world):
    for key in ("A", "B", "C", "BS", "CC"):
        fields = {(c.model, c.field) for c in leak_world.book.of(key)}
        for expected in [
            ("prospect", "company_name"),
            ("prospect", "codename"),
            ("prospect", "notes"),
            ("prospect", "lost_reason"),
            ("prospect", "extra"),
            ("prospect", "estimated_jobs"),
            ("prospect", "capital_investment"),
            ("contact", "name"),
            ("contact", "email"),
            ("contact", "phone"),
            ("interaction", "summary"),
            ("question", "text"),
        ]:
            assert expected in fields, (key, expected)


def test_the_rules_are_modelled(leak_world):
    a_viewer, outsider = leak_world.users["A_viewer"], leak_world.users["outsider"]
    p = leak_world.prospects
    assert expected_access(a_viewer, p["A"]) == "full"
    assert expected_access(a_viewer, p["B"]) is None
    assert expected_access(a_viewer, p["BS"]) == "full"
    assert expected_access(a_viewer, p["CC"]) == "codename"
    assert expected_access(outsider, p["A"]) is None
    assert expected_access(None, p["A"]) is None


@pytest.mark.parametrize(
    "owner,field",
    [("B", "company_name"), ("C", "email"), ("B", "capital_investment"), ("CC", "company_name")],
)
def test_a_planted_leak_in_a_body_is_caught(leak_world, owner, field):
    canary = _canary(leak_world, owner, field)
    body = json.dumps({"results": [{"name": canary.text}]})
    with pytest.raises(LeakFound, match=canary.text):
        assert_no_leak(HttpResponse(body), leak_world.users["A_viewer"], world=leak_world)


def test_a_number_leak_is_caught_in_grouped_form(leak_world):
    jobs = next(c for c in leak_world.book.of("B") if c.field == "estimated_jobs" and "," in c.text)
    with pytest.raises(LeakFound):
        assert_no_leak(f"<td>{jobs.text}</td>", leak_world.users["A_editor"], world=leak_world)


def test_a_leak_in_a_header_is_caught(leak_world):
    response = HttpResponse("ok")
    response["Content-Disposition"] = (
        f'attachment; filename="{_canary(leak_world, "B", "codename").text}.pdf"'
    )
    with pytest.raises(LeakFound):
        assert_no_leak(response, None, world=leak_world)


def test_a_leak_in_pdf_text_and_metadata_is_caught(leak_world):
    secret = _canary(leak_world, "C", "company_name").text
    for where in ("text", "title"):
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer)
        if where == "text":
            pdf.drawString(72, 720, secret)
        else:
            pdf.setTitle(secret)
            pdf.drawString(72, 720, "nothing here")
        pdf.save()
        with pytest.raises(LeakFound):
            assert_no_leak(buffer.getvalue(), leak_world.users["A_manager"], world=leak_world)


def test_a_leak_in_an_xlsx_cell_is_caught(leak_world):
    book = Workbook()
    book.active["B2"] = _canary(leak_world, "B", "notes").text
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(LeakFound):
        assert_no_leak(buffer.getvalue(), leak_world.users["A_viewer"], world=leak_world)


def test_what_the_viewer_may_see_is_not_a_leak(leak_world):
    a_viewer = leak_world.users["A_viewer"]
    own = _canary(leak_world, "A", "company_name").text
    shared = _canary(leak_world, "BS", "company_name").text
    codename = _canary(leak_world, "CC", "codename").text
    assert_no_leak(f"{own} {shared} {codename}", a_viewer, world=leak_world)
    # ... but a codename-only share does not show the company.
    with pytest.raises(LeakFound):
        assert_no_leak(_canary(leak_world, "CC", "company_name").text, a_viewer, world=leak_world)


def test_the_world_holds_every_crm_model(leak_world):
    """Every model of the app that hangs off a prospect has rows in the world, among them
    rows A may not see: a model added later fails here until the world plants it, so the
    matrices never skip it silently."""
    from tests.leak.endpoints import objects_of
    from tests.leak.matrix import crm_models

    for model in crm_models():
        hidden = [o for key in ("B", "C") for o in objects_of(model, leak_world.prospects[key])]
        assert hidden, f"plant {model.__name__} rows in tests/leak/conftest.py build_world"
