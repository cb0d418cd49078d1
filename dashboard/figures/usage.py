"""Figures of the usage tab, as ECharts options: spend by month (top models + others) and the workload
month re-priced.

Money is written by ``calculators.formatting.money`` in bar labels and hover texts, and the axes in the
app's compact units ($250, $12k, $1M), never SI prefixes ($800m, $200µ).
"""

from __future__ import annotations

import math

import pandas as pd

from calculators.formatting import money
from calculators.scenario import STRATEGY_LABELS
from dashboard.figures import echarts
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


def history_figure(history: pd.DataFrame, source: str, export: str = "usage-history") -> tuple[dict, int]:
    """Spend by month, stacked by model (top models + others): the export's cost where it has one, else the
    list price; next to an export's cost, the list price of the priced models as a dashed line.
    An ECharts option and its height."""
    shown = top_models(history)
    billed = bool(shown["export_cost_usd"].notna().any())
    column = "export_cost_usd" if billed else "list_cost_usd"
    months = sorted(shown["month"].dropna().unique().tolist())
    stack_top = shown.groupby("month")[column].sum(min_count=1)
    listed = shown.groupby("month")["list_cost_usd"].sum(min_count=1)
    with_list_line = billed and bool(listed.notna().any())
    tops = [float(v) for v in stack_top.dropna()] + ([float(v) for v in listed.dropna()] if with_list_line else [])
    y_axis, scale = echarts.money_axis("USD per month", max(tops, default=0.0))
    if (shown[column] < 0).any():  # a credit in the export: the axis goes below zero to show it
        del y_axis["min"]
    series = []
    for model, rows in shown.groupby("model", sort=False):
        amounts = _by_month(rows.groupby("month")[column].sum(min_count=1), months)
        name = str(model)
        bars = [echarts.money_value(usd, scale, name, month) for month, usd in zip(months, amounts, strict=True)]
        series.append({"type": "bar", "name": name, "stack": "spend", "data": bars, "barMaxWidth": 64})
    if with_list_line:
        amounts = _by_month(listed, months)
        points = [echarts.money_value(usd, scale, "List price", month) for month, usd in zip(months, amounts, strict=True)]
        list_line = echarts.line("List price, priced models", NEUTRAL, points, width=2, style="dashed")
        series.append(list_line | {"itemStyle": {"opacity": 1}})  # a few months: the points are the data, shown
    what = "as billed in the export" if billed else "at list price (the export has no cost)"
    option = echarts.frame(
        "Your monthly spend",
        f"{source} · per model, {what}",
        export,
        series,
        x_axis={"type": "category", "data": months},
        y_axis=y_axis,
        grid=echarts.FIT_AXIS_NAMES,
    )
    return option, 400


def _by_month(amounts: pd.Series, months: list[str]) -> list[float | None]:
    """``amounts`` (indexed by month) in the order of ``months``; unknown (NaN or missing) stays None."""
    return [None if pd.isna(amounts.get(month)) else float(amounts.get(month)) for month in months]


def repriced_figure(
    costs: dict[str, float], own_mix: float | None, month: str, export: str = "usage-repriced"
) -> tuple[dict, int]:
    """The workload month's cost per strategy, with your own mix first, as horizontal bars labelled in money.
    An ECharts option and its height.

    When the largest bar is over ``LOG_RATIO`` times the smallest (a small workload beside a GPU
    server), the axis is logarithmic so that every bar stays readable.
    """
    rows = ([(OWN_MIX, "Your own mix (list price)", own_mix)] if own_mix is not None else []) + [
        (key, STRATEGY_LABELS.get(key, key), value) for key, value in costs.items()
    ]
    rows = [(key, label, float(value)) for key, label, value in rows if value is not None and math.isfinite(value)]
    positive = [value for _, _, value in rows if value > 0]
    log = bool(positive) and max(positive) / min(positive) > LOG_RATIO and len(positive) == len(rows)
    labels = [label for _, label, _ in rows]
    y_axis = {"type": "category", "inverse": True, "data": labels, "axisTick": {"show": False}}
    if log:
        lo, hi = echarts.log_range(positive)
        # a bar on a log axis starts at the axis's start value (1 by default): from the axis's left edge here
        x_axis = echarts.log_axis("USD per month", lo, hi, nameGap=30, startValue=lo)
        scale = 1.0
        # the labels ride on a hidden value axis whose 0 is the plot's bottom edge (the category axis has no edge value)
        axis_labels = echarts.log_labels("x", lo, hi, 0, echarts.money_tick) | {"yAxisIndex": 1}
        y_axis = [y_axis, {"type": "value", "min": 0, "max": 1, "show": False}]
    else:
        x_axis, scale = echarts.money_axis("USD per month", max(positive, default=0.0), nameGap=30)
        axis_labels = None
    bars = [
        {
            "value": value / scale,
            "itemStyle": {"color": NEUTRAL if key == OWN_MIX else strategy_color(key)},
            "label": {"formatter": money(value)},
            "tooltip": echarts.tip(label, f"{money(value)} a month"),
        }
        for key, label, value in rows
    ]
    series = [{"type": "bar", "data": bars, "barCategoryGap": "35%", "label": {"show": True, "position": "right"}}]
    if axis_labels:
        series.append(axis_labels)
    note = " · log scale: each step is 10x" if log else ""
    option = echarts.frame(
        f"Your {month} usage under each strategy",
        f"priced with the prices in force in {month}{note}",
        export,
        series,
        x_axis=x_axis,
        y_axis=y_axis,
        grid=echarts.FIT_AXIS_NAMES | {"bottom": 8, "right": 72},  # right: room for the money labels right of the longest bar
    )
    option["legend"] = {"show": False}  # the bars are named on their axis
    return option, 120 + 44 * max(len(rows), 1)
