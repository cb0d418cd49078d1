"""The scenario document: validation messages name the field; documents round-trip."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calculators.scenario import (
    ScenarioError,
    load_scenario_text,
    parse_scenario,
    scenario_to_dict,
    scenario_to_yaml,
)


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"workload": {"requests_per_month": -1}}, "workload.requests_per_month: must be between 0 and 1e+15, got -1"),
        ({"workload": {"requests_per_month": "lots"}}, "workload.requests_per_month: must be a number, got 'lots'"),
        ({"workload": {"requests_per_month": 1e12, "input_tokens": 5000}}, "above the limit of 1e+15"),
        ({"workload": {"cached_input_share": 1.5}}, "workload.cached_input_share: must be between 0 and 1"),
        ({"workload": {"input_tokens": float("nan")}}, "workload.input_tokens: must be finite"),
        ({"workload": {"cached_input_share": 0.7, "cache_write_share": 0.5}}, "must not exceed 1"),
        ({"growth": {"horizon_months": 121}}, "growth.horizon_months: must be between 1 and 120, got 121"),
        ({"growth": {"horizon_months": 12.5}}, "growth.horizon_months: must be a whole number"),
        ({"growth": {"start_month": "next year"}}, "growth.start_month: must be a month YYYY-MM"),
        ({"hybrid": {"routes": [{"model": "gpt-5", "share": 2}]}}, "hybrid.routes[0].share: must be between 0 and 1"),
        ({"hybrid": {"routes": [{"share": 0.5}]}}, "hybrid.routes[0].model: is missing"),
        ({"hybrid": {"routes": []}}, "hybrid.routes: must be a non-empty list"),
        ({"cascade": {"first": "gpt-5-mini"}}, "cascade.second: is missing"),
        ({"cascade": {"first": "a", "second": "b", "escalation_rate": -0.1}}, "cascade.escalation_rate: must be between 0 and 1"),
        ({"self_hosted": {"utilization": 0}}, "self_hosted.utilization: must be between 0.01 and 1"),
        ({"self_hosted": {"min_replicas": 2.5}}, "self_hosted.min_replicas: must be a whole number"),
        ({"price_overrides": {"gpt-5": {"input": -3}}}, "price_overrides.gpt-5.input: must be between 0 and 10000"),
        ({"price_overrides": {"gpt-5": {"inptu": 3}}}, "price_overrides.gpt-5.inptu: unknown key"),
        ({"workload": {"requests": 5}}, "workload.requests: unknown key"),
        ({"flagship": {"model": "gpt-5"}}, "flagship: unknown key"),
        ({"version": 7}, "version: this program reads version 1, got 7"),
        ({"workload": [1, 2]}, "workload: must be a mapping, got list"),
        ([1, 2, 3], "(document): must be a mapping of sections, got list"),
    ],
    ids=lambda v: None if isinstance(v, str) else "",
)
def test_invalid_documents_name_the_field(doc, message):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(doc)
    assert any(message in problem for problem in info.value.problems), info.value.problems


def test_all_problems_are_reported_at_once():
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"workload": {"requests_per_month": -1, "output_tokens": "x"}, "growth": {"horizon_months": 0}})
    assert len(info.value.problems) == 3


def test_lenient_mode_keeps_valid_parts():
    scenario, problems = parse_scenario(
        {"workload": {"requests_per_month": -5, "input_tokens": 1234}, "flagship_only": {"model": "gpt-5"}}, strict=False
    )
    assert scenario.workload.input_tokens == 1234
    assert scenario.workload.requests_per_month == 50_000  # the default replaces the bad value
    assert scenario.flagship_only.model == "gpt-5"
    assert len(problems) == 1


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("workload: [unclosed", "not valid YAML at line 2, column 1"),  # where the list should have closed
        ("!!python/object/apply:os.system ['echo hi']", "not valid YAML"),  # safe_load refuses tags
        ("just a string", "(document): must be a mapping"),
    ],
    ids=["broken-yaml", "python-tag-refused", "scalar-document"],
)
def test_bad_yaml_text(text, fragment):
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, source="s.yaml")
    assert fragment in str(info.value)
    assert "s.yaml" in str(info.value)


def test_model_slots_accept_names_and_mappings():
    scenario, _ = parse_scenario({"cascade": {"first": "a", "second": {"model": "b", "reasoning_tokens": 800}}})
    assert scenario.cascade.first.model == "a" and scenario.cascade.first.reasoning_tokens is None
    assert scenario.cascade.second.reasoning_tokens == 800


def test_start_month_accepts_yaml_dates_and_text():
    assert parse_scenario({"growth": {"start_month": "2027-03"}})[0].growth.start_month == dt.date(2027, 3, 1)
    assert parse_scenario({"growth": {"start_month": dt.date(2027, 3, 15)}})[0].growth.start_month == dt.date(2027, 3, 1)


# ------------------------------------------------------------------------- round trip

model_names = st.sampled_from(
    ["claude-haiku-4-5", "claude-opus-4-5", "gpt-5", "gpt-5-mini", "gemini-3-flash-preview", "custom-x"]
)
share_floats = st.floats(0, 1, allow_nan=False)
opt_tokens = st.none() | st.floats(0, 100_000, allow_nan=False)


@st.composite
def scenario_documents(draw):
    doc = {
        "version": 1,
        "name": draw(st.text(min_size=1, max_size=40).filter(str.strip)),
        "workload": {
            "requests_per_month": draw(st.floats(0, 1e9, allow_nan=False)),
            "input_tokens": draw(st.floats(0, 100_000, allow_nan=False)),
            "output_tokens": draw(st.floats(0, 100_000, allow_nan=False)),
            "reasoning_tokens": draw(st.floats(0, 10_000, allow_nan=False)),
            "cached_input_share": draw(st.floats(0, 0.5)),
            "cache_write_share": draw(st.floats(0, 0.5)),
            "batch_share": draw(share_floats),
        },
        "growth": {
            "monthly_rate": draw(st.floats(-0.5, 1.0)),
            "horizon_months": draw(st.integers(1, 120)),
            "start_month": f"{draw(st.integers(2024, 2030))}-{draw(st.integers(1, 12)):02d}",
        },
    }
    if draw(st.booleans()):
        doc["flagship_only"] = {"model": draw(model_names)}
    if draw(st.booleans()):
        n = draw(st.integers(1, 5))
        doc["hybrid"] = {"routes": [{"model": draw(model_names), "share": draw(share_floats)} for _ in range(n)]}
    if draw(st.booleans()):
        reasoning = draw(opt_tokens)
        second = {"model": draw(model_names)} | ({} if reasoning is None else {"reasoning_tokens": reasoning})
        doc["cascade"] = {
            "first": draw(model_names),
            "second": second,
            "escalation_rate": draw(share_floats),
            "forward_draft": draw(st.booleans()),
        }
    if draw(st.booleans()):
        doc["self_hosted"] = {
            "gpus_per_replica": draw(st.integers(1, 16)),
            "gpu_hour_usd": draw(st.floats(0, 20)),
            "prefill_tokens_per_s": draw(st.floats(1, 1e6)),
            "decode_tokens_per_s": draw(st.floats(1, 1e5)),
            "min_replicas": draw(st.integers(0, 10)),
        }
    if draw(st.booleans()):
        doc["price_overrides"] = {draw(model_names): {"input": draw(st.floats(0, 100)), "output": draw(st.floats(0, 100))}}
    return doc


@settings(max_examples=200, deadline=None)
@given(doc=scenario_documents())
def test_document_round_trip(doc):
    scenario, problems = parse_scenario(doc)
    assert problems == []
    assert parse_scenario(scenario_to_dict(scenario))[0] == scenario
    assert load_scenario_text(scenario_to_yaml(scenario)) == scenario
    assert parse_scenario(scenario_to_dict(scenario, omit_defaults=True))[0] == scenario


# Every character YAML treats as a line break, the C0/C1 controls, the BOM and noncharacters: a user can
# type or paste each of them into a name field (surrogates cannot be typed: they are not text).
TYPED_EDGE_CHARACTERS = "\n\r\x85\u2028\u2029\t\x00\x1b\x7f\x9f\ufeff\ufffe\uffff"


@pytest.mark.parametrize("char", TYPED_EDGE_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_line_separator_or_control_in_a_name_survives_the_yaml_round_trip(char):
    # '0' + U+0085 + '0' came back as '0 0': YAML folds a line break inside a plain or single-quoted scalar
    name = f"0{char}0"
    scenario, _ = parse_scenario({"name": name, "price_overrides": {name: {"input": 1}}, "flagship_only": {"model": name}})
    assert scenario.name == name and scenario.flagship_only.model == name
    assert load_scenario_text(scenario_to_yaml(scenario)) == scenario


@settings(max_examples=300, deadline=None)
@given(text=st.text(min_size=1, max_size=60).filter(lambda t: t.strip() and len(t) <= 200))
@example(text="0\x850")
@example(text="a\u2028b\u2029c\r\nd")
def test_any_typed_text_survives_the_yaml_round_trip(text):
    scenario, problems = parse_scenario(
        {
            "name": text,
            "hybrid": {"routes": [{"model": text, "share": 1}]},
            "price_overrides": {text: {"output": 2}},
            "quality": {"error_rates": {text: 0.1}},
        }
    )
    assert problems == []
    assert scenario.name == text.strip()
    assert load_scenario_text(scenario_to_yaml(scenario)) == scenario
