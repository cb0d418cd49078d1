"""The catalog loader: every bad file is rejected with a message naming file, model and field."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json

import pytest
import yaml
from toy_data import TOY_GPUS, TOY_HOST, TOY_SERVING, TOY_VENDOR

from pricing.__main__ import main
from pricing.catalog import (
    CURATED_SNAPSHOT,
    DATA_DIR,
    CatalogError,
    _source_files,
    build_catalog,
    load_catalog,
    price_in_force,
    sources_digest,
)
from pricing.hardware import load_hardware


def build(vendor=None, gpus=None, serving=None):
    return build_catalog(
        [("vendors/toy.yaml", vendor or TOY_VENDOR), ("vendors/toyhost.yaml", TOY_HOST)],
        gpus or TOY_GPUS,
        serving or TOY_SERVING,
    )


def edited(doc, path, value):
    """A deep copy of ``doc`` with the item at ``path`` (keys and indexes) replaced, or deleted when value is ...."""
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


BIG_PRICE = ("models", 0, "prices", 0)


@pytest.mark.parametrize(
    "path, value, message",
    [
        (
            (*BIG_PRICE, "input"),
            -1.0,
            "vendors/toy.yaml: model big: prices[0]: field 'input' must be a finite price >= 0, got -1.0",
        ),
        ((*BIG_PRICE, "output"), ..., "vendors/toy.yaml: model big: prices[0]: field 'output' is missing"),
        ((*BIG_PRICE, "input"), "cheap", "field 'input' must be a number ($ per 1M tokens), got 'cheap'"),
        ((*BIG_PRICE, "input"), float("inf"), "field 'input' must be a finite price >= 0"),
        ((*BIG_PRICE, "input"), 50_000.0, "field 'input' = 50000.0 is above $10,000 per 1M tokens"),
        ((*BIG_PRICE, "cached_input"), -0.1, "field 'cached_input' must be a finite price >= 0"),
        ((*BIG_PRICE, "batch_discount"), 1.5, "field 'batch_discount' must be a fraction in [0, 1)"),
        ((*BIG_PRICE, "to"), "2024-01-01", "date range is reversed or empty: from 2025-01-01 to 2024-01-01"),
        ((*BIG_PRICE, "from"), "yesterday", "field 'from' must be a date (YYYY-MM-DD), got 'yesterday'"),
        ((*BIG_PRICE, "source"), "see website", "field 'source' must be a URL, got 'see website'"),
        ((*BIG_PRICE, "checked"), ..., "field 'checked' must be a date (YYYY-MM-DD), got None"),
        (
            (*BIG_PRICE, "long_context"),
            {"threshold": 0, "input": 1, "output": 2},
            "'long_context.threshold' must be a positive integer",
        ),
        (("models", 0, "tier"), "premium", "model big: field 'tier' must be one of flagship, mid, small, open, got 'premium'"),
        (("models", 0, "status"), "gone", "field 'status' must be one of active, preview, deprecated, retired"),
        (("models", 0, "prices"), [], "model big: field 'prices' must be a non-empty list of price entries"),
        (("models", 0, "id"), "Big Model!", "vendors/toy.yaml: models[0]: field 'id' must be a lowercase slug"),
        (("models", 3, "successor"), "nobody", "model retiring: successor 'nobody' is not in the catalog"),
        (("models", 1, "id"), "big", "vendors/toy.yaml: model big: duplicate model id"),
        (("models", 1, "aliases"), ["BIG-2026-01-01"], "model small: alias 'BIG-2026-01-01' is already used by model big"),
        (
            ("models", 2, "prices", 0, "to"),
            "2027-02-01",
            "model changing: price entries overlap: the one from 2025-01-01 runs to 2027-02-01",
        ),
        (
            ("models", 2, "prices", 0, "to"),
            None,
            "model changing: price entries overlap: the one from 2025-01-01 runs to open end",
        ),
        (("billing",), {"batch_discount_on_cached_input": "no"}, "vendors/toy.yaml: billing rule"),
        (("billing",), {"free_lunch": True}, "vendors/toy.yaml: unknown billing rule 'free_lunch'"),
        ((*BIG_PRICE, "batch_discount_on_cached_input"), 0, "model big: prices[0]: billing rule"),
    ],
    ids=[
        "negative-price",
        "missing-output",
        "text-price",
        "infinite-price",
        "absurd-price",
        "negative-cached",
        "batch-discount-100pct",
        "reversed-range",
        "bad-from",
        "source-not-url",
        "missing-checked",
        "bad-long-context",
        "bad-tier",
        "bad-status",
        "no-prices",
        "bad-id",
        "unknown-successor",
        "duplicate-id",
        "duplicate-alias",
        "overlapping-entries",
        "billing-rule-not-bool",
        "billing-rule-unknown",
        "entry-billing-rule-not-bool",
        "open-entry-before-another",
    ],
)
def test_invalid_vendor_files_name_file_model_and_field(path, value, message):
    with pytest.raises(CatalogError) as info:
        build(vendor=edited(TOY_VENDOR, path, value))
    assert any(message in problem for problem in info.value.problems), info.value.problems


@pytest.mark.parametrize(
    "serving, message",
    [
        (edited(TOY_SERVING, ("profiles", 0, "gpu"), "gpu-z"), "serving.yaml: profile open-70b-2x: unknown GPU 'gpu-z'"),
        (edited(TOY_SERVING, ("profiles", 0, "default_offer"), "gpu-x@nowhere"), "unknown default_offer 'gpu-x@nowhere'"),
        (
            edited(TOY_SERVING, ("profiles", 0, "decode_tokens_per_s"), 0),
            "field 'decode_tokens_per_s' must be a positive number, got 0",
        ),
        (edited(TOY_SERVING, ("profiles", 0, "gpus_per_replica"), 1.5), "field 'gpus_per_replica' must be a positive integer"),
    ],
    ids=["unknown-gpu", "unknown-offer", "zero-throughput", "fractional-gpus"],
)
def test_invalid_serving_profiles(serving, message):
    with pytest.raises(CatalogError) as info:
        build(serving=serving)
    assert any(message in problem for problem in info.value.problems), info.value.problems


def test_every_problem_is_reported_at_once():
    vendor = edited(edited(TOY_VENDOR, (*BIG_PRICE, "input"), -1.0), ("models", 1, "tier"), "huge")
    with pytest.raises(CatalogError) as info:
        build(vendor=vendor, gpus=edited(TOY_GPUS, ("gpus", 0, "offers", 0, "usd_per_gpu_hour"), -2))
    problems = "\n".join(info.value.problems)
    for fragment in (
        "model big: prices[0]: field 'input'",
        "model small: field 'tier'",
        "gpu gpu-x: offers[0]: field 'usd_per_gpu_hour'",
    ):
        assert fragment in problems


def test_unreadable_yaml_names_the_file(tmp_path):
    (tmp_path / "vendors").mkdir()
    (tmp_path / "vendors" / "broken.yaml").write_text("vendor: x\nmodels: [\n")
    (tmp_path / "gpus.yaml").write_text(yaml.safe_dump(TOY_GPUS))
    (tmp_path / "serving.yaml").write_text(yaml.safe_dump(TOY_SERVING))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert "broken.yaml: cannot read YAML" in str(info.value)


def test_yaml_tags_are_refused(tmp_path):
    (tmp_path / "vendors").mkdir()
    (tmp_path / "vendors" / "evil.yaml").write_text("!!python/object/apply:os.system ['true']\n")
    (tmp_path / "gpus.yaml").write_text(yaml.safe_dump(TOY_GPUS))
    (tmp_path / "serving.yaml").write_text(yaml.safe_dump(TOY_SERVING))
    with pytest.raises(CatalogError, match="evil.yaml: cannot read YAML"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        # an entry given `input` twice: YAML alone keeps the later 2.50 without a word
        ("vendors/toy.yaml", None, "toy.yaml: cannot read YAML: duplicate key 'input' on line {line}"),
        ("gpus.yaml", "gpus:\n  - id: h100\n    id: a100\n", "gpus.yaml: cannot read YAML: duplicate key 'id' on line 3"),
        ("serving.yaml", "profiles: []\nprofiles: [x]\n", "serving.yaml: cannot read YAML: duplicate key 'profiles' on line 2"),
    ],
    ids=["price-field", "gpu-id", "top-level"],
)
def test_a_key_given_twice_is_an_error_naming_file_and_key(tmp_path, file, text, message):
    (tmp_path / "vendors").mkdir()
    vendor = yaml.safe_dump(TOY_VENDOR, sort_keys=False)
    if text is None:  # the toy vendor file with its first entry's input price given a second time
        lines = vendor.splitlines()
        at = next(i for i, line in enumerate(lines) if line.strip().startswith("input:"))
        lines.insert(at + 1, lines[at].replace(lines[at].strip(), "input: 2.5"))
        text = "\n".join(lines) + "\n"
        message = message.format(line=at + 2)  # the second `input`, 1-based
    files = {"vendors/toy.yaml": vendor, "gpus.yaml": yaml.safe_dump(TOY_GPUS), "serving.yaml": yaml.safe_dump(TOY_SERVING)}
    files[file] = text
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert info.value.problems == [message]


def test_hardware_file_with_a_key_given_twice_is_refused(tmp_path):
    (tmp_path / "hardware.yaml").write_text("gpus: []\ngpus: []\n")
    with pytest.raises(CatalogError, match="hardware.yaml: cannot be read: duplicate key 'gpus' on line 2"):
        load_hardware(tmp_path)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("big", "big"),
        ("  BIG-2026-01-01 ", "big"),  # case and spaces do not matter
        ("openrouter/toy/big", None),  # an unknown vendor prefix is not guessed away
        ("openrouter/big-2026-01-01", "big"),  # a gateway prefix is
        ("big:free", "big"),  # OpenRouter variant suffix
        ("gpt-99", None),  # unknown: None, never a $0 model
        ("", None),
        ("small-20260101", "small"),  # snapshot date, compact
        ("small-2026-01-01", "small"),  # snapshot date, ISO
        ("small@20260101", "small"),  # Vertex snapshot
        ("us.anthropic.small-20260101-v1:0", "small"),  # Bedrock cross-region id
        ("small-latest", "small"),  # moving pointer
        ("azure/small-latest:free", "small"),  # prefix, variant and suffix together
        ("small-2026", None),  # not a date: not stripped
        ("smallish", None),  # no prefix matching
    ],
    ids=[
        "id",
        "alias-case-space",
        "unknown-prefix",
        "gateway-prefix",
        "variant-suffix",
        "unknown",
        "empty",
        "compact-date",
        "iso-date",
        "vertex-at-date",
        "bedrock",
        "latest",
        "everything",
        "not-a-date",
        "no-prefix-match",
    ],
)
def test_resolve(toy_catalog, name, expected):
    assert toy_catalog.resolve(name) == expected


@pytest.mark.parametrize(
    "day, expected_input",
    [
        (dt.date(2020, 1, 1), 2.0),  # before the first entry: the first entry
        (dt.date(2027, 1, 10), 2.0),  # last day of the old price (the change is on the 11th)
        (dt.date(2027, 1, 11), 1.0),  # `from` is inclusive
        (dt.date(2040, 1, 1), 1.0),  # open-ended last entry
    ],
    ids=["before-first", "day-before-change", "change-day", "far-future"],
)
def test_price_in_force(toy_catalog, day, expected_input):
    assert price_in_force(toy_catalog.models["changing"].prices, day).input == expected_input


def test_a_listed_snapshot_wins_over_the_date_rule():
    # "big-2026-01-01" is an alias of big; a model whose id is "small-2026-01-01" must not be
    # shadowed by the rule that strips dates (gpt-4o-2024-05-13 has its own price).
    vendor = copy.deepcopy(TOY_VENDOR)
    vendor["models"].append({**copy.deepcopy(vendor["models"][1]), "id": "small-2026-01-01", "name": "Small snapshot"})
    catalog = build(vendor)
    assert catalog.resolve("small-2026-01-01") == "small-2026-01-01"
    assert catalog.resolve("small-2026-02-01") == "small"


def test_version_dots_and_dashes_are_one_name_unless_ambiguous():
    vendor = copy.deepcopy(TOY_VENDOR)
    vendor["models"][1]["id"] = "small-4-5"
    assert build(vendor).resolve("small-4.5") == "small-4-5"
    vendor["models"].append({**copy.deepcopy(vendor["models"][1]), "id": "small-4.5", "name": "Other"})
    catalog = build(vendor)
    assert catalog.resolve("small-4.5") == "small-4.5"  # exact names first
    assert catalog.resolve("small-4.5-20260101") == "small-4.5"
    assert catalog.resolve("openrouter/small-4_5") is None


def test_billing_rule_comes_from_the_vendor_and_an_entry_may_override_it():
    vendor = edited(TOY_VENDOR, ("billing",), {"batch_discount_on_cached_input": False})
    vendor = edited(vendor, ("models", 1, "prices", 0, "batch_discount_on_cached_input"), True)
    catalog = build(vendor)
    assert catalog.models["big"].prices[0].batch_discount_on_cached_input is False
    assert catalog.models["small"].prices[0].batch_discount_on_cached_input is True
    assert build().models["big"].prices[0].batch_discount_on_cached_input is True  # the default


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 10, 1), "Big retires on 2026-10-22"),
        (dt.date(2026, 10, 22), "Big shut down on 2026-10-22"),
    ],
    ids=["before", "on-the-day"],
)
def test_lifecycle_note_reads_today_from_the_clock(monkeypatch, today, expected):
    from calculators import clock

    monkeypatch.setattr(clock, "today", lambda: today)
    model = dataclasses.replace(build().models["big"], retires=dt.date(2026, 10, 22), successor=None)
    assert model.lifecycle_note() == expected


# ---------------------------------------------------------------- the snapshot of the parsed YAML


def toy_catalog_dir(directory):
    (directory / "vendors").mkdir()
    (directory / "vendors" / "toy.yaml").write_text(yaml.safe_dump(TOY_VENDOR, sort_keys=False))
    (directory / "gpus.yaml").write_text(yaml.safe_dump(TOY_GPUS))
    (directory / "serving.yaml").write_text(yaml.safe_dump(TOY_SERVING))
    return directory


def test_the_shipped_snapshot_matches_the_yaml_files():
    # Stale, it is ignored (correct but slow: ~25 ms of YAML instead of ~6 ms); run `python -m pricing snapshot`.
    sources = [(name, path.read_bytes()) for name, path in _source_files(DATA_DIR)]
    snapshot = json.loads((DATA_DIR / CURATED_SNAPSHOT).read_bytes())
    assert snapshot["sha256"] == sources_digest(sources), "pricing/generated/curated.json is stale: python -m pricing snapshot"


def test_a_catalog_read_from_the_snapshot_is_the_one_read_from_the_yaml():
    fast, slow = load_catalog(), load_catalog(use_snapshot=False)
    assert (fast.models, fast.vendors, fast.gpus, fast.offers, fast.profiles) == (
        slow.models,
        slow.vendors,
        slow.gpus,
        slow.offers,
        slow.profiles,
    )


def test_the_snapshot_is_read_while_it_matches_and_ignored_once_a_file_changes(tmp_path):
    directory = toy_catalog_dir(tmp_path)
    assert main(["snapshot", "--catalog-dir", str(directory)]) == 0
    path = directory / CURATED_SNAPSHOT
    # Proof that it is read: the same digest with another name in it gives that name.
    snapshot = json.loads(path.read_text())
    snapshot["documents"]["vendors/toy.yaml"]["models"][0]["name"] = "Big (from the snapshot)"
    path.write_text(json.dumps(snapshot))
    assert load_catalog(directory).models["big"].name == "Big (from the snapshot)"
    # One byte changed in a YAML file: the digest no longer matches, the YAML is parsed.
    vendor = directory / "vendors" / "toy.yaml"
    vendor.write_text(vendor.read_text() + "\n")
    assert load_catalog(directory).models["big"].name == "Big"


def test_a_snapshot_is_only_written_of_a_catalog_that_loads(tmp_path, capsys):
    directory = toy_catalog_dir(tmp_path)
    (directory / "gpus.yaml").write_text("gpus: []\ngpus: []\n")
    assert main(["snapshot", "--catalog-dir", str(directory)]) == 2
    assert "duplicate key 'gpus'" in capsys.readouterr().err
    assert not (directory / CURATED_SNAPSHOT).exists()
