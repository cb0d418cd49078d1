"""What every ECharts figure shares: the frame (title, PNG export, legend, grid), money and log axes
written in the app's number formats, lines and markers with their hover text, and the marks (a
vertical line, a band).

Why ECharts and not plotly: Streamlit loads each chart library's script on its first chart, and the
ECharts one is already loaded by the Compare tab's bars; a tab's first chart then costs its drawing
only (0.19 s on a bare page against 0.85 s for plotly's first chart, benchmarks/page_load.py).

``st.echarts_chart`` takes JSON only, no JavaScript: an axis label cannot call ``money``. So
- a linear money axis draws values scaled to its unit (``$2,250`` as 2.25 on an axis labelled ``${value}k``);
- a log axis hides ECharts' labels ("1,000,000,000") and carries its own, written by the app's
  formats, as a silent label series at each power of ten (``log_axis``);
- hover texts are written here, one per point (``point``), so a tooltip says ``2.5B tokens → $22.5k``.
Texts are plain in ECharts (a model name cannot become markup) except tooltips, which are HTML:
``point`` escapes what it is given.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

from calculators.formatting import SCIENTIFIC_FROM, SUFFIXES, compact, money
from dashboard.theme import NEUTRAL

LEGEND_HEIGHT = 26  # one scrolling legend row under the plot
AXIS_LABEL_ROOM = 64  # pixels left of the plot for a y axis label series ("$12.3k") and the axis name
MAX_LOG_LABELS = 9
# A grid that keeps the axis names in the chart: without ``containLabel`` ECharts shrinks the grid until the axis
# labels and names fit; with it (the frame's default), only the labels are kept in, and a y axis name was cut.
FIT_AXIS_NAMES = {"containLabel": False, "left": 16}
# On a narrow chart (a phone, or the main column next to the sidebar at 1024 px) the title and subtitle are
# cut to the width left of the PNG button, and long labels of a (category) y axis to a share of the chart, with
# an ellipsis, instead of running under the button, off the chart, or over the whole plot.
NARROW_CHARTS = ((420, 300, 110), (720, 420, 180))  # (chart width up to, pixels for titles, for y labels)
PHONE = NARROW_CHARTS[0][0]


def _narrow_layout() -> list[dict]:
    media, low = [], 0
    for up_to, room, labels in NARROW_CHARTS:
        text = {"width": room, "overflow": "truncate", "ellipsis": "…"}
        option = {
            "title": {"textStyle": {"fontSize": 14} | text, "subtextStyle": text},
            "yAxis": {"axisLabel": {"width": labels, "overflow": "truncate", "ellipsis": "…"}},
        }
        media.append({"query": {"minWidth": low, "maxWidth": up_to}, "option": option})
        low = up_to + 1
    return media


def png_toolbox(filename: str, corner: str = "top") -> dict:
    """The chart's PNG export (2x, for slides) under ``filename``: ECharts' save-as-image button, in the
    ``corner`` ("top" or "bottom") on the right."""
    return {
        "right": 0,
        corner: 0,
        "itemSize": 13,
        "feature": {"saveAsImage": {"title": "PNG", "name": filename, "pixelRatio": 2}},
    }


def frame(title: str, subtitle: str, export: str, series: list[dict], *, x_axis: dict, y_axis, grid: dict | None = None) -> dict:
    """An option with the shared frame around ``series``: title and subtitle, PNG export, a legend of the
    named series (label series and marks are left out), drawn at once (no growing animation: a what-if
    slider shows the new figure, and "drawn" is when the page is complete)."""
    legend = [s["name"] for s in series if s.get("name") and not s.get("silent")]
    return {
        "animationDuration": 0,
        "animationDurationUpdate": 200,
        "title": {"text": title, "subtext": subtitle, "left": 0, "textStyle": {"fontSize": 16}},
        "tooltip": {"trigger": "item", "confine": True},
        "toolbox": png_toolbox(export),
        "legend": {"type": "scroll", "bottom": 0, "left": 0, "data": legend},
        "grid": {"left": 16, "right": 24, "top": 72, "bottom": LEGEND_HEIGHT + 48, "containLabel": True} | (grid or {}),
        "xAxis": x_axis,
        "yAxis": y_axis,
        "series": series,
        "media": _narrow_layout(),
    }


def tip(*lines: str) -> dict:
    """A point's hover text: its lines, each escaped (a model name is text, not markup); the first in bold."""
    first, *rest = (html.escape(line) for line in lines)
    return {"formatter": "<br/>".join([f"<b>{first}</b>", *rest])}


def point(x, y, *lines: str) -> dict:
    """One data point ``[x, y]`` with its hover text (``tip``)."""
    return {"value": [x, y], "tooltip": tip(*lines)} if lines else {"value": [x, y]}


def line(name: str, color: str, points: list, *, width: float = 2.5, step: str | None = None, style="solid") -> dict:
    """A line through ``points`` (``point`` dicts), ``style`` an ECharts line type ("solid", "dashed", "dotted"
    or a dash pattern). Its points are invisible until hovered, when their hover text shows: a line of a few
    hundred points reads as a line, not as beads."""
    series = {
        "type": "line",
        "name": name,
        "data": points,
        "color": color,
        "lineStyle": {"width": width, "type": style},
        "showSymbol": True,
        "symbol": "circle",
        "symbolSize": 7,
        "itemStyle": {"opacity": 0},
        "emphasis": {"itemStyle": {"opacity": 1}, "lineStyle": {"width": width}},
        "z": 3,
    }
    if step:
        series["step"] = step
    return series


def markers(name: str, points: list, *, symbol: str = "diamond", size: float = 13, color: str = NEUTRAL, **extra) -> dict:
    """Markers at ``points`` (``point`` dicts, each may carry its own ``label``), drawn above the lines."""
    return {
        "type": "scatter",
        "name": name,
        "data": points,
        "symbol": symbol,
        "symbolSize": size,
        "itemStyle": {"color": color},
        "clip": False,  # a marker on the plot's edge is drawn whole
        "z": 5,
        **extra,
    }


# A five-pointed star for ECharts' ``symbol`` (it has no star of its own).
STAR = "path://M50,0 L61,35 L98,35 L68,57 L79,91 L50,70 L21,91 L32,57 L2,35 L39,35 Z"


def silent(series: dict) -> dict:
    """A series that is not in the legend and shows no tooltip (labels, marks)."""
    return series | {"silent": True, "tooltip": {"show": False}}


# ------------------------------------------------------------------------------------------------ axes


def money_unit(top: float) -> tuple[float, str]:
    """The axis unit for amounts up to ``top``: ``(1000, "k")`` draws $22,500 as 22.5 labelled ``$22.5k``.
    Thousands from $10k on ($200 ... $1,200 reads better than $0.2k ... $1.2k), larger units from one of
    them on ($7M, never $7,000k).

    >>> money_unit(2_250), money_unit(22_500), money_unit(80), money_unit(7e6), money_unit(1.5e25)
    ((1.0, ''), (1000.0, 'k'), (1.0, ''), (1000000.0, 'M'), (1e+25, 'e25'))
    """
    if top >= SCIENTIFIC_FROM:  # as ``money`` writes them: $1.5e25, never $15,000,000,000T
        exponent = math.floor(math.log10(top))
        return 10.0**exponent, f"e{exponent}"
    for size, suffix in SUFFIXES:
        if top >= (10 * size if suffix == "k" else size):
            return size, suffix
    return 1.0, ""


def money_axis(name: str, top: float, **extra) -> tuple[dict, float]:
    """A linear money axis from 0 to at least ``top`` and the scale the values are divided by:
    ECharts writes its labels from the template ``${value}k``."""
    scale, suffix = money_unit(top if top and math.isfinite(top) else 0.0)
    axis = {
        "type": "value",
        "name": name,
        "nameLocation": "middle",
        "nameGap": 52,
        "min": 0,
        # "$0k" would read oddly: the zero of a scaled axis is its baseline, unlabelled
        "axisLabel": {"formatter": "${value}" + suffix, "showMinLabel": not suffix},
    }
    return axis | extra, scale


def money_value(usd: float | None, scale: float, name: str, when: str) -> dict | None:
    """One amount drawn on a money axis of ``scale`` (a bar or a line's point on a category axis), its hover
    text ``name`` / ``when: $1.23k``; an unknown amount (None, NaN) draws nothing."""
    if usd is None or not math.isfinite(usd):
        return None
    return {"value": usd / scale, "tooltip": tip(name, f"{when}: {money(usd)}")}


def money_scale(template: str) -> float:
    """What the values of an axis labelled by ``template`` are multiplied by to give dollars (the inverse of
    ``money_axis``'s scale), for whoever reads an option back: tests, and a browser test reading the page's chart.

    >>> money_scale("${value}k"), money_scale("${value}"), money_scale("${value}e25")
    (1000.0, 1.0, 1e+25)
    """
    unit = template.removeprefix("${value}")
    if unit.startswith("e"):
        return 10.0 ** int(unit[1:])
    return {suffix: size for size, suffix in SUFFIXES}.get(unit, 1.0)


def decades(lo: float, hi: float) -> list[float]:
    """Powers of ten from the one at or below ``lo`` to the one at or above ``hi``.

    >>> decades(3.2, 5_830.0)
    [1.0, 10.0, 100.0, 1000.0, 10000.0]
    """
    lo = max(lo, 1e-12)
    first = math.floor(math.log10(lo) + 1e-9)
    last = max(math.ceil(math.log10(max(hi, lo)) - 1e-9), first + 1)
    return [10.0**e for e in range(first, last + 1)]


def labelled_decades(lo: float, hi: float) -> list[float]:
    """The powers of ten in [lo, hi] that carry a label: each one, or every second, third ... over
    many decades, at most ``MAX_LOG_LABELS``.

    >>> labelled_decades(10, 1e8)
    [10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, 10000000.0, 100000000.0]
    >>> labelled_decades(1, 1e20)[:3]
    [1.0, 1000.0, 1000000.0]
    """
    if not (lo > 0 and hi > lo):
        return []
    first, last = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    step = max(1, math.ceil((last - first + 1) / MAX_LOG_LABELS))
    return [10.0**e for e in range(first, last + 1, step)]


def log_axis(name: str, lo: float, hi: float, **extra) -> dict:
    """A log axis over [lo, hi] with ECharts' own labels hidden: ``log_labels`` writes them."""
    axis = {
        "type": "log",
        "logBase": 10,
        "name": name,
        "nameLocation": "middle",
        "min": lo,
        "max": hi,
        "axisLabel": {"show": False},
        "axisTick": {"show": False},
        "splitLine": {"show": True, "lineStyle": {"opacity": 0.5}},
        "minorSplitLine": {"show": False},
    }
    return axis | extra


def log_labels(axis: str, lo: float, hi: float, at: float, fmt: Callable[[float], str]) -> dict:
    """The labels of a log ``axis`` ("x" or "y") over [lo, hi]: a silent series whose points sit on the
    other axis's edge ``at``, each labelled with ``fmt(power of ten)`` ("1B", "$10k")."""
    values = labelled_decades(lo, hi)
    if axis == "x":
        data = [{"value": [v, at], "label": {"formatter": fmt(v)}} for v in values]
        label = {"show": True, "position": "bottom", "distance": 6}
    else:
        data = [{"value": [at, v], "label": {"formatter": fmt(v)}} for v in values]
        label = {"show": True, "position": "left", "distance": 8}
    return silent(
        {
            "type": "scatter",
            "data": data,
            "symbolSize": 0,
            "clip": False,
            "label": label | {"color": NEUTRAL, "fontSize": 11},
            "z": 1,
        }
    )


def log_range(values: Sequence[float]) -> tuple[float, float]:
    """The decades around the positive finite ``values`` (1 to 10 when there are none)."""
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    if not finite:
        return 1.0, 10.0
    ticks = decades(min(finite), max(finite))
    return ticks[0], ticks[-1]


def money_tick(value: float) -> str:
    """``$10``, ``$1k``, ``$2.5M``: an axis label needs no cents."""
    return "$" + compact(value)


# ----------------------------------------------------------------------------------------------- marks


def vertical_line(x, label: str = "", *, style: str = "dashed", y_from=None, y_to=None, label_at: str = "end") -> dict:
    """A vertical mark at ``x`` (a ``markLine`` item; ``style`` its line type), optionally from ``y_from`` to
    ``y_to`` (data values), labelled at its top end, above the plot, where no line crosses the text."""
    line_style = {"color": NEUTRAL, "width": 1.5, "type": style}
    label_style = {"show": bool(label), "formatter": label, "position": label_at}
    if y_from is None:
        return {"xAxis": x, "lineStyle": line_style, "label": label_style}
    return [{"coord": [x, y_from], "lineStyle": line_style, "label": label_style}, {"coord": [x, y_to]}]


def mark_lines(lines: list) -> dict:
    """A series' ``markLine``: the reference ``lines`` (``vertical_line`` items or others), without end symbols."""
    return {"symbol": "none", "silent": True, "data": lines, "animation": False}


def marks_series(lines: list | None = None, areas: list | None = None) -> dict:
    """A silent, empty line series that carries reference lines (``markLine``) and bands (``markArea``)."""
    series = {"type": "line", "data": [], "symbol": "none"}
    if lines:
        series["markLine"] = mark_lines(lines)
    if areas:
        series["markArea"] = {"silent": True, "data": areas}
    return silent(series)
