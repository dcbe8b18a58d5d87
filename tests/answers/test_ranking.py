"""How the facts of the chosen topic are ranked: what answers best, then how reliable it is,
then where and when."""

from __future__ import annotations

import datetime

from promotion.models import FactKind, Source
from promotion.services.answers import answer_question
from tests import factories


def ask(world, text: str, language: str | None = None):
    return answer_question(region=world.region, text=text, language=language)


def talent_fact(world, text_en: str, text_es: str = "", *, authority=None, **kwargs):
    if authority is not None:
        kwargs["source"] = factories.SourceFactory(region=world.region, authority=authority)
    return factories.FactFactory(
        region=world.region,
        topics=[world.topics["talent"]],
        text_en=text_en,
        text_es=text_es,
        **kwargs,
    )


def test_a_quote_ranks_below_a_figure_that_answers_as_well(world) -> None:
    quote = talent_fact(
        world,
        "A director said in an interview that engineers get visas quickly.",
        "Una directora dijo en una entrevista que los ingenieros obtienen visas rápido.",
        kind=FactKind.QUOTE,
        as_of=datetime.date(2025, 1, 1),
    )
    figure = talent_fact(
        world,
        "Industry in Tijuana still needed 4,000 specialized engineers.",
        "La industria de Tijuana aún necesitaba 4,000 ingenieros especializados.",
        as_of=datetime.date(2023, 1, 1),
    )
    for question in ("How many engineers are there in Mexicali?", "¿Cuántos ingenieros hay?"):
        ids = [f.id for f in ask(world, question).facts]
        assert figure.pk in ids and quote.pk in ids, question
        # The quote is newer and names no other place, yet the figure comes first.
        assert ids.index(figure.pk) < ids.index(quote.pk), question


def test_a_low_authority_source_ranks_below_an_official_one(world) -> None:
    blog = talent_fact(
        world,
        "Bilingual engineers are easy to hire in Mexicali.",
        authority=Source.Authority.LOW,
        as_of=datetime.date(2025, 1, 1),
    )
    official = talent_fact(
        world,
        "Bilingual engineers registered in Mexicali.",
        authority=Source.Authority.OFFICIAL,
        as_of=datetime.date(2021, 1, 1),
    )
    ids = [f.id for f in ask(world, "bilingual engineers in Mexicali").facts]
    assert ids.index(official.pk) < ids.index(blog.pk)


def test_a_quote_that_answers_much_better_still_comes_first(world) -> None:
    quote = talent_fact(
        world,
        "A director said that the turnover of engineers is low.",
        kind=FactKind.QUOTE,
    )
    ids = [f.id for f in ask(world, "What is the turnover of engineers?").facts]
    assert ids[0] == quote.pk


def test_the_most_recent_figure_comes_first_among_equals(world) -> None:
    older = talent_fact(world, "Certified welders in the region.", as_of=datetime.date(2019, 1, 1))
    newer = talent_fact(world, "Certified welders in the region.", as_of=datetime.date(2024, 6, 1))
    middle = talent_fact(world, "Certified welders in the region.", as_of=datetime.date(2022, 1, 1))
    ids = [f.id for f in ask(world, "How many certified welders can we hire?").facts]
    assert ids[:3] == [newer.pk, middle.pk, older.pk]


def test_a_fact_about_the_named_place_comes_before_one_that_only_mentions_it(world) -> None:
    mentions = talent_fact(
        world,
        "Technicians trained in Mexicali and Tijuana.",
        as_of=datetime.date(2025, 1, 1),
    )
    about = talent_fact(
        world,
        "Technicians trained in Mexicali.",
        locality=world.mexicali,
        as_of=datetime.date(2020, 1, 1),
    )
    ids = [f.id for f in ask(world, "How many technicians are trained in Mexicali?").facts]
    assert ids.index(about.pk) < ids.index(mentions.pk)


def test_a_fact_about_another_place_ranks_below_one_about_the_asked_place(world) -> None:
    ask_text = "¿Cuántos ingenieros hablan inglés en Tijuana?"
    ids = [f.id for f in ask(world, ask_text).facts]
    assert ids[0] == world.facts.engineers.pk


def test_the_calibaja_engineers_question_puts_a_sourced_figure_first(calibaja) -> None:
    from promotion.models import Fact

    answer = answer_question(region=calibaja, text="¿Cuántos ingenieros hay en Mexicali?")
    assert answer.topic.slug == "talent"
    first = Fact.objects.get(pk=answer.facts[0].id)
    assert first.kind != FactKind.QUOTE
    assert first.source.authority != Source.Authority.LOW
