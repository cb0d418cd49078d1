"""Share links: round trips, defaults left out, old and forged links."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_scenario import scenario_documents

from calculators.engine import evaluate
from calculators.links import (
    LINK_DEFAULTS,
    MAX_PAYLOAD_CHARS,
    SHORT_KEYS,
    params_to_scenario,
    scenario_to_params,
    share_url,
)
from calculators.scenario import load_scenario_text, parse_scenario

PRESETS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def assert_same_results(a, b, catalog):
    ra, rb = evaluate(a, catalog), evaluate(b, catalog)
    assert ra.monthly_cost_usd == rb.monthly_cost_usd
    assert ra.errors == rb.errors
    for key in ra.forecast.cost:
        np.testing.assert_array_equal(ra.forecast.cost[key], rb.forecast.cost[key])


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_every_preset_round_trips_through_a_link(catalog, path):
    scenario = load_scenario_text(path.read_text())
    params = scenario_to_params(scenario, catalog)
    url = share_url("http://127.0.0.1:8501/", params)
    assert len(url) < 2000
    # keep_blank_values: "prof=" clears the default profile, as the CLI and the page read it
    decoded, notices = params_to_scenario(dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)), catalog)
    assert notices == []
    assert decoded == scenario
    assert_same_results(decoded, scenario, catalog)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=scenario_documents())
def test_random_scenarios_round_trip(catalog, doc):
    scenario = parse_scenario(doc)[0]
    params = scenario_to_params(scenario, catalog)
    decoded, notices = params_to_scenario(params, catalog)
    assert notices == []
    assert decoded == scenario
    assert_same_results(decoded, scenario, catalog)


def test_defaults_are_left_out(catalog):
    default, _ = parse_scenario(
        LINK_DEFAULTS[1] | {"growth": {"monthly_rate": 0.05, "horizon_months": 24, "start_month": "2027-01"}}
    )
    assert scenario_to_params(default, catalog) == {"start": "2027-01"}


def test_short_keys_are_readable(catalog):
    doc = LINK_DEFAULTS[1] | {"workload": {"requests_per_month": 2_000_000}, "growth": {"start_month": "2027-01"}}
    params = scenario_to_params(parse_scenario(doc)[0], catalog)
    # only what differs: volume and the growth values that are not link defaults (rate 0.05 is the schema default too)
    assert params["rpm"] == "2000000" and "x" not in params


# Every short key a version-1 link may carry, as links were written before the strategies' keys moved to the
# registry (calculators/strategies.py link_keys): an old link must keep reading the same.
VERSION_1_SHORT_KEYS = {
    "rpm": ("workload", "requests_per_month"),
    "in": ("workload", "input_tokens"),
    "out": ("workload", "output_tokens"),
    "rsn": ("workload", "reasoning_tokens"),
    "cache": ("workload", "cached_input_share"),
    "cw": ("workload", "cache_write_share"),
    "batch": ("workload", "batch_share"),
    "oth": ("workload", "other_monthly_usd"),
    "vu": ("workload", "volume_unit"),
    "g": ("growth", "monthly_rate"),
    "h": ("growth", "horizon_months"),
    "start": ("growth", "start_month"),
    "fm": ("flagship_only", "model"),
    "c1": ("cascade", "first"),
    "c2": ("cascade", "second"),
    "esc": ("cascade", "escalation_rate"),
    "om": ("hosted_open", "model"),
    "prof": ("self_hosted", "profile"),
    "gpuh": ("self_hosted", "gpu_hour_usd"),
    "util": ("self_hosted", "utilization"),
    "peak": ("self_hosted", "peak_to_average"),
    "minr": ("self_hosted", "min_replicas"),
    "ops": ("self_hosted", "ops_usd_per_month"),
    "n": ("", "name"),
}


def test_the_short_keys_built_from_the_registry_are_the_version_1_keys_in_their_order():
    assert list(SHORT_KEYS.items()) == list(VERSION_1_SHORT_KEYS.items())  # the order is the order params are written


def test_a_cascade_slot_travels_as_its_model_name_and_with_reasoning_tokens_in_the_payload(catalog):
    doc = {
        "workload": {"requests_per_month": 1000},
        "cascade": {"first": "claude-sonnet-4-5", "second": {"model": "gpt-5", "reasoning_tokens": 300}},
    }
    scenario, _ = parse_scenario(doc)
    params = scenario_to_params(scenario, catalog)
    assert params["c1"] == "claude-sonnet-4-5" and "c2" not in params  # the second slot has its own reasoning tokens
    assert params_to_scenario(params, catalog)[0].cascade == scenario.cascade


def test_routes_and_overrides_travel_in_the_payload(catalog):
    doc = LINK_DEFAULTS[1] | {
        "growth": {"start_month": "2027-01"},
        "hybrid": {
            "routes": [
                {"model": "gpt-5-nano", "share": 0.6},
                {"model": "gpt-5-mini", "share": 0.3},
                {"model": "gpt-5", "share": 0.1},
            ]
        },
        "price_overrides": {"gpt-5": {"input": 1.0, "output": 8.0}},
    }
    scenario = parse_scenario(doc)[0]
    params = scenario_to_params(scenario, catalog)
    assert params["x"].startswith("1.")
    assert params_to_scenario(params, catalog)[0] == scenario


def test_switched_off_strategies(catalog):
    doc = {k: v for k, v in LINK_DEFAULTS[1].items() if k not in ("cascade", "self_hosted")} | {
        "growth": {"start_month": "2027-01"}
    }
    params = scenario_to_params(parse_scenario(doc)[0], catalog)
    assert params["off"] == "cascade.self_hosted"
    decoded = params_to_scenario(params, catalog)[0]
    assert decoded.cascade is None and decoded.self_hosted is None and decoded.hybrid is not None


def test_version_1_link_written_by_hand_still_opens(catalog):
    # A link as version 1 writes it, frozen here so that later versions must keep reading it.
    payload = (
        base64.urlsafe_b64encode(
            zlib.compress(
                json.dumps(
                    {"hybrid": {"routes": [{"model": "gpt-5-mini", "share": 0.8}, {"model": "gpt-5", "share": 0.2}]}}
                ).encode()
            )
        )
        .decode()
        .rstrip("=")
    )
    scenario, notices = params_to_scenario({"rpm": "300000", "fm": "gpt-5", "start": "2027-02", "x": f"1.{payload}"}, catalog)
    assert notices == []
    assert scenario.workload.requests_per_month == 300_000
    assert [r.model for r in scenario.hybrid.routes] == ["gpt-5-mini", "gpt-5"]
    assert scenario.cascade.first.model == "claude-haiku-4-5"  # untouched link defaults


def test_model_missing_from_catalog_keeps_the_links_price(catalog, toy_catalog):
    # Made with the real catalog, opened where gpt-5 no longer exists (the toy catalog).
    doc = {"growth": {"start_month": "2027-01"}, "flagship_only": {"model": "gpt-5"}}
    params = scenario_to_params(parse_scenario(doc)[0], catalog)
    scenario, notices = params_to_scenario(params, toy_catalog)
    assert any("gpt-5 is no longer in the price catalog" in n for n in notices)
    # priced at the snapshot: 50,000 requests (schema default) x (2,000 x $1.25 + 500 x $10) / 1e6 = $375
    assert evaluate(scenario, toy_catalog).monthly_cost_usd["flagship_only"] == pytest.approx(375)


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"x": "1.!!!notbase64"}, "damaged"),
        ({"x": "1." + base64.urlsafe_b64encode(zlib.compress(b'{"a":1}'))[:-4].decode()}, "truncated"),
        ({"x": "9.abc"}, "unknown version"),
        ({"x": "1." + "A" * (MAX_PAYLOAD_CHARS + 10)}, "too long"),
        ({"x": "1." + base64.urlsafe_b64encode(zlib.compress(b" " * 1_000_000)).decode()}, "expands beyond"),
        ({"x": "1." + base64.urlsafe_b64encode(zlib.compress(b"[1, 2]")).decode()}, "not a mapping"),
        ({"rpm": "-5"}, "workload.requests_per_month: must be between 0"),
        ({"rpm": "1e300"}, "workload.requests_per_month"),
        ({"h": "100000"}, "growth.horizon_months: must be between 1 and 120"),
        ({"esc": "nan"}, "cascade.escalation_rate: must be finite"),
        ({"util": "abc"}, "self_hosted.utilization: must be a number"),
        ({"start": "2027-13"}, "growth.start_month"),
        ({"zzz": "1"}, "unknown link parameter 'zzz'"),
        ({"off": "everything"}, "unknown strategy 'everything'"),
        ({"fm": "x" * 1000}, "too long"),
        ({f"k{i}": "1" for i in range(100)}, "only the first 64 were read"),
    ],
    ids=[
        "bad-base64",
        "truncated",
        "unknown-version",
        "oversized",
        "zip-bomb",
        "wrong-type",
        "negative-volume",
        "huge-volume",
        "huge-horizon",
        "nan",
        "text-for-number",
        "bad-month",
        "unknown-key",
        "bad-off",
        "long-value",
        "too-many-params",
    ],
)
def test_forged_links_give_notices_and_keep_valid_parts(catalog, params, fragment):
    scenario, notices = params_to_scenario(params | {"in": "1234"}, catalog)
    assert any(fragment in n for n in notices), notices
    assert scenario.workload.input_tokens == 1234 or len(params) > 60  # the valid part is kept
    evaluate(scenario, catalog)  # and the scenario it gives is usable


def test_bad_values_fall_back_to_link_defaults(catalog):
    scenario, _ = params_to_scenario({"rpm": "-5"}, catalog)
    assert scenario.workload.requests_per_month == LINK_DEFAULTS[1]["workload"]["requests_per_month"]


@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    params=st.dictionaries(
        st.sampled_from(["rpm", "in", "out", "g", "h", "start", "fm", "esc", "x", "off", "util", "minr", "n", "zz"])
        | st.text(max_size=8),
        st.text(max_size=60) | st.sampled_from(["1.", "1.eJw", "-1", "1e400", "NaN", "inf", "0", "2027-01"]),
        max_size=8,
    )
)
def test_decoder_fuzz_never_raises(toy_catalog, params):
    scenario, notices = params_to_scenario(params, toy_catalog)
    assert isinstance(notices, list)
    assert 1 <= scenario.growth.horizon_months <= 120
    assert 0 <= scenario.workload.requests_per_month * scenario.workload.tokens_per_request <= 1e15


@settings(max_examples=300, deadline=None)
@given(payload=st.binary(max_size=400))
def test_decoder_fuzz_on_compressed_payloads(toy_catalog, payload):
    text = "1." + base64.urlsafe_b64encode(zlib.compress(payload)).decode()
    scenario, notices = params_to_scenario({"x": text}, toy_catalog)
    assert isinstance(notices, list) and scenario.growth.horizon_months <= 120


@pytest.mark.parametrize("version", sorted(LINK_DEFAULTS))
def test_link_default_models_and_profile_stay_in_the_catalog(catalog, version):
    # Links carry no price snapshot for default models, so the catalog must keep them (a retired model keeps
    # its entry with status: retired; it is never deleted).
    defaults = parse_scenario(LINK_DEFAULTS[version], strict=False)[0]
    assert all(catalog.resolve(name) for name in defaults.models_used())
    assert defaults.self_hosted.profile in catalog.profiles
