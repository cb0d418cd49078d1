"""Which price applies: catalog history, scenario overrides, and month-by-month weighting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from calculators.scenario import PriceOverride
from pricing.catalog import Catalog, Model, PriceEntry, price_in_force

OVERRIDE_SOURCE = "scenario price override"
_EPOCH = dt.date(1900, 1, 1)


class UnknownModelError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class PricedModel:
    """A model as the engine prices it: catalog entry (if any) plus the scenario's override."""

    name: str  # what the scenario called it
    id: str  # catalog id, or the name itself for a model known only by its override
    display_name: str
    prices: tuple[PriceEntry, ...]
    overridden: bool
    model: Model | None  # None when the model is not in the catalog

    def price_on(self, day: dt.date) -> PriceEntry:
        return price_in_force(self.prices, day)


def _apply(entry: PriceEntry, override: PriceOverride) -> PriceEntry:
    changes = {k: getattr(override, k) for k in ("input", "output", "cached_input", "cache_write", "batch_discount")}
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        return entry
    # An override states the price the user pays; a long-context tier from the catalog
    # would silently contradict it, so it is dropped when input or output is overridden.
    long_context = None if ("input" in changes or "output" in changes) else entry.long_context
    return replace(entry, **changes, long_context=long_context, source=OVERRIDE_SOURCE, note="overridden in this scenario")


def price_model(catalog: Catalog, name: str, overrides: dict[str, PriceOverride]) -> PricedModel:
    """Resolve a model name and apply the scenario's override to every dated entry.

    A model missing from the catalog is priced only when the scenario overrides at least
    its input and output price; otherwise ``UnknownModelError`` (never a silent $0).
    """
    model_id = catalog.resolve(name)
    override = overrides.get(name) or (overrides.get(model_id) if model_id else None)
    if override is None and model_id:
        # An override may be keyed by any alias of the model.
        for key, value in overrides.items():
            if catalog.resolve(key) == model_id:
                override = value
                break
    if model_id is None:
        if override is None or override.input is None or override.output is None:
            raise UnknownModelError(
                f"model {name!r} is not in the price catalog; pick a catalog model or give its input and output "
                "price under price_overrides"
            )
        entry = PriceEntry(
            start=_EPOCH,
            end=None,
            input=override.input,
            output=override.output,
            cached_input=override.cached_input,
            cache_write=override.cache_write,
            batch_discount=override.batch_discount,
            long_context=None,
            source=OVERRIDE_SOURCE,
            checked=dt.date.today(),
            note="model not in the catalog; priced from the scenario",
        )
        return PricedModel(name, name, name, (entry,), True, None)
    model = catalog.models[model_id]
    if override is None:
        return PricedModel(name, model_id, model.name, model.prices, False, model)
    return PricedModel(name, model_id, model.name, tuple(_apply(e, override) for e in model.prices), True, model)


def month_starts(start: dt.date, months: int) -> list[dt.date]:
    """First day of each of ``months`` months from ``start`` (plus one, the end bound)."""
    out = []
    year, month = start.year, start.month
    for _ in range(months + 1):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@lru_cache(maxsize=4096)
def entry_weights(prices: tuple[PriceEntry, ...], start: dt.date, months: int) -> np.ndarray:
    """Share of each month's days under each price entry: array (len(prices), months).

    A price change on the 11th of a 30-day month bills 10/30 of that month at the old price
    and 20/30 at the new one; each column sums to 1. As in ``price_in_force``, each entry
    runs until the next one starts, the first also covers earlier days and the last runs on.
    """
    bounds = month_starts(start, months)
    weights = np.zeros((len(prices), months))
    for t in range(months):
        lo, hi = bounds[t], bounds[t + 1]
        days = (hi - lo).days
        for i, entry in enumerate(prices):
            entry_lo = _EPOCH if i == 0 else entry.start
            entry_hi = None if i == len(prices) - 1 else prices[i + 1].start
            a = max(lo, entry_lo)
            b = hi if entry_hi is None else min(hi, entry_hi)
            if b > a:
                weights[i, t] += (b - a).days / days
    return weights


def price_events(priced: PricedModel, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Dated price changes and retirements of one model within [start, end)."""
    events = []
    for before, after in zip(priced.prices, priced.prices[1:], strict=False):
        if start <= after.start < end:
            events.append(
                (
                    after.start,
                    f"{priced.display_name}: ${before.input:g}/${before.output:g} → ${after.input:g}/${after.output:g} per 1M in/out",
                )
            )
    model = priced.model
    lifecycle = model.lifecycle_note(until=end) if model is not None else None
    if lifecycle:
        events.append((max(model.retires, start), lifecycle))
    return events
