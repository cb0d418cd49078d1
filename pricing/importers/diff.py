"""The diff between a database file and the catalog: price changes, new models, missing ones."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pricing.catalog import PRICE_FIELDS, Catalog, CatalogError, Model, PriceEntry, alias_key, build_catalog
from pricing.importers.entries import model_entry
from pricing.importers.matching import match_catalog, match_each
from pricing.importers.records import LONG_CONTEXT_FIELDS, ImportedModel, ImportedPrices, ImportResult, round_price


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


def _same(name: str, old: float | None, new: float) -> bool:
    if name.endswith("threshold"):
        # "above 200,000 tokens" is written 200000 or 199999 (genai-prices' tier start is inclusive).
        return old is not None and abs(old - new) <= 1
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
    return tuple(FieldChange(name, o, n) for name, o, n in pairs if n is not None and not _same(name, o, n))


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


@dataclass(frozen=True)
class AliasProposal:
    """A name the database uses for a catalog model that the catalog does not resolve."""

    model_id: str
    vendor: str
    name: str
    key: str  # the database entry that uses it


@dataclass
class CatalogDiff:
    """What importing a database file would change in the catalog."""

    database: str
    label: str
    today: dt.date
    as_of: dt.date | None = None  # the file's own date when older than today: prices are compared as of then
    changes: list[PriceChange] = field(default_factory=list)
    new_models: list[NewModel] = field(default_factory=list)
    aliases: list[AliasProposal] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)  # catalog fields the database lacks
    missing: list[str] = field(default_factory=list)  # catalog ids (vendor/id shown)
    not_found: list[str] = field(default_factory=list)  # --model names that matched nothing
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    @property
    def has_writes(self) -> bool:
        return bool(self.changes or self.new_models or self.aliases)


def _select(
    catalog: Catalog, result: ImportResult, vendor: str | None, names: Sequence[str]
) -> tuple[list[ImportedModel], list[tuple[ImportedModel, str]], list[str]]:
    """Apply ``--vendor`` and ``--model``: (selected models, their catalog matches, unmatched names)."""
    pool = [m for m in result.models if vendor is None or m.vendor == vendor]
    pairs = match_each(catalog, pool)
    if not names:
        return pool, pairs, []
    catalog_id = {id(m): cid for m, cid in pairs}
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
    chosen = {id(m) for m in selected}
    return selected, [(m, cid) for m, cid in pairs if id(m) in chosen], not_found


# Output prices run 2-10x the input price (Qwen3-Next 0.15/1.50 is 10x); far above that is a typo to check
# (LiteLLM 1.80.10's Together Qwen3 235B at 0.20/6.00 is 30x).
SUSPICIOUS_OUTPUT_RATIO = 15
# An older file than this is compared as of its own date, with a warning.
AGE_WARNING_DAYS = 30


def diff_catalog(
    catalog: Catalog,
    imported: ImportResult,
    today: dt.date,
    vendor: str | None = None,
    models: Sequence[str] = (),
    as_of: dt.date | None = None,
) -> CatalogDiff:
    """Compare imported prices with the catalog.

    Parameters
    ----------
    catalog : Catalog
        The current catalog.
    imported : ImportResult
        From :func:`litellm_to_models`, :func:`genai_prices_to_models` or :func:`read_price_file`.
    today : datetime.date
        The day the comparison is made (the ``checked`` date of written entries).
    vendor : str, optional
        Only this catalog vendor.
    models : sequence of str, optional
        Only these models: a catalog id or alias, or the database's key.
    as_of : datetime.date, optional
        The day the file was published; default ``today``. An older file is compared with
        the catalog's prices on that day, so it never reverts later prices.

    Returns
    -------
    CatalogDiff
        Price changes (each dated: the file's date, or a date the database gives), new
        models, aliases to add, catalog fields the database lacks, catalog models of the
        covered vendors missing from the file, requested names not found, and notes.
    """
    as_of = min(as_of or today, today)
    selected, pairs, not_found = _select(catalog, imported, vendor, models)
    diff = CatalogDiff(imported.database, imported.label, today, as_of if as_of < today else None)
    diff.not_found, diff.skipped = not_found, Counter(imported.skipped)
    if (today - as_of).days > AGE_WARNING_DAYS:
        diff.notes.append(
            f"this file is from {as_of}, {(today - as_of).days} days ago: prices are compared with the catalog's on that day"
        )
    diff.notes += imported.warnings
    diff.notes += [f"{model.key}: {note}" for model in selected for note in model.notes]
    matched = match_catalog(catalog, (m for m, _ in pairs))
    for catalog_id, model in sorted(matched.items()):
        _diff_model(diff, catalog.models[catalog_id], model, as_of)
    diff.aliases = _alias_proposals(catalog, pairs)
    matched_ids = {id(m) for m, _ in pairs}
    _add_new_models(diff, catalog, selected, matched_ids, bool(models))
    _aliases_of_new_models(diff, catalog, [m for m in selected if id(m) not in matched_ids])
    if not models:
        covered = {vendor} if vendor else {m.vendor for m in selected if not m.resold}
        diff.missing = sorted(
            m.id for m in catalog.models.values() if m.vendor in covered and m.id not in matched and m.status != "retired"
        )
    return diff


def comparison_days(current: Model, model: ImportedModel, as_of: dt.date) -> list[dt.date]:
    """The days a catalog model is compared with a database on: the file's date and each dated change.

    Days before the catalog's first entry (before the model's launch in the catalog) and
    from its retirement on are left out: a retired model gets no new prices.
    """
    first = current.prices[0].start
    end = current.retires
    if current.status == "retired" and end is None:
        return []
    days = sorted({as_of, *model.change_dates()})
    return [d for d in days if first <= d and (end is None or d < end)]


def _diff_model(diff: CatalogDiff, current: Model, model: ImportedModel, as_of: dt.date) -> None:
    """Price changes of one matched model, and what the catalog has that the database lacks."""
    seen: set[dt.date] = set()
    for day in comparison_days(current, model, as_of):
        old, new = current.price_on(day), model.price_on(day)
        fields = compare_prices(old, new)
        start = model.start_of_price_on(day)
        # A dated database change between the catalog entry's start and the day is the real date.
        effective = start if start is not None and old.start < start < day else day
        if not fields or effective in seen:
            continue
        seen.add(effective)
        kept = tuple(
            name
            for name in ("cached_input", "cache_write", "batch_discount", "long_context")
            if getattr(new, name) is None and getattr(old, name) is not None
        )
        diff.changes.append(
            PriceChange(current.id, current.vendor, model.key, effective, new, fields, kept, model.source, model.notes)
        )
    if not seen:
        diff.unchanged.append(current.id)
    tier = current.price_on(as_of).long_context
    if tier is not None and model.price_on(as_of).long_context is None and as_of in comparison_days(current, model, as_of):
        diff.unconfirmed.append(
            f"{current.id}: the catalog's tier above {tier.threshold:,} input tokens is not in {diff.database} ({model.key})"
        )
    if model.retires and model.retires != current.retires:
        diff.notes.append(
            f"{current.id}: {diff.database} gives retirement date {model.retires} (catalog: {current.retires or 'none'}); check the provider's deprecation page"
        )


def _alias_proposals(catalog: Catalog, pairs: Iterable[tuple[ImportedModel, str]]) -> list[AliasProposal]:
    """Names the database uses for a matched catalog model that resolve to nothing yet."""
    proposals: dict[str, AliasProposal] = {}
    for model, catalog_id in pairs:
        for name in (model.key, *model.aliases):
            key = alias_key(name)
            if catalog.resolve(name) is None and key not in proposals:
                proposals[key] = AliasProposal(catalog_id, catalog.models[catalog_id].vendor, name, model.key)
    return sorted(proposals.values(), key=lambda p: (p.vendor, p.model_id, alias_key(p.name)))


def _add_new_models(
    diff: CatalogDiff, catalog: Catalog, selected: list[ImportedModel], matched: set[int], explicit: bool
) -> None:
    """Models the catalog lacks: never a listing that matched a catalog model, a resale, or (in bulk) a retired one."""
    taken = {alias_key(n) for m in catalog.models.values() for n in (m.id, *m.aliases)}
    taken |= {alias_key(p.name) for p in diff.aliases}
    day = diff.as_of or diff.today
    for model in selected:
        if id(model) in matched or model.resold:
            continue
        if model.retires and model.retires <= day and not explicit:
            diff.skipped[f"retired per {diff.database}"] += 1
            continue
        model_id = model.id if alias_key(model.id) not in taken else f"{model.vendor}-{model.id.rsplit('/', 1)[-1]}"
        if alias_key(model_id) in taken:
            diff.notes.append(f"{model.key}: no free catalog id ({model.id}, {model_id} are taken); not added")
            continue
        aliases = [a for a in model.aliases if alias_key(a) not in taken and alias_key(a) != alias_key(model_id)]
        taken |= {alias_key(n) for n in (model_id, *aliases)}
        entry = model_entry(model, model_id, aliases, diff.today, diff.label, as_of=day)
        diff.new_models.append(NewModel(model.vendor, model.key, entry))
        prices = model.price_on(day)
        if prices.input > 0 and prices.output / prices.input > SUSPICIOUS_OUTPUT_RATIO:
            diff.notes.append(
                f"{model_id}: output {prices.output:g} is {prices.output / prices.input:.0f}x the input {prices.input:g}; "
                "check the vendor's page for a typo before writing"
            )


def _aliases_of_new_models(diff: CatalogDiff, catalog: Catalog, unmatched: list[ImportedModel]) -> None:
    """Names other listings use for a model this diff adds (a reseller's, a dated variant's) become its aliases.

    Without this a second import of the same file would propose them, once the model exists.
    """
    by_vendor: dict[str, list[dict[str, Any]]] = {}
    for new in diff.new_models:
        by_vendor.setdefault(new.vendor, []).append(new.entry)
    try:
        docs = [(f"new/{v}", {"vendor": v, "models": entries}) for v, entries in sorted(by_vendor.items())]
        added = build_catalog(docs, {"gpus": []}, {"profiles": []})
    except CatalogError:
        return  # nothing to attach to; writing validates and refuses such a diff
    entries = {new.entry["id"]: new.entry for new in diff.new_models}
    taken = {alias_key(p.name) for p in diff.aliases}
    for model, new_id in match_each(added, unmatched):
        for name in (model.key, *model.aliases):
            if alias_key(name) in taken or added.resolve(name) or catalog.resolve(name):
                continue
            taken.add(alias_key(name))
            entries[new_id].setdefault("aliases", []).append(name)
