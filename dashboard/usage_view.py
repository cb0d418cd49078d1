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
from calculators.export import safe_cell
from calculators.formatting import money, percent, tokens
from calculators.scenario import Scenario, parse_scenario, scenario_to_dict
from calculators.usage import (
    DIFFERENCE_THRESHOLD_PCT,
    FORMATS,
    MAX_UPLOAD_MB,
    UsageImport,
    UsageImportError,
    import_usage,
)
from calculators.usage.features import MAX_FEATURES, feature_workloads, portfolio_from_usage, summary_rows
from calculators.usage.history import FULL_MONTH_RULE
from calculators.usage.report import repriced, scenario_price_overrides, usage_report
from dashboard import cache
from dashboard import state as S
from dashboard.figures import usage as usage_charts
from dashboard.markup import md
from dashboard.sidebar.scenario_files import load_scenario
from dashboard.tables import table

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
MAP_KEY = "_usage_map"  # raw model → catalog id, kept for the session
MAP_EDITOR_KEY = "usage_map_editor"
MAP_SEARCH_KEY = "usage_map_search"
GROWTH_KEY = "usage_apply_growth"
CACHE_KEY = "_usage_cache"  # figures computed for the current upload, keyed by mapping and prices
MAPPING_ROWS = 50  # rows of the mapping table: the costliest unresolved models matching the search


# ------------------------------------------------------------------------------ pure parts


def start_scenario(scenario: Scenario, usage_doc: Mapping[str, Any], apply_growth: bool = False) -> tuple[Scenario, list[str]]:
    """``scenario`` with the workload and hybrid routes that ``workload_from_usage`` found, and its
    fitted growth only when the user confirmed it (``apply_growth``). The workload month's other
    charges (web search, tool calls...) become the fixed ``other_monthly_usd`` line (none: cleared).

    What the export does not give keeps the scenario's value; routes replace the hybrid's only
    when the export named priced models (at most 12: the top models, the last carrying the rest).
    """
    doc = scenario_to_dict(scenario)
    doc.setdefault("workload", {}).update(copy.deepcopy(dict(usage_doc.get("workload") or {})))
    doc["workload"].pop("other_monthly_usd", None)  # the export's own other charges replace the scenario's
    # an export without request counts: the volume is in tokens (blocks of TOKEN_BLOCK), and the page says so
    doc["workload"]["volume_unit"] = "tokens" if usage_doc.get("volume_unit") == "tokens" else "requests"
    other = (usage_doc.get("other_charges") or {}).get("cost_usd")
    if other:
        doc["workload"]["other_monthly_usd"] = round(float(other), 2)
    routes = (usage_doc.get("hybrid") or {}).get("routes") or []
    if routes:
        doc["hybrid"] = {"routes": copy.deepcopy(routes)}
    if apply_growth and usage_doc.get("growth"):
        doc.setdefault("growth", {}).update(usage_doc["growth"])
    return parse_scenario(doc, strict=False, base=S.link_default_scenario())


def price_overrides_for_history(scenario: Scenario, catalog) -> dict:
    """The scenario's price overrides, applied to the history as the engine applies them (any alias, any subset)."""
    return scenario_price_overrides(scenario, catalog)


def monthly_totals(history: pd.DataFrame) -> pd.DataFrame:
    """Per month: list price of the priced models, the export's cost of the same models, their
    difference in percent, and the export's cost of what has no list price (shown apart)."""
    priced = history["list_cost_usd"].notna()
    frame = pd.DataFrame({"month": sorted(history["month"].unique())})
    listed = history[priced].groupby("month")["list_cost_usd"].sum()
    billed = history[priced].groupby("month")["export_cost_usd"].sum(min_count=1)
    apart = history[~priced].groupby("month")["export_cost_usd"].sum(min_count=1)
    frame["list_cost_usd"] = frame["month"].map(listed).astype("float64")
    frame["export_cost_usd"] = frame["month"].map(billed).astype("float64")
    frame["difference_pct"] = ((frame["export_cost_usd"] - frame["list_cost_usd"]) / frame["list_cost_usd"] * 100).where(
        frame["list_cost_usd"] > 0
    )
    frame["unpriced_export_cost_usd"] = frame["month"].map(apart).astype("float64")
    return frame


def replica_fill(ev: Evaluation, requests_per_month: float) -> float | None:
    """The share of one self-hosted replica the workload fills (requests over one replica's monthly capacity)."""
    info = ev.self_hosted
    if info is None or not info.capacity_per_replica:
        return None
    return requests_per_month / info.capacity_per_replica


def _money_or_dash(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else money(float(value))


def _pct_or_dash(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:+.1f}%"


# ----------------------------------------------------------------------------- callbacks


def _import() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    st.session_state.pop(USAGE_ERROR_KEY, None)
    st.session_state.pop(CACHE_KEY, None)
    if upload is None:  # the file was removed from the uploader
        st.session_state.pop(USAGE_KEY, None)
        return
    try:
        st.session_state[USAGE_KEY] = import_usage(upload.getvalue(), filename=upload.name, catalog=cache.catalog())
    except UsageImportError as exc:
        st.session_state.pop(USAGE_KEY, None)
        st.session_state[USAGE_ERROR_KEY] = str(exc)


def mapping_editor_key(shown: list[str]) -> str:
    """The mapping table's widget key: one per list of rows shown, so that an edit never lands on another row."""
    return MAP_EDITOR_KEY + "_" + hashlib.sha1("\n".join(shown).encode("utf-8")).hexdigest()[:12]


def _start_from(scenario: Scenario) -> None:
    load_scenario(scenario, "your usage export")


def _start_portfolio(portfolio) -> None:
    from dashboard.workload_picker import load_document

    load_document(portfolio, "your usage export, one workload per feature")


# -------------------------------------------------------------------------------- the tab


def _figures(usage: UsageImport, scenario: Scenario, catalog, model_map: dict[str, str]) -> dict[str, Any]:
    """The tab's numbers and figures, computed once per upload, mapping and scenario prices and workload settings."""
    overrides = price_overrides_for_history(scenario, catalog)
    # The tab replaces the scenario's workload and growth with the export's: changing them
    # (the sidebar's sliders) does not change a figure here, so they are not part of the key.
    strategies = {k: v for k, v in scenario_to_dict(scenario).items() if k not in ("workload", "growth", "name")}
    key = (id(usage), tuple(sorted(model_map.items())), repr(sorted(overrides.items())), repr(strategies))
    cached = st.session_state.get(CACHE_KEY)
    if cached is not None and cached["key"] == key:
        return cached
    report = usage_report(usage, catalog, model_map, overrides, rows=False)
    result = {
        "key": key,
        "report": report,
        "history_figure": usage_charts.history_figure(report["history"], usage.filename),
        "totals": monthly_totals(report["history"]),
        "repriced": repriced(usage, scenario, catalog, model_map, report=report),
        "features": feature_workloads(usage, model_map, catalog) if usage.features is not None else None,
    }
    rep = result["repriced"]
    if rep is not None:
        result["repriced_figure"] = usage_charts.repriced_figure(rep["strategies"], rep["own_mix_usd"], rep["month"])
    st.session_state[CACHE_KEY] = result
    return result


def render_usage_tab(scenario: Scenario, catalog, ev: Evaluation) -> None:
    _upload_box()
    usage: UsageImport | None = st.session_state.get(USAGE_KEY)
    if usage is None:
        st.caption(md("Read from your provider's console export: " + ", ".join(FORMATS.values()) + "."))
        return
    _summary(usage)
    model_map = _model_mapping(usage, catalog)
    figures = _figures(usage, scenario, catalog, model_map)
    report, history = figures["report"], figures["report"]["history"]
    _history_section(usage, figures)
    doc = report["workload_doc"]
    _other_charges(doc)
    for note in doc.get("notes", []):
        st.caption(md(note))
    if history.empty or doc.get("source_month") is None or not doc.get("workload"):
        return
    rep = figures["repriced"]
    for problem in rep["problems"] if rep else []:
        st.warning(md(problem))
    _workload_line(doc, rep)
    if rep is not None:
        _repriced_section(figures["repriced_figure"], rep)
    apply_growth = _growth_choice(doc["growth_fit"])
    start, problems = start_scenario(scenario, doc, apply_growth)
    for problem in problems:
        st.warning(md(problem))
    portfolio = None
    if figures["features"] is not None:
        portfolio = _features(usage, scenario, catalog, model_map, figures["features"], apply_growth)
    _start_buttons(start, portfolio, apply_growth)


def _upload_box() -> None:
    """The export uploader (it imports on change) and the last import's error."""
    st.file_uploader(
        "Usage or cost export (CSV)",
        type=["csv", "tsv", "txt", "gz", "parquet"],
        key=UPLOAD_KEY,
        on_change=_import,
        max_upload_size=MAX_UPLOAD_MB,
        help=f"Up to {MAX_UPLOAD_MB} MB. Formats: " + "; ".join(FORMATS.values()),
    )
    if USAGE_ERROR_KEY in st.session_state:
        st.error(md(st.session_state[USAGE_ERROR_KEY]), icon=":material/error:")


def _history_section(usage: UsageImport, figures: dict) -> None:
    """The monthly history chart, the list price against the export's own cost, and how the list price is computed."""
    option, height = figures["history_figure"]
    st.echarts_chart(option, height=height, key="chart_usage")
    _list_vs_export(usage, figures["totals"])
    box = st.expander(
        "Assumptions: how the list price is computed", icon=":material/functions:", key="assumptions_usage", on_change="rerun"
    )
    if box.open:
        with box:
            st.markdown(LIST_PRICE_FORMULA)
            st.markdown(md("Workload month: " + FULL_MONTH_RULE + "."))


def _repriced_section(figure: tuple[dict, int], rep: dict) -> None:
    """The workload month under each strategy, and how full a self-hosted replica would be."""
    option, height = figure
    st.echarts_chart(option, height=height, key="chart_usage_repriced")
    fill = replica_fill(rep["_evaluation"], rep["_scenario"].workload.requests_per_month)
    if fill is not None and fill < 1:
        st.caption(
            md(
                f"Self-hosted: your volume fills {fill:.1%} of one replica; the server costs the same whether "
                "it is busy or idle, so it pays only near full use."
            )
        )


def _growth_choice(growth: dict) -> bool:
    """Whether the forecast uses the growth fitted to the history (a checkbox when a rate could be fitted)."""
    if growth["rate"] is None:
        st.caption(md(growth["note"] + "; the forecast keeps its own growth."))
        return False
    apply_growth = st.checkbox(
        f"Use the fitted growth ({growth['rate']:+.1%} a month) in the forecast",
        key=GROWTH_KEY,
        help=growth["note"],
    )
    st.caption(md(growth["note"]))
    return apply_growth


def _start_buttons(start: Scenario, portfolio, apply_growth: bool) -> None:
    """Start the forecast from the usage; beside it, when the export has features, start a portfolio from them."""
    left, right = st.columns(2) if portfolio is not None else (st.container(), None)
    left.button(
        "Start the forecast from my usage",
        key="start_from_usage",
        on_click=_start_from,
        args=(start,),
        type="primary",
        icon=":material/play_arrow:",
        help="Loads this workload and your model mix as the hybrid's routes into the settings"
        + (", with the fitted growth." if apply_growth else "; growth stays as it is."),
    )
    if right is not None:
        right.button(
            "Start a portfolio from my features",
            key="start_portfolio_from_usage",
            on_click=_start_portfolio,
            args=(portfolio,),
            icon=":material/account_tree:",
            help=f"One workload per feature ({len(portfolio.workloads)}), each with its own volume and model mix (its "
            "plan), next to this scenario's flagship and other strategies"
            + (", with the fitted growth." if apply_growth else "; growth stays as it is."),
        )


def _features(usage: UsageImport, scenario: Scenario, catalog, model_map, features, apply_growth: bool):
    """The workload month by feature; the portfolio of them (one workload each), or None."""
    rows = summary_rows(features)
    if not rows:
        return None
    column = features["column"]
    st.markdown("**By feature** " + md(f"({column}, {features['month']}): the top {MAX_FEATURES - 1} by spend and the rest."))
    unit = "requests" if all(r["requests_per_month"] is not None for r in rows) else None
    shown = pd.DataFrame(
        {
            "feature": pd.Series([r["feature"] for r in rows], dtype="string"),
            "from column": pd.Series([r["column"] for r in rows], dtype="object"),
            "tokens a month": [tokens(r["tokens_per_month"]) for r in rows],
            "requests a month": [tokens(r["requests_per_month"]) if unit else None for r in rows],
            "other charges": [None if r["other_charges_usd"] is None else money(r["other_charges_usd"]) for r in rows],
        }
    )
    table(shown)
    if features["skipped"]:
        st.caption(md("No priced usage in the workload month: " + ", ".join(features["skipped"]) + "."))
    portfolio, problems = portfolio_from_usage(usage, scenario, catalog, model_map, apply_growth, features)
    for problem in problems:
        st.warning(md(problem))
    return portfolio


def _workload_line(doc: Mapping[str, Any], rep: Mapping[str, Any] | None) -> None:
    summary = doc["summary"]
    requests = summary["requests_per_month"]
    volume = (
        f"{tokens(requests)} requests"
        if requests is not None and doc["volume_unit"] == "requests"
        else "requests unknown: the forecast works in tokens"
    )
    text = (
        f"Your {summary['month']} workload: {tokens(summary['tokens_per_month'])} tokens a month "
        f"({tokens(summary['input_tokens'])} input, {percent(summary['input_tokens'] and summary['cached_input_tokens'] / summary['input_tokens'])} "
        f"of it cached; {tokens(summary['output_tokens'])} output), {volume}."
    )
    if rep is not None:
        text += f" List price {_money_or_dash(rep['list_price_usd'])}; your own mix {_money_or_dash(rep['own_mix_usd'])}."
    st.markdown(md(text))
    unpriced = doc.get("unpriced")
    if unpriced:
        parts = [f"{percent(unpriced['token_share'], 1)} of the tokens"]
        if unpriced.get("request_share") is not None:
            parts.append(f"{percent(unpriced['request_share'], 1)} of the requests")
        if unpriced.get("cost_usd") is not None:
            parts.append(f"{money(unpriced['cost_usd'])} in the export")
        st.caption(md("Unpriced usage, left out of both sides until mapped: " + ", ".join(parts) + "."))


def _other_charges(doc: Mapping[str, Any]) -> None:
    other = doc.get("other_charges")
    if other:
        cost = _money_or_dash(other["cost_usd"])
        st.caption(
            md(
                f"Other charges in {doc['source_month']} (not models, not in the comparison): "
                f"{', '.join(other['charges'])}, {cost} a month."
                + (
                    " Starting the forecast from your usage carries them as a fixed monthly line in every strategy "
                    "(Other charges, in the sidebar's workload)."
                    if other["cost_usd"]
                    else ""
                )
            )
        )


def _summary(usage: UsageImport) -> None:
    months = sorted(set(usage.monthly["month"].tolist()))
    st.caption(md(f"{usage.filename}: {usage.format_name}"))
    cols = st.columns(4)
    span = f"{usage.period[0]:%b %Y} – {usage.period[1]:%b %Y}" if usage.period else "no dates"
    cols[0].metric(
        "Period", f"{len(months)} month{'s' * (len(months) != 1)}", span, delta_color="off", delta_arrow="off", border=True
    )
    skipped = f"{usage.rows_skipped:,} skipped" if usage.rows_skipped else "none skipped"
    cols[1].metric("Rows read", f"{usage.rows_read:,}", skipped, delta_color="off", delta_arrow="off", border=True)
    models = usage.monthly["model"].nunique()
    unknown = f"{len(usage.unresolved_models):,} not in the catalog" if usage.unresolved_models else "all in the catalog"
    cols[2].metric("Models", f"{models:,}", unknown, delta_color="off", delta_arrow="off", border=True)
    billed = usage.monthly["cost_usd"].sum(min_count=1)
    cols[3].metric("Cost in the export", _money_or_dash(None if pd.isna(billed) else float(billed)), border=True)
    if usage.problems or usage.notes:
        label = f"{len(usage.problems)} problem(s) and {len(usage.notes)} note(s) in {usage.filename}"
        with st.expander(label, icon=":material/rule:"):
            st.markdown("\n".join(f"- {md(p)}" for p in (*usage.problems, *usage.notes)))


def _model_mapping(usage: UsageImport, catalog) -> dict[str, str]:
    """One table maps the models the catalog does not know (the costliest ``MAPPING_ROWS`` matching the search)."""
    mapping = {k: v for k, v in (st.session_state.get(MAP_KEY) or {}).items() if k in set(usage.unresolved_models)}
    if not usage.unresolved_models:
        return mapping
    count = len(usage.unresolved_models)
    st.markdown(
        md(
            f"**{count:,} model(s) not in the catalog**: map them to the catalog model that prices them; "
            "unmapped ones stay out of list prices and of the comparison."
        )
    )
    search = st.text_input("Find a model", key=MAP_SEARCH_KEY, placeholder="part of a model name", max_chars=200)
    frame = usage.monthly[usage.monthly["model"].isin(usage.unresolved_models)]
    weight = (frame["input_tokens"].fillna(0) + frame["output_tokens"].fillna(0)).groupby(frame["model"]).sum()
    ranked = weight.sort_values(ascending=False, kind="stable")
    names = [m for m in ranked.index if search.lower() in m.lower()] if search else list(ranked.index)
    shown = names[:MAPPING_ROWS]
    table = pd.DataFrame(
        {
            # names from the file, shown spreadsheet-safe (the editor's CSV download); mapped back by row
            "model in the export": pd.Series([safe_cell(m) for m in shown], dtype="string"),
            "tokens": [float(ranked[m]) for m in shown],
            "map to": pd.Series([mapping.get(m) for m in shown], dtype="object"),
        }
    )
    edited = st.data_editor(
        table,
        key=mapping_editor_key(shown),
        hide_index=True,
        width="stretch",
        disabled=["model in the export", "tokens"],
        column_config={
            "tokens": st.column_config.NumberColumn(format="compact"),
            "map to": st.column_config.SelectboxColumn(options=S.model_order(catalog), required=False),
        },
    )
    for model, target in zip(shown, edited["map to"], strict=True):
        if isinstance(target, str) and target:
            mapping[str(model)] = target
        else:
            mapping.pop(str(model), None)
    st.session_state[MAP_KEY] = mapping
    if len(names) > len(shown):
        st.caption(md(f"Showing the {len(shown)} largest of {len(names):,} matching models; search to find the others."))
    return mapping


def _list_vs_export(usage: UsageImport, totals: pd.DataFrame) -> None:
    if totals.empty:
        return
    if usage.cost_only:
        st.caption(md("A cost export has no token counts, so there is no list price to compare."))
        return
    if totals["list_cost_usd"].isna().all():
        st.caption(md("No model in this export has a list price yet: map them above to compare with list prices."))
        return
    shown = pd.DataFrame(
        {
            "month": totals["month"],
            "list price (priced models)": [_money_or_dash(v) for v in totals["list_cost_usd"]],
            "export, same models": [_money_or_dash(v) for v in totals["export_cost_usd"]],
            "difference": [_pct_or_dash(v) for v in totals["difference_pct"]],
            "export, unpriced models": [_money_or_dash(v) for v in totals["unpriced_export_cost_usd"]],
        }
    )
    table(shown)
    flagged = totals["difference_pct"].abs() > DIFFERENCE_THRESHOLD_PCT
    if flagged.any():
        months = ", ".join(totals.loc[flagged, "month"].tolist())
        st.caption(
            md(
                f"For the same models, the export differs from list prices by more than "
                f"{percent(DIFFERENCE_THRESHOLD_PCT / 100)} in {months}: discounts, credits, cache writes (billed above "
                "input) or prices that changed. Override the prices in the price table to match your bill."
            )
        )
