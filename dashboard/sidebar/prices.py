"""The price table: override any catalog price for this scenario (a lazy expander below the results)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import streamlit as st

from calculators.scenario import (
    Scenario,
)
from dashboard import cache, inputs
from dashboard import state as S
from dashboard.markup import md
from dashboard.sidebar.workload import month_of
from pricing.catalog import Catalog

PRICE_TABLE_KEY = "price_table"  # the lazy expander around the editor


def price_table(catalog: Catalog, base: Scenario, day: dt.date) -> dict[str, dict[str, float]]:
    """The editable price table, in a lazy expander; returns the scenario's price overrides.

    Each committed edit is folded into the base scenario by ``_fold_price_edits`` (and the editor
    restarts from it), so collapsing the expander, which unmounts the editor, loses nothing, and
    a collapsed table costs nothing on a rerun. Pending edits (e.g. seeded by a test) count too.
    """
    # a constant label: a label that changed with the count would remount the expander, collapsed
    box = st.expander(
        "Price table: override any catalog price for this scenario",
        icon=":material/edit:",
        key=PRICE_TABLE_KEY,
        on_change="rerun",
    )
    if not box.open:
        return {name: _fields(o) for name, o in base.price_overrides}
    with box:
        st.caption(
            md(
                f"{len(base.price_overrides)} price(s) overridden. Prices in USD per 1M tokens on the first forecast month. "
                "An edit applies to every dated price of that model in this scenario and is marked ✎ wherever it is used. "
                "An emptied cell keeps the catalog price."
            )
        )
        frame = cache.price_frame(catalog, day, base.price_overrides)
        st.data_editor(
            frame,
            key=inputs.editor_key(S.PRICES_KEY),
            on_change=_fold_price_edits,
            disabled=["name", "vendor", "tier", "source", "checked"],
            hide_index=True,  # the model id stays the frame's index: edits map back to it
            height=360,
            width="stretch",
            column_config=_PRICE_COLUMNS,
        )
        # the overrides: the committed base and the pending cell edits, never a diff against the catalog,
        # which would drop an override equal to the first month's price
        current = {name: _fields(o) for name, o in base.price_overrides}
        overrides = S.fold_price_edits(current, frame, inputs.editor_edits(S.PRICES_KEY), catalog)
        reset_prices_button(len(overrides))
    return overrides


def _fields(override) -> dict[str, float]:
    return {f: v for f in S.PRICE_FIELDS if (v := getattr(override, f)) is not None}


def _fold_price_edits() -> None:
    """The table was edited: make its overrides the base's and restart the editor from them."""
    base: Scenario = st.session_state[S.BASE_KEY]
    day = month_of(inputs.get("start"))
    catalog = cache.catalog()
    shown = cache.price_frame(catalog, day, base.price_overrides)
    current = {name: _fields(o) for name, o in base.price_overrides}
    overrides = S.fold_price_edits(current, shown, inputs.editor_edits(S.PRICES_KEY), catalog)
    st.session_state[S.BASE_KEY] = dataclasses.replace(base, price_overrides=S.overrides_tuple(overrides))
    inputs.reset_editor(S.PRICES_KEY)


_PRICE_COLUMNS = {
    "name": st.column_config.TextColumn("Model", width=190),
    "vendor": st.column_config.TextColumn("Vendor", width=100),
    "tier": st.column_config.TextColumn("Tier", width=70),
    "input": st.column_config.NumberColumn("Input $/1M", min_value=0.0, max_value=10_000.0, format="%.4g"),
    "cached_input": st.column_config.NumberColumn(
        "Cached in $/1M", min_value=0.0, max_value=10_000.0, format="%.4g", help="Empty: cache reads bill as input."
    ),
    "cache_write": st.column_config.NumberColumn(
        "Cache write $/1M", min_value=0.0, max_value=10_000.0, format="%.4g", help="Empty: cache writes bill as input."
    ),
    "output": st.column_config.NumberColumn("Output $/1M", min_value=0.0, max_value=10_000.0, format="%.4g"),
    "batch_discount": st.column_config.NumberColumn(
        "Batch discount", min_value=0.0, max_value=0.99, format="percent", help="Empty: no batch API."
    ),
    "source": st.column_config.LinkColumn("Source", display_text="source"),
    "checked": st.column_config.DateColumn("Checked"),
}


def reset_prices_button(count: int) -> None:
    st.button(
        f"Reset {count} override{'s' * (count != 1)} to catalog prices",
        key="reset_prices",
        on_click=_reset_prices,
        disabled=count == 0,
    )


def _reset_prices() -> None:
    base: Scenario = st.session_state[S.BASE_KEY]
    st.session_state[S.BASE_KEY] = dataclasses.replace(base, price_overrides=())
    inputs.reset_editor(S.PRICES_KEY)
