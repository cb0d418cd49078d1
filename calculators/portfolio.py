"""Evaluate a portfolio (a version-2 scenario): every workload, the shared fleet, three totals, budgets.

Each workload is priced by the engine as the version-1 scenario of that workload alone
(``workload_scenario``): no formula is repeated here. On top of those evaluations:

- **Fine-tuning**: ``one_time_usd / N`` in each of the first ``N`` forecast months, added to
  the workload's ``hosted_open`` and ``self_hosted`` costs (a fine-tuned open model).
- **The shared fleet**: the workloads whose plan is ``self_hosted`` run on one fleet. A
  workload of ``V`` requests a month on replicas that each absorb ``C`` of its requests
  (``selfhost.replica_capacity_per_month``, its own token shape) loads the fleet with
  ``V / C`` replicas; the pooled fleet runs ``max(min_replicas, ceil(sum V/C))`` replicas and
  pays ``ops`` once, where separate fleets run ``sum max(min_replicas, ceil(V/C))`` and pay
  ``ops`` each. Both use the same ``peak_to_average``: the pooling gain counted here is the
  rounding up and the minimum per fleet, not peaks at different hours (not modelled).
- **Three totals** per forecast month: ``plan`` (each workload on its plan, the fleet
  pooled; the fleet's cost is split among its members by load), ``all_flagship`` (every
  workload on ``flagship_only``) and ``cheapest`` (each workload on the strategy cheapest
  over the whole horizon, fleets separate). Each total is the sum of its per-workload parts.
- **Moves**: the workloads whose cheapest strategy is not their plan; what the plan total saves
  when one of them moves alone (the fleet re-pooled without it; it can be nothing when the
  fleet stays for the others) and when they all move together.
- **Budgets**: the first forecast month a total (or a workload's plan cost) exceeds the
  monthly budget, and by how much.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from calculators.breakeven import BreakEven, break_even
from calculators.engine import BreakdownRow, Evaluation, evaluate, fixed_monthly_usd
from calculators.portfolio_scenario import Portfolio, PortfolioWorkload, workload_scenario
from calculators.scenario import STRATEGIES
from calculators.selfhost import ServerPlan, replicas_needed
from pricing.catalog import Catalog

TOTALS = ("plan", "all_flagship", "cheapest")
TOTAL_LABELS = {"plan": "Our plan", "all_flagship": "All on the flagship", "cheapest": "Each on its cheapest"}
FINE_TUNED = ("hosted_open", "self_hosted")  # the strategies that run the fine-tuned open model


def amortization(one_time_usd: float, months: int, horizon: int) -> np.ndarray:
    """``one_time_usd / months`` in each of the first ``months`` of ``horizon`` months, 0 after.

    >>> amortization(1200.0, 3, 5).tolist()
    [400.0, 400.0, 400.0, 0.0, 0.0]
    """
    out = np.zeros(horizon)
    if months > 0:
        out[: min(months, horizon)] = one_time_usd / months
    return out


@dataclass
class WorkloadResult:
    workload: PortfolioWorkload
    evaluation: Evaluation
    amortization: np.ndarray  # fine-tuning $ per forecast month (zeros without fine-tuning)
    cost: dict[str, np.ndarray]  # strategy → $ per forecast month, fine-tuning included where it applies
    cheapest: str | None  # the strategy cheapest over the whole horizon

    @property
    def name(self) -> str:
        return self.workload.name

    @property
    def monthly_cost_usd(self) -> dict[str, float]:
        return {key: float(values[0]) for key, values in self.cost.items()}

    def breakdown(self, key: str) -> list[BreakdownRow]:
        """The strategy's first-month breakdown, with fine-tuning as its own part."""
        rows = list(self.evaluation.strategies[key].breakdown)
        if key in FINE_TUNED and self.amortization[0]:
            rows.append(BreakdownRow("Fine-tuning", "fine_tune", float(self.amortization[0])))
        return rows


@dataclass
class Fleet:
    """The shared self-hosted fleet of the workloads whose plan is ``self_hosted``."""

    members: tuple[str, ...]
    plan: ServerPlan
    load: dict[str, np.ndarray]  # member → replicas of load per month (V / C, fractional)
    pooled_replicas: np.ndarray
    separate_replicas: np.ndarray
    cost: np.ndarray  # pooled: replicas x $ per replica + ops once
    separate_cost: np.ndarray  # each member on its own fleet (the engine's self_hosted cost)
    break_even: BreakEven | None  # against the members on their flagship, in requests a month of this mix

    @property
    def pooled_gpus(self) -> np.ndarray:
        return self.pooled_replicas * self.plan.gpus_per_replica

    @property
    def separate_gpus(self) -> np.ndarray:
        return self.separate_replicas * self.plan.gpus_per_replica

    def shares(self) -> dict[str, np.ndarray]:
        """The pooled cost split among members by load (equally in a month with no load)."""
        total = sum(self.load.values())
        out = {}
        for name, load in self.load.items():
            weight = np.divide(load, total, out=np.full(len(load), 1.0 / len(self.load)), where=total > 0)
            out[name] = self.cost * weight
        return out


@dataclass(frozen=True)
class Move:
    name: str
    plan: str
    to: str
    saves_usd_this_month: float
    saves_usd_over_horizon: float


@dataclass(frozen=True)
class BudgetCrossing:
    budget_usd: float
    first_month: int | None  # forecast month index, None when never over
    over_by_usd: float | None  # in that month


@dataclass
class PortfolioEvaluation:
    portfolio: Portfolio
    months: list[dt.date]
    workloads: list[WorkloadResult]
    fleet: Fleet | None
    parts: dict[str, dict[str, np.ndarray]]  # total → workload name → $ per forecast month
    moves: list[Move]  # each alone (a move can save nothing alone: the fleet stays for the others)
    move_all_saving: np.ndarray  # $ per month the plan saves when every move is made together
    budget: dict[str, BudgetCrossing]  # total → crossing (empty without a portfolio budget)
    workload_budget: dict[str, BudgetCrossing]  # workload name → its plan cost against its budget
    errors: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, np.ndarray]:
        return {key: _sum(parts.values(), len(self.months)) for key, parts in self.parts.items()}

    @property
    def this_month(self) -> dict[str, float]:
        return {key: float(values[0]) for key, values in self.totals.items()}

    def month_label(self, index: int | None) -> str | None:
        return None if index is None else self.months[index].strftime("%Y-%m")


def _sum(arrays, months: int) -> np.ndarray:
    total = np.zeros(months)
    for values in arrays:
        total = total + values
    return total


def _workload_result(portfolio: Portfolio, workload: PortfolioWorkload, catalog: Catalog) -> WorkloadResult:
    ev = evaluate(workload_scenario(portfolio, workload), catalog)
    months = len(ev.forecast.months)
    ft = workload.fine_tune
    amort = amortization(ft.one_time_usd, ft.amortize_months, months) if ft else np.zeros(months)
    cost = {key: values + amort if key in FINE_TUNED else values for key, values in ev.forecast.cost.items()}
    cheapest = min(cost, key=lambda key: (float(np.sum(cost[key])), STRATEGIES.index(key))) if cost else None
    return WorkloadResult(workload, ev, amort, cost, cheapest)


def _fleet(members: list[WorkloadResult]) -> Fleet | None:
    infos = [r.evaluation.self_hosted for r in members]
    if not members or any(info is None for info in infos):
        return None
    plan = infos[0].plan
    load = {}
    for result, info in zip(members, infos, strict=True):
        requests = result.evaluation.forecast.requests
        load[result.name] = (
            np.zeros_like(requests) if math.isinf(info.capacity_per_replica) else requests / info.capacity_per_replica
        )
    pooled = np.asarray(replicas_needed(sum(load.values()), 1.0, plan.min_replicas), dtype=float)
    separate = sum(
        np.asarray(replicas_needed(r.evaluation.forecast.requests, info.capacity_per_replica, plan.min_replicas), dtype=float)
        for r, info in zip(members, infos, strict=True)
    )
    cost = pooled * plan.replica_usd_per_month + plan.ops_usd_per_month
    # The members' own fleets, without their fixed lines (non-token charges): those are no fleet's.
    separate_cost = sum(r.evaluation.forecast.cost["self_hosted"] - fixed_monthly_usd(r.evaluation.scenario) for r in members)
    return Fleet(tuple(load), plan, load, pooled, separate, cost, separate_cost, _fleet_break_even(members, load, plan))


def _fleet_break_even(members: list[WorkloadResult], load: dict[str, np.ndarray], plan: ServerPlan) -> BreakEven | None:
    """The fleet's break-even against its members on their flagship, for their current mix.

    The mix is one composite request: ``a = sum flagship $ / sum V``, a replica absorbs
    ``C = sum V / sum (V/C_w)`` of them, each of ``sum V·tokens / sum V`` tokens.
    """
    volume = sum(float(r.evaluation.forecast.requests[0]) for r in members)
    replicas_of_load = sum(float(values[0]) for values in load.values())
    flagship = [r.cost.get("flagship_only") for r in members]
    if volume <= 0 or replicas_of_load <= 0 or any(values is None for values in flagship):
        return None
    api_usd_per_request = sum(float(values[0]) for values in flagship) / volume
    tokens = sum(float(r.evaluation.forecast.tokens[0]) for r in members) / volume
    return break_even(
        api_usd_per_request,
        volume / replicas_of_load,
        plan.replica_usd_per_month,
        plan.ops_usd_per_month,
        plan.min_replicas,
        tokens,
    )


def _plan_parts(results: list[WorkloadResult], choices: dict[str, str], months: int) -> tuple[dict, Fleet | None]:
    """Each workload's part of the plan total for these strategy choices, the fleet pooled."""
    members = [r for r in results if choices[r.name] == "self_hosted" and "self_hosted" in r.cost]
    fleet = _fleet(members)
    shares = fleet.shares() if fleet else {}
    parts = {}
    for result in results:
        if result.name in shares:
            parts[result.name] = shares[result.name] + result.amortization + fixed_monthly_usd(result.evaluation.scenario)
        else:
            parts[result.name] = result.cost.get(choices[result.name], np.zeros(months))
    return parts, fleet


def _crossing(values: np.ndarray, budget: float) -> BudgetCrossing:
    over = np.nonzero(values > budget * (1 + 1e-12))[0]
    if not over.size:
        return BudgetCrossing(budget, None, None)
    index = int(over[0])
    return BudgetCrossing(budget, index, float(values[index] - budget))


def evaluate_portfolio(portfolio: Portfolio, catalog: Catalog) -> PortfolioEvaluation:
    """Every workload priced by the engine, the shared fleet, the three totals, moves and budgets."""
    results = [_workload_result(portfolio, w, catalog) for w in portfolio.workloads]
    months = results[0].evaluation.forecast.months
    n = len(months)
    errors: dict[str, str] = {}
    notices: list[str] = []
    for index, result in enumerate(results):
        where = f"workloads[{index}] ({result.name})"
        for key, message in result.evaluation.errors.items():
            errors[f"{where}: {key}"] = message
        notices += [f"{result.name}: {text}" for text in result.evaluation.notices]
        if result.workload.fine_tune and not any(key in result.cost for key in FINE_TUNED):
            notices.append(
                f"{result.name}: the fine-tuning cost applies to hosted_open and self_hosted, and this workload has neither"
            )
    choices = {r.name: r.workload.plan for r in results}
    plan_parts, fleet = _plan_parts(results, choices, n)
    parts = {
        "plan": plan_parts,
        "all_flagship": {r.name: r.cost.get("flagship_only", np.zeros(n)) for r in results},
        "cheapest": {r.name: r.cost[r.cheapest] if r.cheapest else np.zeros(n) for r in results},
    }
    plan_total = _sum(plan_parts.values(), n)
    moves = []
    for result in results:
        if result.cheapest is None or result.cheapest == result.workload.plan:
            continue
        moved, _ = _plan_parts(results, choices | {result.name: result.cheapest}, n)
        saving = plan_total - _sum(moved.values(), n)
        moves.append(Move(result.name, result.workload.plan, result.cheapest, float(saving[0]), float(np.sum(saving))))
    moves.sort(key=lambda move: -move.saves_usd_over_horizon)
    all_moved, _ = _plan_parts(results, choices | {m.name: m.to for m in moves}, n)
    move_all = plan_total - _sum(all_moved.values(), n)
    budget = {}
    if portfolio.budget_usd is not None:
        budget = {key: _crossing(_sum(values.values(), n), portfolio.budget_usd) for key, values in parts.items()}
    workload_budget = {
        r.name: _crossing(plan_parts[r.name], r.workload.budget_usd) for r in results if r.workload.budget_usd is not None
    }
    return PortfolioEvaluation(
        portfolio, months, results, fleet, parts, moves, move_all, budget, workload_budget, errors, notices
    )
