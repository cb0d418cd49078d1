"""Model names as they appear in the wild resolve to the shipped catalog, and the usage tab prices them.

The resolution table lists the forms real exports and API calls carry: dated snapshots, gateway and
vendor prefixes, OpenRouter slugs and permaslugs, Bedrock and Vertex ids, ``-latest`` pointers.
The corpus tests run every file of tests/usage_corpus through the usage importer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calculators.usage import UsageImportError, import_usage, list_price_history
from calculators.usage.history import unpriced_models
from calculators.usage.importer import UNKNOWN_MODEL, is_other_charge

CORPUS = Path(__file__).parent / "usage_corpus"

RESOLUTION = [
    # (name as seen, catalog id)
    # dated ids the catalog lists no alias for: the snapshot rule strips the date
    ("claude-opus-4-6-20260205", "claude-opus-4-6"),
    ("gpt-5.5-2026-04-23", "gpt-5.5"),
    ("gpt-5.4-2026-03-05", "gpt-5.4"),
    ("gpt-5.6", "gpt-5.6-sol"),  # LiteLLM 1.110.2 lists `gpt-5.6` at Sol's price
    ("deepseek-v4-flash", "deepseek-v4-flash"),
    ("claude-opus-4-7-20260416", "claude-opus-4-7"),
    ("gpt-5.4-mini-2026-03-17", "gpt-5.4-mini"),
    # OpenAI snapshots; a snapshot with its own price is its own model
    ("gpt-4o-2024-08-06", "gpt-4o"),
    ("gpt-4o-2024-11-20", "gpt-4o"),
    ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
    ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
    ("gpt-4.1-2025-04-14", "gpt-4.1"),
    ("gpt-4.1-nano", "gpt-4.1-nano"),
    ("o1", "o1"),
    ("o3", "o3"),
    ("o3-mini-2025-01-31", "o3-mini"),
    ("o4-mini-2025-04-16", "o4-mini"),
    ("gpt-5-2025-08-07", "gpt-5"),
    ("gpt-5.2-pro-2025-12-11", "gpt-5.2-pro"),
    ("gpt-5.1-codex-mini", "gpt-5.1-codex-mini"),
    # provider prefixes
    ("openai/gpt-5-mini-2025-08-07", "gpt-5-mini"),
    ("azure/gpt-4o", "gpt-4o"),
    ("anthropic/claude-haiku-4.5", "claude-haiku-4-5"),
    ("gemini/gemini-2.5-pro", "gemini-2.5-pro"),
    ("xai/grok-4-0709", "grok-4"),
    ("deepseek/deepseek-chat", "deepseek-v3-2"),
    ("mistral/mistral-large-latest", "mistral-large-3"),
    ("dashscope/qwen-max", "qwen-max"),
    # OpenRouter slugs and permaslugs
    ("anthropic/claude-4.5-haiku-20251001", "claude-haiku-4-5"),
    ("anthropic/claude-opus-4.7", "claude-opus-4-7"),
    ("anthropic/claude-3.5-sonnet", "claude-3-5-sonnet"),
    ("anthropic/claude-3.7-sonnet:thinking", "claude-3-7-sonnet"),
    ("anthropic/claude-4-sonnet-20250522", "claude-sonnet-4"),
    ("openrouter/openai/gpt-4o-mini", "gpt-4o-mini"),
    ("google/gemini-2.5-flash", "gemini-2.5-flash"),
    ("x-ai/grok-code-fast-1", "grok-code-fast-1"),
    ("mistralai/mistral-medium-3.1", "mistral-medium-3"),
    ("qwen/qwen-plus", "qwen-plus"),
    ("openai/gpt-oss-120b", "together-gpt-oss-120b"),
    # Bedrock and Vertex ids
    ("anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku"),
    ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet"),
    ("eu.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"),
    ("global.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
    ("claude-3-5-haiku@20241022", "claude-3-5-haiku"),
    ("claude-opus-4-1@20250805", "claude-opus-4-1"),
    ("publishers/google/models/gemini-2.0-flash-001", "gemini-2.0-flash"),
    ("models/gemini-1.5-pro-002", "gemini-1.5-pro"),
    # -latest pointers
    ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
    ("gemini-1.5-flash-latest", "gemini-1.5-flash"),
    ("gemini-flash-latest", "gemini-3.8-flash"),  # genai-prices 0.2.3's pointer
    ("gemini-flash-lite-latest", "gemini-3.5-flash-lite"),
    ("gemini-pro-latest", "gemini-3.1-pro-preview"),
    ("mistral-small-latest", "mistral-small-4"),
    ("codestral-latest", "codestral"),
    ("grok-4.20-latest", "grok-4.20"),
    # the families the issue names
    ("claude-3-haiku-20240307", "claude-3-haiku"),
    ("claude-opus-4-20250514", "claude-opus-4"),
    ("gemini-3.5-flash-lite", "gemini-3.5-flash-lite"),
    ("grok-4-fast-non-reasoning", "grok-4-fast"),
    ("devstral-2512", "devstral-2"),
    ("ministral-8b-2512", "ministral-3-8b"),
    # bare ministral-3b / ministral-8b are the 24.10 models in both databases (and Vercel's gateway), not Ministral 3
    ("ministral-8b-2410", "ministral-8b"),
    # bare gpt-oss-120b is a current offer (Together), not Fireworks' retired one
    ("gpt-oss-120b", "together-gpt-oss-120b"),
    ("fireworks_ai/gpt-oss-120b", "fireworks-gpt-oss-120b"),
    ("mistral/ministral-3b", "ministral-3b"),
    ("mistralai/ministral-8b", "ministral-8b"),
    ("ministral-3b-latest", "ministral-3-3b"),
    ("deepseek-reasoner", "deepseek-v3-2"),
    ("DeepSeek-V4-Pro-0813", "deepseek-v4-pro"),
    ("qwen-flash", "qwen-flash"),
    ("deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo", "deepinfra-llama-3.3-70b"),
    ("replicate/deepseek-ai/deepseek-r1", "replicate-deepseek-r1"),
    ("accounts/fireworks/models/deepseek-v3-0324", "fireworks-deepseek-v3"),
    ("moonshotai/kimi-k3", "kimi-k3"),
    ("zai/glm-5.3", "glm-5.3"),
    ("z-ai/glm-4.6", "glm-4.6"),
    ("minimax/MiniMax-M3", "minimax-m3"),
    # unknown names stay unknown (never a $0 model)
    ("gpt-4o-2024-13-99x", None),
    ("someone/claude-haiku-4.5", None),
    ("claude-haiku-9", None),
]


@pytest.mark.parametrize(("name", "model_id"), RESOLUTION, ids=[r[0] for r in RESOLUTION])
def test_name_resolves(catalog, name, model_id):
    assert catalog.resolve(name) == model_id


def _corpus_imports(catalog):
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "EXPECTED.yaml"):
        try:
            yield path, import_usage(path, catalog=catalog)
        except UsageImportError:
            continue  # the malformed files whose whole import fails (tests/test_usage.py)


# Labels in the corpus that name no model: non-token charges of cost exports ("(web_search)",
# "(all line items)"), rows with an empty model, and the encoding tests' made-up names.
ENCODING_TEST_NAMES = {"modèle-é", "modèle"}


def not_a_model(name: str) -> bool:
    return is_other_charge(name) or name == UNKNOWN_MODEL or name in ENCODING_TEST_NAMES


def test_every_model_in_the_usage_corpus_resolves(catalog):
    seen, unresolved = set(), {}
    for path, usage in _corpus_imports(catalog):
        seen |= {m for m in usage.monthly["model"] if not not_a_model(m)}
        for name in usage.unresolved_models:
            if not not_a_model(name):
                unresolved[name] = path.name
    assert unresolved == {}
    assert len(seen) >= 15  # the corpus really holds models (guards a vacuous pass)


def test_the_usage_history_of_every_corpus_export_is_priced(catalog):
    # What the usage tab shows: each month's list cost. No model of a token export goes unpriced.
    priced_rows = 0
    for path, usage in _corpus_imports(catalog):
        if usage.cost_only:
            continue  # cost-only exports carry no tokens to price
        frame = list_price_history(usage, catalog)
        assert [m for m in unpriced_models(frame) if not not_a_model(m)] == [], path.name
        priced_rows += sum(not not_a_model(m) for m in frame["model"])
    assert priced_rows >= 40


@pytest.mark.parametrize(
    ("name", "month", "expected_input_price"),
    [
        # gpt-4o-2024-08-06 in a langfuse export of 2025: $2.50 in (LiteLLM 1.110.2, genai-prices 0.2.3)
        ("gpt-4o-2024-08-06", "2025-03", 2.50),
        # claude-sonnet-4-20250514 in an Anthropic export: $3 in (LiteLLM 1.80.10)
        ("claude-sonnet-4-20250514", "2025-09", 3.00),
        # Claude Opus 4.6 in February 2026, before the 2026-03-13 end of its >200K tier: base $5 in
        ("claude-opus-4-6", "2026-02", 5.00),
    ],
    ids=["gpt-4o-snapshot", "claude-sonnet-4", "claude-opus-4-6"],
)
def test_past_months_use_the_price_then_in_force(catalog, name, month, expected_input_price):
    import datetime as dt

    model = catalog.model(name)
    year, mon = map(int, month.split("-"))
    assert model.price_on(dt.date(year, mon, 15)).input == pytest.approx(expected_input_price)
