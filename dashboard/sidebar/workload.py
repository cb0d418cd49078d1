"""Sidebar, Workload and Growth: the request volume and sizes, caching and batching, growth and the first month."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from calculators.formatting import compact, tokens
from calculators.scenario import (
    next_month,
)
from calculators.selfhost import HOURS_PER_MONTH
from dashboard.markup import md
from dashboard.scales import log_stops, month_options, nearest_stop
from dashboard.widgets import _default, log_slider, percent_slider
from pricing.catalog import Catalog

VOLUME_STOPS = log_stops(3, 15)  # tokens a month: a thousand (a hobby) to a quadrillion (the parser's cap)


SIZE_STOPS = log_stops(1, 7, zero=True)  # tokens a request: 0, 10 … 10M (the largest context windows)


DAYS_PER_MONTH = HOURS_PER_MONTH / 24  # the engine's month: 730 hours


def _volume_from_tokens(source: str, tokens_per_request: float) -> None:
    value = st.session_state[source]
    if value is not None and tokens_per_request > 0:
        st.session_state["rpm"] = round(value / tokens_per_request, 6)


def workload(catalog: Catalog) -> None:
    volume_box = st.container()  # drawn first, filled last: it needs this run's request sizes
    st.markdown("**Tokens per request** (averages)")
    help_in = "Prompt, history and retrieved context sent with each request."
    in_tokens = log_slider("Input", "in", stops=SIZE_STOPS, step=50.0, max_value=1e7, help=help_in)
    out_tokens = log_slider("Output", "out", stops=SIZE_STOPS, step=50.0, max_value=1e7, help="Visible answer tokens.")
    help_rsn = "Hidden thinking tokens, billed at the output price."
    reasoning = log_slider("Reasoning", "rsn", stops=SIZE_STOPS, step=50.0, max_value=1e7, help=help_rsn)
    st.markdown("**Caching and batching**")
    percent_slider(
        "Cached input share", "cache", help="Share of input tokens read from the prompt cache (billed at the cached price)."
    )
    percent_slider(
        "Cache write share", "cw", help="Share of input tokens written to the prompt cache (billed at the cache-write price)."
    )
    percent_slider(
        "Batch share", "batch", help="Share of requests sent through a batch API (the model's batch discount applies)."
    )
    st.number_input(
        "Other charges ($ a month)",
        min_value=0.0,
        max_value=1e9,
        value=_default("oth"),
        step=10.0,
        format="%.2f",
        key="oth",
        bind="query-params",
        help="Non-token charges (web search, tool calls, code execution): one fixed line added to every strategy's "
        "monthly cost. Empty: none.",
    )
    per_request = in_tokens + out_tokens + reasoning
    with volume_box:
        _volume(per_request)


def _volume(per_request: float) -> None:
    """Requests a month (bound), with tokens a month and a log slider of the volume as its companions."""
    slider_box = st.container()
    requests = st.number_input(
        "Requests per month",
        min_value=0.0,
        max_value=1e15,
        value=_default("rpm"),
        step=1000.0,
        format="%.0f",
        key="rpm",
        bind="query-params",
    )
    st.session_state["_tpm"] = requests * per_request
    st.number_input(
        "Tokens per month",
        min_value=0.0,
        max_value=1e22,
        step=1e6,
        format="%.0f",
        key="_tpm",
        on_change=_volume_from_tokens,
        args=("_tpm", per_request),
        disabled=per_request <= 0,
        help="Type tokens a month if you think in tokens: requests follow from the request size.",
    )
    st.session_state["_vol"] = nearest_stop(VOLUME_STOPS, requests * per_request)
    with slider_box:
        st.select_slider(
            "Monthly volume (tokens)",
            options=VOLUME_STOPS,
            format_func=compact,
            key="_vol",
            on_change=_volume_from_tokens,
            args=("_vol", per_request),
            disabled=per_request <= 0,
            help="Log scale, from a hobby project to billions of tokens a day.",
        )
    st.caption(
        md(
            f"{tokens(requests * per_request)} tokens a month · {tokens(requests * per_request / DAYS_PER_MONTH)} a day · {per_request:,.0f} tokens per request"
        )
    )


def growth() -> None:
    percent_slider(
        "Monthly growth", "g", low=-0.99, high=1.0, step=0.005, help="Compound growth of the request volume each month."
    )
    st.slider("Horizon (months)", 1, 120, value=_default("h"), key="h", bind="query-params")
    default = _default("start")
    options = month_options(next_month().strftime("%Y-%m"), st.session_state.get("start"))
    # Not bound: a bound widget leaves its default out of the URL, and this default (next month)
    # moves with the calendar, so an address-bar link would open later on another month's prices.
    # sync_link writes the month, always.
    st.selectbox(
        "First month",
        options,
        index=options.index(default),
        key="start",
        help="The forecast's first month; prices are those in force then.",
    )


def _month(text: str | None) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        return next_month()


def month_of(text: str | None) -> dt.date:
    """The first day of a ``YYYY-MM`` widget value (next month if it is missing or malformed)."""
    return _month(text)
