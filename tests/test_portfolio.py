"""Portfolios (version-2 scenarios): parsing, the shared fleet, fine-tuning, the three totals, budgets.

Known values use the toy catalog (tests/toy_data.py): big $10 in / $50 out, small $1 / $5,
toyhost-open $0.5 / $0.5; a replica is 2 GPUs at $2/h = 2 x 2 x 730 = $2,920 a month and
serves 1 / (2,000/50,000 + 500/5,000) = 7.142857 requests/s of 2,000 in / 500 out, that is
7.142857 x 730 x 3,600 = 18,771,428.6 requests a month at utilization 1 and peak 1.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine import evaluate
from calculators.portfolio import TOTALS, amortization, evaluate_portfolio
from calculators.portfolio_scenario import (
    parse_document,
    parse_portfolio,
    portfolio_from_scenario,
    portfolio_to_dict,
    workload_scenario,
)
from calculators.scenario import STRATEGIES, ScenarioError, parse_scenario

REPLICA_USD = 2 * 2.0 * 730  # $2,920
CAPACITY = 1 / (2000 / 50_000 + 500 / 5_000) * 730 * 3600  # 18,771,428.6 requests a month

SHARED = {
    "version": 2,
    "name": "toy portfolio",
    "growth": {"monthly_rate": 0.0, "horizon_months": 12, "start_month": "2027-01"},
    "self_hosted": {"profile": "open-70b-2x", "utilization": 1.0, "peak_to_average": 1.0, "min_replicas": 1},
}
STRATEGY_SECTIONS = {
    "flagship_only": {"model": "big"},
    "hybrid": {"routes": [{"model": "small", "share": 0.75}, {"model": "big", "share": 0.25}]},
    "cascade": {"first": {"model": "small"}, "second": {"model": "big"}, "escalation_rate": 0.2},
    "hosted_open": {"model": "toyhost-open"},
}


def workload_doc(name, requests=50_000, plan="flagship_only", **extra):
    return {
        "name": name,
        "plan": plan,
        "workload": {"requests_per_month": requests, "input_tokens": 2000, "output_tokens": 500},
        **copy.deepcopy(STRATEGY_SECTIONS),
        **extra,
    }


def portfolio_doc(*workloads, **top):
    return {**copy.deepcopy(SHARED), **top, "workloads": list(workloads)}


def build(*workloads, **top):
    portfolio, _ = parse_portfolio(portfolio_doc(*workloads, **top))
    return portfolio


# ---------------------------------------------------------------------------- parsing


def test_parse_and_write_round_trip():
    doc = portfolio_doc(
        workload_doc(
            "Chat",
            plan="hybrid",
            category="routine",
            growth={"monthly_rate": 0.08},
            budget_usd=900,
            uncertainty={"draws": 500, "growth_rate": [0.0, 0.1]},
            quality={"cost_per_error_usd": 2.0, "error_rates": {"small": 0.08}},
        ),
        workload_doc("Knowledge", plan="self_hosted", fine_tune={"one_time_usd": 12000, "amortize_months": 6}),
        budget_usd=5000,
    )
    portfolio, problems = parse_portfolio(doc)
    assert problems == []
    assert [w.name for w in portfolio.workloads] == ["Chat", "Knowledge"]
    assert portfolio.workloads[0].growth_rate == 0.08 and portfolio.workloads[0].category == "routine"
    assert parse_portfolio(portfolio_to_dict(portfolio))[0] == portfolio
    assert parse_portfolio(portfolio_to_dict(portfolio, omit_defaults=True))[0] == portfolio


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d["workloads"][0]["hybrid"]["routes"][0].update(share=2), "workloads[0].hybrid.routes[0].share: must be between 0 and 1, got 2"),
        (lambda d: d["workloads"][0]["workload"].update(requests_per_month=-1), "workloads[0].workload.requests_per_month: must be between"),
        (lambda d: d["workloads"][0].update(plan="teleport"), "workloads[0].plan: must be one of"),
        (lambda d: d["workloads"][0].pop("cascade") and d["workloads"][0].update(plan="cascade"), "workloads[0].plan: cascade needs a cascade section"),
        (lambda d: d.pop("self_hosted") and d["workloads"][0].update(plan="self_hosted"), "workloads[0].plan: self_hosted needs the portfolio's self_hosted section"),
        (lambda d: d["workloads"][0].update(category="poetry"), "workloads[0].category: must be one of routine, code, creative, reasoning, engineering"),
        (lambda d: d["workloads"][0].update(growth={"horizon_months": 3}), "workloads[0].growth: horizon_months and start_month are the portfolio's"),
        (lambda d: d["workloads"][0].update(fine_tune={"one_time_usd": -5}), "workloads[0].fine_tune.one_time_usd: must be between 0 and"),
        (lambda d: d["workloads"][0].update(fine_tune={"one_time_usd": 5, "amortize_months": 121}), "workloads[0].fine_tune.amortize_months: must be between 1 and 120"),
        (lambda d: d["workloads"][0].update(colour="blue"), "workloads[0].colour: unknown key"),
        (lambda d: d["workloads"][0].pop("flagship_only"), "workloads[0].flagship_only: is missing"),
        (lambda d: d["workloads"].append(dict(d["workloads"][0])), "workloads[1].name: 'A' is used by another workload"),
        (lambda d: d.update(workloads=[]), "workloads: must be a list of 1 to 12 workloads"),
        (lambda d: d.update(workloads=[workload_doc(f"W{i}") for i in range(13)]), "workloads: has 13 workloads; at most 12"),
        (lambda d: d.update(budget_usd="lots"), "budget_usd: must be a number, got 'lots'"),
        (lambda d: d.update(uncertainty={}), "uncertainty: unknown key"),
        (lambda d: d["workloads"][0].update(uncertainty={"draws": 5}), "workloads[0].uncertainty.draws: must be between 100"),
    ],
    ids=[
        "route-share", "volume", "plan-unknown", "plan-undefined", "plan-no-fleet", "category", "growth-horizon",
        "fine-tune-negative", "fine-tune-too-long", "unknown-key", "no-flagship", "duplicate-name",
        "no-workloads", "too-many", "budget-text", "v1-only-section", "workload-uncertainty",
    ],
)  # fmt: skip
def test_bad_portfolio_names_the_field(change, problem):
    doc = portfolio_doc(workload_doc("A"))
    change(doc)
    with pytest.raises(ScenarioError) as caught:
        parse_portfolio(doc)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems
    lenient, problems = parse_portfolio(doc, strict=False)  # lenient mode keeps what is valid
    assert problems and 1 <= len(lenient.workloads) <= 12


def test_version_1_documents_read_as_before():
    doc = {"name": "one", "workload": {"requests_per_month": 10}, "flagship_only": {"model": "big"}}
    assert parse_document(doc) == parse_scenario(doc)
    assert isinstance(parse_document(portfolio_doc(workload_doc("A")))[0], type(build(workload_doc("A"))))


# ------------------------------------------------------------------------ known values


def test_known_values_two_workloads(toy_catalog):
    # Chat: 50,000 x (2,000 x $1 + 500 x $5)/1e6 x 0.75 + 50,000 x (2,000 x $10 + 500 x $50)/1e6 x 0.25
    #     = 168.75 + 562.5 = $731.25 on the hybrid; $2,250 on big.
    # Docs: 100,000 x (2,500 x $0.5)/1e6 = $125 on toyhost-open, + fine-tuning 12,000/6 = $2,000 → $2,125;
    #     $4,500 on big.
    portfolio = build(
        workload_doc("Chat", plan="hybrid"),
        workload_doc("Docs", 100_000, plan="hosted_open", fine_tune={"one_time_usd": 12000, "amortize_months": 6}),
        budget_usd=3000,
    )
    result = evaluate_portfolio(portfolio, toy_catalog)
    assert result.errors == {}
    assert result.this_month["plan"] == pytest.approx(731.25 + 2125)
    assert result.this_month["all_flagship"] == pytest.approx(2250 + 4500)
    # months 7-12 the fine-tuning is paid off: Docs costs $125
    assert result.totals["plan"][6] == pytest.approx(731.25 + 125)
    docs = result.workloads[1]
    assert docs.monthly_cost_usd["hosted_open"] == pytest.approx(2125)
    assert [r.part for r in docs.breakdown("hosted_open")][-1] == "fine_tune"
    # Docs over the horizon: hosted_open 125 x 12 + 12,000 = 13,500, the cheapest (big 54,000, hybrid 17,550 ...)
    assert docs.cheapest == "hosted_open"
    # Budget $3,000: the plan ($2,856.25) never crosses it; all-flagship ($6,750) is over from the first month by $3,750.
    assert result.budget["plan"].first_month is None
    assert result.budget["all_flagship"].first_month == 0
    assert result.budget["all_flagship"].over_by_usd == pytest.approx(3750)


def test_pooled_fleet_known_values(toy_catalog):
    # Three workloads of 7,000,000 requests each load a replica 7e6 / 18,771,428.6 = 0.3729:
    # separate fleets need 3 replicas ($8,760), the pool ceil(1.1187) = 2 ($5,840).
    portfolio = build(*(workload_doc(name, 7_000_000, plan="self_hosted") for name in "ABC"))
    result = evaluate_portfolio(portfolio, toy_catalog)
    fleet = result.fleet
    assert fleet.members == ("A", "B", "C")
    assert fleet.pooled_replicas[0] == 2 and fleet.separate_replicas[0] == 3
    assert fleet.pooled_gpus[0] == 4
    assert fleet.cost[0] == pytest.approx(2 * REPLICA_USD)
    assert fleet.separate_cost[0] == pytest.approx(3 * REPLICA_USD)
    assert result.this_month["plan"] == pytest.approx(2 * REPLICA_USD)
    # Each workload alone is cheapest on its own replica: $2,920 against hosted_open's
    # 7e6 x 2,500 x $0.5/1e6 = $8,750 and big's $315,000; so the cheapest total runs three separate replicas.
    assert result.this_month["cheapest"] == pytest.approx(3 * REPLICA_USD)
    # The fleet against the three on big ($0.045 a request): a replica of this mix saves
    # 0.045 x 18,771,428.6 - 2,920 > 0, so the break-even is the first replica's: 2,920 / 0.045 = 64,888.9 requests.
    assert fleet.break_even.first_requests_per_month == pytest.approx(REPLICA_USD / 0.045)


def test_moves_say_what_moving_saves(toy_catalog):
    # Chat on big ($2,250 a month) is cheapest on toyhost-open ($62.5): moving it saves $2,187.5 a month, x 12.
    result = evaluate_portfolio(build(workload_doc("Chat")), toy_catalog)
    [move] = result.moves
    assert (move.name, move.plan, move.to) == ("Chat", "flagship_only", "hosted_open")
    assert move.saves_usd_this_month == pytest.approx(2187.5)
    assert move.saves_usd_over_horizon == pytest.approx(2187.5 * 12)


def test_per_workload_budget_crossing(toy_catalog):
    # 50,000 requests growing 10% a month on big: $2,250 x 1.1^t; above $3,000 first at t = 4 ($3,294.1).
    portfolio = build(workload_doc("Chat", growth={"monthly_rate": 0.1}, budget_usd=3000))
    crossing = evaluate_portfolio(portfolio, toy_catalog).workload_budget["Chat"]
    assert crossing.first_month == 4
    assert crossing.over_by_usd == pytest.approx(2250 * 1.1**4 - 3000)


def test_amortization_doctest_edges():
    # 1,000 over 3 months in a 2-month horizon: only the first two thirds fall inside
    assert amortization(1000.0, 3, 2).tolist() == pytest.approx([1000 / 3, 1000 / 3])
    assert amortization(0.0, 5, 3).tolist() == [0.0, 0.0, 0.0]


# -------------------------------------------------------------------------- properties

volumes = st.floats(0, 5e7, allow_nan=False)
shapes = st.tuples(st.integers(0, 20_000), st.integers(0, 4_000))
plans = st.sampled_from(("flagship_only", "hybrid", "cascade", "hosted_open", "self_hosted"))


@st.composite
def portfolios(draw, max_workloads=6):
    count = draw(st.integers(1, max_workloads))
    workloads = []
    for i in range(count):
        tokens_in, tokens_out = draw(shapes)
        doc = workload_doc(f"W{i}", draw(volumes), plan=draw(plans))
        doc["workload"].update(input_tokens=tokens_in, output_tokens=tokens_out)
        if draw(st.booleans()):
            doc["growth"] = {"monthly_rate": draw(st.floats(-0.5, 0.5))}
        if draw(st.booleans()):
            doc["fine_tune"] = {"one_time_usd": draw(st.floats(0, 1e6)), "amortize_months": draw(st.integers(1, 30))}
        workloads.append(doc)
    top = {"self_hosted": {**SHARED["self_hosted"], "min_replicas": draw(st.integers(0, 3))}}
    return build(*workloads, **top)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    requests=volumes,
    shape=shapes,
    rate=st.floats(-0.5, 0.5),
    plan=plans,
    escalation=st.floats(0, 1),
    min_replicas=st.integers(0, 3),
)
def test_one_workload_portfolio_equals_its_version_1_form(toy_catalog, requests, shape, rate, plan, escalation, min_replicas):
    v1_doc = {
        "name": "solo",
        "workload": {"requests_per_month": requests, "input_tokens": shape[0], "output_tokens": shape[1]},
        "growth": {"monthly_rate": rate, "horizon_months": 12, "start_month": "2027-01"},
        **copy.deepcopy(STRATEGY_SECTIONS),
        "self_hosted": {**SHARED["self_hosted"], "min_replicas": min_replicas},
    }
    v1_doc["cascade"]["escalation_rate"] = escalation
    scenario, _ = parse_scenario(v1_doc)
    portfolio = portfolio_from_scenario(scenario, plan)
    assert workload_scenario(portfolio, portfolio.workloads[0]) == scenario
    # the written version-2 document reads back to the same portfolio
    assert parse_portfolio(portfolio_to_dict(portfolio))[0] == portfolio
    expected = evaluate(scenario, toy_catalog)
    result = evaluate_portfolio(portfolio, toy_catalog)
    [solo] = result.workloads
    assert set(solo.cost) == set(expected.forecast.cost) == set(STRATEGIES) - {"self_hosted_mixed"}
    for key, values in expected.forecast.cost.items():
        np.testing.assert_array_equal(solo.cost[key], values, err_msg=key)
    np.testing.assert_allclose(result.totals["plan"], expected.forecast.cost[plan], rtol=1e-12)
    np.testing.assert_array_equal(result.totals["all_flagship"], expected.forecast.cost["flagship_only"])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(portfolio=portfolios(max_workloads=12))
def test_pooled_replicas_never_exceed_separate_replicas(toy_catalog, portfolio):
    result = evaluate_portfolio(portfolio, toy_catalog)
    if result.fleet is None:
        assert all(w.plan != "self_hosted" for w in portfolio.workloads)
        return
    assert np.all(result.fleet.pooled_replicas <= result.fleet.separate_replicas)
    assert np.all(result.fleet.cost <= result.fleet.separate_cost * (1 + 1e-12))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(portfolio=portfolios())
def test_totals_are_the_sums_they_claim(toy_catalog, portfolio):
    result = evaluate_portfolio(portfolio, toy_catalog)
    by_name = {w.name: w for w in result.workloads}
    for key in TOTALS:
        np.testing.assert_allclose(result.totals[key], sum(result.parts[key].values()), rtol=1e-12)
    all_flagship = sum(w.evaluation.forecast.cost["flagship_only"] for w in result.workloads)
    np.testing.assert_allclose(result.totals["all_flagship"], all_flagship, rtol=1e-12)
    cheapest = sum(w.cost[w.cheapest] for w in result.workloads)
    np.testing.assert_allclose(result.totals["cheapest"], cheapest, rtol=1e-12)
    for w in result.workloads:  # the cheapest is cheapest over the horizon
        assert all(np.sum(w.cost[w.cheapest]) <= np.sum(v) * (1 + 1e-12) for v in w.cost.values())
    # plan = the workloads off the fleet on their plan + the pooled fleet once + the members' fine-tuning
    members = result.fleet.members if result.fleet else ()
    expected = sum((w.cost[w.workload.plan] for w in result.workloads if w.name not in members), np.zeros(len(result.months)))
    if result.fleet:
        expected = expected + result.fleet.cost + sum(by_name[name].amortization for name in members)
    np.testing.assert_allclose(result.totals["plan"], expected, rtol=1e-9, atol=1e-6)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(portfolio=portfolios(max_workloads=4), one_time=st.floats(0, 1e7), months=st.integers(1, 30), which=st.integers(0, 3))
def test_fine_tuning_adds_one_time_over_n_in_the_first_n_months(toy_catalog, portfolio, one_time, months, which):
    from dataclasses import replace

    from calculators.portfolio_scenario import FineTune

    index = which % len(portfolio.workloads)
    bare = replace(portfolio.workloads[index], fine_tune=None)
    tuned = replace(bare, fine_tune=FineTune(one_time, months))
    swap = lambda w: replace(portfolio, workloads=portfolio.workloads[:index] + (w,) + portfolio.workloads[index + 1 :])  # noqa: E731
    before = evaluate_portfolio(swap(bare), toy_catalog)
    after = evaluate_portfolio(swap(tuned), toy_catalog)
    step = np.array([one_time / months if t < months else 0.0 for t in range(12)])
    for key in ("hosted_open", "self_hosted"):
        np.testing.assert_allclose(after.workloads[index].cost[key] - before.workloads[index].cost[key], step, atol=1e-6)
    for key in ("flagship_only", "hybrid", "cascade"):
        np.testing.assert_array_equal(after.workloads[index].cost[key], before.workloads[index].cost[key])
    if tuned.plan in ("hosted_open", "self_hosted"):
        np.testing.assert_allclose(after.totals["plan"] - before.totals["plan"], step, atol=1e-6)


def test_plan_breakdown_adds_up_to_the_plan_and_shows_fine_tuning(toy_catalog):
    from dashboard.figures.portfolio import plan_breakdown_frame

    # Chat on the hybrid ($731.25); Docs on the pooled fleet ($2,920) with fine-tuning 12,000/6 = $2,000 a month
    portfolio = build(
        workload_doc("Chat", plan="hybrid"),
        workload_doc("Docs", 100_000, plan="self_hosted", fine_tune={"one_time_usd": 12000, "amortize_months": 6}),
    )
    result = evaluate_portfolio(portfolio, toy_catalog)
    frame = plan_breakdown_frame(result)
    assert frame["$/month"].sum() == pytest.approx(result.this_month["plan"]) == pytest.approx(731.25 + REPLICA_USD + 2000)
    docs = frame[frame["Workload"] == "Docs"].set_index("Part")["$/month"]
    assert docs.to_dict() == pytest.approx({"Share of the shared fleet": REPLICA_USD, "Fine-tuning": 2000})


def test_stacked_figure_stacks_the_workloads_under_the_budget(toy_catalog):
    from dashboard.figures.portfolio import WORKLOAD_COLORS, stacked_figure

    # the two-workload known values: Chat $731.25 on the hybrid, Docs $2,125 (hosted open $125 + fine-tuning $2,000)
    portfolio = build(
        workload_doc("Chat", plan="hybrid"),
        workload_doc("Docs", 100_000, plan="hosted_open", fine_tune={"one_time_usd": 12000, "amortize_months": 6}),
        budget_usd=3000,
    )
    option, height = stacked_figure(evaluate_portfolio(portfolio, toy_catalog))
    chat, docs, budget = option["series"]
    assert [chat["name"], docs["name"]] == ["Chat", "Docs"] and option["legend"]["data"] == ["Chat", "Docs"]
    assert chat["stack"] == docs["stack"] and [chat["color"], docs["color"]] == list(WORKLOAD_COLORS[:2])
    assert option["xAxis"]["data"][:2] == ["2027-01", "2027-02"]
    # the budget ($3,000) tops every bar ($2,856.25): the axis stays in dollars (unit 1), and reaches the budget line
    assert option["yAxis"]["axisLabel"]["formatter"] == "${value}"
    assert chat["data"][0]["value"] == pytest.approx(731.25) and docs["data"][0]["value"] == pytest.approx(2125)
    assert docs["data"][6]["value"] == pytest.approx(125)  # fine-tuning paid off after six months
    assert docs["data"][0]["tooltip"]["formatter"] == "<b>Docs</b><br/>2027-01: $2.12k"  # money()
    (line,) = budget["markLine"]["data"]
    assert line["yAxis"] == 3000 and line["label"]["formatter"] == "budget $3k/month"
    assert budget["data"] == [["2027-01", 3000]]  # the invisible point that stretches the axis to the line
    assert option["toolbox"]["feature"]["saveAsImage"]["name"] == "toy-portfolio-portfolio-plan"
    assert height == 450
    json.dumps(option, allow_nan=False)


def test_totals_figure_draws_the_three_totals_in_thousands(toy_catalog):
    from dashboard.figures.portfolio import TOTAL_COLORS, totals_figure

    # Chat on big: $2,250 a month; all on the flagship the same; each on its cheapest toyhost-open, $62.50.
    # Ten times the volume puts the top at $22,500 ≥ $10k: the axis counts in thousands ($22.5k drawn as 22.5).
    option, _ = totals_figure(evaluate_portfolio(build(workload_doc("Chat", 500_000)), toy_catalog))
    lines = {s["name"]: s for s in option["series"]}
    assert list(lines) == ["Our plan", "All on the flagship", "Each on its cheapest"]
    assert option["yAxis"]["axisLabel"]["formatter"] == "${value}k"
    assert lines["Our plan"]["data"][0]["value"] == pytest.approx(22.5)
    assert lines["Each on its cheapest"]["data"][0]["value"] == pytest.approx(0.625)
    assert lines["Each on its cheapest"]["data"][0]["tooltip"]["formatter"] == "<b>Each on its cheapest</b><br/>2027-01: $625"
    assert [lines[n]["lineStyle"]["type"] for n in lines] == ["solid", "dashed", "dotted"]
    assert [lines[n]["color"] for n in lines] == list(TOTAL_COLORS.values())
    assert option["toolbox"]["feature"]["saveAsImage"]["name"] == "toy-portfolio-portfolio-totals"
    json.dumps(option, allow_nan=False)
