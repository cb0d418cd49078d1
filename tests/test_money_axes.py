"""Every money axis is written by the one money format: $0.80, $12.3k, $1.2M, never $800m or $200µ."""

from __future__ import annotations

import re

import pytest

from calculators.engine import evaluate
from dashboard.axes import log_ticks, money_axis, nice_ticks
from dashboard.figures import usage as usage_charts
from dashboard.figures.breakdown import breakdown_figure
from dashboard.figures.forecast import forecast_figure

SI = re.compile(r"\d[mµu]$")


@pytest.mark.parametrize(
    ("top", "ticks"),
    [(0.8, [0.0, 0.2, 0.4, 0.6, 0.8]), (1.0, [0.0, 0.25, 0.5, 0.75, 1.0]), (12_300, [0.0, 5000.0, 10000.0, 15000.0])],
    ids=["80-cents", "one-dollar", "12.3k"],
)
def test_nice_ticks(top, ticks):
    assert nice_ticks(top) == ticks


def test_money_axis_texts_are_money():
    # $0.80 top: ticks 0, 0.2 ... 0.8 read $0.00 .. $0.80 (plotly's "~s" wrote "800m")
    assert money_axis([0.8])["ticktext"] == ["$0.00", "$0.20", "$0.40", "$0.60", "$0.80"]
    axis = money_axis([0.003, 5_830.0], log=True)
    assert axis["type"] == "log" and axis["tickvals"] == log_ticks(0.003, 5_830.0) == [10.0**e for e in range(-3, 5)]
    assert axis["ticktext"][0] == "$0.0010" and axis["ticktext"][-1] == "$10k"


def test_forecast_breakdown_and_usage_figures_use_money_ticks(toy_scenario, toy_catalog):
    # 50 requests a month: a few cents, where SI prefixes would write m (milli)
    ev = evaluate(toy_scenario(workload__requests_per_month=50), toy_catalog)
    axes = [
        forecast_figure(ev).layout.yaxis,
        forecast_figure(ev, cumulative=True).layout.yaxis,
        breakdown_figure(ev).layout.xaxis,
        usage_charts.repriced_figure({"flagship_only": 0.02, "self_hosted": 5_830.0}, 0.015, "2026-01").layout.xaxis,
    ]
    for axis in axes:
        assert axis.tickformat is None and axis.ticktext, axis
        assert all(t.startswith("$") and not SI.search(t) for t in axis.ticktext), axis.ticktext


def test_small_workload_comparison_switches_to_a_log_axis():
    # $5,830 is 388,667x $0.015: a linear axis would draw every API bar at zero width
    fig = usage_charts.repriced_figure({"flagship_only": 0.02, "self_hosted": 5_830.0}, 0.015, "2026-01")
    assert fig.layout.xaxis.type == "log"
    assert list(fig.data[0].text) == ["$0.01", "$0.02", "$5.83k"]  # money(): cents from $0.01 up
    linear = usage_charts.repriced_figure({"flagship_only": 2.0, "hybrid": 1.0}, 1.5, "2026-01")
    assert linear.layout.xaxis.type is None
