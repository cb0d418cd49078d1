"""Widget helpers every input section uses: a log slider and a percent slider with their exact numbers beside them,
a model picker with its price caption. Each scalar setting has one primary widget, keyed by its share-link short
key and bound to the URL; a companion beside it is derived from the primary before it is drawn and writes back
in its ``on_change`` callback, so the two never disagree and only the primary reaches the URL and the scenario."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from calculators.formatting import compact
from calculators.scenario import (
    Scenario,
)
from dashboard import cache
from dashboard import state as S
from dashboard.assumptions import model_caption
from dashboard.figures.cost import slug
from dashboard.markup import md
from dashboard.scales import nearest_stop
from pricing.catalog import Catalog


def _default(key: str):
    return S.default_values()[key]


def _copy(source: str, target: str, factor: float = 1.0) -> None:
    """A companion changed: write its value (times ``factor``) to the primary."""
    value = st.session_state[source]
    if value is not None:
        st.session_state[target] = round(value * factor, 10)


def _catalog() -> Catalog:
    return cache.catalog()


def log_slider(
    label: str,
    key: str,
    *,
    stops,
    step: float,
    max_value: float,
    min_value: float = 0.0,
    number_format: str = "%.0f",
    slider_format=compact,
    help: str | None = None,
    disabled: bool = False,
) -> float:
    """A slider over log-spaced ``stops`` with the exact (bound) number input beside it."""
    slider_col, number_col = st.columns([3, 2], vertical_alignment="bottom")
    with number_col:
        value = st.number_input(
            f"{label} (exact)",
            min_value=min_value,
            max_value=max_value,
            value=_default(key),
            step=step,
            format=number_format,
            key=key,
            bind="query-params",
            label_visibility="collapsed",
            disabled=disabled,
        )
    companion = f"_{key}_slider"
    st.session_state[companion] = nearest_stop(stops, value)
    with slider_col:
        st.select_slider(
            label,
            options=stops,
            format_func=slider_format,
            key=companion,
            on_change=_copy,
            args=(companion, key),
            help=help,
            disabled=disabled,
        )
    return value


def percent_slider(
    label: str,
    key: str,
    *,
    low: float = 0.0,
    high: float = 1.0,
    step: float = 0.01,
    help: str | None = None,
    disabled: bool = False,
    bind: bool = True,
) -> float:
    """A percent slider (the value is a fraction as in the scenario) with an exact % input beside it.

    Bound to the URL unless ``bind`` is False (a setting without a short key, see ``state.PAYLOAD_KEYS``)."""
    slider_col, number_col = st.columns([3, 2], vertical_alignment="bottom")
    with slider_col:
        value = st.slider(
            label,
            low,
            high,
            value=_default(key),
            step=step,
            format="percent",
            key=key,
            bind="query-params" if bind else None,
            help=help,
            disabled=disabled,
        )
    companion = f"_{key}_pct"
    st.session_state[companion] = round(value * 100, 6)
    with number_col:
        st.number_input(
            f"{label} (%)",
            min_value=low * 100,
            max_value=high * 100,
            step=0.5,
            format="%.1f",
            key=companion,
            on_change=_copy,
            args=(companion, key, 0.01),
            label_visibility="collapsed",
            disabled=disabled,
        )
    return value


def model_picker(label: str, key: str, options: list[str], day: dt.date, overrides: dict, *, disabled: bool = False) -> str:
    """A model selectbox (ids grouped by vendor and tier) with the model's price on the line below.

    The option text is the catalog id because a bound selectbox writes its option text to the URL,
    and share links carry ids.
    """
    default = _default(key)
    value = st.selectbox(
        label, options, index=options.index(default) if default in options else 0, key=key, bind="query-params", disabled=disabled
    )
    st.caption(md(model_caption(_catalog(), value, day, overrides)))
    return value


def model_options(catalog: Catalog, base: Scenario) -> list[str]:
    """Catalog ids in vendor/tier order, then any model the scenario names that the catalog lacks."""
    options = S.model_order(catalog)
    payload_models = [k for k, (_, _, unit) in S.PAYLOAD_KEYS.items() if unit == "model"]
    extra = [st.session_state.get(k) for k in (*S.MODEL_KEYS, *payload_models)]
    extra += base.models_used() + [n for n, _ in base.price_overrides]
    known = set(options)
    for name in extra:
        if isinstance(name, str) and name and name not in known and catalog.resolve(name) is None:
            options.append(name)
            known.add(name)
    return options


def download_button(label: str, data, file_name: str, mime: str, key: str, *, stretch: bool = True) -> None:
    """A download whose ``data`` (a callable) is built only when clicked, without rerunning the page."""
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        on_click="ignore",
        icon=":material/download:",
        key=key,
        width="stretch" if stretch else "content",
    )


def share_box(what: str, url: str, yaml_text, name: str, key: str) -> None:
    """The Share box's link and YAML download for ``what`` ("scenario", "portfolio")."""
    st.markdown(f"**Share link** (the whole {what}; copy with the button on the right)")
    st.code(url, language=None, wrap_lines=True)
    download_button(f"Download {what} (YAML)", yaml_text, f"{slug(name)}.yaml", "application/x-yaml", key)
