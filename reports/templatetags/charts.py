"""`{% chart some_chart %}`: a chart from reports.charts as a figure with its data table."""

import re
import uuid

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from civbio import rounding

register = template.Library()
CHART_ID = re.compile(r'id="chart-([0-9a-f]{12})"')


@register.inclusion_tag("reports/partials/chart.html", takes_context=True)
def chart(context, chart, table_open=False, printed=False):
    """`printed`: for paper, the drawing alone (a PDF hides the table and the phone's drawing,
    and WeasyPrint would read and style them for nothing)."""
    # The chart's own stylesheet is allowed by the page's CSP nonce; it carries no script.
    nonce = context.get("csp_nonce")

    def with_nonce(svg: str) -> str:
        # Ids unique on the page even when one cached drawing shows twice.
        drawn = CHART_ID.search(svg)
        if drawn:
            svg = svg.replace(drawn.group(1), uuid.uuid4().hex[:12])
        if nonce is not None:  # a LazyNonce is falsy until first used
            svg = svg.replace("<style", f'<style nonce="{escape(nonce)}"', 1)
        return mark_safe(svg)  # noqa: S308 - drawn by reports.charts from escaped text

    return {
        "chart": chart,
        "svg": with_nonce(chart.svg),
        "svg_narrow": with_nonce(chart.svg_narrow) if chart.svg_narrow else "",
        "table_open": table_open,
        "printed": printed,
    }


@register.filter
def figure(value, decimals=0):
    """A figure as shown on dashboards: grouped digits, rounded half up by civbio.rounding, and
    "< 5" for a suppressed count (the same as `{% load rounding %}`'s `figure`)."""
    return rounding.figure_written(value, int(decimals))
