"""The Uncertainty tab's inputs: the range of each uncertain input, the draws and seed, and the quality settings."""

from __future__ import annotations

import dataclasses
import functools

import streamlit as st

from calculators.formatting import money, percent
from calculators.scenario import (
    DEFAULT_DRAWS,
    MAX_COST_PER_ERROR_USD,
    MAX_DRAWS,
    MAX_SEED,
    MIN_DRAWS,
    UNCERTAIN_INPUTS,
    Quality,
    Scenario,
)
from calculators.uncertain_inputs import INPUT_LABELS, INPUT_UNITS, default_range, point_values
from dashboard import inputs
from dashboard import state as S
from dashboard.markup import md
from dashboard.widgets import optional_number
from pricing.catalog import Catalog

# Per unit of an uncertain input: the factor to the number shown, its step, format, unit text and icon.
_RANGE_UNITS = {
    "share": (100.0, 0.5, "%.1f", "%", ":material/percent:"),
    "tokens": (1.0, 50.0, "%.0f", "tokens", None),
    "usd": (1.0, 0.1, "%.2f", "$/GPU-hour", ":material/attach_money:"),
    "factor": (1.0, 0.05, "%.2f", "x modelled throughput", None),
}


def _shown(key: str, value: float) -> float:
    return round(value * _RANGE_UNITS[INPUT_UNITS[key]][0], 8)


def _complete_range(key: str, end: str, other_default: float) -> None:
    """One end of a range was typed while the other is empty: the other takes its default (what its
    placeholder showed), moved if need be so that low <= high. Clearing both ends restores the default."""
    this, other = S.range_key(key, end), S.range_key(key, "high" if end == "low" else "low")
    value = inputs.get(this)
    if value is None or inputs.get(other) is not None:
        return
    inputs.set_value(other, max(other_default, value) if end == "low" else min(other_default, value))


def _reset_ranges() -> None:
    for key in UNCERTAIN_INPUTS:
        for end in S.RANGE_ENDS:
            inputs.set_value(S.range_key(key, end), None)


def uncertainty_inputs(scenario: Scenario, catalog: Catalog) -> None:
    """Low and high of each uncertain input that applies to the scenario, the draws and the seed.

    An empty end is the core's default range around the scenario's value (shown as the placeholder),
    so it follows that value; a typed range is the scenario's ``uncertainty`` section (it travels in
    the share link and the YAML file). A range the scenario cannot take is reported here and the
    default is used until it is fixed; the numbers typed stay.
    """
    points = point_values(scenario, catalog)
    st.caption(
        md(
            "Each input is drawn uniformly between its low and high end. An empty field (its default in grey) "
            "keeps the default range around the scenario's value, which follows that value as you change it."
        )
    )
    head = st.columns([5, 3, 3])
    head[0].markdown("**Uncertain input** · its value now")
    head[1].markdown("**Low**")
    head[2].markdown("**High**")
    problems = []
    for key, point in points.items():  # one row each, drawn in order
        problem = _range_row(key, point, scenario)
        if problem:
            problems.append(problem)
    if problems:
        st.error(
            "These ranges are not used (the default range is, until they are fixed):\n"
            + "\n".join(f"- {md(p)}" for p in problems),
            icon=":material/error:",
        )
    _draws_and_seed()


def _range_row(key: str, point: float, scenario: Scenario) -> str | None:
    """One input's row: its value now and its low and high ends (empty: the default range, its placeholder).
    Returns what is wrong with the ends typed, if anything."""
    factor, step, number_format, unit, icon = _RANGE_UNITS[INPUT_UNITS[key]]
    lowest, highest = (round(v * factor, 8) for v in UNCERTAIN_INPUTS[key])
    defaults = [_shown(key, v) for v in default_range(key, point, scenario)]
    label_col, *end_cols = st.columns([5, 3, 3], vertical_alignment="center")
    label_col.markdown(md(f"{INPUT_LABELS[key]} · now {_point_text(key, point)}"))
    typed = []
    for col, end, default, other in zip(end_cols, S.RANGE_ENDS, defaults, defaults[::-1], strict=True):
        value, kw = inputs.view(S.range_key(key, end), keep_none=True, then=functools.partial(_complete_range, key, end, other))
        value = None if value is None else min(max(float(value), lowest), highest)
        col.number_input(
            f"{INPUT_LABELS[key]}, {end} ({unit})",
            min_value=lowest,
            max_value=highest,
            value=value,
            step=step,
            format=number_format,
            placeholder=number_format % default,
            label_visibility="collapsed",
            icon=icon,
            **kw,
        )
        typed.append(value)
    low, high = typed
    if (low is None) != (high is None):
        return f"{INPUT_LABELS[key]}: give both ends (or neither, for the default range)"
    if low is not None and low > high:
        return f"{INPUT_LABELS[key]}: the low end ({low:g}) is above the high end ({high:g})"
    return None


def _draws_and_seed() -> None:
    """The number of draws, the seed, and the button that clears every typed range."""
    left, right, button = st.columns([3, 3, 3], vertical_alignment="bottom")
    draws, kw = inputs.view("unc_draws")
    left.number_input(
        "Draws",
        min_value=MIN_DRAWS,
        max_value=MAX_DRAWS,
        value=DEFAULT_DRAWS if draws is None else int(draws),
        step=500,
        **kw,
        help="Monte Carlo draws: more draws, smoother percentiles (10,000 take a fraction of a second).",
    )
    seed, kw = inputs.view("unc_seed")
    right.number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        value=1 if seed is None else int(seed),
        step=1,
        **kw,
        help="The same seed and ranges give the same band: the share link reproduces it.",
    )
    button.button("Reset the ranges to the defaults", key="reset_ranges", on_click=_reset_ranges, width="stretch")


def _point_text(key: str, value: float) -> str:
    unit = INPUT_UNITS[key]
    if unit == "share":
        return percent(value, 1)
    if unit == "usd":
        return money(value)
    if unit == "factor":
        return f"x{value:.2f}"
    return f"{value:,.0f}"


def _fold_rate_edits(shown) -> None:
    """The error-rate table was edited: make its rates the base's and restart the editor from them."""
    base: Scenario = st.session_state[S.BASE_KEY]
    edited = S.apply_edits(shown, inputs.editor_edits(S.RATES_KEY))
    quality = base.quality or Quality()
    rates = S.rates_from_frame(edited)
    st.session_state[S.BASE_KEY] = dataclasses.replace(base, quality=dataclasses.replace(quality, error_rates=rates))
    inputs.reset_editor(S.RATES_KEY)


def quality_inputs(scenario: Scenario, catalog: Catalog) -> None:
    """What a wrong answer costs, each model's error rate, the cascade's miss rate, the self-hosted model's rate."""
    base: Scenario = st.session_state[S.BASE_KEY]
    _quality_numbers(scenario, catalog)
    frame = S.rates_frame(scenario, dict(base.quality.error_rates) if base.quality else {}, catalog)
    if (inputs.editor_edits(S.RATES_KEY) or {}).get("edited_rows"):
        # edits that no callback folded (a state seeded before the run, as a test does): fold them, redraw
        _fold_rate_edits(frame)
        st.rerun()
    st.data_editor(
        frame,
        key=inputs.editor_key(S.RATES_KEY),
        on_change=_fold_rate_edits,
        args=(frame,),
        disabled=["model", "used_by"],
        hide_index=True,
        placeholder="not rated",
        width="stretch",
        column_config={
            "model": st.column_config.TextColumn("Model", width=180),
            "used_by": st.column_config.TextColumn("Used by", width=340),
            "rate_pct": st.column_config.NumberColumn(
                "Error rate %",
                width=110,
                min_value=0.0,
                max_value=100.0,
                step=0.1,
                format="%.2f",
                help="Share of requests this model answers wrongly on your task. Empty: not rated.",
            ),
        },
    )


def _quality_numbers(scenario: Scenario, catalog: Catalog) -> None:
    """The cost of a wrong answer, the cascade's miss rate and the self-hosted model's error rate."""
    cost, miss, own = st.columns(3)
    usd, kw = inputs.view("quality_cost")
    cost.number_input(
        "Cost of a wrong answer (USD)",
        min_value=0.0,
        max_value=MAX_COST_PER_ERROR_USD,
        value=0.0 if usd is None else float(usd),
        step=1.0,
        format="%.2f",
        **kw,
        help="A support ticket, a refund, a human review: what one wrong answer costs you.",
    )
    optional_number(
        "Cascade miss rate (%)",
        "quality_miss",
        high=100.0,
        step=0.5,
        number_format="%.1f",
        where=miss,
        placeholder="needed for the cascade" if scenario.cascade else "no cascade",
        help="Wrong answers among the requests the cascade does not escalate (the first model's answers it keeps).",
    )
    profile = (
        catalog.profiles.get(scenario.self_hosted.profile) if scenario.self_hosted and scenario.self_hosted.profile else None
    )
    optional_number(
        "Self-hosted model error rate (%)",
        "quality_self",
        high=100.0,
        step=0.5,
        number_format="%.1f",
        where=own,
        placeholder="empty: from the table" if profile else "no self-hosted model",
        help="Empty: the rate given in the table for the same open model served by an API"
        + (f" ({profile.model})." if profile else "."),
    )
