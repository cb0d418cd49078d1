"""Import prices from the ecosystem's price databases into the catalog YAML.

Two databases are read:

- LiteLLM's ``model_prices_and_context_window.json``: a flat mapping of model keys to
  USD **per token** (``input_cost_per_token``, ``cache_read_input_token_cost``,
  ``input_cost_per_token_above_200k_tokens``, ``input_cost_per_token_batches``...);
- pydantic's genai-prices ``prices/new_data/v2/data.json``: a list of providers, each with models
  priced in USD **per million** tokens (``input_mtok``...), optional tiered prices
  ``{base, tiers: [{start, price}]}`` and a price history of
  ``{constraint: {start_date}, prices}`` entries.

Both are converted to :class:`ImportedModel` records (catalog vendor, proposed catalog
id, $ per 1M prices); from there one shared path matches them to the catalog, builds a
:class:`CatalogDiff`, prints it, and with ``--write`` applies it to the vendor files.

Writing edits the vendor files in place, line by line, so comments and layout survive:
a price change sets ``to:`` on the current entry and inserts a new entry after it, a new
model is appended to the ``models:`` list. Every edited file is checked to parse back to
exactly the intended data, the whole catalog is validated with
:func:`pricing.catalog.build_catalog` before anything is written, files are replaced
atomically, and the catalog is loaded again afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from pricing.catalog import (
    DATA_DIR,
    Catalog,
    CatalogError,
    LongContextTier,
    PriceEntry,
    _alias_key,
    _as_date,
    build_catalog,
    load_catalog,
)

LITELLM = "LiteLLM"
GENAI_PRICES = "genai-prices"
# Used as the entry's `source` when the database gives no URL of its own for a model.
DATABASE_URLS = {
    LITELLM: "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json",
    # The v2 feed: the v1 prices/data.json is frozen (genai-prices#703).
    GENAI_PRICES: "https://github.com/pydantic/genai-prices/blob/main/prices/new_data/v2/data.json",
}
# Per-token prices such as 1.25e-06 become 1.2499999999999998 after "* 1e6"; six
# significant digits removes that artifact and keeps every real list price exact.
SIGNIFICANT_DIGITS = 6
PRICE_FIELDS = ("input", "output", "cached_input", "cache_write")
MODEL_KEY_ORDER = (
    "id",
    "name",
    "tier",
    "aliases",
    "status",
    "retires",
    "successor",
    "context_window",
    "max_output",
    "open_model",
    "latency",
    "prices",
)
PRICE_KEY_ORDER = (
    "from",
    "to",
    "input",
    "output",
    "cached_input",
    "cache_write",
    "batch_discount",
    "long_context",
    "source",
    "checked",
    "note",
)
LONG_CONTEXT_KEY_ORDER = ("threshold", *PRICE_FIELDS)
VENDOR_KEY_ORDER = ("vendor", "name", "kind", "models")
_URL = re.compile(r"^https?://\S+$")


class InputError(Exception):
    """Unusable input (missing file, bad JSON, unknown format or vendor): the CLI exits 2."""


class WriteRefused(Exception):
    """The edited catalog would not validate, so nothing was written; ``problems`` says why."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("refusing to write: the result would not validate:\n  " + "\n  ".join(self.problems))


# --------------------------------------------------------------------- vendor table


@dataclass(frozen=True)
class VendorMapping:
    """How one catalog vendor is named in each database."""

    vendor: str
    name: str
    kind: str  # "api" | "inference_provider", as in the vendor file
    litellm: tuple[str, ...]  # `litellm_provider` values
    genai_prices: tuple[str, ...]  # provider `id` values


# The one table from database provider names to catalog vendor ids. Within a row, an
# earlier name wins when a model is listed under several: Gemini API before Vertex AI,
# because the catalog quotes the ai.google.dev prices. Providers not listed here (Bedrock,
# Azure, OpenRouter, Vertex-hosted Claude...) resell models at their own prices and are skipped.
VENDOR_TABLE = (
    VendorMapping("anthropic", "Anthropic", "api", ("anthropic",), ("anthropic",)),
    VendorMapping("openai", "OpenAI", "api", ("openai", "text-completion-openai"), ("openai",)),
    VendorMapping("google", "Google", "api", ("gemini", "vertex_ai-language-models"), ("google",)),
    VendorMapping("deepseek", "DeepSeek", "api", ("deepseek",), ("deepseek",)),
    VendorMapping("together", "Together AI", "inference_provider", ("together_ai",), ("together",)),
    VendorMapping("fireworks", "Fireworks AI", "inference_provider", ("fireworks_ai",), ("fireworks",)),
    # genai-prices has no DeepInfra provider (snapshot 47df840a); the name is a guess for later.
    VendorMapping("deepinfra", "DeepInfra", "inference_provider", ("deepinfra",), ("deepinfra",)),
)
_VENDORS = {row.vendor: row for row in VENDOR_TABLE}


def _provider_vendor(database: str, provider: Any) -> tuple[str, int] | None:
    """Catalog vendor and preference rank (lower wins) for a database provider name."""
    for row in VENDOR_TABLE:
        names = row.litellm if database == LITELLM else row.genai_prices
        if provider in names:
            return row.vendor, names.index(provider)
    return None


def resolve_vendor(name: str) -> str:
    """Catalog vendor id for ``--vendor``: a catalog id or either database's provider name.

    Parameters
    ----------
    name : str
        ``google``, ``gemini``, ``together_ai``...

    Returns
    -------
    str
        The catalog vendor id, e.g. ``google``.

    Raises
    ------
    InputError
        When the name is in no column of :data:`VENDOR_TABLE`.
    """
    wanted = name.strip().lower()
    for row in VENDOR_TABLE:
        if wanted == row.vendor or wanted in row.litellm or wanted in row.genai_prices:
            return row.vendor
    known = ", ".join(row.vendor for row in VENDOR_TABLE)
    raise InputError(f"unknown vendor {name!r}; known vendors: {known}")


# ------------------------------------------------------------------- price records


def round_price(value: float) -> float:
    """Round a price to :data:`SIGNIFICANT_DIGITS` significant digits.

    Parameters
    ----------
    value : float
        A price in $ per 1M tokens, possibly carrying a binary float artifact.

    Returns
    -------
    float
        The rounded price, e.g. ``1.2499999999999998`` -> ``1.25``.
    """
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if value else 0.0


def per_million(per_token_price: float) -> float:
    """Convert a LiteLLM per-token price to $ per 1M tokens.

    Parameters
    ----------
    per_token_price : float
        USD per token, e.g. ``1.25e-06``.

    Returns
    -------
    float
        USD per 1M tokens rounded by :func:`round_price`, e.g. ``1.25``.
    """
    return round_price(per_token_price * 1_000_000)


def per_token(per_million_price: float) -> float:
    """Convert $ per 1M tokens back to USD per token (the inverse of :func:`per_million`)."""
    return per_million_price / 1_000_000


@dataclass(frozen=True)
class ImportedPrices:
    """One set of prices from a database, $ per 1M tokens; None = the database does not say."""

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None
    batch_discount: float | None = None
    long_context: LongContextTier | None = None


@dataclass(frozen=True)
class PricePeriod:
    """Prices valid from ``start`` (None: no start date given, i.e. always valid)."""

    start: dt.date | None
    prices: ImportedPrices


@dataclass(frozen=True)
class ImportedModel:
    """A chat model read from a database, ready to match against the catalog."""

    database: str
    key: str  # the database's own name: LiteLLM key or genai-prices model id
    vendor: str
    id: str  # proposed catalog id for a new model
    name: str
    periods: tuple[PricePeriod, ...]
    source: str
    aliases: tuple[str, ...] = ()  # written to a new model's `aliases`
    match_names: tuple[str, ...] = ()  # only tried when matching (e.g. genai-prices starts_with)
    context_window: int | None = None
    max_output: int | None = None
    retires: dt.date | None = None
    deprecated: bool = False
    notes: tuple[str, ...] = ()
    rank: int = 0  # provider preference from VENDOR_TABLE, lower wins

    def names(self) -> tuple[str, ...]:
        """Every name this model may go by, most specific first."""
        return tuple(dict.fromkeys((self.key, self.id, *self.aliases, *self.match_names)))

    def _period_on(self, day: dt.date) -> PricePeriod:
        # genai-prices semantics: conditional prices are tried last to first, the first
        # whose constraint holds wins; when none holds, the first one applies.
        for period in reversed(self.periods):
            if period.start is None or period.start <= day:
                return period
        return self.periods[0]

    def price_on(self, day: dt.date) -> ImportedPrices:
        """The prices in force on ``day``."""
        return self._period_on(day).prices

    def start_of_price_on(self, day: dt.date) -> dt.date | None:
        """The start date of the prices in force on ``day``, if the database dates them."""
        return self._period_on(day).start

    def change_dates(self) -> list[dt.date]:
        """Every dated price change in the database, oldest first."""
        return sorted({p.start for p in self.periods if p.start is not None})


@dataclass
class ImportResult:
    """The chat models read from one database file, plus what was skipped and why."""

    database: str
    label: str
    models: list[ImportedModel]
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def by_vendor(self) -> dict[str, list[ImportedModel]]:
        """The models grouped by catalog vendor id."""
        grouped: dict[str, list[ImportedModel]] = {}
        for model in self.models:
            grouped.setdefault(model.vendor, []).append(model)
        return grouped


class _Skip(Exception):
    """This database entry is not a priced chat model; the message is the reason, counted."""


class _InvalidPrice(_Skip):
    """This database entry has a value that is not a price; it is skipped with a warning."""


def _record_skip(exc: _Skip, where: str, skipped: Counter, warnings: list[str]) -> None:
    if isinstance(exc, _InvalidPrice):
        skipped["invalid price"] += 1
        warnings.append(f"{where}: {exc}; skipped")
    else:
        skipped[str(exc)] += 1


def _number(value: Any, what: str) -> float | None:
    """A finite, non-negative number from the database, or None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _InvalidPrice(f"{what} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise _InvalidPrice(f"{what} is not a finite price >= 0")
    return float(value)


def _long_context(
    base: Mapping[str, float | None], tiers: Mapping[int, Mapping[str, float]]
) -> tuple[LongContextTier | None, list[str]]:
    """The catalog's single long-context tier from per-threshold prices.

    The lowest threshold becomes the tier; a field without a tier price keeps its base
    price above the threshold (that is what both databases mean by leaving it out).
    """
    if not tiers:
        return None, []
    threshold = min(tiers)
    above = tiers[threshold]
    values = {name: above.get(name, base.get(name)) for name in PRICE_FIELDS}
    notes = [
        f"price tier above {t:,} tokens not imported (the catalog holds one long-context tier)"
        for t in sorted(tiers)
        if t != threshold
    ]
    return LongContextTier(threshold=threshold, **values), notes


# Model names that are not chat models even when a database lists them with token prices.
_NON_CHAT_NAME = re.compile(
    r"embed|rerank|moderation|whisper|\btts\b|tts-|dall-e|imagen|gpt-image|transcri|speech|sora|veo-", re.I
)
_DATED_SUFFIX = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._/-]+", "-", text.strip().lower()).strip("-./")


def _proposed_id(vendor: str, bare_name: str) -> str:
    """Catalog id for a new model: the API name, or ``<vendor>-<name>`` on inference providers.

    Inference providers serve the same open model under the same name (Together and
    DeepInfra both call it ``meta-llama/Llama-4-Scout-17B-16E-Instruct``), and catalog
    ids are unique, so their ids carry the vendor, as the shipped files do
    (``together-llama-4-scout``).
    """
    if _VENDORS[vendor].kind == "inference_provider":
        return f"{vendor}-{_slug(bare_name.rsplit('/', 1)[-1])}"
    return _slug(bare_name)


def _display_name(vendor: str, name: str) -> str:
    row = _VENDORS[vendor]
    return f"{name} ({row.name})" if row.kind == "inference_provider" else name


def _first_url(*candidates: Any) -> str | None:
    for candidate in candidates:
        if isinstance(candidate, str):
            for token in candidate.split():
                if _URL.match(token):
                    return token
    return None


def _finish(database: str, label: str, models: list[ImportedModel], skipped: Counter, warnings: list[str]) -> ImportResult:
    """Fold duplicate listings of one model, shared by both importers.

    A model listed by two providers of one vendor keeps the preferred provider's entry;
    a dated variant (``claude-haiku-4-5-20251001``) with the same prices as its undated
    name becomes an alias of it.
    """
    models = sorted(models, key=lambda m: (m.vendor, m.rank))
    kept: dict[tuple[str, str], ImportedModel] = {}
    for model in models:
        slot = (model.vendor, model.id)
        first = kept.get(slot)
        if first is None:
            kept[slot] = model
        elif first.periods == model.periods:
            kept[slot] = replace(first, match_names=(*first.match_names, model.key))
        else:
            warnings.append(
                f"{database} lists {model.id} twice with different prices ({first.key}, {model.key}); kept {first.key}"
            )
    for slot, model in list(kept.items()):
        base_id = _DATED_SUFFIX.sub("", model.id)
        base = kept.get((model.vendor, base_id))
        if base_id != model.id and base is not None and base.periods == model.periods:
            kept[(model.vendor, base_id)] = replace(base, aliases=tuple(dict.fromkeys((*base.aliases, model.key))))
            del kept[slot]
    return ImportResult(database, label, list(kept.values()), skipped, warnings)


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
    base = {name: _number(raw.get(key), key) for key, name in _LITELLM_FIELDS.items()}
    if base["input"] is None or base["output"] is None:
        raise _Skip("no per-token input and output price")
    base = {name: None if value is None else per_million(value) for name, value in base.items()}
    tiers: dict[int, dict[str, float]] = {}
    for key, value in raw.items():
        match = _LITELLM_TIER_KEY.match(key)
        number = _number(value, key) if match else None
        if match and number is not None:
            tiers.setdefault(int(match["k"]) * 1000, {})[_LITELLM_FIELDS[match["field"]]] = per_million(number)
    long_context, notes = _long_context(base, tiers)
    discount = None
    batch_input = _number(raw.get("input_cost_per_token_batches"), "input_cost_per_token_batches")
    if batch_input is not None and base["input"] > 0:
        # The catalog holds one batch discount per entry; it is derived from the input price.
        discount = round(1 - per_million(batch_input) / base["input"], 4)
        batch_output = _number(raw.get("output_cost_per_token_batches"), "output_cost_per_token_batches")
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


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def litellm_to_models(data: Any, label: str = LITELLM) -> ImportResult:
    """Convert LiteLLM's ``model_prices_and_context_window.json`` to imported models.

    Parameters
    ----------
    data : Any
        The parsed JSON: a mapping of model key to a mapping of per-token prices and
        metadata (``litellm_provider``, ``mode``, ``max_input_tokens``...).
    label : str
        How the file is named in the diff and in notes written to the catalog.

    Returns
    -------
    ImportResult
        The chat and completion models of the providers in :data:`VENDOR_TABLE`, prices
        in $ per 1M tokens; everything else is counted in ``skipped`` by reason.

    Raises
    ------
    InputError
        When ``data`` is not a LiteLLM price map.
    """
    if detect_format(data) != LITELLM:
        raise InputError(f"{label} is not a LiteLLM price map (expected an object of model entries with 'litellm_provider')")
    models: list[ImportedModel] = []
    skipped: Counter = Counter()
    warnings: list[str] = []
    for key, raw in data.items():
        if key == "sample_spec" or not isinstance(raw, Mapping):
            continue
        provider = raw.get("litellm_provider")
        mapped = _provider_vendor(LITELLM, provider)
        if mapped is None:
            skipped["provider not in the vendor table"] += 1
            continue
        mode = raw.get("mode")
        if (mode is not None and mode not in _LITELLM_CHAT_MODES) or _NON_CHAT_NAME.search(key):
            skipped[f"not a chat model ({mode or 'by name'})"] += 1
            continue
        try:
            prices, notes = _litellm_prices(raw)
        except _Skip as exc:
            _record_skip(exc, f"{LITELLM} {key}", skipped, warnings)
            continue
        vendor, rank = mapped
        bare = key.split("/", 1)[1] if key.startswith(f"{provider}/") else key
        retires = _as_date(raw.get("deprecation_date")) if raw.get("deprecation_date") else None
        model_id = _proposed_id(vendor, bare)
        models.append(
            ImportedModel(
                database=LITELLM,
                key=key,
                vendor=vendor,
                id=model_id,
                name=_display_name(vendor, bare),
                periods=(PricePeriod(None, prices),),
                source=_first_url(raw.get("source")) or DATABASE_URLS[LITELLM],
                aliases=(key,) if key.lower() != model_id else (),
                context_window=_positive_int(raw.get("max_input_tokens")),
                max_output=_positive_int(raw.get("max_output_tokens")),
                retires=retires,
                notes=tuple(notes),
                rank=rank,
            )
        )
    return _finish(LITELLM, label, models, skipped, warnings)


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
        raise _InvalidPrice("prices are not a mapping")
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
                    raise _InvalidPrice(f"{key} has a tier without a positive integer start")
                price = _number(tier.get("price"), key)
                if price is not None:
                    tiers.setdefault(start, {})[name] = round_price(price)
            value = value.get("base")
        number = _number(value, key)
        base[name] = None if number is None else round_price(number)
    if base["input"] is None or base["output"] is None:
        raise _Skip("no input and output price per million tokens")
    long_context, notes = _long_context(base, tiers)
    return ImportedPrices(base["input"], base["output"], base["cached_input"], base["cache_write"], None, long_context), notes


def _genai_periods(raw: Any) -> tuple[tuple[PricePeriod, ...], list[str]]:
    """Price periods from ``prices``: one ModelPrice, or a list of ConditionalPrice."""
    items = [{"prices": raw}] if isinstance(raw, Mapping) else raw
    if not isinstance(items, list) or not items:
        raise _Skip("no prices")
    periods: list[PricePeriod] = []
    notes: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise _InvalidPrice("a conditional price is not a mapping")
        constraint = item.get("constraint") or {}
        if not isinstance(constraint, Mapping):
            raise _InvalidPrice("a constraint is not a mapping")
        start = None
        if "start_date" in constraint:
            start = _as_date(constraint["start_date"])
            if start is None:
                raise _InvalidPrice(f"bad start_date {constraint['start_date']!r}")
        elif constraint:
            # Time-of-day prices (DeepSeek off-peak) have no place in the catalog's entries.
            notes.append(f"time-of-day price ({constraint.get('start_time')} to {constraint.get('end_time')}) not imported")
            continue
        prices, price_notes = _genai_price_set(item.get("prices"))
        periods.append(PricePeriod(start, prices))
        notes += price_notes
    if not periods:
        raise _Skip("no prices")
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
        mapped = _provider_vendor(GENAI_PRICES, provider.get("id"))
        if mapped is None:
            skipped["provider not in the vendor table"] += len(raw_models)
            continue
        vendor, rank = mapped
        source = _first_url(*(provider.get("pricing_urls") or [])) or DATABASE_URLS[GENAI_PRICES]
        for raw in raw_models:
            key = raw.get("id")
            if not isinstance(key, str) or not key:
                continue
            if _NON_CHAT_NAME.search(key):
                skipped["not a chat model (by name)"] += 1
                continue
            try:
                periods, notes = _genai_periods(raw.get("prices"))
            except _Skip as exc:
                _record_skip(exc, f"{GENAI_PRICES} {provider.get('id')}/{key}", skipped, warnings)
                continue
            equals, prefixes = _match_clause_names(raw.get("match"))
            model_id = _proposed_id(vendor, key)
            models.append(
                ImportedModel(
                    database=GENAI_PRICES,
                    key=key,
                    vendor=vendor,
                    id=model_id,
                    name=_display_name(vendor, str(raw.get("name") or key)),
                    periods=periods,
                    source=source,
                    aliases=tuple(n for n in dict.fromkeys((key, *equals)) if n.lower() != model_id),
                    match_names=tuple(prefixes),
                    context_window=_positive_int(raw.get("context_window")),
                    deprecated=raw.get("deprecated") is True,
                    notes=tuple(notes),
                    rank=rank,
                )
            )
    return _finish(GENAI_PRICES, label, models, skipped, warnings)


# ------------------------------------------------------------------- reading a file


def detect_format(data: Any) -> str | None:
    """Which database a parsed JSON document comes from.

    Parameters
    ----------
    data : Any
        Parsed JSON.

    Returns
    -------
    str or None
        :data:`LITELLM` for an object of entries carrying ``litellm_provider``,
        :data:`GENAI_PRICES` for a list of providers carrying ``models``, else None.
    """
    if isinstance(data, Mapping):
        entries = [v for k, v in data.items() if k != "sample_spec" and isinstance(v, Mapping)]
        if entries and any("litellm_provider" in v for v in entries):
            return LITELLM
    if isinstance(data, list) and data and all(isinstance(p, Mapping) and isinstance(p.get("models"), list) for p in data):
        return GENAI_PRICES
    return None


def read_price_file(path: Path | str, expected: str | None = None) -> ImportResult:
    """Read a LiteLLM or genai-prices JSON file and convert it.

    Parameters
    ----------
    path : Path or str
        The JSON file.
    expected : str, optional
        :data:`LITELLM` or :data:`GENAI_PRICES` to insist on one format; None detects it.

    Returns
    -------
    ImportResult
        The converted models; the label names the file and its SHA-256, so the notes
        written to the catalog say which version of the database was used.

    Raises
    ------
    InputError
        Missing or unreadable file, invalid JSON, or an unrecognised or unexpected format.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    found = detect_format(data)
    if found is None:
        raise InputError(f"{path} is neither a LiteLLM price map nor a genai-prices data file")
    if expected is not None and found != expected:
        raise InputError(f"{path} looks like a {found} file, not {expected}")
    label = f"{found} {path.name} (sha256 {hashlib.sha256(raw).hexdigest()[:12]})"
    return litellm_to_models(data, label) if found == LITELLM else genai_prices_to_models(data, label)


def load_catalog_for_cli(directory: Path | str) -> Catalog:
    """:func:`load_catalog`, turning a failure into :class:`InputError` for the CLI."""
    try:
        return load_catalog(directory)
    except CatalogError as exc:
        raise InputError(f"cannot load the price catalog from {directory}: {exc}") from None


# --------------------------------------------------------------- matching and diff


def separator_key(name: str) -> str:
    """A name with case, spaces and separators (``- _ . / : @``) removed.

    ``claude-haiku-4.5`` and ``claude-haiku-4-5`` give the same key; the checks use it to
    find near-collisions and the importers to match names loosely within one vendor.
    """
    return re.sub(r"[\s._:@/-]+", "", name.lower())


def match_catalog(catalog: Catalog, models: Iterable[ImportedModel]) -> dict[str, ImportedModel]:
    """Match imported models to catalog models of the same vendor.

    Parameters
    ----------
    catalog : Catalog
        The current catalog.
    models : iterable of ImportedModel
        Converted database entries.

    Returns
    -------
    dict of str to ImportedModel
        Catalog id -> the imported model that prices it. A name resolving to another
        vendor's model does not count (Together's ``openai/gpt-oss-120b`` is not OpenAI's).
        When two imported models match one catalog model, the one whose own name is the
        catalog id wins, then one whose name is an alias, then the first (preferred provider).
    """
    loose: dict[tuple[str, str], set[str]] = {}
    for model in catalog.models.values():
        for name in (model.id, *model.aliases):
            loose.setdefault((model.vendor, separator_key(name.rsplit("/", 1)[-1])), set()).add(model.id)

    def closeness(imported: ImportedModel, catalog_id: str) -> int:
        own = {_alias_key(imported.key), _alias_key(imported.id)}
        if _alias_key(catalog_id) in own:
            return 0
        return 1 if own & {_alias_key(a) for a in catalog.models[catalog_id].aliases} else 2

    matched: dict[str, ImportedModel] = {}
    for imported in models:
        found = None
        for name in imported.names():
            hit = catalog.resolve(name)
            if hit is not None and catalog.models[hit].vendor == imported.vendor:
                found = hit
                break
        if found is None:
            for name in imported.names():
                ids = loose.get((imported.vendor, separator_key(name.rsplit("/", 1)[-1])), set())
                if len(ids) == 1:
                    found = next(iter(ids))
                    break
        if found is None:
            continue
        current = matched.get(found)
        if current is None or closeness(imported, found) < closeness(current, found):
            matched[found] = imported
    return matched


@dataclass(frozen=True)
class FieldChange:
    """One price field that differs: catalog value ``old`` vs database value ``new``."""

    field: str
    old: float | None
    new: float

    @property
    def pct(self) -> float | None:
        """Relative change in percent of the catalog value; None when the catalog has none."""
        if self.old is None:
            return None
        if self.old == 0:
            return 0.0 if self.new == 0 else math.inf
        return (self.new - self.old) / self.old * 100


def _same(old: float | None, new: float) -> bool:
    return old is not None and math.isclose(round_price(old), new, rel_tol=1e-9, abs_tol=1e-12)


def compare_prices(old: PriceEntry, new: ImportedPrices) -> tuple[FieldChange, ...]:
    """Fields the database gives that differ from a catalog entry.

    Parameters
    ----------
    old : PriceEntry
        The catalog entry.
    new : ImportedPrices
        The database prices.

    Returns
    -------
    tuple of FieldChange
        A field the database leaves out (None) is never a change: LiteLLM lacking a
        batch price does not mean the batch API went away.
    """
    pairs: list[tuple[str, float | None, float | None]] = [
        (name, getattr(old, name), getattr(new, name)) for name in (*PRICE_FIELDS, "batch_discount")
    ]
    if new.long_context is not None:
        old_tier = old.long_context
        pairs += [
            (f"long_context.{name}", getattr(old_tier, name, None), getattr(new.long_context, name))
            for name in LONG_CONTEXT_KEY_ORDER
        ]
    return tuple(FieldChange(name, o, n) for name, o, n in pairs if n is not None and not _same(o, n))


@dataclass(frozen=True)
class PriceChange:
    """A catalog model whose price differs from the database from ``effective`` on."""

    model_id: str
    vendor: str
    key: str
    effective: dt.date
    new: ImportedPrices
    fields: tuple[FieldChange, ...]
    kept: tuple[str, ...]  # catalog fields the database does not give, carried over on write
    source: str
    notes: tuple[str, ...] = ()  # what the database had that the catalog cannot hold


@dataclass(frozen=True)
class NewModel:
    """A model in the database and not in the catalog, as the YAML mapping to append.

    Its ``tier`` is always a guess from the name; the entry's note says so.
    """

    vendor: str
    key: str
    entry: dict[str, Any]


@dataclass
class CatalogDiff:
    """What importing a database file would change in the catalog."""

    database: str
    label: str
    today: dt.date
    changes: list[PriceChange] = field(default_factory=list)
    new_models: list[NewModel] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # catalog ids (vendor/id shown)
    not_found: list[str] = field(default_factory=list)  # --model names that matched nothing
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    @property
    def has_writes(self) -> bool:
        return bool(self.changes or self.new_models)


def _select(
    catalog: Catalog, result: ImportResult, vendor: str | None, names: Sequence[str]
) -> tuple[list[ImportedModel], dict[str, ImportedModel], list[str]]:
    """Apply ``--vendor`` and ``--model``: (selected models, their catalog matches, unmatched names)."""
    pool = [m for m in result.models if vendor is None or m.vendor == vendor]
    matched = match_catalog(catalog, pool)
    catalog_id = {id(m): cid for cid, m in matched.items()}
    if not names:
        return pool, matched, []
    selected: list[ImportedModel] = []
    not_found: list[str] = []
    for name in names:
        wanted = _alias_key(name)
        target = catalog.resolve(name)
        hits = [
            m
            for m in pool
            if wanted in {_alias_key(n) for n in m.names()} or (target is not None and catalog_id.get(id(m)) == target)
        ]
        if not hits:
            not_found.append(name)
        selected += [m for m in hits if m not in selected]
    return selected, {cid: m for cid, m in matched.items() if m in selected}, not_found


# Whole name parts only: "gemini" must not read as "mini".
_SMALL = re.compile(r"(?:^|[-_./])(?:mini|nano|flash|haiku|lite|small|luna|tiny)(?=$|[-_./\d])", re.I)
_FLAGSHIP = re.compile(r"(?:^|[-_./])(?:opus|pro|ultra|max|astra|fable|mythos|large)(?=$|[-_./\d])", re.I)


def _guess_tier(model: ImportedModel) -> str:
    # A guess from the name only; the new entry's note asks for a review.
    if _VENDORS[model.vendor].kind == "inference_provider":
        return "open"
    if _SMALL.search(model.id):
        return "small"
    if _FLAGSHIP.search(model.id):
        return "flagship"
    return "mid"


def _entry_values(prices: ImportedPrices) -> dict[str, Any]:
    """The price fields of a YAML entry, leaving out what the database does not give."""
    values: dict[str, Any] = {name: getattr(prices, name) for name in (*PRICE_FIELDS, "batch_discount")}
    if prices.long_context is not None:
        values["long_context"] = {k: getattr(prices.long_context, k) for k in LONG_CONTEXT_KEY_ORDER}
    return {k: _drop_none(v) for k, v in values.items() if v is not None}


def _drop_none(value: Any) -> Any:
    return {k: v for k, v in value.items() if v is not None} if isinstance(value, Mapping) else value


def _import_note(label: str, notes: Iterable[str] = ()) -> str:
    return "; ".join((f"imported from {label}", *notes))


def _new_model_entry(model: ImportedModel, model_id: str, aliases: list[str], today: dt.date, label: str) -> dict[str, Any]:
    """The YAML mapping for a model the catalog lacks: current and future dated prices."""
    start = model.start_of_price_on(today)
    points = [start if start is not None and start <= today else today, *(d for d in model.change_dates() if d > today)]
    tier = _guess_tier(model)
    note = _import_note(label, (*model.notes, f"tier '{tier}' guessed by the importer, review it"))
    entries: list[dict[str, Any]] = []
    for point in points:
        values = _entry_values(model.price_on(point))
        if entries and all(entries[-1].get(k) == v for k, v in values.items()):
            continue
        if entries:
            entries[-1]["to"] = point
        entries.append({"from": point, "to": None, **values, "source": model.source, "checked": today, "note": note})
    if model.retires and model.retires <= today:
        status = "retired"
    elif model.retires or model.deprecated:
        status = "deprecated"
    else:
        status = "preview" if "preview" in model_id else "active"
    entry = {
        "id": model_id,
        "name": model.name,
        "tier": tier,
        "aliases": aliases,
        "status": status,
        "retires": model.retires,
        "context_window": model.context_window,
        "max_output": model.max_output,
        "prices": entries,
    }
    return {k: v for k, v in entry.items() if v not in (None, [])}


def diff_catalog(
    catalog: Catalog,
    imported: ImportResult,
    today: dt.date,
    vendor: str | None = None,
    models: Sequence[str] = (),
) -> CatalogDiff:
    """Compare imported prices with the catalog.

    Parameters
    ----------
    catalog : Catalog
        The current catalog.
    imported : ImportResult
        From :func:`litellm_to_models`, :func:`genai_prices_to_models` or :func:`read_price_file`.
    today : datetime.date
        The day the comparison is made (and the ``from``/``checked`` date of new entries).
    vendor : str, optional
        Only this catalog vendor.
    models : sequence of str, optional
        Only these models: a catalog id or alias, or the database's key.

    Returns
    -------
    CatalogDiff
        Price changes (one per date: today, and each later dated change the database
        knows), new models, catalog models of the covered vendors missing from the file,
        requested names not found, and notes.
    """
    selected, matched, not_found = _select(catalog, imported, vendor, models)
    diff = CatalogDiff(imported.database, imported.label, today, not_found=not_found, skipped=Counter(imported.skipped))
    diff.notes += imported.warnings
    diff.notes += [f"{model.key}: {note}" for model in selected for note in model.notes]
    for catalog_id, model in sorted(matched.items()):
        current = catalog.models[catalog_id]
        changed = False
        for point in [today, *(d for d in model.change_dates() if d > today)]:
            old = current.price_on(point)
            fields = compare_prices(old, model.price_on(point))
            if not fields:
                continue
            effective = point
            start = model.start_of_price_on(point)
            # A dated database change between the catalog entry's start and today is
            # the real date of the change; otherwise all we know is "as of today".
            if point == today and start is not None and old.start < start < today:
                effective = start
            new = model.price_on(point)
            kept = tuple(
                name
                for name in ("cached_input", "cache_write", "batch_discount", "long_context")
                if getattr(new, name) is None and getattr(old, name) is not None
            )
            diff.changes.append(
                PriceChange(catalog_id, current.vendor, model.key, effective, new, fields, kept, model.source, model.notes)
            )
            changed = True
        if not changed:
            diff.unchanged.append(catalog_id)
        if model.retires and model.retires != current.retires:
            diff.notes.append(
                f"{catalog_id}: {imported.database} gives retirement date {model.retires} (catalog: {current.retires or 'none'}); check the provider's deprecation page"
            )
    taken = {_alias_key(n) for m in catalog.models.values() for n in (m.id, *m.aliases)}
    explicit = {id(m) for m in selected} if models else set()
    matched_ids = {id(m) for m in matched.values()}
    for model in selected:
        if id(model) in matched_ids:
            continue
        if model.retires and model.retires <= today and id(model) not in explicit:
            diff.skipped[f"retired per {imported.database}"] += 1
            continue
        model_id = model.id if _alias_key(model.id) not in taken else f"{model.vendor}-{model.id.rsplit('/', 1)[-1]}"
        if _alias_key(model_id) in taken:
            diff.notes.append(f"{model.key}: no free catalog id ({model.id}, {model_id} are taken); not added")
            continue
        aliases = [a for a in model.aliases if _alias_key(a) not in taken and _alias_key(a) != _alias_key(model_id)]
        taken |= {_alias_key(n) for n in (model_id, *aliases)}
        diff.new_models.append(
            NewModel(model.vendor, model.key, _new_model_entry(model, model_id, aliases, today, imported.label))
        )
    if not models:
        covered = {vendor} if vendor else {m.vendor for m in selected}
        diff.missing = sorted(
            m.id for m in catalog.models.values() if m.vendor in covered and m.id not in matched and m.status != "retired"
        )
    return diff


def _fmt(value: float | None, field_name: str = "") -> str:
    if value is None:
        return "none"
    if field_name.endswith("threshold"):
        return f"{value:,.0f} tokens"
    if field_name == "batch_discount":
        return f"{value * 100:g}% off"
    return f"{value:.2f}" if round(value, 2) == value else f"{value:.6g}"


def _fmt_pct(pct: float | None) -> str:
    if pct is None:
        return "new field"
    return "from 0" if math.isinf(pct) else f"{pct:+.1f}%"


def format_field_change(change: FieldChange) -> str:
    """One line ``field: old → new (pct)`` in $ per 1M tokens."""
    return f"{change.field}: {_fmt(change.old, change.field)} → {_fmt(change.new, change.field)} ({_fmt_pct(change.pct)})"


def format_diff(diff: CatalogDiff, catalog: Catalog) -> str:
    """The diff as text for the terminal, prices in $ per 1M tokens.

    Parameters
    ----------
    diff : CatalogDiff
        From :func:`diff_catalog`.
    catalog : Catalog
        The catalog it was computed against (for vendor names of missing models).

    Returns
    -------
    str
        Sections: changed prices (old → new per field), new models, catalog models
        missing from the file, names not found, unchanged count, notes, skipped counts.
    """
    lines = [f"{diff.label}: compared with the catalog on {diff.today}, prices in $ per 1M tokens."]
    if diff.changes:
        lines.append(f"\nChanged prices ({len(diff.changes)}):")
        for change in diff.changes:
            lines.append(f"  {change.model_id} [{change.vendor}] ← {change.key}, from {change.effective}")
            lines += [f"      {format_field_change(f)}" for f in change.fields]
            if change.kept:
                lines.append(f"      kept from the current entry (not in {diff.database}): {', '.join(change.kept)}")
    if diff.new_models:
        lines.append(f"\nNew models ({len(diff.new_models)}):")
        for new in diff.new_models:
            first = new.entry["prices"][0]
            prices = ", ".join(f"{k} {_fmt(first[k], k)}" for k in (*PRICE_FIELDS, "batch_discount") if k in first)
            lines.append(f"  {new.entry['id']} [{new.vendor}] ← {new.key}: {prices}; tier guessed: {new.entry['tier']}")
            if "long_context" in first:
                tier_prices = first["long_context"]
                lines.append(
                    f"      above {tier_prices['threshold']:,} input tokens: input {_fmt(tier_prices['input'])}, output {_fmt(tier_prices['output'])}"
                )
            lines += [
                f"      from {p['from']}: input {_fmt(p['input'])}, output {_fmt(p['output'])}" for p in new.entry["prices"][1:]
            ]
    if diff.missing:
        lines.append(f"\nCatalog models missing from the file ({len(diff.missing)}; nothing is deleted):")
        lines += [f"  {model_id} [{catalog.models[model_id].vendor}]" for model_id in diff.missing]
    if diff.not_found:
        lines.append(f"\nNot in the file: {', '.join(diff.not_found)}")
    lines.append(f"\nUnchanged: {len(diff.unchanged)}")
    if diff.notes:
        lines.append("Notes:")
        lines += [f"  {note}" for note in diff.notes]
    if diff.skipped:
        lines.append("Skipped: " + ", ".join(f"{count} {reason}" for reason, count in sorted(diff.skipped.items())))
    return "\n".join(lines)


# ------------------------------------------------------------------------- writing


class _BlockDumper(yaml.SafeDumper):
    """Block style with sequences indented under their key, as in pricing/README.md."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        # `from` and `checked` often share one date object; an anchor (&id001) there is
        # unreadable, and two rendered items with the same anchor name would not parse.
        return True


def _ordered(mapping: Mapping[str, Any], order: Sequence[str]) -> dict[str, Any]:
    first = {k: mapping[k] for k in order if k in mapping}
    return first | {k: v for k, v in mapping.items() if k not in first}


def _ordered_model(model: Mapping[str, Any]) -> dict[str, Any]:
    model = _ordered(model, MODEL_KEY_ORDER)
    if isinstance(model.get("prices"), list):
        model["prices"] = [_ordered_entry(e) for e in model["prices"]]
    return model


def _ordered_entry(entry: Any) -> Any:
    if not isinstance(entry, Mapping):
        return entry
    entry = _ordered(entry, PRICE_KEY_ORDER)
    if isinstance(entry.get("long_context"), Mapping):
        entry["long_context"] = _ordered(entry["long_context"], LONG_CONTEXT_KEY_ORDER)
    return entry


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_BlockDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)


def dump_vendor_document(doc: Mapping[str, Any]) -> str:
    """A vendor file in canonical form: block style, catalog key order, a blank line between models.

    Parameters
    ----------
    doc : Mapping
        ``{vendor, name, kind, models: [...]}`` as in pricing/README.md.

    Returns
    -------
    str
        YAML text that :func:`yaml.safe_load` reads back to ``doc``.
    """
    doc = _ordered(doc, VENDOR_KEY_ORDER)
    if isinstance(doc.get("models"), list):
        doc["models"] = [_ordered_model(m) if isinstance(m, Mapping) else m for m in doc["models"]]
    header = "# Prices in US dollars per 1M tokens; format and rules: pricing/README.md\n"
    lines = _dump(doc).splitlines(keepends=True)
    out: list[str] = []
    for line in lines:
        if line.startswith("  - id:") and out and not out[-1].startswith("models:"):
            out.append("\n")
        out.append(line)
    return header + "".join(out)


def _render_item(value: Any, indent: int) -> list[str]:
    """``value`` as one block-sequence item (``- key: ...``) indented by ``indent`` spaces."""
    return [" " * indent + line + "\n" for line in _dump([value]).splitlines()]


_CONTENT_END = re.compile(r"^\s*(#.*)?$")
_KEY_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[A-Za-z_]\w*):(?P<rest>.*)$")


class _TextPatchError(Exception):
    """The file's layout is not one the line editor understands."""


def _is_content(line: str) -> bool:
    return not _CONTENT_END.match(line)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _sequence_items(lines: list[str], key_line: int, stop: int) -> tuple[int, list[tuple[int, int]]]:
    """Items of the block sequence under the key on ``key_line``: (dash indent, [(start, end)])."""
    parent = _indent_of(lines[key_line])
    items: list[tuple[int, int]] = []
    dash = None
    last_content = key_line
    for i in range(key_line + 1, stop):
        line = lines[i]
        if not _is_content(line):
            continue
        indent, text = _indent_of(line), line.strip()
        is_item = text == "-" or text.startswith("- ")
        if dash is None:
            if not is_item or indent < parent:
                break
            dash = indent
        if indent < dash or (indent == dash and not is_item):
            break
        if indent == dash:
            if items:
                items[-1] = (items[-1][0], last_content + 1)
            items.append((i, i + 1))
        last_content = i
    if items:
        items[-1] = (items[-1][0], last_content + 1)
    if dash is None:
        raise _TextPatchError("expected a block sequence")
    return dash, items


def _find_key(lines: list[str], span: tuple[int, int], key: str) -> int | None:
    """Line of ``key`` among the direct keys of the mapping item spanning ``span``."""
    start, end = span
    first = _KEY_LINE.match(lines[start])
    column = len(first["lead"]) if first else _indent_of(next((ln for ln in lines[start + 1 : end] if _is_content(ln)), ""))
    for i in range(start, end):
        match = _KEY_LINE.match(lines[i])
        if match and match["key"] == key and len(match["lead"]) == column:
            return i
    return None


class _VendorFileEdit:
    """Edits to one vendor file, kept both as data (the truth) and as patched lines."""

    def __init__(self, path: Path, text: str | None, doc: dict[str, Any]):
        self.path = path
        self.original = text
        self.doc = doc
        self.lines = None if text is None else text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"

    def _patch(self, action: Any) -> None:
        # Any layout surprise drops the line editor; render() then writes the canonical form.
        if self.lines is not None:
            try:
                action()
            except (_TextPatchError, IndexError, StopIteration):
                self.lines = None

    def _models_key(self) -> int:
        for i, line in enumerate(self.lines):
            if re.match(r"^models:\s*(#.*)?$", line):
                return i
        raise _TextPatchError("no block 'models:' key")

    def _model_span(self, index: int) -> tuple[int, int]:
        _, items = _sequence_items(self.lines, self._models_key(), len(self.lines))
        return items[index]

    def _entry_spans(self, model_index: int) -> tuple[int, list[tuple[int, int]]]:
        span = self._model_span(model_index)
        prices = _find_key(self.lines, span, "prices")
        if prices is None:
            raise _TextPatchError("no 'prices:' key")
        return _sequence_items(self.lines, prices, span[1])

    def change_price(self, model_id: str, effective: dt.date, values: Mapping[str, Any], meta: Mapping[str, Any]) -> None:
        """Close the entry in force on ``effective`` and insert the new one after it."""
        models = self.doc["models"]
        index = next(i for i, m in enumerate(models) if isinstance(m, Mapping) and m.get("id") == model_id)
        entries = models[index]["prices"]
        covering = next(
            (
                i
                for i, e in enumerate(entries)
                if _as_date(e.get("from")) <= effective and (e.get("to") is None or effective < _as_date(e.get("to")))
            ),
            None,
        )
        if covering is not None and _as_date(entries[covering].get("from")) == effective:
            # The entry already starts that day: correct it rather than add a zero-length one.
            updated = _ordered_entry({**entries[covering], **values, **meta})
            entries[covering] = updated

            def replace_lines() -> None:
                dash, spans = self._entry_spans(index)
                start, end = spans[covering]
                self.lines[start:end] = _render_item(updated, dash)

            self._patch(replace_lines)
            return
        if covering is not None:
            base = entries[covering]
            new = _ordered_entry({**_carried(base), **values, "from": effective, "to": base.get("to"), **meta})
            base["to"] = effective
            entries.insert(covering + 1, new)

            def close_and_insert() -> None:
                dash, spans = self._entry_spans(index)
                start, end = spans[covering]
                to_line = _find_key(self.lines, (start, end), "to")
                if to_line is None:
                    from_line = _find_key(self.lines, (start, end), "from")
                    if from_line is None:
                        raise _TextPatchError("entry without 'from:'")
                    column = len(_KEY_LINE.match(self.lines[from_line])["lead"])
                    self.lines.insert(from_line + 1, " " * column + f"to: {effective.isoformat()}\n")
                    end += 1
                else:
                    old_line = self.lines[to_line].rstrip("\n")
                    match = re.match(r"^(?P<head>\s*(?:-\s+)?to:)[^#]*?(?P<comment>\s+#.*)?$", old_line)
                    new_line = f"{match['head']} {effective.isoformat()}"
                    if match["comment"]:
                        # Keep a trailing comment in its column, as aligned comments are.
                        column = old_line.index("#", len(match["head"]))
                        new_line = new_line.ljust(column - 1) + " " + match["comment"].lstrip()
                    self.lines[to_line] = new_line + "\n"
                self.lines[end:end] = _render_item(new, dash)

            self._patch(close_and_insert)
            return
        # No entry covers the day (before the first one or in a gap): fill up to the next start.
        later = [i for i, e in enumerate(entries) if _as_date(e.get("from")) > effective]
        position = min(later, key=lambda i: _as_date(entries[i].get("from"))) if later else len(entries)
        end_date = _as_date(entries[position].get("from")) if later else None
        new = _ordered_entry({**values, "from": effective, "to": end_date, **meta})
        entries.insert(position, new)

        def insert() -> None:
            dash, spans = self._entry_spans(index)
            at = spans[position][0] if position < len(spans) else spans[-1][1]
            self.lines[at:at] = _render_item(new, dash)

        self._patch(insert)

    def add_model(self, entry: Mapping[str, Any]) -> None:
        """Append a model to the ``models:`` list."""
        entry = _ordered_model(entry)
        self.doc.setdefault("models", []).append(entry)

        def append() -> None:
            dash, items = _sequence_items(self.lines, self._models_key(), len(self.lines))
            at = items[-1][1]
            gap = len(items) < 2 or not _is_content(self.lines[items[1][0] - 1])
            self.lines[at:at] = (["\n"] if gap else []) + _render_item(entry, dash)

        self._patch(append)

    def render(self) -> tuple[str, str | None]:
        """The new file text and, when the line editor had to give up, a warning."""
        if self.lines is not None:
            text = "".join(self.lines)
            try:
                if yaml.safe_load(text) == self.doc:
                    return text, None
            except yaml.YAMLError:
                pass
        text = dump_vendor_document(self.doc)
        if self.original is None:
            return text, None
        return (
            text,
            f"{self.path.name}: could not edit in place; rewrote it in canonical form (comments are lost, review the diff)",
        )


def _carried(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The price fields of an entry that a new entry inherits when the database is silent."""
    return {k: entry[k] for k in (*PRICE_FIELDS, "batch_discount", "long_context") if entry.get(k) is not None}


def _atomic_write(files: Mapping[Path, str]) -> None:
    """Write every file to a temp file next to it, then rename them all into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)


def apply_diff(diff: CatalogDiff, catalog_dir: Path | str = DATA_DIR) -> tuple[list[Path], list[str]]:
    """Write a diff into the vendor files, or refuse and change nothing.

    Parameters
    ----------
    diff : CatalogDiff
        From :func:`diff_catalog`.
    catalog_dir : Path or str
        The directory holding ``vendors/``, ``gpus.yaml`` and ``serving.yaml``.

    Returns
    -------
    (list of Path, list of str)
        The files written and warnings (e.g. a file that had to be rewritten whole).

    Raises
    ------
    WriteRefused
        When the edited catalog would not validate; no file is touched.

    Notes
    -----
    A changed price closes the entry in force on the effective day (``to: <day>``) and
    inserts an entry ``from: <day>`` with ``source``, ``checked: <today>`` and a note naming
    the database file; fields the database does not give are carried over. New models
    are appended to the vendor's file, which is created when missing. Nothing is deleted.
    """
    directory = Path(catalog_dir)
    vendor_dir = directory / "vendors"
    texts = {p: p.read_text(encoding="utf-8") for p in sorted(vendor_dir.glob("*.yaml"))}
    docs = {p: yaml.safe_load(t) for p, t in texts.items()}
    by_vendor = {doc["vendor"]: p for p, doc in docs.items() if isinstance(doc, Mapping) and "vendor" in doc}
    edits: dict[Path, _VendorFileEdit] = {}

    def edit_for(vendor: str) -> _VendorFileEdit:
        path = by_vendor.get(vendor, vendor_dir / f"{vendor}.yaml")
        if path not in edits:
            if path in texts:
                edits[path] = _VendorFileEdit(path, texts[path], docs[path])
            else:
                row = _VENDORS[vendor]
                edits[path] = _VendorFileEdit(path, None, {"vendor": vendor, "name": row.name, "kind": row.kind, "models": []})
        return edits[path]

    for change in sorted(diff.changes, key=lambda c: (c.vendor, c.model_id, c.effective)):
        meta = {"source": change.source, "checked": diff.today, "note": _import_note(diff.label, change.notes)}
        edit_for(change.vendor).change_price(change.model_id, change.effective, _entry_values(change.new), meta)
    for new in diff.new_models:
        edit_for(new.vendor).add_model(new.entry)
    rendered = {path: edit.render() for path, edit in edits.items()}
    warnings = [warning for _, warning in rendered.values() if warning]
    new_texts = {path: text for path, (text, _) in rendered.items()}
    all_paths = sorted(set(texts) | set(new_texts))
    try:
        vendor_docs = [(f"vendors/{p.name}", yaml.safe_load(new_texts.get(p, texts.get(p)))) for p in all_paths]
        gpus = yaml.safe_load((directory / "gpus.yaml").read_text(encoding="utf-8"))
        serving = yaml.safe_load((directory / "serving.yaml").read_text(encoding="utf-8"))
        build_catalog(vendor_docs, gpus, serving)
    except CatalogError as exc:
        raise WriteRefused(exc.problems) from None
    except (OSError, yaml.YAMLError) as exc:
        raise WriteRefused([str(exc)]) from None
    _atomic_write(new_texts)
    try:
        load_catalog(directory)
    except CatalogError as exc:  # pragma: no cover - build_catalog above already passed
        _atomic_write({p: texts[p] for p in new_texts if p in texts})
        for path in set(new_texts) - set(texts):
            path.unlink(missing_ok=True)
        raise WriteRefused(exc.problems) from None
    return list(new_texts), warnings


def run_import(
    path: Path | str,
    database: str,
    *,
    vendor: str | None = None,
    models: Sequence[str] = (),
    write: bool = False,
    catalog_dir: Path | str = DATA_DIR,
    today: dt.date | None = None,
) -> int:
    """The ``import-litellm`` / ``import-genai-prices`` commands: print the diff, write on request.

    Parameters
    ----------
    path : Path or str
        The database JSON file.
    database : str
        :data:`LITELLM` or :data:`GENAI_PRICES`.
    vendor, models, write, catalog_dir, today
        As the command-line options; ``today`` defaults to the current date.

    Returns
    -------
    int
        0 on success; 2 when writing was refused (the problems are printed).

    Raises
    ------
    InputError
        Unusable input (the caller prints it and exits 2).
    """
    today = today or dt.date.today()
    wanted_vendor = resolve_vendor(vendor) if vendor else None
    imported = read_price_file(path, expected=database)
    catalog = load_catalog_for_cli(catalog_dir)
    diff = diff_catalog(catalog, imported, today, vendor=wanted_vendor, models=models)
    print(format_diff(diff, catalog))
    if not write:
        if diff.has_writes:
            print("\nDry run: nothing written. Review the diff against the official pricing pages, then re-run with --write.")
        return 0
    if not diff.has_writes:
        print("\nNothing to write.")
        return 0
    try:
        written, warnings = apply_diff(diff, catalog_dir)
    except WriteRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}")
    print("\nWrote " + ", ".join(str(p) for p in written) + "; the catalog loads.")
    return 0
