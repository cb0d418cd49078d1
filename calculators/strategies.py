"""The strategies, in one table: what each one is called, which models it bills, how it errs.

Every layer iterates ``REGISTRY`` instead of testing a strategy's key: the engine prices each
strategy's ``bills``, the Monte Carlo band draws the same bills, the quality model adds up its
``errors``, the scenario lists its models, the dashboard reads its labels and ``summary``.

A strategy's cost formula is one of three ``kind``s:

- ``"api"``: per request ``Σ_b weight_b · request_cost(model_b)`` over its ``bills`` (a month costs
  ``requests × that``); the break-even and "first cheaper" marks compare against the ``baseline`` ones;
- ``"server"``: the self-hosted staircase (``selfhost.self_hosted_monthly_cost``);
- ``"mixed"``: a share on the server, the rest on API models (``mixed.mixed_cost``), whose API
  models are its ``bills``.

Adding a seventh strategy: its scenario section (a dataclass, its reader and writer: a ``Section`` in
``strategy_sections.py``), an entry here (labels, section, link keys, bills, error terms, summary; a
formula of one of the kinds above, or a new kind in the engine), the ``Scenario`` field that holds its
settings, and its sidebar box (``dashboard/sidebar/strategies.py``).

Pure: no streamlit, no files. The functions take a ``Scenario`` whose numbers may be numpy
arrays (one per Monte Carlo draw): a bill's weight then is an array too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from calculators.strategy_sections import (
    CASCADE_SECTION,
    HYBRID_SECTION,
    MODEL_SECTION,
    SELF_HOSTED_MIXED_SECTION,
    SELF_HOSTED_SECTION,
    ModelSlot,
    Section,
)

if TYPE_CHECKING:  # annotations only: scenario.py imports this module
    from calculators.scenario import Scenario


class StrategyError(ValueError):
    """A strategy cannot be priced as set up (the engine shows the message in its place)."""


@dataclass(frozen=True)
class Bill:
    """One model a strategy pays for: the share of requests that pay it and the input it reads."""

    slot: ModelSlot | Any  # has .model and .reasoning_tokens (None: the workload's)
    weight: Any = 1.0  # share of the requests billed to this model (an array per Monte Carlo draw)
    forward_draft: bool = False  # the request also carries another model's draft (input + output tokens)


@dataclass(frozen=True)
class Strategy:
    key: str  # the scenario section and the link's prefix
    label: str  # "Hybrid routing": tables, legends, CLI
    short_label: str  # "Hybrid": a card at five to a row
    word: str  # "hybrid": a card label that must stay short ("Break-even, hybrid")
    noun: str  # "hybrid routing": in a sentence ("cheaper than hybrid routing")
    kind: str  # "api", "server" or "mixed" (see the module docstring)
    baseline: bool  # self-hosting is compared against it (break-even, first cheaper month, chance cheaper)
    section: Section  # its section of the scenario document: read, written, slots bounded (strategy_sections)
    models: Callable[[Any], list[str]]  # the model names its section names
    bills: Callable[[Scenario], list[Bill]]  # the API models it pays for, per request
    rated: Callable[[Scenario], list[tuple[str, str | None]]]  # (model, its role) whose error rate its errors use
    errors: Callable[[Scenario, Any, Any, Any], Any]  # expected wrong answers a month (calculators.quality)
    summary: Callable[[Any], str]  # its settings in a line: "small → big, 20% escalate"
    check: Callable[[Scenario], None] = lambda scenario: None  # raises StrategyError when it cannot be priced
    notes: Callable[[Scenario, list], list[str]] = lambda scenario, priced: []  # after pricing its bills
    # the share link's short keys for its scalar fields, short key → field (calculators/links.SHORT_KEYS);
    # what has none travels in the link's payload. A model-slot field's short key carries the model name.
    link_keys: dict[str, str] = field(default_factory=dict)

    @property
    def challenger(self) -> bool:
        """Runs on owned capacity: compared against the baselines."""
        return self.kind in ("server", "mixed")


def share_text(share: float) -> str:
    """``0.75 → '75%'``, ``0.125 → '12.5%'``: a share as typed, without trailing zeros.

    >>> share_text(0.75), share_text(0.125)
    ('75%', '12.5%')
    """
    return f"{share * 100:.3g}%"


# ------------------------------------------------------------------------- the entries


def _single(key: str) -> Callable[[Scenario], list[Bill]]:
    return lambda s: [Bill(getattr(s, key))]


def _hybrid_check(s: Scenario) -> None:
    total = sum(r.share for r in s.hybrid.routes)
    if abs(total - 1.0) > 1e-6:
        raise StrategyError(f"the hybrid's route shares add up to {total:.1%}, not 100%: adjust them so they sum to 100%")


def _cascade_bills(s: Scenario) -> list[Bill]:
    c = s.cascade
    return [Bill(c.first), Bill(c.second, c.escalation_rate, c.forward_draft)]


def _cascade_errors(s: Scenario, ev, rates, quality):
    e = s.cascade.escalation_rate
    miss = quality.cascade_miss_rate
    if miss is None:
        rates.missing.append("cascade_miss_rate")
        miss = float("nan")
    return ev.forecast.requests * ((1.0 - e) * miss + e * rates.need(s.cascade.second.model))


def _cascade_notes(s: Scenario, priced: list) -> list[str]:
    if priced[0].model is not None and s.cascade.escalation_rate >= 1.0:
        return ["every request escalates: the cascade pays both models in full"]
    return []


def _hosted_notes(s: Scenario, priced: list) -> list[str]:
    p = priced[0]
    if p.model is not None and p.model.tier != "open":
        return [f"{p.display_name} is not an open-weights model on an inference provider"]
    return []


def mixed_slots(s: Scenario) -> tuple[ModelSlot | None, ModelSlot | None]:
    """The mixed strategy's flagship (its own, else flagship_only's) and its overflow model (None without overflow)."""
    m = s.self_hosted_mixed
    flagship = m.flagship or s.flagship_only
    overflow = (m.overflow_model or flagship) if m.overflow_to_api else None
    return flagship, overflow


def _mixed_bills(s: Scenario) -> list[Bill]:
    return [Bill(slot) for slot in mixed_slots(s) if slot is not None]


def _mixed_rated(s: Scenario) -> list[tuple[str, str | None]]:
    flagship, overflow = mixed_slots(s)
    return [(slot.model, role) for slot, role in ((flagship, None), (overflow, "overflow")) if slot is not None]


def _mixed_errors(s: Scenario, ev, rates, quality):
    cost = ev.mixed.cost
    flagship, overflow = mixed_slots(s)
    served = cost.served * rates.self_hosted(s, quality)
    flagship_errors = cost.flagship_requests * rates.need(flagship.model)
    overflow_model = overflow or flagship  # without overflow nothing is sent there
    overflow_errors = cost.overflow * rates.need(overflow_model.model) if (cost.overflow > 0).any() else 0.0
    return served + flagship_errors + overflow_errors


def _server_summary(setting) -> str:
    server = setting.profile or f"{setting.gpus_per_replica or '?'} GPUs a replica"
    return f"{server}, {share_text(setting.utilization)} utilization"


REGISTRY: dict[str, Strategy] = {
    s.key: s
    for s in (
        Strategy(
            key="flagship_only",
            label="Flagship only",
            short_label="Flagship only",
            word="flagship",
            noun="flagship only",
            kind="api",
            baseline=True,
            section=MODEL_SECTION,
            models=lambda setting: [setting.model],
            bills=_single("flagship_only"),
            rated=lambda s: [(s.flagship_only.model, None)],
            errors=lambda s, ev, rates, q: ev.forecast.requests * rates.need(s.flagship_only.model),
            summary=lambda setting: setting.model,
            link_keys={"fm": "model"},
        ),
        Strategy(
            key="hybrid",
            label="Hybrid routing",
            short_label="Hybrid",
            word="hybrid",
            noun="hybrid routing",
            kind="api",
            baseline=True,
            section=HYBRID_SECTION,
            models=lambda setting: [r.model for r in setting.routes],
            bills=lambda s: [Bill(r, r.share) for r in s.hybrid.routes],
            rated=lambda s: [(r.model, None) for r in s.hybrid.routes],
            errors=lambda s, ev, rates, q: ev.forecast.requests * sum(r.share * rates.need(r.model) for r in s.hybrid.routes),
            summary=lambda setting: " + ".join(f"{share_text(r.share)} {r.model}" for r in setting.routes),
            check=_hybrid_check,
        ),
        Strategy(
            key="cascade",
            label="Cascade",
            short_label="Cascade",
            word="cascade",
            noun="the cascade",
            kind="api",
            baseline=False,
            section=CASCADE_SECTION,
            models=lambda setting: [setting.first.model, setting.second.model],
            bills=_cascade_bills,
            rated=lambda s: [(s.cascade.second.model, "escalated")],  # the first model's misses are cascade_miss_rate
            errors=_cascade_errors,
            summary=lambda c: f"{c.first.model} → {c.second.model}, {share_text(c.escalation_rate)} escalate",
            notes=_cascade_notes,
            link_keys={"c1": "first", "c2": "second", "esc": "escalation_rate"},
        ),
        Strategy(
            key="hosted_open",
            label="Hosted open model",
            short_label="Hosted open",
            word="hosted",
            noun="the hosted open model",
            kind="api",
            baseline=False,
            section=MODEL_SECTION,
            models=lambda setting: [setting.model],
            bills=_single("hosted_open"),
            rated=lambda s: [(s.hosted_open.model, None)],
            errors=lambda s, ev, rates, q: ev.forecast.requests * rates.need(s.hosted_open.model),
            summary=lambda setting: setting.model,
            notes=_hosted_notes,
            link_keys={"om": "model"},
        ),
        Strategy(
            key="self_hosted",
            label="Self-hosted",
            short_label="Self-hosted",
            word="self-hosted",
            noun="self-hosting",
            kind="server",
            baseline=False,
            section=SELF_HOSTED_SECTION,
            models=lambda setting: [],
            bills=lambda s: [],
            rated=lambda s: [],  # its rate is self_hosted_error_rate or its open model's
            errors=lambda s, ev, rates, q: ev.forecast.requests * rates.self_hosted(s, q),
            summary=_server_summary,
            link_keys={
                "prof": "profile",
                "gpuh": "gpu_hour_usd",
                "util": "utilization",
                "peak": "peak_to_average",
                "minr": "min_replicas",
                "ops": "ops_usd_per_month",
            },
        ),
        Strategy(
            key="self_hosted_mixed",
            label="Self-hosted + flagship",
            short_label="Self-host + API",
            word="mixed",
            noun="self-hosted + flagship",
            kind="mixed",
            baseline=False,
            section=SELF_HOSTED_MIXED_SECTION,
            models=lambda setting: [slot.model for slot in (setting.flagship, setting.overflow_model) if slot],
            bills=_mixed_bills,
            rated=_mixed_rated,
            errors=_mixed_errors,
            summary=lambda setting: f"{share_text(setting.small_share)} on the self-hosted server",
        ),
    )
}

STRATEGIES = tuple(REGISTRY)
BASELINES = tuple(k for k, s in REGISTRY.items() if s.baseline)
CHALLENGERS = tuple(k for k, s in REGISTRY.items() if s.challenger)
API_STRATEGIES = tuple(k for k, s in REGISTRY.items() if s.kind == "api")
STRATEGY_LABELS = {k: s.label for k, s in REGISTRY.items()}


def label(key: str) -> str:
    """The strategy's label, or the key itself for a key not in the registry."""
    strategy = REGISTRY.get(key)
    return strategy.label if strategy else key
