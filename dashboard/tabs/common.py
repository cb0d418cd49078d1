"""What several tabs draw alike: a cached plotly chart and the "Assumptions" expander under a figure."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from calculators.engine import Evaluation
from calculators.export import safe_frame
from dashboard import assumptions, cache
from dashboard.figures import cost as charts

VIEW_PERSIST = "session"  # view settings outlive the tab's closing, but are not part of the scenario

PRICE_COLUMNS = {
    "input": st.column_config.NumberColumn("input $/1M", format="%.4g"),
    "cached input": st.column_config.NumberColumn("cached $/1M", format="%.4g"),
    "cache write": st.column_config.NumberColumn("cache write $/1M", format="%.4g"),
    "output": st.column_config.NumberColumn("output $/1M", format="%.4g"),
    "batch discount": st.column_config.NumberColumn(format="percent"),
    "source": st.column_config.LinkColumn(display_text="source"),
    "checked": st.column_config.DateColumn(),
}
SERVER_COLUMNS = {
    "source": st.column_config.LinkColumn(display_text="source"),
    "checked": st.column_config.DateColumn(),
}


def chart(ev: Evaluation, kind: str, build: Callable[[Evaluation], object], key: str, **extra) -> None:
    """The plotly figure ``build(ev)``, built once per (kind, scenario), with the chart config of ``kind``."""
    fig = cache.figure(kind, ev.scenario, build, ev)
    st.plotly_chart(fig, width="stretch", theme="streamlit", config=charts.chart_config(ev, kind), key=key, **extra)


def assumptions_box(ev: Evaluation, kind: str, catalog, with_server: bool = False) -> None:
    """A lazy expander with the figure's formula and the prices it used (and the server's, ``with_server``)."""
    box = st.expander(
        "Assumptions: formula and prices used", icon=":material/functions:", key=f"assumptions_{kind}", on_change="rerun"
    )
    if not box.open:  # lazy: the tables are built when someone looks
        return
    with box:
        st.markdown(assumptions.FORMULAS[kind])
        rows = assumptions.prices_used(ev)
        if rows:
            st.dataframe(safe_frame(pd.DataFrame(rows)), hide_index=True, width="stretch", column_config=PRICE_COLUMNS)
        server = assumptions.server_assumptions(ev, catalog) if with_server else None
        if server:
            st.dataframe(safe_frame(pd.DataFrame(server)), hide_index=True, width="stretch", column_config=SERVER_COLUMNS)
