"""The Table & CSV tab: the forecast month by month as a table, and the same rows as a CSV download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculators.engine import Evaluation
from calculators.export import forecast_csv, forecast_rows, safe_frame
from calculators.formatting import SCIENTIFIC_FROM
from dashboard.figures import cost as charts
from dashboard.widgets import download_button


def render_table_tab(ev: Evaluation) -> None:
    header, rows = forecast_rows(ev)
    frame = pd.DataFrame(rows, columns=header)
    numbers = header[1:-1]  # between the month and the events
    # floats: volumes pass int64 inside the documented bounds (1e15 tokens a month growing 10% a month)
    frame = frame.astype(dict.fromkeys(numbers, float))
    usd = [h for h in numbers if "USD" in h]
    huge = bool(usd) and float(frame[usd].abs().max().max()) >= SCIENTIFIC_FROM
    # "$29,907,629,905,160,606,666,568,237,056.00" is not readable: scientific from $1,000T on
    money_columns = {h: st.column_config.NumberColumn(format="$%.3e" if huge else "dollar") for h in usd}
    st.dataframe(
        safe_frame(frame),
        hide_index=True,
        width="stretch",
        column_config={
            "requests": st.column_config.NumberColumn(format="compact"),
            "tokens": st.column_config.NumberColumn(format="compact"),
            **money_columns,
        },
    )
    download_button(
        "Download the forecast (CSV)",
        lambda: forecast_csv(ev),
        f"{charts.slug(ev.scenario.name)}-forecast.csv",
        "text/csv",
        "download_csv",
        stretch=False,
    )
