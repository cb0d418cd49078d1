"""Price catalog: load, validate and query the YAML price data.

The data lives next to this module:

- ``vendors/<vendor>.yaml``: one file per vendor or inference provider, each model with
  a dated price history (inclusive ``from``, exclusive ``to``; ``to: null`` = open-ended);
- ``gpus.yaml``: GPU rental offers in $ per GPU-hour;
- ``serving.yaml``: serving profiles (GPUs per replica, prefill and decode tokens/s).

Every price is in US dollars per 1M tokens. Every price entry and GPU offer carries a
``source`` URL and a ``checked`` date. ``pricing/README.md`` documents the format.

The concepts live in their own modules, all re-exported here (import them from this one):
:mod:`pricing.catalog_types` (the records and the Catalog), :mod:`pricing.catalog_names` (name
resolution), :mod:`pricing.catalog_yaml` (safe YAML reading) and :mod:`pricing.catalog_validation`
(documents to a Catalog). This module reads the files: the curated snapshot and the generated layer.

The loader rejects bad data with messages that name the file, the model and the field,
and collects *all* problems before raising, so a bad edit is fixed in one pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from pricing.catalog_names import alias_index, alias_key, lookup, loose_index, name_candidates, without_prefixes
from pricing.catalog_types import (
    CURATED,
    GENERATED,
    PRICE_FIELDS,
    STATUSES,
    TIERS,
    Catalog,
    CatalogError,
    Gpu,
    GpuOffer,
    Latency,
    LongContextTier,
    Model,
    PriceEntry,
    ServingProfile,
    Vendor,
    price_in_force,
)
from pricing.catalog_validation import (
    BILLING_RULES,
    MAX_PRICE_PER_MTOK,
    _Problems,
    as_date,
    build_catalog,
    parse_vendor_document,
)
from pricing.catalog_yaml import SAFE_LOADER, DuplicateKeyError, SafeLoader, read_yaml_text

__all__ = [
    "BILLING_RULES",
    "CURATED",
    "CURATED_SNAPSHOT",
    "DATA_DIR",
    "GENERATED",
    "GENERATED_LAYER",
    "MAX_PRICE_PER_MTOK",
    "PRICE_FIELDS",
    "SAFE_LOADER",
    "STATUSES",
    "TIERS",
    "Catalog",
    "CatalogError",
    "DuplicateKeyError",
    "Gpu",
    "GpuOffer",
    "Latency",
    "LongContextTier",
    "Model",
    "PriceEntry",
    "SafeLoader",
    "ServingProfile",
    "Vendor",
    "alias_index",
    "alias_key",
    "as_date",
    "build_catalog",
    "generated_layer_loader",
    "load_catalog",
    "lookup",
    "loose_index",
    "name_candidates",
    "parse_vendor_document",
    "price_in_force",
    "read_yaml_text",
    "sources_digest",
    "without_prefixes",
    "write_curated_snapshot",
]

DATA_DIR = Path(__file__).resolve().parent
GENERATED_LAYER = Path("generated") / "layer.json"
# The parsed curated files and the digest of their bytes (see write_curated_snapshot).
CURATED_SNAPSHOT = Path("generated") / "curated.json"


def generated_layer_loader(path: Path) -> Callable[[Catalog], dict[str, Model]]:
    """A loader for the generated layer file (``generated/layer.json``), for :attr:`Catalog.generated`.

    The file holds vendor documents in the vendor-file schema, validated the same way. A
    generated model that shares any name (id or alias) with a curated model is left out:
    the curated files win where both exist.
    """

    def load(catalog: Catalog) -> dict[str, Model]:
        where = GENERATED_LAYER.as_posix()
        try:
            doc = json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise CatalogError([f"{where}: cannot read JSON: {exc}"]) from None
        vendor_docs = doc.get("vendors") if isinstance(doc, Mapping) else None
        if not isinstance(vendor_docs, list):
            raise CatalogError([f"{where}: expected an object with a 'vendors' list"])
        problems = _Problems()
        taken = set(catalog._alias_index)
        models: dict[str, Model] = {}
        for i, vendor_doc in enumerate(vendor_docs):
            _, parsed = parse_vendor_document(vendor_doc, f"{where}: vendors[{i}]", problems)
            for model in parsed:
                names = {alias_key(name) for name in (model.id, *model.aliases)}
                if names & taken:
                    continue
                taken |= names
                models[model.id] = replace(model, origin=GENERATED)
        if problems.items:
            raise CatalogError(problems.items)
        return models

    return load


def _source_files(directory: Path) -> list[tuple[str, Path]]:
    """The curated files, by the name messages give them: ``vendors/<vendor>.yaml``, ``gpus.yaml``, ``serving.yaml``."""
    vendors = [(f"vendors/{p.name}", p) for p in sorted((directory / "vendors").glob("*.yaml"))]
    return [*vendors, ("gpus.yaml", directory / "gpus.yaml"), ("serving.yaml", directory / "serving.yaml")]


def sources_digest(sources: Iterable[tuple[str, bytes]]) -> str:
    """SHA-256 over the curated files' names and bytes: what a snapshot was made from."""
    digest = hashlib.sha256()
    for name, data in sources:
        digest.update(name.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):  # a datetime is a date too; the loader reads both with as_date
        return value.isoformat()
    raise TypeError(f"not a YAML value the catalog holds: {value!r}")


def write_curated_snapshot(directory: Path | str = DATA_DIR) -> Path:
    """Write ``generated/curated.json``: the parsed curated YAML files and the digest of their bytes.

    :func:`load_catalog` reads it instead of parsing the YAML when the digest still matches the
    files (a JSON parse instead of a YAML parse: ~5 ms instead of ~30 ms of CPU, paid by a server's
    first page), and parses the YAML as before otherwise. The files are validated first: a
    snapshot is only ever written of a catalog that loads. ``python -m pricing snapshot`` runs it.
    """
    directory = Path(directory)
    sources = [(name, path.read_bytes()) for name, path in _source_files(directory)]
    load_catalog(directory, use_snapshot=False)
    documents = {name: read_yaml_text(data.decode("utf-8")) for name, data in sources}
    out = directory / CURATED_SNAPSHOT
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"sha256": sources_digest(sources), "documents": documents}, default=_json_value, sort_keys=True)
    out.write_text(text + "\n", encoding="utf-8")
    return out


def _snapshot_documents(path: Path, digest: str) -> dict[str, Any] | None:
    """The documents of a snapshot made from files with this digest; None when absent, unreadable or stale."""
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, Mapping) or doc.get("sha256") != digest or not isinstance(doc.get("documents"), Mapping):
        return None
    return dict(doc["documents"])


def _read_documents(directory: Path, problems: _Problems, use_snapshot: bool) -> dict[str, Any]:
    """Each curated file's parsed document, from the snapshot when it matches their bytes, else from the YAML."""
    sources: list[tuple[str, bytes]] = []
    files = _source_files(directory)
    if not any(name.startswith("vendors/") for name, _ in files):
        problems.add(str(directory / "vendors"), "no vendor YAML files found")
    for name, path in files:
        try:
            sources.append((name, path.read_bytes()))
        except OSError as exc:
            problems.add(path.name, f"cannot read YAML: {exc}")
    if problems.items:
        return {}
    if use_snapshot:
        documents = _snapshot_documents(directory / CURATED_SNAPSHOT, sources_digest(sources))
        if documents is not None and set(documents) == {name for name, _ in sources}:
            return documents
    parsed = {}
    for name, data in sources:
        try:
            parsed[name] = read_yaml_text(data.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.add(Path(name).name, f"cannot read YAML: {exc}")
            parsed[name] = None
    return parsed


def load_catalog(directory: Path | str = DATA_DIR, use_snapshot: bool = True) -> Catalog:
    """Load and validate every catalog file under ``directory``.

    The YAML files are parsed, unless ``generated/curated.json`` holds their parse for exactly
    their current bytes (see :func:`write_curated_snapshot`); either way every value is validated
    here. The generated layer (``generated/layer.json``, when present) is read on first use of
    :attr:`Catalog.generated` or :meth:`Catalog.find`, not here.

    >>> catalog = load_catalog()
    >>> catalog.resolve("claude-haiku-4-5-20251001")
    'claude-haiku-4-5'
    """
    directory = Path(directory)
    problems = _Problems()
    documents = _read_documents(directory, problems, use_snapshot)
    vendor_docs = [(name, doc) for name, doc in documents.items() if name.startswith("vendors/")]
    if problems.items:
        raise CatalogError(problems.items)
    catalog = build_catalog(vendor_docs, documents["gpus.yaml"], documents["serving.yaml"])
    if (directory / GENERATED_LAYER).is_file():
        catalog.generated_loader = generated_layer_loader(directory / GENERATED_LAYER)
    if (directory / "hardware.yaml").exists():
        from pricing.hardware import load_hardware  # it imports this module

        catalog.hardware = load_hardware(directory)
    return catalog
