"""Reader of pydantic's genai-prices data (USD per 1M tokens, with dated price history)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pricing.catalog import as_date
from pricing.importers.records import (
    DATABASE_URLS,
    GENAI_PRICES,
    ImportedModel,
    ImportedPrices,
    ImportResult,
    InputError,
    InvalidPrice,
    PricePeriod,
    Skip,
    as_price,
    detect_format,
    long_context_tier,
    positive_int,
    record_skip,
    round_price,
)
from pricing.importers.vendors import NON_CHAT_NAME, display_name, finish, first_url, proposed_id, provider_vendor

# ---------------------------------------------------------------------- genai-prices

_GENAI_FIELDS = (
    ("input_mtok", "input"),
    ("output_mtok", "output"),
    ("cache_read_mtok", "cached_input"),
    # `cache_write_mtok` is the 5-minute write where a model also has a 1-hour one.
    ("cache_write_mtok", "cache_write"),
)


def _genai_price_set(raw: Any) -> tuple[ImportedPrices, list[str]]:
    if not isinstance(raw, Mapping):
        raise InvalidPrice("prices are not a mapping")
    base: dict[str, float | None] = {}
    tiers: dict[int, dict[str, float]] = {}
    for key, name in _GENAI_FIELDS:
        value = raw.get(key)
        if value is None and name == "cache_write":
            value = raw.get("cache_write_5m_mtok")
        if isinstance(value, Mapping):  # TieredPrices: {base, tiers: [{start, price}]}
            for tier in value.get("tiers") or []:
                start = tier.get("start") if isinstance(tier, Mapping) else None
                if not isinstance(start, int) or start <= 0:
                    raise InvalidPrice(f"{key} has a tier without a positive integer start")
                price = as_price(tier.get("price"), key)
                if price is not None:
                    tiers.setdefault(start, {})[name] = round_price(price)
            value = value.get("base")
        number = as_price(value, key)
        base[name] = None if number is None else round_price(number)
    if base["input"] is None or base["output"] is None:
        raise Skip("no input and output price per million tokens")
    long_context, notes = long_context_tier(base, tiers)
    return ImportedPrices(base["input"], base["output"], base["cached_input"], base["cache_write"], None, long_context), notes


def _genai_periods(raw: Any) -> tuple[tuple[PricePeriod, ...], list[str]]:
    """Price periods from ``prices``: one ModelPrice, or a list of ConditionalPrice."""
    items = [{"prices": raw}] if isinstance(raw, Mapping) else raw
    if not isinstance(items, list) or not items:
        raise Skip("no prices")
    periods: list[PricePeriod] = []
    notes: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise InvalidPrice("a conditional price is not a mapping")
        constraint = item.get("constraint") or {}
        if not isinstance(constraint, Mapping):
            raise InvalidPrice("a constraint is not a mapping")
        start = None
        if "start_date" in constraint:
            start = as_date(constraint["start_date"])
            if start is None:
                raise InvalidPrice(f"bad start_date {constraint['start_date']!r}")
        elif constraint:
            # Time-of-day prices (DeepSeek off-peak) have no place in the catalog's entries.
            notes.append(f"time-of-day price ({constraint.get('start_time')} to {constraint.get('end_time')}) not imported")
            continue
        prices, price_notes = _genai_price_set(item.get("prices"))
        periods.append(PricePeriod(start, prices))
        notes += price_notes
    if not periods:
        raise Skip("no prices")
    return tuple(periods), list(dict.fromkeys(notes))


def _match_clause_names(clause: Any) -> tuple[list[str], list[str]]:
    """Names from a genai-prices ``match`` clause: (``equals`` values, ``starts_with`` values)."""
    if not isinstance(clause, Mapping):
        return [], []
    if isinstance(clause.get("equals"), str):
        return [clause["equals"]], []
    if isinstance(clause.get("starts_with"), str):
        return [], [clause["starts_with"]]
    equals: list[str] = []
    prefixes: list[str] = []
    for sub in clause.get("or") or []:  # `and` clauses narrow a match; they name nothing
        more_equals, more_prefixes = _match_clause_names(sub)
        equals += more_equals
        prefixes += more_prefixes
    return equals, prefixes


def genai_prices_to_models(data: Any, label: str = GENAI_PRICES) -> ImportResult:
    """Convert pydantic genai-prices ``data.json`` (v2 feed) to imported models.

    Parameters
    ----------
    data : Any
        The parsed JSON: a list of providers ``{id, name, pricing_urls, models: [...]}``,
        each model ``{id, name, match, context_window, prices, deprecated}`` where
        ``prices`` is a ModelPrice (``input_mtok``...) or a list of
        ``{constraint: {start_date} | {start_time, end_time}, prices}``.
    label : str
        How the file is named in the diff and in notes written to the catalog.

    Returns
    -------
    ImportResult
        Models with an input and an output price per million tokens, from providers in
        :data:`VENDOR_TABLE`; dated prices are kept as periods, time-of-day ones noted.

    Raises
    ------
    InputError
        When ``data`` is not a genai-prices provider list.
    """
    if detect_format(data) != GENAI_PRICES:
        raise InputError(f"{label} is not a genai-prices data file (expected a list of providers with 'models')")
    models: list[ImportedModel] = []
    skipped: Counter = Counter()
    warnings: list[str] = []
    for provider in data:
        raw_models = [m for m in provider.get("models") or [] if isinstance(m, Mapping)]
        mapped = provider_vendor(GENAI_PRICES, provider.get("id"))
        if mapped is None:
            skipped["provider not in the vendor table"] += len(raw_models)
            continue
        vendor, rank = mapped
        source = first_url(*(provider.get("pricing_urls") or [])) or DATABASE_URLS[GENAI_PRICES]
        for raw in raw_models:
            key = raw.get("id")
            if not isinstance(key, str) or not key:
                continue
            if NON_CHAT_NAME.search(key):
                skipped["not a chat model (by name)"] += 1
                continue
            try:
                periods, notes = _genai_periods(raw.get("prices"))
            except Skip as exc:
                record_skip(exc, f"{GENAI_PRICES} {provider.get('id')}/{key}", skipped, warnings)
                continue
            equals, prefixes = _match_clause_names(raw.get("match"))
            model_id = proposed_id(vendor, key)
            models.append(
                ImportedModel(
                    database=GENAI_PRICES,
                    key=key,
                    vendor=vendor,
                    id=model_id,
                    name=display_name(vendor, str(raw.get("name") or key)),
                    periods=periods,
                    source=source,
                    aliases=tuple(n for n in dict.fromkeys((key, *equals)) if n.lower() != model_id),
                    match_names=tuple(prefixes),
                    context_window=positive_int(raw.get("context_window")),
                    deprecated=raw.get("deprecated") is True,
                    notes=tuple(notes),
                    rank=rank,
                )
            )
    return finish(GENAI_PRICES, label, models, skipped, warnings)
