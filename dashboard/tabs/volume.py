"""The Cost vs volume tab: every strategy's monthly cost against volume, on log scales."""

from __future__ import annotations

import streamlit as st

from calculators.engine import Evaluation
from dashboard.figures import cost as charts
from dashboard.markup import md
from dashboard.tabs.common import assumptions_box, chart


def render_volume_tab(ev: Evaluation, catalog) -> None:
    chart(ev, "volume", charts.volume_figure, "chart_volume")
    st.caption(
        md(
            "Log scales. Lines: API strategies. Staircase: self-hosting (one more replica at each step). "
            "◆ break-even points; dashed line: your volume; shaded bands: the article's volume tiers."
        )
    )
    assumptions_box(ev, "volume", catalog, with_server=True)
