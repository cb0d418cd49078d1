"""The Forecast tab: each strategy's cost month by month and cumulative, and the dated price changes
and retirements that fall in the horizon."""

from __future__ import annotations

import streamlit as st

from calculators.engine import Evaluation
from dashboard.figures.forecast import forecast_figure
from dashboard.markup import md
from dashboard.tabs.common import assumptions_box, chart


def render_forecast_tab(ev: Evaluation, catalog) -> None:
    chart(ev, "forecast", forecast_figure, "chart_forecast")
    chart(ev, "cumulative", lambda e: forecast_figure(e, cumulative=True), "chart_cumulative")
    if ev.events:
        st.markdown("**Dated price changes and retirements in the horizon**")
        for day, text in ev.events:
            st.markdown(f"- {day:%Y-%m-%d}: {md(text)}")
    assumptions_box(ev, "forecast", catalog, with_server=True)
