"""The scenario document: one versioned schema for YAML files, JSON, share links and the CLI.

``parse_scenario`` turns a mapping (from ``yaml.safe_load`` or ``json.loads``) into a frozen
``Scenario``, checking every field against its bounds. It collects every problem with the
path of the field (``hybrid.routes[1].share``) so a user can fix a file in one pass.
Strict mode raises ``ScenarioError``; lenient mode (used for share links) keeps the valid
parts, replaces each bad field by its default and returns the problems as notices.

``scenario_to_dict`` is the inverse; with ``omit_defaults=True`` it leaves out every value
equal to its default (links stay short).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import yaml

from calculators import clock
from calculators.capacity import PRECISIONS
from calculators.document import DocumentError, LongNumber, bounded, load_yaml, shown
from calculators.strategies import REGISTRY, STRATEGIES, STRATEGY_LABELS  # noqa: F401  (re-exported: the schema names them)

SCHEMA_VERSION = 1
MAX_HORIZON_MONTHS = 120
MAX_TOKENS_PER_MONTH = 1e15
MAX_TOKENS_PER_REQUEST = 10_000_000  # the largest context windows are 10M tokens
MAX_ROUTES = 12
MAX_PRICE_PER_MTOK = 10_000.0
MAX_OTHER_MONTHLY_USD = 1e9  # workload.other_monthly_usd: non-token charges a month
# Inputs the Monte Carlo band and the tornado vary: key → (lowest, highest) allowed value.
UNCERTAIN_INPUTS = {
    "growth_rate": (-0.99, 1.0),  # growth.monthly_rate
    "escalation_rate": (0.0, 1.0),  # cascade.escalation_rate
    "cached_input_share": (0.0, 1.0),  # workload.cached_input_share
    "output_tokens": (0.0, float(MAX_TOKENS_PER_REQUEST)),  # workload.output_tokens
    "reasoning_tokens": (0.0, float(MAX_TOKENS_PER_REQUEST)),  # workload.reasoning_tokens
    "gpu_hour_usd": (0.0, 1000.0),  # self_hosted.gpu_hour_usd
    "utilization": (0.01, 1.0),  # self_hosted.utilization
    "efficiency": (0.01, 5.0),  # self_hosted.efficiency (with a capacity-model server)
}
MIN_DRAWS, DEFAULT_DRAWS, MAX_DRAWS = 100, 2000, 20_000
MAX_SEED = 2**32 - 1
MAX_ERROR_RATES = 50
MAX_COST_PER_ERROR_USD = 1e6
MAX_PRICE_OVERRIDES = 50
MAX_NAME_CHARS = 200  # a scenario or model name
MAX_PROBLEMS = 20  # listed in one message; the rest are counted


class ScenarioError(ValueError):
    """The scenario is invalid; ``problems`` lists every ``path: message`` (at most ``MAX_PROBLEMS``
    of them, each bounded, then how many more there were)."""

    def __init__(self, problems: list[str], source: str = "scenario"):
        self.problems = capped(problems)
        super().__init__(f"invalid {bounded(source, 120)}:\n  " + "\n  ".join(self.problems))


def capped(problems: list[str]) -> list[str]:
    """At most ``MAX_PROBLEMS`` problems, each one bounded, and a count of the rest."""
    shown_problems = [bounded(p) for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        shown_problems.append(f"… and {len(problems) - MAX_PROBLEMS:,} more problems")
    return shown_problems


@dataclass(frozen=True)
class Workload:
    requests_per_month: float = 50_000
    input_tokens: float = 2_000
    output_tokens: float = 500
    reasoning_tokens: float = 0
    cached_input_share: float = 0.0
    cache_write_share: float = 0.0
    batch_share: float = 0.0
    # Non-token charges (web search, tool calls, code execution): a fixed line in every strategy's
    # monthly cost, the same for all of them (so it moves no break-even). None: no such line.
    other_monthly_usd: float | None = None

    @property
    def tokens_per_request(self) -> float:
        return self.input_tokens + self.output_tokens + self.reasoning_tokens


def next_month(today: dt.date | None = None) -> dt.date:
    today = today or clock.today()
    return dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)


@dataclass(frozen=True)
class Growth:
    monthly_rate: float = 0.05
    horizon_months: int = 24
    start_month: dt.date = field(default_factory=next_month)


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
class PriceOverride:
    """$ per 1M tokens; None keeps the catalog's value."""

    input: float | None = None
    output: float | None = None
    cached_input: float | None = None
    cache_write: float | None = None
    batch_discount: float | None = None


@dataclass(frozen=True)
class SelfHostedMixed:
    """A share of the traffic on the ``self_hosted`` server, the rest on a flagship API (calculators/mixed.py)."""

    small_share: float = 0.75
    flagship: ModelSlot | None = None  # None: the flagship_only model
    overflow_to_api: bool = True  # above the fleet's capacity, send traffic to the API when cheaper than a replica
    overflow_model: ModelSlot | None = None  # None: the flagship


@dataclass(frozen=True)
class Range:
    low: float
    high: float


@dataclass(frozen=True)
class Uncertainty:
    """Monte Carlo settings; a range left out gets a default around the point value (calculators/uncertainty.py)."""

    draws: int = DEFAULT_DRAWS
    seed: int = 1
    growth_rate: Range | None = None
    escalation_rate: Range | None = None
    cached_input_share: Range | None = None
    output_tokens: Range | None = None
    reasoning_tokens: Range | None = None
    gpu_hour_usd: Range | None = None
    utilization: Range | None = None
    efficiency: Range | None = None

    def ranges(self) -> dict[str, Range]:
        return {key: getattr(self, key) for key in UNCERTAIN_INPUTS if getattr(self, key) is not None}


@dataclass(frozen=True)
class Quality:
    """Expected cost of wrong answers (calculators/quality.py); rates are shares of requests."""

    cost_per_error_usd: float = 0.0
    error_rates: tuple[tuple[str, float], ...] = ()  # (model, rate), sorted
    cascade_miss_rate: float | None = None  # wrong answers among the requests the cascade does not escalate
    self_hosted_error_rate: float | None = None  # None: error_rates of the serving profile's open model


@dataclass(frozen=True)
class Scenario:
    name: str = "Untitled scenario"
    workload: Workload = field(default_factory=Workload)
    growth: Growth = field(default_factory=Growth)
    flagship_only: ModelSlot | None = None
    hybrid: Hybrid | None = None
    cascade: Cascade | None = None
    hosted_open: ModelSlot | None = None
    self_hosted: SelfHosted | None = None
    self_hosted_mixed: SelfHostedMixed | None = None
    price_overrides: tuple[tuple[str, PriceOverride], ...] = ()
    uncertainty: Uncertainty | None = None
    quality: Quality | None = None
    version: int = SCHEMA_VERSION

    @property
    def overrides(self) -> dict[str, PriceOverride]:
        return dict(self.price_overrides)

    def strategies(self) -> list[str]:
        return [key for key in STRATEGIES if getattr(self, key) is not None]

    def models_used(self) -> list[str]:
        """Every model name the scenario's sections name, once each, in the registry's order."""
        names = [name for key in self.strategies() for name in REGISTRY[key].models(getattr(self, key))]
        return list(dict.fromkeys(names))


# ------------------------------------------------------------------------------ parsing


class _Reader:
    """Reads typed, bounded values out of nested mappings and records problems by path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(bounded(f"{path}: {message}"))

    def section(self, doc: Mapping, key: str, path: str, known: tuple[str, ...]) -> Mapping | None:
        value = doc.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.fail(path, f"must be a mapping, got {type(value).__name__}")
            return None
        self.unknown_keys(value, path, known)
        return value

    def unknown_keys(self, doc: Mapping, path: str, known: tuple[str, ...]) -> None:
        for key in doc:
            if key not in known:
                self.fail(_join(path, key), f"unknown key (expected one of: {', '.join(known)})")

    def number(self, doc: Mapping, key: str, path: str, default: Any, low: float, high: float, *, integer: bool = False) -> Any:
        """``doc[key]`` as a number in [low, high] (an int when ``integer``), or ``default`` and a problem.

        Python ints are compared exactly, whatever their size (a 400-digit int is not a float: it
        must never reach ``math.isfinite``); texts holding a number are read as one (links)."""
        if key not in doc or doc[key] is None:
            return default
        value, where = doc[key], _join(path, key)
        if isinstance(value, LongNumber):
            self.fail(where, f"must be between {_fmt(low)} and {_fmt(high)}, got {shown(value)}")
            return default
        if isinstance(value, str):
            try:
                value = float(value.strip().replace("_", ""))
            except ValueError:
                self.fail(where, f"must be a number, got {shown(doc[key])}")
                return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"must be a number, got {shown(value)}")
            return default
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(where, f"must be finite, got {shown(value)}")
            return default
        if integer and isinstance(value, float) and not value.is_integer():
            self.fail(where, f"must be a whole number, got {shown(value)}")
            return default
        if not low <= value <= high:
            self.fail(where, f"must be between {_fmt(low)} and {_fmt(high)}, got {shown(value)}")
            return default
        return int(value) if integer else float(value)

    def flag(self, doc: Mapping, key: str, path: str, default: bool) -> bool:
        value = doc.get(key, default)
        if not isinstance(value, bool):
            self.fail(_join(path, key), f"must be true or false, got {shown(value)}")
            return default
        return value

    def text(self, doc: Mapping, key: str, path: str, default: Any, max_len: int = MAX_NAME_CHARS) -> Any:
        if key not in doc or doc[key] is None:
            return default
        value = doc[key]
        if not isinstance(value, str) or isinstance(value, LongNumber) or not value.strip():
            self.fail(_join(path, key), f"must be a non-empty text, got {shown(value)}")
            return default
        if len(value) > max_len:
            self.fail(_join(path, key), f"is longer than {max_len} characters ({len(value):,})")
            return default
        return value.strip()

    def model_names(self, raw: Mapping, path: str) -> dict[str, Any]:
        """A mapping keyed by model names (price overrides, error rates), names stripped.

        Two keys that are the same name once stripped (``"gpt-5.1"`` and ``"gpt-5.1 "``) are an error:
        which one was meant cannot be known, so the first is kept and the second reported."""
        out: dict[str, Any] = {}
        for model, value in raw.items():
            if not isinstance(model, str) or isinstance(model, LongNumber) or not model.strip() or len(model) > MAX_NAME_CHARS:
                self.fail(path, f"model name {shown(model)} is not a text of 1 to {MAX_NAME_CHARS} characters")
                continue
            name = model.strip()
            if name in out:
                self.fail(_join(path, name), "appears twice (the names differ only in surrounding spaces); the first is kept")
                continue
            out[name] = value
        return out


def _join(path: str, key: Any) -> str:
    """``path.key`` (``key`` alone at the top), the key cut short when it is long."""
    text = str(key) if isinstance(key, str | int | float) and not isinstance(key, LongNumber) else None
    key = text if text is not None and len(text) <= 60 and text.isprintable() else shown(key)  # repr escapes controls
    return f"{path}.{key}" if path else key


def _fmt(value: float) -> str:
    return f"{value:g}"


def _plain_count(value: float) -> str:
    """30,000,000 or 10,000,000.5: a count as a person writes it."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def _above(value: float, limit: float) -> str:
    """``value`` with enough digits that it reads as larger than ``limit`` (never "1e+15 above 1e+15")."""
    for digits in range(3, 18):
        text = f"{value:.{digits}g}"
        if text != f"{limit:.{digits}g}":
            return text
    return repr(value)


def _parse_month(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m", "%Y-%m-%d"):
            try:
                parsed = dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if 2000 <= parsed.year <= 2100:
                return parsed.replace(day=1)
    return None


def _parse_slot(reader: _Reader, value: Any, path: str) -> ModelSlot | None:
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


def _parse_model_section(reader: _Reader, doc: Mapping, key: str) -> ModelSlot | None:
    """A strategy section that is one model slot (``flagship_only``, ``hosted_open``)."""
    raw = reader.section(doc, key, key, ("model", "reasoning_tokens"))
    return None if raw is None else _parse_slot(reader, raw, key)


def _parse_workload(reader: _Reader, doc: Mapping, d: Workload) -> Workload:
    known = tuple(f.name for f in fields(Workload))
    raw = reader.section(doc, "workload", "workload", known) or {}
    p = "workload"
    workload = Workload(
        requests_per_month=reader.number(raw, "requests_per_month", p, d.requests_per_month, 0, MAX_TOKENS_PER_MONTH),
        input_tokens=reader.number(raw, "input_tokens", p, d.input_tokens, 0, MAX_TOKENS_PER_REQUEST),
        output_tokens=reader.number(raw, "output_tokens", p, d.output_tokens, 0, MAX_TOKENS_PER_REQUEST),
        reasoning_tokens=reader.number(raw, "reasoning_tokens", p, d.reasoning_tokens, 0, MAX_TOKENS_PER_REQUEST),
        cached_input_share=reader.number(raw, "cached_input_share", p, d.cached_input_share, 0, 1),
        cache_write_share=reader.number(raw, "cache_write_share", p, d.cache_write_share, 0, 1),
        batch_share=reader.number(raw, "batch_share", p, d.batch_share, 0, 1),
        other_monthly_usd=reader.number(raw, "other_monthly_usd", p, d.other_monthly_usd, 0, MAX_OTHER_MONTHLY_USD),
    )
    if workload.cached_input_share + workload.cache_write_share > 1 + 1e-9:
        reader.fail("workload.cache_write_share", "cached_input_share + cache_write_share must not exceed 1")
        workload = replace(workload, cache_write_share=0.0)
    if workload.tokens_per_request > MAX_TOKENS_PER_REQUEST:
        reader.fail(
            "workload",
            f"input_tokens + output_tokens + reasoning_tokens = {_plain_count(workload.tokens_per_request)} "
            f"tokens a request, above the limit of {MAX_TOKENS_PER_REQUEST:,}",
        )
        workload = replace(
            workload, input_tokens=d.input_tokens, output_tokens=d.output_tokens, reasoning_tokens=d.reasoning_tokens
        )
    tokens = workload.requests_per_month * workload.tokens_per_request
    if tokens > MAX_TOKENS_PER_MONTH:
        reader.fail(
            "workload.requests_per_month",
            f"{_plain_count(workload.requests_per_month)} requests x {_plain_count(workload.tokens_per_request)} tokens "
            f"= {_above(tokens, MAX_TOKENS_PER_MONTH)} tokens a month, above the limit of {MAX_TOKENS_PER_MONTH:.0e}",
        )
        workload = replace(workload, requests_per_month=d.requests_per_month)
    return workload


def _parse_growth(reader: _Reader, doc: Mapping, d: Growth) -> Growth:
    raw = reader.section(doc, "growth", "growth", ("monthly_rate", "horizon_months", "start_month")) or {}
    start = d.start_month
    if raw.get("start_month") is not None:
        parsed = _parse_month(raw["start_month"])
        if parsed is None:
            reader.fail("growth.start_month", f"must be a month YYYY-MM between 2000 and 2100, got {shown(raw['start_month'])}")
        else:
            start = parsed
    return Growth(
        monthly_rate=reader.number(raw, "monthly_rate", "growth", d.monthly_rate, -0.99, 1.0),
        horizon_months=reader.number(raw, "horizon_months", "growth", d.horizon_months, 1, MAX_HORIZON_MONTHS, integer=True),
        start_month=start,
    )


def _parse_hybrid(reader: _Reader, doc: Mapping) -> Hybrid | None:
    raw = reader.section(doc, "hybrid", "hybrid", ("routes",))
    if raw is None:
        return None
    routes_raw = raw.get("routes")
    if not isinstance(routes_raw, list) or not routes_raw:
        reader.fail("hybrid.routes", "must be a non-empty list of {model, share}")
        return None
    if len(routes_raw) > MAX_ROUTES:
        reader.fail("hybrid.routes", f"has {len(routes_raw)} routes; at most {MAX_ROUTES} are allowed")
        return None
    routes = []
    for i, item in enumerate(routes_raw):
        path = f"hybrid.routes[{i}]"
        if not isinstance(item, Mapping):
            reader.fail(path, "must be a mapping with 'model' and 'share'")
            continue
        slot = _parse_slot(reader, {k: v for k, v in item.items() if k != "share"}, path)
        share = reader.number(item, "share", path, None, 0, 1)
        if share is None and "share" not in item:
            reader.fail(f"{path}.share", "is missing")
        if slot is not None and share is not None:
            routes.append(Route(slot.model, share, slot.reasoning_tokens))
    return Hybrid(tuple(routes)) if routes else None


def _parse_cascade(reader: _Reader, doc: Mapping) -> Cascade | None:
    raw = reader.section(doc, "cascade", "cascade", ("first", "second", "escalation_rate", "forward_draft"))
    if raw is None:
        return None
    first = _parse_slot(reader, raw.get("first"), "cascade.first") if "first" in raw else None
    second = _parse_slot(reader, raw.get("second"), "cascade.second") if "second" in raw else None
    for key in ("first", "second"):
        if key not in raw:
            reader.fail(f"cascade.{key}", "is missing")
    forward = reader.flag(raw, "forward_draft", "cascade", False)
    rate = reader.number(raw, "escalation_rate", "cascade", 0.2, 0, 1)
    if first is None or second is None:
        return None
    return Cascade(first, second, rate, forward)


def _parse_self_hosted(reader: _Reader, doc: Mapping) -> SelfHosted | None:
    known = tuple(f.name for f in fields(SelfHosted))
    raw = reader.section(doc, "self_hosted", "self_hosted", known)
    if raw is None:
        return None
    p = "self_hosted"
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


def _precision(reader: _Reader, raw: Mapping, path: str) -> str | None:
    value = reader.text(raw, "precision", path, None)
    if value is not None and value not in PRECISIONS:
        reader.fail(f"{path}.precision", f"must be one of {', '.join(PRECISIONS)}, not {value[:20]!r}")
        return None
    return value


def _parse_overrides(reader: _Reader, doc: Mapping) -> tuple[tuple[str, PriceOverride], ...]:
    raw = doc.get("price_overrides")
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        reader.fail("price_overrides", "must be a mapping of model → {input, output, ...}")
        return ()
    if len(raw) > MAX_PRICE_OVERRIDES:
        reader.fail("price_overrides", f"has {len(raw):,} models; at most {MAX_PRICE_OVERRIDES} are allowed")
        return ()
    known = tuple(f.name for f in fields(PriceOverride))
    result = []
    for model, prices in reader.model_names(raw, "price_overrides").items():
        path = _join("price_overrides", model)
        if not isinstance(prices, Mapping):
            reader.fail(path, "must be a mapping of prices in $ per 1M tokens")
            continue
        reader.unknown_keys(prices, path, known)
        values = {k: reader.number(prices, k, path, None, 0, MAX_PRICE_PER_MTOK) for k in known if k != "batch_discount"}
        values["batch_discount"] = reader.number(prices, "batch_discount", path, None, 0, 0.99)
        override = PriceOverride(**values)
        if override != PriceOverride():
            result.append((model, override))
    return tuple(sorted(result, key=lambda item: item[0]))


def _parse_self_hosted_mixed(reader: _Reader, doc: Mapping) -> SelfHostedMixed | None:
    known = tuple(f.name for f in fields(SelfHostedMixed))
    raw = reader.section(doc, "self_hosted_mixed", "self_hosted_mixed", known)
    if raw is None:
        return None
    p = "self_hosted_mixed"
    d = SelfHostedMixed()
    slots = {
        key: _parse_slot(reader, raw[key], f"{p}.{key}") if raw.get(key) is not None else None
        for key in ("flagship", "overflow_model")
    }
    overflow = reader.flag(raw, "overflow_to_api", p, d.overflow_to_api)
    return SelfHostedMixed(
        small_share=reader.number(raw, "small_share", p, d.small_share, 0, 1),
        flagship=slots["flagship"],
        overflow_to_api=overflow,
        overflow_model=slots["overflow_model"],
    )


def _parse_range(reader: _Reader, raw: Mapping, key: str, path: str) -> Range | None:
    """``{low: x, high: y}`` or ``[x, y]``, both within the input's bounds, low <= high."""
    value = raw.get(key)
    if value is None:
        return None
    path = f"{path}.{key}"
    if isinstance(value, list | tuple) and len(value) == 2:
        value = {"low": value[0], "high": value[1]}
    if not isinstance(value, Mapping):
        reader.fail(path, f"must be {{low, high}} or [low, high], got {shown(value)}")
        return None
    reader.unknown_keys(value, path, ("low", "high"))
    lowest, highest = UNCERTAIN_INPUTS[key]
    low = reader.number(value, "low", path, None, lowest, highest)
    high = reader.number(value, "high", path, None, lowest, highest)
    for end, number in (("low", low), ("high", high)):
        if number is None and value.get(end) is None:
            reader.fail(f"{path}.{end}", "is missing")
    if low is None or high is None:
        return None
    if low > high:
        reader.fail(path, f"low ({_fmt(low)}) must not exceed high ({_fmt(high)})")
        return None
    return Range(low, high)


def _parse_uncertainty(reader: _Reader, doc: Mapping, workload: Workload) -> Uncertainty | None:
    p = "uncertainty"
    raw = reader.section(doc, p, p, ("draws", "seed", *UNCERTAIN_INPUTS))
    if raw is None:
        return None
    d = Uncertainty()
    ranges = {key: _parse_range(reader, raw, key, p) for key in UNCERTAIN_INPUTS}
    cached = ranges["cached_input_share"]
    if cached is not None and cached.high + workload.cache_write_share > 1 + 1e-9:
        reader.fail(f"{p}.cached_input_share.high", "cached_input_share + workload.cache_write_share must not exceed 1")
        ranges["cached_input_share"] = None
    return Uncertainty(
        draws=reader.number(raw, "draws", p, d.draws, MIN_DRAWS, MAX_DRAWS, integer=True),
        seed=reader.number(raw, "seed", p, d.seed, 0, MAX_SEED, integer=True),
        **ranges,
    )


def _parse_quality(reader: _Reader, doc: Mapping) -> Quality | None:
    p = "quality"
    raw = reader.section(doc, p, p, tuple(f.name for f in fields(Quality)))
    if raw is None:
        return None
    rates_raw = raw.get("error_rates") or {}
    rates = []
    if not isinstance(rates_raw, Mapping):
        reader.fail(f"{p}.error_rates", "must be a mapping of model → error rate (0 to 1)")
    elif len(rates_raw) > MAX_ERROR_RATES:
        reader.fail(f"{p}.error_rates", f"has {len(rates_raw)} models; at most {MAX_ERROR_RATES} are allowed")
    else:
        named = reader.model_names(rates_raw, f"{p}.error_rates")
        for model in named:
            rate = reader.number(named, model, f"{p}.error_rates", None, 0, 1)
            if rate is not None:
                rates.append((model, rate))
    return Quality(
        cost_per_error_usd=reader.number(raw, "cost_per_error_usd", p, 0.0, 0, MAX_COST_PER_ERROR_USD),
        error_rates=tuple(sorted(dict(rates).items())),
        cascade_miss_rate=reader.number(raw, "cascade_miss_rate", p, None, 0, 1),
        self_hosted_error_rate=reader.number(raw, "self_hosted_error_rate", p, None, 0, 1),
    )


def _check_slot_sizes(reader: _Reader, scenario: Scenario) -> Scenario:
    """A slot's own reasoning tokens replace the workload's: input + output + those are a request too,
    bounded like the workload's sum. A slot over the bound loses its own reasoning tokens (the workload's apply)."""
    w = scenario.workload
    room = MAX_TOKENS_PER_REQUEST - w.input_tokens - w.output_tokens

    def fits(slot: Any, path: str) -> Any:
        if slot is None or slot.reasoning_tokens is None or slot.reasoning_tokens <= room:
            return slot
        total = w.input_tokens + w.output_tokens + slot.reasoning_tokens
        reader.fail(
            f"{path}.reasoning_tokens",
            f"input_tokens + output_tokens + this slot's reasoning_tokens = {_plain_count(total)} tokens a request, "
            f"above the limit of {MAX_TOKENS_PER_REQUEST:,}",
        )
        return replace(slot, reasoning_tokens=None)

    changes: dict[str, Any] = {}
    for key in ("flagship_only", "hosted_open"):
        changes[key] = fits(getattr(scenario, key), key)
    if scenario.hybrid:
        routes = tuple(fits(r, f"hybrid.routes[{i}]") for i, r in enumerate(scenario.hybrid.routes))
        changes["hybrid"] = Hybrid(routes)
    if scenario.cascade:
        c = scenario.cascade
        changes["cascade"] = replace(c, first=fits(c.first, "cascade.first"), second=fits(c.second, "cascade.second"))
    if scenario.self_hosted_mixed:
        m = scenario.self_hosted_mixed
        changes["self_hosted_mixed"] = replace(
            m,
            flagship=fits(m.flagship, "self_hosted_mixed.flagship"),
            overflow_model=fits(m.overflow_model, "self_hosted_mixed.overflow_model"),
        )
    return replace(scenario, **changes)


def parse_scenario(
    doc: Any, *, strict: bool = True, source: str = "scenario", base: Scenario | None = None
) -> tuple[Scenario, list[str]]:
    """Validate a scenario document.

    Returns ``(scenario, problems)``. In strict mode any problem raises ``ScenarioError``;
    in lenient mode each bad field falls back to its default (``base``'s value when given,
    so that a share link falls back to the link defaults) and is reported.

    >>> s, _ = parse_scenario({"workload": {"requests_per_month": 1000}, "flagship_only": {"model": "gpt-5"}})
    >>> s.workload.requests_per_month, s.flagship_only.model, s.hybrid
    (1000.0, 'gpt-5', None)
    """
    reader = _Reader()
    base = base or Scenario()
    if doc is None:
        doc = {}
    if not isinstance(doc, Mapping):
        reader.fail("(document)", f"must be a mapping of sections, got {type(doc).__name__}")
        doc = {}
    known = ("version", "name", "workload", "growth", *STRATEGIES, "price_overrides", "uncertainty", "quality", "notes")
    reader.unknown_keys(doc, "", known)
    version = doc.get("version", SCHEMA_VERSION)
    if type(version) is not int or version != SCHEMA_VERSION:  # true and 1.0 equal 1 in Python: not a version
        reader.fail("version", f"this program reads version {SCHEMA_VERSION}, got {shown(version)}")
    scenario = Scenario(
        name=reader.text(doc, "name", "", base.name),
        workload=_parse_workload(reader, doc, base.workload),
        growth=_parse_growth(reader, doc, base.growth),
        flagship_only=_parse_model_section(reader, doc, "flagship_only"),
        hybrid=_parse_hybrid(reader, doc),
        cascade=_parse_cascade(reader, doc),
        hosted_open=_parse_model_section(reader, doc, "hosted_open"),
        self_hosted=_parse_self_hosted(reader, doc),
        self_hosted_mixed=_parse_self_hosted_mixed(reader, doc),
        price_overrides=_parse_overrides(reader, doc),
        quality=_parse_quality(reader, doc),
    )
    scenario = replace(scenario, uncertainty=_parse_uncertainty(reader, doc, scenario.workload))
    scenario = _check_slot_sizes(reader, scenario)
    if strict and reader.problems:
        raise ScenarioError(reader.problems, source)
    return scenario, capped(reader.problems)


# ---------------------------------------------------------------------------- writing


def _slot_to_doc(slot: ModelSlot) -> Any:
    if slot.reasoning_tokens is None:
        return {"model": slot.model}
    return {"model": slot.model, "reasoning_tokens": _plain(slot.reasoning_tokens)}


def _plain(value: Any) -> Any:
    """Floats that hold whole numbers are written as integers, for readable files."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _dataclass_doc(obj: Any, default: Any, omit_defaults: bool) -> dict:
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if value is None or (omit_defaults and value == getattr(default, f.name)):
            continue
        out[f.name] = _plain(value)
    return out


def scenario_to_dict(scenario: Scenario, *, omit_defaults: bool = False) -> dict:
    """The document for a scenario; ``parse_scenario(scenario_to_dict(s))`` gives ``s`` back."""
    doc: dict[str, Any] = {"version": scenario.version}
    if not (omit_defaults and scenario.name == Scenario.name):
        doc["name"] = scenario.name
    workload = _dataclass_doc(scenario.workload, Workload(), omit_defaults)
    if workload or not omit_defaults:
        doc["workload"] = workload
    growth = _dataclass_doc(scenario.growth, Growth(start_month=scenario.growth.start_month), omit_defaults)
    growth["start_month"] = scenario.growth.start_month.strftime("%Y-%m")
    doc["growth"] = growth
    if scenario.flagship_only:
        doc["flagship_only"] = _slot_to_doc(scenario.flagship_only)
    if scenario.hybrid:
        doc["hybrid"] = {
            "routes": [
                {"model": r.model, "share": _plain(r.share)}
                | ({} if r.reasoning_tokens is None else {"reasoning_tokens": _plain(r.reasoning_tokens)})
                for r in scenario.hybrid.routes
            ]
        }
    if scenario.cascade:
        c = scenario.cascade
        doc["cascade"] = {
            "first": _slot_to_doc(c.first),
            "second": _slot_to_doc(c.second),
            "escalation_rate": _plain(c.escalation_rate),
        }
        if c.forward_draft:
            doc["cascade"]["forward_draft"] = True
    if scenario.hosted_open:
        doc["hosted_open"] = _slot_to_doc(scenario.hosted_open)
    if scenario.self_hosted:
        doc["self_hosted"] = _dataclass_doc(scenario.self_hosted, SelfHosted(), omit_defaults)
    if scenario.self_hosted_mixed:
        mixed = scenario.self_hosted_mixed
        default = SelfHostedMixed()
        doc["self_hosted_mixed"] = {
            k: _slot_to_doc(v) if isinstance(v, ModelSlot) else _plain(v)
            for k, v in ((f.name, getattr(mixed, f.name)) for f in fields(mixed))
            if v is not None and not (omit_defaults and v == getattr(default, k))
        }
    if scenario.price_overrides:
        doc["price_overrides"] = {
            model: {k: _plain(v) for k, v in _dataclass_doc(o, PriceOverride(), False).items()}
            for model, o in scenario.price_overrides
        }
    if scenario.uncertainty:
        u = scenario.uncertainty
        doc["uncertainty"] = {
            k: v for k, v in (("draws", u.draws), ("seed", u.seed)) if not (omit_defaults and v == getattr(Uncertainty(), k))
        }
        doc["uncertainty"] |= {k: {"low": _plain(r.low), "high": _plain(r.high)} for k, r in u.ranges().items()}
    if scenario.quality:
        q = scenario.quality
        doc["quality"] = {"cost_per_error_usd": _plain(q.cost_per_error_usd)}
        if q.error_rates:
            doc["quality"]["error_rates"] = {model: _plain(rate) for model, rate in q.error_rates}
        for key in ("cascade_miss_rate", "self_hosted_error_rate"):
            if getattr(q, key) is not None:
                doc["quality"][key] = _plain(getattr(q, key))
    return doc


# Characters YAML reads as line breaks. In a plain or single-quoted scalar a line break is folded into a
# space on reading ('0\x850' came back as '0 0'); a double-quoted scalar writes each one as an escape.
_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")


class _Dumper(yaml.SafeDumper):
    """``SafeDumper`` whose texts survive a round trip exactly (any text a user can type)."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if _LINE_BREAKS.intersection(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(doc: dict) -> str:
    """A document as YAML that reads back exactly (``_Dumper``), keys in the document's order."""
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def scenario_to_yaml(scenario: Scenario) -> str:
    return dump_yaml(scenario_to_dict(scenario))


def load_scenario_text(text: str, *, source: str = "scenario") -> Scenario:
    """Parse YAML or JSON text (JSON is YAML) strictly, with the document limits of
    ``calculators.document``; ScenarioError names the field (or the line) of every problem."""
    try:
        doc = load_yaml(text)
    except DocumentError as exc:
        raise ScenarioError([f"(document): {exc}"], source) from None
    scenario, _ = parse_scenario(doc, strict=True, source=source)
    return scenario
