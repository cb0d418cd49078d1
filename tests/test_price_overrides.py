"""Price overrides and long-context tiers, on every tiered model of the shipped catalog.

The rule (README, "How the numbers are computed"): an override replaces the named field of the
base price; in the long-context tier the same field is scaled by override / base, or set to the
override when the tier has no such field.
"""

from __future__ import annotations

import pytest

from calculators.costs import effective_rates, request_cost
from calculators.engine import evaluate
from calculators.prices import price_model
from calculators.scenario import PriceOverride, parse_scenario
from pricing import load_catalog

FIELDS = ("input", "output", "cached_input", "cache_write")


def _tiered_entries():
    """(model id, entry index) of every dated price with a long-context tier in the catalog."""
    catalog = load_catalog()
    return [
        (model_id, i)
        for model_id, model in sorted(catalog.models.items())
        for i, entry in enumerate(model.prices)
        if entry.long_context is not None
    ]


TIERED = _tiered_entries()


def test_the_catalog_has_tiered_models():
    # the tests below are parametrized over the catalog: an empty list would make them vacuous
    assert len({model for model, _ in TIERED}) >= 5


def _entry(catalog, model_id, index, overrides):
    return price_model(catalog, model_id, overrides).prices[index]


def _same_price_cases():
    """(model id, entry index, fields): each base field the entry has, alone, then all of them together."""
    catalog = load_catalog()
    cases = []
    for model_id, index in TIERED:
        entry = catalog.models[model_id].prices[index]
        present = tuple(f for f in FIELDS if getattr(entry, f) is not None)
        cases += [(model_id, index, (f,)) for f in present] + [(model_id, index, present)]
    return cases


SAME_PRICE = _same_price_cases()


@pytest.mark.parametrize("model_id, index, fields", SAME_PRICE, ids=[f"{m}[{i}]-{'+'.join(f)}" for m, i, f in SAME_PRICE])
def test_an_override_equal_to_the_catalog_changes_nothing(catalog, model_id, index, fields):
    # inputs: an override of ``fields`` at the catalog's own base prices; a request just above the threshold
    entry = catalog.models[model_id].prices[index]
    same = {f: getattr(entry, f) for f in fields}
    overridden = _entry(catalog, model_id, index, {model_id: PriceOverride(**same)})
    size = entry.long_context.threshold + 1
    # expected: the very rates of the catalog, long-context tier included
    assert effective_rates(overridden, size) == effective_rates(entry, size)
    assert effective_rates(overridden, size - 1) == effective_rates(entry, size - 1)


@pytest.mark.parametrize("model_id, index", TIERED, ids=[f"{m}[{i}]" for m, i in TIERED])
def test_an_input_override_scales_the_tier_input_and_keeps_its_output(catalog, model_id, index):
    entry = catalog.models[model_id].prices[index]
    tier = entry.long_context
    # input: half the catalog's base input price
    overridden = _entry(catalog, model_id, index, {model_id: PriceOverride(input=entry.input / 2)})
    p_in, _, _, p_out = effective_rates(overridden, tier.threshold + 1)
    # expected: the tier's input halved (tier.input × (base/2) / base), the tier's output unchanged
    assert p_in == pytest.approx(tier.input / 2)
    assert p_out == tier.output


@pytest.mark.parametrize("model_id, index", TIERED, ids=[f"{m}[{i}]" for m, i in TIERED])
def test_a_cached_input_override_applies_above_the_threshold(catalog, model_id, index):
    entry = catalog.models[model_id].prices[index]
    tier = entry.long_context
    new_cached = 0.001
    overridden = _entry(catalog, model_id, index, {model_id: PriceOverride(cached_input=new_cached)})
    _, p_cached, _, _ = effective_rates(overridden, tier.threshold + 1)
    if tier.cached_input is not None and entry.cached_input:
        # scaled: tier cached × 0.001 / base cached
        expected = tier.cached_input * new_cached / entry.cached_input
    else:
        # the tier has no cached price of its own (or nothing to scale from): the override itself
        expected = new_cached
    assert p_cached == pytest.approx(expected)
    assert p_cached != effective_rates(entry, tier.threshold + 1)[1]


def _gpt_54(cached_input_share=0.0, **overrides):
    doc = {
        "name": "long context",
        "workload": {
            "requests_per_month": 1_000,
            "input_tokens": 300_000,
            "output_tokens": 1_000,
            "cached_input_share": cached_input_share,
        },
        "growth": {"monthly_rate": 0.0, "horizon_months": 1, "start_month": "2026-06"},
        "flagship_only": {"model": "gpt-5.4"},
        "price_overrides": {"gpt-5.4": overrides} if overrides else {},
    }
    scenario, problems = parse_scenario(doc)
    assert not problems
    return scenario


@pytest.mark.parametrize(
    "overrides, expected",
    [
        # gpt-5.4 above 272K: $5 in / $22.50 out. 1,000 × (300,000·5 + 1,000·22.5) / 1e6 = 1,522.50
        ({}, 1_522.50),
        # an input override equal to the catalog's $2.50 keeps the tier: 1,522.50 (was $765: tier dropped)
        ({"input": 2.5}, 1_522.50),
        # input $1.25 (half): tier input 5 × 1.25/2.5 = 2.5; 1,000 × (300,000·2.5 + 1,000·22.5) / 1e6 = 772.50
        ({"input": 1.25}, 772.50),
        # output $30 (double): tier output 22.5 × 2 = 45; 1,000 × (300,000·5 + 1,000·45) / 1e6 = 1,545
        ({"output": 30}, 1_545.0),
    ],
)
def test_gpt_54_long_context_with_overrides(catalog, overrides, expected):
    assert evaluate(_gpt_54(**overrides), catalog).monthly_cost_usd["flagship_only"] == pytest.approx(expected)


def test_cached_input_override_above_the_threshold(catalog):
    # gpt-5.4 tier: $5 in, cached $0.50 (base cached $0.25). Override cached to $0.10: tier cached 0.5 × 0.1/0.25 = 0.2
    # half of 300K cached: 1,000 × (150,000·5 + 150,000·0.2 + 1,000·22.5) / 1e6 = 802.50
    scenario = _gpt_54(cached_input_share=0.5, cached_input=0.1)
    assert evaluate(scenario, catalog).monthly_cost_usd["flagship_only"] == pytest.approx(802.50)


def test_request_cost_of_an_overridden_tier(catalog):
    # gpt-5.4 with input overridden to $5 (double): tier input 10; 300,000·10 / 1e6 = $3.00 of input per request
    entry = _entry(catalog, "gpt-5.4", 0, {"gpt-5.4": PriceOverride(input=5.0)})
    assert request_cost(entry, 300_000, 0).input == pytest.approx(3.0)


# ------------------------------------------------------------------ the price table's edits


def _row(frame, model_id):
    return list(frame.index).index(model_id)


def test_table_edits_keep_untouched_overrides_even_at_the_catalog_price(catalog):
    import datetime as dt

    from dashboard import state

    day = dt.date(2026, 12, 1)
    # gemini-3.8-flash is $0.75 in on that day: an override at $0.75 still matters from 2027-01-01 ($1.50)
    overrides = {"gemini-3.8-flash": {"input": 0.75}, "Claude Opus 4.5": {"output": 20.0}}
    frame = state.price_frame(catalog, day, tuple((k, PriceOverride(**v)) for k, v in overrides.items()))
    assert state.fold_price_edits(overrides, frame, None, catalog) == overrides
    edits = {
        "edited_rows": {
            _row(frame, "claude-opus-4-5"): {"input": 4.0},  # the alias-keyed override gains a field
            str(_row(frame, "gpt-5")): {"output": 10.0, "nope": 1},  # the catalog's own price, typed: an override
            _row(frame, "gemini-3.8-flash"): {"input": None},  # emptied: back to the catalog
            len(frame) + 5: {"input": 1.0},  # no such row
        }
    }
    assert state.fold_price_edits(overrides, frame, edits, catalog) == {
        "Claude Opus 4.5": {"output": 20.0, "input": 4.0},
        "gpt-5": {"output": 10.0},
    }
