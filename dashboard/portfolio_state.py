"""The dashboard's portfolio state: which workloads, which one the widgets show. No streamlit here.

A page in portfolio mode keeps a ``Portfolio`` in session state and the index of the selected
workload. The sidebar's widgets describe the selected workload as a version-1 scenario (the
single-workload view is unchanged); every run folds that scenario back into the portfolio
(``fold``), and the URL carries the whole portfolio (``v=2&p=...``) and the selection (``w``).
The widgets' own short keys in the URL mirror the selected workload: a portfolio link is read
from ``p`` and ``w`` alone, so the page and its URL always describe the same portfolio.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, MutableMapping
from typing import Any

from calculators.portfolio_links import is_portfolio_link, params_to_portfolio, portfolio_to_params
from calculators.portfolio_scenario import (
    MAX_WORKLOADS,
    WORKLOAD_EXTRAS,
    WORKLOAD_STRATEGIES,
    Portfolio,
    PortfolioWorkload,
    portfolio_from_scenario,
    unique_name,
    workload_scenario,
)
from calculators.scenario import Scenario

PORTFOLIO_KEY = "_portfolio"  # the Portfolio, or absent: a one-scenario page (version 1)
SELECTED_KEY = "_portfolio_selected"  # index of the workload the widgets show
SELECTED_PARAM = "w"  # the URL's selected workload (1-based, left out for the first)
LINK_KEYS = ("v", "p", SELECTED_PARAM)  # what the page writes to the URL for a portfolio


def selected_scenario(portfolio: Portfolio, index: int) -> Scenario:
    """What the sidebar widgets show for workload ``index``: its version-1 scenario under the portfolio's name."""
    return dataclasses.replace(workload_scenario(portfolio, portfolio.workloads[index]), name=portfolio.name)


def fold(portfolio: Portfolio, index: int, scenario: Scenario) -> Portfolio:
    """The portfolio with workload ``index`` as the widgets describe it (``scenario``).

    The shared parts (name, horizon, start month, the fleet, price overrides) come from the
    widgets too; a growth rate different from the portfolio's default becomes the workload's own.
    The plan must stay a strategy the workload has: when it was switched off, the plan moves to
    the first strategy still on.
    """
    old = portfolio.workloads[index]
    rate = scenario.growth.monthly_rate
    strategies = {key: getattr(scenario, key) for key in (*WORKLOAD_STRATEGIES, *WORKLOAD_EXTRAS)}
    new = dataclasses.replace(
        old,
        workload=scenario.workload,
        growth_rate=None if rate == portfolio.growth.monthly_rate else rate,
        **strategies,
    )
    growth = dataclasses.replace(
        portfolio.growth, horizon_months=scenario.growth.horizon_months, start_month=scenario.growth.start_month
    )
    folded = dataclasses.replace(
        portfolio,
        name=scenario.name,
        growth=growth,
        self_hosted=scenario.self_hosted,
        price_overrides=scenario.price_overrides,
        workloads=portfolio.workloads[:index] + (new,) + portfolio.workloads[index + 1 :],
    )
    available = workload_scenario(folded, new).strategies()
    if new.plan not in available and available:
        plan = "flagship_only" if "flagship_only" in available else available[0]
        folded = set_workload(folded, index, plan=plan)
    if new.fine_tune and new.fine_tune.amortize_months > growth.horizon_months:
        folded = set_workload(folded, index, fine_tune=dataclasses.replace(new.fine_tune, amortize_months=growth.horizon_months))
    return folded


def set_workload(portfolio: Portfolio, index: int, **changes: Any) -> Portfolio:
    workloads = list(portfolio.workloads)
    workloads[index] = dataclasses.replace(workloads[index], **changes)
    return dataclasses.replace(portfolio, workloads=tuple(workloads))


def start(scenario: Scenario) -> Portfolio:
    """A one-workload portfolio from the page's scenario (the workload takes the scenario's name)."""
    portfolio = portfolio_from_scenario(scenario)
    return set_workload(portfolio, 0, name="Workload 1" if scenario.name == Scenario.name else scenario.name)


def add(portfolio: Portfolio, template: Scenario) -> tuple[Portfolio, int]:
    """A new workload with ``template``'s volume and strategies (the link defaults), selected."""
    if len(portfolio.workloads) >= MAX_WORKLOADS:
        return portfolio, len(portfolio.workloads) - 1
    new = portfolio_from_scenario(template).workloads[0]
    new = dataclasses.replace(new, name=unique_name(f"Workload {len(portfolio.workloads) + 1}", portfolio))
    return dataclasses.replace(portfolio, workloads=(*portfolio.workloads, new)), len(portfolio.workloads)


def duplicate(portfolio: Portfolio, index: int) -> tuple[Portfolio, int]:
    if len(portfolio.workloads) >= MAX_WORKLOADS:
        return portfolio, index
    copy = dataclasses.replace(portfolio.workloads[index], name=unique_name(f"{portfolio.workloads[index].name} copy", portfolio))
    workloads = portfolio.workloads[: index + 1] + (copy,) + portfolio.workloads[index + 1 :]
    return dataclasses.replace(portfolio, workloads=workloads), index + 1


def remove(portfolio: Portfolio, index: int) -> tuple[Portfolio, int]:
    """Without workload ``index`` (the last one stays: a portfolio has at least one)."""
    if len(portfolio.workloads) <= 1:
        return portfolio, 0
    workloads = portfolio.workloads[:index] + portfolio.workloads[index + 1 :]
    return dataclasses.replace(portfolio, workloads=workloads), max(0, index - 1)


def rename(portfolio: Portfolio, index: int, name: str) -> tuple[Portfolio, str | None]:
    """The portfolio with workload ``index`` renamed, or unchanged and the reason."""
    name = (name or "").strip()
    if not name:
        return portfolio, "a workload needs a name"
    if len(name) > 200:
        return portfolio, "a workload name has at most 200 characters"
    if any(w.name == name for i, w in enumerate(portfolio.workloads) if i != index):
        return portfolio, f"another workload is already named {name!r}"
    return set_workload(portfolio, index, name=name), None


def link_params(portfolio: Portfolio, index: int, catalog=None) -> dict[str, str]:
    params = portfolio_to_params(portfolio, catalog)
    if index:
        params[SELECTED_PARAM] = str(index + 1)
    return params


def from_link(params: Mapping[str, Any], catalog=None) -> tuple[Portfolio | None, int, list[str]]:
    """The portfolio and selected workload of a page URL, or ``None`` for a version-1 link."""
    if not is_portfolio_link(params):
        return None, 0, []
    own = {key: params[key] for key in ("v", "p") if key in params}
    portfolio, notices = params_to_portfolio(own, catalog)
    if portfolio is None:
        return None, 0, notices
    text = params.get(SELECTED_PARAM, "1")
    if isinstance(text, list | tuple):
        text = text[-1] if text else "1"
    try:
        index = int(str(text)) - 1
    except ValueError:
        index = -1
    if not 0 <= index < len(portfolio.workloads):
        notices.append(f"link parameter w={str(text)[:10]!r} names no workload; the first is shown")
        index = 0
    return portfolio, index, notices


def enter(state: MutableMapping, portfolio: Portfolio, index: int) -> Scenario:
    """Put the portfolio in session state with ``index`` selected; returns the scenario for the widgets."""
    state[PORTFOLIO_KEY] = portfolio
    state[SELECTED_KEY] = index
    return selected_scenario(portfolio, index)


def leave(state: MutableMapping) -> None:
    """Back to a one-scenario page (a version-1 preset or file was loaded)."""
    state.pop(PORTFOLIO_KEY, None)
    state.pop(SELECTED_KEY, None)


def current(state: Mapping) -> tuple[Portfolio | None, int]:
    portfolio = state.get(PORTFOLIO_KEY)
    return portfolio, int(state.get(SELECTED_KEY, 0)) if portfolio is not None else 0


def workload_names(portfolio: Portfolio) -> list[str]:
    return [w.name for w in portfolio.workloads]


__all__ = ["PortfolioWorkload"]
