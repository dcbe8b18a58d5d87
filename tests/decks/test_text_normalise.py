"""The fast paths of the deck's text normalisation (``promotion.decks.text``) print exactly
what the character-by-character rules print."""

from __future__ import annotations

import unicodedata

import pytest

from promotion.decks import text as t


def by_character(value: str) -> str:
    """The documented rules, one character at a time (no fast path)."""
    cleaned = "".join(t._clean_char(c) for c in unicodedata.normalize("NFC", value))
    return t._SPACES.sub(
        lambda run: run.group()[0] if not run.group().strip("\u00a0\u202f") else " ", cleaned
    ).strip()


def every_main_font_character() -> list[str]:
    chars = sorted(map(chr, t._main_coverage()))
    return ["".join(chars[i : i + 40]) for i in range(0, len(chars), 40)]


@pytest.mark.parametrize(
    "value",
    [
        "Tijuana  EDC\t·\n Mexicali — 31\u00a0600 people",
        "  \u00a0\u202f  ",
        "Año\u00ad\u200bdos\ufeff\u202eevil\u202c",
        "한빛 電子 AT&T <Labs>",
        "emoji \U0001f600 and a private \ue000 char",
        "control\x00\x1f\x7f\x85chars",
        "",
    ],
)
def test_normalise_matches_the_rules(value):
    assert t.normalise(value) == by_character(value)


def test_every_character_of_the_main_fonts_is_normalised_by_the_rules():
    for chunk in every_main_font_character():
        for value in (chunk, f" {chunk}  {chunk[::-1]} "):
            assert t.normalise(value) == by_character(value)
            assert t.font_runs(t.normalise(value)) == slow_runs(t.normalise(value))


def slow_runs(text: str) -> list[tuple[str, str]]:
    runs: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        cjk = (bool(t._CJK.match(char)) or code not in t._main_coverage()) and (
            code in t._cjk_coverage()
        )
        face = t.FONT_CJK if cjk else t.FONT
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + char)
        else:
            runs.append((face, char))
    return runs
