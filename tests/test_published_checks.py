"""Published claims and check cases, reproduced by the engine from their stated inputs.

Sources: the article the product grew from (its claims, restated with their inputs below) and published
check cases (each case's id names the work whose stated inputs and outputs it reproduces).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from calculators.engine import evaluate
from calculators.scenario import load_scenario_text, parse_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def scenario(doc):
    return parse_scenario({"growth": {"start_month": "2027-01", "monthly_rate": 0, "horizon_months": 12}} | doc)[0]


def preset(name):
    return load_scenario_text((SCENARIOS / name).read_text(), source=name)


def load_doc(name):
    return yaml.safe_load((SCENARIOS / name).read_text())


# --------------------------------------------------------------- the source article


@pytest.mark.parametrize(
    "overrides, expected_saving",
    [
        # Opus 4.5 $5/$25, Haiku 4.5 $1/$5: 1 - (0.75·1 + 0.25·5) / 5 = 1 - 2/5 = 60%
        ({}, 0.60),
        # the older Opus price $15/$75: 1 - (0.75·1 + 0.25·15) / 15 = 1 - 4.5/15 = 70%
        ({"claude-opus-4-5": {"input": 15, "output": 75}}, 0.70),
    ],
    ids=["opus-4.5-current-price", "opus-old-price"],
)
def test_article_routing_claim_60_to_70_percent(catalog, overrides, expected_saving):
    doc = load_doc("article-routing-75-25.yaml") | ({"price_overrides": overrides} if overrides else {})
    result = evaluate(parse_scenario(doc)[0], catalog)
    assert result.savings_vs_flagship_only["hybrid"] == pytest.approx(expected_saving)


@pytest.mark.parametrize(
    "model, expected",
    [
        # 50,000 conversations x (3,000 in x $1 + 800 out x $5) / 1e6 = 50,000 x 0.007 = $350 ("a few hundred")
        ("claude-haiku-4-5", 350.0),
        # Opus 4.5 at $5/$25: 50,000 x (3,000·5 + 800·25) / 1e6 = $1,750 (not quite "several thousand")
        ("claude-opus-4-5", 1750.0),
        # Opus 4.1 at $15/$75: 50,000 x (3,000·15 + 800·75) / 1e6 = $5,250 ("several thousand")
        ("claude-opus-4-1", 5250.0),
    ],
    ids=["haiku-4.5", "opus-4.5", "opus-4.1"],
)
def test_article_customer_support_example(catalog, model, expected):
    doc = while_opus_41_is_sold(load_doc("customer-support.yaml")) | {"flagship_only": {"model": model}}
    result = evaluate(parse_scenario(doc)[0], catalog)
    assert result.monthly_cost_usd["flagship_only"] == pytest.approx(expected)


def while_opus_41_is_sold(doc: dict) -> dict:
    """The document priced from June 2026: Opus 4.1 shuts down on 2027-01-08 with no successor, and a
    forecast never prices a model after its shutdown."""
    return doc | {"growth": doc["growth"] | {"start_month": "2026-06"}}


def test_article_20x_claim_does_not_hold_at_list_prices(catalog):
    # The article says Haiku 4.5 vs Opus 4.5 "can exceed 20x". Both prices scale by the same factor:
    # $5/$1 = $25/$5 = 5x; even the retired Opus 4.1 is $15/$1 = 15x. Neither reaches 20x.
    doc = while_opus_41_is_sold(load_doc("customer-support.yaml"))
    costs = {
        m: evaluate(parse_scenario(doc | {"flagship_only": {"model": m}})[0], catalog).monthly_cost_usd["flagship_only"]
        for m in ("claude-haiku-4-5", "claude-opus-4-5", "claude-opus-4-1")
    }
    assert costs["claude-opus-4-5"] / costs["claude-haiku-4-5"] == pytest.approx(5.0)
    assert costs["claude-opus-4-1"] / costs["claude-haiku-4-5"] == pytest.approx(15.0)


# ---------------------------------------------------------- economics.md check cases

# DeepSeek's published day: 608B input tokens (342B cache hits) and 168B output tokens.
# Modelled as 168M requests a day of 1,000 output tokens and 608e9/168e6 = 3,619.05 input tokens.
DAYS_PER_MONTH = 730 / 24
DEEPSEEK_REQUESTS_PER_DAY = 168e6
DEEPSEEK_WORKLOAD = {
    "requests_per_month": DEEPSEEK_REQUESTS_PER_DAY * DAYS_PER_MONTH,
    "input_tokens": 608e9 / DEEPSEEK_REQUESTS_PER_DAY,
    "output_tokens": 1000,
    "cached_input_share": 342 / 608,
}


def test_check_2_deepseek_revenue_at_r1_prices(catalog):
    # 342B x $0.14 + 266B x $0.55 + 168B x $2.19 = 47,880 + 146,300 + 367,920 = $562,100 a day (published $562,027)
    # priced in March 2025, while R1 was sold (it shut down on 2025-09-29; later months price its successor)
    doc = {"workload": DEEPSEEK_WORKLOAD, "flagship_only": {"model": "deepseek-r1"}}
    result = evaluate(scenario(doc | {"growth": {"start_month": "2025-03", "monthly_rate": 0, "horizon_months": 6}}), catalog)
    per_day = result.monthly_cost_usd["flagship_only"] / DAYS_PER_MONTH
    assert per_day == pytest.approx(562_100, rel=1e-9)
    assert per_day == pytest.approx(562_027, rel=2e-4)


def test_check_1_and_3_deepseek_nodes_and_daily_cost(catalog):
    # Capacity identity: 608e9/86,400 / 73,700 + 168e9/86,400 / 14,800 = 95.48 + 131.38 = 226.9 nodes
    # (published average 226.75). Cost: 227 nodes x 8 GPUs x 24 h x $2 = $87,168 a day (published,
    # at 226.75 nodes: $87,072).
    doc = {
        "workload": DEEPSEEK_WORKLOAD,
        "self_hosted": {
            "profile": "deepseek-v3-h800-node",
            "gpu_hour_usd": 2.0,
            "utilization": 1.0,
            "peak_to_average": 1.0,
            "min_replicas": 1,
        },
    }
    result = evaluate(scenario(doc), catalog)
    nodes_exact = DEEPSEEK_WORKLOAD["requests_per_month"] / result.self_hosted.capacity_per_replica
    assert nodes_exact == pytest.approx(226.9, abs=0.05)
    assert result.self_hosted.replicas == 227
    assert result.monthly_cost_usd["self_hosted"] / DAYS_PER_MONTH == pytest.approx(87_168)
    # the published figure at its 226.75 nodes, from the product's cost of one node (8 GPUs x $2 x 730 h a month)
    assert 226.75 * result.self_hosted.plan.replica_usd_per_month / DAYS_PER_MONTH == pytest.approx(87_072)


def test_check_4_peak_to_average_raises_the_fleet(catalog):
    # DeepSeek's peak 278 / average 226.75 = 1.226: sizing for the peak needs ceil(226.9 x 1.226) = 279 nodes
    doc = {
        "workload": DEEPSEEK_WORKLOAD,
        "self_hosted": {
            "profile": "deepseek-v3-h800-node",
            "gpu_hour_usd": 2.0,
            "utilization": 1.0,
            "peak_to_average": 278 / 226.75,
        },
    }
    assert evaluate(scenario(doc), catalog).self_hosted.replicas == 279


def test_check_5_sglang_cost_per_million_output_tokens(catalog):
    # 8 H100 x $2/h / (22,282 output tok/s x 3,600 / 1e6) = $16 / 80.215 = $0.1995 per 1M output tokens
    doc = {
        "workload": {"requests_per_month": 1e6, "input_tokens": 0, "output_tokens": 1000},
        "self_hosted": {"profile": "sglang-deepseek-8xh100", "gpu_hour_usd": 2.0, "utilization": 1.0, "peak_to_average": 1.0},
    }
    result = evaluate(scenario(doc), catalog)
    assert result.self_hosted.usd_per_million_tokens_full == pytest.approx(0.1995, abs=5e-5)


def test_check_7_nim_70b_cost_per_million_output(catalog):
    # 70B at NIM's C = 50 SLO point: 2 GPUs x $2 = $4/h / (814 output tok/s x 3,600 / 1e6) = $1.365 per 1M output.
    # The measured 814 tok/s already includes the prefill load, so prefill is set out of the way.
    doc = {
        "workload": {"requests_per_month": 1e6, "input_tokens": 0, "output_tokens": 500},
        "self_hosted": {
            "gpus_per_replica": 2,
            "gpu_hour_usd": 2.0,
            "prefill_tokens_per_s": 1e9,
            "decode_tokens_per_s": 814,
            "utilization": 1.0,
            "peak_to_average": 1.0,
        },
    }
    result = evaluate(scenario(doc), catalog)
    assert result.self_hosted.usd_per_million_tokens_full == pytest.approx(1.365, abs=1e-3)


def test_check_8_break_even_volume(catalog):
    # One 70B replica on 2x H100 at $2/GPU-h = 2 x 2 x 730 = $2,920 a month; API $0.88 per 1M tokens flat.
    # V* = 2,920 / 0.88 = 3,318 requests of 1M tokens = 3.32B tokens a month.
    doc = {
        "workload": {"requests_per_month": 1000, "input_tokens": 900_000, "output_tokens": 100_000},
        "flagship_only": {"model": "llama-3.1-70b-together-2024"},
        "price_overrides": {"llama-3.1-70b-together-2024": {"input": 0.88, "output": 0.88}},
        "self_hosted": {
            "gpus_per_replica": 2,
            "gpu_hour_usd": 2.0,
            "prefill_tokens_per_s": 1e9,
            "decode_tokens_per_s": 1e9,
            "utilization": 1.0,
            "peak_to_average": 1.0,
        },
    }
    result = evaluate(scenario(doc), catalog)
    be = result.self_hosted.break_even["flagship_only"]
    assert be.first_tokens_per_month == pytest.approx(3.318e9, rel=1e-3)
    assert be.first_requests_per_month == pytest.approx(2920 / 0.88)


def test_check_10_routellm_blended_cost(catalog):
    # GPT-4 $24.7/M and Mixtral $0.24/M at 13.4% strong calls: 0.134 x 24.7 + 0.866 x 0.24 = $3.518/M,
    # a saving of 1 - 3.518/24.7 = 85.8% against always-GPT-4.
    doc = {
        "workload": {"requests_per_month": 1e6, "input_tokens": 500, "output_tokens": 500},
        "flagship_only": {"model": "gpt-4"},
        "hybrid": {"routes": [{"model": "gpt-4", "share": 0.134}, {"model": "mixtral-8x7b", "share": 0.866}]},
        "price_overrides": {"gpt-4": {"input": 24.7, "output": 24.7}, "mixtral-8x7b": {"input": 0.24, "output": 0.24}},
    }
    result = evaluate(scenario(doc), catalog)
    assert result.monthly_cost_usd["hybrid"] / 1000 == pytest.approx(3.518, abs=1e-3)  # 1M tokens per 1,000 requests
    assert result.savings_vs_flagship_only["hybrid"] == pytest.approx(0.858, abs=5e-4)


def test_check_12_automix_cascade(catalog):
    # AutoMix units: SLM 1, verification = SLM = 1, LLM 60. The small model's slot costs 2 (answer + verify).
    # Cascade at e = 20%: 2 + 0.2 x 60 = 14, i.e. 14/60 = 23.3% of always-LLM.
    doc = {
        "workload": {"requests_per_month": 1e6, "input_tokens": 1000, "output_tokens": 0},
        "flagship_only": {"model": "llm"},
        "cascade": {"first": "slm-with-verifier", "second": "llm", "escalation_rate": 0.2},
        "price_overrides": {"slm-with-verifier": {"input": 2, "output": 2}, "llm": {"input": 60, "output": 60}},
    }
    result = evaluate(scenario(doc), catalog)
    assert result.monthly_cost_usd["cascade"] / result.monthly_cost_usd["flagship_only"] == pytest.approx(14 / 60)


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_every_preset_evaluates_without_errors(catalog, name):
    result = evaluate(preset(name), catalog)
    assert result.errors == {}
    assert result.monthly_cost_usd
