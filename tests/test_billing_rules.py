"""Billing rules stated as data in the vendor files, applied by the cost formulas."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from calculators.costs import request_cost

# Gemini 2.5 Flash: $0.30 in, $0.03 cached, $2.50 out, batch 50% off input and output only.
DAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    "model_id, on_cached, expected_cached",
    [
        # 1M input tokens, 40% cached, all in batch: 400,000 x $0.03 / 1M = $0.012, not halved.
        ("gemini-2.5-flash", False, 0.012),
        # Claude Haiku 4.5: $0.10 cached; batch halves cache reads too: 400,000 x 0.10 / 1M x 0.5 = $0.02.
        ("claude-haiku-4-5", True, 0.02),
    ],
    ids=["gemini-cached-not-discounted", "anthropic-cached-discounted"],
)
def test_batch_discount_on_cached_input_follows_the_vendor_rule(catalog, model_id, on_cached, expected_cached):
    entry = catalog.model(model_id).price_on(DAY)
    assert entry.batch_discount_on_cached_input is on_cached
    parts = request_cost(entry, 1_000_000, 0, cached_input_share=0.4, batch_share=1.0)
    assert parts.cached_input == pytest.approx(expected_cached)


def test_gemini_batch_request_known_value(catalog):
    # Gemini 2.5 Flash, one request of 1M input (40% cached) and 100K output, half of traffic in batch:
    #   uncached 600,000 x 0.30 / 1M x (1 - 0.5 x 0.5) = 0.18 x 0.75 = 0.135
    #   cached   400,000 x 0.03 / 1M x 1               = 0.012
    #   output   100,000 x 2.50 / 1M x 0.75            = 0.1875
    #   total                                          = 0.3345
    entry = catalog.model("gemini-2.5-flash").price_on(DAY)
    parts = request_cost(entry, 1_000_000, 100_000, cached_input_share=0.4, batch_share=0.5)
    assert (parts.input, parts.cached_input, parts.output) == pytest.approx((0.135, 0.012, 0.1875))
    assert parts.total == pytest.approx(0.3345)


def test_the_rule_changes_only_the_cached_part(catalog):
    entry = catalog.model("gemini-2.5-flash").price_on(DAY)
    flipped = dataclasses.replace(entry, batch_discount_on_cached_input=True)
    a = request_cost(entry, 10_000, 1_000, cached_input_share=0.5, batch_share=1.0)
    b = request_cost(flipped, 10_000, 1_000, cached_input_share=0.5, batch_share=1.0)
    assert (a.input, a.output) == (b.input, b.output)
    assert a.cached_input == pytest.approx(2 * b.cached_input)  # 50% off, or not
