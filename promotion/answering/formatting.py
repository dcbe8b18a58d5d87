"""Showing a fact's figure and date to a reader, in the answer's language.

Used by the text output of ``promotion_answer`` (the ``--json`` contract keeps the stored
value and the ISO date). A fact's date is shown as precisely as it is known: "2023" for a
year, "Dec 2023" / "dic. 2023" for a month, the full date for a day. The numbers in a
value are written the language's way ("24.3" is "24,3" in Spanish, "4,000" is "4 000"),
whatever else the value says ("> 566,000", "~87", "86.4 / 90.9").
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils import formats, translation

# A number as the data set writes values: English grouping and decimal point.
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w,]|\.\d)")


def format_as_of(as_of: datetime.date, precision: str, language: str) -> str:
    """``as_of`` shown to the precision it is known at, in ``language``."""
    if precision == "year":
        return str(as_of.year)
    with translation.override(language):
        if precision == "month":
            month = formats.date_format(as_of, "b")
            if language == "es":
                return f"{month}. {as_of.year}"
            return f"{month.capitalize()} {as_of.year}"
        return formats.date_format(as_of, "DATE_FORMAT")


def format_value(value: str, language: str) -> str:
    """The numbers of ``value`` written the way ``language`` writes them."""
    if not value:
        return value

    def localize(match: re.Match[str]) -> str:
        whole, decimals = match.group(1), match.group(2) or ""
        try:
            number = Decimal(whole.replace(",", "") + decimals)
        except InvalidOperation:
            return match.group()
        with translation.override(language):
            return formats.number_format(
                number,
                decimal_pos=len(decimals) - 1 if decimals else 0,
                use_l10n=True,
                force_grouping="," in whole,
            )

    return _NUMBER.sub(localize, value)
