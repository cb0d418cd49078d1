"""How every table on the page is drawn: spreadsheet-safe text, no index, full width, "—" for a gap.

A data grid draws a missing value as a literal "None"; here a value that does not apply (an open
model's cache-write price, a setting without a source) shows as ``MISSING``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculators.export import safe_frame

MISSING = "—"


def table(frame: pd.DataFrame, **options):
    """``st.dataframe`` of ``safe_frame(frame)`` (see ``calculators.export``); ``options`` as st.dataframe's."""
    options = {"hide_index": True, "width": "stretch", "placeholder": MISSING, **options}
    return st.dataframe(safe_frame(frame), **options)
