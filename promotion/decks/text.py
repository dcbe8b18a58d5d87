"""Fonts, escaping and the deck's words in English and Spanish.

The one rule for user text: it becomes reportlab paragraph markup only through
``para_markup`` (escaped exactly once, capped, CJK runs switched to the fallback font).
Text drawn straight onto the canvas or put in a chart label is not markup and is never
escaped; it goes through ``plain`` (capped only).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats, numberformat, translation
from django.utils.translation import gettext, gettext_noop

from promotion.conf import promotion_settings

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "PromotionSans"
FONT_BOLD = "PromotionSans-Bold"
FONT_CJK = "PromotionCJK"

# Whatever the model's caps, text that arrived another way (imports, the shell) is cut
# here: one huge field must not stall a worker.
MAX_TEXT = 600
MAX_SHORT = 160

# Han, kana, hangul and their punctuation and full-width forms: printed in the CJK font
# (when it has the glyph) even where the main font has one too, so a name looks whole.
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u30ff\u3130-\u318f\u3190-\u31ff\u3200-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)
# Removed: bidirectional embeddings, overrides and isolates (reportlab draws text in
# logical order and ignores them, so they would only reorder the text a reader copies),
# the soft hyphen (reportlab takes it as a place to break a word, never prints it) and
# the zero-width space and U+FEFF (invisible; reportlab breaks lines there, readers drop
# them).
_DROPPED = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad\ufeff\u200b")
# No-break spaces are kept: the deck groups digits with them ("31 600"), and a line must
# not break there.
NO_BREAK_SPACES = frozenset("\u00a0\u202f")
_SPACES = re.compile(r"\s+")
# What a character none of the deck's fonts can draw prints as, instead of a blank box.
REPLACEMENT = "\ufffd"


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


@cache
def _cmap(name: str) -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    return frozenset(c for c, g in TTFontFile(str(FONT_DIR / name)).charToGlyph.items() if g)


@cache
def _main_coverage() -> frozenset[int]:
    """The code points the main fonts (regular and bold) can both draw (computed once per
    process: every character of every deck is looked up here)."""
    return _cmap("DejaVuSans.ttf") & _cmap("DejaVuSans-Bold.ttf")


@cache
def _kept_as_is() -> frozenset[str]:
    """The characters ``_clean_char`` returns unchanged without reading the CJK font: those
    of the main fonts that are not white space, controls or dropped."""
    return frozenset(
        char
        for char in map(chr, _main_coverage())
        if ord(char) <= 0xFFFF
        and not char.isspace()
        and char not in _DROPPED
        and unicodedata.category(char) not in ("Cc", "Cs", "Co", "Cn")
    )


def _cjk_coverage() -> frozenset[int]:
    """The code points the CJK font can draw: read only when a character is not in the
    main fonts or is CJK, so a deck in Latin script never parses the 19 MB font."""
    return _cmap("DroidSansFallback.ttf")


def _clean_char(char: str) -> str:
    """One character as the deck prints it: controls become spaces, bidi controls go,
    characters no font has become ``REPLACEMENT``."""
    category = unicodedata.category(char)
    if char in NO_BREAK_SPACES:
        return char
    if char.isspace() or category == "Cc":
        return " "
    if char in _DROPPED:
        return ""
    if category in ("Cs", "Co", "Cn") or ord(char) > 0xFFFF:
        # Outside the Basic Multilingual Plane (most emoji): reportlab's ToUnicode map
        # writes these as bare code points no reader maps back, so the text could not be
        # copied or searched even where a font has the glyph.
        return REPLACEMENT
    if ord(char) in _main_coverage() or ord(char) in _cjk_coverage():
        return char
    return REPLACEMENT


def normalise(value: Any) -> str:
    """User text as every deck prints it (the documented normalisation, README
    "Security"): NFC; control characters and every run of white space become one space
    (and none at either end; a run of no-break spaces only stays one no-break space);
    bidi controls, soft hyphens, zero-width spaces and U+FEFF removed; a character none
    of the deck's fonts has, or one outside the Basic Multilingual Plane (most emoji),
    printed as U+FFFD. Right-to-left text is kept in logical order and not shaped. Not
    capped."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    if not (text.isascii() and text.isprintable()) and not _kept_as_is().issuperset(
        text.replace(" ", "")
    ):
        # Text of the main fonts, spaces aside, needs no cleaning: most text skips this.
        text = "".join(_clean_char(char) for char in text)
    return collapse_spaces(text)


def collapse_spaces(text: str) -> str:
    """Every run of white space as one space, and none at either end; a run of no-break
    spaces only (a number's grouping, "31 600") stays one no-break space."""
    if not any(space in text for space in NO_BREAK_SPACES):
        return " ".join(text.split())  # ``split()`` and ``\s``: the same spaces
    return _SPACES.sub(
        lambda run: run.group()[0] if not run.group().strip("".join(NO_BREAK_SPACES)) else " ",
        text,
    ).strip()


def plain(value: Any, limit: int = MAX_SHORT) -> str:
    """User text for the canvas, a chart or a plain table cell: normalised and capped,
    never escaped."""
    raw = "" if value is None else str(value)
    # Cut before normalising, so a huge field costs no more than a long one.
    text = normalise(raw[: limit * 8])
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def font_runs(text: str, font: str = FONT) -> list[tuple[str, str]]:
    """``text`` (already ``plain``) cut into runs of one font each: ``font`` or the CJK
    font. Every character of a run has a glyph in its font."""
    main = _main_coverage()
    if text.isascii() or (_CJK.search(text) is None and main.issuperset(map(ord, text))):
        return [(font, text)] if text else []  # one run in ``font``: most text
    runs: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        use_cjk = (bool(_CJK.match(char)) or code not in main) and code in _cjk_coverage()
        if use_cjk:
            register_cjk_font()
        face = FONT_CJK if use_cjk else font
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + char)
        else:
            runs.append((face, char))
    return runs


def single_font(text: str, font: str = FONT) -> tuple[str, str]:
    """A font that can draw all of ``text`` (already ``plain``), for a label that takes
    one font: ``font``, else the CJK font; a mix keeps ``font`` and prints what it lacks
    as ``REPLACEMENT``."""
    main = _main_coverage()
    if all(ord(c) in main for c in text):
        return font, text
    if all(ord(c) in _cjk_coverage() for c in text):
        register_cjk_font()
        return FONT_CJK, text
    return font, "".join(c if ord(c) in main else REPLACEMENT for c in text)


def para_markup(value: Any, limit: int = MAX_TEXT) -> str:
    """User text as paragraph markup: normalised, capped, escaped once, each character in
    a font that has it (CJK runs in the CJK font)."""
    out = []
    for face, run in font_runs(plain(value, limit)):
        escaped = escape(run)
        out.append(escaped if face == FONT else f'<font face="{face}">{escaped}</font>')
    return "".join(out)


def draw_string(
    canvas: Any, x: float, y: float, text: str, size: float, font: str = FONT, right: bool = False
) -> None:
    """Draw ``text`` (already ``plain``) on the canvas, switching fonts per run."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    runs = font_runs(text, font)
    if right:
        x -= sum(stringWidth(run, face, size) for face, run in runs)
    for face, run in runs:
        canvas.setFont(face, size)
        canvas.drawString(x, y, run)
        x += stringWidth(run, face, size)


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
    gettext_noop("For comparison: the region's clusters with figures on file"),
    gettext_noop("Figures as of"),
    gettext_noop("Source of the figures"),
    gettext_noop("No figure on file"),
    gettext_noop("more than %(value)s"),
    gettext_noop("Workforce"),
    gettext_noop("Universities and research institutes"),
    gettext_noop("Labour costs"),
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
    gettext_noop("Around %(place)s"),
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


def in_language(language: str) -> AbstractContextManager[None]:
    """``language`` active, switched only when it is not already: a deck renders inside
    one ``in_language`` (``DeckRenderer.render``), so its hundreds of words and numbers
    do not each switch the language and back."""
    if translation.get_language() == language:
        return nullcontext()
    return translation.override(language)


def tr(message: str, language: str, **params: Any) -> str:
    """``message`` in ``language``, from the translation catalogues."""
    with in_language(language):
        text = gettext(message)
    return text % params if params else text


def number(value: Any, language: str, decimals: int | None = None) -> str:
    """``value`` with the separators of ``language``'s number format locale
    (``PROMOTION["NUMBER_FORMAT_LOCALES"]``), grouped by thousands."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float) and decimals is None:
        value = Decimal(value)
        exponent = value.normalize().as_tuple().exponent
        decimals = min(2, max(0, -exponent)) if isinstance(exponent, int) else 0
    locale = promotion_settings.NUMBER_FORMAT_LOCALES.get(language, language)
    return numberformat.format(
        value,
        formats.get_format("DECIMAL_SEPARATOR", locale, use_l10n=True),
        decimals,
        formats.get_format("NUMBER_GROUPING", locale, use_l10n=True),
        formats.get_format("THOUSAND_SEPARATOR", locale, use_l10n=True),
        force_grouping=True,
        use_l10n=True,
    )


def date(value: datetime.date, language: str, precision: str = "day") -> str:
    with in_language(language):
        if precision == "year":
            return str(value.year)
        if precision == "month":
            return formats.date_format(value, "YEAR_MONTH_FORMAT", use_l10n=True)
        return formats.date_format(value, "DATE_FORMAT", use_l10n=True)
