"""Workloads from an export's feature column (issue 16 "From usage"; the usage issue's feature columns).

Each format that names a feature keeps it per row (the first non-empty of its feature columns),
at most ``MAX_FEATURES`` features (the top by spend and "(other features)"); each feature's rows of
the workload month give one workload; their tokens and requests add up to the month's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.portfolio import evaluate_portfolio
from calculators.usage import import_usage, merge_imports, run_usage_cli
from calculators.usage.feature_rows import MAX_FEATURES, NO_FEATURE, OTHER_FEATURES, fold_features
from calculators.usage.features import feature_workloads, portfolio_document, portfolio_from_usage, summary_rows

VALID = Path(__file__).parent / "usage_corpus" / "valid"


def _csv(text: str) -> bytes:
    return textwrap.dedent(text).lstrip().encode()


def _features(usage) -> dict[str, int]:
    """feature → tokens (input + output) over the whole export."""
    frame = usage.features
    return {str(k): int(v) for k, v in (frame["input_tokens"] + frame["output_tokens"]).groupby(frame["feature"]).sum().items()}


# One small export per format that carries a feature column, in its real layout (see calculators/usage/formats.py).
FORMATS = {
    "openai_usage": (
        _csv("""
        start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens
        1759276800,1759363200,2025-10-01T00:00:00+00:00,2025-10-02T00:00:00+00:00,proj_support,10.0,user-1,key_a,gpt-5-2025-08-07,False,default,59200.0,3100.0,12800.0
        1759276800,1759363200,2025-10-01T00:00:00+00:00,2025-10-02T00:00:00+00:00,,4.0,user-1,key_b,gpt-5-mini-2025-08-07,False,default,8000.0,500.0,0.0
        1759363200,1759449600,2025-10-02T00:00:00+00:00,2025-10-03T00:00:00+00:00,,1.0,user-1,,gpt-5-mini-2025-08-07,False,default,100.0,10.0,0.0
        """),
        {"proj_support": 62300, "key_b": 8500, NO_FEATURE: 110},
        {"proj_support": "project_id", "key_b": "api_key_id"},
    ),
    "anthropic_usage": (
        _csv("""
        usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count
        2026-01-16,claude-opus-4-20250514,Closer App,Default,standard,≤ 200k,6322,0,0,0,9010,0
        2026-01-17,claude-haiku-4-5-20251001,crew_review,Claude Code,standard,≤ 200k,1000,200,300,400,50,0
        """),
        {"Closer App": 15332, "crew_review": 1950},
        {"Closer App": "api_key", "crew_review": "api_key"},
    ),
    "openrouter_activity": (
        _csv("""
        generation_id,created_at,cost_total,cost_web_search,cost_cache,cost_file_processing,byok_usage_inference,tokens_prompt,tokens_completion,tokens_reasoning,tokens_cached,model_permaslug,provider_name,variant,cancelled,streamed,user,finish_reason_raw,finish_reason_normalized,generation_time_ms,time_to_first_token_ms,api_key_disabled,api_key_name,app_name
        gen-1,2026-02-06 18:54:30.040,0.0123,0,0,0,0,1200,300,100,200,anthropic/claude-4.5-haiku-20251001,Anthropic,standard,false,true,,stop,stop,1500,400,false,prod,MyApp
        gen-2,2026-02-06 18:54:40.100,0.0001,0,0,0,0,10,0,0,0,anthropic/claude-4.5-haiku-20251001,Anthropic,standard,true,true,,,cancelled,10,0,false,batch-key,
        """),
        {"MyApp": 1500, "batch-key": 10},
        {"MyApp": "app_name", "batch-key": "api_key_name"},
    ),
    "litellm_spendlogs": (
        _csv("""
        request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,model,model_group,metadata,request_tags,team_id,end_user
        r1,acompletion,h1,0.001,150,100,50,2025-07-03 00:43:12.12,2025-07-03 00:43:13.5,gpt-4o-2024-08-06,gpt-4o,"{""user_api_key_alias"": ""search-key""}","[""summarize"", ""beta""]",team-1,u1
        r2,acompletion,h1,0.002,300,200,100,2025-07-03 00:44:12.12,2025-07-03 00:44:13.5,gpt-4o-2024-08-06,gpt-4o,"{""user_api_key_alias"": ""search-key""}",[],team-1,u1
        r3,acompletion,h1,0.003,30,20,10,2025-07-03 00:45:12.12,2025-07-03 00:45:13.5,gpt-4o-2024-08-06,gpt-4o,"{""user_api_key_team_alias"": ""growth""}",[],team-2,u2
        r4,acompletion,h1,0.004,3,2,1,2025-07-03 00:46:12.12,2025-07-03 00:46:13.5,gpt-4o-2024-08-06,gpt-4o,{},[],,u3
        """),
        {"summarize": 150, "search-key": 300, "growth": 30, "u3": 3},
        {"summarize": "request_tags", "search-key": "key alias", "growth": "team alias", "u3": "end_user"},
    ),
    "litellm_daily_spend": (
        _csv("""
        id,date,tag,api_key,model,model_group,custom_llm_provider,prompt_tokens,completion_tokens,cache_read_input_tokens,cache_creation_input_tokens,spend,api_requests,successful_requests,failed_requests
        a1,2025-09-01,support,hash1,gpt-4o-2024-08-06,gpt-4o,openai,100000,20000,40000,0,0.4,50,49,1
        a2,2025-09-02,search,hash1,gpt-4o-2024-08-06,gpt-4o,openai,50000,10000,0,0,0.2,25,25,0
        """),
        {"support": 120000, "search": 60000},
        {"support": "tag", "search": "tag"},
    ),
    "helicone": (
        _csv('''
        "response_id","response_created_at","response_status","request_created_at","request_body","request_properties","request_user_id","model","prompt_tokens","completion_tokens","latency","cost"
        "resp-1","2025-11-07T05:31:57Z","200","2025-11-07T05:31:56Z","{}","{""""Helicone-Property-Environment"""":""""prod"""",""""Helicone-Property-Feature"""":""""triage""""}","user-1","gpt-4o-mini","1000","200",,"0.00027"
        "resp-2","2025-11-08T05:31:57Z","200","2025-11-08T05:31:56Z","{}","{""""Helicone-Property-Environment"""":""""prod""""}","user-1","gpt-4o-mini","300","20",,"0.0001"
        "resp-3","2025-11-09T05:31:57Z","200","2025-11-09T05:31:56Z","{}","{}","user-2","gpt-4o-mini","30","2",,"0.00001"
        '''),
        {"Feature=triage": 1200, "Environment=prod": 320, NO_FEATURE: 32},
        {"Feature=triage": "request_properties", "Environment=prod": "request_properties"},
    ),
    "langfuse_v2": (
        _csv("""
        "id","name","traceId","traceName","startTime","endTime","model","promptTokens","completionTokens","totalTokens","totalCost"
        "g1","chat","tr1","support-triage","2024-11-30T21:27:16.436Z","2024-11-30T21:27:18.000Z","gpt-4o-2024-08-06","240","60","300","0.0012"
        "g2","chat","tr2","doc-extraction","2024-11-30T22:27:16.436Z","2024-11-30T22:27:18.000Z","gpt-4o-2024-08-06","10","5","15","0.0001"
        """),
        {"support-triage": 300, "doc-extraction": 15},
        {"support-triage": "traceName", "doc-extraction": "traceName"},
    ),
    "langfuse_v3": (
        _csv("""
        "id","traceId","startTime","name","usageDetails","model","inputUsage","outputUsage","totalUsage","totalCost","traceName","traceTags"
        "o1","t1","2025-05-31T22:30:00.000Z","llm","{""input"":800,""output"":50}","gpt-4.1-2025-04-14","800","50","850","0.002","answer",""
        "o2","t2","2025-05-31T23:30:00.000Z","llm","{""input"":80,""output"":5}","gpt-4.1-2025-04-14","80","5","85","0.0002","","[""nightly"",""batch""]"
        """),
        {"answer": 850, "nightly": 85},
        {"answer": "traceName", "nightly": "traceTags"},
    ),
    "generic": (
        _csv("""
        date,model,input_tokens,output_tokens,requests,feature
        2026-01-05,gpt-5,1000,100,10,chat
        2026-01-06,claude-haiku-4-5,500,50,5,extraction
        """),
        {"chat": 1100, "extraction": 550},
        {"chat": "feature", "extraction": "feature"},
    ),
}


@pytest.mark.parametrize(("fmt", "case"), FORMATS.items(), ids=list(FORMATS))
def test_each_format_keeps_its_feature_column(fmt, case, catalog):
    data, tokens_by_feature, sources = case
    usage = import_usage(data, filename=f"{fmt}.csv", catalog=catalog)
    assert usage.format == fmt
    assert _features(usage) == tokens_by_feature
    assert usage.feature_sources == sources
    # The per-feature rows add up to the monthly rows, column by column.
    by_month_model = usage.features.groupby(["month", "model"])[["input_tokens", "output_tokens", "requests"]].sum(min_count=1)
    monthly = usage.monthly.set_index(["month", "model"])[["input_tokens", "output_tokens", "requests"]]
    pd.testing.assert_frame_equal(by_month_model.sort_index(), monthly.sort_index(), check_dtype=False, check_names=False)


@pytest.mark.parametrize("name", ["generic.csv", "openrouter_grouped.csv", "anthropic_cost.csv"])
def test_formats_without_a_feature_column_have_no_features(name, catalog):
    usage = import_usage((VALID / name).read_bytes(), filename=name, catalog=catalog)
    assert usage.features is None and usage.feature_sources == {}


# ------------------------------------------------------------------ the workload month, by feature

MODELS = ["gpt-5", "claude-haiku-4-5", "claude-opus-4-5", "our-unknown-model", "web_search"]
ROW = st.tuples(
    st.integers(1, 28),  # day of January 2026 (the whole month is covered: the rows below pin its ends)
    st.sampled_from(MODELS),
    st.integers(0, 10**9),  # input tokens
    st.integers(0, 10**8),  # output tokens
    st.integers(0, 10**5),  # requests
    st.sampled_from(["chat", "search", "extraction", "", "agents", "code", "a", "b", "c", "d", "e", "f", "g", "h"]),
)


def _generic(rows, with_requests: bool) -> bytes:
    lines = ["date,model,input_tokens,output_tokens,cost_usd,feature" + (",requests" if with_requests else "")]
    # The month's first and last days, so that January is full (the workload month).
    rows = [(1, "gpt-5", 10, 1, 1, "chat"), (31, "gpt-5", 10, 1, 1, "search"), *rows]
    for day, model, i, o, r, feature in rows:
        r = max(r, 1) if i + o else 0  # a request has tokens; a row of tokens has a request (as real exports count)
        cost = 5.0 if model == "web_search" else (i + o) / 1e6
        lines.append(f"2026-01-{day:02d},{model},{i},{o},{cost},{feature}" + (f",{r}" if with_requests else ""))
    return ("\n".join(lines) + "\n").encode()


@settings(max_examples=20, deadline=None)
@given(rows=st.lists(ROW, max_size=40), with_requests=st.booleans())
def test_feature_workloads_add_up_to_the_workload_month(catalog, rows, with_requests):
    usage = import_usage(_generic(rows, with_requests), filename="gen.csv", catalog=catalog)
    found = feature_workloads(usage, None, catalog)
    whole = found["whole"]
    assert found["month"] == whole["source_month"] == "2026-01"
    parts = summary_rows(found)
    assert len(parts) <= MAX_FEATURES
    for key in ("tokens_per_month", "input_tokens", "cached_input_tokens", "output_tokens"):
        assert sum(p[key] for p in parts) == whole["summary"][key]
    if with_requests:
        assert sum(p["requests_per_month"] for p in parts) == whole["summary"]["requests_per_month"]
    else:
        assert whole["summary"]["requests_per_month"] is None
        assert all(p["requests_per_month"] is None for p in parts)
    other = [p["other_charges_usd"] for p in parts if p["other_charges_usd"] is not None]
    whole_other = (whole["other_charges"] or {}).get("cost_usd")
    assert sum(other) == pytest.approx(whole_other or 0.0)
    # The portfolio: one workload per feature with usage; its volumes add up to the month's too.
    doc = portfolio_document(usage, _base(catalog), catalog, features=found)
    volume = sum(w["workload"]["requests_per_month"] for w in doc["workloads"])
    expected = whole["workload"]["requests_per_month"]
    assert volume == pytest.approx(expected, rel=1e-9)
    portfolio, problems = portfolio_from_usage(usage, _base(catalog), catalog, features=found)
    assert problems == []
    assert len(portfolio.workloads) == len(doc["workloads"])


def _base(catalog):
    from calculators.links import LINK_DEFAULTS, LINK_VERSION
    from calculators.scenario import parse_scenario

    return parse_scenario(LINK_DEFAULTS[LINK_VERSION], strict=False)[0]


def test_many_features_keep_the_top_eleven_and_the_rest(catalog):
    # 30 features, feature k with (k + 1) x 1,000 input tokens: the top 11 are f29..f19, the other 19 are summed.
    lines = ["date,model,input_tokens,output_tokens,feature"]
    lines += [f"2026-01-{1 + k % 28:02d},gpt-5,{(k + 1) * 1000},0,f{k:02d}" for k in range(30)]
    usage = import_usage(("\n".join(lines) + "\n").encode(), filename="many.csv", catalog=catalog)
    tokens = _features(usage)
    assert len(tokens) == MAX_FEATURES == 12
    assert sorted(k for k in tokens if k != OTHER_FEATURES) == [f"f{k}" for k in range(19, 30)]
    assert tokens[OTHER_FEATURES] == sum((k + 1) * 1000 for k in range(19))  # 190,000
    assert sum(tokens.values()) == int(usage.monthly["input_tokens"].sum())
    assert OTHER_FEATURES not in usage.feature_sources


def test_folding_while_reading_keeps_every_total():
    # Three features by cost 3 > 2 > 1 and a limit of 2: "b" ranks second but only limit - 1 = 1 is kept.
    table = pa.table(
        {
            "month": pa.array([0, 0, 0, 1], pa.int32()),
            "model": ["m", "m", "m", "m"],
            "feature": ["a", "b", "c", "c"],
            "source": pa.array([0, 0, 1, 1], pa.int8()),
            "input_sum": pa.array([10, 20, 30, 40], pa.int64()),
            "cost_sum": [3.0, 2.0, 0.5, 0.5],
        }
    )
    folded = fold_features(table, 2).sort_by([("month", "ascending"), ("feature", "ascending")]).to_pylist()
    assert folded == [
        {"month": 0, "model": "m", "feature": OTHER_FEATURES, "source": -1, "input_sum": 50, "cost_sum": 2.5},
        {"month": 0, "model": "m", "feature": "a", "source": 0, "input_sum": 10, "cost_sum": 3.0},
        {"month": 1, "model": "m", "feature": OTHER_FEATURES, "source": -1, "input_sum": 40, "cost_sum": 0.5},
    ]


def test_merged_files_merge_their_features(catalog):
    first = import_usage(FORMATS["generic"][0], filename="jan.csv", catalog=catalog)
    second = import_usage(FORMATS["generic"][0].replace(b"2026-01", b"2026-02"), filename="feb.csv", catalog=catalog)
    merged = merge_imports([first, second], catalog)
    assert _features(merged) == {"chat": 2200, "extraction": 1100}
    assert merged.feature_sources == {"chat": "feature", "extraction": "feature"}
    assert sorted(set(merged.features["month"])) == ["2026-01", "2026-02"]


def test_a_feature_portfolio_is_priced_like_its_features(catalog):
    # Two features on their own models; the portfolio's plan total is the sum of each feature on its own mix,
    # which is the month's list price (own mix = your bill) plus the fixed other charges ($10 of web search).
    usage = import_usage(FEATURE_CSV, filename="feat.csv", catalog=catalog)
    scenario = _base(catalog)
    scenario = dataclasses.replace(scenario, growth=dataclasses.replace(scenario.growth, start_month=dt.date(2026, 1, 1)))
    portfolio, problems = portfolio_from_usage(usage, scenario, catalog)  # priced in the export's month
    assert problems == []
    assert [w.name for w in portfolio.workloads] == ["chat", "extraction"]
    assert [w.plan for w in portfolio.workloads] == ["hybrid", "hybrid"]
    assert portfolio.workloads[0].workload.other_monthly_usd == 10.0
    result = evaluate_portfolio(portfolio, catalog)
    assert result.errors == {}
    from calculators.usage.report import repriced

    chat = repriced(usage_of(usage, "chat"), scenario, catalog)
    extraction = repriced(usage_of(usage, "extraction"), scenario, catalog)
    assert result.workloads[0].monthly_cost_usd["hybrid"] == pytest.approx(chat["own_mix_usd"] + 10, rel=1e-6)
    assert result.workloads[1].monthly_cost_usd["hybrid"] == pytest.approx(extraction["own_mix_usd"], rel=1e-6)


def usage_of(usage, feature):
    from calculators.usage.features import feature_import

    return feature_import(usage, feature)


# ------------------------------------------------------------------ the CLI

FEATURE_CSV = _csv("""
    date,model,input_tokens,output_tokens,requests,cost_usd,feature
    2026-01-01,gpt-5,1000000,100000,1000,2.25,chat
    2026-01-31,claude-haiku-4-5,500000,50000,500,0.75,extraction
    2026-01-15,web_search,0,0,0,10,chat
    """)


def _run(tmp_path, *args):
    path = tmp_path / "feat.csv"
    path.write_bytes(FEATURE_CSV)
    out, err = io.StringIO(), io.StringIO()
    code = run_usage_cli(
        str(path), "--json" in args, None, out, err, by="feature" if "--by" in args else None, portfolio="--portfolio" in args
    )
    return code, out.getvalue(), err.getvalue()


def test_cli_by_feature_json(tmp_path):
    code, out, err = _run(tmp_path, "--by", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["features"] == {
        "month": "2026-01",
        "column": "feature",
        "workloads": [
            {
                "feature": "chat",
                "column": "feature",
                "tokens_per_month": 1_100_000,
                "input_tokens": 1_000_000,
                "cached_input_tokens": 0,
                "output_tokens": 100_000,
                "requests_per_month": 1000,
                "other_charges_usd": 10.0,
            },
            {
                "feature": "extraction",
                "column": "feature",
                "tokens_per_month": 550_000,
                "input_tokens": 500_000,
                "cached_input_tokens": 0,
                "output_tokens": 50_000,
                "requests_per_month": 500,
                "other_charges_usd": None,
            },
        ],
        "skipped": [],
    }


def test_cli_by_feature_table(tmp_path):
    code, out, _ = _run(tmp_path, "--by")
    assert code == 0
    lines = out.splitlines()
    start = lines.index("by feature (feature), 2026-01:")
    assert lines[start + 1 : start + 4] == [
        "feature     column      tokens      input  cached   output  requests  other_usd",
        "chat        feature  1,100,000  1,000,000       0  100,000     1,000     $10.00",
        "extraction  feature    550,000    500,000       0   50,000       500          -",
    ]


def test_cli_portfolio_json_is_a_version_2_scenario(tmp_path):
    code, out, err = _run(tmp_path, "--portfolio", "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["version"] == 2 and doc["name"] == "feat.csv by feature"
    chat, extraction = doc["workloads"]
    # chat: 1,000 requests of 1,000,000 / 1,000 = 1,000 input and 100 output tokens, on GPT-5 alone, $10 of web search
    assert chat == {
        "name": "chat",
        "workload": {
            "requests_per_month": 1000,
            "input_tokens": 1000.0,
            "output_tokens": 100.0,
            "reasoning_tokens": 0,
            "cached_input_share": 0.0,
            "other_monthly_usd": 10.0,
        },
        "flagship_only": {"model": "claude-opus-4-5"},
        "hybrid": {"routes": [{"model": "gpt-5", "share": 1.0}]},
        "cascade": {"first": {"model": "claude-haiku-4-5"}, "second": {"model": "claude-opus-4-5"}, "escalation_rate": 0.2},
        "hosted_open": {"model": "together-llama-3.3-70b"},
        "plan": "hybrid",
    }
    assert extraction["workload"]["requests_per_month"] == 500
    assert extraction["hybrid"] == {"routes": [{"model": "claude-haiku-4-5", "share": 1.0}]}


def test_cli_portfolio_of_an_export_without_features_says_why(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_bytes(b"date,model,input_tokens,output_tokens\n2026-01-05,gpt-5,100,10\n")
    out, err = io.StringIO(), io.StringIO()
    assert run_usage_cli(str(path), False, None, out, err, portfolio=True) == 2
    assert err.getvalue() == (
        "error: plain.csv: this Generic format (date, model, input_tokens, output_tokens[, cached_input_tokens, "
        "requests, cost_usd]) has no feature column (or it is empty throughout)\n"
    )


@pytest.mark.parametrize(("fmt", "case"), FORMATS.items(), ids=list(FORMATS))
def test_monthly_totals_are_the_same_with_or_without_the_feature_columns(fmt, case, monkeypatch):
    # With feature columns the rows are summed once by (month, model, feature) and the monthly rows follow from
    # those sums; they must equal the monthly rows of the same file read without them.
    from calculators.usage import formats

    data = case[0]
    with_features = import_usage(data, filename=f"{fmt}.csv", catalog=False, format=fmt)
    monkeypatch.setitem(formats.SPECS_BY_ID, fmt, dataclasses.replace(formats.SPECS_BY_ID[fmt], features=()))
    without = import_usage(data, filename=f"{fmt}.csv", catalog=False, format=fmt)
    assert without.features is None
    pd.testing.assert_frame_equal(with_features.monthly, without.monthly)
    assert (with_features.rows_read, with_features.period) == (without.rows_read, without.period)


def test_cli_portfolio_yaml_evaluates_like_the_pages_portfolio(tmp_path, catalog):
    # The YAML `usage --portfolio` prints is a scenario file: `evaluate --json` of it gives the plan total of the
    # portfolio the page's button loads.
    from calculators.cli import main

    code, out, err = _run(tmp_path, "--portfolio")
    assert (code, err) == (0, "")
    scenario_file = tmp_path / "portfolio.yaml"
    scenario_file.write_text(out, encoding="utf-8")
    printed = io.StringIO()
    assert main(["evaluate", str(scenario_file), "--json"], out=printed, err=io.StringIO()) == 0
    usage = import_usage(FEATURE_CSV, filename="feat.csv", catalog=catalog)
    portfolio, _ = portfolio_from_usage(usage, _base(catalog), catalog)
    expected = evaluate_portfolio(portfolio, catalog).this_month["plan"]
    assert json.loads(printed.getvalue())["portfolio"]["plan_usd"] == pytest.approx(expected)
