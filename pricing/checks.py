"""Staleness and consistency checks on the price catalog (``python -m pricing check``).

Four kinds of finding:

- ``stale``: a price entry still in force (or scheduled), a GPU offer or a serving
  profile whose ``checked`` date is more than ``max_age_days`` old;
- ``retired`` / ``retiring``: a model past its ``retires`` date that is not marked
  retired, or one retiring within ``retiring_within_days``;
- ``alias``: two names of *different* models that differ only by case or separators
  (``claude-haiku-4.5`` vs ``claude-haiku-4-5``); the loader already rejects exact clashes;
- ``price-diff``: a current price of a model not retired that differs by more than
  ``max_diff_pct`` percent from an imported LiteLLM or genai-prices file.

This module computes and formats; the CLI in ``pricing/__main__.py`` prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from pricing.catalog import Catalog
from pricing.importers import ImportResult, compare_prices, format_field_change, match_catalog, separator_key

DEFAULT_MAX_AGE_DAYS = 90
DEFAULT_MAX_DIFF_PCT = 5.0
RETIRING_WITHIN_DAYS = 30
KINDS = ("stale", "retired", "retiring", "alias", "price-diff")


@dataclass(frozen=True)
class Finding:
    """One problem in the catalog."""

    kind: str  # one of KINDS
    subject: str  # model id, GPU offer id or serving profile id
    message: str


def _stale(catalog: Catalog, today: dt.date, max_age_days: int) -> Iterator[Finding]:
    def too_old(checked: dt.date) -> int | None:
        age = (today - checked).days
        return age if age > max_age_days else None

    for model in catalog.models.values():
        # A retired model's prices no longer matter, nor do closed (historical) entries.
        if model.status == "retired" or (model.retires is not None and model.retires <= today):
            continue
        for entry in model.prices:
            if entry.end is not None and entry.end <= today:
                continue
            if (age := too_old(entry.checked)) is not None:
                yield Finding("stale", model.id, f"price entry from {entry.start} last checked {entry.checked} ({age} days ago)")
    for offer in catalog.offers.values():
        if (age := too_old(offer.checked)) is not None:
            yield Finding("stale", offer.id, f"GPU offer last checked {offer.checked} ({age} days ago)")
    for profile in catalog.profiles.values():
        if (age := too_old(profile.checked)) is not None:
            yield Finding("stale", profile.id, f"serving profile last checked {profile.checked} ({age} days ago)")


def _lifecycle(catalog: Catalog, today: dt.date, within_days: int) -> Iterator[Finding]:
    for model in catalog.models.values():
        if model.retires is None:
            continue
        successor = f"successor: {model.successor}" if model.successor else "no successor set"
        if model.retires <= today and model.status != "retired":
            yield Finding(
                "retired",
                model.id,
                f"past its retirement date {model.retires} but status is '{model.status}'; mark it retired ({successor})",
            )
        elif today < model.retires <= today + dt.timedelta(days=within_days):
            days = (model.retires - today).days
            yield Finding("retiring", model.id, f"retires on {model.retires}, in {days} days ({successor})")


def _near_collisions(catalog: Catalog) -> Iterator[Finding]:
    owners: dict[str, dict[str, str]] = {}  # separator key -> {model id: the name it uses}
    for model in catalog.models.values():
        for name in (model.id, *model.aliases):
            owners.setdefault(separator_key(name), {}).setdefault(model.id, name)
    for names in owners.values():
        if len(names) > 1:
            listed = " vs ".join(f"'{name}' ({model_id})" for model_id, name in sorted(names.items()))
            yield Finding("alias", sorted(names)[0], f"names differ only by case or separators: {listed}")


def _price_diffs(catalog: Catalog, day: dt.date, against: ImportResult, max_diff_pct: float) -> Iterator[Finding]:
    for model_id, imported in sorted(match_catalog(catalog, against.models).items()):
        model = catalog.models[model_id]
        if model.status == "retired" or (model.retires is not None and model.retires <= day):
            continue  # a retired model's price is history; the import diff compares it before retirement
        changes = compare_prices(model.price_on(day), imported.price_on(day))
        # A field the catalog lacks has no percentage; the import diff shows those.
        large = [c for c in changes if c.pct is not None and abs(c.pct) > max_diff_pct]
        if large:
            detail = "; ".join(format_field_change(c) for c in large)
            yield Finding("price-diff", model_id, f"{detail} vs {against.database} {imported.key}")


def check_catalog(
    catalog: Catalog,
    today: dt.date,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    against: ImportResult | None = None,
    max_diff_pct: float = DEFAULT_MAX_DIFF_PCT,
    retiring_within_days: int = RETIRING_WITHIN_DAYS,
    as_of: dt.date | None = None,
) -> list[Finding]:
    """Find stale, retiring and colliding catalog data, and prices far from a database.

    Parameters
    ----------
    catalog : Catalog
        The loaded catalog.
    today : datetime.date
        The day the check is made.
    max_age_days : int, default 90
        A ``checked`` date more than this many days before ``today`` is stale.
    against : ImportResult, optional
        A converted LiteLLM or genai-prices file to compare current prices with.
    max_diff_pct : float, default 5.0
        Report a price differing from ``against`` by more than this many percent.
    retiring_within_days : int, default 30
        Report models retiring within this many days.
    as_of : datetime.date, optional
        The day ``against`` was published (default ``today``): its prices are compared with
        the catalog's on that day, and models retired by then are left out.

    Returns
    -------
    list of Finding
        Ordered by kind (as in :data:`KINDS`), then as found.
    """
    findings = [
        *_stale(catalog, today, max_age_days),
        *_lifecycle(catalog, today, retiring_within_days),
        *_near_collisions(catalog),
    ]
    if against is not None:
        findings += _price_diffs(catalog, min(as_of or today, today), against, max_diff_pct)
    return sorted(findings, key=lambda f: KINDS.index(f.kind))


def format_findings(findings: list[Finding], catalog: Catalog, today: dt.date, max_age_days: int) -> str:
    """The findings as text, one per line, with a summary line first.

    Parameters
    ----------
    findings : list of Finding
        From :func:`check_catalog`.
    catalog : Catalog
        The checked catalog (for the counts in the summary).
    today : datetime.date
        The day of the check.
    max_age_days : int
        The staleness limit used.

    Returns
    -------
    str
        ``kind  subject  message`` lines, or a line saying nothing was found.
    """
    head = (
        f"Checked {len(catalog.models)} models, {len(catalog.offers)} GPU offers and "
        f"{len(catalog.profiles)} serving profiles on {today} (stale after {max_age_days} days)."
    )
    if not findings:
        return f"{head}\nNo problems found."
    width = max(len(f.subject) for f in findings)
    lines = [head, *(f"{f.kind:<10}  {f.subject:<{width}}  {f.message}" for f in findings)]
    lines.append(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}.")
    return "\n".join(lines)
