"""The shipped price data (pricing/vendors/*.yaml, gpus.yaml, serving.yaml).

Known prices are the figures of the reference databases each entry's note names (LiteLLM's model map
1.110.2 or 1.80.10, pydantic's genai-prices 0.2.3); GPU and serving values are those of the public
sources gpus.yaml and serving.yaml cite. The ``catalog`` fixture is in conftest.py.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from pricing import load_catalog

TODAY = dt.date(2026, 11, 30)  # the day the reference databases were read
D = dt.date


def test_catalog_loads_with_every_vendor_file():
    catalog = load_catalog()
    assert len(catalog.models) >= 150
    kinds = {v.id: v.kind for v in catalog.vendors.values()}
    for vendor in ("anthropic", "openai", "google", "deepseek", "xai", "mistral", "alibaba", "moonshot", "zai", "minimax"):
        assert kinds[vendor] == "api"
    for vendor in ("together", "fireworks", "deepinfra", "replicate"):
        assert kinds[vendor] == "inference_provider"


# ---------------------------------------------------------------- required ids

REQUIRED_MODELS = [
    # (catalog id, vendor, tier)
    ("claude-haiku-4-5", "anthropic", "small"),
    ("claude-sonnet-4-5", "anthropic", "mid"),
    ("claude-opus-4-5", "anthropic", "flagship"),
    ("claude-opus-4-1", "anthropic", "flagship"),
    ("claude-opus-5-5", "anthropic", "flagship"),
    ("claude-opus-5", "anthropic", "flagship"),
    ("claude-opus-4-6", "anthropic", "flagship"),
    ("claude-opus-4-7", "anthropic", "flagship"),
    ("claude-opus-4-8", "anthropic", "flagship"),
    ("claude-sonnet-5-5", "anthropic", "mid"),
    ("claude-sonnet-5", "anthropic", "mid"),
    ("claude-sonnet-4-6", "anthropic", "mid"),
    ("claude-haiku-5-5", "anthropic", "small"),
    ("claude-fable-5", "anthropic", "flagship"),
    ("claude-fable-5-1", "anthropic", "flagship"),
    ("claude-fable-5-2", "anthropic", "flagship"),
    ("gpt-5", "openai", "flagship"),
    ("gpt-5.1", "openai", "flagship"),
    ("gpt-5-mini", "openai", "mid"),
    ("gpt-5-nano", "openai", "small"),
    ("gpt-5.2", "openai", "flagship"),
    ("gpt-5.4", "openai", "flagship"),
    ("gpt-5.4-mini", "openai", "mid"),
    ("gpt-5.4-nano", "openai", "small"),
    ("gpt-5.5", "openai", "flagship"),
    ("gpt-5.6-sol", "openai", "flagship"),
    ("gpt-5.6-terra", "openai", "mid"),
    ("gpt-5.6-luna", "openai", "small"),
    ("gpt-6-sol", "openai", "flagship"),
    ("gpt-6.1-sol", "openai", "flagship"),
    ("gpt-6.1-terra", "openai", "mid"),
    ("gpt-6-luna", "openai", "small"),
    ("gpt-6-astra", "openai", "flagship"),
    ("gpt-6.2-sol", "openai", "flagship"),
    ("gpt-6.2-astra", "openai", "flagship"),
    ("gemini-3-pro-preview", "google", "flagship"),
    ("gemini-3.1-pro-preview", "google", "flagship"),
    ("gemini-3-flash-preview", "google", "mid"),
    ("gemini-2.5-flash", "google", "mid"),
    ("gemini-2.5-flash-lite", "google", "small"),
    ("gemini-4-argon", "google", "flagship"),
    ("gemini-4-hydrogen", "google", "mid"),
    ("gemini-3.8-flash", "google", "mid"),
    ("gemini-3.5-flash", "google", "mid"),
    ("gemini-3.1-flash-lite", "google", "small"),
    ("deepseek-r1", "deepseek", "flagship"),
    ("deepseek-v3-2", "deepseek", "mid"),
    ("deepseek-flash", "deepseek", "small"),
    ("deepseek-v4-pro", "deepseek", "flagship"),
]


@pytest.mark.parametrize(("model_id", "vendor", "tier"), REQUIRED_MODELS, ids=[m[0] for m in REQUIRED_MODELS])
def test_required_model_exists(catalog, model_id, vendor, tier):
    model = catalog.models[model_id]
    assert (model.vendor, model.tier) == (vendor, tier)


# Open-weights families that each inference provider must cover ().
OPEN_COVERAGE = [
    ("together", "llama-4-scout"),
    ("together", "llama-4-maverick"),
    ("together", "deepseek-r1"),
    ("together", "qwen-2.5-72b"),
    ("together", "qwen3-235b-a22b"),
    ("together", "llama-3.3-70b"),
    ("together", "llama-3.1-8b"),
    ("together", "gpt-oss-120b"),
    ("fireworks", "llama-4-scout"),
    ("fireworks", "llama-4-maverick"),
    ("fireworks", "deepseek-r1"),
    ("fireworks", "qwen-2.5-72b"),
    ("fireworks", "qwen3-235b-a22b"),
    ("fireworks", "gemma-3-27b"),
    ("fireworks", "llama-3.3-70b"),
    ("fireworks", "llama-3.1-8b"),
    ("fireworks", "gpt-oss-120b"),
    ("deepinfra", "llama-4-scout"),
    ("deepinfra", "llama-4-maverick"),
    ("deepinfra", "gemma-3-27b"),
]


@pytest.mark.parametrize(("vendor", "family"), OPEN_COVERAGE, ids=[f"{v}-{f}" for v, f in OPEN_COVERAGE])
def test_provider_hosts_open_model(catalog, vendor, family):
    model = catalog.models[f"{vendor}-{family}"]
    assert (model.vendor, model.tier, model.open_model) == (vendor, "open", family)


# ---------------------------------------------------------------- known prices

KNOWN_PRICES = [
    # (model, day, input, output, cached_input, cache_write, batch_discount)
    ("claude-haiku-4-5", D(2026, 11, 30), 1.00, 5.00, 0.10, 1.25, 0.5),  # [V]
    ("claude-sonnet-4-5", D(2026, 6, 1), 3.00, 15.00, 0.30, 3.75, 0.5),  # [V]
    ("claude-opus-4-5", D(2026, 11, 30), 5.00, 25.00, 0.50, 6.25, 0.5),  # not the 15/75 of some stale tables
    ("claude-opus-4-1", D(2026, 1, 1), 15.00, 75.00, 1.50, 18.75, 0.5),  # [V]
    ("claude-opus-5-5", D(2026, 11, 30), 4.00, 20.00, 0.20, 5.00, 0.5),  # [L]
    ("claude-fable-5-1", D(2026, 11, 30), 10.00, 50.00, 0.25, 12.50, 0.5),  # CR 0.025x
    ("claude-fable-5-2", D(2026, 11, 30), 8.00, 40.00, 0.20, 10.00, 0.5),  # [3P]
    ("claude-haiku-5-5", D(2026, 11, 30), 0.10, 0.50, 0.01, 0.125, 0.5),  # (<=100K prompt)
    ("gpt-5", D(2026, 11, 30), 1.25, 10.00, 0.125, None, 0.5),  # [V]; GPT-5 has no write fee
    ("gpt-5-mini", D(2026, 11, 30), 0.25, 2.00, 0.025, None, 0.5),  # not the 0.40/1.60 of some stale tables
    ("gpt-5-nano", D(2026, 11, 30), 0.05, 0.40, 0.005, None, 0.5),  # [V]
    ("gpt-5.2", D(2026, 11, 30), 1.75, 14.00, 0.175, None, 0.5),
    ("gpt-6-sol", D(2026, 11, 30), 2.00, 10.00, 0.20, 2.50, 0.5),  # GPT-6 writes billed 1.25x
    ("gpt-6.2-astra", D(2026, 11, 30), 8.00, 40.00, 0.40, 10.00, 0.5),  # [3P]
    ("gemini-3-pro-preview", D(2026, 1, 1), 2.00, 12.00, 0.20, None, 0.5),  # (<=200K)
    ("gemini-2.5-flash", D(2026, 11, 30), 0.30, 2.50, 0.03, None, 0.5),  # [V]
    ("gemini-2.5-flash-lite", D(2026, 11, 30), 0.10, 0.40, 0.01, None, 0.5),  # 0.01, not 0.025
    ("deepseek-r1", D(2025, 3, 1), 0.55, 2.19, 0.14, None, None),
    ("deepseek-flash", D(2026, 11, 30), 0.30, 1.20, 0.006, None, None),  # peak price, no batch API
    ("deepseek-v4-pro", D(2026, 11, 30), 1.32, 3.96, 0.044, None, None),  # peak price
    ("together-llama-4-scout", D(2026, 1, 1), 0.18, 0.59, None, None, None),  # [L]
    ("fireworks-llama-4-maverick", D(2026, 11, 30), 0.22, 0.88, None, None, 0.5),  # FW batch 50%
    ("fireworks-gpt-oss-120b", D(2026, 11, 30), 0.15, 0.60, 0.015, None, 0.5),  # [V]
    ("deepinfra-gemma-3-27b", D(2026, 11, 30), 0.08, 0.16, None, None, None),  # [L]
]


@pytest.mark.parametrize(
    ("model_id", "day", "input_price", "output_price", "cached", "write", "batch"),
    KNOWN_PRICES,
    ids=[f"{m[0]}@{m[1]}" for m in KNOWN_PRICES],
)
def test_known_price(catalog, model_id, day, input_price, output_price, cached, write, batch):
    entry = catalog.models[model_id].price_on(day)
    assert (entry.input, entry.output, entry.cached_input, entry.cache_write, entry.batch_discount) == pytest.approx(
        (input_price, output_price, cached, write, batch)
    )


SCHEDULED_CHANGES = [
    # (model, field, day before, value before, day after, value after)
    ("gemini-4-argon", "input", D(2026, 11, 15), 2.00, D(2026, 12, 15), 4.00),  # doubles 2026-12-01
    ("gemini-4-argon", "output", D(2026, 11, 30), 10.00, D(2026, 12, 1), 20.00),
    ("gemini-4-argon", "cached_input", D(2026, 11, 30), 0.10, D(2026, 12, 1), 0.20),
    ("claude-sonnet-5-5", "cached_input", D(2026, 10, 6), 0.20, D(2026, 10, 7), 0.10),  # CR cut 2026-10-07
    ("gemini-3.8-flash", "input", D(2026, 12, 31), 0.75, D(2027, 1, 1), 1.50),
    ("gemini-3.8-flash", "output", D(2026, 12, 31), 3.75, D(2027, 1, 1), 7.50),
    ("deepseek-v3-2", "output", D(2026, 7, 23), 0.42, D(2026, 7, 24), 0.28),  # billed as V4 Flash
    ("deepseek-v3-2", "output", D(2026, 8, 16), 0.28, D(2026, 8, 17), 1.20),  # names move to Flash
]


@pytest.mark.parametrize(
    ("model_id", "field", "before", "old", "after", "new"),
    SCHEDULED_CHANGES,
    ids=[f"{m[0]}-{m[1]}-{m[4]}" for m in SCHEDULED_CHANGES],
)
def test_scheduled_price_change(catalog, model_id, field, before, old, after, new):
    model = catalog.models[model_id]
    assert getattr(model.price_on(before), field) == pytest.approx(old)
    assert getattr(model.price_on(after), field) == pytest.approx(new)


LONG_CONTEXT = [
    # (model, threshold, input, output, cached_input) above the threshold
    ("gemini-3-pro-preview", 200_000, 4.00, 18.00, 0.40),  # whole request at >200K tier
    ("gemini-3.1-pro-preview", 200_000, 4.00, 18.00, 0.40),
    ("claude-sonnet-4-5", 200_000, 6.00, 22.50, 0.60),  # LL-old 1M beta tier [L]
    ("claude-haiku-5-5", 100_000, 0.50, 2.50, 0.05),  # tier at 100K
    ("gpt-5.4", 272_000, 5.00, 22.50, 0.50),  # >272K input/cached x2, output x1.5
    ("gpt-6.2-sol", 272_000, 4.00, 15.00, 0.20),  # Sol 4/15 above 272K [3P]
    ("gpt-6.2-astra", 272_000, 16.00, 60.00, 0.80),  # Astra 16/60 above 272K [3P]
]


@pytest.mark.parametrize(
    ("model_id", "threshold", "input_price", "output_price", "cached"),
    LONG_CONTEXT,
    ids=[m[0] for m in LONG_CONTEXT],
)
def test_long_context_tier(catalog, model_id, threshold, input_price, output_price, cached):
    tier = catalog.models[model_id].price_on(TODAY).long_context
    assert tier is not None
    assert (tier.threshold, tier.input, tier.output, tier.cached_input) == pytest.approx(
        (threshold, input_price, output_price, cached)
    )


@pytest.mark.parametrize(
    "model_id",
    ["claude-haiku-4-5", "claude-sonnet-4-6", "gpt-5", "gpt-5.4-mini", "gemini-2.5-flash", "gemini-4-hydrogen", "deepseek-flash"],
    ids=str,
)
def test_flat_price_models_have_no_long_context_tier(catalog, model_id):
    # "none"/"flat"; Sonnet 4.6's >200K tier ended on 2026-03-13.
    assert catalog.models[model_id].price_on(TODAY).long_context is None


# ---------------------------------------------------------------- lifecycle

LIFECYCLE = [
    # (model, status, retires, successor)
    ("claude-sonnet-4-5", "retired", D(2026, 11, 30), "claude-sonnet-5-5"),  # retires 2026-11-30 (today)
    ("claude-opus-4-1", "retired", D(2027, 1, 8), None),  # retired on the API, Bedrock to 2027-01-08
    ("gpt-5", "deprecated", D(2026, 12, 11), "gpt-5.6-sol"),
    ("gpt-5.1", "deprecated", D(2027, 4, 1), "gpt-6-sol"),
    ("gpt-5-mini", "deprecated", D(2026, 12, 11), "gpt-5.6-terra"),
    ("gpt-5-nano", "deprecated", D(2026, 12, 11), "gpt-5.6-luna"),
    ("gemini-3-pro-preview", "retired", D(2026, 3, 9), "gemini-3.1-pro-preview"),
    ("deepseek-v3-2", "retired", D(2026, 7, 24), "deepseek-v4-flash"),  # deprecated 2026-07-24, now past
    ("claude-haiku-4-5", "active", None, None),
]


@pytest.mark.parametrize(("model_id", "status", "retires", "successor"), LIFECYCLE, ids=[m[0] for m in LIFECYCLE])
def test_lifecycle(catalog, model_id, status, retires, successor):
    model = catalog.models[model_id]
    assert (model.status, model.retires, model.successor) == (status, retires, successor)


# ---------------------------------------------------------------- aliases

ALIASES = [
    # (name as it appears in usage exports, catalog id)
    ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),  # Anthropic Console, dated API id
    ("anthropic/claude-4.5-haiku-20251001", "claude-haiku-4-5"),  # OpenRouter permaslug
    ("anthropic/claude-haiku-4.5", "claude-haiku-4-5"),  # OpenRouter slug
    ("openrouter/anthropic/claude-haiku-4.5", "claude-haiku-4-5"),  # LiteLLM OpenRouter prefix
    ("anthropic/claude-haiku-4.5:thinking", "claude-haiku-4-5"),  # OpenRouter variant suffix
    ("Claude Haiku 4.5", "claude-haiku-4-5"),  # console display name
    ("Claude Sonnet 4.5", "claude-sonnet-4-5"),  # display name in exports
    ("claude-opus-4-5-20251101", "claude-opus-4-5"),
    ("anthropic/claude-opus-4.7", "claude-opus-4-7"),  # OpenRouter activity export
    ("anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1"),  # Bedrock id
    ("gpt-5-2025-08-07", "gpt-5"),  # OpenAI usage export: always the dated snapshot
    ("openai/gpt-5", "gpt-5"),
    ("gpt-5-mini-2025-08-07", "gpt-5-mini"),
    ("openai/gpt-5-mini-2025-08-07", "gpt-5-mini"),  # OpenRouter permaslug
    ("gpt-5.2-pro-2025-12-11", "gpt-5.2-pro"),  # OpenAI usage export
    ("models/gemini-2.5-flash", "gemini-2.5-flash"),  # Gemini API resource name
    ("google/gemini-2.5-flash", "gemini-2.5-flash"),  # OpenRouter permaslug
    ("gemini/gemini-2.5-flash", "gemini-2.5-flash"),  # LiteLLM prefix
    ("gemini-3-pro", "gemini-3-pro-preview"),
    ("gemini-3-flash", "gemini-3-flash-preview"),
    ("deepseek-chat", "deepseek-v3-2"),  # API name served by V3.2, then Flash
    ("deepseek-reasoner", "deepseek-v3-2"),
    ("deepseek/deepseek-r1", "deepseek-r1"),
    ("together_ai/meta-llama/Llama-4-Scout-17B-16E-Instruct", "together-llama-4-scout"),
    ("accounts/fireworks/models/llama4-scout-instruct-basic", "fireworks-llama-4-scout"),
    ("fireworks_ai/accounts/fireworks/models/llama4-scout-instruct-basic", "fireworks-llama-4-scout"),
    ("deepinfra/meta-llama/Llama-4-Scout-17B-16E-Instruct", "deepinfra-llama-4-scout"),
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "deepinfra-llama-4-scout"),  # bare HF id: one provider only
    ("deepseek-ai/DeepSeek-R1", "together-deepseek-r1"),
    ("accounts/fireworks/models/qwen2p5-72b-instruct", "fireworks-qwen-2.5-72b"),
    ("google/gemma-3-27b-it", "deepinfra-gemma-3-27b"),
]


@pytest.mark.parametrize(("name", "model_id"), ALIASES, ids=[a[0] for a in ALIASES])
def test_alias_resolves(catalog, name, model_id):
    assert catalog.resolve(name) == model_id


def test_openrouter_gpt_oss_slug_resolves_to_a_hosted_gpt_oss(catalog):
    # OpenRouter permaslug in usage exports; any provider of the family is a fair price.
    model = catalog.models[catalog.resolve("openai/gpt-oss-120b")]
    assert (model.tier, model.open_model) == ("open", "gpt-oss-120b")


# ---------------------------------------------------------------- every entry


def test_every_price_entry_has_https_source_and_a_checked_date(catalog):
    # no frozen "today" as an upper bound: a price re-checked tomorrow must not fail the suite
    # (staleness against a given day is `python -m pricing check --today`)
    problems = [
        f"{m.id} from {e.start}: source={e.source!r} checked={e.checked}"
        for m in catalog.models.values()
        for e in m.prices
        if not e.source.startswith("https://") or not D(2025, 1, 1) <= e.checked
    ]
    assert problems == []


def test_every_gpu_offer_and_profile_has_https_source_and_a_checked_date(catalog):
    items = [*catalog.offers.values(), *catalog.profiles.values()]
    problems = [
        f"{i.id}: {i.source!r} {i.checked}" for i in items if not i.source.startswith("https://") or i.checked < D(2025, 1, 1)
    ]
    assert problems == []


def test_cached_and_batch_prices_are_discounts(catalog):
    problems = []
    for m in catalog.models.values():
        for e in m.prices:
            if e.cached_input is not None and e.cached_input > e.input:
                problems.append(f"{m.id}: cached {e.cached_input} > input {e.input}")
            if e.cache_write is not None and e.cache_write < e.input:
                problems.append(f"{m.id}: cache write {e.cache_write} < input {e.input}")
            tier = e.long_context
            if tier is not None and (tier.input < e.input or tier.output < e.output):
                problems.append(f"{m.id}: long-context tier cheaper than the base price")
    assert problems == []


DATABASE_SOURCES = (
    "https://github.com/BerriAI/litellm/blob/v1.110.2/model_prices_and_context_window.json",
    "https://github.com/BerriAI/litellm/blob/v1.80.10/model_prices_and_context_window.json",
    "https://pypi.org/project/genai-prices/0.2.3/",
)


def test_every_entry_names_its_reference_or_says_none_confirms_it(catalog):
    # A price read from a database cites the versioned database file; any other figure says [U].
    problems = [
        f"{m.id} from {e.start}"
        for m in catalog.models.values()
        for e in m.prices
        if e.source not in DATABASE_SOURCES and "[U]" not in e.note
    ]
    assert problems == []
    unnamed = [
        f"{m.id} from {e.start}"
        for m in catalog.models.values()
        for e in m.prices
        if not any(name in e.note for name in ("LiteLLM", "genai-prices", "[U]"))
    ]
    assert unnamed == []


def test_only_three_entries_were_read_outside_the_databases(catalog):
    elsewhere = sorted(m.id for m in catalog.models.values() for e in m.prices if e.source not in DATABASE_SOURCES)
    assert elsewhere == ["claude-sonnet-5-5", "gpt-6.2-astra", "gpt-6.2-sol"]


def test_no_batch_discount_where_there_is_no_batch_api(catalog):
    # DeepSeek has no batch API (off-peak pricing is not a batch discount).
    assert all(e.batch_discount is None for m in catalog.models.values() if m.vendor == "deepseek" for e in m.prices)


def test_every_open_tier_model_names_its_family(catalog):
    families = {p.model for p in catalog.profiles.values()}
    open_models = [m for m in catalog.models.values() if m.tier == "open"]
    assert open_models
    assert [m.id for m in open_models if not m.open_model] == []
    assert [m.id for m in open_models if m.open_model not in families] == []


# ---------------------------------------------------------------- GPUs and serving profiles

GPU_OFFERS = [
    # (offer id, $/GPU-hour)
    ("h100-sxm@lambda", 3.99),  # 8x node
    ("h100-sxm@aws", 6.88),  # p5.48xlarge $55.04 / 8
    ("h100-sxm@runpod-community", 2.69),  # the Community price, not "Secure"
    ("h100-sxm@reference-2usd", 2.00),  # SGLang $2/GPU-h
    ("h800@deepseek-reference", 2.00),  # DeepSeek assumes $2/GPU-h
    ("h200@aws", 7.91),  # p5en $63.296 / 8
    ("a100-80gb@lambda", 2.79),
    ("l40s@runpod-secure", 1.09),
    ("b200@lambda", 6.69),
]


@pytest.mark.parametrize(("offer_id", "price"), GPU_OFFERS, ids=[o[0] for o in GPU_OFFERS])
def test_gpu_offer_price(catalog, offer_id, price):
    assert catalog.offers[offer_id].usd_per_gpu_hour == pytest.approx(price)


REQUIRED_PROFILES = [
    # (profile, open-model family, gpu, GPUs per replica)
    ("llama-3.1-8b-fp8-1xh100", "llama-3.1-8b", "h100-sxm", 1),
    ("llama-3.3-70b-fp8-2xh100", "llama-3.3-70b", "h100-sxm", 2),
    ("llama-4-scout-fp8-4xh100", "llama-4-scout", "h100-sxm", 4),
    ("llama-4-maverick-fp8-8xh100", "llama-4-maverick", "h100-sxm", 8),
    ("llama-4-maverick-fp8-8xh200", "llama-4-maverick", "h200", 8),
    ("deepseek-r1-fp8-8xh200", "deepseek-r1", "h200", 8),
    ("qwen3-235b-fp8-8xh100", "qwen3-235b-a22b", "h100-sxm", 8),
    ("gemma-3-27b-1xh100", "gemma-3-27b", "h100-sxm", 1),
    ("gpt-oss-120b-1xh200", "gpt-oss-120b", "h200", 1),
    ("qwen-2.5-72b-fp8-2xh100", "qwen-2.5-72b", "h100-sxm", 2),
    ("deepseek-v3-h800-node", "deepseek-r1", "h800", 8),
    ("sglang-deepseek-8xh100", "deepseek-r1", "h100-sxm", 8),
]


@pytest.mark.parametrize(("profile_id", "family", "gpu", "count"), REQUIRED_PROFILES, ids=[p[0] for p in REQUIRED_PROFILES])
def test_serving_profile(catalog, profile_id, family, gpu, count):
    profile = catalog.profiles[profile_id]
    assert (profile.model, profile.gpu, profile.gpus_per_replica) == (family, gpu, count)
    offer = catalog.offers[profile.default_offer]
    assert offer.gpu == profile.gpu
    assert profile.note


def test_every_profile_default_offer_exists(catalog):
    assert [p.id for p in catalog.profiles.values() if catalog.offers.get(p.default_offer) is None] == []


def _output_tok_s(profile, input_tokens, output_tokens):
    """Output tokens/s of one replica: rps = 1 / (I/prefill + O/decode)."""
    rps = 1 / (input_tokens / profile.prefill_tokens_per_s + output_tokens / profile.decode_tokens_per_s)
    return rps * output_tokens


def test_70b_profile_reproduces_the_nim_slo_point(catalog):
    # NIM, Llama 3.3 70B FP8 on 2x H100, 5000 in / 500 out, concurrency 50 -> 814 output tok/s.
    profile = catalog.profiles["llama-3.3-70b-fp8-2xh100"]
    assert _output_tok_s(profile, 5000, 500) == pytest.approx(814, abs=2)


def test_sglang_reference_cost_per_million_output_tokens(catalog):
    # check case 5: 8 H100 x $2/h / (22,282 tok/s x 3600 / 1e6) = $0.199 per 1M output tokens.
    profile = catalog.profiles["sglang-deepseek-8xh100"]
    hourly = profile.gpus_per_replica * catalog.offers[profile.default_offer].usd_per_gpu_hour
    assert hourly / (profile.decode_tokens_per_s * 3600 / 1e6) == pytest.approx(0.1995, abs=5e-4)


def test_deepseek_reference_node_count(catalog):
    # check case 3: 608B input and 168B output tokens a day -> 95.5 + 131.4 = 226.9 nodes.
    profile = catalog.profiles["deepseek-v3-h800-node"]
    nodes = 608e9 / 86_400 / profile.prefill_tokens_per_s + 168e9 / 86_400 / profile.decode_tokens_per_s
    assert nodes == pytest.approx(226.9, abs=0.1)
    # check case 1: 226.75 nodes x 8 GPUs x 24 h x $2 = $87,072 a day.
    daily = 226.75 * profile.gpus_per_replica * 24 * catalog.offers[profile.default_offer].usd_per_gpu_hour
    assert daily == pytest.approx(87_072)


def test_profile_throughputs_are_plausible(catalog):
    # Prefill is compute-bound and faster than decode at the latency target in every source ().
    problems = [
        p.id
        for p in catalog.profiles.values()
        if not (math.isfinite(p.prefill_tokens_per_s) and p.prefill_tokens_per_s > p.decode_tokens_per_s > 0)
    ]
    assert problems == []


# ---------------------------------------------------------------- history corrections (issue 12, item 4)

HISTORY = [
    # (model, day, field, value) -- the database that confirms it
    ("claude-opus-4-6", D(2026, 3, 12), "long_context.input", 10.00),  # genai-prices 0.2.3: >200K tier until 03-13
    ("claude-opus-4-6", D(2026, 3, 12), "long_context.output", 37.50),
    ("claude-opus-4-6", D(2026, 3, 13), "long_context", None),  # flat from 2026-03-13 (both databases)
    ("claude-sonnet-4-6", D(2026, 2, 20), "long_context.output", 22.50),  # genai-prices 0.2.3
    ("claude-sonnet-4-6", D(2026, 3, 13), "long_context", None),
    ("gpt-5.6-sol", D(2026, 8, 20), "input", 5.00),  # genai-prices 0.2.3: 5/30 until the 08-21 cut
    ("gpt-5.6-sol", D(2026, 8, 20), "output", 30.00),
    ("gpt-5.6-sol", D(2026, 8, 20), "long_context.output", 45.00),  # >272K 10/45
    ("gpt-5.6-sol", D(2026, 8, 21), "input", 4.00),  # LiteLLM 1.110.2 and genai-prices 0.2.3
    ("gpt-5.6-terra", D(2026, 7, 29), "input", 2.50),  # genai-prices 0.2.3 launch price
    ("gpt-5.6-terra", D(2026, 7, 30), "input", 2.00),
    ("gpt-5.6-luna", D(2026, 7, 29), "output", 6.00),  # genai-prices 0.2.3 launch price 1/6
    ("gpt-5.6-luna", D(2026, 7, 30), "output", 1.20),
    ("together-llama-3.3-70b", D(2025, 12, 31), "input", 0.88),  # LiteLLM 1.80.10 and genai-prices 0.2.3
    ("deepinfra-llama-4-maverick", D(2025, 12, 31), "input", 0.15),  # LiteLLM 1.80.10
    ("deepinfra-llama-4-maverick", D(2025, 12, 31), "output", 0.60),
    ("deepinfra-llama-4-scout", D(2025, 12, 31), "input", 0.08),
    ("deepinfra-gemma-3-27b", D(2025, 12, 31), "input", 0.09),
    ("deepinfra-gemma-3-27b", D(2026, 11, 30), "input", 0.08),  # LiteLLM 1.110.2
    ("deepseek-v4-pro", D(2026, 8, 1), "input", 0.435),  # genai-prices 0.2.3: flat before 2026-08-17
    ("deepseek-v4-pro", D(2026, 8, 17), "input", 1.32),  # peak price after
    ("deepseek-v4-flash", D(2026, 8, 1), "output", 0.28),  # genai-prices 0.2.3
    ("fireworks-llama-3.1-8b", D(2026, 11, 30), "input", 0.20),  # disputed; genai-prices and the size tier
    ("grok-code-fast-1", D(2026, 1, 1), "output", 1.50),  # LiteLLM 1.80.10 and genai-prices 0.2.3
    ("grok-4.20", D(2026, 4, 29), "input", 2.00),  # genai-prices 0.2.3: cut on 2026-04-30
    ("grok-4.20", D(2026, 4, 30), "input", 1.25),
]


def _field(entry, path):
    value = entry
    for part in path.split("."):
        value = getattr(value, part)
    return value


@pytest.mark.parametrize(("model_id", "day", "field", "value"), HISTORY, ids=[f"{h[0]}-{h[2]}@{h[1]}" for h in HISTORY])
def test_price_history(catalog, model_id, day, field, value):
    got = _field(catalog.models[model_id].price_on(day), field)
    assert got == (None if value is None else pytest.approx(value))


def test_deepseek_v4_1_flash_starts_when_genai_prices_says_it_launched(catalog):
    # genai-prices 0.2.3: "Released 2026-09-10"; the catalog had started it on 2026-07-24.
    assert catalog.models["deepseek-flash"].prices[0].start == D(2026, 9, 10)


RETIREMENTS = [
    # (model, status, retires, successor) -- LiteLLM 1.110.2's deprecation_date unless noted
    ("together-llama-3.3-70b", "retired", D(2026, 10, 22), "together-muse-glimmer-30b"),  # LiteLLM's successor_model
    ("together-llama-3.1-8b", "retired", D(2026, 3, 6), None),
    ("fireworks-gpt-oss-120b", "retired", D(2026, 11, 7), None),
    ("gemini-2.5-flash", "deprecated", D(2026, 12, 1), "gemini-3.5-flash-lite"),  # successor_model of gemini/gemini-2.5-flash
    ("together-deepseek-r1-throughput", "retired", None, None),  # in neither current database
    ("together-qwen3-235b-a22b", "retired", None, None),
]


@pytest.mark.parametrize(("model_id", "status", "retires", "successor"), RETIREMENTS, ids=[r[0] for r in RETIREMENTS])
def test_retirement(catalog, model_id, status, retires, successor):
    model = catalog.models[model_id]
    assert (model.status, model.retires, model.successor) == (status, retires, successor)


def test_stale_entries_of_the_last_note_are_read_again(catalog):
    for model_id in (
        "fireworks-qwen-2.5-72b",
        "together-llama-4-maverick",
        "together-deepseek-r1-throughput",
        "together-qwen3-235b-a22b",
    ):
        entry = catalog.models[model_id].prices[-1]
        assert entry.checked == TODAY and entry.source in DATABASE_SOURCES, model_id
