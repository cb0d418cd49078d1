"""Figures for uncertainty, sensitivity and quality-adjusted cost. Pure: results in, plotly figures out.

- ``band_figure``: per strategy, the P10–P90 band of the monthly cost (filled) and the P50 line;
- ``probability_figure``: the probability that self-hosting is cheaper, month by month;
- ``tornado_figure``: one-at-a-time sensitivity bars, largest effect on top;
- ``quality_figure``: token cost plus expected error cost, stacked, per strategy.

Strategy colours come from ``dashboard.theme.STRATEGY_COLORS`` unless ``colors`` is given.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from calculators.formatting import money, percent
from calculators.quality import QualityResult
from calculators.scenario import STRATEGY_LABELS
from calculators.sensitivity import Sensitivity
from calculators.uncertain_inputs import INPUT_UNITS
from calculators.uncertainty import PERCENTILES, BandResult
from dashboard.figures.cost import MARGIN, figure_from, mark_equal_lines, plotly_text
from dashboard.theme import NEUTRAL, STRATEGY_COLORS, strategy_color

BAND_OPACITY = 0.18
LOW_COLOR = "#38bdf8"  # tornado: the input at the low end of its range
HIGH_COLOR = "#f97316"  # ... and at the high end
ERROR_COLOR = "#ef4444"


def _rgba(color: str, alpha: float) -> str:
    """``#rrggbb`` → ``rgba(r,g,b,alpha)``."""
    h = color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _color(key: str, colors: Mapping[str, str] | None) -> str:
    return (colors or STRATEGY_COLORS).get(key) or strategy_color(key)


def _label(key: str, labels: Mapping[str, str] | None) -> str:
    return plotly_text((labels or {}).get(key) or STRATEGY_LABELS.get(key, key))


# ----------------------------------------------------------------------------------- band


def band_figure(
    band: BandResult,
    colors: Mapping[str, str] | None = None,
    *,
    strategies: list[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """P10–P90 band and P50 line of each strategy's monthly cost.

    Three traces per strategy, in this order: P90 (the band's upper edge, no legend), P10 (the
    lower edge, filled up to P90) and P50 (the line, with the legend entry; clicking it hides
    the band too, through the shared legend group).
    """
    p10, p50, p90 = (PERCENTILES.index(q) for q in (10, 50, 90))
    data = []
    for key in strategies or band.strategies:
        if key not in band.cost:
            continue
        color, name, cost = _color(key, colors), _label(key, labels), band.cost[key]
        edge = {"type": "scatter", "mode": "lines", "x": band.months, "legendgroup": key, "showlegend": False}
        data += [
            edge
            | {
                "y": cost[p90],
                "name": f"{name} P90",
                "line": {"width": 0, "color": color},
                "hovertemplate": f"{name} P90: $%{{y:,.0f}}<extra></extra>",
            },
            edge
            | {
                "y": cost[p10],
                "name": f"{name} P10–P90",
                "line": {"width": 0, "color": color},
                "fill": "tonexty",
                "fillcolor": _rgba(color, BAND_OPACITY),
                "hovertemplate": f"{name} P10: $%{{y:,.0f}}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": band.months,
                "y": cost[p50],
                "name": name,
                "legendgroup": key,
                "line": {"width": 2.5, "color": color},
                "hovertemplate": f"<b>{name}</b> median: $%{{y:,.0f}}<extra></extra>",
            },
        ]
    mark_equal_lines(data)  # the hybrid's median under the cascade's when they cost the same
    return figure_from(
        data,
        "Monthly cost with uncertainty",
        f"median and 10th–90th percentile over {band.draws:,} draws (seed {band.seed})",
        xaxis={"title": {"text": "Month"}},
        yaxis={"title": {"text": "USD per month"}, "tickprefix": "$", "rangemode": "tozero"},
        hovermode="x unified",
    )


def probability_figure(band: BandResult, *, labels: Mapping[str, str] | None = None) -> go.Figure:
    """P(self-hosting is cheaper in month N) against each baseline: one line per pair.

    Line style: solid against flagship only, dashed against the hybrid; the colour is the
    challenger's (self-hosted or self-hosted + flagship).
    """
    data = []
    for challenger, against in band.probability_cheaper.items():
        for baseline, probability in against.items():
            name = f"{_label(challenger, labels)} cheaper than {_label(baseline, labels).lower()}"
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": band.months,
                    "y": probability,
                    "name": name,
                    "line": {
                        "color": strategy_color(challenger),
                        "width": 2,
                        "dash": "solid" if baseline == "flagship_only" else "dash",
                    },
                    "hovertemplate": f"{name}: %{{y:.0%}}<extra></extra>",
                }
            )
    return figure_from(
        data,
        "Chance that self-hosting is cheaper",
        "share of draws in which it costs less in that month",
        xaxis={"title": {"text": ""}},  # dates speak for themselves; an axis title would sit on the legend
        yaxis={"title": {"text": "Probability"}, "tickformat": ".0%", "range": [0, 1.02]},
        height=300,
    )


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


def tornado_figure(result: Sensitivity) -> go.Figure:
    """Horizontal bars from the metric at the point values to its value at each input's low and high end.

    Two traces, "Input at its low end" and "Input at its high end"; each bar starts at
    ``result.base`` (``base``) and its length is the change (``x``). Rows keep
    ``result.rows``' order, largest effect on top.
    """
    rows = result.rows
    names = [f"{plotly_text(r.label)} ({_value_text(r.key, r.low)} – {_value_text(r.key, r.high)})" for r in rows]
    data = []
    for end, color, attr, value_attr in (("low", LOW_COLOR, "at_low", "low"), ("high", HIGH_COLOR, "at_high", "high")):
        values = [getattr(r, attr) for r in rows]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": [v - result.base for v in values],
                "base": [result.base] * len(rows),
                "name": f"Input at its {end} end",
                "marker": {"color": color},
                "customdata": [[money(v), _value_text(r.key, getattr(r, value_attr))] for r, v in zip(rows, values, strict=True)],
                "hovertemplate": "%{y}<br>at %{customdata[1]}: %{customdata[0]}<extra></extra>",
            }
        )
    base_line = {
        "type": "line",
        "x0": result.base,
        "x1": result.base,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": NEUTRAL, "width": 1, "dash": "dot"},
    }
    return figure_from(
        data,
        f"What moves the number: {result.title}",
        f"{money(result.base)} at the point values; each bar varies one input, the others stay put",
        shapes=[base_line],
        barmode="overlay",
        height=170 + 40 * max(len(rows), 1),
        # the legend sits at the figure's bottom edge, below the tick labels, whatever the number of bars
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        margin=MARGIN | {"b": 36},
        xaxis={"tickprefix": "$"},
        yaxis={"autorange": "reversed", "automargin": True},
    )


# -------------------------------------------------------------------------------- quality


def quality_figure(
    result: QualityResult,
    colors: Mapping[str, str] | None = None,
    *,
    month: int = 0,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Token cost (strategy colour) and expected error cost (red, hatched) stacked per strategy, in one month.

    Two traces: "Token cost" and "Expected error cost"; an unrated strategy has an error bar of
    0 and the text "not rated".
    """
    keys = list(result.strategies)
    names = [_label(k, labels) for k in keys]
    tokens = [float(result.strategies[k].token_usd[month]) for k in keys]
    errors = [float(q.error_usd[month]) if q.rated else 0.0 for q in result.strategies.values()]
    texts = [money(t + e) if q.rated else "not rated" for t, e, q in zip(tokens, errors, result.strategies.values(), strict=True)]
    data = [
        {
            "type": "bar",
            "x": names,
            "y": tokens,
            "name": "Token cost",
            "marker": {"color": [_color(k, colors) for k in keys]},
            "hovertemplate": "%{x}: tokens %{y:$,.0f}<extra></extra>",
        },
        {
            "type": "bar",
            "x": names,
            "y": errors,
            "name": "Expected error cost",
            "marker": {"color": _rgba(ERROR_COLOR, 0.55), "pattern": {"shape": "/"}},
            "text": texts,
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{x}: errors %{y:$,.0f}<extra></extra>",
        },
    ]
    return figure_from(
        data,
        "Cost including wrong answers",
        f"tokens + expected errors × {money(result.cost_per_error_usd)} each, per month",
        barmode="stack",
        yaxis={"title": {"text": "USD per month"}, "tickprefix": "$"},
        height=380,
    )
