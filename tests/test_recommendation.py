"""The plain-language verdict: volume tiers, months to a volume, and the sentences on the toy catalog."""

from __future__ import annotations

import dataclasses
import math

import pytest

from calculators.engine import evaluate
from calculators.recommendation import VOLUME_TIERS, months_to_reach, recommend, volume_tier
from pricing.catalog import Catalog, Latency

# Toy prices (tests/conftest.py): big $10 in / $50 out, small $1 / $5, toyhost-open $0.5 / $0.5,
# GPU X $2/h, 2 GPUs a replica. The toy scenario: 50,000 requests of 2,000 in / 500 out (2,500
# tokens), January 2027, no growth, 12 months. Monthly costs (test_engine.py): flagship $2,250,
# hybrid $731.25, cascade $675, hosted open $62.50, self-hosted $2,920 (one replica).
# One replica absorbs 1 / (2,000/50,000 + 500/5,000) = 7.142857 requests/s x 730 x 3,600
# = 18,771,429 requests a month, so the first break-even against the hybrid
# ($731.25 / 50,000 = $0.014625 a request) is at 2,920 / 0.014625 = 199,658 requests
# = 499.1M tokens a month, 3.99x today's volume.


@pytest.mark.parametrize(
    "tokens_per_month, label",
    [
        (0, "under 1M tokens a month"),
        (999_999, "under 1M tokens a month"),
        (1_000_000, "1-10M tokens a month"),  # a tier includes its lower bound
        (9_999_999, "1-10M tokens a month"),
        (10_000_000, "10-100M tokens a month"),
        (100_000_000, "over 100M tokens a month"),
        (5e12, "over 100M tokens a month"),
        (-5, "under 1M tokens a month"),  # nonsense volumes count as none
        (math.nan, "under 1M tokens a month"),
    ],
    ids=["zero", "just-under-1M", "exactly-1M", "just-under-10M", "exactly-10M", "exactly-100M", "trillions", "negative", "nan"],
)
def test_volume_tier(tokens_per_month, label):
    assert volume_tier(tokens_per_month).label == label


def test_tiers_cover_every_volume_without_gaps():
    for lower, upper in zip(VOLUME_TIERS, VOLUME_TIERS[1:], strict=False):
        assert lower.high == upper.low
    assert VOLUME_TIERS[0].low == 0 and VOLUME_TIERS[-1].high == math.inf


@pytest.mark.parametrize(
    "now, target, rate, months",
    [
        (1000, 1331, 0.10, 3),  # 1000 x 1.1^3 = 1331 exactly: float noise must not add a month
        (1000, 1100, 0.10, 1),
        (1000, 1100.1, 0.10, 2),
        (1000, 1000, 0.10, 0),  # already there
        (1000, 999, 0.10, 0),
        (1000, 2000, 0.0, None),  # no growth: never
        (1000, 2000, -0.1, None),  # shrinking: never
        (0, 10, 0.1, None),  # nothing grows from zero
        (50_000, 199_658.1, 0.10, 15),  # log(3.993) / log(1.1) = 14.53
    ],
    ids=["exact-power", "one-month", "just-over", "equal", "above", "no-growth", "shrinking", "zero-volume", "toy-break-even"],
)
def test_months_to_reach(now, target, rate, months):
    assert months_to_reach(now, target, rate) == months


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {},
            "At 125M tokens a month (50k requests), hosted open model is the cheapest option at $62.50 a month, "
            "saving $2.19k (97%) against flagship only. The hybrid saves $1.52k (68%). "
            "Self-hosting breaks even with hybrid routing at 499M tokens a month, 4.0× today's volume, "
            "which this volume never reaches without growth.",
        ),
        (
            # 10% growth: 15 months from January 2027 is April 2028 (month 16), past the 12-month horizon
            {"growth__monthly_rate": 0.1},
            "At 125M tokens a month (50k requests), hosted open model is the cheapest option at $62.50 a month, "
            "saving $2.19k (97%) against flagship only. The hybrid saves $1.52k (68%). "
            "Self-hosting breaks even with hybrid routing at 499M tokens a month, which at 10% growth is reached "
            "in month 16 (2028-04), beyond the 12-month horizon.",
        ),
        (
            # 1M requests: the hybrid costs 20 x 731.25 = $14,625; one replica still absorbs them
            {"workload__requests_per_month": 1_000_000, "hosted_open": None},
            "At 2.5B tokens a month (1M requests), self-hosted is the cheapest option at $2.92k a month, "
            "saving $42.1k (94%) against flagship only. The hybrid saves $30.4k (68%). "
            "Self-hosting is already cheaper than hybrid routing: $2.92k against $14.6k a month "
            "(break-even at 499M tokens a month).",
        ),
        (
            # $1,000 a GPU-hour: a replica costs 2 x 1,000 x 730 = $1.46M a month for 18.77M requests x 2,500
            # tokens = 46.9B tokens, $31.1 per 1M, against the hybrid's 0.014625 / 2,500 x 1e6 = $5.85
            {"self_hosted__gpu_hour_usd": 1000, "hosted_open": None, "cascade": None},
            "At 125M tokens a month (50k requests), hybrid routing is the cheapest option at $731 a month, "
            "saving $1.52k (68%) against flagship only. Self-hosting never breaks even against hybrid routing: "
            "a fully used replica costs $31.1 per 1M tokens, at or above the API's $5.85: self-hosting's marginal "
            "cost is higher than the API's.",
        ),
        (
            {"hybrid": None, "cascade": None, "hosted_open": None, "self_hosted": None},
            "At 125M tokens a month (50k requests), flagship only is the cheapest option at $2.25k a month: "
            "none of the alternatives saves money at these prices.",
        ),
        (
            # shares adding up to 90%: the hybrid cannot be priced; the others can
            {"hybrid": {"routes": [{"model": "small", "share": 0.9}]}, "cascade": None, "hosted_open": None, "self_hosted": None},
            "At 125M tokens a month (50k requests), flagship only is the cheapest option at $2.25k a month: "
            "none of the alternatives saves money at these prices.",
        ),
    ],
    ids=["toy", "toy-growing", "past-break-even", "never-breaks-even", "flagship-only", "broken-hybrid"],
)
def test_verdict_known_values(toy_catalog, toy_scenario, changes, expected):
    assert recommend(evaluate(toy_scenario(**changes), toy_catalog), toy_catalog).verdict == expected


def test_tier_note_and_details(toy_catalog, toy_scenario):
    rec = recommend(evaluate(toy_scenario(), toy_catalog), toy_catalog)
    assert rec.tier.label == "over 100M tokens a month"
    assert (
        rec.tier_note
        == "125M tokens a month falls in the article's “over 100M tokens a month” tier: consider open source or hybrid."
    )
    assert rec.details == (
        "Flagship only: $2.25k a month.",
        "Hybrid routing: $731 a month, saves $1.52k (68%).",
        "Cascade: $675 a month, saves $1.57k (70%).",  # 1,575 is 1.5749999... in binary: rounds down
        "Hosted open model: $62.50 a month, saves $2.19k (97%).",
        "Self-hosted: $2.92k a month, costs $670 more (30% above flagship only).",
    )
    assert any("compare their answers on your own prompts" in c for c in rec.caveats)


def test_recommendation_changes_with_volume(toy_catalog, toy_scenario):
    small = recommend(evaluate(toy_scenario(workload__requests_per_month=100), toy_catalog))
    large = recommend(evaluate(toy_scenario(workload__requests_per_month=1_000_000), toy_catalog))
    assert small.tier.advice == "use the flagship for quality"  # 100 x 2,500 = 250k tokens
    assert large.tier.advice == "consider open source or hybrid"
    assert small.verdict != large.verdict


def test_a_much_dearer_strategy_is_described_as_a_multiple(toy_catalog, toy_scenario):
    # 100 requests: flagship $4.50, one replica $2,920 = 649x
    rec = recommend(evaluate(toy_scenario(workload__requests_per_month=100), toy_catalog))
    assert "Self-hosted: $2.92k a month, costs $2.92k more (649× flagship only)." in rec.details


def test_nothing_priced(toy_catalog, toy_scenario):
    scenario = toy_scenario(flagship_only={"model": "nope"}, hybrid=None, cascade=None, hosted_open=None, self_hosted=None)
    rec = recommend(evaluate(scenario, toy_catalog))
    assert rec.verdict == "No strategy could be priced with these settings: fix the messages above."
    assert rec.caveats and rec.caveats[0].startswith("Flagship only could not be priced: model 'nope'")


def test_nothing_switched_on_does_not_point_to_messages_that_are_not_there(toy_catalog, toy_scenario):
    scenario = toy_scenario(flagship_only=None, hybrid=None, cascade=None, hosted_open=None, self_hosted=None)
    rec = recommend(evaluate(scenario, toy_catalog))
    assert rec.verdict == (
        "No strategy is switched on in this scenario: switch one on in the sidebar's strategy boxes "
        "(in a scenario file: add its section, such as flagship_only with its model)."
    )
    assert rec.caveats == ()


def test_latency_notes_come_from_the_catalog_only(toy_catalog, toy_scenario):
    small = dataclasses.replace(toy_catalog.models["small"], latency=Latency(180.0, 0.45, "https://example.com/bench"))
    catalog = Catalog(
        models=dict(toy_catalog.models) | {"small": small},
        vendors=toy_catalog.vendors,
        gpus=toy_catalog.gpus,
        offers=toy_catalog.offers,
        profiles=toy_catalog.profiles,
    )
    rec = recommend(evaluate(toy_scenario(), catalog), catalog)
    assert rec.latency == (
        "Small: about 180 output tokens/s, first token after 0.45 s (example.com).",
        "Self-hosted Open 70B on 2x GPU X: throughput measured at p99 TTFT <= 1 s.",
    )
    # without the catalog, only the models' own figures
    assert recommend(evaluate(toy_scenario(), catalog)).latency == rec.latency[:1]
