"""The portfolio view's figures and tables. Pure: a ``PortfolioEvaluation`` in, a plotly figure or a frame out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from calculators.engine import OTHER_CHARGES, fixed_monthly_usd
from calculators.formatting import money
from calculators.portfolio import TOTAL_LABELS, TOTALS, PortfolioEvaluation
from calculators.portfolio_scenario import CATEGORY_LABELS
from calculators.scenario import STRATEGY_LABELS
from dashboard.figures.cost import figure_from, plotly_text
from dashboard.theme import NEUTRAL, PART_LABELS, strategy_color

# One colour per workload (up to 12), distinct from each other on light and dark backgrounds.
WORKLOAD_COLORS = (
    "#2563eb", "#ea580c", "#16a34a", "#7c3aed", "#db2777", "#0891b2",
    "#ca8a04", "#dc2626", "#4f46e5", "#059669", "#9333ea", "#64748b",
)  # fmt: skip
TOTAL_DASH = {"plan": "solid", "all_flagship": "dash", "cheapest": "dot"}
TOTAL_COLORS = {"plan": "#2563eb", "all_flagship": strategy_color("flagship_only"), "cheapest": strategy_color("hosted_open")}


def _months(result: PortfolioEvaluation) -> list[str]:
    return [m.strftime("%Y-%m") for m in result.months]


def stacked_figure(result: PortfolioEvaluation, total: str = "plan") -> go.Figure:
    """The ``total``'s cost per month, stacked by workload, with the budget line."""
    months = _months(result)
    data = [
        {
            "type": "bar",
            "name": plotly_text(name),
            "x": months,
            "y": [float(v) for v in values],
            "marker": {"color": WORKLOAD_COLORS[i % len(WORKLOAD_COLORS)]},
            "hovertemplate": "%{x}: $%{y:,.0f}<extra>" + plotly_text(name) + "</extra>",
        }
        for i, (name, values) in enumerate(result.parts[total].items())
    ]
    shapes, annotations = _budget_line(result)
    return figure_from(
        data,
        f"{TOTAL_LABELS[total]}: cost per month by workload",
        "Each bar is the sum of its workloads; the fleet's cost is split among its workloads by load.",
        shapes,
        annotations,
        barmode="stack",
        yaxis={"title": {"text": "$ a month"}, "tickprefix": "$", "rangemode": "tozero"},
    )


def totals_figure(result: PortfolioEvaluation) -> go.Figure:
    """The three totals per month (plan, all on the flagship, each on its cheapest) and the budget."""
    months = _months(result)
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": TOTAL_LABELS[key],
            "x": months,
            "y": [float(v) for v in values],
            "line": {"color": TOTAL_COLORS[key], "dash": TOTAL_DASH[key], "width": 3 if key == "plan" else 2},
            "hovertemplate": "%{x}: $%{y:,.0f}<extra>" + TOTAL_LABELS[key] + "</extra>",
        }
        for key, values in result.totals.items()
    ]
    shapes, annotations = _budget_line(result)
    return figure_from(
        data,
        "The plan against all on the flagship and each on its cheapest",
        "Cost per month over the forecast; the cheapest runs each workload on its own cheapest strategy, fleets separate.",
        shapes,
        annotations,
        yaxis={"title": {"text": "$ a month"}, "tickprefix": "$", "rangemode": "tozero"},
    )


def _budget_line(result: PortfolioEvaluation) -> tuple[list[dict], list[dict]]:
    budget = result.portfolio.budget_usd
    if budget is None:
        return [], []
    line = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": budget,
        "y1": budget,
        "line": {"color": NEUTRAL, "dash": "dashdot", "width": 2},
    }
    label = {
        "xref": "paper",
        "x": 0,
        "y": budget,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "text": f"budget {money(budget)}/month",
        "font": {"color": NEUTRAL},
    }
    return [line], [label]


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
