"""Catalog YAML entries built from imported records: price fields, notes, new models' mappings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pricing.catalog import PRICE_FIELDS
from pricing.importers.records import LONG_CONTEXT_FIELDS, ImportedModel, ImportedPrices
from pricing.importers.vendors import VENDORS

# The start of the catalog's coverage window: a database price with no start date of its own,
# followed by dated changes, is entered from here (its note says the start is unknown).
HISTORY_FLOOR = dt.date(2024, 6, 1)


# Whole name parts only: "gemini" must not read as "mini".
_SMALL = re.compile(r"(?:^|[-_./])(?:mini|nano|flash|haiku|lite|small|luna|tiny)(?=$|[-_./\d])", re.I)
_FLAGSHIP = re.compile(r"(?:^|[-_./])(?:opus|pro|ultra|max|astra|fable|mythos|large)(?=$|[-_./\d])", re.I)


def guess_tier(model: ImportedModel) -> str:
    # A guess from the name only; the new entry's note asks for a review.
    if VENDORS[model.vendor].kind == "inference_provider":
        return "open"
    if _SMALL.search(model.id):
        return "small"
    if _FLAGSHIP.search(model.id):
        return "flagship"
    return "mid"


def entry_values(prices: ImportedPrices) -> dict[str, Any]:
    """The price fields of a YAML entry, leaving out what the database does not give."""
    values: dict[str, Any] = {name: getattr(prices, name) for name in (*PRICE_FIELDS, "batch_discount")}
    if prices.long_context is not None:
        values["long_context"] = {k: getattr(prices.long_context, k) for k in LONG_CONTEXT_FIELDS}
    return {k: _drop_none(v) for k, v in values.items() if v is not None}


def _drop_none(value: Any) -> Any:
    return {k: v for k, v in value.items() if v is not None} if isinstance(value, Mapping) else value


def import_note(label: str, notes: Iterable[str] = ()) -> str:
    return "; ".join((f"imported from {label}", *notes))


def price_points(model: ImportedModel, as_of: dt.date, history: bool = False) -> list[dt.date]:
    """The days a model's entries start: its price in force on ``as_of`` and each later dated change.

    With ``history``, every dated change the database knows; an undated first price before
    them starts at :data:`HISTORY_FLOOR`, and a model with no dated price at all at ``as_of``.
    """
    dated = model.change_dates()
    if history and dated:
        return [HISTORY_FLOOR, *(d for d in dated if d > HISTORY_FLOOR)] if model.periods[0].start is None else dated
    start = model.start_of_price_on(as_of)
    return [start if start is not None and start <= as_of else as_of, *(d for d in dated if d > as_of)]


def price_entries(model: ImportedModel, points: list[dt.date], checked: dt.date, note: str) -> list[dict[str, Any]]:
    """YAML price entries at ``points``, merging neighbours with equal prices."""
    entries: list[dict[str, Any]] = []
    for point in points:
        values = entry_values(model.price_on(point))
        if entries and entries[-1]["values"] == values:
            continue
        if entries:
            entries[-1]["to"] = point
        entries.append({"from": point, "to": None, "values": values})
    return [
        {"from": e["from"], "to": e["to"], **e["values"], "source": model.source, "checked": checked, "note": note}
        for e in entries
    ]


def model_entry(
    model: ImportedModel,
    model_id: str,
    aliases: list[str],
    today: dt.date,
    label: str,
    as_of: dt.date | None = None,
    history: bool = False,
) -> dict[str, Any]:
    """The YAML mapping for a model the catalog lacks: its prices from ``as_of`` (or its whole history).

    ``today`` is the entries' ``checked`` date; ``as_of`` (default ``today``) the file's date.
    """
    tier = guess_tier(model)
    note = import_note(label, (*model.notes, f"tier '{tier}' guessed by the importer, review it"))
    entries = price_entries(model, price_points(model, as_of or today, history), today, note)
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
