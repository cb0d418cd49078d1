"""Figures for bands, probabilities, tornado and quality: the ECharts options' series, names and the data they carry."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from calculators.engine import evaluate
from calculators.formatting import money
from calculators.quality import quality_adjusted
from calculators.sensitivity import sensitivity
from calculators.uncertainty import monte_carlo
from dashboard.figures.uncertainty import (
    BAND_OPACITY,
    ERROR_COLOR,
    HIGH_COLOR,
    LOW_COLOR,
    band_figure,
    probability_figure,
    quality_figure,
    tornado_figure,
)
from dashboard.theme import STRATEGY_COLORS


@pytest.fixture
def band(toy_catalog, toy_scenario):
    scenario = toy_scenario(
        growth={"monthly_rate": 0.1, "horizon_months": 12, "start_month": "2027-01"},
        self_hosted_mixed={"small_share": 0.75},
    )
    return monte_carlo(scenario, toy_catalog, draws=200, seed=5)


@pytest.fixture
def tornado(toy_catalog, toy_scenario):
    return sensitivity(toy_scenario(), toy_catalog, "hybrid", savings=True)


@pytest.fixture
def quality(toy_catalog, toy_scenario):
    settings = {"cost_per_error_usd": 2, "error_rates": {"big": 0.02, "small": 0.08}, "cascade_miss_rate": 0.03}
    return quality_adjusted(evaluate(toy_scenario(quality=settings), toy_catalog), toy_catalog)


def ys(series: dict) -> np.ndarray:
    """The y values of a line series (points ``[x, y]`` or ``{"value": [x, y]}``)."""
    return np.array([p["value"][1] if isinstance(p, dict) else p[1] for p in series["data"]], dtype=float)


def xs(series: dict) -> list:
    return [p["value"][0] if isinstance(p, dict) else p[0] for p in series["data"]]


def values(series: dict) -> np.ndarray:
    """The values of a bar series (numbers or ``{"value": v}`` items)."""
    return np.array([p["value"] if isinstance(p, dict) else p for p in series["data"]], dtype=float)


def saver(option: dict) -> dict:
    return option["toolbox"]["feature"]["saveAsImage"]


def test_band_figure_has_a_filled_band_and_a_median_per_strategy(band):
    option, height = band_figure(band)
    series = option["series"]
    n = len(band.strategies)
    assert len(series) == 3 * n == 18
    medians, edges = series[:n], series[n:]
    scale = 1.0  # the toy band stays under $10k a month: the axis is in dollars
    assert option["yAxis"]["axisLabel"]["formatter"] == "${value}"
    for i, key in enumerate(band.strategies):
        median, lower, width = medians[i], edges[2 * i], edges[2 * i + 1]
        np.testing.assert_allclose(ys(median) * scale, band.cost[key][1])
        np.testing.assert_allclose(ys(lower) * scale, band.cost[key][0])
        # the band is the width P90 - P10 stacked on the lower edge: its top is P90
        np.testing.assert_allclose((ys(lower) + ys(width)) * scale, band.cost[key][2])
        assert lower["stack"] == width["stack"] == f"band-{key}"
        assert "areaStyle" in width and "areaStyle" not in lower
        # the band is silent (no tooltip, not in the legend) and named after its median: the legend hides both
        assert lower["silent"] and width["silent"] and not median.get("silent")
        assert lower["name"] == width["name"] == median["name"]
        assert median["color"] == STRATEGY_COLORS[key]
        r, g, b = (int(STRATEGY_COLORS[key][j : j + 2], 16) for j in (1, 3, 5))
        assert width["areaStyle"]["color"] == f"rgba({r},{g},{b},{BAND_OPACITY})"
        assert xs(median) == list(range(len(band.months)))
    assert option["xAxis"]["data"] == [m.strftime("%Y-%m") for m in band.months]
    assert option["legend"]["data"] == [m["name"] for m in medians]
    assert medians[0]["name"] == "Flagship only"
    first = medians[0]["data"][0]["tooltip"]["formatter"]
    p10, p50, p90 = (float(band.cost["flagship_only"][q][0]) for q in range(3))
    assert first == f"<b>Flagship only · 2027-01</b><br/>median {money(p50)}<br/>P10–P90: {money(p10)} – {money(p90)}"
    assert "200 draws" in option["title"]["subtext"]
    assert height == 460


def test_band_figure_marks_a_median_equal_to_an_earlier_one(band):
    band.cost["cascade"] = band.cost["hybrid"].copy()  # the cascade costs what the hybrid costs
    option, _ = band_figure(band, strategies=["hybrid", "cascade"])
    hybrid, cascade, *edges = option["series"]
    assert cascade["name"] == "Cascade (= hybrid routing)" and cascade["lineStyle"]["type"] == "dashed"
    assert hybrid["lineStyle"]["type"] == "solid"
    assert [e["name"] for e in edges] == ["Hybrid routing"] * 2 + ["Cascade (= hybrid routing)"] * 2


def test_band_figure_takes_colors_labels_and_a_selection(band):
    option, _ = band_figure(band, {"hybrid": "#000000"}, strategies=["hybrid", "nope"], labels={"hybrid": "Route <75/25>"})
    median, lower, width = option["series"]
    assert median["name"] == "Route <75/25>" and median["color"] == "#000000"  # plain text in ECharts
    assert median["data"][0]["tooltip"]["formatter"].startswith("<b>Route &lt;75/25&gt; · 2027-01</b>")  # escaped in HTML
    assert width["areaStyle"]["color"] == f"rgba(0,0,0,{BAND_OPACITY})"


def test_probability_figure_has_one_line_per_pair(band):
    option, _ = probability_figure(band)
    series = option["series"]
    pairs = [(c, b) for c, against in band.probability_cheaper.items() for b in against]
    assert len(series) == len(pairs) == 4
    for line, (challenger, baseline) in zip(series, pairs, strict=True):
        np.testing.assert_allclose(ys(line), band.probability_cheaper[challenger][baseline] * 100)  # drawn in percent
        assert line["color"] == STRATEGY_COLORS[challenger]
        assert line["lineStyle"]["type"] == ("solid" if baseline == "flagship_only" else "dashed")
    assert series[0]["name"] == "Self-hosted cheaper than flagship only"
    p = float(band.probability_cheaper["self_hosted"]["flagship_only"][0])
    assert series[0]["data"][0]["tooltip"]["formatter"].endswith(f"2027-01: {p * 100:.0f}% of draws")
    assert (option["yAxis"]["min"], option["yAxis"]["max"], option["yAxis"]["axisLabel"]["formatter"]) == (0, 100, "{value}%")


def _tornado_series(option: dict) -> tuple[dict, dict, dict, dict]:
    low_offset, low, high_offset, high, _marks = option["series"]
    return low_offset, low, high_offset, high


def test_tornado_figure_bars_start_at_the_base(tornado):
    result = tornado
    option, height = tornado_figure(result)
    low_offset, low, high_offset, high = _tornado_series(option)
    assert (low["name"], high["name"]) == ("Input at its low end", "Input at its high end")
    assert (low["color"], high["color"]) == (LOW_COLOR, HIGH_COLOR)
    # each bar is stacked on an invisible, silent bar up to the base: it runs from the base to the metric at that end
    assert low_offset["silent"] and high_offset["silent"] and low_offset["stack"] == low["stack"] != high["stack"]
    assert list(values(low_offset)) == [result.base] * len(result.rows)  # the toy saving is under $10k: scale 1
    np.testing.assert_allclose(values(low), [r.at_low - result.base for r in result.rows])
    np.testing.assert_allclose(values(high) + values(high_offset), [r.at_high for r in result.rows])
    assert high["barGap"] == "-100%"  # both ends on their input's row
    # largest effect first, drawn on top; the label carries the range: output 375 to 625 tokens
    names = option["yAxis"]["data"]
    assert option["yAxis"]["inverse"] is True
    assert names[0].startswith(result.rows[0].label)
    assert "Output tokens per request (375 – 625)" in names
    (base_line,) = option["series"][-1]["markLine"]["data"]
    assert base_line["xAxis"] == result.base
    assert height == 180 + 40 * len(result.rows)


def test_tornado_labels_and_hover_texts_are_money(tornado):
    option, _ = tornado_figure(tornado)
    _, low, _, high = _tornado_series(option)
    row = tornado.rows[0]
    for bar, value in ((low["data"][0], row.at_low), (high["data"][0], row.at_high)):
        assert bar["label"]["formatter"] == money(value)
        # a bar to the left of the base is labelled at its left end
        assert bar["label"]["position"] == ("right" if value > tornado.base else "left")
        assert bar["tooltip"]["formatter"].endswith(f": {money(value)}")
    assert option["xAxis"]["axisLabel"]["formatter"] == "${value}"
    lo, hi = option["xAxis"]["min"], option["xAxis"]["max"]
    ends = [v for r in tornado.rows for v in (r.at_low, r.at_high)]
    assert lo < min(ends) and hi > max(ends)  # room for the labels on both sides


def test_quality_figure_stacks_tokens_and_errors(quality):
    option, _ = quality_figure(quality)
    tokens, errors = option["series"]
    assert (tokens["name"], errors["name"]) == ("Token cost", "Expected error cost")
    assert tokens["stack"] == errors["stack"]
    assert option["xAxis"]["data"] == ["Flagship only", "Hybrid routing", "Cascade", "Hosted open model", "Self-hosted"]
    # flagship: 2,250 of tokens and 50,000 x 0.02 x $2 = 2,000 of errors; $4,250 < $10k: the axis is in dollars
    assert (values(tokens)[0], values(errors)[0]) == pytest.approx((2250.0, 2000.0))
    assert errors["data"][0]["label"]["formatter"] == "$4.25k"
    # the hosted open model and the server have no rate: not rated, no error bar
    assert (values(errors)[3], errors["data"][3]["label"]["formatter"]) == (0.0, "not rated")
    assert [bar["itemStyle"]["color"] for bar in tokens["data"]] == [STRATEGY_COLORS[k] for k in quality.strategies]
    assert errors["color"] == "rgba(239,68,68,0.55)" and ERROR_COLOR == "#ef4444"
    assert "decal" in errors["itemStyle"]  # hatched


def test_options_are_json_and_export_as_png_named_after_the_chart(band, tornado, quality):
    built = {
        "agent-platform-band": band_figure(band, export="agent-platform-band"),
        "agent-platform-chance": probability_figure(band, export="agent-platform-chance"),
        "agent-platform-tornado-hybrid-saving-month0": tornado_figure(
            tornado, export="agent-platform-tornado-hybrid-saving-month0"
        ),
        "agent-platform-quality": quality_figure(quality, export="agent-platform-quality"),
    }
    for name, (option, height) in built.items():
        json.dumps(option, allow_nan=False)  # st.echarts_chart takes JSON only: no numpy scalars, NaN or callbacks
        assert (saver(option)["name"], saver(option)["pixelRatio"]) == (name, 2)
        assert isinstance(height, int) and height > 0


def test_non_finite_values_are_left_out(band):
    band.cost["hybrid"][:, 2] = np.nan  # a month with no price
    option, _ = band_figure(band, strategies=["hybrid"])
    json.dumps(option, allow_nan=False)
    median, lower, width = option["series"]
    assert 2 not in xs(median) and xs(median) == xs(lower) == xs(width)  # the band's two stacked lines stay aligned


def test_the_core_never_imports_streamlit_or_plotly():
    code = (
        "import sys; import calculators.uncertainty, calculators.sensitivity, calculators.quality, calculators.mixed; "
        "bad = [m for m in ('streamlit', 'plotly') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_figures_are_pure():
    # no page in the builders, and no plotly: every figure is an ECharts option (plotly is a development tool now)
    modules = ", ".join(
        f"dashboard.figures.{m}" for m in ("cost", "forecast", "breakdown", "uncertainty", "usage", "portfolio", "serving")
    )
    code = f"import sys; import {modules}; sys.exit([m for m in ('streamlit', 'plotly') if m in sys.modules] or 0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
