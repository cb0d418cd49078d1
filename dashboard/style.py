"""The page's layout rules (``page.css``): metric cards that wrap and fit at every window size.

Fixed text from the repository, never user data; ``st.html`` sends a style-only body to the page's
event container, so it takes no room on the page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGE_CSS = Path(__file__).with_name("page.css")


def apply() -> None:
    st.html(PAGE_CSS)
