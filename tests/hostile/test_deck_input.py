"""Hostile text in every user field a deck prints (hypothesis).

The deck must build, print each field's text exactly up to this normalisation (the same
rule as ``promotion.decks.text.normalise``, written out again here so the test does not
trust the code under test), and add nothing a viewer acts on:

- Unicode NFC (an accent typed as NFD prints as the composed letter);
- control characters and every run of white space (tabs, new lines, no-break spaces,
  line separators) become one space, none at either end;
- bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are removed:
  reportlab draws text in logical order (right-to-left scripts are not reordered or
  shaped), so they could only scramble the text a reader copies;
- a character none of the deck's fonts has (most colour emoji, scripts neither DejaVu
  Sans nor Droid Sans Fallback covers, private-use and unassigned code points) prints as
  U+FFFD, never as a blank box;
- a character outside the Basic Multilingual Plane (most emoji: 😀 🎉 👩‍💻 🇲🇽) prints as
  U+FFFD too: reportlab's ToUnicode map writes such characters as bare code points that
  no reader maps back, so they could not be copied or searched (BMP symbols such as ☺ ✓
  print as themselves);
- right-to-left letters (Hebrew, Arabic) are kept in logical order and not shaped; a
  known limitation (a reader sees them left to right, unjoined). pypdf reorders a line
  holding them when it extracts it, so ``test_right_to_left_text`` compares such text as
  a multiset of characters; the property tests draw no RTL letters and compare in order;
- text is capped per place (200 characters for the company on the cover, 300 for a
  question...), the cap marked with "…"; the strategies here stay under the caps, which
  ``test_caps`` checks on its own.

Markup (``& < > " '``, entities, ``<img>``, ``<link>``, ``<a>``, ``<font>``,
``<onDraw>``, ``<br/>``, unclosed tags) prints as the characters typed. The PDF has no
link annotation, URI, launch, JavaScript or submit action, no image but the partner's
logo, and every character is drawn by an embedded font that has its glyph (checked
against the fonts' own character maps, so a ■ or an empty box cannot stand in for one).

Text is compared with white space removed on both sides, because line wrapping and the
switch between fonts move the spaces pypdf reports.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from promotion.decks.renderer import DeckRenderer
from tests.hostile import pdf

pytestmark = pytest.mark.django_db


def _rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


RTL = ["مرحبا بالعالم", "שלום עולם", "Grupo الفجر 2", "חברה בע״מ"]
HOSTILE = [
    "&",
    "<",
    ">",
    '"',
    "'",
    "&amp;",
    "&#60;",
    "&lt;b&gt;",
    "&nbsp;",
    "&unknown;",
    '<img src="/etc/passwd"/>',
    "<img src='file:///etc/hosts' width=9 height=9>",
    '<link href="javascript:app.alert(1)">click</link>',
    '<a href="http://example.invalid/x">x</a>',
    '<a name="top"/>',
    '<font color="red" size="60" face="Courier">',
    '<onDraw name="drawIt" label="x"/>',
    "<br/>",
    "<b>",
    "</i>",
    "<para>",
    "<unclosed",
    "<!-- -->",
    "<![CDATA[x]]>",
    "0.1 <A <0.9",
    "S&P 500",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\u00a0",
    "\u2028",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\u2067",
    "\xad",
    "Peña Nieto",
    "Pen\u0303a",
    "Ensenada, B.C. — Über Größe",
    "e\u0301\u0301",
    "삼성전자 주식회사",
    "株式会社トヨタ",
    "比亚迪股份有限公司",
    "😀",
    "🎉",
    "👩\u200d💻",
    "🇲🇽",
    "%(partner)s",
    "%s",
    "{0}",
    "\\",
]
# Each field: hostile fragments and arbitrary text, joined; short enough to stay under the
# deck's caps once normalised.
hostile_text = (
    st.lists(
        st.one_of(
            st.sampled_from(HOSTILE),
            st.text(
                st.characters(exclude_categories=("Cs",)).filter(lambda c: not _rtl(c)), max_size=6
            ),
        ),
        min_size=1,
        max_size=5,
    )
    .map("".join)
    .filter(lambda s: 0 < len(expected(s)) <= 110)
)

# Where each field is printed, read through the deck_world fixture.
FIELDS = {
    "company_name": ("prospect", "company_name"),
    "industry": ("prospect", "industry"),
    "question": ("question", "text"),
    "partner_name": ("owner", "name"),
    "partner_role": ("owner", "role_en"),
    "partner_phone": ("owner", "phone"),
    "other_partner": ("other", "name"),
    "region_name": ("region", "name"),
    "cluster_name": ("cluster", "name_en"),
    "talent_pool": ("pool", "name_en"),
    "institution": ("institution", "name"),
    "locality": ("locality", "name"),
    "asset": ("asset", "name"),
    "fact_text": ("fact", "text_en"),
    "source_title": ("source", "title"),
    "source_publisher": ("source", "publisher"),
}


def expected(value: str) -> str:
    """The normalisation described in the module's docstring."""
    from tests.hostile.pdf import font_cmap

    covered = (font_cmap("DejaVuSans.ttf") & font_cmap("DejaVuSans-Bold.ttf")) | font_cmap(
        "DroidSansFallback.ttf"
    )
    out = []
    for char in unicodedata.normalize("NFC", value):
        category = unicodedata.category(char)
        if char in "\u00a0\u202f":
            out.append(char)
        elif char.isspace() or category == "Cc":
            out.append(" ")
        elif (
            "\u202a" <= char <= "\u202e"
            or "\u2066" <= char <= "\u2069"
            or char in "\xad\ufeff\u200b"
        ):
            continue
        elif category in ("Cs", "Co", "Cn") or ord(char) > 0xFFFF or ord(char) not in covered:
            out.append("\ufffd")
        else:
            out.append(char)
    return re.sub(
        r"\s+",
        lambda run: run.group()[0] if not run.group().strip("\u00a0\u202f") else " ",
        "".join(out),
    ).strip()


def assert_printed(value: str, printed: str, label: str = "") -> None:
    """``value``, normalised, is in ``printed`` (both squeezed), in order."""
    assert pdf.squeeze(expected(value)) in printed, label


def assert_printed_rtl(value: str, printed: str) -> None:
    """pypdf reorders a line holding right-to-left letters (and the neutral characters
    around them): compare the characters as a multiset."""
    want = Counter(pdf.squeeze(expected(value)))
    assert not want - Counter(printed), value


def render(world, *, show_identity: bool = True) -> bytes:
    from promotion.models import Prospect

    prospect = Prospect.objects.select_related("partner__region").get(pk=world.prospect.pk)
    return DeckRenderer().render(prospect=prospect, language="en", show_identity=show_identity).pdf


def assert_safe(data: bytes, logo: tuple[int, int] | None = None) -> None:
    assert pdf.active_content(data) == []
    assert pdf.images(data) == ([logo] if logo else [])
    assert pdf.missing_glyphs(data) == {}


def storable(obj, attribute: str, value: str) -> str:
    """``value`` as the database can hold it: PostgreSQL refuses NUL in text and text
    longer than a column (SQLite takes both)."""
    value = value.replace("\0", "")
    max_length = obj._meta.get_field(attribute).max_length
    return value[:max_length] if max_length else value


def fill(world, values: dict[str, str]) -> None:
    """Put ``values`` in the fields; ``values`` is updated to what was stored."""
    for key, value in values.items():
        name, attribute = FIELDS[key]
        obj = getattr(world, name)
        values[key] = storable(obj, attribute, value)
        setattr(obj, attribute, values[key])
    for name in {name for name, _attribute in FIELDS.values()}:
        getattr(world, name).save()


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.fixed_dictionaries({key: hostile_text for key in FIELDS}))
@example(
    values={
        key: HOSTILE[i * 3 % len(HOSTILE)] + HOSTILE[(i * 3 + 1) % len(HOSTILE)]
        for i, key in enumerate(FIELDS)
    }
)
def test_every_field_prints_as_typed_and_adds_nothing_active(deck_world, values):
    fill(deck_world, values)
    data = render(deck_world)
    printed = pdf.squeeze(pdf.text_of(data))
    for key, value in values.items():
        assert_printed(value, printed, key)
    assert_safe(data)


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(codename=hostile_text)
def test_codename_deck_prints_the_codename_as_typed(deck_world, codename):
    codename = storable(deck_world.prospect, "codename", codename)
    deck_world.prospect.codename = codename
    deck_world.prospect.save()
    data = render(deck_world, show_identity=False)
    assert_printed(codename, pdf.squeeze(pdf.text_of(data)))
    assert_safe(data)


@pytest.mark.parametrize(
    "name",
    ["삼성전자", "株式会社トヨタ", "比亚迪", "Clúster 東京 Norte", "🎉 Fiesta"],
)
def test_canvas_and_chart_text_has_its_glyphs(deck_world, name):
    """The footer (partner), chart labels (clusters) and map labels (places) are drawn
    on the canvas, not as paragraphs: they too print in a font that has each glyph."""
    fill(deck_world, {"partner_name": name, "cluster_name": name, "locality": name})
    data = render(deck_world)
    assert pdf.missing_glyphs(data) == {}
    assert_printed(name, pdf.squeeze(pdf.text_of(data)))


@pytest.mark.parametrize("text", RTL)
def test_right_to_left_text(deck_world, text):
    values = {key: f"{text} {index}" for index, key in enumerate(FIELDS)}
    fill(deck_world, values)
    data = render(deck_world)
    printed = pdf.squeeze(pdf.text_of(data))
    for value in values.values():
        assert_printed_rtl(value, printed)
    assert_safe(data)


def test_caps(deck_world):
    # The question is a TextField: no database cuts it before the deck does.
    fill(deck_world, {"question": "<b>" * 2000})
    data = render(deck_world)
    printed = pdf.squeeze(pdf.text_of(data))
    assert "<b>" * 99 + "<b…" in printed and "<b>" * 100 not in printed
    assert_safe(data)
    fill(deck_world, {"question": "Ñ" * 5000})
    printed = pdf.squeeze(pdf.text_of(render(deck_world)))
    assert "Ñ" * 299 + "…" in printed and "Ñ" * 300 not in printed


def test_the_partner_logo_is_the_only_image(deck_world):
    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#1F3A5F").save(buffer, "PNG")
    deck_world.owner.logo.save("logo.png", ContentFile(buffer.getvalue()))
    fill(deck_world, {"industry": '<img src="/etc/passwd"/><img src="logo.png"/>'})
    data = render(deck_world)
    assert_safe(data, logo=(40, 20))


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Pen\u0303a", "Peña"),
        ("a\x00b\x07c\tc\r\nd", "a b c c d"),
        ("x\u202ey\u2066z", "xyz"),
        ("🎉", "\ufffd"),
        ("  spaced\u00a0\u2028out  ", "spaced out"),
        ("31\u00a0600 jobs", "31\u00a0600 jobs"),
    ],
)
def test_normalisation_examples(typed, printed):
    from promotion.decks.text import normalise

    assert normalise(typed) == expected(typed) == printed


def test_a_stored_logo_that_fails_the_upload_checks_is_left_out(deck_world):
    """A logo saved before the checks existed (or put in storage another way)."""
    from django.core.files.base import ContentFile

    from tests.hostile.test_uploads import image_bytes, png_bomb

    for content in (png_bomb(5000, 5000), image_bytes("GIF"), b"<svg/>"):
        deck_world.owner.logo.save("old.png", ContentFile(content), save=False)
        type(deck_world.owner).objects.filter(pk=deck_world.owner.pk).update(
            logo=deck_world.owner.logo.name
        )
        data = render(deck_world)
        assert_safe(data)  # built, and no image at all


def test_the_oracle_sees_a_missing_glyph_a_link_and_an_image():
    """The checks above would catch the bugs they guard against."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from promotion.decks import text as t
    from tests.hostile.test_uploads import image_bytes

    t.register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont(t.FONT, 10)
    canvas.drawString(10, 10, "삼성")  # Korean in DejaVu: empty boxes
    canvas.setFont("Helvetica", 10)
    canvas.drawString(10, 30, "株")  # a standard font: ■
    canvas.linkURL("javascript:app.alert(1)", (0, 0, 10, 10))
    canvas.drawImage(ImageReader(io.BytesIO(image_bytes("PNG"))), 50, 50)
    canvas.save()
    data = buffer.getvalue()
    assert pdf.missing_glyphs(data).keys() == {"DejaVuSans", "ZapfDingbats"}
    assert "/URI" in " ".join(pdf.active_content(data))
    assert pdf.images(data) == [(60, 30)]
