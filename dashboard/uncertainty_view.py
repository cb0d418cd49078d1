"""Beyond point estimates: the Uncertainty tab (band, chance that self-hosting wins, tornado) and the
quality-adjusted cost shown in the Compare tab.

The numbers come from the pure core (``calculators.uncertainty``, ``.sensitivity``, ``.quality``)
through ``dashboard.cache``, the figures from ``dashboard.figures.uncertainty``; the settings are
widgets of ``dashboard.uncertainty_inputs`` whose values are the scenario's ``uncertainty`` and ``quality``
sections (``state.PAYLOAD_KEYS``), so a share link reproduces what this tab shows.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from calculators.engine import Evaluation
from calculators.export import safe_frame
from calculators.formatting import money, percent, tokens
from calculators.scenario import STRATEGY_LABELS
from calculators.strategies import BASELINES, CHALLENGERS, REGISTRY
from calculators.uncertainty import PERCENTILES, BandResult
from dashboard import cache, inputs
from dashboard import state as S
from dashboard.figures import cost as charts
from dashboard.figures import uncertainty as figures
from dashboard.markup import md
from dashboard.uncertainty_inputs import quality_inputs, uncertainty_inputs

MONTH_KEY = "unc_month"  # the month the chance that self-hosting is cheaper is read in (a view setting)
TORNADO_KEY = "unc_tornado"  # which number the tornado explains (a view setting)
PERIOD_KEY = "unc_tornado_period"  # over the first month or the whole horizon (a view setting)
RANGES_KEY = "unc_ranges"  # the lazy expander around the ranges
VIEW_PERSIST = "session"  # view settings outlive the tab's closing, but are not part of the scenario


def method_note(band: BandResult) -> str:
    return (
        f"Method: {band.draws:,} draws (seed {band.seed}). In each draw every uncertain input is picked uniformly at "
        "random within its range, independently of the others, and the whole forecast is priced with those values "
        "(a draw's growth rate holds for the whole horizon). The band spans the 10th to the 90th percentile of each "
        "month's cost, the line is the median. The same ranges, draws and seed give the same band: the share link "
        "reproduces it."
    )


def chance_sentences(band: BandResult, month: int) -> list[str]:
    """One sentence per challenger: how often it is cheaper than each baseline in ``month`` (an index)."""
    label = band.months[month].strftime("%Y-%m")
    lines = []
    for challenger in CHALLENGERS:
        against = band.probability_cheaper.get(challenger)
        if not against:
            continue
        parts = [f"than {REGISTRY[b].noun} in {percent(float(against[b][month]))} of draws" for b in BASELINES if b in against]
        name = REGISTRY[challenger].noun
        lines.append(f"By {label} {name} is cheaper " + " and ".join(parts) + ".")
    return lines


def totals_frame(band: BandResult) -> pd.DataFrame:
    """Cost over the whole horizon per strategy: the point estimate and the P10 / median / P90 of the draws."""
    rows = []
    for key in band.strategies:
        low, mid, high = (float(band.total[key][PERCENTILES.index(q)]) for q in (10, 50, 90))
        rows.append(
            {
                "strategy": STRATEGY_LABELS.get(key, key),
                "point": float(np.sum(band.point[key])),
                "p10": low,
                "p50": mid,
                "p90": high,
            }
        )
    return pd.DataFrame(rows, columns=["strategy", "point", "p10", "p50", "p90"])


def tornado_options(ev: Evaluation) -> dict[str, tuple[str, bool]]:
    """Option text → (strategy, savings): the hybrid's saving against flagship only, and each costed strategy's cost."""
    cost = ev.forecast.cost
    options = {}
    if "hybrid" in cost and "flagship_only" in cost:
        options["Hybrid routing: saving against flagship only"] = ("hybrid", True)
    for key in cost:
        options[f"{STRATEGY_LABELS.get(key, key)}: cost"] = (key, False)
    return options


PERIODS = {"first month": "month0", "whole horizon": "horizon"}


def _chart(ev: Evaluation, kind: str, build, key: str, **extra) -> None:
    fig = cache.figure(kind, ev.scenario, lambda _: build(), ev)
    st.plotly_chart(fig, width="stretch", theme="streamlit", config=charts.chart_config(ev, kind), key=key, **extra)


def _selected(key: str, options: list, default) -> None:
    """Before a view widget is drawn: a remembered choice that no longer exists falls back to ``default``."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


# ---------------------------------------------------------------------------- the tab


def render_uncertainty_tab(ev: Evaluation, catalog) -> None:
    if not ev.forecast.cost:
        st.info("No strategy is priced: there is nothing to put a band around.", icon=":material/info:")
        return
    band = cache.band(ev.scenario, catalog, ev)
    _chart(ev, "band", lambda: figures.band_figure(band), "chart_band")
    st.caption(md(method_note(band)))
    ranges = st.expander(
        f"Ranges of the {len(band.ranges)} uncertain inputs, draws and seed",
        icon=":material/tune:",
        key=RANGES_KEY,
        on_change="rerun",
    )
    if ranges.open:  # lazy; the inputs keep their values while it is closed
        with ranges:
            uncertainty_inputs(ev.scenario, catalog)
    _chances(ev, band)
    st.markdown("**Cost over the whole horizon**")
    st.dataframe(
        safe_frame(totals_frame(band)),
        hide_index=True,
        width="stretch",
        key="band_totals",
        column_config={
            "strategy": st.column_config.TextColumn("Strategy"),
            "point": st.column_config.NumberColumn("Point estimate ($)", format="compact"),
            "p10": st.column_config.NumberColumn("P10 ($)", format="compact"),
            "p50": st.column_config.NumberColumn("Median ($)", format="compact"),
            "p90": st.column_config.NumberColumn("P90 ($)", format="compact"),
        },
    )
    _sensitivity(ev, catalog)


def _chances(ev: Evaluation, band: BandResult) -> None:
    if not band.probability_cheaper:
        st.caption(
            md(
                "Chance that self-hosting is cheaper: switch on self-hosting (or self-hosted + flagship) and flagship only "
                "or the hybrid to see how often it wins."
            )
        )
        return
    _chart(ev, "chance", lambda: figures.probability_figure(band), "chart_chance")
    labels = [m.strftime("%Y-%m") for m in band.months]
    _selected(MONTH_KEY, labels, labels[-1])
    month = st.select_slider(
        "Read the chance in month",
        options=labels,
        key=MONTH_KEY,
        persist_state=VIEW_PERSIST,
        help="The share of draws in which self-hosting costs less than the other strategy in that month.",
    )
    for line in chance_sentences(band, labels.index(month)):
        st.markdown(md(line))


def _sensitivity(ev: Evaluation, catalog) -> None:
    st.markdown("**Sensitivity: what moves the number**")
    options = tornado_options(ev)
    names = list(options)
    _selected(TORNADO_KEY, names, names[0])
    _selected(PERIOD_KEY, list(PERIODS), "first month")
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    choice = left.selectbox("Explain", names, key=TORNADO_KEY, persist_state=VIEW_PERSIST)
    period = right.segmented_control("Over", list(PERIODS), key=PERIOD_KEY, persist_state=VIEW_PERSIST, required=True)
    strategy, savings = options[choice]
    measure = PERIODS[period or "first month"]
    result = cache.tornado(ev.scenario, catalog, strategy, savings, measure)
    moving = tuple(r for r in result.rows if r.effect > 0)
    if not moving:
        st.caption("No uncertain input moves this number within its range.")
        return
    kind = f"tornado-{strategy}{'-saving' * savings}-{measure}"
    _chart(ev, kind, lambda: figures.tornado_figure(dataclasses.replace(result, rows=moving)), "chart_tornado")
    still = [r.label for r in result.rows if r.effect == 0]
    st.caption(
        md(
            "Each bar runs the engine twice, with one input at the low and then the high end of its range and every "
            "other input at the scenario's value; the longest bar matters most."
            + (f" Not moving this number: {', '.join(still)}." if still else "")
        )
    )


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
            "tokens": st.column_config.NumberColumn("Tokens / month", format="dollar"),
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
        _chart(ev, "quality", lambda: figures.quality_figure(result), "chart_quality")
    requests = ev.forecast.requests[0]
    st.caption(
        md(
            f"First month, {tokens(requests)} requests. Expected wrong answers = requests × the strategy's error rate "
            "(hybrid: the routes' rates weighted by share; cascade: kept answers × miss rate + escalated × the second "
            "model's rate). Error cost = wrong answers × the cost of one."
        )
    )
