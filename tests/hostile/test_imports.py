"""Hostile import files: encodings, size, a zip bomb, a huge field, 10,000 rows, and ids
of other partners' rows (refused without saying whether they exist).

Behaviour (README "Security"): a CSV is read as UTF-8 (with or without BOM), else as
Windows-1252 (which covers Latin-1's letters), else refused; a name in one encoding is
never saved as another's mojibake. Duplicates (the same id twice, the same company and
country twice in the file or already on file for the partner, the same contact e-mail)
are refused row by row and nothing is imported.
"""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest
from django.db import connection

from promotion.admin.crm_resources import MAX_IMPORT_BYTES
from promotion.models import Prospect
from tests.crm.test_import_export import HEADER, confirm, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def tj(client, world):
    client.force_login(world.tj_manager)
    return client


def form_errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for e in form.errors.get("import_file", []))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_each_encoding_saves_the_same_letters(tj, world, encoding):
    name = "Compañía Ñandú Müller"
    content = (HEADER + f"tj-edc,{name},MX,3364,lead,,es,\r\n").encode(encoding)
    confirm(tj, "prospect", upload(tj, "prospect", content))
    assert Prospect.objects.filter(company_name=name).count() == 1


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tj, world):
    content = HEADER.encode() + b"tj-edc,X,MX,3364,lead,,es,\r\n" * (MAX_IMPORT_BYTES // 28 + 1)
    response = upload(tj, "prospect", content)
    assert response.context.get("confirm_form") is None
    assert "too large" in form_errors(response)


def bomb(members: int = 1, size: int = 200_000_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for index in range(members):
            archive.writestr(f"xl/worksheets/sheet{index + 1}.xml", b"\0" * size)
    return buffer.getvalue()


def test_a_zip_bomb_xlsx_is_refused_before_it_is_decompressed(tj, world):
    data = bomb()
    assert len(data) < 1_000_000  # small on the wire, 200 MB inside
    started = time.monotonic()
    response = upload(tj, "prospect", data, name="bomb.xlsx", fmt="1")
    assert time.monotonic() - started < 5
    assert response.context.get("confirm_form") is None
    assert "too large once uncompressed" in form_errors(response)


def test_an_xlsx_with_too_many_parts_is_refused(tj, world):
    response = upload(tj, "prospect", bomb(members=2000, size=10), name="many.xlsx", fmt="1")
    assert "too many parts" in form_errors(response)


def test_a_file_that_is_not_an_xlsx_is_refused_clearly(tj, world):
    response = upload(tj, "prospect", b"<html>not a workbook</html>", name="x.xlsx", fmt="1")
    assert response.context.get("confirm_form") is None
    assert "not an Excel workbook" in form_errors(response)


def test_a_huge_csv_field_is_refused_row_by_row(tj, world):
    content = (HEADER + "tj-edc," + "A" * 1_000_000 + ",MX,3364,lead,,es,\r\n").encode()
    started = time.monotonic()
    response = upload(tj, "prospect", content)
    assert time.monotonic() - started < 10
    assert response.context.get("confirm_form") is None
    assert not Prospect.objects.filter(company_name__startswith="AAAA").exists()


@pytest.mark.slow
def test_ten_thousand_rows(tj, world):
    rows = "".join(f"tj-edc,Company {n},MX,3364,lead,,es,{n % 50}\r\n" for n in range(10_000))
    content = (HEADER + rows).encode()
    before = Prospect.objects.count()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    started = time.monotonic()
    with connection.execute_wrapper(count):
        preview = upload(tj, "prospect", content)
        response = confirm(tj, "prospect", preview)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert Prospect.objects.count() == before + 10_000
    # Each row's savepoint and write (preview and import), not a query per check.
    assert len(queries) / 20_000 < 4, len(queries)
    print(f"10,000 rows: preview and import in {elapsed:.1f} s, {len(queries)} queries")


def test_a_contact_file_naming_another_partners_prospect_says_nothing_more(tj, world):
    header = "prospect,name,email,language\r\n"
    for pk in (world.sd_prospect.pk, 999_999):
        response = upload(
            tj, "contact", (header + f"{pk},Mallory,m@example.com,en\r\n").encode(), name="c.csv"
        )
        html = response.content.decode()
        assert response.context.get("confirm_form") is None
        assert f"{pk} is not one of yours." in html
        assert "Falconworks" not in html and "Hidden Person" not in html


def test_an_xlsx_with_formulas_is_refused_row_by_row(tj, world):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["partner", "company_name", "country", "naics_code", "stage", "language"])
    sheet.append(["tj-edc", '=HYPERLINK("http://x")', "MX", "3364", "lead", "es"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(tj, "prospect", buffer.getvalue(), name="f.xlsx", fmt="1")
    assert response.context.get("confirm_form") is None
    assert not Prospect.objects.filter(company_name__contains="HYPERLINK").exists()
