"""What a deck's PDF holds, read back with pypdf: text, fonts and the glyphs they draw,
images, and anything a viewer would act on (links, launches, scripts)."""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from promotion.decks import text as t

# Keys and action types that make a viewer open, launch, run or submit something.
ACTIVE_KEYS = {"/URI", "/JS", "/JavaScript", "/Launch", "/OpenAction", "/AA", "/EmbeddedFiles"}
ACTIVE_ACTIONS = {
    "/URI",
    "/Launch",
    "/JavaScript",
    "/GoToR",
    "/GoToE",
    "/SubmitForm",
    "/ImportData",
    "/Rendition",
}
FONT_FILES = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DroidSansFallback": "DroidSansFallback.ttf",
}


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(data).pages)


def squeeze(text: str) -> str:
    """Text with all white space removed: line wrapping and font switches move it."""
    return "".join(text.split())


def _walk(obj: Any, seen: set[int]) -> Any:
    if isinstance(obj, IndirectObject):
        key = (obj.idnum, obj.generation)
        if key in seen:
            return
        seen.add(key)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        yield obj
        for value in obj.values():
            yield from _walk(value, seen)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            yield from _walk(value, seen)


def dictionaries(data: bytes) -> list[DictionaryObject]:
    """Every dictionary reachable from the trailer (pages, annotations, fonts, images…)."""
    pdf = reader(data)
    return list(_walk(pdf.trailer, set()))


def active_content(data: bytes) -> list[str]:
    """What a viewer would act on: link annotations, URI, launch, script or submit
    actions. An internal link (``/Dest`` or ``/GoTo``) does not count."""
    found = []
    for obj in dictionaries(data):
        for key in ACTIVE_KEYS & set(obj.keys()):
            found.append(key)
        action = obj.get("/S")
        if isinstance(action, NameObject) and action in ACTIVE_ACTIONS:
            found.append(f"/S {action}")
        if obj.get("/Subtype") == "/Link":
            found.append("/Link annotation")
    return found


def images(data: bytes) -> list[tuple[int, int]]:
    """The (width, height) of every image XObject in the file."""
    return [
        (int(obj["/Width"]), int(obj["/Height"]))
        for obj in dictionaries(data)
        if obj.get("/Subtype") == "/Image"
    ]


@cache
def font_cmap(file_name: str) -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    face = TTFontFile(str(t.FONT_DIR / file_name))
    return frozenset(code for code, glyph in face.charToGlyph.items() if glyph)


_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _unicode(target: bytes) -> str:
    """A ToUnicode target: UTF-16BE in hex. reportlab writes a character outside the
    Basic Multilingual Plane as its bare code point (``<1F389>``), which no reader maps
    back: such an entry comes back as "<bad ToUnicode 1F389>"."""
    try:
        return bytes.fromhex(target.decode()).decode("utf-16-be")
    except ValueError:
        return f"<bad ToUnicode {target.decode()}>"


def _to_unicode(font: DictionaryObject) -> dict[int, str]:
    to_unicode = font.get("/ToUnicode")
    if to_unicode is None:
        return {}
    stream = to_unicode.get_object().get_data()
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, target in _BFCHAR.findall(block):
            mapping[int(code, 16)] = _unicode(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, start in _BFRANGE.findall(block):
            first = _unicode(start)
            for offset in range(int(high, 16) - int(low, 16) + 1):
                mapping[int(low, 16) + offset] = (
                    chr(ord(first) + offset) if len(first) == 1 else first
                )
    return mapping


def _raw(item: Any) -> bytes:
    return bytes(getattr(item, "original_bytes", item))


def _shown(operands: list[Any], operator: bytes) -> list[bytes]:
    """The strings a text-showing operator draws."""
    if operator in (b"Tj", b"'"):
        return [_raw(operands[0])]
    if operator == b'"':
        return [_raw(operands[2])]
    if operator == b"TJ":
        return [_raw(item) for item in operands[0] if not isinstance(item, int | float)]
    return []


def drawn_characters(data: bytes) -> dict[str, set[str]]:
    """Each font the pages draw text with (PostScript name, subset tag removed) and the
    characters actually drawn in it, read from the content streams (pages and forms)."""
    from pypdf.generic import ContentStream

    pdf = reader(data)
    drawn: dict[str, set[str]] = {}

    def scan(contents: Any, resources: Any) -> None:
        resources = resources.get_object() if resources is not None else {}
        fonts = resources.get("/Font", {})
        fonts = fonts.get_object() if fonts else {}
        maps: dict[str, tuple[str, dict[int, str], bool]] = {}
        for key, ref in fonts.items():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1]
            maps[key] = (name, _to_unicode(font), "/ToUnicode" in font)
        current = None
        for operands, operator in ContentStream(contents, pdf).operations:
            if operator == b"Tf":
                current = maps.get(str(operands[0]))
            for raw in _shown(operands, operator):
                if current is None:
                    continue
                name, mapping, has_map = current
                chars = drawn.setdefault(name, set())
                for byte in raw:
                    chars.add(mapping.get(byte, f"<code {byte}>") if has_map else chr(byte))
        xobjects = resources.get("/XObject", {})
        for ref in (xobjects.get_object() if xobjects else {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                scan(xobject, xobject.get("/Resources"))

    for page in pdf.pages:
        scan(page.get_contents(), page.get("/Resources"))
    return drawn


def missing_glyphs(data: bytes) -> dict[str, set[str]]:
    """Characters drawn in a font that has no glyph for them (a blank box or ■ on the
    page, or reportlab's ZapfDingbats ■). Only the deck's embedded TrueType fonts count
    as having glyphs, but for a standard PDF font (Helvetica) drawing printable ASCII,
    which every viewer has."""
    missing: dict[str, set[str]] = {}
    for name, chars in drawn_characters(data).items():
        file_name = FONT_FILES.get(name)
        if name in ("ZapfDingbats", "Symbol"):
            # reportlab draws a character a standard font cannot encode as ZapfDingbats
            # "n": the ■ box. The deck uses neither font on its own.
            lacking = set(chars)
        elif file_name is None:
            lacking = {c for c in chars if not (len(c) == 1 and " " <= c <= "~")}
        else:
            cmap = font_cmap(file_name)
            lacking = {c for c in chars if len(c) != 1 or ord(c) not in cmap}
        if lacking:
            missing[name] = lacking
    return missing
