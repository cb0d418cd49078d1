"""Figures for bands, probabilities, tornado and quality: traces, names and the data they carry."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from calculators.engine import evaluate
from calculators.quality import quality_adjusted
from calculators.sensitivity import sensitivity
from calculators.uncertainty import monte_carlo
from dashboard.figures.uncertainty import (
    BAND_OPACITY,
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


def test_band_figure_has_a_filled_band_and_a_median_per_strategy(band):
    fig = band_figure(band)
    assert len(fig.data) == 3 * len(band.strategies) == 18
    for i, key in enumerate(band.strategies):
        upper, lower, median = fig.data[3 * i : 3 * i + 3]
        np.testing.assert_array_equal(upper.y, band.cost[key][2])
        np.testing.assert_array_equal(lower.y, band.cost[key][0])
        np.testing.assert_array_equal(median.y, band.cost[key][1])
        assert lower.fill == "tonexty" and upper.fill is None
        assert {upper.legendgroup, lower.legendgroup, median.legendgroup} == {key}
        assert (upper.showlegend, lower.showlegend, median.showlegend) == (False, False, None)
        assert median.line.color == STRATEGY_COLORS[key]
        r, g, b = (int(STRATEGY_COLORS[key][j : j + 2], 16) for j in (1, 3, 5))
        assert lower.fillcolor == f"rgba({r},{g},{b},{BAND_OPACITY})"
        assert list(median.x) == band.months
    assert [t.name for t in fig.data[:3]] == ["Flagship only P90", "Flagship only P10–P90", "Flagship only"]
    assert "200 draws" in fig.layout.title.subtitle.text


def test_band_figure_takes_colors_labels_and_a_selection(band):
    fig = band_figure(band, {"hybrid": "#000000"}, strategies=["hybrid", "nope"], labels={"hybrid": "Route <75/25>"})
    assert len(fig.data) == 3
    assert fig.data[2].name == "Route &lt;75/25&gt;" and fig.data[2].line.color == "#000000"
    assert fig.data[1].fillcolor == f"rgba(0,0,0,{BAND_OPACITY})"


def test_probability_figure_has_one_line_per_pair(band):
    fig = probability_figure(band)
    pairs = [(c, b) for c, against in band.probability_cheaper.items() for b in against]
    assert len(fig.data) == len(pairs) == 4
    for trace, (challenger, baseline) in zip(fig.data, pairs, strict=True):
        np.testing.assert_array_equal(trace.y, band.probability_cheaper[challenger][baseline])
        assert trace.line.color == STRATEGY_COLORS[challenger]
        assert trace.line.dash == ("solid" if baseline == "flagship_only" else "dash")
    assert fig.data[0].name == "Self-hosted cheaper than flagship only"
    assert fig.layout.yaxis.tickformat == ".0%"


def test_tornado_figure_bars_start_at_the_base(toy_catalog, toy_scenario):
    result = sensitivity(toy_scenario(), toy_catalog, "hybrid", savings=True)
    fig = tornado_figure(result)
    low, high = fig.data
    assert (low.name, high.name) == ("Input at its low end", "Input at its high end")
    assert (low.marker.color, high.marker.color) == (LOW_COLOR, HIGH_COLOR)
    assert list(low.base) == [result.base] * len(result.rows)
    np.testing.assert_allclose(low.x, [r.at_low - result.base for r in result.rows])
    np.testing.assert_allclose(np.array(high.x) + result.base, [r.at_high for r in result.rows])
    # largest effect first, drawn on top; the label carries the range: output 375 to 625 tokens
    assert fig.layout.yaxis.autorange == "reversed"
    assert low.y[0].startswith(result.rows[0].label)
    assert "Output tokens per request (375 – 625)" in low.y
    assert fig.layout.shapes[0].x0 == result.base


def test_quality_figure_stacks_tokens_and_errors(toy_catalog, toy_scenario):
    quality = {"cost_per_error_usd": 2, "error_rates": {"big": 0.02, "small": 0.08}, "cascade_miss_rate": 0.03}
    result = quality_adjusted(evaluate(toy_scenario(quality=quality), toy_catalog), toy_catalog)
    fig = quality_figure(result)
    tokens, errors = fig.data
    assert (tokens.name, errors.name) == ("Token cost", "Expected error cost")
    assert fig.layout.barmode == "stack"
    assert list(tokens.x) == ["Flagship only", "Hybrid routing", "Cascade", "Hosted open model", "Self-hosted"]
    # flagship: 2,250 of tokens and 50,000 x 0.02 x $2 = 2,000 of errors
    assert (tokens.y[0], errors.y[0]) == pytest.approx((2250.0, 2000.0))
    assert errors.text[0] == "$4.25k"
    # the hosted open model and the server have no rate: not rated, no error bar
    assert (errors.y[3], errors.text[3]) == (0.0, "not rated")
    assert list(tokens.marker.color) == [STRATEGY_COLORS[k] for k in result.strategies]


def test_the_core_never_imports_streamlit_or_plotly():
    code = (
        "import sys; import calculators.uncertainty, calculators.sensitivity, calculators.quality, calculators.mixed; "
        "bad = [m for m in ('streamlit', 'plotly') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
