"""The self-hosted + flagship strategy: known values by hand, the engine integration, then properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculators.breakeven import break_even
from calculators.engine import evaluate
from calculators.mixed import mixed_break_even, mixed_cost, small_share_server
from calculators.scenario import ScenarioError, parse_scenario, scenario_to_dict
from calculators.selfhost import replicas_needed

# Toy catalog: big $10/$50 → 2,000 in / 500 out costs (20,000 + 25,000) / 1e6 = $0.045 a request;
# toyhost-open $0.5/$0.5 → (1,000 + 250) / 1e6 = $0.00125. The toy server: one replica of 2 GPUs x $2 x 730 h
# = $2,920 a month, 1 / (2,000/50,000 + 500/5,000) = 7.142857 requests/s → 18,771,428.6 requests a month.
TOY_CAPACITY = 7.142857142857143 * 730 * 3600


@pytest.mark.parametrize(
    "volume, share, flagship, overflow_price, capacity, replica, ops, minimum, overflow, expected",
    [
        # 7,500 small requests need 2 replicas of 4,000: 2 x 2,920 + 0.045 x 2,500 = 5,840 + 112.5 = 5,952.5
        (10_000, 0.75, 0.045, 0.045, 4000, 2920, 0, 1, False, 5952.5),
        # overflow at $0.045: a replica's 4,000 requests cost 180 on the API < 2,920, so 1 replica and 3,500 overflow:
        # 2,920 + 3,500 x 0.045 + 112.5 = 2,920 + 157.5 + 112.5 = 3,190
        (10_000, 0.75, 0.045, 0.045, 4000, 2920, 0, 1, True, 3190.0),
        # overflow at $1: a replica (4,000 x 1 = 4,000 > 2,920) is worth it; 7,500 → 2 replicas (5,840) beats
        # 1 replica + 3,500 overflow (2,920 + 3,500 = 6,420): 5,840 + 112.5 = 5,952.5
        (10_000, 0.75, 0.045, 1.0, 4000, 2920, 0, 1, True, 5952.5),
        # all small, 4,400 requests, overflow at $1: 1 replica + 400 overflow (3,320) beats 2 replicas (5,840)
        (4_400, 1.0, 0.045, 1.0, 4000, 2920, 0, 1, True, 3320.0),
        # the minimum fleet bills even when idle: 2 x 2,920 + ops 1,000 = 6,840 for 1,000 requests
        (1_000, 1.0, 0.045, 1.0, 4000, 2920, 1000, 2, True, 6840.0),
        # no small share: the flagship for everything (10,000 x 0.045 = 450) plus the idle minimum replica (2,920)
        (10_000, 0.0, 0.045, 1.0, 4000, 2920, 0, 1, True, 3370.0),
        # min_replicas 0 and a cheap overflow API: no server at all, 7,500 x 0.00125 + 2,500 x 0.045 = 9.375 + 112.5
        (10_000, 0.75, 0.045, 0.00125, 4000, 2920, 0, 0, True, 121.875),
        # requests of no tokens (capacity inf): without overflow any traffic needs one replica
        (10_000, 1.0, 0.0, 0.0, math.inf, 2920, 0, 0, False, 2920.0),
        # ... with overflow they go to the API, where requests of no tokens cost $0
        (10_000, 1.0, 0.0, 0.0, math.inf, 2920, 0, 0, True, 0.0),
    ],
    ids=[
        "no-overflow-2-replicas",
        "overflow-cheaper-than-replica",
        "replica-cheaper-than-overflow",
        "overflow-the-remainder",
        "idle-minimum-fleet",
        "share-0",
        "no-server-cheap-overflow",
        "no-tokens",
        "no-tokens-overflow",
    ],
)
def test_mixed_cost_known_values(volume, share, flagship, overflow_price, capacity, replica, ops, minimum, overflow, expected):
    cost = mixed_cost(volume, share, flagship, overflow_price, capacity, replica, ops, minimum, overflow)
    assert float(cost.total_usd) == pytest.approx(expected, rel=1e-12)
    # the parts add up, and every small-share request is either served or overflows
    parts = cost.server_usd + cost.overflow_usd + cost.flagship_usd
    assert float(parts) == pytest.approx(expected, rel=1e-12)
    assert float(cost.served + cost.overflow) == pytest.approx(volume * share, rel=1e-12)


@pytest.mark.parametrize(
    "changes, expected",
    [
        # 37,500 small requests on one replica (2,920) + 12,500 x 0.045 on big (562.5) = 3,482.5
        ({"self_hosted_mixed": {"small_share": 0.75}}, 3482.5),
        # share 0: flagship only's 2,250 plus the idle minimum replica's 2,920 = 5,170
        ({"self_hosted_mixed": {"small_share": 0.0}}, 5170.0),
        # share 1 without overflow: the self-hosted strategy, one replica = 2,920
        ({"self_hosted_mixed": {"small_share": 1.0, "overflow_to_api": False}}, 2920.0),
        # no minimum fleet, overflow to the hosted open model: 37,500 x 0.00125 + 562.5 = 46.875 + 562.5 = 609.375
        (
            {
                "self_hosted__min_replicas": 0,
                "self_hosted_mixed": {"small_share": 0.75, "overflow_model": "toyhost-open"},
            },
            609.375,
        ),
        # its own flagship: 12,500 on small at (2,000 + 2,500) / 1e6 = 0.0045 → 56.25 + 2,920 = 2,976.25
        ({"self_hosted_mixed": {"small_share": 0.75, "flagship": "small"}}, 2976.25),
    ],
    ids=["default-75", "share-0", "share-1-is-self-hosted", "overflow-to-hosted-open", "own-flagship"],
)
def test_engine_prices_the_mixed_strategy(toy_catalog, toy_scenario, changes, expected):
    result = evaluate(toy_scenario(**changes), toy_catalog)
    assert result.errors == {}
    assert result.monthly_cost_usd["self_hosted_mixed"] == pytest.approx(expected, rel=1e-12)
    assert result.forecast.cost["self_hosted_mixed"][0] == pytest.approx(expected, rel=1e-12)
    breakdown = sum(row.usd for row in result.strategies["self_hosted_mixed"].breakdown)
    assert breakdown == pytest.approx(expected, rel=1e-12)


def test_mixed_strategy_in_json_forecast_and_curve(toy_catalog, toy_scenario):
    result = evaluate(toy_scenario(self_hosted_mixed={"small_share": 0.75}), toy_catalog)
    doc = result.to_json_dict()
    assert doc["monthly_cost_usd"]["self_hosted_mixed"] == pytest.approx(3482.5)
    assert all("self_hosted_mixed" in row for row in doc["forecast"])
    mixed = doc["self_hosted_mixed"]
    # vs flagship only: a = 0.045; 2,920 / 0.045 = 64,888.9 small requests / 0.75 = 86,518.5 in all
    assert mixed["break_even"]["vs_flagship_only"]["first_requests_per_month"] == pytest.approx(2920 / 0.045 / 0.75)
    # vs hybrid ($0.014625 a request): a = (0.014625 - 0.25 x 0.045) / 0.75 = 0.0045 → 2,920 / 0.0045 / 0.75 = 865,185
    assert mixed["break_even"]["vs_hybrid"]["first_requests_per_month"] == pytest.approx(2920 / 0.0045 / 0.75)
    assert mixed["replicas"] == 1 and mixed["overflow_requests_per_month"] == 0.0
    curve = result.curve.cost["self_hosted_mixed"]
    assert curve.shape == result.curve.volumes.shape and np.all(np.diff(curve) >= -1e-9)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"self_hosted": None, "self_hosted_mixed": {"small_share": 0.5}}, "set up self_hosted first"),
        ({"flagship_only": None, "self_hosted_mixed": {"small_share": 0.5}}, "needs a flagship model"),
        ({"self_hosted_mixed": {"small_share": 0.5, "overflow_model": "nope"}}, "'nope' is not in the price catalog"),
    ],
    ids=["no-server", "no-flagship", "unknown-overflow-model"],
)
def test_mixed_errors_leave_the_others(toy_catalog, toy_scenario, changes, message):
    result = evaluate(toy_scenario(**changes), toy_catalog)
    assert message in result.errors["self_hosted_mixed"]
    assert "self_hosted_mixed" not in result.forecast.cost and "hybrid" in result.forecast.cost


@pytest.mark.parametrize(
    "overflow_price, overflow, first, sustained",
    [
        # the test_breakeven case: a = $1, C = 1,000, g = 900, ops 500, one replica minimum. No overflow: the staircase,
        # first n·100 >= 500 → n = 5, V = 5,000; sustained n·100 >= 1,400 → n = 14, V = (12,600 + 500) = 13,100
        (1.0, False, 5000.0, 13_100.0),
        # overflow at the baseline's price turns each jump into a ramp: equal at 5,000 and never above after
        (1.0, True, 5000.0, 5000.0),
        # overflow at $0.5: a replica (1,000 x 0.5 = 500 < 900) is never worth it beyond the minimum;
        # 900 + 500 + 0.5 (V - 1,000) = V at V = 1,800
        (0.5, True, 1800.0, 1800.0),
        # overflow at $2: the next replica starts at 900 / 2 = 450 into each step. The last step where D = 500 - 100n + 450
        # peaks above 0 is n = 9; D = 500 - r there, 0 at r = 500: 9,500
        (2.0, True, 5000.0, 9500.0),
    ],
    ids=["staircase", "ramp-at-baseline-price", "cheap-overflow-linear", "dear-overflow-ramps"],
)
def test_mixed_break_even_known_values(overflow_price, overflow, first, sustained):
    result = mixed_break_even(1.0, 1.0, overflow_price, 1.0, 1000, 900, 500, 1, overflow, tokens_per_request=1.0)
    assert result.reason is None
    assert result.first_requests_per_month == pytest.approx(first, rel=1e-12)
    assert result.sustained_requests_per_month == pytest.approx(sustained, rel=1e-12)


@pytest.mark.parametrize(
    "baseline, flagship, share, reason",
    [
        (1.0, 1.0, 0.0, "small_share is 0"),
        # the baseline is cheaper than the mixed strategy's own API part: (0.5 - 0.5 x 1) / 0.5 = 0
        (0.5, 1.0, 0.5, "no more than the mixed strategy's API part"),
    ],
    ids=["share-0", "baseline-too-cheap"],
)
def test_mixed_break_even_never(baseline, flagship, share, reason):
    result = mixed_break_even(baseline, flagship, 1.0, share, 1000, 900, 0, 1, True, tokens_per_request=1.0)
    assert result.first_requests_per_month is None and reason in result.reason


# ------------------------------------------------------------------------- properties

positive = st.floats(min_value=1e-4, max_value=1e4, allow_nan=False)
params = st.fixed_dictionaries(
    {
        "share": st.floats(0, 1),
        "flagship": st.floats(0, 0.1),
        "overflow_price": st.floats(0, 0.1),
        "capacity": st.floats(1, 1e7),
        "replica": st.floats(0, 1e4),
        "ops": st.floats(0, 1e4),
        "minimum": st.integers(0, 5),
    }
)


def _cost(volume, p, overflow):
    return mixed_cost(
        volume, p["share"], p["flagship"], p["overflow_price"], p["capacity"], p["replica"], p["ops"], p["minimum"], overflow
    ).total_usd


@settings(max_examples=200, deadline=None)
@given(p=params, volumes=st.lists(st.floats(0, 1e10), min_size=2, max_size=20))
def test_mixed_cost_is_finite_non_negative_and_monotone_in_volume(p, volumes):
    volumes = np.sort(np.array(volumes))
    for overflow in (False, True):
        cost = _cost(volumes, p, overflow)
        assert np.all(np.isfinite(cost)) and np.all(cost >= 0)
        assert np.all(np.diff(cost) >= -1e-9 * np.maximum(cost[1:], 1.0))


@settings(max_examples=200, deadline=None)
@given(p=params, volume=st.floats(0, 1e10))
def test_overflow_never_costs_more_than_adding_replicas(p, volume):
    assert _cost(volume, p, True) <= _cost(volume, p, False) * (1 + 1e-12) + 1e-9


@settings(max_examples=100, deadline=None)
@given(p=params, volume=st.floats(0, 1e10), overflow=st.booleans())
def test_share_0_is_flagship_plus_the_idle_minimum_fleet(p, volume, overflow):
    p = p | {"share": 0.0}
    expected = p["flagship"] * volume + p["minimum"] * p["replica"] + p["ops"]
    assert _cost(volume, p, overflow) == pytest.approx(expected, rel=1e-12, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(p=params, volume=st.floats(0, 1e10))
def test_share_1_without_overflow_is_the_self_hosted_staircase(p, volume):
    p = p | {"share": 1.0}
    expected = replicas_needed(volume, p["capacity"], p["minimum"]) * p["replica"] + p["ops"]
    assert _cost(volume, p, False) == pytest.approx(expected, rel=1e-12, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(volume=st.floats(0, 1e10), capacities=st.lists(st.floats(1, 1e7), min_size=1, max_size=5), minimum=st.integers(0, 4))
def test_replicas_needed_over_an_array_of_capacities_matches_one_at_a_time(volume, capacities, minimum):
    got = replicas_needed(volume, np.array(capacities), minimum)
    assert list(got) == [replicas_needed(volume, c, minimum) for c in capacities]


@settings(max_examples=150, deadline=None)
@given(
    volume=st.floats(0, 1e8),
    capacity=st.floats(1, 1e6),
    replica=st.floats(1, 1e4),
    price=st.floats(1e-6, 1.0),
    minimum=st.integers(0, 4),
)
def test_overflow_choice_is_the_cheapest_fleet(volume, capacity, replica, price, minimum):
    """Brute force over every fleet size from the minimum to the full fleet."""
    replicas, over = small_share_server(volume, capacity, replica, minimum, price, True)
    full = int(replicas_needed(volume, capacity, minimum))
    assume(full - minimum < 2000)
    n = np.arange(minimum, full + 1, dtype=float)
    brute = n * replica + price * np.maximum(0.0, volume - n * capacity)
    brute[-1] = full * replica  # the full fleet carries everything (replicas_needed's rounding)
    got = float(replicas) * replica + price * float(over)
    assert got <= brute.min() * (1 + 1e-9) + 1e-9


scan = st.fixed_dictionaries(
    {
        "a": st.floats(1e-3, 10),
        "capacity": st.floats(1, 1e4),
        "replica": st.floats(1, 1e4),
        "ops": st.floats(0, 1e4),
        "minimum": st.integers(0, 4),
        "overflow_price": st.floats(0, 20),
    }
)


@settings(max_examples=200, deadline=None)
@given(p=scan, overflow=st.booleans())
def test_break_even_volumes_bracket_where_mixed_is_cheaper(p, overflow):
    """Below the first break-even the server part costs more than the API it replaces; from the sustained one on, never more."""
    a, capacity, g, ops, m, o = (p[k] for k in ("a", "capacity", "replica", "ops", "minimum", "overflow_price"))
    result = mixed_break_even(a, a, o, 1.0, capacity, g, ops, m, overflow, tokens_per_request=1.0)
    first, sustained = result.first_requests_per_month, result.sustained_requests_per_month
    top = (sustained or first or 0.0) * 3 + capacity * (m + 3)
    assume(top / capacity < 20_000)  # every replica boundary is on the grid
    x = np.concatenate((np.linspace(0, top, 4001), np.arange(0, top, capacity)))
    server, over = small_share_server(x, capacity, g, m, o, overflow)
    d = server * g + ops + o * over - a * x
    tolerance = 1e-9 * (g + ops + a * x)
    if first is None:
        assert np.all(d > -tolerance)
        return
    assert np.all(d[x < first * (1 - 1e-9)] > -tolerance[x < first * (1 - 1e-9)])
    if sustained is not None:
        assert first <= sustained * (1 + 1e-12)
        after = x > sustained * (1 + 1e-9)
        assert np.all(d[after] <= tolerance[after])


@settings(max_examples=150, deadline=None)
@given(p=scan, share=st.floats(0.01, 1))
def test_without_overflow_break_even_is_the_staircase_scaled_by_the_share(p, share):
    a, capacity, g, ops, m = (p[k] for k in ("a", "capacity", "replica", "ops", "minimum"))
    mixed = mixed_break_even(a, a, 0.0, share, capacity, g, ops, m, False, tokens_per_request=1.0)
    staircase = break_even(a, capacity, g, ops, m, tokens_per_request=1.0)
    for got, want in (
        (mixed.first_requests_per_month, staircase.first_requests_per_month),
        (mixed.sustained_requests_per_month, staircase.sustained_requests_per_month),
    ):
        assert (got is None) == (want is None)
        if want is not None:
            assert got == pytest.approx(want / share, rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(p=scan)
def test_overflow_breaks_even_no_later(p):
    a, capacity, g, ops, m, o = (p[k] for k in ("a", "capacity", "replica", "ops", "minimum", "overflow_price"))
    # As in test_breakeven: when a full replica saves under 0.1% of its cost, break-even lies
    # hundreds of thousands of replicas out, past the scan's MAX_SCAN_STEPS and float resolution.
    assume(a * capacity >= g * 1.001)
    with_overflow = mixed_break_even(a, a, o, 1.0, capacity, g, ops, m, True, tokens_per_request=1.0)
    without = mixed_break_even(a, a, o, 1.0, capacity, g, ops, m, False, tokens_per_request=1.0)
    if without.first_requests_per_month is not None:
        assert with_overflow.first_requests_per_month is not None
        assert with_overflow.first_requests_per_month <= without.first_requests_per_month * (1 + 1e-9)


# --------------------------------------------------------------------------- the section


@pytest.mark.parametrize(
    "section, message",
    [
        ({"small_share": 1.5}, "self_hosted_mixed.small_share: must be between 0 and 1, got 1.5"),
        ({"overflow_to_api": "yes"}, "self_hosted_mixed.overflow_to_api: must be true or false"),
        ({"flagship": {"reasoning_tokens": 5}}, "self_hosted_mixed.flagship.model: is missing"),
        ({"share": 0.5}, "self_hosted_mixed.share: unknown key"),
    ],
    ids=["share-above-1", "overflow-not-bool", "flagship-without-model", "unknown-key"],
)
def test_mixed_section_is_validated(section, message):
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"self_hosted_mixed": section})
    assert any(message in problem for problem in info.value.problems), info.value.problems
    scenario, problems = parse_scenario({"self_hosted_mixed": section}, strict=False)
    assert problems and scenario.self_hosted_mixed is not None


@settings(max_examples=50, deadline=None)
@given(
    share=st.floats(0, 1),
    overflow=st.booleans(),
    flagship=st.none() | st.sampled_from(["gpt-5", {"model": "gpt-5.1", "reasoning_tokens": 800}]),
    overflow_model=st.none() | st.just("together-llama-3.3-70b"),
    omit=st.booleans(),
)
def test_mixed_section_round_trips(share, overflow, flagship, overflow_model, omit):
    section = {"small_share": share, "overflow_to_api": overflow, "flagship": flagship, "overflow_model": overflow_model}
    scenario = parse_scenario({"growth": {"start_month": "2027-01"}, "self_hosted_mixed": section})[0]
    assert scenario.strategies() == ["self_hosted_mixed"]
    assert parse_scenario(scenario_to_dict(scenario, omit_defaults=omit))[0] == scenario
