"""The sidebar's workload picker: a page with several workloads (a portfolio, version 2).

The page starts with one workload (a version-1 scenario). "Add a workload" turns it into a
portfolio; the picker then chooses which workload the sidebar's widgets show, and adds,
renames, duplicates and removes workloads, sets each one's plan, category, fine-tuning and
budget, and the portfolio's budget. The state flow (``dashboard.portfolio_state``):

1. callbacks change the portfolio in session state and load the selected workload into the widgets;
2. the widgets give this run's scenario of the selected workload;
3. ``fold`` folds it into the portfolio (the run's link, ``link_params``, is written by the page's one URL writer);
4. ``render`` draws the picker from the folded portfolio (so nothing it shows lags the URL). Its widgets
   are views (``dashboard.inputs``) of values the portfolio gives each run: never written by the server.
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
from dashboard import cache, inputs
from dashboard import portfolio_state as PS
from dashboard import state as S
from dashboard.markup import md
from dashboard.widgets import optional_number, share_box

PICK_KEY, NAME_KEY, PLAN_KEY, CATEGORY_KEY = "wl_pick", "wl_name", "wl_plan", "wl_category"
FT_USD_KEY, FT_MONTHS_KEY, BUDGET_KEY, PORTFOLIO_BUDGET_KEY = "wl_ft_usd", "wl_ft_months", "wl_budget", "pf_budget"
MESSAGE_KEY = "_portfolio_message"
NO_CATEGORY = ""


# ------------------------------------------------------------------------------ first run


def load_link(params: dict, catalog) -> tuple[Scenario, list[str]] | None:
    """A portfolio link: enter portfolio mode and return the selected workload's scenario; ``None`` otherwise.

    The URL's other short keys mirror the selected workload; a mirror edited by hand wins for its
    setting, and the first run's fold writes it into ``p``: the page and its URL agree from the
    first run on.
    """
    portfolio, index, notices = PS.from_link(params, catalog)
    if portfolio is None:
        return None if not notices else (links.params_to_scenario({}, catalog)[0], notices)
    scenario = PS.enter(st.session_state, portfolio, index)
    mirror = {k: v for k, v in params.items() if k in links.SHORT_KEYS and k != "start"}
    if mirror:
        scenario, more = links.params_to_scenario(links.scenario_to_params(scenario, catalog) | mirror, catalog)
        notices = [*notices, *more]
    return scenario, notices


# ------------------------------------------------------------------------------ callbacks


def _show(portfolio: Portfolio, index: int, message: str | None = None) -> None:
    """Select workload ``index``: the widgets now show it."""
    scenario = PS.enter(st.session_state, portfolio, index)
    inputs.load(scenario, cache.catalog())
    st.session_state[MESSAGE_KEY] = message


def _picker_values(portfolio: Portfolio, index: int) -> dict:
    """What the picker's widgets show: the portfolio's, every run (the portfolio is their truth)."""
    w = portfolio.workloads[index]
    return {
        PICK_KEY: index,
        NAME_KEY: w.name,
        PLAN_KEY: w.plan,
        CATEGORY_KEY: w.category or NO_CATEGORY,
        FT_USD_KEY: w.fine_tune.one_time_usd if w.fine_tune else None,
        FT_MONTHS_KEY: w.fine_tune.amortize_months if w.fine_tune else 12,
        BUDGET_KEY: w.budget_usd,
        PORTFOLIO_BUDGET_KEY: portfolio.budget_usd,
    }


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
    _show(portfolio, int(inputs.get(PICK_KEY)))


def _rename() -> None:
    portfolio, index = PS.current(st.session_state)
    renamed, problem = PS.rename(portfolio, index, inputs.get(NAME_KEY))
    if problem:  # the name shown goes back to the workload's on the next run
        st.session_state[MESSAGE_KEY] = f"Not renamed: {problem}."
        return
    st.session_state[PS.PORTFOLIO_KEY] = renamed
    st.session_state[MESSAGE_KEY] = None


def _set_details() -> None:
    """Plan, category, fine-tuning and budgets: straight into the portfolio."""
    portfolio, index = PS.current(st.session_state)
    usd = inputs.get(FT_USD_KEY)
    months = int(inputs.get(FT_MONTHS_KEY) or 12)
    fine_tune = FineTune(float(usd), months) if usd else None
    category = inputs.get(CATEGORY_KEY) or None
    portfolio = PS.set_workload(
        portfolio,
        index,
        plan=inputs.get(PLAN_KEY),
        category=category,
        fine_tune=fine_tune,
        budget_usd=inputs.get(BUDGET_KEY),
    )
    budget = inputs.get(PORTFOLIO_BUDGET_KEY)
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
        inputs.load(document, cache.catalog())


# ------------------------------------------------------------------------- each run


def fold(scenario: Scenario) -> tuple[Portfolio | None, int]:
    """Fold the widgets' scenario into the portfolio (``None``: the page is one scenario)."""
    st.session_state["_portfolio_last_scenario"] = scenario
    portfolio, index = PS.current(st.session_state)
    if portfolio is None:
        return None, 0
    portfolio = PS.fold(portfolio, index, scenario)
    st.session_state[PS.PORTFOLIO_KEY] = portfolio
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
        inputs.values().update(_picker_values(portfolio, index))
        pick, kw = inputs.view(PICK_KEY, then=_select)
        st.selectbox(
            "Workload shown in the sidebar", options=list(range(len(names))), index=pick, format_func=lambda i: names[i], **kw
        )
        name, kw = inputs.view(NAME_KEY, then=_rename)
        st.text_input("Name", value=name, max_chars=200, **kw)
        add, dup, rem = st.columns(3)
        full = len(names) >= MAX_WORKLOADS
        add.button("Add", key="wl_add", on_click=_add, disabled=full, icon=":material/add:", width="stretch")
        dup.button("Copy", key="wl_dup", on_click=_duplicate, disabled=full, icon=":material/content_copy:", width="stretch")
        rem.button(
            "Remove", key="wl_remove", on_click=_remove, disabled=len(names) <= 1, icon=":material/delete:", width="stretch"
        )
        workload = portfolio.workloads[index]
        plans = workload_scenario(portfolio, workload).strategies()
        plan, kw = inputs.view(PLAN_KEY, then=_set_details)
        st.selectbox(
            "Plan: the strategy this workload runs",
            plans,
            index=plans.index(plan) if plan in plans else 0,
            format_func=lambda key: STRATEGY_LABELS[key],
            **kw,
        )
        categories = (NO_CATEGORY, *CATEGORIES)
        category, kw = inputs.view(CATEGORY_KEY, then=_set_details)
        st.selectbox(
            "Task category",
            categories,
            index=categories.index(category) if category in categories else 0,
            format_func=lambda key: CATEGORY_LABELS.get(key, "Not set"),
            **kw,
        )
        if workload.category:
            st.caption(md(f"The source article recommends {CATEGORY_TIERS[workload.category]} for this category."))
        usd, months = st.columns(2)
        _money_input(usd, "Fine-tuning, one-time $", FT_USD_KEY, 1e9)
        value, kw = inputs.view(FT_MONTHS_KEY, then=_set_details)
        months.number_input("Spread over months", min_value=1, max_value=MAX_HORIZON_MONTHS, value=int(value), step=1, **kw)
        mine, total = st.columns(2)
        _money_input(mine, "Its budget, $/month", BUDGET_KEY, 1e12)
        _money_input(total, "Portfolio budget, $/month", PORTFOLIO_BUDGET_KEY, 1e12)
        _presets(presets_folder)


def _money_input(column, label: str, key: str, largest: float) -> None:
    """A dollar amount of the portfolio; emptied, it is no amount (no fine-tuning, no budget)."""
    optional_number(label, key, high=largest, step=1000.0, number_format="%.2f", where=column, then=_set_details)


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
