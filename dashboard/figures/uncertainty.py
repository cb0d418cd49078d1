"""Figures for uncertainty, sensitivity and quality-adjusted cost. Pure: results in, ECharts options out.

Each builder returns ``(option, height_px)`` for ``st.echarts_chart`` (see ``dashboard.figures.echarts``):

- ``band_figure``: per strategy, the P10–P90 band of the monthly cost (filled) and the median line;
- ``probability_figure``: the probability that self-hosting is cheaper, month by month;
- ``tornado_figure``: one-at-a-time sensitivity bars around the base value, largest effect on top;
- ``quality_figure``: token cost plus expected error cost, stacked, per strategy.

Strategy colours come from ``dashboard.theme.STRATEGY_COLORS`` unless ``colors`` is given. Months are
the categories of the x axis, and a point's x is its month's index (``[i, y]``): ``mark_equal_lines``
compares numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from calculators.formatting import money, percent
from calculators.quality import QualityResult
from calculators.scenario import STRATEGY_LABELS
from calculators.sensitivity import Sensitivity
from calculators.uncertain_inputs import INPUT_UNITS
from calculators.uncertainty import PERCENTILES, BandResult
from dashboard.figures import echarts
from dashboard.figures.cost import mark_equal_lines
from dashboard.theme import NEUTRAL, STRATEGY_COLORS, strategy_color

BAND_OPACITY = 0.18
LOW_COLOR = "#38bdf8"  # tornado: the input at the low end of its range
HIGH_COLOR = "#f97316"  # ... and at the high end
ERROR_COLOR = "#ef4444"
AXIS_NAME_GRID = {"left": 40}  # room left of the y axis labels for its name ("USD per month")
TORNADO_LABEL_ROOM = 0.22  # share of the bars' span left free on each side for the money labels at their ends
# the quality chart's error cost is hatched: it is an expectation, not a bill
HATCH = {
    "symbol": "rect",
    "dashArrayX": [1, 0],
    "dashArrayY": [3, 5],
    "rotation": -math.pi / 4,
    "color": "rgba(255,255,255,0.45)",
}


def _rgba(color: str, alpha: float) -> str:
    """``#rrggbb`` → ``rgba(r,g,b,alpha)``."""
    h = color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _color(key: str, colors: Mapping[str, str] | None) -> str:
    return (colors or STRATEGY_COLORS).get(key) or strategy_color(key)


def _label(key: str, labels: Mapping[str, str] | None) -> str:
    """The strategy's name: plain text in ECharts (tooltips escape it)."""
    return (labels or {}).get(key) or STRATEGY_LABELS.get(key, key)


def _month_axis(band: BandResult) -> dict:
    """The months as categories ("2027-01", as the month slider and the sentences write them)."""
    return {"type": "category", "data": [m.strftime("%Y-%m") for m in band.months], "boundaryGap": False}


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def nice_range(lo: float, hi: float, room: float = 0.0) -> tuple[float, float]:
    """``[lo, hi]`` widened by ``room`` of its span on each side and out to a round step (1, 2 or 5 × 10^n),
    so that the axis labels at its ends are round numbers.

    >>> nice_range(2.3, 7.9), nice_range(-1.2, 0.4, room=0.25), nice_range(5.0, 5.0)
    ((2.0, 8.0), (-2.0, 1.0), (4.0, 6.0))
    """
    span = hi - lo or abs(hi) or 1.0
    lo, hi = lo - room * span, hi + room * span
    raw = (hi - lo or span) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= raw)
    low, high = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if low == high:
        low, high = low - step, high + step
    return float(round(low, 12)), float(round(high, 12))


# ----------------------------------------------------------------------------------- band


def band_figure(
    band: BandResult,
    colors: Mapping[str, str] | None = None,
    *,
    strategies: list[str] | None = None,
    labels: Mapping[str, str] | None = None,
    export: str = "band",
) -> tuple[dict, int]:
    """P10–P90 band and median line of each strategy's monthly cost, month by month.

    Series: first the median lines, one per strategy (the legend entries; a median's hover text
    gives the month's median and its P10–P90), then per strategy two silent stacked lines, the
    band's lower edge (P10, invisible) and its width (P90 − P10, filled down to the edge). The band
    series carry their median's name, so clicking a legend entry hides the band too; the medians
    come first so that the legend's symbol is the median's line.
    """
    p10, p50, p90 = (PERCENTILES.index(q) for q in (10, 50, 90))
    keys = [key for key in (strategies or band.strategies) if key in band.cost]
    top = max((float(v) for key in keys for v in band.cost[key][p90] if math.isfinite(v)), default=0.0)
    y_axis, scale = echarts.money_axis("USD per month", top)
    months = [m.strftime("%Y-%m") for m in band.months]
    medians, bands = [], []
    for key in keys:
        color, name, cost = _color(key, colors), _label(key, labels), band.cost[key]
        shown = [i for i in range(len(months)) if _finite(cost[p10][i], cost[p50][i], cost[p90][i])]
        points = [
            echarts.point(
                i,
                float(cost[p50][i]) / scale,
                f"{name} · {months[i]}",
                f"median {money(float(cost[p50][i]))}",
                f"P10–P90: {money(float(cost[p10][i]))} – {money(float(cost[p90][i]))}",
            )
            for i in shown
        ]
        medians.append(echarts.line(name, color, points))
        edge = {"type": "line", "stack": f"band-{key}", "stackStrategy": "all", "symbol": "none", "color": color, "z": 2}
        lower = edge | {"data": [[i, float(cost[p10][i]) / scale] for i in shown], "lineStyle": {"opacity": 0}}
        width = edge | {
            "data": [[i, float(cost[p90][i] - cost[p10][i]) / scale] for i in shown],
            "lineStyle": {"opacity": 0},
            "areaStyle": {"color": _rgba(color, BAND_OPACITY), "opacity": 1},
        }
        bands.append((lower, width))
    mark_equal_lines(medians)  # the hybrid's median under the cascade's when they cost the same
    series = list(medians)
    for median, (lower, width) in zip(medians, bands, strict=True):
        series += [echarts.silent(lower | {"name": median["name"]}), echarts.silent(width | {"name": median["name"]})]
    option = echarts.frame(
        "Monthly cost with uncertainty",
        f"median and 10th–90th percentile over {band.draws:,} draws (seed {band.seed})",
        export,
        series,
        x_axis=_month_axis(band) | {"name": "Month", "nameLocation": "middle", "nameGap": 30},
        y_axis=y_axis,
        grid=AXIS_NAME_GRID,
    )
    return option, 460


def probability_figure(band: BandResult, *, labels: Mapping[str, str] | None = None, export: str = "chance") -> tuple[dict, int]:
    """P(self-hosting is cheaper in month N) against each baseline: one line per pair, in percent.

    Line style: solid against flagship only, dashed against the hybrid; the colour is the
    challenger's (self-hosted or self-hosted + flagship).
    """
    months = [m.strftime("%Y-%m") for m in band.months]
    series = []
    for challenger, against in band.probability_cheaper.items():
        for baseline, probability in against.items():
            name = f"{_label(challenger, labels)} cheaper than {_label(baseline, labels).lower()}"
            points = [
                echarts.point(i, float(p) * 100, name, f"{months[i]}: {percent(float(p))} of draws")
                for i, p in enumerate(probability)
                if math.isfinite(p)
            ]
            line = echarts.line(
                name, strategy_color(challenger), points, width=2, style="solid" if baseline == "flagship_only" else "dashed"
            )
            series.append(line | {"clip": False})  # a line at 100% runs along the plot's top edge, drawn whole
    option = echarts.frame(
        "Chance that self-hosting is cheaper",
        "share of draws in which it costs less in that month",
        export,
        series,
        x_axis=_month_axis(band),  # dates speak for themselves; an axis title would sit on the legend
        y_axis={
            "type": "value",
            "name": "Probability",
            "nameLocation": "middle",
            "nameGap": 44,
            "min": 0,
            "max": 100,
            "interval": 25,
            "axisLabel": {"formatter": "{value}%"},
        },
        grid=AXIS_NAME_GRID,
    )
    return option, 340


# -------------------------------------------------------------------------------- tornado


def _value_text(key: str, value: float) -> str:
    unit = INPUT_UNITS.get(key)
    if unit == "share":  # whole percents without decimals: "0% – 10%", "2.5% – 7.5%"
        return percent(value, 0 if float(round(value * 100, 6)).is_integer() else 1)
    if unit == "usd":
        return money(value)
    if unit == "factor":
        return f"x{value:.2f}"
    return f"{value:,.0f}"


def tornado_figure(result: Sensitivity, *, export: str = "tornado") -> tuple[dict, int]:
    """Horizontal bars from the metric at the point values (``result.base``) to its value with each input at
    the low and at the high end of its range, labelled with that value; a dotted line marks the base.

    Each end is a stack of two bars: an invisible one up to the base, then the visible change from the
    base (negative when the metric falls; ``stackStrategy: all`` stacks it downwards). The two ends share
    a row (``barGap: -100%``). Rows keep ``result.rows``' order, largest effect on top. Series: the low
    end's offset and bar ("Input at its low end"), then the high end's.
    """
    rows = result.rows
    base = float(result.base)
    names = [f"{r.label} ({_value_text(r.key, r.low)} – {_value_text(r.key, r.high)})" for r in rows]
    ends = [float(v) for r in rows for v in (r.at_low, r.at_high) if math.isfinite(v)]
    scale, suffix = echarts.money_unit(max((abs(v) for v in [base, *ends]), default=0.0))
    lo, hi = nice_range(min([base, *ends]) / scale, max([base, *ends]) / scale, room=TORNADO_LABEL_ROOM)
    series = []
    for end, color, attr, value_attr in (("low", LOW_COLOR, "at_low", "low"), ("high", HIGH_COLOR, "at_high", "high")):
        offset = {"type": "bar", "stack": end, "stackStrategy": "all", "barWidth": "55%", "itemStyle": {"color": "transparent"}}
        bars = []
        for r, name in zip(rows, names, strict=True):
            value = float(getattr(r, attr))
            if not math.isfinite(value):
                bars.append({"value": 0.0, "label": {"show": False}})
                continue
            bars.append(
                {
                    "value": (value - base) / scale,
                    "label": {"show": value != base, "formatter": money(value), "position": "right" if value > base else "left"},
                    "tooltip": echarts.tip(name, f"at {_value_text(r.key, getattr(r, value_attr))}: {money(value)}"),
                }
            )
        series += [
            echarts.silent(offset | {"data": [base / scale] * len(rows)}),
            {
                "type": "bar",
                "name": f"Input at its {end} end",
                "stack": end,
                "stackStrategy": "all",
                "barWidth": "55%",
                "barGap": "-100%",  # the low and the high end share their input's row
                "color": color,
                "label": {"fontSize": 11, "color": NEUTRAL},
                "data": bars,
            },
        ]
    # labelled at its start, which the inverse (largest on top) category axis puts at the plot's top
    series.append(echarts.marks_series([echarts.vertical_line(base / scale, money(base), style="dotted", label_at="start")]))
    option = echarts.frame(
        f"What moves the number: {result.title}",
        f"{money(base)} at the point values; each bar varies one input, the others stay put",
        export,
        series,
        x_axis={"type": "value", "min": lo, "max": hi, "axisLabel": {"formatter": "${value}" + suffix}},
        y_axis={"type": "category", "inverse": True, "data": names, "axisTick": {"show": False}},
        grid={"top": 84},  # the base line's label sits above the plot, under the subtitle
    )
    return option, 180 + 40 * max(len(rows), 1)


# -------------------------------------------------------------------------------- quality


def quality_figure(
    result: QualityResult,
    colors: Mapping[str, str] | None = None,
    *,
    month: int = 0,
    labels: Mapping[str, str] | None = None,
    export: str = "quality",
) -> tuple[dict, int]:
    """Token cost (strategy colour) and expected error cost (red, hatched) stacked per strategy, in one month,
    the total on top.

    Two series: "Token cost" and "Expected error cost"; an unrated strategy has an error bar of
    0 and the label "not rated".
    """
    keys = list(result.strategies)
    names = [_label(k, labels) for k in keys]
    tokens = [float(result.strategies[k].token_usd[month]) for k in keys]
    errors = [float(q.error_usd[month]) if q.rated else 0.0 for q in result.strategies.values()]
    rated = [q.rated for q in result.strategies.values()]
    y_axis, scale = echarts.money_axis("USD per month", max((t + e for t, e in zip(tokens, errors, strict=True)), default=0.0))
    token_bars = [
        {"value": t / scale, "itemStyle": {"color": _color(k, colors)}, "tooltip": echarts.tip(name, f"tokens {money(t)}")}
        for k, name, t in zip(keys, names, tokens, strict=True)
    ]
    error_bars = [
        {
            "value": e / scale,
            "label": {"formatter": money(t + e) if r else "not rated"},
            "tooltip": echarts.tip(name, f"errors {money(e)}" if r else "not rated"),
        }
        for name, t, e, r in zip(names, tokens, errors, rated, strict=True)
    ]
    series = [
        {"type": "bar", "name": "Token cost", "stack": "cost", "color": NEUTRAL, "barWidth": "55%", "data": token_bars},
        {
            "type": "bar",
            "name": "Expected error cost",
            "stack": "cost",
            "color": _rgba(ERROR_COLOR, 0.55),
            "itemStyle": {"decal": HATCH},
            "label": {"show": True, "position": "top"},
            "data": error_bars,
        },
    ]
    option = echarts.frame(
        "Cost including wrong answers",
        f"tokens + expected errors × {money(result.cost_per_error_usd)} each, per month",
        export,
        series,
        x_axis={"type": "category", "data": names, "axisTick": {"show": False}},
        y_axis=y_axis,
        grid=AXIS_NAME_GRID,
    )
    return option, 400
