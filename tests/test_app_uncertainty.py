"""Beyond point estimates in the dashboard, through Streamlit's AppTest: the Uncertainty tab (band,
chance that self-hosting wins, tornado), the quality-adjusted cost and the self-hosted + flagship
strategy's settings.

Each expectation is computed independently of the app: the equivalent scenario is the link default
(``params_to_scenario({})``) with the section the widgets should have written, priced with the core
(``monte_carlo``, ``sensitivity``, ``quality_adjusted``, ``evaluate``) and compared with the tables,
sentences, charts and cards the page shows. The share link the page writes must decode to that same
scenario, and opening it must show the same numbers.
"""

from __future__ import annotations

import dataclasses
import functools
import json

import numpy as np
import pandas as pd
import pytest
from apptest_support import APP, editor_key, run_app, shown_charts, view_key
from streamlit.testing.v1 import AppTest

from calculators.engine import evaluate
from calculators.formatting import money, percent, tokens
from calculators.links import params_to_scenario, scenario_to_params
from calculators.quality import quality_adjusted
from calculators.scenario import ModelSlot, Quality, Range, SelfHostedMixed, Uncertainty, scenario_to_yaml
from calculators.sensitivity import sensitivity
from calculators.uncertainty import monte_carlo
from dashboard import cache, state
from dashboard.figures.echarts import money_scale
from dashboard.markup import md
from pricing import load_catalog

pytestmark = pytest.mark.usefixtures("fresh_caches", "pinned_today")  # caches are process-global; the calendar pinned

UNCERTAINTY = {"view": "Uncertainty"}
RANGES_OPEN = {"view": "Uncertainty", "unc_ranges": True}
COMPARE = {"view": "Compare"}


@functools.lru_cache(maxsize=1)
def _catalog():
    return load_catalog()


def link(**params):
    """The scenario a share link with these parameters describes (no parameters: the app's default)."""
    scenario, notices = params_to_scenario(params, _catalog())
    assert notices == []
    return scenario


def with_uncertainty(scenario=None, **fields):
    return dataclasses.replace(scenario or link(), uncertainty=Uncertainty(**fields))


def page_scenario(at: AppTest):
    """The scenario the page's URL describes (what a share link of this state opens)."""
    scenario, notices = params_to_scenario(dict(at.query_params), _catalog())
    assert notices == []
    return scenario


def set_value(at: AppTest, kind: str, key: str, value) -> AppTest:
    getattr(at, kind)(key=view_key(at, key)).set_value(value).run()
    assert not at.exception, at.exception
    return at


# ------------------------------------------------------------------------------ reading the page


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The read-only table that has ``column``."""
    frames = [d.value for d in at.dataframe if d.editing_mode == "read_only" and column in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0]


def chart(at: AppTest, title_part: str) -> dict:
    """The ECharts option whose title contains ``title_part``."""
    options = [json.loads(c.proto.spec) for c in shown_charts(at)]
    found = [o for o in options if title_part in o["title"]["text"]]
    assert len(found) == 1, [o["title"]["text"] for o in options]
    return found[0]


def axis_scale(axis: dict) -> float:
    """What a money axis's values were divided by: ``${value}k`` draws thousands."""
    return money_scale(axis["axisLabel"]["formatter"])


def ys(series: dict) -> np.ndarray:
    """The y values of a line series' ``{"value": [x, y]}`` points."""
    return np.array([p["value"][1] for p in series["data"]], dtype=float)


def expected_totals(scenario) -> pd.DataFrame:
    """The horizon totals the tab should show, from the core: point estimate and P10 / P50 / P90 over the draws."""
    band = monte_carlo(scenario, _catalog())
    return pd.DataFrame(
        {
            "point": [float(np.sum(band.point[k])) for k in band.strategies],
            "p10": [float(band.total[k][0]) for k in band.strategies],
            "p50": [float(band.total[k][1]) for k in band.strategies],
            "p90": [float(band.total[k][2]) for k in band.strategies],
        }
    )


def shown_totals(at: AppTest) -> pd.DataFrame:
    return table(at, "p50")[["point", "p10", "p50", "p90"]].reset_index(drop=True)


def assert_band_of(at: AppTest, scenario) -> None:
    """The totals table (written as the page writes money: "$22.5k") and the band chart's median lines
    (to the last digit) are the core's band of ``scenario``."""
    pd.testing.assert_frame_equal(shown_totals(at), expected_totals(scenario).map(money), check_dtype=False)
    band = monte_carlo(scenario, _catalog())
    option = chart(at, "with uncertainty")
    medians = [s for s in option["series"] if not s.get("silent")]  # the bands' edges are silent
    assert len(medians) == len(band.strategies)
    for line, key in zip(medians, band.strategies, strict=True):
        np.testing.assert_allclose(ys(line) * axis_scale(option["yAxis"]), band.percentile(key, 50), rtol=1e-12)


# ------------------------------------------------------------------------------- the tab


def test_the_uncertainty_tab_shows_the_core_band_and_leaves_the_link_empty():
    at = run_app(session=UNCERTAINTY)
    assert not at.error
    assert_band_of(at, link())
    assert len(shown_charts(at)) == 2  # band and tornado: the chance is 100% throughout, said in words
    flat = md("In every month from 2027-01 to 2028-12, self-hosting is cheaper than flagship only in 100% of draws")
    assert any(flat in m.value for m in at.markdown)
    method = [c.value for c in at.caption if c.value.startswith("Method")]
    assert method and md("2,000 draws (seed 1)") in method[0] and md("uniformly at random") in method[0]
    assert set(at.query_params) == {"start"}  # the defaults stay out of the URL (the month is always in)


def test_the_tab_is_lazy():
    at = run_app()
    assert not [c for c in shown_charts(at) if "with uncertainty" in c.proto.spec]
    assert not [m for m in at.markdown if "Chance that self-hosting" in m.value]


def test_the_chance_sentence_is_the_share_of_draws():
    # 400,000 requests a month: against the hybrid, self-hosting wins in 0% to ~98% of draws as volume grows
    at = run_app({"rpm": "400000"}, session=UNCERTAINTY)
    band = monte_carlo(link(rpm="400000"), _catalog())
    labels = [m.strftime("%Y-%m") for m in band.months]
    assert at.select_slider(key="unc_month").value == labels[-1]
    set_value(at, "select_slider", "unc_month", labels[5])
    p = band.probability_cheaper["self_hosted"]
    sentence = (
        f"By {labels[5]} self-hosting is cheaper than flagship only in {percent(float(p['flagship_only'][5]))} of draws "
        f"and than hybrid routing in {percent(float(p['hybrid'][5]))} of draws."
    )
    assert md(sentence) in [m.value for m in at.markdown]
    lines = chart(at, "Chance that self-hosting")["series"]
    np.testing.assert_allclose(ys(lines[0]) / 100, p["flagship_only"])  # drawn in percent


# (id, input key, low, high as typed, the range in the scenario)
RANGES = [
    ("growth", "growth_rate", 0.0, 10.0, (0.0, 0.1)),
    ("escalation", "escalation_rate", 10.0, 40.0, (0.1, 0.4)),
    ("cached-share", "cached_input_share", 20.0, 60.0, (0.2, 0.6)),
    ("output-tokens", "output_tokens", 200.0, 1200.0, (200.0, 1200.0)),
    ("reasoning-tokens", "reasoning_tokens", 0.0, 2000.0, (0.0, 2000.0)),
    ("gpu-price", "gpu_hour_usd", 1.5, 4.0, (1.5, 4.0)),
    ("utilization", "utilization", 30.0, 90.0, (0.3, 0.9)),
]


@pytest.mark.parametrize("key, low, high, expected", [r[1:] for r in RANGES], ids=[r[0] for r in RANGES])
def test_each_range_moves_the_band_as_the_core_predicts(key, low, high, expected):
    at = run_app(session=RANGES_OPEN)
    before = shown_totals(at)
    set_value(at, "number_input", state.range_key(key, "low"), low)
    set_value(at, "number_input", state.range_key(key, "high"), high)
    scenario = with_uncertainty(**{key: Range(*expected)})
    assert_band_of(at, scenario)
    assert not shown_totals(at).equals(before)
    assert page_scenario(at) == scenario  # the range travels in the share link
    assert not at.error


@pytest.mark.parametrize("key, value, fields", [("unc_draws", 500, {"draws": 500}), ("unc_seed", 7, {"seed": 7})])
def test_draws_and_seed_change_the_band_as_the_core_predicts(key, value, fields):
    at = run_app(session=RANGES_OPEN)
    before = shown_totals(at)
    set_value(at, "number_input", key, value)
    assert_band_of(at, with_uncertainty(**fields))
    assert not shown_totals(at).equals(before)
    assert f"seed {fields.get('seed', 1)}" in chart(at, "with uncertainty")["title"]["subtext"]  # plain text in ECharts


def test_the_ranges_show_the_core_defaults_and_one_typed_end_completes_the_other():
    at = run_app(session=RANGES_OPEN)
    low = at.number_input(key=view_key(at, state.range_key("output_tokens", "low")))
    assert low.value is None and low.proto.placeholder == "375"  # 500 x 0.75
    assert at.number_input(key=view_key(at, state.range_key("growth_rate", "high"))).proto.placeholder == "7.5"  # 5% + 2.5 points
    set_value(at, "number_input", state.range_key("output_tokens", "high"), 900.0)
    assert at.number_input(key=view_key(at, state.range_key("output_tokens", "low"))).value == 375
    assert_band_of(at, with_uncertainty(output_tokens=Range(375.0, 900.0)))


def test_a_reversed_range_is_reported_inline_and_what_was_typed_stays():
    at = run_app(session=RANGES_OPEN)
    set_value(at, "number_input", state.range_key("output_tokens", "low"), 400.0)  # high completes to 625
    set_value(at, "number_input", state.range_key("output_tokens", "low"), 900.0)
    assert at.number_input(key=view_key(at, state.range_key("output_tokens", "low"))).value == 900
    assert at.number_input(key=view_key(at, state.range_key("output_tokens", "high"))).value == 625
    assert any(md("the low end (900) is above the high end (625)") in e.value for e in at.error)
    assert_band_of(at, link())  # the default range is used until it is fixed
    assert not at.exception


def test_reset_restores_the_default_ranges():
    at = run_app(session=RANGES_OPEN)
    set_value(at, "number_input", state.range_key("gpu_hour_usd", "low"), 1.0)
    assert page_scenario(at).uncertainty is not None
    at.button(key="reset_ranges").click().run()
    assert at.number_input(key=view_key(at, state.range_key("gpu_hour_usd", "low"))).value is None
    assert_band_of(at, link())
    assert "x" not in at.query_params


def test_ranges_outlive_closing_the_tab_and_its_expander():
    at = run_app(session=RANGES_OPEN)
    set_value(at, "number_input", state.range_key("growth_rate", "low"), 0.0)
    set_value(at, "number_input", state.range_key("growth_rate", "high"), 20.0)
    expected = with_uncertainty(growth_rate=Range(0.0, 0.2))
    at.session_state["unc_ranges"] = False
    at.session_state["view"] = "Compare"
    at.run()
    assert page_scenario(at) == expected
    at.session_state["view"] = "Uncertainty"
    at.run()
    assert_band_of(at, expected)


def test_a_link_with_ranges_reproduces_the_band():
    scenario = with_uncertainty(
        draws=800, seed=42, growth_rate=Range(0.0, 0.15), output_tokens=Range(300.0, 900.0), utilization=Range(0.4, 0.8)
    )
    scenario = dataclasses.replace(scenario, quality=Quality(4.0, (("claude-opus-4-5", 0.02),), 0.1, 0.05))
    params = scenario_to_params(scenario, _catalog())
    assert params_to_scenario(params, _catalog()) == (scenario, [])
    at = run_app(query=params, session=RANGES_OPEN)
    assert_band_of(at, scenario)
    assert at.number_input(key=view_key(at, state.range_key("growth_rate", "high"))).value == 15
    assert (at.number_input(key=view_key(at, "unc_draws")).value, at.number_input(key=view_key(at, "unc_seed")).value) == (
        800,
        42,
    )
    assert page_scenario(at) == scenario  # and the page's own link is that link again


def test_the_yaml_download_carries_the_ranges_and_the_quality_settings():
    scenario = dataclasses.replace(
        with_uncertainty(seed=3, cached_input_share=Range(0.1, 0.3)), quality=Quality(2.0, (("claude-haiku-4-5", 0.08),))
    )
    at = run_app(query=scenario_to_params(scenario, _catalog()), session={"share": True})
    assert at.download_button(key="download_yaml").label == "Download scenario (YAML)"
    yaml_text = scenario_to_yaml(page_scenario(at))
    assert "uncertainty:" in yaml_text and "cached_input_share:" in yaml_text and "quality:" in yaml_text
    assert page_scenario(at) == scenario


# ---------------------------------------------------------------------------- sensitivity


def bar_values(series: dict) -> np.ndarray:
    return np.array([p["value"] if isinstance(p, dict) else p for p in series["data"]], dtype=float)


def tornado_bars(at: AppTest) -> tuple[list[str], list[float], list[float]]:
    """Row names and the metric at each input's low and high end: a bar stacked on its invisible offset to the base."""
    option = chart(at, "What moves the number")
    low_base, low, high_base, high, _marks = option["series"]
    scale = axis_scale(option["xAxis"])
    at_low = (bar_values(low_base) + bar_values(low)) * scale
    return option["yAxis"]["data"], at_low, (bar_values(high_base) + bar_values(high)) * scale


@pytest.mark.parametrize(
    "choice, period, strategy, savings, measure",
    [
        ("Hybrid routing: saving against flagship only", "first month", "hybrid", True, "month0"),
        ("Hybrid routing: saving against flagship only", "whole horizon", "hybrid", True, "horizon"),
        ("Flagship only: cost", "first month", "flagship_only", False, "month0"),
        ("Self-hosted: cost", "whole horizon", "self_hosted", False, "horizon"),
        ("Cascade: cost", "first month", "cascade", False, "month0"),
    ],
)
def test_the_tornado_explains_the_chosen_number(choice, period, strategy, savings, measure):
    at = run_app(session=UNCERTAINTY)
    set_value(at, "selectbox", "unc_tornado", choice)
    set_value(at, "segmented_control", "unc_tornado_period", period)
    expected = sensitivity(link(), _catalog(), strategy, measure=measure, savings=savings)
    moving = [r for r in expected.rows if r.effect > 0]  # an input that does not move the number gets no bar
    names, at_low, at_high = tornado_bars(at)
    assert [n.split(" (")[0] for n in names] == [r.label for r in moving]
    np.testing.assert_allclose(at_low, [r.at_low for r in moving], rtol=1e-9)
    np.testing.assert_allclose(at_high, [r.at_high for r in moving], rtol=1e-9)
    assert money(expected.base) in chart(at, "What moves the number")["title"]["subtext"]
    still = [r.label for r in expected.rows if r.effect == 0]
    if still:
        assert any(md(f"Not moving this number: {', '.join(still)}.") in c.value for c in at.caption)


def test_the_tornado_uses_the_typed_ranges():
    at = run_app(session=RANGES_OPEN)
    set_value(at, "selectbox", "unc_tornado", "Flagship only: cost")
    set_value(at, "number_input", state.range_key("output_tokens", "low"), 100.0)
    set_value(at, "number_input", state.range_key("output_tokens", "high"), 2000.0)
    expected = sensitivity(with_uncertainty(output_tokens=Range(100.0, 2000.0)), _catalog(), "flagship_only")
    moving = [r for r in expected.rows if r.effect > 0]
    _, at_low, at_high = tornado_bars(at)
    assert (moving[0].low, moving[0].high) == (100.0, 2000.0)
    np.testing.assert_allclose(at_low, [r.at_low for r in moving], rtol=1e-9)
    np.testing.assert_allclose(at_high, [r.at_high for r in moving], rtol=1e-9)


def test_a_failing_band_shows_its_message_and_the_page_keeps_working(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cache, "monte_carlo", boom)
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["view"] = "Uncertainty"
    at.run()
    assert not at.exception  # no traceback on the page
    assert md("Uncertainty could not be shown: boom") in [e.value for e in at.error]
    assert [m.label for m in at.metric][:2] == ["Flagship only", "Hybrid"]


# ------------------------------------------------------------------ quality-adjusted cost


def quality_on(**settings) -> AppTest:
    """The Compare tab with the quality-adjusted cost switched on, then these widget values set."""
    at = run_app(session=COMPARE)
    assert at.toggle(key=view_key(at, "use_quality")).value is False  # off by default
    set_value(at, "toggle", "use_quality", True)
    for key, value in settings.items():
        set_value(at, "number_input", key, value)
    return at


def edit_rates(at: AppTest, rates: dict[str, float]) -> AppTest:
    """Type error rates (in percent) into the editor's rows of these models."""
    models = list(at.data_editor(key=editor_key(at, "error_rates")).value["model"])
    at.session_state[editor_key(at, "error_rates")] = {
        "edited_rows": {models.index(m): {"rate_pct": r} for m, r in rates.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    return at


def expected_quality(quality: Quality) -> pd.DataFrame:
    result = quality_adjusted(evaluate(dataclasses.replace(link(), quality=quality), _catalog()), _catalog())
    rows = []
    for q in result.strategies.values():
        rows.append(
            {
                "error_cost": float(q.error_usd[0]) if q.rated else None,
                "total": float(q.total_usd[0]) if q.rated else None,
            }
        )
    return pd.DataFrame(rows)


def shown_quality(at: AppTest) -> pd.DataFrame:
    return table(at, "error_cost")[["error_cost", "total"]].reset_index(drop=True)


def test_quality_is_off_by_default_and_the_toggle_adds_the_section():
    at = run_app(session=COMPARE)
    assert not [d for d in at.dataframe if "error_cost" in d.value.columns]
    set_value(at, "toggle", "use_quality", True)
    assert page_scenario(at).quality == Quality()
    assert list(at.data_editor(key=editor_key(at, "error_rates")).value["model"]) == list(state.rated_models(link()))
    frame = table(at, "error_cost")
    assert frame["error_cost"].isna().all()  # no rate given: nothing is rated, never a rate of 0
    note = [c.value for c in at.caption if c.value.startswith("Not rated yet")]
    assert note and md("Flagship only (give the error rate of claude-opus-4-5)") in note[0]
    assert md("Cascade (give the cascade miss rate and the error rate of claude-opus-4-5)") in note[0]


def test_cost_per_error_and_rates_give_the_core_error_cost():
    at = quality_on(quality_cost=3.0)
    edit_rates(at, {"claude-opus-4-5": 2.0, "claude-haiku-4-5": 8.0})
    quality = Quality(3.0, (("claude-haiku-4-5", 0.08), ("claude-opus-4-5", 0.02)))
    pd.testing.assert_frame_equal(shown_quality(at), expected_quality(quality), check_dtype=False)
    assert page_scenario(at).quality == quality  # the rates travel in the share link
    # flagship only: 1M requests x 2% x $3 = $60k of wrong answers a month on top of its tokens
    assert shown_quality(at)["error_cost"][0] == pytest.approx(60_000)
    assert len([c for c in shown_charts(at) if "wrong answers" in c.proto.spec]) == 1


@pytest.mark.parametrize(
    "key, value, field, fraction",
    [("quality_miss", 5.0, "cascade_miss_rate", 0.05), ("quality_self", 4.0, "self_hosted_error_rate", 0.04)],
    ids=["cascade-miss-rate", "self-hosted-rate"],
)
def test_miss_rate_and_self_hosted_rate_rate_their_strategy(key, value, field, fraction):
    at = quality_on(quality_cost=1.0)
    edit_rates(at, {"claude-opus-4-5": 2.0, "claude-haiku-4-5": 8.0})
    before = shown_quality(at)
    set_value(at, "number_input", key, value)
    quality = dataclasses.replace(Quality(1.0, (("claude-haiku-4-5", 0.08), ("claude-opus-4-5", 0.02))), **{field: fraction})
    pd.testing.assert_frame_equal(shown_quality(at), expected_quality(quality), check_dtype=False)
    assert not shown_quality(at).equals(before)
    assert page_scenario(at).quality == quality


def test_quality_settings_survive_switching_it_off_and_on():
    at = quality_on(quality_cost=5.0)
    edit_rates(at, {"claude-opus-4-5": 1.0})
    set_value(at, "toggle", "use_quality", False)
    assert page_scenario(at).quality is None
    at.session_state["view"] = "Forecast"  # the toggle's tab closes
    at.run()
    at.session_state["view"] = "Compare"
    at.run()
    set_value(at, "toggle", "use_quality", True)
    assert page_scenario(at).quality == Quality(5.0, (("claude-opus-4-5", 0.01),))


# ------------------------------------------------------------------ self-hosted + flagship


def mixed_cards(scenario) -> dict[str, str]:
    """The cards of the mixed strategy the page should show for ``scenario``."""
    ev = evaluate(scenario, _catalog())
    mixed, info = ev.mixed, ev.self_hosted
    cards = {"Self-host + API": money(ev.strategies["self_hosted_mixed"].monthly_cost_usd)}
    cards["Mixed fleet"] = f"{int(mixed.cost.replicas[0]) * info.plan.gpus_per_replica:,} GPUs"
    for other, label in (("flagship_only", "Mixed vs flagship"), ("hybrid", "Mixed vs hybrid")):
        be = mixed.break_even[other]
        cards[label] = "never" if be.first_requests_per_month is None else tokens(be.first_tokens_per_month)
    first = mixed.first_cheaper
    cards["Mixed wins from"] = ev.forecast.month_label(first.get("hybrid")) or "not yet"
    return cards


def shown_mixed_cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label == "Self-host + API" or m.label.startswith("Mixed")}


def mixed_scenario(**fields):
    return dataclasses.replace(link(), self_hosted_mixed=SelfHostedMixed(**fields))


def test_the_mixed_strategy_can_be_switched_on_without_a_file():
    at = run_app()
    assert shown_mixed_cards(at) == {}
    assert at.selectbox(key=view_key(at, "mixed_flagship")).value == ""  # the flagship-only model
    set_value(at, "toggle", "use_self_hosted_mixed", True)
    assert shown_mixed_cards(at) == mixed_cards(mixed_scenario())
    assert page_scenario(at) == mixed_scenario()
    assert not at.error


# (id, widget kind, key, value, the mixed section's fields)
MIXED_INPUTS = [
    ("small-share", "slider", "mixed_share", 0.5, {"small_share": 0.5}),
    ("small-share-percent", "number_input", "mixed_share%", 40.0, {"small_share": 0.4}),
    ("flagship", "selectbox", "mixed_flagship", "gpt-5", {"flagship": ModelSlot("gpt-5")}),
    ("no-overflow", "toggle", "mixed_overflow", False, {"overflow_to_api": False}),
    ("overflow-model", "selectbox", "mixed_overflow_model", "gpt-5-mini", {"overflow_model": ModelSlot("gpt-5-mini")}),
]


@pytest.mark.parametrize("kind, key, value, fields", [m[1:] for m in MIXED_INPUTS], ids=[m[0] for m in MIXED_INPUTS])
def test_each_mixed_setting_moves_its_numbers_as_the_engine_predicts(kind, key, value, fields):
    at = run_app(query={"rpm": "30000000"})  # enough traffic for a fleet and its overflow to matter
    set_value(at, "toggle", "use_self_hosted_mixed", True)
    before = shown_mixed_cards(at)
    set_value(at, kind, key, value)
    expected = dataclasses.replace(link(rpm="30000000"), self_hosted_mixed=SelfHostedMixed(**fields))
    assert shown_mixed_cards(at) == mixed_cards(expected)
    assert page_scenario(at) == expected
    if key != "mixed_overflow_model":  # the overflow model only moves costs once the fleet overflows
        assert shown_mixed_cards(at) != before


def test_the_mixed_strategy_without_a_server_says_why():
    at = run_app()
    set_value(at, "toggle", "use_self_hosted_mixed", True)
    set_value(at, "toggle", "use_self_hosted", False)
    assert md("It runs its share on the self-hosted server: switch on self-hosting above to price it.") in [
        c.value for c in at.caption
    ]
    assert {m.label: m.value for m in at.metric}["Self-host + API"] == "not priced"
    assert not at.exception


def test_the_mixed_strategy_gets_a_band_and_a_chance():
    at = run_app(session=UNCERTAINTY)
    set_value(at, "toggle", "use_self_hosted_mixed", True)
    assert_band_of(at, mixed_scenario())
    assert any(md("self-hosted + flagship is cheaper than") in m.value for m in at.markdown)


# -------------------------------------------------------------------- widget state ⇄ scenario


def test_the_new_sections_survive_the_widgets():
    scenario = dataclasses.replace(
        with_uncertainty(draws=900, seed=5, growth_rate=Range(-0.02, 0.1), gpu_hour_usd=Range(1.0, 3.0)),
        quality=Quality(7.0, (("claude-opus-4-5", 0.03),), 0.2, None),
        self_hosted_mixed=SelfHostedMixed(0.6, ModelSlot("gpt-5"), False, ModelSlot("gpt-5-mini")),
    )
    values = state.widget_values(scenario, _catalog())
    assert values["unc_growth_rate_low"] == -2 and values["unc_gpu_hour_usd_high"] == 3.0  # shares in percent
    rebuilt, problems = state.scenario_from_values(values, scenario)
    assert problems == [] and rebuilt == scenario


def test_a_half_or_reversed_range_is_a_problem_and_falls_back():
    values = dict(state.default_values()) | {"unc_output_tokens_low": 900.0, "unc_output_tokens_high": 600.0}
    scenario, problems = state.scenario_from_values(values, state.link_default_scenario())
    assert problems == ["uncertainty.output_tokens: low (900) must not exceed high (600)"]
    assert scenario.uncertainty == Uncertainty()
