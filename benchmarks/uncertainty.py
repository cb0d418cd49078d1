"""Time a Monte Carlo band: 10,000 draws, a 120-month horizon, every strategy of a full scenario.

Run: python benchmarks/uncertainty.py [--repeat N] [--draws N]
Target (issue "Beyond point estimates"): median under 200 ms. Prints figures; asserts nothing.
The timed call includes the point evaluation, every percentile (monthly and cumulative) and the
probability that self-hosting is cheaper.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calculators.scenario import parse_scenario  # noqa: E402
from calculators.uncertainty import monte_carlo  # noqa: E402
from pricing import load_catalog  # noqa: E402

FULL_SCENARIO = {
    "workload": {
        "requests_per_month": 3e6,
        "input_tokens": 2500,
        "output_tokens": 600,
        "reasoning_tokens": 300,
        "cached_input_share": 0.4,
        "batch_share": 0.1,
    },
    "growth": {"monthly_rate": 0.06, "horizon_months": 120, "start_month": "2026-12"},
    "flagship_only": {"model": "gemini-4-argon"},  # a dated price change inside the horizon
    "hybrid": {
        "routes": [
            {"model": "gemini-3.8-flash", "share": 0.5},
            {"model": "claude-haiku-4-5", "share": 0.3},
            {"model": "gemini-4-argon", "share": 0.2},
        ]
    },
    "cascade": {"first": "gpt-5-mini", "second": "gpt-5.1", "escalation_rate": 0.2, "forward_draft": True},
    "hosted_open": {"model": "together-llama-3.3-70b"},
    "self_hosted": {"profile": "llama-3.3-70b-fp8-2xh100", "min_replicas": 2, "ops_usd_per_month": 5000},
    "self_hosted_mixed": {"small_share": 0.7, "overflow_model": "together-llama-3.3-70b"},
}
TARGET_MS = 200.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--draws", type=int, default=10_000)
    args = parser.parse_args()
    catalog = load_catalog()
    scenario = parse_scenario(FULL_SCENARIO)[0]
    band = monte_carlo(scenario, catalog, draws=args.draws)  # warm-up (imports, month-weight caches)
    assert len(band.months) == 120 and len(band.strategies) == 6, band.strategies
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        monte_carlo(scenario, catalog, draws=args.draws)
        times.append(time.perf_counter() - start)
    median = statistics.median(times) * 1000
    print(f"Monte Carlo band: {args.draws:,} draws x 120 months, {len(band.strategies)} strategies, 7 uncertain inputs")
    print(f"median {median:.1f} ms, min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {args.repeat} runs")
    print(f"target {TARGET_MS:.0f} ms: {'met' if median < TARGET_MS else 'NOT met'} ({TARGET_MS / median:.1f}x headroom)")


if __name__ == "__main__":
    main()
