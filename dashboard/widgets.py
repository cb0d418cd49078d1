"""Widget helpers every input section uses: a log slider and a percent slider with their exact numbers beside them,
a model picker with its price caption. Each widget is a view of one setting (``dashboard.inputs``): a slider and
the exact number beside it are two views of the same setting, each writing it in its own callback, and neither is
ever written by the server (a changed setting creates the other view anew)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from calculators.formatting import compact
from calculators.scenario import (
    Scenario,
)
from dashboard import cache, inputs
from dashboard import state as S
from dashboard.assumptions import model_caption
from dashboard.figures.cost import slug
from dashboard.markup import md
from dashboard.scales import nearest_stop
from pricing.catalog import Catalog


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
    """A slider over log-spaced ``stops`` with the exact number input beside it (two views of ``key``)."""
    slider_col, number_col = st.columns([3, 2], vertical_alignment="bottom")
    value, exact = inputs.view(key)
    with number_col:
        st.number_input(
            f"{label} (exact)",
            min_value=min_value,
            max_value=max_value,
            value=float(value),
            step=step,
            format=number_format,
            label_visibility="collapsed",
            disabled=disabled,
            **exact,
        )
    stop, near = inputs.view(f"{key}~", key, show=lambda v: nearest_stop(stops, v))
    with slider_col:
        st.select_slider(label, options=stops, value=stop, format_func=slider_format, help=help, disabled=disabled, **near)
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
    then=None,
) -> float:
    """A percent slider (the value is a fraction as in the scenario) with an exact % input beside it
    (two views of ``key``); ``then`` runs after either changed it."""
    slider_col, number_col = st.columns([3, 2], vertical_alignment="bottom")
    value, slide = inputs.view(key, then=then)
    with slider_col:
        st.slider(
            label,
            low,
            high,
            value=min(max(float(value), low), high),
            step=step,
            format="percent",
            help=help,
            disabled=disabled,
            **slide,
        )
    percent, exact = inputs.view(f"{key}%", key, show=lambda v: round(v * 100, 6), take=lambda p: round(p / 100, 10), then=then)
    with number_col:
        st.number_input(
            f"{label} (%)",
            min_value=low * 100,
            max_value=high * 100,
            value=min(max(float(percent), low * 100), high * 100),
            step=0.5,
            format="%.1f",
            label_visibility="collapsed",
            disabled=disabled,
            **exact,
        )
    return value


def optional_number(
    label: str, key: str, *, high: float, step: float, number_format: str, where=st, then=None, **extra
) -> float | None:
    """A number from 0 to ``high`` that may be left empty (``None``: the setting's default, or none), drawn in
    ``where`` (a column, or the page); ``extra`` goes to ``st.number_input`` (placeholder, help)."""
    value, kw = inputs.view(key, keep_none=True, then=then)
    where.number_input(
        label,
        min_value=0.0,
        max_value=high,
        value=None if value is None else float(value),
        step=step,
        format=number_format,
        **kw,
        **extra,
    )
    return value


def model_picker(label: str, key: str, options: list[str], day: dt.date, overrides: dict, *, disabled: bool = False) -> str:
    """A model selectbox (ids grouped by vendor and tier) with the model's price on the line below.

    The option text is the catalog id: share links carry ids.
    """
    value, kw = inputs.view(key)
    st.selectbox(label, options, index=options.index(value) if value in options else 0, disabled=disabled, **kw)
    st.caption(md(model_caption(_catalog(), value, day, overrides)))
    return value


def model_options(catalog: Catalog, base: Scenario) -> list[str]:
    """Catalog ids in vendor/tier order, then any model the scenario names that the catalog lacks."""
    options = S.model_order(catalog)
    payload_models = [k for k, (_, _, unit) in S.PAYLOAD_KEYS.items() if unit == "model"]
    extra = [inputs.get(k) for k in (*S.MODEL_KEYS, *payload_models)]
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
    st.markdown(f"**Share link** (the whole {what}; the copy button is at the link's top right)")
    st.code(url, language=None, wrap_lines=True)
    download_button(f"Download {what} (YAML)", yaml_text, f"{slug(name)}.yaml", "application/x-yaml", key)
