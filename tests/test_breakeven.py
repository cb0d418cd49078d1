"""Break-even of the self-hosted staircase against a linear API price."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculators.breakeven import break_even
from calculators.selfhost import replicas_needed


def staircase(volume, capacity, replica_usd, ops, minimum):
    return replicas_needed(volume, capacity, minimum) * replica_usd + ops


@pytest.mark.parametrize(
    "api, capacity, replica, ops, minimum, first, sustained",
    [
        # economics.md check case 8: one 70B replica, 2 GPUs x $2 x 730 h = $2,920/month, API $0.88 per 1M tokens.
        # With requests of 1M tokens each: a = $0.88/request; V* = 2,920 / 0.88 = 3,318.2 requests = 3.32B tokens.
        (0.88, 21_400, 2920, 0, 1, 2920 / 0.88, 2920 / 0.88),
        # ops shift the first step: (2,920 + 1,000) / 0.88 = 4,454.5
        (0.88, 21_400, 2920, 1000, 1, 3920 / 0.88, 3920 / 0.88),
        # two replicas minimum: 2 x 2,920 / 0.88 = 6,636.4
        (0.88, 21_400, 2920, 0, 2, 5840 / 0.88, 5840 / 0.88),
        # Small replicas (capacity 1,000 requests), API $1/request, replica $900, ops $500:
        # a full replica saves 1·1,000 - 900 = 100 a month. First: n·100 >= 500 → n = 5, V = (4,500 + 500)/1 = 5,000.
        # Sustained: n·100 >= 900 + 500 → n = 14, V = (12,600 + 500) / 1 = 13,100.
        (1.0, 1000, 900, 500, 1, 5000.0, 13_100.0),
    ],
    ids=["economics-check-8", "with-ops", "ha-two-replicas", "first-before-sustained"],
)
def test_break_even_known_values(api, capacity, replica, ops, minimum, first, sustained):
    result = break_even(api, capacity, replica, ops, minimum, tokens_per_request=1e6)
    assert result.first_requests_per_month == pytest.approx(first)
    assert result.sustained_requests_per_month == pytest.approx(sustained)
    assert result.reason is None


def test_break_even_in_tokens():
    # economics.md check case 8: V* = 2,920 / 0.88 = 3,318 requests of 1M tokens = 3.32B tokens a month
    result = break_even(0.88, 21_400, 2920, 0, 1, tokens_per_request=1e6)
    assert result.first_tokens_per_month == pytest.approx(3.318e9, rel=1e-3)


@pytest.mark.parametrize(
    "api, capacity, replica, reason",
    [
        # a full replica serves 1,000 requests for $1,200 while the API charges $1 each
        (1.0, 1000, 1200, "marginal cost is higher"),
        (0.0, 1000, 1200, "costs nothing"),
    ],
    ids=["replica-dearer-than-api", "free-api"],
)
def test_never_breaks_even_with_reason(api, capacity, replica, reason):
    result = break_even(api, capacity, replica, 0, 1, tokens_per_request=1000)
    assert result.first_requests_per_month is None and result.sustained_requests_per_month is None
    assert reason in result.reason


@settings(max_examples=300, deadline=None)
@given(
    api=st.floats(1e-6, 10),
    capacity=st.floats(1, 1e8),
    replica=st.floats(1, 1e6),
    ops=st.floats(0, 1e5),
    minimum=st.integers(0, 8),
)
def test_cost_equality_and_ordering_at_the_reported_volumes(api, capacity, replica, ops, minimum):
    result = break_even(api, capacity, replica, ops, minimum, tokens_per_request=1000)
    if result.first_requests_per_month is None:
        # never: at every boundary the staircase is above (or on) the API line
        assert api * capacity <= replica
        return
    # When a full replica saves under 0.1% of its cost the sustained step is the millionth
    # replica, and float rounding of V / C alone decides the replica count there.
    assume(api * capacity >= replica * 1.001)
    assume(result.sustained_requests_per_month < 1e13)
    first, sustained = result.first_requests_per_month, result.sustained_requests_per_month
    assert first <= sustained * (1 + 1e-12)
    for volume in (first, sustained):
        assert staircase(volume, capacity, replica, ops, minimum) == pytest.approx(api * volume, rel=1e-6)
    # just below the first break-even the API is cheaper
    below = first * (1 - 1e-6)
    assert staircase(below, capacity, replica, ops, minimum) >= api * below * (1 - 1e-9)
    # above the sustained volume self-hosting never costs more again (checked at the next boundaries)
    n = replicas_needed(sustained, capacity, minimum)
    for k in range(int(n), int(n) + 20):
        just_after = k * capacity * (1 + 1e-9)
        if just_after > sustained:
            assert staircase(just_after, capacity, replica, ops, minimum) <= api * just_after * (1 + 1e-6)


@settings(max_examples=200, deadline=None)
@given(api=st.floats(1e-4, 10), capacity=st.floats(1, 1e6), replica=st.floats(1, 1e5), ops=st.floats(0, 1e4))
def test_first_break_even_is_the_first(api, capacity, replica, ops):
    result = break_even(api, capacity, replica, ops, 1, tokens_per_request=1000)
    assume(result.first_requests_per_month is not None and result.first_requests_per_month > 1)
    grid = np.linspace(0, result.first_requests_per_month * (1 - 1e-6), 500)
    assert np.all(staircase(grid, capacity, replica, ops, 1) >= api * grid * (1 - 1e-9))
