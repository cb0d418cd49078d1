"""``python -m pricing audit``: every dated catalog entry against LiteLLM and genai-prices.

Each reference is a file (JSON or the wheel ``pip download --no-deps`` fetches) read as of a day:
``FILE@YYYY-MM-DD``, the day the file was published (default: today). A reference that dates its
price changes for a model (genai-prices often does) is compared with every entry of it, at the
entry's first day; an undated price (all of LiteLLM's) only with the entry in force on the
reference's day. Only the fields a reference gives are
compared; a model a reference does not list is not counted against it.

An undated price equal to an *older* entry of the catalog's history is a stale row (LiteLLM
1.80.10 still listing Gemini 1.5 Pro's launch price after its cut): the reference has not
caught up with a change the catalog dates, so it is not compared with the newer entry; the
table shows ``stale`` in its column and the summary counts these.

A disagreement is *explained* when the entry carries an ``audit_note`` (why the catalog keeps
its figure: the vendor's page says otherwise, the database is wrong, a tier the catalog does not
hold...). The command prints one table (model, entry, field, catalog, each reference, verdict)
and a summary line, and exits 1 when any disagreement is unexplained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

from pricing.catalog import Catalog, Model, PriceEntry
from pricing.importers import ImportedModel, ImportResult, compare_prices, match_catalog, read_price_file
from pricing.importers.report import fmt_price

AGREE, EXPLAINED, DIFFERS = "agree", "explained", "DIFFERS"
STALE = "stale"  # a reference's column when its price is an older catalog entry's


@dataclass(frozen=True)
class Reference:
    """A database file read as of ``day`` (the day its undated prices held)."""

    name: str
    result: ImportResult
    day: dt.date


@dataclass(frozen=True)
class Row:
    """One field of one catalog entry against the references that list the model."""

    model_id: str
    start: dt.date
    field: str
    catalog: float | None
    references: tuple[str, ...]  # each reference's value; "=" agrees, "-" does not list the model
    verdict: str
    reason: str = ""


@dataclass
class Audit:
    """The audit's rows and per-entry verdicts."""

    references: list[Reference]
    rows: list[Row] = field(default_factory=list)
    entries: dict[tuple[str, dt.date], str] = field(default_factory=dict)  # verdict per entry listed by a reference
    unlisted: int = 0  # entries no reference lists
    stale: int = 0  # (entry, reference) pairs left out because the reference's price is an older entry's

    @property
    def unexplained(self) -> list[Row]:
        return [r for r in self.rows if r.verdict == DIFFERS]

    def summary(self) -> str:
        """One line: entries compared, how many agree with every reference, explained, unexplained."""
        counts = {v: sum(1 for x in self.entries.values() if x == v) for v in (AGREE, EXPLAINED, DIFFERS)}
        total = len(self.entries)
        share = counts[AGREE] / total * 100 if total else 100.0
        names = ", ".join(r.name for r in self.references)
        return (
            f"Audit against {names}: {total} catalog entries listed by a reference, {counts[AGREE]} agree with every "
            f"reference ({share:.1f}%), {counts[EXPLAINED]} differ with a recorded reason, {counts[DIFFERS]} differ "
            f"without one; {self.unlisted} entries listed by no reference"
            + (f"; {self.stale} stale reference rows (an older entry's price) not compared." if self.stale else ".")
        )


def parse_reference(text: str, today: dt.date) -> Reference:
    """``FILE`` or ``FILE@YYYY-MM-DD`` as a reference (InputError for a bad file or date)."""
    path, _, day = text.rpartition("@") if "@" in Path(text).name else (text, "", "")
    result = read_price_file(path)
    when = dt.date.fromisoformat(day) if day else today
    return Reference(f"{result.label.split(' (')[0]} @ {when}", result, when)


def audit_catalog(catalog: Catalog, references: Sequence[Reference]) -> Audit:
    """Compare every dated entry of every curated model with each reference."""
    audit = Audit(list(references))
    matches = [match_catalog(catalog, ref.result.models) for ref in references]
    for model_id, model in sorted(catalog.models.items()):
        for entry in model.prices:
            listed = [(ref, found.get(model_id)) for ref, found in zip(references, matches, strict=True)]
            speaking = [
                (ref, imported) for ref, imported in listed if imported is not None and _compared(ref, imported, model, entry)
            ]
            stale = [pair for pair in speaking if _stale(pair[0], pair[1], model, entry)]
            compared = [pair for pair in speaking if pair not in stale]
            audit.stale += len(stale)
            if not compared:
                audit.unlisted += 1
                continue
            rows = _entry_rows(model, entry, compared, references, {references.index(ref) for ref, _ in stale})
            audit.rows += rows
            verdicts = {r.verdict for r in rows}
            audit.entries[(model_id, entry.start)] = (
                DIFFERS if DIFFERS in verdicts else EXPLAINED if EXPLAINED in verdicts else AGREE
            )
    return audit


def _compared(ref: Reference, imported: ImportedModel, model: Model, entry: PriceEntry) -> bool:
    """Whether a reference speaks for this entry: a model it dates, always; otherwise on the reference's day."""
    if model.retires is not None and entry.start >= model.retires:
        return False
    return bool(imported.change_dates()) or entry.covers(ref.day)


def _stale(ref: Reference, imported: ImportedModel, model: Model, entry: PriceEntry) -> bool:
    """Whether an undated reference price is that of an entry older than ``entry`` (and not ``entry``'s own)."""
    if imported.change_dates():
        return False
    price = imported.price_on(ref.day)
    if not compare_prices(entry, price):
        return False
    return any(not compare_prices(older, price) for older in model.prices if older.start < entry.start)


def _reference_day(imported: ImportedModel, entry: PriceEntry, ref: Reference) -> dt.date:
    return entry.start if imported.change_dates() else ref.day


def _entry_rows(
    model: Model,
    entry: PriceEntry,
    compared: list[tuple[Reference, ImportedModel]],
    references: Sequence[Reference],
    stale: Set[int] = frozenset(),
) -> list[Row]:
    """One row per field any reference disagrees on, or one 'agree' row for the entry."""
    by_field: dict[str, dict[int, float]] = {}
    catalog_value: dict[str, float | None] = {}
    for ref, imported in compared:
        day = _reference_day(imported, entry, ref)
        for change in compare_prices(entry, imported.price_on(day)):
            by_field.setdefault(change.field, {})[references.index(ref)] = change.new
            catalog_value[change.field] = change.old
    listed = {references.index(ref) for ref, _ in compared}

    def column(i: int, values: dict[int, float], name: str) -> str:
        if i in values:
            return fmt_price(values[i], name)
        return "=" if i in listed else STALE if i in stale else "-"

    if not by_field:
        return [Row(model.id, entry.start, "all", None, tuple(column(i, {}, "") for i in range(len(references))), AGREE)]
    verdict = EXPLAINED if entry.audit_note else DIFFERS
    rows = []
    for name, values in sorted(by_field.items()):
        row_refs = tuple(column(i, values, name) for i in range(len(references)))
        rows.append(Row(model.id, entry.start, name, catalog_value[name], row_refs, verdict, entry.audit_note))
    return rows


def format_audit(audit: Audit, show_all: bool = False) -> str:
    """The table (disagreements, or every row with ``show_all``) and the summary line."""
    headers = ["model", "entry from", "field", "catalog", *(r.name for r in audit.references), "verdict"]
    shown = [r for r in audit.rows if show_all or r.verdict != AGREE]
    table = [
        [
            r.model_id,
            r.start.isoformat(),
            r.field,
            "" if r.field == "all" else fmt_price(r.catalog, r.field),
            *r.references,
            r.verdict + (f": {r.reason}" if r.reason else ""),
        ]
        for r in shown
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *table, strict=False)]
    widths[-1] = 0  # the verdict column is last and may be long
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [headers, *table]]
    if not shown:
        lines.append("(no disagreements)")
    lines.append("")
    lines.append(audit.summary())
    return "\n".join(lines)
