"""Validation of parsed catalog documents into a :class:`~pricing.catalog_types.Catalog`.

Every problem is collected with the file, the model and the field it concerns, and
:func:`build_catalog` raises one :class:`~pricing.catalog_types.CatalogError` listing them all,
so a bad edit is fixed in one pass.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pricing.catalog_names import alias_key
from pricing.catalog_types import (
    STATUSES,
    TIERS,
    Catalog,
    CatalogError,
    Gpu,
    GpuOffer,
    Latency,
    LongContextTier,
    Model,
    PriceEntry,
    ServingProfile,
    Vendor,
)

# A price above this is a typo (the dearest list price in 2026 is $180 per 1M output).
MAX_PRICE_PER_MTOK = 10_000.0
_URL = re.compile(r"^https?://\S+$")


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def as_date(value: Any) -> dt.date | None:
    """A date from YAML/JSON (a date, a datetime or an ISO ``YYYY-MM-DD`` string); None otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _price(raw: Mapping, key: str, where: str, problems: _Problems, required: bool) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            problems.add(where, f"field '{key}' is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(where, f"field '{key}' must be a number ($ per 1M tokens), got {value!r}")
        return None
    value = float(value)
    if not math.isfinite(value) or value < 0:
        problems.add(where, f"field '{key}' must be a finite price >= 0, got {value!r}")
        return None
    if value > MAX_PRICE_PER_MTOK:
        problems.add(where, f"field '{key}' = {value} is above ${MAX_PRICE_PER_MTOK:,.0f} per 1M tokens")
        return None
    return value


def _source_and_checked(raw: Mapping, where: str, problems: _Problems) -> tuple[str, dt.date]:
    source = raw.get("source")
    if not isinstance(source, str) or not _URL.match(source.strip()):
        problems.add(where, f"field 'source' must be a URL, got {source!r}")
        source = ""
    checked = as_date(raw.get("checked"))
    if checked is None:
        problems.add(where, f"field 'checked' must be a date (YYYY-MM-DD), got {raw.get('checked')!r}")
        checked = dt.date.min
    return str(source).strip(), checked


def _parse_long_context(raw: Any, where: str, problems: _Problems) -> LongContextTier | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(where, "field 'long_context' must be a mapping")
        return None
    threshold = raw.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold <= 0:
        problems.add(where, f"field 'long_context.threshold' must be a positive integer, got {threshold!r}")
        return None
    sub = f"{where}: long_context"
    values = {
        k: _price(raw, k, sub, problems, k in ("input", "output")) for k in ("input", "output", "cached_input", "cache_write")
    }
    if values["input"] is None or values["output"] is None:
        return None
    return LongContextTier(threshold=threshold, **values)


# Vendor-wide billing rules a vendor file may state under `billing:`, with their defaults; a price
# entry may override one for itself.
BILLING_RULES = {"batch_discount_on_cached_input": True}


def _parse_billing(raw: Any, where: str, problems: _Problems, defaults: Mapping[str, bool]) -> dict[str, bool]:
    rules = dict(defaults)
    if raw is None:
        return rules
    if not isinstance(raw, Mapping):
        problems.add(where, "field 'billing' must be a mapping")
        return rules
    for key, value in raw.items():
        if key not in BILLING_RULES:
            problems.add(where, f"unknown billing rule {key!r} (known: {', '.join(BILLING_RULES)})")
        elif not isinstance(value, bool):
            problems.add(where, f"billing rule '{key}' must be true or false, got {value!r}")
        else:
            rules[key] = value
    return rules


def _parse_price_entry(
    raw: Any, where: str, problems: _Problems, billing: Mapping[str, bool] = BILLING_RULES
) -> PriceEntry | None:
    if not isinstance(raw, Mapping):
        problems.add(where, "each price entry must be a mapping")
        return None
    start = as_date(raw.get("from"))
    if start is None:
        problems.add(where, f"field 'from' must be a date (YYYY-MM-DD), got {raw.get('from')!r}")
    end = None
    if raw.get("to") is not None:
        end = as_date(raw.get("to"))
        if end is None:
            problems.add(where, f"field 'to' must be a date or null, got {raw.get('to')!r}")
    if start and end and end <= start:
        problems.add(where, f"date range is reversed or empty: from {start} to {end}")
    input_price = _price(raw, "input", where, problems, True)
    output_price = _price(raw, "output", where, problems, True)
    cached = _price(raw, "cached_input", where, problems, False)
    cache_write = _price(raw, "cache_write", where, problems, False)
    discount = raw.get("batch_discount")
    if discount is not None and (isinstance(discount, bool) or not isinstance(discount, int | float) or not 0 <= discount < 1):
        problems.add(where, f"field 'batch_discount' must be a fraction in [0, 1), got {discount!r}")
        discount = None
    long_context = _parse_long_context(raw.get("long_context"), where, problems)
    own_rules = {k: raw[k] for k in BILLING_RULES if k in raw}
    rules = _parse_billing(own_rules or None, where, problems, billing)
    source, checked = _source_and_checked(raw, where, problems)
    if None in (start, input_price, output_price):
        return None
    return PriceEntry(
        start=start,
        end=end,
        input=input_price,
        output=output_price,
        cached_input=cached,
        cache_write=cache_write,
        batch_discount=None if discount is None else float(discount),
        long_context=long_context,
        source=source,
        checked=checked,
        note=str(raw.get("note") or ""),
        batch_discount_on_cached_input=rules["batch_discount_on_cached_input"],
        audit_note=str(raw.get("audit_note") or ""),
    )


def _parse_latency(raw: Any, where: str, problems: _Problems) -> Latency | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(where, "field 'latency' must be a mapping")
        return None
    numbers = {}
    for key in ("output_tokens_per_s", "time_to_first_token_s"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0):
            problems.add(where, f"field 'latency.{key}' must be a positive number, got {value!r}")
            value = None
        numbers[key] = None if value is None else float(value)
    source = raw.get("source")
    if not isinstance(source, str) or not _URL.match(source.strip()):
        problems.add(where, f"field 'latency.source' must be a URL, got {source!r}")
        return None
    return Latency(numbers["output_tokens_per_s"], numbers["time_to_first_token_s"], source.strip())


def _positive_int(raw: Mapping, key: str, where: str, problems: _Problems) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        problems.add(where, f"field '{key}' must be a positive integer, got {value!r}")
        return None
    return value


def _parse_price_history(raw_prices: Any, where: str, problems: _Problems, billing: Mapping[str, bool]) -> list[PriceEntry]:
    """A model's ``prices`` list: its valid entries sorted by start day; overlaps and bad entries go to ``problems``."""
    if not isinstance(raw_prices, list) or not raw_prices:
        problems.add(where, "field 'prices' must be a non-empty list of price entries")
        raw_prices = []
    entries = []
    for i, raw_entry in enumerate(raw_prices):
        entry = _parse_price_entry(raw_entry, f"{where}: prices[{i}]", problems, billing)
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: e.start)
    for earlier, later in zip(entries, entries[1:], strict=False):
        if earlier.end is None or earlier.end > later.start:
            problems.add(
                where,
                f"price entries overlap: the one from {earlier.start} runs to "
                f"{earlier.end or 'open end'}, past the next one's start {later.start}",
            )
    return entries


def _parse_model(
    raw: Any, vendor: str, file: str, index: int, problems: _Problems, billing: Mapping[str, bool] = BILLING_RULES
) -> Model | None:
    if not isinstance(raw, Mapping):
        problems.add(f"{file}: models[{index}]", "each model must be a mapping")
        return None
    model_id = raw.get("id")
    if not isinstance(model_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._/-]*", model_id):
        problems.add(f"{file}: models[{index}]", f"field 'id' must be a lowercase slug, got {model_id!r}")
        return None
    where = f"{file}: model {model_id}"
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add(where, "field 'name' is missing")
        name = model_id
    tier = raw.get("tier")
    if tier not in TIERS:
        problems.add(where, f"field 'tier' must be one of {', '.join(TIERS)}, got {tier!r}")
    status = raw.get("status", "active")
    if status not in STATUSES:
        problems.add(where, f"field 'status' must be one of {', '.join(STATUSES)}, got {status!r}")
    retires = None
    if raw.get("retires") is not None:
        retires = as_date(raw.get("retires"))
        if retires is None:
            problems.add(where, f"field 'retires' must be a date, got {raw.get('retires')!r}")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.add(where, "field 'aliases' must be a list of non-empty strings")
        aliases = []
    entries = _parse_price_history(raw.get("prices"), where, problems, billing)
    if not entries:
        return None
    return Model(
        id=model_id,
        name=name.strip(),
        vendor=vendor,
        tier=str(tier),
        prices=tuple(entries),
        aliases=tuple(a.strip() for a in aliases),
        status=str(status),
        retires=retires,
        successor=raw.get("successor"),
        context_window=_positive_int(raw, "context_window", where, problems),
        max_output=_positive_int(raw, "max_output", where, problems),
        open_model=raw.get("open_model"),
        latency=_parse_latency(raw.get("latency"), where, problems),
        file=file,
    )


def parse_vendor_document(doc: Any, file: str, problems: _Problems) -> tuple[Vendor | None, list[Model]]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("models"), list):
        problems.add(file, "expected a mapping with 'vendor' and a 'models' list")
        return None, []
    vendor_id = doc.get("vendor")
    if not isinstance(vendor_id, str) or not vendor_id:
        problems.add(file, "field 'vendor' is missing")
        return None, []
    kind = doc.get("kind", "api")
    if kind not in ("api", "inference_provider"):
        problems.add(file, f"field 'kind' must be 'api' or 'inference_provider', got {kind!r}")
    vendor = Vendor(vendor_id, str(doc.get("name") or vendor_id), str(kind))
    billing = _parse_billing(doc.get("billing"), file, problems, BILLING_RULES)
    models = [m for i, raw in enumerate(doc["models"]) if (m := _parse_model(raw, vendor_id, file, i, problems, billing))]
    return vendor, models


def _parse_gpus(doc: Any, problems: _Problems) -> tuple[dict[str, Gpu], dict[str, GpuOffer]]:
    gpus: dict[str, Gpu] = {}
    offers: dict[str, GpuOffer] = {}
    if not isinstance(doc, Mapping) or not isinstance(doc.get("gpus"), list):
        problems.add("gpus.yaml", "expected a mapping with a 'gpus' list")
        return gpus, offers
    for i, raw in enumerate(doc["gpus"]):
        gpu_id = raw.get("id") if isinstance(raw, Mapping) else None
        if not isinstance(gpu_id, str):
            problems.add(f"gpus.yaml: gpus[{i}]", "field 'id' is missing")
            continue
        if gpu_id in gpus:
            problems.add(f"gpus.yaml: gpu {gpu_id}", "duplicate GPU id")
        memory = raw.get("memory_gb")
        gpus[gpu_id] = Gpu(gpu_id, str(raw.get("name") or gpu_id), float(memory) if isinstance(memory, int | float) else None)
        for j, offer in enumerate(raw.get("offers") or []):
            where = f"gpus.yaml: gpu {gpu_id}: offers[{j}]"
            if not isinstance(offer, Mapping) or not isinstance(offer.get("provider"), str):
                problems.add(where, "each offer needs a 'provider'")
                continue
            price = _price(offer, "usd_per_gpu_hour", where, problems, True)
            source, checked = _source_and_checked(offer, where, problems)
            offer_id = f"{gpu_id}@{offer['provider']}"
            if offer_id in offers:
                problems.add(where, f"duplicate offer {offer_id}")
            if price is not None:
                offers[offer_id] = GpuOffer(
                    offer_id, gpu_id, offer["provider"], price, str(offer.get("terms") or ""), source, checked
                )
    return gpus, offers


def _parse_profiles(
    doc: Any, gpus: Mapping[str, Gpu], offers: Mapping[str, GpuOffer], problems: _Problems
) -> dict[str, ServingProfile]:
    profiles: dict[str, ServingProfile] = {}
    if not isinstance(doc, Mapping) or not isinstance(doc.get("profiles"), list):
        problems.add("serving.yaml", "expected a mapping with a 'profiles' list")
        return profiles
    for i, raw in enumerate(doc["profiles"]):
        profile_id = raw.get("id") if isinstance(raw, Mapping) else None
        if not isinstance(profile_id, str):
            problems.add(f"serving.yaml: profiles[{i}]", "field 'id' is missing")
            continue
        where = f"serving.yaml: profile {profile_id}"
        if profile_id in profiles:
            problems.add(where, "duplicate profile id")
        gpu = raw.get("gpu")
        if gpu not in gpus:
            problems.add(where, f"unknown GPU {gpu!r} (not in gpus.yaml)")
        offer = raw.get("default_offer")
        if offer not in offers:
            problems.add(where, f"unknown default_offer {offer!r} (expected '<gpu>@<provider>' from gpus.yaml)")
        elif offers[offer].gpu != gpu:
            problems.add(where, f"default_offer {offer!r} is for another GPU than {gpu!r}")
        count = _positive_int(raw, "gpus_per_replica", where, problems)
        numbers = {}
        for key in ("prefill_tokens_per_s", "decode_tokens_per_s"):
            value = raw.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                problems.add(where, f"field '{key}' must be a positive number, got {value!r}")
                value = None
            numbers[key] = value
        source, checked = _source_and_checked(raw, where, problems)
        if count is None or None in numbers.values():
            if count is None and raw.get("gpus_per_replica") is None:
                problems.add(where, "field 'gpus_per_replica' is missing")
            continue
        profiles[profile_id] = ServingProfile(
            id=profile_id,
            name=str(raw.get("name") or profile_id),
            model=str(raw.get("model") or ""),
            gpu=str(gpu),
            gpus_per_replica=count,
            prefill_tokens_per_s=float(numbers["prefill_tokens_per_s"]),
            decode_tokens_per_s=float(numbers["decode_tokens_per_s"]),
            default_offer=str(offer),
            latency_target=str(raw.get("latency_target") or ""),
            source=source,
            checked=checked,
            note=str(raw.get("note") or ""),
        )
    return profiles


def build_catalog(
    vendor_docs: Iterable[tuple[str, Any]],
    gpus_doc: Any,
    serving_doc: Any,
) -> Catalog:
    """Validate parsed YAML documents into a Catalog; raise CatalogError listing every problem."""
    problems = _Problems()
    models: dict[str, Model] = {}
    vendors: dict[str, Vendor] = {}
    alias_owner: dict[str, str] = {}
    for file, doc in vendor_docs:
        vendor, parsed = parse_vendor_document(doc, file, problems)
        if vendor is not None:
            vendors[vendor.id] = vendor
        for model in parsed:
            if model.id in models:
                problems.add(f"{file}: model {model.id}", f"duplicate model id (also in {models[model.id].file})")
                continue
            models[model.id] = model
            for name in (model.id, *model.aliases):
                key = alias_key(name)
                owner = alias_owner.get(key)
                if owner is not None and owner != model.id:
                    problems.add(f"{file}: model {model.id}", f"alias {name!r} is already used by model {owner}")
                alias_owner.setdefault(key, model.id)
    for model in models.values():
        if model.successor and model.successor not in models:
            problems.add(f"{model.file}: model {model.id}", f"successor {model.successor!r} is not in the catalog")
    gpus, offers = _parse_gpus(gpus_doc, problems)
    profiles = _parse_profiles(serving_doc, gpus, offers, problems)
    if problems.items:
        raise CatalogError(problems.items)
    return Catalog(models=models, vendors=vendors, gpus=gpus, offers=offers, profiles=profiles)
