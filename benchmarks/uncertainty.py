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

from benchmarks.engine import FULL_SCENARIO as ENGINE_SCENARIO  # noqa: E402
from calculators.scenario import parse_scenario  # noqa: E402
from calculators.uncertainty import monte_carlo  # noqa: E402
from pricing import load_catalog  # noqa: E402

# The engine benchmark's scenario, plus the sixth strategy and a drafted escalation.
FULL_SCENARIO = ENGINE_SCENARIO | {
    "cascade": {"first": "gpt-5-mini", "second": "gpt-5.1", "escalation_rate": 0.2, "forward_draft": True},
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
