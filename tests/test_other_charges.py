"""Non-token charges (web search, tool calls, code execution) as a fixed monthly line: issue 11.

``workload.other_monthly_usd`` is carried by the scenario document, its YAML and its link (``oth``),
added to every strategy's monthly cost, forecast and volume curve, and shown as its own part of
the breakdown. "Start the forecast from my usage" sets it from the workload month's other charges.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.engine import OTHER_CHARGES, evaluate
from calculators.links import params_to_scenario, scenario_to_params
from calculators.portfolio import evaluate_portfolio
from calculators.portfolio_scenario import parse_portfolio
from calculators.scenario import dump_yaml, load_scenario_text, parse_scenario, scenario_to_dict
from calculators.uncertainty import draw_costs
from calculators.usage import import_usage, workload_from_usage
from dashboard.usage_view import start_scenario

REPLICA_USD = 2 * 2.0 * 730  # the toy catalog's replica: 2 GPUs at $2 an hour, 730 hours


def test_absent_means_no_line_and_nothing_written(toy_scenario, toy_catalog):
    scenario = toy_scenario()
    assert scenario.workload.other_monthly_usd is None
    assert "other_monthly_usd" not in scenario_to_dict(scenario)["workload"]
    assert "oth" not in scenario_to_params(scenario)
    ev = evaluate(scenario, toy_catalog)
    assert not [row for r in ev.strategies.values() for row in r.breakdown if row.part == "other"]
    assert "other_monthly_usd" not in ev.to_json_dict()


def test_every_strategy_carries_the_fixed_line(toy_scenario, toy_catalog):
    # $120 of web search a month: flagship 50,000 x (2,000 x $10 + 500 x $50)/1e6 = $2,250 → $2,370;
    # every other strategy +$120 too, in every forecast month; its breakdown has a $120 "Other charges" part.
    without = evaluate(toy_scenario(), toy_catalog)
    with_line = evaluate(toy_scenario(workload__other_monthly_usd=120), toy_catalog)
    assert (
        set(with_line.monthly_cost_usd)
        == set(without.monthly_cost_usd)
        == {
            "flagship_only",
            "hybrid",
            "cascade",
            "hosted_open",
            "self_hosted",
        }
    )
    assert with_line.monthly_cost_usd["flagship_only"] == pytest.approx(2250 + 120)
    for key, cost in without.monthly_cost_usd.items():
        assert with_line.monthly_cost_usd[key] == pytest.approx(cost + 120)
        np.testing.assert_allclose(with_line.forecast.cost[key], without.forecast.cost[key] + 120)
        np.testing.assert_allclose(with_line.forecast.cumulative[key][-1], without.forecast.cumulative[key][-1] + 12 * 120)
        np.testing.assert_allclose(with_line.curve.cost[key], without.curve.cost[key] + 120)
        [other] = [row for row in with_line.strategies[key].breakdown if row.part == "other"]
        assert (other.component, other.usd) == (OTHER_CHARGES, 120)
        assert sum(row.usd for row in with_line.strategies[key].breakdown) == pytest.approx(cost + 120)
    # The same dollars on both sides: no break-even volume moves.
    for key, be in without.self_hosted.break_even.items():
        assert with_line.self_hosted.break_even[key] == be
    assert with_line.forecast.first_self_hosted_cheaper == without.forecast.first_self_hosted_cheaper
    assert with_line.api_cost_at("flagship_only", 50_000) == pytest.approx(2250 + 120)
    assert with_line.to_json_dict()["other_monthly_usd"] == 120


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # a pure factory
@given(other=st.floats(0, 1e6), rate=st.floats(-0.2, 0.3))
def test_the_line_adds_exactly_to_every_month(toy_scenario, toy_catalog, other, rate):
    base = evaluate(toy_scenario(growth__monthly_rate=rate), toy_catalog)
    ev = evaluate(toy_scenario(growth__monthly_rate=rate, workload__other_monthly_usd=other), toy_catalog)
    for key in base.forecast.cost:
        np.testing.assert_allclose(ev.forecast.cost[key] - base.forecast.cost[key], other, rtol=1e-9, atol=1e-6)


def test_monte_carlo_draws_carry_the_line_like_the_engine(toy_scenario, toy_catalog):
    scenario = toy_scenario(workload__other_monthly_usd=75.5)
    ev = evaluate(scenario, toy_catalog)
    keys = list(ev.forecast.cost)
    drawn = draw_costs(scenario, toy_catalog, {}, keys)
    for key in keys:
        np.testing.assert_allclose(drawn[key][:, 0], ev.forecast.cost[key])


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-1, "workload.other_monthly_usd: must be between 0 and 1e+09, got -1"),
        ("lots", "workload.other_monthly_usd: must be a number, got 'lots'"),
        (2e9, "workload.other_monthly_usd: must be between 0 and 1e+09, got 2000000000.0"),
    ],
    ids=["negative", "text", "too-large"],
)
def test_a_bad_value_is_named(value, problem):
    scenario, problems = parse_scenario({"workload": {"other_monthly_usd": value}}, strict=False)
    assert problems == [problem]
    assert scenario.workload.other_monthly_usd is None


def test_yaml_and_link_round_trip(toy_scenario, toy_catalog):
    scenario = toy_scenario(workload__other_monthly_usd=42.5)
    assert load_scenario_text(dump_yaml(scenario_to_dict(scenario))) == scenario
    params = scenario_to_params(scenario)
    assert params["oth"] == "42.5"
    back, notices = params_to_scenario(params)
    assert notices == []
    assert back.workload.other_monthly_usd == 42.5
    cleared, _ = params_to_scenario({**params, "oth": ""})  # the user cleared the field
    assert cleared.workload.other_monthly_usd is None


def test_a_self_hosted_plan_keeps_its_line_in_the_pooled_fleet(toy_catalog):
    # Two workloads of 7,000,000 requests on the shared fleet: ceil(2 x 0.3729) = 1 replica ($2,920) pooled.
    # A's $200 of web search stays in the plan total: $3,120; the separate fleets are 2 replicas, without it.
    def workload(name, **extra):
        return {
            "name": name,
            "plan": "self_hosted",
            "workload": {"requests_per_month": 7_000_000, "input_tokens": 2000, "output_tokens": 500, **extra},
            "flagship_only": {"model": "big"},
        }

    portfolio, problems = parse_portfolio(
        {
            "version": 2,
            "growth": {"monthly_rate": 0, "horizon_months": 12, "start_month": "2027-01"},
            "self_hosted": {"profile": "open-70b-2x", "utilization": 1.0, "peak_to_average": 1.0, "min_replicas": 1},
            "workloads": [workload("A", other_monthly_usd=200), workload("B")],
        }
    )
    assert problems == []
    result = evaluate_portfolio(portfolio, toy_catalog)
    assert result.fleet.pooled_replicas[0] == 1
    assert result.this_month["plan"] == pytest.approx(REPLICA_USD + 200)
    assert result.fleet.separate_cost[0] == pytest.approx(2 * REPLICA_USD)


GENERIC_WITH_SEARCH = (
    b"date,model,input_tokens,output_tokens,requests,cost_usd\n"
    b"2026-01-01,gpt-5,1000000,100000,1000,2.25\n"
    b"2026-01-31,gpt-5,1000000,100000,1000,2.25\n"
    b"2026-01-20,web_search,0,0,0,12.5\n"
)


def test_start_from_usage_sets_the_line_from_the_workload_month(toy_scenario, catalog):
    usage = import_usage(GENERIC_WITH_SEARCH, filename="search.csv", catalog=catalog)
    doc = workload_from_usage(usage, catalog=catalog)
    assert doc["other_charges"] == {"charges": ["web_search"], "cost_usd": 12.5}
    started, problems = start_scenario(toy_scenario(), doc)
    assert problems == []
    assert started.workload.other_monthly_usd == 12.5
    # An export without other charges clears a line the scenario had: the export's month replaces it.
    plain = import_usage(GENERIC_WITH_SEARCH.rsplit(b"\n", 2)[0] + b"\n", filename="plain.csv", catalog=catalog)
    cleared, _ = start_scenario(toy_scenario(workload__other_monthly_usd=99), workload_from_usage(plain, catalog=catalog))
    assert cleared.workload.other_monthly_usd is None


def test_the_breakdown_chart_shows_the_line_labelled(toy_scenario, toy_catalog):
    import json

    from dashboard.figures.breakdown import breakdown_figure
    from dashboard.figures.echarts import money_scale

    option, _ = breakdown_figure(evaluate(toy_scenario(workload__other_monthly_usd=120), toy_catalog))
    option = json.loads(json.dumps(option, allow_nan=False))  # what the page receives
    scale = money_scale(option["xAxis"]["axisLabel"]["formatter"])
    [series] = [s for s in option["series"] if s["name"] == "Other charges (fixed)"]
    usd = {row: point["value"] * scale for row, point in zip(option["yAxis"]["data"], series["data"], strict=True)}
    # $120 on each strategy's "Other charges" bar, nothing elsewhere
    charged = {row for row, amount in usd.items() if amount}
    assert charged and all(row.endswith(f" · {OTHER_CHARGES}") for row in charged)
    assert {round(amount, 9) for amount in usd.values()} == {0, 120}


def test_the_plan_breakdown_keeps_a_fleet_members_line_apart(toy_catalog):
    from dashboard.figures.portfolio import plan_breakdown_frame

    portfolio, _ = parse_portfolio(
        {
            "version": 2,
            "growth": {"monthly_rate": 0, "horizon_months": 12, "start_month": "2027-01"},
            "self_hosted": {"profile": "open-70b-2x", "utilization": 1.0, "peak_to_average": 1.0, "min_replicas": 1},
            "workloads": [
                {
                    "name": "A",
                    "plan": "self_hosted",
                    "workload": {"requests_per_month": 7_000_000, "other_monthly_usd": 200},
                    "flagship_only": {"model": "big"},
                }
            ],
        }
    )
    result = evaluate_portfolio(portfolio, toy_catalog)
    frame = plan_breakdown_frame(result)
    assert frame[["Component", "Part", "$/month"]].values.tolist() == [
        ["Shared fleet", "Share of the shared fleet", pytest.approx(REPLICA_USD)],
        [OTHER_CHARGES, "Other charges (fixed)", 200.0],
    ]
    assert frame["$/month"].sum() == pytest.approx(result.this_month["plan"])
