"""The other names of what the facts are about: codes, initials, names run together."""

from __future__ import annotations

import pytest

from promotion.answering.cache import matcher_for
from promotion.services.answers import answer_question


@pytest.mark.parametrize(
    "question",
    ["How many passengers does SAN handle a year?", "¿Cuántos pasajeros mueve SAN al año?"],
)
def test_an_assets_code_in_capitals_names_it(calibaja, question: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == "airports"


def test_a_code_in_lower_case_is_only_a_word(calibaja) -> None:
    # "san" of "San Diego" is no airport code.
    matcher = matcher_for(region=calibaja)
    assert not any(t.code for t in matcher._analyse("what is the population of san diego").tokens)
    answer = answer_question(region=calibaja, text="what is the population of san diego")
    assert answer.answered and answer.topic.slug == "demographics"


@pytest.mark.parametrize(
    "question",
    [
        "How big is UCSD's research funding these days?",
        "¿Cuánto dinero recibe la UCSD para investigación?",
    ],
)
def test_a_long_names_initials_name_it(calibaja, question: str) -> None:
    # "UCSD": University of California San Diego; not an unknown place.
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == "education-research"


@pytest.mark.parametrize(
    "question",
    [
        "Which organizations are part of the CaliBaja initiative?",
        "¿Qué organizaciones forman parte de la iniciativa CaliBaja?",
    ],
)
def test_the_regions_name_run_together_is_ours(calibaja, question: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == "partners"


@pytest.mark.parametrize(
    "question", ["Which organizations are part of the ASEAN initiative?", "What is the TSA?"]
)
def test_initials_of_no_name_of_ours_still_decline(calibaja, question: str) -> None:
    assert not answer_question(region=calibaja, text=question).answered
