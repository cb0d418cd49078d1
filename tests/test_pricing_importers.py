"""Importers from LiteLLM and genai-prices: conversion, diff, --write, and the CLI around them.

Each test builds a small catalog in tmp_path, so nothing depends on the shipped vendor files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pricing.__main__ import main
from pricing.catalog import LongContextTier, load_catalog
from pricing.importers import (
    DATABASE_URLS,
    GENAI_PRICES,
    LITELLM,
    InputError,
    detect_format,
    dump_vendor_document,
    genai_prices_to_models,
    litellm_to_models,
    per_million,
    per_token,
    resolve_vendor,
)

TODAY = dt.date(2026, 12, 1)
CHECKED = dt.date(2026, 11, 1)
FIXTURES = Path(__file__).parent / "fixtures"
LITELLM_FILE = FIXTURES / "litellm_sample.json"
GENAI_FILE = FIXTURES / "genai_prices_sample.json"
OPENAI_URL = "https://developers.openai.com/api/docs/pricing"
GOOGLE_URL = "https://ai.google.dev/gemini-api/docs/pricing"

# Hand-written, with comments and aligned values, as the shipped files are: --write must keep them.
ANTHROPIC_YAML = """\
# Anthropic list prices.
vendor: anthropic
name: Anthropic
kind: api
models:
  - id: claude-haiku-4-5       # stable catalog id
    name: Claude Haiku 4.5
    tier: small
    aliases:
      - claude-haiku-4-5-20251001
      - anthropic/claude-haiku-4.5
    status: active
    context_window: 200000
    prices:                    # oldest first
      - from: 2025-10-15       # inclusive
        to: null               # exclusive; null = still in force
        input: 0.80
        output: 4.00
        cached_input: 0.08
        cache_write: 1.00
        batch_discount: 0.5
        source: https://platform.claude.com/docs/en/about-claude/pricing
        checked: 2026-11-01
        note: >-
          A stale third-party figure (Haiku 3.5 pricing), here so the import has something to fix.

  - id: claude-opus-4-1
    name: Claude Opus 4.1
    tier: flagship
    status: retired
    prices:
      - from: 2025-08-05
        input: 15.0
        output: 75.0
        source: https://platform.claude.com/docs/en/about-claude/pricing
        checked: 2026-11-01
"""


def _entry(start: dt.date, input_price: float, output_price: float, source: str, **extra: object) -> dict:
    return {
        "from": start,
        "to": None,
        "input": input_price,
        "output": output_price,
        **extra,
        "source": source,
        "checked": CHECKED,
    }


OPENAI_DOC = {
    "vendor": "openai",
    "name": "OpenAI",
    "kind": "api",
    "models": [
        # 0.40/1.60 is the wrong gpt-5-mini price of a public code table (pricing-facts §5.5).
        {
            "id": "gpt-5-mini",
            "name": "GPT-5 mini",
            "tier": "small",
            "prices": [_entry(dt.date(2025, 8, 7), 0.40, 1.60, OPENAI_URL, cached_input=0.04, batch_discount=0.5)],
        },
        {"id": "gpt-4.1", "name": "GPT-4.1", "tier": "mid", "prices": [_entry(dt.date(2025, 4, 14), 2.0, 8.0, OPENAI_URL)]},
        {
            "id": "o3",
            "name": "o3",
            "tier": "flagship",
            "prices": [_entry(dt.date(2025, 4, 16), 10.0, 40.0, OPENAI_URL, cached_input=2.5)],
        },
    ],
}
GOOGLE_DOC = {
    "vendor": "google",
    "name": "Google",
    "kind": "api",
    "models": [
        # LiteLLM's older 0.025 cache read (pricing-facts §5.2); the newer file says 0.01.
        {
            "id": "gemini-2.5-flash-lite",
            "name": "Gemini 2.5 Flash-Lite",
            "tier": "small",
            "prices": [_entry(dt.date(2025, 7, 22), 0.10, 0.40, GOOGLE_URL, cached_input=0.025, batch_discount=0.5)],
        },
        {
            "id": "gemini-4-argon",
            "name": "Gemini 4 Argon",
            "tier": "flagship",
            "prices": [_entry(dt.date(2026, 9, 30), 2.0, 10.0, GOOGLE_URL, cached_input=0.1, batch_discount=0.5)],
        },
    ],
}
GPUS_DOC = {
    "gpus": [
        {
            "id": "h100-sxm",
            "name": "NVIDIA H100 SXM 80GB",
            "memory_gb": 80,
            "offers": [
                {
                    "provider": "lambda",
                    "usd_per_gpu_hour": 3.99,
                    "terms": "on-demand",
                    "source": "https://lambda.ai/instances",
                    "checked": CHECKED,
                }
            ],
        }
    ]
}
SERVING_DOC = {
    "profiles": [
        {
            "id": "llama-3.3-70b-fp8-2xh100",
            "name": "Llama 3.3 70B FP8, 2x H100",
            "model": "llama-3.3-70b",
            "gpu": "h100-sxm",
            "gpus_per_replica": 2,
            "default_offer": "h100-sxm@lambda",
            "prefill_tokens_per_s": 40000,
            "decode_tokens_per_s": 1600,
            "source": "https://example.com/benchmark",
            "checked": CHECKED,
        }
    ]
}


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    vendors = tmp_path / "vendors"
    vendors.mkdir()
    (vendors / "anthropic.yaml").write_text(ANTHROPIC_YAML, encoding="utf-8")
    # PyYAML's default layout (sequences not indented under their key): the editor must cope.
    (vendors / "openai.yaml").write_text(yaml.safe_dump(OPENAI_DOC, sort_keys=False), encoding="utf-8")
    (vendors / "google.yaml").write_text(dump_vendor_document(GOOGLE_DOC), encoding="utf-8")
    (tmp_path / "gpus.yaml").write_text(yaml.safe_dump(GPUS_DOC, sort_keys=False), encoding="utf-8")
    (tmp_path / "serving.yaml").write_text(yaml.safe_dump(SERVING_DOC, sort_keys=False), encoding="utf-8")
    return tmp_path


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def imported_by_id(result) -> dict:
    """First-party listings by proposed id (resold ones, such as Claude on Bedrock, left out)."""
    return {m.id: m for m in result.models if not m.resold}


LITELLM_RESULT = litellm_to_models(json.loads(LITELLM_FILE.read_text()))
GENAI_RESULT = genai_prices_to_models(json.loads(GENAI_FILE.read_text()))


# ------------------------------------------------------------------ unit conversion


@pytest.mark.parametrize(
    ("per_token_price", "expected"),
    [
        (1.25e-06, 1.25),  # 1.25e-06 $/token × 1e6 = 1.2499999999999998 -> 1.25 $/1M
        (3e-06, 3.0),  # 3e-06 $/token × 1e6 = 3.00 $/1M
        (1.25e-07, 0.125),  # 1.25e-07 × 1e6 = 0.12499999999999999 -> 0.125
        (2.8e-08, 0.028),  # 2.8e-08 × 1e6 = 0.028 (DeepSeek V3.2 cache hit)
        (6e-09, 0.006),  # 6e-09 × 1e6 = 0.006 (DeepSeek Flash cache hit)
        (0.00012, 120.0),  # 1.2e-04 × 1e6 = 120.00 (gpt-5-pro output)
        (0.0, 0.0),
    ],
    ids=["1.25", "3.00", "0.125", "0.028", "0.006", "120", "zero"],
)
def test_per_million_known_values(per_token_price: float, expected: float) -> None:
    assert per_million(per_token_price) == expected


@given(st.floats(min_value=0, max_value=0.01, allow_nan=False, allow_infinity=False, allow_subnormal=False))
def test_per_million_round_trip(per_token_price: float) -> None:
    # Six significant digits: the rounding error is at most half a unit in the 6th digit,
    # 0.5 × 10^-5 relative.
    converted = per_million(per_token_price)
    assert converted >= 0
    assert math.isclose(per_token(converted), per_token_price, rel_tol=5e-6, abs_tol=1e-300)


# --------------------------------------------------------------------------- LiteLLM


@pytest.mark.parametrize(
    ("model_id", "field", "expected"),
    [
        ("gpt-5", "input", 1.25),  # 1.25e-06 × 1e6 = 1.25
        ("gpt-5", "cached_input", 0.125),  # 1.25e-07 × 1e6 = 0.125
        ("gpt-5", "batch_discount", 0.5),  # 1 − 6.25e-07 / 1.25e-06 = 0.5
        ("claude-haiku-4-5", "cache_write", 1.25),  # cache_creation_input_token_cost 1.25e-06
        ("deepseek-flash", "cached_input", 0.006),  # 6e-09 × 1e6
        ("gpt-5-pro", "output", 120.0),  # mode "responses" is a chat model; 1.2e-04 × 1e6
        # above_200k: 2.5e-06 → 2.50 in, 1.5e-05 → 15.00 out, 2.5e-07 → 0.25 cache read
        ("gemini-2.5-pro", "long_context", LongContextTier(200000, 2.5, 15.0, 0.25, None)),
        # above_272k: 5e-06 → 5.00, 2.25e-05 → 22.50; the `_priority` variant is not read
        ("gpt-5.4", "long_context", LongContextTier(272000, 5.0, 22.5, 0.5, None)),
        ("gemini-2.5-flash-lite", "batch_discount", None),  # no `_batches` key: not given
    ],
    ids=["input", "cache-read", "batch", "cache-write", "tiny", "responses-mode", "above-200k", "above-272k", "no-batch"],
)
def test_litellm_prices(model_id: str, field: str, expected: object) -> None:
    prices = imported_by_id(LITELLM_RESULT)[model_id].price_on(TODAY)
    assert getattr(prices, field) == expected


@pytest.mark.parametrize(
    ("model_id", "attribute", "expected"),
    [
        ("gpt-5", "retires", dt.date(2026, 12, 11)),  # deprecation_date
        ("gpt-5", "context_window", 272000),  # max_input_tokens
        ("gpt-5", "max_output", 128000),
        # Where the number was read: the database's file, never the vendor page it may cite.
        ("gpt-5", "source", DATABASE_URLS[LITELLM]),
        ("deepinfra-llama-4-scout-17b-16e-instruct", "source", DATABASE_URLS[LITELLM]),
        ("gemini-2.5-pro", "key", "gemini/gemini-2.5-pro"),  # the Gemini API listing wins over Vertex AI
        ("gemini-2.5-pro", "vendor", "google"),
        ("together-qwen3-235b-a22b-instruct-2507-tput", "vendor", "together"),
        ("fireworks-llama4-scout-instruct-basic", "key", "fireworks_ai/accounts/fireworks/models/llama4-scout-instruct-basic"),
    ],
    ids=["retires", "context", "max-output", "source", "source-default", "gemini-preferred", "google", "together", "fireworks"],
)
def test_litellm_metadata(model_id: str, attribute: str, expected: object) -> None:
    assert getattr(imported_by_id(LITELLM_RESULT)[model_id], attribute) == expected


def test_litellm_folds_duplicate_listings() -> None:
    models = imported_by_id(LITELLM_RESULT)
    assert "claude-haiku-4-5-20251001" in models["claude-haiku-4-5"].aliases  # dated id, same prices
    assert "claude-haiku-4-5-20251001" not in models
    assert [m.key for m in LITELLM_RESULT.models].count("gemini-2.5-pro") == 0  # Vertex copy folded


@pytest.mark.parametrize(
    "key",
    ["text-embedding-3-small", "gemini/gemini-embedding-001", "dall-e-3", "tts-1", "omni-moderation-latest", "sample_spec"],
    ids=["embedding", "gemini-embedding", "image", "tts", "moderation", "sample-spec"],
)
def test_litellm_skips(key: str) -> None:
    assert all(key not in m.names() for m in LITELLM_RESULT.models)


@pytest.mark.parametrize(
    "key",
    ["anthropic.claude-haiku-4-5-20251001-v1:0", "vertex_ai/claude-haiku-4-5@20251001"],
    ids=["bedrock", "vertex-claude"],
)
def test_resold_claude_is_filed_under_anthropic_as_resold(key: str) -> None:
    # Claude on Bedrock and Vertex: Anthropic's model at a reseller's price, never Google's or a new model.
    (listing,) = [m for m in LITELLM_RESULT.models if m.key == key]
    assert (listing.vendor, listing.resold) == ("anthropic", True)


def test_litellm_by_vendor() -> None:
    grouped = LITELLM_RESULT.by_vendor()
    assert sorted(grouped) == ["anthropic", "deepinfra", "deepseek", "fireworks", "google", "openai", "together"]
    assert {m.id for m in grouped["google"]} == {"gemini-2.5-pro", "gemini-2.5-flash-lite", "gemini-3-flash-preview"}


def test_litellm_skip_counts() -> None:
    assert LITELLM_RESULT.skipped["not a text-generation model in scope (embedding)"] == 2
    assert sum(m.resold for m in LITELLM_RESULT.models) == 2  # Claude on Bedrock and on Vertex


def test_litellm_negative_price_is_skipped_with_a_warning() -> None:
    data = {
        "gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06}
    }
    result = litellm_to_models(data)
    assert result.models == []
    assert result.skipped["invalid price"] == 1
    assert "gpt-x" in result.warnings[0]


# ---------------------------------------------------------------------- genai-prices


@pytest.mark.parametrize(
    ("model_id", "day", "field", "expected"),
    [
        ("claude-haiku-4-5", TODAY, "cache_write", 1.25),  # cache_write_mtok (the 5-minute write)
        # {base, tiers: [{start: 200000, price}]} on every field: 6 / 22.5 / 0.6 / 7.5
        ("claude-sonnet-4-5", TODAY, "long_context", LongContextTier(200000, 6.0, 22.5, 0.6, 7.5)),
        ("gemini-2.5-pro", TODAY, "long_context", LongContextTier(200000, 2.5, 15.0, 0.25, None)),
        ("o3", dt.date(2025, 6, 9), "input", 10.0),  # before the 2025-06-10 constraint
        ("o3", dt.date(2025, 6, 10), "input", 2.0),  # the 80% cut: 10 × 0.2 = 2
        ("gemini-4-argon", dt.date(2026, 11, 30), "output", 10.0),  # launch price
        ("gemini-4-argon", dt.date(2026, 12, 1), "output", 20.0),  # future-dated change
        ("deepseek-flash", TODAY, "input", 0.3),  # peak; the off-peak time-of-day price is not a period
        ("gpt-5", TODAY, "batch_discount", None),  # genai-prices has no batch prices
    ],
    ids=[
        "cache-write",
        "tiers",
        "tiers-no-write",
        "history-before",
        "history-after",
        "future-before",
        "future-after",
        "peak",
        "no-batch",
    ],
)
def test_genai_prices(model_id: str, day: dt.date, field: str, expected: object) -> None:
    assert getattr(imported_by_id(GENAI_RESULT)[model_id].price_on(day), field) == expected


def test_genai_prices_skips_and_notes() -> None:
    models = imported_by_id(GENAI_RESULT)
    assert "text-embedding-3-small" not in models  # by name (and it has no output price)
    assert all(m.vendor != "openrouter" for m in GENAI_RESULT.models)
    assert GENAI_RESULT.skipped["provider not in the vendor table"] == 1
    assert any("time-of-day" in note for note in models["deepseek-flash"].notes)
    assert "gpt-5-2025-08-07" in models["gpt-5"].aliases  # from the `equals` match clauses
    assert models["gpt-5"].source == DATABASE_URLS[GENAI_PRICES]  # the database file, not the pricing_urls it cites


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"gpt-5": {"litellm_provider": "openai"}}, LITELLM),
        ([{"id": "openai", "models": []}], GENAI_PRICES),
        ({"gpt-5": {"input_mtok": 1}}, None),
        ([], None),
        ("text", None),
    ],
    ids=["litellm", "genai-prices", "unknown-object", "empty-list", "string"],
)
def test_detect_format(data: object, expected: str | None) -> None:
    assert detect_format(data) == expected


@pytest.mark.parametrize(
    ("name", "vendor"),
    [
        ("google", "google"),
        ("gemini", "google"),
        ("vertex_ai-language-models", "google"),
        ("together_ai", "together"),
        ("fireworks", "fireworks"),
    ],
    ids=["catalog-id", "litellm-gemini", "litellm-vertex", "litellm-together", "genai-fireworks"],
)
def test_resolve_vendor(name: str, vendor: str) -> None:
    assert resolve_vendor(name) == vendor


def test_resolve_vendor_unknown() -> None:
    with pytest.raises(InputError, match="unknown vendor"):
        resolve_vendor("bedrock")


# ----------------------------------------------------------------------- diff (CLI)


def test_diff_lists_old_and_new_prices_and_writes_nothing(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(catalog_dir)
    code, out, _ = run(capsys, "import-litellm", LITELLM_FILE, "--catalog-dir", catalog_dir, "--today", TODAY)
    assert code == 0
    assert "gpt-5-mini [openai] ← gpt-5-mini, from 2026-12-01" in out
    assert "input: 0.40 → 0.25 (-37.5%)" in out  # 2.5e-07 × 1e6 = 0.25; (0.25 − 0.40) / 0.40 = −37.5%
    assert "output: 1.60 → 2.00 (+25.0%)" in out  # 2e-06 × 1e6 = 2.00; (2.00 − 1.60) / 1.60 = +25%
    assert "cached_input: 0.025 → 0.01 (-60.0%)" in out  # 1e-08 × 1e6 = 0.01; (0.01 − 0.025) / 0.025 = −60%
    assert "kept from the current entry (not in LiteLLM): batch_discount" in out
    assert "gpt-5 [openai] ← gpt-5: input 1.25, output 10.00, cached_input 0.125, batch_discount 50% off" in out
    assert "Catalog models missing from the file" in out and "gpt-4.1 [openai]" in out
    assert "claude-opus-4-1" not in out  # retired: expected to be missing
    assert "Dry run: nothing written" in out
    assert snapshot(catalog_dir) == before


@pytest.mark.parametrize(
    ("vendor", "present", "absent"),
    [
        ("openai", ["gpt-5-mini [openai]", "gpt-4.1 [openai]"], ["[google]", "[anthropic]", "[deepseek]"]),
        ("gemini", ["gemini-2.5-flash-lite [google]", "gemini-3-flash-preview [google]"], ["[openai]", "[anthropic]"]),
        ("together_ai", ["together-qwen3-235b-a22b-instruct-2507-tput [together]"], ["[openai]", "[google]"]),
    ],
    ids=["catalog-id", "litellm-provider-name", "new-vendor"],
)
def test_vendor_filter(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str], vendor: str, present: list[str], absent: list[str]
) -> None:
    code, out, _ = run(capsys, "import-litellm", LITELLM_FILE, "--vendor", vendor, "--catalog-dir", catalog_dir, "--today", TODAY)
    assert code == 0
    assert all(text in out for text in present)
    assert not any(text in out for text in absent)


@pytest.mark.parametrize(
    ("names", "present", "absent"),
    [
        # a catalog alias
        (["anthropic/claude-haiku-4.5"], ["claude-haiku-4-5 [anthropic]", "input: 0.80 → 1.00 (+25.0%)"], ["gpt-5-mini"]),
        # the database key
        (["gemini/gemini-2.5-flash-lite"], ["gemini-2.5-flash-lite [google]"], ["gpt-5-mini", "claude"]),
        # a new model and a catalog id
        (["gpt-5", "gpt-5-mini"], ["gpt-5 [openai] ← gpt-5:", "gpt-5-mini [openai]"], ["gpt-5.4", "gemini"]),
        # retired per LiteLLM (2026-11-30), so skipped in bulk, but added when asked for by name
        (["claude-sonnet-4-5"], ["claude-sonnet-4-5 [anthropic]", "New models (1)"], ["gpt"]),
        (["nope"], ["Not in the file: nope"], ["Changed prices", "New models"]),
    ],
    ids=["catalog-alias", "database-key", "two-names", "asked-for-retired", "unknown"],
)
def test_model_filter(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str], names: list[str], present: list[str], absent: list[str]
) -> None:
    argv = ["import-litellm", LITELLM_FILE, "--catalog-dir", catalog_dir, "--today", TODAY]
    for name in names:
        argv += ["--model", name]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert all(text in out for text in present)
    assert not any(text in out for text in absent)
    assert "Catalog models missing" not in out  # only meaningful for a whole vendor or file


# --------------------------------------------------------------------------- --write


def test_write_closes_current_entry_and_appends(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import-litellm", LITELLM_FILE, "--write", "--catalog-dir", catalog_dir, "--today", TODAY)
    assert code == 0, out
    assert "the catalog loads" in out
    catalog = load_catalog(catalog_dir)
    old, new = catalog.models["gpt-5-mini"].prices
    assert (old.end, old.input) == (TODAY, 0.40)
    assert (new.start, new.end, new.input, new.output, new.cached_input) == (TODAY, None, 0.25, 2.0, 0.025)
    assert (new.source, new.checked) == (DATABASE_URLS[LITELLM], TODAY)
    assert new.batch_discount == 0.5  # LiteLLM also gives 1.25e-07 / 2.5e-07 = 50% off
    assert "imported from LiteLLM litellm_sample.json (sha256 " in new.note
    flash_lite = catalog.models["gemini-2.5-flash-lite"].prices[-1]
    assert (flash_lite.cached_input, flash_lite.batch_discount) == (0.01, 0.5)  # batch kept: LiteLLM is silent
    # New models: appended to their vendor's file, or to a new file for a new vendor.
    assert catalog.models["gpt-5"].vendor == "openai"
    assert catalog.models["gpt-5"].prices[0].start == TODAY
    assert catalog.models["together-qwen3-235b-a22b-instruct-2507-tput"].file == "vendors/together.yaml"
    assert catalog.models["claude-haiku-4-5"].price_on(TODAY).input == 1.0
    assert "gpt-4.1" in catalog.models  # missing from the file, never deleted
    # The hand-written file keeps its comments, and `to:` its aligned comment.
    text = (catalog_dir / "vendors" / "anthropic.yaml").read_text()
    assert text.startswith("# Anthropic list prices.\n")
    assert "        to: 2026-12-01         # exclusive; null = still in force\n" in text
    assert "A stale third-party figure" in text


def test_write_is_idempotent(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("import-litellm", LITELLM_FILE, "--write", "--catalog-dir", catalog_dir, "--today", TODAY)
    run(capsys, *argv)
    after_first = snapshot(catalog_dir)
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "Changed prices" not in out and "New models" not in out
    assert "Nothing to write." in out
    assert snapshot(catalog_dir) == after_first


def test_second_change_on_the_same_day_corrects_that_entry(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(
        capsys, "import-litellm", LITELLM_FILE, "--model", "gpt-5-mini", "--write", "--catalog-dir", catalog_dir, "--today", TODAY
    )
    data = json.loads(LITELLM_FILE.read_text())
    data["gpt-5-mini"]["input_cost_per_token"] = 3e-07  # 3e-07 × 1e6 = 0.30
    corrected = tmp_path / "corrected.json"
    corrected.write_text(json.dumps(data))
    code, out, _ = run(
        capsys, "import-litellm", corrected, "--model", "gpt-5-mini", "--write", "--catalog-dir", catalog_dir, "--today", TODAY
    )
    assert code == 0, out
    assert "input: 0.25 → 0.30 (+20.0%)" in out
    prices = load_catalog(catalog_dir).models["gpt-5-mini"].prices
    assert [(p.start, p.end, p.input) for p in prices] == [(dt.date(2025, 8, 7), TODAY, 0.40), (TODAY, None, 0.30)]


def test_refuses_to_write_an_invalid_result(catalog_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # 0.02 $/token × 1e6 = 20,000 $/1M, above the loader's 10,000 $/1M typo guard.
    bad = tmp_path / "typo.json"
    bad.write_text(
        json.dumps(
            {
                "gpt-typo": {
                    "litellm_provider": "openai",
                    "mode": "chat",
                    "input_cost_per_token": 0.02,
                    "output_cost_per_token": 0.04,
                }
            }
        )
    )
    before = snapshot(catalog_dir)
    code, out, err = run(capsys, "import-litellm", bad, "--write", "--catalog-dir", catalog_dir, "--today", TODAY)
    assert code == 2
    assert "refusing to write" in err and "gpt-typo" in err and "10,000" in err
    assert snapshot(catalog_dir) == before


def test_genai_prices_write_keeps_database_dates(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    today = dt.date(2026, 11, 20)
    code, out, _ = run(capsys, "import-genai-prices", GENAI_FILE, "--write", "--catalog-dir", catalog_dir, "--today", today)
    assert code == 0, out
    assert "o3 [openai] ← o3, from 2025-06-10" in out  # the dated cut, not today
    assert "gemini-4-argon [google] ← gemini-4-argon, from 2026-12-01" in out  # scheduled ahead
    catalog = load_catalog(catalog_dir)
    periods = lambda model_id: [(p.start, p.end, p.input) for p in catalog.models[model_id].prices]  # noqa: E731
    assert periods("o3") == [(dt.date(2025, 4, 16), dt.date(2025, 6, 10), 10.0), (dt.date(2025, 6, 10), None, 2.0)]
    assert periods("gemini-4-argon") == [(dt.date(2026, 9, 30), dt.date(2026, 12, 1), 2.0), (dt.date(2026, 12, 1), None, 4.0)]
    assert catalog.models["gemini-4-argon"].prices[-1].batch_discount == 0.5  # genai-prices has no batch: kept
    assert "time-of-day" in catalog.models["deepseek-flash"].prices[0].note


# ------------------------------------------------------------------- unusable input


@pytest.mark.parametrize(
    ("content", "command", "message"),
    [
        ("{not json", "import-litellm", "is not valid JSON"),
        (None, "import-litellm", "cannot read"),
        (GENAI_FILE.read_text(), "import-litellm", "looks like a genai-prices file, not LiteLLM"),
        (LITELLM_FILE.read_text(), "import-genai-prices", "looks like a LiteLLM file, not genai-prices"),
        ('{"a": 1}', "import-genai-prices", "neither a LiteLLM price map nor a genai-prices data file"),
    ],
    ids=["bad-json", "missing-file", "genai-as-litellm", "litellm-as-genai", "unknown-format"],
)
def test_unusable_input_exits_2_with_one_line(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, command: str, message: str
) -> None:
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run(capsys, command, path, "--catalog-dir", catalog_dir)
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_unknown_vendor_exits_2(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "import-litellm", LITELLM_FILE, "--vendor", "bedrock", "--catalog-dir", catalog_dir)
    assert code == 2 and "unknown vendor 'bedrock'" in err


# --------------------------------------------------------------------- YAML layout


def test_dump_vendor_document_key_order_and_round_trip() -> None:
    doc = {
        "models": [
            {
                "prices": [
                    {
                        "note": "n",
                        "checked": CHECKED,
                        "input": 1.0,
                        "source": "https://x.example",
                        "output": 2.0,
                        "to": None,
                        "from": CHECKED,
                    }
                ],
                "tier": "mid",
                "name": "X",
                "id": "x",
            }
        ],
        "kind": "api",
        "vendor": "v",
        "name": "V",
    }
    text = dump_vendor_document(doc)
    assert yaml.safe_load(text) == doc
    keys = [line.strip().split(":")[0].lstrip("- ") for line in text.splitlines() if ":" in line and not line.startswith("#")]
    assert keys == [
        "vendor",
        "name",
        "kind",
        "models",
        "id",
        "name",
        "tier",
        "prices",
        "from",
        "to",
        "input",
        "output",
        "source",
        "checked",
        "note",
    ]
    assert "  - id: x\n" in text and "      - from: 2026-11-01\n" in text  # block style, indented sequences
