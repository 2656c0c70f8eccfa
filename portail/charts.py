"""Charts as server-rendered SVG (pygal), inlined in the page under the CSP `script-src 'self'`.

pygal's JavaScript is disabled (`js=[]`) and its inline <style>/<script> are removed: the look comes from
static/css/charts.css, which prints too. Every chart is an image with a label (role="img" + aria-label) and
is always shown next to its table (templates/portail/_tableau.html), the accessible and copyable form."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

import pygal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# pygal appends to sys.meta_path a finder for its map plugins that only has the old find_module()
# protocol; pytest's import hooks call find_spec() on every finder and fail. No map is used: it goes.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

_INLINE = re.compile(r"<(style|script)\b.*?</\1>", re.S)
_IDS = re.compile(r' id="[^"]*"')
_RECT_WITHOUT_WIDTH = re.compile(r"<rect(?![^>]*(?<![-\w])width=)([^>]*)>")
_COMMENTS = re.compile(r"<!--.*?-->", re.S)

KINDS = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "hbar": pygal.HorizontalBar, "line": pygal.Line}


def svg_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None]]],
    *,
    kind: str = "bar",
    percent: bool = False,
    height: int = 320,
) -> SafeString:
    """One chart as inline SVG markup: `series` are (name, one value per label); "" when every value is
    zero (the table says it, an empty frame would not)."""
    values = [v or 0 for _, vs in series for v in vs]
    if not any(values):
        return ""
    top = (
        max(sum(v or 0 for v in column) for column in zip(*(vs for _, vs in series), strict=True))
        if kind == "stacked"
        else max(values)
    )
    chart = KINDS[kind](
        js=[],
        css=[],
        no_prefix=True,
        disable_xml_declaration=True,
        width=860,
        height=height,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(series), 6) or 1,
        x_label_rotation=-35 if len(labels) > 8 else 0,
        truncate_label=18 if len(labels) > 6 else 40,
        y_labels=None if percent else _ticks(top),
        y_labels_major_count=0,
        show_minor_y_labels=True,
        print_values=False,
        margin=12,
        value_formatter=(lambda v: f"{v:.0f} %") if percent else _number,
        range=(0, 100) if percent else None,
        no_data_text="Aucune donnée",
    )
    if kind == "hbar":
        # pygal draws a horizontal chart's first label at the bottom: reversed, a ranking reads top down.
        labels = list(labels)[::-1]
        series = [(name, list(values)[::-1]) for name, values in series]
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    svg = chart.render(is_unicode=True)
    svg = _COMMENTS.sub("", _IDS.sub("", _INLINE.sub("", svg))).replace(' style="opacity: 0"', "")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" focusable="false" ', 1)
    # pygal leaves out the width of an empty bar; SVG requires it (Nu checker).
    svg = _RECT_WITHOUT_WIDTH.sub(r'<rect width="0"\1>', svg)
    return mark_safe(svg)  # noqa: S308 — pygal's own escaped output, our title escaped above


def _ticks(top) -> list[int]:
    """About five whole ticks from 0 to the top value (counts are whole: no 0.2 candidate)."""
    step = 1
    while top / step > 5:
        step *= 2 if str(step)[0] in "15" else 2.5 if str(step)[0] == "2" else 2
        step = int(step)
    return list(range(0, int(top) + step + 1, step))


def _number(value) -> str:
    """12 345 (French thousands), 12 345,50 when there are cents."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return text.replace(",", "\u202f").replace(".", ",")
