"""Every admin path into CRM data, as Tijuana staff, with San Diego's data beside it.

San Diego owns "Project Falcon" (Falconworks Biotech) and "Project Tern" (Binational
Cables), and shares Tern with Tijuana. Tijuana must never see Falcon, in any way."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from promotion.models import Contact, Prospect, StageChange
from tests import factories

SECRET = ("Falconworks Biotech", "Project Falcon", "Hidden Person", "hidden.person")


def url(name, *args, **query):
    from urllib.parse import urlencode

    path = reverse(f"admin:promotion_{name}", args=args)
    return path + ("?" + urlencode(query) if query else "")


def assert_no_secret(response):
    html = response.content.decode()
    for secret in SECRET:
        assert secret not in html, secret


@pytest.fixture
def tj(client, world):
    client.force_login(world.tj_manager)
    return client


def test_changelist_lists_own_and_shared_prospects_only(tj, world):
    response = tj.get(url("prospect_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tijuana Secret Motors" in html and "Binational Cables" in html
    assert_no_secret(response)


def test_changelist_search_does_not_find_other_partners_prospects(tj, world):
    for term in ("Falconworks", "Falcon", "325414"):
        response = tj.get(url("prospect_changelist", q=term))
        assert response.status_code == 200
        assert "0 prospects" in response.content.decode()
        assert_no_secret(response)


def test_codename_only_when_the_share_hides_the_company(tj, world):
    share = world.shared.shares.get()
    share.reveal_identity = False
    share.save()
    html = tj.get(url("prospect_changelist")).content.decode()
    assert "Project Tern" in html and "Binational Cables" not in html
    # Searching by the hidden company name finds nothing: no existence oracle.
    html = tj.get(url("prospect_changelist", q="Binational")).content.decode()
    assert "0 prospects" in html
    html = tj.get(url("prospect_change", world.shared.pk)).content.decode()
    assert "Project Tern" in html and "Binational Cables" not in html
    assert tj.get(url("prospect_history", world.shared.pk)).status_code == 404


def test_change_history_and_delete_urls_are_404_like_missing(tj, world):
    missing = Prospect.objects.order_by("-pk").first().pk + 100
    for name in ("prospect_change", "prospect_history", "prospect_delete"):
        assert tj.get(url(name, world.sd_prospect.pk)).status_code == 404
        assert tj.get(url(name, missing)).status_code == 404
    assert (
        tj.get(
            url(
                "prospect_simple_history",
                world.sd_prospect.pk,
                world.sd_prospect.history.first().history_id,
            )
        ).status_code
        == 404
    )
    assert tj.get(url("contact_change", world.sd_contact.pk)).status_code == 404
    assert tj.get(url("contact_history", world.sd_contact.pk)).status_code == 404


def test_own_pages_render(tj, world):
    response = tj.get(url("prospect_change", world.tj_prospect.pk))
    assert "Tijuana Secret Motors" in response.content.decode()
    response = tj.get(url("prospect_history", world.tj_prospect.pk))
    assert "Project Osprey" in response.content.decode()
    assert tj.get(url("prospect_add")).status_code == 200
    for name in ("contact", "interaction", "question", "partnermembership"):
        response = tj.get(url(f"{name}_changelist"))
        assert response.status_code == 200, name
        assert_no_secret(response)


def test_a_read_share_renders_read_only(tj, world):
    response = tj.get(url("prospect_change", world.shared.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Binational Cables" in html
    assert 'name="company_name"' not in html  # read-only


def test_autocomplete_does_not_list_other_partners_prospects(tj, world):
    response = tj.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "promotion",
            "model_name": "question",
            "field_name": "prospect",
            "term": "Project",
        },
    )
    assert response.status_code == 200
    texts = {row["text"] for row in json.loads(response.content)["results"]}
    assert texts == {"Project Osprey", "Project Tern"}
    response = tj.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "promotion",
            "model_name": "question",
            "field_name": "prospect",
            "term": "Falconworks",
        },
    )
    assert json.loads(response.content)["results"] == []


def test_raw_id_label_of_another_partners_prospect_is_not_shown(tj, world):
    response = tj.post(
        url("contact_add"),
        {
            "prospect": world.sd_prospect.pk,
            "name": "",
            "language": "en",
        },
    )
    assert response.status_code == 200  # the form is shown again with its errors
    assert_no_secret(response)
    assert "Select a valid choice" in response.content.decode()
    assert (
        not Contact.objects.filter(prospect=world.sd_prospect)
        .exclude(pk=world.sd_contact.pk)
        .exists()
    )
    # Own prospect: the label is shown.
    response = tj.post(
        url("contact_add"),
        {
            "prospect": world.tj_prospect.pk,
            "name": "",
            "language": "en",
        },
    )
    assert "Project Osprey" in response.content.decode()


def test_list_filter_choices_are_scoped(tj, world):
    html = tj.get(url("prospect_changelist")).content.decode()
    assert "?country=JP" in html and "?country=US" in html
    assert "?country=DE" not in html  # only San Diego's Falcon is German
    html = tj.get(url("contact_changelist")).content.decode()
    assert "San Diego EDC" not in html


def test_foreign_key_choices_are_scoped(tj, world):
    html = tj.get(url("interaction_add")).content.decode()
    assert_no_secret(html_response := tj.get(url("interaction_add")))
    assert html_response.status_code == 200
    html = tj.get(url("prospect_add")).content.decode()
    assert "Tijuana EDC" in html
    assert "San Diego EDC" not in html
    assert "sd-manager" not in html  # assignable staff: Tijuana's own
    assert "tj-viewer" in html
    # Posting another partner's prospect into a form is refused.
    response = tj.post(
        url("question_add"),
        {
            "prospect": world.sd_prospect.pk,
            "text": "Hello?",
            "asked_on": "2026-01-01",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert not world.sd_prospect.questions.exists()


def test_inlines_show_only_the_prospects_own_rows_and_scoped_choices(tj, world):
    factories.InteractionFactory(prospect=world.sd_prospect, summary="SD secret meeting")
    html = tj.get(url("prospect_change", world.tj_prospect.pk)).content.decode()
    assert "Known Person" in html
    assert "SD secret meeting" not in html
    assert_no_secret(tj.get(url("prospect_change", world.tj_prospect.pk)))


def test_action_with_a_tampered_selection_touches_only_own_rows(tj, world):
    response = tj.post(
        url("prospect_changelist"),
        {
            "action": "put_on_hold",
            "_selected_action": [world.tj_prospect.pk, world.sd_prospect.pk, world.shared.pk],
        },
    )
    assert response.status_code == 302
    for prospect in (world.tj_prospect, world.sd_prospect, world.shared):
        prospect.refresh_from_db()
    assert world.tj_prospect.stage == "on_hold"
    assert world.sd_prospect.stage == "lead"
    assert world.shared.stage == "lead"  # shared read-only
    tj.post(
        url("prospect_changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [world.sd_prospect.pk, world.shared.pk],
        },
    )
    assert Prospect.objects.filter(pk__in=[world.sd_prospect.pk, world.shared.pk]).count() == 2


def test_changing_the_stage_in_the_admin_records_it(tj, world):
    prospect = world.tj_prospect
    page = tj.get(url("prospect_change", prospect.pk))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "site_localities"}
    data.update({"stage": "qualified", "extra": "{}"})
    for prefix in ("contacts", "interactions", "questions", "stage_changes", "shares"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(
        {
            "contacts-TOTAL_FORMS": 1,
            "contacts-INITIAL_FORMS": 1,
            "contacts-0-id": world.tj_contact.pk,
            "contacts-0-prospect": prospect.pk,
            "contacts-0-name": "Known Person",
            "contacts-0-language": "en",
        }
    )
    response = tj.post(url("prospect_change", prospect.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert StageChange.objects.filter(prospect=prospect, to_stage="qualified").exists()


def test_pipeline_summary_counts_only_visible_prospects(tj, world):
    html = tj.get(url("prospect_changelist")).content.decode()
    assert 'id="promotion-pipeline"' in html
    assert "Tijuana EDC (1)" in html
    assert "San Diego EDC (1)" in html  # only the shared one, not Falcon


def test_user_without_membership_sees_no_crm(client, world):
    outsider = factories.UserFactory(username="outsider")
    client.force_login(outsider)
    assert client.get(url("prospect_changelist")).status_code == 403


def test_changelist_queries_do_not_grow_with_rows(tj, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        tj.get(url("prospect_changelist"))  # warm the session and content types
        with CaptureQueriesContext(connection) as queries:
            assert tj.get(url("prospect_changelist")).status_code == 200
        return len(queries)

    few = count()
    for _n in range(30):
        prospect = factories.ProspectFactory(partner=world.tj)
        factories.InteractionFactory(prospect=prospect)
        factories.ContactFactory(prospect=prospect)
    assert count() == few


def _change_form_data(client, prospect, **changes):
    page = client.get(url("prospect_change", prospect.pk))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "site_localities"}
    data["extra"] = "{}"
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = management.initial["TOTAL_FORMS"]
        data[f"{prefix}-INITIAL_FORMS"] = management.initial["INITIAL_FORMS"]
        for index, inline_form in enumerate(formset.formset.forms):
            if inline_form.instance.pk:
                data[f"{prefix}-{index}-id"] = inline_form.instance.pk
            for name, value in inline_form.initial.items():
                if value is not None:
                    data[f"{prefix}-{index}-{name}"] = getattr(value, "pk", value)
    data.update(changes)
    return data


def test_a_manager_shares_and_revokes_through_the_inline(tj, world):
    data = _change_form_data(tj, world.tj_prospect)
    data.update(
        {
            "shares-TOTAL_FORMS": 1,
            "shares-0-partner": world.cd.pk,
            "shares-0-access": "read",
            "shares-0-reveal_identity": "on",
        }
    )
    response = tj.post(url("prospect_change", world.tj_prospect.pk), data)
    assert response.status_code == 302
    share = world.tj_prospect.shares.get()
    assert share.partner == world.cd and share.granted_by == world.tj_manager
    data = _change_form_data(tj, world.tj_prospect)
    data["shares-0-DELETE"] = "on"
    tj.post(url("prospect_change", world.tj_prospect.pk), data)
    share.refresh_from_db()
    assert share.revoked_at is not None  # revoked, kept as a record


def test_shares_are_not_shown_to_the_partner_shared_with(tj, world):
    html = tj.get(url("prospect_change", world.shared.pk)).content.decode()
    assert "shared with other partners" not in html.lower()


def test_a_viewer_reads_but_does_not_change(client, world):
    client.force_login(world.tj_viewer)
    response = client.get(url("prospect_change", world.tj_prospect.pk))
    assert response.status_code == 200
    assert 'name="company_name"' not in response.content.decode()
    assert client.get(url("prospect_add")).status_code == 403
    response = client.post(
        url("prospect_changelist"),
        {"action": "put_on_hold", "_selected_action": [world.tj_prospect.pk]},
    )
    world.tj_prospect.refresh_from_db()
    assert world.tj_prospect.stage == "lead"


def test_codename_only_share_hides_contacts_interactions_and_questions(tj, world):
    share = world.shared.shares.get()
    share.reveal_identity = False
    share.save()
    factories.InteractionFactory(prospect=world.shared, summary="Met Binational's CEO")
    factories.QuestionFactory(prospect=world.shared, text="Binational asks about rail")
    html = tj.get(url("prospect_change", world.shared.pk)).content.decode()
    assert "Binational" not in html
    for name in ("interaction_changelist", "question_changelist", "contact_changelist"):
        assert "Binational" not in tj.get(url(name)).content.decode()


def test_membership_admin(tj, world):
    from django.contrib.auth import get_user_model

    from promotion.models import PartnerMembership

    newcomer = factories.UserFactory(username="newcomer")
    login = getattr(newcomer, get_user_model().USERNAME_FIELD)
    html = tj.get(url("partnermembership_changelist")).content.decode()
    assert "tj-viewer" in html and "sd-manager" not in html
    add = tj.get(url("partnermembership_add")).content.decode()
    assert "San Diego EDC" not in add
    response = tj.post(
        url("partnermembership_add"), {"login": login, "partner": world.sd.pk, "role": "viewer"}
    )
    assert response.status_code == 200  # not a partner this manager keeps
    assert not PartnerMembership.objects.filter(user=newcomer).exists()
    response = tj.post(
        url("partnermembership_add"), {"login": login, "partner": world.tj.pk, "role": "editor"}
    )
    assert response.status_code == 302
    assert PartnerMembership.objects.get(user=newcomer).role == "editor"
    response = tj.post(
        url("partnermembership_add"),
        {"login": "nobody-at-all", "partner": world.tj.pk, "role": "editor"},
    )
    assert "No user has this login." in response.content.decode()
    sd_membership = PartnerMembership.objects.get(user=world.sd_manager)
    assert tj.get(url("partnermembership_change", sd_membership.pk)).status_code == 404


def test_cluster_filter_matches_naics_prefixes(tj, world):
    cluster = factories.ClusterFactory(
        region=world.region, naics_codes="3391, 3364", name_en="Medical devices cluster"
    )
    factories.ProspectFactory(partner=world.tj, codename="Project Software", naics_code="541511")
    factories.ProspectFactory(partner=world.tj, codename="Project Wing", naics_code="336411")
    html = tj.get(url("prospect_changelist")).content.decode()
    assert "Medical devices cluster" in html
    html = tj.get(url("prospect_changelist", cluster=cluster.pk)).content.decode()
    assert "Project Osprey" in html and "Project Wing" in html
    assert "Project Software" not in html
    assert_no_secret(tj.get(url("prospect_changelist", cluster=cluster.pk)))


def test_superuser_sees_every_partners_prospects(client, world):
    root = factories.UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    html = client.get(url("prospect_changelist")).content.decode()
    assert "Falconworks Biotech" in html and "Tijuana Secret Motors" in html
    assert client.get(url("prospect_change", world.sd_prospect.pk)).status_code == 200
    assert client.get(url("prospect_history", world.sd_prospect.pk)).status_code == 200


def test_membership_role_change_and_removal_through_the_admin(tj, world):
    from promotion.models import PartnerMembership

    membership = PartnerMembership.objects.get(user=world.tj_viewer)
    response = tj.post(url("partnermembership_change", membership.pk), {"role": "editor"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "editor" and membership.partner == world.tj
    sd_membership = PartnerMembership.objects.get(user=world.sd_manager)
    tj.post(
        url("partnermembership_changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [membership.pk, sd_membership.pk],
        },
    )
    assert not PartnerMembership.objects.filter(pk=membership.pk).exists()
    assert PartnerMembership.objects.filter(pk=sd_membership.pk).exists()
