"""Which price applies: catalog history, scenario overrides, and month-by-month weighting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from calculators import clock
from calculators.scenario import PriceOverride
from pricing.catalog import Catalog, Model, PriceEntry, price_in_force

OVERRIDE_SOURCE = "scenario price override"
_EPOCH = dt.date(1900, 1, 1)


class UnknownModelError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class AmbiguousOverrideError(UnknownModelError):
    """Two price overrides name one model (``claude-opus-4-5`` and its dated id): which price is meant is
    not known, so the model is not priced (rather than by whichever key comes first)."""


MAX_SUCCESSORS = 5  # a chain of shutdowns followed this far (the catalog check forbids cycles; this bounds them anyway)


@dataclass(frozen=True)
class Handover:
    """A shutdown: from ``day`` on, ``prices[index:]`` are the successor's (until the next handover)."""

    day: dt.date
    retired: str  # display names
    successor: str
    index: int


@dataclass(frozen=True)
class PricedModel:
    """A model as the engine prices it: catalog entry (if any) plus the scenario's override.

    A model that shuts down is priced as the successor the catalog names from its shutdown day on
    (``handovers``); with no successor, it is ``unavailable_from`` that day and never priced after it.
    """

    name: str  # what the scenario called it
    id: str  # catalog id, or the name itself for a model known only by its override
    display_name: str
    prices: tuple[PriceEntry, ...]
    overridden: bool
    model: Model | None  # None when the model is not in the catalog
    handovers: tuple[Handover, ...] = ()
    unavailable_from: dt.date | None = None  # shut down with no successor (the last model of the chain)
    unavailable_name: str = ""  # the model that shuts down then

    def price_on(self, day: dt.date) -> PriceEntry:
        return price_in_force(self.prices, day)

    def name_at(self, index: int) -> str:
        """The display name of the model whose price is ``prices[index]``."""
        name = self.display_name
        for handover in self.handovers:
            if handover.index <= index:
                name = handover.successor
        return name


TIER_FIELDS = ("input", "output", "cached_input", "cache_write")


def _scaled(tier_value: float | None, base_value: float | None, override_value: float) -> float:
    """A tier's price after an override of the same field in the base price.

    Scaled by ``override / base`` when both the tier and the base price have the field (a positive
    base); replaced by the override when the tier has no such field or the base has none to scale from.
    """
    if tier_value is None or not base_value:
        return override_value
    return tier_value * (override_value / base_value)  # exactly the tier when the override equals the base


def apply_override(entry: PriceEntry, override: PriceOverride) -> PriceEntry:
    """``entry`` with a scenario's price override.

    An override replaces the named field of the base price. In the long-context tier the same field
    is scaled by the override/base ratio of that field (an input override of half the catalog price
    halves the tier's input price too), or set to the override when the tier has no such field (a
    tier without a cached price bills cache reads at the override). Fields left out keep the
    catalog's values, in the base price and in the tier. An override equal to the catalog price
    changes nothing.

    >>> import datetime as dt
    >>> from pricing.catalog import LongContextTier
    >>> tier = LongContextTier(threshold=272_000, input=5.0, output=22.5, cached_input=0.5)
    >>> base = PriceEntry(dt.date(2026, 3, 5), None, 2.5, 15.0, 0.25, None, 0.5, tier, "src", dt.date(2026, 11, 30))
    >>> out = apply_override(base, PriceOverride(input=1.25, cache_write=3.0))
    >>> out.input, out.long_context.input, out.long_context.output, out.long_context.cache_write
    (1.25, 2.5, 22.5, 3.0)
    """
    changes = {k: getattr(override, k) for k in (*TIER_FIELDS, "batch_discount")}
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        return entry
    tier = entry.long_context
    if tier is not None:
        tier_changes = {f: _scaled(getattr(tier, f), getattr(entry, f), changes[f]) for f in TIER_FIELDS if f in changes}
        tier = replace(tier, **tier_changes)
    return replace(entry, **changes, long_context=tier, source=OVERRIDE_SOURCE, note="overridden in this scenario")


def price_model(catalog: Catalog, name: str, overrides: dict[str, PriceOverride], _depth: int = 0) -> PricedModel:
    """Resolve a model name and apply the scenario's override to every dated entry.

    A model missing from the catalog is priced only when the scenario overrides at least
    its input and output price; otherwise ``UnknownModelError`` (never a silent $0). A model
    that shuts down is priced as its successor from that day (see ``PricedModel``).
    """
    model_id = catalog.resolve(name)
    keys = catalog.keys_naming(overrides, name)  # an override may be keyed by any alias of the model
    if len(keys) > 1:  # only aliases of a catalog model can collide: an unknown name matches itself alone
        raise AmbiguousOverrideError(
            f"price_overrides: {' and '.join(repr(key[:60]) for key in keys[:3])} name the same model "
            f"({catalog.models[model_id].name}); keep one"
        )
    override = overrides[keys[0]] if keys else None
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
            checked=clock.today(),
            note="model not in the catalog; priced from the scenario",
        )
        return PricedModel(name, name, name, (entry,), True, None)
    model = catalog.models[model_id]
    if override is None:
        priced = PricedModel(name, model_id, model.name, model.prices, False, model)
    else:
        priced = PricedModel(name, model_id, model.name, tuple(apply_override(e, override) for e in model.prices), True, model)
    return _after_shutdown(catalog, priced, overrides, _depth)


def _after_shutdown(catalog: Catalog, priced: PricedModel, overrides: dict[str, PriceOverride], depth: int) -> PricedModel:
    """``priced`` with its successor's prices from its shutdown day on, or marked unavailable from that day.

    The scenario's override of the retired model does not carry over: the successor is another model,
    at its own catalog price (or its own override).
    """
    model = priced.model
    if model is None or model.retires is None:
        return priced
    day = model.retires
    if not model.successor or model.successor not in catalog.models or depth >= MAX_SUCCESSORS:
        return replace(priced, unavailable_from=day, unavailable_name=model.name)
    successor = price_model(catalog, model.successor, overrides, depth + 1)
    before = tuple(e for e in priced.prices if e.start < day)
    kept = sum(1 for e in successor.prices if e.start <= day)  # the successor's entries before the day drop out
    first = replace(successor.price_on(day), start=day, note=f"successor of {model.name} from {day.isoformat()}")
    prices = (*before, first, *successor.prices[kept:])
    shift = len(before) + 1 - kept  # successor entry j (j >= kept) lands at j + shift
    handovers = (
        Handover(day, model.name, successor.display_name, len(before)),
        *(replace(h, index=h.index + shift) for h in successor.handovers if h.index >= kept),
    )
    return replace(
        priced,
        prices=prices,
        handovers=handovers,
        unavailable_from=successor.unavailable_from,
        unavailable_name=successor.unavailable_name,
    )


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


def _usd(value: float | None) -> str:
    return "none" if value is None else f"${value:g}"


_CHANGED = (("input", "input"), ("cached_input", "cached input"), ("cache_write", "cache write"), ("output", "output"))


def describe_change(before: PriceEntry, after: PriceEntry) -> str | None:
    """What changed between two prices, field by field ("cached input $0.5 → $0.25, output $10 → $8 per 1M");
    None when no price changed (a re-sourced entry)."""
    prices = [
        f"{label} {_usd(getattr(before, f))} → {_usd(getattr(after, f))}"
        for f, label in _CHANGED
        if getattr(before, f) != getattr(after, f)
    ]
    parts = [", ".join(prices) + " per 1M"] if prices else []
    if before.batch_discount != after.batch_discount:
        parts.append(f"batch discount {_share(before.batch_discount)} → {_share(after.batch_discount)}")
    if before.long_context != after.long_context:
        parts.append("long-context tier changed")
    return "; ".join(parts) or None


def _share(value: float | None) -> str:
    return "none" if value is None else f"{value:.0%}"


def price_events(priced: PricedModel, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Dated price changes, handovers to a successor and shutdowns of one model within [start, end).

    A shutdown before ``start`` is no event (the forecast never prices that model; the strategy's notes
    say so); one on or after ``end`` is outside the horizon.
    """
    events = []
    handovers = {h.index: h for h in priced.handovers}
    for i, (before, after) in enumerate(zip(priced.prices, priced.prices[1:], strict=False), start=1):
        if not start <= after.start < end:
            continue
        handover = handovers.get(i)
        if handover is not None:
            events.append(
                (
                    after.start,
                    f"{handover.retired} shuts down on {handover.day.isoformat()}: priced as its successor "
                    f"{handover.successor} from then "
                    f"(${after.input:g}/${after.output:g} per 1M in/out)",
                )
            )
        else:
            change = describe_change(before, after)
            if change:
                events.append((after.start, f"{priced.name_at(i)}: {change}"))
    gone = priced.unavailable_from
    if gone is not None and start <= gone < end:
        events.append(
            (
                gone,
                f"{priced.unavailable_name} shuts down on {gone.isoformat()} and the catalog names no successor: "
                f"not priced from {gone:%Y-%m}",
            )
        )
    return events


def lifecycle_notes(priced: PricedModel, start: dt.date, end: dt.date) -> list[str]:
    """Sentences on shutdowns that matter to a forecast over [start, end), in the tense of that forecast."""
    notes = []
    for h in priced.handovers:
        if h.day < end:
            verb = "shut down on" if h.day < start else "shuts down on"
            notes.append(f"{h.retired} {verb} {h.day.isoformat()}: priced as its successor {h.successor} from then")
    gone = priced.unavailable_from
    if gone is not None and gone < end:
        notes.append(
            f"{priced.unavailable_name} shuts down on {gone.isoformat()} and the catalog names no successor: "
            f"not priced from {gone:%Y-%m}"
        )
    return notes
