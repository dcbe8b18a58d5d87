from __future__ import annotations

import pytest

from promotion.decks.sections import border_line


def pairs(flat: list[float]) -> list[tuple[float, float]]:
    return list(zip(flat[::2], flat[1::2], strict=True))


def test_the_border_runs_through_the_crossings_from_edge_to_edge():
    crossings = [(300.0, 120.0), (100.0, 100.0), (200.0, 110.0)]
    line = pairs(border_line(crossings, width=400, height=330))
    assert line[1:-1] == sorted(crossings)  # west to east
    assert line[0] == (0.0, pytest.approx(90.0))  # carried on along the end segments
    assert line[-1] == (400.0, pytest.approx(130.0))


def test_one_crossing_draws_a_level_line_and_the_line_stays_on_the_map():
    assert pairs(border_line([(50.0, 80.0)], width=400, height=330)) == [
        (0.0, 80.0),
        (50.0, 80.0),
        (400.0, 80.0),
    ]
    steep = pairs(border_line([(10.0, 10.0), (20.0, 300.0)], width=400, height=330))
    assert all(0 <= y <= 330 for _x, y in steep)
    same_longitude = pairs(border_line([(10.0, 10.0), (10.0, 40.0)], width=400, height=330))
    assert same_longitude[0] == (0.0, 10.0)
