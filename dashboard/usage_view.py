"""The "Your usage" tab: import a provider's usage export, see what it cost, start the forecast from it.

The import (``calculators.usage``) runs once, in the uploader's callback, and is kept in session
state: the tab is lazy, so its widgets unmount when another tab opens, and the parsed export
must survive that. The mapping of unknown models persists the same way (``persist_state``).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from calculators.engine import Evaluation
from calculators.export import safe_frame
from calculators.formatting import money, percent, tokens
from calculators.scenario import Scenario, parse_scenario, scenario_to_dict
from calculators.usage import (
    DIFFERENCE_THRESHOLD_PCT,
    FORMATS,
    MAX_UPLOAD_MB,
    UsageImport,
    UsageImportError,
    import_usage,
    list_price_history,
    workload_from_usage,
)
from dashboard import cache, charts, controls
from dashboard import state as S
from dashboard.markup import md

LIST_PRICE_FORMULA = (
    "For each month and model, with `I` input tokens (cache reads and writes included), `C` cache reads and `O` "
    "output tokens (reasoning included): `list = (I − C)·p_in + C·p_cached + O·p_out` per 1M tokens, with the prices "
    "in force on the export's days of that month (a mid-month change is weighted by days) and this scenario's full "
    "price overrides. Cache writes are priced as input and long-context tiers cannot apply to monthly totals, so an "
    "Anthropic bill with heavy cache writes sits a little above its list price. Difference: `(export − list) / list`."
)
UPLOAD_KEY = "usage_file"
USAGE_KEY = "_usage"
USAGE_ERROR_KEY = "_usage_error"


# ------------------------------------------------------------------------------ pure parts


def map_key(raw_model: str) -> str:
    """A stable widget key for the mapping of one raw model string (which may hold any character)."""
    return "usage_map_" + hashlib.sha1(raw_model.encode("utf-8")).hexdigest()[:12]


def start_scenario(scenario: Scenario, usage_doc: Mapping[str, Any]) -> tuple[Scenario, list[str]]:
    """``scenario`` with the workload, hybrid routes and growth that ``workload_from_usage`` found.

    What the export does not give (no request count, no second full month) keeps the scenario's
    value; routes replace the hybrid's only when the export named catalog models.
    """
    doc = scenario_to_dict(scenario)
    doc.setdefault("workload", {}).update(copy.deepcopy(dict(usage_doc.get("workload") or {})))
    routes = (usage_doc.get("hybrid") or {}).get("routes") or []
    if routes:
        doc["hybrid"] = {"routes": copy.deepcopy(routes)}
    if usage_doc.get("growth"):
        doc.setdefault("growth", {}).update(usage_doc["growth"])
    return parse_scenario(doc, strict=False, base=S.link_default_scenario())


def price_overrides_for_history(scenario: Scenario, catalog) -> dict[str, dict[str, float]]:
    """The scenario's overrides that set a full price (input and output), keyed by catalog id."""
    out = {}
    for name, o in scenario.price_overrides:
        if o.input is not None and o.output is not None:
            values = {"input": o.input, "output": o.output, "cached_input": o.cached_input, "cache_write": o.cache_write}
            out[catalog.resolve(name) or name] = values
    return out


def monthly_totals(history: pd.DataFrame) -> pd.DataFrame:
    """Per month: list-price cost, the export's cost, and their difference in percent."""
    frame = history.groupby("month", sort=True)[["list_cost_usd", "export_cost_usd"]].sum(min_count=1).reset_index()
    listed, billed = frame["list_cost_usd"], frame["export_cost_usd"]
    frame["difference_pct"] = ((billed - listed) / listed * 100).where(listed > 0)
    return frame


# ----------------------------------------------------------------------------- callbacks


def _import() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    st.session_state.pop(USAGE_ERROR_KEY, None)
    if upload is None:  # the file was removed from the uploader
        st.session_state.pop(USAGE_KEY, None)
        return
    try:
        st.session_state[USAGE_KEY] = import_usage(upload.getvalue(), filename=upload.name, catalog=cache.catalog())
    except UsageImportError as exc:
        st.session_state.pop(USAGE_KEY, None)
        st.session_state[USAGE_ERROR_KEY] = str(exc)


def _start_from(scenario: Scenario) -> None:
    controls.load_scenario(scenario, "your usage export")


# -------------------------------------------------------------------------------- the tab


def render_usage_tab(scenario: Scenario, catalog, ev: Evaluation) -> None:
    st.file_uploader(
        "Usage or cost export (CSV)",
        type=["csv", "tsv", "txt", "gz"],
        key=UPLOAD_KEY,
        on_change=_import,
        max_upload_size=MAX_UPLOAD_MB,
        help=f"Up to {MAX_UPLOAD_MB} MB. Formats: " + "; ".join(FORMATS.values()),
    )
    if USAGE_ERROR_KEY in st.session_state:
        st.error(md(st.session_state[USAGE_ERROR_KEY]), icon=":material/error:")
    usage: UsageImport | None = st.session_state.get(USAGE_KEY)
    if usage is None:
        st.caption(md("Read from your provider's console export: " + ", ".join(FORMATS.values()) + "."))
        return
    _summary(usage)
    model_map = _model_mapping(usage)
    history = list_price_history(usage, catalog, model_map, price_overrides_for_history(scenario, catalog))
    st.plotly_chart(
        charts.usage_history_figure(history, usage.filename),
        width="stretch",
        theme="streamlit",
        key="chart_usage",
        config=charts.png_config("usage-history"),
    )
    _list_vs_export(history)
    box = st.expander(
        "Assumptions: how the list price is computed", icon=":material/functions:", key="assumptions_usage", on_change="rerun"
    )
    if box.open:
        with box:
            st.markdown(LIST_PRICE_FORMULA)
    doc = workload_from_usage(usage, model_map)
    for note in (*doc.get("notes", []), doc.get("fit_note")):
        if note:
            st.caption(md(note))
    if not doc.get("workload") or doc.get("source_month") is None:
        return
    start, problems = start_scenario(scenario, doc)
    for problem in problems:
        st.warning(md(problem))
    repriced = cache.evaluation(start, catalog)
    option, height = charts.comparison_chart(repriced, f"Your {doc['source_month']} usage under each strategy", "usage-repriced")
    st.echarts_chart(option, height=height, key="chart_usage_repriced")
    st.caption(
        md(
            f"Your {doc['source_month']} workload ({tokens(start.workload.requests_per_month)} requests a month, "
            f"{start.workload.input_tokens:,.0f} in / {start.workload.output_tokens:,.0f} out tokens a request), priced with "
            f"the prices of {ev.forecast.months[0]:%B %Y}; the hybrid is your own model mix."
        )
    )
    st.button(
        "Start the forecast from my usage",
        key="start_from_usage",
        on_click=_start_from,
        args=(start,),
        type="primary",
        icon=":material/play_arrow:",
        help="Loads this workload, your model mix as the hybrid's routes and the fitted growth into the settings.",
    )


def _summary(usage: UsageImport) -> None:
    months = sorted(set(usage.monthly["month"].tolist()))
    st.caption(md(f"{usage.filename}: {usage.format_name}"))
    cols = st.columns(4)
    span = f"{usage.period[0]:%b %Y} – {usage.period[1]:%b %Y}" if usage.period else "no dates"
    cols[0].metric("Period", f"{len(months)} months", span, delta_color="off", delta_arrow="off", border=True)
    skipped = f"{usage.rows_skipped:,} skipped" if usage.rows_skipped else "none skipped"
    cols[1].metric("Rows read", f"{usage.rows_read:,}", skipped, delta_color="off", delta_arrow="off", border=True)
    models = usage.monthly["model"].nunique()
    unknown = f"{len(usage.unresolved_models)} not in the catalog" if usage.unresolved_models else "all in the catalog"
    cols[2].metric("Models", f"{models}", unknown, delta_color="off", delta_arrow="off", border=True)
    billed = usage.monthly["cost_usd"].sum(min_count=1)
    cols[3].metric("Cost in the export", money(None if pd.isna(billed) else float(billed)), border=True)
    if usage.problems or usage.notes:
        label = f"{len(usage.problems)} problem(s) and {len(usage.notes)} note(s) in {usage.filename}"
        with st.expander(label, icon=":material/rule:"):
            st.markdown("\n".join(f"- {md(p)}" for p in (*usage.problems, *usage.notes)))


def _model_mapping(usage: UsageImport) -> dict[str, str]:
    """A selectbox per model the catalog does not know; returns raw name → chosen catalog id."""
    if not usage.unresolved_models:
        return {}
    st.markdown("**Models not in the catalog**: map each to the catalog model that prices it, or leave it out.")
    options = S.model_order(cache.catalog())
    mapping = {}
    for raw in usage.unresolved_models:
        choice = st.selectbox(
            md(raw),
            options,
            index=None,
            placeholder="not mapped: left out of list prices and routes",
            key=map_key(raw),
            persist_state="session",
        )
        if choice:
            mapping[raw] = choice
    return mapping


def _list_vs_export(history: pd.DataFrame) -> None:
    totals = monthly_totals(history)
    if totals.empty:
        return
    flagged = totals["difference_pct"].abs() > DIFFERENCE_THRESHOLD_PCT
    st.dataframe(
        safe_frame(
            totals.rename(columns={"list_cost_usd": "list price", "export_cost_usd": "export", "difference_pct": "difference %"})
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "list price": st.column_config.NumberColumn(format="dollar"),
            "export": st.column_config.NumberColumn(format="dollar"),
            "difference %": st.column_config.NumberColumn(format="%.1f%%"),
        },
    )
    if flagged.any():
        months = ", ".join(totals.loc[flagged, "month"].tolist())
        st.caption(
            md(
                f"The export differs from list prices by more than {percent(DIFFERENCE_THRESHOLD_PCT / 100)} in {months}: "
                "discounts, credits, cache writes (billed above input) or prices that changed. "
                "Override the prices in the price table to match your bill."
            )
        )
    unpriced = history.attrs.get("unpriced_models") or []
    if unpriced:
        st.caption(md("No list price for: " + ", ".join(unpriced) + " (map them above)."))
    if totals["list_cost_usd"].isna().all():
        st.caption(md("This export has no token counts, so there is no list price to compare."))
