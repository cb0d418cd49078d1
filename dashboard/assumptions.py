"""What each figure assumes: the formula in words, and the prices behind it with their sources.

Pure (no streamlit): tables as lists of dicts, formulas as Markdown whose only ``$``-free syntax
is inline code, so they render literally.
"""

from __future__ import annotations

from calculators.engine import Evaluation
from calculators.formatting import money, tokens
from calculators.prices import OVERRIDE_SOURCE, UnknownModelError, price_model
from calculators.scenario import STRATEGY_LABELS

API_COST = (
    "Per request, with prices p in USD per 1M tokens: "
    "`cost = (I·(1−c−w)·p_in + I·c·p_cached + I·w·p_write + (O+R)·p_out) / 1e6 · (1 − b·d)` "
    "for I input, O output and R reasoning tokens (billed as output), cached share c, cache-write share w, "
    "batch share b and the model's batch discount d. A month costs `requests × cost`, "
    "with a price that changes mid-month weighted by days."
)
STRATEGY_COST = (
    "Hybrid: `Σ share_i × cost_i` over the routes. Cascade: `cost_first + escalation × cost_second` "
    "(every request pays the first model; the escalated share pays both). "
    "Self-hosted: `replicas × GPUs per replica × USD per GPU-hour × 730 + ops`, with "
    "`replicas = max(minimum, ceil(requests / capacity))` and "
    "`capacity = 730 × 3600 × utilization / peak-to-average / (I / prefill tok/s + (O+R) / decode tok/s)`."
)
FORMULAS = {
    "comparison": API_COST + "\n\n" + STRATEGY_COST + "\n\nSaving: `1 − strategy / flagship only`.",
    "volume": (
        "The same costs at every monthly volume, this month's prices. API strategies are straight lines "
        "(cost ∝ volume); self-hosting is a staircase that steps up by one replica at each multiple of a "
        "replica's capacity. Break-even: the first volume where the staircase meets the API line; "
        "'stays cheaper': the volume from which every further step stays below it.\n\n" + STRATEGY_COST
    ),
    "forecast": (
        "Requests in month t: `requests × (1 + growth)^t`; each month priced with the prices in force "
        "that month (dated price changes are marked ▼). Cumulative: the running sum. "
        "Self-hosting 'cheaper than' marks the first month its monthly cost is below the other strategy's; "
        "'pays back' the first month its running total is.\n\n" + API_COST
    ),
    "breakdown": API_COST + "\n\n" + STRATEGY_COST,
}


def _price(value: float | None) -> float | None:
    return None if value is None else float(value)


def prices_used(ev: Evaluation) -> list[dict]:
    """One row per (strategy, model): the prices of the first forecast month and where they come from."""
    day = ev.forecast.months[0]
    rows = []
    for key, result in ev.strategies.items():
        for priced in result.models:
            entry = priced.price_on(day)
            rows.append(
                {
                    "strategy": STRATEGY_LABELS.get(key, key),
                    "model": priced.display_name + (" ✎" if priced.overridden else ""),
                    "input": _price(entry.input),
                    "cached input": _price(entry.cached_input),
                    "cache write": _price(entry.cache_write),
                    "output": _price(entry.output),
                    "batch discount": _price(entry.batch_discount),
                    "source": entry.source if entry.source != OVERRIDE_SOURCE else None,
                    "checked": None if entry.source == OVERRIDE_SOURCE else entry.checked,
                    "note": "price overridden in this scenario" if priced.overridden else entry.note,
                }
            )
    return rows


def _server_row(setting: str, value: str, source: tuple = (None, None), note: str = "") -> dict:
    """One row of the server table; ``source``: (URL, checked date) of a catalog value, (None, None) for a setting."""
    return {"setting": setting, "value": value, "source": source[0], "checked": source[1], "note": note}


def server_assumptions(ev: Evaluation, catalog) -> list[dict]:
    """The self-hosted server as sized: profile, GPU price, throughput, capacity, with sources."""
    info = ev.self_hosted
    if info is None:
        return []
    plan = info.plan
    profile = catalog.profiles.get(plan.profile) if plan.profile else None
    offer = catalog.offers.get(profile.default_offer) if profile else None
    from_offer = offer and ev.scenario.self_hosted.gpu_hour_usd is None
    gpu_source = (offer.source, offer.checked) if from_offer else (None, None)
    gpu_note = f"{offer.provider} list price" if from_offer else "set in this scenario"
    profiled = (profile.source, profile.checked) if profile else (None, None)
    capacity = info.capacity_per_replica
    capacity_tokens = capacity * ev.scenario.workload.tokens_per_request
    return [
        _server_row("Serving profile", plan.profile_name, profiled, profile.latency_target if profile else ""),
        _server_row("GPUs per replica", str(plan.gpus_per_replica), profiled, profile.gpu if profile else ""),
        _server_row("GPU price", f"{money(plan.gpu_hour_usd)} per GPU-hour", gpu_source, gpu_note),
        _server_row("Prefill throughput", f"{tokens(plan.prefill_tokens_per_s)} tokens/s per replica", profiled),
        _server_row("Decode throughput", f"{tokens(plan.decode_tokens_per_s)} tokens/s per replica", profiled),
        _server_row("Utilization", f"{plan.utilization:.0%}", note="share of peak capacity you plan to use"),
        _server_row("Peak-to-average", f"{plan.peak_to_average:g}×", note="the fleet is sized for the peak"),
        _server_row("Minimum replicas", str(plan.min_replicas), note="e.g. 2 for high availability"),
        _server_row("Operations", f"{money(plan.ops_usd_per_month)} a month", note="engineering time, monitoring"),
        _server_row(
            "Capacity per replica",
            f"{tokens(capacity)} requests a month ({tokens(capacity_tokens)} tokens)",
            note=f"costs {money(plan.replica_usd_per_month)} a month",
        ),
    ]


def model_caption(catalog, name: str, day, overrides: dict) -> str:
    """One line under a model picker: name, vendor and tier, price per 1M tokens, override and retirement.

    The price is the engine's (``prices.price_model``): an override keyed by any alias of the model applies.
    """
    try:
        priced = price_model(catalog, name, overrides)
    except UnknownModelError:
        return f"{name} is not in the price catalog: pick another model or give its prices in the price table"
    entry = priced.price_on(day)
    if priced.model is None:
        return f"{name}: not in the catalog, priced from this scenario: ${entry.input:g} in / ${entry.output:g} out per 1M ✎"
    model = priced.model
    vendor = catalog.vendors[model.vendor].name if model.vendor in catalog.vendors else model.vendor
    text = f"{model.name} · {vendor} {model.tier} · ${entry.input:g} in / ${entry.output:g} out per 1M"
    if priced.overridden:
        text += " ✎ overridden"
    lifecycle = model.lifecycle_note()
    if lifecycle:
        text += f" · {lifecycle}"
    return text
