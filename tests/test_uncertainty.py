"""Monte Carlo bands: default ranges, the scenario section, exact agreement with the engine, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine import evaluate
from calculators.scenario import UNCERTAIN_INPUTS, Range, ScenarioError, parse_scenario, scenario_to_dict
from calculators.uncertain_inputs import apply_inputs, default_range, draw_inputs, point_values, resolve_ranges
from calculators.uncertainty import PERCENTILES, monte_carlo, percentiles

# Toy prices: big $10 in / $50 out (long context above 100k input: $20 / $75), small $1 / $5, toyhost-open $0.5 / $0.5;
# the toy server: 2 GPUs x $2/h per replica.


def _rich(**changes):
    """Every strategy, growth, a cache share, reasoning tokens and a server that needs several replicas."""
    doc = {
        "workload": {
            "requests_per_month": 20e6,
            "input_tokens": 2000,
            "output_tokens": 500,
            "reasoning_tokens": 200,
            "cached_input_share": 0.3,
        },
        "growth": {"monthly_rate": 0.05, "horizon_months": 12, "start_month": "2026-12"},  # 'changing' halves in month 1
        "flagship_only": {"model": "big"},
        "hybrid": {
            "routes": [{"model": "small", "share": 0.6}, {"model": "changing", "share": 0.3}, {"model": "big", "share": 0.1}]
        },
        "cascade": {"first": "small", "second": "big", "escalation_rate": 0.2},
        "hosted_open": {"model": "toyhost-open"},
        "self_hosted": {"profile": "open-70b-2x", "utilization": 0.6, "peak_to_average": 1.5, "min_replicas": 1},
        "self_hosted_mixed": {"small_share": 0.7, "overflow_model": "toyhost-open"},
    }
    return parse_scenario(doc | changes)[0]


@pytest.mark.parametrize(
    "key, point, workload, expected",
    [
        # growth 5%: half-width max(50% x 5, 2) = 2.5 points
        ("growth_rate", 0.05, {}, (0.025, 0.075)),
        # growth 1%: half-width max(0.5, 2) = 2 points
        ("growth_rate", 0.01, {}, (-0.01, 0.03)),
        # shrinking 50% a month: half-width 25 points
        ("growth_rate", -0.5, {}, (-0.75, -0.25)),
        # escalation 5% ± 10 points, clipped at 0
        ("escalation_rate", 0.05, {}, (0.0, 0.15)),
        # cached 95% ± 10 points, clipped at 1 - 5% cache writes
        ("cached_input_share", 0.95, {"cache_write_share": 0.05}, (0.85, 0.95)),
        # output 500 x (0.75, 1.25)
        ("output_tokens", 500, {}, (375, 625)),
        # reasoning 0 x (0.5, 1.5): no uncertainty to add
        ("reasoning_tokens", 0, {}, (0, 0)),
        # $2/GPU-hour x (0.8, 1.2)
        ("gpu_hour_usd", 2.0, {}, (1.6, 2.4)),
        # utilization 0.95 ± 0.15, clipped at 1
        ("utilization", 0.95, {}, (0.8, 1.0)),
    ],
    ids=[
        "growth-half",
        "growth-2-points",
        "growth-negative",
        "escalation-clipped",
        "cached-clipped",
        "output",
        "reasoning-none",
        "gpu",
        "utilization-clipped",
    ],
)
def test_default_ranges(toy_scenario, key, point, workload, expected):
    scenario = toy_scenario(workload={"requests_per_month": 1000, **workload})
    assert default_range(key, point, scenario) == pytest.approx(expected, abs=1e-12)


def test_ranges_come_from_the_call_then_the_section_then_the_defaults(toy_catalog, toy_scenario):
    scenario = toy_scenario(uncertainty={"growth_rate": {"low": 0.0, "high": 0.2}, "utilization": [0.5, 0.9]})
    ranges = resolve_ranges(scenario, toy_catalog, {"utilization": (0.7, 0.8)})
    assert (ranges["growth_rate"].low, ranges["growth_rate"].high, ranges["growth_rate"].default) == (0.0, 0.2, False)
    assert (ranges["utilization"].low, ranges["utilization"].high) == (0.7, 0.8)
    # the toy server's $/GPU-hour comes from its profile's default offer: $2 x (0.8, 1.2)
    assert (ranges["gpu_hour_usd"].point, ranges["gpu_hour_usd"].default) == (2.0, True)
    assert ranges["gpu_hour_usd"].low == pytest.approx(1.6)


@pytest.mark.parametrize(
    "ranges",
    [{"growth_rate": (0.1, 0.0)}, {"utilization": (0.0, 0.5)}, {"output_tokens": (-1, 10)}],
    ids=["low-above-high", "utilization-zero", "negative-tokens"],
)
def test_given_ranges_are_checked(toy_catalog, toy_scenario, ranges):
    with pytest.raises(ValueError, match="low <= high"):
        resolve_ranges(toy_scenario(), toy_catalog, ranges)


def test_inputs_that_do_not_apply_have_no_range(toy_catalog, toy_scenario):
    values = point_values(toy_scenario(cascade=None, self_hosted=None), toy_catalog)
    assert set(values) == {"growth_rate", "cached_input_share", "output_tokens", "reasoning_tokens"}


# ------------------------------------------------------------------ exact agreement


def test_degenerate_ranges_reproduce_the_engine_forecast(toy_catalog, toy_scenario):
    scenario = _rich()
    ranges = {key: (r.point, r.point) for key, r in resolve_ranges(scenario, toy_catalog).items()}
    band = monte_carlo(scenario, toy_catalog, ranges=ranges, draws=100)
    point = evaluate(scenario, toy_catalog).forecast.cost
    assert band.strategies == list(point) and len(band.strategies) == 6
    for key in band.strategies:
        p10, p50, p90 = band.cost[key]
        np.testing.assert_array_equal(p10, p90)
        np.testing.assert_array_equal(p10, p50)
        np.testing.assert_allclose(p50, point[key], rtol=1e-12)
        assert band.total[key] == pytest.approx(point[key].sum(), rel=1e-12)
    for challenger, against in band.probability_cheaper.items():
        for baseline, probability in against.items():
            np.testing.assert_array_equal(probability, (point[challenger] < point[baseline]).astype(float))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        # the escalated input (99,700 + draft of 200-500 tokens) straddles big's 100k long-context threshold
        {
            "workload": {"requests_per_month": 1e5, "input_tokens": 99_700, "output_tokens": 350},
            "cascade": {"first": "small", "second": "big", "escalation_rate": 0.2, "forward_draft": True},
            "uncertainty": {"output_tokens": [200, 500]},
        },
        # a slot's own reasoning tokens stay fixed while the workload's vary
        {"flagship_only": {"model": "big", "reasoning_tokens": 1000}, "self_hosted_mixed": {"small_share": 0.5}},
    ],
    ids=["rich", "long-context-straddle", "slot-reasoning"],
)
def test_every_draw_is_one_engine_run(toy_catalog, toy_scenario, changes):
    scenario = _rich(**changes)
    band = monte_carlo(scenario, toy_catalog, draws=200, seed=7, keep_samples=True)
    for i in (0, 57, 199):
        values = {key: v[i] for key, v in band.inputs.items()}
        run = evaluate(apply_inputs(scenario, values), toy_catalog).forecast.cost
        for key in band.strategies:
            np.testing.assert_allclose(band.samples[key][:, i], run[key], rtol=1e-12, err_msg=key)


def test_every_draw_is_one_engine_run_under_a_vendor_billing_rule(catalog):
    # Google's batch discount spares cached input (billing rules as vendor data): the band bills it so
    # because it calls the engine's own request_cost, not a copy of it.
    doc = {
        "growth": {"start_month": "2027-01", "monthly_rate": 0.02, "horizon_months": 6},
        "workload": {"requests_per_month": 1e5, "input_tokens": 4000, "output_tokens": 300, "cached_input_share": 0.4},
        "flagship_only": {"model": "gemini-3-pro-preview"},
        "cascade": {"first": "gemini-3-flash-preview", "second": "gemini-3-pro-preview", "forward_draft": True},
    }
    scenario = parse_scenario(doc | {"workload": doc["workload"] | {"batch_share": 0.5}})[0]
    band = monte_carlo(scenario, catalog, draws=100, seed=5, keep_samples=True)
    for i in (0, 99):
        run = evaluate(apply_inputs(scenario, {key: v[i] for key, v in band.inputs.items()}), catalog).forecast.cost
        for key in band.strategies:
            np.testing.assert_allclose(band.samples[key][:, i], run[key], rtol=1e-12, err_msg=key)


def test_percentiles_of_a_linear_cost_are_the_cost_at_the_input_percentiles(toy_catalog, toy_scenario):
    # flagship only, output tokens in (375, 625), nothing else uncertain:
    # month-0 cost = 50,000 x (2,000·10 + O·50) / 1e6 = 1,000 + 2.5·O, increasing and linear in O
    scenario = toy_scenario(hybrid=None, cascade=None, hosted_open=None, self_hosted=None)
    ranges = {"growth_rate": (0, 0), "cached_input_share": (0, 0), "reasoning_tokens": (0, 0), "output_tokens": (375, 625)}
    band = monte_carlo(scenario, toy_catalog, ranges=ranges, draws=1000, seed=3, keep_samples=True)
    output = np.percentile(band.inputs["output_tokens"], PERCENTILES)
    np.testing.assert_allclose(band.cost["flagship_only"][:, 0], 1000 + 2.5 * output, rtol=1e-12)


def test_known_growth_path(toy_catalog, toy_scenario):
    # growth pinned at 10% (and the token counts at their values): month 3 of flagship only
    # = 2,250 x 1.1³ = 2,250 x 1.331 = 2,994.75 in every draw
    pinned = {"output_tokens": [500, 500], "reasoning_tokens": [0, 0], "cached_input_share": [0, 0]}
    scenario = toy_scenario(uncertainty={"growth_rate": [0.1, 0.1], **pinned})
    band = monte_carlo(scenario, toy_catalog, draws=100)
    assert band.cost["flagship_only"][:, 3] == pytest.approx([2994.75] * 3, rel=1e-12)


def test_same_seed_same_band_other_seed_other_band(toy_catalog, toy_scenario):
    scenario = _rich(uncertainty={"draws": 300, "seed": 42})
    first, again = monte_carlo(scenario, toy_catalog), monte_carlo(scenario, toy_catalog)
    assert (first.draws, first.seed) == (300, 42)
    for key in first.strategies:
        np.testing.assert_array_equal(first.cost[key], again.cost[key])
    other = monte_carlo(scenario, toy_catalog, seed=43)
    assert not np.array_equal(first.cost["flagship_only"], other.cost["flagship_only"])


def test_changing_one_range_leaves_the_other_draws_alone(toy_catalog, toy_scenario):
    ranges = resolve_ranges(_rich(), toy_catalog)
    wider = dict(ranges)
    wider["utilization"] = type(ranges["utilization"])("utilization", "", 0.6, 0.2, 1.0, False)
    a, b = draw_inputs(ranges, 500, 9), draw_inputs(wider, 500, 9)
    for key in UNCERTAIN_INPUTS:
        if key not in ("utilization", "efficiency"):  # efficiency applies to a capacity-model server only
            np.testing.assert_array_equal(a[key], b[key])


def test_cumulative_band_on_request(toy_catalog, toy_scenario):
    band = monte_carlo(_rich(), toy_catalog, draws=200, cumulative=True, keep_samples=True)
    np.testing.assert_allclose(band.cumulative["hybrid"], percentiles(np.cumsum(band.samples["hybrid"], axis=0)))
    np.testing.assert_allclose(band.cumulative["hybrid"][:, -1], band.total["hybrid"], rtol=1e-12)


def test_percentiles_match_numpy():
    samples = np.random.default_rng(0).lognormal(size=(7, 333))
    np.testing.assert_allclose(percentiles(samples), np.percentile(samples, PERCENTILES, axis=1), rtol=1e-12)


# --------------------------------------------------------------------------- the section


@pytest.mark.parametrize(
    "section, message",
    [
        ({"draws": 50}, "uncertainty.draws: must be between 100 and 20000, got 50"),
        ({"draws": 2000.5}, "uncertainty.draws: must be a whole number"),
        ({"seed": -1}, "uncertainty.seed: must be between 0 and"),
        ({"growth_rate": {"low": 0.1, "high": 0.05}}, "uncertainty.growth_rate: low (0.1) must not exceed high (0.05)"),
        ({"growth_rate": {"low": 0.1}}, "uncertainty.growth_rate.high: is missing"),
        ({"utilization": [0, 0.5]}, "uncertainty.utilization.low: must be between 0.01 and 1, got 0"),
        ({"output_tokens": "many"}, "uncertainty.output_tokens: must be {low, high} or [low, high]"),
        ({"cached_input_share": [0.5, 0.95]}, "cached_input_share + workload.cache_write_share must not exceed 1"),
        ({"volatility": 0.1}, "uncertainty.volatility: unknown key"),
    ],
    ids=["draws-low", "draws-fraction", "seed-negative", "low-above-high", "high-missing", "utilization-zero",
         "not-a-range", "cache-shares-above-1", "unknown-key"],
)  # fmt: skip
def test_uncertainty_section_is_validated(section, message):
    doc = {"workload": {"cache_write_share": 0.1}, "uncertainty": section}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(doc)
    assert any(message in problem for problem in info.value.problems), info.value.problems
    scenario, problems = parse_scenario(doc, strict=False)  # lenient: the bad field falls back, the rest stays
    assert problems and scenario.uncertainty is not None


@settings(max_examples=60, deadline=None)
@given(
    draws=st.integers(100, 20_000),
    seed=st.integers(0, 2**32 - 1),
    key=st.sampled_from(list(UNCERTAIN_INPUTS)),
    ends=st.tuples(st.floats(0.01, 0.5), st.floats(0.5, 1.0)),
    omit=st.booleans(),
)
def test_uncertainty_section_round_trips(draws, seed, key, ends, omit):
    doc = {
        "growth": {"start_month": "2027-01"},
        "uncertainty": {"draws": draws, "seed": seed, key: {"low": ends[0], "high": ends[1]}},
    }
    scenario = parse_scenario(doc)[0]
    assert scenario.uncertainty.ranges() == {key: Range(*ends)}
    assert parse_scenario(scenario_to_dict(scenario, omit_defaults=omit))[0] == scenario


# ---------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    growth=st.floats(-0.05, 0.15),
    output=st.tuples(st.floats(100, 600), st.floats(0, 600)),
    utilization=st.tuples(st.floats(0.1, 0.6), st.floats(0, 0.4)),
    volume=st.floats(1e3, 1e8),
)
def test_percentiles_are_ordered(toy_catalog, seed, growth, output, utilization, volume):
    scenario = _rich(
        workload={"requests_per_month": volume, "input_tokens": 2000, "output_tokens": 500, "reasoning_tokens": 100},
        growth={"monthly_rate": growth, "horizon_months": 12, "start_month": "2026-12"},
        uncertainty={
            "output_tokens": [output[0], output[0] + output[1]],
            "utilization": [utilization[0], utilization[0] + utilization[1]],
        },
    )
    band = monte_carlo(scenario, toy_catalog, draws=150, seed=seed)
    for key in band.strategies:
        p10, p50, p90 = band.cost[key]
        assert np.all(p10 <= p50) and np.all(p50 <= p90)
        assert band.total[key][0] <= band.total[key][1] <= band.total[key][2]


@settings(max_examples=80, deadline=None)
@given(
    key=st.sampled_from(list(UNCERTAIN_INPUTS)),
    centre=st.floats(0.2, 0.8),
    half=st.floats(0, 1),
    widen=st.floats(1, 3),
    seed=st.integers(0, 10_000),
    volume=st.sampled_from([5e4, 2e6, 4e7]),
)
def test_widening_a_range_never_narrows_the_band(toy_catalog, key, centre, half, widen, seed, volume):
    """One uncertain input at a time (the others pinned), widened about its midpoint, same seed.

    Every cost is monotone in each input, and with common random numbers each draw of the widened
    input moves away from the midpoint: draws below it (which make P10, or P90 for a cost that falls
    with the input) go further down, those above go further up. So P10 never rises and P90 never falls.
    """
    lowest, highest = UNCERTAIN_INPUTS[key]
    scale = {"output_tokens": 1000, "reasoning_tokens": 1000, "gpu_hour_usd": 5}.get(key, 1.0)
    lowest, highest = max(lowest, 0.01 if key == "utilization" else -0.5), min(highest / scale, 1.0)
    mid = lowest + centre * (highest - lowest)
    outer = half * min(mid - lowest, highest - mid)  # the wider range stays within bounds: no clipping
    inner = outer / widen
    scenario = _rich(workload={"requests_per_month": volume, "input_tokens": 2000, "output_tokens": 500})
    pinned = {k: (r.point, r.point) for k, r in resolve_ranges(scenario, toy_catalog).items()}
    bands = [
        monte_carlo(scenario, toy_catalog, ranges=pinned | {key: (scale * (mid - h), scale * (mid + h))}, draws=200, seed=seed)
        for h in (inner, outer)
    ]
    narrow, wide = bands
    for strategy in narrow.strategies:
        tolerance = 1e-9 * np.abs(narrow.cost[strategy][1])
        assert np.all(wide.cost[strategy][0] <= narrow.cost[strategy][0] + tolerance), strategy
        assert np.all(wide.cost[strategy][2] >= narrow.cost[strategy][2] - tolerance), strategy


def test_a_strategy_the_engine_cannot_price_has_no_band(toy_catalog):
    scenario = _rich(cascade={"first": "small", "second": "nope", "escalation_rate": 0.2})
    band = monte_carlo(scenario, toy_catalog, draws=100)
    assert "cascade" not in band.strategies and "hybrid" in band.strategies
