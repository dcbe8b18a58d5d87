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
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.db.models import Prefetch
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


def _matching_clusters(ctx: DeckContext) -> tuple[list[IndustryCluster], bool]:
    code = ctx.prospect.naics_code or ""
    clusters = ctx.region_data(
        ("clusters",),
        lambda: list(
            IndustryCluster.objects.filter(region=ctx.region).select_related(
                "source", "figures_source"
            )
        ),
    )
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
        figures = cluster_figures(ctx, clusters)
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

    def flowables(self, ctx: DeckContext) -> list[Any]:
        story = self.heading(ctx)
        clusters, matched = matching_clusters(ctx)
        key = ("talent", type(self), self.topics, matched and tuple(c.pk for c in clusters))
        pools, institutions, facts = ctx.region_data(key, lambda: self.read(ctx))
        return story + self.lines(ctx, pools, institutions, facts)

    def read(self, ctx: DeckContext) -> tuple[list[Any], list[Any], list[Fact]]:
        clusters, matched = matching_clusters(ctx)
        pools = TalentPool.objects.filter(region=ctx.region)
        institutions = Institution.objects.filter(region=ctx.region).select_related("locality")
        # Those of the matching clusters, else all: only the rows printed are read.
        if matched:
            pools_shown = list(pools.filter(clusters__in=clusters).distinct()[:5])
            institutions_shown = list(institutions.filter(clusters__in=clusters).distinct()[:8])
        else:
            pools_shown, institutions_shown = [], []
        pools = pools_shown or list(pools[:5])
        institutions = institutions_shown or list(institutions[:8])
        facts = list(
            published_facts(ctx).filter(topics__slug__in=self.topics).distinct().order_by("key")[:4]
        )
        return pools, institutions, facts

    def lines(
        self, ctx: DeckContext, pools: list[Any], institutions: list[Any], facts: list[Fact]
    ) -> list[Any]:
        story: list[Any] = []
        if not (pools or institutions or facts):
            story.append(
                P(
                    t.para_markup(ctx.tr("No talent data is on file for this industry yet.")),
                    ctx.styles["body"],
                )
            )
            return story
        if pools or facts:
            story.append(P(t.para_markup(ctx.tr("Workforce")), ctx.styles["h2"]))
        for pool in pools:
            description = ctx.localized(pool, "description")
            line = f"<b>{t.para_markup(ctx.localized(pool, 'name'), 200)}</b>"
            if description:
                line += " — " + t.para_markup(description, 240)
            story.append(P(line, ctx.styles["cell"]))
        for fact in facts:
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

    def map(self, ctx: DeckContext, assets: list[InfrastructureAsset]) -> Any:
        """The map as a flowable drawn straight on the canvas (``figure``)."""
        from reportlab.lib import colors

        width, height = 400.0, 330.0
        region = ctx.region
        localities = ctx.region_data(
            ("map-localities",),
            lambda: [
                place
                for place in Locality.objects.filter(
                    region=region, latitude__isnull=False, longitude__isnull=False
                )
                if region.contains(place.latitude, place.longitude)
            ],
        )
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
        scale = min(width / ((east - west) * squash), height / (north - south))
        offset_x = (width - (east - west) * squash * scale) / 2
        offset_y = (height - (north - south) * scale) / 2

        def point(lat: Any, lon: Any) -> tuple[float, float]:
            return (
                offset_x + (float(lon) - west) * squash * scale,
                offset_y + (float(lat) - south) * scale,
            )

        placed: list[tuple[float, float, float, float]] = []
        labels: list[tuple[float, float, str, str, Any]] = []

        def label(x: float, y: float, text: str, colour: Any) -> None:
            """A label where it overlaps no other; left out otherwise (the table has it)."""
            from reportlab.pdfbase.pdfmetrics import stringWidth

            font, text = t.single_font(text)
            w = stringWidth(text, font, 6.5)
            for dx, dy in ((5, 2), (5, -8), (-5 - w, 2), (-5 - w, -8)):
                box = (x + dx, y + dy, x + dx + w, y + dy + 7)
                if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height:
                    continue
                if all(
                    box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed
                ):
                    placed.append(box)
                    labels.append((box[0], box[1], text, font, colour))
                    return

        approx = ctx.tr("approx.")
        grey = colors.HexColor("#666666")
        crossings = [
            point(a.latitude, a.longitude)
            for a in assets
            if a.kind == AssetKind.BORDER_CROSSING and not a.coordinates_approximate
        ]
        border = border_line(crossings, width, height) if crossings else []
        marks = []
        dots = []
        for place in localities:
            x, y = point(place.latitude, place.longitude)
            dots.append((x, y, colors.white if place.coordinates_approximate else grey))
            text = t.plain(place.name, 30)
            if place.coordinates_approximate:
                text += f" ({approx})"
            marks.append((x, y, text, grey))
        accent = ctx.colours["accent"]
        shapes = []
        for asset in assets:
            x, y = point(asset.latitude, asset.longitude)
            shapes.append(
                (asset.kind, x, y, colors.white if asset.coordinates_approximate else accent)
            )
            text = t.plain(asset.code or asset.name, 28)
            if asset.coordinates_approximate:
                text += f" ({approx})"
            marks.insert(0, (x, y, text, colors.black))
        for x, y, text, colour in marks:  # assets first: they matter most here
            label(x, y, text, colour)
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
            canvas.setLineWidth(1)
            canvas.setFillColor(colors.HexColor("#F4F1EA"))
            canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
            canvas.rect(0, 0, width, height, stroke=1, fill=1)
            if border:
                canvas.setStrokeColor(colors.HexColor("#8C6D46"))
                canvas.setLineWidth(1.1)
                canvas.setDash([5, 2], 0)
                canvas.drawPath(polygon(canvas, border, close=False), stroke=1, fill=0)
                canvas.setDash()
            canvas.setStrokeColor(grey)
            canvas.setLineWidth(0.6)
            for x, y, fill in dots:
                canvas.setFillColor(fill)
                canvas.circle(x, y, 2.5, stroke=1, fill=1)
            canvas.setStrokeColor(accent)
            canvas.setLineWidth(0.8)
            for kind, x, y, fill in shapes:
                canvas.setFillColor(fill)
                if kind == AssetKind.AIRPORT:
                    outline = [x - 4, y - 3, x + 4, y - 3, x, y + 4]
                    canvas.drawPath(polygon(canvas, outline), stroke=1, fill=1)
                elif kind == AssetKind.SEAPORT:
                    outline = [x, y - 4, x + 4, y, x, y + 4, x - 4, y]
                    canvas.drawPath(polygon(canvas, outline), stroke=1, fill=1)
                else:
                    canvas.rect(x - 3, y - 3, 6, 6, stroke=1, fill=1)
            for x, y, text, font, colour in labels:
                canvas.setFillColor(colour)
                canvas.setFont(font, 6.5)
                canvas.drawString(x, y, text)
            canvas.setFillColor(accent)
            canvas.setFont(t.FONT, 7.5)
            canvas.drawString(0, height + 4, legend)

        return figure(width, height + 16, paint)

    def flowables(self, ctx: DeckContext) -> list[Any]:
        from reportlab.platypus import Table, TableStyle

        story = self.heading(ctx)
        assets = self.assets(ctx)
        cell = ctx.styles["cell"]
        rows: list[list[Any]] = [[ctx.tr("Asset"), ctx.tr("Kind"), ctx.tr("Status"), ""]]
        per_kind = max(1, MAX_ASSETS // len(self.kinds))
        listed = [
            a for kind in self.kinds for a in [x for x in assets if x.kind == kind][:per_kind]
        ]
        listed += [a for a in assets if a.kind not in self.kinds][: MAX_ASSETS - len(listed)]
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
        layout = Table([[self.map(ctx, assets), side]], colWidths=[410, 340])
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
