"""Each kind of phrasing, in English and Spanish, against a small region built with factories."""

from __future__ import annotations

import pytest

from promotion.answering.cache import matcher_for
from promotion.answering.text import deletions
from promotion.services.answers import answer_question


def ask(world, text: str, language: str | None = None):
    return answer_question(region=world.region, text=text, language=language)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # Plain, in both languages.
        ("Do you have internet?", "connectivity"),
        ("¿Tienen internet?", "connectivity"),
        # Accents, no accents, opening marks or none.
        ("¿Cuántos ingenieros hablan inglés?", "talent"),
        ("cuantos ingenieros hablan ingles", "talent"),
        ("¿Cuál es la población?", "demographics"),
        ("cual es la poblacion", "demographics"),
        ("¡Necesito saber del aeropuerto!", "airports"),
        # Plurals and singulars.
        ("Is there an engineer I could hire?", "talent"),
        ("Are there airports nearby?", "airports"),
        ("¿Hay un ingeniero disponible?", "talent"),
        ("¿Qué aeropuertos hay?", "airports"),
        # Misspellings.
        ("Do you have wify?", "connectivity"),
        ("Do you have wi-fi?", "connectivity"),
        ("do you have wifi", "connectivity"),
        ("how many enginers are there", "talent"),
        ("cuantos ingenieors hay", "talent"),
        ("is there a good aiport", "airports"),
        ("¿hay aeropeurto?", "airports"),
        # Synonyms and paraphrases, from the aliases.
        ("Is broadband available?", "connectivity"),
        ("How many inhabitants are there?", "demographics"),
        ("¿Cuántos habitantes hay?", "demographics"),
        ("¿Qué tal la mano de obra?", "talent"),
        ("What do wages look like?", "costs"),
        ("¿Cuánto cuesta la renta?", "costs"),
        # Multi-word aliases, also with a word inside.
        ("How do trucks cross into the US?", "border-crossings"),
        ("Where do the trucks from Mexicali cross?", "border-crossings"),
        ("Can my team fly in easily?", "airports"),
        ("What about the port of entry?", "border-crossings"),
        ("¿Hay fibra óptica?", "connectivity"),
        ("¿Cuál es el tiempo de espera en la garita?", "border-crossings"),
    ],
)
def test_phrasings_find_the_topic(world, question: str, topic: str) -> None:
    answer = ask(world, question)
    assert answer.topic is not None, question
    assert answer.topic.slug == topic
    assert answer.answered
    assert 0 < answer.confidence <= 1
    topic_id = world.topics[topic].pk
    assert all(topic_id in set(fact_topics(world, f.id)) for f in answer.facts)


def fact_topics(world, fact_id: int) -> list[int]:
    from promotion.models import Fact

    return list(Fact.objects.get(pk=fact_id).topics.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "question",
    [
        "What's the weather on Mars?",
        "Can you recommend a dentist?",
        "¿Me recomiendas un dentista?",
        "Who won the football game last night?",
        "¿Quién ganó el partido de fútbol?",
        "What is the population of Brazil?",
        "¿Cuál es la población de Argentina?",
        "asdf qwerty zxcv",
        "",
        "?",
        "How do I bake sourdough bread?",
    ],
)
def test_out_of_scope_questions_are_declined(world, question: str) -> None:
    answer = ask(world, question)
    assert answer.answered is False
    assert answer.facts == ()
    assert answer.topic is None


@pytest.mark.parametrize("question", ["Is Tijuana safe?", "¿Hay seguridad en Tijuana?"])
def test_a_topic_without_facts_is_named_but_not_answered(world, question: str) -> None:
    answer = ask(world, question)
    assert answer.topic is not None and answer.topic.slug == "security"
    assert answer.answered is False
    assert answer.facts == ()


def test_a_place_named_in_the_question_comes_first(world) -> None:
    answer = ask(world, "internet in Mexicali")
    assert answer.facts[0].id == world.facts.fiber_mexicali.pk
    answer = ask(world, "Where do commercial trucks from Mexicali cross?")
    assert answer.facts[0].id == world.facts.calexico.pk
    answer = ask(world, "¿Por dónde cruzan los camiones de Mexicali?", "es")
    assert answer.topic is not None and answer.topic.slug == "border-crossings"


def test_a_short_place_name_matches_its_full_name(world) -> None:
    answer = ask(world, "population of rosarito")
    assert answer.topic.slug == "demographics"
    assert answer.facts[0].id == world.facts.population.pk


def test_answers_are_in_the_question_language(world) -> None:
    english = ask(world, "Do engineers speak English?")
    spanish = ask(world, "¿Los ingenieros hablan inglés?")
    assert english.language == "en" and spanish.language == "es"
    assert english.facts[0].text.startswith("Engineers at the Tijuana institute")
    assert spanish.facts[0].text.startswith("Los ingenieros del instituto")
    forced = ask(world, "Do engineers speak English?", "es")
    assert forced.language == "es"
    assert forced.facts[0].text.startswith("Los ingenieros")


def test_facts_answer_only_the_topic_and_never_more_than_five(world) -> None:
    from tests import factories

    for n in range(8):
        factories.FactFactory(
            region=world.region,
            topics=[world.topics["airports"]],
            text_en=f"Airport figure {n}.",
        )
    answer = ask(world, "Tell me about the airports")
    assert answer.topic.slug == "airports"
    assert 1 <= len(answer.facts) <= 5
    airport_facts = set(world.topics["airports"].facts.values_list("pk", flat=True))
    assert {f.id for f in answer.facts} <= airport_facts


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # The word right after "how", "cuánto", "qué tan" is what is asked, even when a
        # longer alias follows.
        ("How much do wages cost for engineers who speak English?", "costs"),
        ("How safe is the port of entry?", "security"),
    ],
)
def test_what_follows_the_question_word_is_what_is_asked(world, question, topic) -> None:
    answer = ask(world, question)
    assert answer.topic is not None and answer.topic.slug == topic, question


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("¿Qué tan caro es contratar ingenieros en Tijuana?", "costs"),
        ("¿Cuánto cuesta contratar ingenieros en Mexicali?", "costs"),
        ("How expensive is it to hire engineers in Tecate?", "costs"),
        ("¿Qué tan seguros son los parques industriales de Mexicali?", "security"),
        ("how reliable is electricity in the industrial parks", "utilities"),
        ("Which agencies help with industrial parks?", "partners"),
    ],
)
def test_what_is_asked_in_the_data_set(calibaja, question, topic) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic, question


def test_a_foreign_place_next_to_one_of_ours_is_an_origin_not_the_subject(calibaja) -> None:
    # Declined: the only place named is one the region has nothing on.
    answer = answer_question(region=calibaja, text="How many engineers are there in Monterrey?")
    assert not answer.answered
    # Answered: Ensenada is ours; China and Asia are where the ships come from.
    for question in (
        "¿Llegan barcos de China al puerto de Ensenada?",
        "Do ships from Asia call at the port of Ensenada?",
    ):
        answer = answer_question(region=calibaja, text=question)
        assert answer.answered and answer.topic.slug == "seaports", question


def test_misspellings_are_corrected_to_the_facts_words_too(world) -> None:
    from promotion.answering.cache import matcher_for
    from promotion.answering.text import stem

    matcher = matcher_for(region=world.region)
    # "expansion" is no alias, only a word of a connectivity fact.
    correction = matcher._correct("expnasion")
    assert correction is not None and correction[0] == stem("expansion")
    # Among equally near words an alias wins: "interent" is one error from "internet"
    # (an alias) and one from "interest" (made a word of the facts here).
    matcher._fuzzy_cache.clear()
    matcher._vocabulary["interest"] = "interest"
    for deleted in deletions("interest", 2):
        matcher._deletes[deleted].add("interest")
    correction = matcher._correct("interent")
    assert correction is not None and correction[0] == "internet"
    # One error in a long word is a surer correction than one in a short word.
    long_word = matcher._correct("populaton")
    short_word = matcher._correct("fibre")
    assert long_word is not None and short_word is not None
    assert long_word[1] > short_word[1]


def test_an_unknown_name_after_to_or_from_is_a_destination_or_an_origin(world) -> None:
    # With one of our places named, it is where flights go: the question is ours.
    answer = ask(world, "Are there flights from Tijuana to Asia?")
    assert answer.answered and answer.topic.slug == "airports"
    answer = ask(world, "¿Hay vuelos desde Tijuana hacia Asia?")
    assert answer.answered and answer.topic.slug == "airports"
    # Without one, it is a trip we know nothing of.
    assert not ask(world, "Can you get me a cheap flight to Lisbon?").answered
    assert not ask(world, "Is there a cheap flight from Lisbon?").answered


def test_spanish_a_before_a_name_is_a_preposition(world) -> None:
    # "a Lisboa" is where the trip goes, as "to Lisbon" is; "a Asia" next to Tijuana is
    # where the flights go.
    assert not ask(world, "¿Cuánto cuesta un vuelo barato a Lisboa?").answered
    answer = ask(world, "¿Hay vuelos a Asia desde Tijuana?")
    assert answer.answered and answer.topic.slug == "airports"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("cruce", "cruzar"),  # Spanish -ce/-z spellings of one stem
        ("cruces", "cruzan"),
        ("cuesta", "costo"),  # a stressed vowel that breaks in two
        ("invierte", "invertir"),
        ("busiest", "busy"),
        ("legally", "legal"),
        ("invertido", "invierte"),  # Spanish participles
        ("contratados", "contratar"),
    ],
)
def test_inflections_share_a_stem(one: str, other: str) -> None:
    from promotion.answering.text import stem

    assert stem(one) == stem(other)


def test_a_stem_keeps_what_tells_words_apart() -> None:
    from promotion.answering.text import stem

    assert stem("shipments") != stem("ships")
    assert stem("investment") == stem("invest")


@pytest.mark.parametrize(
    "question",
    ["What's the weather like in Tijuana today?", "¿Va a llover mañana?", "Flights tonight?"],
)
def test_a_question_about_one_day_is_declined(world, question: str) -> None:
    assert not ask(world, question).answered


def test_an_alias_written_out_with_its_stop_words_counts_fully(calibaja) -> None:
    # "cuánto gana" (costs) is more than "gana", and outweighs "ingeniero" (talent).
    answer = answer_question(region=calibaja, text="¿Cuánto gana un ingeniero?")
    assert answer.topic is not None and answer.topic.slug == "costs"


def test_a_country_made_into_another_place_is_foreign(calibaja) -> None:
    assert not answer_question(
        region=calibaja, text="What's the population of Mexico City?"
    ).answered
    answer = answer_question(region=calibaja, text="What's the population of Mexico?")
    assert answer.answered and answer.topic.slug == "demographics"


def test_a_name_the_facts_use_is_ours(calibaja) -> None:
    answer = answer_question(region=calibaja, text="Is the Valle de Guadalupe wine region nearby?")
    assert answer.answered and answer.topic.slug == "quality-of-life"


@pytest.mark.parametrize(
    "question",
    ["How much does a tesla cost?", "Who invented the telephone?", "¿Cuánto cuesta un yate?"],
)
def test_an_unknown_thing_after_an_article_is_what_is_asked(calibaja, question: str) -> None:
    # The only known word is the topic's ("cost"); the thing asked about is not the region's.
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Which port is the nearest to Tijuana?", "seaports"),
        ("Is the power supply reliable?", "utilities"),
    ],
)
def test_an_unknown_word_that_only_qualifies_does_not_decline(calibaja, question, topic) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # "empresas de TI" leaves "empresas", a word of every topic: only the whole counts.
        ("¿Cuántas empresas IMMEX hay en Mexicali?", "manufacturing"),
        ("¿Hay empresas de TI en Mexicali?", "tech-ecosystem"),
        # "IT sector" leaves "sector", which clusters has as a whole alias ("sectors").
        ("¿Qué sectores industriales predominan en Tecate?", "clusters"),
        # "how big is" is only a frame around a general word; the frame still counts.
        ("how big is tecate", "demographics"),
    ],
)
def test_what_is_left_of_a_longer_alias_counts_less(calibaja, question, topic) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


def test_a_general_word_is_not_an_alias_word_that_stems_alike(calibaja) -> None:
    # "plans" and "plane" (airports) both stem to "plan".
    answer = answer_question(region=calibaja, text="What are the plans for the border crossings?")
    assert answer.topic is not None and answer.topic.slug != "airports"


def test_a_question_that_names_no_topic_needs_much_from_the_facts_words(calibaja) -> None:
    # Only words the facts happen to use ("register", "vehicle"), no alias, no name.
    assert not answer_question(
        region=calibaja, text="How do I register my vehicle with Mexican papers?"
    ).answered
    # What the facts are about is a name, and enough: "UABC" is a university.
    answer = answer_question(region=calibaja, text="Tell me about UABC and CETYS")
    assert answer.answered and answer.topic.slug == "education-research"


def test_a_word_of_a_longer_alias_alone_is_weaker_evidence(world) -> None:
    # "wait" is only a word of "wait times" (border crossings); no fact uses it.
    answer = ask(world, "Is the wait bad for trucks?")
    assert answer.topic is not None and answer.topic.slug == "border-crossings"
    matcher = matcher_for(region=world.region)
    assert matcher._partial["wait"] == {world.topics["border-crossings"].pk: 0.3}


def test_an_acronym_that_spells_a_stop_word_is_a_word() -> None:
    from promotion.answering.text import words

    assert [w.acronym for w in words("the IT sector")] == [False, True, False]
    # A question written all in capitals is shouting, not acronyms.
    assert not any(w.acronym for w in words("WHAT IS IT LIKE"))


@pytest.mark.parametrize(
    "question", ["How big is the IT sector in Tijuana?", "¿Qué tal el sector de TI en Tijuana?"]
)
def test_it_and_ti_name_the_tech_ecosystem(calibaja, question: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == "tech-ecosystem"
    assert answer.confidence > 0.5


@pytest.mark.parametrize(
    "question", ["Are you a bot or a real person?", "¿Eres una persona real o un robot?"]
)
def test_a_question_about_the_answerer_is_declined(calibaja, question: str) -> None:
    # "person" is a word of the demographics topic; the question is about who answers.
    answer = answer_question(region=calibaja, text=question)
    assert not answer.answered and answer.topic is None


@pytest.mark.parametrize(
    "question",
    [
        "If you are a manufacturer, what do wages look like in Tijuana?",
        "Si eres una empresa extranjera, ¿cuánto cuesta la renta en Tijuana?",
    ],
)
def test_you_said_of_anyone_is_not_the_answerer(calibaja, question: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == "costs"


@pytest.mark.parametrize(
    "question",
    [
        "What income tax would I personally pay?",
        "can you help me file my personal taxes",
        "¿Cuánto pagaría de impuestos personales?",
    ],
)
def test_the_askers_own_affairs_are_declined(calibaja, question: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert not answer.answered and answer.topic is None


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # Spanish "personal" is staff; "personal data" is an alias of its own.
        ("¿Es difícil reclutar personal técnico?", "talent"),
        ("what's the law on moving personal data to the US", "legal-ip"),
    ],
)
def test_personal_inside_an_alias_or_as_staff_still_answers(calibaja, question, topic) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question",
    ["How much does an iPhone cost in Mexico?", "cuanto cuesta un iphone en mexico"],
)
def test_a_country_name_locates_but_does_not_make_a_question_ours(calibaja, question) -> None:
    # Only "cost" is the region's word; "Mexico" says where, not whether we know.
    assert not answer_question(region=calibaja, text=question).answered


def test_a_question_located_in_a_country_of_ours_still_answers(calibaja) -> None:
    answer = answer_question(region=calibaja, text="¿Cuánto cuesta la renta industrial en México?")
    assert answer.answered and answer.topic.slug == "costs"


@pytest.mark.parametrize(
    "question",
    [
        "How does Monterrey compare on industrial land prices?",
        "¿Cómo se compara Guadalajara con Querétaro para una planta automotriz?",
    ],
)
def test_an_unknown_name_when_none_of_our_places_is_named_is_foreign(calibaja, question) -> None:
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("How does Tijuana compare with Monterrey on industrial rents?", "costs"),
        ("Are there direct flights to Asia?", "airports"),
        ("¿Hay vuelos directos a Asia?", "airports"),
    ],
)
def test_an_unknown_name_beside_our_place_or_as_a_destination_still_answers(
    calibaja, question, topic
) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # "conexión" (connectivity) is qualified by "tren de carga" (roads-rail), as
        # "conexión ferroviaria" says; "network" by "highways", as "road network" says.
        ("¿Hay conexión de tren de carga hacia Mexicali?", "roads-rail"),
        ("Is the network of highways to Ensenada any good?", "roads-rail"),
        # Qualified by a word of its own topic, or not at all, the head keeps its topic.
        ("¿Qué tal la conexión de internet en Tecate?", "connectivity"),
        ("How fast is the network of fiber in Tecate?", "connectivity"),
        ("¿Hay conexión a internet en Tecate?", "connectivity"),
    ],
)
def test_a_head_word_qualified_by_another_topic_gives_way_to_it(calibaja, question, topic):
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question",
    [
        # "invierte" now shares its stem with the alias "invertido".
        "¿Cuánto se invierte en ampliar la garita de Tecate?",
        "How much is invested in expanding the Tecate crossing?",
    ],
)
def test_money_put_into_a_crossing_is_infrastructure_investment(calibaja, question) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == "infrastructure-investment"


@pytest.mark.parametrize(
    "question",
    ["¿Cuántos habitantes tiene Tecate hoy en día?", "How many people live in Tecate nowadays?"],
)
def test_nowadays_is_not_one_day(calibaja, question: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == "demographics"
    # "hoy" alone still ties the question to one day.
    assert not answer_question(
        region=calibaja, text="¿Cuántos habitantes tiene Tecate hoy?"
    ).answered


@pytest.mark.parametrize(
    "question", ["cuantos habitantes tiene monterrey", "how big is the workforce in hermosillo"]
)
def test_an_unknown_lower_case_name_where_a_place_goes_is_foreign(calibaja, question) -> None:
    # Written all in lower case, the name cannot show its capital letter.
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("cuantos habitantes tiene tecate", "demographics"),
        # A purpose after "for", or a word whose ending makes it a common noun.
        ("is there fiber for telemedicine", "connectivity"),
        ("hay vias de comunicacion terrestre", "roads-rail"),
    ],
)
def test_lower_case_words_that_are_no_names_still_answer(calibaja, question, topic) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # "planta" is manufacturing's, but also a word of utilities' "power plants": the
        # word right next to it says which plant.
        ("¿Va a haber una planta desaladora en Rosarito?", "utilities"),
        ("Is the Rosarito water plant going ahead?", "utilities"),
        # Alone, or next to a word of its own topic, it is still a factory.
        ("¿Cuántas plantas manufactureras hay en Tijuana?", "manufacturing"),
        ("Can we open a plant in Mexicali?", "manufacturing"),
    ],
)
def test_a_word_another_topic_qualifies_next_to_it_gives_way(calibaja, question, topic):
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("How much does Baja California sell to the US every year?", "trade"),
        ("¿Cuánto vende Baja California a Estados Unidos?", "trade"),
        ("Is there a desalination plant in Rosarito?", "utilities"),
        ("¿Hay agua desalinizada en Ensenada?", "utilities"),
    ],
)
def test_aliases_of_selling_and_desalination(calibaja, question: str, topic: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # "export", "manufacturing" and "industry" each say a different topic; the facts
        # that say two of them together are the manufacturing ones.
        ("How big is the export manufacturing industry in Mexicali?", "manufacturing"),
        (
            "¿Qué tan grande es la industria manufacturera de exportación en Mexicali?",
            "manufacturing",
        ),
        # Each word alone still says its own topic.
        ("What are Baja California's main export markets?", "trade"),
        ("¿Cuáles son las industrias clave de Tijuana?", "clusters"),
    ],
)
def test_facts_that_use_two_of_the_words_together_say_the_topic(calibaja, question, topic):
    matcher = matcher_for(region=calibaja)
    assert matcher.PAIR_WEIGHT > 0
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


def test_without_the_pairs_evidence_the_words_disagree(calibaja) -> None:
    # The pair evidence is what tells it: without it another topic wins.
    matcher = matcher_for(region=calibaja)
    question = "How big is the export manufacturing industry in Mexicali?"
    with_pairs = matcher._analyse(question).scores
    matcher.PAIR_WEIGHT = 0.0
    try:
        without = matcher._analyse(question).scores
    finally:
        del matcher.PAIR_WEIGHT
    slugs = {t.id: t.slug for t in matcher.knowledge.topics}
    assert slugs[max(with_pairs, key=with_pairs.get)] == "manufacturing"
    assert slugs[max(without, key=without.get)] != "manufacturing"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("How well connected are Mexicali's industrial parks?", "connectivity"),
        ("¿Qué tan conectadas están las empresas de Tecate a internet?", "connectivity"),
        # What is connected to what by road is still the roads'.
        ("Which highway connects Tecate with Ensenada?", "roads-rail"),
    ],
)
def test_how_connected_is_asked_of_connectivity(calibaja, question: str, topic: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic
