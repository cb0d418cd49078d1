"""The vendor table (database provider names -> catalog vendors) and how imported models are named."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from pricing.importers.records import LITELLM, ImportedModel, ImportResult, InputError

_URL = re.compile(r"^https?://\S+$")


# --------------------------------------------------------------------- vendor table


@dataclass(frozen=True)
class VendorMapping:
    """How one catalog vendor is named in each database."""

    vendor: str
    name: str
    kind: str  # "api" | "inference_provider", as in the vendor file
    litellm: tuple[str, ...]  # `litellm_provider` values
    genai_prices: tuple[str, ...]  # provider `id` values


# The one table from database provider names to catalog vendor ids. Within a row, an
# earlier name wins when a model is listed under several: Gemini API before Vertex AI,
# because the catalog quotes the ai.google.dev prices. Providers not listed here (Bedrock,
# Azure, OpenRouter, Vertex-hosted Claude...) resell models at their own prices and are skipped.
VENDOR_TABLE = (
    VendorMapping("anthropic", "Anthropic", "api", ("anthropic",), ("anthropic",)),
    VendorMapping("openai", "OpenAI", "api", ("openai", "text-completion-openai"), ("openai",)),
    VendorMapping("google", "Google", "api", ("gemini", "vertex_ai-language-models"), ("google",)),
    VendorMapping("deepseek", "DeepSeek", "api", ("deepseek",), ("deepseek",)),
    VendorMapping("together", "Together AI", "inference_provider", ("together_ai",), ("together",)),
    VendorMapping("fireworks", "Fireworks AI", "inference_provider", ("fireworks_ai",), ("fireworks",)),
    # genai-prices has no DeepInfra provider (snapshot 47df840a); the name is a guess for later.
    VendorMapping("deepinfra", "DeepInfra", "inference_provider", ("deepinfra",), ("deepinfra",)),
)
VENDORS = {row.vendor: row for row in VENDOR_TABLE}


def provider_vendor(database: str, provider: Any) -> tuple[str, int] | None:
    """Catalog vendor and preference rank (lower wins) for a database provider name."""
    for row in VENDOR_TABLE:
        names = row.litellm if database == LITELLM else row.genai_prices
        if provider in names:
            return row.vendor, names.index(provider)
    return None


def resolve_vendor(name: str) -> str:
    """Catalog vendor id for ``--vendor``: a catalog id or either database's provider name.

    Parameters
    ----------
    name : str
        ``google``, ``gemini``, ``together_ai``...

    Returns
    -------
    str
        The catalog vendor id, e.g. ``google``.

    Raises
    ------
    InputError
        When the name is in no column of :data:`VENDOR_TABLE`.
    """
    wanted = name.strip().lower()
    for row in VENDOR_TABLE:
        if wanted == row.vendor or wanted in row.litellm or wanted in row.genai_prices:
            return row.vendor
    known = ", ".join(row.vendor for row in VENDOR_TABLE)
    raise InputError(f"unknown vendor {name!r}; known vendors: {known}")


# Model names that are not chat models even when a database lists them with token prices.
NON_CHAT_NAME = re.compile(
    r"embed|rerank|moderation|whisper|\btts\b|tts-|dall-e|imagen|gpt-image|transcri|speech|sora|veo-", re.I
)
_DATED_SUFFIX = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._/-]+", "-", text.strip().lower()).strip("-./")


def proposed_id(vendor: str, bare_name: str) -> str:
    """Catalog id for a new model: the API name, or ``<vendor>-<name>`` on inference providers.

    Inference providers serve the same open model under the same name (Together and
    DeepInfra both call it ``meta-llama/Llama-4-Scout-17B-16E-Instruct``), and catalog
    ids are unique, so their ids carry the vendor, as the shipped files do
    (``together-llama-4-scout``).
    """
    if VENDORS[vendor].kind == "inference_provider":
        return f"{vendor}-{_slug(bare_name.rsplit('/', 1)[-1])}"
    return _slug(bare_name)


def display_name(vendor: str, name: str) -> str:
    row = VENDORS[vendor]
    return f"{name} ({row.name})" if row.kind == "inference_provider" else name


def first_url(*candidates: Any) -> str | None:
    for candidate in candidates:
        if isinstance(candidate, str):
            for token in candidate.split():
                if _URL.match(token):
                    return token
    return None


def finish(database: str, label: str, models: list[ImportedModel], skipped: Counter, warnings: list[str]) -> ImportResult:
    """Fold duplicate listings of one model, shared by both importers.

    A model listed by two providers of one vendor keeps the preferred provider's entry;
    a dated variant (``claude-haiku-4-5-20251001``) with the same prices as its undated
    name becomes an alias of it.
    """
    models = sorted(models, key=lambda m: (m.vendor, m.rank))
    kept: dict[tuple[str, str], ImportedModel] = {}
    for model in models:
        slot = (model.vendor, model.id)
        first = kept.get(slot)
        if first is None:
            kept[slot] = model
        elif first.periods == model.periods:
            kept[slot] = replace(first, match_names=(*first.match_names, model.key))
        else:
            warnings.append(
                f"{database} lists {model.id} twice with different prices ({first.key}, {model.key}); kept {first.key}"
            )
    for slot, model in list(kept.items()):
        base_id = _DATED_SUFFIX.sub("", model.id)
        base = kept.get((model.vendor, base_id))
        if base_id != model.id and base is not None and base.periods == model.periods:
            kept[(model.vendor, base_id)] = replace(base, aliases=tuple(dict.fromkeys((*base.aliases, model.key))))
            del kept[slot]
    return ImportResult(database, label, list(kept.values()), skipped, warnings)
