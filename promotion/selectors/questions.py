"""Reads about prospects' questions: the facts staff may choose for one, and the questions
the region cannot answer yet. Tenancy comes from ``promotion.selectors.crm``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from promotion.answering.text import words
from promotion.models import Fact, FactStatus, Prospect, Question, Region
from promotion.selectors.crm import partners_of, question_visible_to


def fact_choices_for(*, prospect: Prospect) -> QuerySet[Fact]:
    """The facts that may answer a question of ``prospect``: the published facts of its
    partner's region (held facts are never shown in an answer)."""
    return Fact.objects.filter(
        region_id=prospect.partner.region_id, status=FactStatus.PUBLISHED
    ).select_related("source")


def question_normalise(text: str) -> str:
    """The form questions are grouped by: case, accents and punctuation folded, so that
    "Do you have Wi-Fi?" and "do you have wi fi" are one question."""
    return " ".join(word.text for word in words(text))


def unanswered_questions_queryset() -> QuerySet[Question]:
    """Questions the region cannot answer yet: no published fact is attached to them
    (the matcher found none, or staff chose none, or the facts were held since)."""
    published = Question.facts.through.objects.filter(
        question_id=OuterRef("pk"), fact__status=FactStatus.PUBLISHED
    )
    return Question.objects.filter(~Exists(published))


@dataclass(frozen=True)
class UnansweredQuestion:
    """One group of unanswered questions with the same normalised text. ``text`` is the
    latest wording asked by a prospect the user may see."""

    region: Region
    normalised: str
    text: str
    times_asked: int
    prospects: int
    last_asked_on: datetime.date


@dataclass(frozen=True)
class UnansweredReport:
    rows: list[UnansweredQuestion]
    # Questions of groups none of whose questions the user may see: counted, never shown.
    hidden_questions: int
    hidden_texts: int


def unanswered_questions(*, user: Any) -> UnansweredReport:
    """The most-asked questions the regions of the user's partners cannot answer yet,
    grouped by normalised text across every partner of the region, most asked first.

    Confidentiality: the counts cover every partner's prospects, but a group's text is
    given only when at least one of its questions is visible to the user
    (``question_visible_to``), and then in that visible question's own wording. Groups
    with no visible question are only counted in ``hidden_questions`` and
    ``hidden_texts``. No prospect, company, codename or partner is returned at all.
    """
    regions = partners_of(user=user).values("region_id")
    rows = list(
        unanswered_questions_queryset()
        .filter(prospect__partner__region_id__in=regions)
        .order_by()
        .values_list("pk", "text", "asked_on", "prospect_id", "prospect__partner__region_id")
    )
    visible = set(
        question_visible_to(user=user)
        .filter(pk__in=[row[0] for row in rows])
        .values_list("pk", flat=True)
    )
    groups: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
    for row in rows:
        groups.setdefault((row[4], question_normalise(row[1])), []).append(row)
    region_by_id = Region.objects.in_bulk({region_id for region_id, _text in groups})
    shown, hidden_questions, hidden_texts = [], 0, 0
    for (region_id, normalised), members in groups.items():
        seen = [row for row in members if row[0] in visible]
        if not seen:
            hidden_questions += len(members)
            hidden_texts += 1
            continue
        latest_seen = max(seen, key=lambda row: (row[2], row[0]))
        shown.append(
            UnansweredQuestion(
                region=region_by_id[region_id],
                normalised=normalised,
                text=latest_seen[1],
                times_asked=len(members),
                prospects=len({row[3] for row in members}),
                last_asked_on=max(row[2] for row in members),
            )
        )
    shown.sort(key=lambda r: (-r.times_asked, -r.last_asked_on.toordinal(), r.normalised))
    return UnansweredReport(
        rows=shown, hidden_questions=hidden_questions, hidden_texts=hidden_texts
    )
