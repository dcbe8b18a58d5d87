from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotion.answering.formatting import format_as_of, format_value
from promotion.conf import promotion_settings
from promotion.models import Language, Region
from promotion.services.answers import Answer, answer_question


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (
        "Answer investors' questions with the region's sourced facts, or say plainly that "
        "there is no fact for them. A QUESTION of '-' reads questions from standard input, "
        "one a line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("questions", nargs="+", metavar="QUESTION")
        parser.add_argument(
            "--region",
            default=None,
            help="Slug of the region (default: PROMOTION['DEFAULT_REGION']).",
        )
        parser.add_argument(
            "--lang",
            choices=Language.values,
            default=None,
            help="Language of the answers (default: guessed from each question, else en).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print one JSON object a line per question.",
        )

    def handle(
        self,
        *args: Any,
        questions: list[str],
        region: str | None,
        lang: str | None,
        as_json: bool,
        **options: Any,
    ) -> None:
        slug = region or promotion_settings.DEFAULT_REGION
        try:
            the_region = Region.objects.get(slug=slug)
        except Region.DoesNotExist:
            known = ", ".join(Region.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(
                f"No region with the slug {slug!r}. Regions: {known}. "
                "Load one with promotion_load_region."
            ) from None
        for question in self._questions(questions):
            answer = answer_question(region=the_region, text=question, language=lang)
            self.stdout.write(self._json(answer) if as_json else self._text(answer))

    def _questions(self, arguments: list[str]) -> Any:
        for argument in arguments:
            if argument == "-":
                for line in self.stdin:
                    if line.strip():
                        yield line.strip()
            elif argument.strip():
                yield argument.strip()

    @property
    def stdin(self) -> Any:
        return getattr(self, "_stdin", None) or sys.stdin

    def execute(self, *args: Any, **options: Any) -> Any:
        # ``call_command(..., stdin=...)`` passes a stream, as with stdout and stderr.
        self._stdin = options.pop("stdin", None)
        return super().execute(*args, **options)

    @staticmethod
    def _json(answer: Answer) -> str:
        return json.dumps(answer.as_dict(), ensure_ascii=False)

    @staticmethod
    def _text(answer: Answer) -> str:
        spanish = answer.language == Language.SPANISH
        lines = [f"Q: {answer.question}"]
        if not answer.answered:
            if answer.topic is not None:
                name = answer.topic.name_es if spanish else answer.topic.name_en
                lines.append(
                    f"  Sin datos publicados sobre «{name}»."
                    if spanish
                    else f"  No published fact on {name!r} yet."
                )
            else:
                lines.append(
                    "  No tenemos un dato para esta pregunta."
                    if spanish
                    else "  We have no fact that answers this question."
                )
            return "\n".join(lines)
        assert answer.topic is not None
        name = answer.topic.name_es if spanish else answer.topic.name_en
        lines.append(f"  [{name}, {answer.confidence:.2f}]")
        for fact in answer.facts:
            mark = "" if fact.translated else (" (sin traducir)" if spanish else " (untranslated)")
            lines.append(f"  - {fact.text}{mark}")
            value = format_value(fact.value, answer.language)
            figure = " ".join(part for part in (value, fact.unit) if part)
            as_of = format_as_of(fact.as_of, fact.as_of_precision, answer.language)
            if figure:
                lines.append(f"    {figure} ({as_of})")
            source = ", ".join(part for part in (fact.source.title, fact.source.publisher) if part)
            lines.append(f"    {'Fuente' if spanish else 'Source'}: {source}")
            if fact.source.url:
                lines.append(f"    {fact.source.url}")
        return "\n".join(lines)
