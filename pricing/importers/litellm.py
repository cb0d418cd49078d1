"""Reader of LiteLLM's ``model_prices_and_context_window.json`` (USD per token)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pricing.catalog import as_date
from pricing.importers.records import (
    DATABASE_URLS,
    LITELLM,
    ImportedModel,
    ImportedPrices,
    ImportResult,
    InputError,
    PricePeriod,
    Skip,
    as_price,
    detect_format,
    long_context_tier,
    per_million,
    positive_int,
    require_price,
)
from pricing.importers.vendors import Listing, collect, display_name, proposed_id

# --------------------------------------------------------------------------- LiteLLM

_LITELLM_CHAT_MODES = ("chat", "completion", "responses")
_LITELLM_FIELDS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write",
}
# Only the plain `_above_<N>k_tokens` tier keys; combined ones such as
# `..._above_272k_tokens_priority` belong to service tiers the catalog does not hold.
_LITELLM_TIER_KEY = re.compile(r"^(?P<field>" + "|".join(_LITELLM_FIELDS) + r")_above_(?P<k>\d+)k_tokens$")


def _litellm_prices(raw: Mapping[str, Any]) -> tuple[ImportedPrices, list[str]]:
    base = {name: as_price(raw.get(key), key) for key, name in _LITELLM_FIELDS.items()}
    if base["input"] is None or base["output"] is None:
        raise Skip("no per-token input and output price")
    base = {name: None if value is None else per_million(value) for name, value in base.items()}
    notes: list[str] = []
    for name in ("cached_input", "cache_write"):
        # LiteLLM writes 0.0 where it does not know a cache price; no vendor caches for free.
        if base[name] == 0 and base["input"] > 0:
            base[name] = None
            notes.append(f"{name} 0.0 read as not given")
    tiers: dict[int, dict[str, float]] = {}
    for key, value in raw.items():
        match = _LITELLM_TIER_KEY.match(key)
        number = as_price(value, key) if match else None
        if match and number is not None:
            tiers.setdefault(int(match["k"]) * 1000, {})[_LITELLM_FIELDS[match["field"]]] = per_million(number)
    long_context, tier_notes = long_context_tier(base, tiers)
    notes += tier_notes
    discount = None
    batch_input = as_price(raw.get("input_cost_per_token_batches"), "input_cost_per_token_batches")
    if batch_input is not None and base["input"] > 0:
        # The catalog holds one batch discount per entry; it is derived from the input price.
        discount = round(1 - per_million(batch_input) / base["input"], 4)
        batch_output = as_price(raw.get("output_cost_per_token_batches"), "output_cost_per_token_batches")
        if batch_output is not None and base["output"] > 0:
            output_discount = round(1 - per_million(batch_output) / base["output"], 4)
            if abs(output_discount - discount) > 0.001:
                notes.append(
                    f"batch discount differs for output ({output_discount:g} vs {discount:g} for input); used the input one"
                )
        if not 0 <= discount < 1:
            notes.append(f"batch price is not a discount ({discount:g}); ignored")
            discount = None
    if raw.get("tiered_pricing"):
        notes.append("tiered_pricing not imported; check the long-context prices by hand")
    prices = ImportedPrices(base["input"], base["output"], base["cached_input"], base["cache_write"], discount, long_context)
    return prices, notes


def litellm_to_models(data: Any, label: str = LITELLM, source: str = DATABASE_URLS[LITELLM]) -> ImportResult:
    """Convert LiteLLM's ``model_prices_and_context_window.json`` to imported models.

    Parameters
    ----------
    data : Any
        The parsed JSON: a mapping of model key to a mapping of per-token prices and
        metadata (``litellm_provider``, ``mode``, ``max_input_tokens``...).
    label : str
        How the file is named in the diff and in notes written to the catalog.
    source : str
        The URL of the file read (a versioned one for a wheel): every record's ``source``.

    Returns
    -------
    ImportResult
        The text-generation models of the vendors in the vendor table, prices in $ per 1M
        tokens, resold closed models filed under their maker; everything else is counted in
        ``skipped`` by reason.

    Raises
    ------
    InputError
        When ``data`` is not a LiteLLM price map.
    """
    if detect_format(data) != LITELLM:
        raise InputError(f"{label} is not a LiteLLM price map (expected an object of model entries with 'litellm_provider')")
    entries = (
        (key, raw.get("litellm_provider"), _litellm_kind(raw), raw)
        for key, raw in data.items()
        if key != "sample_spec" and isinstance(raw, Mapping)
    )
    return collect(LITELLM, label, entries, lambda key, raw, listing: _litellm_record(key, raw, listing, source))


def _litellm_kind(raw: Mapping[str, Any]) -> str:
    """The entry's mode when it is a text-generation one ("by name" when absent), else ""."""
    mode = raw.get("mode")
    return "by name" if mode is None else mode if mode in _LITELLM_CHAT_MODES else ""


def _litellm_record(key: str, raw: Mapping[str, Any], listing: Listing, source: str) -> ImportedModel:
    prices, notes = _litellm_prices(raw)
    require_price((PricePeriod(None, prices),))
    provider = raw.get("litellm_provider")
    bare = key.split("/", 1)[1] if key.startswith(f"{provider}/") else key
    model_id = proposed_id(listing.vendor, bare)
    return ImportedModel(
        database=LITELLM,
        key=key,
        vendor=listing.vendor,
        id=model_id,
        name=display_name(listing.vendor, bare),
        periods=(PricePeriod(None, prices),),
        source=source,
        aliases=(key,) if key.lower() != model_id else (),
        context_window=positive_int(raw.get("max_input_tokens")),
        max_output=positive_int(raw.get("max_output_tokens")),
        retires=as_date(raw.get("deprecation_date")) if raw.get("deprecation_date") else None,
        notes=tuple(notes),
        rank=listing.rank,
        resold=listing.resold,
    )
