"""The figures: ECharts options (series, names, colours, data, marks), built from toy-catalog evaluations."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

from calculators.engine import evaluate, first_cheaper
from calculators.formatting import money, tokens
from dashboard.figures import cost as charts
from dashboard.figures import echarts, forecast
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


def _series(option: dict, name: str) -> list[dict]:
    return [s for s in option["series"] if s.get("name") == name]


def _xy(series: dict) -> tuple[list, list]:
    """The x and the y values of a series' ``[x, y]`` points."""
    points = [p["value"] for p in series["data"]]
    return [x for x, _ in points], [y for _, y in points]


def _day(ms: float) -> str:
    """A time axis value (milliseconds since the epoch, drawn in UTC) as its ISO day."""
    return (dt.date(1970, 1, 1) + dt.timedelta(milliseconds=ms)).isoformat()


def _now_line(option: dict) -> list[list[dict]]:
    """The volume figure's vertical marks: [from, to] pairs of the marks series' ``markLine``."""
    return [m for s in option["series"] if "markLine" in s for m in s["markLine"]["data"]]


def _tooltips(node) -> list[str]:
    """Every tooltip text in an option (the only HTML ECharts draws)."""
    if isinstance(node, dict):
        own = [node["tooltip"]["formatter"]] if isinstance(node.get("tooltip"), dict) and "formatter" in node["tooltip"] else []
        return own + [t for value in node.values() for t in _tooltips(value)]
    if isinstance(node, list):
        return [t for value in node for t in _tooltips(value)]
    return []


def _plain_values(node) -> bool:
    """Only JSON's own types in the option: no numpy scalars that ``st.echarts_chart`` would have to convert."""
    if isinstance(node, dict):
        return all(type(k) is str and _plain_values(v) for k, v in node.items())
    if isinstance(node, list):
        return all(_plain_values(v) for v in node)
    return node is None or type(node) in (str, int, float, bool)


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
    [
        (0.0, 1.0, ""),
        (9_999.0, 1.0, ""),
        (10_000.0, 1e3, "k"),
        (999_999.0, 1e3, "k"),
        (7e6, 1e6, "M"),
        (2.5e7, 1e6, "M"),
        (4e10, 1e9, "B"),
        (1e14, 1e12, "T"),
        (1.5e25, 1e25, "e25"),
    ],
    ids=["zero", "under-10k", "10k", "under-1M", "7M", "25M", "40B", "100T", "1.5e25"],
)
def test_money_axis_unit(top, scale, suffix):
    # the axis reads $0k...$15k rather than $0...$15000 from ten thousand on, and $7M rather than $7,000k
    assert echarts.money_unit(top) == (scale, suffix)


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
    option, height = charts.volume_figure(ev)
    tpr = 2500  # tokens a request: the x axis is in tokens a month
    for key, label in zip(KEYS[:4], LABELS[:4], strict=True):
        (line,) = _series(option, label)
        x, y = _xy(line)
        np.testing.assert_allclose(x, ev.curve.volumes * tpr)
        np.testing.assert_allclose(y, ev.curve.cost[key])
        assert line["color"] == STRATEGY_COLORS[key] and "step" not in line
    (stairs,) = _series(option, "Self-hosted")
    assert stairs["step"] == "end"  # flat up to each volume, then up a replica
    x, y = _xy(stairs)
    np.testing.assert_allclose(x, ev.curve.step_volumes * tpr)
    np.testing.assert_allclose(y, ev.curve.step_costs)
    assert option["xAxis"]["type"] == "log" and option["yAxis"]["type"] == "log"
    assert option["xAxis"]["name"] == "Tokens per month"
    assert height == 500


def test_volume_break_even_points_are_marked_and_labelled(ev):
    option, _ = charts.volume_figure(ev)
    marks = [s for s in option["series"] if s.get("name", "").startswith("Break-even")]
    # vs flagship: 2,920 / (2,250 / 50,000) = 64,889 requests = 162M tokens;
    # vs hybrid: 2,920 / 0.014625 = 199,658 requests = 499M tokens
    assert [s["name"] for s in marks] == ["Break-even vs flagship only: 162M", "Break-even vs hybrid routing: 499M"]
    points = [s["data"][0] for s in marks]
    assert [p["value"][0] for p in points] == pytest.approx([64_888.9 * 2500, 199_658.1 * 2500], rel=1e-5)
    assert [p["value"][1] for p in points] == pytest.approx([2920, 2920])  # at break-even the API line costs one replica
    assert [p["label"]["formatter"] for p in points] == ["162M", "499M"]  # the plot says the volume, the legend the rest
    # both right of today's 125M tokens: their labels read rightwards, away from the dashed "now" line
    assert all(p["label"].items() >= charts.LABEL_PLACES["bottom right"].items() for p in points)
    assert points[0]["tooltip"]["formatter"] == (
        "<b>Self-hosting break-even vs Flagship only</b><br/>162M tokens/month (64.9k requests)<br/>$2.92k a month"
    )


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
        ([1e-7, 2e-7], False, "Cascade"),  # 100x apart, both near zero on an axis of $1e26 (scaled values): two lines
    ],
    ids=["equal", "within-0.1pct", "apart", "apart-near-zero"],
)
def test_a_line_on_top_of_an_equal_one_is_dashed_and_named(second_y, dashed, name):
    first = [10.0, 20.0] if second_y[0] >= 1 else [1e-5, 2e-5]
    series = [
        echarts.line("Hybrid routing", "#000", [echarts.point(x, y) for x, y in zip([1, 2], first, strict=True)]),
        echarts.line("Cascade", "#000", [echarts.point(x, y) for x, y in zip([1, 2], second_y, strict=True)]),
        echarts.markers("Break-even", [echarts.point(1, 10.0)]),
    ]
    charts.mark_equal_lines(series)
    assert [(s["name"], s.get("lineStyle", {}).get("type") == "dashed") for s in series] == [
        ("Hybrid routing", False),
        (name, dashed),
        ("Break-even", False),  # markers are not lines
    ]


def test_volume_marks_the_current_volume_and_the_tiers(ev):
    option, _ = charts.volume_figure(ev)
    (now,) = _now_line(option)
    assert [end["coord"][0] for end in now] == [50_000 * 2500] * 2
    assert now[0]["label"]["formatter"] == "now: 125M tokens/mo"
    # the article's tiers over the 25k to 250B tokens axis, each wide enough (>= 14% of it) for its label
    (bands,) = [s["markArea"]["data"] for s in option["series"] if "markArea" in s]
    assert [(start["xAxis"], end["xAxis"]) for start, end in bands] == [(25e3, 1e6), (1e6, 1e7), (1e7, 1e8), (1e8, 2.5e11)]
    assert [start["label"]["formatter"] for start, _ in bands] == list(charts._TIER_SHORT)
    assert all(start["label"]["show"] for start, _ in bands)


@pytest.mark.parametrize("rpm, align", [(50_000, "left"), (4e10, "right")], ids=["mid-axis", "right-end"])
def test_the_now_line_starts_above_the_tiers_and_its_label_reads_into_the_plot(toy_catalog, toy_scenario, rpm, align):
    option, _ = charts.volume_figure(evaluate(toy_scenario(workload__requests_per_month=rpm), toy_catalog))
    (now,) = _now_line(option)
    (start, end) = now
    y_lo, y_hi = option["yAxis"]["min"], option["yAxis"]["max"]
    # from NOW_LINE_FROM of the way up the log axis (above the tier labels along the bottom) to the top
    rise = (math.log10(start["coord"][1]) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo))
    assert rise == pytest.approx(charts.NOW_LINE_FROM) and end["coord"][1] == y_hi
    # its label at the line's top end, above the plot, reading away from the nearer end of the axis
    assert start["label"]["position"] == "end"
    assert start["label"]["align"] == align  # near the right end, a label reading rightwards ran off the chart


def test_volume_without_tokens_uses_requests(toy_catalog, toy_scenario):
    ev = evaluate(toy_scenario(workload__input_tokens=0, workload__output_tokens=0), toy_catalog)
    option, _ = charts.volume_figure(ev)
    assert option["xAxis"]["name"] == "Requests per month"
    assert not [s for s in option["series"] if "markArea" in s]  # the article's tiers are in tokens


@pytest.mark.parametrize(
    "lo, hi, expected",
    [
        (2.5e6, 2.5e12, ["10M", "100M", "1B", "10B", "100B", "1T"]),  # the app's "1B", not SI's "1G"
        (1, 10, ["1", "10"]),
        (3, 8, []),  # no power of ten inside
    ],
    ids=["tokens", "one-decade", "none-inside"],
)
def test_log_labels(lo, hi, expected):
    labels = echarts.log_labels("x", lo, hi, 1.0, tokens)
    assert [p["label"]["formatter"] for p in labels["data"]] == expected
    assert [tokens(v) for v in echarts.labelled_decades(lo, hi)] == expected


def test_log_labels_are_thinned_over_many_decades():
    # 1 to 1e20 is 21 decades: every third one is labelled, 7 labels
    assert echarts.labelled_decades(1, 1e20) == [10.0**e for e in range(0, 21, 3)]


def test_money_ticks_have_no_cents():
    assert [echarts.money_tick(v) for v in (10, 1000, 2.5e6)] == ["$10", "$1k", "$2.5M"]


# ------------------------------------------------------------------------------ forecast


def test_forecast_lines_are_the_engine_forecast(ev):
    option, height = forecast_figure(ev)
    # the highest month is self-hosting's $2,920 < $10k: the axis stays in dollars (scale 1)
    assert option["yAxis"]["axisLabel"]["formatter"] == "${value}" and option["yAxis"]["name"] == "USD per month"
    for key, label in zip(KEYS, LABELS, strict=True):
        (line,) = _series(option, label)
        x, y = _xy(line)
        np.testing.assert_allclose(y, ev.forecast.cost[key])
        assert [_day(ms) for ms in x] == [m.isoformat() for m in ev.forecast.months]
        assert line["color"] == STRATEGY_COLORS[key]
    (self_hosted,) = _series(option, "Self-hosted")
    assert self_hosted["step"] == "end"  # a bill that jumps when a replica is added: steps
    assert self_hosted["data"][0]["tooltip"]["formatter"] == "<b>Self-hosted</b><br/>Jan 2027: $2.92k"
    assert option["xAxis"]["type"] == "time" and option["useUTC"] is True  # the first of a month in every time zone
    assert [_day(option["xAxis"]["min"]), _day(option["xAxis"]["max"])] == ["2027-01-01", "2027-12-01"]
    assert option["xAxis"]["axisLabel"]["formatter"] == "{MMM} {yyyy}"  # "Jan 2027"
    assert height == 440 + echarts.LEGEND_HEIGHT * (forecast.legend_rows(option["legend"]["data"]) - 1)


def test_cumulative_uses_running_totals(ev):
    option, _ = forecast_figure(ev, cumulative=True)
    (flagship,) = _series(option, "Flagship only")
    # 12 x $2,920 = $35,040 at the top: drawn in $k, so March's 3 x $2,250 is drawn as 6.75
    assert option["yAxis"]["axisLabel"]["formatter"] == "${value}k"
    assert _xy(flagship)[1][2] == pytest.approx(3 * 2250 / 1000)
    assert flagship["data"][2]["tooltip"]["formatter"] == "<b>Flagship only</b><br/>Mar 2027: $6.75k"
    assert "step" not in _series(option, "Self-hosted")[0]  # running totals rise month by month
    assert (option["title"]["text"], option["yAxis"]["name"]) == ("Cumulative cost", "USD")


def test_forecast_marks_the_month_self_hosting_overtakes(toy_catalog, toy_scenario):
    # 20% growth from 50,000 requests: the hybrid ($0.014625 a request) passes one replica ($2,920)
    # at 199,658 requests, i.e. month index ceil(log(3.993) / log(1.2)) = 8 (2027-09); the flagship
    # ($0.045) at 64,889 requests, index 2 (2027-03).
    ev = evaluate(toy_scenario(growth__monthly_rate=0.2), toy_catalog)
    assert ev.forecast.first_self_hosted_cheaper == {"flagship_only": 2, "hybrid": 8}
    option, _ = forecast_figure(ev)
    stars = [s for s in option["series"] if s.get("name", "").startswith("Self-hosting cheaper")]
    assert [s["name"] for s in stars] == [
        "Self-hosting cheaper than flagship only (2027-03)",
        "Self-hosting cheaper than hybrid routing (2027-09)",
    ]
    assert [_day(s["data"][0]["value"][0]) for s in stars] == ["2027-03-01", "2027-09-01"]
    # on the self-hosted line, in the months it overtakes: the flagship's $2,250 x 1.2^11 = $16.7k in the last
    # month puts the axis in $k, so one replica's $2,920 is drawn at 2.92
    assert option["yAxis"]["axisLabel"]["formatter"] == "${value}k"
    assert [s["data"][0]["value"][1] for s in stars] == pytest.approx([2.92, 2.92])
    assert all(
        s["symbol"] == echarts.STAR and s["clip"] is False for s in stars
    )  # a first-month star is drawn whole, over the axis
    assert stars[0]["data"][0]["tooltip"]["formatter"] == "<b>Self-hosted cheaper than flagship only</b><br/>from Mar 2027"
    # said in the legend: a label on the plot was crossed by the rising lines
    assert not any(p.get("label") for s in stars for p in s["data"]) and "label" not in stars[0]


def test_the_payback_star_in_the_first_month_sits_on_the_axis(toy_catalog, toy_scenario):
    # 10x the toy volume: flagship $22,500 > one replica's $2,920 from the first month on
    ev = evaluate(toy_scenario(workload__requests_per_month=500_000), toy_catalog)
    option, _ = forecast_figure(ev, cumulative=True)
    (star,) = [s for s in option["series"] if s.get("name", "").startswith("Self-hosting pays back")]
    assert star["data"][0]["value"][0] == option["xAxis"]["min"] and star["clip"] is False


def test_forecast_shows_dated_price_changes(toy_catalog, toy_scenario):
    ev = evaluate(toy_scenario(flagship_only={"model": "changing"}), toy_catalog)
    option, _ = forecast_figure(ev)
    (marks,) = _series(option, "Price change or retirement")
    assert [_day(p["value"][0]) for p in marks["data"]] == ["2027-01-11"]
    assert [p["tooltip"]["formatter"] for p in marks["data"]] == [
        "<b>11 Jan 2027</b><br/>Changing: input $2 → $1, output $10 → $5 per 1M"
    ]
    # a triangle pointing down at the day, just above the highest line, and a dotted line down from it
    assert (marks["symbol"], marks["symbolRotate"]) == ("triangle", 180)
    top = max(float(np.max(v)) for v in ev.forecast.cost.values())
    assert marks["data"][0]["value"][1] == pytest.approx(top * 1.04)
    lines = marks["markLine"]["data"]
    assert [_day(line["xAxis"]) for line in lines] == ["2027-01-11"]
    assert lines[0]["lineStyle"]["type"] == "dotted"


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


@pytest.mark.parametrize(
    "names, rows",
    [
        (["Flagship only", "Hybrid routing", "Cascade"], 1),
        (["Flagship only", "Self-hosted", "Self-hosting cheaper than flagship only and hybrid routing (2027-01)"] * 2, 2),
    ],
    ids=["short", "long-star-entries"],
)
def test_the_forecast_legend_wraps_to_show_every_entry(names, rows):
    assert forecast.legend_rows(names) == rows


# ----------------------------------------------------------------------------- breakdown


def _bar_labels(option: dict) -> list[tuple[str, str]]:
    """(strategy, component) of each bar, from its "strategy · component" axis label."""
    return [tuple(name.split(" · ", 1)) for name in option["yAxis"]["data"]]


def test_breakdown_rows_and_parts(ev):
    option, height = breakdown_figure(ev)
    parts = option["series"]
    assert [s["name"] for s in parts] == ["Input", "Output", "GPUs"]
    assert [s["color"] for s in parts] == [PART_COLORS["input"], PART_COLORS["output"], PART_COLORS["gpus"]]
    assert all(s["type"] == "bar" and s["stack"] == "bill" for s in parts)  # one bar per row, stacked by part
    strategies, components = zip(*_bar_labels(option), strict=True)
    assert list(components) == ["Big", "Small", "Big", "Small", "Big", "Open 70B (ToyHost)", "GPUs"]
    assert list(strategies)[:3] == ["Flagship only", "Hybrid routing", "Hybrid routing"]
    assert option["yAxis"]["inverse"] is True  # the first strategy on top
    # flagship: input 50,000 x 2,000 x $10 / 1e6 = $1,000; output 50,000 x 500 x $50 / 1e6 = $1,250;
    # the longest bar is self-hosting's $2,920 < $10k: the axis stays in dollars (scale 1)
    assert option["xAxis"]["axisLabel"]["formatter"] == "${value}"
    inputs, outputs, gpus = ([bar["value"] for bar in s["data"]] for s in parts)
    assert (inputs[0], outputs[0], gpus[0]) == pytest.approx((1000, 1250, 0))
    assert gpus[-1] == pytest.approx(2920)
    assert parts[1]["data"][0]["tooltip"]["formatter"] == "<b>Flagship only · Big</b><br/>Output: $1.25k a month"
    assert height == 150 + 34 * 7


def test_breakdown_rows_sum_to_each_strategy(ev):
    totals: dict[str, float] = {}
    for key, _, parts in breakdown_rows(ev):
        totals[key] = totals.get(key, 0.0) + sum(parts.values())
    assert totals == pytest.approx(ev.monthly_cost_usd)


def test_breakdown_marks_overridden_models(toy_catalog, toy_scenario):
    ev = evaluate(toy_scenario(price_overrides={"big": {"output": 40}}), toy_catalog)
    components = [component for _, component in _bar_labels(breakdown_figure(ev)[0])]
    assert components[0] == f"Big {OVERRIDE_MARK}" and components[1] == "Small"


# ---------------------------------------------------------------------- shared behaviour

BUILDERS = {
    "volume": charts.volume_figure,
    "forecast": forecast_figure,
    "cumulative": lambda ev: forecast_figure(ev, cumulative=True),
    "breakdown": breakdown_figure,
}


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_figures_are_json_with_a_png_export_named_after_scenario_and_chart(ev, kind):
    option, height = BUILDERS[kind](ev)
    json.dumps(option, allow_nan=False)  # st.echarts_chart takes JSON only: no NaN, no JavaScript
    assert _plain_values(option)
    saver = option["toolbox"]["feature"]["saveAsImage"]
    assert (saver["name"], saver["pixelRatio"]) == (f"toy-{kind}", 2)
    assert option["title"]["subtext"].startswith("toy") and height > 0
    assert "backgroundColor" not in option  # transparent: reads on the light and the dark theme


@pytest.mark.parametrize(
    "kind, label_template, first_hover",
    [
        ("forecast", "${value}", "<b>Flagship only</b><br/>Jan 2027: $2.25"),  # top: one replica, $2,920
        ("cumulative", "${value}k", "<b>Flagship only</b><br/>Jan 2027: $2.25"),  # top: 12 x $2,920 = $35k
        ("breakdown", "${value}", "<b>Flagship only · Big</b><br/>Input: $1.00 a month"),  # 50 x 2,000 x $10 / 1e6
    ],
    ids=["forecast", "cumulative", "breakdown"],
)
def test_money_axes_are_written_in_dollars_not_si(toy_scenario, toy_catalog, kind, label_template, first_hover):
    # 50 requests a month: API strategies cost cents, where SI prefixes would write m (milli), "$800m"
    ev = evaluate(toy_scenario(workload__requests_per_month=50), toy_catalog)
    option, _ = BUILDERS[kind](ev)
    axis = option["xAxis"] if kind == "breakdown" else option["yAxis"]
    # values divided by the axis unit, labels from a "$" template with one of the app's suffixes
    assert (axis["type"], axis["min"], axis["axisLabel"]["formatter"]) == ("value", 0, label_template)
    assert option["series"][0]["data"][0]["tooltip"]["formatter"] == first_hover  # the hover says money(), cents
    assert echarts.money_unit(0.8) == (1.0, "")  # 80 cents at the top: "$0.8", never "$800m"


def test_model_names_cannot_inject_markup(toy_catalog, toy_scenario):
    scenario = toy_scenario(
        name="<b>x</b>",
        flagship_only={"model": "<a href='javascript:alert(1)'>m</a>"},
        price_overrides={"<a href='javascript:alert(1)'>m</a>": {"input": 1, "output": 1}},
    )
    ev = evaluate(scenario, toy_catalog)
    # ECharts draws titles, legends and labels as plain text; only the tooltip is HTML, and it is escaped
    for build in (*BUILDERS.values(), charts.comparison_chart):
        option, _ = build(ev)
        tooltips = " ".join(_tooltips(option))
        assert "<a href" not in tooltips and "<b>x" not in tooltips
    option, _ = breakdown_figure(ev)
    assert "&lt;a href" in " ".join(_tooltips(option))  # the model's row, its name shown as text
    assert option["yAxis"]["data"][0] == f"Flagship only {OVERRIDE_MARK} · <a href='javascript:alert(1)'>m</a> {OVERRIDE_MARK}"


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
    assert money(1) == "$1.00"  # the shared format the figures use
