"""The tornado: each bar is exactly two engine runs; known values by hand; ordering."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine import evaluate
from calculators.scenario import parse_scenario
from calculators.sensitivity import metric, sensitivity

# Where each uncertain input lives in the toy scenario document (conftest's ``section__key`` changes).
PATHS = {
    "growth_rate": "growth__monthly_rate",
    "escalation_rate": "cascade__escalation_rate",
    "cached_input_share": "workload__cached_input_share",
    "output_tokens": "workload__output_tokens",
    "reasoning_tokens": "workload__reasoning_tokens",
    "gpu_hour_usd": "self_hosted__gpu_hour_usd",
    "utilization": "self_hosted__utilization",
}


def _base() -> dict:
    """A fresh document each time: conftest's ``section__key`` changes write into the section's mapping."""
    return {
        "workload": {"requests_per_month": 3e7, "input_tokens": 2000, "output_tokens": 500, "reasoning_tokens": 200},
        "growth": {"monthly_rate": 0.05, "horizon_months": 12, "start_month": "2027-01"},
        "self_hosted_mixed": {"small_share": 0.75},
    }


@pytest.mark.parametrize(
    "strategy, measure, savings",
    [
        ("hybrid", "month0", True),
        ("hybrid", "horizon", True),
        ("cascade", "month0", False),
        ("self_hosted", "horizon", False),
        ("self_hosted_mixed", "month0", True),
    ],
    ids=["hybrid-saving", "hybrid-saving-horizon", "cascade-cost", "self-hosted-horizon", "mixed-saving"],
)
def test_each_bar_is_an_engine_run_at_the_input_ends(toy_catalog, toy_scenario, strategy, measure, savings):
    scenario = toy_scenario(**_base())
    result = sensitivity(scenario, toy_catalog, strategy, measure=measure, savings=savings)
    assert result.base == metric(evaluate(scenario, toy_catalog), strategy, measure, savings)
    assert {row.key for row in result.rows} == set(PATHS)  # all seven apply and none is degenerate here
    for row in result.rows:
        for value, bar in ((row.low, row.at_low), (row.high, row.at_high)):
            changed = toy_scenario(**_base(), **{PATHS[row.key]: value})
            assert bar == metric(evaluate(changed, toy_catalog), strategy, measure, savings), row.key


@pytest.mark.parametrize(
    "strategy, savings, key, expected",
    [
        # flagship only, output 375 / 625: 50,000 x (20,000 + 375·50) / 1e6 = 1,937.5 and 50,000 x (20,000 + 625·50) / 1e6 = 2,562.5
        ("flagship_only", False, "output_tokens", (1937.5, 2562.5)),
        # hybrid saving = flagship - hybrid = 50,000 x (0.0135 + 3.375e-5·O):
        # O = 375 → 50,000 x 0.02615625 = 1,307.8125; O = 625 → 50,000 x 0.03459375 = 1,729.6875
        ("hybrid", True, "output_tokens", (1307.8125, 1729.6875)),
        # cascade 50,000 x (4,500 + e·45,000) / 1e6 with e = 0.1 / 0.3: 450 and 900
        ("cascade", False, "escalation_rate", (450.0, 900.0)),
        # one replica at $1.6 / $2.4 an hour: 2 GPUs x 730 h x 1.6 = 2,336 and x 2.4 = 3,504
        ("self_hosted", False, "gpu_hour_usd", (2336.0, 3504.0)),
        # growth does not move the first month: 2,250 at both ends
        ("flagship_only", False, "growth_rate", (2250.0, 2250.0)),
    ],
    ids=["flagship-output", "hybrid-saving-output", "cascade-escalation", "self-hosted-gpu", "growth-month0"],
)
def test_known_bars(toy_catalog, toy_scenario, strategy, savings, key, expected):
    scenario = toy_scenario(growth={"monthly_rate": 0.05, "horizon_months": 12, "start_month": "2027-01"})
    rows = {row.key: row for row in sensitivity(scenario, toy_catalog, strategy, savings=savings).rows}
    assert (rows[key].at_low, rows[key].at_high) == pytest.approx(expected, rel=1e-12)


def test_rows_are_sorted_by_effect_and_skip_what_does_not_vary(toy_catalog, toy_scenario):
    # reasoning 0 has the degenerate default range (0, 0): no row; no cascade: no escalation row
    scenario = toy_scenario(cascade=None)
    result = sensitivity(scenario, toy_catalog, "self_hosted", measure="horizon")
    keys = [row.key for row in result.rows]
    assert "reasoning_tokens" not in keys and "escalation_rate" not in keys
    effects = [row.effect for row in result.rows]
    assert effects == sorted(effects, reverse=True)
    # the self-hosted fleet does not care about the prompt cache: a row of effect 0, last
    assert result.rows[-1].effect == 0.0


def test_ranges_can_be_given(toy_catalog, toy_scenario):
    # output tokens 0 to 1,000: 50,000 x 20,000 / 1e6 = 1,000 and 50,000 x (20,000 + 50,000) / 1e6 = 3,500
    result = sensitivity(toy_scenario(), toy_catalog, "flagship_only", ranges={"output_tokens": (0, 1000)})
    row = next(r for r in result.rows if r.key == "output_tokens")
    assert (row.at_low, row.at_high, row.effect) == pytest.approx((1000.0, 3500.0, 2500.0), rel=1e-12)
    assert result.rows[0] is row


@pytest.mark.parametrize(
    "changes, strategy, kwargs, message",
    [
        ({}, "flagship_only", {"measure": "year"}, "measure must be one of"),
        ({"hybrid": None}, "hybrid", {}, "Hybrid routing has no cost"),
        ({"flagship_only": None}, "hybrid", {"savings": True}, "Flagship only has no cost"),
    ],
    ids=["bad-measure", "strategy-absent", "savings-without-flagship"],
)
def test_invalid_requests(toy_catalog, toy_scenario, changes, strategy, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sensitivity(toy_scenario(**changes), toy_catalog, strategy, **kwargs)


@settings(max_examples=40, deadline=None)
@given(
    output=st.tuples(st.floats(0, 500), st.floats(500, 5000)),
    utilization=st.tuples(st.floats(0.05, 0.6), st.floats(0.6, 1.0)),
    volume=st.floats(1e3, 1e9),
)
def test_bars_bracket_the_base_for_ranges_around_the_point(toy_catalog, output, utilization, volume):
    """Costs are monotone in each input: with the point inside the range, base lies between the bar's ends."""
    doc = {
        "workload": {"requests_per_month": volume, "input_tokens": 2000, "output_tokens": 500},
        "growth": {"monthly_rate": 0.02, "horizon_months": 12, "start_month": "2027-01"},
        "flagship_only": {"model": "big"},
        "self_hosted": {"profile": "open-70b-2x", "utilization": 0.6},
        "uncertainty": {"output_tokens": list(output), "utilization": list(utilization)},
    }
    for strategy in ("flagship_only", "self_hosted"):
        result = sensitivity(parse_scenario(doc)[0], toy_catalog, strategy, measure="horizon")
        assert [r.effect for r in result.rows] == sorted((r.effect for r in result.rows), reverse=True)
        for row in result.rows:
            low, high = sorted((row.at_low, row.at_high))
            assert low <= result.base * (1 + 1e-12) and result.base <= high * (1 + 1e-12)
