from __future__ import annotations

import pytest
from django.core.checks import Tags, run_checks
from django.test import override_settings


def ids() -> set[str]:
    return {m.id for m in run_checks(tags=[Tags.compatibility]) if m.id.startswith("promotion.")}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"DECK_RENDERER": "promotion.decks.nowhere.Renderer"}, "promotion.E007"),
        ({"DECK_SECTIONS": "promotion.decks.sections.CoverSection"}, "promotion.E008"),
        ({"DECK_SECTIONS": ["promotion.decks.sections.NoSuchSection"]}, "promotion.E008"),
    ],
)
def test_bad_deck_settings_are_reported(value, expected):
    with override_settings(PROMOTION=value):
        assert expected in ids()


def test_default_deck_settings_pass():
    assert not {"promotion.E007", "promotion.E008"} & ids()
