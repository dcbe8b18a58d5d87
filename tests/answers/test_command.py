"""promotion_answer: the JSON contract, standard input, text output, errors."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command


def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    kwargs = {"stdout": out}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin)
    call_command("promotion_answer", *args, **kwargs)
    return out.getvalue()


def test_json_prints_one_object_a_line_in_the_contract_shape(world) -> None:
    lines = run("--json", "Do you have wi-fi?", "What's the weather on Mars?").splitlines()
    assert len(lines) == 2
    answered, declined = (json.loads(line) for line in lines)
    assert set(answered) == {"question", "language", "answered", "topic", "confidence", "facts"}
    assert answered["question"] == "Do you have wi-fi?"
    assert answered["language"] == "en"
    assert answered["answered"] is True
    assert answered["topic"] == "connectivity"
    assert isinstance(answered["confidence"], float) and 0 < answered["confidence"] <= 1
    fact = answered["facts"][0]
    assert {"id", "text", "value", "unit", "as_of", "source"} <= set(fact)
    assert set(fact["source"]) == {"title", "publisher", "url"}
    assert fact["as_of"] == "2023-01-01"
    assert declined["answered"] is False
    assert declined["facts"] == []
    assert declined["topic"] is None


def test_a_dash_reads_questions_from_standard_input(world) -> None:
    stdin = "¿Cuántos ingenieros hablan inglés?\n\nHow do trucks cross into the US?\n"
    lines = run("--json", "-", stdin=stdin).splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["topic"] for a in answers] == ["talent", "border-crossings"]
    assert answers[0]["language"] == "es"
    assert answers[0]["facts"][0]["text"].startswith("Los ingenieros")


def test_lang_forces_the_answer_language(world) -> None:
    answer = json.loads(run("--json", "--lang", "es", "Do engineers speak English?"))
    assert answer["language"] == "es"
    assert answer["facts"][0]["text"].startswith("Los ingenieros")


def test_region_defaults_to_the_setting_and_can_be_given(world) -> None:
    assert json.loads(run("--json", "wifi"))["answered"] is True
    assert json.loads(run("--json", "--region", "calibaja", "wifi"))["answered"] is True


def test_a_missing_region_is_a_clear_error(world) -> None:
    with pytest.raises(CommandError, match="No region with the slug 'nowhere'"):
        run("--region", "nowhere", "wifi")


def test_text_output_names_the_sources_and_says_when_there_is_no_fact(world) -> None:
    out = run("Do you have wi-fi?", "Can you recommend a dentist?", "¿Tijuana es seguro?")
    assert "Q: Do you have wi-fi?" in out
    assert "Baja California households with internet access." in out
    assert "Source: " in out
    assert "https://example.org/report" in out
    assert "We have no fact that answers this question." in out
    assert "Sin datos publicados" in out


def test_text_output_marks_untranslated_facts(world) -> None:
    out = run("--lang", "es", "Specialized engineering positions the industry could not fill")
    assert "(sin traducir)" in out


def test_text_output_writes_dates_and_numbers_the_answer_language_way(world) -> None:
    import datetime

    from promotion.models.region import AsOfPrecision
    from tests import factories

    factories.FactFactory(
        region=world.region,
        topics=[world.topics["talent"]],
        text_en="Specialized welders the industry still needed.",
        text_es="Soldadores especializados que la industria aún necesitaba.",
        value="> 4,000.5",
        unit_en="positions",
        unit_es="puestos",
        as_of=datetime.date(2023, 12, 1),
        as_of_precision=AsOfPrecision.MONTH,
    )
    english = run("--lang", "en", "How many specialized welders are needed?")
    assert "> 4,000.5 positions (Dec 2023)" in english
    spanish = run("--lang", "es", "¿Cuántos soldadores especializados se necesitan?")
    assert "> 4\xa0000,5 puestos (dic. 2023)" in spanish
    # A fact known to the year shows the year alone, in either language.
    wifi = run("--lang", "es", "¿Tienen wifi?")
    assert "86,4 % de los hogares (2023)" in wifi
    assert "2023-01-01" not in wifi
    # The JSON contract keeps the stored value and the ISO date.
    answer = json.loads(run("--json", "--lang", "es", "¿Tienen wifi?"))
    assert answer["facts"][0]["value"] == "86.4"
    assert answer["facts"][0]["as_of"] == "2023-01-01"
