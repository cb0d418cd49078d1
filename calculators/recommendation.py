"""A short, plain-language verdict from an evaluation: what to do at this volume, and when that changes.

Pure: an ``Evaluation`` (and optionally the catalog, for serving-profile latency targets) in,
a ``Recommendation`` of plain sentences out. The dashboard renders it; the tests read it.

The volume tiers are the source article's table ("Task volume → recommendation"):

=====================  ==================================
tokens a month         recommendation
=====================  ==================================
under 1M               use the flagship for quality
1M to 10M              evaluate by task complexity
10M to 100M            strong case for smaller models
over 100M              consider open source or hybrid
=====================  ==================================

A tier includes its lower bound: exactly 1M tokens a month is in the 1-10M tier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlparse

from calculators.engine import Evaluation
from calculators.formatting import money, percent, tokens
from calculators.scenario import STRATEGY_LABELS


@dataclass(frozen=True)
class VolumeTier:
    low: float  # tokens a month, inclusive
    high: float  # exclusive
    label: str
    advice: str


VOLUME_TIERS = (
    VolumeTier(0.0, 1e6, "under 1M tokens a month", "use the flagship for quality"),
    VolumeTier(1e6, 1e7, "1-10M tokens a month", "evaluate by task complexity"),
    VolumeTier(1e7, 1e8, "10-100M tokens a month", "strong case for smaller models"),
    VolumeTier(1e8, math.inf, "over 100M tokens a month", "consider open source or hybrid"),
)


@dataclass(frozen=True)
class Recommendation:
    verdict: str  # two or three sentences: the answer
    tier: VolumeTier
    tier_note: str  # the article's tier placed against the user's volume
    details: tuple[str, ...]  # one line per strategy: cost and saving
    latency: tuple[str, ...]  # only where the catalog has figures
    caveats: tuple[str, ...]


def volume_tier(tokens_per_month: float) -> VolumeTier:
    """The article's tier for a monthly token volume (negative or NaN volumes count as zero)."""
    volume = tokens_per_month if tokens_per_month and tokens_per_month > 0 else 0.0
    for tier in VOLUME_TIERS:
        if tier.low <= volume < tier.high:
            return tier
    return VOLUME_TIERS[-1]


def months_to_reach(volume_now: float, target: float, monthly_rate: float) -> int | None:
    """Months of compound growth until ``volume_now`` reaches ``target`` (0 when already there).

    ``t = ceil(log(target / now) / log(1 + rate))``; None when it is never reached (no growth,
    shrinking volume, or no volume at all). A relative tolerance keeps float noise from
    adding a month: 1000 growing 10% reaches 1331 in exactly 3 months.
    """
    if volume_now >= target:
        return 0
    if volume_now <= 0 or monthly_rate <= 0:
        return None
    exact = math.log(target / volume_now) / math.log1p(monthly_rate)
    return max(1, math.ceil(exact - 1e-9))


def _label(key: str) -> str:
    return STRATEGY_LABELS.get(key, key.replace("_", " ").capitalize())


def _lower(key: str) -> str:
    """A strategy name inside a sentence ("the hybrid routing"), keeping proper nouns' case."""
    return _label(key)[0].lower() + _label(key)[1:]


def _saving_phrase(cost: float, base: float) -> str:
    if base <= 0:
        return ""
    saving = 1.0 - cost / base
    if saving >= 0:
        return f"saves {money(base - cost)} ({percent(saving)})"
    if cost > 2 * base:  # "+2489%" reads worse than "25× flagship only"
        return f"costs {money(cost - base)} more ({tokens(cost / base)}× flagship only)"
    return f"costs {money(cost - base)} more ({percent(-saving)} above flagship only)"


def _self_hosting_sentence(ev: Evaluation) -> str | None:
    info = ev.self_hosted
    costs = ev.monthly_cost_usd
    if info is None or "self_hosted" not in costs:
        return None
    # The realistic alternative to self-hosting is the hybrid when there is one, else the flagship.
    other = next((k for k in ("hybrid", "flagship_only") if k in info.break_even and k in costs), None)
    if other is None:
        return None
    be = info.break_even[other]
    sh, api = costs["self_hosted"], costs[other]
    w, g = ev.scenario.workload, ev.scenario.growth
    volume_now = w.requests_per_month
    unit, scale = ("tokens", w.tokens_per_request) if w.tokens_per_request > 0 else ("requests", 1.0)
    if sh <= api:
        where = (
            f" (break-even at {tokens(be.first_requests_per_month * scale)} {unit} a month)"
            if be.first_requests_per_month
            else ""
        )
        return f"Self-hosting is already cheaper than {_lower(other)}: {money(sh)} against {money(api)} a month{where}."
    if be.first_requests_per_month is None:
        return f"Self-hosting never breaks even against {_lower(other)}: {be.reason}."
    target = be.first_requests_per_month
    if target <= volume_now:
        # between two steps of the staircase: cheaper just below, dearer just above
        sustained = be.sustained_requests_per_month or target
        return (
            f"Self-hosting is close to break-even with {_lower(other)} ({money(sh)} against {money(api)} at this volume); "
            f"it stays cheaper from {tokens(sustained * scale)} {unit} a month."
        )
    head = f"Self-hosting breaks even with {_lower(other)} at {tokens(target * scale)} {unit} a month"
    months = months_to_reach(volume_now, target, g.monthly_rate)
    if months is None:
        return f"{head}, {target / volume_now:.1f}× today's volume" + (
            ", which this volume never reaches without growth." if volume_now > 0 else "."
        )
    calendar = _month_after(ev, months)
    beyond = f", beyond the {g.horizon_months}-month horizon" if months >= g.horizon_months else ""
    return f"{head}, which at {_rate(g.monthly_rate)} growth is reached in month {months + 1} ({calendar}){beyond}."


def _rate(monthly_rate: float) -> str:
    """``0.08 → '8%'``, ``0.075 → '7.5%'`` (a growth rate as people say it)."""
    return f"{monthly_rate * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _month_after(ev: Evaluation, months: int) -> str:
    start = ev.forecast.months[0]
    index = start.year * 12 + start.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _latency_notes(ev: Evaluation, catalog) -> list[str]:
    notes: list[str] = []
    seen: set[str] = set()
    for result in ev.strategies.values():
        for priced in result.models:
            model = priced.model
            if model is None or model.latency is None or model.id in seen:
                continue
            seen.add(model.id)
            lat = model.latency
            parts = []
            if lat.output_tokens_per_s:
                parts.append(f"about {lat.output_tokens_per_s:.0f} output tokens/s")
            if lat.time_to_first_token_s:
                parts.append(f"first token after {lat.time_to_first_token_s:.2g} s")
            if parts:
                host = urlparse(lat.source).netloc or lat.source
                notes.append(f"{model.name}: {', '.join(parts)} ({host}).")
    info = ev.self_hosted
    if info is not None and catalog is not None and info.plan.profile in getattr(catalog, "profiles", {}):
        profile = catalog.profiles[info.plan.profile]
        if profile.latency_target:
            notes.append(f"Self-hosted {profile.name}: throughput measured at {profile.latency_target}.")
    return notes


NOTHING_PRICED = "No strategy could be priced with these settings: fix the messages above."
# A scenario file with a workload and no strategy section: there are no messages to point to
NOTHING_ON = (
    "No strategy is switched on in this scenario: switch one on in the sidebar's strategy boxes "
    "(in a scenario file: add its section, such as flagship_only with its model)."
)


def recommend(ev: Evaluation, catalog=None) -> Recommendation:
    """The verdict for an evaluation; ``catalog`` adds the serving profile's latency target."""
    w = ev.scenario.workload
    tokens_now = float(ev.forecast.tokens[0]) if len(ev.forecast.tokens) else w.requests_per_month * w.tokens_per_request
    tier = volume_tier(tokens_now)
    volume_text = f"{tokens(tokens_now)} tokens a month ({tokens(w.requests_per_month)} requests)"
    tier_note = f"{tokens(tokens_now)} tokens a month falls in the article's “{tier.label}” tier: {tier.advice}."
    costs = ev.monthly_cost_usd
    errors = [f"{_label(k)} could not be priced: {e}" for k, e in ev.errors.items()]
    if not costs:
        return Recommendation(
            verdict=NOTHING_PRICED if errors else NOTHING_ON,
            tier=tier,
            tier_note=tier_note,
            details=(),
            latency=(),
            caveats=tuple(errors),
        )
    base = costs.get("flagship_only")
    cheapest = min(costs, key=lambda k: (costs[k], k != "flagship_only"))
    sentences = []
    if base is not None and cheapest == "flagship_only":
        sentences.append(
            f"At {volume_text}, flagship only is the cheapest option at {money(base)} a month: none of the alternatives saves money at these prices."
        )
    elif base is not None and base > 0:
        sentences.append(
            f"At {volume_text}, {_lower(cheapest)} is the cheapest option at {money(costs[cheapest])} a month, "
            f"saving {money(base - costs[cheapest])} ({percent(1 - costs[cheapest] / base)}) against flagship only."
        )
        if "hybrid" in costs and cheapest != "hybrid":
            sentences.append(f"The hybrid {_saving_phrase(costs['hybrid'], base)}.")
    else:
        sentences.append(f"At {volume_text}, {_lower(cheapest)} is the cheapest option at {money(costs[cheapest])} a month.")
    self_hosting = _self_hosting_sentence(ev)
    if self_hosting:
        sentences.append(self_hosting)

    details = []
    for key, cost in costs.items():
        line = f"{_label(key)}: {money(cost)} a month"
        if base is not None and key != "flagship_only":
            phrase = _saving_phrase(cost, base)
            line += f", {phrase}" if phrase else ""
        details.append(line + ".")
    caveats = list(errors)
    if cheapest != "flagship_only":
        caveats.append(
            "Savings assume the cheaper models are good enough for the traffic they take: compare their answers on your own prompts before switching."
        )
    return Recommendation(
        verdict=" ".join(sentences),
        tier=tier,
        tier_note=tier_note,
        details=tuple(details),
        latency=tuple(_latency_notes(ev, catalog)),
        caveats=tuple(caveats),
    )
