"""Benchmark the pitch decks: one render in process, the reportlab floor, a real worker.

Run from the repository root:  python bench/decks.py [--quick] [--renders N] [--decks N]
[--rounds N] [--memory-decks N] [--memory-only] [--database NAME] [--worker | --no-worker]
[--django-debug]

It uses the example deployment's settings (``calibaja.settings``) on a PostgreSQL database
of its own, ``promotion_bench`` (or ``--database``), created on the server ``DATABASE_URL``
names (default ``postgres://postgres@127.0.0.1:5432/test``; that database is left
untouched), migrated, loaded with the shipped Cali-Baja data set and given prospects of
one partner, each with five questions recorded (and matched) through ``question_record``.
Deck files go to a
temporary ``DJANGO_VAR_DIR``. At the end the database, the files and the Redis keys the
run created are removed, and the workers it started are stopped.

It prints:

1. the time to render one deck in process with the real services (``deck_request`` with
   ``enqueue=False``, then ``deck_render``, which reads the database and stores the file):
   the first (cold) render of the process, then the median and p95 of N renders;
2. interleaved with those, the bare reportlab floor: the same kind of pages (ten, US
   Letter landscape, ~20,000 characters, a grid, a bar chart, a map of 20 points) drawn
   straight onto a ``Canvas``, and as a plain platypus document, both with the app's
   embedded TrueType fonts; the deck's ratio to the canvas floor (aim: under 3x), and
   whether reportlab's C accelerator is in use;
3. with a Redis broker (``CELERY_BROKER_URL``, default ``redis://127.0.0.1:6379/14``):
   rounds of N deck requests (``deck_request``, queued on commit) through ``celery -A
   calibaja worker --concurrency 2 --pool prefork``, each against the same requests
   rendered by a bare ``ProcessPoolExecutor(2)`` calling ``deck_render``; decks per second
   and the ratio within each round (aim: 90%);
4. the memory of a fresh worker's two pool processes (VmRSS, VmHWM and PSS from ``/proc``)
   after every 100 decks up to ``--memory-decks``, with no ``--max-tasks-per-child``, and
   the growth from the first sample to the last and over the second half (a process whose
   memory has settled grows by about nothing there). ``--memory-only`` runs this part only.

With a broker, the deployment's cache is that Redis too (``CACHE_URL`` in
``calibaja/settings.py``), shared by this process, the worker and the pool, so decks keep
the region's data between renders as in production (``promotion.decks.cache``); without
one, every render reads it all.

How much CPU other processes took during each part is printed too: on a shared machine
compare the ratios, not the absolute figures.

Everything runs with ``DEBUG`` off (a throwaway ``DJANGO_SECRET_KEY`` is generated), as a
production worker does: with ``DEBUG`` on Django keeps the last 9,000 queries of every
connection, which the memory figure would count. ``--django-debug`` sets
``DJANGO_DEBUG=1`` instead. Without PostgreSQL the in-process parts run on SQLite and the
worker parts are skipped; without Redis the worker parts are skipped, with the reason.
"""

from __future__ import annotations

import argparse
import gc
import io
import math
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "promotion_bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
MEMORY_STEP = 100
WORKER_TIMEOUT = 600.0
WORKER_ARGS = "-A calibaja worker --concurrency 2 --pool prefork -l warning"
QUESTIONS = {
    "en": [
        "How many engineers speak English?",
        "How long is the wait at Otay Mesa?",
        "Which universities are near the border?",
        "Do you have wi-fi?",
        "How far is the nearest seaport?",
        "How big is the workforce?",
        "Which airports have cargo flights?",
        "How many people live in the region?",
    ],
    "es": [
        "¿Cuántos ingenieros hablan inglés?",
        "¿Cuánto se espera en la garita de Otay?",
        "¿Qué universidades hay en Tijuana?",
        "¿Tienen internet de alta velocidad?",
        "¿Qué tan lejos está el puerto de Ensenada?",
        "¿Qué tan grande es la fuerza laboral en Mexicali?",
        "¿Qué aeropuertos tienen vuelos de carga?",
        "¿Cuánta gente vive en la región?",
    ],
}
# (industry, NAICS code): the region's clusters match some, not all.
INDUSTRIES = [
    ("Medical devices", "339112"),
    ("Aerospace parts", "336413"),
    ("Semiconductors", "334413"),
    ("Audio equipment", "334310"),
    ("Logistics", "488510"),
]


# --- small helpers ---------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres_problem(url: str) -> str | None:
    """Why the PostgreSQL server at ``url`` cannot be used, or None."""
    if not url.startswith(("postgres://", "postgresql://")):
        return f"DATABASE_URL is not a PostgreSQL URL ({urlsplit(url).scheme}://...)"
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"cannot connect to {urlsplit(url).netloc}: {str(exc).strip()}"
    return None


def redis_problem(url: str) -> str | None:
    """Why the Redis broker at ``url`` cannot be used, or None."""
    try:
        import redis
    except ImportError:
        return "the redis client is not installed (pip install 'celery[redis]')"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # any failure means: no broker for this run
        return f"Redis at {url} does not answer ({type(exc).__name__}: {exc})"
    return None


def postgres_admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def code_state() -> str:
    """The commit and how many files differ from it (read-only: no index refresh)."""
    git = ["git", "--no-optional-locks", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True)
        changes = subprocess.run([*git, "status", "--porcelain"], capture_output=True)
    except OSError:
        return "unknown (no git)"
    changed = len(changes.stdout.splitlines())
    suffix = f" + {changed} changed or new files" if changed else ""
    return (head.stdout.decode().strip() or "?") + suffix


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVICES = {"postgres", "redis-server"}


def _services_cpu() -> float:
    """CPU seconds of the PostgreSQL and Redis processes, their reaped children included."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1 : text.rindex(")")] in SERVICES:
            fields = text[text.rindex(")") + 2 :].split()
            total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / CLOCK_TICKS


def _machine_busy() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


@dataclass
class CpuWatch:
    """How much of the machine other processes used while a part ran: all busy time
    minus this run's (its reaped children included) and the database's and broker's."""

    wall: float = 0.0
    busy: float = 0.0
    own: float = 0.0
    services: float = 0.0

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def start(self) -> CpuWatch:
        self.wall, self.busy = time.monotonic(), _machine_busy()
        self.own, self.services = self._own(), _services_cpu()
        return self

    def other_share(self) -> float:
        wall = time.monotonic() - self.wall
        other = (
            (_machine_busy() - self.busy)
            - (self._own() - self.own)
            - (_services_cpu() - self.services)
        )
        return max(0.0, other) / (wall * (os.cpu_count() or 1))


def accelerator() -> str:
    from reportlab.lib import rl_accel

    used = sorted(rl_accel._c_funcs)
    if used:
        module = sys.modules.get("_rl_accel")
        where = getattr(module, "__file__", "?")
        return f"yes ({len(used)} of {len(rl_accel.__all__)} functions in C, {where})"
    return "no: pure Python (pip install 'reportlab[accel]' adds the rl_accel package)"


def pdf_text_size(data: bytes) -> str:
    """Pages and characters of extracted text, when pypdf is installed (test extra)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return "pypdf not installed"
    reader = PdfReader(io.BytesIO(data))
    chars = sum(len(page.extract_text() or "") for page in reader.pages)
    return f"{len(reader.pages)} pages, {chars:,} characters of text, {len(data) / 1024:.0f} KB"


# --- the reportlab floor: the same kind of pages without the app -----------------------

FLOOR_WORDS = (
    "región frontera talento ingeniería logística manufactura inversión puerto aduana "
    "clúster empleo Tijuana Mexicali Ensenada Tecate workforce supplier crossing capacity "
    "industrial park energy water permits incentives Otay Mesa median wages graduates "
    "universities bilingual engineers shelter nearshoring aerospace medical devices "
    "semiconductors freight rail highway airport seaport cargo hours minutes per year "
    "million thousand households internet fiber data centre research institute 2024 "
    "census survey report office statistics source published table annual quarterly"
).split()


@dataclass
class FloorContent:
    """About what one deck holds: ten landscape pages, ~20,000 characters of text."""

    title: str
    kpis: list[tuple[str, str, str]]
    clusters: list[tuple[str, int, float]]
    talent: list[str]
    points: list[tuple[float, float, str]]
    border: list[tuple[float, float]]
    assets: list[tuple[str, str, str, str]]
    questions: list[tuple[str, list[str]]]
    contacts: list[tuple[str, str, str]]
    sources: list[str] = field(default_factory=list)


def floor_content(seed: int) -> FloorContent:
    rng = random.Random(seed)

    def text(chars: int) -> str:
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < chars:
            words.append(rng.choice(FLOOR_WORDS))
        sentence = " ".join(words)
        return sentence[0].upper() + sentence[1:] + "."

    return FloorContent(
        title=f"Project Heron {seed}",
        kpis=[(f"{rng.randint(10, 9999):,}", text(20), text(130)) for _ in range(6)],
        clusters=[(text(30), rng.randint(2_000, 90_000), rng.uniform(0.5, 4)) for _ in range(6)],
        talent=[text(160) for _ in range(10)],
        points=[(rng.random(), rng.random(), text(14)) for _ in range(20)],
        border=sorted((rng.random(), 0.55 + rng.random() * 0.1) for _ in range(8)),
        assets=[(text(24), text(12), "Operating", f"[{n}]") for n in range(12, 24)],
        questions=[(text(45), [text(230) for _ in range(3)]) for _ in range(6)],
        contacts=[(text(30), text(60), "https://example.org/") for _ in range(7)],
        sources=[f"[{n}] " + text(285) for n in range(1, 37)],
    )


PAGE_W, PAGE_H = 792.0, 612.0  # US Letter, landscape
LEFT, RIGHT, TOP, BOTTOM = 42.0, 42.0, 36.0, 40.0


def _floor_footer(canvas: Any, fonts: tuple[str, str]) -> None:
    from reportlab.lib import colors

    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#1F3A5F"))
    canvas.rect(0, 0, PAGE_W, 6, stroke=0, fill=1)
    canvas.setFillColor(colors.HexColor("#555555"))
    canvas.setFont(fonts[0], 8)
    canvas.drawString(36, 16, "Bench EDC · Confidential")
    canvas.drawRightString(PAGE_W - 36, 16, f"Page {canvas.getPageNumber()}")
    canvas.restoreState()


class _CanvasWriter:
    """Text flowing down the page, wrapped with ``simpleSplit``, new page when full."""

    def __init__(self, canvas: Any, fonts: tuple[str, str]) -> None:
        self.canvas = canvas
        self.fonts = fonts
        self.y = PAGE_H - TOP

    def new_page(self) -> None:
        _floor_footer(self.canvas, self.fonts)
        self.canvas.showPage()
        self.y = PAGE_H - TOP

    def para(
        self,
        text: str,
        size: float = 11,
        leading: float = 14.5,
        bold: bool = False,
        x: float = LEFT,
        width: float = PAGE_W - LEFT - RIGHT,
        colour: str = "#000000",
        space: float = 2,
    ) -> None:
        from reportlab.lib import colors
        from reportlab.lib.utils import simpleSplit

        font = self.fonts[1] if bold else self.fonts[0]
        lines = simpleSplit(text, font, size, width)
        while lines:
            room = max(0, int((self.y - BOTTOM) // leading))
            if room == 0:
                self.new_page()
                continue
            chunk, lines = lines[:room], lines[room:]
            block = self.canvas.beginText(x, self.y - size)
            block.setFont(font, size, leading)
            block.setFillColor(colors.HexColor(colour))
            for line in chunk:
                block.textLine(line)
            self.canvas.drawText(block)
            self.y -= leading * len(chunk)
        self.y -= space

    def table(
        self, rows: list[list[str]], widths: list[float], x: float = LEFT, size: float = 9.5
    ) -> None:
        from reportlab.lib import colors
        from reportlab.lib.utils import simpleSplit

        canvas, leading = self.canvas, size + 2.5
        for index, row in enumerate(rows):
            font = self.fonts[1] if index == 0 else self.fonts[0]
            cells = [simpleSplit(c, font, size, w - 6) for c, w in zip(row, widths, strict=True)]
            height = max(len(c) for c in cells) * leading + 5
            if self.y - height < BOTTOM:
                self.new_page()
            canvas.setFont(font, size)
            left = x
            for lines, width in zip(cells, widths, strict=True):
                for n, line in enumerate(lines):
                    canvas.drawString(left + 3, self.y - size - 2 - n * leading, line)
                left += width
            self.y -= height
            canvas.setStrokeColor(colors.HexColor("#CCCCCC"))
            canvas.setLineWidth(0.25)
            canvas.line(x, self.y, x + sum(widths), self.y)

    def bar_chart(self, bars: list[tuple[str, int]], width: float = 700) -> None:
        from reportlab.lib import colors

        canvas, size = self.canvas, 7.5
        top = max(value for _label, value in bars)
        height = 30 + 26 * len(bars)
        base_y, base_x, plot_w = self.y - height + 20, LEFT + 200, width - 220
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.5)
        canvas.line(base_x, base_y, base_x + plot_w, base_y)
        canvas.line(base_x, base_y, base_x, base_y + 26 * len(bars))
        canvas.setFont(self.fonts[0], size)
        for tick in range(5):
            tx = base_x + plot_w * tick / 4
            canvas.line(tx, base_y, tx, base_y - 3)
            canvas.drawCentredString(tx, base_y - 12, f"{top * tick / 4:,.0f}")
        canvas.setFillColor(colors.HexColor("#C8553D"))
        for n, (label, value) in enumerate(bars):
            bar_y = base_y + 26 * n + 5
            canvas.rect(base_x, bar_y, plot_w * value / top, 16, stroke=0, fill=1)
            canvas.setFillColor(colors.black)
            canvas.drawRightString(base_x - 4, bar_y + 5, label[:40])
            canvas.drawString(base_x + plot_w * value / top + 3, bar_y + 5, f"{value:,}")
            canvas.setFillColor(colors.HexColor("#C8553D"))
        self.y -= height

    def map(self, content: FloorContent, width: float = 400, height: float = 330) -> None:
        from reportlab.lib import colors

        canvas, x0, y0 = self.canvas, LEFT, self.y - height
        canvas.setFillColor(colors.HexColor("#F4F1EA"))
        canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
        canvas.rect(x0, y0, width, height, stroke=1, fill=1)
        path = canvas.beginPath()
        for n, (bx, by) in enumerate(content.border):
            if n:
                path.lineTo(x0 + bx * width, y0 + by * height)
            else:
                path.moveTo(x0 + bx * width, y0 + by * height)
        canvas.setStrokeColor(colors.HexColor("#C8553D"))
        canvas.setDash(3, 2)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.setDash()
        canvas.setFont(self.fonts[0], 6.5)
        for px, py, label in content.points:
            cx, cy = x0 + 10 + px * (width - 20), y0 + 10 + py * (height - 20)
            canvas.setFillColor(colors.HexColor("#666666"))
            canvas.circle(cx, cy, 2.5, stroke=1, fill=1)
            canvas.setFillColor(colors.black)
            canvas.drawString(cx + 5, cy + 2, label)


def canvas_deck(content: FloorContent) -> bytes:
    """The floor: the content drawn straight onto a canvas (no platypus, no graphics)."""
    from reportlab.pdfgen.canvas import Canvas

    from promotion.decks import text as t

    t.register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=1)
    out = _CanvasWriter(canvas, (t.FONT, t.FONT_BOLD))
    heading = {"size": 24, "leading": 30, "bold": True, "colour": "#1F3A5F", "space": 14}
    sub = {"size": 13, "leading": 17, "bold": True, "colour": "#C8553D", "space": 4}
    out.y -= 60
    out.para("Prepared for", **sub)
    out.para(content.title, size=34, leading=42, bold=True, colour="#1F3A5F", space=12)
    out.para("Project: new operation · 120 jobs · 15,000,000 USD")
    out.para("Presented by Bench EDC, 1 January 2026, Cali-Baja")
    out.new_page()
    out.para("The region at a glance", **heading)
    for row in range(2):
        top = out.y
        for col, (value, unit, what) in enumerate(content.kpis[row * 3 : row * 3 + 3]):
            out.y = top
            x = LEFT + col * 236
            out.para(value, size=24, leading=28, bold=True, colour="#1F3A5F", x=x, width=230)
            out.para(unit, size=8.5, leading=11, x=x, width=230)
            out.para(what, size=9.5, leading=12, x=x, width=230)
        out.y -= 10
    out.new_page()
    out.para("Why your industry fits", **heading)
    out.para("Clusters matching NAICS 339112", **sub)
    rows = [["Cluster", "Employment", "Concentration (location quotient)", "Source"]]
    rows += [[n, f"{e:,}", f"{q:.2f}", "[7]"] for n, e, q in content.clusters]
    out.table(rows, [300, 100, 230, 70])
    out.para("Employment by cluster", **sub)
    out.bar_chart([(n, e) for n, e, _q in content.clusters])
    out.new_page()
    out.para("Talent", **heading)
    out.para("Workforce", **sub)
    for line in content.talent:
        out.para(line, size=9.5, leading=12)
    out.new_page()
    out.para("Getting goods and people across", **heading)
    top = out.y
    out.map(content)
    out.y = top
    rows = [["Asset", "Kind", "Status", ""], *[list(a) for a in content.assets]]
    out.table(rows, [138, 82, 86, 34], x=LEFT + 410)
    out.y = top - 340
    out.para("Map drawn from the coordinates on file.", size=8.5, leading=11)
    out.new_page()
    out.para("Your questions, answered", **heading)
    for question, answers in content.questions:
        out.para(question, **sub)
        for answer in answers:
            out.para(answer, size=9.5, leading=12)
    out.new_page()
    out.para("Your contacts", **heading)
    out.para(content.contacts[0][0], bold=True)
    out.para(content.contacts[0][1] + " " + content.contacts[0][2])
    out.para("Other partners of the region", **sub)
    rows = [[f"{n} {r} {u}" for n, r, u in content.contacts[1:4]]]
    rows += [[f"{n} {r} {u}" for n, r, u in content.contacts[4:7]]]
    out.table(rows, [236, 236, 236], size=8.5)
    out.new_page()
    out.para("Sources", **heading)
    for line in content.sources:
        out.para(line, size=8.5, leading=11, space=0)
    _floor_footer(canvas, out.fonts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def platypus_deck(content: FloorContent) -> bytes:
    """A plain platypus document of the same content (paragraphs, tables, graphics)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Circle, Drawing, PolyLine, Rect, String
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    from promotion.decks import text as t

    t.register_fonts()
    primary, accent = colors.HexColor("#1F3A5F"), colors.HexColor("#C8553D")
    body = ParagraphStyle("body", fontName=t.FONT, fontSize=11, leading=14.5)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)
    cell = ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12)
    big = ParagraphStyle(
        "big", parent=body, fontName=t.FONT_BOLD, fontSize=24, leading=28, textColor=primary
    )
    h1 = ParagraphStyle(
        "h1", parent=big, leading=30, spaceAfter=14, fontName=t.FONT_BOLD, textColor=primary
    )
    h2 = ParagraphStyle(
        "h2",
        parent=body,
        fontName=t.FONT_BOLD,
        fontSize=13,
        leading=17,
        spaceBefore=8,
        spaceAfter=4,
        textColor=accent,
    )
    title = ParagraphStyle("title", parent=big, fontSize=34, leading=42, spaceAfter=12)

    def para(text: str, style: Any) -> Any:
        return Paragraph(escape(text), style)

    def table(rows: list[list[Any]], widths: list[float], header: bool = True) -> Any:
        result = RLTable(rows, colWidths=widths, repeatRows=1 if header else 0)
        style = [
            ("FONTNAME", (0, 0), (-1, -1), t.FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 9.5),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#CCCCCC")),
        ]
        if header:
            style += [
                ("FONTNAME", (0, 0), (-1, 0), t.FONT_BOLD),
                ("TEXTCOLOR", (0, 0), (-1, 0), primary),
            ]
        result.setStyle(TableStyle(style))
        return result

    story: list[Any] = [Spacer(1, 60), para("Prepared for", h2), para(content.title, title)]
    story += [para("Project: new operation · 120 jobs · 15,000,000 USD", body), Spacer(1, 30)]
    story += [para("Presented by Bench EDC, 1 January 2026", body), para("Cali-Baja", h2)]
    story += [PageBreak(), para("The region at a glance", h1)]
    cells = [[para(v, big), para(u, small), para(w, cell)] for v, u, w in content.kpis]
    story.append(table([cells[0:3], cells[3:6]], [236, 236, 236], header=False))
    story += [PageBreak(), para("Why your industry fits", h1)]
    story.append(para("Clusters matching NAICS 339112", h2))
    rows: list[list[Any]] = [["Cluster", "Employment", "Concentration (location quotient)", ""]]
    rows += [[para(n, cell), f"{e:,}", f"{q:.2f}", "[7]"] for n, e, q in content.clusters]
    story.append(table(rows, [300, 100, 230, 70]))
    story.append(para("Employment by cluster", h2))
    chart_drawing = Drawing(700, 30 + 26 * len(content.clusters))
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width = 200, 20, 480
    chart.height = 26 * len(content.clusters)
    chart.data = [[e for _n, e, _q in content.clusters]]
    chart.categoryAxis.categoryNames = [n[:40] for n, _e, _q in content.clusters]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = t.FONT
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = accent
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = t.FONT
    chart_drawing.add(chart)
    story += [chart_drawing, PageBreak(), para("Talent", h1), para("Workforce", h2)]
    story += [para(line, cell) for line in content.talent]
    story += [PageBreak(), para("Getting goods and people across", h1)]
    map_drawing = Drawing(400, 346)
    map_drawing.add(
        Rect(0, 0, 400, 330, fillColor=colors.HexColor("#F4F1EA"), strokeColor=colors.grey)
    )
    line = [coordinate for bx, by in content.border for coordinate in (bx * 400, by * 330)]
    map_drawing.add(PolyLine(line, strokeColor=accent, strokeDashArray=[3, 2]))
    for px, py, label in content.points:
        cx, cy = 10 + px * 380, 10 + py * 310
        map_drawing.add(Circle(cx, cy, 2.5, fillColor=colors.grey, strokeColor=colors.grey))
        map_drawing.add(String(cx + 5, cy + 2, label, fontName=t.FONT, fontSize=6.5))
    rows = [["Asset", "Kind", "Status", ""]]
    rows += [[para(a[0], cell), a[1], a[2], a[3]] for a in content.assets]
    layout = RLTable([[map_drawing, table(rows, [138, 82, 86, 34])]], colWidths=[410, 340])
    layout.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [layout, para("Map drawn from the coordinates on file.", small)]
    story += [PageBreak(), para("Your questions, answered", h1)]
    for question, answers in content.questions:
        story.append(para(question, h2))
        story += [para(answer, cell) for answer in answers]
    story += [PageBreak(), para("Your contacts", h1)]
    name, role, url = content.contacts[0]
    story.append(Paragraph(f"<b>{escape(name)}</b><br/>{escape(role)}<br/>{escape(url)}", body))
    story.append(para("Other partners of the region", h2))
    cards = [
        Paragraph(f"<b>{escape(n)}</b><br/>{escape(r)}<br/>{escape(u)}", small)
        for n, r, u in content.contacts[1:]
    ]
    story.append(table([cards[0:3], cards[3:6]], [236, 236, 236], header=False))
    story += [PageBreak(), para("Sources", h1)]
    story += [para(line, small) for line in content.sources]

    def on_page(canvas: Any, doc: Any) -> None:
        _floor_footer(canvas, (t.FONT, t.FONT_BOLD))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(PAGE_W, PAGE_H),
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        invariant=1,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# --- the data: prospects with five questions -------------------------------------------


@dataclass
class BenchData:
    user: Any
    prospects: list[Any]

    def pairs(self, count: int) -> list[tuple[Any, str]]:
        """``count`` (prospect, language) pairs, no two alike: none is deduplicated."""
        pairs = [(p, lang) for p in self.prospects for lang in ("en", "es")]
        if count > len(pairs):
            raise ValueError(f"{count} decks need {math.ceil(count / 2)} prospects")
        return pairs[:count]


def bench_data(prospects: int) -> BenchData:
    from django.contrib.auth import get_user_model

    from promotion.models import Partner, PartnerRole, Region
    from promotion.services.crm import membership_add, prospect_create, question_record
    from promotion.services.datasets import dataset_load

    dataset_load(name="calibaja")
    region = Region.objects.get(slug="calibaja")
    partner = Partner.objects.filter(region=region).order_by("pk").first()
    user_model = get_user_model()
    login = user_model.USERNAME_FIELD
    user = user_model._default_manager.create(
        **{login: "bench@example.org" if login == "email" else "bench"}, is_staff=True
    )
    membership_add(partner=partner, user=user, role=PartnerRole.EDITOR)
    created = []
    for n in range(prospects):
        language = ("en", "es")[n % 2]
        industry, naics = INDUSTRIES[n % len(INDUSTRIES)]
        prospect = prospect_create(
            actor=user,
            partner=partner,
            company_name=f"Bench Company {n}",
            country=("KR", "JP", "US", "DE")[n % 4],
            industry=industry,
            naics_code=naics,
            estimated_jobs=120 + n,
            capital_investment=15_000_000 + n,
            language=language,
        )
        asked = QUESTIONS[language]
        for k in range(5):
            question_record(
                actor=user, prospect=prospect, text=asked[(n + k) % len(asked)], language=language
            )
        created.append(prospect)
    return BenchData(user=user, prospects=created)


# --- 1 and 2: in process ---------------------------------------------------------------


@contextmanager
def timed_builds(into: list[float]) -> Iterator[None]:
    """Time ``SimpleDocTemplate.build`` (platypus layout and PDF output) inside a deck
    render, by wrapping it in this process for the duration."""
    from reportlab.platypus import SimpleDocTemplate

    original = SimpleDocTemplate.build

    def build(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            into.append(time.perf_counter() - started)

    SimpleDocTemplate.build = build  # type: ignore[method-assign]
    try:
        yield
    finally:
        SimpleDocTemplate.build = original  # type: ignore[method-assign]


@dataclass
class InProcess:
    cold: float
    deck: list[float]
    layout: list[float]
    request: list[float]
    canvas: list[float]
    platypus: list[float]
    queries: int
    sizes: dict[str, str]


def in_process(data: BenchData, renders: int) -> InProcess:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from promotion.models import DeckStatus
    from promotion.services.decks import deck_render, deck_request

    user, prospect = data.user, data.prospects[0]

    def render() -> tuple[float, float, Any]:
        started = time.perf_counter()
        deck = deck_request(actor=user, prospect=prospect, enqueue=False)
        requested = time.perf_counter()
        deck = deck_render(deck_id=deck.pk, user_id=user.pk)
        finished = time.perf_counter()
        if deck.status != DeckStatus.READY:
            raise RuntimeError(f"deck {deck.pk} is {deck.status}: {deck.error}")
        return finished - requested, requested - started, deck

    cold, _request, _deck = render()  # the first deck of this process: the cold one
    with CaptureQueriesContext(connection) as captured:
        _render, _request, deck = render()
    queries = len(captured)
    with deck.file.open("rb") as handle:
        deck_pdf = handle.read()
    canvas_pdf = canvas_deck(floor_content(0))
    platypus_pdf = platypus_deck(floor_content(0))
    result = InProcess(
        cold=cold,
        deck=[],
        layout=[],
        request=[],
        canvas=[],
        platypus=[],
        queries=queries,
        sizes={
            "deck": pdf_text_size(deck_pdf),
            "canvas": pdf_text_size(canvas_pdf),
            "platypus": pdf_text_size(platypus_pdf),
        },
    )

    def time_deck(i: int) -> None:
        with timed_builds(result.layout):
            took, request, _deck = render()
        result.deck.append(took)
        result.request.append(request)

    def time_floor(build: Callable[[FloorContent], bytes], into: list[float]) -> Any:
        def run(i: int) -> None:
            content = floor_content(i)
            started = time.perf_counter()
            build(content)
            into.append(time.perf_counter() - started)

        return run

    runs = [time_deck, time_floor(canvas_deck, result.canvas)]
    runs.append(time_floor(platypus_deck, result.platypus))
    for i in range(1, renders + 1):
        for run in runs[i % 3 :] + runs[: i % 3]:  # interleaved, order rotated
            gc.collect()
            run(i)
    return result


# --- 3 and 4: a real worker ------------------------------------------------------------


def proc_children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return sorted(set(children))


def proc_memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (kB) of a process, and its Pss when smaps_rollup is readable."""
    result: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _sep, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                result[key] = int(value.split()[0])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                result["Pss"] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return result


class Worker:
    """``celery -A calibaja worker`` in its own session; stopped by its pid only."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log_path = env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.seen: set[int] = set()
        self.started = 0.0

    def start(self) -> None:
        celery = str(Path(sys.executable).with_name("celery"))
        command = [celery, *WORKER_ARGS.split(), "--hostname", f"bench-decks-{os.getpid()}@%h"]
        with self.log_path.open("ab") as log:
            self.started = time.perf_counter()
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def check(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"the worker exited; its log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def children(self) -> list[int]:
        if self.process is None:
            return []
        found = proc_children(self.process.pid)
        self.seen.update(found)
        return found

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        self.children()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
                process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in self.seen):
            time.sleep(0.1)
        for pid in self.seen:
            if _alive(pid) and b"celery" in _cmdline(pid):  # still a pool process of ours
                os.kill(pid, signal.SIGKILL)
        self.process = None


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_terminal(ids: list[int], worker: Worker | None, timeout: float) -> None:
    from promotion.models import DeckStatus, PitchDeck

    deadline = time.monotonic() + timeout
    done = (DeckStatus.READY, DeckStatus.FAILED)
    while PitchDeck.objects.filter(pk__in=ids, status__in=done).count() < len(ids):
        if worker is not None:
            worker.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"decks not finished after {timeout:.0f} s")
        time.sleep(0.05)


@dataclass
class Throughput:
    decks: int
    seconds: float
    failed: int
    render_median: float
    latency_median: float

    @property
    def rate(self) -> float:
        return self.decks / self.seconds


def throughput_of(ids: list[int], started: float) -> Throughput:
    from promotion.models import DeckStatus, PitchDeck

    rows = list(
        PitchDeck.objects.filter(pk__in=ids).values_list(
            "status", "requested_at", "started_at", "finished_at"
        )
    )
    finished = max(row[3] for row in rows).timestamp()
    renders = [(f - s).total_seconds() for _st, _r, s, f in rows if s and f]
    latencies = [(f - r).total_seconds() for _st, r, _s, f in rows if f]
    return Throughput(
        decks=len(ids),
        seconds=finished - started,
        failed=sum(row[0] != DeckStatus.READY for row in rows),
        render_median=statistics.median(renders),
        latency_median=statistics.median(latencies),
    )


def request_decks(data: BenchData, count: int, enqueue: bool) -> list[Any]:
    from promotion.services.decks import deck_request

    decks = [
        deck_request(actor=data.user, prospect=p, language=lang, enqueue=enqueue)
        for p, lang in data.pairs(count)
    ]
    if len({deck.pk for deck in decks}) != count:  # an active deck was handed back
        raise RuntimeError("deck requests were deduplicated: a previous deck is still active")
    return decks


def _pool_init(root: str) -> None:
    sys.path.insert(0, root)
    import django

    django.setup()


def _pool_render(deck_id: int, user_id: int) -> str:
    from promotion.services.decks import deck_render

    return deck_render(deck_id=deck_id, user_id=user_id).status


def celery_round(data: BenchData, worker: Worker, count: int) -> Throughput:
    started = time.time()
    ids = [deck.pk for deck in request_decks(data, count, enqueue=True)]
    wait_terminal(ids, worker, timeout=WORKER_TIMEOUT)
    return throughput_of(ids, started)


def pool_round(data: BenchData, pool: ProcessPoolExecutor, count: int) -> Throughput:
    started = time.time()
    futures, ids = [], []
    for deck in request_decks(data, count, enqueue=False):
        ids.append(deck.pk)
        futures.append(pool.submit(_pool_render, deck.pk, data.user.pk))
    wait(futures)
    for future in futures:
        future.result()
    return throughput_of(ids, started)


@dataclass
class Round:
    celery: Throughput
    pool: Throughput

    @property
    def ratio(self) -> float:
        return self.celery.rate / self.pool.rate


def throughput(
    data: BenchData, worker: Worker, count: int, rounds: int
) -> tuple[float, list[Round]]:
    """Rounds of ``count`` decks through the worker and through the bare pool, in
    alternating order; both are started and warmed up (two decks) first, and the one not
    measured stays idle. Returns the worker's start-to-first-deck time and the rounds."""
    worker.start()
    warm = [deck.pk for deck in request_decks(data, 2, enqueue=True)]
    wait_terminal(warm, worker, timeout=120)
    ready = time.perf_counter() - worker.started
    context = multiprocessing.get_context("spawn")  # each child sets Django up itself
    results = []
    with ProcessPoolExecutor(
        2, mp_context=context, initargs=(str(ROOT),), initializer=_pool_init
    ) as pool:
        for deck in request_decks(data, 2, enqueue=False):
            pool.submit(_pool_render, deck.pk, data.user.pk).result()
        for n in range(rounds):
            if n % 2:
                bare = pool_round(data, pool, count)
                queued = celery_round(data, worker, count)
            else:
                queued = celery_round(data, worker, count)
                bare = pool_round(data, pool, count)
            results.append(Round(celery=queued, pool=bare))
            print(
                f"  round {n + 1}: worker {queued.rate:.1f} decks/s, bare pool "
                f"{bare.rate:.1f} decks/s ({results[-1].ratio:.0%})",
                flush=True,
            )
    worker.stop()
    return ready, results


@dataclass
class MemorySample:
    decks: int
    children: dict[int, dict[str, int]]

    def total(self, key: str) -> int:
        return sum(m.get(key, 0) for m in self.children.values())


def worker_memory(data: BenchData, worker: Worker, count: int) -> list[MemorySample]:
    worker.start()
    deadline = time.monotonic() + 60
    while len(worker.children()) < 2:
        worker.check()
        if time.monotonic() > deadline:
            raise TimeoutError("the worker started no pool processes in 60 s")
        time.sleep(0.1)
    time.sleep(1)
    samples = [MemorySample(0, {pid: proc_memory(pid) for pid in worker.children()})]
    step = max(1, min(MEMORY_STEP, count // 2))
    done = 0
    while done < count:
        batch = min(step, count - done)
        ids = [deck.pk for deck in request_decks(data, batch, enqueue=True)]
        wait_terminal(ids, worker, timeout=WORKER_TIMEOUT)
        done += batch
        samples.append(MemorySample(done, {pid: proc_memory(pid) for pid in worker.children()}))
        print(f"  after {done:>4} decks: {describe_sample(samples[-1])}", flush=True)
    return samples


def describe_sample(sample: MemorySample) -> str:
    parts = [
        f"pid {pid} RSS {m.get('VmRSS', 0) / 1024:.1f} MB (peak {m.get('VmHWM', 0) / 1024:.1f}"
        + (f", PSS {m['Pss'] / 1024:.1f}" if "Pss" in m else "")
        + ")"
        for pid, m in sorted(sample.children.items())
    ]
    return "; ".join(parts) or "no pool processes"


# --- the run ---------------------------------------------------------------------------


@contextmanager
def redis_keys_cleaned(url: str) -> Iterator[int]:
    """Delete the keys that appear in the broker's database during the run (kombu's
    bindings, the queue, the unacked index): only those, never keys that were there.
    Yields the number of messages already waiting in the default queue."""
    import redis

    client = redis.Redis.from_url(url)
    before = set(client.keys("*"))
    try:
        yield client.llen("celery")
    finally:
        created = set(client.keys("*")) - before
        if created:
            client.delete(*created)
        client.close()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, help="timed in-process renders (30)")
    parser.add_argument("--decks", type=int, help="decks through the worker and the pool (200)")
    parser.add_argument("--rounds", type=int, help="rounds of worker vs pool decks (3)")
    parser.add_argument("--memory-decks", type=int, help="decks for the memory samples (500)")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 10 renders, 20 decks once, 50 decks"
    )
    parser.add_argument(
        "--memory-only", action="store_true", help="run part 4 only (the worker's memory)"
    )
    parser.add_argument(
        "--database", default=BENCH_DB, help=f"the bench database, created and dropped ({BENCH_DB})"
    )
    parser.add_argument(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the worker parts (default: when Redis answers)",
    )
    parser.add_argument(
        "--django-debug", action="store_true", help="run with DJANGO_DEBUG=1 (DEBUG on)"
    )
    args = parser.parse_args(argv)
    quick = {"renders": 10, "decks": 20, "rounds": 1, "memory_decks": 50}
    full = {"renders": 30, "decks": 200, "rounds": 3, "memory_decks": 500}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


@dataclass
class Results:
    args: argparse.Namespace
    code: str = ""
    matched: str = ""
    local: InProcess | None = None
    accel: str = ""
    worker_ready: float = 0.0
    rounds: list[Round] = field(default_factory=list)
    memory: list[MemorySample] = field(default_factory=list)
    other_cpu: dict[str, float] = field(default_factory=dict)
    skipped: str = ""


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks run
    started = time.perf_counter()
    server_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    broker_url = os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL
    results = Results(args=args, code=code_state())
    if not args.database.isidentifier():
        print(f"--database must be a plain identifier, not {args.database!r}", file=sys.stderr)
        return 2

    pg_problem = postgres_problem(server_url)
    if args.memory_only and args.worker is False:
        print("--memory-only needs the worker", file=sys.stderr)
        return 2
    if args.worker is False:
        results.skipped = "--no-worker given"
    elif pg_problem:
        results.skipped = f"needs PostgreSQL: {pg_problem}"
    elif problem := redis_problem(broker_url):
        results.skipped = f"needs a broker: {problem}"
    if results.skipped and (args.worker or args.memory_only):
        print(f"--worker asked for, but it {results.skipped}", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="promotion-bench-decks-"))
    database_url = (
        f"sqlite:///{scratch / 'bench.sqlite3'}"
        if pg_problem
        else with_database(server_url, args.database)
    )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="calibaja.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL="" if results.skipped else broker_url,
        DJANGO_VAR_DIR=str(scratch / "var"),
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_DEBUG="1" if args.django_debug else "0",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    if not args.django_debug:
        os.environ["DJANGO_SECRET_KEY"] = "bench-only-" + secrets.token_urlsafe(32)
    sys.path.insert(0, str(ROOT))
    print(f"code: {results.code}; settings: calibaja.settings, DEBUG {os.environ['DJANGO_DEBUG']}")
    print(f"database: {'SQLite (' + pg_problem + ')' if pg_problem else args.database}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    workers: list[Worker] = []
    try:
        if not pg_problem:
            postgres_admin(
                server_url,
                f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)",
                f"CREATE DATABASE {args.database}",
            )
        run(results, scratch, broker_url, workers)
    finally:
        for worker in workers:
            worker.stop()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not pg_problem:
            postgres_admin(server_url, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        shutil.rmtree(scratch, ignore_errors=True)
    report(results)
    print(
        f"\n(total run time {time.perf_counter() - started:.0f} s; the bench database, "
        "its files and the Redis keys it created are removed)"
    )
    return 0


def run(results: Results, scratch: Path, broker_url: str, workers: list[Worker]) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from promotion.models import Question

    args = results.args
    call_command("migrate", verbosity=0)
    decks = 0 if args.memory_only else args.decks
    prospects = math.ceil(max(decks, min(MEMORY_STEP, args.memory_decks), 2) / 2)
    setup_started = time.perf_counter()
    data = bench_data(prospects)
    questions = Question.objects.filter(prospect__in=data.prospects)
    results.matched = (
        f"{questions.filter(facts__isnull=False).distinct().count()} of {questions.count()}"
    )
    print(
        f"set up: Cali-Baja data set, {prospects} prospects with 5 questions each, "
        f"{results.matched} answered by facts ({time.perf_counter() - setup_started:.1f} s)",
        flush=True,
    )

    if not args.memory_only:
        print(f"\n1-2. In process: 1 cold render, then {args.renders} interleaved renders of each")
        watch = CpuWatch().start()
        results.local = in_process(data, args.renders)
        results.other_cpu["in process"] = watch.other_share()
        for name, size in results.local.sizes.items():
            print(f"  {name:<9} {size}")
    results.accel = accelerator()
    if results.skipped:
        print(f"\n3-4. Worker parts skipped: the worker {results.skipped}")
        return

    with redis_keys_cleaned(broker_url) as queued:
        if queued:
            print(f"  warning: {queued} messages were already queued on {broker_url}")
        if not args.memory_only:
            print(
                f"\n3. Throughput: {args.rounds} rounds of {args.decks} decks, celery worker vs "
                "bare pool",
                flush=True,
            )
            watch = CpuWatch().start()
            workers.append(Worker(dict(os.environ), scratch / "worker.log"))
            results.worker_ready, results.rounds = throughput(
                data, workers[-1], args.decks, args.rounds
            )
            results.other_cpu["throughput"] = watch.other_share()

        print(f"\n4. Memory of a fresh worker's pool processes over {args.memory_decks} decks")
        watch = CpuWatch().start()
        workers.append(Worker(dict(os.environ), scratch / "worker-memory.log"))
        results.memory = worker_memory(data, workers[-1], args.memory_decks)
        workers[-1].stop()
        results.other_cpu["memory"] = watch.other_share()


def local_rows(local: InProcess, accel: str) -> list[tuple[str, str]]:
    deck, canvas, platypus = (
        statistics.median(x) for x in (local.deck, local.canvas, local.platypus)
    )
    return [
        ("deck render, first in process (cold)", ms(local.cold)),
        (f"deck render, median of {len(local.deck)}", ms(deck)),
        (f"deck render, p95 of {len(local.deck)}", ms(p95(local.deck))),
        (
            "  of which doc.build (platypus layout, PDF), median",
            ms(statistics.median(local.layout)),
        ),
        ("database queries per deck (request and render)", str(local.queries)),
        ("deck_request before each render, median", ms(statistics.median(local.request))),
        ("canvas floor, median", ms(canvas)),
        ("platypus floor, median", ms(platypus)),
        ("deck / canvas floor (aim < 3x)", f"{deck / canvas:.2f}x"),
        ("deck / platypus floor", f"{deck / platypus:.2f}x"),
        ("platypus floor / canvas floor", f"{platypus / canvas:.2f}x"),
        ("reportlab C accelerator in use", accel),
    ]


def report(results: Results) -> None:
    local, rounds, memory = results.local, results.rounds, results.memory
    rows: list[tuple[str, str]] = [
        ("code", results.code),
        ("questions answered by facts", results.matched),
    ]
    if local is not None:
        rows += local_rows(local, results.accel)
    if rounds:
        celery = [r.celery.rate for r in rounds]
        pool = [r.pool.rate for r in rounds]
        ratios = [r.ratio for r in rounds]
        count, spread = rounds[0].celery.decks, len(rounds) > 1

        def figure(values: list[float], unit: str, fmt: str = ".1f") -> str:
            text = f"{statistics.median(values):{fmt}}{unit}"
            return text + (f" ({min(values):{fmt}} to {max(values):{fmt}})" if spread else "")

        rows += [
            ("worker start to first deck ready", f"{results.worker_ready:.2f} s"),
            (f"celery worker (prefork, c=2), {count} decks", figure(celery, " decks/s")),
            (f"bare ProcessPoolExecutor(2), {count} decks", figure(pool, " decks/s")),
            ("worker / bare pool, same round (aim >= 90%)", figure(ratios, "", ".0%")),
            (
                "render time per deck, worker vs pool, median",
                f"{ms(statistics.median(r.celery.render_median for r in rounds))} vs "
                f"{ms(statistics.median(r.pool.render_median for r in rounds))}",
            ),
            (
                "request to ready, worker vs pool, median",
                f"{statistics.median(r.celery.latency_median for r in rounds):.2f} s vs "
                f"{statistics.median(r.pool.latency_median for r in rounds):.2f} s",
            ),
            (
                "failed decks, worker / pool",
                f"{sum(r.celery.failed for r in rounds)} / {sum(r.pool.failed for r in rounds)}",
            ),
        ]
    elif results.skipped:
        rows.append(("worker parts (3, 4)", f"skipped: the worker {results.skipped}"))
    if len(memory) >= 2:
        first, last = memory[1], memory[-1]
        growth = last.total("VmRSS") - first.total("VmRSS")
        changed = "" if set(first.children) == set(last.children) else " (processes replaced!)"
        rows += [
            ("worker pool RSS, idle (2 processes)", f"{memory[0].total('VmRSS') / 1024:.1f} MB"),
            (
                f"worker pool RSS after {first.decks} / {last.decks} decks",
                f"{first.total('VmRSS') / 1024:.1f} / {last.total('VmRSS') / 1024:.1f} MB",
            ),
            (
                f"RSS growth, {first.decks} to {last.decks} decks{changed}",
                f"{growth / 1024:+.1f} MB ({growth / 2 / 1024:+.1f} MB per process)",
            ),
        ]
        middle = memory[len(memory) // 2]
        if middle is not first and middle is not last:
            settled = last.total("VmRSS") - middle.total("VmRSS")
            rows.append(
                (
                    f"RSS growth, {middle.decks} to {last.decks} decks",
                    f"{settled / 1024:+.1f} MB ({settled / 2 / 1024:+.1f} MB per process)",
                )
            )
        rows += [
            (
                "peak RSS (VmHWM) of each pool process",
                ", ".join(f"{m.get('VmHWM', 0) / 1024:.1f} MB" for m in last.children.values()),
            ),
        ]
        if last.total("Pss"):
            rows.append(
                (
                    f"worker pool PSS after {first.decks} / {last.decks} decks",
                    f"{first.total('Pss') / 1024:.1f} / {last.total('Pss') / 1024:.1f} MB",
                )
            )
    rows += [
        (f"CPU used by other processes: {part}", f"{share:.0%} of the machine")
        for part, share in results.other_cpu.items()
    ]
    width = max(len(label) for label, _value in rows)
    args = results.args
    parts = (
        f"{args.memory_decks} memory decks"
        if args.memory_only
        else f"{args.renders} renders, {args.rounds} x {args.decks} worker decks, "
        f"{args.memory_decks} memory decks"
    )
    print(f"\nFigures ({'--quick' if args.quick else 'full run'}: {parts})")
    print(f"  {'-' * width}  {'-' * 30}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    busy = [part for part, share in results.other_cpu.items() if share > 0.05]
    if busy:
        print(
            f"  warning: other processes used more than 5% of the CPUs during: {', '.join(busy)}; "
            "compare the ratios, and run again on a quiet machine for absolute figures"
        )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
