"""The Forecast tab: each strategy's cost month by month and cumulative, and the dated price changes
and retirements that fall in the horizon."""

from __future__ import annotations

import streamlit as st

from calculators.engine import Evaluation
from dashboard.figures.forecast import forecast_figure
from dashboard.markup import md
from dashboard.tabs.common import VIEW_PERSIST, assumptions_box, chart

VIEWS = ("Month by month", "Cumulative")
VIEW_KEY = "forecast_view"  # which of the two charts is drawn: a view setting, not part of the scenario


def render_forecast_tab(ev: Evaluation, catalog) -> None:
    # One chart at a time: drawing a chart is most of a tab's first-visit time (benchmarks/page_load.py)
    shown = st.segmented_control(
        "Show", VIEWS, default=VIEWS[0], key=VIEW_KEY, required=True, label_visibility="collapsed", persist_state=VIEW_PERSIST
    )
    if shown == VIEWS[1]:
        chart(ev, "cumulative", lambda e: forecast_figure(e, cumulative=True), "chart_cumulative")
    else:
        chart(ev, "forecast", forecast_figure, "chart_forecast")
    if ev.events:
        st.markdown("**Dated price changes and retirements in the horizon**")
        for day, text in ev.events:
            st.markdown(f"- {day:%Y-%m-%d}: {md(text)}")
    assumptions_box(ev, "forecast", catalog, with_server=True)
