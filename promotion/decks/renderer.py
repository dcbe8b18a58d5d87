"""The reportlab deck renderer: landscape pages, one section after another.

``DeckRenderer.render`` reads everything through ``DeckContext`` (the prospect as the
requester may see it, the region, the citations) and returns the PDF bytes with what it
was built from. Hosts replace it through ``PROMOTION['DECK_RENDERER']`` or subclass it.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.module_loading import import_string

from promotion.conf import promotion_settings
from promotion.decks import text as t
from promotion.models import Fact, Partner, Prospect, Region, Source

T = TypeVar("T")


@dataclass
class RenderResult:
    pdf: bytes
    page_count: int
    sections: list[str]
    fact_ids: list[int]


@dataclass
class DeckContext:
    """What a section may read. ``show_identity`` is False when the requester may see the
    codename only: then no section prints the company, its questions or its contacts."""

    prospect: Prospect
    language: str
    show_identity: bool
    region: Region
    partner: Partner
    styles: dict[str, Any]
    colours: dict[str, Any]
    today: Any = None
    citations: list[tuple[str, Any]] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)
    _cited: dict[tuple[str, Any], int] = field(default_factory=dict, repr=False)
    _dates: dict[tuple[Any, str], str] = field(default_factory=dict, repr=False)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, run once per deck: what several sections read is read once."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]  # type: ignore[no-any-return]

    def region_data(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` for what depends on the region's data only (never the prospect,
        the language or the requester): kept in this process between decks until that
        data changes (``promotion.decks.cache``). ``key`` names what is computed."""
        from promotion.decks import cache

        stamp = self.once("region_stamp", lambda: cache.stamp_for(self.region.pk))
        return cache.region_cached(self.region.pk, stamp, key, compute)

    def tr(self, message: str, **params: Any) -> str:
        return t.tr(message, self.language, **params)

    def cite(self, item: Fact | Source) -> int:
        """The citation number of a fact or a source, adding it on first use."""
        key = ("fact" if isinstance(item, Fact) else "source", item.pk)
        index = self._cited.get(key, 0)
        if 0 < index <= len(self.citations):
            kind, cited = self.citations[index - 1]
            if (kind, cited.pk) == key:
                return index
        for index, (kind, cited) in enumerate(self.citations, start=1):  # added elsewhere
            if (kind, cited.pk) == key:
                self._cited[key] = index
                return index
        self.citations.append((key[0], item))
        self._cited[key] = len(self.citations)
        return len(self.citations)

    def date(self, value: Any, precision: str = "day") -> str:
        """``value`` as the deck prints a date (``text.date``), formatted once per deck."""
        key = (value, precision)
        if key not in self._dates:
            self._dates[key] = t.date(value, self.language, precision)
        return self._dates[key]

    @property
    def fact_ids(self) -> list[int]:
        return [item.pk for kind, item in self.citations if kind == "fact"]

    @property
    def prospect_title(self) -> str:
        return self.prospect.company_name if self.show_identity else self.prospect.codename

    def localized(self, obj: Any, name: str) -> str:
        from promotion.models.base import localized

        return localized(obj, name, self.language)[0]


@cache
def _paragraph_class() -> type:
    from reportlab.platypus import Paragraph

    class WrappedOnce(Paragraph):  # type: ignore[misc]
        """A ``Paragraph`` that breaks its lines once per width: a table wraps its cells
        when it is laid out and again when it is drawn (a table in a table, four times),
        and a paragraph's lines depend on the width only."""

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            last = self.__dict__.get("_wrapped")
            if last is not None and last[0] == avail_width and "blPara" in self.__dict__:
                return last[1]
            size = super().wrap(avail_width, avail_height)
            self._wrapped = (avail_width, size)
            return size

    return WrappedOnce


MAX_PARSED = 512
_parsed_lock = threading.Lock()
_parsed: OrderedDict[tuple[str, Any], tuple[str, Any, list[Any]]] = OrderedDict()


def paragraph(markup: str, style: Any) -> Any:
    """A reportlab ``Paragraph`` of ``markup`` (already escaped: ``text.para_markup``)
    that breaks its lines only once for the same width.

    Most of a deck's paragraphs are the same from deck to deck (headings, the region's
    figures, the sources), so the parsed markup is kept per process for the last
    ``MAX_PARSED`` (markup, style) pairs: each paragraph gets its own copies of the parsed
    fragments (laying out writes on them), the kept ones are never laid out."""
    cls = _paragraph_class()
    key = (markup, style)
    with _parsed_lock:
        parsed = _parsed.get(key)
        if parsed is not None:
            _parsed.move_to_end(key)
    if parsed is not None:
        text, parsed_style, frags = parsed
        return cls(text, parsed_style, frags=[frag.clone() for frag in frags])
    result = cls(markup, style)
    if result.bulletText is None and result.frags:
        kept = (result.text, result.style, [frag.clone() for frag in result.frags])
        with _parsed_lock:
            _parsed[key] = kept
            if len(_parsed) > MAX_PARSED:
                _parsed.popitem(last=False)
    return result


class Section:
    """One part of the deck. ``flowables`` returns reportlab flowables; a section starts
    on a new page. ``key`` is what the deck records in ``PitchDeck.sections``."""

    key = "section"
    title = ""

    def heading(self, ctx: DeckContext) -> list[Any]:
        return [paragraph(t.para_markup(ctx.tr(self.title)), ctx.styles["h1"])]

    def flowables(self, ctx: DeckContext) -> list[Any]:
        raise NotImplementedError


def _hex(value: str, default: str) -> Any:
    from reportlab.lib import colors

    try:
        return colors.HexColor(value or default)
    except (ValueError, TypeError):
        return colors.HexColor(default)


MAX_STYLES = 64
_styles: dict[tuple[Any, ...], dict[str, Any]] = {}


class DeckRenderer:
    """Builds the PDF. Override ``get_sections``, ``get_styles`` or ``draw_page``."""

    pagesize: Any = None

    def get_sections(self) -> list[Section]:
        return [import_string(path)() for path in promotion_settings.DECK_SECTIONS]

    def get_styles(self, colours: dict[str, Any]) -> dict[str, Any]:
        """The paragraph styles, from the partner's colours only: called once per process
        for each pair of colours (``styles_for``); styles are not changed once made."""
        from reportlab.lib.styles import ParagraphStyle

        base = ParagraphStyle("body", fontName=t.FONT, fontSize=11, leading=14.5)
        return {
            "body": base,
            "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
            "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12),
            "big": ParagraphStyle(
                "big",
                parent=base,
                fontName=t.FONT_BOLD,
                fontSize=24,
                leading=28,
                textColor=colours["primary"],
            ),
            "h1": ParagraphStyle(
                "h1",
                parent=base,
                fontName=t.FONT_BOLD,
                fontSize=24,
                leading=30,
                spaceAfter=14,
                textColor=colours["primary"],
            ),
            "h2": ParagraphStyle(
                "h2",
                parent=base,
                fontName=t.FONT_BOLD,
                fontSize=13,
                leading=17,
                spaceBefore=8,
                spaceAfter=4,
                textColor=colours["accent"],
            ),
            "title": ParagraphStyle(
                "title",
                parent=base,
                fontName=t.FONT_BOLD,
                fontSize=34,
                leading=42,
                textColor=colours["primary"],
                spaceAfter=12,
            ),
        }

    def styles_for(self, colours: dict[str, Any]) -> dict[str, Any]:
        """``get_styles(colours)``, made once per process for each pair of colours (and
        renderer class): decks of one partner share their styles, and the paragraphs
        parsed for one deck serve the next (``paragraph``)."""
        key = (type(self), colours["primary"].hexval(), colours["accent"].hexval())
        styles = _styles.get(key)
        if styles is None:
            if len(_styles) >= MAX_STYLES:
                _styles.clear()
            styles = _styles[key] = self.get_styles(colours)
        return styles

    def get_context(self, *, prospect: Prospect, language: str, show_identity: bool) -> DeckContext:
        partner = prospect.partner
        colours = {
            "primary": _hex(partner.primary_colour, "#1F3A5F"),
            "accent": _hex(partner.accent_colour, "#C8553D"),
        }
        return DeckContext(
            prospect=prospect,
            language=language,
            show_identity=show_identity,
            region=partner.region,
            partner=partner,
            styles=self.styles_for(colours),
            colours=colours,
            today=timezone.localdate(),
        )

    def draw_page(self, canvas: Any, doc: Any, ctx: DeckContext) -> None:
        """Footer on every page: partner, confidentiality, page number (plain text)."""
        from reportlab.lib import colors

        width, _height = doc.pagesize
        canvas.saveState()
        canvas.setFillColor(ctx.colours["primary"])
        canvas.rect(0, 0, width, 6, stroke=0, fill=1)
        canvas.setFillColor(colors.HexColor("#555555"))
        # The partner's name is user text: drawn run by run, so CJK prints as glyphs.
        t.draw_string(canvas, 36, 16, t.plain(f"{ctx.partner} · {ctx.tr('Confidential')}"), 8)
        canvas.setFont(t.FONT, 8)
        canvas.drawRightString(width - 36, 16, ctx.tr("Page %(page)s", page=canvas.getPageNumber()))
        canvas.restoreState()

    def render(self, *, prospect: Prospect, language: str, show_identity: bool) -> RenderResult:
        with t.in_language(language):
            return self._render(prospect=prospect, language=language, show_identity=show_identity)

    def _render(self, *, prospect: Prospect, language: str, show_identity: bool) -> RenderResult:
        from reportlab.lib.pagesizes import landscape, letter
        from reportlab.platypus import PageBreak, SimpleDocTemplate

        t.register_fonts()
        ctx = self.get_context(prospect=prospect, language=language, show_identity=show_identity)
        pagesize = self.pagesize or landscape(letter)
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=pagesize,
            leftMargin=42,
            rightMargin=42,
            topMargin=36,
            bottomMargin=40,
            title=t.plain(ctx.tr("Pitch deck")),
            author=t.plain(ctx.partner),
            invariant=1,
        )
        story: list[Any] = []
        keys = []
        for section in self.get_sections():
            if story:
                story.append(PageBreak())
            story.extend(section.flowables(ctx))
            keys.append(section.key)

        def on_page(canvas: Any, doc: Any) -> None:
            self.draw_page(canvas, doc, ctx)

        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
        return RenderResult(
            pdf=buffer.getvalue(), page_count=doc.page, sections=keys, fact_ids=ctx.fact_ids
        )
