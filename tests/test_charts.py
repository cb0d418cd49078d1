"""The figures: traces, names, colours and data, built from toy-catalog evaluations."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from calculators.engine import evaluate, first_cheaper
from calculators.formatting import money, tokens
from dashboard.figures import cost as charts
from dashboard.figures.breakdown import breakdown_figure, breakdown_rows
from dashboard.figures.forecast import forecast_figure
from dashboard.theme import OVERRIDE_MARK, PART_COLORS, STRATEGY_COLORS

# Toy monthly costs (see test_engine.py): flagship $2,250, hybrid $731.25, cascade $675,
# hosted open $62.50, self-hosted $2,920 (one replica of 2 GPUs at $2/h).
LABELS = ["Flagship only", "Hybrid routing", "Cascade", "Hosted open model", "Self-hosted"]
KEYS = ["flagship_only", "hybrid", "cascade", "hosted_open", "self_hosted"]


@pytest.fixture
def ev(toy_catalog, toy_scenario):
    return evaluate(toy_scenario(), toy_catalog)


def _traces(fig: go.Figure, name: str) -> list:
    return [t for t in fig.data if t.name == name]


def test_theme_has_the_agreed_colours():
    assert STRATEGY_COLORS["flagship_only"] == "#7c3aed" and STRATEGY_COLORS["self_hosted"] == "#ea580c"


# ---------------------------------------------------------------------------- comparison


def _bars(option: dict) -> list[tuple[str, dict]]:
    """(category name, bar item) pairs of the comparison chart's single bar series."""
    (series,) = option["series"]
    return list(zip(option["yAxis"]["data"], series["data"], strict=True))


def test_comparison_bars_per_strategy(ev):
    option, height = charts.comparison_chart(ev)
    bars = _bars(option)
    assert [name for name, _ in bars] == LABELS
    assert [bar["itemStyle"]["color"] for _, bar in bars] == [STRATEGY_COLORS[k] for k in KEYS]
    # top bar $2,920 × 1.38 room for labels = $4,029.60 < $10k: the axis stays in dollars (scale 1)
    assert [bar["value"] for _, bar in bars] == pytest.approx([2250, 731.25, 675, 62.5, 2920])
    assert option["xAxis"]["max"] == pytest.approx(2920 * 1.38)
    assert option["xAxis"]["axisLabel"]["formatter"] == "${value}"
    # savings labels: 1 - 731.25/2,250 = 67.5% (shown 68%); self-hosting costs 30% more
    labels = [bar["label"]["formatter"] for _, bar in bars]
    assert labels == ["$2.25k", "$731 · -68%", "$675 · -70%", "$62.50 · -97%", "$2.92k · +30%"]
    assert bars[1][1]["tooltip"]["formatter"] == "<b>Hybrid routing</b><br/>$731 a month<br/>68% less than flagship only"
    assert height == 120 + 46 * 5  # five bars
    json.dumps(option)  # st.echarts_chart takes JSON-compatible options only


@pytest.mark.parametrize(
    "top, scale, suffix",
    [(0.0, 1.0, ""), (9_999.0, 1.0, ""), (10_000.0, 1e3, "k"), (2.5e7, 1e6, "M"), (4e10, 1e9, "B"), (1e14, 1e12, "T")],
    ids=["zero", "under-10k", "10k", "25M", "40B", "100T"],
)
def test_comparison_axis_unit(top, scale, suffix):
    # the axis reads $0k...$15k rather than $0...$15000 once the axis passes ten of a unit
    assert charts._money_axis(top) == (scale, suffix)


def test_comparison_in_thousands_scales_values_not_labels(toy_catalog, toy_scenario):
    # 10x the toy volume: flagship 10 × $2,250 = $22,500; × 1.38 = $31,050 ≥ $10k → drawn in $k
    ev = evaluate(toy_scenario(workload__requests_per_month=500_000), toy_catalog)
    option, _ = charts.comparison_chart(ev)
    name, flagship = _bars(option)[0]
    assert (name, flagship["value"], flagship["label"]["formatter"]) == ("Flagship only", pytest.approx(22.5), "$22.5k")
    assert option["xAxis"]["axisLabel"]["formatter"] == "${value}k"


def test_comparison_marks_overridden_strategies(toy_catalog, toy_scenario):
    option, _ = charts.comparison_chart(evaluate(toy_scenario(price_overrides={"small": {"input": 2}}), toy_catalog))
    # "small" is in the hybrid and the cascade, not in flagship only
    assert option["yAxis"]["data"][:3] == ["Flagship only", f"Hybrid routing {OVERRIDE_MARK}", f"Cascade {OVERRIDE_MARK}"]


def test_comparison_leaves_out_a_strategy_that_cannot_be_priced(toy_catalog, toy_scenario):
    ev = evaluate(toy_scenario(hybrid={"routes": [{"model": "small", "share": 0.5}]}), toy_catalog)
    assert "Hybrid routing" not in charts.comparison_chart(ev)[0]["yAxis"]["data"]


def test_comparison_png_export_is_named_after_the_scenario(toy_catalog, toy_scenario):
    ev = evaluate(toy_scenario(name="Team plan: v2"), toy_catalog)
    saver = charts.comparison_chart(ev, export="usage-repriced")[0]["toolbox"]["feature"]["saveAsImage"]
    assert (saver["name"], saver["pixelRatio"]) == ("team-plan-v2-usage-repriced", 2)


# -------------------------------------------------------------------------------- volume


def test_volume_lines_staircase_and_axes(ev):
    fig = charts.volume_figure(ev)
    tpr = 2500  # tokens a request: the x axis is in tokens a month
    for key, label in zip(KEYS[:4], LABELS[:4], strict=True):
        (line,) = _traces(fig, label)
        np.testing.assert_allclose(line.x, ev.curve.volumes * tpr)
        np.testing.assert_allclose(line.y, ev.curve.cost[key])
        assert line.line.color == STRATEGY_COLORS[key]
    (stairs,) = _traces(fig, "Self-hosted")
    assert stairs.line.shape == "hv"
    np.testing.assert_allclose(stairs.x, ev.curve.step_volumes * tpr)
    np.testing.assert_allclose(stairs.y, ev.curve.step_costs)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "Tokens per month"


def test_volume_break_even_points_are_marked_and_labelled(ev):
    fig = charts.volume_figure(ev)
    marks = [t for t in fig.data if t.name.startswith("Break-even")]
    # vs flagship: 2,920 / (2,250 / 50,000) = 64,889 requests = 162M tokens;
    # vs hybrid: 2,920 / 0.014625 = 199,658 requests = 499M tokens
    assert [t.name for t in marks] == ["Break-even vs flagship only: 162M", "Break-even vs hybrid routing: 499M"]
    assert [t.x[0] for t in marks] == pytest.approx([64_888.9 * 2500, 199_658.1 * 2500], rel=1e-5)
    assert [t.y[0] for t in marks] == pytest.approx([2920, 2920])  # at break-even the API line costs one replica
    assert [t.text[0] for t in marks] == ["162M", "499M"]  # the plot says the volume, the legend the rest
    # both right of today's 125M tokens: their labels read rightwards, away from the dashed "now" line
    assert [t.textposition for t in marks] == ["bottom right", "bottom right"]


@pytest.mark.parametrize(
    "xs, now, expected",
    [
        ([647e6, 1.62e9], 2.5e9, ["top left", "top left"]),  # left of "now", 0.4 decades apart: no clash
        ([25e9, 30.5e9], 140e9, ["top left", "bottom right"]),  # 0.09 decades apart: the nearer takes the other corner
        ([25e9, 30.5e9], 40e9, ["top left", "top left"]),  # ... unless that would read into the "now" line
        ([2e9, 2.2e9], 100e6, ["top left", "bottom right"]),  # right of "now": mirrored
        ([5e9], 1e9, ["bottom right"]),
    ],
    ids=["apart", "close", "close-to-now", "right-close", "one-right"],
)
def test_break_even_labels_stay_off_the_now_line_and_each_other(xs, now, expected):
    assert charts.label_positions(xs, now) == expected


@pytest.mark.parametrize(
    "second_y, dashed, name",
    [
        ([10.0, 20.0], True, "Cascade (= hybrid routing)"),  # the same costs: the later line would hide the earlier
        ([10.0, 20.01], True, "Cascade (= hybrid routing)"),  # within 0.1%: one line to the eye
        ([10.0, 21.0], False, "Cascade"),  # 5% apart: two lines
    ],
    ids=["equal", "within-0.1pct", "apart"],
)
def test_a_line_on_top_of_an_equal_one_is_dashed_and_named(second_y, dashed, name):
    line = {"color": "#000", "width": 2.5}
    data = [
        {"mode": "lines", "x": [1, 2], "y": [10.0, 20.0], "name": "Hybrid routing", "line": line},
        {"mode": "lines", "x": [1, 2], "y": second_y, "name": "Cascade", "line": line},
        {"mode": "markers", "x": [1], "y": [10.0], "name": "Break-even", "line": line},
    ]
    charts.mark_equal_lines(data)
    assert [(t["name"], t["line"].get("dash") == "dash") for t in data] == [
        ("Hybrid routing", False),
        (name, dashed),
        ("Break-even", False),  # markers are not lines
    ]


def test_volume_marks_the_current_volume(ev):
    fig = charts.volume_figure(ev)
    now = [s for s in fig.layout.shapes if s.type == "line"]
    assert [s.x0 for s in now] == [50_000 * 2500]
    assert any(a.text == "now: 125M tokens/mo" and a.x == pytest.approx(math.log10(125e6)) for a in fig.layout.annotations)


@pytest.mark.parametrize("rpm, anchor", [(50_000, "left"), (4e10, "right")], ids=["mid-axis", "right-end"])
def test_the_now_label_reads_into_the_plot(toy_catalog, toy_scenario, rpm, anchor):
    fig = charts.volume_figure(evaluate(toy_scenario(workload__requests_per_month=rpm), toy_catalog))
    (label,) = [a for a in fig.layout.annotations if a.text.startswith("now:")]
    assert label.xanchor == anchor  # near the right end, a label reading rightwards ran off the plot


def test_volume_without_tokens_uses_requests(toy_catalog, toy_scenario):
    ev = evaluate(toy_scenario(workload__input_tokens=0, workload__output_tokens=0), toy_catalog)
    fig = charts.volume_figure(ev)
    assert fig.layout.xaxis.title.text == "Requests per month"
    assert not [s for s in fig.layout.shapes if s.type == "rect"]  # the article's tiers are in tokens


@pytest.mark.parametrize(
    "lo, hi, expected",
    [
        (2.5e6, 2.5e12, ["10M", "100M", "1B", "10B", "100B", "1T"]),  # plotly would say "1G"
        (1, 10, ["1", "10"]),
        (3, 8, []),  # no power of ten inside
    ],
    ids=["tokens", "one-decade", "none-inside"],
)
def test_log_ticks(lo, hi, expected):
    assert charts.log_ticks(lo, hi, tokens)["ticktext"] == expected


def test_log_ticks_are_thinned_over_many_decades():
    # 1 to 1e20 is 21 decades: every third one is labelled, 7 labels
    assert charts.log_ticks(1, 1e20, tokens)["tickvals"] == [10.0**e for e in range(0, 21, 3)]


def test_money_ticks_have_no_cents():
    assert [charts.money_tick(v) for v in (10, 1000, 2.5e6)] == ["$10", "$1k", "$2.5M"]


# ------------------------------------------------------------------------------ forecast


def test_forecast_lines_are_the_engine_forecast(ev):
    fig = forecast_figure(ev)
    for key, label in zip(KEYS, LABELS, strict=True):
        (line,) = _traces(fig, label)
        np.testing.assert_allclose(line.y, ev.forecast.cost[key])
        assert line.line.color == STRATEGY_COLORS[key]
    assert _traces(fig, "Self-hosted")[0].line.shape == "hv"
    assert list(fig.layout.xaxis.range) == ["2027-01-01", "2027-12-01"]


def test_cumulative_uses_running_totals(ev):
    fig = forecast_figure(ev, cumulative=True)
    (flagship,) = _traces(fig, "Flagship only")
    assert flagship.y[2] == pytest.approx(3 * 2250)
    assert fig.layout.title.text == "Cumulative cost"


def test_forecast_marks_the_month_self_hosting_overtakes(toy_catalog, toy_scenario):
    # 20% growth from 50,000 requests: the hybrid ($0.014625 a request) passes one replica ($2,920)
    # at 199,658 requests, i.e. month index ceil(log(3.993) / log(1.2)) = 8 (2027-09); the flagship
    # ($0.045) at 64,889 requests, index 2 (2027-03).
    ev = evaluate(toy_scenario(growth__monthly_rate=0.2), toy_catalog)
    assert ev.forecast.first_self_hosted_cheaper == {"flagship_only": 2, "hybrid": 8}
    fig = forecast_figure(ev)
    stars = [t for t in fig.data if t.name.startswith("Self-hosting cheaper")]
    assert [t.name for t in stars] == [
        "Self-hosting cheaper than flagship only (2027-03)",
        "Self-hosting cheaper than hybrid routing (2027-09)",
    ]
    assert [t.x[0] for t in stars] == ["2027-03-01", "2027-09-01"]
    assert all(t.cliponaxis is False for t in stars)  # a first-month star is drawn whole, over the axis
    assert not fig.layout.annotations  # said in the legend: a label on the plot was crossed by the rising lines


def test_forecast_shows_dated_price_changes(toy_catalog, toy_scenario):
    ev = evaluate(toy_scenario(flagship_only={"model": "changing"}), toy_catalog)
    (marks,) = _traces(forecast_figure(ev), "Price change or retirement")
    assert list(marks.x) == ["2027-01-11"]
    assert list(marks.hovertext) == ["Changing: input $2 → $1, output $10 → $5 per 1M"]
    assert [s.x0 for s in forecast_figure(ev).layout.shapes] == ["2027-01-11"]


@pytest.mark.parametrize(
    "series, expected",
    [
        ({"self_hosted": np.array([5, 4, 1]), "hybrid": np.array([3, 3, 3])}, {"hybrid": 2}),
        (
            {"self_hosted": np.array([5, 5]), "hybrid": np.array([3, 3]), "flagship_only": np.array([9, 9])},
            {"flagship_only": 0, "hybrid": None},
        ),
        ({"hybrid": np.array([3, 3])}, {}),
    ],
    ids=["later", "never-vs-hybrid", "no-self-hosting"],
)
def test_first_cheaper(series, expected):
    assert first_cheaper(series) == expected


# ----------------------------------------------------------------------------- breakdown


def test_breakdown_rows_and_parts(ev):
    fig = breakdown_figure(ev)
    assert [t.name for t in fig.data] == ["Input", "Output", "GPUs"]
    assert [t.marker.color for t in fig.data] == [PART_COLORS["input"], PART_COLORS["output"], PART_COLORS["gpus"]]
    strategies, components = fig.data[0].y
    assert list(components) == ["Big", "Small", "Big", "Small", "Big", "Open 70B (ToyHost)", "GPUs"]
    assert list(strategies)[:3] == ["Flagship only", "Hybrid routing", "Hybrid routing"]
    # flagship: input 50,000 x 2,000 x $10 / 1e6 = $1,000; output 50,000 x 500 x $50 / 1e6 = $1,250
    inputs, outputs, gpus = (list(t.x) for t in fig.data)
    assert (inputs[0], outputs[0], gpus[0]) == pytest.approx((1000, 1250, 0))
    assert gpus[-1] == pytest.approx(2920)


def test_breakdown_rows_sum_to_each_strategy(ev):
    totals: dict[str, float] = {}
    for key, _, parts in breakdown_rows(ev):
        totals[key] = totals.get(key, 0.0) + sum(parts.values())
    assert totals == pytest.approx(ev.monthly_cost_usd)


def test_breakdown_marks_overridden_models(toy_catalog, toy_scenario):
    ev = evaluate(toy_scenario(price_overrides={"big": {"output": 40}}), toy_catalog)
    _, components = breakdown_figure(ev).data[0].y
    assert components[0] == f"Big {OVERRIDE_MARK}" and components[1] == "Small"


# ---------------------------------------------------------------------- shared behaviour


@pytest.mark.parametrize("build", [charts.volume_figure, forecast_figure, breakdown_figure])
def test_figures_are_valid_and_transparent(ev, build):
    fig = build(ev)
    go.Figure(fig.to_dict())  # full plotly validation of everything the builder wrote
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)" and fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.title.subtitle.text.startswith("toy")


def test_model_names_cannot_inject_markup(toy_catalog, toy_scenario):
    scenario = toy_scenario(
        name="<b>x</b>",
        flagship_only={"model": "<a href='javascript:alert(1)'>m</a>"},
        price_overrides={"<a href='javascript:alert(1)'>m</a>": {"input": 1, "output": 1}},
    )
    ev = evaluate(scenario, toy_catalog)
    for build in (breakdown_figure, forecast_figure, charts.volume_figure):
        text = str(build(ev).to_dict())
        assert "<a href" not in text and "<b>x" not in text
    # ECharts draws titles and labels as plain text; only the tooltip is HTML, and it is escaped
    tooltips = [bar["tooltip"]["formatter"] for _, bar in _bars(charts.comparison_chart(ev)[0])]
    assert "<a href" not in str(tooltips) and "<b>x" not in str(tooltips)
    assert "&lt;a href" in str(breakdown_figure(ev).to_dict())  # the model's row, shown as text


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Agent platform - when does our own server pay off?", "agent-platform-when-does-our-own-server-pay-off"),
        ("Untitled scenario", "untitled-scenario"),
        ("***", "scenario"),
        ("x" * 100, "x" * 60),
    ],
    ids=["preset", "default", "no-letters", "long"],
)
def test_slug(name, expected):
    assert charts.slug(name) == expected


def test_png_export_is_named_after_scenario_and_chart(ev):
    config = charts.chart_config(ev, "volume")
    assert config["toImageButtonOptions"] == {"format": "png", "filename": "toy-volume", "scale": 2}
    assert money(1) == "$1.00"  # the shared format the figures use
