"""The self-hosted strategy sized by the capacity model: shape-following, limits, overrides, links, uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from calculators.capacity import Replica, operating_point
from calculators.engine import StrategyError, evaluate, resolve_server_plan
from calculators.links import params_to_scenario, scenario_to_params
from calculators.scenario import ScenarioError, parse_scenario, scenario_to_dict
from calculators.selfhost import replica_requests_per_s
from calculators.uncertain_inputs import apply_input, resolve_ranges
from calculators.uncertainty import draw_costs

BASE = {
    "name": "capacity",
    "workload": {"requests_per_month": 5_000_000, "input_tokens": 2000, "output_tokens": 500},
    "growth": {"monthly_rate": 0.0, "horizon_months": 12, "start_month": "2027-01"},
    "flagship_only": {"model": "claude-sonnet-4-6"},
    "self_hosted": {"model": "llama-3.3-70b", "gpu": "h100-sxm", "gpus_per_replica": 2, "precision": "fp8"},
}


def scenario(workload=None, **self_hosted):
    doc = {**BASE, "workload": {**BASE["workload"], **(workload or {})}, "self_hosted": {**BASE["self_hosted"], **self_hosted}}
    return parse_scenario(doc)[0]


def test_the_plan_reproduces_the_capacity_models_requests_per_second(catalog):
    s = scenario(max_ttft_ms=1000, max_itl_ms=50)
    plan = resolve_server_plan(s.self_hosted, catalog, s.workload)
    hw = catalog.hardware
    replica = Replica(hw.model("llama-3.3-70b"), hw.gpu("h100-sxm"), 2, "fp8", hw.engines["trtllm"])
    point = operating_point(replica, 2000, 500, max_ttft_ms=1000, max_itl_ms=50)
    rps = replica_requests_per_s(2000, 500, plan.prefill_tokens_per_s, plan.decode_tokens_per_s)
    assert rps == pytest.approx(point.requests_per_s, rel=1e-12)
    # $/GPU-hour from the first H100 offer in gpus.yaml (h100-sxm@lambda, $3.99)
    assert (plan.gpus_per_replica, plan.gpu_hour_usd, plan.capacity.offer) == (2, 3.99, "h100-sxm@lambda")


def test_capacity_follows_the_request_shape(catalog):
    # the same 5M requests, ten times longer prompts: fewer requests per replica, more replicas, more dollars
    short = evaluate(scenario(), catalog)
    long = evaluate(scenario({"input_tokens": 20_000}), catalog)
    assert long.self_hosted.capacity_per_replica < short.self_hosted.capacity_per_replica / 3
    assert long.self_hosted.replicas > short.self_hosted.replicas
    assert long.monthly_cost_usd["self_hosted"] > short.monthly_cost_usd["self_hosted"]


@pytest.mark.parametrize(
    ("workload", "options", "limit", "words"),
    [
        # 500 in / 4,000 out on 2x H100: decode dominates and the KV cache caps the batch at ~180
        ({"input_tokens": 500, "output_tokens": 4000}, {}, "kv_memory", "binding limit: KV-cache memory"),
        ({}, {"max_itl_ms": 30}, "latency", "binding limit: the latency target"),
        # 30,000 in / 20 out: prefill arithmetic is nearly all of a request's GPU time
        ({"input_tokens": 30_000, "output_tokens": 20}, {"gpus_per_replica": 8}, "compute", "binding limit: compute"),
    ],
    ids=["kv-memory", "latency", "compute"],
)
def test_the_breakdown_says_which_limit_binds(catalog, workload, options, limit, words):
    result = evaluate(scenario(workload, **options), catalog)
    notes = " ".join(result.strategies["self_hosted"].notes)
    assert words in notes
    assert result.to_json_dict()["self_hosted"]["limit"] == limit


def test_fixed_numbers_still_override_the_model(catalog):
    # prefill 50,000 and decode 5,000 tokens/s given: 1 / (2000/50000 + 500/5000) = 7.142857 requests/s
    s = scenario(prefill_tokens_per_s=50_000, decode_tokens_per_s=5_000)
    plan = resolve_server_plan(s.self_hosted, catalog, s.workload)
    assert replica_requests_per_s(2000, 500, plan.prefill_tokens_per_s, plan.decode_tokens_per_s) == pytest.approx(7.142857)


def test_a_profile_alone_means_what_it_meant(catalog):
    doc = {**BASE, "self_hosted": {"profile": "llama-3.3-70b-fp8-2xh100"}}
    plan = resolve_server_plan(parse_scenario(doc)[0].self_hosted, catalog, parse_scenario(doc)[0].workload)
    assert (plan.prefill_tokens_per_s, plan.decode_tokens_per_s, plan.capacity) == (15800, 1680, None)


def test_the_profile_supplies_gpu_count_and_offer_to_the_model(catalog):
    doc = {**BASE, "self_hosted": {"profile": "llama-4-maverick-fp8-8xh200", "model": "llama-4-maverick"}}
    s = parse_scenario(doc)[0]
    plan = resolve_server_plan(s.self_hosted, catalog, s.workload)
    assert (plan.gpus_per_replica, plan.capacity.offer, plan.capacity.replica.gpu.id) == (8, "h200@nebius", "h200")


@pytest.mark.parametrize(
    ("self_hosted", "message"),
    [
        ({"model": "llama-9"}, "model 'llama-9' is not in hardware.yaml"),
        ({"gpu": "tpu-v9"}, "GPU 'tpu-v9' is not in hardware.yaml"),
        ({"model": "llama-3.1-405b", "gpus_per_replica": 1}, "needs 406 GB for its weights"),
        ({"engine": "magic"}, "engine 'magic' is not in hardware.yaml"),
    ],
    ids=["model", "gpu", "does-not-fit", "engine"],
)
def test_capacity_problems_are_the_strategys_error(catalog, self_hosted, message):
    result = evaluate(scenario(**self_hosted), catalog)
    assert message in result.strategies["self_hosted"].error


def test_a_model_without_a_gpu_names_the_field(catalog):
    doc = {**BASE, "self_hosted": {"model": "llama-3.1-8b"}}
    s = parse_scenario(doc)[0]
    with pytest.raises(StrategyError, match=r"give the gpu to run the model on \(self_hosted.gpu\)"):
        resolve_server_plan(s.self_hosted, catalog, s.workload)


def test_the_toy_catalog_has_no_hardware_and_says_so(toy_catalog, toy_scenario):
    s = toy_scenario()
    s = parse_scenario({**scenario_to_dict(s), "self_hosted": {"model": "llama-3.1-8b", "gpu": "x"}})[0]
    result = evaluate(s, toy_catalog)
    assert "no hardware data" in result.strategies["self_hosted"].error


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("precision", "int3", "must be one of fp16, bf16, fp8, fp4"),
        ("max_itl_ms", 0, "max_itl_ms"),
        ("efficiency", 9, "efficiency"),
    ],
    ids=["precision", "itl", "efficiency"],
)
def test_bad_fields_are_scenario_errors(field, value, message):
    with pytest.raises(ScenarioError, match=message):
        parse_scenario({**BASE, "self_hosted": {**BASE["self_hosted"], field: value}})


def test_the_link_carries_the_new_fields(catalog):
    # they have no widget of their own yet, so they travel in the link's compressed x payload
    s = scenario(max_ttft_ms=1500, max_itl_ms=45, efficiency=0.9)
    params = scenario_to_params(s, catalog)
    assert "x" in params
    back, notices = params_to_scenario(params, catalog)
    assert (back, notices) == (s, [])


def test_each_uncertainty_draw_is_one_engine_run_with_the_efficiency_varied(catalog):
    s = scenario({"requests_per_month": 30_000_000}, max_itl_ms=50)
    assert resolve_ranges(s, catalog)["efficiency"].low == 0.75
    values = {"efficiency": np.array([0.7, 1.0, 1.3]), "output_tokens": np.array([400.0, 500.0, 650.0])}
    costs = draw_costs(s, catalog, values, ["self_hosted"])
    for i in range(3):
        one = apply_input(apply_input(s, "efficiency", values["efficiency"][i]), "output_tokens", values["output_tokens"][i])
        assert costs["self_hosted"][:, i] == pytest.approx(evaluate(one, catalog).forecast.cost["self_hosted"])
    assert costs["self_hosted"][0, 0] > costs["self_hosted"][0, 2]  # less efficient, more replicas
