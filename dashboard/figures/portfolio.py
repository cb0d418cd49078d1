"""The portfolio view's figures and tables. Pure: a ``PortfolioEvaluation`` in, an ECharts option (and its
height) or a frame out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from calculators.engine import OTHER_CHARGES, fixed_monthly_usd
from calculators.formatting import money
from calculators.portfolio import TOTAL_LABELS, TOTALS, PortfolioEvaluation
from calculators.portfolio_scenario import CATEGORY_LABELS
from calculators.scenario import STRATEGY_LABELS
from dashboard.figures import echarts
from dashboard.figures.cost import slug
from dashboard.theme import NEUTRAL, PART_LABELS, strategy_color

# One colour per workload (up to 12), distinct from each other on light and dark backgrounds.
WORKLOAD_COLORS = (
    "#2563eb", "#ea580c", "#16a34a", "#7c3aed", "#db2777", "#0891b2",
    "#ca8a04", "#dc2626", "#4f46e5", "#059669", "#9333ea", "#64748b",
)  # fmt: skip
TOTAL_DASH = {"plan": "solid", "all_flagship": "dashed", "cheapest": "dotted"}  # ECharts' line types
TOTAL_COLORS = {"plan": "#2563eb", "all_flagship": strategy_color("flagship_only"), "cheapest": strategy_color("hosted_open")}


HEIGHT = 450  # pixels


def _months(result: PortfolioEvaluation) -> list[str]:
    return [m.strftime("%Y-%m") for m in result.months]


def stacked_figure(result: PortfolioEvaluation, total: str = "plan") -> tuple[dict, int]:
    """The ``total``'s cost per month, stacked by workload, with the budget line. An ECharts option and its height."""
    months = _months(result)
    parts = result.parts[total]
    stack_top = float(np.nanmax(result.totals[total])) if len(months) else 0.0
    y_axis, scale = echarts.money_axis("$ a month", max(stack_top, _budget_value(result)))
    series = [
        {
            "type": "bar",
            "name": name,
            "stack": "workloads",
            "color": WORKLOAD_COLORS[i % len(WORKLOAD_COLORS)],
            "data": [echarts.money_value(float(usd), scale, name, month) for month, usd in zip(months, values, strict=True)],
        }
        for i, (name, values) in enumerate(parts.items())
    ]
    series += _budget_line(result, months, scale)
    option = echarts.frame(
        f"{TOTAL_LABELS[total]}: cost per month by workload",
        "Each bar is the sum of its workloads; the fleet's cost is split among its workloads by load.",
        f"{slug(result.portfolio.name)}-portfolio-{total.replace('_', '-')}",
        series,
        x_axis={"type": "category", "data": months},
        y_axis=y_axis,
        grid=echarts.FIT_AXIS_NAMES,
    )
    return option, HEIGHT


def totals_figure(result: PortfolioEvaluation) -> tuple[dict, int]:
    """The three totals per month (plan, all on the flagship, each on its cheapest) and the budget.
    An ECharts option and its height."""
    months = _months(result)
    totals = result.totals
    top = max((float(np.nanmax(values)) for values in totals.values() if len(values)), default=0.0)
    y_axis, scale = echarts.money_axis("$ a month", max(top, _budget_value(result)))
    series = []
    for key, values in totals.items():
        points = [
            echarts.money_value(float(usd), scale, TOTAL_LABELS[key], month) for month, usd in zip(months, values, strict=True)
        ]
        series.append(
            echarts.line(TOTAL_LABELS[key], TOTAL_COLORS[key], points, width=3 if key == "plan" else 2, style=TOTAL_DASH[key])
        )
    series += _budget_line(result, months, scale)
    option = echarts.frame(
        "The plan against all on the flagship and each on its cheapest",
        "Cost per month over the forecast; the cheapest runs each workload on its own cheapest strategy, fleets separate.",
        f"{slug(result.portfolio.name)}-portfolio-totals",
        series,
        x_axis={"type": "category", "data": months, "boundaryGap": False},
        y_axis=y_axis,
        grid=echarts.FIT_AXIS_NAMES,
    )
    return option, HEIGHT


def _budget_value(result: PortfolioEvaluation) -> float:
    """The budget, or 0 without one: the axis reaches it so that its line is drawn."""
    return float(result.portfolio.budget_usd or 0.0)


def _budget_line(result: PortfolioEvaluation, months: list[str], scale: float) -> list[dict]:
    """The monthly budget as a dash-dotted line across the plot, labelled at its left end above the line.
    Its carrier holds one invisible point at the budget: the axis reaches the line even above every bar."""
    budget = result.portfolio.budget_usd
    if budget is None or not months:
        return []
    line = {
        "yAxis": budget / scale,
        "lineStyle": {"color": NEUTRAL, "type": [8, 4, 2, 4], "width": 2},  # dash-dot
        "label": {"formatter": f"budget {money(budget)}/month", "position": "insideStartTop", "color": NEUTRAL},
    }
    return [echarts.marks_series([line]) | {"data": [[months[0], budget / scale]]}]


def workloads_frame(result: PortfolioEvaluation) -> pd.DataFrame:
    """One row per workload: category, plan, cheapest, this month's cost on the plan and by strategy."""
    rows = []
    for w in result.workloads:
        row = {
            "Workload": w.name,
            "Category": CATEGORY_LABELS.get(w.workload.category or "", ""),
            "Plan": STRATEGY_LABELS[w.workload.plan],
            "Plan $/month": float(result.parts["plan"][w.name][0]),
            "Cheapest": STRATEGY_LABELS[w.cheapest] if w.cheapest else "",
        }
        row |= {f"{STRATEGY_LABELS[k]} $/month": v for k, v in w.monthly_cost_usd.items()}
        rows.append(row)
    return pd.DataFrame(rows)


def totals_frame(result: PortfolioEvaluation) -> pd.DataFrame:
    """The forecast table: one row per month, the three totals in $."""
    frame = pd.DataFrame({"Month": _months(result)})
    for key in TOTALS:
        frame[TOTAL_LABELS[key]] = result.totals[key]
    return frame


def plan_breakdown_frame(result: PortfolioEvaluation) -> pd.DataFrame:
    """Where each workload's plan money goes this month; a fleet member's GPUs are its share of the pool,
    and fine-tuning is its own part."""
    members = set(result.fleet.members) if result.fleet else set()
    labels = PART_LABELS | {"fine_tune": "Fine-tuning", "fleet": "Share of the shared fleet"}
    rows = []
    for w in result.workloads:
        if w.name in members:
            other = fixed_monthly_usd(w.evaluation.scenario)  # non-token charges: the workload's, not the fleet's
            fleet_share = float(result.parts["plan"][w.name][0] - w.amortization[0] - other)
            parts = [("Shared fleet", "fleet", fleet_share)]
            if w.amortization[0]:
                parts.append(("Fine-tuning", "fine_tune", float(w.amortization[0])))
            if other:
                parts.append((OTHER_CHARGES, "other", other))
        else:
            parts = [(row.component, row.part, row.usd) for row in w.breakdown(w.workload.plan)]
        rows += [
            {
                "Workload": w.name,
                "Plan": STRATEGY_LABELS[w.workload.plan],
                "Component": c,
                "Part": labels.get(p, p),
                "$/month": usd,
            }
            for c, p, usd in parts
        ]
    return pd.DataFrame(rows, columns=["Workload", "Plan", "Component", "Part", "$/month"])
