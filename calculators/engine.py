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
from dataclasses import dataclass, field, replace

import numpy as np

from calculators.breakeven import BreakEven, break_even
from calculators.capacity import CapacityError
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
from calculators.scenario import Scenario, SelfHosted, Workload
from calculators.selfhost import ServerPlan, replica_capacity_per_month, replicas_needed, self_hosted_monthly_cost
from calculators.selfhost_capacity import resolve_capacity
from calculators.strategies import BASELINES, REGISTRY, STRATEGIES, STRATEGY_LABELS, Bill, StrategyError, mixed_slots
from pricing.catalog import Catalog

CURVE_POINTS = 200
OTHER_CHARGES = "Other charges"  # the breakdown's component for workload.other_monthly_usd


def fixed_monthly_usd(scenario: Scenario) -> float:
    """The fixed line every strategy's monthly cost carries: ``workload.other_monthly_usd`` (0 when absent).

    Non-token charges (web search, tool calls, code execution) do not depend on the model a
    request runs on, so they are the same dollars under every strategy: they raise every total
    (and lower every saving in percent) but move no break-even volume and no comparison.
    """
    return float(scenario.workload.other_monthly_usd or 0.0)


@dataclass(frozen=True)
class BreakdownRow:
    component: str  # a model's display name, "GPUs", "Operations" or "Other charges"
    part: str  # input, cached_input, cache_write, output, reasoning, gpus, ops, other
    usd: float


@dataclass
class StrategyResult:
    key: str
    label: str
    error: str | None = None
    monthly_cost_usd: float | None = None
    usd_per_request: np.ndarray | None = None  # per forecast month (API strategies)
    breakdown: list[BreakdownRow] = field(default_factory=list)
    models: list[PricedModel] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class SelfHostedInfo:
    plan: ServerPlan
    capacity_per_replica: float  # requests a month
    replicas: int
    gpus: int
    usd_per_million_tokens_full: float  # at full replicas, for comparisons
    break_even: dict[str, BreakEven]


@dataclass
class MixedInfo:
    """The self-hosted + flagship strategy (calculators/mixed.py): fleet and traffic split by forecast month."""

    small_share: float
    overflow_to_api: bool
    flagship_usd_per_request: np.ndarray  # per forecast month
    overflow_usd_per_request: np.ndarray  # per forecast month (zeros without overflow)
    cost: MixedCost  # arrays per forecast month: replicas, served, overflow, flagship requests, dollars
    break_even: dict[str, BreakEven]  # vs flagship_only / hybrid, in requests a month (all traffic)
    first_cheaper: dict[str, int | None]  # vs strategy → first forecast month index where mixed is cheaper
    replicas: int = 0  # in the first forecast month
    gpus: int = 0  # replicas x GPUs per replica, in the first forecast month


@dataclass
class Forecast:
    months: list[dt.date]
    requests: np.ndarray
    tokens: np.ndarray
    cost: dict[str, np.ndarray]
    cumulative: dict[str, np.ndarray]
    first_self_hosted_cheaper: dict[str, int | None]  # vs strategy → month index or None
    self_hosted_payback: dict[str, int | None] = field(default_factory=dict)  # the same for the running totals

    def month_label(self, index: int | None) -> str | None:
        return None if index is None else self.months[index].strftime("%Y-%m")


@dataclass
class Curve:
    volumes: np.ndarray  # requests a month, log-spaced
    cost: dict[str, np.ndarray]  # API strategies (linear) and self-hosted sampled at volumes
    step_volumes: np.ndarray  # exact staircase: self-hosted cost changes right after each volume
    step_costs: np.ndarray


@dataclass
class Evaluation:
    scenario: Scenario
    strategies: dict[str, StrategyResult]
    forecast: Forecast
    curve: Curve
    self_hosted: SelfHostedInfo | None
    events: list[tuple[dt.date, str]]
    notices: list[str]
    mixed: MixedInfo | None = None

    @property
    def monthly_cost_usd(self) -> dict[str, float]:
        return {k: s.monthly_cost_usd for k, s in self.strategies.items() if s.ok}

    @property
    def savings_vs_flagship_only(self) -> dict[str, float | None]:
        base = self.strategies.get("flagship_only")
        out: dict[str, float | None] = {}
        for key, result in self.strategies.items():
            if not result.ok:
                continue
            if base is None or not base.ok or not base.monthly_cost_usd:
                out[key] = None
            else:
                out[key] = 1.0 - result.monthly_cost_usd / base.monthly_cost_usd
        return out

    @property
    def errors(self) -> dict[str, str]:
        return {k: s.error for k, s in self.strategies.items() if s.error}

    def api_cost_at(self, key: str, requests_per_month: float) -> float | None:
        """What API strategy ``key`` costs a month at another volume, at the first month's prices (None: not priced)."""
        result = self.strategies.get(key)
        if result is None or not result.ok or result.usd_per_request is None:
            return None
        return float(result.usd_per_request[0]) * requests_per_month + fixed_monthly_usd(self.scenario)

    def to_json_dict(self) -> dict:
        """The CLI's JSON shape (documented in the README)."""
        doc: dict = {
            "scenario": self.scenario.name,
            "start_month": self.forecast.months[0].strftime("%Y-%m"),
            "monthly_cost_usd": self.monthly_cost_usd,
            "savings_vs_flagship_only": self.savings_vs_flagship_only,
        }
        if self.scenario.workload.other_monthly_usd is not None:
            doc["other_monthly_usd"] = fixed_monthly_usd(self.scenario)  # included in every cost below
        if self.self_hosted is not None:
            info = self.self_hosted
            doc["self_hosted"] = {
                "replicas": info.replicas,
                "gpus": info.gpus,
                "capacity_requests_per_month_per_replica": info.capacity_per_replica,
                **({"limit": info.plan.capacity.limit} if info.plan.capacity is not None else {}),
                "break_even": {f"vs_{k}": v.as_dict() for k, v in info.break_even.items()},
                "first_month_cheaper": {
                    f"vs_{k}": self.forecast.month_label(v) for k, v in self.forecast.first_self_hosted_cheaper.items()
                },
            }
        if self.mixed is not None:
            mixed = self.mixed
            doc["self_hosted_mixed"] = {
                "small_share": mixed.small_share,
                "overflow_to_api": mixed.overflow_to_api,
                "replicas": int(mixed.cost.replicas[0]),
                "overflow_requests_per_month": float(mixed.cost.overflow[0]),
                "break_even": {f"vs_{k}": v.as_dict() for k, v in mixed.break_even.items()},
                "first_month_cheaper": {f"vs_{k}": self.forecast.month_label(v) for k, v in mixed.first_cheaper.items()},
            }
        rows = []
        for t, month in enumerate(self.forecast.months):
            row = {"month": month.strftime("%Y-%m"), "requests": float(self.forecast.requests[t])}
            row |= {k: float(v[t]) for k, v in self.forecast.cost.items()}
            rows.append(row)
        doc["forecast"] = rows
        doc["cumulative_cost_usd"] = {k: float(v[-1]) for k, v in self.forecast.cumulative.items()}
        doc["events"] = [{"date": d.isoformat(), "event": text} for d, text in self.events]
        doc["errors"] = self.errors
        doc["notices"] = self.notices
        return doc


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


def resolve_server_plan(settings: SelfHosted, catalog: Catalog, workload: Workload | None = None) -> ServerPlan:
    """Profile values with the scenario's explicit numbers taking precedence.

    A section naming a ``model`` is sized by the capacity model at ``workload``'s request shape
    (calculators/selfhost_capacity.py); its explicit throughput numbers still override.
    """
    profile = None
    if settings.profile:
        profile = catalog.profiles.get(settings.profile)
        if profile is None:
            raise StrategyError(f"serving profile {settings.profile!r} is not in serving.yaml")
    capacity = None
    if settings.model:
        if workload is None:
            raise StrategyError("the capacity model needs the workload's request shape")
        try:
            capacity = resolve_capacity(
                settings, catalog, profile, workload.input_tokens, workload.output_tokens + workload.reasoning_tokens
            )
        except CapacityError as exc:
            raise StrategyError(f"self_hosted: {exc}") from None
        modelled = {
            "gpus_per_replica": capacity.replica.gpus,
            "prefill_tokens_per_s": capacity.point.prefill_tokens_per_s * settings.efficiency_factor,
            "decode_tokens_per_s": capacity.point.decode_tokens_per_s * settings.efficiency_factor,
        }
    values = {}
    for key in ("gpus_per_replica", "prefill_tokens_per_s", "decode_tokens_per_s"):
        value = getattr(settings, key)
        if value is None and capacity is not None:
            value = modelled[key]
        if value is None and profile is not None:
            value = getattr(profile, key)
        values[key] = value
    gpu_hour = settings.gpu_hour_usd
    if gpu_hour is None and capacity is not None:
        gpu_hour = catalog.offers[capacity.offer].usd_per_gpu_hour
    if gpu_hour is None and profile is not None:
        gpu_hour = catalog.offers[profile.default_offer].usd_per_gpu_hour
    missing = [k for k, v in (*values.items(), ("gpu_hour_usd", gpu_hour)) if v is None]
    if missing:
        raise StrategyError(f"self_hosted needs a serving profile, a model, or these values: {', '.join(missing)}")
    if values["prefill_tokens_per_s"] <= 0 or values["decode_tokens_per_s"] <= 0:
        raise StrategyError("self_hosted throughput must be above zero tokens per second")
    name = profile.name if profile else "custom server"
    if capacity is not None:
        r = capacity.replica
        name = f"{r.model.name}, {r.gpus}x {r.gpu.name} ({r.precision}, capacity model)"
    return ServerPlan(
        gpus_per_replica=int(values["gpus_per_replica"]),
        gpu_hour_usd=float(gpu_hour),
        prefill_tokens_per_s=float(values["prefill_tokens_per_s"]),
        decode_tokens_per_s=float(values["decode_tokens_per_s"]),
        utilization=settings.utilization,
        peak_to_average=settings.peak_to_average,
        min_replicas=settings.min_replicas,
        ops_usd_per_month=settings.ops_usd_per_month,
        profile=settings.profile,
        profile_name=name,
        capacity=capacity,
    )


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
    months = len(requests)
    slots = {"flagship": flagship, "overflow": overflow}
    priced: dict[str, _ApiStrategyBuilder] = {}
    try:
        for name, slot in slots.items():
            if slot is None:  # no overflow to the API
                continue
            priced[name] = _ApiStrategyBuilder(key, scenario, catalog, months, until)
            priced[name].add(slot.model, 1.0, slot.reasoning_tokens)  # $ per request, rows at the whole volume
    except (UnknownModelError, StrategyError) as exc:
        result.error = str(exc)
        return result, None
    s, g, ops = settings.small_share, plan.replica_usd_per_month, plan.ops_usd_per_month
    flagship_price = priced["flagship"].per_request
    overflow_price = priced["overflow"].per_request if "overflow" in priced else np.zeros(months)
    cost = mixed_cost(requests, s, flagship_price, overflow_price, capacity, g, ops, plan.min_replicas, settings.overflow_to_api)
    v0 = float(requests[0])
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

    info = None
    plan = None
    capacity = math.nan
    if scenario.self_hosted is not None:
        result, plan, capacity = _self_hosted(scenario, catalog)
        strategies["self_hosted"] = result
        if result.ok:
            cost["self_hosted"] = self_hosted_monthly_cost(requests, plan, capacity)
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
            info = SelfHostedInfo(plan, capacity, replicas, replicas * plan.gpus_per_replica, per_m, breaks)
    mixed = None
    if scenario.self_hosted_mixed is not None:
        result, mixed = _self_hosted_mixed(scenario, catalog, until, requests, plan, capacity, strategies)
        strategies["self_hosted_mixed"] = result
        if mixed is not None:
            cost["self_hosted_mixed"] = mixed.cost.total_usd

    other = fixed_monthly_usd(scenario)
    if other:
        for result in strategies.values():
            if result.ok:
                result.monthly_cost_usd += other
                result.breakdown.append(BreakdownRow(OTHER_CHARGES, "other", other))
        cost = {k: v + other for k, v in cost.items()}
    cumulative = {k: np.cumsum(v) for k, v in cost.items()}
    forecast = Forecast(
        months=bounds[:-1],
        requests=requests,
        tokens=requests * scenario.workload.tokens_per_request,
        cost=cost,
        cumulative=cumulative,
        first_self_hosted_cheaper=first_cheaper(cost),
        self_hosted_payback=first_cheaper(cumulative),
    )

    marks = []
    if info:
        for be in info.break_even.values():
            marks += [v for v in (be.first_requests_per_month, be.sustained_requests_per_month) if v]
    lo, hi = _volume_range(scenario, marks)
    volumes = np.logspace(math.log10(lo), math.log10(hi), CURVE_POINTS)
    curve_cost = {k: r.usd_per_request[0] * volumes for k, r in strategies.items() if r.ok and r.usd_per_request is not None}
    step_volumes = step_costs = np.empty(0)
    if plan is not None and "self_hosted" in cost:
        curve_cost["self_hosted"] = self_hosted_monthly_cost(volumes, plan, capacity)
        step_volumes, step_costs = _staircase(lo, hi, plan, capacity)
        step_costs = step_costs + other
    if mixed is not None:
        prices = (mixed.flagship_usd_per_request[0], mixed.overflow_usd_per_request[0])
        server = (capacity, plan.replica_usd_per_month, plan.ops_usd_per_month, plan.min_replicas, mixed.overflow_to_api)
        curve_cost["self_hosted_mixed"] = mixed_cost(volumes, mixed.small_share, *prices, *server).total_usd
    curve_cost = {k: v + other for k, v in curve_cost.items()}

    events: list[tuple[dt.date, str]] = []
    notices: list[str] = []
    for result in strategies.values():
        for priced in result.models:
            for event in price_events(priced, g.start_month, until):
                if event not in events:
                    events.append(event)
        notices += [f"{result.label}: {n}" for n in result.notes]
    events.sort()
    return Evaluation(
        scenario=scenario,
        strategies={k: strategies[k] for k in STRATEGIES if k in strategies},
        forecast=forecast,
        curve=Curve(volumes, curve_cost, step_volumes, step_costs),
        self_hosted=info,
        events=events,
        notices=notices,
        mixed=mixed,
    )


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
