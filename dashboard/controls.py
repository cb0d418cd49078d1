"""The inputs: every scenario setting as a widget, bound to the URL by its share-link short key.

Each scalar setting has one *primary* widget whose key is its ``links.SHORT_KEYS`` key, bound
with ``bind="query-params"`` and defaulting to the link default (so a default stays out of the
URL). A slider or number input beside it is a *companion*: derived from the primary before it is
drawn, and writing back to the primary in its ``on_change`` callback. So the two never disagree
and only the primary's value reaches the URL and the scenario.

Loading a whole scenario (a preset, an uploaded file, a link on first load) goes through
``state.load_into_state`` from a callback or before any widget is drawn: bound widgets are set
through ``st.session_state``, never through ``st.query_params``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import lru_cache
from pathlib import Path

import pandas as pd
import streamlit as st

from calculators.formatting import compact, money, percent, tokens
from calculators.links import SHORT_KEYS, share_url
from calculators.portfolio_scenario import Portfolio, load_document_text
from calculators.scenario import (
    DEFAULT_DRAWS,
    MAX_COST_PER_ERROR_USD,
    MAX_DRAWS,
    MAX_SEED,
    MIN_DRAWS,
    STRATEGY_LABELS,
    UNCERTAIN_INPUTS,
    Hybrid,
    Quality,
    Route,
    Scenario,
    ScenarioError,
    load_scenario_text,
    next_month,
    scenario_to_yaml,
)
from calculators.selfhost import HOURS_PER_MONTH
from calculators.uncertainty import INPUT_LABELS, INPUT_UNITS, default_range, point_values
from dashboard import cache, portfolio_state
from dashboard import state as S
from dashboard.assumptions import model_caption
from dashboard.charts import slug
from dashboard.markup import md
from dashboard.scales import log_stops, month_options, nearest_stop
from pricing.catalog import Catalog

VOLUME_STOPS = log_stops(3, 15)  # tokens a month: a thousand (a hobby) to a quadrillion (the parser's cap)
SIZE_STOPS = log_stops(1, 7, zero=True)  # tokens a request: 0, 10 … 10M (the largest context windows)
PEAK_STOPS = tuple(round(1 + 0.1 * i, 1) for i in range(31)) + (5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0)
DAYS_PER_MONTH = HOURS_PER_MONTH / 24  # the engine's month: 730 hours
MAX_SCENARIO_MB = 1  # a scenario file is a few hundred bytes; anything large is not one
LOAD_ERROR_KEY = "_load_error"
LOADED_KEY = "_loaded_from"


def _default(key: str):
    return S.default_values()[key]


# ------------------------------------------------------------------------------ callbacks


def _copy(source: str, target: str, factor: float = 1.0) -> None:
    """A companion changed: write its value (times ``factor``) to the primary."""
    value = st.session_state[source]
    if value is not None:
        st.session_state[target] = round(value * factor, 10)


def _volume_from_tokens(source: str, tokens_per_request: float) -> None:
    value = st.session_state[source]
    if value is not None and tokens_per_request > 0:
        st.session_state["rpm"] = round(value / tokens_per_request, 6)


def load_scenario(scenario: Scenario, origin: str) -> None:
    portfolio_state.leave(st.session_state)  # a version-1 scenario is a one-workload page
    S.load_into_state(st.session_state, scenario, _catalog())
    st.session_state[LOADED_KEY] = origin
    st.session_state.pop(LOAD_ERROR_KEY, None)


def _load_preset(path: str) -> None:
    try:
        scenario = load_scenario_text(Path(path).read_text(encoding="utf-8"), source=Path(path).name)
    except (OSError, UnicodeDecodeError, ScenarioError) as exc:
        st.session_state[LOAD_ERROR_KEY] = (Path(path).name, _problems(exc), "preset")
        return
    load_scenario(scenario, f"preset “{scenario.name}”")


def _load_upload() -> None:
    upload = st.session_state.get("scenario_file")
    if upload is None:
        return
    try:
        scenario = load_document_text(upload.getvalue().decode("utf-8"), source=upload.name)
    except UnicodeDecodeError:
        st.session_state[LOAD_ERROR_KEY] = (upload.name, ["(document): not a text file (expected UTF-8 YAML or JSON)"], "file")
        return
    except ScenarioError as exc:
        st.session_state[LOAD_ERROR_KEY] = (upload.name, exc.problems, "file")
        return
    if isinstance(scenario, Portfolio):  # version 2: the workload picker takes it
        from dashboard.workload_picker import load_document

        st.session_state.pop(LOAD_ERROR_KEY, None)
        st.session_state[LOADED_KEY] = f"file {upload.name}"
        load_document(scenario, f"file {upload.name}")
        return
    load_scenario(scenario, f"file {upload.name}")


def _problems(exc: Exception) -> list[str]:
    return list(getattr(exc, "problems", None) or [str(exc)])


def _normalize_routes(frame: pd.DataFrame) -> None:
    """Rescale the routes to 100%: a new base for the editor, whose edits are then cleared."""
    routes = S.routes_from_frame(S.normalized_routes(frame))
    base: Scenario = st.session_state[S.BASE_KEY]
    hybrid = Hybrid(tuple(Route(r["model"], r["share"], r.get("reasoning_tokens")) for r in routes)) if routes else base.hybrid
    st.session_state[S.BASE_KEY] = dataclasses.replace(base, hybrid=hybrid)
    st.session_state.pop(S.ROUTES_KEY, None)


def _reset_prices() -> None:
    base: Scenario = st.session_state[S.BASE_KEY]
    st.session_state[S.BASE_KEY] = dataclasses.replace(base, price_overrides=())
    st.session_state.pop(S.PRICES_KEY, None)


def _catalog() -> Catalog:
    return cache.catalog()


# ------------------------------------------------------------------------ widget helpers


def sized(
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


def share(
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


def _model_options(catalog: Catalog, base: Scenario) -> list[str]:
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


# ------------------------------------------------------------------------------- sections


def presets(folder: Path) -> None:
    files = sorted(folder.glob("*.y*ml"))
    if not files:
        st.caption("No presets in scenarios/.")
        return
    for path in files:
        name, note = _preset_label(str(path), path.stat().st_mtime)
        st.button(name, key=f"preset_{path.stem}", help=note or None, on_click=_load_preset, args=(str(path),), width="stretch")


@lru_cache(maxsize=64)
def _preset_label(path: str, mtime: float) -> tuple[str, str]:
    """A preset's name and its opening comment (the file's own explanation); keyed on mtime."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    comment = " ".join(line.lstrip("# ").strip() for line in text.splitlines()[:6] if line.startswith("#"))
    try:
        return load_scenario_text(text).name, comment
    except ScenarioError:
        return f"{Path(path).stem} (invalid file)", comment


def load_messages(where: str) -> None:
    """Why the last preset or file (``where``) did not load, or what was loaded."""
    if LOAD_ERROR_KEY in st.session_state:
        name, problems, origin = st.session_state[LOAD_ERROR_KEY]
        if origin == where:
            st.error(
                md(f"{name} was not loaded; your settings are unchanged. Fix:")
                + "\n"
                + "\n".join(f"- {md(p)}" for p in problems),
                icon=":material/error:",
            )
    elif LOADED_KEY in st.session_state and where == "preset":
        st.caption(md(f"Loaded {st.session_state[LOADED_KEY]}."))


def workload(catalog: Catalog) -> None:
    volume_box = st.container()  # drawn first, filled last: it needs this run's request sizes
    st.markdown("**Tokens per request** (averages)")
    help_in = "Prompt, history and retrieved context sent with each request."
    in_tokens = sized("Input", "in", stops=SIZE_STOPS, step=50.0, max_value=1e7, help=help_in)
    out_tokens = sized("Output", "out", stops=SIZE_STOPS, step=50.0, max_value=1e7, help="Visible answer tokens.")
    help_rsn = "Hidden thinking tokens, billed at the output price."
    reasoning = sized("Reasoning", "rsn", stops=SIZE_STOPS, step=50.0, max_value=1e7, help=help_rsn)
    st.markdown("**Caching and batching**")
    share("Cached input share", "cache", help="Share of input tokens read from the prompt cache (billed at the cached price).")
    share("Cache write share", "cw", help="Share of input tokens written to the prompt cache (billed at the cache-write price).")
    share("Batch share", "batch", help="Share of requests sent through a batch API (the model's batch discount applies).")
    per_request = in_tokens + out_tokens + reasoning
    with volume_box:
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


@dataclasses.dataclass(frozen=True)
class StrategySection:
    """One strategy's box in the sidebar: its label, icon and the short keys of its bound widgets."""

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


STRATEGY_SECTIONS = tuple(
    StrategySection(key, STRATEGY_LABELS[key], icon, tuple(k for k, (section, _) in SHORT_KEYS.items() if section == key))
    for key, icon in (
        ("flagship_only", ":material/star:"),
        ("hybrid", ":material/alt_route:"),
        ("cascade", ":material/stairs:"),
        ("hosted_open", ":material/cloud:"),
        ("self_hosted", ":material/dns:"),
        ("self_hosted_mixed", ":material/call_split:"),
    )
)
# The short keys of every strategy widget: sync_link writes those of the sections not drawn.
STRATEGY_PARAMS = tuple(p for section in STRATEGY_SECTIONS for p in section.params)


def strategy_sections(catalog: Catalog, base: Scenario) -> tuple[list[dict] | None, tuple[str, ...]]:
    """One collapsed box per strategy; returns the hybrid's routes as edited (``None``: the base
    scenario's) and the short keys of the boxes not drawn.

    A session's first page draws none of them: their ~40 widgets are a third of the page's DOM
    and ~0.6 s of the browser's first paint (benchmarks/page_load.py). A box is drawn when it
    is first opened, and from then on (collapsing only hides it): a bound widget that stopped
    being drawn would take its parameter out of the address bar. Until then its settings are
    the base scenario's (nothing else can change them), a caption says what they are, and
    ``sync_link`` keeps their URL parameters.
    """
    context: _PickerContext | None = None  # built for the first drawn box: undrawn ones need no options
    routes, undrawn = None, []
    st.markdown("**Strategies**")
    for section in STRATEGY_SECTIONS:
        box = st.expander(section.label, icon=section.icon, key=section.box_key, on_change="rerun")
        if box.open:
            st.session_state[section.shown_key] = True
        if not st.session_state.get(section.shown_key):
            st.caption(md(strategy_line(base, section.key)))
            undrawn.extend(section.params)
            continue
        if context is None:
            context = _PickerContext(_month(st.session_state.get("start")), base.overrides, _model_options(catalog, base))
        with box:
            drawn_routes = _DRAW[section.key](catalog, base, context)
        if section.key == "hybrid":
            routes = drawn_routes
    return routes, tuple(undrawn)


def strategy_line(scenario: Scenario, key: str) -> str:
    """What a strategy compares, in a line: ``"small → big, 20% escalate"``, or ``"not compared"``."""
    setting = getattr(scenario, key, None)
    if setting is None:
        return "not compared"
    if key in ("flagship_only", "hosted_open"):
        return setting.model
    if key == "hybrid":
        return " + ".join(f"{_pct(r.share)} {r.model}" for r in setting.routes)
    if key == "cascade":
        return f"{setting.first.model} → {setting.second.model}, {_pct(setting.escalation_rate)} escalate"
    if key == "self_hosted":
        server = setting.profile or f"{setting.gpus_per_replica or '?'} GPUs a replica"
        return f"{server}, {_pct(setting.utilization)} utilization"
    if key == "self_hosted_mixed":
        return f"{_pct(setting.small_share)} on the self-hosted server"
    return "on"


def _pct(share: float) -> str:
    """``0.75 → '75%'``, ``0.125 → '12.5%'``: a share as typed, without trailing zeros."""
    return f"{share * 100:.3g}%"


@dataclasses.dataclass(frozen=True)
class _PickerContext:
    """What every model picker needs: the first forecast day, the overrides, the options."""

    day: dt.date
    overrides: dict
    options: list[str]


def _flagship_only(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = st.toggle("Compare flagship only", key=S.TOGGLE_KEYS["flagship_only"])
    model_picker("Flagship model", "fm", c.options, c.day, c.overrides, disabled=not on)


def _hybrid(catalog: Catalog, base: Scenario, c: _PickerContext) -> list[dict]:
    on = st.toggle("Compare hybrid routing", key=S.TOGGLE_KEYS["hybrid"])
    return routes_editor(catalog, base, c.options, disabled=not on)


def _cascade(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = st.toggle(
        "Compare a cascade",
        key=S.TOGGLE_KEYS["cascade"],
        help="Every request goes to the first model; a share escalates to the second and pays both.",
    )
    model_picker("First model", "c1", c.options, c.day, c.overrides, disabled=not on)
    model_picker("Second model", "c2", c.options, c.day, c.overrides, disabled=not on)
    share("Escalation rate", "esc", help="Share of requests the first model's answer does not satisfy.", disabled=not on)
    st.checkbox("Escalated requests carry the first model's draft", key=S.FORWARD_DRAFT_KEY, disabled=not on)


def _hosted_open(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = st.toggle("Compare a hosted open model", key=S.TOGGLE_KEYS["hosted_open"])
    model_picker("Open model on an inference provider", "om", c.options, c.day, c.overrides, disabled=not on)


def _self_hosted(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = st.toggle("Compare self-hosting", key=S.TOGGLE_KEYS["self_hosted"])
    self_hosted(catalog, disabled=not on)


def _self_hosted_mixed(catalog: Catalog, base: Scenario, c: _PickerContext) -> None:
    on = st.toggle(
        "Compare self-hosted + flagship",
        key=S.TOGGLE_KEYS["self_hosted_mixed"],
        help="A share of the requests (those a router would send to a small model) runs on the self-hosted server "
        "set up under Self-hosted; the rest goes to a flagship API.",
    )
    server = bool(st.session_state.get(S.TOGGLE_KEYS["self_hosted"]))
    self_hosted_mixed(c.options, c.day, c.overrides, disabled=not on, server=server)


_DRAW = {
    "flagship_only": _flagship_only,
    "hybrid": _hybrid,
    "cascade": _cascade,
    "hosted_open": _hosted_open,
    "self_hosted": _self_hosted,
    "self_hosted_mixed": _self_hosted_mixed,
}


def routes_editor(catalog: Catalog, base: Scenario, options: list[str], *, disabled: bool) -> list[dict]:
    frame = S.routes_frame(base, catalog)
    edited = st.data_editor(
        frame,
        key=S.ROUTES_KEY,
        num_rows="dynamic",
        hide_index=True,
        placeholder="—",
        disabled=disabled,
        width="stretch",
        column_config={
            # pixel widths: the model and its share must both fit the sidebar; reasoning may scroll
            "model": st.column_config.SelectboxColumn("Model", options=options, required=True, width=150),
            "share_pct": st.column_config.NumberColumn(
                "Share %", min_value=0.0, max_value=100.0, step=0.5, format="%.1f", required=True, width=62
            ),
            "reasoning_tokens": st.column_config.NumberColumn(
                "Reasoning",
                width=80,
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


def _same_as(label: str):
    """A model picker's option text: ``""`` is the section's default model."""
    return lambda value: label if value == "" else value


def self_hosted_mixed(options: list[str], day: dt.date, overrides: dict, *, disabled: bool, server: bool) -> None:
    """The mixed strategy's settings (``self_hosted_mixed``: no short keys, they travel in the link's payload)."""
    if not disabled and not server:
        st.caption(md("It runs its share on the self-hosted server: switch on self-hosting above to price it."))
    share(
        "Self-hosted share",
        "mixed_share",
        bind=False,
        help="Share of the requests sent to the self-hosted model; the rest goes to the flagship API.",
        disabled=disabled,
    )
    flagship = st.session_state.get("fm") or _default("fm")
    chosen = st.selectbox(
        "Flagship API for the rest",
        ["", *options],
        format_func=_same_as(f"same as flagship only ({flagship})"),
        key="mixed_flagship",
        disabled=disabled,
    )
    st.caption(md(model_caption(_catalog(), chosen or flagship, day, overrides)))
    overflow = st.toggle(
        "Overflow to an API",
        key="mixed_overflow",
        help="Above the fleet's capacity, send the extra requests to an API instead of starting one more replica, "
        "whenever that is cheaper.",
        disabled=disabled,
    )
    over = st.selectbox(
        "Overflow model",
        ["", *options],
        format_func=_same_as("same as its flagship API"),
        key="mixed_overflow_model",
        disabled=disabled or not overflow,
    )
    if over:
        st.caption(md(model_caption(_catalog(), over, day, overrides)))


def self_hosted(catalog: Catalog, *, disabled: bool) -> None:
    profiles = list(catalog.profiles)
    current = st.session_state.get("prof")
    if isinstance(current, str) and current not in profiles:
        profiles.append(current)  # kept (the engine reports it) rather than silently replaced
    default = _default("prof")
    profile_id = st.selectbox(
        "Serving profile",
        profiles,
        index=profiles.index(default) if default in profiles else 0,
        key="prof",
        bind="query-params",
        disabled=disabled,
    )
    profile = catalog.profiles.get(profile_id)
    offer = catalog.offers.get(profile.default_offer) if profile else None
    if profile is not None:
        st.caption(md(f"{profile.name} · {profile.gpus_per_replica}× {profile.gpu} per replica · {profile.latency_target}"))
    st.number_input(
        "GPU price (USD per GPU-hour)",
        min_value=0.0,
        max_value=1000.0,
        value=None,
        step=0.1,
        format="%.2f",
        key="gpuh",
        bind="query-params",
        placeholder=f"{offer.usd_per_gpu_hour:.2f} ({offer.provider} list price)" if offer else "required",
        help="Empty: the profile's default GPU offer from pricing/gpus.yaml.",
        disabled=disabled,
    )
    share("Utilization", "util", low=0.01, help="Share of a replica's peak throughput you plan to use.", disabled=disabled)
    sized(
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
    left, right = st.columns(2)
    with left:
        st.number_input(
            "Minimum replicas",
            min_value=0,
            max_value=10_000,
            value=_default("minr"),
            step=1,
            key="minr",
            bind="query-params",
            help="2 or more for high availability.",
            disabled=disabled,
        )
    with right:
        st.number_input(
            "Ops (USD / month)",
            min_value=0.0,
            max_value=1e9,
            value=_default("ops"),
            step=500.0,
            format="%.0f",
            key="ops",
            bind="query-params",
            help="Engineering time, monitoring, on-call.",
            disabled=disabled,
        )


def growth() -> None:
    share("Monthly growth", "g", low=-0.99, high=1.0, step=0.005, help="Compound growth of the request volume each month.")
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
            key=S.PRICES_KEY,
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
        overrides = S.fold_price_edits(current, frame, st.session_state.get(S.PRICES_KEY), catalog)
        reset_prices_button(len(overrides))
    return overrides


def _fields(override) -> dict[str, float]:
    return {f: v for f in S.PRICE_FIELDS if (v := getattr(override, f)) is not None}


def _fold_price_edits() -> None:
    """The table was edited: make its overrides the base's and restart the editor from them."""
    base: Scenario = st.session_state[S.BASE_KEY]
    day = month_of(st.session_state.get("start"))
    catalog = cache.catalog()
    shown = cache.price_frame(catalog, day, base.price_overrides)
    current = {name: _fields(o) for name, o in base.price_overrides}
    overrides = S.fold_price_edits(current, shown, st.session_state.get(S.PRICES_KEY), catalog)
    st.session_state[S.BASE_KEY] = dataclasses.replace(base, price_overrides=S.overrides_tuple(overrides))
    del st.session_state[S.PRICES_KEY]


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


def all_keys() -> tuple[str, ...]:
    """Every widget key whose value makes up the scenario (the scalar short keys, toggles, draft flag,
    and the settings without a short key: the mixed strategy, the uncertainty ranges, the quality settings)."""
    return (*SHORT_KEYS, *S.TOGGLE_KEYS.values(), S.FORWARD_DRAFT_KEY, *S.PAYLOAD_KEYS, S.QUALITY_TOGGLE)


def month_of(text: str | None) -> dt.date:
    """The first day of a ``YYYY-MM`` widget value (next month if it is missing or malformed)."""
    return _month(text)


def sync_link(scenario: Scenario, catalog: Catalog, undrawn: tuple[str, ...] = ()) -> None:
    """Write the parameters no widget is bound to (``x``: routes, overrides…; ``off``; ``start``)
    to the URL, and the ``undrawn`` strategy boxes' short keys (see ``strategy_sections``).

    Only when they changed: each write is a message to the browser. A bound key is never
    written here (Streamlit forbids it; its widget keeps it in sync itself).
    """
    params = cache.share_params(scenario, catalog)
    for key in ("x", "off", "start", *undrawn):
        want = params.get(key)
        if st.query_params.get(key) != want:
            if want is None:
                del st.query_params[key]
            else:
                st.query_params[key] = want


def share_and_save(scenario: Scenario, catalog: Catalog, portfolio_box=None) -> None:
    """The link, the download and the upload; ``portfolio_box`` draws a portfolio's link and download instead."""
    if portfolio_box:
        portfolio_box()
    else:
        _link_and_download(scenario, catalog)
    _upload()


def _link_and_download(scenario: Scenario, catalog: Catalog) -> None:
    url = share_url(st.context.url, cache.share_params(scenario, catalog))
    st.markdown("**Share link** (the whole scenario; copy with the button on the right)")
    st.code(url, language=None, wrap_lines=True)
    st.download_button(
        "Download scenario (YAML)",
        data=lambda: scenario_to_yaml(scenario),
        file_name=f"{slug(scenario.name)}.yaml",
        mime="application/x-yaml",
        on_click="ignore",
        icon=":material/download:",
        key="download_yaml",
        width="stretch",
    )


def _upload() -> None:
    st.file_uploader(
        "Load a scenario file (YAML or JSON)",
        type=["yaml", "yml", "json"],
        key="scenario_file",
        on_change=_load_upload,
        max_upload_size=MAX_SCENARIO_MB,
        help="A file saved with the button above, or one of scenarios/*.yaml. A bad file changes nothing.",
    )
    load_messages("file")


def _dismiss(key: str) -> None:
    st.session_state[key] = []


def notices(link_key: str, problems: list[str]) -> None:
    """What was wrong with the link that opened the page, and settings that could not be applied."""
    link_notices = st.session_state.get(link_key) or []
    if link_notices:
        st.warning(
            "The link that opened this page had problems; its valid parts were kept.\n"
            + "\n".join(f"- {md(n)}" for n in link_notices),
            icon=":material/link_off:",
        )
        st.button("Dismiss", key="dismiss_link_notices", on_click=_dismiss, args=(link_key,))
    if problems:
        st.error(
            "These settings were not applied (each keeps its default until fixed):\n" + "\n".join(f"- {md(p)}" for p in problems),
            icon=":material/error:",
        )


# -------------------------------------------------------------------- uncertainty ranges

# Per unit of an uncertain input: the factor to the number shown, its step, format, unit text and icon.
_RANGE_UNITS = {
    "share": (100.0, 0.5, "%.1f", "%", ":material/percent:"),
    "tokens": (1.0, 50.0, "%.0f", "tokens", None),
    "usd": (1.0, 0.1, "%.2f", "$/GPU-hour", ":material/attach_money:"),
}
RANGE_PERSIST = "session"  # the inputs live in a lazy tab: their values must outlive its closing


def _shown(key: str, value: float) -> float:
    return round(value * _RANGE_UNITS[INPUT_UNITS[key]][0], 8)


def _complete_range(key: str, end: str, other_default: float) -> None:
    """One end of a range was typed while the other is empty: the other takes its default (what its
    placeholder showed), moved if need be so that low <= high. Clearing both ends restores the default."""
    this, other = S.range_key(key, end), S.range_key(key, "high" if end == "low" else "low")
    value = st.session_state.get(this)
    if value is None or st.session_state.get(other) is not None:
        return
    st.session_state[other] = max(other_default, value) if end == "low" else min(other_default, value)


def _reset_ranges() -> None:
    for key in UNCERTAIN_INPUTS:
        for end in S.RANGE_ENDS:
            st.session_state[S.range_key(key, end)] = None


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
    for key, point in points.items():
        factor, step, number_format, unit, icon = _RANGE_UNITS[INPUT_UNITS[key]]
        lowest, highest = (round(v * factor, 8) for v in UNCERTAIN_INPUTS[key])
        defaults = [_shown(key, v) for v in default_range(key, point, scenario)]
        label_col, *end_cols = st.columns([5, 3, 3], vertical_alignment="center")
        label_col.markdown(md(f"{INPUT_LABELS[key]} · now {_point_text(key, point)}"))
        typed = []
        for col, end, default, other in zip(end_cols, S.RANGE_ENDS, defaults, defaults[::-1], strict=True):
            typed.append(
                col.number_input(
                    f"{INPUT_LABELS[key]}, {end} ({unit})",
                    min_value=lowest,
                    max_value=highest,
                    value=None,
                    step=step,
                    format=number_format,
                    key=S.range_key(key, end),
                    placeholder=number_format % default,
                    on_change=_complete_range,
                    args=(key, end, other),
                    label_visibility="collapsed",
                    icon=icon,
                    persist_state=RANGE_PERSIST,
                )
            )
        low, high = typed
        if (low is None) != (high is None):
            problems.append(f"{INPUT_LABELS[key]}: give both ends (or neither, for the default range)")
        elif low is not None and low > high:
            problems.append(f"{INPUT_LABELS[key]}: the low end ({low:g}) is above the high end ({high:g})")
    if problems:
        st.error(
            "These ranges are not used (the default range is, until they are fixed):\n"
            + "\n".join(f"- {md(p)}" for p in problems),
            icon=":material/error:",
        )
    left, right, button = st.columns([3, 3, 3], vertical_alignment="bottom")
    left.number_input(
        "Draws",
        min_value=MIN_DRAWS,
        max_value=MAX_DRAWS,
        value=DEFAULT_DRAWS,
        step=500,
        key="unc_draws",
        persist_state=RANGE_PERSIST,
        help="Monte Carlo draws: more draws, smoother percentiles (10,000 take a fraction of a second).",
    )
    right.number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        value=1,
        step=1,
        key="unc_seed",
        persist_state=RANGE_PERSIST,
        help="The same seed and ranges give the same band: the share link reproduces it.",
    )
    button.button("Reset the ranges to the defaults", key="reset_ranges", on_click=_reset_ranges, width="stretch")


def _point_text(key: str, value: float) -> str:
    unit = INPUT_UNITS[key]
    if unit == "share":
        return percent(value, 1)
    if unit == "usd":
        return money(value)
    return f"{value:,.0f}"


# ---------------------------------------------------------------------- quality settings


def _fold_rate_edits(shown) -> None:
    """The error-rate table was edited: make its rates the base's and restart the editor from them."""
    base: Scenario = st.session_state[S.BASE_KEY]
    edited = S.apply_edits(shown, st.session_state.get(S.RATES_KEY))
    quality = base.quality or Quality()
    rates = S.rates_from_frame(edited)
    st.session_state[S.BASE_KEY] = dataclasses.replace(base, quality=dataclasses.replace(quality, error_rates=rates))
    del st.session_state[S.RATES_KEY]


def quality_inputs(scenario: Scenario, catalog: Catalog) -> None:
    """What a wrong answer costs, each model's error rate, the cascade's miss rate, the self-hosted model's rate."""
    base: Scenario = st.session_state[S.BASE_KEY]
    cost, miss, own = st.columns(3)
    cost.number_input(
        "Cost of a wrong answer (USD)",
        min_value=0.0,
        max_value=MAX_COST_PER_ERROR_USD,
        value=0.0,
        step=1.0,
        format="%.2f",
        key="quality_cost",
        persist_state=RANGE_PERSIST,
        help="A support ticket, a refund, a human review: what one wrong answer costs you.",
    )
    miss.number_input(
        "Cascade miss rate (%)",
        min_value=0.0,
        max_value=100.0,
        value=None,
        step=0.5,
        format="%.1f",
        key="quality_miss",
        persist_state=RANGE_PERSIST,
        placeholder="needed for the cascade" if scenario.cascade else "no cascade",
        help="Wrong answers among the requests the cascade does not escalate (the first model's answers it keeps).",
    )
    profile = (
        catalog.profiles.get(scenario.self_hosted.profile) if scenario.self_hosted and scenario.self_hosted.profile else None
    )
    own.number_input(
        "Self-hosted model error rate (%)",
        min_value=0.0,
        max_value=100.0,
        value=None,
        step=0.5,
        format="%.1f",
        key="quality_self",
        persist_state=RANGE_PERSIST,
        placeholder="empty: from the table" if profile else "no self-hosted model",
        help="Empty: the rate given in the table for the same open model served by an API"
        + (f" ({profile.model})." if profile else "."),
    )
    frame = S.rates_frame(scenario, dict(base.quality.error_rates) if base.quality else {}, catalog)
    if (st.session_state.get(S.RATES_KEY) or {}).get("edited_rows"):
        # edits that no callback folded (a state seeded before the run, as a test does): fold them, redraw
        _fold_rate_edits(frame)
        st.rerun()
    st.data_editor(
        frame,
        key=S.RATES_KEY,
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
