"""Fonts, escaping and the deck's words in English and Spanish.

The one rule for user text: it becomes reportlab paragraph markup only through
``para_markup`` (escaped exactly once, capped, CJK runs switched to the fallback font).
Text drawn straight onto the canvas or put in a chart label is not markup and is never
escaped; it goes through ``plain`` (capped only).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats, translation
from django.utils.translation import gettext, gettext_noop

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "PromotionSans"
FONT_BOLD = "PromotionSans-Bold"
FONT_CJK = "PromotionCJK"

# Whatever the model's caps, text that arrived another way (imports, the shell) is cut
# here: one huge field must not stall a worker.
MAX_TEXT = 600
MAX_SHORT = 160

# Han, kana, hangul and their punctuation and full-width forms.
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u30ff\u3130-\u318f\u3190-\u31ff\u3200-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
)
# Characters that are not text: controls other than tab and newline.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register the embedded DejaVu fonts once per process (about 30 ms and 7 MB)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)


@lru_cache(maxsize=1)
def register_cjk_font() -> None:
    """Register the CJK fallback font, once per process, when a deck first prints CJK text:
    parsing it takes about 100 ms and 19 MB, which most workers never need to spend."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_CJK, str(FONT_DIR / "DroidSansFallback.ttf")))
    addMapping(FONT_CJK, 0, 0, FONT_CJK)
    addMapping(FONT_CJK, 1, 0, FONT_CJK)
    addMapping(FONT_CJK, 0, 1, FONT_CJK)
    addMapping(FONT_CJK, 1, 1, FONT_CJK)


def plain(value: Any, limit: int = MAX_SHORT) -> str:
    """User text for the canvas, a chart or a plain table cell: capped, never escaped."""
    text = _CONTROL.sub(" ", "" if value is None else str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def para_markup(value: Any, limit: int = MAX_TEXT) -> str:
    """User text as paragraph markup: capped, escaped once, CJK runs in the CJK font."""
    text = plain(value, limit)
    out = []
    position = 0
    for match in _CJK.finditer(text):
        register_cjk_font()
        out.append(escape(text[position : match.start()]))
        out.append(f'<font face="{FONT_CJK}">{escape(match.group())}</font>')
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


# The deck's own words, marked here so that makemessages puts them in the app's catalogue
# (the Spanish is in promotion/locale). Sections translate them at render time, in the
# deck's language, through ``tr``; a host may override any of them in its own catalogue.
DECK_WORDS = (
    gettext_noop("Prepared for"),
    gettext_noop("Project"),
    gettext_noop("Presented by"),
    gettext_noop("Confidential"),
    gettext_noop("Page %(page)s"),
    gettext_noop("The region at a glance"),
    gettext_noop("Why your industry fits"),
    gettext_noop("Talent"),
    gettext_noop("Getting goods and people across"),
    gettext_noop("Your questions, answered"),
    gettext_noop("Your contacts"),
    gettext_noop("Sources"),
    gettext_noop("Source"),
    gettext_noop("as of %(date)s"),
    gettext_noop("No published figures are on file for this region yet."),
    gettext_noop("Clusters matching NAICS %(code)s"),
    gettext_noop(
        "No cluster of the region matches NAICS %(code)s; the region's most concentrated "
        "clusters are shown."
    ),
    gettext_noop("Cluster"),
    gettext_noop("Employment"),
    gettext_noop("Concentration (location quotient)"),
    gettext_noop("Employment by cluster"),
    gettext_noop("Workforce"),
    gettext_noop("Universities and research institutes"),
    gettext_noop("No talent data is on file for this industry yet."),
    gettext_noop(
        "Map drawn from the coordinates on file: the border line joins the crossings; hollow "
        "marks are approximate positions."
    ),
    gettext_noop("Border"),
    gettext_noop("Asset"),
    gettext_noop("Kind"),
    gettext_noop("Status"),
    gettext_noop("Place"),
    gettext_noop("City"),
    gettext_noop("approx."),
    gettext_noop(
        "No facts on file answer this question yet. %(partner)s will follow up with you personally."
    ),
    gettext_noop("No questions have been recorded yet."),
    gettext_noop("Your questions are kept with your file and are answered in person."),
    gettext_noop("Your partner in the region"),
    gettext_noop("Other partners of the region"),
    gettext_noop("Every figure in this deck, numbered as cited."),
    gettext_noop("Jobs"),
    gettext_noop("Investment"),
    gettext_noop("Border crossing"),
    gettext_noop("Airport"),
    gettext_noop("Seaport"),
    gettext_noop("Freeway"),
    gettext_noop("Rail"),
    gettext_noop("Other"),
    gettext_noop("Operating"),
    gettext_noop("Under construction"),
    gettext_noop("Planned"),
    gettext_noop("Closed"),
    gettext_noop("New operation (greenfield)"),
    gettext_noop("Expansion"),
    gettext_noop("Relocation"),
    gettext_noop("Nearshoring"),
    gettext_noop("Shelter or contract manufacturing"),
    gettext_noop("Pitch deck"),
)


def tr(message: str, language: str, **params: Any) -> str:
    """``message`` in ``language``, from the translation catalogues."""
    with translation.override(language):
        text = gettext(message)
    return text % params if params else text


def number(value: Any, language: str, decimals: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | float) and decimals is None:
        value = Decimal(value)
        exponent = value.normalize().as_tuple().exponent
        decimals = min(2, max(0, -exponent)) if isinstance(exponent, int) else 0
    with translation.override(language):
        return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def date(value: datetime.date, language: str, precision: str = "day") -> str:
    with translation.override(language):
        if precision == "year":
            return str(value.year)
        if precision == "month":
            return formats.date_format(value, "YEAR_MONTH_FORMAT", use_l10n=True)
        return formats.date_format(value, "DATE_FORMAT", use_l10n=True)
