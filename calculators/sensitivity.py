"""One-at-a-time sensitivity (the tornado): how far each uncertain input moves one number.

For each uncertain input with a non-degenerate range (``uncertain_inputs.resolve_ranges``: the
scenario's ``uncertainty`` section, or the defaults around the point values), the engine is run
twice, with that input at its low and at its high end and every other input at its point value.
Each bar is therefore exactly ``engine.evaluate(uncertain_inputs.apply_input(scenario, key, low/high))``.

The number (the metric) is one of:

- a strategy's cost in the first forecast month (``measure="month0"``), $ a month;
- a strategy's cost over the whole horizon (``measure="horizon"``), $;
- with ``savings=True``, what the strategy saves against flagship only, ``flagship_only -
  strategy`` over the same period, $ (positive: the strategy is cheaper).

Rows are sorted by effect size ``|metric(high) - metric(low)|``, largest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from calculators.engine import Evaluation, evaluate
from calculators.scenario import STRATEGY_LABELS, Range, Scenario
from calculators.uncertain_inputs import apply_input, resolve_ranges
from pricing.catalog import Catalog

MEASURES = ("month0", "horizon")


@dataclass(frozen=True)
class SensitivityRow:
    key: str  # uncertain input (calculators.scenario.UNCERTAIN_INPUTS)
    label: str
    low: float  # the input's values
    high: float
    at_low: float  # the metric with the input at low, the others at their point value
    at_high: float

    @property
    def effect(self) -> float:
        return abs(self.at_high - self.at_low)


@dataclass(frozen=True)
class Sensitivity:
    strategy: str
    measure: str
    savings: bool
    base: float  # the metric at the point values
    rows: tuple[SensitivityRow, ...]  # largest effect first

    @property
    def title(self) -> str:
        label = STRATEGY_LABELS.get(self.strategy, self.strategy)
        period = "first month" if self.measure == "month0" else "whole horizon"
        what = f"{label}: saving against flagship only" if self.savings else f"{label}: cost"
        return f"{what}, {period}"


def metric(evaluation: Evaluation, strategy: str, measure: str = "month0", savings: bool = False) -> float:
    """The number a tornado bar shows, from one engine run (see the module docstring).

    Raises ``ValueError`` when the strategy (or, for savings, flagship only) has no cost.

    Example: toy scenario, hybrid $731.25 and flagship $2,250 in the first month:
    ``metric(ev, "hybrid", savings=True)`` = 2,250 - 731.25 = $1,518.75.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")

    def value(key: str) -> float:
        if key not in evaluation.forecast.cost:
            error = evaluation.errors.get(key, "it is not in the scenario")
            raise ValueError(f"{STRATEGY_LABELS.get(key, key)} has no cost: {error}")
        series = evaluation.forecast.cost[key]
        return float(series[0] if measure == "month0" else evaluation.forecast.cumulative[key][-1])

    cost = value(strategy)
    return value("flagship_only") - cost if savings else cost


def sensitivity(
    scenario: Scenario,
    catalog: Catalog,
    strategy: str = "hybrid",
    *,
    measure: str = "month0",
    savings: bool = False,
    ranges: Mapping[str, Range | tuple[float, float]] | None = None,
) -> Sensitivity:
    """Tornado rows for ``strategy``: the metric at each uncertain input's low and high end.

    Two engine runs per input with a non-degenerate range (an engine run is about a
    millisecond). Inputs that do not apply (no cascade, no self-hosted server) have no row;
    an input that applies but does not move this metric has a row of effect 0.

    Example: toy scenario, flagship only ($10/$50, 2,000 in / 500 out, 50,000 requests), output
    tokens from 375 to 625: month-0 cost 50,000 x (20,000 + 375·50) / 1e6 = $1,937.50 at low and
    50,000 x (20,000 + 625·50) / 1e6 = $2,562.50 at high, an effect of $625.
    """
    base = metric(evaluate(scenario, catalog), strategy, measure, savings)
    rows = []
    for key, r in resolve_ranges(scenario, catalog, ranges).items():
        if r.degenerate:
            continue
        at = [metric(evaluate(apply_input(scenario, key, v), catalog), strategy, measure, savings) for v in (r.low, r.high)]
        rows.append(SensitivityRow(key, r.label, r.low, r.high, at[0], at[1]))
    rows.sort(key=lambda row: -row.effect)  # stable: ties keep the inputs' order
    return Sensitivity(strategy, measure, savings, base, tuple(rows))
