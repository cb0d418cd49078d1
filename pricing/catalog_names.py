"""Model name resolution: the alias indexes and the rules that map a gateway slug or snapshot name to a catalog id.

A name is compared by :func:`alias_key`; a name not listed is tried again without gateway and
cloud prefixes, variant and snapshot suffixes (:func:`name_candidates`), and last with version
dots read as dashes (:func:`loose_index`). :meth:`pricing.catalog.Catalog.resolve` uses these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pricing.catalog_types import Model

# Prefixes that gateways and exports put before a provider's own model id (tried one at a time,
# outermost first): gateways, cloud routes (Bedrock's region and `anthropic.` forms, Vertex's
# publisher path) and vendor namespaces. An unknown namespace is never stripped.
_STRIP_PREFIXES = re.compile(
    r"^(models/|openrouter/|litellm/|bedrock/|converse/|vertex_ai/|azure/|azure_ai/|"
    r"publishers/[a-z0-9-]+/models/|"
    r"anthropic[/.]|openai/|google/|gemini/|deepseek/|xai/|x-ai/|mistral/|mistralai/|dashscope/|qwen/|"
    r"moonshot/|moonshotai/|zai/|z-ai/|minimax/|together_ai/|fireworks_ai/|deepinfra/|replicate/|"
    r"(?:us|eu|apac|jp|au|global)\.(?=anthropic\.))",
)
# Suffixes that name a snapshot, a cloud version or a moving pointer of the same model, stripped
# when the name with them is not in the catalog (a listed snapshot, e.g. gpt-4o-2024-05-13 with
# its own price, always wins): Bedrock `-v1:0`, Vertex `@20241022`, `-20250929`, `-2026-04-23`,
# `-latest`.
_STRIP_SUFFIXES = re.compile(r"(-v\d+(?::\d+)?|@\d{8}|@latest|-\d{8}|-\d{4}-\d{2}-\d{2}|-latest)$")
# OpenRouter permaslugs put Claude's version before its family: claude-4.5-haiku = claude-haiku-4.5.
_CLAUDE_VERSION_FIRST = re.compile(r"^claude-(\d+(?:\.\d+)?)-(opus|sonnet|haiku)$")
# Version dots and dashes are interchangeable in the wild (claude-haiku-4.5, claude-3-5-sonnet).
_VERSION_DOT = re.compile(r"(?<=\d)\.(?=\d)")


def alias_index(models: Iterable[Model]) -> dict[str, str]:
    """Alias key -> model id for every id and alias of ``models`` (the first owner of a name wins)."""
    index: dict[str, str] = {}
    for model in models:
        for name in (model.id, *model.aliases):
            index.setdefault(alias_key(name), model.id)
    return index


def loose_index(index: Mapping[str, str]) -> dict[str, str]:
    """The dot-insensitive index (version dots read as dashes), for the last try; a key two models share is dropped."""
    loose: dict[str, str | None] = {}
    for key, model_id in index.items():
        folded = _VERSION_DOT.sub("-", key)
        loose[folded] = model_id if loose.get(folded, model_id) == model_id else None
    return {k: v for k, v in loose.items() if v is not None}


def lookup(indexes: tuple[Mapping[str, str], Mapping[str, str]], name: str | None) -> str | None:
    """The model id a name stands for in (exact, loose) indexes, trying ``name_candidates`` in order."""
    if not isinstance(name, str) or not name.strip():
        return None
    exact, loose = indexes
    key = alias_key(name)
    if key in exact:  # the common case: a listed id or alias
        return exact[key]
    candidates = name_candidates(key)
    for candidate in candidates:
        found = exact.get(candidate)
        if found:
            return found
    for candidate in candidates:
        found = loose.get(_VERSION_DOT.sub("-", candidate))
        if found:
            return found
    return None


def alias_key(name: str) -> str:
    """The form names are compared in: lower case, surrounding spaces dropped, inner runs of spaces single."""
    return " ".join(name.strip().lower().split())


def without_prefixes(key: str) -> str:
    """A normalised name without the gateway, cloud and vendor prefixes ``name_candidates`` strips.

    >>> without_prefixes("openrouter/anthropic/claude-haiku-4.5")
    'claude-haiku-4.5'
    """
    stripped = key
    while (shorter := _STRIP_PREFIXES.sub("", stripped, count=1)) != stripped:
        stripped = shorter
    return stripped


def name_candidates(key: str) -> list[str]:
    """The names to look up for a normalised model name, most literal first.

    >>> name_candidates("openrouter/anthropic/claude-4.5-haiku-20251001")[-1]
    'claude-haiku-4.5'
    >>> name_candidates("claude-3-5-haiku@20241022")
    ['claude-3-5-haiku@20241022', 'claude-3-5-haiku']
    """
    candidates = [key]
    if len(key) > 300:  # no model name is this long; spare the rules on junk
        return candidates
    stripped = key
    while (shorter := _STRIP_PREFIXES.sub("", stripped, count=1)) != stripped:
        stripped = shorter
        candidates.append(stripped)
    if ":" in stripped:
        stripped = stripped.split(":", 1)[0]
        candidates.append(stripped)
    while (shorter := _STRIP_SUFFIXES.sub("", stripped)) != stripped and shorter:
        stripped = shorter
        candidates.append(stripped)
    if _CLAUDE_VERSION_FIRST.match(stripped):
        candidates.append(_CLAUDE_VERSION_FIRST.sub(r"claude-\2-\1", stripped))
    return list(dict.fromkeys(candidates))
