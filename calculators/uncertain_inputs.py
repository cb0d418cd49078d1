"""The uncertain inputs of the Monte Carlo band and the tornado (calculators/uncertainty.py,
calculators/sensitivity.py): each one's point value in a scenario, its range, how a draw is taken and
applied to the scenario.

Uncertain inputs and their default ranges (used when the scenario's ``uncertainty`` section
gives no range for an input; every range is editable):

==================== ================================ ==============================================
key                  scenario field                   default (low, high)
==================== ================================ ==============================================
growth_rate          growth.monthly_rate              g ± max(50% of |g|, 2 points), within [-0.99, 1]
escalation_rate      cascade.escalation_rate          e ± 10 points, within [0, 1] (with a cascade)
cached_input_share   workload.cached_input_share      c ± 10 points, within [0, 1 - cache_write_share]
output_tokens        workload.output_tokens           O × (0.75, 1.25)
reasoning_tokens     workload.reasoning_tokens        R × (0.5, 1.5); a model slot's own value stays
gpu_hour_usd         self_hosted.gpu_hour_usd         p × (0.8, 1.2) of the resolved $/GPU-hour
utilization          self_hosted.utilization          u ± 15 points, within [0.01, 1]
efficiency           self_hosted.efficiency           f × (0.75, 1.25), with a capacity-model server
==================== ================================ ==============================================

Sampling: every input is drawn **uniformly** on its range, independently, with common random
numbers: ``u = default_rng(seed).random((8, draws))`` (one row per input, in the order above,
whether or not the input applies) and ``value = low + u·(high - low)``. The same seed therefore
gives the same band, and changing one range moves only that input's draws. Uniform rather than
triangular because a range need not contain the point value (a user may think the point estimate
is off) and because widening a range then moves each draw monotonically away from the midpoint.
The growth rate is one rate per draw, held over the horizon: ``V_t = V_0·(1 + g)^t``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from calculators.scenario import UNCERTAIN_INPUTS, Range, Scenario
from calculators.selfhost import ServerPlan
from calculators.server_plan import resolve_server_plan
from calculators.strategies import StrategyError
from pricing.catalog import Catalog

INPUT_LABELS = {
    "growth_rate": "Monthly growth",
    "escalation_rate": "Cascade escalation rate",
    "cached_input_share": "Cached input share",
    "output_tokens": "Output tokens per request",
    "reasoning_tokens": "Reasoning tokens per request",
    "gpu_hour_usd": "GPU $/hour",
    "utilization": "Server utilization",
    "efficiency": "Serving efficiency (capacity model)",
}
INPUT_UNITS = {
    "growth_rate": "share",
    "escalation_rate": "share",
    "cached_input_share": "share",
    "output_tokens": "tokens",
    "reasoning_tokens": "tokens",
    "gpu_hour_usd": "usd",
    "utilization": "share",
    "efficiency": "factor",
}


@dataclass(frozen=True)
class InputRange:
    key: str
    label: str
    point: float  # the scenario's value
    low: float
    high: float
    default: bool  # True when derived from the point value, False when the user gave it

    @property
    def degenerate(self) -> bool:
        return self.low == self.high


def point_values(scenario: Scenario, catalog: Catalog) -> dict[str, float]:
    """The scenario's value of each uncertain input that applies to it (in ``UNCERTAIN_INPUTS`` order).

    ``escalation_rate`` needs a cascade; ``gpu_hour_usd`` and ``utilization`` need a
    ``self_hosted`` section whose server plan resolves (the $/GPU-hour may come from the
    serving profile's default offer).

    Example: the toy scenario (growth 0%, 500 output tokens, a cascade at 20%, a server on a
    $2/hour GPU at 100% utilization) gives ``{"growth_rate": 0.0, "escalation_rate": 0.2,
    "cached_input_share": 0.0, "output_tokens": 500.0, "reasoning_tokens": 0.0,
    "gpu_hour_usd": 2.0, "utilization": 1.0}``.
    """
    w = scenario.workload
    values = {
        "growth_rate": scenario.growth.monthly_rate,
        "escalation_rate": scenario.cascade.escalation_rate if scenario.cascade else None,
        "cached_input_share": w.cached_input_share,
        "output_tokens": w.output_tokens,
        "reasoning_tokens": w.reasoning_tokens,
    }
    if scenario.self_hosted is not None:
        try:
            plan = resolve_server_plan(scenario.self_hosted, catalog, w)
        except StrategyError:
            plan = None
        if plan is not None:
            values |= {"gpu_hour_usd": plan.gpu_hour_usd, "utilization": plan.utilization}
        if plan is not None and capacity_modelled(scenario, plan):
            values["efficiency"] = scenario.self_hosted.efficiency_factor
    return {k: float(values[k]) for k in UNCERTAIN_INPUTS if values.get(k) is not None}


def _growth_half_width(point: float) -> float:
    return max(0.5 * abs(point), 0.02)


_DEFAULT_ENDS = {  # key → (low, high) before clipping to the input's bounds
    "growth_rate": lambda p: (p - _growth_half_width(p), p + _growth_half_width(p)),
    "escalation_rate": lambda p: (p - 0.10, p + 0.10),
    "cached_input_share": lambda p: (p - 0.10, p + 0.10),
    "output_tokens": lambda p: (0.75 * p, 1.25 * p),
    "reasoning_tokens": lambda p: (0.5 * p, 1.5 * p),
    "gpu_hour_usd": lambda p: (0.8 * p, 1.2 * p),
    "utilization": lambda p: (p - 0.15, p + 0.15),
    "efficiency": lambda p: (0.75 * p, 1.25 * p),
}


def default_range(key: str, point: float, scenario: Scenario) -> tuple[float, float]:
    """The default (low, high) of an input around its point value; see the module docstring.

    Example: growth 5%/month → half-width max(2.5, 2) points → (0.025, 0.075); growth 1% →
    (−0.01, 0.03); 500 output tokens → (375, 625); utilization 0.95 → (0.8, 1.0).
    """
    lowest, highest = UNCERTAIN_INPUTS[key]
    low, high = _DEFAULT_ENDS[key](point)
    if key == "cached_input_share":
        highest = min(highest, 1.0 - scenario.workload.cache_write_share)
    return tuple(float(f"{max(lowest, min(v, highest)):.12g}") for v in (low, high))  # 0.075, not 0.07500000000000001


def resolve_ranges(
    scenario: Scenario, catalog: Catalog, ranges: Mapping[str, Range | tuple[float, float]] | None = None
) -> dict[str, InputRange]:
    """The range of every applicable input: ``ranges`` first, then the scenario's section, then the default.

    ``ranges`` maps an input key to ``(low, high)`` or a ``Range`` (e.g. what a user typed in the
    dashboard). Raises ``ValueError`` for ``low > high`` or an end outside the input's bounds
    (``UNCERTAIN_INPUTS``). Inputs that do not apply to the scenario get no range.

    Example: growth 5% with nothing given → ``InputRange("growth_rate", ..., point=0.05,
    low=0.025, high=0.075, default=True)``.
    """
    given: dict[str, Range | tuple[float, float]] = dict(scenario.uncertainty.ranges()) if scenario.uncertainty else {}
    given |= dict(ranges or {})
    out = {}
    for key, point in point_values(scenario, catalog).items():
        value = given.get(key)
        if value is None:
            low, high = default_range(key, point, scenario)
        else:
            low, high = (value.low, value.high) if isinstance(value, Range) else value
            lowest, highest = UNCERTAIN_INPUTS[key]
            if not lowest <= low <= high <= highest:
                raise ValueError(f"{key}: need {lowest:g} <= low <= high <= {highest:g}, got ({low:g}, {high:g})")
        out[key] = InputRange(key, INPUT_LABELS[key], point, float(low), float(high), value is None)
    return out


def apply_input(scenario: Scenario, key: str, value: float) -> Scenario:
    """The scenario with one uncertain input set to ``value`` (what one engine run of a draw sees).

    ``growth_rate`` sets ``growth.monthly_rate``; ``gpu_hour_usd`` and ``utilization`` set the
    ``self_hosted`` fields (an explicit $/GPU-hour overrides the profile's offer); the others
    set the field of the same name. Example: ``apply_input(s, "output_tokens", 625)`` is ``s``
    with ``workload.output_tokens = 625.0``.
    """
    value = float(value)
    if key == "growth_rate":
        return replace(scenario, growth=replace(scenario.growth, monthly_rate=value))
    if key == "escalation_rate":
        return replace(scenario, cascade=replace(scenario.cascade, escalation_rate=value))
    if key in ("cached_input_share", "output_tokens", "reasoning_tokens"):
        return replace(scenario, workload=replace(scenario.workload, **{key: value}))
    if key in ("gpu_hour_usd", "utilization", "efficiency"):
        return replace(scenario, self_hosted=replace(scenario.self_hosted, **{key: value}))
    raise KeyError(key)


def apply_inputs(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """``apply_input`` for each ``key: value`` (one Monte Carlo draw's inputs)."""
    for key, value in values.items():
        scenario = apply_input(scenario, key, value)
    return scenario


def draw_inputs(ranges: Mapping[str, InputRange], draws: int, seed: int) -> dict[str, np.ndarray]:
    """``value = low + u·(high - low)`` per draw, with one row of ``u`` per input of ``UNCERTAIN_INPUTS``.

    The uniforms do not depend on the ranges (common random numbers): the same seed gives the
    same ``u`` whichever ranges are set, so a degenerate range gives its value exactly.

    Example: output tokens in (375, 625) and a draw with ``u = 0.25`` → 375 + 0.25 x 250 = 437.5.
    """
    u = np.random.default_rng(seed).random((len(UNCERTAIN_INPUTS), draws))
    out = {}
    for row, key in enumerate(UNCERTAIN_INPUTS):
        if key in ranges:
            r = ranges[key]
            out[key] = np.full(draws, r.low) if r.degenerate else r.low + u[row] * (r.high - r.low)
    return out


def capacity_modelled(scenario: Scenario, plan: ServerPlan) -> bool:
    """True when the capacity model gives the server's throughput (no fixed numbers override it)."""
    s = scenario.self_hosted
    return plan.capacity is not None and s.prefill_tokens_per_s is None and s.decode_tokens_per_s is None
