"""Price records shared by every reader: what a database says about one model, in $ per 1M tokens.

Each reader (:mod:`pricing.importers.litellm`, :mod:`pricing.importers.genai_prices`) turns
its database into :class:`ImportedModel` records; matching, diff and writing work on those.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pricing.catalog import PRICE_FIELDS, LongContextTier

LITELLM = "LiteLLM"
GENAI_PRICES = "genai-prices"
# Per-token prices such as 1.25e-06 become 1.2499999999999998 after "* 1e6"; six
# significant digits removes that artifact and keeps every real list price exact.
SIGNIFICANT_DIGITS = 6
LONG_CONTEXT_FIELDS = ("threshold", *PRICE_FIELDS)
# Used as the entry's `source` when the database gives no URL of its own for a model.
DATABASE_URLS = {
    LITELLM: "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json",
    # The v2 feed: the v1 prices/data.json is frozen (genai-prices#703).
    GENAI_PRICES: "https://github.com/pydantic/genai-prices/blob/main/prices/new_data/v2/data.json",
}


class InputError(Exception):
    """Unusable input (missing file, bad JSON, unknown format or vendor): the CLI exits 2."""


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
    resold: bool = False  # a reseller's listing of another maker's model: proposes aliases only

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


class Skip(Exception):
    """This database entry is not a priced chat model; the message is the reason, counted."""


class InvalidPrice(Skip):
    """This database entry has a value that is not a price; it is skipped with a warning."""


def record_skip(exc: Skip, where: str, skipped: Counter, warnings: list[str]) -> None:
    if isinstance(exc, InvalidPrice):
        skipped["invalid price"] += 1
        warnings.append(f"{where}: {exc}; skipped")
    else:
        skipped[str(exc)] += 1


def as_price(value: Any, what: str) -> float | None:
    """A finite, non-negative number from the database, or None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InvalidPrice(f"{what} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise InvalidPrice(f"{what} is not a finite price >= 0")
    return float(value)


def long_context_tier(
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


def positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


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


def require_price(periods: tuple[PricePeriod, ...]) -> None:
    """Skip a model whose every price is zero: a free tier is not a list price."""
    if all(p.prices.input == 0 and p.prices.output == 0 for p in periods):
        raise Skip("free (no list price)")
