"""Charts for dashboards and reports, drawn on the server as SVG with pygal.

The same SVG goes into a page and into a PDF, so a chart never needs a script. Series are told
apart by pattern and line style as well as by shade, so a chart reads in black and white, and
every chart carries its figures as a table for screen readers (and for anyone who wants numbers).
"""

import functools
import hashlib
import json
import logging
import math
import uuid
from dataclasses import dataclass, field

import pygal
from django.core.cache import cache
from django.utils import translation
from pygal.etree import etree
from pygal.style import Style

from civbio import rounding

logger = logging.getLogger(__name__)

INK = "#1f3b57"
MUTED = "#55606e"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground=INK,
    foreground_strong=INK,
    foreground_subtle="#8a94a3",
    font_family=FONT,
    colors=(INK, INK, INK, INK, INK, INK),
    opacity="1",
    opacity_hover="1",
    transition="0ms",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=11,
    value_label_font_size=11,
    legend_font_size=13,
    title_font_size=14,
    tooltip_font_size=12,
)

# Fills per series: solid, hatched, dotted, open, cross-hatched, light. `{uid}` makes the
# pattern ids unique on a page that shows several charts.
_PATTERNS = [
    '<pattern id="hatch-{uid}" patternUnits="userSpaceOnUse" width="6" height="6" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    f'<rect width="2.5" height="6" fill="{INK}"/></pattern>',
    '<pattern id="dots-{uid}" patternUnits="userSpaceOnUse" width="5" height="5">'
    f'<rect width="5" height="5" fill="#ffffff"/><circle cx="2.5" cy="2.5" r="1.3" fill="{INK}"/>'
    "</pattern>",
    '<pattern id="cross-{uid}" patternUnits="userSpaceOnUse" width="7" height="7">'
    f'<rect width="7" height="7" fill="#ffffff"/><path d="M0 0L7 7M7 0L0 7" stroke="{INK}" '
    'stroke-width="1.2"/></pattern>',
]
_FILLS = [INK, "url(#hatch-{uid})", "url(#dots-{uid})", "#ffffff", "url(#cross-{uid})", "#b9c4d0"]
_DASHES = ["none", "9,4", "2,3", "12,3,2,3", "5,5", "1,6"]
_DOT_SHAPES = ["circle", "square", "triangle"]


def _css(uid: str, count: int) -> str:
    scope = f"#chart-{uid} "
    rules = [
        f"{scope}.axis text, {scope}.legends text, {scope}text.value "
        f"{{ fill: {INK}; font-family: {FONT}; }}",
        f"{scope}.axis .guide.line {{ stroke: #c9d1da; stroke-dasharray: none; }}",
        f"{scope}.axis .major.guide.line {{ stroke: {MUTED}; stroke-dasharray: 4,3; }}",
        # Values sit on bars of any fill: dark text with a white halo reads on all of them.
        f"{scope}.text-overlay text.value {{ fill: {INK}; font-weight: 600; paint-order: stroke; "
        "stroke: #ffffff !important; stroke-width: 3px; stroke-linejoin: round; }",
    ]
    for n in range(count):
        fill = _FILLS[n % len(_FILLS)].format(uid=uid)
        rules.append(
            f"{scope}.series.color-{n} rect, {scope}.legend rect.color-{n} "
            f"{{ fill: {fill}; stroke: {INK}; stroke-width: 1.2; fill-opacity: 1; }}"
        )
        rules.append(
            f"{scope}.series.color-{n} .line {{ stroke: {INK}; stroke-width: 2.5; "
            f"stroke-dasharray: {_DASHES[n % len(_DASHES)]}; fill: none; }}"
        )
        rules.append(f"{scope}.series.color-{n} .dot {{ fill: {fill}; stroke: {INK}; }}")
    return "inline:" + "\n".join(rules)


def format_value(value, decimals: int = 0) -> str:
    """A chart's figure, on the bars and in its table, as civbio.rounding writes every figure
    (half up, never cut off); a dash for none."""
    if value is None:
        return "\N{EN DASH}"
    return rounding.written(value, decimals)


@dataclass
class Chart:
    """A chart as SVG markup, with its title, a one-sentence text alternative, and its figures as
    a table (columns: the category, then one per series). The legend is left to the page (HTML
    reads better than SVG text at any width): `legend` lists (series name, style number)."""

    title: str
    summary: str
    columns: list[str]
    rows: list[list[str]]
    svg: str = field(repr=False, default="")
    svg_narrow: str = field(repr=False, default="")
    kind: str = "bar"

    @property
    def legend(self) -> list[tuple[str, int, str]]:
        if len(self.columns) <= 2:
            return []
        return [(name, n, _DASHES[n % len(_DASHES)]) for n, name in enumerate(self.columns[1:])]


def _ticks(maximum: float) -> list[float]:
    """Round axis steps (1, 2 or 5 times a power of ten), at most six of them."""
    maximum = max(maximum, 1)
    step = 10 ** math.floor(math.log10(maximum / 5)) if maximum >= 5 else 1
    for factor in (1, 2, 5, 10):
        if maximum / (step * factor) <= 5:
            step *= factor
            break
    ticks = [0.0]
    while ticks[-1] < maximum:
        ticks.append(ticks[-1] + step)
    return ticks


def _finish(graph, title: str, summary: str) -> str:
    """The SVG without scripts, tooltips or comments, labelled for assistive technology."""
    uid = uuid.uuid4().hex[:12]
    graph.uuid = uid
    graph.config.css = [*graph.config.css, _css(uid, len(graph.raw_series))]
    graph.config.defs = [p.format(uid=uid) for p in _PATTERNS]
    root = graph.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str):  # a comment
                parent.remove(child)
                continue
            classes = (child.get("class") or "").split()
            if child.tag.endswith("script") or "tooltip" in classes:
                parent.remove(child)
    root.set("role", "img")
    root.set("aria-label", f"{title}. {summary}")
    root.set("focusable", "false")
    # The chart's own title (pygal's first); the titles further in name shortened labels in full.
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.endswith("title"):
            node.text = title
            break
    return etree.tostring(root, encoding="unicode")


def _config(**overrides):
    options = {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "show_title": False,
        "show_legend": False,
        "max_scale": 6,
        "truncate_label": 40,
        "print_values": True,
        "print_zeroes": False,
        "margin": 8,
        "spacing": 8,
        "show_minor_x_labels": True,
    }
    options.update(overrides)
    return options


NARROW = 400  # phones get their own drawing of a wide chart, so its text stays legible
CACHE_SECONDS = 3600
# Part of every cache key: raise it when the drawing changes, so no old drawing is served.
CACHE_VERSION = 3


def _cached(build):
    """Charts are cached under everything that shapes them (the figures included), so an
    unchanged chart is not drawn again and a changed figure draws a new one: the key says all
    the chart shows, and nothing needs to be invalidated."""

    @functools.wraps(build)
    def chart(*args, **kwargs):
        language = translation.get_language() or ""
        shape = json.dumps(
            [CACHE_VERSION, build.__name__, language, args, kwargs], default=str, sort_keys=True
        )
        key = "chart:" + hashlib.sha256(shape.encode()).hexdigest()
        try:
            found = cache.get(key)
        except Exception:  # the cache is a help, never a reason for a page to fail
            logger.warning("chart cache unavailable", exc_info=True)
            return build(*args, **kwargs)
        if found is None:
            found = build(*args, **kwargs)
            try:
                cache.set(key, found, CACHE_SECONDS)
            except Exception:
                logger.warning("chart cache unavailable", exc_info=True)
        return found

    return chart


@_cached
def bar_chart(
    title: str,
    summary: str,
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    horizontal: bool = False,
    decimals: int = 0,
    value_suffix: str = "",
    category: str = "",
    maximum: float | None = None,
    stacked: bool = False,
    width: int = 480,
    show_values: bool = True,
    compact: bool = False,
    narrow: bool = True,
) -> Chart:
    """Bars per label, one bar per series (or one stacked bar with `stacked`); `horizontal` for
    long labels (partners, indicators). Values are printed on the bars while they fit (and
    `show_values`: PDFs, which print the figures in tables beside, leave them off). `compact`
    draws thinner horizontal bars, so twenty labels fit half a printed page. Without `narrow`
    no phone-width drawing is made (paper has one width)."""
    labels, series = _plain(labels, series)
    if stacked:
        kind = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    else:
        kind = pygal.HorizontalBar if horizontal else pygal.Bar
    bars = 1 if stacked else len(series)
    if not horizontal:
        height = 320
    elif compact:
        height = max(120, 50 + len(labels) * (8 + 8 * bars))
    else:
        height = max(200, 90 + len(labels) * (16 + 14 * bars))
    if stacked:
        totals = [sum(vs[i] or 0 for _, vs in series) for i in range(len(labels))]
        values_max = max(totals or [0])
    else:
        values_max = max([v for _, vs in series for v in vs if v is not None] or [0])
    ticks = _ticks(max(maximum or 0, float(values_max)))
    # pygal draws horizontal bars bottom-up: reverse them so the first label reads on top.
    order = list(reversed(range(len(labels)))) if horizontal else list(range(len(labels)))

    def draw(drawing_width: int):
        graph = kind(
            **_config(
                width=drawing_width,
                height=height,
                print_values=show_values and len(labels) * bars <= 24,
                truncate_label=-1,
                range=(0, ticks[-1]),
                y_labels=ticks,
                value_formatter=lambda v: f"{format_value(v, decimals)}{value_suffix}",
                print_values_position="top" if not horizontal else "center",
            )
        )
        # Shortened by hand: pygal does not shorten the labels of horizontal bars. The table
        # under the chart has them in full.
        room = 48 if drawing_width >= 600 else 16 if horizontal else 12
        graph.x_labels = [_shorten(labels[i], room) for i in order]
        for name, values in series:
            graph.add(name, [None if values[i] is None else float(values[i]) for i in order])
        return graph

    return _chart(
        draw, width, title, summary, labels, series, decimals, value_suffix, category, narrow
    )


def _shorten(label: str, room: int) -> str:
    return label if len(label) <= room else label[: room - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def _plain(labels, series):
    """Labels and series names as plain strings (translations may arrive lazy)."""
    return [str(label) for label in labels], [(str(name), list(vs)) for name, vs in series]


def _chart(
    draw, width, title, summary, labels, series, decimals, value_suffix, category, narrow=True
) -> Chart:
    title, summary, category = str(title), str(summary), str(category)
    table_rows = [
        [label, *(f"{format_value(vs[i], decimals)}{value_suffix}" for _, vs in series)]
        for i, label in enumerate(labels)
    ]
    graph = draw(width)
    return Chart(
        title=title,
        summary=summary,
        columns=[category, *(name for name, _ in series)],
        rows=table_rows,
        svg=_finish(graph, title, summary),
        svg_narrow=_finish(draw(NARROW), title, summary) if narrow and width > NARROW * 1.5 else "",
        kind="line" if isinstance(graph, pygal.Line) else "bar",
    )


@_cached
def line_chart(
    title: str,
    summary: str,
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    decimals: int = 0,
    value_suffix: str = "",
    category: str = "",
    width: int = 900,
) -> Chart:
    """A line per series over the labels (quarters): trends."""
    labels, series = _plain(labels, series)

    def draw(drawing_width: int):
        graph = pygal.Line(
            **_config(
                width=drawing_width,
                height=320,
                print_values=False,
                dots_size=3.5,
                x_label_rotation=0,
                value_formatter=lambda v: f"{format_value(v, decimals)}{value_suffix}",
                show_minor_x_labels=len(labels) <= 8,
                x_labels_major_every=max(1, len(labels) // (6 if drawing_width >= 600 else 4)),
            )
        )
        graph.x_labels = labels
        for name, values in series:
            graph.add(name, [None if v is None else float(v) for v in values])
        return graph

    return _chart(draw, width, title, summary, labels, series, decimals, value_suffix, category)
