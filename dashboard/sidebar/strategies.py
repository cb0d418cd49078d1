"""Sidebar, Strategies: one collapsed box per strategy of the registry (``calculators.strategies``), drawn when first opened."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

from calculators.links import SHORT_KEYS
from calculators.scenario import (
    Hybrid,
    Route,
    Scenario,
)
from calculators.strategies import REGISTRY
from dashboard import inputs
from dashboard import state as S
from dashboard.assumptions import model_caption
from dashboard.markup import md
from dashboard.sidebar.workload import _month
from dashboard.widgets import _catalog, log_slider, model_options, model_picker, optional_number, percent_slider
from pricing.catalog import Catalog

PEAK_STOPS = tuple(round(1 + 0.1 * i, 1) for i in range(31)) + (5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0)


@dataclasses.dataclass(frozen=True)
class StrategySection:
    """One strategy's box in the sidebar: its label, icon and the short keys of its settings."""

    key: str  # the strategy, as in the scenario
    label: str
    icon: str
    params: tuple[str, ...]

    @property
    def box_key(self) -> str:  # the expander's open state
        return f"box_{self.key}"

    @property
    def shown_key(self) -> str:  # opened once in this session: drawn from then on
        return f"_shown_{self.key}"


def strategy_sections(catalog: Catalog, base: Scenario) -> list[dict] | None:
    """One collapsed box per strategy; returns the hybrid's routes as edited (``None``: the base
    scenario's).

    A session's first page draws none of them: their ~40 widgets are a third of the page's DOM
    and ~0.6 s of the browser's first paint (benchmarks/page_load.py). A box is drawn when it is
    first opened, and from then on (collapsing only hides it, so the routes editor keeps its
    edits). The settings do not live in the widgets (``dashboard.inputs``): an undrawn box keeps
    them, in the scenario and in the link, and a caption says what it compares.
    """
    context: _PickerContext | None = None  # built for the first drawn box: undrawn ones need no options
    routes = None
    st.markdown("**Strategies**")
    for section in STRATEGY_SECTIONS:
        box = st.expander(section.label, icon=section.icon, key=section.box_key, on_change="rerun")
        if box.open:
            st.session_state[section.shown_key] = True
        if not st.session_state.get(section.shown_key):
            st.caption(md(strategy_line(base, section.key)))
            continue
        if context is None:
            context = _PickerContext(_month(inputs.get("start")), base.overrides, model_options(catalog, base))
        with box:
            drawn_routes = _BOXES[section.key][1](catalog, base, context)
        if section.key == "hybrid":
            routes = drawn_routes
    return routes


def strategy_line(scenario: Scenario, key: str) -> str:
    """What a strategy compares, in a line (its registry ``summary``): ``"small → big, 20% escalate"``, or ``"not compared"``."""
    setting = getattr(scenario, key, None)
    return "not compared" if setting is None else REGISTRY[key].summary(setting)


@dataclasses.dataclass(frozen=True)
class _PickerContext:
    """What every model picker needs: the first forecast day, the overrides, the options."""

    day: dt.date
    overrides: dict
    options: list[str]


def _toggle(label: str, strategy: str, help: str | None = None) -> bool:
    """A strategy's on/off switch (the link's ``off``)."""
    on, kw = inputs.view(S.TOGGLE_KEYS[strategy])
    st.toggle(label, value=on, help=help, **kw)
    return on


def _flagship_only(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = _toggle("Compare flagship only", "flagship_only")
    model_picker("Flagship model", "fm", c.options, c.day, c.overrides, disabled=not on)


def _hybrid(catalog: Catalog, base: Scenario, c: _PickerContext) -> list[dict]:
    on = _toggle("Compare hybrid routing", "hybrid")
    return routes_editor(catalog, base, c.options, disabled=not on)


def _cascade(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = _toggle(
        "Compare a cascade",
        "cascade",
        help="Every request goes to the first model; a share escalates to the second and pays both.",
    )
    model_picker("First model", "c1", c.options, c.day, c.overrides, disabled=not on)
    model_picker("Second model", "c2", c.options, c.day, c.overrides, disabled=not on)
    percent_slider("Escalation rate", "esc", help="Share of requests the first model's answer does not satisfy.", disabled=not on)
    draft, kw = inputs.view(S.FORWARD_DRAFT_KEY)
    st.checkbox("Escalated requests carry the first model's draft", value=draft, disabled=not on, **kw)


def _hosted_open(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = _toggle("Compare a hosted open model", "hosted_open")
    model_picker("Open model on an inference provider", "om", c.options, c.day, c.overrides, disabled=not on)


def _self_hosted(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = _toggle("Compare self-hosting", "self_hosted")
    self_hosted(catalog, disabled=not on)


def _self_hosted_mixed(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = _toggle(
        "Compare self-hosted + flagship",
        "self_hosted_mixed",
        help="A share of the requests (those a router would send to a small model) runs on the self-hosted server "
        "set up under Self-hosted; the rest goes to a flagship API.",
    )
    server = bool(inputs.get(S.TOGGLE_KEYS["self_hosted"]))
    self_hosted_mixed(c.options, c.day, c.overrides, disabled=not on, server=server)


# Each strategy of the registry: its box's icon and the function drawing its widgets.
_BOXES = {
    "flagship_only": (":material/star:", _flagship_only),
    "hybrid": (":material/alt_route:", _hybrid),
    "cascade": (":material/stairs:", _cascade),
    "hosted_open": (":material/cloud:", _hosted_open),
    "self_hosted": (":material/dns:", _self_hosted),
    "self_hosted_mixed": (":material/call_split:", _self_hosted_mixed),
}
STRATEGY_SECTIONS = tuple(
    StrategySection(key, strategy.label, _BOXES[key][0], tuple(k for k, (section, _) in SHORT_KEYS.items() if section == key))
    for key, strategy in REGISTRY.items()
)
# The short keys of every strategy setting.
STRATEGY_PARAMS = tuple(p for section in STRATEGY_SECTIONS for p in section.params)


def routes_editor(catalog: Catalog, base: Scenario, options: list[str], *, disabled: bool) -> list[dict]:
    frame = S.routes_frame(base, catalog)
    edited = st.data_editor(
        frame,
        key=inputs.editor_key(S.ROUTES_KEY),
        num_rows="dynamic",
        hide_index=True,
        placeholder="—",
        disabled=disabled,
        width="stretch",
        column_config={
            # pixel widths: the three columns fit the sidebar's 380 px (and a phone's): model, share, reasoning
            "model": st.column_config.SelectboxColumn("Model", options=options, required=True, width=130),
            "share_pct": st.column_config.NumberColumn(
                "Share %", min_value=0.0, max_value=100.0, step=0.5, format="%.1f", required=True, width=58
            ),
            "reasoning_tokens": st.column_config.NumberColumn(
                "Reasoning",
                width=72,
                min_value=0.0,
                max_value=1e7,
                step=50.0,
                format="%.0f",
                help="This route's reasoning tokens per request; empty: the workload's.",
            ),
        },
    )
    total = S.share_total(edited)
    if abs(total - 100.0) > 1e-6:
        st.error(md(f"The shares add up to {total:.4g}%, not 100%: the hybrid is not priced until they do."), icon="⚠️")
        st.button(
            "Scale the shares to 100%",
            key="normalize_routes",
            on_click=_normalize_routes,
            args=(edited,),
            disabled=disabled or total <= 0,
        )
    else:
        st.caption(md(f"{len(edited)} routes · shares add up to 100% ✓"))
    return S.routes_from_frame(edited)


def _normalize_routes(frame: pd.DataFrame) -> None:
    """Rescale the routes to 100%: a new base for the editor, whose edits are then cleared."""
    routes = S.routes_from_frame(S.normalized_routes(frame))
    base: Scenario = st.session_state[S.BASE_KEY]
    hybrid = Hybrid(tuple(Route(r["model"], r["share"], r.get("reasoning_tokens")) for r in routes)) if routes else base.hybrid
    st.session_state[S.BASE_KEY] = dataclasses.replace(base, hybrid=hybrid)
    inputs.reset_editor(S.ROUTES_KEY)


def _same_as(label: str):
    """A model picker's option text: ``""`` is the section's default model."""
    return lambda value: label if value == "" else value


def self_hosted_mixed(options: list[str], day: dt.date, overrides: dict, *, disabled: bool, server: bool) -> None:
    """The mixed strategy's settings (``self_hosted_mixed``: no short keys, they travel in the link's payload)."""
    if not disabled and not server:
        st.caption(md("It runs its share on the self-hosted server: switch on self-hosting above to price it."))
    percent_slider(
        "Self-hosted share",
        "mixed_share",
        help="Share of the requests sent to the self-hosted model; the rest goes to the flagship API.",
        disabled=disabled,
    )
    flagship = inputs.get("fm") or S.default_values()["fm"]
    chosen = _model_or_same(
        "Flagship API for the rest", "mixed_flagship", options, f"same as flagship only ({flagship})", disabled
    )
    st.caption(md(model_caption(_catalog(), chosen or flagship, day, overrides)))
    overflow, kw = inputs.view("mixed_overflow")
    st.toggle(
        "Overflow to an API",
        value=overflow,
        help="Above the fleet's capacity, send the extra requests to an API instead of starting one more replica, "
        "whenever that is cheaper.",
        disabled=disabled,
        **kw,
    )
    over = _model_or_same("Overflow model", "mixed_overflow_model", options, "same as its flagship API", disabled or not overflow)
    if over:
        st.caption(md(model_caption(_catalog(), over, day, overrides)))


def _model_or_same(label: str, setting: str, options: list[str], same: str, disabled: bool) -> str:
    """A model picker whose first option, ``""``, means the section's default model (``same``)."""
    chosen, kw = inputs.view(setting)
    choices = ["", *options]
    st.selectbox(
        label,
        choices,
        index=choices.index(chosen) if chosen in choices else 0,
        format_func=_same_as(same),
        disabled=disabled,
        **kw,
    )
    return chosen


def self_hosted(catalog: Catalog, *, disabled: bool) -> None:
    profiles = list(catalog.profiles)
    profile_id, kw = inputs.view("prof")
    if isinstance(profile_id, str) and profile_id not in profiles:
        profiles.append(profile_id)  # kept (the engine reports it) rather than silently replaced
    st.selectbox(
        "Serving profile", profiles, index=profiles.index(profile_id) if profile_id in profiles else 0, disabled=disabled, **kw
    )
    profile = catalog.profiles.get(profile_id)
    offer = catalog.offers.get(profile.default_offer) if profile else None
    if profile is not None:
        st.caption(md(f"{profile.name} · {profile.gpus_per_replica}× {profile.gpu} per replica · {profile.latency_target}"))
    optional_number(
        "GPU price (USD per GPU-hour)",
        "gpuh",
        high=1000.0,
        step=0.1,
        number_format="%.2f",
        placeholder=f"{offer.usd_per_gpu_hour:.2f} ({offer.provider} list price)" if offer else "required",
        help="Empty: the profile's default GPU offer from pricing/gpus.yaml.",
        disabled=disabled,
    )
    percent_slider(
        "Utilization", "util", low=0.01, help="Share of a replica's peak throughput you plan to use.", disabled=disabled
    )
    log_slider(
        "Peak-to-average traffic",
        "peak",
        stops=PEAK_STOPS,
        step=0.1,
        min_value=1.0,
        max_value=100.0,
        number_format="%.2f",
        slider_format=lambda v: f"{v:g}×",
        help="The fleet is sized for the busiest hour: peak requests per second ÷ average.",
        disabled=disabled,
    )
    _fleet_floor_and_ops(disabled)


def _fleet_floor_and_ops(disabled: bool) -> None:
    """Minimum replicas and the monthly operations cost, side by side."""
    left, right = st.columns(2)
    replicas, kw = inputs.view("minr")
    with left:
        st.number_input(
            "Minimum replicas",
            min_value=0,
            max_value=10_000,
            value=int(replicas),
            step=1,
            **kw,
            help="2 or more for high availability.",
            disabled=disabled,
        )
    ops, kw = inputs.view("ops")
    with right:
        st.number_input(
            "Ops (USD / month)",
            min_value=0.0,
            max_value=1e9,
            value=float(ops),
            step=500.0,
            format="%.0f",
            **kw,
            help="Engineering time, monitoring, on-call.",
            disabled=disabled,
        )
