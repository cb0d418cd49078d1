"""The catalog's data types: models with their dated price history, GPUs, offers, serving profiles, the Catalog.

Plain frozen records (the ``Catalog`` itself holds the name indexes of :mod:`pricing.catalog_names`).
They are built by :mod:`pricing.catalog_validation` from the files :mod:`pricing.catalog` reads;
import them from :mod:`pricing.catalog`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from calculators import clock
from pricing.catalog_names import alias_index, lookup, loose_index

TIERS = ("flagship", "mid", "small", "open")
STATUSES = ("active", "preview", "deprecated", "retired")
# The per-token price fields of an entry (and of its long-context tier), $ per 1M tokens.
PRICE_FIELDS = ("input", "output", "cached_input", "cache_write")
# The layer a model comes from: hand-curated vendor files win over the generated database layer.
CURATED, GENERATED = "curated", "generated"


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

        >>> from pricing.catalog import load_catalog
        >>> catalog = load_catalog()
        >>> catalog.resolve("us.anthropic.claude-haiku-4-5-20251001-v1:0")
        'claude-haiku-4-5'
        >>> catalog.resolve("openai/gpt-5.5-2026-04-23")
        'gpt-5.5'
        """
        return lookup((self._alias_index, self._loose_index), name)

    def keys_naming(self, keys: Iterable[str], name: str) -> list[str]:
        """The keys among ``keys`` (a scenario's price overrides or error rates) that name the model ``name``
        names: ``name`` itself, or any id or alias of the same catalog model.

        >>> from pricing.catalog import load_catalog
        >>> load_catalog().keys_naming(["claude-opus-4-5-20251101", "gpt-5.1", "Claude-Opus-4-5"], "claude-opus-4-5")
        ['claude-opus-4-5-20251101', 'Claude-Opus-4-5']
        """
        model_id = self.resolve(name)
        return [key for key in keys if key == name or (model_id is not None and self.resolve(key) == model_id)]

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
