"""The dashboard through Streamlit's AppTest: every input moves the numbers the engine predicts.

Each expectation is computed independently of the app: the equivalent scenario comes from the
share-link decoder (``params_to_scenario`` with the same short key the widget binds to), is
priced with ``evaluate`` and formatted with ``calculators.formatting``, and compared with the
cards, the recommendation and the forecast table the page shows.
"""

from __future__ import annotations

import dataclasses
import functools
import json

import pandas as pd
import pytest
from apptest_support import APP, ROOT, editor_key, run_app, shown_charts, view_key
from streamlit.testing.v1 import AppTest

from calculators.engine import evaluate
from calculators.export import forecast_rows
from calculators.formatting import money, tokens
from calculators.links import params_to_scenario, scenario_to_params, share_url
from calculators.recommendation import recommend
from calculators.scenario import (
    STRATEGIES,
    Hybrid,
    PriceOverride,
    Route,
    load_scenario_text,
    next_month,
    scenario_to_yaml,
)
from calculators.usage import import_usage, workload_from_usage
from dashboard.figures import cost as charts
from dashboard.markup import md
from dashboard.scales import month_options
from dashboard.sections import KPI_LABELS
from dashboard.sidebar.scenario_files import PRESETS_BOX
from dashboard.sidebar.strategies import STRATEGY_PARAMS, STRATEGY_SECTIONS, strategy_line
from dashboard.sidebar.workload import UNIT_KEY, month_of
from dashboard.tabs.forecast import VIEW_KEY, VIEWS
from dashboard.usage_view import mapping_editor_key, start_scenario
from pricing import load_catalog

pytestmark = pytest.mark.usefixtures("fresh_caches", "pinned_today")  # caches are process-global; the calendar pinned

PRESETS = sorted((ROOT / "scenarios").glob("*.yaml"))
TABLE_TAB = {"view": "Table & CSV"}  # open the forecast table, so it can be compared too


def link(**params) -> object:
    """The scenario a share link with these parameters describes (no parameters: the app's default)."""
    scenario, notices = params_to_scenario(params, _catalog())
    assert notices == []
    return scenario


@functools.lru_cache(maxsize=1)
def _catalog():
    return load_catalog()


def predicted_cards(scenario) -> dict[str, str]:
    """The KPI cards' label → value the page should show for ``scenario``."""
    ev = evaluate(scenario, _catalog())
    cards = {}
    for key, result in ev.strategies.items():
        label = KPI_LABELS[key] + (" ✎" if any(m.overridden for m in result.models) else "")
        cards[label] = money(result.monthly_cost_usd) if result.ok else "not priced"
    info = ev.self_hosted
    if info is None:
        cards["Self-hosted fleet"] = "—"
    else:
        cards["Self-hosted fleet"] = f"{info.gpus:,} GPUs"
        for other, label in (("flagship_only", "Break-even, flagship"), ("hybrid", "Break-even, hybrid")):
            be = info.break_even.get(other)  # none when that strategy is off or not priced
            if be is None:
                cards[label] = "—"
            else:
                cards[label] = "never" if be.first_requests_per_month is None else tokens(be.first_tokens_per_month)
        first = ev.forecast.first_self_hosted_cheaper
        cards["Self-hosting wins from"] = (
            ev.forecast.month_label(first.get("hybrid" if "hybrid" in first else "flagship_only")) or "not yet"
        )
    return cards


def shown_cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def assert_shows(at: AppTest, scenario) -> None:
    """Cards, recommendation and (when the table tab is open) the forecast table match ``scenario``."""
    assert shown_cards(at) == predicted_cards(scenario)
    ev = evaluate(scenario, _catalog())
    verdict = "**Recommendation** · " + md(recommend(ev, _catalog()).verdict)
    assert verdict in [m.value for m in at.markdown]
    if at.session_state["view"] == "Table & CSV":
        header, rows = forecast_rows(ev)
        pd.testing.assert_frame_equal(at.dataframe[0].value, pd.DataFrame(rows, columns=header), check_dtype=False)


# ------------------------------------------------------------------------------- defaults


def test_default_page_shows_the_link_default_scenario():
    at = run_app(session=TABLE_TAB)
    assert at.title[0].value == "Token Cost Forecaster"
    assert_shows(at, link())
    # the link defaults stay out of the URL; the first month is always in it, because its default
    # (next month) moves with the calendar
    assert dict(at.query_params) == {"start": f"{next_month():%Y-%m}"}
    assert not at.error and not at.warning


# ----------------------------------------------------------------------- every input

# (id, widget kind, key, value, link parameters of the same change)
SCALAR_INPUTS = [
    ("requests", "number_input", "rpm", 2_000_000.0, {"rpm": "2000000"}),
    ("input-tokens", "number_input", "in", 3000.0, {"in": "3000"}),
    ("output-tokens", "number_input", "out", 800.0, {"out": "800"}),
    ("reasoning-tokens", "number_input", "rsn", 1000.0, {"rsn": "1000"}),
    ("cached-share", "slider", "cache", 0.5, {"cache": "0.5"}),
    ("cache-write-share", "slider", "cw", 0.2, {"cw": "0.2"}),
    ("batch-share", "slider", "batch", 1.0, {"batch": "1"}),
    ("growth", "slider", "g", 0.12, {"g": "0.12"}),
    ("horizon", "slider", "h", 36, {"h": "36"}),
    ("start-month", "selectbox", "start", "2027-06", {"start": "2027-06"}),
    ("flagship-model", "selectbox", "fm", "gpt-5", {"fm": "gpt-5"}),
    ("cascade-first", "selectbox", "c1", "gemini-2.5-flash", {"c1": "gemini-2.5-flash"}),
    ("cascade-second", "selectbox", "c2", "gpt-5", {"c2": "gpt-5"}),
    ("escalation", "slider", "esc", 0.5, {"esc": "0.5"}),
    ("hosted-open-model", "selectbox", "om", "fireworks-llama-3.3-70b", {"om": "fireworks-llama-3.3-70b"}),
    ("serving-profile", "selectbox", "prof", "gpt-oss-120b-1xh200", {"prof": "gpt-oss-120b-1xh200"}),
    ("gpu-price", "number_input", "gpuh", 2.5, {"gpuh": "2.5"}),
    ("utilization", "slider", "util", 0.2, {"util": "0.2"}),  # 826k requests a replica: two replicas
    ("peak-to-average", "number_input", "peak", 5.0, {"peak": "5"}),  # 743k a replica: two replicas
    ("min-replicas", "number_input", "minr", 3, {"minr": "3"}),
    ("ops-cost", "number_input", "ops", 5000.0, {"ops": "5000"}),
]


@pytest.mark.parametrize("kind, key, value, params", [i[1:] for i in SCALAR_INPUTS], ids=[i[0] for i in SCALAR_INPUTS])
def test_each_input_moves_the_numbers_as_the_engine_predicts(kind, key, value, params):
    at = run_app(session=TABLE_TAB)
    before = shown_cards(at)
    getattr(at, kind)(key=view_key(at, key)).set_value(value).run()
    assert not at.exception
    assert_shows(at, link(**params))
    if key not in ("g", "h"):  # growth and horizon move the forecast, not this month's cards
        assert shown_cards(at) != before


# (id, widget kind, companion key, value, link parameters of the same change)
COMPANIONS = [
    # the 1-2-5 volume slider, in requests a month
    ("volume-slider", "select_slider", "rpm~", 5e6, {"rpm": "5000000"}),
    ("input-slider", "select_slider", "in~", 5000.0, {"in": "5000"}),
    ("cached-percent", "number_input", "cache%", 25.0, {"cache": "0.25"}),
    ("escalation-percent", "number_input", "esc%", 35.0, {"esc": "0.35"}),
    ("peak-slider", "select_slider", "peak~", 2.0, {"peak": "2"}),
]


@pytest.mark.parametrize("kind, key, value, params", [c[1:] for c in COMPANIONS], ids=[c[0] for c in COMPANIONS])
def test_each_companion_moves_its_bound_input(kind, key, value, params):
    at = run_app()
    getattr(at, kind)(key=view_key(at, key)).set_value(value).run()
    assert not at.exception
    assert_shows(at, link(**params))


# (id, the slider or the exact number in tokens a month, value, link parameters of the same change)
TOKEN_VIEWS = [
    # 10B tokens a month / 2,500 tokens a request = 4M requests
    ("volume-slider", "select_slider", "tpm~", 1e10, {"rpm": "4000000"}),
    ("tokens-per-month", "number_input", "tpm", 5e9, {"rpm": "2000000"}),
]


@pytest.mark.parametrize("kind, key, value, params", [c[1:] for c in TOKEN_VIEWS], ids=[c[0] for c in TOKEN_VIEWS])
def test_the_volume_in_tokens_divides_back_into_requests(kind, key, value, params):
    at = run_app()
    at.segmented_control(key=UNIT_KEY).set_value("Tokens").run()
    getattr(at, kind)(key=view_key(at, key)).set_value(value).run()
    assert not at.exception
    assert_shows(at, link(**params))
    # and the request view shows it when switched back
    at.segmented_control(key=UNIT_KEY).set_value("Requests").run()
    assert at.number_input(key=view_key(at, "rpm")).value == float(params["rpm"])


@pytest.mark.parametrize("strategy", ["flagship_only", "hybrid", "cascade", "hosted_open", "self_hosted"])
def test_each_strategy_can_be_switched_off(strategy):
    at = run_app()
    at.toggle(key=view_key(at, f"use_{strategy}")).set_value(False).run()
    assert_shows(at, link(off=strategy))
    assert at.query_params["off"] == strategy  # written explicitly: no widget binds it


def test_forward_draft_adds_the_draft_to_the_escalated_input():
    at = run_app()
    at.checkbox(key=view_key(at, "fwd")).check().run()
    default = link()
    assert_shows(at, dataclasses.replace(default, cascade=dataclasses.replace(default.cascade, forward_draft=True)))
    assert "x" in at.query_params


def test_scenario_name_titles_the_charts():
    at = run_app()
    at.text_input(key=view_key(at, "n")).set_value("Team plan").run()
    option = json.loads(shown_charts(at)[0].proto.spec)
    assert option["title"]["subtext"].startswith("Team plan · ")


def test_model_pickers_group_by_vendor_and_tier_and_show_the_price():
    at = run_app()
    options = at.selectbox(key=view_key(at, "fm")).options
    vendors = [_catalog().vendors[_catalog().models[o].vendor].name for o in options]
    assert vendors == sorted(vendors, key=str.lower)  # grouped by vendor
    assert md("Claude Opus 4.5 · Anthropic flagship · $5 in / $25 out per 1M") in [c.value for c in at.caption]


# ---------------------------------------------------------------- hybrid routes editor


def _routes(*pairs):
    return Hybrid(tuple(Route(model, share) for model, share in pairs))


def edit_routes(**edits) -> AppTest:
    """The page after these edits in the routes editor (seeded after the first run, which starts
    the editor from the loaded scenario)."""
    at = run_app()
    at.session_state[editor_key(at, "routes")] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []} | edits
    at.run()
    assert not at.exception
    return at


def test_route_edits_reprice_the_hybrid():
    at = edit_routes(edited_rows={0: {"share_pct": 50.0}, 1: {"share_pct": 50.0}})
    assert_shows(at, dataclasses.replace(link(), hybrid=_routes(("claude-haiku-4-5", 0.5), ("claude-opus-4-5", 0.5))))
    assert "x" in at.query_params  # routes have no short key: they travel in the payload


def test_an_added_route_makes_an_n_way_split():
    at = edit_routes(edited_rows={0: {"share_pct": 65.0}}, added_rows=[{"model": "gpt-5-mini", "share_pct": 10.0}])
    expected = _routes(("claude-haiku-4-5", 0.65), ("claude-opus-4-5", 0.25), ("gpt-5-mini", 0.1))
    assert_shows(at, dataclasses.replace(link(), hybrid=expected))


def test_shares_that_do_not_add_up_show_an_inline_message_and_the_rest_keeps_working():
    at = edit_routes(edited_rows={0: {"share_pct": 60.0}})
    cards = shown_cards(at)
    assert cards["Hybrid"] == "not priced"
    assert md("The shares add up to 85%, not 100%: the hybrid is not priced until they do.") in [e.value for e in at.error]
    expected = predicted_cards(link())
    assert {k: v for k, v in cards.items() if k != "Hybrid" and "hybrid" not in k} == {
        k: v for k, v in expected.items() if k != "Hybrid" and "hybrid" not in k
    }
    at.button(key="normalize_routes").click().run()  # 60/85 and 25/85 of 100%
    assert shown_cards(at)["Hybrid"] != "not priced"


# --------------------------------------------------------------------------- price table


def _opus_row(at: AppTest) -> int:
    return list(at.data_editor(key=editor_key(at, "prices")).value.index).index("claude-opus-4-5")


def test_price_overrides_apply_and_are_marked():
    at = run_app(session={"price_table": True})
    at.session_state[editor_key(at, "prices")] = {
        "edited_rows": {_opus_row(at): {"input": 4.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    expected = dataclasses.replace(link(), price_overrides=(("claude-opus-4-5", PriceOverride(input=4.0)),))
    assert_shows(at, expected)
    # 1M requests x (2,000 x $4 + 500 x $25) / 1e6 = $20.5k, and every strategy using Opus is marked
    assert shown_cards(at)["Flagship only ✎"] == "$20.5k"
    at.button(key="reset_prices").click().run()
    assert_shows(at, link())


# -------------------------------------------------------------------------------- presets


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_each_preset_loads_in_one_click(path):
    at = run_app(session=TABLE_TAB)
    at.button(key=f"preset_{path.stem}").click().run()
    scenario = load_scenario_text(path.read_text(encoding="utf-8"))
    assert_shows(at, scenario)
    assert at.number_input(key=view_key(at, "rpm")).value == scenario.workload.requests_per_month
    assert at.text_input(key=view_key(at, "n")).value == scenario.name


# ------------------------------------------------------- first page: strategies undrawn

STRATEGY_WIDGETS = ["fm", "c1", "c2", "esc", "om", "prof", "gpuh", "util", "peak", "minr", "ops"]
BOXES = {section.key: section for section in STRATEGY_SECTIONS}


def _strategy_params(params: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k in STRATEGY_PARAMS}


def _setting(widget) -> str | None:
    """The setting a widget is a view of (its key without the generation)."""
    return widget.key.partition("#")[0] if widget.key else None


def test_every_strategy_has_a_box_holding_its_widgets():
    assert [section.key for section in STRATEGY_SECTIONS] == list(STRATEGIES)
    # a box's short keys are exactly the settings of the widgets drawn in it
    for section in STRATEGY_SECTIONS:
        at = run_app(session={section.box_key: True}, strategies_open=False)
        drawn = [_setting(w) for w in (*at.selectbox, *at.slider, *at.number_input) if _setting(w) in STRATEGY_WIDGETS]
        assert sorted(drawn) == sorted(section.params), section.key
    assert sorted(STRATEGY_PARAMS) == sorted(STRATEGY_WIDGETS)


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_a_link_opens_with_strategies_collapsed_and_the_same_numbers(path):
    scenario = load_scenario_text(path.read_text(encoding="utf-8"))
    params = scenario_to_params(scenario, _catalog())
    at = run_app(query=params, session=TABLE_TAB, strategies_open=False)
    assert not [w for w in (*at.selectbox, *at.toggle) if _setting(w) in (*STRATEGY_WIDGETS, "use_hybrid")]  # undrawn
    assert_shows(at, scenario)
    # and the address bar still carries every setting (bound widgets may write 6000 as 6000.0)
    assert _strategy_params(dict(at.query_params)) == _strategy_params(params)
    assert params_to_scenario(dict(at.query_params), _catalog()) == (scenario, [])
    captions = [c.value for c in at.caption]
    for section in STRATEGY_SECTIONS:
        assert md(strategy_line(scenario, section.key)) in captions


@pytest.mark.parametrize(
    "key, changes, line",
    [
        ("flagship_only", {}, "big"),
        ("hybrid", {}, "75% small + 25% big"),
        ("cascade", {"cascade__escalation_rate": 0.125}, "small → big, 12.5% escalate"),
        ("hosted_open", {}, "toyhost-open"),
        ("self_hosted", {"self_hosted__utilization": 0.6}, "open-70b-2x, 60% utilization"),
        ("self_hosted_mixed", {"self_hosted_mixed": {"small_share": 0.8}}, "80% on the self-hosted server"),
        ("cascade", {"cascade": None}, "not compared"),
    ],
    ids=["flagship", "hybrid", "cascade", "hosted", "self-hosted", "mixed", "off"],
)
def test_a_collapsed_strategy_says_what_it_compares(toy_scenario, key, changes, line):
    assert strategy_line(toy_scenario(**changes), key) == line


def test_the_first_month_stays_in_the_address_bar():
    # 2026-11-30 today: the default is 2026-12; a link without start, opened on 2026-12-01, would start in 2027-01
    at = run_app()
    assert at.query_params["start"] == f"{next_month():%Y-%m}"
    options = month_options(f"{next_month():%Y-%m}", None)
    later = options[options.index(f"{next_month():%Y-%m}") + 6]
    at.selectbox(key=view_key(at, "start")).set_value(later).run()
    assert at.query_params["start"] == later
    assert params_to_scenario(dict(at.query_params), _catalog())[0].growth.start_month == month_of(later)


def test_a_preset_loaded_before_opening_strategies_moves_their_params_too():
    at = run_app(query={"fm": "gpt-5", "esc": "0.5"}, session={PRESETS_BOX: True}, strategies_open=False)
    preset = PRESETS[0]
    at.button(key=f"preset_{preset.stem}").click().run()
    scenario = load_scenario_text(preset.read_text(encoding="utf-8"))
    assert_shows(at, scenario)
    expected = scenario_to_params(scenario, _catalog())
    assert _strategy_params(dict(at.query_params)) == _strategy_params(expected)
    assert params_to_scenario(dict(at.query_params), _catalog()) == (scenario, [])


def test_opening_a_strategy_shows_the_link_values_and_keeps_them_drawn():
    params = {"fm": "gpt-5", "esc": "0.5", "minr": "3", "rpm": "2000000"}
    at = run_app(query=params, strategies_open=False)
    at.session_state[BOXES["cascade"].box_key] = True  # the user opens the cascade's box
    at.run()
    assert (at.selectbox(key=view_key(at, "c1")).value, at.slider(key=view_key(at, "esc")).value) == (
        link().cascade.first.model,
        0.5,
    )
    assert not at.warning and not at.error  # the widgets take the session's values without complaint
    assert not [w for w in at.number_input if w.key == "minr"]  # the other boxes stay undrawn
    assert _strategy_params(dict(at.query_params)) == {"fm": "gpt-5", "esc": "0.5", "minr": "3"}
    assert_shows(at, link(**params))
    at.slider(key=view_key(at, "esc")).set_value(0.3).run()
    at.session_state[BOXES["cascade"].box_key] = False  # collapsed again: hidden, still drawn (and bound: see tests/e2e)
    at.run()
    assert at.slider(key=view_key(at, "esc")).value == 0.3
    assert_shows(at, link(**{**params, "esc": "0.3"}))


# ------------------------------------------------------------------- scenario files


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.session_state["share"] = True  # the popover holding the uploader
    at.run()
    at.file_uploader(key="scenario_file").set_value((name, data, "application/x-yaml")).run()
    assert not at.exception
    return at


def test_an_uploaded_scenario_loads():
    scenario = load_scenario_text(PRESETS[0].read_text(encoding="utf-8"))
    at = _upload(run_app(), "mine.yaml", scenario_to_yaml(scenario).encode())
    assert_shows(at, scenario)


@pytest.mark.parametrize(
    "data, field",
    [
        (b"workload:\n  requests_per_month: -5\n", "workload.requests_per_month"),
        (b"workload: [1, 2\n", "not valid YAML at line"),
        (b"\xff\xfe\x00binary", "not a text file"),
        (b"hybrid:\n  routes:\n    - {model: gpt-5}\n", "hybrid.routes[0].share: is missing"),
    ],
    ids=["out-of-range", "broken-yaml", "binary", "missing-share"],
)
def test_a_bad_file_names_the_field_and_keeps_what_the_user_entered(data, field):
    at = run_app()
    at.number_input(key=view_key(at, "rpm")).set_value(2_000_000.0).run()
    _upload(at, "bad.yaml", data)
    assert any(field in e.value.replace("\\", "") for e in at.error)
    assert_shows(at, link(rpm="2000000"))


def test_the_share_popover_shows_the_full_link():
    at = run_app(query={"rpm": "2000000"}, session={"share": True})
    # AppTest has no browser URL (st.context.url is None): the link is relative
    assert at.code[0].value == share_url(None, scenario_to_params(link(rpm="2000000"), _catalog()))
    assert at.download_button(key="download_yaml").label == "Download scenario (YAML)"


# --------------------------------------------------------------------------- share links


def test_a_link_opens_its_scenario():
    params = {"rpm": "2000000", "fm": "gpt-5", "off": "cascade", "g": "0.08"}
    at = run_app(query=params, session=TABLE_TAB)
    assert_shows(at, link(**params))
    assert at.number_input(key=view_key(at, "rpm")).value == 2_000_000
    assert at.selectbox(key=view_key(at, "fm")).value == "gpt-5"
    assert at.toggle(key=view_key(at, "use_cascade")).value is False


@pytest.mark.parametrize("path", PRESETS[:3], ids=[p.stem for p in PRESETS[:3]])
def test_a_link_with_a_payload_opens_the_whole_scenario(path):
    scenario = load_scenario_text(path.read_text(encoding="utf-8"))
    at = run_app(query=scenario_to_params(scenario, _catalog()), session=TABLE_TAB)
    assert_shows(at, scenario)


def test_a_forged_link_shows_what_was_wrong_and_keeps_the_valid_parts():
    params = {"rpm": "abc", "x": "1.not-base64!", "utm_source": "mail", "out": "800", "fm": "no-such-model"}
    at = run_app(query=params)
    scenario, notices = params_to_scenario(params, _catalog())
    assert len(notices) == 3
    warning = at.warning[0].value
    assert all(md(n) in warning for n in notices)
    assert at.number_input(key=view_key(at, "out")).value == 800  # the valid part
    assert shown_cards(at) == predicted_cards(scenario)
    assert shown_cards(at)["Flagship only"] == "not priced"  # an unknown model: an inline message, not a crash
    assert any(md("model 'no-such-model' is not in the price catalog") in e.value for e in at.error)
    at.button(key="dismiss_link_notices").click().run()
    assert not at.warning


# ------------------------------------------------------------------------ the sections


def test_the_recommendation_changes_with_volume():
    small = run_app(query={"rpm": "100"})  # 100 x 2,500 = 250k tokens a month
    large = run_app(query={"rpm": "1000000"})  # 2.5B
    bold = [m.value for m in small.markdown if "**▶" in m.value][0]
    assert "**▶ " + md("under 1M tokens a month: use the flagship for quality") + "**" in bold
    bold = [m.value for m in large.markdown if "**▶" in m.value][0]
    assert "**▶ " + md("over 100M tokens a month: consider open source or hybrid") + "**" in bold


@pytest.mark.parametrize(
    "tab, charts_shown",
    [("Compare", 1), ("Cost vs volume", 1), ("Forecast", 1), ("Breakdown", 1), ("Table & CSV", 0), ("Your usage", 0)],
)
def test_each_tab_renders(tab, charts_shown):
    at = run_app(session={"view": tab, f"assumptions_{tab.split()[0].lower()}": True})
    assert len(shown_charts(at)) == charts_shown
    assert not at.error


@pytest.mark.parametrize(
    "shown, key", [(VIEWS[0], "chart_forecast"), (VIEWS[1], "chart_cumulative")], ids=["monthly", "cumulative"]
)
def test_the_forecast_draws_the_chart_chosen(shown, key):
    at = run_app(session={"view": "Forecast", VIEW_KEY: shown})
    assert [chart.key for chart in shown_charts(at)] == [key]


def test_each_chart_is_exportable_as_png_with_a_good_name():
    at = run_app()
    # every chart is ECharts: its toolbox saves the PNG under the scenario's and the chart's names
    for view, name in [
        ("Compare", "comparison"),
        ("Cost vs volume", "volume"),
        ("Forecast", "forecast"),
        ("Breakdown", "breakdown"),
    ]:
        at.session_state["view"] = view
        at.run()
        option = json.loads(shown_charts(at)[0].proto.spec)
        assert option["toolbox"]["feature"]["saveAsImage"]["name"] == f"untitled-scenario-{name}", view


def test_the_table_tab_offers_the_csv():
    at = run_app(session=TABLE_TAB)
    assert at.download_button(key="download_csv").label == "Download the forecast (CSV)"
    assert len(at.dataframe[0].value) == 24


def test_a_failing_section_shows_its_message_and_the_page_keeps_working(monkeypatch):
    def boom(ev):
        raise RuntimeError("boom")

    monkeypatch.setattr(charts, "comparison_chart", boom)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception  # no traceback on the page
    assert md("Compare could not be shown: boom") in [e.value for e in at.error]
    assert shown_cards(at) == predicted_cards(link())


def test_no_html_is_ever_rendered_from_strings():
    sources = [ROOT / "app.py", *sorted((ROOT / "dashboard").glob("*.py"))]
    assert not [p.name for p in sources if "unsafe_allow_html" in p.read_text(encoding="utf-8")]


# ------------------------------------------------------------------------------ your usage

USAGE_CSV = ROOT / "tests" / "usage_corpus" / "valid" / "generic.csv"


def _upload_usage(name: str, data: bytes) -> AppTest:
    at = run_app(session={"view": "Your usage"})
    at.file_uploader(key="usage_file").set_value((name, data, "text/csv")).run()
    assert not at.exception
    return at


def test_a_usage_export_is_summarized_and_can_start_the_forecast():
    at = _upload_usage("generic.csv", USAGE_CSV.read_bytes())
    cards = shown_cards(at)
    assert (cards["Period"], cards["Rows read"], cards["Models"], cards["Cost in the export"]) == ("2 months", "3", "2", "$3.25")
    history, repriced = shown_charts(at)  # the monthly history, the re-priced month
    assert json.loads(repriced.proto.spec)["title"]["text"].startswith("Your 2026-01 usage")
    usage = import_usage(USAGE_CSV.read_bytes(), filename="generic.csv", catalog=_catalog())
    expected, _ = start_scenario(link(), workload_from_usage(usage, catalog=_catalog()))
    at.button(key="start_from_usage").click().run()
    at.session_state["view"] = "Compare"  # leave the tab whose own cards describe the file
    at.run()
    assert_shows(at, expected)
    assert at.number_input(key=view_key(at, "rpm")).value == 1500  # January: 1,000 + 500 requests


def test_a_bad_usage_file_shows_why_and_the_page_keeps_working():
    at = _upload_usage("usage.csv", b"\x00\x01\x02 not a csv")
    assert at.error and at.error[0].value.startswith(md("usage.csv: "))
    assert shown_cards(at) == predicted_cards(link())  # no summary cards: nothing was imported


def test_an_unknown_model_in_the_usage_can_be_mapped():
    data = b"date,model,input_tokens,output_tokens,requests\n2026-01-05,our-tuned-model,1000000,100000,1000\n"
    at = _upload_usage("tuned.csv", data)
    assert at.dataframe[0].value["model in the export"].tolist() == ["our-tuned-model"]  # the mapping table
    assert md("No model in this export has a list price yet: map them above to compare with list prices.") in [
        c.value for c in at.caption
    ]
    # The mapping table's edit, as the browser sends it (AppTest has no set_value for data_editor)
    at.session_state[mapping_editor_key(["our-tuned-model"])] = {
        "edited_rows": {0: {"map to": "gpt-5"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    # 1M input x $1.25 + 100k output x $10 = $2.25 at GPT-5's list price
    assert at.dataframe[1].value["list price (priced models)"].tolist() == ["$2.25"]


def test_an_unknown_serving_profile_is_kept_and_reported():
    at = run_app(query={"prof": "no-such-profile"})
    assert at.selectbox(key=view_key(at, "prof")).value == "no-such-profile"
    assert shown_cards(at)["Self-hosted"] == "not priced"
    assert any(md("serving profile 'no-such-profile' is not in serving.yaml") in e.value for e in at.error)


def test_a_broken_catalog_is_explained_not_dumped(monkeypatch):
    from dashboard import cache
    from pricing import CatalogError

    def broken():
        raise CatalogError(["vendors/acme.yaml: model x: field 'input' is missing"])

    monkeypatch.setattr(cache, "load_catalog", broken)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert md("vendors/acme.yaml: model x: field 'input' is missing") in at.error[0].value


def test_footer_states_catalog_freshness(catalog):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    footer = " ".join(c.value for c in at.caption)
    assert f"the oldest was checked on {catalog.oldest_checked():%Y-%m-%d}" in footer
    assert f"{len(catalog.models)} models" in footer
