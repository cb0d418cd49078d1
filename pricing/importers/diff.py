"""The diff between a database file and the catalog: price changes, new models, missing ones."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pricing.catalog import PRICE_FIELDS, Catalog, PriceEntry, alias_key
from pricing.importers.matching import match_catalog
from pricing.importers.records import LONG_CONTEXT_FIELDS, ImportedModel, ImportedPrices, ImportResult, round_price
from pricing.importers.vendors import VENDORS


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
            for name in LONG_CONTEXT_FIELDS
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
        wanted = alias_key(name)
        target = catalog.resolve(name)
        hits = [
            m
            for m in pool
            if wanted in {alias_key(n) for n in m.names()} or (target is not None and catalog_id.get(id(m)) == target)
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


def _new_model_entry(model: ImportedModel, model_id: str, aliases: list[str], today: dt.date, label: str) -> dict[str, Any]:
    """The YAML mapping for a model the catalog lacks: current and future dated prices."""
    start = model.start_of_price_on(today)
    points = [start if start is not None and start <= today else today, *(d for d in model.change_dates() if d > today)]
    tier = _guess_tier(model)
    note = import_note(label, (*model.notes, f"tier '{tier}' guessed by the importer, review it"))
    entries: list[dict[str, Any]] = []
    for point in points:
        values = entry_values(model.price_on(point))
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
    taken = {alias_key(n) for m in catalog.models.values() for n in (m.id, *m.aliases)}
    explicit = {id(m) for m in selected} if models else set()
    matched_ids = {id(m) for m in matched.values()}
    for model in selected:
        if id(model) in matched_ids:
            continue
        if model.retires and model.retires <= today and id(model) not in explicit:
            diff.skipped[f"retired per {imported.database}"] += 1
            continue
        model_id = model.id if alias_key(model.id) not in taken else f"{model.vendor}-{model.id.rsplit('/', 1)[-1]}"
        if alias_key(model_id) in taken:
            diff.notes.append(f"{model.key}: no free catalog id ({model.id}, {model_id} are taken); not added")
            continue
        aliases = [a for a in model.aliases if alias_key(a) not in taken and alias_key(a) != alias_key(model_id)]
        taken |= {alias_key(n) for n in (model_id, *aliases)}
        diff.new_models.append(
            NewModel(model.vendor, model.key, _new_model_entry(model, model_id, aliases, today, imported.label))
        )
    if not models:
        covered = {vendor} if vendor else {m.vendor for m in selected}
        diff.missing = sorted(
            m.id for m in catalog.models.values() if m.vendor in covered and m.id not in matched and m.status != "retired"
        )
    return diff
