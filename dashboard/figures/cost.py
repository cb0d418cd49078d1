"""The Compare and Cost vs volume figures, and what the strategy figures share (names, the equal-line mark,
file names). Pure: an ``Evaluation`` in, an ECharts option and its height out (no streamlit), built with the
frame, axes and marks of ``echarts``. The Forecast and Breakdown figures are in ``forecast`` and ``breakdown``.

Every figure colours a strategy with ``theme.STRATEGY_COLORS``, marks a strategy or model whose
prices are overridden with ``theme.OVERRIDE_MARK``, and uses the shared number formats.
Backgrounds are transparent and reference marks mid-grey, so the figures read on the light and
the dark Streamlit theme alike.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np

from calculators.engine import Evaluation
from calculators.formatting import cost_change, money, percent, tokens
from calculators.recommendation import VOLUME_TIERS
from calculators.scenario import STRATEGY_LABELS
from dashboard.figures import echarts
from dashboard.theme import NEUTRAL, OVERRIDE_MARK, strategy_color

MIN_LABELLED_BAND = 0.14  # share of the log axis a tier band needs to carry its label
NOW_LABEL_LEFT_FROM = 0.75  # share of the volume axis from which the "now" label reads leftwards
NOW_LINE_FROM = 0.08  # the "now" line starts above the tier labels along the bottom, never through one
_TIER_SHORT = ("<1M: flagship", "1-10M: by task", "10-100M: smaller models", ">100M: open or hybrid")


def slug(name: str) -> str:
    """A file-name-safe version of a scenario name: ``'Agent platform: v2' → 'agent-platform-v2'``."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return text or "scenario"


def strategy_name(ev: Evaluation, key: str) -> str:
    """The strategy's label, with the override mark when any of its models has overridden prices."""
    label = STRATEGY_LABELS.get(key, key)
    result = ev.strategies.get(key)
    if result is not None and any(m.overridden for m in result.models):
        return f"{label} {OVERRIDE_MARK}"
    return label


def _volume_unit(ev: Evaluation) -> tuple[float, str]:
    """Volumes are drawn in tokens a month (the article's unit) unless requests carry no tokens."""
    tpr = ev.scenario.workload.tokens_per_request
    return (tpr, "tokens") if tpr > 0 else (1.0, "requests")


# ----------------------------------------------------------------------------- comparison


def comparison_chart(ev: Evaluation, title: str = "Monthly cost by strategy", export: str = "comparison") -> tuple[dict, int]:
    """This month's cost per strategy as horizontal bars labelled with the saving against flagship only.

    An ECharts option and its height in pixels, for ``st.echarts_chart``. It is the first chart a
    link opens, and Streamlit's ECharts chunk loads and parses ~0.75 s sooner than its plotly.js
    chunk (benchmarks/page_load.py); the other tabs' figures then draw with the script already loaded.
    Texts are plain in ECharts, except the tooltip's HTML, which is escaped.
    """
    costs = ev.monthly_cost_usd
    savings = ev.savings_vs_flagship_only
    keys = [k for k in ev.strategies if k in costs]
    top = max((costs[k] for k in keys), default=0.0)
    axis_max = top * 1.38 if top > 0 else 1.0  # room on the right for the outside labels
    scale, suffix = echarts.money_unit(axis_max)
    names = [strategy_name(ev, key) for key in keys]
    bars = [_comparison_bar(key, name, costs[key], savings.get(key), scale) for key, name in zip(keys, names, strict=True)]
    option = {
        # drawn at once: "charts drawn" is when the page is complete, and a what-if slider should
        # show its new bars, not a growing animation
        "animationDuration": 0,
        "animationDurationUpdate": 200,
        "title": {
            "text": title,
            "subtext": f"{ev.scenario.name} · {ev.forecast.months[0]:%B %Y}",
            "left": 0,
            "textStyle": {"fontSize": 16},
        },
        "tooltip": {"trigger": "item"},
        "toolbox": echarts.png_toolbox(f"{slug(ev.scenario.name)}-{export}", corner="bottom"),
        "grid": {"left": 8, "right": 16, "top": 64, "bottom": 40, "containLabel": True},
        "xAxis": {
            "type": "value",
            "name": "USD per month",
            "nameLocation": "middle",
            "nameGap": 26,
            "max": axis_max / scale,
            "axisLabel": {"formatter": "${value}" + suffix, "showMaxLabel": False, "showMinLabel": not suffix},
        },
        "yAxis": {"type": "category", "inverse": True, "data": names, "axisTick": {"show": False}},
        "series": [{"type": "bar", "barCategoryGap": "35%", "label": {"show": True, "position": "right"}, "data": bars}],
    }
    return option, 120 + 46 * max(len(bars), 1)


def _comparison_bar(key: str, name: str, cost: float, saving: float | None, scale: float) -> dict:
    """One strategy's bar: its cost, labelled with the change against flagship only (said in words in the tooltip)."""
    if key == "flagship_only" or saving is None:
        tag, words = "", ""
    elif saving >= 0:
        tag, words = f" · {cost_change(saving)}", f"<br/>{percent(saving)} less than flagship only"
    else:
        tag, words = f" · {cost_change(saving)}", f"<br/>{percent(-saving)} more than flagship only"
    return {
        "value": cost / scale,
        "itemStyle": {"color": strategy_color(key)},
        "label": {"formatter": money(cost) + tag},
        "tooltip": {"formatter": f"<b>{html.escape(name)}</b><br/>{money(cost)} a month{words}"},
    }


# --------------------------------------------------------------------------------- volume


def volume_figure(ev: Evaluation) -> tuple[dict, int]:
    """Monthly cost against monthly volume (log-log): API lines, the self-hosted staircase,
    break-even points, the article's volume tiers and the current volume. An ECharts option and its height."""
    scale, unit = _volume_unit(ev)
    curve = ev.curve
    x = curve.volumes * scale
    per = f"{unit}/month"
    series = [_volume_line(ev, key, x, cost, per) for key, cost in curve.cost.items() if key != "self_hosted"]
    if curve.step_volumes.size and "self_hosted" in curve.cost:
        series.append(_volume_line(ev, "self_hosted", curve.step_volumes * scale, curve.step_costs, per, step="end"))
    mark_equal_lines(series)
    now = ev.scenario.workload.requests_per_month * scale
    series += _break_even_marks(ev, scale, unit, now)
    lo, hi = float(x[0]), float(x[-1])
    y_lo, y_hi = echarts.log_range([p["value"][1] for s in series for p in s["data"]])
    lines = []
    if lo <= now <= hi:
        # from above the tier labels along the bottom to the top, its label above the plot: no line crosses either
        mark = echarts.vertical_line(now, f"now: {tokens(now)} {unit}/mo", y_from=_above_tiers(y_lo, y_hi), y_to=y_hi)
        # the label reads away from the nearer end of the axis: near the right end it would run off the chart
        right_end = math.log10(now / lo) > NOW_LABEL_LEFT_FROM * math.log10(hi / lo)
        mark[0]["label"]["align"] = "right" if right_end else "left"
        lines.append(mark)
    areas = _tier_bands(lo, hi) if unit == "tokens" else []
    series += [
        echarts.marks_series(lines, areas) | {"id": "marks"},
        echarts.log_labels("x", lo, hi, y_lo, tokens),
        echarts.log_labels("y", y_lo, y_hi, lo, echarts.money_tick),
    ]
    option = echarts.frame(
        "Cost versus monthly volume",
        f"{ev.scenario.name} · prices of {ev.forecast.months[0]:%B %Y}",
        f"{slug(ev.scenario.name)}-volume",
        series,
        x_axis=echarts.log_axis(f"{unit.capitalize()} per month", lo, hi, nameGap=30),
        y_axis=echarts.log_axis("USD per month", y_lo, y_hi, nameGap=58),
        grid={"left": echarts.AXIS_LABEL_ROOM + 8, "bottom": echarts.LEGEND_HEIGHT + 56, "containLabel": False},
    )
    if areas:  # on a phone a tier is a few pixels wide: the bands stay, their labels would print over each other
        unlabelled = [[{**start, "label": {"show": False}}, end] for start, end in areas]
        phone = {"series": [{"id": "marks", "markArea": {"data": unlabelled}}]}
        option["media"].append({"query": {"maxWidth": echarts.PHONE}, "option": phone})
    return option, 500


def _volume_line(ev: Evaluation, key: str, x, y, per: str, step: str | None = None) -> dict:
    name = strategy_name(ev, key)
    points = [
        echarts.point(float(v), float(c), name, f"{tokens(v)} {per} → {money(c)} a month")
        for v, c in zip(x, y, strict=True)
        if c > 0 and math.isfinite(c)
    ]
    return echarts.line(name, strategy_color(key), points, step=step)


def _above_tiers(y_lo: float, y_hi: float) -> float:
    """The cost NOW_LINE_FROM of the way up a log axis: the "now" line starts there, above the tier labels."""
    return 10 ** (math.log10(y_lo) + NOW_LINE_FROM * (math.log10(y_hi) - math.log10(y_lo)))


def break_even_points(ev: Evaluation) -> list[tuple[str, str, float]]:
    """(strategy compared, "break-even" or "stays cheaper", requests a month) for every break-even."""
    info = ev.self_hosted
    points = []
    for other, be in info.break_even.items() if info else ():
        if be.first_requests_per_month:
            points.append((other, "break-even", be.first_requests_per_month))
        if be.sustained_requests_per_month and be.sustained_requests_per_month != be.first_requests_per_month:
            points.append((other, "stays cheaper", be.sustained_requests_per_month))
    return points


def _break_even_marks(ev: Evaluation, scale: float, unit: str, now: float) -> list[dict]:
    """One series per break-even point: its legend entry says what it is ("Break-even vs hybrid routing:
    1.62B"), the plot only the volume, on the side away from the "now" line (left of it: above-left,
    which clears the point's own rising line; right of it: below-right)."""
    marks = []
    for other, kind, volume in break_even_points(ev):
        cost = ev.api_cost_at(other, volume)
        if cost is None:
            continue
        label = STRATEGY_LABELS.get(other, other)
        x = volume * scale
        hover = (
            f"Self-hosting {kind} vs {label}",
            f"{tokens(x)} {unit}/month ({tokens(volume)} requests)",
            f"{money(cost)} a month",
        )
        mark = echarts.markers(
            f"{kind.capitalize()} vs {label.lower()}: {tokens(x)}",
            [echarts.point(x, cost, *hover) | {"label": {"show": True, "formatter": tokens(x)}}],
            color=strategy_color(other),
            labelLayout={"hideOverlap": True},  # two close points on a narrow chart: one label, the legend says both
            itemStyle={"color": strategy_color(other), "borderColor": strategy_color("self_hosted"), "borderWidth": 2},
        )
        marks.append(mark)
    for mark, position in zip(marks, label_positions([m["data"][0]["value"][0] for m in marks], now), strict=True):
        mark["data"][0]["label"] |= LABEL_PLACES[position]
    return marks


# A label's place beside its marker, as ECharts says it: above-left, or below-right, of the point.
LABEL_PLACES = {
    "top left": {"position": "left", "offset": [0, -10], "fontSize": 11},
    "bottom right": {"position": "right", "offset": [0, 10], "fontSize": 11},
}


CLOSE_DECADES = 0.4  # two labels nearer than this on a log axis would print over each other
CLEAR_OF_NOW_DECADES = 0.5  # a label may read towards the "now" line only from this far


def label_positions(xs: list[float], now: float) -> list[str]:
    """Where each break-even volume's label goes: away from the "now" line (left of it: above-left; right of it:
    below-right; both clear of the point's own rising line), except that of two close points on one side the one
    nearer "now" takes the other corner, when it has room, so that the two labels do not overlap.

    >>> label_positions([25e9, 30.5e9], now=140e9)
    ['top left', 'bottom right']
    >>> label_positions([647e6, 1.62e9], now=2.5e9)
    ['top left', 'top left']
    """
    logs, at = [math.log10(x) for x in xs], math.log10(now)
    positions = []
    for i, (x, log) in enumerate(zip(xs, logs, strict=True)):
        left = x <= now
        neighbours = [o for j, o in enumerate(logs) if j != i and (xs[j] <= now) == left and abs(o - log) < CLOSE_DECADES]
        farther = any(o < log for o in neighbours) if left else any(o > log for o in neighbours)
        turn = farther and abs(at - log) >= CLEAR_OF_NOW_DECADES
        positions.append("bottom right" if left == turn else "top left")
    return positions


def mark_equal_lines(series: list[dict]) -> list[dict]:
    """A line drawn over an earlier one with the same values would hide it (the hybrid under the cascade
    when they cost the same): the later one is dashed, so the earlier shows through, and its legend
    entry says so ("Cascade (= hybrid routing)"). Changes and returns ``series``."""
    drawn: list[tuple[dict, np.ndarray]] = []
    for s in series:
        if s.get("type") != "line" or s.get("silent"):  # a band's edges and the marks are not lines to see
            continue
        values = np.array([p["value"] for p in s["data"]], dtype=float).reshape(-1, 2)
        same = next(
            (
                earlier
                for earlier, seen in drawn
                if seen.shape == values.shape
                and np.array_equal(seen[:, 0], values[:, 0])
                # relative only: the values may be scaled to the axis unit ($1e26), where any absolute
                # tolerance would call every line near zero "equal"
                and np.allclose(seen[:, 1], values[:, 1], rtol=1e-3, atol=0.0)
            ),
            None,
        )
        if same is not None:
            s["lineStyle"] = {**s["lineStyle"], "type": "dashed"}
            s["name"] = f"{s['name']} (= {same['name'].lower()})"
        drawn.append((s, values))
    return series


def _tier_bands(lo: float, hi: float) -> list[list[dict]]:
    """The article's volume tiers as faint alternating bands (``markArea`` items), labelled along the bottom
    when wide enough for the label (a tier clipped to a sliver of the axis keeps its band, not its label)."""
    bands = []
    span = math.log10(hi) - math.log10(lo)
    for i, (tier, short) in enumerate(zip(VOLUME_TIERS, _TIER_SHORT, strict=True)):
        x0, x1 = max(tier.low, lo), min(tier.high, hi)
        if x1 <= x0:
            continue
        labelled = (math.log10(x1) - math.log10(x0)) / span >= MIN_LABELLED_BAND
        style = {"color": NEUTRAL, "opacity": 0.1 if i % 2 == 0 else 0.0}
        label = {"show": labelled, "formatter": short, "position": "insideBottom", "color": NEUTRAL, "fontSize": 10}
        bands.append([{"xAxis": x0, "itemStyle": style, "label": label}, {"xAxis": x1}])
    return bands
