"""The Uncertainty tab, beyond point estimates: the band, the chance that self-hosting wins, the tornado
(ECharts options, drawn by ``tabs.common.chart``).

The numbers come from the pure core (``calculators.uncertainty``, ``.sensitivity``) through
``dashboard.cache``, the figures from ``dashboard.figures.uncertainty``; the settings are widgets of
``dashboard.uncertainty_inputs`` whose values are the scenario's ``uncertainty`` section
(``state.PAYLOAD_KEYS``), so a share link reproduces what this tab shows.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from calculators.engine import Evaluation
from calculators.formatting import money, percent
from calculators.scenario import STRATEGY_LABELS
from calculators.strategies import BASELINES, CHALLENGERS, REGISTRY
from calculators.uncertainty import PERCENTILES, BandResult
from dashboard import cache
from dashboard.figures import uncertainty as figures
from dashboard.figures.cost import slug
from dashboard.markup import md
from dashboard.tables import table
from dashboard.tabs.common import VIEW_PERSIST, chart
from dashboard.uncertainty_inputs import uncertainty_inputs

MONTH_KEY = "unc_month"  # the month the chance that self-hosting is cheaper is read in (a view setting)
TORNADO_KEY = "unc_tornado"  # which number the tornado explains (a view setting)
PERIOD_KEY = "unc_tornado_period"  # over the first month or the whole horizon (a view setting)
RANGES_KEY = "unc_ranges"  # the lazy expander around the ranges


def export_name(ev: Evaluation, kind: str) -> str:
    """A chart's PNG file name: the scenario's and the chart's, ``agent-platform-band``."""
    return f"{slug(ev.scenario.name)}-{kind}"


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


def flat_chance_sentences(band: BandResult) -> list[str]:
    """When every chance is the same in every month, one sentence per challenger for the whole horizon; else ``[]``."""
    series = [p for against in band.probability_cheaper.values() for p in against.values()]
    if not series or any(float(np.ptp(p)) > 0 for p in series):
        return []
    first, last = (band.months[i].strftime("%Y-%m") for i in (0, -1))
    lines = []
    for challenger in CHALLENGERS:
        against = band.probability_cheaper.get(challenger)
        if against:
            parts = [f"than {REGISTRY[b].noun} in {percent(float(against[b][0]))} of draws" for b in BASELINES if b in against]
            lines.append(
                f"In every month from {first} to {last}, {REGISTRY[challenger].noun} is cheaper " + " and ".join(parts) + "."
            )
    return lines


TOTAL_HEADERS = {"point": "Point estimate", "p10": "P10", "p50": "Median", "p90": "P90"}


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
    chart(ev, "band", lambda _: figures.band_figure(band, export=export_name(ev, "band")), "chart_band")
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
    totals = totals_frame(band)
    table(
        totals.assign(**{column: totals[column].map(money) for column in TOTAL_HEADERS}),  # "$22.5k", as on the cards
        key="band_totals",
        column_config={"strategy": "Strategy", **TOTAL_HEADERS},
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
    if flat := flat_chance_sentences(band):  # a chart of straight 0% or 100% lines says nothing a sentence does not
        for line in flat:
            st.markdown(md(line))
        return
    chart(ev, "chance", lambda _: figures.probability_figure(band, export=export_name(ev, "chance")), "chart_chance")
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
    chart(
        ev,
        kind,
        lambda _: figures.tornado_figure(dataclasses.replace(result, rows=moving), export=export_name(ev, kind)),
        "chart_tornado",
    )
    still = [r.label for r in result.rows if r.effect == 0]
    st.caption(
        md(
            "Each bar runs the engine twice, with one input at the low and then the high end of its range and every "
            "other input at the scenario's value; the longest bar matters most."
            + (f" Not moving this number: {', '.join(still)}." if still else "")
        )
    )
