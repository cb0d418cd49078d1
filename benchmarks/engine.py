"""Time the engine: a full scenario evaluation, and a 10,000-draw, 120-month uncertainty band.

Run: python benchmarks/engine.py [--repeat N] [--draws N]
Targets on the 2-core reference machine: evaluation (five strategies, break-even, a 120-month forecast, a
200-point curve) median under 2 ms; the band under 200 ms. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calculators.engine import CURVE_POINTS, evaluate  # noqa: E402
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
    "cascade": {"first": "gpt-5-mini", "second": "gpt-5.1", "escalation_rate": 0.2},
    "hosted_open": {"model": "together-llama-3.3-70b"},
    "self_hosted": {"profile": "llama-3.3-70b-fp8-2xh100", "min_replicas": 2, "ops_usd_per_month": 5000},
}


# The band also covers the sixth strategy and a drafted escalation.
BAND_SCENARIO = FULL_SCENARIO | {
    "cascade": {"first": "gpt-5-mini", "second": "gpt-5.1", "escalation_rate": 0.2, "forward_draft": True},
    "self_hosted_mixed": {"small_share": 0.7, "overflow_model": "together-llama-3.3-70b"},
}


def time_band(catalog, draws: int, repeat: int = 20) -> None:
    scenario = parse_scenario(BAND_SCENARIO)[0]
    band = monte_carlo(scenario, catalog, draws=draws)  # warm-up (imports, month-weight caches)
    assert len(band.months) == 120 and len(band.strategies) == 6, band.strategies
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        monte_carlo(scenario, catalog, draws=draws)
        times.append(time.perf_counter() - start)
    median = statistics.median(times) * 1000
    print(f"uncertainty band: {draws:,} draws x 120 months, {len(band.strategies)} strategies, 7 uncertain inputs")
    print(f"  median {median:.1f} ms, min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {repeat} runs")
    print(f"  target 200 ms: {'met' if median < 200 else 'NOT met'} ({200 / median:.1f}x headroom)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--draws", type=int, default=10_000, help="draws of the uncertainty band")
    args = parser.parse_args()
    catalog = load_catalog()
    scenario = parse_scenario(FULL_SCENARIO)[0]
    result = evaluate(scenario, catalog)  # warm-up (imports, caches of month weights)
    assert len(result.forecast.months) == 120 and len(result.curve.volumes) == CURVE_POINTS
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        evaluate(scenario, catalog)
        times.append(time.perf_counter() - start)
    median = statistics.median(times) * 1000
    p95 = sorted(times)[int(0.95 * len(times))] * 1000
    cold = []
    for i in range(50):
        # a new start month each time defeats the month-weight cache: the cost of a fresh scenario
        s = parse_scenario(
            FULL_SCENARIO
            | {"growth": {"monthly_rate": 0.06, "horizon_months": 120, "start_month": f"{2030 + i // 12}-{i % 12 + 1:02d}"}}
        )[0]
        start = time.perf_counter()
        evaluate(s, catalog)
        cold.append(time.perf_counter() - start)
    print(f"full scenario: 5 strategies, break-even, 120-month forecast, {CURVE_POINTS}-point curve")
    print(f"evaluate (warm caches): median {median:.3f} ms, p95 {p95:.3f} ms over {args.repeat} runs")
    print(f"evaluate (new start month, cold month weights): median {statistics.median(cold) * 1000:.3f} ms")
    print(f"target 2 ms: {'met' if median < 2 else 'NOT met'} ({2 / median:.1f}x headroom)")
    time_band(catalog, args.draws)


if __name__ == "__main__":
    main()
