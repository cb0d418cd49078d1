"""The Compare tab: every strategy's cost this month side by side, then the quality-adjusted cost (off by
default: the expected cost of wrong answers added to the token cost, from the scenario's ``quality``
section, computed by ``calculators.quality`` through ``dashboard.cache``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculators.engine import Evaluation
from calculators.export import safe_frame
from calculators.formatting import money, tokens
from calculators.scenario import STRATEGY_LABELS
from dashboard import cache, inputs
from dashboard import state as S
from dashboard.figures import cost as charts
from dashboard.figures import uncertainty as figures
from dashboard.markup import md
from dashboard.sections import guard
from dashboard.tabs.common import assumptions_box, chart
from dashboard.uncertainty_inputs import quality_inputs


def render_compare_tab(ev: Evaluation, catalog) -> None:
    option, height = charts.comparison_chart(ev)
    st.echarts_chart(option, height=height, key="chart_comparison")
    with guard("The quality-adjusted cost"):
        render_quality(ev, catalog)
    assumptions_box(ev, "comparison", catalog, with_server=True)


# ---------------------------------------------------------------- quality-adjusted cost


QUALITY_COLUMNS = ["strategy", "tokens", "error_rate", "errors", "error_cost", "total"]


def quality_frame(result) -> pd.DataFrame:
    """First-month token cost, error rate, expected wrong answers, their cost and the total, per strategy
    (empty error columns for a strategy that is not rated)."""
    rows = []
    for key, q in result.strategies.items():
        rated = q.rated
        rows.append(
            {
                "strategy": STRATEGY_LABELS.get(key, key),
                "tokens": float(q.token_usd[0]),
                "error_rate": float(q.error_rate[0]) if rated else None,
                "errors": float(q.errors[0]) if rated else None,
                "error_cost": float(q.error_usd[0]) if rated else None,
                "total": float(q.total_usd[0]) if rated else None,
            }
        )
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS)


def _missing_text(item: str) -> str:
    if item.startswith("error_rates."):
        return f"the error rate of {item.removeprefix('error_rates.')}"
    names = {"cascade_miss_rate": "the cascade miss rate", "self_hosted_error_rate": "the self-hosted model's error rate"}
    return names.get(item, item)


def not_rated(result) -> str | None:
    """Which strategies are not rated yet and what each needs (a missing rate is never taken as 0)."""
    parts = [
        f"{STRATEGY_LABELS.get(k, k)} (give {' and '.join(_missing_text(m) for m in q.missing)})"
        for k, q in result.strategies.items()
        if not q.rated
    ]
    return "Not rated yet: " + "; ".join(parts) + "." if parts else None


def quality_sentence(result) -> str | None:
    """The cheapest strategy once wrong answers count, when at least two are rated."""
    totals = {k: float(q.total_usd[0]) for k, q in result.strategies.items() if q.rated}
    if len(totals) < 2:
        return None
    best = min(totals, key=totals.get)
    return f"Counting wrong answers, {STRATEGY_LABELS.get(best, best).lower()} costs least this month: {money(totals[best])}."


def render_quality(ev: Evaluation, catalog) -> None:
    """The quality-adjusted cost, off by default: a toggle, its settings, a table and a figure."""
    on, kw = inputs.view(S.QUALITY_TOGGLE)
    st.toggle(
        "Quality-adjusted cost: add the expected cost of wrong answers",
        value=bool(on),
        **kw,
        help="A cheaper model that errs more can cost more in the end. Give your error rates to compare.",
    )
    if not on:
        return
    quality_inputs(ev.scenario, catalog)
    result = cache.quality(ev.scenario, catalog, ev)
    if result is None:  # the toggle was switched on in this very run's callback: the next run has it
        return
    st.dataframe(
        safe_frame(quality_frame(result)),
        hide_index=True,
        width="stretch",
        key="quality_table",
        column_config={
            "strategy": st.column_config.TextColumn("Strategy"),
            "tokens": st.column_config.NumberColumn("Token cost / month", format="dollar"),
            "error_rate": st.column_config.NumberColumn("Error rate", format="percent"),
            "errors": st.column_config.NumberColumn("Wrong answers / month", format="compact"),
            "error_cost": st.column_config.NumberColumn("Error cost / month", format="dollar"),
            "total": st.column_config.NumberColumn("Total / month", format="dollar"),
        },
        placeholder="—",
    )
    sentence, missing = quality_sentence(result), not_rated(result)
    if sentence:
        st.markdown(md(sentence))
    if missing:
        st.caption(md(missing))
    if any(q.rated for q in result.strategies.values()):
        chart(
            ev,
            "quality",
            lambda e: figures.quality_figure(result, export=f"{charts.slug(e.scenario.name)}-quality"),
            "chart_quality",
        )
    requests = ev.forecast.requests[0]
    st.caption(
        md(
            f"First month, {tokens(requests)} requests. Expected wrong answers = requests × the strategy's error rate "
            "(hybrid: the routes' rates weighted by share; cascade: kept answers × miss rate + escalated × the second "
            "model's rate). Error cost = wrong answers × the cost of one."
        )
    )
