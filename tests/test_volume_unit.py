"""A scenario counted in tokens (issue 11): an export without request counts gives a workload in tokens, the
scenario says so (``workload.volume_unit``, the link's ``vu``), and the sidebar shows it without inventing a
request size."""

from __future__ import annotations

import dataclasses

import pytest
from apptest_support import run_app, view_key

from calculators.links import params_to_scenario, scenario_to_params
from calculators.scenario import TOKEN_BLOCK, parse_scenario, scenario_to_dict
from dashboard.state import link_default_scenario
from pricing import load_catalog

pytestmark = pytest.mark.usefixtures("fresh_caches", "pinned_today")

# Anthropic Console usage: tokens per day and model, no request counts.
TOKENS_ONLY = (
    b"usage_date_utc,model_version,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,"
    b"usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens\n"
    b"2026-01-01,claude-sonnet-4-5-20250929,3000000,0,0,0,1000000\n"
    b"2026-01-31,claude-sonnet-4-5-20250929,3000000,0,0,0,1000000\n"
)


@pytest.mark.parametrize(
    "written, read, problem",
    [
        (None, None, None),
        ("requests", None, None),  # the default, stored as absent
        ("tokens", "tokens", None),
        ("blocks", None, "workload.volume_unit: must be one of requests, tokens, got 'blocks'"),
        (7, None, "workload.volume_unit: must be a non-empty text, got 7"),
    ],
    ids=["absent", "requests", "tokens", "unknown-word", "a-number"],
)
def test_the_volume_unit_reads_as_requests_or_tokens(written, read, problem):
    doc = {"version": 1, "workload": {} if written is None else {"volume_unit": written}}
    scenario, problems = parse_scenario(doc, strict=False)
    assert scenario.workload.volume_unit == read
    assert problems == ([] if problem is None else [problem])


def test_a_tokens_scenario_round_trips_through_the_link_and_the_document():
    catalog = load_catalog()
    default = link_default_scenario()
    scenario = dataclasses.replace(default, workload=dataclasses.replace(default.workload, volume_unit="tokens"))
    params = scenario_to_params(scenario, catalog)
    assert params["vu"] == "tokens"
    assert params_to_scenario(params, catalog) == (scenario, [])
    assert scenario_to_dict(scenario)["workload"]["volume_unit"] == "tokens"
    assert "volume_unit" not in scenario_to_dict(default)["workload"]  # absent for requests: old files unchanged


def test_a_tokens_link_shows_the_volume_in_tokens_and_says_why():
    # 4,000 blocks of 1,000 tokens (800 in, 200 out) = 4M tokens a month
    at = run_app(query={"vu": "tokens", "rpm": "4000", "in": "800", "out": "200"})
    labels = [n.label for n in at.number_input]
    assert "Tokens per month (exact)" in labels and "Requests per month (exact)" not in labels
    assert at.number_input(key=view_key(at, "tpm")).value == 4000 * TOKEN_BLOCK
    assert not [s for s in at.segmented_control if s.key == "_volume_unit"]  # no request view to switch to
    assert any("has no request counts" in c.value for c in at.caption)
    assert any(m.value.startswith(f"**Tokens per block of {TOKEN_BLOCK:,}**") for m in at.markdown)
    # counting requests instead: each block becomes a request of 1,000 tokens, and the link loses vu
    at.button(key="count_requests").click().run()
    assert "vu" not in at.query_params
    assert at.number_input(key=view_key(at, "rpm")).value == 4000


def test_starting_from_a_tokens_only_export_counts_tokens():
    at = run_app(session={"view": "Your usage"})
    at.file_uploader(key="usage_file").set_value(("anthropic.csv", TOKENS_ONLY, "text/csv")).run()
    assert not at.exception
    at.button(key="start_from_usage").click().run()
    assert not at.exception
    # January: 6M input + 2M output = 8M tokens, 8,000 blocks of 750 in / 250 out
    assert at.query_params["vu"] == "tokens"
    assert at.number_input(key=view_key(at, "tpm")).value == 8_000_000
    assert at.number_input(key=view_key(at, "in")).value == 750


@pytest.mark.parametrize("rpm, label", [("40000000000", "≈50B"), ("5000000", "5M")], ids=["between-stops", "on-a-stop"])
def test_the_volume_slider_says_when_it_stands_near_the_exact_number(rpm, label):
    # 40B requests lies between the 1-2-5 stops 20B and 50B: the slider sits on 50B and says "≈"
    at = run_app(query={"rpm": rpm})
    slider = at.select_slider(key=view_key(at, "rpm~"))
    assert label in slider.proto.options
    assert at.number_input(key=view_key(at, "rpm")).value == float(rpm)
