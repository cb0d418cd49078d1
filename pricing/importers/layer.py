"""The generated catalog layer: breadth from LiteLLM and genai-prices, below the curated vendor files.

``python -m pricing generate-layer --litellm WHEEL --genai-prices WHEEL --read-on DATE`` reads
both wheels (``pip download --no-deps``), keeps the text-generation models of the covered
vendors that the curated files do not already hold, and writes ``pricing/generated/layer.json``:
vendor documents in the vendor-file schema, each entry citing the database's file at its
version tag (``source``), the day it was read (``checked``) and the database and version
(``note``). genai-prices comes first because it dates its price changes; LiteLLM adds the
models genai-prices lacks, and its names for the models both list become aliases.

The same wheels and date give the same file, byte for byte. The catalog loads the layer
lazily (:attr:`pricing.catalog.Catalog.generated`); curated models win where both exist.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pricing.catalog import GENERATED_LAYER, Catalog, alias_key, generated_layer_loader
from pricing.importers.entries import model_entry
from pricing.importers.matching import match_each, separator_key
from pricing.importers.records import GENAI_PRICES, ImportedModel, ImportResult
from pricing.importers.sources import convert_wheel
from pricing.importers.vendors import VENDORS
from pricing.importers.wheels import describe, read_wheel

COMMAND = "python -m pricing generate-layer"


def layer_models(catalog: Catalog, results: Sequence[ImportResult]) -> list[tuple[ImportedModel, list[str]]]:
    """The models of the layer with their aliases: first-party listings the curated files lack.

    Earlier results win; a later result's listing of a model already chosen adds its names as
    aliases, and so does a reseller's listing (Claude on Bedrock) of a chosen model.
    """
    curated = {id(m) for result in results for m, _ in match_each(catalog, result.models)}
    taken = set().union(*(_names_of(m.vendor, (m.id, *m.aliases)) for m in catalog.models.values()))
    chosen: list[tuple[ImportedModel, list[str]]] = []
    owner: dict[str, int] = {}
    listings = [m for result in results for m in sorted(result.models, key=lambda m: (m.vendor, m.id))]
    for model in listings:
        if model.resold or id(model) in curated:
            continue
        names = _names_of(model.vendor, (model.id, model.key, *model.aliases, *model.match_names))
        hit = next((owner[n] for n in names if n in owner), None)
        if hit is not None:
            chosen[hit][1].extend((model.key, *model.aliases))
        if names & taken:
            continue
        owner.update(dict.fromkeys(names, len(chosen)))
        taken |= names
        chosen.append((model, [*model.aliases, *model.match_names]))
    for model in listings:
        base = _RESALE_NAME.sub("", model.key.rsplit("/", 1)[-1].lower())
        hit = _prefix_owner(chosen, model.vendor, base) if model.resold else None
        if hit is not None:
            chosen[hit][1].extend((model.key, base))
    curated_names = {alias_key(n) for m in catalog.models.values() for n in (m.id, *m.aliases)}
    return [(m, _unique(aliases, m.id, curated_names)) for m, aliases in chosen]


# How resellers decorate a model's name: region and maker prefixes, version and date suffixes.
_RESALE_NAME = re.compile(r"^(?:(?:us|eu|apac|global|regional)\.)?(?:anthropic\.)?|(?:-v\d+(?::\d+)?|@\d+)$")


def _names_of(vendor: str, names: Iterable[str]) -> set[str]:
    """Keys names are compared by within a vendor: exact (alias key) and separator-free."""
    names = list(names)
    return {alias_key(n) for n in names} | {f"{vendor}:{separator_key(n.rsplit('/', 1)[-1])}" for n in names}


def _prefix_owner(chosen: list[tuple[ImportedModel, list[str]]], vendor: str, name: str) -> int | None:
    """The chosen model of ``vendor`` whose id or ``starts_with`` name is the longest prefix of ``name``."""
    best, length = None, 0
    for index, (model, _) in enumerate(chosen):
        for prefix in (model.id, *model.match_names):
            if model.vendor == vendor and name.startswith(prefix.lower()) and len(prefix) > length:
                best, length = index, len(prefix)
    return best


def _unique(aliases: Iterable[str], model_id: str, taken: set[str]) -> list[str]:
    seen = {alias_key(model_id)} | taken
    out = []
    for alias in aliases:
        if alias_key(alias) not in seen:
            seen.add(alias_key(alias))
            out.append(alias)
    return out


def layer_document(
    catalog: Catalog, results: Sequence[ImportResult], sources: Sequence[dict[str, str]], read_on: dt.date
) -> dict[str, Any]:
    """The layer file's content: provenance of each database, then one vendor document per vendor."""
    by_vendor: dict[str, list[dict[str, Any]]] = {}
    for model, aliases in layer_models(catalog, results):
        label = f"{model.database} {next(s['version'] for s in sources if s['database'] == model.database)}"
        entry = model_entry(model, model.id, aliases, read_on, label, history=True)
        entry["prices"] = [{**p, "note": p["note"].replace("imported from", "generated from", 1)} for p in entry["prices"]]
        by_vendor.setdefault(model.vendor, []).append(entry)
    vendors = [
        {"vendor": v, "name": VENDORS[v].name, "kind": VENDORS[v].kind, "models": sorted(ms, key=lambda m: m["id"])}
        for v, ms in sorted(by_vendor.items())
    ]
    return {
        "generated_by": f"{COMMAND} (see pricing/README.md); do not edit by hand",
        "read_on": read_on.isoformat(),
        "sources": list(sources),
        "vendors": vendors,
    }


def generate_layer(catalog: Catalog, wheels: Sequence[Path | str], read_on: dt.date, out: Path) -> dict[str, int]:
    """Write the layer file from wheels and check that the catalog loads it; counts per vendor.

    Raises
    ------
    InputError
        A wheel cannot be read.
    pricing.catalog.CatalogError
        The written layer does not validate (the file is removed).
    """
    read = [(read_wheel(w), Path(w).name) for w in wheels]
    sources = [{**describe(data), "wheel": name, "read_on": read_on.isoformat()} for data, name in read]
    results = [convert_wheel(data, name) for data, name in read]
    # genai-prices first: it dates its price changes.
    paired = sorted(zip(results, sources, strict=True), key=lambda pair: pair[1]["database"] != GENAI_PRICES)
    doc = layer_document(catalog, [r for r, _ in paired], [s for _, s in paired], read_on)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, sort_keys=False, default=str) + "\n", encoding="utf-8")
    loaded = generated_layer_loader(out)(catalog)
    counts: dict[str, int] = {}
    for model in loaded.values():
        counts[model.vendor] = counts.get(model.vendor, 0) + 1
    return counts


DEFAULT_OUT = GENERATED_LAYER
