"""Importers that cannot corrupt the catalog: the bugs of issue #12 item 7, each as a test, and the
properties every import must keep (hypothesis, derandomized so CI is deterministic).

Catalogs are built in memory (``build_catalog``) or in ``tmp_path``; nothing reads the shipped files.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing.__main__ import main
from pricing.catalog import Catalog, _source_files, build_catalog, load_catalog, sources_digest, write_curated_snapshot
from pricing.checks import check_catalog
from pricing.importers import (
    GENAI_PRICES,
    LITELLM,
    apply_diff,
    diff_catalog,
    dump_vendor_document,
    genai_prices_to_models,
    litellm_to_models,
    match_catalog,
)

TODAY = dt.date(2026, 12, 1)
CHECKED = dt.date(2026, 11, 1)
URL = "https://developers.openai.com/api/docs/pricing"
GPUS = {"gpus": []}
SERVING = {"profiles": []}


def entry(start: dt.date, input_price: float, output_price: float, end: dt.date | None = None, **extra: object) -> dict:
    return {"from": start, "to": end, "input": input_price, "output": output_price, **extra, "source": URL, "checked": CHECKED}


def model(model_id: str, *prices: dict, **extra: object) -> dict:
    return {"id": model_id, "name": model_id, "tier": "mid", "prices": list(prices), **extra}


def catalog_of(vendor: str, *models: dict, kind: str = "api") -> Catalog:
    doc = {"vendor": vendor, "name": vendor, "kind": kind, "models": list(models)}
    return build_catalog([(f"vendors/{vendor}.yaml", doc)], GPUS, SERVING)


def litellm(key: str, input_price: float, output_price: float, provider: str = "openai", **extra: object) -> dict:
    """One LiteLLM entry, prices given in $ per 1M tokens (stored per token, as LiteLLM does)."""
    return {key: {"litellm_provider": provider, "mode": "chat", "input_cost_per_token": input_price / 1e6,
                  "output_cost_per_token": output_price / 1e6, **extra}}  # fmt: skip


def genai(provider: str, *models: dict) -> list[dict]:
    return [{"id": provider, "name": provider, "models": list(models)}]


# ------------------------------------------------------------------ readers


def test_litellm_zero_cache_write_is_not_a_free_cache_write() -> None:
    # cache_creation_input_token_cost 0.0 on a model priced 3.00 in: LiteLLM's "unknown", not free.
    data = litellm("gpt-x", 3.0, 15.0, cache_creation_input_token_cost=0.0, cache_read_input_token_cost=0.3e-6)
    (imported,) = litellm_to_models(data).models
    prices = imported.price_on(TODAY)
    assert (prices.cache_write, prices.cached_input) == (None, 0.3)
    assert any("cache_write 0.0 read as not given" in note for note in imported.notes)


@pytest.mark.parametrize(
    ("default", "by_hour"),
    [((0.15, 0.6), (0.30, 1.2)), ((0.30, 1.2), (0.15, 0.6))],
    ids=["peak-is-timed", "off-peak-is-timed"],
)
def test_time_of_day_prices_keep_the_peak(default: tuple[float, float], by_hour: tuple[float, float]) -> None:
    # DeepSeek bills 0.30/1.20 at peak and half off-peak; the catalog holds the peak whichever way the file orders them.
    prices = [
        {"prices": {"input_mtok": default[0], "output_mtok": default[1]}},
        {
            "constraint": {"start_time": "01:00", "end_time": "04:00"},
            "prices": {"input_mtok": by_hour[0], "output_mtok": by_hour[1]},
        },
    ]
    (imported,) = genai_prices_to_models(genai("deepseek", {"id": "deepseek-flash", "prices": prices})).models
    assert (imported.price_on(TODAY).input, imported.price_on(TODAY).output) == (0.30, 1.2)
    assert any("off-peak" in note for note in imported.notes)


def test_time_of_day_prices_hold_in_every_dated_period() -> None:
    # genai-prices' DeepSeek V4 Flash: flat 0.14/0.28 at first, then off-peak 0.22/0.66 from 2026-08-17 and 0.15/0.60
    # from 2026-09-10, with undated peak windows at 0.30/1.20. The peak applies from 2026-08-17 on, not only on the
    # last period; the undated first period keeps its flat price.
    prices = [
        {"prices": {"input_mtok": 0.14, "output_mtok": 0.28}},
        {"constraint": {"start_date": "2026-08-17"}, "prices": {"input_mtok": 0.22, "output_mtok": 0.66}},
        {"constraint": {"start_date": "2026-09-10"}, "prices": {"input_mtok": 0.15, "output_mtok": 0.6}},
        {"constraint": {"start_time": "01:00", "end_time": "04:00"}, "prices": {"input_mtok": 0.3, "output_mtok": 1.2}},
    ]
    (imported,) = genai_prices_to_models(genai("deepseek", {"id": "deepseek-v4-flash", "prices": prices})).models
    days = (dt.date(2026, 8, 1), dt.date(2026, 8, 17), dt.date(2026, 9, 10))
    assert [(imported.price_on(d).input, imported.price_on(d).output) for d in days] == [(0.14, 0.28), (0.3, 1.2), (0.3, 1.2)]


@pytest.mark.parametrize(
    ("database", "data", "key", "vendor"),
    [
        (GENAI_PRICES, genai("google", {"id": "claude-3-5-haiku", "prices": {"input_mtok": 0.8, "output_mtok": 4}}), "claude-3-5-haiku", "anthropic"),
        (LITELLM, litellm("deepinfra/anthropic/claude-4-sonnet", 3.3, 16.5, provider="deepinfra"), "deepinfra/anthropic/claude-4-sonnet", "anthropic"),
        (LITELLM, litellm("deepinfra/google/gemini-2.5-flash", 0.21, 1.75, provider="deepinfra"), "deepinfra/google/gemini-2.5-flash", "google"),
        (LITELLM, litellm("anthropic.claude-3-5-haiku-20241022-v1:0", 0.8, 4.0, provider="bedrock"), "anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic"),
    ],
    ids=["claude-under-google", "claude-on-deepinfra", "gemini-on-deepinfra", "claude-on-bedrock"],
)  # fmt: skip
def test_resold_models_are_filed_under_their_maker(database: str, data: object, key: str, vendor: str) -> None:
    reader = litellm_to_models if database == LITELLM else genai_prices_to_models
    (imported,) = reader(data).models
    assert (imported.key, imported.vendor, imported.resold) == (key, vendor, True)


def test_open_models_on_an_inference_provider_stay_theirs() -> None:
    (imported,) = litellm_to_models(
        litellm("deepinfra/meta-llama/Llama-3.3-70B-Instruct", 0.23, 0.4, provider="deepinfra")
    ).models
    assert (imported.vendor, imported.resold, imported.id) == ("deepinfra", False, "deepinfra-llama-3.3-70b-instruct")


@pytest.mark.parametrize(
    "key",
    ["ft:gpt-4o-mini-2024-07-18:acme::x1", "gpt-4o-audio-preview", "gpt-4o-realtime-preview", "gpt-4o-search-preview",
     "gpt-image-1", "openrouter/auto", "gpt-4o-mini-tts"],
    ids=["fine-tune", "audio", "realtime", "search", "image", "router", "tts"],
)  # fmt: skip
def test_out_of_scope_classes_are_not_new_models(key: str) -> None:
    assert litellm_to_models(litellm(key, 1.0, 2.0)).models == []


# --------------------------------------------------------------------- diff

GPT = model("gpt-x", entry(dt.date(2025, 1, 1), 2.0, 8.0, end=dt.date(2026, 6, 1)), entry(dt.date(2026, 6, 1), 1.0, 4.0))


def test_retired_model_gets_no_change_after_its_retirement() -> None:
    retired = model("gpt-old", entry(dt.date(2024, 6, 1), 5.0, 15.0), status="retired", retires=dt.date(2026, 1, 1))
    diff = diff_catalog(catalog_of("openai", retired), litellm_to_models(litellm("gpt-old", 9.0, 30.0)), TODAY)
    assert diff.changes == [] and diff.new_models == []


def test_old_file_is_compared_at_its_own_date_and_warned_about() -> None:
    # The file says 2.00/8.00: the catalog's price on 2026-01-15 (before the 2026-06-01 cut). Nothing to revert.
    diff = diff_catalog(
        catalog_of("openai", GPT), litellm_to_models(litellm("gpt-x", 2.0, 8.0)), TODAY, as_of=dt.date(2026, 1, 15)
    )
    assert diff.changes == []
    assert any("this file is from 2026-01-15, 320 days ago" in note for note in diff.notes)  # 2026-01-15 → 2026-12-01 = 320 days


def test_old_file_that_disagrees_proposes_a_change_at_its_date_not_today() -> None:
    diff = diff_catalog(
        catalog_of("openai", GPT), litellm_to_models(litellm("gpt-x", 2.5, 8.0)), TODAY, as_of=dt.date(2026, 1, 15)
    )
    assert [(c.effective, c.fields[0].field, c.fields[0].new) for c in diff.changes] == [(dt.date(2026, 1, 15), "input", 2.5)]


def test_past_dated_change_is_visible() -> None:
    # genai-prices dates a cut on 2026-03-01 that the catalog (2.00/8.00 until 2026-06-01) lacks.
    prices = [
        {"prices": {"input_mtok": 2, "output_mtok": 8}},
        {"constraint": {"start_date": "2026-03-01"}, "prices": {"input_mtok": 1.5, "output_mtok": 6}},
        {"constraint": {"start_date": "2026-06-01"}, "prices": {"input_mtok": 1, "output_mtok": 4}},
    ]
    diff = diff_catalog(
        catalog_of("openai", GPT), genai_prices_to_models(genai("openai", {"id": "gpt-x", "prices": prices})), TODAY
    )
    assert [(c.effective, c.new.input) for c in diff.changes] == [(dt.date(2026, 3, 1), 1.5)]


def test_losing_duplicate_match_is_not_a_new_model() -> None:
    catalog = catalog_of("openai", model("gpt-x", entry(dt.date(2025, 1, 1), 1.0, 4.0), aliases=["gpt-x-2025-01-01"]))
    data = {**litellm("gpt-x", 1.0, 4.0), **litellm("gpt-x-2025-01-01", 1.1, 4.0)}  # a dated id priced differently
    diff = diff_catalog(catalog, litellm_to_models(data), TODAY)
    assert diff.new_models == []


def test_a_listed_key_beats_the_id_the_reader_made_up() -> None:
    # DeepInfra lists DeepSeek-R1 (0.70/2.40) and DeepSeek-R1-0528 (0.50/2.15). The reader proposes the id
    # deepinfra-deepseek-r1 for the first; the catalog's model of that id lists the second as its alias, so the
    # second prices it and the first is no "new model" either.
    r1, r1_0528 = "deepinfra/deepseek-ai/DeepSeek-R1", "deepinfra/deepseek-ai/DeepSeek-R1-0528"
    catalog = catalog_of(
        "deepinfra",
        model("deepinfra-deepseek-r1", entry(dt.date(2025, 1, 1), 0.5, 2.15), aliases=[r1_0528]),
        kind="inference_provider",
    )
    imported = litellm_to_models(
        {**litellm(r1, 0.7, 2.4, provider="deepinfra"), **litellm(r1_0528, 0.5, 2.15, provider="deepinfra")}
    )
    assert match_catalog(catalog, imported.models)["deepinfra-deepseek-r1"].key == r1_0528
    diff = diff_catalog(catalog, imported, TODAY)
    assert (diff.changes, diff.new_models) == ([], [])


def test_missing_alias_is_proposed_and_written(tmp_path: Path) -> None:
    vendors = tmp_path / "vendors"
    vendors.mkdir()
    doc = {
        "vendor": "openai",
        "name": "OpenAI",
        "kind": "api",
        "models": [model("gpt-x", entry(dt.date(2025, 1, 1), 1.0, 4.0), aliases=["openai/gpt-x"])],
    }
    (vendors / "openai.yaml").write_text(dump_vendor_document(doc))
    (tmp_path / "gpus.yaml").write_text(yaml.safe_dump(GPUS))
    (tmp_path / "serving.yaml").write_text(yaml.safe_dump(SERVING))
    imported = genai_prices_to_models(genai("openai", {"id": "gpt-x", "match": {"or": [{"equals": "gpt-x"}, {"equals": "gpt-x-turbo"}]}, "prices": {"input_mtok": 1, "output_mtok": 4}}))  # fmt: skip
    diff = diff_catalog(load_catalog(tmp_path), imported, TODAY)
    assert [(a.model_id, a.name) for a in diff.aliases] == [("gpt-x", "gpt-x-turbo")]
    apply_diff(diff, tmp_path)
    assert load_catalog(tmp_path).resolve("gpt-x-turbo") == "gpt-x"
    assert diff_catalog(load_catalog(tmp_path), imported, TODAY).aliases == []


def test_a_write_refreshes_the_catalogs_snapshot(tmp_path: Path) -> None:
    # load_catalog reads generated/curated.json only while it matches the YAML; --write keeps it matching.
    vendors = tmp_path / "vendors"
    vendors.mkdir()
    doc = {"vendor": "openai", "name": "OpenAI", "kind": "api", "models": [model("gpt-x", entry(dt.date(2025, 1, 1), 1.0, 4.0))]}
    (vendors / "openai.yaml").write_text(dump_vendor_document(doc))
    (tmp_path / "gpus.yaml").write_text(yaml.safe_dump(GPUS))
    (tmp_path / "serving.yaml").write_text(yaml.safe_dump(SERVING))
    snapshot = write_curated_snapshot(tmp_path)
    imported = litellm_to_models(litellm("gpt-x", 0.5, 2.0))
    apply_diff(diff_catalog(load_catalog(tmp_path), imported, TODAY), tmp_path)
    sources = [(name, path.read_bytes()) for name, path in _source_files(tmp_path)]
    assert json.loads(snapshot.read_text())["sha256"] == sources_digest(sources)
    assert load_catalog(tmp_path).models["gpt-x"].price_on(TODAY).input == 0.5


def test_catalog_tier_the_database_lacks_is_reported() -> None:
    tier = {"threshold": 200000, "input": 6.0, "output": 22.5}
    catalog = catalog_of("anthropic", model("claude-x", entry(dt.date(2025, 1, 1), 3.0, 15.0, long_context=tier)))
    diff = diff_catalog(catalog, litellm_to_models(litellm("claude-x", 3.0, 15.0, provider="anthropic")), TODAY)
    assert diff.unconfirmed == ["claude-x: the catalog's tier above 200,000 input tokens is not in LiteLLM (claude-x)"]


def test_check_against_ignores_retired_models() -> None:
    retired = model("gpt-old", entry(dt.date(2024, 6, 1), 5.0, 15.0), status="retired", retires=dt.date(2026, 1, 1))
    findings = check_catalog(catalog_of("openai", retired, GPT), TODAY, against=litellm_to_models({**litellm("gpt-old", 9.0, 30.0), **litellm("gpt-x", 9.0, 30.0)}))  # fmt: skip
    assert [(f.kind, f.subject) for f in findings if f.kind == "price-diff"] == [("price-diff", "gpt-x")]


def test_together_typo_is_flagged_by_check_against() -> None:
    # docs/prices.md: LiteLLM 1.80.10's 0.20/6.00 for Together's Qwen3 235B is +900% on the output price.
    qwen = model(
        "together-qwen3-235b",
        entry(dt.date(2025, 7, 1), 0.2, 0.6),
        aliases=["Qwen/Qwen3-235B-A22B-Instruct-2507-tput"],
        tier="open",
    )
    data = litellm("together_ai/Qwen/Qwen3-235B-A22B-Instruct-2507-tput", 0.2, 6.0, provider="together_ai")
    findings = check_catalog(catalog_of("together", qwen, kind="inference_provider"), TODAY, against=litellm_to_models(data))
    assert [f.message.split(" vs ")[0] for f in findings if f.kind == "price-diff"] == ["output: 0.60 → 6.00 (+900.0%)"]


# --------------------------------------------------------------- properties

PRICE = st.sampled_from([0.05, 0.1, 0.15, 0.25, 0.4, 0.5, 1.0, 1.25, 2.0, 2.5, 3.0, 5.0, 10.0, 15.0])
NAMES = st.lists(st.sampled_from(["gpt-a", "gpt-b", "gpt-c", "o9", "o9-mini", "gpt-d-mini"]), min_size=1, max_size=4, unique=True)
PROPERTY = settings(derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def litellm_files(draw: st.DrawFn) -> dict:
    data: dict = {}
    for name in draw(NAMES):
        extra = {"cache_read_input_token_cost": draw(PRICE) / 1e7} if draw(st.booleans()) else {}
        data |= litellm(name, draw(PRICE), draw(PRICE), **extra)
    return data


def write_catalog(directory: Path, models: list[dict]) -> Path:
    (directory / "vendors").mkdir(parents=True, exist_ok=True)
    doc = {"vendor": "openai", "name": "OpenAI", "kind": "api", "models": models}
    (directory / "vendors" / "openai.yaml").write_text(dump_vendor_document(doc))
    (directory / "gpus.yaml").write_text(yaml.safe_dump(GPUS))
    (directory / "serving.yaml").write_text(yaml.safe_dump(SERVING))
    return directory


@PROPERTY
@given(data=litellm_files())
def test_a_file_equal_to_the_catalog_proposes_nothing(data: dict) -> None:
    models = [
        model(key, entry(dt.date(2025, 1, 1), raw["input_cost_per_token"] * 1e6, raw["output_cost_per_token"] * 1e6,
                         **({"cached_input": raw["cache_read_input_token_cost"] * 1e6} if "cache_read_input_token_cost" in raw else {})))
        for key, raw in data.items()
    ]  # fmt: skip
    diff = diff_catalog(catalog_of("openai", *models), litellm_to_models(data), TODAY)
    assert (diff.changes, diff.new_models, diff.aliases) == ([], [], [])


@PROPERTY
@given(data=litellm_files(), first=st.lists(PRICE, min_size=2, max_size=2))
def test_write_then_check_is_clean_and_a_second_import_changes_nothing(tmp_path_factory, data: dict, first: list) -> None:
    directory = write_catalog(tmp_path_factory.mktemp("catalog"), [model("gpt-a", entry(dt.date(2025, 1, 1), *first))])
    path = directory / "file.json"
    path.write_text(json.dumps(data))
    assert main(["import-litellm", str(path), "--write", "--catalog-dir", str(directory), "--today", str(TODAY)]) == 0
    written = {p: p.read_bytes() for p in (directory / "vendors").glob("*.yaml")}
    catalog = load_catalog(directory)
    findings = check_catalog(catalog, TODAY, against=litellm_to_models(data), max_diff_pct=0.0)
    assert [f for f in findings if f.kind == "price-diff"] == []
    again = diff_catalog(catalog, litellm_to_models(data), TODAY)
    assert not again.has_writes
    assert main(["import-litellm", str(path), "--write", "--catalog-dir", str(directory), "--today", str(TODAY)]) == 0
    assert {p: p.read_bytes() for p in (directory / "vendors").glob("*.yaml")} == written


@PROPERTY
@given(data=litellm_files(), age=st.integers(min_value=1, max_value=600), prices=st.lists(PRICE, min_size=4, max_size=4))
def test_an_older_file_never_proposes_a_change_dated_today(data: dict, age: int, prices: list) -> None:
    history = model(
        "gpt-a", entry(dt.date(2024, 6, 1), *prices[:2], end=dt.date(2026, 3, 1)), entry(dt.date(2026, 3, 1), *prices[2:])
    )
    as_of = TODAY - dt.timedelta(days=age)
    diff = diff_catalog(catalog_of("openai", history), litellm_to_models(data), TODAY, as_of=as_of)
    assert all(change.effective <= as_of for change in diff.changes)
    assert all(new.entry["prices"][0]["from"] <= as_of for new in diff.new_models)


def test_new_model_with_an_implausible_output_price_is_flagged() -> None:
    # LiteLLM 1.80.10: Together's Qwen3 235B at 0.20 in / 6.00 out, 6.00 / 0.20 = 30x (a typo for 0.60).
    data = litellm("together_ai/Qwen/Qwen3-235B-A22B-Instruct-2507-tput", 0.2, 6.0, provider="together_ai")
    diff = diff_catalog(catalog_of("together", kind="inference_provider"), litellm_to_models(data), TODAY)
    assert [n.entry["id"] for n in diff.new_models] == ["together-qwen3-235b-a22b-instruct-2507-tput"]
    assert "together-qwen3-235b-a22b-instruct-2507-tput: output 6 is 30x the input 0.2; check the vendor's page" in diff.notes[-1]


def test_a_resellers_name_for_a_new_model_is_written_with_it() -> None:
    # GPT Z is new; Azure's listing of it is a resale: its name becomes an alias of the new model now,
    # not an alias proposed by the next import of the same file.
    data = {**litellm("gpt-z", 1.0, 4.0), **litellm("azure/eu/gpt-z", 1.1, 4.4, provider="azure")}
    diff = diff_catalog(catalog_of("openai", GPT), litellm_to_models(data), TODAY)
    assert [(n.entry["id"], n.entry.get("aliases")) for n in diff.new_models] == [("gpt-z", ["azure/eu/gpt-z"])]
    assert diff.aliases == []


@pytest.mark.parametrize(
    ("start", "changed"), [(199999, False), (200000, False), (128000, True)], ids=["inclusive", "same", "other"]
)
def test_a_tier_threshold_off_by_one_token_is_the_same_tier(start: int, changed: bool) -> None:
    # genai-prices writes "above 200K" as a tier starting at 199,999 for some models, 200,000 for others.
    tier = {"threshold": 200000, "input": 6.0, "output": 22.5}
    catalog = catalog_of("xai", model("grok-x", entry(dt.date(2025, 1, 1), 3.0, 15.0, long_context=tier)))
    prices = {"input_mtok": {"base": 3, "tiers": [{"start": start, "price": 6}]}, "output_mtok": {"base": 15, "tiers": [{"start": start, "price": 22.5}]}}  # fmt: skip
    diff = diff_catalog(catalog, genai_prices_to_models(genai("x-ai", {"id": "grok-x", "prices": prices})), TODAY)
    assert bool(diff.changes) is changed


def test_check_against_an_old_file_compares_at_its_date() -> None:
    # GPT X was 2.00/8.00 until 2026-06-01, then 1.00/4.00; a file from 2026-01-15 saying 2.00/8.00 is right for its day.
    findings = check_catalog(
        catalog_of("openai", GPT), TODAY, against=litellm_to_models(litellm("gpt-x", 2.0, 8.0)), as_of=dt.date(2026, 1, 15)
    )
    assert [f for f in findings if f.kind == "price-diff"] == []
