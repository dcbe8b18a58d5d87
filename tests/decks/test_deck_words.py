from __future__ import annotations

import ast
from pathlib import Path

import pytest

from promotion.decks import text

DECKS = Path(text.__file__).resolve().parent
# Words that Spanish takes as they are.
SAME_IN_SPANISH = {"Nearshoring"}


def literal_words() -> set[str]:
    """Every string literal the deck code passes to ``tr``, and every section title."""
    words = set()
    for path in DECKS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                words.add(node.args[0].value)
            if isinstance(node, ast.Assign) and any(
                getattr(target, "id", None) == "title" for target in node.targets
            ):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    words.add(node.value.value)
    words.discard("")  # the base class has no title
    return words


def test_every_word_of_the_deck_is_marked_for_the_catalogue():
    missing = literal_words() - set(text.DECK_WORDS)
    assert not missing, f"add these to DECK_WORDS so makemessages finds them: {missing}"


@pytest.mark.parametrize("word", sorted(text.DECK_WORDS))
def test_every_word_of_the_deck_has_spanish(word):
    spanish = text.tr(word, "es")
    assert spanish != word or word in SAME_IN_SPANISH
    assert text.tr(word, "en") == word
