"""The Table & CSV tab: the forecast month by month as a table, and the same rows as a CSV download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculators.engine import Evaluation
from calculators.export import forecast_csv, forecast_rows
from calculators.formatting import SCIENTIFIC_FROM
from dashboard.figures import cost as charts
from dashboard.tables import table
from dashboard.widgets import download_button


def render_table_tab(ev: Evaluation) -> None:
    header, rows = forecast_rows(ev)
    frame = pd.DataFrame(rows, columns=header)
    numbers = header[1:-1]  # between the month and the events
    # floats: volumes pass int64 inside the documented bounds (1e15 tokens a month growing 10% a month)
    frame = frame.astype(dict.fromkeys(numbers, float))
    usd = [h for h in numbers if "USD" in h]
    top = float(frame[usd].abs().max().max()) if usd else 0.0
    # "$29,907,629,905,160,606,666,568,237,056.00" is not readable: scientific from $1,000T on; cents only where they count
    money_format = "$%.3e" if top >= SCIENTIFIC_FROM else "$%,.0f" if top >= 1000 else "dollar"
    # short headers ("Hybrid routing", "Hybrid routing, to date"): the CSV's long ones made every column wide
    money_columns = {
        h: st.column_config.NumberColumn(_short(h), format=money_format, help=h.replace("USD", "US dollars")) for h in usd
    }
    table(
        frame,
        column_config={
            "month": st.column_config.TextColumn(pinned=True),  # the row's month stays in view as the table scrolls
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


def _short(header: str) -> str:
    """``"Hybrid routing (USD/month)"`` → ``"Hybrid routing"``; ``"Cascade cumulative (USD)"`` → ``"Cascade, to date"``."""
    name = header.removesuffix(" (USD/month)").removesuffix(" (USD)")
    return f"{name.removesuffix(' cumulative')}, to date" if name.endswith(" cumulative") else name
