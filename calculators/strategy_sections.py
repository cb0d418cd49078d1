"""The strategies' sections of the scenario document, one ``Section`` per registry entry
(calculators/strategies.py): its settings (a frozen dataclass), its reader (every field bounded, every
problem by its path), its writer (the inverse) and how its model slots are bounded. The scenario
(calculators/scenario.py) reads, writes and bounds every strategy section through the registry, so a
new strategy adds its section here and its entry there.

Pure: no files, no UI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from calculators.capacity import PRECISIONS
from calculators.document import shown
from calculators.schema import MAX_TOKENS_PER_REQUEST, Reader, dataclass_doc, plain

MAX_ROUTES = 12

FitSlot = Callable[[Any, str], Any]  # (slot, its path) → the slot, bounded (calculators/scenario.py)


@dataclass(frozen=True)
class ModelSlot:
    """A model in a strategy; ``reasoning_tokens`` overrides the workload's when set."""

    model: str
    reasoning_tokens: float | None = None


@dataclass(frozen=True)
class Route:
    model: str
    share: float
    reasoning_tokens: float | None = None


@dataclass(frozen=True)
class Hybrid:
    routes: tuple[Route, ...]


@dataclass(frozen=True)
class Cascade:
    first: ModelSlot
    second: ModelSlot
    escalation_rate: float = 0.2
    forward_draft: bool = False  # the escalated request also carries the first model's draft


@dataclass(frozen=True)
class SelfHosted:
    profile: str | None = None
    gpus_per_replica: int | None = None
    gpu_hour_usd: float | None = None
    prefill_tokens_per_s: float | None = None
    decode_tokens_per_s: float | None = None
    utilization: float = 0.6
    peak_to_average: float = 1.5
    min_replicas: int = 1
    ops_usd_per_month: float = 0.0
    # the capacity model (calculators/capacity.py) instead of fixed throughput: an open model on a GPU
    model: str | None = None  # pricing/hardware.yaml model id, e.g. "llama-3.3-70b"
    gpu: str | None = None  # GPU id; None: the profile's
    precision: str | None = None  # fp16 | bf16 | fp8 | fp4; None: fp8
    engine: str | None = None  # engine family whose efficiency applies; None: trtllm
    max_ttft_ms: float | None = None  # latency targets; neither: maximum throughput
    max_itl_ms: float | None = None
    efficiency: float | None = None  # factor on the modelled throughput (its uncertainty); None: 1

    @property
    def efficiency_factor(self) -> float:
        return 1.0 if self.efficiency is None else self.efficiency


@dataclass(frozen=True)
class SelfHostedMixed:
    """A share of the traffic on the ``self_hosted`` server, the rest on a flagship API (calculators/mixed.py)."""

    small_share: float = 0.75
    flagship: ModelSlot | None = None  # None: the flagship_only model
    overflow_to_api: bool = True  # above the fleet's capacity, send traffic to the API when cheaper than a replica
    overflow_model: ModelSlot | None = None  # None: the flagship


# ------------------------------------------------------------------------------ reading


def parse_slot(reader: Reader, value: Any, path: str) -> ModelSlot | None:
    """A model slot: a model name, or ``{model, reasoning_tokens}``."""
    if isinstance(value, str):
        value = {"model": value}
    if not isinstance(value, Mapping):
        reader.fail(path, f"must be a model name or a mapping with 'model', got {shown(value)}")
        return None
    reader.unknown_keys(value, path, ("model", "reasoning_tokens"))
    model = reader.text(value, "model", path, None)
    if model is None:
        if "model" not in value:
            reader.fail(f"{path}.model", "is missing")
        return None
    reasoning = reader.number(value, "reasoning_tokens", path, None, 0, MAX_TOKENS_PER_REQUEST)
    return ModelSlot(model, reasoning)


def _parse_model_section(reader: Reader, doc: Mapping, key: str) -> ModelSlot | None:
    """A strategy section that is one model slot (``flagship_only``, ``hosted_open``)."""
    raw = reader.section(doc, key, key, ("model", "reasoning_tokens"))
    return None if raw is None else parse_slot(reader, raw, key)


def _parse_hybrid(reader: Reader, doc: Mapping, key: str) -> Hybrid | None:
    raw = reader.section(doc, key, key, ("routes",))
    if raw is None:
        return None
    routes_raw = raw.get("routes")
    if not isinstance(routes_raw, list) or not routes_raw:
        reader.fail(f"{key}.routes", "must be a non-empty list of {model, share}")
        return None
    if len(routes_raw) > MAX_ROUTES:
        reader.fail(f"{key}.routes", f"has {len(routes_raw)} routes; at most {MAX_ROUTES} are allowed")
        return None
    routes = []
    for i, item in enumerate(routes_raw):
        path = f"{key}.routes[{i}]"
        if not isinstance(item, Mapping):
            reader.fail(path, "must be a mapping with 'model' and 'share'")
            continue
        slot = parse_slot(reader, {k: v for k, v in item.items() if k != "share"}, path)
        share = reader.number(item, "share", path, None, 0, 1)
        if share is None and "share" not in item:
            reader.fail(f"{path}.share", "is missing")
        if slot is not None and share is not None:
            routes.append(Route(slot.model, share, slot.reasoning_tokens))
    return Hybrid(tuple(routes)) if routes else None


def _parse_cascade(reader: Reader, doc: Mapping, key: str) -> Cascade | None:
    raw = reader.section(doc, key, key, ("first", "second", "escalation_rate", "forward_draft"))
    if raw is None:
        return None
    first = parse_slot(reader, raw.get("first"), f"{key}.first") if "first" in raw else None
    second = parse_slot(reader, raw.get("second"), f"{key}.second") if "second" in raw else None
    for slot in ("first", "second"):
        if slot not in raw:
            reader.fail(f"{key}.{slot}", "is missing")
    forward = reader.flag(raw, "forward_draft", key, False)
    rate = reader.number(raw, "escalation_rate", key, 0.2, 0, 1)
    if first is None or second is None:
        return None
    return Cascade(first, second, rate, forward)


def _parse_self_hosted(reader: Reader, doc: Mapping, key: str) -> SelfHosted | None:
    raw = reader.fields_section(doc, key, SelfHosted)
    if raw is None:
        return None
    p = key
    d = SelfHosted()
    return SelfHosted(
        profile=reader.text(raw, "profile", p, None),
        gpus_per_replica=reader.number(raw, "gpus_per_replica", p, None, 1, 1024, integer=True),
        gpu_hour_usd=reader.number(raw, "gpu_hour_usd", p, None, 0, 1000),
        prefill_tokens_per_s=reader.number(raw, "prefill_tokens_per_s", p, None, 1e-6, 1e9),
        decode_tokens_per_s=reader.number(raw, "decode_tokens_per_s", p, None, 1e-6, 1e9),
        utilization=reader.number(raw, "utilization", p, d.utilization, 0.01, 1),
        peak_to_average=reader.number(raw, "peak_to_average", p, d.peak_to_average, 1, 100),
        min_replicas=reader.number(raw, "min_replicas", p, d.min_replicas, 0, 10_000, integer=True),
        ops_usd_per_month=reader.number(raw, "ops_usd_per_month", p, d.ops_usd_per_month, 0, 1e9),
        model=reader.text(raw, "model", p, None),
        gpu=reader.text(raw, "gpu", p, None),
        precision=_precision(reader, raw, p),
        engine=reader.text(raw, "engine", p, None),
        max_ttft_ms=reader.number(raw, "max_ttft_ms", p, None, 1, 600_000),
        max_itl_ms=reader.number(raw, "max_itl_ms", p, None, 0.1, 60_000),
        efficiency=reader.number(raw, "efficiency", p, None, 0.01, 5),
    )


def _precision(reader: Reader, raw: Mapping, path: str) -> str | None:
    value = reader.text(raw, "precision", path, None)
    if value is not None and value not in PRECISIONS:
        reader.fail(f"{path}.precision", f"must be one of {', '.join(PRECISIONS)}, not {value[:20]!r}")
        return None
    return value


def _parse_self_hosted_mixed(reader: Reader, doc: Mapping, key: str) -> SelfHostedMixed | None:
    raw = reader.fields_section(doc, key, SelfHostedMixed)
    if raw is None:
        return None
    p = key
    d = SelfHostedMixed()
    slots = {
        slot: parse_slot(reader, raw[slot], f"{p}.{slot}") if raw.get(slot) is not None else None
        for slot in ("flagship", "overflow_model")
    }
    overflow = reader.flag(raw, "overflow_to_api", p, d.overflow_to_api)
    return SelfHostedMixed(
        small_share=reader.number(raw, "small_share", p, d.small_share, 0, 1),
        flagship=slots["flagship"],
        overflow_to_api=overflow,
        overflow_model=slots["overflow_model"],
    )


# ------------------------------------------------------------------------------ writing


def slot_to_doc(slot: ModelSlot) -> Any:
    if slot.reasoning_tokens is None:
        return {"model": slot.model}
    return {"model": slot.model, "reasoning_tokens": plain(slot.reasoning_tokens)}


def _hybrid_to_doc(hybrid: Hybrid, omit_defaults: bool) -> dict:
    return {
        "routes": [
            {"model": r.model, "share": plain(r.share)}
            | ({} if r.reasoning_tokens is None else {"reasoning_tokens": plain(r.reasoning_tokens)})
            for r in hybrid.routes
        ]
    }


def _cascade_to_doc(cascade: Cascade, omit_defaults: bool) -> dict:
    doc = {
        "first": slot_to_doc(cascade.first),
        "second": slot_to_doc(cascade.second),
        "escalation_rate": plain(cascade.escalation_rate),
    }
    if cascade.forward_draft:
        doc["forward_draft"] = True
    return doc


def _self_hosted_mixed_to_doc(mixed: SelfHostedMixed, omit_defaults: bool) -> dict:
    default = SelfHostedMixed()
    return {
        k: slot_to_doc(v) if isinstance(v, ModelSlot) else plain(v)
        for k, v in ((f.name, getattr(mixed, f.name)) for f in fields(mixed))
        if v is not None and not (omit_defaults and v == getattr(default, k))
    }


# ---------------------------------------------------------------------------- the sections


@dataclass(frozen=True)
class Section:
    """How a strategy's section of the document is read, written and bounded."""

    parse: Callable[[Reader, Mapping, str], Any]  # (reader, document, key) → its settings, None when absent or unusable
    write: Callable[[Any, bool], Any]  # (settings, omit_defaults) → the section's document
    fit_slots: Callable[[Any, FitSlot, str], Any]  # (settings, fit, key) → the settings with each model slot fitted
    slot_fields: tuple[str, ...] = ()  # its fields that hold one ModelSlot (a link's short key carries its model)


def _fit_slot_fields(*names: str) -> Callable[[Any, FitSlot, str], Any]:
    """``fit_slots`` of a section whose model slots are the fields ``names`` (each may be None)."""
    return lambda setting, fit, key: replace(setting, **{name: fit(getattr(setting, name), f"{key}.{name}") for name in names})


MODEL_SECTION = Section(  # one model slot: flagship_only, hosted_open
    parse=_parse_model_section,
    write=lambda slot, omit_defaults: slot_to_doc(slot),
    fit_slots=lambda slot, fit, key: fit(slot, key),
)
HYBRID_SECTION = Section(
    parse=_parse_hybrid,
    write=_hybrid_to_doc,
    fit_slots=lambda h, fit, key: Hybrid(tuple(fit(r, f"{key}.routes[{i}]") for i, r in enumerate(h.routes))),
)
CASCADE_SECTION = Section(
    parse=_parse_cascade,
    write=_cascade_to_doc,
    fit_slots=_fit_slot_fields("first", "second"),
    slot_fields=("first", "second"),
)
SELF_HOSTED_SECTION = Section(
    parse=_parse_self_hosted,
    write=lambda server, omit_defaults: dataclass_doc(server, SelfHosted(), omit_defaults),
    fit_slots=lambda server, fit, key: server,  # no model slot: its model is the server's
)
SELF_HOSTED_MIXED_SECTION = Section(
    parse=_parse_self_hosted_mixed,
    write=_self_hosted_mixed_to_doc,
    fit_slots=_fit_slot_fields("flagship", "overflow_model"),
    slot_fields=("flagship", "overflow_model"),
)
