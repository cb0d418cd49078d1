"""Evaluate a scenario: every strategy's cost now, over the forecast, and against volume.

``evaluate(scenario, catalog)`` is the one entry point the dashboard, the CLI and the tests
share. Each strategy is computed on its own: a strategy that cannot be priced (a model not
in the catalog, shares that do not add up, a server with zero throughput) carries an
``error`` and the others are still computed.

Definitions: a month is 730 hours; ``monthly_cost_usd`` is the first forecast month at the
workload as given, with the prices in force in that month (day-weighted when a price
changes mid-month); savings are ``1 - strategy / flagship_only``. Every strategy's cost (this
month, forecast, volume curve) includes the workload's fixed ``other_monthly_usd`` line
(non-token charges), shown as its own part of the breakdown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from calculators.breakeven import break_even
from calculators.costs import CostParts, request_cost
from calculators.mixed import MixedCost, mixed_break_even, mixed_cost
from calculators.prices import (
    PricedModel,
    UnknownModelError,
    entry_weights,
    lifecycle_notes,
    month_starts,
    price_events,
    price_model,
)
from calculators.results import (
    OTHER_CHARGES,
    BreakdownRow,
    Curve,
    Evaluation,
    Forecast,
    MixedInfo,
    SelfHostedInfo,
    StrategyResult,
    fixed_monthly_usd,
)
from calculators.scenario import ModelSlot, Scenario
from calculators.selfhost import ServerPlan, replica_capacity_per_month, replicas_needed, self_hosted_monthly_cost
from calculators.server_plan import resolve_server_plan
from calculators.strategies import BASELINES, REGISTRY, STRATEGIES, STRATEGY_LABELS, Bill, StrategyError, mixed_slots
from pricing.catalog import Catalog

CURVE_POINTS = 200
# ------------------------------------------------------------------- API strategies


def _slot_cost_per_month(
    priced: PricedModel,
    scenario: Scenario,
    months: int,
    input_tokens: float,
    reasoning_tokens: float,
    draft_tokens: float = 0.0,
) -> tuple[np.ndarray, CostParts]:
    """Per-request $ for each forecast month, and the month-0 split by part."""
    w = scenario.workload
    parts = [
        request_cost(
            entry,
            input_tokens,
            w.output_tokens,
            reasoning_tokens,
            w.cached_input_share,
            w.cache_write_share,
            w.batch_share,
            draft_tokens,
        )
        for entry in priced.prices
    ]
    weights = entry_weights(priced.prices, scenario.growth.start_month, months)
    totals = np.array([p.total for p in parts]) @ weights
    first = CostParts()
    for share, p in zip(weights[:, 0], parts, strict=True):
        if share:
            first = first.plus(p.scaled(share))
    return totals, first


def _notes_for(priced: PricedModel, scenario: Scenario, until: dt.date) -> list[str]:
    notes = []
    if priced.model is None:
        notes.append(f"{priced.name} is not in the catalog: priced from the scenario's price override")
    elif priced.overridden:
        notes.append(f"{priced.display_name}: catalog price overridden in this scenario")
    notes += lifecycle_notes(priced, scenario.growth.start_month, until)
    if scenario.workload.batch_share > 0 and priced.price_on(scenario.growth.start_month).batch_discount is None:
        notes.append(f"{priced.display_name} has no batch discount: batch requests are billed at the standard price")
    return notes


def unavailable_months(priced: PricedModel, start: dt.date, months: int) -> np.ndarray:
    """Forecast months (bools) from the one in which ``priced`` shuts down with no successor on."""
    gone = priced.unavailable_from
    if gone is None:
        return np.zeros(months, dtype=bool)
    ends = month_starts(start, months)[1:]
    return np.array([end > gone for end in ends])


class _ApiStrategyBuilder:
    """Accumulates per-request cost arrays and breakdown rows for one API strategy."""

    def __init__(self, key: str, scenario: Scenario, catalog: Catalog, months: int, until: dt.date):
        self.result = StrategyResult(key, STRATEGY_LABELS[key])
        self.scenario, self.catalog, self.months, self.until = scenario, catalog, months, until
        self.per_request = np.zeros(months)

    def add(self, model_name: str, weight: float, reasoning: float | None, draft_tokens: float = 0.0) -> PricedModel:
        priced = price_model(self.catalog, model_name, self.scenario.overrides)
        w = self.scenario.workload
        per_month, first = _slot_cost_per_month(
            priced,
            self.scenario,
            self.months,
            w.input_tokens,
            w.reasoning_tokens if reasoning is None else reasoning,
            draft_tokens,
        )
        gone = unavailable_months(priced, self.scenario.growth.start_month, self.months)
        if gone[0]:
            raise StrategyError(
                f"{priced.unavailable_name} shut down on {priced.unavailable_from.isoformat()} and the catalog names no "
                "successor: pick another model"
            )
        if weight:
            per_month = np.where(gone, np.nan, per_month)  # never priced once it no longer exists
        self.per_request += weight * per_month
        volume = w.requests_per_month * weight
        for part, usd in first.as_dict().items():
            if usd:
                self.result.breakdown.append(BreakdownRow(priced.display_name, part, usd * volume))
        self.result.models.append(priced)
        self.result.notes += [n for n in _notes_for(priced, self.scenario, self.until) if n not in self.result.notes]
        return priced

    def finish(self) -> StrategyResult:
        self.result.usd_per_request = self.per_request
        self.result.monthly_cost_usd = float(self.per_request[0] * self.scenario.workload.requests_per_month)
        return self.result


def _api_strategy(key: str, scenario: Scenario, catalog: Catalog, months: int, until: dt.date) -> StrategyResult:
    """``Σ weight · request_cost`` over the strategy's bills (``strategies.REGISTRY``)."""
    strategy = REGISTRY[key]
    builder = _ApiStrategyBuilder(key, scenario, catalog, months, until)
    try:
        strategy.check(scenario)
        priced = [builder.add(*_bill_terms(bill, scenario.workload)) for bill in strategy.bills(scenario)]
    except (UnknownModelError, StrategyError) as exc:
        return StrategyResult(key, strategy.label, error=str(exc))
    builder.result.notes += strategy.notes(scenario, priced)
    return builder.finish()


def _bill_terms(bill: Bill, workload) -> tuple[str, float, float | None, float]:
    """(model, weight, reasoning tokens, draft tokens) of one bill, as ``_ApiStrategyBuilder.add`` takes them.

    A forwarded draft is new text for the model: uncached input, never a cache read."""
    draft = workload.output_tokens if bill.forward_draft else 0.0
    return bill.slot.model, bill.weight, bill.slot.reasoning_tokens, draft


# ------------------------------------------------------------------------ self-hosted


def _self_hosted(scenario: Scenario, catalog: Catalog) -> tuple[StrategyResult, ServerPlan | None, float]:
    result = StrategyResult("self_hosted", STRATEGY_LABELS["self_hosted"])
    try:
        plan = resolve_server_plan(scenario.self_hosted, catalog, scenario.workload)
    except StrategyError as exc:
        result.error = str(exc)
        return result, None, math.nan
    w = scenario.workload
    capacity = replica_capacity_per_month(plan, w.input_tokens, w.output_tokens + w.reasoning_tokens)
    replicas = replicas_needed(w.requests_per_month, capacity, plan.min_replicas)
    result.monthly_cost_usd = float(self_hosted_monthly_cost(w.requests_per_month, plan, capacity))
    result.breakdown = [BreakdownRow("GPUs", "gpus", replicas * plan.replica_usd_per_month)]
    if plan.ops_usd_per_month:
        result.breakdown.append(BreakdownRow("Operations", "ops", plan.ops_usd_per_month))
    if replicas == 0:
        result.notes.append("no replica runs: min_replicas is 0 and there is no traffic")
    if plan.capacity is not None:
        result.notes.append(plan.capacity.describe())
    return result, plan, capacity


def _self_hosted_mixed(
    scenario: Scenario,
    catalog: Catalog,
    until: dt.date,
    requests: np.ndarray,
    plan: ServerPlan | None,
    capacity: float,
    strategies: dict[str, StrategyResult],
) -> tuple[StrategyResult, MixedInfo | None]:
    """The small share on the ``self_hosted`` server, the rest (and any overflow) on API models."""
    key = "self_hosted_mixed"
    settings = scenario.self_hosted_mixed
    result = StrategyResult(key, STRATEGY_LABELS[key])
    flagship, overflow = mixed_slots(scenario)
    if plan is None:
        result.error = "the self-hosted + flagship strategy runs its share on the self_hosted server: set up self_hosted first"
        return result, None
    if flagship is None:
        result.error = "self_hosted_mixed needs a flagship model: give self_hosted_mixed.flagship or flagship_only"
        return result, None
    try:
        priced = _price_mixed_slots(scenario, catalog, len(requests), until, {"flagship": flagship, "overflow": overflow})
    except (UnknownModelError, StrategyError) as exc:
        result.error = str(exc)
        return result, None
    s, g, ops = settings.small_share, plan.replica_usd_per_month, plan.ops_usd_per_month
    flagship_price = priced["flagship"].per_request
    overflow_price = priced["overflow"].per_request if "overflow" in priced else np.zeros(len(requests))
    cost = mixed_cost(requests, s, flagship_price, overflow_price, capacity, g, ops, plan.min_replicas, settings.overflow_to_api)
    _fill_mixed_result(result, priced, cost, float(requests[0]), g, ops)
    breaks, baseline_cost = {}, {}
    for other in BASELINES:
        base = strategies.get(other)
        if base is not None and base.ok:
            breaks[other] = mixed_break_even(
                float(base.usd_per_request[0]),
                float(flagship_price[0]),
                float(overflow_price[0]),
                s,
                capacity,
                g,
                ops,
                plan.min_replicas,
                settings.overflow_to_api,
                scenario.workload.tokens_per_request,
            )
            baseline_cost[other] = base.usd_per_request * requests
    firsts = first_cheaper({key: cost.total_usd, **baseline_cost}, key)
    replicas = int(cost.replicas[0])
    fleet = (replicas, replicas * plan.gpus_per_replica)
    return result, MixedInfo(s, settings.overflow_to_api, flagship_price, overflow_price, cost, breaks, firsts, *fleet)


def _price_mixed_slots(
    scenario: Scenario, catalog: Catalog, months: int, until: dt.date, slots: dict[str, ModelSlot | None]
) -> dict[str, _ApiStrategyBuilder]:
    """Each API slot of the mix priced per request (its breakdown rows at the whole volume); a None slot is skipped."""
    priced = {}
    for name, slot in slots.items():
        if slot is None:  # no overflow to the API
            continue
        priced[name] = _ApiStrategyBuilder("self_hosted_mixed", scenario, catalog, months, until)
        priced[name].add(slot.model, 1.0, slot.reasoning_tokens)
    return priced


def _fill_mixed_result(
    result: StrategyResult, priced: dict[str, _ApiStrategyBuilder], cost: MixedCost, v0: float, g: float, ops: float
) -> None:
    """The mix's first month: its API slots' rows scaled to the requests they get, its GPUs and operations."""
    for name, volume in (("flagship", cost.flagship_requests[0]), ("overflow", cost.overflow[0])):
        if name in priced:
            share = float(volume) / v0 if v0 else 0.0
            result.breakdown += [replace(row, usd=row.usd * share) for row in priced[name].result.breakdown if share]
            result.models += [m for m in priced[name].result.models if m not in result.models]
            result.notes += [n for n in priced[name].result.notes if n not in result.notes]
    result.breakdown.append(BreakdownRow("GPUs", "gpus", float(cost.replicas[0]) * g))
    if ops:
        result.breakdown.append(BreakdownRow("Operations", "ops", ops))
    result.monthly_cost_usd = float(cost.total_usd[0])


# ------------------------------------------------------------------------- evaluation


def first_cheaper(series: Mapping[str, np.ndarray], challenger: str = "self_hosted") -> dict[str, int | None]:
    """Against each baseline in ``series``: the first month index where ``challenger`` costs strictly less (None: never).

    Applied to monthly costs it is the first cheaper month; to cumulative costs, the payback month.

    >>> first_cheaper({"self_hosted": np.array([5, 4, 1]), "hybrid": np.array([3, 3, 3])})
    {'hybrid': 2}
    """
    if challenger not in series:
        return {}
    out: dict[str, int | None] = {}
    for other in BASELINES:
        if other in series:
            cheaper = np.nonzero(series[challenger] < series[other])[0]
            out[other] = int(cheaper[0]) if cheaper.size else None
    return out


def _volume_range(scenario: Scenario, marks: list[float]) -> tuple[float, float]:
    v0 = max(scenario.workload.requests_per_month, 1.0)
    lo, hi = v0 / 1000, v0 * 1000
    for mark in marks:
        lo, hi = min(lo, mark / 10), max(hi, mark * 10)
    ceiling = 1e15 / max(scenario.workload.tokens_per_request, 1.0)
    lo = max(1.0, 10 ** math.floor(math.log10(max(lo, 1.0))))
    hi = min(ceiling, 10 ** math.ceil(math.log10(max(hi, lo * 10))))
    return lo, max(hi, lo * 10)


def evaluate(scenario: Scenario, catalog: Catalog) -> Evaluation:
    """Every strategy of ``scenario`` priced with ``catalog``.

    Example (the source article's routing claim): 75% of requests on Claude Haiku 4.5
    ($1/$5) and 25% on Opus 4.5 ($5/$25) cost 0.75·1 + 0.25·5 = 2 units against Opus-only's
    5 (the same ratio holds for input and output), a 60% saving.
    """
    g = scenario.growth
    months = g.horizon_months
    bounds = month_starts(g.start_month, months)
    until = bounds[-1]
    strategies: dict[str, StrategyResult] = {}
    for key in scenario.strategies():
        if REGISTRY[key].kind == "api":
            strategies[key] = _api_strategy(key, scenario, catalog, months, until)

    requests = scenario.workload.requests_per_month * (1.0 + g.monthly_rate) ** np.arange(months)
    cost = {k: r.usd_per_request * requests for k, r in strategies.items() if r.ok}
    info, plan, capacity = None, None, math.nan
    if scenario.self_hosted is not None:
        result, plan, capacity = _self_hosted(scenario, catalog)
        strategies["self_hosted"] = result
        if result.ok:
            cost["self_hosted"] = self_hosted_monthly_cost(requests, plan, capacity)
            info = _self_hosted_info(scenario, plan, capacity, strategies)
    mixed = None
    if scenario.self_hosted_mixed is not None:
        result, mixed = _self_hosted_mixed(scenario, catalog, until, requests, plan, capacity, strategies)
        strategies["self_hosted_mixed"] = result
        if mixed is not None:
            cost["self_hosted_mixed"] = mixed.cost.total_usd

    other = fixed_monthly_usd(scenario)
    cost = _add_other_charges(strategies, cost, other)
    curve = _volume_curve(scenario, strategies, info, mixed, plan, capacity, other)
    events, notices = _events_and_notices(strategies, g.start_month, until)
    return Evaluation(
        scenario=scenario,
        strategies={k: strategies[k] for k in STRATEGIES if k in strategies},
        forecast=_forecast(bounds[:-1], requests, scenario.workload.tokens_per_request, cost),
        curve=curve,
        self_hosted=info,
        events=events,
        notices=notices,
        mixed=mixed,
    )


def _self_hosted_info(
    scenario: Scenario, plan: ServerPlan, capacity: float, strategies: dict[str, StrategyResult]
) -> SelfHostedInfo:
    """The fleet at this month's volume, its $ per 1M tokens at full replicas, and its break-even volumes."""
    replicas = int(replicas_needed(scenario.workload.requests_per_month, capacity, plan.min_replicas))
    tokens = scenario.workload.tokens_per_request
    per_m = plan.replica_usd_per_month / (capacity * tokens) * 1e6 if tokens and math.isfinite(capacity) else 0.0
    breaks = {}
    for other in BASELINES:
        base = strategies.get(other)
        if base is not None and base.ok:
            breaks[other] = break_even(
                float(base.usd_per_request[0]),
                capacity,
                plan.replica_usd_per_month,
                plan.ops_usd_per_month,
                plan.min_replicas,
                tokens,
            )
    return SelfHostedInfo(plan, capacity, replicas, replicas * plan.gpus_per_replica, per_m, breaks)


def _add_other_charges(strategies: dict[str, StrategyResult], cost: dict, other: float) -> dict:
    """The fixed monthly line on every priced strategy: its month, its breakdown and its forecast."""
    if not other:
        return cost
    for result in strategies.values():
        if result.ok:
            result.monthly_cost_usd += other
            result.breakdown.append(BreakdownRow(OTHER_CHARGES, "other", other))
    return {k: v + other for k, v in cost.items()}


def _forecast(months: list[dt.date], requests: np.ndarray, tokens_per_request: float, cost: dict) -> Forecast:
    cumulative = {k: np.cumsum(v) for k, v in cost.items()}
    return Forecast(
        months=months,
        requests=requests,
        tokens=requests * tokens_per_request,
        cost=cost,
        cumulative=cumulative,
        first_self_hosted_cheaper=first_cheaper(cost),
        self_hosted_payback=first_cheaper(cumulative),
    )


def _volume_curve(
    scenario: Scenario,
    strategies: dict[str, StrategyResult],
    info: SelfHostedInfo | None,
    mixed: MixedInfo | None,
    plan: ServerPlan | None,
    capacity: float,
    other: float,
) -> Curve:
    """Each strategy's monthly cost at log-spaced volumes around this month's, wide enough for the break-even
    marks (``plan``: the self-hosted server, None when it is off or cannot be priced)."""
    marks = []
    if info:
        for be in info.break_even.values():
            marks += [v for v in (be.first_requests_per_month, be.sustained_requests_per_month) if v]
    lo, hi = _volume_range(scenario, marks)
    volumes = np.logspace(math.log10(lo), math.log10(hi), CURVE_POINTS)
    curve_cost = {k: r.usd_per_request[0] * volumes for k, r in strategies.items() if r.ok and r.usd_per_request is not None}
    step_volumes = step_costs = np.empty(0)
    if plan is not None:
        curve_cost["self_hosted"] = self_hosted_monthly_cost(volumes, plan, capacity)
        step_volumes, step_costs = _staircase(lo, hi, plan, capacity)
        step_costs = step_costs + other
    if mixed is not None:
        prices = (mixed.flagship_usd_per_request[0], mixed.overflow_usd_per_request[0])
        server = (capacity, plan.replica_usd_per_month, plan.ops_usd_per_month, plan.min_replicas, mixed.overflow_to_api)
        curve_cost["self_hosted_mixed"] = mixed_cost(volumes, mixed.small_share, *prices, *server).total_usd
    curve_cost = {k: v + other for k, v in curve_cost.items()}
    return Curve(volumes, curve_cost, step_volumes, step_costs)


def _events_and_notices(
    strategies: dict[str, StrategyResult], start: dt.date, until: dt.date
) -> tuple[list[tuple[dt.date, str]], list[str]]:
    """The dated price changes in the horizon (once each, by date) and every strategy's notes, labelled."""
    events: list[tuple[dt.date, str]] = []
    notices: list[str] = []
    for result in strategies.values():
        for priced in result.models:
            for event in price_events(priced, start, until):
                if event not in events:
                    events.append(event)
        notices += [f"{result.label}: {n}" for n in result.notes]
    events.sort()
    return events, notices


MAX_STEPS_DRAWN = 400


def _staircase(lo: float, hi: float, plan: ServerPlan, capacity: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of the self-hosted cost staircase on [lo, hi], for a 'horizontal then vertical' line.

    Point ``i`` holds its cost until point ``i+1``: the first point is ``lo``; then each
    replica boundary ``n·C`` carries the cost of ``n+1`` replicas (the cost right after it).
    Beyond MAX_STEPS_DRAWN steps in range the steps are thinner than a pixel, and the
    boundaries are subsampled evenly in log space.
    """
    if not math.isfinite(capacity) or capacity <= 0:
        return np.array([lo, hi]), np.full(2, float(self_hosted_monthly_cost(lo, plan, capacity)))
    # Replica counts n whose boundary n·C lies inside (lo, hi); below min_replicas nothing changes.
    n_first = max(math.floor(lo / capacity) + 1, plan.min_replicas, 1)
    n_last = math.ceil(hi / capacity) - 1
    if n_last < n_first:
        n = np.empty(0)
    elif n_last - n_first + 1 <= MAX_STEPS_DRAWN:
        n = np.arange(n_first, n_last + 1, dtype=float)
    else:
        # Never materialize every step: a tiny replica (a forged link can ask for 1 token/s)
        # at a large volume would mean billions of them.
        n = np.unique(np.round(np.geomspace(n_first, n_last, MAX_STEPS_DRAWN)))
    boundaries = n * capacity
    boundaries = boundaries[(boundaries > lo) & (boundaries < hi)]
    volumes = np.concatenate(([lo], boundaries, [hi]))
    after = np.concatenate(([lo], boundaries * (1 + 1e-9), [hi]))
    return volumes, self_hosted_monthly_cost(after, plan, capacity)
