"""Sidebar, Workload and Growth: the request volume and sizes, caching and batching, growth and the first month."""

from __future__ import annotations

import datetime as dt
import math

import streamlit as st

from calculators.formatting import compact, tokens
from calculators.scenario import (
    TOKEN_BLOCK,
    next_month,
)
from calculators.selfhost import HOURS_PER_MONTH
from dashboard import inputs
from dashboard.markup import md
from dashboard.scales import log_stops, month_options, nearest_stop
from dashboard.widgets import log_slider, optional_number, percent_slider
from pricing.catalog import Catalog

# 1-2-5 stops: ~22 a range, each a step a person can aim at with a drag or an arrow key (10 stops a
# decade over 1k..1000T tokens put 2.5B and 100T 40 px apart). The exact number sits beside it.
REQUEST_STOPS = tuple(float(m * 10**e) for e in range(2, 11) for m in (1, 2, 5)) + (1e11,)  # 100 .. 100B a month
TOKEN_STOPS = tuple(float(m * 10**e) for e in range(5, 14) for m in (1, 2, 5)) + (1e14,)  # 100k .. 100T a month
UNITS = ("Requests", "Tokens")
UNIT_KEY = "_volume_unit"  # how the volume is entered: a view preference, not part of the scenario


SIZE_STOPS = log_stops(1, 7, zero=True)  # tokens a request: 0, 10 … 10M (the largest context windows)


DAYS_PER_MONTH = HOURS_PER_MONTH / 24  # the engine's month: 730 hours


def workload(catalog: Catalog) -> None:
    """The workload, one control group: the monthly volume (a slider and its exact number, in requests
    or tokens), the request's size, caching and batching."""
    per_request = sum(float(inputs.get(key) or 0.0) for key in ("in", "out", "rsn"))
    in_tokens = inputs.get("vu") == "tokens"
    _volume(per_request, in_tokens)
    if in_tokens:
        st.markdown(f"**Tokens per block of {TOKEN_BLOCK:,}** (the export's input/output mix)")
    else:
        st.markdown("**Tokens per request** (averages)")
    help_in = "Prompt, history and retrieved context sent with each request."
    log_slider("Input", "in", stops=SIZE_STOPS, step=50.0, max_value=1e7, help=help_in)
    log_slider("Output", "out", stops=SIZE_STOPS, step=50.0, max_value=1e7, help="Visible answer tokens.")
    help_rsn = "Hidden thinking tokens, billed at the output price."
    log_slider("Reasoning", "rsn", stops=SIZE_STOPS, step=50.0, max_value=1e7, help=help_rsn)
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
    optional_number(
        "Other charges ($ a month)",
        "oth",
        high=1e9,
        step=10.0,
        number_format="%.2f",
        help="Non-token charges (web search, tool calls, code execution): one fixed line added to every strategy's "
        "monthly cost. Empty: none.",
    )


def _count_requests() -> None:
    inputs.set_value("vu", None)


def _tokens_only_note() -> None:
    """Why the volume is in tokens only, and the way back to requests."""
    st.caption(
        "Your usage export has no request counts, so this scenario counts tokens: no request size is "
        f"invented. Below, the sizes are per block of {TOKEN_BLOCK:,} tokens (self-hosting capacity "
        "assumes requests of that size)."
    )
    st.button(
        "Count requests instead",
        key="count_requests",
        on_click=_count_requests,
        width="stretch",
        help=f"Treat each block of {TOKEN_BLOCK:,} tokens as a request, then set your request size below.",
    )


def _volume(per_request: float, tokens_only: bool = False) -> None:
    """The monthly volume: a 1-2-5 slider and the exact number beside it, both views of the requests a
    month (``rpm``); in tokens, they show requests × tokens per request and divide back.

    ``tokens_only``: the scenario counts tokens (a usage export without request counts, ``vu=tokens``):
    the volume is shown in tokens only and the page says that no request size is known."""
    if tokens_only:
        st.markdown("**Monthly volume**")
        _tokens_only_note()
        unit_col = None
    else:
        head, unit_col = st.columns([2, 3], vertical_alignment="center")
        head.markdown("**Monthly volume**")
    by_tokens = per_request > 0 and (
        tokens_only
        or unit_col.segmented_control(
            "Volume in", UNITS, default=UNITS[0], key=UNIT_KEY, label_visibility="collapsed", width="stretch"
        )
        == "Tokens"
    )
    requests = float(inputs.get("rpm") or 0.0)
    if by_tokens:
        stops, name, label = TOKEN_STOPS, "tpm", "Tokens per month"
        show, take = (lambda rpm: (rpm or 0.0) * per_request), (lambda tpm: round(tpm / per_request, 6))
    else:
        stops, name, label = REQUEST_STOPS, "rpm", "Requests per month"
        show, take = (lambda rpm: rpm or 0.0), (lambda value: value)
    slider_col, number_col = st.columns([3, 2], vertical_alignment="bottom")
    exact, kw = inputs.view(name, "rpm", show=show, take=take)
    with number_col:
        st.number_input(
            f"{label} (exact)",
            min_value=0.0,
            max_value=1e22 if by_tokens else 1e15,
            value=float(exact),
            step=1000.0,
            format="%.0f",
            label_visibility="collapsed",
            **kw,
        )
    stop, kw = inputs.view(f"{name}~", "rpm", show=lambda rpm: nearest_stop(stops, show(rpm)), take=take)
    # between two stops (a typed or loaded volume), the slider's label says it stands near the exact number
    near = not math.isclose(stop, show(requests), rel_tol=1e-9)
    with slider_col:
        st.select_slider(
            label,
            options=stops,
            value=stop,
            format_func=lambda v: f"≈{compact(v)}" if near and v == stop else compact(v),
            help="Drag or use the arrow keys; type the exact number beside.",
            **kw,
        )
    monthly = requests * per_request
    what = f"{tokens(requests)} blocks" if tokens_only else f"{tokens(requests)} requests"
    st.caption(
        md(f"{what} × {per_request:,.0f} tokens = {tokens(monthly)} tokens a month · {tokens(monthly / DAYS_PER_MONTH)} a day")
    )


def growth() -> None:
    percent_slider(
        "Monthly growth", "g", low=-0.99, high=1.0, step=0.005, help="Compound growth of the request volume each month."
    )
    horizon, kw = inputs.view("h")
    st.slider("Horizon (months)", 1, 120, value=int(horizon), **kw)
    month, kw = inputs.view("start")
    options = month_options(next_month().strftime("%Y-%m"), month)
    # The link always carries the month (cache.share_params): its default (next month) moves with
    # the calendar, and a link must open on the same month's prices later.
    st.selectbox(
        "First month",
        options,
        index=options.index(month) if month in options else 0,
        help="The forecast's first month; prices are those in force then.",
        **kw,
    )


def _month(text: str | None) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        return next_month()


def month_of(text: str | None) -> dt.date:
    """The first day of a ``YYYY-MM`` widget value (next month if it is missing or malformed)."""
    return _month(text)
