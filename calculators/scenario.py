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
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import yaml

from calculators import clock
from calculators.document import DocumentError, bounded, load_yaml, shown
from calculators.schema import (  # noqa: F401  (MAX_NAME_CHARS re-exported: the document's limit)
    MAX_NAME_CHARS,
    MAX_TOKENS_PER_REQUEST,
    Reader,
    dataclass_doc,
    digits_above,
    join_path,
    number_text,
    plain,
    plain_count,
)
from calculators.strategies import REGISTRY, STRATEGIES, STRATEGY_LABELS  # noqa: F401  (re-exported: the schema names them)
from calculators.strategy_sections import (  # noqa: F401  (re-exported: a scenario is made of them)
    MAX_ROUTES,
    Cascade,
    Hybrid,
    ModelSlot,
    Route,
    SelfHosted,
    SelfHostedMixed,
)
from calculators.workload import (  # noqa: F401  (re-exported: a scenario is made of them)
    MAX_OTHER_MONTHLY_USD,
    MAX_TOKENS_PER_MONTH,
    TOKEN_BLOCK,
    Workload,
    parse_workload,
)

SCHEMA_VERSION = 1
MAX_HORIZON_MONTHS = 120
MAX_PRICE_PER_MTOK = 10_000.0
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


def next_month(today: dt.date | None = None) -> dt.date:
    today = today or clock.today()
    return dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)


@dataclass(frozen=True)
class Growth:
    monthly_rate: float = 0.05
    horizon_months: int = 24
    start_month: dt.date = field(default_factory=next_month)


@dataclass(frozen=True)
class PriceOverride:
    """$ per 1M tokens; None keeps the catalog's value."""

    input: float | None = None
    output: float | None = None
    cached_input: float | None = None
    cache_write: float | None = None
    batch_discount: float | None = None


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


def _parse_growth(reader: Reader, doc: Mapping, d: Growth) -> Growth:
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


def _parse_overrides(reader: Reader, doc: Mapping) -> tuple[tuple[str, PriceOverride], ...]:
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
        path = join_path("price_overrides", model)
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


def _parse_range(reader: Reader, raw: Mapping, key: str, path: str) -> Range | None:
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
        reader.fail(path, f"low ({number_text(low)}) must not exceed high ({number_text(high)})")
        return None
    return Range(low, high)


def _parse_uncertainty(reader: Reader, doc: Mapping, workload: Workload) -> Uncertainty | None:
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


def _parse_quality(reader: Reader, doc: Mapping) -> Quality | None:
    p = "quality"
    raw = reader.fields_section(doc, p, Quality)
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


def _check_slot_sizes(reader: Reader, scenario: Scenario) -> Scenario:
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
            f"input_tokens + output_tokens + this slot's reasoning_tokens = {plain_count(total)} tokens a request, "
            f"above the limit of {MAX_TOKENS_PER_REQUEST:,}",
        )
        return replace(slot, reasoning_tokens=None)

    changes = {
        key: strategy.section.fit_slots(getattr(scenario, key), fits, key)
        for key, strategy in REGISTRY.items()
        if getattr(scenario, key) is not None
    }
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
    reader = Reader()
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
        workload=parse_workload(reader, doc, base.workload),
        growth=_parse_growth(reader, doc, base.growth),
        **{key: strategy.section.parse(reader, doc, key) for key, strategy in REGISTRY.items()},
        price_overrides=_parse_overrides(reader, doc),
        quality=_parse_quality(reader, doc),
    )
    scenario = replace(scenario, uncertainty=_parse_uncertainty(reader, doc, scenario.workload))
    scenario = _check_slot_sizes(reader, scenario)
    if strict and reader.problems:
        raise ScenarioError(reader.problems, source)
    return scenario, capped(reader.problems)


# ---------------------------------------------------------------------------- writing


def scenario_to_dict(scenario: Scenario, *, omit_defaults: bool = False) -> dict:
    """The document for a scenario; ``parse_scenario(scenario_to_dict(s))`` gives ``s`` back."""
    doc: dict[str, Any] = {"version": scenario.version}
    if not (omit_defaults and scenario.name == Scenario.name):
        doc["name"] = scenario.name
    workload = dataclass_doc(scenario.workload, Workload(), omit_defaults)
    if workload or not omit_defaults:
        doc["workload"] = workload
    growth = dataclass_doc(scenario.growth, Growth(start_month=scenario.growth.start_month), omit_defaults)
    growth["start_month"] = scenario.growth.start_month.strftime("%Y-%m")
    doc["growth"] = growth
    for key, strategy in REGISTRY.items():
        setting = getattr(scenario, key)
        if setting:
            doc[key] = strategy.section.write(setting, omit_defaults)
    if scenario.price_overrides:
        doc["price_overrides"] = {
            model: {k: plain(v) for k, v in dataclass_doc(o, PriceOverride(), False).items()}
            for model, o in scenario.price_overrides
        }
    if scenario.uncertainty:
        u = scenario.uncertainty
        doc["uncertainty"] = {
            k: v for k, v in (("draws", u.draws), ("seed", u.seed)) if not (omit_defaults and v == getattr(Uncertainty(), k))
        }
        doc["uncertainty"] |= {k: {"low": plain(r.low), "high": plain(r.high)} for k, r in u.ranges().items()}
    if scenario.quality:
        q = scenario.quality
        doc["quality"] = {"cost_per_error_usd": plain(q.cost_per_error_usd)}
        if q.error_rates:
            doc["quality"]["error_rates"] = {model: plain(rate) for model, rate in q.error_rates}
        for key in ("cascade_miss_rate", "self_hosted_error_rate"):
            if getattr(q, key) is not None:
                doc["quality"][key] = plain(getattr(q, key))
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
