"""Answer an investor's question with the region's sourced facts, or say there is none."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from promotion.answering.cache import matcher_for
from promotion.answering.text import detect_language
from promotion.models import Language, Region, Topic
from promotion.models.base import localized

MAX_QUESTION_LENGTH = 500
# Whatever the matcher, an answer shows at most this many facts.
MAX_FACTS = 5


@dataclass(frozen=True)
class AnswerSource:
    title: str
    publisher: str
    url: str


@dataclass(frozen=True)
class AnswerFact:
    """One published fact in the answer's language; ``translated`` is False when the fact
    has no text in that language and its English text is shown instead."""

    id: int
    key: str
    text: str
    translated: bool
    value: str
    unit: str
    as_of: datetime.date
    source: AnswerSource
    # How precisely ``as_of`` is known ("year", "month", "day"); for display only, the
    # JSON contract keeps the ISO date.
    as_of_precision: str = "day"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "translated": self.translated,
            "value": self.value,
            "unit": self.unit,
            "as_of": self.as_of.isoformat(),
            "source": {
                "title": self.source.title,
                "publisher": self.source.publisher,
                "url": self.source.url,
            },
        }


def answer_fact(fact: Any, language: str) -> AnswerFact:
    """A fact (a ``Fact`` or the matcher's snapshot of one, with its source) as answered
    in ``language``: untranslated text falls back to English, marked as such."""
    text, translated = localized(fact, "text", language)
    unit, _ = localized(fact, "unit", language)
    return AnswerFact(
        id=fact.pk if hasattr(fact, "pk") else fact.id,
        key=fact.key,
        text=text,
        translated=translated,
        value=fact.value,
        unit=unit,
        as_of=fact.as_of,
        source=AnswerSource(
            title=fact.source.title,
            publisher=fact.source.publisher,
            url=fact.source.url,
        ),
        as_of_precision=getattr(fact, "as_of_precision", "day"),
    )


@dataclass(frozen=True)
class Answer:
    """The answer to one question. ``answered`` is False, and ``facts`` empty, when no
    published fact of the region answers it; ``topic`` may still say what it was about."""

    question: str
    language: str
    answered: bool
    topic: Topic | None
    confidence: float
    facts: tuple[AnswerFact, ...]

    def as_dict(self) -> dict[str, Any]:
        """The shape of ``promotion_answer --json`` and of the API's ``answer/``."""
        return {
            "question": self.question,
            "language": self.language,
            "answered": self.answered,
            "topic": self.topic.slug if self.topic else None,
            "confidence": self.confidence,
            "facts": [fact.as_dict() for fact in self.facts],
        }


def answer_question(*, region: Region, text: str, language: str | None = None) -> Answer:
    """Answer ``text`` with published facts of ``region`` in ``language`` ("en" or "es").

    With ``language=None`` the language is guessed from the question (English when
    unsure). The facts all belong to the one topic the question is about, best first, at
    most a handful; a fact with no text in the language is shown in English and marked
    ``translated=False``. Answering runs no database query once the region's matcher is
    built (see ``promotion.answering.cache``).
    """
    text = text.strip()[:MAX_QUESTION_LENGTH]
    if language is None:
        language = detect_language(text)
    if language not in Language.values:
        raise ValueError(f"Unknown language {language!r}; use one of {Language.values}.")
    matcher = matcher_for(region=region)
    match = matcher.match(text=text, language=language)
    topic = None
    if match.topic_id is not None:
        found = next((t for t in matcher.knowledge.topics if t.id == match.topic_id), None)
        topic = found.model if found is not None else None
    # The contract holds whatever matcher the host configured: only facts of the answer's
    # topic (the snapshot holds published facts only), and only a handful.
    matched = [f for f in match.facts if topic is not None and topic.pk in f.topic_ids]
    facts = [answer_fact(fact, language) for fact in matched[:MAX_FACTS]]
    return Answer(
        question=text,
        language=language,
        answered=bool(facts),
        topic=topic,
        confidence=match.confidence,
        facts=tuple(facts),
    )
