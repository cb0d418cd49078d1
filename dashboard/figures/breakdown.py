"""The Breakdown tab's figure: where each strategy's money goes this month, one bar per (strategy, model or
GPUs/operations), stacked by part of the bill. Pure, like every builder in ``dashboard.figures``: an
``Evaluation`` in, an ECharts option and its height out."""

from __future__ import annotations

from collections.abc import Iterable

from calculators.engine import Evaluation
from calculators.formatting import money
from dashboard.figures import echarts
from dashboard.figures.cost import slug, strategy_name
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


def breakdown_figure(ev: Evaluation) -> tuple[dict, int]:
    """Where each strategy's money goes this month: one horizontal bar per (strategy, model or GPUs/ops),
    labelled "strategy · component", stacked by part of the bill. An ECharts option and its height."""
    rows = breakdown_rows(ev)
    # one label per bar, "Hybrid routing · Small": plain text in ECharts, so a model name shows as written
    names = [f"{strategy_name(ev, key)} · {_component_name(ev, key, component)}" for key, component, _ in rows]
    x_axis, scale = echarts.money_axis(
        "USD per month", max((sum(by_part.values()) for _, _, by_part in rows), default=0.0), nameGap=30
    )
    series = []
    for part in _parts_in(rows):
        label = PART_LABELS.get(part, part)
        usd = [float(by_part.get(part, 0.0)) for _, _, by_part in rows]
        bars = [
            {"value": cost / scale, "tooltip": echarts.tip(name, f"{label}: {money(cost)} a month")}
            for name, cost in zip(names, usd, strict=True)
        ]
        series.append(
            {
                "type": "bar",
                "name": label,
                "stack": "bill",
                "color": PART_COLORS.get(part, NEUTRAL),
                "barCategoryGap": "30%",
                "data": bars,
            }
        )
    option = echarts.frame(
        "Where the money goes",
        f"{ev.scenario.name} · {ev.forecast.months[0]:%B %Y}, per model and per part of the bill",
        f"{slug(ev.scenario.name)}-breakdown",
        series,
        x_axis=x_axis,
        # the first row on top, as the strategies are listed everywhere else
        y_axis={"type": "category", "inverse": True, "data": names, "axisTick": {"show": False}},
    )
    return option, 150 + 34 * max(len(rows), 1)
