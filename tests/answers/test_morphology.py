"""Word forms the light stemmer leaves apart, read as the known word they are a form of."""

from __future__ import annotations

import pytest

from promotion.answering.cache import matcher_for
from promotion.answering.text import related_stems, stem
from promotion.services.answers import answer_question


@pytest.mark.parametrize(
    ("form", "known"),
    [
        # Spanish stem vowels that change: e -> ie / i, o -> ue / u.
        ("invirtiendo", "invertir"),
        ("invierten", "invertir"),
        ("invirtio", "invertido"),
        ("durmiendo", "dormir"),
        # Spanish tenses and persons the stemmer does not strip.
        ("costara", "costo"),
        ("contratamos", "contratar"),
        ("contrataran", "contratar"),
        # Derivations: agent and action nouns, and a noun's stem as its verb's.
        ("investor", "investment"),
        ("investors", "invest"),
        ("inversionista", "inversion"),
        ("inversiones", "invertir"),
        ("expansiones", "expandir"),
    ],
)
def test_a_form_relates_to_its_known_word(form: str, known: str) -> None:
    assert stem(known) in related_stems(form)


def test_a_short_derivation_is_not_taken_apart() -> None:
    # "player" is not "play" (nor the Spanish "playa" that stems alike); short words
    # are left to the stemmer and the spelling corrector.
    assert "play" not in related_stems("player")
    assert related_stems("pide") == []


@pytest.mark.parametrize(
    ("question", "word", "alias"),
    [
        ("¿Cuánto se está invirtiendo en obras de infraestructura?", "invirtiendo", "invertido"),
        ("Are there many recruiters in Tijuana?", "recruiters", "recruit"),
    ],
)
def test_the_matcher_reads_a_form_as_its_alias(calibaja, question, word, alias) -> None:
    matcher = matcher_for(region=calibaja)
    token = next(t for t in matcher._analyse(question).tokens if t.word == word)
    assert token.stem == stem(alias)
    assert token.known == 1.0 and not token.fuzzy


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("¿Cuánto se está invirtiendo en el puerto de Ensenada?", "infrastructure-investment"),
        ("¿Cuánto invierten en la nueva garita de Otay Mesa Este?", "infrastructure-investment"),
        ("Are there many recruiters in Tijuana?", "talent"),
    ],
)
def test_a_form_reaches_its_topic(calibaja, question: str, topic: str) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic


@pytest.mark.parametrize(
    "question", ["Who is the best soccer player?", "¿Quién es el mejor jugador de fútbol?"]
)
def test_a_form_that_relates_to_nothing_known_still_declines(calibaja, question) -> None:
    assert not answer_question(region=calibaja, text=question).answered


@pytest.mark.parametrize(
    ("question", "word", "alias"),
    [
        # A verb read through the noun an alias derives from it.
        ("¿Qué tan rápido está creciendo Tijuana?", "creciendo", "crecimiento"),
        ("What is being constructed in Tecate?", "constructed", "construction"),
        # Alias words of one topic in both languages share the root: either will do.
        ("Is Tijuana modernizing its roads?", "modernizing", "modernization modernización"),
    ],
)
def test_a_form_shares_its_root_with_an_alias(calibaja, question, word, alias) -> None:
    from promotion.answering.text import words

    matcher = matcher_for(region=calibaja)
    token = next(t for t in matcher._analyse(question).tokens if t.word == word)
    assert token.stem in {stem(w.text) for w in words(alias)}
    assert token.known == 1.0


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("¿Qué tan rápido está creciendo Tijuana?", "demographics"),
        ("What is being constructed in Tecate?", "infrastructure-investment"),
    ],
)
def test_a_form_of_an_alias_root_reaches_its_topic(calibaja, question, topic) -> None:
    answer = answer_question(region=calibaja, text=question)
    assert answer.answered and answer.topic.slug == topic
