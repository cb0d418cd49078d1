"""The ``import-litellm`` / ``import-genai-prices`` commands."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from calculators import clock
from pricing.catalog import DATA_DIR
from pricing.importers.diff import diff_catalog
from pricing.importers.report import format_diff
from pricing.importers.sources import load_catalog_for_cli, read_price_file
from pricing.importers.vendors import resolve_vendor
from pricing.importers.write import WriteRefused, apply_diff


def run_import(
    path: Path | str,
    database: str,
    *,
    vendor: str | None = None,
    models: Sequence[str] = (),
    write: bool = False,
    catalog_dir: Path | str = DATA_DIR,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> int:
    """The ``import-litellm`` / ``import-genai-prices`` commands: print the diff, write on request.

    Parameters
    ----------
    path : Path or str
        The database JSON file.
    database : str
        :data:`LITELLM` or :data:`GENAI_PRICES`.
    vendor, models, write, catalog_dir, today, as_of
        As the command-line options; ``today`` defaults to the current date, ``as_of`` to ``today``.

    Returns
    -------
    int
        0 on success; 2 when writing was refused (the problems are printed).

    Raises
    ------
    InputError
        Unusable input (the caller prints it and exits 2).
    """
    today = today or clock.today()
    wanted_vendor = resolve_vendor(vendor) if vendor else None
    imported = read_price_file(path, expected=database)
    catalog = load_catalog_for_cli(catalog_dir)
    diff = diff_catalog(catalog, imported, today, vendor=wanted_vendor, models=models, as_of=as_of)
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
