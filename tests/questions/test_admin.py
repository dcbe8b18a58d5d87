"""The Question admin and the prospect's question inline, as Tijuana staff.

San Diego owns "Project Falcon" (Falconworks Biotech) and shares "Project Tern" with
Tijuana; nothing of Falcon may ever show to Tijuana."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from promotion.models import Question
from promotion.services import crm as services
from tests import factories

SECRET = ("Falconworks", "Project Falcon", "Falcon asks")


def url(name, *args, **query):
    path = reverse(f"admin:promotion_{name}", args=args)
    return path + ("?" + urlencode(query) if query else "")


def assert_no_secret(response):
    html = response.content.decode()
    for secret in SECRET:
        assert secret not in html, secret


def ask(actor, prospect, text):
    return services.question_record(actor=actor, prospect=prospect, text=text)


@pytest.fixture
def questions(world):
    return {
        "own_wifi": ask(world.tj_editor, world.tj_prospect, "Do you have wi-fi?"),
        "own_mars": ask(world.tj_editor, world.tj_prospect, "What is the weather on Mars?"),
        "sd_wifi": ask(world.sd_manager, world.sd_prospect, "Do you have wi-fi?"),
        "sd_mars": ask(world.sd_manager, world.sd_prospect, "what is the WEATHER on mars"),
        "sd_secret": ask(
            world.sd_manager, world.sd_prospect, "Falcon asks: can Falconworks get a discount?"
        ),
        "shared": ask(world.sd_manager, world.shared, "Is crime a problem?"),
    }


@pytest.fixture
def tj(client, world):
    client.force_login(world.tj_editor)
    return client


def test_changelist_shows_the_match_and_nothing_of_other_partners(tj, world, questions):
    response = tj.get(url("question_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Do you have wi-fi?" in html and "CON-01" in html
    assert reverse("admin:promotion_question_unanswered") in html
    assert_no_secret(response)


def test_follow_up_filter_lists_own_partners_questions_only(tj, world, questions):
    response = tj.get(url("question_changelist", follow_up="yes"))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows == [questions["own_mars"]]
    assert_no_secret(response)
    # The shared prospect's follow-up is San Diego's to do; it is listed without filter.
    all_rows = set(tj.get(url("question_changelist")).context["cl"].result_list)
    assert questions["shared"] in all_rows and questions["sd_mars"] not in all_rows
    no = set(tj.get(url("question_changelist", follow_up="no")).context["cl"].result_list)
    assert no == {questions["own_wifi"]}


def test_change_form_shows_the_match_with_sources(tj, world, questions):
    response = tj.get(url("question_change", questions["own_wifi"].pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Connectivity" in html  # the topic
    assert "Household technology survey" in html and "https://example.org/survey" in html
    assert reverse("admin:promotion_fact_change", args=[world.households.pk]) in html
    assert "the matcher" in html
    assert reverse("admin:promotion_question_fact_choices", args=[world.tj_prospect.pk]) in html
    assert tj.get(url("question_change", questions["sd_wifi"].pk)).status_code == 404


def test_editor_overrides_the_facts_through_the_service(tj, world, questions):
    question = questions["own_wifi"]
    response = tj.post(
        url("question_change", question.pk),
        {
            "text": question.text,
            "language": "en",
            "asked_on": question.asked_on.isoformat(),
            "facts": [world.engineers.pk],
            "needs_follow_up": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert list(question.facts.all()) == [world.engineers]
    assert question.facts_chosen_by == world.tj_editor
    assert "the matcher" not in tj.get(url("question_change", question.pk)).content.decode()


@pytest.mark.parametrize("which", ["held", "foreign"])
def test_the_form_refuses_held_and_other_regions_facts(tj, world, questions, which):
    question = questions["own_wifi"]
    response = tj.post(
        url("question_change", question.pk),
        {
            "text": question.text,
            "language": "en",
            "asked_on": question.asked_on.isoformat(),
            "facts": [getattr(world, which).pk],
        },
    )
    assert response.status_code == 200  # shown again with the error
    question.refresh_from_db()
    assert list(question.facts.all()) == [world.households]


def test_toggling_follow_up_in_the_form(tj, world, questions):
    question = questions["own_wifi"]
    response = tj.post(
        url("question_change", question.pk),
        {
            "text": question.text,
            "language": "en",
            "asked_on": question.asked_on.isoformat(),
            "facts": [world.households.pk],
            "needs_follow_up": "on",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.needs_follow_up is True and question.facts_chosen_at is None


def test_adding_a_question_in_the_admin_matches_it(tj, world):
    response = tj.post(
        url("question_add"),
        {
            "prospect": world.tj_prospect.pk,
            "text": "Do you have broadband?",
            "language": "en",
            "asked_on": "2026-02-01",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(text="Do you have broadband?")
    assert question.topic.slug == "connectivity" and question.facts.exists()


def test_fact_choices_are_the_regions_published_facts(tj, world, questions):
    response = tj.get(url("question_fact_choices", world.tj_prospect.pk), {"term": "CON"})
    assert response.status_code == 200
    ids = {int(row["id"]) for row in json.loads(response.content)["results"]}
    assert ids == {world.households.pk}
    assert tj.get(url("question_fact_choices", world.sd_prospect.pk)).status_code == 404
    # A read share does not allow choosing facts.
    assert tj.get(url("question_fact_choices", world.shared.pk)).status_code == 404


def test_unanswered_page_groups_and_hides_other_partners_texts(tj, world, questions):
    ask(world.sd_manager, world.sd_prospect, "Is there a Falconworks-only heliport?")
    response = tj.get(url("question_unanswered"))
    assert response.status_code == 200
    report = response.context["report"]
    by_text = {row.text: row for row in report.rows}
    # Tijuana's own wording, counted with San Diego's "what is the WEATHER on mars".
    mars = by_text["What is the weather on Mars?"]
    assert (mars.times_asked, mars.prospects) == (2, 2)
    assert "Is crime a problem?" in by_text  # shared with the identity: visible
    assert "Do you have wi-fi?" not in by_text  # answered
    # San Diego's own texts: counted, never shown.
    assert (report.hidden_questions, report.hidden_texts) == (2, 2)
    html = response.content.decode()
    assert "what is the WEATHER on mars" not in html
    assert "heliport" not in html
    assert_no_secret(response)
    # No partner at all: the page names no one, not even the partner of a shared prospect.
    assert "San Diego EDC" not in html and "Project Tern" not in html


def test_unanswered_page_hides_codename_only_shares(tj, world, questions):
    share = world.shared.shares.get()
    share.reveal_identity = False
    share.save()
    response = tj.get(url("question_unanswered"))
    assert "Is crime a problem?" not in response.content.decode()


def test_match_again_action(tj, world, questions):
    question = ask(world.tj_editor, world.tj_prospect, "Is there good cell coverage?")
    assert question.needs_follow_up is True
    factories.TopicAliasFactory(
        topic=world.topics["connectivity"], language="en", text="cell coverage"
    )
    response = tj.post(
        url("question_changelist"), {"action": "match_again", "_selected_action": [question.pk]}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.topic.slug == "connectivity" and question.needs_follow_up is False


def test_a_tampered_selection_leaves_other_partners_questions_alone(tj, world, questions):
    factories.TopicAliasFactory(topic=world.topics["connectivity"], language="en", text="weather")
    targets = [questions["sd_mars"], questions["shared"]]
    before = {q.pk: (q.topic_id, q.needs_follow_up, q.matched_at) for q in targets}
    for action in ("match_again", "clear_follow_up"):
        tj.post(
            url("question_changelist"),
            {"action": action, "_selected_action": [q.pk for q in targets]},
        )
    # The action's own re-filter, even when handed every question.
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = world.tj_editor
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    site._registry[Question].match_again(request, Question.objects.all())
    for q in targets:
        q.refresh_from_db()
        assert (q.topic_id, q.needs_follow_up, q.matched_at) == before[q.pk]


def test_viewers_see_but_cannot_act(client, world, questions):
    client.force_login(world.tj_viewer)
    response = client.get(url("question_change", questions["own_wifi"].pk))
    assert response.status_code == 200
    assert "Household technology survey" in response.content.decode()
    response = client.post(
        url("question_changelist"),
        {"action": "mark_follow_up", "_selected_action": [questions["own_wifi"].pk]},
    )
    questions["own_wifi"].refresh_from_db()
    assert questions["own_wifi"].needs_follow_up is False
    assert client.get(url("question_unanswered")).status_code == 200


def test_prospect_page_inline_shows_and_saves_through_services(tj, world, questions):
    response = tj.get(url("prospect_change", world.tj_prospect.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Household technology survey" in html and "CON-01" in html
    assert_no_secret(response)
    formset = response.context["inline_admin_formsets"]
    question_formset = next(f for f in formset if f.formset.model is Question).formset
    prefix = question_formset.prefix
    data = _prospect_post_data(response)
    own = [questions["own_wifi"], questions["own_mars"]]
    order = [form.instance.pk for form in question_formset.forms]
    new_index = len(order)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(new_index + 1),
            f"{prefix}-{new_index}-text": "Do you have broadband?",
            f"{prefix}-{new_index}-language": "en",
            f"{prefix}-{new_index}-asked_on": "2026-02-01",
        }
    )
    mars_index = order.index(own[1].pk)
    data[f"{prefix}-{mars_index}-facts"] = [str(world.engineers.pk)]
    response = tj.post(url("prospect_change", world.tj_prospect.pk), data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][2].formset.forms
    ]
    added = Question.objects.get(prospect=world.tj_prospect, text="Do you have broadband?")
    assert added.topic.slug == "connectivity" and added.facts.exists()
    own[1].refresh_from_db()
    assert list(own[1].facts.all()) == [world.engineers]
    assert own[1].facts_chosen_by == world.tj_editor and own[1].needs_follow_up is False


def _prospect_post_data(response):
    """The change form's current values, as the browser would post them back."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            value = form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is None or value is False:
                continue
            if hasattr(value, "all"):
                value = [str(v.pk) for v in value.all()]
            elif isinstance(value, list | tuple):
                value = [str(getattr(v, "pk", v)) for v in value]
            elif hasattr(value, "pk"):
                value = value.pk
            elif value is True:
                value = "on"
            data[key] = value
    return data


def test_a_read_share_shows_its_questions_read_only(tj, world, questions):
    response = tj.get(url("prospect_change", world.shared.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Is crime a problem?" in html
    assert "the region cannot answer this yet" in html
    assert reverse("admin:promotion_question_fact_choices", args=[world.shared.pk]) not in html
    assert_no_secret(response)
