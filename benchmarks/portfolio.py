"""Time of a 12-workload portfolio's evaluation against its floor: the 12 version-1 evaluations it makes.

    python benchmarks/portfolio.py [--runs 20]

The portfolio evaluator prices each workload with the engine (``evaluate``) and adds the shared
fleet, three totals, the moves (one re-pooling per move) and budgets. The floor is the same 12
``evaluate`` calls in the same run; the ratio says what the portfolio layer adds.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calculators.engine import evaluate  # noqa: E402
from calculators.portfolio import evaluate_portfolio  # noqa: E402
from calculators.portfolio_scenario import parse_portfolio, workload_scenario  # noqa: E402
from pricing import load_catalog  # noqa: E402

WORKLOAD = {
    "workload": {"requests_per_month": 250_000, "input_tokens": 2000, "output_tokens": 400},
    "flagship_only": {"model": "claude-opus-4-5"},
    "hybrid": {"routes": [{"model": "claude-haiku-4-5", "share": 0.8}, {"model": "claude-opus-4-5", "share": 0.2}]},
    "cascade": {"first": {"model": "claude-haiku-4-5"}, "second": {"model": "claude-opus-4-5"}},
    "hosted_open": {"model": "together-llama-3.3-70b"},
}


def twelve():
    workloads = []
    for i in range(12):
        doc = copy.deepcopy(WORKLOAD) | {"name": f"Feature {i + 1}", "plan": ("hybrid", "self_hosted", "cascade")[i % 3]}
        doc["workload"]["requests_per_month"] *= i + 1
        workloads.append(doc)
    doc = {
        "version": 2,
        "growth": {"monthly_rate": 0.05, "horizon_months": 36, "start_month": "2027-01"},
        "self_hosted": {"profile": "llama-3.3-70b-fp8-2xh100"},
        "budget_usd": 100_000,
        "workloads": workloads,
    }
    return parse_portfolio(doc)[0]


def _median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    catalog = load_catalog()
    portfolio = twelve()
    scenarios = [workload_scenario(portfolio, w) for w in portfolio.workloads]
    evaluate_portfolio(portfolio, catalog)  # warm imports and caches
    floor = _median_seconds(lambda: [evaluate(s, catalog) for s in scenarios], runs)
    full = _median_seconds(lambda: evaluate_portfolio(portfolio, catalog), runs)
    print(f"12 version-1 evaluations (floor): {floor * 1000:.1f} ms (median of {runs})")
    print(f"12-workload portfolio evaluation: {full * 1000:.1f} ms (median of {runs})")
    print(f"ratio portfolio / floor: {full / floor:.2f}")


if __name__ == "__main__":
    main()
