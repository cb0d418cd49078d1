"""The page's layout rules (``page.css``): metric cards that wrap and fit at every window size; and the chart
script requested first.

Fixed text from the repository, never user data; ``st.html`` sends a style-only body to the page's
event container, so it takes no room on the page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGE_CSS = Path(__file__).with_name("page.css")
CHART_SCRIPT_KEY = "chart_script_first"  # page.css takes this element out of the page's flow


def apply() -> None:
    st.html(PAGE_CSS)


def request_chart_script_first() -> None:
    """An empty, invisible ECharts element as the page's first element, so the browser asks for the charts'
    script before any input's.

    Streamlit loads an element kind's script when the first element of that kind is drawn, and the browser
    draws the elements in order, each waiting for its script: with the sidebar's inputs first, the charts'
    1 MB script was requested only once theirs had loaded. benchmarks/page_load.py: a bare page with one
    number input before its chart takes 1.46x the bare page; with this element first, about 1.1x.
    """
    st.echarts_chart({"series": [], "aria": {"enabled": False}}, height=1, key=CHART_SCRIPT_KEY)
