"""The Breakdown tab's figure: where each strategy's money goes this month, one bar per (strategy, model or
GPUs/operations), stacked by part of the bill. Pure, like every builder in ``dashboard.figures``."""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

from calculators.engine import Evaluation
from calculators.formatting import money
from dashboard.axes import money_axis
from dashboard.figures.cost import figure_from, plotly_text, strategy_name
from dashboard.theme import NEUTRAL, OVERRIDE_MARK, PART_COLORS, PART_LABELS


def _component_name(ev: Evaluation, key: str, component: str) -> str:
    for priced in ev.strategies[key].models:
        if priced.display_name == component and priced.overridden:
            return f"{component} {OVERRIDE_MARK}"
    return component


def breakdown_rows(ev: Evaluation) -> list[tuple[str, str, dict[str, float]]]:
    """(strategy key, component, {part: usd}) in strategy order, components in first-seen order."""
    rows: list[tuple[str, str, dict[str, float]]] = []
    for key, result in ev.strategies.items():
        if not result.ok:
            continue
        parts: dict[str, dict[str, float]] = {}
        for row in result.breakdown:
            by_part = parts.setdefault(row.component, {})
            by_part[row.part] = by_part.get(row.part, 0.0) + row.usd
        rows += [(key, component, by_part) for component, by_part in parts.items()]
    return rows


def _parts_in(rows: Iterable[tuple[str, str, dict[str, float]]]) -> list[str]:
    present = {part for _, _, by_part in rows for part, usd in by_part.items() if usd}
    return [p for p in PART_COLORS if p in present] + sorted(present - set(PART_COLORS))


def breakdown_figure(ev: Evaluation) -> go.Figure:
    """Where each strategy's money goes: one bar per (strategy, model or GPUs/ops), stacked by part."""
    rows = breakdown_rows(ev)
    strategies = [plotly_text(strategy_name(ev, key)) for key, _, _ in rows]
    components = [plotly_text(_component_name(ev, key, component)) for key, component, _ in rows]
    data = []
    for part in _parts_in(rows):
        values = [by_part.get(part, 0.0) for _, _, by_part in rows]
        label = PART_LABELS.get(part, part)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": [strategies, components],
                "x": values,
                "name": label,
                "marker": {"color": PART_COLORS.get(part, NEUTRAL)},
                "customdata": [[s, c, money(v)] for s, c, v in zip(strategies, components, values, strict=True)],
                "hovertemplate": f"%{{customdata[0]}} · %{{customdata[1]}}<br>{label}: %{{customdata[2]}} a month<extra></extra>",
            }
        )
    return figure_from(
        data,
        "Where the money goes",
        f"{ev.scenario.name} · {ev.forecast.months[0]:%B %Y}, per model and per part of the bill",
        barmode="stack",
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "traceorder": "normal"},  # stacked bars reverse it
        height=150 + 34 * max(len(rows), 1),
        xaxis={"title": {"text": "USD per month"}, **money_axis([sum(by_part.values()) for _, _, by_part in rows])},
        yaxis={"autorange": "reversed", "automargin": True},
        bargap=0.3,
    )
