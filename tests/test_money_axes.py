"""Every money axis is written in the app's money units: $0.80, $12.3k, $1.2M, never $800m or $200µ.

ECharts options carry no JavaScript, so a linear money axis draws its values divided by a unit and
labels them from the template ``${value}k``; a log money axis carries labels written by ``money_tick``.
"""

from __future__ import annotations

import json
import re

import pytest

from calculators.engine import evaluate
from dashboard.figures import echarts
from dashboard.figures import usage as usage_charts
from dashboard.figures.breakdown import breakdown_figure
from dashboard.figures.forecast import forecast_figure

SI = re.compile(r"\d[mµu]$")
MONEY_TEMPLATE = re.compile(r"^\$\{value\}[kMBT]?$")  # "${value}" or "${value}k" ...


def _repriced_log():
    # $5,830 is 388,667x $0.015: a linear axis would draw every API bar at zero width
    return usage_charts.repriced_figure({"flagship_only": 0.02, "self_hosted": 5_830.0}, 0.015, "2026-01")


@pytest.mark.parametrize(
    ("top", "scale", "template"),
    [(0.8, 1.0, "${value}"), (1.0, 1.0, "${value}"), (12_300, 1000.0, "${value}k")],
    ids=["80-cents", "one-dollar", "12.3k"],
)
def test_money_axis_units(top, scale, template):
    # $0.80 reads $0.2 ... $0.8 (plotly's "~s" wrote "800m"); $12,300 is drawn as 12.3 on an axis of $k
    axis, axis_scale = echarts.money_axis("USD per month", top)
    assert (axis_scale, axis["axisLabel"]["formatter"]) == (scale, template)


def test_log_money_axis_labels_are_money():
    option, _ = _repriced_log()
    axis = option["xAxis"]
    # the decades around $0.015 ... $5,830: $0.01 to $10k, each labelled by money_tick
    assert axis["type"] == "log" and (axis["min"], axis["max"]) == pytest.approx((0.01, 1e4))
    labels = [s for s in option["series"] if s.get("silent")]
    (label_series,) = labels
    assert [p["label"]["formatter"] for p in label_series["data"]] == ["$0.01", "$0.1", "$1", "$10", "$100", "$1k", "$10k"]
    assert [p["value"][0] for p in label_series["data"]] == pytest.approx([10.0**e for e in range(-2, 5)])
    # they ride on the hidden value axis, whose 0 is the plot's bottom edge
    assert label_series["yAxisIndex"] == 1 and option["yAxis"][1] == {"type": "value", "min": 0, "max": 1, "show": False}


def test_forecast_breakdown_and_usage_figures_use_money_units(toy_scenario, toy_catalog):
    # 50 requests a month: a few cents on the APIs, where SI prefixes would write m (milli), beside a server's $2,920
    ev = evaluate(toy_scenario(workload__requests_per_month=50), toy_catalog)
    axes = [
        forecast_figure(ev)[0]["yAxis"],
        forecast_figure(ev, cumulative=True)[0]["yAxis"],
        breakdown_figure(ev)[0]["xAxis"],
        usage_charts.repriced_figure({"flagship_only": 0.02, "hybrid": 0.03}, 0.015, "2026-01")[0]["xAxis"],
    ]
    for axis in axes:
        assert axis["type"] == "value" and MONEY_TEMPLATE.match(axis["axisLabel"]["formatter"]), axis
    option, _ = _repriced_log()
    (label_series,) = [s for s in option["series"] if s.get("silent")]
    texts = [p["label"]["formatter"] for p in label_series["data"]]
    assert all(t.startswith("$") and not SI.search(t) for t in texts), texts


def test_small_workload_comparison_switches_to_a_log_axis():
    option, _ = _repriced_log()
    assert option["xAxis"]["type"] == "log"
    bars = option["series"][0]["data"]
    assert [b["label"]["formatter"] for b in bars] == ["$0.01", "$0.02", "$5.83k"]  # money(): cents from $0.01 up
    # a bar on a log axis starts at the axis's start value (ECharts' default 1 would draw $0.02 leftwards from $1)
    assert option["xAxis"]["startValue"] == option["xAxis"]["min"] == pytest.approx(0.01)
    assert "log scale" in option["title"]["subtext"]
    linear, _ = usage_charts.repriced_figure({"flagship_only": 2.0, "hybrid": 1.0}, 1.5, "2026-01")
    assert linear["xAxis"]["type"] == "value" and MONEY_TEMPLATE.match(linear["xAxis"]["axisLabel"]["formatter"])
    assert "log scale" not in linear["title"]["subtext"]


def test_repriced_figure_bars_colours_and_export():
    option, height = usage_charts.repriced_figure({"flagship_only": 2_250.0, "self_hosted": 22_500.0}, 1_500.0, "2026-01")
    assert option["yAxis"]["data"] == ["Your own mix (list price)", "Flagship only", "Self-hosted"]
    bars = option["series"][0]["data"]
    # the largest bar $22,500 ≥ $10k: the axis counts in thousands, $1,500 is drawn as 1.5
    assert [b["value"] for b in bars] == pytest.approx([1.5, 2.25, 22.5])
    assert option["xAxis"]["axisLabel"]["formatter"] == "${value}k"
    assert [b["itemStyle"]["color"] for b in bars] == ["#94a3b8", "#7c3aed", "#ea580c"]  # neutral, then the strategies'
    assert bars[0]["tooltip"]["formatter"] == "<b>Your own mix (list price)</b><br/>$1.5k a month"
    assert option["title"]["text"] == "Your 2026-01 usage under each strategy"
    assert option["toolbox"]["feature"]["saveAsImage"]["name"] == "usage-repriced"
    assert height == 120 + 44 * 3
    json.dumps(option, allow_nan=False)
    json.dumps(_repriced_log()[0], allow_nan=False)
