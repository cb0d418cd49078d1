"""Monte Carlo cost bands: P10/P50/P90 of every strategy's monthly cost under uncertain inputs.

The uncertain inputs, their default ranges and how they are drawn: ``calculators.uncertain_inputs``.

Each draw is exactly one engine run: the cost of draw ``i`` equals
``engine.evaluate(apply_inputs(scenario, values_i))`` (tested). API strategies are linear in
the volume, so the per-request cost is computed per draw and month from each model's price
entries and month weights; the self-hosted fleet is ``selfhost.self_hosted_monthly_cost`` per draw and month: the
engine's own formulas (``costs.request_cost``, ``selfhost``), which broadcast over draws.

Probability that self-hosting is cheaper, **in month N**: the share of draws in which the
self-hosted (or self-hosted + flagship) cost of month N is strictly below the other
strategy's cost of that same month.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from calculators.costs import request_cost
from calculators.engine import Evaluation, evaluate, fixed_monthly_usd, unavailable_months
from calculators.mixed import mixed_cost
from calculators.prices import PricedModel, entry_weights, month_starts, price_model
from calculators.scenario import DEFAULT_DRAWS, Range, Scenario, Uncertainty
from calculators.selfhost import (
    ServerPlan,
    capacity_from_requests_per_s,
    replica_capacity_per_month,
    self_hosted_monthly_cost,
)
from calculators.server_plan import resolve_server_plan
from calculators.strategies import API_STRATEGIES, BASELINES, CHALLENGERS, REGISTRY, Bill, mixed_slots
from calculators.uncertain_inputs import (
    INPUT_UNITS,  # noqa: F401  (re-exported: dashboard/state.py reads it here)
    InputRange,
    capacity_modelled,
    draw_inputs,
    point_values,
    resolve_ranges,
)
from pricing.catalog import Catalog

PERCENTILES = (10, 50, 90)
CHUNK_ELEMENTS = 1 << 16  # (months x draws) computed at a time: small enough for the CPU cache
# ------------------------------------------------------------------------ cost per draw
# Arrays are laid out (months, draws): sorting each month's draws then runs along contiguous
# memory, which is what makes 10,000 x 120 percentiles cheap. A price that does not change over
# the horizon stays a (1, draws) row and broadcasts.


@dataclass(frozen=True)
class _Price:
    """$ per request of one model slot: per price entry and draw (E, draws), and the month weights (E, months)."""

    per_entry: np.ndarray
    weights: np.ndarray
    unavailable: np.ndarray | None = None  # months (bools) after a shutdown with no successor

    def rows(self, lo: int, hi: int) -> np.ndarray:
        """Months ``lo:hi`` as (months, draws), or (1, draws) when one entry covers the whole horizon."""
        # one entry: its weight is 1 in every month, and the row broadcasts
        out = self.per_entry if self.per_entry.shape[0] == 1 else self.weights[:, lo:hi].T @ self.per_entry
        if self.unavailable is not None and self.unavailable[lo:hi].any():
            out = np.where(self.unavailable[lo:hi, None], np.nan, out)  # never priced once it no longer exists
        return out


def _slot_price(
    priced: PricedModel,
    scenario: Scenario,
    months: int,
    x: Mapping[str, np.ndarray],
    reasoning: float | None,
    forward_draft: bool = False,
) -> _Price:
    """``costs.request_cost`` per price entry and draw (the engine's formula, on arrays), with the month weights."""
    w = scenario.workload
    output = x["output_tokens"]
    generated_reasoning = x["reasoning_tokens"] if reasoning is None else np.full_like(output, reasoning)
    resent = np.full_like(output, w.input_tokens)
    draft = output if forward_draft else np.zeros_like(output)  # new text for the second model: uncached
    weights = entry_weights(priced.prices, scenario.growth.start_month, months)
    used = [i for i in range(len(priced.prices)) if weights[i].any()]  # entries outside the horizon drop out
    per_entry = [
        request_cost(
            priced.prices[i],
            resent,
            output,
            generated_reasoning,
            x["cached_input_share"],
            w.cache_write_share,
            w.batch_share,
            draft,
        ).total
        for i in used
    ]
    gone = unavailable_months(priced, scenario.growth.start_month, months)
    return _Price(np.stack(per_entry), weights[used], gone if gone.any() else None)


Terms = list[tuple[float | np.ndarray, _Price]]  # $ per request = Σ coefficient x slot price


def _api_prices(
    scenario: Scenario, catalog: Catalog, months: int, x: Mapping[str, np.ndarray], keys: list[str]
) -> dict[str, Terms]:
    """Per-request price terms of the strategies in ``keys``: their registry bills, with this draw's weights.

    The mixed strategy's bills come out as ``mixed_flagship`` and ``mixed_overflow`` (zero without overflow).
    """
    overrides = scenario.overrides
    drawn = (
        replace(scenario, cascade=replace(scenario.cascade, escalation_rate=x["escalation_rate"]))
        if scenario.cascade
        else scenario
    )

    def slot(bill: Bill) -> _Price:
        priced = price_model(catalog, bill.slot.model, overrides)
        return _slot_price(priced, scenario, months, x, bill.slot.reasoning_tokens, bill.forward_draft)

    out: dict[str, Terms] = {}
    for key in keys:
        strategy = REGISTRY[key]
        if strategy.kind == "api":
            out[key] = [(bill.weight, slot(bill)) for bill in strategy.bills(drawn)]
        elif strategy.kind == "mixed":
            flagship, overflow = mixed_slots(scenario)
            out["mixed_flagship"] = [(1.0, slot(Bill(flagship)))]
            out["mixed_overflow"] = [(1.0 if overflow else 0.0, slot(Bill(overflow or flagship)))]
    return out


def _rows(terms: Terms, lo: int, hi: int) -> np.ndarray:
    """$ per request in months ``lo:hi``: added in the engine's order (0 + w1·p1 + w2·p2 ...)."""
    total = 0.0
    for coefficient, price in terms:
        total = total + coefficient * price.rows(lo, hi)
    return total


def _server(scenario: Scenario, catalog: Catalog, x: Mapping[str, np.ndarray]) -> tuple[ServerPlan, np.ndarray]:
    """The server plan with this draw's $/GPU-hour and utilization (arrays), and one replica's capacity per draw."""
    w = scenario.workload
    plan = resolve_server_plan(scenario.self_hosted, catalog, w)
    drawn = replace(plan, gpu_hour_usd=x["gpu_hour_usd"][None, :], utilization=x["utilization"][None, :])
    generated = x["output_tokens"] + x["reasoning_tokens"]
    if capacity_modelled(scenario, plan):  # the capacity model at each draw's shape, as the engine run of the draw
        rps = plan.capacity.requests_per_s(generated, x.get("efficiency", scenario.self_hosted.efficiency_factor))
        return drawn, capacity_from_requests_per_s((rps * np.ones_like(generated))[None, :], drawn)
    return drawn, replica_capacity_per_month(drawn, w.input_tokens, generated[None, :])


def draw_costs(scenario: Scenario, catalog: Catalog, values: Mapping[str, np.ndarray], keys: list[str]) -> dict[str, np.ndarray]:
    """Monthly cost, (months, draws), of each strategy in ``keys`` for the given per-draw input values.

    ``values`` holds an array per applicable input (``draw_inputs``); inputs missing from it sit
    at their point value. ``keys`` must be strategies the engine prices without error (a
    strategy's models must be known). Vectorized over draws: no Python loop runs per draw; the
    months are computed in blocks of about ``CHUNK_ELEMENTS`` values, which stay in the cache.
    """
    months = scenario.growth.horizon_months
    w = scenario.workload
    draws = len(next(iter(values.values()))) if values else 1
    x = {k: np.full(draws, v) for k, v in point_values(scenario, catalog).items()}
    x |= {k: np.asarray(v, dtype=float) for k, v in values.items()}
    prices = _api_prices(scenario, catalog, months, x, keys)
    server = _server(scenario, catalog, x) if any(k in keys for k in CHALLENGERS) else None
    growth = 1.0 + x["growth_rate"]
    out = {key: np.empty((months, draws)) for key in keys}
    step = max(1, CHUNK_ELEMENTS // draws)
    for lo in range(0, months, step):  # blocks of months that stay in the CPU cache
        hi = min(months, lo + step)
        requests = w.requests_per_month * growth ** np.arange(lo, hi, dtype=float)[:, None]
        for key in keys:
            if key in API_STRATEGIES:
                out[key][lo:hi] = _rows(prices[key], lo, hi) * requests
        if server is not None:
            plan, capacity = server
            if "self_hosted" in out:
                out["self_hosted"][lo:hi] = self_hosted_monthly_cost(requests, plan, capacity)
            if "self_hosted_mixed" in out:
                m = scenario.self_hosted_mixed
                out["self_hosted_mixed"][lo:hi] = mixed_cost(
                    requests,
                    m.small_share,
                    _rows(prices["mixed_flagship"], lo, hi),
                    _rows(prices["mixed_overflow"], lo, hi),
                    capacity,
                    plan.replica_usd_per_month,
                    plan.ops_usd_per_month,
                    plan.min_replicas,
                    m.overflow_to_api,
                ).total_usd
    other = fixed_monthly_usd(scenario)  # the engine's fixed line (non-token charges), in every strategy
    return {key: values + other for key, values in out.items()} if other else out


def percentiles(samples: np.ndarray, q: tuple[int, ...] = PERCENTILES) -> np.ndarray:
    """Percentiles of each row of a (months, draws) array: (len(q), months).

    ``numpy.percentile``'s default (linear) method, computed from one sort along the draws: a
    row of equal values gives that value exactly, and P10 <= P50 <= P90 always.
    """
    ordered = np.sort(samples, axis=1)
    n = ordered.shape[1]
    out = np.empty((len(q), ordered.shape[0]))
    for i, level in enumerate(q):
        position = level / 100 * (n - 1)
        lo = math.floor(position)
        frac = position - lo
        a, b = ordered[:, lo], ordered[:, min(lo + 1, n - 1)]
        # numpy's lerp: from the nearer end, so that the result stays within [a, b]
        out[i] = a + (b - a) * frac if frac < 0.5 else b - (b - a) * (1 - frac)
    return out


# ------------------------------------------------------------------------------- bands


@dataclass
class BandResult:
    months: list[dt.date]
    strategies: list[str]  # keys with a band, in the engine's order
    cost: dict[str, np.ndarray]  # key → (3, months): P10, P50, P90 of the monthly cost, $
    total: dict[str, np.ndarray]  # key → (3,): percentiles of the cost over the whole horizon, $
    point: dict[str, np.ndarray]  # key → the engine's forecast at the point values, $
    probability_cheaper: dict[str, dict[str, np.ndarray]]  # challenger → baseline → P(cheaper in month N)
    ranges: dict[str, InputRange]
    draws: int
    seed: int
    cumulative: dict[str, np.ndarray] | None = None  # key → (3, months): percentiles of the cost to date, when asked
    samples: dict[str, np.ndarray] | None = None  # key → (months, draws), when kept
    inputs: dict[str, np.ndarray] | None = None  # key → (draws,), when kept

    def percentile(self, key: str, which: int) -> np.ndarray:
        return self.cost[key][PERCENTILES.index(which)]


def chance_cheaper(samples: Mapping[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """``[challenger][baseline][t]``: the share of draws in which the challenger costs less in month ``t``
    (``samples``: each strategy's cost, months × draws); a challenger with no baseline to compare is left out.

    >>> chance_cheaper({"self_hosted": np.array([[1.0, 5.0]]), "hybrid": np.array([[2.0, 2.0]])})
    {'self_hosted': {'hybrid': array([0.5])}}
    """
    probability = {
        c: {b: np.mean(samples[c] < samples[b], axis=1) for b in BASELINES if b in samples} for c in CHALLENGERS if c in samples
    }
    return {c: p for c, p in probability.items() if p}


def monte_carlo(
    scenario: Scenario,
    catalog: Catalog,
    *,
    ranges: Mapping[str, Range | tuple[float, float]] | None = None,
    draws: int | None = None,
    seed: int | None = None,
    evaluation: Evaluation | None = None,
    cumulative: bool = False,
    keep_samples: bool = False,
) -> BandResult:
    """P10/P50/P90 of each strategy's monthly cost over ``draws`` seeded Monte Carlo draws.

    For draw ``i`` with inputs ``x_i`` (``draw_inputs``) and month ``t``::

        V_it = V_0·(1 + g_i)^t
        API strategy:  cost_it = V_it·a_t(x_i)       a = $ per request (costs.request_cost, month-weighted)
        self-hosted:   cost_it = max(m, ceil(V_it / C(x_i)))·gpus·$/GPU-h_i·730 + ops
        mixed:         mixed.mixed_cost at C(x_i), the replica $ of draw i and the API prices a_t(x_i)

    Percentiles are ``numpy.percentile``'s linear method (see ``percentiles``) across draws: of
    each month's cost, of the cost over the whole horizon and, with ``cumulative=True``, of the
    cost to date in each month (twice the sorting work). ``probability_cheaper[c][b][t]`` is
    the share of draws with ``cost_c < cost_b`` in month ``t`` (not cumulative).

    ``draws``/``seed`` default to the scenario's ``uncertainty`` section (2,000 and 1);
    strategies with an engine error get no band. Edge case: with every range degenerate
    (low = high = point) all three percentiles equal the engine's forecast.

    Example: one strategy, flagship at $0.045 a request, 50,000 requests, growth in (0, 0.1) and
    nothing else uncertain: month 0 costs $2,250 in every draw; month 1's P50 is about
    2,250 × 1.05 = $2,362.50 (the median growth).
    """
    settings = scenario.uncertainty or Uncertainty()
    draws = int(draws or settings.draws or DEFAULT_DRAWS)
    seed = settings.seed if seed is None else int(seed)
    evaluation = evaluation or evaluate(scenario, catalog)
    keys = list(evaluation.forecast.cost)
    resolved = resolve_ranges(scenario, catalog, ranges)
    values = draw_inputs(resolved, draws, seed)
    samples = draw_costs(scenario, catalog, values, keys)
    return BandResult(
        months=month_starts(scenario.growth.start_month, scenario.growth.horizon_months)[:-1],
        strategies=list(samples),
        cost={key: percentiles(cost) for key, cost in samples.items()},
        total={key: percentiles(cost.sum(axis=0)[None, :])[:, 0] for key, cost in samples.items()},
        point=dict(evaluation.forecast.cost),
        probability_cheaper=chance_cheaper(samples),
        ranges=resolved,
        draws=draws,
        seed=seed,
        cumulative={key: percentiles(np.cumsum(cost, axis=0)) for key, cost in samples.items()} if cumulative else None,
        samples=samples if keep_samples else None,
        inputs=values if keep_samples else None,
    )
