"""The diff as text for the terminal."""

from __future__ import annotations

import math

from pricing.catalog import PRICE_FIELDS, Catalog
from pricing.importers.diff import CatalogDiff, FieldChange


def fmt_price(value: float | None, field_name: str = "") -> str:
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
    return (
        f"{change.field}: {fmt_price(change.old, change.field)} → {fmt_price(change.new, change.field)} ({_fmt_pct(change.pct)})"
    )


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
    when = f"as of the file's date {diff.as_of}" if diff.as_of else f"on {diff.today}"
    lines = [f"{diff.label}: compared with the catalog {when}, prices in $ per 1M tokens."]
    lines += _changes(diff)
    lines += _new_models(diff)
    if diff.aliases:
        lines.append(f"\nAliases to add ({len(diff.aliases)}):")
        lines += [f"  {a.model_id} [{a.vendor}] + {a.name}" + (f" (← {a.key})" if a.key != a.name else "") for a in diff.aliases]
    if diff.unconfirmed:
        lines.append(f"\nCatalog prices the file does not confirm ({len(diff.unconfirmed)}; kept):")
        lines += [f"  {line}" for line in diff.unconfirmed]
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


def _changes(diff: CatalogDiff) -> list[str]:
    if not diff.changes:
        return []
    lines = [f"\nChanged prices ({len(diff.changes)}):"]
    for change in diff.changes:
        lines.append(f"  {change.model_id} [{change.vendor}] ← {change.key}, from {change.effective}")
        lines += [f"      {format_field_change(f)}" for f in change.fields]
        if change.kept:
            lines.append(f"      kept from the current entry (not in {diff.database}): {', '.join(change.kept)}")
    return lines


def _new_models(diff: CatalogDiff) -> list[str]:
    if not diff.new_models:
        return []
    lines = [f"\nNew models ({len(diff.new_models)}):"]
    for new in diff.new_models:
        first = new.entry["prices"][0]
        prices = ", ".join(f"{k} {fmt_price(first[k], k)}" for k in (*PRICE_FIELDS, "batch_discount") if k in first)
        lines.append(f"  {new.entry['id']} [{new.vendor}] ← {new.key}: {prices}; tier guessed: {new.entry['tier']}")
        if "long_context" in first:
            tier_prices = first["long_context"]
            lines.append(
                f"      above {tier_prices['threshold']:,} input tokens: input {fmt_price(tier_prices['input'])}, output {fmt_price(tier_prices['output'])}"
            )
        lines += [
            f"      from {p['from']}: input {fmt_price(p['input'])}, output {fmt_price(p['output'])}"
            for p in new.entry["prices"][1:]
        ]
    return lines
