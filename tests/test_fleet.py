"""Owned servers and rented billing policies over a daily traffic curve, with the arithmetic written out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.fleet import (
    DAYS_PER_MONTH,
    TRAFFIC_SHAPES,
    FleetError,
    OwnedServer,
    owned_servers_needed,
    owned_usd_per_month,
    rented_day,
    traffic_curve,
)

# Night (0-5 h) without traffic, a noon peak: 72,000 requests a day on replicas of 1 request/s at
# utilization 1 (3,600 requests an hour each).
#   hour 12: 0.15 x 72,000 = 10,800 an hour -> 3 replicas
#   hours 11, 13: 0.08 x 72,000 = 5,760 -> 2 replicas each
#   the other 15 day hours: 0.046 x 72,000 = 3,312 -> 1 replica each
#   hours 0-5: no traffic -> 0 replicas when min_replicas is 0
PEAKED = [0.0] * 6 + [0.046] * 5 + [0.08, 0.15, 0.08] + [0.046] * 10


def test_the_peaked_curve_is_what_its_comment_says():
    assert sum(PEAKED) == pytest.approx(1.0)
    day = rented_day(72_000, traffic_curve(PEAKED), 1.0, 1.0, 1, 2.0, "scale_to_zero", min_replicas=0)
    assert day.replicas_by_hour.tolist() == [0] * 6 + [1] * 5 + [2, 3, 2] + [1] * 10


@pytest.mark.parametrize(
    ("policy", "options", "replica_hours", "usd_per_day"),
    [
        # always on: sized for the peak, 3 replicas x 24 hours = 72 replica-hours x 1 GPU x $2 = $144
        ("always_on", {}, 72, 144.0),
        # scale to zero: 0 x 6 + 1 x 15 + 2 x 2 + 3 = 22 replica-hours x $2 = $44
        ("scale_to_zero", {"min_replicas": 0}, 22, 44.0),
        # scale with a floor of 1 for availability: the 6 night hours cost one replica each, 22 + 6 = 28 -> $56
        ("scale_to_zero", {"min_replicas": 1}, 28, 56.0),
        # active window 6:00-24:00 (18 hours), sized for its peak: 3 x 18 = 54 replica-hours -> $108
        ("active_window", {"window_start": 6, "window_hours_per_day": 18}, 54, 108.0),
    ],
    ids=["always-on", "scale-to-zero", "scale-with-floor", "active-window-18h"],
)
def test_billing_policies_on_a_peaked_day(policy, options, replica_hours, usd_per_day):
    day = rented_day(72_000, traffic_curve(PEAKED), 1.0, 1.0, 1, 2.0, policy, **{"min_replicas": 0, **options})
    assert float(day.replica_hours) == replica_hours
    assert float(day.usd_per_day) == pytest.approx(usd_per_day)
    assert day.unserved_share == 0.0


def test_an_active_window_of_ten_hours():
    # Office traffic only from 9:00 to 19:00: 360,000 requests a day, 0.1 of them in each of the 10 hours
    # = 36,000 an hour = 10/s. Replicas of 5 requests/s at utilization 1 -> 2 replicas, 2 GPUs each, $3/GPU-hour.
    # Window of 10 hours: 2 replicas x 10 h = 20 replica-hours x 2 GPUs x $3 = $120 a day,
    # x 730/24 = 30.4167 days = $3,650 a month. Always on: 2 x 24 = 48 replica-hours -> $288 a day.
    office = [0.0] * 9 + [0.1] * 10 + [0.0] * 5
    window = rented_day(
        360_000, traffic_curve(office), 5.0, 1.0, 2, 3.0, "active_window", window_start=9, window_hours_per_day=10
    )
    always = rented_day(360_000, traffic_curve(office), 5.0, 1.0, 2, 3.0, "always_on")
    assert (float(window.replica_hours), float(window.usd_per_day)) == (20.0, pytest.approx(120.0))
    assert float(window.usd_per_month) == pytest.approx(3650.0)
    assert float(always.usd_per_day) == pytest.approx(288.0)


def test_traffic_outside_the_window_is_reported_not_served():
    # a flat curve and a 10-hour window: 14/24 of the day's requests arrive while the fleet is off
    day = rented_day(100_000, traffic_curve("flat"), 5.0, 0.6, 1, 2.0, "active_window", window_start=8, window_hours_per_day=10)
    assert day.unserved_share == pytest.approx(14 / 24)


def test_a_one_gpu_server_over_its_lifecycle():
    # $30,000, 3 years, no cost of capital: 30,000 / 36 = $833.33 a month
    # maintenance 10% a year: 30,000 x 0.10 / 12 = $250.00
    # power: 1 GPU x 0.7 kW x PUE 1.5 x 730 h x $0.10 = $76.65
    # staff: $0  -> $1,159.98 a month, $41,759.40 over the 36 months, $1.589 per GPU-hour (1,159.98 / 730)
    server = OwnedServer(
        30_000, 1, lifecycle_years=3, cost_of_capital=0.0, maintenance_share=0.10, power_kw_per_gpu=0.7, pue=1.5, usd_per_kwh=0.10
    )
    assert server.capital_usd_per_month == pytest.approx(833.3333333)
    assert server.maintenance_usd_per_month == pytest.approx(250.0)
    assert server.power_usd_per_month == pytest.approx(76.65)
    assert server.usd_per_month * 36 == pytest.approx(41_759.40)
    assert server.usd_per_gpu_hour == pytest.approx(1159.9833333 / 730)


def test_cost_of_capital_is_an_annuity():
    # 8% a year: i = 0.08 / 12 = 0.0066667, n = 36; 30,000 x i / (1 - (1 + i)^-36) = $940.09 a month,
    # i.e. $33,843.27 repaid over the life for $30,000 borrowed
    server = OwnedServer(30_000, 1, lifecycle_years=3, cost_of_capital=0.08, maintenance_share=0.0, power_kw_per_gpu=0.0)
    assert server.capital_usd_per_month == pytest.approx(940.0910, abs=1e-3)
    assert server.usd_per_month * 36 == pytest.approx(33_843.28, abs=0.01)


def test_owned_fleet_is_sized_for_the_peak_hour():
    # the peaked day needs 3 replicas at noon; replicas of 2 GPUs in 8-GPU servers: ceil(3 x 2 / 8) = 1 server,
    # at $10,000 a month (staff only) -> $10,000 a month whatever the night does
    server = OwnedServer(0.0, 8, power_kw_per_gpu=0.0, maintenance_share=0.0, staff_usd_per_month=10_000)
    assert float(owned_servers_needed(72_000, traffic_curve(PEAKED), 1.0, 1.0, 2, server, min_replicas=0)) == 1
    assert float(owned_usd_per_month(72_000, traffic_curve(PEAKED), 1.0, 1.0, 2, server, 0)) == pytest.approx(10_000)
    # 5 replicas of 2 GPUs = 10 GPUs -> 2 servers
    assert float(owned_servers_needed(5 * 72_000 / 3, traffic_curve(PEAKED), 1.0, 1.0, 2, server, 0)) == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: traffic_curve("weekend"), "traffic curve 'weekend' is not one of flat"),
        (lambda: traffic_curve([1] * 23), "24 non-negative numbers"),
        (lambda: traffic_curve([-1] + [1] * 23), "24 non-negative numbers"),
        (lambda: rented_day(1, traffic_curve("flat"), 1.0, 1.0, 1, 1.0, "spot"), "billing policy 'spot'"),
        (lambda: rented_day(1, traffic_curve("flat"), 1.0, 1.0, 1, 1.0, "active_window", window_start=24), "start hour 0-23"),
        (lambda: rented_day(1, traffic_curve("flat"), 0.0, 1.0, 1, 1.0), "throughput above zero"),
        (lambda: OwnedServer(1000, 0), "gpus must be a whole number"),
        (lambda: OwnedServer(1000, 1, pue=0.5), "pue at least 1"),
    ],
    ids=["shape", "length", "negative", "policy", "window", "throughput", "server-gpus", "pue"],
)
def test_bad_fleet_inputs_name_the_field(call, message):
    with pytest.raises(FleetError, match=message):
        call()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.floats(0, 1e7),
    st.sampled_from(list(TRAFFIC_SHAPES)),
    st.floats(0.1, 50),
    st.integers(0, 3),
    st.integers(0, 23),
    st.integers(1, 24),
)
def test_following_demand_never_costs_more_than_always_on(volume, shape, rps, floor, start, hours):
    curve = traffic_curve(shape)
    always = rented_day(volume, curve, rps, 0.7, 2, 3.0, "always_on", floor)
    scaled = rented_day(volume, curve, rps, 0.7, 2, 3.0, "scale_to_zero", floor)
    window = rented_day(volume, curve, rps, 0.7, 2, 3.0, "active_window", floor, start, hours)
    assert float(scaled.usd_per_day) <= float(always.usd_per_day) + 1e-9
    assert float(window.usd_per_day) <= float(always.usd_per_day) + 1e-9
    if hours == 24:
        assert float(window.usd_per_day) == pytest.approx(float(always.usd_per_day))


def test_days_per_month_matches_the_730_hour_month():
    assert DAYS_PER_MONTH * 24 == 730
    volumes = np.array([0.0, 72_000.0])
    day = rented_day(volumes, traffic_curve(PEAKED), 1.0, 1.0, 1, 2.0, "scale_to_zero", min_replicas=0)
    assert day.usd_per_day.tolist() == [0.0, 44.0]
