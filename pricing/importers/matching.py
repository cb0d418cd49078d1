"""Matching imported models to catalog models of the same vendor."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pricing.catalog import Catalog, alias_key, without_prefixes
from pricing.importers.records import ImportedModel

# --------------------------------------------------------------- matching and diff


def separator_key(name: str) -> str:
    """A name with case, spaces and separators (``- _ . / : @``) removed.

    ``claude-haiku-4.5`` and ``claude-haiku-4-5`` give the same key; the checks use it to
    find near-collisions and the importers to match names loosely within one vendor.
    """
    return re.sub(r"[\s._:@/-]+", "", name.lower())


def match_each(catalog: Catalog, models: Iterable[ImportedModel]) -> list[tuple[ImportedModel, str]]:
    """Every imported model that names a catalog model of the same vendor, with that model's id.

    A name resolving to another vendor's model does not count (Together's
    ``openai/gpt-oss-120b`` is not OpenAI's). Exact names (ids, aliases, gateway prefixes)
    are tried first, then names equal once case and separators are dropped, when that
    points at exactly one model of the vendor.
    """
    loose: dict[tuple[str, str], set[str]] = {}
    for model in catalog.models.values():
        for name in (model.id, *model.aliases):
            loose.setdefault((model.vendor, separator_key(name.rsplit("/", 1)[-1])), set()).add(model.id)
    pairs: list[tuple[ImportedModel, str]] = []
    for imported in models:
        found = None
        for name in imported.names():
            hit = catalog.resolve(name)
            if hit is not None and catalog.models[hit].vendor == imported.vendor:
                found = hit
                break
        for name in imported.names() if found is None else ():
            ids = loose.get((imported.vendor, separator_key(name.rsplit("/", 1)[-1])), set())
            if len(ids) == 1:
                found = next(iter(ids))
                break
        if found is not None:
            pairs.append((imported, found))
    return pairs


def match_catalog(catalog: Catalog, models: Iterable[ImportedModel]) -> dict[str, ImportedModel]:
    """The imported model that prices each catalog model: catalog id -> first-party listing.

    Resold listings (Claude on Bedrock) never price a catalog model. When two listings
    match one catalog model, the one whose database key (or that key without a gateway
    prefix such as ``gemini/``) is the catalog id wins, then one whose key is an alias,
    then one whose proposed id or other names are, then the first (the preferred
    provider); the others are matched too (see :func:`match_each`), so they are never
    proposed as new models. The proposed id is made up by the reader
    (``deepinfra/deepseek-ai/DeepSeek-R1`` becomes ``deepinfra-deepseek-r1``), so it never
    beats a key the catalog lists (``deepinfra/deepseek-ai/DeepSeek-R1-0528``, an alias of
    that catalog model).
    """

    def closeness(imported: ImportedModel, catalog_id: str) -> int:
        model = catalog.models[catalog_id]
        aliases = {alias_key(a) for a in model.aliases}
        key = alias_key(imported.key)
        keys = {key, without_prefixes(key)}
        if alias_key(catalog_id) in keys:
            return 0
        if keys & aliases:
            return 1
        if alias_key(imported.id) == alias_key(catalog_id) or {alias_key(a) for a in imported.aliases} & aliases:
            return 2
        return 3

    matched: dict[str, ImportedModel] = {}
    for imported, found in match_each(catalog, models):
        if imported.resold:
            continue
        current = matched.get(found)
        if current is None or closeness(imported, found) < closeness(current, found):
            matched[found] = imported
    return matched
