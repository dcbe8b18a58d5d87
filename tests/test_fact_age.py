"""A fact ages from the end of the period it describes, in the admin flag and the filter."""

from __future__ import annotations

import datetime

import pytest

from promotion.models import Fact
from tests import factories

CUTOFF = datetime.date(2023, 11, 23)  # three years before 2026-11-23


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("as_of", "precision", "due"),
    [
        (datetime.date(2023, 1, 1), "year", False),  # 2023 ends after the cutoff
        (datetime.date(2022, 1, 1), "year", True),
        (datetime.date(2023, 10, 1), "month", True),  # October 2023 ended before it
        (datetime.date(2023, 11, 1), "month", False),
        (datetime.date(2023, 11, 22), "day", True),
        (datetime.date(2023, 11, 23), "day", False),
    ],
)
def test_due_for_review_counts_from_the_end_of_the_period(
    as_of: datetime.date, precision: str, due: bool
) -> None:
    fact = factories.FactFactory(as_of=as_of, as_of_precision=precision)
    assert (fact.period_end() < CUTOFF) is due
    assert Fact.objects.due_for_review(CUTOFF).filter(pk=fact.pk).exists() is due
    assert Fact.objects.current(CUTOFF).filter(pk=fact.pk).exists() is not due


def test_age_is_measured_from_the_period_end() -> None:
    fact = Fact(as_of=datetime.date(2023, 1, 1), as_of_precision="year")
    assert fact.period_end() == datetime.date(2023, 12, 31)
    assert round(fact.age_in_years(datetime.date(2026, 12, 31)), 1) == 3.0
    assert fact.age_in_years(datetime.date(2023, 6, 1)) == 0.0
    february = Fact(as_of=datetime.date(2024, 2, 1), as_of_precision="month")
    assert february.period_end() == datetime.date(2024, 2, 29)
