"""Usage-export importer: formats, malformed corpus, month bucketing, pricing history, workload, CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.usage import (
    FORMATS,
    MAX_UPLOAD_MB,
    MONTHLY_COLUMNS,
    WAREHOUSE_SQL,
    UsageImport,
    UsageImportError,
    detect_format,
    full_months,
    import_usage,
    list_price_history,
    run_usage_cli,
    workload_from_usage,
)
from calculators.usage.history import unpriced_models
from pricing.catalog import build_catalog

CORPUS = Path(__file__).parent / "usage_corpus"
VALID = CORPUS / "valid"
EXPECTED = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text(encoding="utf-8"))
GENERIC = "date,model,input_tokens,output_tokens\n"


# ------------------------------------------------------------------ a small fake catalog


def _price(start, end, inp, out, cached=None, write=None):
    entry = {
        "from": start,
        "to": end,
        "input": inp,
        "output": out,
        "source": "https://example.com/pricing",
        "checked": "2026-01-01",
    }
    if cached is not None:
        entry["cached_input"] = cached
    if write is not None:
        entry["cache_write"] = write
    return entry


def _model(model_id, aliases, prices, tier="mid"):
    return {"id": model_id, "name": model_id, "tier": tier, "aliases": aliases, "prices": prices}


@pytest.fixture(scope="module")
def catalog():
    openai = {
        "vendor": "openai",
        "models": [
            _model("gpt-5", ["gpt-5-2025-08-07", "openai/gpt-5"], [_price("2025-08-07", None, 1.25, 10.0, 0.125)]),
            _model("gpt-5-mini", ["gpt-5-mini-2025-08-07"], [_price("2025-08-07", None, 0.25, 2.0, 0.025)], tier="small"),
            # Price change on 2026-01-11: 10 January days at $1, 21 days at $2.
            _model("pricey", [], [_price("2025-01-01", "2026-01-11", 1.0, 1.0), _price("2026-01-11", None, 2.0, 2.0)]),
        ],
    }
    anthropic = {
        "vendor": "anthropic",
        "models": [
            _model(
                "claude-haiku-4-5",
                ["claude-haiku-4-5-20251001", "anthropic/claude-4.5-haiku-20251001", "Claude Haiku 4.5"],
                [_price("2025-10-15", None, 1.0, 5.0, 0.1, 1.25)],
                tier="small",
            ),
        ],
    }
    return build_catalog([("vendors/openai.yaml", openai), ("vendors/anthropic.yaml", anthropic)], {"gpus": []}, {"profiles": []})


def _totals(result: UsageImport) -> dict[str, int]:
    return {k: int(result.monthly[k].sum()) for k in ("input_tokens", "cached_input_tokens", "output_tokens")}


def _row(result: UsageImport, month: str, model: str) -> dict:
    rows = result.monthly[(result.monthly["month"] == month) & (result.monthly["model"] == model)].to_dict("records")
    assert len(rows) == 1, result.monthly
    return {k: (None if v is pd.NA else v) for k, v in rows[0].items()}


# ------------------------------------------------------------------ the malformed corpus


def test_corpus_is_complete():
    files = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "EXPECTED.yaml")
    assert sorted(EXPECTED) == files
    assert len(files) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=sorted(EXPECTED))
def test_corpus_file(name, catalog):
    expected = EXPECTED[name]
    path = CORPUS / name
    if "error" in expected:
        with pytest.raises(UsageImportError) as info:
            import_usage(path, catalog=catalog)
        message = str(info.value)
        assert expected["error"] in message
        assert message.startswith(f"{name}: ")  # the message names the file
        return
    result = import_usage(path, catalog=catalog)
    assert result.format == expected["format"]
    assert result.rows_read == expected["rows_read"]
    assert result.rows_skipped == expected["rows_skipped"]
    assert result.rows_ignored == expected.get("rows_ignored", 0)
    assert sum(result.skipped_by_reason.values()) == result.rows_skipped
    if "reason" in expected:
        assert expected["reason"] in result.skipped_by_reason
    if "problem" in expected:
        assert expected["problem"] in result.problems[0]
    if "note" in expected:
        assert any(expected["note"] in n for n in result.notes), result.notes
    if "models" in expected:
        assert sorted(set(result.monthly["model"])) == expected["models"]
    if "requests" in expected:
        assert int(result.monthly["requests"].sum()) == expected["requests"]
    assert _totals(result) == expected["totals"]


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=sorted(EXPECTED))
def test_corpus_bytes_input_matches_path_input(name, catalog):
    path = CORPUS / name
    try:
        from_path = import_usage(path, catalog=catalog).to_json_dict()
    except UsageImportError as exc:
        with pytest.raises(UsageImportError) as info:
            import_usage(path.read_bytes(), filename=name, catalog=catalog)
        assert str(info.value) == str(exc)
        return
    from_bytes = import_usage(path.read_bytes(), filename=name, catalog=catalog).to_json_dict()
    assert from_bytes == from_path


# ------------------------------------------------------------------ every format, known values

# (file, format, month, model, expected normalized row); arithmetic in the comment.
VALID_CASES = [
    # OpenAI: input_tokens already includes cached. gpt-5: 59200 + 30000 = 89200 input, 12800 cached,
    # 3100 + 2000 = 5100 output, requests 10.0 + 6.0 = 16; the empty 10-02 bucket is ignored.
    (
        "openai_usage.csv",
        "openai_usage",
        "2025-10",
        "gpt-5-2025-08-07",
        {"input_tokens": 89200, "cached_input_tokens": 12800, "output_tokens": 5100, "requests": 16, "cost_usd": None},
    ),
    # Cost export: 0.895874 + 0.3409 = 1.236774 dollars, no tokens.
    (
        "openai_cost.csv",
        "openai_cost",
        "2025-10",
        "(all line items)",
        {"input_tokens": None, "output_tokens": None, "requests": None, "cost_usd": 1.236774},
    ),
    # Anthropic 12 columns: input = no_cache + write_5m + write_1h + read:
    # (1000 + 200 + 300 + 400) + (10 + 20 + 30 + 40) = 2000; cached = 400 + 40 = 440; output 50 + 5 = 55; no request count.
    (
        "anthropic_usage_12.csv",
        "anthropic_usage",
        "2026-01",
        "claude-haiku-4-5-20251001",
        {"input_tokens": 2000, "cached_input_tokens": 440, "output_tokens": 55, "requests": None},
    ),
    # Anthropic 14 columns, hourly row "2026-03-31 02:00": 154214 + 100 + 0 + 5000 = 159314 input, 5000 cached.
    (
        "anthropic_usage_14.csv",
        "anthropic_usage",
        "2026-03",
        "claude-opus-4-6",
        {"input_tokens": 159314, "cached_input_tokens": 5000, "output_tokens": 800, "requests": None},
    ),
    # Older single cache-write column: 100 + 20 + 30 = 150 input, 30 cached.
    (
        "anthropic_usage_legacy.csv",
        "anthropic_usage",
        "2025-06",
        "claude-sonnet-4-20250514",
        {"input_tokens": 150, "cached_input_tokens": 30, "output_tokens": 40},
    ),
    # Anthropic cost: the same key twice on a day is summed, 0.75 + 1.16 + 0.00 = 1.91.
    ("anthropic_cost.csv", "anthropic_cost", "2026-02", "Claude Sonnet 4.5", {"input_tokens": None, "cost_usd": 1.91}),
    ("anthropic_cost.csv", "anthropic_cost", "2026-02", "(web_search)", {"cost_usd": 0.07}),
    # OpenRouter: 2 generations (one cancelled, still a request): 1200 + 10 = 1210 input, 200 cached,
    # 300 output (reasoning 100 is inside completion 300), cost 0.0123 + 0.0001 = 0.0124.
    (
        "openrouter_activity.csv",
        "openrouter_activity",
        "2026-02",
        "anthropic/claude-4.5-haiku-20251001",
        {"input_tokens": 1210, "cached_input_tokens": 200, "output_tokens": 300, "requests": 2, "cost_usd": 0.0124},
    ),
    # Reasoning 80 > completion 50 means it was reported apart: output = 50 + 80 = 130.
    (
        "openrouter_activity.csv",
        "openrouter_activity",
        "2026-02",
        "openai/gpt-5-mini-2025-08-07",
        {"input_tokens": 500, "output_tokens": 130, "requests": 1},
    ),
    # 2026-01-31 23:59:59.999 (zone-less = UTC) stays in January.
    (
        "openrouter_activity.csv",
        "openrouter_activity",
        "2026-01",
        "openai/gpt-oss-120b",
        {"input_tokens": 100, "output_tokens": 20, "requests": 1},
    ),
    # Grouped: 70965665 + 1000000 input; completion 3009973 + 50000 (reasoning 20000 inside); 4115 + 100 requests; 430.07 + 10.5.
    (
        "openrouter_grouped.csv",
        "openrouter_grouped",
        "2026-05",
        "anthropic/claude-opus-4.7",
        {"input_tokens": 71965665, "output_tokens": 3059973, "requests": 4215, "cost_usd": 440.57},
    ),
    # LiteLLM: the failed request (0 tokens) is still a request: 2; cached 512 from the metadata JSON.
    (
        "litellm_spendlogs.csv",
        "litellm_spendlogs",
        "2025-07",
        "gpt-4o-2024-08-06",
        {"input_tokens": 1200, "cached_input_tokens": 512, "output_tokens": 300, "requests": 2, "cost_usd": 0.00123},
    ),
    # Empty model falls back to model_group; cache_read_input_tokens 1500 from metadata.
    (
        "litellm_spendlogs.csv",
        "litellm_spendlogs",
        "2025-08",
        "claude-sonnet-4-5",
        {"input_tokens": 2000, "cached_input_tokens": 1500, "requests": 1},
    ),
    (
        "litellm_daily_spend.csv",
        "litellm_daily_spend",
        "2025-09",
        "gpt-4o-2024-08-06",
        {"input_tokens": 150000, "cached_input_tokens": 40000, "output_tokens": 30000, "requests": 75, "cost_usd": 0.6},
    ),
    # Helicone: the 500 (failed) request counts; its empty cost is unknown, so the sum is 0.00027.
    (
        "helicone.csv",
        "helicone",
        "2025-11",
        "gpt-4o-mini",
        {"input_tokens": 1300, "cached_input_tokens": 0, "output_tokens": 200, "requests": 2, "cost_usd": 0.00027},
    ),
    (
        "helicone_cost_usd.csv",
        "helicone",
        "2025-12",
        "gpt-4o",
        {"input_tokens": 10, "output_tokens": 5, "requests": 1, "cost_usd": 0.000075},
    ),
    (
        "langfuse_v2.csv",
        "langfuse_v2",
        "2024-11",
        "gpt-4o-2024-08-06",
        {"input_tokens": 240, "output_tokens": 60, "requests": 1, "cost_usd": 0.001218},
    ),
    # v3: 2025-05-31T22:30-03:00 is 2025-06-01 01:30 UTC -> June; inputUsage 1000 + 100; cached 200 from usageDetails; the SPAN is ignored.
    (
        "langfuse_v3.csv",
        "langfuse_v3",
        "2025-06",
        "gpt-4.1-2025-04-14",
        {"input_tokens": 1100, "cached_input_tokens": 200, "output_tokens": 70, "requests": 2, "cost_usd": 0.002},
    ),
    (
        "generic.csv",
        "generic",
        "2026-01",
        "gpt-5",
        {"input_tokens": 1_000_000, "cached_input_tokens": 200_000, "output_tokens": 100_000, "requests": 1000, "cost_usd": 2.5},
    ),
    (
        "generic_minimal.csv",
        "generic",
        "2026-03",
        "gpt-5",
        {"input_tokens": 150, "cached_input_tokens": 0, "output_tokens": 15, "requests": None, "cost_usd": None},
    ),
]


@pytest.mark.parametrize(
    ("name", "fmt", "month", "model", "expected"), VALID_CASES, ids=[f"{c[0]}:{c[2]}:{c[3]}" for c in VALID_CASES]
)
def test_valid_sample(name, fmt, month, model, expected, catalog):
    result = import_usage(VALID / name, catalog=catalog)
    assert result.format == fmt
    assert result.rows_skipped == 0 and result.problems == []
    row = _row(result, month, model)
    for key, value in expected.items():
        if isinstance(value, float):
            assert row[key] == pytest.approx(value), key
        else:
            assert row[key] == value, key


def test_every_format_has_a_valid_sample():
    covered = {c[1] for c in VALID_CASES}
    assert covered == set(FORMATS)
    assert {detect_format(_header(p)) for p in VALID.iterdir()} == set(FORMATS)


def _header(path: Path) -> list[str]:
    import csv

    first = path.read_text(encoding="utf-8-sig").splitlines()[0]
    return next(csv.reader([first]))


@pytest.mark.parametrize("name", sorted(p.name for p in VALID.iterdir()), ids=str)
def test_detect_format_from_real_headers(name):
    expected = {c[0]: c[1] for c in VALID_CASES}[name]
    header = _header(VALID / name)
    assert detect_format(header) == expected
    assert detect_format([c.upper() for c in header]) == expected  # case-insensitive
    assert detect_format(list(reversed(header))) == expected  # order-insensitive


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["date", "model", "input_tokens", "output_tokens"], "generic"),
        (["\ufeffdate", " model ", "input_tokens", "output_tokens", "requests"], "generic"),
        (["start_time", "end_time", "start_time_iso", "end_time_iso"], None),  # empty-period OpenAI export
        (["date", "input_tokens", "output_tokens"], None),
        ([], None),
    ],
    ids=["generic", "bom-and-spaces", "openai-time-only", "no-model", "empty"],
)
def test_detect_format_edge_cases(header, expected):
    assert detect_format(header) == expected


def test_catalog_resolution_and_unresolved(catalog):
    result = import_usage(VALID / "openai_usage.csv", catalog=catalog)
    assert set(result.monthly["catalog_id"]) == {"gpt-5", "gpt-5-mini"}
    assert result.unresolved_models == []
    result = import_usage(VALID / "anthropic_cost.csv", catalog=catalog)
    assert _row(result, "2026-02", "Claude Haiku 4.5")["catalog_id"] == "claude-haiku-4-5"  # display name alias
    assert result.unresolved_models == ["Claude Sonnet 4.5"]  # web search is a charge, never a model to map
    assert result.other_charges == ["(web_search)"]
    assert result.cost_only


# ------------------------------------------------------------------ months, dates, semantics


@pytest.mark.parametrize(
    ("stamp", "month"),
    [
        ("2026-01-31T23:30:00-05:00", "2026-02"),  # 04:30 UTC on Feb 1
        ("2026-02-01T00:30:00+01:00", "2026-01"),  # 23:30 UTC on Jan 31
        ("2026-01-31T23:59:59Z", "2026-01"),
        ("2026-01-31T23:59:59.999+00:00", "2026-01"),
        ("2026-02-01T00:00:00+00:00", "2026-02"),
        ("2026-01-31 23:59:59.999", "2026-01"),  # zone-less = UTC
        ("2026-03-31 02:00", "2026-03"),  # Anthropic hourly rows
        ("2025-07-03 00:43:12.12", "2025-07"),  # Postgres trims fraction zeros
        ("1769903999", "2026-01"),  # epoch seconds: 2026-01-31T23:59:59Z
        ("1769904000", "2026-02"),  # epoch seconds: 2026-02-01T00:00:00Z
        ("1769904000000", "2026-02"),  # epoch milliseconds
        ("2026-03", "2026-03"),  # generic monthly rows
        ("2026-12-31T20:00:00-05:00", "2027-01"),  # year boundary
    ],
    ids=lambda v: str(v),
)
def test_month_is_the_utc_month(stamp, month):
    result = import_usage(f"{GENERIC}{stamp},gpt-5,1,1\n", catalog=False)
    assert result.monthly["month"].tolist() == [month]


def test_mixed_time_styles_in_one_column():
    text = GENERIC + "1769903999,m,1,0\n2026-01-31T23:30:00-05:00,m,10,0\n2026-01-15,m,100,0\n"
    result = import_usage(text, catalog=False)
    # 1 (Jan 31 23:59:59Z) + 100 (Jan 15) in January; 10 in February (04:30 UTC)
    assert dict(zip(result.monthly["month"], result.monthly["input_tokens"], strict=True)) == {"2026-01": 101, "2026-02": 10}


def test_anthropic_columns_are_summed():
    header = (VALID / "anthropic_usage_12.csv").read_text(encoding="utf-8").splitlines()[0]
    text = header + "\n2026-04-02,claude-haiku-4-5-20251001,k,Default,standard,≤ 200k,1,20,300,4000,7,0\n"
    row = import_usage(text, catalog=False).monthly.iloc[0]
    # input = no_cache 1 + write_5m 20 + write_1h 300 + read 4000 = 4321; cached = read 4000
    assert (row["input_tokens"], row["cached_input_tokens"], row["output_tokens"]) == (4321, 4000, 7)
    assert row["requests"] is pd.NA


@pytest.mark.parametrize(
    ("name", "requests_known"),
    [
        ("anthropic_usage_12.csv", False),
        ("anthropic_usage_14.csv", False),
        ("generic_minimal.csv", False),
        ("openai_cost.csv", False),
        ("openai_usage.csv", True),
        ("openrouter_activity.csv", True),
        ("helicone.csv", True),
        ("generic.csv", True),
    ],
    ids=lambda v: str(v),
)
def test_requests_are_never_invented(name, requests_known):
    result = import_usage(VALID / name, catalog=False)
    assert result.requests_known is requests_known
    if not requests_known:
        assert result.monthly["requests"].isna().all()
        assert all(row["requests"] is None for row in result.to_json_dict()["monthly"])


def test_per_request_rows_count_failed_requests():
    result = import_usage(VALID / "litellm_spendlogs.csv", catalog=False)
    # 3 rows = 3 requests (one has status=failure and 0 tokens)
    assert int(result.monthly["requests"].sum()) == 3


def test_period_of_bucketed_export_runs_to_last_bucket_end():
    result = import_usage(VALID / "openai_usage.csv", catalog=False)
    # last bucket [2025-10-03, 2025-10-04) -> covered through 2025-10-03; the empty bucket counts as covered
    assert result.period == (dt.date(2025, 10, 1), dt.date(2025, 10, 3))


def test_format_override():
    path = VALID / "generic.csv"
    assert import_usage(path, format="generic", catalog=False).format == "generic"
    with pytest.raises(UsageImportError, match="missing required column.*usage_date_utc"):
        import_usage(path, format="anthropic_usage", catalog=False)
    with pytest.raises(UsageImportError, match="unknown format 'nope'"):
        import_usage(path, format="nope", catalog=False)


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p,
        lambda p: str(p),
        lambda p: p.read_bytes(),
        lambda p: p.read_text(encoding="utf-8"),
        lambda p: bytearray(p.read_bytes()),
    ],
    ids=["path", "path-str", "bytes", "text", "bytearray"],
)
def test_input_kinds_agree(make):
    path = VALID / "generic.csv"
    result = import_usage(make(path), filename="generic.csv", catalog=False)
    assert _totals(result) == {"input_tokens": 2_600_000, "cached_input_tokens": 420_000, "output_tokens": 260_000}


def test_row_numbers_are_exact_in_large_parallel_reads():
    # Many Arrow blocks, a short row and a bad value far apart: numbers must be file rows (header = 1).
    lines = [GENERIC.strip()] + [f"2026-01-{1 + i % 28:02d},m{i % 7},{i},{i % 13}" for i in range(300_000)]
    lines[150_000] = "2026-01-05,m,12"  # row 150001: wrong field count
    lines[250_000] = "2026-01-05,m,12,zz"  # row 250001: not a number
    result = import_usage(("\n".join(lines) + "\n").encode(), catalog=False)
    assert result.rows_read == 300_000 and result.rows_skipped == 2
    assert result.problems == [
        "row 150001: wrong number of fields: 3 field(s), expected 4 ('2026-01-05,m,12')",
        "row 250001: output_tokens is not a number ('zz')",
    ]
    kept = [i for i in range(300_000) if i + 1 not in (150_000, 250_000)]
    assert int(result.monthly["input_tokens"].sum()) == sum(kept)


def test_problem_list_is_capped_but_counts_are_not():
    text = GENERIC + "".join(f"2026-01-05,m,{'x' if i % 2 else 1},1\n" for i in range(100))
    result = import_usage(text, catalog=False)
    assert result.rows_skipped == 50 and result.skipped_by_reason == {"input_tokens is not a number": 50}
    assert len(result.problems) == 10 and result.problems[0] == "row 3: input_tokens is not a number ('x')"


def test_to_json_dict_shape():
    data = import_usage(VALID / "openrouter_activity.csv", catalog=False).to_json_dict()
    json.dumps(data)  # JSON-ready
    for key in ("format", "rows_read", "rows_skipped", "problems", "monthly"):
        assert key in data
    assert data["format"] == "openrouter_activity" and data["rows_read"] == 4 and data["rows_skipped"] == 0
    assert list(data["monthly"][0]) == MONTHLY_COLUMNS
    first = data["monthly"][0]
    assert first == {
        "month": "2026-01",
        "model": "openai/gpt-oss-120b",
        "catalog_id": None,
        "input_tokens": 100,
        "cached_input_tokens": 0,
        "output_tokens": 20,
        "requests": 1,
        "cost_usd": 0.0005,
    }
    assert all(isinstance(r["input_tokens"], int) for r in data["monthly"])


def test_monthly_dtypes_are_nullable():
    frame = import_usage(VALID / "anthropic_usage_12.csv", catalog=False).monthly
    assert list(frame.columns) == MONTHLY_COLUMNS
    assert str(frame["input_tokens"].dtype) == "Int64" and str(frame["requests"].dtype) == "Int64"
    assert str(frame["cost_usd"].dtype) == "Float64"


def test_max_upload_constant():
    assert MAX_UPLOAD_MB == 200


# ------------------------------------------------------------------ list-price history


def test_list_price_history_known_values(catalog):
    text = "date,model,input_tokens,output_tokens,cached_input_tokens,cost_usd\n2026-01-01,gpt-5-2025-08-07,10000000,1000000,2000000,20.45\n2026-01-31,gpt-5,0,0,0,\n"
    usage = import_usage(text, catalog=catalog)
    frame = list_price_history(usage, catalog)
    row = frame[frame["model"] == "gpt-5-2025-08-07"].iloc[0]
    # GPT-5: 8M uncached x $1.25 + 2M cached x $0.125 + 1M output x $10 = 10 + 0.25 + 10 = $20.25
    assert row["list_cost_usd"] == pytest.approx(20.25)
    assert row["export_cost_usd"] == pytest.approx(20.45)
    # (20.45 - 20.25) / 20.25 = +0.988%
    assert row["difference_pct"] == pytest.approx(0.98765, abs=1e-4)
    assert math.isnan(frame[frame["model"] == "gpt-5"].iloc[0]["export_cost_usd"])


def test_list_price_history_price_change_mid_month(catalog):
    usage = import_usage(GENERIC + "2026-01-01,pricey,1000000,0\n2026-01-31,pricey,0,0\n", catalog=catalog)
    frame = list_price_history(usage, catalog)
    # 1M input: 10/31 of the month at $1 + 21/31 at $2 = (10 + 42) / 31 = $1.6774
    assert frame.iloc[0]["list_cost_usd"] == pytest.approx(52 / 31)


def test_list_price_history_unknown_model_is_nan_not_zero(catalog):
    usage = import_usage(GENERIC + "2026-01-05,mystery-model,100,10\n2026-01-05,gpt-5,1000000,0\n", catalog=catalog)
    frame = list_price_history(usage, catalog)
    mystery = frame[frame["model"] == "mystery-model"].iloc[0]
    assert math.isnan(mystery["list_cost_usd"]) and pd.isna(mystery["catalog_id"])
    assert unpriced_models(frame) == ["mystery-model"]
    # the user maps it to gpt-mini: 100 x 0.25 + 10 x 2 = 45 per 1M -> $0.000045
    mapped = list_price_history(usage, catalog, model_map={"mystery-model": "gpt-5-mini"})
    assert mapped[mapped["model"] == "mystery-model"].iloc[0]["list_cost_usd"] == pytest.approx(45e-6)
    assert unpriced_models(mapped) == []


def test_list_price_history_overrides_and_cost_only(catalog):
    usage = import_usage(GENERIC + "2026-01-05,gpt-5,1000000,1000000\n", catalog=catalog)
    frame = list_price_history(usage, catalog, price_overrides={"gpt-5": {"input": 2.0, "output": 3.0}})
    assert frame.iloc[0]["list_cost_usd"] == pytest.approx(5.0)  # 1M x $2 + 1M x $3
    cost_only = import_usage(VALID / "anthropic_cost.csv", catalog=catalog)
    frame = list_price_history(cost_only, catalog)
    assert frame["list_cost_usd"].isna().all()
    assert frame["export_cost_usd"].sum() == pytest.approx(0.07 + 0.09 + 1.91)


# ------------------------------------------------------------------ workload from usage


def _monthly_file(months: dict[str, tuple[int, int]], last_day: str | None = None, model="gpt-5") -> str:
    """One row on the 1st and one on the last day of each month: (requests, tokens per request)."""
    rows = ["date,model,input_tokens,output_tokens,cached_input_tokens,requests"]
    for month, (requests, per_request) in months.items():
        rows.append(
            f"{month}-01,{model},{requests * per_request},{requests * per_request // 10},{requests * per_request // 4},{requests}"
        )
        end = pd.Period(month).end_time.date().isoformat()
        rows.append(f"{end},{model},0,0,0,0")
    if last_day:
        rows.append(f"{last_day},{model},5,5,0,1")
    return "\n".join(rows) + "\n"


def test_workload_from_last_full_month_and_growth(catalog):
    # Jan 1M, Feb 1.1M, Mar 1.21M input (+10%/month, outputs a tenth), April partial (ends 04-14)
    text = _monthly_file({"2026-01": (1000, 1000), "2026-02": (1100, 1000), "2026-03": (1210, 1000)}, last_day="2026-04-14")
    usage = import_usage(text, catalog=catalog)
    assert full_months(usage) == ["2026-01", "2026-02", "2026-03"]
    doc = workload_from_usage(usage)
    assert doc["source_month"] == "2026-03"
    assert any("2026-04 is partial" in n for n in doc["notes"])
    # March: 1210 requests, 1,210,000 input -> 1000 per request, 121,000 output -> 100, cached 302,500 / 1,210,000 = 0.25
    assert doc["workload"] == {
        "requests_per_month": 1210,
        "input_tokens": 1000.0,
        "output_tokens": 100.0,
        "reasoning_tokens": 0,
        "cached_input_share": 0.25,
    }
    assert doc["hybrid"]["routes"] == [{"model": "gpt-5", "share": 1.0}]
    # total tokens 1.1M, 1.21M, 1.331M: log-linear slope = log(1.1) -> +10%/month
    assert doc["growth"]["monthly_rate"] == pytest.approx(0.10, abs=1e-6)
    assert doc["growth_fit"]["months"] == ["2026-01", "2026-02", "2026-03"]
    assert doc["fit_note"].startswith("growth fitted over 3 full months (2026-01..2026-03, monthly tokens")
    assert "+10.0%/month, 95% range +10.0% to +10.0%" in doc["fit_note"]  # an exact fit has no spread


def test_workload_refuses_growth_with_one_month():
    doc = workload_from_usage(import_usage(_monthly_file({"2026-01": (10, 100)}), catalog=False))
    assert doc["growth"] is None
    assert "at least 3 needed" in doc["fit_note"]


def test_workload_without_request_counts(catalog):
    usage = import_usage(VALID / "anthropic_usage_12.csv", catalog=catalog)
    doc = workload_from_usage(usage)
    assert doc["volume_unit"] == "tokens"
    assert any("the export has no request count: the forecast works in tokens" in n for n in doc["notes"])
    # no month is fully covered (data 2026-01-16..2026-02-01): January has 16 of 31 days, the most,
    # so its totals are scaled by 31/16. Only the priced part (Haiku 4.5; this catalog has no Opus 4)
    # enters the workload: input (1000+200+300+400 + 10+20+30+40) x 31/16 = 2000 x 31/16 = 3875
    assert doc["source_month"] == "2026-01"
    assert doc["totals"]["input_tokens"] == 3875 and doc["totals"]["requests"] is None
    # Opus 4's 6322 + 9010 tokens of January's 6322 + 9010 + 2000 + 55 are shown apart
    assert doc["unpriced"]["models"] == ["claude-opus-4-20250514"]
    assert doc["unpriced"]["token_share"] == pytest.approx((6322 + 9010) / (6322 + 9010 + 2000 + 55))
    assert doc["summary"]["requests_per_month"] is None
    assert any("covers 16 of its 31 days" in n for n in doc["notes"])
    # volume in units of 1,000 tokens: (input + output) / 1000, no invented request size
    tokens = doc["totals"]["input_tokens"] + doc["totals"]["output_tokens"]
    assert doc["workload"]["requests_per_month"] == tokens / 1000
    assert doc["workload"]["input_tokens"] + doc["workload"]["output_tokens"] == pytest.approx(1000)


def test_route_shares_sum_to_exactly_one(catalog):
    rows = ["date,model,input_tokens,output_tokens,requests"]
    for model, requests in (("gpt-5", 1), ("gpt-5-mini", 1), ("claude-haiku-4-5", 1), ("unknown-x", 5)):
        rows += [f"2026-01-01,{model},10,1,{requests}", f"2026-01-31,{model},0,0,0"]
    doc = workload_from_usage(import_usage("\n".join(rows) + "\n", catalog=catalog))
    shares = [r["share"] for r in doc["hybrid"]["routes"]]
    assert sum(shares) == 1.0 and len(shares) == 3  # thirds, unknown-x left out
    assert any("unknown-x" in n for n in doc["notes"])
    mapped = workload_from_usage(import_usage("\n".join(rows) + "\n", catalog=catalog), model_map={"unknown-x": "gpt-5"})
    # gpt-5 gets its own 1 request + unknown-x's 5 = 6 of 8
    assert {r["model"]: r["share"] for r in mapped["hybrid"]["routes"]}["gpt-5"] == pytest.approx(0.75)


def test_workload_cost_only_fits_spend():
    doc = workload_from_usage(import_usage(VALID / "openai_cost.csv", catalog=False))
    assert doc["workload"] == {} and doc["growth"] is None


# ------------------------------------------------------------------ warehouse SQL


def test_warehouse_sql_dialects():
    assert set(WAREHOUSE_SQL) == {"bigquery", "snowflake", "spark"}
    for sql in WAREHOUSE_SQL.values():
        for column in ("date", "model", "input_tokens", "output_tokens", "cached_input_tokens", "requests"):
            assert f"AS {column}" in sql or f"\n  {column}," in sql


def test_spark_sql_runs_and_imports(tmp_path):
    # The Spark query is also valid DuckDB SQL: run it on a per-request table, import the CSV.
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE llm_requests AS SELECT TIMESTAMP '2026-01-31 23:59:00' + INTERVAL (i) MINUTE AS ts,"
        " CASE WHEN i % 2 = 0 THEN 'gpt-5' ELSE 'claude-haiku-4-5' END AS model,"
        " 100 AS input_tokens, CASE WHEN i % 3 = 0 THEN NULL ELSE 10 END AS cached_input_tokens, 5 AS output_tokens"
        " FROM range(4) t(i)"
    )
    out = tmp_path / "monthly.csv"
    con.execute(f"COPY ({WAREHOUSE_SQL['spark'].split(chr(10), 1)[1]}) TO '{out}' (HEADER, DELIMITER ',')")
    result = import_usage(out, catalog=False)
    assert result.format == "generic"
    # i=0 at 23:59 Jan 31 (gpt-5), i=1..3 in February; cached NULL for i=0 and i=3
    assert _row(result, "2026-01", "gpt-5")["requests"] == 1
    haiku = _row(result, "2026-02", "claude-haiku-4-5")  # i=1 and i=3
    assert (haiku["input_tokens"], haiku["cached_input_tokens"], haiku["output_tokens"], haiku["requests"]) == (200, 10, 10, 2)
    gpt = _row(result, "2026-02", "gpt-5")  # i=2
    assert (gpt["input_tokens"], gpt["cached_input_tokens"], gpt["requests"]) == (100, 10, 1)


# ------------------------------------------------------------------ CLI


def test_cli_json():
    out, err = io.StringIO(), io.StringIO()
    assert run_usage_cli(str(VALID / "openai_usage.csv"), True, None, out, err) == 0
    data = json.loads(out.getvalue())
    assert data["format"] == "openai_usage" and data["rows_read"] == 4
    assert err.getvalue() == ""


def test_cli_table():
    out, err = io.StringIO(), io.StringIO()
    assert run_usage_cli(str(CORPUS / "negative_tokens.csv"), False, "generic", out, err) == 0
    text = out.getvalue()
    assert "gpt-5" in text and "skipped rows:" in text and "row 3: input_tokens is negative" in text


@pytest.mark.parametrize(
    ("path", "fmt", "message"),
    [
        ("does/not/exist.csv", None, "no such file"),
        (str(CORPUS), None, "is a directory"),
        (str(CORPUS / "binary.bin"), None, "binary file"),
        (str(CORPUS / "unknown_header.csv"), None, "header not recognised"),
        (str(VALID / "generic.csv"), "bogus", "unknown format 'bogus'"),
        (str(VALID / "generic.csv"), "openai_usage", "missing required column"),
        (str(CORPUS / "empty.csv"), None, "empty"),
    ],
    ids=["missing", "directory", "binary", "unknown-header", "unknown-format", "wrong-format", "empty"],
)
def test_cli_exit_2_with_one_line(path, fmt, message):
    out, err = io.StringIO(), io.StringIO()
    assert run_usage_cli(path, True, fmt, out, err) == 2
    text = err.getvalue()
    assert text.startswith("error: ") and message in text
    assert text.count("\n") == 1 and "Traceback" not in text
    assert out.getvalue() == ""


# ------------------------------------------------------------------ properties

_MODELS = st.sampled_from(["gpt-5", "claude-haiku-4-5", "anthropic/claude-4.5-haiku-20251001", "m,with,commas", 'quote"d'])
_ROWS = st.lists(
    st.tuples(
        st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
        _MODELS,
        st.integers(0, 10**12),
        st.integers(0, 10**12),
        st.integers(0, 10**12),
        st.integers(0, 10**6),
    ),
    min_size=1,
    max_size=40,
)


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"') else text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_ROWS)
def test_property_generic_totals_equal_row_sums(rows):
    lines = ["date,model,input_tokens,output_tokens,cached_input_tokens,requests"]
    for day, model, inp, out, cached, req in rows:
        lines.append(f"{day.isoformat()},{_csv_cell(model)},{inp},{out},{min(cached, inp)},{req}")
    result = import_usage("\n".join(lines) + "\n", catalog=False)
    assert result.rows_read == len(rows) and result.rows_skipped == 0
    frame = result.monthly
    assert int(frame["input_tokens"].sum()) == sum(r[2] for r in rows)
    assert int(frame["output_tokens"].sum()) == sum(r[3] for r in rows)
    assert int(frame["cached_input_tokens"].sum()) == sum(min(r[4], r[2]) for r in rows)
    assert int(frame["requests"].sum()) == sum(r[5] for r in rows)
    numeric = frame[["input_tokens", "cached_input_tokens", "output_tokens", "requests"]]
    assert not numeric.isna().any().any() and (numeric.to_numpy(dtype=np.int64) >= 0).all()
    assert set(zip(frame["month"], frame["model"], strict=True)) == {(r[0].strftime("%Y-%m"), r[1]) for r in rows}


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400))
def test_property_garbage_bytes_never_crash(data):
    try:
        result = import_usage(data, catalog=False)
    except UsageImportError as exc:
        assert str(exc).startswith("upload.csv: ")
        return
    assert isinstance(result, UsageImport)


@settings(max_examples=200, deadline=None)
@given(
    body=st.lists(
        st.lists(
            st.sampled_from(["", "1", "-1", "x", "1e30", "nan", "2026-01-05", "2026-13-01", '"', ",", " ", "gpt-5", "\n"]),
            max_size=6,
        ),
        max_size=8,
    )
)
def test_property_garbage_rows_under_a_valid_header(body):
    text = GENERIC + "\n".join(",".join(cells) for cells in body) + "\n"
    try:
        result = import_usage(text, catalog=False)
    except UsageImportError:
        return
    assert result.rows_read >= result.rows_skipped + result.rows_ignored
    numeric = result.monthly[["input_tokens", "output_tokens"]].to_numpy(dtype=np.int64)
    assert (numeric >= 0).all()


def _big_generic(rows: int) -> bytes:
    lines = [GENERIC.strip()] + [f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},m{i % 7},{i},{i % 13}" for i in range(rows)]
    lines[rows // 3] = "2026-01-05,m,12"  # wrong field count
    lines[2 * rows // 3] = "2026-01-05,m,12,zz"  # not a number
    lines[rows - 1] = "2026-01-05,m,-1,1"  # negative
    return ("\n".join(lines) + "\n").encode()


def test_segmented_read_matches_one_piece(monkeypatch, tmp_path):
    import calculators.usage.reader as reader

    data = _big_generic(200_000)
    whole = import_usage(data, catalog=False).to_json_dict()
    monkeypatch.setattr(reader, "SEGMENT_BYTES", 1 << 16)  # ~50 pieces
    assert len(reader.segment_bounds(reader.Source(data, "x.csv"), reader.sniff(reader.Source(data, "x.csv"), None))) > 20
    assert import_usage(data, catalog=False).to_json_dict() == whole
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    assert import_usage(path, filename="upload.csv", catalog=False).to_json_dict() == {**whole, "filename": "big.csv"}
    assert whole["rows_skipped"] == 3 and [p.split(":")[0] for p in whole["problems"]] == [
        "row 66667",
        "row 133334",
        "row 200000",
    ]  # list index + 1


def test_quoted_newlines_after_the_sample_and_across_cuts(monkeypatch):
    import calculators.usage.reader as reader

    header, row = (VALID / "helicone.csv").read_text(encoding="utf-8").splitlines()[:2]
    plain = [row] * 3000
    multiline = [row.replace('{""""model""""', '{""""text"""":""""a\nb\nc""""') for _ in range(3000)]
    text = "\n".join([header, *plain, *multiline]) + "\n"  # first quoted newline beyond the 64 KB sample
    monkeypatch.setattr(reader, "SEGMENT_BYTES", 1 << 15)
    result = import_usage(text, catalog=False)
    assert result.rows_read == 6000 and result.rows_skipped == 0
    # 6000 requests x 1000 prompt tokens
    assert int(result.monthly["input_tokens"].sum()) == 6_000_000 and int(result.monthly["requests"].sum()) == 6000


def test_int64_overflow_is_refused():
    # 6000 rows x 9e14 tokens (each under the 1e15 row limit) = 5.4e18 > 2^62: sums could wrap
    text = GENERIC + "2026-01-01,m,900000000000000,0\n" * 6000
    with pytest.raises(UsageImportError, match="token totals are implausibly large"):
        import_usage(text, catalog=False)


@pytest.mark.parametrize(
    ("cell", "tokens"),
    [
        ("1234", 1234),
        ("1234.0", 1234),  # OpenAI writes floats
        ('"1,234,567"', 1234567),  # spreadsheet thousands separators
        (" 7 ", 7),
        ("1e3", 1000),
        ("4.5e2", 450),
        ("$12", 12),
        ("", 0),  # empty cell = 0
        ("NULL", 0),
    ],
    ids=["int", "float", "thousands", "spaces", "exp", "exp-frac", "dollar", "empty", "null-word"],
)
def test_number_spellings(cell, tokens):
    result = import_usage(f"{GENERIC}2026-01-05,m,{cell},1\n2026-01-06,m,0,abc\n", catalog=False)
    assert int(result.monthly["input_tokens"].sum()) == tokens
    assert result.rows_skipped == 1  # the 'abc' row, whatever the fast path did with the column


@settings(max_examples=2000, deadline=None)
@given(weights=st.lists(st.floats(0.001, 1e9), min_size=1, max_size=12))
def test_property_route_shares_sum_to_one(weights):
    from calculators.usage.history import _exact_shares

    routes = _exact_shares({f"m{i}": w for i, w in enumerate(weights)})
    assert sum(r["share"] for r in routes) == 1.0
    assert all(0 <= r["share"] <= 1 for r in routes)


def test_segmented_per_request_export_counts_every_row(monkeypatch):
    import calculators.usage.reader as reader

    header, *rows = (VALID / "openrouter_activity.csv").read_text(encoding="utf-8").splitlines()
    text = "\n".join([header, *(rows * 2500)]) + "\n"  # 10,000 generations, ~2 MB
    whole = import_usage(text, catalog=False).to_json_dict()
    monkeypatch.setattr(reader, "SEGMENT_BYTES", 1 << 16)
    pieces = import_usage(text, catalog=False).to_json_dict()
    assert pieces == whole
    # 2500 copies of the 4 sample generations: requests 2500 x (1 + 2 + 1), input 2500 x 1810
    assert sum(m["requests"] for m in pieces["monthly"]) == 10_000
    assert sum(m["input_tokens"] for m in pieces["monthly"]) == 4_525_000
    assert sum(m["cost_usd"] for m in pieces["monthly"]) == pytest.approx(2500 * 0.0149)
