"""What ``evaluate`` returns (calculators/engine.py): every strategy's result, the forecast, the volume
curve and the self-hosting figures, and the CLI's JSON shape of them.

Plain data: the dashboard, the CLI, the portfolio and the Monte Carlo band read these; only the
engine makes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from calculators.breakeven import BreakEven
from calculators.mixed import MixedCost
from calculators.prices import PricedModel
from calculators.scenario import Scenario
from calculators.selfhost import ServerPlan

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
