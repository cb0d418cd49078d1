"""Applying a diff to the vendor files: validate everything first, then replace files atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from pricing.catalog import (
    CURATED_SNAPSHOT,
    DATA_DIR,
    CatalogError,
    build_catalog,
    load_catalog,
    read_yaml_text,
    write_curated_snapshot,
)
from pricing.importers.diff import CatalogDiff
from pricing.importers.entries import entry_values, import_note
from pricing.importers.vendors import VENDORS
from pricing.importers.yaml_edit import VendorFileEdit


class WriteRefused(Exception):
    """The edited catalog would not validate, so nothing was written; ``problems`` says why."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("refusing to write: the result would not validate:\n  " + "\n  ".join(self.problems))


def _atomic_write(files: Mapping[Path, str]) -> None:
    """Write every file to a temp file next to it, then rename them all into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)


def apply_diff(diff: CatalogDiff, catalog_dir: Path | str = DATA_DIR) -> tuple[list[Path], list[str]]:
    """Write a diff into the vendor files, or refuse and change nothing.

    Parameters
    ----------
    diff : CatalogDiff
        From :func:`diff_catalog`.
    catalog_dir : Path or str
        The directory holding ``vendors/``, ``gpus.yaml`` and ``serving.yaml``.

    Returns
    -------
    (list of Path, list of str)
        The files written and warnings (e.g. a file that had to be rewritten whole).

    Raises
    ------
    WriteRefused
        When the edited catalog would not validate; no file is touched.

    Notes
    -----
    A changed price closes the entry in force on the effective day (``to: <day>``) and
    inserts an entry ``from: <day>`` with ``source``, ``checked: <today>`` and a note naming
    the database file; fields the database does not give are carried over. New models
    are appended to the vendor's file, which is created when missing. Nothing is deleted.
    """
    directory = Path(catalog_dir)
    texts = {p: p.read_text(encoding="utf-8") for p in sorted((directory / "vendors").glob("*.yaml"))}
    new_texts, warnings = _edited_texts(diff, directory / "vendors", texts)
    _validate(directory, texts, new_texts)
    _atomic_write(new_texts)
    try:
        load_catalog(directory, use_snapshot=False)
    except CatalogError as exc:  # pragma: no cover - _validate above already passed
        _atomic_write({p: texts[p] for p in new_texts if p in texts})
        for path in set(new_texts) - set(texts):
            path.unlink(missing_ok=True)
        raise WriteRefused(exc.problems) from None
    if new_texts and (directory / CURATED_SNAPSHOT).exists():  # keep the fast path of load_catalog
        write_curated_snapshot(directory)
    return list(new_texts), warnings


def _edited_texts(diff: CatalogDiff, vendor_dir: Path, texts: Mapping[Path, str]) -> tuple[dict[Path, str], list[str]]:
    """The new text of every vendor file the diff touches, and warnings from the line editor."""
    docs = {p: yaml.safe_load(t) for p, t in texts.items()}
    by_vendor = {doc["vendor"]: p for p, doc in docs.items() if isinstance(doc, Mapping) and "vendor" in doc}
    edits: dict[Path, VendorFileEdit] = {}

    def edit_for(vendor: str) -> VendorFileEdit:
        path = by_vendor.get(vendor, vendor_dir / f"{vendor}.yaml")
        if path not in edits:
            if path in texts:
                edits[path] = VendorFileEdit(path, texts[path], docs[path])
            else:
                row = VENDORS[vendor]
                edits[path] = VendorFileEdit(path, None, {"vendor": vendor, "name": row.name, "kind": row.kind, "models": []})
        return edits[path]

    for change in sorted(diff.changes, key=lambda c: (c.vendor, c.model_id, c.effective)):
        meta = {"source": change.source, "checked": diff.today, "note": import_note(diff.label, change.notes)}
        edit_for(change.vendor).change_price(change.model_id, change.effective, entry_values(change.new), meta)
    for alias in diff.aliases:
        edit_for(alias.vendor).add_alias(alias.model_id, alias.name)
    for new in diff.new_models:
        edit_for(new.vendor).add_model(new.entry)
    rendered = {path: edit.render() for path, edit in edits.items()}
    return {path: text for path, (text, _) in rendered.items()}, [w for _, w in rendered.values() if w]


def _validate(directory: Path, texts: Mapping[Path, str], new_texts: Mapping[Path, str]) -> None:
    """Build the whole catalog from the edited texts; WriteRefused if it would not load."""
    try:
        paths = sorted(set(texts) | set(new_texts))
        # The loader's own reader: an edit that repeats a key is refused here, as load_catalog would refuse it.
        vendor_docs = [(f"vendors/{p.name}", read_yaml_text(new_texts.get(p, texts.get(p)))) for p in paths]
        gpus = read_yaml_text((directory / "gpus.yaml").read_text(encoding="utf-8"))
        serving = read_yaml_text((directory / "serving.yaml").read_text(encoding="utf-8"))
        build_catalog(vendor_docs, gpus, serving)
    except CatalogError as exc:
        raise WriteRefused(exc.problems) from None
    except (OSError, yaml.YAMLError) as exc:
        raise WriteRefused([str(exc)]) from None
