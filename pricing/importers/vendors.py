"""The vendor table (database provider names -> catalog vendors) and how imported models are named."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pricing.importers.records import GENAI_PRICES, LITELLM, ImportedModel, ImportResult, InputError, Skip, record_skip

# --------------------------------------------------------------------- vendor table


@dataclass(frozen=True)
class VendorMapping:
    """How one catalog vendor is named in each database."""

    vendor: str
    name: str
    kind: str  # "api" | "inference_provider", as in the vendor file
    litellm: tuple[str, ...]  # `litellm_provider` values
    genai_prices: tuple[str, ...]  # provider `id` values


# The one table from database provider names to catalog vendor ids: the vendors and providers
# the catalog covers. Within a row, an earlier name wins when a model is listed under several:
# Gemini API before Vertex AI, because the catalog quotes the ai.google.dev prices.
VENDOR_TABLE = (
    VendorMapping("anthropic", "Anthropic", "api", ("anthropic",), ("anthropic",)),
    VendorMapping("openai", "OpenAI", "api", ("openai", "text-completion-openai"), ("openai",)),
    VendorMapping("google", "Google", "api", ("gemini", "vertex_ai-language-models"), ("google",)),
    VendorMapping("xai", "xAI", "api", ("xai",), ("x-ai",)),
    VendorMapping("mistral", "Mistral AI", "api", ("mistral",), ("mistral",)),
    VendorMapping("deepseek", "DeepSeek", "api", ("deepseek",), ("deepseek",)),
    VendorMapping("alibaba", "Alibaba Cloud (Qwen)", "api", ("dashscope",), ("alibaba",)),
    VendorMapping("moonshot", "Moonshot AI (Kimi)", "api", ("moonshot",), ("moonshotai",)),
    VendorMapping("zai", "Z.ai (GLM)", "api", ("zai",), ("zai", "zhipuai")),
    VendorMapping("minimax", "MiniMax", "api", ("minimax",), ("minimax",)),
    VendorMapping("together", "Together AI", "inference_provider", ("together_ai",), ("together",)),
    VendorMapping("fireworks", "Fireworks AI", "inference_provider", ("fireworks_ai",), ("fireworks",)),
    # genai-prices 0.2.3 has no DeepInfra, Replicate or Alibaba provider; the names are guesses for later.
    VendorMapping("deepinfra", "DeepInfra", "inference_provider", ("deepinfra",), ("deepinfra",)),
    VendorMapping("replicate", "Replicate", "inference_provider", ("replicate",), ("replicate",)),
)
VENDORS = {row.vendor: row for row in VENDOR_TABLE}
# Providers that resell other makers' closed models at their own prices (Claude on Bedrock and
# Vertex, GPT on Azure). Their listings are filed under the maker and only ever propose aliases;
# so are closed models listed by a covered provider that did not make them (Claude under
# genai-prices' `google`, Gemini on DeepInfra).
RESELLERS = {
    LITELLM: ("vertex_ai-anthropic_models", "bedrock", "bedrock_converse", "azure", "azure_ai"),
    GENAI_PRICES: ("aws", "azure"),
}
RESOLD_RANK = 100
# Closed model families and their maker: anyone else listing one resells it.
_CLOSED_MAKERS = (
    ("anthropic", re.compile(r"claude", re.I)),
    ("google", re.compile(r"gemini", re.I)),
    ("openai", re.compile(r"(?:^|[/.])(?:gpt-(?!oss)|o[134](?:-|$)|chatgpt-)", re.I)),
    ("xai", re.compile(r"(?:^|[/.])grok", re.I)),
)
# Open-weights families and their maker ("" = a maker the catalog does not cover): inference
# providers serve them at their own prices; an API vendor listing one resells it.
_OPEN_MAKERS = (
    ("google", re.compile(r"gemma", re.I)),
    ("openai", re.compile(r"gpt-oss", re.I)),
    ("deepseek", re.compile(r"deepseek", re.I)),
    ("alibaba", re.compile(r"qwen|qwq", re.I)),
    ("mistral", re.compile(r"mistral|mixtral|codestral|devstral|ministral|magistral|pixtral", re.I)),
    ("moonshot", re.compile(r"kimi|moonshot", re.I)),
    ("zai", re.compile(r"glm|zai-", re.I)),
    ("minimax", re.compile(r"minimax", re.I)),
    ("", re.compile(r"llama|muse", re.I)),
)
# Not text generation, or not a model of its own: fine-tunes, images, audio, embeddings, search,
# agents, routing variants (`:free`, `-customtools`), guard classifiers, base and distilled models.
NON_CHAT_NAME = re.compile(
    r"embed|rerank|moderation|whisper|\btts\b|tts-|-tts|dall-e|imagen|image|transcri|speech|sora|veo-|audio|voxtral|"
    r"realtime|native-audio|-live|lyria|robotics|computer-use|deep-research|search|learnlm|ocr|"
    r"(?:^|[/:])ft:|:free|:nitro|:extended|customtools|-exp-|exp-\d|instant|babbage|davinci|"
    r"guard|distill|-base(?:$|[-_])|vibe-cli|fim|(?:^|/)auto$|router",
    re.I,
)
# Open-model families the catalog covers on inference providers (issue #12: Llama 3.x/4, Muse,
# DeepSeek V3/R1/V4, Qwen 2.5/3, Kimi, GLM 4.5+, MiniMax, gpt-oss, and Gemma 3).
OPEN_FAMILIES = re.compile(
    r"llama-?[34]|llama-v3|muse|deepseek-?(?:v3|r1|v4|chat)|qwen-?(?:2[.p]5|3)|qwq|kimi|glm-?[45]|minimax|gpt-oss|gemma-?3",
    re.I,
)


@dataclass(frozen=True)
class Listing:
    """Where one database entry is filed: the catalog vendor, its rank (lower wins), and whether resold."""

    vendor: str
    rank: int
    resold: bool = False


def maker_of(name: str, closed_only: bool = False) -> str | None:
    """The vendor that makes a model, from its name ("" for an uncovered maker); None when unknown."""
    tables = _CLOSED_MAKERS if closed_only else (*_CLOSED_MAKERS, *_OPEN_MAKERS)
    return next((vendor for vendor, pattern in tables if pattern.search(name)), None)


def classify(database: str, provider: Any, key: str) -> Listing | None:
    """Where a database entry belongs: its maker for resold models, its provider otherwise.

    An inference provider's open models are its own; a closed model listed by anyone but
    its maker, or another maker's model listed by an API vendor, is a resale, filed under
    the maker. None when neither is covered.
    """
    mapped = provider_vendor(database, provider)
    own_models = mapped is not None and VENDORS[mapped[0]].kind == "inference_provider"
    maker = maker_of(key, closed_only=own_models or mapped is None)
    if mapped is not None and maker in (None, mapped[0]):
        return Listing(*mapped)
    if maker and maker in VENDORS and (mapped is not None or provider in RESELLERS.get(database, ())):
        return Listing(maker, RESOLD_RANK, resold=True)
    return None


def in_scope(listing: Listing, key: str) -> bool:
    """A text-generation model of a class the catalog covers (see :data:`NON_CHAT_NAME`, :data:`OPEN_FAMILIES`)."""
    if NON_CHAT_NAME.search(key):
        return False
    return VENDORS[listing.vendor].kind != "inference_provider" or bool(OPEN_FAMILIES.search(key))


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
    return _slug(bare_name.rsplit("/", 1)[-1])


def display_name(vendor: str, name: str) -> str:
    row = VENDORS[vendor]
    return f"{name} ({row.name})" if row.kind == "inference_provider" else name


def finish(database: str, label: str, models: list[ImportedModel], skipped: Counter, warnings: list[str]) -> ImportResult:
    """Fold duplicate listings of one model, shared by both importers.

    A model listed by two providers of one vendor keeps the preferred provider's entry;
    a dated variant (``claude-haiku-4-5-20251001``) with the same prices as its undated
    name becomes an alias of it.
    """
    models = sorted(models, key=lambda m: (m.vendor, m.rank))
    kept: dict[tuple[str, str, bool], ImportedModel] = {}
    for model in models:
        slot = (model.vendor, model.id, model.resold)
        first = kept.get(slot)
        if first is None:
            kept[slot] = model
        elif first.periods == model.periods or model.resold:
            kept[slot] = replace(first, match_names=(*first.match_names, model.key))
        else:
            warnings.append(
                f"{database} lists {model.id} twice with different prices ({first.key}, {model.key}); kept {first.key}"
            )
    for slot, model in list(kept.items()):
        base_id = _DATED_SUFFIX.sub("", model.id)
        base = kept.get((model.vendor, base_id, model.resold))
        if base_id != model.id and base is not None and base.periods == model.periods:
            kept[(model.vendor, base_id, model.resold)] = replace(base, aliases=tuple(dict.fromkeys((*base.aliases, model.key))))
            del kept[slot]
    return ImportResult(database, label, list(kept.values()), skipped, warnings)


def collect(
    database: str,
    label: str,
    entries: Iterable[tuple[str, Any, str, Mapping[str, Any]]],
    build: Callable[[str, Mapping[str, Any], Listing], ImportedModel],
) -> ImportResult:
    """The shared loop of both readers: file, scope-check and build each ``(key, provider, kind, raw)`` entry.

    ``kind`` is the database's own class of the entry (LiteLLM's ``mode``), or ``""`` when it is not a
    text-generation class; "by name" when the database does not say. What is left out is counted by reason.
    """
    models: list[ImportedModel] = []
    skipped: Counter = Counter()
    warnings: list[str] = []
    for key, provider, kind, raw in entries:
        listing = classify(database, provider, key)
        if listing is None:
            skipped["provider not in the vendor table"] += 1
        elif not kind or not in_scope(listing, key):
            skipped[f"not a text-generation model in scope ({raw.get('mode') or kind or 'by name'})"] += 1
        else:
            try:
                models.append(build(key, raw, listing))
            except Skip as exc:
                record_skip(exc, f"{database} {key}", skipped, warnings)
    return finish(database, label, models, skipped, warnings)
