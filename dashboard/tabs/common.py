"""What several tabs draw alike: a cached ECharts chart and the "Assumptions" expander under a figure."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from calculators.engine import Evaluation
from dashboard import assumptions, cache
from dashboard.tables import table

VIEW_PERSIST = "session"  # view settings outlive the tab's closing, but are not part of the scenario

# Short headers and widths in pixels that put every column but the long note within the ~830 px a table gets
# at 1400 px: left to themselves, the grid's columns took their widest cell and pushed source and date out of view.
PRICE_COLUMNS = {
    "strategy": st.column_config.TextColumn(width=120),
    "model": st.column_config.TextColumn(width=180),
    "input": st.column_config.NumberColumn(format="%.4g", width=60, help="$ per 1M input tokens"),
    "cached input": st.column_config.NumberColumn("cached", format="%.4g", width=65, help="$ per 1M cached input tokens"),
    "cache write": st.column_config.NumberColumn("write", format="%.4g", width=60, help="$ per 1M tokens written to the cache"),
    "output": st.column_config.NumberColumn(format="%.4g", width=65, help="$ per 1M output tokens"),
    "batch discount": st.column_config.NumberColumn("batch", format="percent", width=60, help="the batch API's discount"),
    "source": st.column_config.LinkColumn(display_text="source", width=60),
    "checked": st.column_config.DateColumn(width=90),
    "note": st.column_config.TextColumn(width="large"),
}
PRICES_CAPTION = "Prices in $ per 1M tokens in the first forecast month; batch: the batch API's discount."
SERVER_COLUMNS = {
    "source": st.column_config.LinkColumn(display_text="source"),
    "checked": st.column_config.DateColumn(),
}


def chart(ev: Evaluation, kind: str, build: Callable[[Evaluation], object], key: str, **extra) -> None:
    """The ECharts option ``build(ev)`` (with its height), built once per (kind, scenario)."""
    option, height = cache.figure(kind, ev.scenario, build, ev)
    st.echarts_chart(option, height=height, key=key, **extra)


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
            table(pd.DataFrame(rows), column_config=PRICE_COLUMNS)
            st.caption(PRICES_CAPTION)
        server = assumptions.server_assumptions(ev, catalog) if with_server else None
        if server:
            table(pd.DataFrame(server), column_config=SERVER_COLUMNS)
