"""The prospects API: the CRM's tenancy rule on every path."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from promotion.models import Partner, Prospect, StageChange
from tests import factories

LIST = "promotion_api:prospect-list"
SUMMARY = "promotion_api:prospect-summary"


def detail(pk):
    return reverse("promotion_api:prospect-detail", args=[pk])


def questions(pk):
    return reverse("promotion_api:prospect-questions", args=[pk])


def missing_id():
    return (Prospect.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def new_prospect(**overrides):
    data = {
        "company_name": "Nueva Aeroespacial",
        "country": "MX",
        "naics_code": "336411",
        "language": "es",
    }
    data.update(overrides)
    return data


def row_state(prospect):
    return Prospect.objects.filter(pk=prospect.pk).values().get()


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# -- reading ---------------------------------------------------------------------------------


def test_the_list_shows_only_the_visible_prospects(world, client_for):
    response = client_for(world.a_viewer).get(reverse(LIST))
    codenames = {row["codename"] for row in results(response)}
    assert codenames == {"Project Osprey", "Project Tern", "Project Wren"}
    body = response.content.decode()
    for canary in (
        "Project Falcon",
        "Hidden Falconworks",
        "Hidden Person",
        "987654321",
        "Hidden note",
    ):
        assert canary not in body


def test_b_sees_its_own_and_nothing_of_a(world, client_for):
    response = client_for(world.b_viewer).get(reverse(LIST))
    codenames = {row["codename"] for row in results(response)}
    assert codenames == {"Project Falcon", "Project Tern", "Project Wren"}
    assert "Tijuana Motors" not in response.content.decode()


def test_superusers_see_everything(world, client_for):
    root = factories.UserFactory(username="root", is_superuser=True)
    rows = results(client_for(root).get(reverse(LIST)))
    assert {r["company_name"] for r in rows} == {
        "Tijuana Motors",
        "Hidden Falconworks",
        "Binational Cables",
        "Discreet Semiconductors",
    }


def test_the_own_prospect_shows_company_and_contacts(world, client_for):
    response = client_for(world.a_viewer).get(detail(world.a_prospect.pk))
    data = response.json()
    assert data["company_name"] == "Tijuana Motors"
    assert data["identity_visible"] is True
    assert [c["email"] for c in data["contacts"]] == ["known.person@example.com"]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_partners_prospect_is_a_404_like_a_missing_id(world, client_for, method):
    client = client_for(world.a_manager)
    before = row_state(world.b_secret)
    payload = new_prospect(company_name="Overwritten")
    kwargs = {"format": "json"} if method in ("put", "patch") else {}
    args = (payload,) if method in ("put", "patch") else ()
    foreign = getattr(client, method)(detail(world.b_secret.pk), *args, **kwargs)
    missing = getattr(client, method)(detail(missing_id()), *args, **kwargs)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert b"Falcon" not in foreign.content
    assert row_state(world.b_secret) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_partners_questions_are_a_404_like_a_missing_id(world, client_for, method):
    client = client_for(world.a_manager)
    kwargs = {"data": {"text": "Do you have wi-fi?"}, "format": "json"} if method == "post" else {}
    foreign = getattr(client, method)(questions(world.b_secret.pk), **kwargs)
    missing = getattr(client, method)(questions(missing_id()), **kwargs)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert not world.b_secret.questions.exists()


# -- codename only -----------------------------------------------------------------------------


def test_a_codename_only_share_hides_company_notes_and_contacts(world, client_for):
    client = client_for(world.a_manager)
    listed = {r["codename"]: r for r in results(client.get(reverse(LIST)))}
    shown = client.get(detail(world.b_codename_only.pk))
    assert shown.status_code == 200
    for data in (listed["Project Wren"], shown.json()):
        assert data["company_name"] is None
        assert data["identity_visible"] is False
        assert "contacts" not in data and "notes" not in data and "extra" not in data
    for response in (shown, client.get(reverse(LIST))):
        body = response.content.decode()
        assert "Discreet Semiconductors" not in body
        assert "discreet.person@example.com" not in body
        assert "Discreet note" not in body
    # The identity-revealing share shows the company.
    assert listed["Project Tern"]["company_name"] == "Binational Cables"


def test_a_codename_only_editor_cannot_write_or_learn_the_company(world, client_for):
    client = client_for(world.a_editor)
    response = client.patch(
        detail(world.b_codename_only.pk),
        {"company_name": "Guess", "notes": "x", "estimated_jobs": 31},
        format="json",
    )
    assert response.status_code == 200, response.content
    world.b_codename_only.refresh_from_db()
    assert world.b_codename_only.company_name == "Discreet Semiconductors"
    assert world.b_codename_only.notes == "Discreet note"
    assert world.b_codename_only.estimated_jobs == 31
    assert "Discreet" not in response.content.decode()


def test_a_codename_only_share_hides_the_questions(world, client_for):
    factories.QuestionFactory(prospect=world.b_codename_only, text="Discreet question?")
    client = client_for(world.a_editor)
    listed = client.get(questions(world.b_codename_only.pk))
    asked = client.post(questions(world.b_codename_only.pk), {"text": "Wi-fi?"}, format="json")
    assert listed.status_code == asked.status_code == 403
    assert "Discreet" not in listed.content.decode()
    assert world.b_codename_only.questions.count() == 1


# -- writing -----------------------------------------------------------------------------------


def test_an_editor_creates_a_prospect_of_its_one_partner_by_default(world, client_for):
    response = client_for(world.a_editor).post(reverse(LIST), new_prospect(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    prospect = Prospect.objects.get(pk=data["id"])
    assert prospect.partner == world.a
    assert prospect.created_by == world.a_editor
    assert prospect.codename.startswith("Project ")
    assert data["company_name"] == "Nueva Aeroespacial"
    assert data["partner"] == world.a.pk
    assert StageChange.objects.filter(prospect=prospect, to_stage="lead").exists()


def test_a_user_of_several_partners_must_name_one(world, client_for):
    factories.PartnerMembershipFactory(user=world.a_editor, partner=world.b, role="editor")
    client = client_for(world.a_editor)
    response = client.post(reverse(LIST), new_prospect(), format="json")
    assert response.status_code == 400
    assert "partner" in response.json()
    response = client.post(reverse(LIST), new_prospect(partner=world.b.pk), format="json")
    assert response.status_code == 201, response.content
    assert Prospect.objects.get(pk=response.json()["id"]).partner == world.b


def test_another_partner_is_refused_like_a_missing_one(world, client_for):
    client = client_for(world.a_editor)
    missing = Partner.objects.order_by("-pk").first().pk + 1000
    foreign = client.post(reverse(LIST), new_prospect(partner=world.b.pk), format="json")
    unknown = client.post(reverse(LIST), new_prospect(partner=missing), format="json")
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json() == unknown.json()
    assert set(foreign.json()) == {"partner"}
    assert not Prospect.objects.filter(company_name="Nueva Aeroespacial").exists()


def test_another_partners_staff_is_refused_like_a_missing_user(world, client_for):
    client = client_for(world.a_editor)
    missing = world.b_manager.pk + 1000
    foreign = client.post(
        reverse(LIST), new_prospect(assigned_to=world.b_manager.pk), format="json"
    )
    unknown = client.post(reverse(LIST), new_prospect(assigned_to=missing), format="json")
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json() == unknown.json()
    assert set(foreign.json()) == {"assigned_to"}
    ok = client.post(reverse(LIST), new_prospect(assigned_to=world.a_manager.pk), format="json")
    assert ok.status_code == 201, ok.content
    assert Prospect.objects.get(pk=ok.json()["id"]).assigned_to == world.a_manager


def test_a_colleague_of_another_partner_is_not_assignable_to_its_prospects(world, client_for):
    # A user on both staffs knows B's staff, but A's prospects go to A's staff only.
    both = factories.UserFactory(username="both")
    factories.PartnerMembershipFactory(user=both, partner=world.a, role="editor")
    factories.PartnerMembershipFactory(user=both, partner=world.b, role="viewer")
    response = client_for(both).patch(
        detail(world.a_prospect.pk), {"assigned_to": world.b_manager.pk}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"assigned_to"}


def test_viewers_cannot_write(world, client_for):
    client = client_for(world.a_viewer)
    before = row_state(world.a_prospect)
    assert client.post(reverse(LIST), new_prospect(), format="json").status_code == 403
    assert (
        client.patch(detail(world.a_prospect.pk), {"estimated_jobs": 1}, format="json").status_code
        == 403
    )
    assert client.put(detail(world.a_prospect.pk), new_prospect(), format="json").status_code == 403
    assert client.delete(detail(world.a_prospect.pk)).status_code == 403
    assert row_state(world.a_prospect) == before


def test_a_read_share_does_not_allow_writing(world, client_for):
    client = client_for(world.a_manager)
    assert (
        client.patch(detail(world.b_shared.pk), {"estimated_jobs": 1}, format="json").status_code
        == 403
    )
    assert client.delete(detail(world.b_shared.pk)).status_code == 403
    assert Prospect.objects.filter(pk=world.b_shared.pk, estimated_jobs=20).exists()


def test_an_editor_changes_and_the_stage_change_is_recorded(world, client_for):
    client = client_for(world.a_editor)
    response = client.patch(detail(world.a_prospect.pk), {"stage": "qualified"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "qualified"
    assert StageChange.objects.filter(prospect=world.a_prospect, to_stage="qualified").exists()
    response = client.patch(detail(world.a_prospect.pk), {"stage": "lost"}, format="json")
    assert response.status_code == 400
    assert "lost_reason" in response.json()
    put = client.put(
        detail(world.a_prospect.pk),
        new_prospect(company_name="Tijuana Motors Two", codename="Project Osprey"),
        format="json",
    )
    assert put.status_code == 200, put.content
    world.a_prospect.refresh_from_db()
    assert world.a_prospect.company_name == "Tijuana Motors Two"
    assert world.a_prospect.language == "es"


def test_the_owner_partner_never_changes(world, client_for):
    factories.PartnerMembershipFactory(user=world.a_editor, partner=world.b, role="editor")
    response = client_for(world.a_editor).patch(
        detail(world.a_prospect.pk), {"partner": world.b.pk}, format="json"
    )
    assert response.status_code == 400
    assert "partner" in response.json()
    world.a_prospect.refresh_from_db()
    assert world.a_prospect.partner == world.a


def test_only_managers_of_the_owner_delete(world, client_for):
    assert client_for(world.a_editor).delete(detail(world.a_prospect.pk)).status_code == 403
    assert client_for(world.a_manager).delete(detail(world.a_prospect.pk)).status_code == 204
    assert not Prospect.objects.filter(pk=world.a_prospect.pk).exists()


def test_an_edit_share_changes_figures_but_not_the_company(world, client_for):
    share = world.b_shared.shares.get()
    share.access = "edit"
    share.save()
    response = client_for(world.a_editor).patch(
        detail(world.b_shared.pk),
        {"company_name": "Hidden Falconworks", "codename": "Project Falcon", "estimated_jobs": 21},
        format="json",
    )
    # Not a uniqueness error that would tell A what B holds: the names are not A's to set.
    assert response.status_code == 200, response.content
    world.b_shared.refresh_from_db()
    assert (world.b_shared.company_name, world.b_shared.codename) == (
        "Binational Cables",
        "Project Tern",
    )
    assert world.b_shared.estimated_jobs == 21


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("country", "XX", "ISO 3166"),
        ("country", "USA", "ISO 3166"),
        ("naics_code", "33a", "NAICS"),
        ("naics_code", "1", "NAICS"),
        ("naics_code", "1234567", "6"),
        ("language", "fr", "valid choice"),
        ("company_name", "x" * 201, "200"),
        ("notes", "x" * 4001, "4000"),
        ("capital_investment", "-1", "0"),
    ],
)
def test_invalid_values_get_clear_messages(world, client_for, field, value, fragment):
    response = client_for(world.a_editor).post(
        reverse(LIST), new_prospect(**{field: value}), format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {field}
    assert fragment in " ".join(errors[field])


def test_a_lower_case_country_is_accepted(world, client_for):
    response = client_for(world.a_editor).post(
        reverse(LIST), new_prospect(country="kr"), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["country"] == "KR"


@pytest.mark.parametrize("field", ["company_name", "country", "naics_code"])
def test_required_fields(world, client_for, field):
    data = new_prospect()
    del data[field]
    response = client_for(world.a_editor).post(reverse(LIST), data, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_a_duplicate_company_is_a_400(world, client_for):
    response = client_for(world.a_editor).post(
        reverse(LIST), new_prospect(company_name="tijuana motors", country="JP"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"non_field_errors"}


def test_the_same_company_may_be_a_prospect_of_another_partner(world, client_for):
    # Uniqueness is within the owner: nothing tells A that B has this company.
    response = client_for(world.a_editor).post(
        reverse(LIST),
        new_prospect(company_name="Hidden Falconworks", country="DE"),
        format="json",
    )
    assert response.status_code == 201, response.content


def test_options_on_another_partners_prospect_is_like_a_missing_id(world, client_for):
    client = client_for(world.a_manager)
    foreign = client.options(detail(world.b_secret.pk))
    missing = client.options(detail(missing_id()))
    assert foreign.status_code == missing.status_code
    assert foreign.content == missing.content


# -- summary ------------------------------------------------------------------------------------


def test_the_summary_totals_the_visible_prospects_only(world, client_for):
    response = client_for(world.a_viewer).get(reverse(SUMMARY))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    lead = {s["stage"]: s for s in data["stages"]}["lead"]
    assert lead["count"] == 3
    assert lead["estimated_jobs"] == 60
    assert Decimal(lead["capital_investment"]["USD"]) == Decimal("6000000.00")
    assert "qualified" not in {s["stage"] for s in data["stages"]}
    assert "987654321" not in response.content.decode()
    assert "4321" not in response.content.decode()


def test_the_summary_of_b_includes_its_own(world, client_for):
    data = client_for(world.b_viewer).get(reverse(SUMMARY)).json()
    stages = {s["stage"]: s for s in data["stages"]}
    assert data["count"] == 3
    assert Decimal(stages["qualified"]["capital_investment"]["USD"]) == Decimal("987654321")


# -- browsable API ------------------------------------------------------------------------------


def test_the_browsable_form_lists_only_what_the_user_may_pick(world, client_for):
    factories.PartnerFactory(region=world.region, slug="cdim", name="Other Mexicali EDC")
    response = client_for(world.a_editor).get(reverse(LIST), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tijuana EDC" in html
    assert "Secret Diego EDC" not in html
    assert "Other Mexicali EDC" not in html
    assert "b-manager" not in html and "b-editor" not in html
    assert "a-manager" in html
    assert "Hidden Falconworks" not in html and "Discreet Semiconductors" not in html


def test_the_browsable_api_shows_viewers_no_form(world, client_for):
    html = client_for(world.a_viewer).get(reverse(LIST), HTTP_ACCEPT="text/html")
    # The filters are there (owner partner among the viewer's own), the create form is not.
    assert 'name="company_name"' not in html.content.decode()
    assert '<select name="partner"' in html.content.decode()


def test_the_browsable_detail_form_leaks_nothing(world, client_for):
    response = client_for(world.a_editor).get(
        detail(world.b_codename_only.pk), HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Discreet" not in html and "discreet" not in html
    assert "b-manager" not in html


# -- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_anonymous_requests_get_no_data(world, client_for, method):
    client = client_for()
    for url in (
        reverse(LIST),
        reverse(SUMMARY),
        detail(world.a_prospect.pk),
        questions(world.a_prospect.pk),
    ):
        response = getattr(client, method)(url, new_prospect(), format="json")
        assert response.status_code in (401, 403), url
        body = response.content.decode()
        assert "Osprey" not in body and "Tijuana Motors" not in body
    assert Prospect.objects.count() == 4


def test_inactive_users_get_nothing(world, client_for):
    world.a_manager.is_active = False
    world.a_manager.save()
    response = client_for(world.a_manager).get(reverse(LIST))
    assert response.status_code in (401, 403) or results(response) == []


# -- performance --------------------------------------------------------------------------------


def _list_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_makes_as_many_queries_for_25_prospects_as_for_5(world, client_for):
    client = client_for(world.a_manager)
    url = reverse(LIST) + "?page_size=100"
    # 3 visible prospects in the world, 2 more make 5, then 20 more (half codename only).
    for _ in range(2):
        factories.ContactFactory(prospect=factories.ProspectFactory(partner=world.a))
    small = _list_queries(client, url)
    for _ in range(10):
        factories.ContactFactory(prospect=factories.ProspectFactory(partner=world.a))
        hidden = factories.ProspectFactory(partner=world.b)
        factories.ProspectShareFactory(prospect=hidden, partner=world.a, reveal_identity=False)
    assert len(results(client.get(url))) == 25
    assert _list_queries(client, url) == small
