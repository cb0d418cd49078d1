"""Figures of the usage tab: spend by month (top models + others) and the workload month re-priced.

Money axes carry explicit ticks written by ``calculators.formatting.money`` ($0.80, $12.3k,
$1.2M), never plotly's SI prefixes ($800m, $200µ).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from calculators.formatting import money
from calculators.scenario import STRATEGY_LABELS
from dashboard.axes import money_axis
from dashboard.charts import figure_from, plotly_text
from dashboard.theme import NEUTRAL, strategy_color

TOP_MODELS = 8  # models drawn one by one; the rest are one "others" series
LOG_RATIO = 30  # the strategy comparison switches to a log axis when its largest bar is this many times its smallest
OWN_MIX = "own_mix"


def top_models(history: pd.DataFrame, limit: int = TOP_MODELS) -> pd.DataFrame:
    """``history`` with every model outside the ``limit`` costliest grouped into one "others (n models)" row per month.

    Cost is the export's where it has one, else the list price; NaN stays NaN (unknown, never $0).

    >>> frame = pd.DataFrame({"month": ["2026-01"] * 3, "model": ["a", "b", "c"], "catalog_id": ["a", None, None],
    ...                       "list_cost_usd": [3.0, float("nan"), 1.0], "export_cost_usd": [float("nan")] * 3,
    ...                       "difference_pct": [float("nan")] * 3})
    >>> top_models(frame, 1)[["model", "list_cost_usd"]].to_dict("records")
    [{'model': 'a', 'list_cost_usd': 3.0}, {'model': 'others (2 models)', 'list_cost_usd': 1.0}]
    """
    models = history["model"].unique()
    if len(models) <= limit + 1:
        return history
    cost = history["export_cost_usd"].where(history["export_cost_usd"].notna(), history["list_cost_usd"]).fillna(0.0)
    ranked = cost.groupby(history["model"]).sum().sort_values(ascending=False, kind="stable")
    keep = set(ranked.index[:limit])
    inside = history[history["model"].isin(keep)]
    rest = history[~history["model"].isin(keep)]
    others = rest.groupby("month", as_index=False)[["list_cost_usd", "export_cost_usd"]].sum(min_count=1)
    others["model"] = f"others ({len(models) - limit} models)"
    others["catalog_id"] = pd.NA
    others["difference_pct"] = float("nan")
    return pd.concat([inside, others[history.columns]], ignore_index=True)


def history_figure(history: pd.DataFrame, source: str) -> go.Figure:
    """Stacked bars per model (top models + others): the export's cost where it has one, else the list price;
    next to an export's cost, the list price of the priced models as a dashed line."""
    shown = top_models(history)
    billed = bool(shown["export_cost_usd"].notna().any())
    column = "export_cost_usd" if billed else "list_cost_usd"
    months = sorted(shown["month"].dropna().unique().tolist())
    data = []
    stack_top = shown.groupby("month")[column].sum(min_count=1)
    for model, rows in shown.groupby("model", sort=False):
        by_month = rows.groupby("month")[column].sum(min_count=1)
        name = plotly_text(str(model))
        values = [None if pd.isna(by_month.get(m)) else float(by_month.get(m)) for m in months]
        data.append(
            {
                "type": "bar",
                "x": months,
                "y": values,
                "name": name,
                "customdata": [["n/a" if v is None else money(v)] for v in values],
                "hovertemplate": f"{name}<br>%{{x}}: %{{customdata[0]}}<extra></extra>",
            }
        )
    listed = shown.groupby("month")["list_cost_usd"].sum(min_count=1)
    if billed and listed.notna().any():
        values = [None if pd.isna(listed.get(m)) else float(listed.get(m)) for m in months]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": months,
                "y": values,
                "name": "List price, priced models",
                "line": {"color": NEUTRAL, "dash": "dash", "width": 2},
                "customdata": [["n/a" if v is None else money(v)] for v in values],
                "hovertemplate": "List price<br>%{x}: %{customdata[0]}<extra></extra>",
            }
        )
    what = "as billed in the export" if billed else "at list price (the export has no cost)"
    tops = [float(v) for v in stack_top.dropna()] + [float(v) for v in listed.dropna()]
    return figure_from(
        data,
        "Your monthly spend",
        f"{source} · per model, {what}",
        barmode="stack",
        height=400,
        xaxis={"type": "category"},
        yaxis={"title": {"text": "USD per month"}, **money_axis(tops)},
    )


def repriced_figure(costs: dict[str, float], own_mix: float | None, month: str) -> go.Figure:
    """The workload month's cost per strategy, with your own mix first, as horizontal bars labelled in money.

    When the largest bar is over ``LOG_RATIO`` times the smallest (a small workload beside a GPU
    server), the axis is logarithmic so that every bar stays readable.
    """
    rows = ([(OWN_MIX, "Your own mix (list price)", own_mix)] if own_mix is not None else []) + [
        (key, STRATEGY_LABELS.get(key, key), value) for key, value in costs.items()
    ]
    rows = [r for r in rows if r[2] is not None and math.isfinite(r[2])]
    positive = [r[2] for r in rows if r[2] > 0]
    log = bool(positive) and max(positive) / min(positive) > LOG_RATIO and len(positive) == len(rows)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": [label for _, label, _ in rows],
            "x": [value for _, _, value in rows],
            "text": [money(value) for _, _, value in rows],
            "textposition": "outside",
            "cliponaxis": False,
            "marker": {"color": [NEUTRAL if key == OWN_MIX else strategy_color(key) for key, _, _ in rows]},
            "hovertemplate": "%{y}: %{text} a month<extra></extra>",
        }
    ]
    axis = money_axis([value for _, _, value in rows], log=log)
    if log:  # room for the outside labels on the right
        axis["range"] = [axis["range"][0], axis["range"][1] + 0.6]
    note = " · log scale: each step is 10x" if log else ""
    return figure_from(
        data,
        f"Your {month} usage under each strategy",
        f"priced with the prices in force in {month}{note}",
        height=120 + 44 * max(len(rows), 1),
        xaxis={"title": {"text": "USD per month"}, **axis},
        yaxis={"autorange": "reversed", "automargin": True},
        showlegend=False,
    )
