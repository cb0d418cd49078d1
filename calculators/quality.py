"""Quality-adjusted cost: token cost plus the expected cost of wrong answers.

Off unless the scenario has a ``quality`` section. The user gives, for their own task, an
error rate per model (``error_rates``: share of requests a model answers wrongly), what one
wrong answer costs them (``cost_per_error_usd``: a support ticket, a refund, a human review)
and, for the cascade, the small model's miss rate. Per strategy and forecast month, with ``V``
requests and ``r(model)`` the error rates::

    flagship_only, hosted_open   errors = V·r(model)
    hybrid                       errors = V·Σ share_i·r(model_i)
    cascade                      errors = V·((1 - e)·miss + e·r(second))
    self_hosted                  errors = V·r_self
    self_hosted_mixed            errors = served·r_self + overflow·r(overflow model) + (1 - s)·V·r(flagship)

    error cost = errors · cost_per_error_usd;   total = token cost + error cost

Cascade: ``e`` is the escalation rate and ``miss`` (``cascade_miss_rate``) the share of the
NOT escalated requests that are wrong answers the small model let through; escalated requests
are answered by the second model and err at its rate. The small model's own error rate is
not used for the cascade: the verifier decides which of its answers are kept, and how well it
does that is what ``miss`` measures.

Self-hosted rate ``r_self``: ``self_hosted_error_rate`` if given; else the rate given for the
serving profile's open model id (e.g. ``llama-3.3-70b``); else the rate of a rated catalog
model serving the same open weights (e.g. the hosted ``together-llama-3.3-70b``).

A strategy whose rates are not all given is "not rated" (its error cost is None and
``missing`` says what to add): a missing rate is never taken as 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from calculators.engine import Evaluation
from calculators.scenario import Quality, Scenario
from calculators.strategies import REGISTRY
from pricing.catalog import Catalog


@dataclass
class StrategyQuality:
    key: str
    token_usd: np.ndarray  # per forecast month (the engine's forecast)
    errors: np.ndarray | None = None  # expected wrong answers per forecast month
    error_rate: np.ndarray | None = None  # errors / requests per forecast month
    error_usd: np.ndarray | None = None
    missing: list[str] = field(default_factory=list)  # rates to give before this strategy is rated

    @property
    def rated(self) -> bool:
        return self.error_usd is not None

    @property
    def total_usd(self) -> np.ndarray | None:
        return None if self.error_usd is None else self.token_usd + self.error_usd


@dataclass
class QualityResult:
    cost_per_error_usd: float
    strategies: dict[str, StrategyQuality]

    def month0(self) -> dict[str, tuple[float, float | None]]:
        """Strategy → (token cost, error cost or None) in the first forecast month."""
        return {
            k: (float(q.token_usd[0]), None if q.error_usd is None else float(q.error_usd[0])) for k, q in self.strategies.items()
        }


class _Rates:
    """Error rates by model name: the scenario's key, or any alias of the same catalog model."""

    def __init__(self, quality: Quality, catalog: Catalog | None):
        self.rates = dict(quality.error_rates)
        self.catalog = catalog
        self.missing: list[str] = []

    def _keys(self, name: str) -> list[str]:
        """The keys of ``error_rates`` naming this model: itself, or (with a catalog) any alias of it."""
        if self.catalog is None:
            return [name] if name in self.rates else []
        return self.catalog.keys_naming(self.rates, name)

    def need(self, name: str) -> float:
        """The rate of ``name``; records it as missing (and returns NaN) when there is none, or when two keys
        name the model (which one is meant is not known)."""
        keys = self._keys(name)
        if len(keys) == 1:
            return self.rates[keys[0]]
        given = " and ".join(repr(key[:60]) for key in keys[:3])
        self.missing.append(f"error_rates.{name} once (it is given as {given})" if keys else f"error_rates.{name}")
        return float("nan")

    def self_hosted(self, scenario: Scenario, quality: Quality) -> float:
        if quality.self_hosted_error_rate is not None:
            return quality.self_hosted_error_rate
        settings = scenario.self_hosted
        profile = self.catalog.profiles.get(settings.profile) if self.catalog and settings and settings.profile else None
        if profile is not None:
            if profile.model in self.rates:
                return self.rates[profile.model]
            for key, rate in self.rates.items():
                model_id = self.catalog.resolve(key)
                if model_id and self.catalog.models[model_id].open_model == profile.model:
                    return rate
        self.missing.append("self_hosted_error_rate")
        return float("nan")


def quality_adjusted(evaluation: Evaluation, catalog: Catalog | None = None) -> QualityResult | None:
    """Expected error cost and quality-adjusted total of every costed strategy; None without a ``quality`` section.

    ``catalog`` lets a rate given under one name of a model apply to its aliases and lets the
    self-hosted strategy find its open model's rate; without it names must match exactly.

    Example (toy scenario, 50,000 requests, $2 per error; big errs 2%, small 8%): hybrid 75%
    small / 25% big errs 0.75·0.08 + 0.25·0.02 = 6.5%, so 3,250 errors and $6,500 a month on
    top of its $731.25 of tokens: $7,231.25, against flagship only's 2,250 + 50,000·0.02·2 = $4,250.
    """
    quality = evaluation.scenario.quality
    if quality is None:
        return None
    out = {}
    for key, token_usd in evaluation.forecast.cost.items():
        rates = _Rates(quality, catalog)
        errors = REGISTRY[key].errors(evaluation.scenario, evaluation, rates, quality)  # wrong answers per month
        result = StrategyQuality(key, token_usd, missing=list(dict.fromkeys(rates.missing)))
        if not result.missing:
            volume = evaluation.forecast.requests
            result.errors = np.asarray(errors, dtype=float) * np.ones_like(volume)
            with np.errstate(invalid="ignore", divide="ignore"):
                result.error_rate = np.where(volume > 0, result.errors / volume, 0.0)
            result.error_usd = result.errors * quality.cost_per_error_usd
        out[key] = result
    return QualityResult(quality.cost_per_error_usd, out)
