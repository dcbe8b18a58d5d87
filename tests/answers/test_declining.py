"""Questions no sourced fact of the region answers, however many of its words they share."""

from __future__ import annotations

import pytest

from promotion.answering.matchers import _asks_a_favour
from promotion.answering.text import words
from promotion.services.answers import answer_question


def folded(text: str) -> list[str]:
    return [w.text for w in words(text)]


@pytest.mark.parametrize(
    "question",
    [
        "write me a cover letter for a plant manager job",
        "Could you book me a table at a winery in Valle de Guadalupe?",
        "¿Me puedes reservar una mesa para cenar en el Valle de Guadalupe?",
        "¿Puedes escribirme una carta para contratar ingenieros?",
    ],
)
def test_a_favour_asked_of_the_answerer_is_declined(calibaja, question: str) -> None:
    assert _asks_a_favour(folded(question))
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # Asking to be told or shown is a question all the same.
        ("Tell me about wages in Tijuana", "costs"),
        ("Can you send me the wage figures for Tijuana?", "costs"),
        ("¿Me puedes decir cuántos habitantes tiene Tijuana?", "demographics"),
        ("Por favor, explícame los incentivos fiscales", "incentives"),
        # Who can help is asked, not a favour.
        ("¿Quién nos puede apoyar para instalarnos en Tijuana?", "partners"),
        # "you" as anyone: "can you" without "me".
        ("Can you fly directly from Tijuana to Mexico City?", "airports"),
    ],
)
def test_asking_to_be_told_still_answers(calibaja, question: str, topic: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question",
    [
        "my home wi-fi router keeps disconnecting, how do I reset it?",
        "¿Mi gato necesita visa o algún permiso para cruzar a Estados Unidos?",
    ],
)
def test_the_askers_own_thing_is_declined(calibaja, question: str) -> None:
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # The asker's staff or company, or one of the region's places or names.
        ("my engineers need fast internet, is there fiber?", "connectivity"),
        ("Mi empresa necesita fibra óptica, ¿hay en Mexicali?", "connectivity"),
        ("mis gerentes expatriados querrian vivir aqui?", "quality-of-life"),
        ("My execs love wine: how big is the wine scene in Valle de Guadalupe?", "quality-of-life"),
        ("¿Mi planta en Tijuana puede tener fibra óptica?", "connectivity"),
    ],
)
def test_the_askers_staff_or_firm_still_answers(calibaja, question: str, topic: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question",
    [
        "¿Cuántas maquiladoras hay en Ciudad Juárez?",
        "How many maquiladoras are there in Ciudad Juárez?",
        "What is the population of Orange County?",
        "¿Cuántos habitantes tiene Santa Ana?",
    ],
)
def test_a_two_word_place_of_no_region_of_ours_is_foreign(calibaja, question: str) -> None:
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("How many maquiladoras are there in Imperial County?", "manufacturing"),
        ("¿Cuánto se tarda en cruzar por San Ysidro?", "border-crossings"),
        ("¿Cuántos habitantes tiene la ciudad de Tijuana?", "demographics"),
        ("How big is the Port of Ensenada?", "seaports"),
    ],
)
def test_two_word_names_of_ours_still_answer(calibaja, question: str, topic: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question",
    [
        # "licencia" is two letters from "latencia": no word names a topic.
        "¿Dónde tramito una licencia de conducir en California?",
        "Where do I get a licencia for my boat?",
    ],
)
def test_a_word_two_letters_from_an_alias_names_no_topic(calibaja, question: str) -> None:
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # A surer correction still names its topic.
        ("¿Cuántos inginieros hay en Tijuana?", "talent"),
        ("How good is the conectivty in Mexicali?", "connectivity"),
        ("What is the populaton of Tecate?", "demographics"),
    ],
)
def test_a_sure_correction_still_names_its_topic(calibaja, question: str, topic: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question",
    [
        "check the status of my shipment at Otay Mesa",
        "oye revisa porfa el estatus de mi pedimento en la garita de Otay",
        "Please renew my SENTRI card",
        "rastrea mis contenedores en el puerto de Ensenada",
    ],
)
def test_a_task_on_the_askers_own_thing_is_declined(calibaja, question: str) -> None:
    assert _asks_a_favour(folded(question))
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("check the wait times at Otay Mesa", "border-crossings"),
        ("revisa cuántos contenedores mueve el puerto de Ensenada", "seaports"),
    ],
)
def test_a_task_on_the_regions_data_is_a_question(calibaja, question: str, topic: str) -> None:
    assert not _asks_a_favour(folded(question))
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question",
    [
        "Please send me a copy of the lease we signed with the industrial park",
        "Could you email me the invoice for the Tijuana site visit?",
        "me puedes mandar el formato del contrato de la nave en Mexicali?",
        "Envíenme la cotización de la renta de la bodega en Tecate",
    ],
)
def test_sending_the_askers_documents_is_declined(calibaja, question: str) -> None:
    """The region's facts are no one's contract, invoice or form."""
    assert _asks_a_favour(folded(question))
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    "question",
    [
        "Resérvame un hotel en Ensenada para el viernes",
        "Consígueme una cita con el alcalde de Tijuana",
        "Agéndame una visita a un parque industrial de Mexicali",
    ],
)
def test_an_imperative_with_me_attached_is_a_favour(calibaja, question: str) -> None:
    assert _asks_a_favour(folded(question), "es")
    assert not answer_question(region=calibaja, text=question, language="es").answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Descríbeme el clima de Ensenada", "quality-of-life"),
        ("Explícame el IVA reducido de la frontera", "incentives"),
        ("Cuéntame cuántos habitantes tiene Tecate", "demographics"),
        ("Mándame las tarifas de luz de Mexicali", "utilities"),
        ("Send me the wage figures for Tijuana", "costs"),
    ],
)
def test_asking_to_be_told_or_sent_figures_is_a_question(calibaja, question, topic) -> None:
    assert not _asks_a_favour(folded(question), "es")
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question", ["send me your company's catalog please", "mándame el catálogo de naves"]
)
def test_sending_a_catalogue_is_a_favour(calibaja, question: str) -> None:
    assert _asks_a_favour(folded(question))
    assert not answer_question(region=calibaja, text=question).answered
