"""Benchmark the question matcher on the labelled investor questions.

Run from the repository root:  python bench/answers.py [--verbose] [QUESTIONS.json ...]

It builds an in-memory SQLite database with the test settings, loads the shipped Cali-Baja
data set and, for each set of questions, asks every question and prints the top-1 topic
accuracy on answerable questions, the share of out-of-scope questions declined, the time
per question (median and 95th percentile, matcher already built) and the database queries
per question. With no file given it reports the sets of ``tests/answers/``:

- ``questions.json``, the labelled set, which the matcher was tuned on;
- ``questions_blind.json``, written before the matcher's method was reworked, never tuned on;
- ``questions_unseen.json``, written after the matcher was first tuned, kept out of the tests;
- ``questions_holdout.json``, written before the second rework of the method and measured
  only before and after it: never looked at question by question while developing;
- ``questions_holdout2.json``, written before its author read the matcher, its aliases or the
  other sets, and scored before the third rework of the method;
- ``questions_holdout3.json`` and ``questions_holdout4.json``, written by two other authors
  who had read neither the matcher, its aliases nor the other sets (the fourth in askers'
  own voices), and scored as written before the fourth rework; the third then became that
  rework's development set, the fourth was kept unseen to judge it;
- ``questions_holdout5.json``, written by a further author under the same rule, in a mix of
  formal, conversational and chat registers, and scored as written before the fifth rework
  (the confidence), which had the fourth as its development set; kept unseen to judge it;
- ``questions_holdout6.json``, written by a further author under the same rule as six kinds
  of asker (consultant, HR director, logistics manager, founder, plant manager on WhatsApp,
  CFO), and scored as written before the sixth rework, which had the fifth as its
  development set; kept unseen to judge it (one question that repeated another set's,
  word for word, was taken out before scoring);
- ``questions_holdout7.json``, written by a further author under the same rule, with 35
  out-of-scope questions made hard on purpose (they share words with the topics), and
  scored as written before and after the seventh rework (favours and the asker's own
  documents), which had the earlier sets as its development sets;
- ``questions_holdout8.json``, written by a further author as an EDC's inbox over a month,
  and scored as written before and after the eighth rework (codes, new places' names, what
  suits the asker); three questions that repeated other sets' word for word were taken out
  before scoring.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETS = (
    "questions",
    "questions_blind",
    "questions_unseen",
    "questions_holdout",
    "questions_holdout2",
    "questions_holdout3",
    "questions_holdout4",
    "questions_holdout5",
    "questions_holdout6",
    "questions_holdout7",
    "questions_holdout8",
)
QUESTIONS = [ROOT / "tests" / "answers" / f"{name}.json" for name in SETS]


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from promotion.models import Region
    from promotion.services.answers import answer_question
    from promotion.services.datasets import dataset_load

    verbose = "--verbose" in argv or "-v" in argv
    paths = [Path(a) for a in argv if not a.startswith("-")] or QUESTIONS
    call_command("migrate", verbosity=0)
    dataset_load(name="calibaja")
    region = Region.objects.get(slug="calibaja")

    with CaptureQueriesContext(connection) as build:
        answer_question(region=region, text="warm up", language="en")
    for source in paths:
        if len(paths) > 1:
            print(f"== {source.name}")
        questions = json.loads(source.read_text(encoding="utf-8"))
        report(region, questions, verbose=verbose, build_queries=len(build))
    return 0


def report(
    region: Any, questions: list[dict[str, Any]], *, verbose: bool, build_queries: int
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from promotion.services.answers import answer_question

    timings: list[float] = []
    queries = 0
    right = answerable = declined = out_of_scope = 0
    for item in questions:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            answer = answer_question(region=region, text=item["question"], language=None)
            timings.append(time.perf_counter() - start)
        queries += len(captured)
        got = answer.topic.slug if answer.answered and answer.topic else None
        if item["topic"] is None:
            out_of_scope += 1
            declined += not answer.answered
            ok = not answer.answered
        else:
            answerable += 1
            right += got == item["topic"]
            ok = got == item["topic"]
        if verbose and not ok:
            print(
                f"MISS {item['question']!r}: expected {item['topic']}, got {got} "
                f"({answer.topic.slug if answer.topic else None}, {answer.confidence})"
            )

    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    print(f"questions: {len(questions)} ({answerable} answerable, {out_of_scope} out of scope)")
    print(f"top-1 topic accuracy (answerable): {right / answerable:.1%} ({right}/{answerable})")
    print(
        f"out-of-scope declined: {declined / max(out_of_scope, 1):.1%} ({declined}/{out_of_scope})"
    )
    print(
        f"time per question: median {statistics.median(timings) * 1000:.3f} ms, "
        f"p95 {p95 * 1000:.3f} ms"
    )
    print(
        f"queries per question: {queries / len(questions):.2f} "
        f"(building the matcher once: {build_queries})"
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
