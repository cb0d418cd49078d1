"""The Forecast tab's figures: each strategy's cost month by month (or to date), the month self-hosting
overtakes (or pays back) a baseline, and the dated price changes. Pure, like every builder in
``dashboard.figures``."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from calculators.engine import Evaluation
from calculators.scenario import STRATEGY_LABELS
from dashboard.axes import money_axis
from dashboard.figures.cost import figure_from, mark_equal_lines, plotly_text, strategy_name
from dashboard.theme import NEUTRAL, strategy_color


def forecast_figure(ev: Evaluation, cumulative: bool = False) -> go.Figure:
    """Monthly (or cumulative) cost per strategy over the horizon, with dated price changes and
    the month self-hosting overtakes (monthly) or pays back (cumulative)."""
    f = ev.forecast
    series = f.cumulative if cumulative else f.cost
    months = [m.isoformat() for m in f.months]
    data = [_cost_line(ev, key, values, months, cumulative) for key, values in series.items()]
    data += _overtake_marks(ev, series, months, cumulative)
    mark_equal_lines(data)
    shapes = []
    if ev.events:
        shapes, events = _event_marks(ev, series)
        data.append(events)
    g = ev.scenario.growth
    return figure_from(
        data,
        "Cumulative cost" if cumulative else "Monthly cost forecast",
        f"{ev.scenario.name} · {g.monthly_rate * 100:+.1f}% a month over {g.horizon_months} months",
        shapes=shapes,
        height=440,
        # explicit range: marker sizes would otherwise pad the axis by months on each side
        xaxis={"tickformat": "%b %Y", "range": [months[0], months[-1]]},
        yaxis={
            "title": {"text": "USD" if cumulative else "USD per month"},
            **money_axis([float(np.max(v)) for v in series.values() if len(v)]),
        },
        hovermode="closest",
    )


def _cost_line(ev: Evaluation, key: str, values, months: list[str], cumulative: bool) -> dict:
    name = plotly_text(strategy_name(ev, key))
    return {
        "type": "scatter",
        "mode": "lines",
        "x": months,
        "y": values,
        "name": name,
        # a self-hosted bill jumps when a replica is added: steps, not slopes
        "line": {
            "color": strategy_color(key),
            "width": 2.5,
            "shape": "hv" if key == "self_hosted" and not cumulative else "linear",
        },
        "hovertemplate": f"{name}<br>%{{x|%b %Y}}: $%{{y:,.0f}}<extra></extra>",
    }


def _overtake_marks(ev: Evaluation, series: dict, months: list[str], cumulative: bool) -> list[dict]:
    """A star on the self-hosted line in each month it first costs less than (or pays back against) baselines."""
    f = ev.forecast
    firsts = f.self_hosted_payback if cumulative else f.first_self_hosted_cheaper
    marks: dict[int, list[str]] = {}
    for other, index in firsts.items():
        if index is not None:
            marks.setdefault(index, []).append(STRATEGY_LABELS.get(other, other).lower())
    verb = "pays back vs" if cumulative else "cheaper than"
    data = []
    for index, others in sorted(marks.items()):
        who = " and ".join(others)
        # said in the legend, not in a label on the plot, where the rising lines would cross it
        name = f"Self-hosting {verb} {who} ({f.months[index]:%Y-%m})"
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [months[index]],
                "y": [float(series["self_hosted"][index])],
                "name": name,
                "cliponaxis": False,  # a star in the first month sits on the axis: drawn whole, over it
                "marker": {
                    "symbol": "star",
                    "size": 15,
                    "color": strategy_color("self_hosted"),
                    "line": {"color": NEUTRAL, "width": 1},
                },
                "hovertemplate": f"Self-hosted {verb} {who} from %{{x|%b %Y}}<extra></extra>",
            }
        )
    return data


def _event_marks(ev: Evaluation, series: dict) -> tuple[list[dict], dict]:
    """A dotted line on each day a price changes or a model retires, and a trace of markers above them."""
    top = max((float(np.max(v)) for v in series.values() if len(v)), default=0.0)
    days = [d.isoformat() for d, _ in ev.events]
    shapes = [
        {
            "type": "line",
            "x0": day,
            "x1": day,
            "y0": 0,
            "y1": 1,
            "yref": "paper",
            "line": {"color": NEUTRAL, "width": 1, "dash": "dot"},
        }
        for day in dict.fromkeys(days)
    ]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": days,
        "y": [top * 1.04] * len(days),
        "name": "Price change or retirement",
        "marker": {"symbol": "triangle-down", "size": 11, "color": NEUTRAL},
        "hovertext": [plotly_text(text) for _, text in ev.events],
        "hovertemplate": "%{x|%d %b %Y}<br>%{hovertext}<extra></extra>",
    }
    return shapes, trace
