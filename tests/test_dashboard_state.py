"""The dashboard's pure helpers: widget state ⇄ scenario, the editors' tables, scales, text, usage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calculators.engine import evaluate
from calculators.links import SHORT_KEYS, params_to_scenario
from calculators.scenario import PriceOverride, load_scenario_text, parse_scenario
from calculators.usage import import_usage, list_price_history, workload_from_usage
from dashboard import assumptions, scales, state
from dashboard.figures import usage as usage_charts
from dashboard.markup import md
from dashboard.usage_view import mapping_editor_key, monthly_totals, start_scenario

ROOT = Path(__file__).resolve().parent.parent
PRESETS = sorted((ROOT / "scenarios").glob("*.yaml"))
GENERIC_USAGE = ROOT / "tests" / "usage_corpus" / "valid" / "generic.csv"


# ------------------------------------------------------------------ widget state ⇄ scenario


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_a_scenario_survives_the_widgets(catalog, path):
    scenario = load_scenario_text(path.read_text(encoding="utf-8"))
    values = state.widget_values(scenario, catalog)
    assert set(SHORT_KEYS) <= set(values)  # one widget per short key: the URL and the widgets agree
    rebuilt, problems = state.scenario_from_values(values, scenario)
    assert problems == []
    assert rebuilt == scenario


def test_widget_defaults_are_the_link_defaults(catalog):
    defaults = state.default_values()
    assert defaults["rpm"] == 1_000_000 and defaults["fm"] == "claude-opus-4-5" and defaults["gpuh"] is None
    assert state.scenario_from_values(dict(defaults), state.link_default_scenario())[0] == params_to_scenario({}, catalog)[0]


def test_switching_a_strategy_on_starts_from_the_link_default(catalog):
    article = load_scenario_text((ROOT / "scenarios" / "article-routing-75-25.yaml").read_text())
    assert article.cascade is None
    values = state.widget_values(article, catalog) | {"use_cascade": True}
    rebuilt, _ = state.scenario_from_values(values, article)
    assert rebuilt.cascade == state.link_default_scenario().cascade


def test_what_no_widget_controls_comes_from_the_base(catalog):
    # the agent preset gives hosted_open its own reasoning tokens (0): a widget change keeps it
    agent = load_scenario_text((ROOT / "scenarios" / "agent-platform-self-hosting.yaml").read_text())
    values = state.widget_values(agent, catalog) | {"om": "together-llama-3.3-70b"}
    rebuilt, _ = state.scenario_from_values(values, agent)
    assert rebuilt.hosted_open.model == "together-llama-3.3-70b" and rebuilt.hosted_open.reasoning_tokens == 0


def test_model_names_become_catalog_ids(catalog):
    scenario, _ = params_to_scenario({"fm": "claude-haiku-4-5-20251001"}, catalog)
    assert state.widget_values(scenario, catalog)["fm"] == "claude-haiku-4-5"


def test_bad_values_are_reported_and_fall_back():
    values = dict(state.default_values()) | {"cache": 0.8, "cw": 0.5}
    rebuilt, problems = state.scenario_from_values(values, state.link_default_scenario())
    assert problems == ["workload.cache_write_share: cached_input_share + cache_write_share must not exceed 1"]
    assert rebuilt.workload.cache_write_share == 0.0


# -------------------------------------------------------------------------- routes editor


def test_routes_round_trip_in_percent(catalog):
    frame = state.routes_frame(state.link_default_scenario(), catalog)
    assert list(frame["model"]) == ["claude-haiku-4-5", "claude-opus-4-5"]
    assert list(frame["share_pct"]) == [75.0, 25.0] and frame["reasoning_tokens"].isna().all()
    assert state.routes_from_frame(frame) == [
        {"model": "claude-haiku-4-5", "share": 0.75},
        {"model": "claude-opus-4-5", "share": 0.25},
    ]


def test_routes_skip_half_typed_rows_and_keep_reasoning():
    frame = pd.DataFrame(
        {"model": ["a", None, " b "], "share_pct": [60.0, 10.0, None], "reasoning_tokens": [500.0, None, math.nan]}
    )
    assert state.routes_from_frame(frame) == [
        {"model": "a", "share": 0.6, "reasoning_tokens": 500.0},
        {"model": "b", "share": 0.0},
    ]


@pytest.mark.parametrize(
    "shares, total, normalized",
    [([60.0, 25.0], 85.0, [70.5882, 29.4118]), ([50.0, 50.0], 100.0, [50.0, 50.0]), ([0.0, 0.0], 0.0, [0.0, 0.0])],
    ids=["short", "exact", "zero-stays-zero"],
)
def test_share_total_and_normalize(shares, total, normalized):
    frame = pd.DataFrame({"model": ["a", "b"], "share_pct": shares, "reasoning_tokens": [math.nan] * 2})
    assert state.share_total(frame) == pytest.approx(total)
    assert list(state.normalized_routes(frame)["share_pct"]) == pytest.approx(normalized)


# ---------------------------------------------------------------------------- price table


def test_price_table_lists_every_model_grouped_with_prices(catalog):
    day = dt.date(2027, 1, 1)
    frame = state.price_frame(catalog, day)
    assert list(frame.index) == state.model_order(catalog) and len(frame) == len(catalog.models)
    opus = frame.loc["claude-opus-4-5"]
    assert (opus["input"], opus["output"]) == (5.0, 25.0)
    vendors = list(frame["vendor"])
    assert vendors == sorted(vendors, key=str.lower)


def test_overrides_are_the_cells_that_differ(catalog):
    day = dt.date(2027, 1, 1)
    reference = state.price_frame(catalog, day)
    edited = reference.copy()
    edited.loc["claude-opus-4-5", "input"] = 4.0
    edited.loc["gpt-5", "cached_input"] = math.nan  # an emptied cell keeps the catalog price
    assert state.overrides_from_frame(edited, reference) == {"claude-opus-4-5": {"input": 4.0}}


def test_an_override_only_model_keeps_its_prices(catalog):
    day = dt.date(2027, 1, 1)
    overrides = (("my-tune", PriceOverride(input=3.0, output=15.0)), ("claude-opus-4-5", PriceOverride(output=20.0)))
    frame = state.price_frame(catalog, day, overrides)
    assert frame.loc["my-tune", "vendor"] == "(not in catalog)" and frame.loc["claude-opus-4-5", "output"] == 20.0
    assert state.overrides_from_frame(frame, state.price_frame(catalog, day)) == {
        "claude-opus-4-5": {"output": 20.0},
        "my-tune": {"input": 3.0, "output": 15.0},
    }


def test_apply_edits_and_overrides_tuple(catalog):
    frame = state.price_frame(catalog, dt.date(2027, 1, 1))
    row = list(frame.index).index("claude-opus-4-5")
    edited = state.apply_edits(frame, {"edited_rows": {str(row): {"input": 4.0, "nope": 1}, 9999: {"input": 1}}})
    assert edited.loc["claude-opus-4-5", "input"] == 4.0 and frame.loc["claude-opus-4-5", "input"] == 5.0
    overrides = state.overrides_from_frame(edited, frame)
    assert state.overrides_tuple(overrides) == (("claude-opus-4-5", PriceOverride(input=4.0)),)


# --------------------------------------------------------------------------------- scales


def test_log_stops_and_snapping():
    stops = scales.log_stops(3, 4, zero=True)
    assert stops == (0.0, 1000.0, 1200.0, 1500.0, 2000.0, 2500.0, 3000.0, 4000.0, 5000.0, 6000.0, 8000.0, 10000.0)
    # 2,200 is nearer 2,000 than 2,500 on a log scale (log10 distances 0.041 and 0.056)
    assert [scales.nearest_stop(stops, v) for v in (0, -1, 2200, 2500, 1e9, math.nan)] == [0.0, 0.0, 2000.0, 2500.0, 10000.0, 0.0]


def test_month_options_keep_an_outside_value():
    options = scales.month_options("2026-12", back=1, ahead=2)
    assert options == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert scales.month_options("2026-12", "2031-05", back=1, ahead=1)[-1] == "2031-05"


# ----------------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$1.2k to $3.4k", "\\$1\\.2k to \\$3\\.4k"),  # no LaTeX between the dollars
        ("[x](javascript:alert(1))", "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"),
        ("**bold** <b>", "\\*\\*bold\\*\\* \\<b\\>"),
        ("plain words", "plain words"),
    ],
    ids=["dollars", "link", "emphasis-and-html", "plain"],
)
def test_md_escapes(text, expected):
    assert md(text) == expected


# ---------------------------------------------------------------------------- assumptions


def test_prices_used_name_sources_and_overrides(catalog):
    scenario, _ = params_to_scenario({"start": "2027-01"}, catalog)
    ev = evaluate(scenario, catalog)
    rows = assumptions.prices_used(ev)
    flagship = next(r for r in rows if r["strategy"] == "Flagship only")
    assert flagship["model"] == "Claude Opus 4.5" and flagship["input"] == 5.0 and flagship["source"].startswith("https://")
    overridden = evaluate(
        dataclasses.replace(scenario, price_overrides=(("claude-opus-4-5", PriceOverride(input=4.0)),)), catalog
    )
    row = next(r for r in assumptions.prices_used(overridden) if r["strategy"] == "Flagship only")
    assert row["model"] == "Claude Opus 4.5 ✎" and row["input"] == 4.0 and row["source"] is None


def test_server_assumptions_show_the_gpu_offer(catalog):
    ev = evaluate(params_to_scenario({}, catalog)[0], catalog)
    rows = {r["setting"]: r for r in assumptions.server_assumptions(ev, catalog)}
    assert rows["GPUs per replica"]["value"] == "2"
    assert rows["GPU price"]["note"].endswith("list price") and rows["GPU price"]["source"].startswith("https://")
    ev = evaluate(params_to_scenario({"gpuh": "2.5"}, catalog)[0], catalog)
    rows = {r["setting"]: r for r in assumptions.server_assumptions(ev, catalog)}
    assert rows["GPU price"]["value"] == "$2.50 per GPU-hour" and rows["GPU price"]["note"] == "set in this scenario"


def test_model_caption(catalog):
    day = dt.date(2027, 1, 1)
    assert (
        assumptions.model_caption(catalog, "claude-opus-4-5", day, {})
        == "Claude Opus 4.5 · Anthropic flagship · $5 in / $25 out per 1M"
    )
    assert assumptions.model_caption(catalog, "claude-opus-4-5", day, {"claude-opus-4-5": PriceOverride(input=4)}).endswith(
        "$4 in / $25 out per 1M ✎ overridden"
    )
    assert "not in the price catalog" in assumptions.model_caption(catalog, "nope", day, {})


@pytest.mark.parametrize("key", ["claude-opus-4-5", "anthropic/claude-opus-4.5"], ids=["catalog-id", "alias"])
def test_model_caption_shows_the_price_the_engine_bills(catalog, key):
    # An override keyed by an alias of the model applies in the engine ($15/$75 instead of $5/$25);
    # the picker's caption must say the same price and show the override mark.
    scenario = parse_scenario(
        {
            "growth": {"start_month": "2027-01"},
            "flagship_only": {"model": "claude-opus-4-5"},
            "price_overrides": {key: {"input": 15, "output": 75}},
        }
    )[0]
    billed = evaluate(scenario, catalog).strategies["flagship_only"].models[0].price_on(dt.date(2027, 1, 1))
    assert (billed.input, billed.output) == (15, 75)
    caption = assumptions.model_caption(catalog, "claude-opus-4-5", dt.date(2027, 1, 1), scenario.overrides)
    assert caption == "Claude Opus 4.5 · Anthropic flagship · $15 in / $75 out per 1M ✎ overridden"


# --------------------------------------------------------------------------------- usage

# generic.csv: January 2026 has gpt-5 (1,000 requests, 1M in of which 200k cached, 100k out, $2.50)
# and Haiku 4.5 (500 requests, 500k in, 50k out, $0.75); February holds one day of gpt-5.


def _usage(catalog):
    return import_usage(GENERIC_USAGE.read_bytes(), filename="generic.csv", catalog=catalog)


def test_start_scenario_takes_workload_routes_and_keeps_the_rest(catalog):
    base = params_to_scenario({"g": "0.07"}, catalog)[0]
    started, problems = start_scenario(base, workload_from_usage(_usage(catalog), catalog=catalog))
    assert problems == []
    w = started.workload
    # 1,500 requests; (1M + 500k) / 1,500 = 1,000 in; 150k / 1,500 = 100 out; 200k / 1.5M = 13.33% cached
    assert (w.requests_per_month, w.input_tokens, w.output_tokens, w.cached_input_share) == (1500, 1000, 100, 0.1333)
    assert [(r.model, r.share) for r in started.hybrid.routes] == [
        ("gpt-5", pytest.approx(2 / 3, abs=1e-4)),
        ("claude-haiku-4-5", 0.3333),
    ]
    assert started.growth.monthly_rate == 0.07  # one full month: no growth fitted, the scenario's is kept
    assert started.flagship_only == base.flagship_only


def test_monthly_totals_compare_list_and_export(catalog):
    totals = monthly_totals(list_price_history(_usage(catalog), catalog))
    assert list(totals["month"]) == ["2026-01", "2026-02"]
    # January: export $3.25; February's day has no cost in the export
    assert totals.loc[0, "export_cost_usd"] == pytest.approx(3.25) and np.isnan(totals.loc[1, "export_cost_usd"])


def test_mapping_editor_keys_are_stable_and_distinct():
    assert mapping_editor_key(["my-model"]) == mapping_editor_key(["my-model"]) != mapping_editor_key(["my-model "])
    assert mapping_editor_key(["a", "b"]) != mapping_editor_key(["b", "a"])  # another row order is another table


def test_usage_history_figure(catalog):
    option, height = usage_charts.history_figure(list_price_history(_usage(catalog), catalog), "generic.csv")
    names = [s["name"] for s in option["series"]]
    assert names == ["claude-haiku-4-5", "gpt-5", "List price, priced models"]
    haiku, gpt, _ = option["series"]
    # gpt-5 was billed $2.50 in January; February's day has no cost in the export: no bar, not $0
    assert option["xAxis"]["data"] == ["2026-01", "2026-02"] and gpt["data"][0]["value"] == pytest.approx(2.5)
    assert gpt["data"][1] is None and gpt["data"][0]["tooltip"]["formatter"] == "<b>gpt-5</b><br/>2026-01: $2.50"
    assert haiku["type"] == gpt["type"] == "bar" and haiku["stack"] == gpt["stack"]  # stacked
    assert option["toolbox"]["feature"]["saveAsImage"]["name"] == "usage-history" and height == 400
