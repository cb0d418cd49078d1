"""Reader of pydantic's genai-prices data (USD per 1M tokens, with dated price history)."""

from __future__ import annotations

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
    require_price,
    round_price,
)
from pricing.importers.vendors import Listing, collect, display_name, proposed_id

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
    """Price periods from ``prices``: one ModelPrice, or a list of ConditionalPrice.

    Time-of-day prices (DeepSeek's peak and off-peak hours) are not periods: the catalog
    holds the peak price, so the dearer of the time-of-day and the default price becomes the
    price and the other is noted. genai-prices lists its hour windows without dates (its own
    evaluator applies them on every day); they are read as belonging to every *dated* period,
    the changes that brought them (DeepSeek V4 Flash: off-peak 0.22 from 2026-08-17 and 0.15
    from 2026-09-10, peak 0.30 throughout), and to the undated one only when it is the only
    period. Reading them on the last period alone compared the catalog's peak price from
    2026-08-17 with the off-peak one.
    """
    items = [{"prices": raw}] if isinstance(raw, Mapping) else raw
    if not isinstance(items, list) or not items:
        raise Skip("no prices")
    periods: list[PricePeriod] = []
    by_hour: list[tuple[str, ImportedPrices]] = []
    notes: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise InvalidPrice("a conditional price is not a mapping")
        constraint = item.get("constraint") or {}
        if not isinstance(constraint, Mapping):
            raise InvalidPrice("a constraint is not a mapping")
        prices, price_notes = _genai_price_set(item.get("prices"))
        notes += price_notes
        if constraint and "start_date" not in constraint:
            by_hour.append((f"{constraint.get('start_time')} to {constraint.get('end_time')} UTC", prices))
            continue
        start = as_date(constraint["start_date"]) if constraint else None
        if constraint and start is None:
            raise InvalidPrice(f"bad start_date {constraint['start_date']!r}")
        periods.append(PricePeriod(start, prices))
    if not periods:
        raise Skip("no prices")
    if by_hour:
        dated = [i for i, period in enumerate(periods) if period.start is not None] or [len(periods) - 1]
        for i in dated:
            periods[i], note = _peak(periods[i], by_hour)
            notes.append(note)
    return tuple(periods), list(dict.fromkeys(notes))


def _peak(period: PricePeriod, by_hour: list[tuple[str, ImportedPrices]]) -> tuple[PricePeriod, str]:
    """The period at its peak price, and a note naming the off-peak one left out."""
    hours, timed = max(by_hour, key=lambda pair: pair[1].input)
    if timed.input > period.prices.input:
        off = period.prices
        return PricePeriod(period.start, timed), (
            f"time-of-day prices: peak ({hours}) imported; off-peak {off.input:g}/{off.output:g} not imported"
        )
    return period, f"time-of-day prices: off-peak ({hours}) {timed.input:g}/{timed.output:g} not imported; peak imported"


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


def genai_prices_to_models(data: Any, label: str = GENAI_PRICES, source: str = DATABASE_URLS[GENAI_PRICES]) -> ImportResult:
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
    source : str
        The URL of the file read (a versioned one for a wheel): every record's ``source``.

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
    entries = (
        (raw["id"], provider.get("id"), "by name", raw)
        for provider in data
        for raw in provider.get("models") or []
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str) and raw["id"]
    )
    return collect(GENAI_PRICES, label, entries, lambda key, raw, listing: _genai_record(key, raw, listing, source))


def _genai_record(key: str, raw: Mapping[str, Any], listing: Listing, source: str) -> ImportedModel:
    periods, notes = _genai_periods(raw.get("prices"))
    require_price(periods)
    equals, prefixes = _match_clause_names(raw.get("match"))
    model_id = proposed_id(listing.vendor, key)
    return ImportedModel(
        database=GENAI_PRICES,
        key=key,
        vendor=listing.vendor,
        id=model_id,
        name=display_name(listing.vendor, str(raw.get("name") or key)),
        periods=periods,
        source=source,
        aliases=tuple(n for n in dict.fromkeys((key, *equals)) if n.lower() != model_id),
        match_names=tuple(prefixes),
        context_window=positive_int(raw.get("context_window")),
        deprecated=raw.get("deprecated") is True,
        notes=tuple(notes),
        rank=listing.rank,
        resold=listing.resold,
    )
