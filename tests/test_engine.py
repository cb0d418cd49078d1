"""The cost engine on the toy catalog: known values worked out by hand, then properties."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine import MAX_STEPS_DRAWN, evaluate
from calculators.scenario import parse_scenario
from calculators.selfhost import replicas_needed

# Toy prices: big $10 in / $50 out (cached $1, write $12.5, batch 50%, >100k input: $20/$75),
# small $1 / $5 (cached $0.1), toyhost-open $0.5 / $0.5, GPU X $2/h, 2 GPUs per replica.


@pytest.mark.parametrize(
    "changes, strategy, expected",
    [
        # 50,000 x (2,000·10 + 500·50) / 1e6 = 50,000 x 0.045 = 2,250
        ({}, "flagship_only", 2250.0),
        # 50,000 x (0.75·(2,000·1 + 500·5) + 0.25·45,000) / 1e6 = 50,000 x 0.014625 = 731.25
        ({}, "hybrid", 731.25),
        # 50,000 x (4,500 + 0.2·45,000) / 1e6 = 50,000 x 0.0135 = 675
        ({}, "cascade", 675.0),
        # 50,000 x (2,000·0.5 + 500·0.5) / 1e6 = 62.5
        ({}, "hosted_open", 62.5),
        # one replica: 2 GPUs x $2 x 730 h = 2,920
        ({}, "self_hosted", 2920.0),
        # reasoning bills as output: 50,000 x (2,000·10 + (500 + 1,000)·50) / 1e6 = 4,750
        ({"workload__reasoning_tokens": 1000}, "flagship_only", 4750.0),
        # a slot's own reasoning overrides the workload's: 50,000 x (20,000 + 2,500·50) / 1e6 = 7,250
        ({"flagship_only": {"model": "big", "reasoning_tokens": 2000}}, "flagship_only", 7250.0),
        # half the input cached: 50,000 x (1,000·10 + 1,000·1 + 500·50) / 1e6 = 1,800
        ({"workload__cached_input_share": 0.5}, "flagship_only", 1800.0),
        # a tenth written to the cache at $12.5: 50,000 x (1,800·10 + 200·12.5 + 25,000) / 1e6 = 2,275
        ({"workload__cache_write_share": 0.1}, "flagship_only", 2275.0),
        # all requests batched at 50% off: 2,250 / 2 = 1,125
        ({"workload__batch_share": 1.0}, "flagship_only", 1125.0),
        # toyhost-open has no batch API: batch share changes nothing, 62.5
        ({"workload__batch_share": 1.0}, "hosted_open", 62.5),
        # 150k input is above the 100k long-context threshold: 50,000 x (150,000·20 + 500·75) / 1e6 = 151,875
        ({"workload__input_tokens": 150_000}, "flagship_only", 151_875.0),
        # exactly at the 100k threshold is still the base price: 50,000 x (100,000·10 + 500·50) / 1e6 = 51,250
        ({"workload__input_tokens": 100_000}, "flagship_only", 51_250.0),
        # one token above it bills wholly at the tier: 50,000 x (100,001·20 + 500·75) / 1e6 = 101,876
        ({"workload__input_tokens": 100_001}, "flagship_only", 101_876.0),
        # long context with half the input read from the cache (the tier has no cached price: the base's $1):
        # 50,000 x (75,000·20 + 75,000·1 + 500·75) / 1e6 = 80,625
        ({"workload__input_tokens": 150_000, "workload__cached_input_share": 0.5}, "flagship_only", 80_625.0),
        # forwarding the draft adds 500 tokens to the escalated input: 50,000 x (4,500 + 0.2·(2,500·10 + 500·50)) / 1e6 = 725
        ({"cascade": {"first": "small", "second": "big", "escalation_rate": 0.2, "forward_draft": True}}, "cascade", 725.0),
        # the forwarded draft is new text, billed uncached even when half the input is a cache read:
        # first (small): 1,000·1 + 1,000·0.1 + 500·5 = 3,600; second (big): (1,000 + 500)·10 + 1,000·1 + 500·50 = 41,000
        # 50,000 x (3,600 + 0.2·41,000) / 1e6 = 590 (567.50 when the draft was billed half at the cache-read price)
        (
            {
                "workload__cached_input_share": 0.5,
                "cascade": {"first": "small", "second": "big", "escalation_rate": 0.2, "forward_draft": True},
            },
            "cascade",
            590.0,
        ),
        # the draft counts towards the second model's long-context threshold: 99,800 + 500 = 100,300 > 100k
        # first (small): 99,800·1 + 500·5 = 102,300; second (big, tier $20/$75): 100,300·20 + 500·75 = 2,043,500
        # 50,000 x (102,300 + 0.2·2,043,500) / 1e6 = 25,550 (15,395 if the draft did not count)
        (
            {
                "workload__input_tokens": 99_800,
                "cascade": {"first": "small", "second": "big", "escalation_rate": 0.2, "forward_draft": True},
            },
            "cascade",
            25_550.0,
        ),
        # ops add a fixed amount: 2,920 + 1,000 = 3,920
        ({"self_hosted__ops_usd_per_month": 1000}, "self_hosted", 3920.0),
        # two replicas minimum for high availability: 2 x 2,920 = 5,840
        ({"self_hosted__min_replicas": 2}, "self_hosted", 5840.0),
        # the changing model: 10/31 of January at $2/$10 and 21/31 at $1/$5:
        # 50,000 x (10/31·(4,000 + 5,000) + 21/31·(2,000 + 2,500)) / 1e6 = 50,000 x 0.0059516 = 297.58
        ({"flagship_only": {"model": "changing"}}, "flagship_only", 50_000 * (10 / 31 * 9000 + 21 / 31 * 4500) / 1e6),
        # an alias prices like its model
        ({"flagship_only": {"model": "BIG-2026-01-01"}}, "flagship_only", 2250.0),
        # a price override replaces the catalog price: 50,000 x (2,000·5 + 500·25) / 1e6 = 1,125
        ({"price_overrides": {"big": {"input": 5, "output": 25}}}, "flagship_only", 1125.0),
        # a model unknown to the catalog, priced from its override: 50,000 x (2,000·3 + 500·15) / 1e6 = 675
        (
            {"flagship_only": {"model": "my-fine-tune"}, "price_overrides": {"my-fine-tune": {"input": 3, "output": 15}}},
            "flagship_only",
            675.0,
        ),
    ],
    ids=[
        "flagship",
        "hybrid-75-25",
        "cascade-20pct",
        "hosted-open",
        "self-hosted-1-replica",
        "reasoning-as-output",
        "slot-reasoning-override",
        "cached-half",
        "cache-write",
        "batch-all",
        "batch-not-offered",
        "long-context-tier",
        "long-context-at-threshold",
        "long-context-above-threshold",
        "long-context-cached",
        "cascade-forward-draft",
        "cascade-draft-uncached",
        "cascade-draft-crosses-threshold",
        "ops-cost",
        "min-replicas-2",
        "mid-month-price-change",
        "alias",
        "override",
        "unknown-model-with-override",
    ],
)
def test_monthly_cost_known_values(toy_catalog, toy_scenario, changes, strategy, expected):
    result = evaluate(toy_scenario(**changes), toy_catalog)
    assert result.errors == {}
    assert result.monthly_cost_usd[strategy] == pytest.approx(expected, rel=1e-12)


def test_savings_are_one_minus_ratio(toy_catalog, toy_scenario):
    # hybrid 731.25 vs flagship 2,250: 1 - 731.25/2,250 = 0.675
    result = evaluate(toy_scenario(), toy_catalog)
    assert result.savings_vs_flagship_only["hybrid"] == pytest.approx(0.675)
    assert result.savings_vs_flagship_only["flagship_only"] == 0.0


@pytest.mark.parametrize(
    "changes, strategy, message",
    [
        ({"hybrid": {"routes": [{"model": "small", "share": 0.7}, {"model": "big", "share": 0.2}]}}, "hybrid", "90.0%, not 100%"),
        ({"flagship_only": {"model": "nonexistent-model"}}, "flagship_only", "not in the price catalog"),
        (
            {"cascade": {"first": "small", "second": "nope", "escalation_rate": 0.1}},
            "cascade",
            "'nope' is not in the price catalog",
        ),
        ({"self_hosted": {"gpu_hour_usd": 2, "utilization": 0.5}}, "self_hosted", "needs a serving profile"),
        ({"self_hosted": {"profile": "no-such-profile"}}, "self_hosted", "not in serving.yaml"),
    ],
    ids=["shares-not-100", "unknown-flagship", "unknown-cascade-second", "server-underspecified", "unknown-profile"],
)
def test_invalid_strategy_is_reported_and_others_still_computed(toy_catalog, toy_scenario, changes, strategy, message):
    result = evaluate(toy_scenario(**changes), toy_catalog)
    assert message in result.errors[strategy]
    assert strategy not in result.monthly_cost_usd
    computed = set(result.monthly_cost_usd)
    assert computed and strategy not in computed  # the rest of the scenario still has numbers


def test_unknown_model_is_never_priced_at_zero(toy_catalog, toy_scenario):
    result = evaluate(toy_scenario(flagship_only={"model": "gpt-99"}), toy_catalog)
    assert "flagship_only" not in result.monthly_cost_usd
    assert "flagship_only" not in result.forecast.cost


def test_forecast_compounds_growth_and_applies_dated_prices(toy_catalog, toy_scenario):
    scenario = toy_scenario(
        flagship_only={"model": "changing"}, growth={"monthly_rate": 0.1, "horizon_months": 3, "start_month": "2027-01"}
    )
    result = evaluate(scenario, toy_catalog)
    # volumes: 50,000, 55,000, 60,500
    np.testing.assert_allclose(result.forecast.requests, [50_000, 55_000, 60_500])
    # February is wholly at $1/$5: 55,000 x 4,500 / 1e6 = 247.5
    assert result.forecast.cost["flagship_only"][1] == pytest.approx(247.5)
    np.testing.assert_allclose(result.forecast.cumulative["flagship_only"], np.cumsum(result.forecast.cost["flagship_only"]))
    assert any("Changing" in text for _, text in result.events)


def test_retirement_in_horizon_hands_over_to_the_successor(toy_catalog, toy_scenario):
    # Retiring ($3/$15) shuts down on 2027-03-01; its successor Big ($10/$50) is priced from then.
    # January, February: 50,000 x (2,000·3 + 500·15) / 1e6 = 675; March on: 50,000 x (2,000·10 + 500·50) / 1e6 = 2,250
    result = evaluate(toy_scenario(flagship_only={"model": "retiring"}), toy_catalog)
    assert result.forecast.cost["flagship_only"].tolist() == pytest.approx([675.0, 675.0] + [2_250.0] * 10)
    assert (
        dt.date(2027, 3, 1),
        "Retiring shuts down on 2027-03-01: priced as its successor Big from then ($10/$50 per 1M in/out)",
    ) in result.events
    assert "Flagship only: Retiring shuts down on 2027-03-01: priced as its successor Big from then" in result.notices


def test_first_month_self_hosting_is_cheaper(toy_catalog, toy_scenario):
    # Break-even vs flagship at 2,920 / 0.045 = 64,889 requests; growth 10%/month from 50,000:
    # month 2 has 60,500 and month 3 has 66,550, so index 3 (April) is the first cheaper month.
    scenario = toy_scenario(growth={"monthly_rate": 0.1, "horizon_months": 12, "start_month": "2027-01"})
    result = evaluate(scenario, toy_catalog)
    assert result.forecast.first_self_hosted_cheaper["flagship_only"] == 3
    assert result.forecast.month_label(3) == "2027-04"


def test_self_hosted_replicas_follow_the_formula(toy_catalog, toy_scenario):
    # Replica: 1 / (2,000/50,000 + 500/5,000) = 7.142857 req/s; x 730·3600 x util 0.5 / peak 2 = 4,692,857 req/month.
    # 20M requests → ceil(20e6 / 4,692,857) = ceil(4.26) = 5 replicas, 10 GPUs, 5 x 2,920 = 14,600.
    scenario = toy_scenario(
        workload={"requests_per_month": 20e6, "input_tokens": 2000, "output_tokens": 500},
        self_hosted={"profile": "open-70b-2x", "utilization": 0.5, "peak_to_average": 2.0},
    )
    result = evaluate(scenario, toy_catalog)
    assert result.self_hosted.capacity_per_replica == pytest.approx(7.142857142857143 * 730 * 3600 * 0.25)
    assert (result.self_hosted.replicas, result.self_hosted.gpus) == (5, 10)
    assert result.monthly_cost_usd["self_hosted"] == pytest.approx(14_600)


def test_curve_is_exact_on_the_staircase(toy_catalog, toy_scenario):
    result = evaluate(toy_scenario(workload={"requests_per_month": 50e6}), toy_catalog)
    curve = result.curve
    capacity = result.self_hosted.capacity_per_replica
    assert len(curve.volumes) == 200
    # each vertex after the first is a replica boundary n·C carrying the cost of n + 1 replicas
    for v, c in zip(curve.step_volumes[1:-1], curve.step_costs[1:-1], strict=True):
        n = round(v / capacity)
        assert v == pytest.approx(n * capacity)
        assert c == pytest.approx((n + 1) * 2920)


# ------------------------------------------------------------------------- properties

volumes = st.floats(min_value=0, max_value=1e9, allow_nan=False)
shares = st.floats(min_value=0, max_value=1, allow_nan=False)


def _scenario(volume, escalation=0.2, cached=0.0, batch=0.0, reasoning=0.0, **extra):
    doc = {
        "workload": {
            "requests_per_month": volume,
            "input_tokens": 1500,
            "output_tokens": 400,
            "reasoning_tokens": reasoning,
            "cached_input_share": cached,
            "batch_share": batch,
        },
        "growth": {"monthly_rate": 0.03, "horizon_months": 24, "start_month": "2026-12"},
        "flagship_only": {"model": "big"},
        "hybrid": {
            "routes": [{"model": "small", "share": 0.6}, {"model": "changing", "share": 0.3}, {"model": "big", "share": 0.1}]
        },
        "cascade": {"first": "small", "second": "big", "escalation_rate": escalation},
        "hosted_open": {"model": "toyhost-open"},
        "self_hosted": {"profile": "open-70b-2x", "min_replicas": 1, "ops_usd_per_month": 500},
    } | extra
    return parse_scenario(doc)[0]


@settings(max_examples=150, deadline=None)
@given(volume=volumes, escalation=shares, cached=shares, batch=shares, reasoning=st.floats(0, 20_000))
def test_costs_are_finite_and_non_negative(toy_catalog, volume, escalation, cached, batch, reasoning):
    result = evaluate(_scenario(volume, escalation, cached, batch, reasoning), toy_catalog)
    for series in result.forecast.cost.values():
        assert np.all(np.isfinite(series)) and np.all(series >= 0)
    for cost in result.monthly_cost_usd.values():
        assert math.isfinite(cost) and cost >= 0


@settings(max_examples=100, deadline=None)
@given(a=volumes, b=volumes)
def test_every_strategy_is_monotonic_in_volume(toy_catalog, a, b):
    low, high = sorted((a, b))
    cost_low = evaluate(_scenario(low), toy_catalog).monthly_cost_usd
    cost_high = evaluate(_scenario(high), toy_catalog).monthly_cost_usd
    for key in cost_low:
        assert cost_low[key] <= cost_high[key] * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(volume=volumes, cached=shares)
def test_cascade_limits(toy_catalog, volume, cached):
    """0% escalation equals the first model alone; 100% equals both models in full."""
    none = evaluate(_scenario(volume, 0.0, cached, flagship_only={"model": "small"}), toy_catalog).monthly_cost_usd
    assert none["cascade"] == pytest.approx(none["flagship_only"], rel=1e-12, abs=1e-12)
    full = evaluate(_scenario(volume, 1.0, cached), toy_catalog).monthly_cost_usd
    small_alone = evaluate(_scenario(volume, 1.0, cached, flagship_only={"model": "small"}), toy_catalog).monthly_cost_usd
    assert full["cascade"] == pytest.approx(full["flagship_only"] + small_alone["flagship_only"], rel=1e-12, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(volume=volumes, model=st.sampled_from(["big", "small", "changing", "retiring"]))
def test_hybrid_with_one_route_equals_flagship_only(toy_catalog, volume, model):
    scenario = _scenario(volume, flagship_only={"model": model}, hybrid={"routes": [{"model": model, "share": 1.0}]})
    result = evaluate(scenario, toy_catalog)
    np.testing.assert_allclose(result.forecast.cost["hybrid"], result.forecast.cost["flagship_only"], rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(volume=volumes, capacity=st.floats(1, 1e9), minimum=st.integers(0, 20))
def test_replicas_cover_demand(volume, capacity, minimum):
    replicas = replicas_needed(volume, capacity, minimum)
    assert replicas >= minimum
    assert replicas * capacity >= volume * (1 - 1e-9)
    assert replicas == minimum or (replicas - 1) * capacity < volume


def test_staircase_with_billions_of_steps_stays_bounded(toy_catalog, toy_scenario):
    # A replica of 1e-6 tokens/s serves 1 / (2,500 / 1e-6) = 4e-10 requests/s: ~1e-3 requests a month, so
    # 1e9 requests need ~1e12 replicas. The curve draws at most MAX_STEPS_DRAWN of those steps, each exact.
    scenario = toy_scenario(
        workload={"requests_per_month": 1e9, "input_tokens": 2000, "output_tokens": 500},
        self_hosted={"gpus_per_replica": 1, "gpu_hour_usd": 0.01, "prefill_tokens_per_s": 1e-6, "decode_tokens_per_s": 1e-6},
    )
    result = evaluate(scenario, toy_catalog)
    curve, capacity = result.curve, result.self_hosted.capacity_per_replica
    assert len(curve.step_volumes) <= MAX_STEPS_DRAWN + 2
    for v, c in zip(curve.step_volumes[1:-1], curve.step_costs[1:-1], strict=True):
        n = round(v / capacity)
        assert c == pytest.approx((n + 1) * 0.01 * 730, rel=1e-9)
