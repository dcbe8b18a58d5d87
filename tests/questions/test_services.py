from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from promotion.models import Question
from promotion.services import crm as services
from tests import factories


def record(world, text, prospect=None, **kwargs):
    return services.question_record(
        actor=world.tj_editor, prospect=prospect or world.tj_prospect, text=text, **kwargs
    )


def test_recording_matches_the_question(world):
    question = record(world, "Do you have wi-fi?")
    question.refresh_from_db()
    assert question.topic.slug == "connectivity"
    assert list(question.facts.all()) == [world.households]
    assert question.needs_follow_up is False
    assert 0 < question.confidence <= 1
    assert question.matched_at is not None
    assert question.facts_chosen_at is None and question.facts_chosen_by is None


def test_the_real_data_set_answers_wi_fi(calibaja):
    partner = factories.PartnerFactory(region=calibaja, slug="test-edc")
    editor = factories.UserFactory(username="cb-editor")
    factories.PartnerMembershipFactory(user=editor, partner=partner, role="editor")
    prospect = factories.ProspectFactory(partner=partner)
    question = services.question_record(actor=editor, prospect=prospect, text="Do you have wi-fi?")
    question.refresh_from_db()
    assert question.topic.slug == "connectivity"
    facts = list(question.facts.all())
    assert facts and all(f.region_id == calibaja.pk and f.status == "published" for f in facts)
    assert all(f.topics.filter(slug="connectivity").exists() for f in facts)
    assert question.needs_follow_up is False
    out = services.question_record(
        actor=editor, prospect=prospect, text="What is the weather on Mars?"
    )
    out.refresh_from_db()
    assert not out.facts.exists() and out.needs_follow_up is True


def test_an_out_of_scope_question_needs_a_follow_up(world):
    question = record(world, "What is the weather on Mars?")
    question.refresh_from_db()
    assert not question.facts.exists()
    assert question.needs_follow_up is True
    assert question.topic is None


def test_a_topic_without_facts_needs_a_follow_up(world):
    question = record(world, "Is crime a problem?")
    question.refresh_from_db()
    assert question.topic.slug == "security"
    assert not question.facts.exists() and question.needs_follow_up is True


def test_held_and_foreign_facts_are_never_matched(world):
    question = record(world, "How good is broadband internet?")
    assert set(question.facts.all()) == {world.households}


def test_a_failing_matcher_keeps_the_question(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("matcher down")

    monkeypatch.setattr("promotion.services.answers.answer_question", broken)
    question = record(world, "Do you have wi-fi?")
    question.refresh_from_db()
    assert question.needs_follow_up is True and question.confidence is None


def test_rematch_after_teaching_an_alias(world):
    question = record(world, "Is there good cell coverage?")
    assert question.topic is None and question.needs_follow_up is True
    factories.TopicAliasFactory(
        topic=world.topics["connectivity"], language="en", text="cell coverage"
    )
    services.question_rematch(actor=world.tj_editor, question=question)
    question.refresh_from_db()
    assert question.topic.slug == "connectivity"
    assert list(question.facts.all()) == [world.households]
    assert question.needs_follow_up is False


def test_chosen_facts_survive_rematch(world):
    question = record(world, "Do you have wi-fi?")
    services.question_choose_facts(
        actor=world.tj_editor, question=question, facts=[world.engineers]
    )
    question.refresh_from_db()
    assert question.facts_chosen_by == world.tj_editor
    assert question.facts_chosen_at is not None
    services.question_rematch(actor=world.tj_editor, question=question)
    question.refresh_from_db()
    assert list(question.facts.all()) == [world.engineers]
    assert question.topic.slug == "connectivity"  # the matcher's reading, for information
    assert question.needs_follow_up is False


def test_choosing_no_fact_means_a_follow_up(world):
    question = record(world, "Do you have wi-fi?")
    services.question_choose_facts(actor=world.tj_editor, question=question, facts=[])
    assert question.needs_follow_up is True and not question.facts.exists()
    services.question_rematch(actor=world.tj_editor, question=question)
    question.refresh_from_db()
    assert not question.facts.exists() and question.needs_follow_up is True


@pytest.mark.parametrize("which", ["foreign", "held"])
def test_choosing_another_regions_or_a_held_fact_is_refused(world, which):
    question = record(world, "Do you have wi-fi?")
    with pytest.raises(ValidationError):
        services.question_choose_facts(
            actor=world.tj_editor, question=question, facts=[getattr(world, which)]
        )
    question.refresh_from_db()
    assert list(question.facts.all()) == [world.households]
    assert question.facts_chosen_at is None


def test_only_editors_who_see_the_question_change_it(world):
    sd_question = services.question_record(
        actor=world.sd_manager, prospect=world.sd_prospect, text="Do you have wi-fi?"
    )
    shared_question = services.question_record(
        actor=world.sd_manager, prospect=world.shared, text="Do you have wi-fi?"
    )
    own = record(world, "Do you have wi-fi?")
    for actor, question in (
        (world.tj_editor, sd_question),
        (world.tj_editor, shared_question),  # a read share
        (world.tj_viewer, own),
    ):
        with pytest.raises(PermissionDenied):
            services.question_rematch(actor=actor, question=question)
        with pytest.raises(PermissionDenied):
            services.question_choose_facts(actor=actor, question=question, facts=[])
        with pytest.raises(PermissionDenied):
            services.question_update(actor=actor, question=question, needs_follow_up=True)


def test_update_rematches_a_new_text_and_keeps_an_explicit_follow_up(world):
    question = record(world, "What is the weather on Mars?")
    services.question_update(actor=world.tj_editor, question=question, text="Wi-fi?")
    question.refresh_from_db()
    assert question.topic.slug == "connectivity" and question.needs_follow_up is False
    services.question_update(
        actor=world.tj_editor,
        question=question,
        text="Do you have broadband?",
        needs_follow_up=True,
    )
    question.refresh_from_db()
    assert question.facts.exists() and question.needs_follow_up is True
    with pytest.raises(TypeError):
        services.question_update(actor=world.tj_editor, question=question, prospect=None)


def test_recording_keeps_its_old_contract(world):
    question = record(world, "  ¿Hay wifi?  ", language="es")
    assert question.text == "¿Hay wifi?"
    assert Question.objects.get(pk=question.pk).language == "es"
