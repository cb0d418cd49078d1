"""Price catalog: load, validate and query the YAML price data.

The data lives next to this module:

- ``vendors/<vendor>.yaml``: one file per vendor or inference provider, each model with
  a dated price history (inclusive ``from``, exclusive ``to``; ``to: null`` = open-ended);
- ``gpus.yaml``: GPU rental offers in $ per GPU-hour;
- ``serving.yaml``: serving profiles (GPUs per replica, prefill and decode tokens/s).

Every price is in US dollars per 1M tokens. Every price entry and GPU offer carries a
``source`` URL and a ``checked`` date. ``pricing/README.md`` documents the format.

The loader rejects bad data with messages that name the file, the model and the field,
and collects *all* problems before raising, so a bad edit is fixed in one pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from calculators import clock

DATA_DIR = Path(__file__).resolve().parent
TIERS = ("flagship", "mid", "small", "open")
STATUSES = ("active", "preview", "deprecated", "retired")
# The per-token price fields of an entry (and of its long-context tier), $ per 1M tokens.
PRICE_FIELDS = ("input", "output", "cached_input", "cache_write")
# The layer a model comes from: hand-curated vendor files win over the generated database layer.
CURATED, GENERATED = "curated", "generated"
GENERATED_LAYER = Path("generated") / "layer.json"
# The parsed curated files and the digest of their bytes (see write_curated_snapshot).
CURATED_SNAPSHOT = Path("generated") / "curated.json"
# A price above this is a typo (the dearest list price in 2026 is $180 per 1M output).
MAX_PRICE_PER_MTOK = 10_000.0
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
_URL = re.compile(r"^https?://\S+$")


class CatalogError(ValueError):
    """The catalog files are invalid; ``problems`` lists every message."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid price catalog:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class LongContextTier:
    """Prices that apply to a whole request whose input exceeds ``threshold`` tokens."""

    threshold: int
    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None


@dataclass(frozen=True)
class PriceEntry:
    """One period of a model's price, $ per 1M tokens, valid on [start, end)."""

    start: dt.date
    end: dt.date | None
    input: float
    output: float
    cached_input: float | None  # None: no cache read offered, bill as input
    cache_write: float | None  # None: no write surcharge, bill as input
    batch_discount: float | None  # fraction off for batch requests; None: no batch API
    long_context: LongContextTier | None
    source: str
    checked: dt.date
    note: str = ""
    # Whether the batch discount also applies to cache reads (Anthropic, OpenAI: yes; Gemini: no,
    # cached input keeps its standard price in a batch). From the vendor file's `billing` rules.
    batch_discount_on_cached_input: bool = True
    # Why this entry may differ from LiteLLM or genai-prices (`python -m pricing audit` accepts it).
    audit_note: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Latency:
    output_tokens_per_s: float | None
    time_to_first_token_s: float | None
    source: str


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    vendor: str
    tier: str
    prices: tuple[PriceEntry, ...]
    aliases: tuple[str, ...] = ()
    status: str = "active"
    retires: dt.date | None = None
    successor: str | None = None
    context_window: int | None = None
    max_output: int | None = None
    open_model: str | None = None
    latency: Latency | None = None
    file: str = ""
    origin: str = CURATED  # CURATED (vendors/*.yaml) or GENERATED (generated/layer.json)

    def price_on(self, day: dt.date) -> PriceEntry:
        """The entry in force on ``day`` (see ``price_in_force``)."""
        return price_in_force(self.prices, day)

    def lifecycle_note(self, until: dt.date | None = None, today: dt.date | None = None) -> str | None:
        """A sentence about retirement, if the model retires before ``until`` (or at all).

        The tense depends on ``today`` (default: ``calculators.clock.today()``, which tests pin).
        """
        if self.retires is None:
            return None
        if until is not None and self.retires >= until:
            return None
        today = today or clock.today()
        verb = "shut down on" if self.retires <= today else "retires on"
        tail = f"; successor: {self.successor}" if self.successor else ""
        return f"{self.name} {verb} {self.retires.isoformat()}{tail}"


@dataclass(frozen=True)
class GpuOffer:
    id: str  # "<gpu>@<provider>"
    gpu: str
    provider: str
    usd_per_gpu_hour: float
    terms: str
    source: str
    checked: dt.date


@dataclass(frozen=True)
class Gpu:
    id: str
    name: str
    memory_gb: float | None


@dataclass(frozen=True)
class ServingProfile:
    id: str
    name: str
    model: str  # open-model family, e.g. "llama-3.3-70b"
    gpu: str
    gpus_per_replica: int
    prefill_tokens_per_s: float
    decode_tokens_per_s: float
    default_offer: str
    latency_target: str
    source: str
    checked: dt.date
    note: str = ""


@dataclass(frozen=True)
class Vendor:
    id: str
    name: str
    kind: str  # "api" (the model's maker) or "inference_provider"


@dataclass
class Catalog:
    models: dict[str, Model]
    vendors: dict[str, Vendor]
    gpus: dict[str, Gpu]
    offers: dict[str, GpuOffer]
    profiles: dict[str, ServingProfile]
    _alias_index: dict[str, str] = field(default_factory=dict, repr=False)
    hardware: Any = None  # pricing.hardware.Hardware (GPU and open-model data of the capacity model)
    _loose_index: dict[str, str] = field(default_factory=dict, repr=False)
    # Reads the generated layer on first use (see `generated`), so a page that needs only the
    # curated models never pays for parsing it.
    generated_loader: Callable[[Catalog], dict[str, Model]] | None = field(default=None, repr=False)
    _generated: dict[str, Model] | None = field(default=None, repr=False)
    _generated_indexes: tuple[dict[str, str], dict[str, str]] = field(default=({}, {}), repr=False)

    def __post_init__(self) -> None:
        if not self._alias_index:
            self._alias_index.update(alias_index(self.models.values()))
        self._loose_index = loose_index(self._alias_index)

    @property
    def generated(self) -> dict[str, Model]:
        """The generated layer (LiteLLM / genai-prices): models the curated files lack, by id.

        Loaded on first use. Curated models win: a generated model sharing an id or alias
        with a curated one is not in this layer.
        """
        if self._generated is None:
            loaded = self.generated_loader(self) if self.generated_loader else {}
            exact = alias_index(loaded.values())
            self._generated_indexes = (exact, loose_index(exact))
            self._generated = loaded
        return self._generated

    def resolve(self, name: str | None) -> str | None:
        """Curated catalog id for a model id, alias or gateway slug; None when unknown.

        Matching ignores case and surrounding spaces. A name not listed as such is tried
        again by rules (see ``name_candidates``): without a known gateway or cloud prefix
        (``openrouter/``, ``anthropic.``, ``us.``, ``models/``...), without an OpenRouter
        variant (``:free``), without a snapshot or version suffix (``-20241022``,
        ``-2026-04-23``, ``@20241022``, ``-v1:0``, ``-latest``), with Claude's permaslug word
        order, and last with version dots read as dashes.

        The generated layer is not searched: :meth:`find` searches both layers.

        >>> catalog = load_catalog()
        >>> catalog.resolve("us.anthropic.claude-haiku-4-5-20251001-v1:0")
        'claude-haiku-4-5'
        >>> catalog.resolve("openai/gpt-5.5-2026-04-23")
        'gpt-5.5'
        """
        return lookup((self._alias_index, self._loose_index), name)

    def find(self, name: str | None) -> Model | None:
        """The model a name stands for, curated first, then the generated layer; None when unknown."""
        found = self.resolve(name)
        if found is not None:
            return self.models[found]
        if not self.generated:
            return None
        found = lookup(self._generated_indexes, name)
        return None if found is None else self.generated[found]

    def model(self, name: str) -> Model:
        """The model for an id or alias; KeyError with a readable message otherwise."""
        found = self.resolve(name)
        if found is None:
            raise KeyError(f"model {name!r} is not in the price catalog")
        return self.models[found]

    def oldest_checked(self) -> dt.date:
        dates = [e.checked for m in self.models.values() for e in m.prices]
        dates += [o.checked for o in self.offers.values()]
        dates += [p.checked for p in self.profiles.values()]
        return min(dates)


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


def price_in_force(prices: tuple[PriceEntry, ...], day: dt.date) -> PriceEntry:
    """The latest entry starting on or before ``day``; before the first entry, the first one.

    A gap between two entries, or the time after a closed last entry, keeps the previous
    price: a model is never priced at $0 for lack of an entry (its retirement is reported
    separately).
    """
    current = prices[0]
    for entry in prices[1:]:
        if entry.start > day:
            break
        current = entry
    return current


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


# ---------------------------------------------------------------- validation helpers


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def as_date(value: Any) -> dt.date | None:
    """A date from YAML/JSON (a date, a datetime or an ISO ``YYYY-MM-DD`` string); None otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _price(raw: Mapping, key: str, where: str, problems: _Problems, required: bool) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            problems.add(where, f"field '{key}' is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(where, f"field '{key}' must be a number ($ per 1M tokens), got {value!r}")
        return None
    value = float(value)
    if not math.isfinite(value) or value < 0:
        problems.add(where, f"field '{key}' must be a finite price >= 0, got {value!r}")
        return None
    if value > MAX_PRICE_PER_MTOK:
        problems.add(where, f"field '{key}' = {value} is above ${MAX_PRICE_PER_MTOK:,.0f} per 1M tokens")
        return None
    return value


def _source_and_checked(raw: Mapping, where: str, problems: _Problems) -> tuple[str, dt.date]:
    source = raw.get("source")
    if not isinstance(source, str) or not _URL.match(source.strip()):
        problems.add(where, f"field 'source' must be a URL, got {source!r}")
        source = ""
    checked = as_date(raw.get("checked"))
    if checked is None:
        problems.add(where, f"field 'checked' must be a date (YYYY-MM-DD), got {raw.get('checked')!r}")
        checked = dt.date.min
    return str(source).strip(), checked


def _parse_long_context(raw: Any, where: str, problems: _Problems) -> LongContextTier | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(where, "field 'long_context' must be a mapping")
        return None
    threshold = raw.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold <= 0:
        problems.add(where, f"field 'long_context.threshold' must be a positive integer, got {threshold!r}")
        return None
    sub = f"{where}: long_context"
    values = {
        k: _price(raw, k, sub, problems, k in ("input", "output")) for k in ("input", "output", "cached_input", "cache_write")
    }
    if values["input"] is None or values["output"] is None:
        return None
    return LongContextTier(threshold=threshold, **values)


# Vendor-wide billing rules a vendor file may state under `billing:`, with their defaults; a price
# entry may override one for itself.
BILLING_RULES = {"batch_discount_on_cached_input": True}


def _parse_billing(raw: Any, where: str, problems: _Problems, defaults: Mapping[str, bool]) -> dict[str, bool]:
    rules = dict(defaults)
    if raw is None:
        return rules
    if not isinstance(raw, Mapping):
        problems.add(where, "field 'billing' must be a mapping")
        return rules
    for key, value in raw.items():
        if key not in BILLING_RULES:
            problems.add(where, f"unknown billing rule {key!r} (known: {', '.join(BILLING_RULES)})")
        elif not isinstance(value, bool):
            problems.add(where, f"billing rule '{key}' must be true or false, got {value!r}")
        else:
            rules[key] = value
    return rules


def _parse_price_entry(
    raw: Any, where: str, problems: _Problems, billing: Mapping[str, bool] = BILLING_RULES
) -> PriceEntry | None:
    if not isinstance(raw, Mapping):
        problems.add(where, "each price entry must be a mapping")
        return None
    start = as_date(raw.get("from"))
    if start is None:
        problems.add(where, f"field 'from' must be a date (YYYY-MM-DD), got {raw.get('from')!r}")
    end = None
    if raw.get("to") is not None:
        end = as_date(raw.get("to"))
        if end is None:
            problems.add(where, f"field 'to' must be a date or null, got {raw.get('to')!r}")
    if start and end and end <= start:
        problems.add(where, f"date range is reversed or empty: from {start} to {end}")
    input_price = _price(raw, "input", where, problems, True)
    output_price = _price(raw, "output", where, problems, True)
    cached = _price(raw, "cached_input", where, problems, False)
    cache_write = _price(raw, "cache_write", where, problems, False)
    discount = raw.get("batch_discount")
    if discount is not None and (isinstance(discount, bool) or not isinstance(discount, int | float) or not 0 <= discount < 1):
        problems.add(where, f"field 'batch_discount' must be a fraction in [0, 1), got {discount!r}")
        discount = None
    long_context = _parse_long_context(raw.get("long_context"), where, problems)
    own_rules = {k: raw[k] for k in BILLING_RULES if k in raw}
    rules = _parse_billing(own_rules or None, where, problems, billing)
    source, checked = _source_and_checked(raw, where, problems)
    if None in (start, input_price, output_price):
        return None
    return PriceEntry(
        start=start,
        end=end,
        input=input_price,
        output=output_price,
        cached_input=cached,
        cache_write=cache_write,
        batch_discount=None if discount is None else float(discount),
        long_context=long_context,
        source=source,
        checked=checked,
        note=str(raw.get("note") or ""),
        batch_discount_on_cached_input=rules["batch_discount_on_cached_input"],
        audit_note=str(raw.get("audit_note") or ""),
    )


def _parse_latency(raw: Any, where: str, problems: _Problems) -> Latency | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(where, "field 'latency' must be a mapping")
        return None
    numbers = {}
    for key in ("output_tokens_per_s", "time_to_first_token_s"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0):
            problems.add(where, f"field 'latency.{key}' must be a positive number, got {value!r}")
            value = None
        numbers[key] = None if value is None else float(value)
    source = raw.get("source")
    if not isinstance(source, str) or not _URL.match(source.strip()):
        problems.add(where, f"field 'latency.source' must be a URL, got {source!r}")
        return None
    return Latency(numbers["output_tokens_per_s"], numbers["time_to_first_token_s"], source.strip())


def _positive_int(raw: Mapping, key: str, where: str, problems: _Problems) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        problems.add(where, f"field '{key}' must be a positive integer, got {value!r}")
        return None
    return value


def _parse_price_history(raw_prices: Any, where: str, problems: _Problems, billing: Mapping[str, bool]) -> list[PriceEntry]:
    """A model's ``prices`` list: its valid entries sorted by start day; overlaps and bad entries go to ``problems``."""
    if not isinstance(raw_prices, list) or not raw_prices:
        problems.add(where, "field 'prices' must be a non-empty list of price entries")
        raw_prices = []
    entries = []
    for i, raw_entry in enumerate(raw_prices):
        entry = _parse_price_entry(raw_entry, f"{where}: prices[{i}]", problems, billing)
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: e.start)
    for earlier, later in zip(entries, entries[1:], strict=False):
        if earlier.end is None or earlier.end > later.start:
            problems.add(
                where,
                f"price entries overlap: the one from {earlier.start} runs to "
                f"{earlier.end or 'open end'}, past the next one's start {later.start}",
            )
    return entries


def _parse_model(
    raw: Any, vendor: str, file: str, index: int, problems: _Problems, billing: Mapping[str, bool] = BILLING_RULES
) -> Model | None:
    if not isinstance(raw, Mapping):
        problems.add(f"{file}: models[{index}]", "each model must be a mapping")
        return None
    model_id = raw.get("id")
    if not isinstance(model_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._/-]*", model_id):
        problems.add(f"{file}: models[{index}]", f"field 'id' must be a lowercase slug, got {model_id!r}")
        return None
    where = f"{file}: model {model_id}"
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add(where, "field 'name' is missing")
        name = model_id
    tier = raw.get("tier")
    if tier not in TIERS:
        problems.add(where, f"field 'tier' must be one of {', '.join(TIERS)}, got {tier!r}")
    status = raw.get("status", "active")
    if status not in STATUSES:
        problems.add(where, f"field 'status' must be one of {', '.join(STATUSES)}, got {status!r}")
    retires = None
    if raw.get("retires") is not None:
        retires = as_date(raw.get("retires"))
        if retires is None:
            problems.add(where, f"field 'retires' must be a date, got {raw.get('retires')!r}")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.add(where, "field 'aliases' must be a list of non-empty strings")
        aliases = []
    entries = _parse_price_history(raw.get("prices"), where, problems, billing)
    if not entries:
        return None
    return Model(
        id=model_id,
        name=name.strip(),
        vendor=vendor,
        tier=str(tier),
        prices=tuple(entries),
        aliases=tuple(a.strip() for a in aliases),
        status=str(status),
        retires=retires,
        successor=raw.get("successor"),
        context_window=_positive_int(raw, "context_window", where, problems),
        max_output=_positive_int(raw, "max_output", where, problems),
        open_model=raw.get("open_model"),
        latency=_parse_latency(raw.get("latency"), where, problems),
        file=file,
    )


# libyaml's build of the safe loader: what yaml.safe_load does (same tags, same types), about 8x
# faster on the catalog (12 ms instead of 100 ms, paid by the first page after a server start).
_SAFE_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.YAMLError):
    """A mapping gives one key twice (YAML would silently keep the later value)."""


class SafeLoader(_SAFE_BASE):  # type: ignore[misc, valid-type]
    """The safe loader (libyaml's when built) that refuses a key given twice in one mapping.

    A hand edit that adds ``input: 2.50`` to an entry that already has ``input: 3.00`` would
    otherwise load as whichever comes last, with no word. The check compares plain string keys
    by their text (every key in the catalog files) and constructs any other key to compare it.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = key_node.value if key_node.tag == _STR_TAG else self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the constructor below reports it
                    continue
                if duplicate:
                    raise DuplicateKeyError(f"duplicate key {key!r} on line {key_node.start_mark.line + 1}")
        return super().construct_mapping(node, deep=deep)


SAFE_LOADER = SafeLoader


def read_yaml_text(text: str | bytes) -> Any:
    """Parse YAML with :data:`SAFE_LOADER` (safe tags only, a duplicate key is an error)."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)


def parse_vendor_document(doc: Any, file: str, problems: _Problems) -> tuple[Vendor | None, list[Model]]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("models"), list):
        problems.add(file, "expected a mapping with 'vendor' and a 'models' list")
        return None, []
    vendor_id = doc.get("vendor")
    if not isinstance(vendor_id, str) or not vendor_id:
        problems.add(file, "field 'vendor' is missing")
        return None, []
    kind = doc.get("kind", "api")
    if kind not in ("api", "inference_provider"):
        problems.add(file, f"field 'kind' must be 'api' or 'inference_provider', got {kind!r}")
    vendor = Vendor(vendor_id, str(doc.get("name") or vendor_id), str(kind))
    billing = _parse_billing(doc.get("billing"), file, problems, BILLING_RULES)
    models = [m for i, raw in enumerate(doc["models"]) if (m := _parse_model(raw, vendor_id, file, i, problems, billing))]
    return vendor, models


def _parse_gpus(doc: Any, problems: _Problems) -> tuple[dict[str, Gpu], dict[str, GpuOffer]]:
    gpus: dict[str, Gpu] = {}
    offers: dict[str, GpuOffer] = {}
    if not isinstance(doc, Mapping) or not isinstance(doc.get("gpus"), list):
        problems.add("gpus.yaml", "expected a mapping with a 'gpus' list")
        return gpus, offers
    for i, raw in enumerate(doc["gpus"]):
        gpu_id = raw.get("id") if isinstance(raw, Mapping) else None
        if not isinstance(gpu_id, str):
            problems.add(f"gpus.yaml: gpus[{i}]", "field 'id' is missing")
            continue
        if gpu_id in gpus:
            problems.add(f"gpus.yaml: gpu {gpu_id}", "duplicate GPU id")
        memory = raw.get("memory_gb")
        gpus[gpu_id] = Gpu(gpu_id, str(raw.get("name") or gpu_id), float(memory) if isinstance(memory, int | float) else None)
        for j, offer in enumerate(raw.get("offers") or []):
            where = f"gpus.yaml: gpu {gpu_id}: offers[{j}]"
            if not isinstance(offer, Mapping) or not isinstance(offer.get("provider"), str):
                problems.add(where, "each offer needs a 'provider'")
                continue
            price = _price(offer, "usd_per_gpu_hour", where, problems, True)
            source, checked = _source_and_checked(offer, where, problems)
            offer_id = f"{gpu_id}@{offer['provider']}"
            if offer_id in offers:
                problems.add(where, f"duplicate offer {offer_id}")
            if price is not None:
                offers[offer_id] = GpuOffer(
                    offer_id, gpu_id, offer["provider"], price, str(offer.get("terms") or ""), source, checked
                )
    return gpus, offers


def _parse_profiles(
    doc: Any, gpus: Mapping[str, Gpu], offers: Mapping[str, GpuOffer], problems: _Problems
) -> dict[str, ServingProfile]:
    profiles: dict[str, ServingProfile] = {}
    if not isinstance(doc, Mapping) or not isinstance(doc.get("profiles"), list):
        problems.add("serving.yaml", "expected a mapping with a 'profiles' list")
        return profiles
    for i, raw in enumerate(doc["profiles"]):
        profile_id = raw.get("id") if isinstance(raw, Mapping) else None
        if not isinstance(profile_id, str):
            problems.add(f"serving.yaml: profiles[{i}]", "field 'id' is missing")
            continue
        where = f"serving.yaml: profile {profile_id}"
        if profile_id in profiles:
            problems.add(where, "duplicate profile id")
        gpu = raw.get("gpu")
        if gpu not in gpus:
            problems.add(where, f"unknown GPU {gpu!r} (not in gpus.yaml)")
        offer = raw.get("default_offer")
        if offer not in offers:
            problems.add(where, f"unknown default_offer {offer!r} (expected '<gpu>@<provider>' from gpus.yaml)")
        elif offers[offer].gpu != gpu:
            problems.add(where, f"default_offer {offer!r} is for another GPU than {gpu!r}")
        count = _positive_int(raw, "gpus_per_replica", where, problems)
        numbers = {}
        for key in ("prefill_tokens_per_s", "decode_tokens_per_s"):
            value = raw.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                problems.add(where, f"field '{key}' must be a positive number, got {value!r}")
                value = None
            numbers[key] = value
        source, checked = _source_and_checked(raw, where, problems)
        if count is None or None in numbers.values():
            if count is None and raw.get("gpus_per_replica") is None:
                problems.add(where, "field 'gpus_per_replica' is missing")
            continue
        profiles[profile_id] = ServingProfile(
            id=profile_id,
            name=str(raw.get("name") or profile_id),
            model=str(raw.get("model") or ""),
            gpu=str(gpu),
            gpus_per_replica=count,
            prefill_tokens_per_s=float(numbers["prefill_tokens_per_s"]),
            decode_tokens_per_s=float(numbers["decode_tokens_per_s"]),
            default_offer=str(offer),
            latency_target=str(raw.get("latency_target") or ""),
            source=source,
            checked=checked,
            note=str(raw.get("note") or ""),
        )
    return profiles


def build_catalog(
    vendor_docs: Iterable[tuple[str, Any]],
    gpus_doc: Any,
    serving_doc: Any,
) -> Catalog:
    """Validate parsed YAML documents into a Catalog; raise CatalogError listing every problem."""
    problems = _Problems()
    models: dict[str, Model] = {}
    vendors: dict[str, Vendor] = {}
    alias_owner: dict[str, str] = {}
    for file, doc in vendor_docs:
        vendor, parsed = parse_vendor_document(doc, file, problems)
        if vendor is not None:
            vendors[vendor.id] = vendor
        for model in parsed:
            if model.id in models:
                problems.add(f"{file}: model {model.id}", f"duplicate model id (also in {models[model.id].file})")
                continue
            models[model.id] = model
            for name in (model.id, *model.aliases):
                key = alias_key(name)
                owner = alias_owner.get(key)
                if owner is not None and owner != model.id:
                    problems.add(f"{file}: model {model.id}", f"alias {name!r} is already used by model {owner}")
                alias_owner.setdefault(key, model.id)
    for model in models.values():
        if model.successor and model.successor not in models:
            problems.add(f"{model.file}: model {model.id}", f"successor {model.successor!r} is not in the catalog")
    gpus, offers = _parse_gpus(gpus_doc, problems)
    profiles = _parse_profiles(serving_doc, gpus, offers, problems)
    if problems.items:
        raise CatalogError(problems.items)
    return Catalog(models=models, vendors=vendors, gpus=gpus, offers=offers, profiles=profiles)


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
