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
from django.utils.translation import gettext

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
    """Register the embedded TrueType fonts once per process."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_CJK, str(FONT_DIR / "DroidSansFallback.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)
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
        out.append(escape(text[position : match.start()]))
        out.append(f'<font face="{FONT_CJK}">{escape(match.group())}</font>')
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


# The deck's own words. gettext answers first (a host's or the app's catalogue); where the
# catalogue has no Spanish yet, this table does, so a Spanish deck is Spanish throughout.
SPANISH = {
    "Prepared for": "Preparado para",
    "Project": "Proyecto",
    "Presented by": "Presentado por",
    "Confidential": "Confidencial",
    "Page %(page)s": "Página %(page)s",
    "The region at a glance": "La región en cifras",
    "Why your industry fits": "Por qué su industria encaja",
    "Talent": "Talento",
    "Getting goods and people across": "Cómo cruzan personas y mercancías",
    "Your questions, answered": "Sus preguntas, respondidas",
    "Your contacts": "Sus contactos",
    "Sources": "Fuentes",
    "Source": "Fuente",
    "as of %(date)s": "a %(date)s",
    "No published figures are on file for this region yet.": "Aún no hay cifras publicadas para esta región.",
    "Clusters matching NAICS %(code)s": "Clústeres afines al código SCIAN %(code)s",
    "No cluster of the region matches NAICS %(code)s; the region's most concentrated "
    "clusters are shown.": "Ningún clúster de la región corresponde al código SCIAN %(code)s; se muestran los "
    "clústeres más concentrados de la región.",
    "Cluster": "Clúster",
    "Employment": "Empleo",
    "Concentration (location quotient)": "Concentración (cociente de localización)",
    "Employment by cluster": "Empleo por clúster",
    "Workforce": "Fuerza laboral",
    "Universities and research institutes": "Universidades y centros de investigación",
    "No talent data is on file for this industry yet.": "Aún no hay datos de talento para esta industria.",
    "Map drawn from the coordinates on file; hollow marks are approximate positions.": "Mapa trazado con las coordenadas registradas; las marcas huecas son posiciones "
    "aproximadas.",
    "Asset": "Infraestructura",
    "Kind": "Tipo",
    "Status": "Estado",
    "Place": "Lugar",
    "City": "Ciudad",
    "approx.": "aprox.",
    "No facts on file answer this question yet. %(partner)s will follow up with you "
    "personally.": "Aún no hay datos registrados que respondan esta pregunta. %(partner)s le dará "
    "seguimiento personalmente.",
    "No questions have been recorded yet.": "Aún no se han registrado preguntas.",
    "Your questions are kept with your file and are answered in person.": "Sus preguntas se conservan en su expediente y se responden en persona.",
    "Your partner in the region": "Su socio en la región",
    "Other partners of the region": "Otros socios de la región",
    "Every figure in this deck, numbered as cited.": "Todas las cifras de esta presentación, numeradas según se citan.",
    "Jobs": "Empleos",
    "Investment": "Inversión",
    "Border crossing": "Cruce fronterizo",
    "Airport": "Aeropuerto",
    "Seaport": "Puerto marítimo",
    "Freeway": "Autopista",
    "Rail": "Ferrocarril",
    "Other": "Otro",
    "Operating": "En operación",
    "Under construction": "En construcción",
    "Planned": "Planeado",
    "Closed": "Cerrado",
    "New operation (greenfield)": "Nueva operación (greenfield)",
    "Expansion": "Expansión",
    "Relocation": "Reubicación",
    "Nearshoring": "Nearshoring",
    "Shelter or contract manufacturing": "Albergue o manufactura por contrato",
    "Pitch deck": "Presentación",
}


def tr(message: str, language: str, **params: Any) -> str:
    """``message`` in ``language`` (catalogue first, then the table above)."""
    with translation.override(language):
        text = gettext(message)
    if language == "es" and text == message:
        text = SPANISH.get(message, message)
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
