"""The Compare and Cost vs volume figures, and what every figure builder shares. Pure: an ``Evaluation`` in,
a plotly ``Figure`` out (no streamlit); the first view's comparison bars are an ECharts option instead (see
``comparison_chart``). The Forecast and Breakdown figures are in ``forecast`` and ``breakdown`` beside it.

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
import plotly.graph_objects as go

from calculators.engine import Evaluation
from calculators.formatting import SUFFIXES, compact, cost_change, money, percent, tokens
from calculators.recommendation import VOLUME_TIERS
from calculators.scenario import STRATEGY_LABELS
from dashboard.theme import NEUTRAL, OVERRIDE_MARK, strategy_color

MARGIN = {"l": 8, "r": 8, "t": 64, "b": 8}
MIN_LABELLED_BAND = 0.14  # share of the log axis a tier band needs to carry its label
NOW_LABEL_LEFT_FROM = 0.75  # share of the volume axis from which the "now" label reads leftwards
NOW_LINE_FROM = 0.08  # the "now" line starts above the tier labels along the bottom, never through one
_TIER_SHORT = ("<1M: flagship", "1-10M: by task", "10-100M: smaller models", ">100M: open or hybrid")


def plotly_text(text: str) -> str:
    """Plotly reads ``<b>``, ``<a href>`` in text: a model name must not become markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slug(name: str) -> str:
    """A file-name-safe version of a scenario name: ``'Agent platform: v2' → 'agent-platform-v2'``."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return text or "scenario"


def png_config(filename: str) -> dict:
    """``st.plotly_chart`` config: the modebar's PNG export (2x, for slides) under ``filename``."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}


def chart_config(ev: Evaluation, chart: str) -> dict:
    """The PNG export named after the scenario and the chart: ``agent-platform-volume.png``."""
    return png_config(f"{slug(ev.scenario.name)}-{chart}")


def strategy_name(ev: Evaluation, key: str) -> str:
    """The strategy's label, with the override mark when any of its models has overridden prices."""
    label = STRATEGY_LABELS.get(key, key)
    result = ev.strategies.get(key)
    if result is not None and any(m.overridden for m in result.models):
        return f"{label} {OVERRIDE_MARK}"
    return label


def figure_from(data: list[dict], title: str, subtitle: str, shapes=(), annotations=(), **layout) -> go.Figure:
    """One validated construction from plain dicts: ~5x faster than add_trace/update_layout calls,
    each of which re-validates the figure (it matters: the page rebuilds figures on every change)."""
    base = {
        "title": {"text": plotly_text(title), "subtitle": {"text": plotly_text(subtitle)}, "x": 0, "xanchor": "left"},
        "margin": MARGIN,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "xanchor": "left"},
        "hoverlabel": {"namelength": -1},
        "shapes": list(shapes),
        "annotations": list(annotations),
    }
    return go.Figure({"data": data, "layout": base | layout})


def _volume_unit(ev: Evaluation) -> tuple[float, str]:
    """Volumes are drawn in tokens a month (the article's unit) unless requests carry no tokens."""
    tpr = ev.scenario.workload.tokens_per_request
    return (tpr, "tokens") if tpr > 0 else (1.0, "requests")


# ----------------------------------------------------------------------------- comparison


def _money_axis(top: float) -> tuple[float, str]:
    """The axis unit for amounts up to ``top``: ``(1000, "k")`` draws $2,250 as 2.25 labelled ``$2.25k``.

    ECharts options carry no JavaScript, so the axis labels cannot call ``money``; scaling the
    values and a ``${value}k`` template gives the same compact labels."""
    for size, suffix in SUFFIXES:
        if top >= 10 * size:
            return size, suffix
    return 1.0, ""


def comparison_chart(ev: Evaluation, title: str = "Monthly cost by strategy", export: str = "comparison") -> tuple[dict, int]:
    """This month's cost per strategy as horizontal bars labelled with the saving against flagship only.

    An ECharts option and its height in pixels, for ``st.echarts_chart``. It is the first chart a
    link opens, and Streamlit's ECharts chunk loads and parses ~0.75 s sooner than its plotly.js
    chunk (benchmarks/page_load.py), which keeps the first page under 3 s; the other figures
    need plotly's log axes and shapes and are built only when their tab is open.
    Texts are plain in ECharts, except the tooltip's HTML, which is escaped.
    """
    costs = ev.monthly_cost_usd
    savings = ev.savings_vs_flagship_only
    keys = [k for k in ev.strategies if k in costs]
    top = max((costs[k] for k in keys), default=0.0)
    axis_max = top * 1.38 if top > 0 else 1.0  # room on the right for the outside labels
    scale, suffix = _money_axis(axis_max)
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
        "toolbox": {
            "right": 0,
            "bottom": 0,
            "itemSize": 13,
            "feature": {"saveAsImage": {"title": "PNG", "name": f"{slug(ev.scenario.name)}-{export}", "pixelRatio": 2}},
        },
        "grid": {"left": 8, "right": 16, "top": 64, "bottom": 40, "containLabel": True},
        "xAxis": {
            "type": "value",
            "name": "USD per month",
            "nameLocation": "middle",
            "nameGap": 26,
            "max": axis_max / scale,
            "axisLabel": {"formatter": "${value}" + suffix, "showMaxLabel": False},
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


def _line(key: str, name: str, x, y, unit: str, **extra) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "x": x,
        "y": y,
        "name": name,
        "line": {"color": strategy_color(key), "width": 2.5},
        "hovertemplate": f"{name}<br>%{{x:.3s}} {unit} → $%{{y:,.0f}}<extra></extra>",
        **extra,
    }


def volume_figure(ev: Evaluation) -> go.Figure:
    """Monthly cost against monthly volume (log-log): API lines, the self-hosted staircase,
    break-even points, the article's volume tiers and the current volume."""
    scale, unit = _volume_unit(ev)
    curve = ev.curve
    x = curve.volumes * scale
    data = [
        _line(key, plotly_text(strategy_name(ev, key)), x, cost, f"{unit}/month")
        for key, cost in curve.cost.items()
        if key != "self_hosted"
    ]
    if curve.step_volumes.size and "self_hosted" in curve.cost:
        name = plotly_text(strategy_name(ev, "self_hosted"))
        data.append(_line("self_hosted", name, curve.step_volumes * scale, curve.step_costs, f"{unit}/month", line_shape="hv"))
    mark_equal_lines(data)
    now = ev.scenario.workload.requests_per_month * scale
    data += _break_even_marks(ev, scale, unit, now)
    lo, hi = float(x[0]), float(x[-1])
    shapes, annotations = _tier_bands(lo, hi) if unit == "tokens" else ([], [])
    if lo <= now <= hi:
        right_end = math.log10(now / lo) > NOW_LABEL_LEFT_FROM * math.log10(hi / lo)
        shapes.append(
            {
                "type": "line",
                "x0": now,
                "x1": now,
                "y0": NOW_LINE_FROM,
                "y1": 1,
                "yref": "paper",
                "line": {"color": NEUTRAL, "width": 1.5, "dash": "dash"},
            }
        )
        annotations.append(
            {
                "x": math.log10(now),  # annotations on a log axis take log10 positions (shapes take data values)
                "y": 1,
                "yref": "paper",
                "text": f"now: {tokens(now)} {unit}/mo",
                "showarrow": False,
                # beside the line, on the side with room: near the right end it would run off the plot
                "xanchor": "right" if right_end else "left",
                "yanchor": "top",
                "xshift": -4 if right_end else 4,
                "font": {"size": 11},
            }
        )
    return figure_from(
        data,
        "Cost versus monthly volume",
        f"{ev.scenario.name} · prices of {ev.forecast.months[0]:%B %Y}",
        shapes=shapes,
        annotations=annotations,
        height=480,
        xaxis={"type": "log", "title": {"text": f"{unit.capitalize()} per month"}, "range": [math.log10(lo), math.log10(hi)]}
        | log_ticks(lo, hi, tokens),
        yaxis={"type": "log", "title": {"text": "USD per month"}} | log_ticks(*_positive_range(data), money_tick),
        hovermode="closest",
    )


def log_ticks(lo: float, hi: float, fmt) -> dict:
    """Ticks at each power of ten in [lo, hi], labelled with the app's formats ("1B", "$10k"):
    plotly's own SI labels would say "1G" for a billion."""
    if not (lo > 0 and hi > lo):
        return {}
    first, last = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    step = max(1, math.ceil((last - first + 1) / 9))  # at most ~9 labels
    values = [10.0**e for e in range(first, last + 1, step)]
    return {"tickmode": "array", "tickvals": values, "ticktext": [fmt(v) for v in values]}


def money_tick(value: float) -> str:
    """``$10``, ``$1k``, ``$2.5M``: an axis label needs no cents."""
    return "$" + compact(value)


def _positive_range(data: list[dict]) -> tuple[float, float]:
    values = np.concatenate([np.asarray(t["y"], dtype=float) for t in data if len(t["y"])] or [np.ones(1)])
    values = values[np.isfinite(values) & (values > 0)]
    return (float(values.min()), float(values.max())) if values.size else (1.0, 10.0)


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
    """One trace per break-even point: its legend entry says what it is ("Break-even vs hybrid routing:
    1.62B"), the plot only the volume, on the side away from the "now" line (left of it: above-left,
    which clears the point's own rising line; right of it: below-right)."""
    marks = []
    for other, kind, volume in break_even_points(ev):
        cost = ev.api_cost_at(other, volume)
        if cost is None:
            continue
        label = STRATEGY_LABELS.get(other, other)
        x = volume * scale
        name = f"{kind.capitalize()} vs {label.lower()}: {tokens(x)}"
        marks.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [x],
                "y": [cost],
                "name": name,
                "text": [tokens(x)],
                "textposition": "",  # set below, once every point's place is known
                "textfont": {"size": 11},
                "cliponaxis": False,
                "marker": {
                    "symbol": "diamond",
                    "size": 12,
                    "color": strategy_color(other),
                    "line": {"color": strategy_color("self_hosted"), "width": 2},
                },
                "hovertemplate": f"Self-hosting {kind} vs {label}<br>{tokens(x)} {unit}/month ({tokens(volume)} requests)"
                f"<br>{money(cost)} a month<extra></extra>",
            }
        )
    for mark, position in zip(marks, label_positions([m["x"][0] for m in marks], now), strict=True):
        mark["textposition"] = position
    return marks


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


def mark_equal_lines(data: list[dict]) -> list[dict]:
    """A line drawn over an earlier one with the same values would hide it (the hybrid under the cascade
    when they cost the same): the later one is dashed, so the earlier shows through, and its legend
    entry says so ("Cascade (= hybrid routing)"). Changes and returns ``data``."""
    drawn: list[dict] = []
    for trace in data:
        if trace.get("mode") != "lines" or trace.get("showlegend") is False:  # a band's edges are not lines to see
            continue
        y = np.asarray(trace["y"], dtype=float)
        same = next(
            (
                t
                for t in drawn
                if len(t["y"]) == len(y)
                and np.array_equal(np.asarray(t["x"]), np.asarray(trace["x"]))
                and np.allclose(np.asarray(t["y"], dtype=float), y, rtol=1e-3, atol=0.005)
            ),
            None,
        )
        if same is not None:
            trace["line"] = {**trace["line"], "dash": "dash"}
            trace["name"] = f"{trace['name']} (= {same['name'].lower()})"
        drawn.append(trace)
    return data


def _tier_bands(lo: float, hi: float) -> tuple[list[dict], list[dict]]:
    """The article's volume tiers as faint alternating bands, labelled along the bottom when wide
    enough for the label (a tier clipped to a sliver of the axis keeps its band, not its label)."""
    shapes, annotations = [], []
    span = math.log10(hi) - math.log10(lo)
    for i, (tier, short) in enumerate(zip(VOLUME_TIERS, _TIER_SHORT, strict=True)):
        x0, x1 = max(tier.low, lo), min(tier.high, hi)
        if x1 <= x0:
            continue
        if i % 2 == 0:
            shapes.append(
                {
                    "type": "rect",
                    "x0": x0,
                    "x1": x1,
                    "y0": 0,
                    "y1": 1,
                    "yref": "paper",
                    "fillcolor": NEUTRAL,
                    "opacity": 0.1,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        if (math.log10(x1) - math.log10(x0)) / span < MIN_LABELLED_BAND:
            continue
        annotations.append(
            {
                "x": (math.log10(x0) + math.log10(x1)) / 2,
                "y": 0,
                "yref": "paper",
                "text": short,
                "showarrow": False,
                "yanchor": "bottom",
                "yshift": 4,
                "font": {"size": 10, "color": NEUTRAL},
            }
        )
    return shapes, annotations
