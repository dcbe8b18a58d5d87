"""The deck's sections. Each is a small class named in ``PROMOTION['DECK_SECTIONS']``.

Every piece of database text that enters a ``Paragraph`` goes through ``para_markup``;
chart labels and canvas strings go through ``plain``. Nothing here writes markup from
user text other than through those two.
"""

from __future__ import annotations

import copy
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import translation

from promotion.decks import text as t
from promotion.decks.renderer import DeckContext, Section, paragraph
from promotion.models import (
    AssetKind,
    AssetStatus,
    Fact,
    FactStatus,
    IndustryCluster,
    InfrastructureAsset,
    Institution,
    Locality,
    Partner,
    Question,
    Source,
    TalentPool,
)
from promotion.uploads import MAX_LOGO_BYTES, validate_logo

MAX_QUESTIONS = 8
MAX_FACTS_PER_QUESTION = 3
MAX_CLUSTERS = 6
MAX_ASSETS = 12
MAX_POOLS = 6
MAX_TALENT_FACTS = 2
MAX_COST_FACTS = 3
# The crossings map's inset: how much closer than the region's map, the radius of the
# area it centres on, and the least height worth drawing.
INSET_ZOOM = 2.5
INSET_RADIUS_KM = 40.0
INSET_MIN_HEIGHT = 90.0
INSET_GAP = 8.0
MAP_LABEL_SIZE = 6.5


def P(markup: str, style: Any) -> Any:
    return paragraph(markup, style)


def english_label(label: Any) -> str:
    with translation.override("en"):
        return str(label)


def choice_label(ctx: DeckContext, field: Any, value: Any) -> str:
    """What ``get_<field>_display()`` gives for ``value``, in the deck's language: the
    choices' labels are translated once per deck, not once per row."""
    labels = ctx.once(
        f"choices:{field.model._meta.label}.{field.name}",
        lambda: {key: ctx.tr(english_label(label)) for key, label in field.flatchoices},
    )
    return labels[value] if value in labels else ctx.tr(str(value))


def border_line(points: list[tuple[float, float]], width: float, height: float) -> list[float]:
    """The border as a polyline through the crossings' positions (ordered west to east),
    carried on to both edges of the map along its end segments. Ports of entry stand on
    the border, so the line is as good as their coordinates, and needs no other data."""
    points = sorted(points)

    def carried(a: tuple[float, float], b: tuple[float, float], x: float) -> float:
        if abs(b[0] - a[0]) < 1e-6:
            return a[1]
        y = a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])
        return min(max(y, 0.0), height)

    if len(points) == 1:
        y = points[0][1]
        ends = [(0.0, y), (width, y)]
    else:
        ends = [
            (0.0, carried(points[0], points[1], 0.0)),
            (width, carried(points[-2], points[-1], width)),
        ]
    line = [ends[0], *points, ends[1]]
    return [coordinate for xy in line for coordinate in xy]


@cache
def kilometres(lat_a: Any, lon_a: Any, lat_b: Any, lon_b: Any) -> float:
    """The great-circle distance between two points, in kilometres."""
    lat_a, lon_a, lat_b, lon_b = map(math.radians, map(float, (lat_a, lon_a, lat_b, lon_b)))
    cord = (
        math.sin((lat_b - lat_a) / 2) ** 2
        + math.cos(lat_a) * math.cos(lat_b) * math.sin((lon_b - lon_a) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(cord))


def _figure_class() -> type:
    from reportlab.platypus import Flowable

    class Figure(Flowable):  # type: ignore[misc]
        def __init__(self, width: float, height: float, paint: Callable[[Any], None]) -> None:
            super().__init__()
            self.width, self.height, self.paint = width, height, paint

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            self.paint(self.canv)

    return Figure


def figure(width: float, height: float, paint: Callable[[Any], None]) -> Any:
    """A flowable of ``width`` by ``height`` points that ``paint(canvas)`` draws, the
    origin at its bottom left: a map or chart drawn straight on the canvas costs a
    fraction of a reportlab graphics ``Drawing`` (no shape tree, no renderer state)."""
    return _figure_class()(width, height, paint)


def polygon(canvas: Any, points: list[float], close: bool = True) -> Any:
    """A path through ``points`` (x0, y0, x1, y1...), closed unless ``close`` is False."""
    path = canvas.beginPath()
    path.moveTo(points[0], points[1])
    for i in range(2, len(points), 2):
        path.lineTo(points[i], points[i + 1])
    if close:
        path.close()
    return path


def published_facts(ctx: DeckContext) -> Any:
    return Fact.objects.filter(region=ctx.region, status=FactStatus.PUBLISHED).select_related(
        "source"
    )


def fact_line(ctx: DeckContext, fact: Fact) -> str:
    """A fact as markup: statement, value and unit, as-of date and its citation."""
    statement = ctx.localized(fact, "text")
    unit = ctx.localized(fact, "unit")
    value = fact.value
    if fact.value_number is not None:
        value = t.number(fact.value_number, ctx.language)
    figure = f"{value} {unit}".strip()
    as_of = ctx.date(fact.as_of, fact.as_of_precision)
    number = ctx.cite(fact)
    parts = [t.para_markup(statement)]
    if figure and figure not in statement:
        parts.append(f"<b>{t.para_markup(figure, t.MAX_SHORT)}</b>")
    parts.append(f"({t.para_markup(ctx.tr('as of %(date)s', date=as_of))}) [{number}]")
    return " ".join(parts)


def table(rows: list[list[Any]], widths: list[float], ctx: DeckContext, header: bool = True) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    result = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), t.FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#CCCCCC")),
    ]
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), t.FONT_BOLD),
            ("TEXTCOLOR", (0, 0), (-1, 0), ctx.colours["primary"]),
        ]
    result.setStyle(TableStyle(style))
    return result


class CoverSection(Section):
    key = "cover"

    def logo(self, ctx: DeckContext) -> Any:
        """The partner's logo, only from its file in the app's storage."""
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        if not ctx.partner.logo:
            return None
        try:
            with ctx.partner.logo.open("rb") as handle:
                data = io.BytesIO(handle.read(MAX_LOGO_BYTES + 1))
            # A logo stored before the upload checks existed is checked here too: PNG or
            # JPEG, within the byte and pixel caps (a decompression bomb stalls a worker).
            validate_logo(data)
            data.seek(0)
            width, height = ImageReader(data).getSize()
            data.seek(0)
            scale = min(180 / width, 90 / height, 1)
            return Image(data, width=width * scale, height=height * scale, hAlign="LEFT")
        except Exception:  # a broken logo must not cost the deck
            return None

    def flowables(self, ctx: DeckContext) -> list[Any]:
        from reportlab.platypus import Spacer

        prospect = ctx.prospect
        story: list[Any] = []
        logo = self.logo(ctx)
        story += [logo, Spacer(1, 24)] if logo else [Spacer(1, 60)]
        story.append(P(t.para_markup(ctx.tr("Prepared for")), ctx.styles["h2"]))
        story.append(P(t.para_markup(ctx.prospect_title, 200), ctx.styles["title"]))
        project = [ctx.tr(english_label(prospect.get_project_type_display()))]
        if prospect.industry and ctx.show_identity:
            project.append(prospect.industry)
        if prospect.estimated_jobs:
            project.append(f"{ctx.tr('Jobs')}: {t.number(prospect.estimated_jobs, ctx.language)}")
        if prospect.capital_investment:
            amount = t.number(prospect.capital_investment, ctx.language, 0)
            project.append(f"{ctx.tr('Investment')}: {amount} {prospect.currency}")
        story.append(
            P(
                f"<b>{t.para_markup(ctx.tr('Project'))}:</b> " + t.para_markup(" · ".join(project)),
                ctx.styles["body"],
            )
        )
        story.append(Spacer(1, 30))
        partner_name = partner_display(ctx, ctx.partner)
        story.append(
            P(
                f"{t.para_markup(ctx.tr('Presented by'))} <b>{t.para_markup(partner_name)}</b>",
                ctx.styles["body"],
            )
        )
        story.append(P(t.para_markup(t.date(ctx.today, ctx.language)), ctx.styles["body"]))
        story.append(P(t.para_markup(ctx.region.name), ctx.styles["h2"]))
        return story


def partner_display(ctx: DeckContext, partner: Partner) -> str:
    if ctx.language == "es" and partner.name_es:
        return partner.name_es
    return partner.name


class GlanceSection(Section):
    key = "glance"
    title = "The region at a glance"
    preferred_topics = (
        "demographics",
        "trade",
        "border-crossings",
        "talent",
        "clusters",
        "airports",
        "seaports",
        "education-research",
        "manufacturing",
    )
    count = 6

    def pick(self, ctx: DeckContext) -> list[Fact]:
        """For each preferred topic in turn, the first fact (by key) not chosen yet, then
        the first facts by key, up to ``count``; among the first 400 numeric facts. The
        choice is made on ids and topic slugs, and only the chosen facts are loaded."""
        numeric = published_facts(ctx).filter(value_number__isnull=False)
        window = numeric.order_by("key").values("pk")[:400]
        tagged = (
            Fact.objects.filter(pk__in=window, topics__slug__in=self.preferred_topics)
            .order_by("key")
            .values_list("pk", "topics__slug")
        )
        by_topic: dict[str, list[int]] = {}
        for pk, slug in tagged:
            by_topic.setdefault(slug, []).append(pk)
        chosen: list[int] = []
        for slug in self.preferred_topics:
            for pk in by_topic.get(slug, ()):
                if pk not in chosen:
                    chosen.append(pk)
                    break
            if len(chosen) == self.count:
                break
        if len(chosen) < self.count:
            # Among the first ``count`` by key, at most ``len(chosen)`` are taken already.
            for pk in numeric.order_by("key").values_list("pk", flat=True)[: self.count]:
                if len(chosen) >= self.count:
                    break
                if pk not in chosen:
                    chosen.append(pk)
        loaded = {fact.pk: fact for fact in numeric.filter(pk__in=chosen)}
        return [loaded[pk] for pk in chosen if pk in loaded]

    def flowables(self, ctx: DeckContext) -> list[Any]:
        story = self.heading(ctx)
        key = ("glance", type(self), self.preferred_topics, self.count)
        facts = ctx.region_data(key, lambda: self.pick(ctx))
        if not facts:
            message = ctx.tr("No published figures are on file for this region yet.")
            story.append(P(t.para_markup(message), ctx.styles["body"]))
            return story
        cells = []
        for fact in facts:
            unit = ctx.localized(fact, "unit")
            number = ctx.cite(fact)
            cells.append(
                [
                    P(t.para_markup(t.number(fact.value_number, ctx.language)), ctx.styles["big"]),
                    P(t.para_markup(unit, t.MAX_SHORT), ctx.styles["small"]),
                    P(
                        t.para_markup(ctx.localized(fact, "text"), 300) + f" [{number}]",
                        ctx.styles["cell"],
                    ),
                ]
            )
        rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
        for row in rows:
            row += [""] * (3 - len(row))
        story.append(table(rows, [236, 236, 236], ctx, header=False))
        return story


def matching_clusters(ctx: DeckContext) -> tuple[list[IndustryCluster], bool]:
    """The clusters matching the prospect's NAICS code (or the region's first ones, and
    False); read once per deck, whichever sections ask."""
    return ctx.once("matching_clusters", lambda: _matching_clusters(ctx))


def region_clusters(ctx: DeckContext) -> list[IndustryCluster]:
    """The region's clusters, in their order on file (the most concentrated first)."""
    return ctx.region_data(
        ("clusters",),
        lambda: list(
            IndustryCluster.objects.filter(region=ctx.region).select_related(
                "source", "figures_source"
            )
        ),
    )


def _matching_clusters(ctx: DeckContext) -> tuple[list[IndustryCluster], bool]:
    code = ctx.prospect.naics_code or ""
    clusters = region_clusters(ctx)
    matched = [
        c
        for c in clusters
        if any(code.startswith(p) or p.startswith(code) for p in c.naics_prefixes())
    ]
    if matched:
        return matched[:MAX_CLUSTERS], True
    return clusters[:MAX_CLUSTERS], False


EMPLOYMENT_UNITS = ("employ", "job", "worker")


@dataclass(frozen=True)
class ClusterFigures:
    """A cluster's employment and concentration with their own source and as-of date:
    the cluster's figures (``figures_source``), else a published fact about the cluster
    counted in employees. Never the source that names or ranks the cluster."""

    employment: Any  # a number for the chart, or None
    employment_text: str  # as the source gives it ("> 42,000" stays a lower bound)
    location_quotient: Any
    location_quotient_more_than: bool
    as_of: Any
    as_of_precision: str
    cited: Fact | Source


def cluster_figures(ctx: DeckContext, clusters: list[IndustryCluster]) -> dict[int, ClusterFigures]:
    """The figures on file for each of ``clusters``; a cluster with none is left out."""
    result: dict[int, ClusterFigures] = {}
    for c in clusters:
        if c.has_figures and c.figures_source is not None and c.figures_as_of is not None:
            result[c.pk] = ClusterFigures(
                employment=c.employment,
                employment_text=t.number(c.employment, ctx.language, 0),
                location_quotient=c.location_quotient,
                location_quotient_more_than=c.location_quotient_more_than,
                as_of=c.figures_as_of,
                as_of_precision=c.figures_as_of_precision,
                cited=c.figures_source,
            )
    missing = tuple(c.pk for c in clusters if c.pk not in result)
    facts = ctx.region_data(
        ("cluster-employment", missing),
        lambda: list(
            published_facts(ctx)
            .filter(cluster__in=missing, value_number__isnull=False)
            .order_by("-as_of", "key")
        ),
    )
    for fact in facts:
        if fact.cluster_id not in result and any(
            word in fact.unit_en.lower() for word in EMPLOYMENT_UNITS
        ):
            # The value as written keeps its qualifier ("> 42,000", "~7,500").
            text = fact.value if fact.value.strip() else t.number(fact.value_number, ctx.language)
            result[fact.cluster_id] = ClusterFigures(
                employment=fact.value_number,
                employment_text=text,
                location_quotient=None,
                location_quotient_more_than=False,
                as_of=fact.as_of,
                as_of_precision=fact.as_of_precision,
                cited=fact,
            )
    return result


def location_quotient_text(ctx: DeckContext, figures: ClusterFigures) -> str:
    if figures.location_quotient is None:
        return ""
    value = t.number(figures.location_quotient, ctx.language)
    if figures.location_quotient_more_than:
        return ctx.tr("more than %(value)s", value=value)
    return value


_drawings = threading.local()
MAX_DRAWINGS = 16


def _expanded(node: Any) -> Any:
    """``node`` with every widget (chart, axis, label) replaced by the shapes it draws,
    the groups and their attributes kept: what the PDF renderer would expand each time."""
    from reportlab.graphics.shapes import Group, UserNode

    while isinstance(node, UserNode):
        node = node.provideNode()
    if isinstance(node, Group):
        node = copy.copy(node)
        node.contents = [_expanded(child) for child in node.contents]
    return node


def cached_drawing(key: Hashable, build: Callable[[], Any]) -> Any:
    """The reportlab ``Drawing`` that ``build()`` returns, its widgets expanded once and
    kept for decks that draw the same (``key`` holds everything it depends on): decks of
    one industry in one language draw the same chart. Kept per thread (rendering sets
    attributes on the shapes for a while), the last ``MAX_DRAWINGS``; each deck gets its
    own shallow copy to lay out."""
    kept: OrderedDict[Hashable, Any] = _drawings.__dict__.setdefault("kept", OrderedDict())
    drawing = kept.get(key)
    if drawing is None:
        drawing = kept[key] = _expanded(build())
        if len(kept) > MAX_DRAWINGS:
            kept.popitem(last=False)
    else:
        kept.move_to_end(key)
    return copy.copy(drawing)


@lru_cache(maxsize=64)
def head_style(cell: Any, colour: str) -> Any:
    """The industry table's heading cells: ``cell`` in bold, in ``colour`` (a hex value);
    one style per process for each, so its paragraphs' parsing is kept (``paragraph``)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(
        "industry-head", parent=cell, fontName=t.FONT_BOLD, textColor=colors.HexColor(colour)
    )


class IndustrySection(Section):
    key = "industry"
    title = "Why your industry fits"

    def chart(
        self,
        ctx: DeckContext,
        clusters: list[IndustryCluster],
        figures: dict[int, ClusterFigures],
    ) -> Any:
        """Employment by cluster, each bar labelled with its citation; a cluster with no
        figure on file keeps its row, saying so, with no bar."""
        values = [
            float(figures[c.pk].employment)
            if c.pk in figures and figures[c.pk].employment is not None
            else None
            for c in clusters
        ]
        if not any(values):
            return None
        # Each bar is labelled with its figure as the source gives it and its citation;
        # a cluster with no figure has no bar, and its label says so.
        bar_labels = tuple(
            f"{figures[c.pk].employment_text} [{ctx.cite(figures[c.pk].cited)}]"
            if value is not None
            else ""
            for c, value in zip(reversed(clusters), reversed(values), strict=True)
        )
        # A chart label takes one font: the one that has every character of the name.
        names = tuple(
            t.single_font(t.plain(ctx.localized(c, "name"), 40)) for c in reversed(clusters)
        )
        accent = ctx.colours["accent"]
        key = (
            tuple(values),
            bar_labels,
            names,
            ctx.tr("No figure on file"),
            accent.hexval(),
            ctx.language,
        )
        return cached_drawing(
            key, lambda: self.draw_chart(ctx, values, bar_labels, names, accent, key[3])
        )

    def draw_chart(
        self,
        ctx: DeckContext,
        values: list[Any],
        bar_labels: tuple[str, ...],
        names: tuple[tuple[str, str], ...],
        accent: Any,
        no_figure: str,
    ) -> Any:
        from reportlab.graphics.charts.barcharts import HorizontalBarChart
        from reportlab.graphics.charts.textlabels import NA_Label
        from reportlab.graphics.shapes import Drawing

        language = ctx.language
        drawing = Drawing(700, 30 + 26 * len(values))
        chart = HorizontalBarChart()
        chart.x, chart.y = 230, 15
        chart.width, chart.height = 400, 22 * len(values)
        chart.data = [list(reversed(values))]
        chart.bars[0].fillColor = accent
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontName = t.FONT
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.labelTextFormat = lambda v: t.number(int(v), language)
        chart.barLabelFormat = "values"
        chart.barLabelArray = [list(bar_labels)]
        chart.naLabel = NA_Label()
        chart.naLabel.text = no_figure
        for label in (chart.barLabels, chart.naLabel):
            label.fontName = t.FONT
            label.fontSize = 7
            label.boxAnchor = "w"
            label.dx = 3
        chart.categoryAxis.categoryNames = [name for _font, name in names]
        chart.categoryAxis.labels.fontName = t.FONT
        chart.categoryAxis.labels.fontSize = 8
        for index, (font, _name) in enumerate(names):
            chart.categoryAxis.labels[index].fontName = font
        chart.categoryAxis.labels.boxAnchor = "e"
        drawing.add(chart)
        return drawing

    def flowables(self, ctx: DeckContext) -> list[Any]:
        story = self.heading(ctx)
        clusters, matched = matching_clusters(ctx)
        code = t.plain(ctx.prospect.naics_code, 6)
        if matched:
            story.append(
                P(
                    t.para_markup(ctx.tr("Clusters matching NAICS %(code)s", code=code)),
                    ctx.styles["h2"],
                )
            )
        else:
            story.append(
                P(
                    t.para_markup(
                        ctx.tr(
                            "No cluster of the region matches NAICS %(code)s; the region's most "
                            "concentrated clusters are shown.",
                            code=code,
                        )
                    ),
                    ctx.styles["body"],
                )
            )
        figures = cluster_figures(ctx, clusters)
        story.extend(self.figures(ctx, clusters, figures))
        if matched and not figures:
            # Nothing to weigh the prospect's own cluster by: the region's clusters that
            # have figures on file, for comparison, rather than a page of blanks.
            shown = [c for c in region_clusters(ctx) if c not in clusters]
            known = cluster_figures(ctx, shown)
            compared = [c for c in shown if c.pk in known][:MAX_CLUSTERS]
            if compared:
                story.append(
                    P(
                        t.para_markup(
                            ctx.tr("For comparison: the region's clusters with figures on file")
                        ),
                        ctx.styles["h2"],
                    )
                )
                story.extend(self.figures(ctx, compared, known))
        return story

    def figures(
        self,
        ctx: DeckContext,
        clusters: list[IndustryCluster],
        figures: dict[int, ClusterFigures],
    ) -> list[Any]:
        """The table of ``clusters`` with their figures, and the chart when any has one."""
        story: list[Any] = []
        cell = ctx.styles["cell"]
        head = head_style(cell, ctx.colours["primary"].hexval())
        headings = (
            "Cluster",
            "Employment",
            "Concentration (location quotient)",
            "Figures as of",
            "Source of the figures",
        )
        rows: list[list[Any]] = [[P(t.para_markup(ctx.tr(label)), head) for label in headings]]
        none_on_file = ctx.tr("No figure on file")
        for cluster in clusters:
            name = t.para_markup(ctx.localized(cluster, "name"), 200)
            # The cluster's own source names (and ranks) it; the figures cite theirs.
            named = P(f"{name} [{ctx.cite(cluster.source)}]", cell)
            shown = figures.get(cluster.pk)
            if shown is None:
                missing = [P(t.para_markup(none_on_file), cell) for _column in range(2)]
                rows.append([named, *missing, "—", "—"])
                continue
            rows.append(
                [
                    named,
                    P(t.para_markup(shown.employment_text or none_on_file, t.MAX_SHORT), cell),
                    P(t.para_markup(location_quotient_text(ctx, shown) or none_on_file), cell),
                    t.date(shown.as_of, ctx.language, shown.as_of_precision),
                    f"[{ctx.cite(shown.cited)}]",
                ]
            )
        story.append(table(rows, [270, 110, 150, 80, 98], ctx))
        chart = self.chart(ctx, clusters, figures)
        if chart is not None:
            story.append(P(t.para_markup(ctx.tr("Employment by cluster")), ctx.styles["h2"]))
            story.append(chart)
        return story


class TalentSection(Section):
    key = "talent"
    title = "Talent"
    topics = ("talent", "education-research")
    # Talent facts also on this topic (wages) are printed under their own heading.
    costs = "costs"

    def flowables(self, ctx: DeckContext) -> list[Any]:
        story = self.heading(ctx)
        clusters, matched = matching_clusters(ctx)
        key = ("talent", type(self), self.topics, matched and tuple(c.pk for c in clusters))
        pools, institutions, facts, costs = ctx.region_data(key, lambda: self.read(ctx))
        return story + self.lines(ctx, pools, institutions, facts, costs)

    def read(self, ctx: DeckContext) -> tuple[list[Any], list[Any], list[Fact], list[Fact]]:
        """The pools (those of the matching clusters first), each followed by its newest
        fact; the institutions of the matching clusters, else the region's; a few talent
        facts tied to no pool (the matching clusters' or the region's), and the newest
        facts on labour costs."""
        clusters, matched = matching_clusters(ctx)
        pools = TalentPool.objects.filter(region=ctx.region).order_by("pk")
        institutions = Institution.objects.filter(region=ctx.region).select_related("locality")
        if matched:
            first = list(pools.filter(clusters__in=clusters).distinct()[:MAX_POOLS])
            rest = pools.exclude(pk__in=[pool.pk for pool in first])
            pools_shown = first + list(rest[: MAX_POOLS - len(first)])
            institutions_shown = list(institutions.filter(clusters__in=clusters).distinct()[:8])
        else:
            pools_shown, institutions_shown = list(pools[:MAX_POOLS]), []
        institutions_shown = institutions_shown or list(institutions[:8])
        # Each pool's newest fact, one with a figure first.
        newest: dict[int, Fact] = {}
        for fact in (
            published_facts(ctx)
            .filter(talent_pool__in=pools_shown)
            .order_by("talent_pool", "-as_of", "key")
        ):
            held = newest.get(fact.talent_pool_id)  # type: ignore[arg-type]
            if held is None or (held.value_number is None and fact.value_number is not None):
                newest[fact.talent_pool_id] = fact  # type: ignore[index]
        talent = published_facts(ctx).filter(topics__slug__in=self.topics).distinct()
        untied = (
            talent.filter(talent_pool__isnull=True)
            .filter(Q(cluster__isnull=True) | Q(cluster__in=clusters if matched else []))
            .exclude(topics__slug=self.costs)
            .order_by("-as_of", "key")[:MAX_TALENT_FACTS]
        )
        costs = talent.filter(topics__slug=self.costs).order_by("-as_of", "key")[:MAX_COST_FACTS]
        # The pools with a fact on file first: they say how many.
        pools_shown.sort(key=lambda pool: pool.pk not in newest)
        lines = [(pool, newest.get(pool.pk)) for pool in pools_shown]
        return lines, institutions_shown, list(untied), list(costs)

    def lines(
        self,
        ctx: DeckContext,
        pools: list[Any],
        institutions: list[Any],
        facts: list[Fact],
        costs: list[Fact],
    ) -> list[Any]:
        """``pools``: each pool with its fact, or None (``read``)."""
        story: list[Any] = []
        if not (pools or institutions or facts or costs):
            story.append(
                P(
                    t.para_markup(ctx.tr("No talent data is on file for this industry yet.")),
                    ctx.styles["body"],
                )
            )
            return story
        if pools or facts:
            story.append(P(t.para_markup(ctx.tr("Workforce")), ctx.styles["h2"]))
        for pool, fact in pools:
            line = f"<b>{t.para_markup(ctx.localized(pool, 'name'), 200)}</b>"
            if fact is not None:  # the fact says what the pool is, and how many
                line += " — " + fact_line(ctx, fact)
            elif description := ctx.localized(pool, "description"):
                line += " — " + t.para_markup(description, 240)
            story.append(P(line, ctx.styles["cell"]))
        for fact in facts:
            story.append(P(fact_line(ctx, fact), ctx.styles["cell"]))
        if costs:
            story.append(P(t.para_markup(ctx.tr("Labour costs")), ctx.styles["h2"]))
            for fact in costs:
                story.append(P(fact_line(ctx, fact), ctx.styles["cell"]))
        if institutions:
            story.append(
                P(t.para_markup(ctx.tr("Universities and research institutes")), ctx.styles["h2"])
            )
            for inst in institutions:
                name = inst.name + (f" ({inst.acronym})" if inst.acronym else "")
                place = f" — {inst.locality.name}" if inst.locality else ""
                story.append(P(t.para_markup(name + place, 260), ctx.styles["cell"]))
        return story


class MapPanel:
    """One frame of the crossings map: the box ``bounds`` (south, north, west, east)
    drawn into ``rect`` (x, y, width, height) of the figure, as large as fits and
    centred, with its marks and the labels that fit without covering another."""

    def __init__(
        self,
        rect: tuple[float, float, float, float],
        bounds: tuple[float, float, float, float],
        squash: float,
    ) -> None:
        self.rect, self.bounds, self.squash = rect, bounds, squash
        south, north, west, east = bounds
        x, y, width, height = rect
        self.scale = min(width / ((east - west) * squash), height / (north - south))
        self.used_height = (north - south) * self.scale
        self.left = x + (width - (east - west) * squash * self.scale) / 2
        self.bottom = y + (height - self.used_height) / 2
        self.marks: list[tuple[str, float, float, Any]] = []
        self.labels: list[tuple[float, float, str, str, Any]] = []
        self.border: list[tuple[Any, Any]] = []  # the crossings' latitude and longitude
        self.place = ""
        self.title = ""
        self._wanted: list[tuple[int, float, float, str, Any]] = []

    def point(self, latitude: Any, longitude: Any) -> tuple[float, float]:
        south, _north, west, _east = self.bounds
        return (
            self.left + (float(longitude) - west) * self.squash * self.scale,
            self.bottom + (float(latitude) - south) * self.scale,
        )

    def frame_of(self, bounds: tuple[float, float, float, float]) -> tuple[float, ...]:
        """The rectangle (x, y, width, height) of ``bounds`` on this panel, cut to it."""
        left, bottom, width, height = self.rect
        x0, y0 = self.point(bounds[0], bounds[2])
        x1, y1 = self.point(bounds[1], bounds[3])
        x0, y0 = max(x0, left), max(y0, bottom)
        x1, y1 = min(x1, left + width), min(y1, bottom + height)
        return x0, y0, x1 - x0, y1 - y0

    def holds(self, x: float, y: float, margin: float = 0.0) -> bool:
        left, bottom, width, height = self.rect
        return (
            left + margin <= x <= left + width - margin
            and bottom + margin <= y <= bottom + height - margin
        )

    def mark(
        self,
        kind: str,
        latitude: Any,
        longitude: Any,
        fill: Any,
        text: str,
        colour: Any,
        priority: int,
        frame: tuple[float, float, float, float] | None = None,
    ) -> None:
        """A mark of ``kind`` ("city" or an asset kind) labelled ``text`` in ``colour``
        (None: black); the lower its ``priority``, the sooner its label is placed. Left
        out when outside the panel; unlabelled inside ``frame`` (the inset, which labels
        it larger)."""
        x, y = self.point(latitude, longitude)
        if not self.holds(x, y, margin=2):
            return
        self.marks.append((kind, x, y, fill))
        if frame is not None and (
            frame[0] <= float(latitude) <= frame[1] and frame[2] <= float(longitude) <= frame[3]
        ):
            return
        self._wanted.append((priority, x, y, text, colour))

    def place_labels(self) -> None:
        """Each label beside its mark where it covers no mark and no other label, and
        stays in the panel; left out otherwise (the table beside the map has it)."""
        from reportlab.lib import colors
        from reportlab.pdfbase.pdfmetrics import stringWidth

        taken = [(x - 4.5, y - 4.5, x + 4.5, y + 4.5) for _kind, x, y, _fill in self.marks]
        left, bottom, width, height = self.rect
        for _priority, x, y, text, colour in sorted(self._wanted, key=lambda wanted: wanted[0]):
            font, text = t.single_font(text)
            w = stringWidth(text, font, MAP_LABEL_SIZE)
            beside = ((5, 2), (5, -8), (-5 - w, 2), (-5 - w, -8), (-w / 2, 6), (-w / 2, -13))
            further = ((5, 9), (5, -15), (-5 - w, 9), (-5 - w, -15))
            for dx, dy in beside + further:
                box = (x + dx, y + dy, x + dx + w, y + dy + 7)
                if box[0] < left or box[2] > left + width:
                    continue
                if box[1] < bottom or box[3] > bottom + height - (10 if self.title else 0):
                    continue
                if all(
                    box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in taken
                ):
                    taken.append(box)
                    self.labels.append((box[0], box[1], text, font, colour or colors.black))
                    break

    def paint(self, canvas: Any, accent: Any, grey: Any) -> None:
        from reportlab.lib import colors

        left, bottom, width, height = self.rect
        canvas.saveState()
        canvas.setLineWidth(1)
        canvas.setFillColor(colors.HexColor("#F4F1EA"))
        canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
        canvas.rect(left, bottom, width, height, stroke=1, fill=1)
        clip = canvas.beginPath()
        clip.rect(left, bottom, width, height)
        canvas.clipPath(clip, stroke=0, fill=0)
        if self.border:
            local = [
                (x - left, y - bottom)
                for x, y in (self.point(lat, lon) for lat, lon in self.border)
            ]
            line = border_line(local, width, height)
            shifted = [v + (left if i % 2 == 0 else bottom) for i, v in enumerate(line)]
            canvas.setStrokeColor(colors.HexColor("#8C6D46"))
            canvas.setLineWidth(1.1)
            canvas.setDash([5, 2], 0)
            canvas.drawPath(polygon(canvas, shifted, close=False), stroke=1, fill=0)
            canvas.setDash()
        for kind, x, y, fill in self.marks:
            canvas.setFillColor(fill)
            if kind == "city":
                canvas.setStrokeColor(grey)
                canvas.setLineWidth(0.6)
                canvas.circle(x, y, 2.5, stroke=1, fill=1)
                continue
            canvas.setStrokeColor(accent)
            canvas.setLineWidth(0.8)
            if kind == AssetKind.AIRPORT:
                outline = [x - 4, y - 3, x + 4, y - 3, x, y + 4]
                canvas.drawPath(polygon(canvas, outline), stroke=1, fill=1)
            elif kind == AssetKind.SEAPORT:
                outline = [x, y - 4, x + 4, y, x, y + 4, x - 4, y]
                canvas.drawPath(polygon(canvas, outline), stroke=1, fill=1)
            else:
                canvas.rect(x - 3, y - 3, 6, 6, stroke=1, fill=1)
        for x, y, text, font, colour in self.labels:
            canvas.setFillColor(colour)
            canvas.setFont(font, MAP_LABEL_SIZE)
            canvas.drawString(x, y, text)
        if self.title:
            font, title = t.single_font(self.title)
            canvas.setFillColor(grey)
            canvas.setFont(font, 7)
            canvas.drawString(left + 4, bottom + height - 9, title)
        canvas.restoreState()


class CrossingSection(Section):
    """A map from the coordinates on file (no tiles, no network) and the assets table."""

    key = "crossings"
    title = "Getting goods and people across"
    kinds = (AssetKind.BORDER_CROSSING, AssetKind.AIRPORT, AssetKind.SEAPORT)

    def assets(self, ctx: DeckContext) -> list[InfrastructureAsset]:
        kinds = list(self.kinds)
        if ctx.prospect.site_needs_rail:
            kinds.append(AssetKind.RAIL)
        return ctx.region_data(
            ("assets", tuple(kinds)),
            lambda: list(
                InfrastructureAsset.objects.filter(region=ctx.region, kind__in=kinds)
                .exclude(status=AssetStatus.CLOSED)
                .select_related("locality", "source")
                .order_by("kind", "name")[:40]
            ),
        )

    def localities(self, ctx: DeckContext) -> list[Locality]:
        """The region's places with coordinates inside it."""
        region = ctx.region
        return ctx.region_data(
            ("map-localities",),
            lambda: [
                place
                for place in Locality.objects.filter(
                    region=region, latitude__isnull=False, longitude__isnull=False
                )
                if region.contains(place.latitude, place.longitude)
            ],
        )

    def focus(self, ctx: DeckContext) -> list[Locality]:
        """Where the prospect would settle: its preferred places on the map, else the
        owning partner's place (empty when neither has coordinates)."""

        def read() -> list[Locality]:
            places = {place.pk: place for place in self.localities(ctx)}
            wanted = ctx.prospect.site_localities.values_list("pk", flat=True)
            focus = [places[pk] for pk in wanted if pk in places]
            if not focus and ctx.partner.locality_id in places:
                focus = [places[ctx.partner.locality_id]]
            return focus

        return ctx.once("crossings:focus", read)

    def listed(
        self, ctx: DeckContext, assets: list[InfrastructureAsset]
    ) -> list[InfrastructureAsset]:
        """The table's assets: of each kind, operating ones first, those nearest where
        the prospect would settle (``focus``) first. Alphabetical order would put a
        small crossing before the region's main ones."""
        focus = self.focus(ctx)

        def distance(asset: InfrastructureAsset) -> float:
            if not focus or asset.latitude is None or asset.longitude is None:
                return math.inf
            return min(
                kilometres(asset.latitude, asset.longitude, place.latitude, place.longitude)
                for place in focus
            )

        def rank(asset: InfrastructureAsset) -> tuple[bool, float, str]:
            return (asset.status != AssetStatus.OPERATING, distance(asset), asset.name)

        per_kind = max(1, MAX_ASSETS // len(self.kinds))
        listed = [
            a
            for kind in self.kinds
            for a in sorted((x for x in assets if x.kind == kind), key=rank)[:per_kind]
        ]
        others = sorted((a for a in assets if a.kind not in self.kinds), key=rank)
        return listed + others[: MAX_ASSETS - len(listed)]

    def map(
        self,
        ctx: DeckContext,
        assets: list[InfrastructureAsset],
        listed: Sequence[InfrastructureAsset] = (),
    ) -> Any:
        """The map as a flowable drawn straight on the canvas (``figure``): the region
        and, below it where there is room, the area where the prospect would settle at
        a larger scale (``MapPanel``), its frame drawn on the region's map."""
        from reportlab.lib import colors

        width, height = 400.0, 330.0
        region = ctx.region
        localities = self.localities(ctx)
        assets = [
            a
            for a in assets
            if a.latitude is not None
            and a.longitude is not None
            and region.contains(a.latitude, a.longitude)
        ]
        # The part of the region's bounding box that holds something to draw, padded.
        lats = [float(o.latitude) for o in [*localities, *assets]]
        lons = [float(o.longitude) for o in [*localities, *assets]]
        south, north = float(region.min_latitude), float(region.max_latitude)
        west, east = float(region.min_longitude), float(region.max_longitude)
        if lats:
            pad_lat, pad_lon = (
                (max(lats) - min(lats)) * 0.08 + 0.05,
                (max(lons) - min(lons)) * 0.08 + 0.05,
            )
            south, north = max(south, min(lats) - pad_lat), min(north, max(lats) + pad_lat)
            west, east = max(west, min(lons) - pad_lon), min(east, max(lons) + pad_lon)
        squash = math.cos(math.radians((south + north) / 2))
        whole = MapPanel((0.0, 0.0, width, height), (south, north, west, east), squash)
        inset = self.inset(ctx, whole, localities, assets)
        if inset is not None:
            # The region across the top, as tall as its shape needs; the inset below.
            top = height - whole.used_height
            whole = MapPanel((0.0, top, width, whole.used_height), whole.bounds, squash)
            inset.title = ctx.tr("Around %(place)s", place=t.plain(inset.place, 40))
        approx = ctx.tr("approx.")
        grey = colors.HexColor("#666666")
        accent = ctx.colours["accent"]
        tabled = {asset.pk for asset in listed}
        panels = [whole] if inset is None else [whole, inset]
        for panel in panels:
            frame = inset.bounds if inset is not None and panel is whole else None
            for place in localities:
                text = t.plain(place.name, 30)
                if place.coordinates_approximate:
                    text += f" ({approx})"
                fill = colors.white if place.coordinates_approximate else grey
                panel.mark("city", place.latitude, place.longitude, fill, text, grey, 2, frame)
            for asset in assets:
                text = t.plain(asset.code or asset.name, 28)
                if asset.coordinates_approximate:
                    text += f" ({approx})"
                fill = colors.white if asset.coordinates_approximate else accent
                priority = 0 if asset.pk in tabled else 1  # the table's assets first
                panel.mark(
                    asset.kind, asset.latitude, asset.longitude, fill, text, None, priority, frame
                )
            panel.place_labels()
            panel.border = [
                (a.latitude, a.longitude)
                for a in assets
                if a.kind == AssetKind.BORDER_CROSSING and not a.coordinates_approximate
            ]
        legend = (
            "■ "
            + ctx.tr("Border crossing")
            + "   ▲ "
            + ctx.tr("Airport")
            + "   ◆ "
            + ctx.tr("Seaport")
            + "   ● "
            + ctx.tr("City")
            + "   - - "
            + ctx.tr("Border")
        )

        def paint(canvas: Any) -> None:
            for panel in panels:
                panel.paint(canvas, accent, grey)
            if inset is not None:  # the inset's frame on the region's map
                canvas.setStrokeColor(grey)
                canvas.setLineWidth(0.6)
                canvas.rect(*whole.frame_of(inset.bounds), stroke=1, fill=0)
            canvas.setFillColor(accent)
            canvas.setFont(t.FONT, 7.5)
            canvas.drawString(0, height + 4, legend)

        return figure(width, height + 16, paint)

    def inset(
        self,
        ctx: DeckContext,
        whole: MapPanel,
        localities: list[Locality],
        assets: list[InfrastructureAsset],
    ) -> MapPanel | None:
        """The area around where the prospect would settle, at ``INSET_ZOOM`` times the
        region's scale, under the region's map: None when there is no room under it or
        fewer than three marks in that area (nothing crowds there)."""
        focus = self.focus(ctx)
        room = whole.rect[3] - whole.used_height - INSET_GAP
        if not focus or room < INSET_MIN_HEIGHT:
            return None
        place = focus[0]
        # Centred on the marks within INSET_RADIUS_KM of the place, not the place alone:
        # a county's seat may sit at the edge of where its crossings and ports are.
        near = [
            (float(o.latitude), float(o.longitude))
            for o in [*localities, *assets]
            if kilometres(o.latitude, o.longitude, place.latitude, place.longitude)
            <= INSET_RADIUS_KM
        ] or [(float(place.latitude), float(place.longitude))]
        lat = sum(p[0] for p in near) / len(near)
        lon = sum(p[1] for p in near) / len(near)
        scale = whole.scale * INSET_ZOOM
        half_lat, half_lon = room / scale / 2, whole.rect[2] / (scale * whole.squash) / 2
        bounds = (lat - half_lat, lat + half_lat, lon - half_lon, lon + half_lon)
        inside = [
            o
            for o in [*localities, *assets]
            if bounds[0] <= float(o.latitude) <= bounds[1]
            and bounds[2] <= float(o.longitude) <= bounds[3]
        ]
        if len(inside) < 3:
            return None
        inset = MapPanel((0.0, 0.0, whole.rect[2], room), bounds, whole.squash)
        inset.place = place.name
        return inset

    def flowables(self, ctx: DeckContext) -> list[Any]:
        from reportlab.platypus import Table, TableStyle

        story = self.heading(ctx)
        assets = self.assets(ctx)
        cell = ctx.styles["cell"]
        rows: list[list[Any]] = [[ctx.tr("Asset"), ctx.tr("Kind"), ctx.tr("Status"), ""]]
        listed = self.listed(ctx, assets)
        kind_field = InfrastructureAsset._meta.get_field("kind")
        status_field = InfrastructureAsset._meta.get_field("status")
        for asset in listed:
            rows.append(
                [
                    P(t.para_markup(asset.name, 120), cell),
                    choice_label(ctx, kind_field, asset.kind),
                    choice_label(ctx, status_field, asset.status),
                    f"[{ctx.cite(asset.source)}]",
                ]
            )
        side = table(rows, [138, 82, 86, 34], ctx)
        layout = Table([[self.map(ctx, assets, listed), side]], colWidths=[410, 340])
        layout.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(layout)
        story.append(
            P(
                t.para_markup(
                    ctx.tr(
                        "Map drawn from the coordinates on file: the border line joins the "
                        "crossings; hollow marks are approximate positions."
                    )
                ),
                ctx.styles["small"],
            )
        )
        return story


class QuestionsSection(Section):
    key = "questions"
    title = "Your questions, answered"

    def flowables(self, ctx: DeckContext) -> list[Any]:
        story = self.heading(ctx)
        if not ctx.show_identity:
            # Questions are free text that may name the company: codename decks omit them.
            story.append(
                P(
                    t.para_markup(
                        ctx.tr("Your questions are kept with your file and are answered in person.")
                    ),
                    ctx.styles["body"],
                )
            )
            return story
        questions = list(
            Question.objects.filter(prospect=ctx.prospect)
            .prefetch_related(
                Prefetch(
                    "facts",
                    queryset=Fact.objects.filter(status=FactStatus.PUBLISHED)
                    .select_related("source")
                    .order_by("key"),
                )
            )
            .order_by("asked_on", "pk")[:MAX_QUESTIONS]
        )
        if not questions:
            story.append(
                P(t.para_markup(ctx.tr("No questions have been recorded yet.")), ctx.styles["body"])
            )
            return story
        partner = partner_display(ctx, ctx.partner)
        for question in questions:
            story.append(P(t.para_markup(question.text, 300), ctx.styles["h2"]))
            facts = list(question.facts.all())[:MAX_FACTS_PER_QUESTION]
            if not facts:
                story.append(
                    P(
                        t.para_markup(
                            ctx.tr(
                                "No facts on file answer this question yet. %(partner)s will "
                                "follow up with you personally.",
                                partner=partner,
                            )
                        ),
                        ctx.styles["cell"],
                    )
                )
            for fact in facts:
                source = fact.source
                line = (
                    fact_line(ctx, fact)
                    + " — "
                    + t.para_markup(f"{ctx.tr('Source')}: {source.title}, {source.publisher}", 240)
                )
                story.append(P(line, ctx.styles["cell"]))
        return story


class ContactsSection(Section):
    key = "contacts"
    title = "Your contacts"

    def card(self, ctx: DeckContext, partner: Partner, style: Any) -> Any:
        role = ctx.localized(partner, "role")
        lines = [f"<b>{t.para_markup(partner_display(ctx, partner), 200)}</b>"]
        if role:
            lines.append(t.para_markup(role, 300))
        contact = " · ".join(v for v in (partner.website, partner.email, partner.phone) if v)
        if contact:
            lines.append(t.para_markup(contact, 300))
        return P("<br/>".join(lines), style)

    def flowables(self, ctx: DeckContext) -> list[Any]:
        story = self.heading(ctx)
        story.append(P(t.para_markup(ctx.tr("Your partner in the region")), ctx.styles["h2"]))
        story.append(self.card(ctx, ctx.partner, ctx.styles["body"]))
        # The first 13 by name hold the first 12 that are not the deck's own partner.
        partners = ctx.region_data(
            ("partners", 13),
            lambda: list(
                Partner.objects.filter(region=ctx.region, is_active=True).order_by("name")[:13]
            ),
        )
        others = [p for p in partners if p.pk != ctx.partner.pk][:12]
        if others:
            story.append(P(t.para_markup(ctx.tr("Other partners of the region")), ctx.styles["h2"]))
            cards = [self.card(ctx, p, ctx.styles["small"]) for p in others]
            rows = [cards[i : i + 3] for i in range(0, len(cards), 3)]
            for row in rows:
                row += [""] * (3 - len(row))
            story.append(table(rows, [236, 236, 236], ctx, header=False))
        return story


class SourcesSection(Section):
    key = "sources"
    title = "Sources"

    def flowables(self, ctx: DeckContext) -> list[Any]:
        story = self.heading(ctx)
        story.append(
            P(
                t.para_markup(ctx.tr("Every figure in this deck, numbered as cited.")),
                ctx.styles["small"],
            )
        )
        style = ctx.styles["small"]
        for number, (kind, item) in enumerate(ctx.citations, start=1):
            if kind == "fact":
                source = item.source
                as_of = ctx.date(item.as_of, item.as_of_precision)
                what = f"{ctx.localized(item, 'text')} ({ctx.tr('as of %(date)s', date=as_of)})"
                line = f"[{number}] {t.para_markup(what, 220)} — "
            else:
                source = item
                line = f"[{number}] "
            detail = ", ".join(v for v in (source.title, source.publisher, source.url) if v)
            if source.published_on:
                detail += ", " + ctx.date(source.published_on)
            story.append(P(line + t.para_markup(detail, 400), style))
        return story
