"""The sidebar's workload picker: a page with several workloads (a portfolio, version 2).

The page starts with one workload (a version-1 scenario). "Add a workload" turns it into a
portfolio; the picker then chooses which workload the sidebar's widgets show, and adds,
renames, duplicates and removes workloads, sets each one's plan, category, fine-tuning and
budget, and the portfolio's budget. The state flow (``dashboard.portfolio_state``):

1. callbacks change the portfolio in session state and load the selected workload into the widgets;
2. the widgets give this run's scenario of the selected workload;
3. ``fold_and_sync`` folds it into the portfolio and writes ``v``, ``p`` and ``w`` to the URL;
4. ``render`` draws the picker from the folded portfolio (so nothing it shows lags the URL).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st

from calculators import links
from calculators.portfolio_scenario import (
    CATEGORIES,
    CATEGORY_LABELS,
    CATEGORY_TIERS,
    MAX_WORKLOADS,
    FineTune,
    Portfolio,
    load_document_text,
    portfolio_to_yaml,
    workload_scenario,
)
from calculators.scenario import MAX_HORIZON_MONTHS, STRATEGY_LABELS, Scenario, ScenarioError
from dashboard import cache
from dashboard import portfolio_state as PS
from dashboard import state as S
from dashboard.markup import md
from dashboard.sidebar.link import write_params
from dashboard.widgets import share_box

PICK_KEY, NAME_KEY, PLAN_KEY, CATEGORY_KEY = "wl_pick", "wl_name", "wl_plan", "wl_category"
FT_USD_KEY, FT_MONTHS_KEY, BUDGET_KEY, PORTFOLIO_BUDGET_KEY = "wl_ft_usd", "wl_ft_months", "wl_budget", "pf_budget"
MESSAGE_KEY = "_portfolio_message"
NO_CATEGORY = ""


# ------------------------------------------------------------------------------ first run


def load_link(params: dict, catalog) -> tuple[Scenario, list[str]] | None:
    """A portfolio link: enter portfolio mode and return the selected workload's scenario; ``None`` otherwise.

    The URL's other keys mirror the selected workload. Streamlit seeds the bound widgets from
    them, so a mirror edited by hand wins for its widget, and the first run's fold writes it
    into ``p``: the page and its URL agree from the first run on.
    """
    portfolio, index, notices = PS.from_link(params, catalog)
    if portfolio is None:
        return None if not notices else (links.params_to_scenario({}, catalog)[0], notices)
    scenario = PS.enter(st.session_state, portfolio, index)
    _seed_widgets(portfolio, index)
    return scenario, notices


# ------------------------------------------------------------------------------ callbacks


def _show(portfolio: Portfolio, index: int, message: str | None = None) -> None:
    """Select workload ``index``: the widgets now show it."""
    scenario = PS.enter(st.session_state, portfolio, index)
    S.load_into_state(st.session_state, scenario, cache.catalog())
    _seed_widgets(portfolio, index)
    st.session_state[MESSAGE_KEY] = message


def _seed_widgets(portfolio: Portfolio, index: int) -> None:
    w = portfolio.workloads[index]
    st.session_state[PICK_KEY] = index
    st.session_state[NAME_KEY] = w.name
    st.session_state[PLAN_KEY] = w.plan
    st.session_state[CATEGORY_KEY] = w.category or NO_CATEGORY
    st.session_state[FT_USD_KEY] = w.fine_tune.one_time_usd if w.fine_tune else None
    st.session_state[FT_MONTHS_KEY] = w.fine_tune.amortize_months if w.fine_tune else 12
    st.session_state[BUDGET_KEY] = w.budget_usd
    st.session_state[PORTFOLIO_BUDGET_KEY] = portfolio.budget_usd


def _start_portfolio() -> None:
    """From the page's one scenario to a portfolio of it and a new workload."""
    scenario = st.session_state.get("_portfolio_last_scenario") or st.session_state[S.BASE_KEY]
    portfolio, index = PS.add(PS.start(scenario), S.link_default_scenario())
    _show(portfolio, index, f"Added {portfolio.workloads[index].name}; the first workload keeps your scenario.")


def _add() -> None:
    portfolio, _ = PS.current(st.session_state)
    portfolio, index = PS.add(portfolio, S.link_default_scenario())
    _show(portfolio, index)


def _duplicate() -> None:
    portfolio, index = PS.current(st.session_state)
    portfolio, index = PS.duplicate(portfolio, index)
    _show(portfolio, index)


def _remove() -> None:
    portfolio, index = PS.current(st.session_state)
    name = portfolio.workloads[index].name
    portfolio, index = PS.remove(portfolio, index)
    _show(portfolio, index, f"Removed {name}.")


def _select() -> None:
    portfolio, _ = PS.current(st.session_state)
    _show(portfolio, int(st.session_state[PICK_KEY]))


def _rename() -> None:
    portfolio, index = PS.current(st.session_state)
    renamed, problem = PS.rename(portfolio, index, st.session_state[NAME_KEY])
    if problem:
        st.session_state[NAME_KEY] = portfolio.workloads[index].name
        st.session_state[MESSAGE_KEY] = f"Not renamed: {problem}."
        return
    st.session_state[PS.PORTFOLIO_KEY] = renamed
    st.session_state[MESSAGE_KEY] = None


def _set_details() -> None:
    """Plan, category, fine-tuning and budgets: straight into the portfolio."""
    portfolio, index = PS.current(st.session_state)
    usd = st.session_state.get(FT_USD_KEY)
    months = int(st.session_state.get(FT_MONTHS_KEY) or 12)
    fine_tune = FineTune(float(usd), months) if usd else None
    category = st.session_state.get(CATEGORY_KEY) or None
    portfolio = PS.set_workload(
        portfolio,
        index,
        plan=st.session_state[PLAN_KEY],
        category=category,
        fine_tune=fine_tune,
        budget_usd=st.session_state.get(BUDGET_KEY),
    )
    budget = st.session_state.get(PORTFOLIO_BUDGET_KEY)
    st.session_state[PS.PORTFOLIO_KEY] = dataclasses.replace(portfolio, budget_usd=budget)


def _load_portfolio_file(path: str) -> None:
    try:
        document = load_document_text(Path(path).read_text(encoding="utf-8"), source=Path(path).name)
    except (OSError, UnicodeDecodeError, ScenarioError) as exc:
        st.session_state[MESSAGE_KEY] = f"{Path(path).name} was not loaded: " + "; ".join(getattr(exc, "problems", [str(exc)]))
        return
    load_document(document, f"preset “{document.name}”")


def load_document(document, origin: str) -> None:
    """Load a scenario of any version (a preset or an uploaded file) into the page."""
    if isinstance(document, Portfolio):
        _show(document, 0, f"Loaded {origin}.")
    else:
        PS.leave(st.session_state)
        S.load_into_state(st.session_state, document, cache.catalog())


# ------------------------------------------------------------------------- each run


def fold_and_sync(scenario: Scenario, catalog) -> tuple[Portfolio | None, int]:
    """Fold the widgets' scenario into the portfolio and write the portfolio's keys to the URL."""
    st.session_state["_portfolio_last_scenario"] = scenario
    portfolio, index = PS.current(st.session_state)
    if portfolio is None:
        write_params({}, PS.LINK_KEYS)  # a single scenario: no portfolio keys in the URL
        return None, 0
    portfolio = PS.fold(portfolio, index, scenario)
    st.session_state[PS.PORTFOLIO_KEY] = portfolio
    write_params(PS.link_params(portfolio, index, catalog), PS.LINK_KEYS)
    return portfolio, index


def render(portfolio: Portfolio | None, index: int, presets_folder: Path) -> None:
    """The picker, drawn from the folded portfolio (call after ``fold_and_sync``)."""
    with st.expander("Workloads", expanded=portfolio is not None, icon=":material/stacks:"):
        message = st.session_state.get(MESSAGE_KEY)
        if message:
            st.caption(md(message))
        if portfolio is None:
            st.caption("One workload. Add another to price a product's features together, with one shared fleet.")
            st.button("Add a workload", key="wl_start", on_click=_start_portfolio, icon=":material/add:", width="stretch")
            _presets(presets_folder)
            return
        names = PS.workload_names(portfolio)
        if st.session_state.get(PICK_KEY) != index or st.session_state.get(NAME_KEY) not in names:
            _seed_widgets(portfolio, index)
        st.selectbox(
            "Workload shown in the sidebar",
            options=list(range(len(names))),
            format_func=lambda i: names[i],
            key=PICK_KEY,
            on_change=_select,
        )
        st.text_input("Name", key=NAME_KEY, on_change=_rename, max_chars=200)
        add, dup, rem = st.columns(3)
        full = len(names) >= MAX_WORKLOADS
        add.button("Add", key="wl_add", on_click=_add, disabled=full, icon=":material/add:", width="stretch")
        dup.button("Copy", key="wl_dup", on_click=_duplicate, disabled=full, icon=":material/content_copy:", width="stretch")
        rem.button(
            "Remove", key="wl_remove", on_click=_remove, disabled=len(names) <= 1, icon=":material/delete:", width="stretch"
        )
        workload = portfolio.workloads[index]
        plans = workload_scenario(portfolio, workload).strategies()
        if st.session_state.get(PLAN_KEY) not in plans:
            st.session_state[PLAN_KEY] = workload.plan
        st.selectbox(
            "Plan: the strategy this workload runs",
            plans,
            format_func=lambda key: STRATEGY_LABELS[key],
            key=PLAN_KEY,
            on_change=_set_details,
        )
        st.selectbox(
            "Task category",
            (NO_CATEGORY, *CATEGORIES),
            format_func=lambda key: CATEGORY_LABELS.get(key, "Not set"),
            key=CATEGORY_KEY,
            on_change=_set_details,
        )
        if workload.category:
            st.caption(md(f"The source article recommends {CATEGORY_TIERS[workload.category]} for this category."))
        usd, months = st.columns(2)
        usd.number_input(
            "Fine-tuning, one-time $", min_value=0.0, max_value=1e9, step=1000.0, key=FT_USD_KEY, on_change=_set_details
        )
        months.number_input(
            "Spread over months",
            min_value=1,
            max_value=MAX_HORIZON_MONTHS,
            step=1,
            key=FT_MONTHS_KEY,
            on_change=_set_details,
        )
        mine, total = st.columns(2)
        mine.number_input(
            "Its budget, $/month", min_value=0.0, max_value=1e12, step=1000.0, key=BUDGET_KEY, on_change=_set_details
        )
        total.number_input(
            "Portfolio budget, $/month",
            min_value=0.0,
            max_value=1e12,
            step=1000.0,
            key=PORTFOLIO_BUDGET_KEY,
            on_change=_set_details,
        )
        _presets(presets_folder)


def _presets(folder: Path) -> None:
    files = sorted(folder.glob("*.yaml"))
    if not files:
        return
    st.caption("Portfolio presets")
    for path in files:
        st.button(
            path.stem.replace("-", " ").capitalize(),
            key=f"pf_preset_{path.stem}",
            on_click=_load_portfolio_file,
            args=(str(path),),
            width="stretch",
        )


def share_and_save(portfolio: Portfolio, index: int, catalog) -> None:
    """The Share box's link and YAML for a portfolio (the upload below is the page's own)."""
    url = links.share_url(st.context.url, PS.link_params(portfolio, index, catalog))
    share_box("portfolio", url, lambda: portfolio_to_yaml(portfolio), portfolio.name, "download_portfolio_yaml")
