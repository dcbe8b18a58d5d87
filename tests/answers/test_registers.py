"""Questions as askers write them in chat: short forms, local names, context sentences."""

from __future__ import annotations

import pytest
from django.test import override_settings

from promotion.answering import cache
from promotion.answering.matchers import AliasMatcher
from promotion.answering.text import words
from promotion.models import Locality
from promotion.services.answers import answer_question


def topic_of(region, question: str, language: str) -> str | None:
    """The slug of the topic the question is answered with, or None when it is declined."""
    answer = answer_question(region=region, text=question, language=language)
    return answer.topic.slug if answer.answered else None


def test_chat_forms_are_read_as_spelled_out() -> None:
    texts = [w.text for w in words("q tan buena es? xq tmb pa' TJ, pls thx, r u w/ ppl")]
    assert texts == [
        "que",
        "tan",
        "buena",
        "es",
        "porque",
        "tambien",
        "para",
        "tj",
        "please",
        "thanks",
        "are",
        "you",
        "with",
        "people",
    ]
    # Written in capitals, a short form is an acronym, not chat: "PA" stays.
    assert [w.text for w in words("plants in PA")] == ["plants", "in", "pa"]


@pytest.mark.parametrize(
    ("question", "language", "place"),
    [
        ("how many people live in TJ", "en", "Tijuana"),
        ("cuantos habitantes tiene tj", "es", "Tijuana"),
        ("population of SD?", "en", "San Diego"),
        ("¿Cuánta gente vive en SD?", "es", "San Diego"),
    ],
)
def test_a_places_other_name_is_the_place(calibaja, question, language, place) -> None:
    """ "TJ" is Tijuana, "SD" San Diego County (the data set's other names): the question is
    the region's, and the facts of that place come first."""
    answer = answer_question(region=calibaja, text=question, language=language)
    assert answer.answered and answer.topic.slug == "demographics"
    assert place in answer.facts[0].text


def test_a_places_other_name_keeps_a_chat_question_in_the_region(calibaja) -> None:
    """Unknown, "TJ" after "in" would be some other place; it is Tijuana."""
    for question, language in [
        ("any data centers in TJ? we need colo", "en"),
        ("hay centros de datos en TJ? xq necesitamos colo", "es"),
    ]:
        assert topic_of(calibaja, question, language) == "connectivity", question


def test_other_names_are_the_regions_data_not_the_matchers(calibaja) -> None:
    """An EDC's staff add a place's other names in the admin; the answers follow."""
    question = "¿Cuántos habitantes tiene Tiju?"
    assert topic_of(calibaja, question, "es") is None
    tijuana = Locality.objects.get(region=calibaja, slug="tijuana")
    tijuana.other_names = "TJ, Tiju"
    tijuana.save()
    answer = answer_question(region=calibaja, text=question, language="es")
    assert answer.answered and answer.topic.slug == "demographics"
    assert "Tijuana" in answer.facts[0].text


@pytest.mark.parametrize(
    ("question", "language", "topic"),
    [
        (
            "Is Mexicali a safe place? Our auditors from Detroit will visit twice a year.",
            "en",
            "security",
        ),
        (
            "esta seguro mexicali? vienen unos auditores de detroit dos veces al año",
            "es",
            "security",
        ),
        (
            "Tijuana port of entry - wait times? our drivers complain a lot",
            "en",
            "border-crossings",
        ),
        (
            "¿Cuánta gente vive en Ensenada? Pensamos abrir allá una sucursal chiquita.",
            "es",
            "demographics",
        ),
    ],
)
def test_a_sentence_of_context_does_not_decline_the_question(
    calibaja, question, language, topic
) -> None:
    """The sentence that names a topic is judged by its own words, not diluted by a
    sentence about the asker's plans."""
    assert topic_of(calibaja, question, language) == topic


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How much does a tesla cost? We are moving to Tijuana.", "en"),
        ("¿Cuánto cuesta un iphone? Nos mudamos a Tijuana.", "es"),
    ],
)
def test_an_unknown_subject_declines_whatever_the_other_sentences(
    calibaja, question, language
) -> None:
    assert topic_of(calibaja, question, language) is None


@pytest.mark.parametrize(
    ("question", "language", "topic"),
    [
        (
            "We must urgently double-check how many engineers Mexicali has available",
            "en",
            "talent",
        ),
        (
            "Necesitamos verificar rápidamente cuántos ingenieros hay en Mexicali",
            "es",
            "talent",
        ),
    ],
)
def test_unknown_verbs_and_adverbs_count_little_against_a_question(
    calibaja, question, language, topic
) -> None:
    """What is done or how ("verificar", "urgently") is not what is asked about; an
    unknown noun is ("a tesla")."""
    assert topic_of(calibaja, question, language) == topic


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("What's the cheapest flight from Tijuana next week?", "en"),
        ("¿Cuál es el vuelo más barato desde Tijuana la próxima semana?", "es"),
        ("Who programmed you?", "en"),
        ("¿Quién te programó y con qué inteligencia artificial funcionas?", "es"),
        ("how many trucks cross at nogales per day", "en"),
    ],
)
def test_declined_in_any_register(calibaja, question, language) -> None:
    """One week to come, who made the answerer, a lower-case place of no region of ours."""
    assert topic_of(calibaja, question, language) is None


@pytest.mark.parametrize(
    ("question", "language", "topic"),
    [
        ("What's the cheapest flight from Tijuana?", "en", "airports"),
        ("how many trucks cross at otay per day", "en", "border-crossings"),
        ("Who trained the engineers of Tijuana?", "en", "talent"),
    ],
)
def test_the_same_questions_without_what_declines_them_answer(
    calibaja, question, language, topic
) -> None:
    assert topic_of(calibaja, question, language) == topic


class WholeQuestionMatcher(AliasMatcher):
    BEST_SENTENCE_COVERAGE = False


def test_the_best_sentence_rule_is_what_answers(calibaja) -> None:
    """With the whole question's words counted, the context sentence declines it."""
    question = "esta seguro mexicali? vienen unos auditores de detroit dos veces al año"
    assert topic_of(calibaja, question, "es") == "security"
    with override_settings(PROMOTION={"ANSWER_MATCHER": f"{__name__}.WholeQuestionMatcher"}):
        cache.clear()
        assert topic_of(calibaja, question, "es") is None


@pytest.mark.parametrize(
    ("question", "language", "topic"),
    [
        ("lol how many ppl live in TJ tbh", "en", "demographics"),
        ("oigan porfa cuantos habitantes tiene tecate", "es", "demographics"),
    ],
)
def test_chat_fillers_count_neither_for_nor_against(calibaja, question, language, topic) -> None:
    assert topic_of(calibaja, question, language) == topic


@pytest.mark.parametrize(
    ("question", "language", "topic"),
    [
        ("Is SDSU a good source of engineers?", "en", "talent"),
        ("my CFO asks: what is the minimum wage in Baja California?", "en", "costs"),
    ],
)
def test_an_unknown_acronym_is_no_place(calibaja, question, language, topic) -> None:
    """ "SDSU", "CFO": an institution or a role, not another region; nor is "my CFO" the
    asker's own thing, as "my cat" is."""
    assert topic_of(calibaja, question, language) == topic


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How many engineers are there in CDMX?", "en"),
        ("¿Cuántos ingenieros hay en la CDMX?", "es"),
    ],
)
def test_an_unknown_acronym_after_in_is_still_a_place(calibaja, question, language) -> None:
    assert topic_of(calibaja, question, language) is None


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("how much is being spent on new infra in Tijuana?", "en"),
        ("¿cuánto dinero hay para obras de infra en Mexicali?", "es"),
    ],
)
def test_infra_is_an_alias_of_infrastructure(calibaja, question, language) -> None:
    """ "infra" is a word of the data set's aliases (staff teach such words in the admin)."""
    assert topic_of(calibaja, question, language) == "infrastructure-investment"


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How many passengers fly out of TIJ each year?", "en"),
        ("¿Cuántos pasajeros salen del TIJ al año?", "es"),
    ],
)
def test_an_assets_code_after_of_is_no_foreign_place(calibaja, question, language) -> None:
    assert topic_of(calibaja, question, language) == "airports"


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("What incentives does New Mexico offer manufacturers?", "en"),
        ("¿Qué incentivos da Nueva Jersey a las fábricas?", "es"),
    ],
)
def test_a_new_place_of_no_region_of_ours_is_foreign(calibaja, question, language) -> None:
    assert topic_of(calibaja, question, language) is None


def test_what_suits_the_asker_is_personal_what_suits_the_company_is_not(calibaja) -> None:
    mine = "¿Qué plan de internet me conviene para mi casa en Tijuana?"
    ours = "¿Nos conviene más Tijuana o Mexicali por el costo de la mano de obra?"
    assert topic_of(calibaja, mine, "es") is None
    assert topic_of(calibaja, ours, "es") is not None


def test_staff_add_a_places_other_name_in_the_admin(calibaja, client) -> None:
    """The locality's admin page offers the field; a name saved there answers at once."""
    from django.urls import reverse

    from tests import factories
    from tests.admin_forms import form_data

    client.force_login(factories.UserFactory(username="root", is_superuser=True))
    mexicali = Locality.objects.get(region=calibaja, slug="mexicali")
    url = reverse("admin:promotion_locality_change", args=[mexicali.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="other_names"' in page.content.decode()
    question = "¿Cuántos habitantes tiene Chicali?"
    assert topic_of(calibaja, question, "es") is None
    response = client.post(url, form_data(page) | {"other_names": "Chicali"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert topic_of(calibaja, question, "es") == "demographics"
    # And the admin's search finds the place by it.
    found = client.get(reverse("admin:promotion_locality_changelist"), {"q": "chicali"})
    assert "Mexicali" in found.content.decode()
