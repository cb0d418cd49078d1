"""The Forecast tab's figures: each strategy's cost month by month (or to date), the month self-hosting
overtakes (or pays back) a baseline, and the dated price changes. Pure, like every builder in
``dashboard.figures``: an ``Evaluation`` in, an ECharts option and its height out.

Dates travel as milliseconds since the epoch, drawn in UTC (``useUTC``): a first of the month stays the
first of the month in every browser's time zone, and the x values are numbers that
``cost.mark_equal_lines`` can compare.
"""

from __future__ import annotations

import datetime as dt
import math

from calculators.engine import Evaluation
from calculators.formatting import money
from calculators.scenario import STRATEGY_LABELS
from dashboard.figures import echarts
from dashboard.figures.cost import mark_equal_lines, slug, strategy_name
from dashboard.theme import NEUTRAL, strategy_color

HEIGHT = 440
# The legend wraps (every entry in view: a star is explained by its legend entry only) onto as many rows as
# its entries take at this width, a little under the ~860 px a chart gets on a 1400 px wide page.
LEGEND_ROW_PX = 760
LEGEND_ENTRY_PX = 40  # an entry's symbol and the gaps around it
LEGEND_CHAR_PX = 6.2  # an average character of the 12 px legend font
EVENT_MARK_RISE = 1.04  # the price-change triangles ride just above the highest line


def epoch_ms(day: dt.date) -> int:
    """``day`` at midnight UTC in milliseconds, the x value of an ECharts time axis drawn in UTC.

    >>> epoch_ms(dt.date(1970, 1, 2))
    86400000
    """
    return (day - dt.date(1970, 1, 1)).days * 86_400_000


def forecast_figure(ev: Evaluation, cumulative: bool = False) -> tuple[dict, int]:
    """Monthly (or cumulative) cost per strategy over the horizon, with the dated price changes and
    the month self-hosting overtakes (monthly) or pays back (cumulative). An ECharts option and its height."""
    f = ev.forecast
    costs = f.cumulative if cumulative else f.cost
    top = max((float(v) for values in costs.values() for v in values if math.isfinite(v)), default=0.0)
    y_axis, scale = echarts.money_axis("USD" if cumulative else "USD per month", top * (EVENT_MARK_RISE if ev.events else 1))
    series = [_cost_line(ev, key, values, cumulative, scale) for key, values in costs.items()]
    mark_equal_lines(series)
    series += _overtake_marks(ev, costs, cumulative, scale)
    if ev.events:
        series.append(_event_marks(ev, top * EVENT_MARK_RISE / scale))
    g = ev.scenario.growth
    option = echarts.frame(
        "Cumulative cost" if cumulative else "Monthly cost forecast",
        f"{ev.scenario.name} · {g.monthly_rate * 100:+.1f}% a month over {g.horizon_months} months",
        f"{slug(ev.scenario.name)}-{'cumulative' if cumulative else 'forecast'}",
        series,
        # the first to the last month exactly: markers on the edges are drawn whole over it (clip off)
        x_axis={
            "type": "time",
            "min": epoch_ms(f.months[0]),
            "max": epoch_ms(f.months[-1]),
            "axisLabel": {"formatter": "{MMM} {yyyy}", "hideOverlap": True},
            "splitLine": {"show": False},
        },
        y_axis=y_axis,
        # room on the left for the axis name beside the labels
        grid={"left": echarts.AXIS_LABEL_ROOM + 8, "containLabel": False},
    )
    option["useUTC"] = True
    more_rows = legend_rows(option["legend"]["data"]) - 1
    option["legend"]["type"] = "plain"
    option["grid"]["bottom"] += more_rows * echarts.LEGEND_HEIGHT
    return option, HEIGHT + more_rows * echarts.LEGEND_HEIGHT


def legend_rows(names: list[str]) -> int:
    """How many rows of LEGEND_ROW_PX the legend entries ``names`` fill, laid out left to right.

    >>> legend_rows(["Flagship only", "Self-hosted"]), legend_rows(["x" * 60] * 2)
    (1, 2)
    """
    rows, used = 1, 0.0
    for name in names:
        width = LEGEND_ENTRY_PX + LEGEND_CHAR_PX * len(name)
        if used and used + width > LEGEND_ROW_PX:
            rows, used = rows + 1, 0.0
        used += width
    return rows


def _cost_line(ev: Evaluation, key: str, values, cumulative: bool, scale: float) -> dict:
    name = strategy_name(ev, key)
    points = [
        echarts.point(epoch_ms(month), float(cost) / scale, name, f"{month:%b %Y}: {money(float(cost))}")
        for month, cost in zip(ev.forecast.months, values, strict=True)
        if math.isfinite(cost)
    ]
    # a self-hosted bill jumps when a replica is added: steps, not slopes
    step = "end" if key == "self_hosted" and not cumulative else None
    return echarts.line(name, strategy_color(key), points, step=step)


def _overtake_marks(ev: Evaluation, costs: dict, cumulative: bool, scale: float) -> list[dict]:
    """A star on the self-hosted line in each month it first costs less than (or pays back against) baselines."""
    f = ev.forecast
    firsts = f.self_hosted_payback if cumulative else f.first_self_hosted_cheaper
    baselines: dict[int, list[str]] = {}
    for other, index in firsts.items():
        if index is not None:
            baselines.setdefault(index, []).append(STRATEGY_LABELS.get(other, other).lower())
    verb = "pays back vs" if cumulative else "cheaper than"
    stars = []
    for index, others in sorted(baselines.items()):
        who = " and ".join(others)
        month, cost = f.months[index], float(costs["self_hosted"][index])
        # said in the legend, not in a label on the plot, where the rising lines would cross it
        star = echarts.point(epoch_ms(month), cost / scale, f"Self-hosted {verb} {who}", f"from {month:%b %Y}")
        stars.append(
            echarts.markers(
                f"Self-hosting {verb} {who} ({month:%Y-%m})",
                [star],
                symbol=echarts.STAR,
                size=17,
                itemStyle={"color": strategy_color("self_hosted"), "borderColor": NEUTRAL, "borderWidth": 1},
            )
        )
    return stars


def _event_marks(ev: Evaluation, at: float) -> dict:
    """A triangle above the lines on each day a price changes or a model retires, with what changes in its
    hover text, and a dotted line down from it: one legend entry shows or hides both."""
    triangles = [echarts.point(epoch_ms(day), at, f"{day:%d %b %Y}", text) for day, text in ev.events]
    lines = [echarts.vertical_line(epoch_ms(day), style="dotted") for day in dict.fromkeys(day for day, _ in ev.events)]
    for mark in lines:
        mark["lineStyle"]["width"] = 1
    return echarts.markers(
        "Price change or retirement",
        triangles,
        symbol="triangle",
        symbolRotate=180,  # pointing down at the day
        size=12,
        markLine=echarts.mark_lines(lines),
    )
