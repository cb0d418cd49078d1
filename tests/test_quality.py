"""Quality-adjusted cost: expected wrong answers by strategy, worked out by hand, and the scenario section."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine import evaluate
from calculators.quality import quality_adjusted
from calculators.scenario import ScenarioError, parse_scenario, scenario_to_dict

# Toy scenario, first month: 50,000 requests; token costs flagship 2,250, hybrid 731.25 (75% small / 25% big),
# cascade 675 (small, then 20% escalated to big), hosted open 62.5, self-hosted 2,920 (one replica).
QUALITY = {
    "cost_per_error_usd": 2,
    "error_rates": {"big": 0.02, "small": 0.08, "toyhost-open": 0.06},
    "cascade_miss_rate": 0.03,
    "self_hosted_error_rate": 0.05,
}


@pytest.mark.parametrize(
    "strategy, errors, total",
    [
        # 50,000 x 0.02 = 1,000 errors x $2 = 2,000; 2,250 + 2,000 = 4,250
        ("flagship_only", 1000.0, 4250.0),
        # 0.75 x 0.08 + 0.25 x 0.02 = 0.065 → 3,250 errors, $6,500; 731.25 + 6,500 = 7,231.25
        ("hybrid", 3250.0, 7231.25),
        # not escalated 0.8 x miss 0.03 + escalated 0.2 x big 0.02 = 0.024 + 0.004 = 0.028 → 1,400, $2,800; 675 + 2,800 = 3,475
        ("cascade", 1400.0, 3475.0),
        # 50,000 x 0.06 = 3,000, $6,000; 62.5 + 6,000 = 6,062.5
        ("hosted_open", 3000.0, 6062.5),
        # 50,000 x 0.05 = 2,500, $5,000; 2,920 + 5,000 = 7,920
        ("self_hosted", 2500.0, 7920.0),
        # 37,500 served x 0.05 + 12,500 on big x 0.02 = 1,875 + 250 = 2,125, $4,250; 3,482.5 + 4,250 = 7,732.5
        ("self_hosted_mixed", 2125.0, 7732.5),
    ],
    ids=["flagship", "hybrid", "cascade", "hosted-open", "self-hosted", "mixed"],
)
def test_quality_adjusted_known_values(toy_catalog, toy_scenario, strategy, errors, total):
    scenario = toy_scenario(quality=QUALITY, self_hosted_mixed={"small_share": 0.75})
    result = quality_adjusted(evaluate(scenario, toy_catalog), toy_catalog)
    q = result.strategies[strategy]
    assert q.rated and q.missing == []
    assert q.errors[0] == pytest.approx(errors, rel=1e-12)
    assert q.error_rate[0] == pytest.approx(errors / 50_000, rel=1e-12)
    assert q.total_usd[0] == pytest.approx(total, rel=1e-12)
    np.testing.assert_allclose(q.total_usd, q.token_usd + q.errors * 2, rtol=1e-12)


@pytest.mark.parametrize(
    "quality, mixed, strategy, errors",
    [
        # the self-hosted rate taken from the serving profile's open model id: 50,000 x 0.04 = 2,000
        ({"error_rates": {"open-70b": 0.04}}, None, "self_hosted", 2000.0),
        # ... or from a rated model serving the same open weights (toyhost-open is open-70b): 50,000 x 0.06 = 3,000
        ({"error_rates": {"toyhost-open": 0.06}}, None, "self_hosted", 3000.0),
        # a rate given under an alias applies to the model: 50,000 x 0.02 = 1,000
        ({"error_rates": {"big-2026-01-01": 0.02}}, None, "flagship_only", 1000.0),
        # mixed with no minimum fleet and a cheap overflow: all 37,500 small requests overflow to toyhost-open (6%)
        # and 12,500 go to big (2%): 2,250 + 250 = 2,500
        (QUALITY, {"small_share": 0.75, "overflow_model": "toyhost-open"}, "self_hosted_mixed", 2500.0),
    ],
    ids=["profile-open-model", "same-open-weights", "alias", "mixed-overflow"],
)
def test_rate_lookups(toy_catalog, toy_scenario, quality, mixed, strategy, errors):
    changes = {"quality": quality}
    if mixed is not None:
        changes |= {"self_hosted_mixed": mixed, "self_hosted__min_replicas": 0}
    result = quality_adjusted(evaluate(toy_scenario(**changes), toy_catalog), toy_catalog)
    assert result.strategies[strategy].errors[0] == pytest.approx(errors, rel=1e-12)


@pytest.mark.parametrize(
    "quality, strategy, missing",
    [
        ({"error_rates": {"big": 0.02}}, "hybrid", ["error_rates.small"]),
        ({"error_rates": {"big": 0.02}}, "cascade", ["cascade_miss_rate"]),
        ({"error_rates": {"big": 0.02}}, "self_hosted", ["self_hosted_error_rate"]),
        ({}, "flagship_only", ["error_rates.big"]),
        # two keys naming one model (big and its dated alias): which rate is meant is not known, so none is taken
        (
            {"error_rates": {"big": 0.02, "big-2026-01-01": 0.5}},
            "flagship_only",
            ["error_rates.big once (it is given as 'big' and 'big-2026-01-01')"],
        ),
    ],
    ids=["hybrid-route-unrated", "cascade-without-miss-rate", "self-hosted-unrated", "nothing-rated", "alias-twins"],
)
def test_a_missing_rate_is_never_zero(toy_catalog, toy_scenario, quality, strategy, missing):
    result = quality_adjusted(evaluate(toy_scenario(quality=quality), toy_catalog), toy_catalog)
    q = result.strategies[strategy]
    assert not q.rated and q.error_usd is None and q.total_usd is None
    assert q.missing == missing


def test_off_without_the_section(toy_catalog, toy_scenario):
    assert quality_adjusted(evaluate(toy_scenario(), toy_catalog), toy_catalog) is None


def test_errors_follow_the_forecast_volume(toy_catalog, toy_scenario):
    # growth 10%: month 2 has 60,500 requests → flagship errors 60,500 x 0.02 = 1,210
    scenario = toy_scenario(quality=QUALITY, growth={"monthly_rate": 0.1, "horizon_months": 6, "start_month": "2027-01"})
    q = quality_adjusted(evaluate(scenario, toy_catalog), toy_catalog).strategies["flagship_only"]
    assert q.errors[2] == pytest.approx(1210.0)
    assert q.error_usd[2] == pytest.approx(2420.0)


@settings(max_examples=100, deadline=None)
@given(e=st.floats(0, 1), miss=st.floats(0, 1), second=st.floats(0, 1))
def test_cascade_error_rate_mixes_miss_and_second_model(toy_catalog, e, miss, second):
    """(1 - e)·miss + e·r(second), so it lies between the two and equals each at the ends."""
    doc = {
        "workload": {"requests_per_month": 1000},
        "growth": {"start_month": "2027-01"},
        "cascade": {"first": "small", "second": "big", "escalation_rate": e},
        "quality": {"cost_per_error_usd": 1, "error_rates": {"big": second}, "cascade_miss_rate": miss},
    }
    rate = quality_adjusted(evaluate(parse_scenario(doc)[0], toy_catalog), toy_catalog).strategies["cascade"].error_rate[0]
    assert min(miss, second) - 1e-12 <= rate <= max(miss, second) + 1e-12
    assert rate == pytest.approx((1 - e) * miss + e * second, abs=1e-12)


# --------------------------------------------------------------------------- the section


@pytest.mark.parametrize(
    "section, message",
    [
        ({"cost_per_error_usd": -1}, "quality.cost_per_error_usd: must be between 0 and 1e+06, got -1"),
        ({"error_rates": {"gpt-5": 1.5}}, "quality.error_rates.gpt-5: must be between 0 and 1, got 1.5"),
        ({"error_rates": [0.1]}, "quality.error_rates: must be a mapping of model"),
        ({"cascade_miss_rate": "often"}, "quality.cascade_miss_rate: must be a number"),
        ({"errors": {}}, "quality.errors: unknown key"),
    ],
    ids=["negative-cost", "rate-above-1", "rates-not-mapping", "miss-not-number", "unknown-key"],
)
def test_quality_section_is_validated(section, message):
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"quality": section})
    assert any(message in problem for problem in info.value.problems), info.value.problems
    scenario, problems = parse_scenario({"quality": section}, strict=False)
    assert problems and scenario.quality is not None


@settings(max_examples=50, deadline=None)
@given(
    cost=st.floats(0, 1e6),
    rates=st.dictionaries(st.sampled_from(["gpt-5", "claude-haiku-4-5", "my-model"]), st.floats(0, 1), max_size=3),
    miss=st.none() | st.floats(0, 1),
    omit=st.booleans(),
)
def test_quality_section_round_trips(cost, rates, miss, omit):
    doc = {"growth": {"start_month": "2027-01"}, "quality": {"cost_per_error_usd": cost, "error_rates": rates}}
    if miss is not None:
        doc["quality"]["cascade_miss_rate"] = miss
    scenario = parse_scenario(doc)[0]
    assert dict(scenario.quality.error_rates) == rates
    assert parse_scenario(scenario_to_dict(scenario, omit_defaults=omit))[0] == scenario
