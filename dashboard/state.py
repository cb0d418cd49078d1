"""Widget state ⇄ Scenario, and the tables behind the two data editors. No streamlit here.

The scalar settings are keyed by ``calculators.links.SHORT_KEYS`` (their widgets are views of
them: ``dashboard.inputs``). That table is the one list of
scalar fields: ``widget_values`` reads it to put a scenario into widget state and
``scenario_from_values`` reads it to turn widget state back into a scenario.

Settings of the sections without short keys (the self-hosted + flagship strategy, the
uncertainty ranges, the quality settings) have widgets too, listed in ``PAYLOAD_KEYS`` and read
by the same two functions. Those widgets are not bound to the URL: like the hybrid's routes and
the price overrides, their values reach it in the link's payload ``x`` with the rest of the
scenario (``links.scenario_to_params``), and the YAML download through ``scenario_to_dict``.

What no widget controls (a slot's own reasoning tokens, a custom server's throughput) comes
from the last loaded scenario, the *base*, so loading a file and editing one slider keeps the
rest of the file.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from calculators import clock
from calculators.links import LINK_DEFAULTS, LINK_VERSION, SHORT_KEYS
from calculators.scenario import (
    STRATEGIES,
    UNCERTAIN_INPUTS,
    ModelSlot,
    PriceOverride,
    Quality,
    Scenario,
    SelfHostedMixed,
    Uncertainty,
    parse_scenario,
    scenario_to_dict,
)
from calculators.strategies import REGISTRY
from calculators.uncertainty import INPUT_UNITS
from pricing.catalog import TIERS, Catalog

TOGGLE_KEYS = {key: f"use_{key}" for key in STRATEGIES}  # strategy switched on (the link's "off")
QUALITY_TOGGLE = "use_quality"  # quality-adjusted cost switched on: the scenario has a quality section
FORWARD_DRAFT_KEY = "fwd"
ROUTES_KEY = "routes"  # data_editor of the hybrid's routes
PRICES_KEY = "prices"  # data_editor of the price table
RATES_KEY = "error_rates"  # data_editor of the models' error rates (quality-adjusted cost)
BASE_KEY = "_base"  # the last loaded Scenario
MODEL_KEYS = tuple(
    k for k, (section, f) in SHORT_KEYS.items() if f == "model" or (section == "cascade" and f in ("first", "second"))
)
PRICE_FIELDS = ("input", "cached_input", "cache_write", "output", "batch_discount")

# Widgets of settings without a short key: widget key → (section, field, unit). A dotted field is
# one end of an uncertainty range. Units: "pct" shows a share in percent (the scenario holds the
# fraction); "model" is a model slot's model, "" for none (the section's default model); "value"
# is the scenario's own value. ``None`` (an emptied input) leaves the field out: its default.
RANGE_ENDS = ("low", "high")
PAYLOAD_KEYS: dict[str, tuple[str, str, str]] = {
    "mixed_share": ("self_hosted_mixed", "small_share", "value"),
    "mixed_flagship": ("self_hosted_mixed", "flagship", "model"),
    "mixed_overflow": ("self_hosted_mixed", "overflow_to_api", "value"),
    "mixed_overflow_model": ("self_hosted_mixed", "overflow_model", "model"),
    "unc_draws": ("uncertainty", "draws", "value"),
    "unc_seed": ("uncertainty", "seed", "value"),
    **{
        f"unc_{key}_{end}": ("uncertainty", f"{key}.{end}", "pct" if INPUT_UNITS[key] == "share" else "value")
        for key in UNCERTAIN_INPUTS
        for end in RANGE_ENDS
    },
    "quality_cost": ("quality", "cost_per_error_usd", "value"),
    "quality_miss": ("quality", "cascade_miss_rate", "pct"),
    "quality_self": ("quality", "self_hosted_error_rate", "pct"),
}
# What those widgets show for a section the scenario does not have.
SECTION_DEFAULTS = {"self_hosted_mixed": SelfHostedMixed(), "uncertainty": Uncertainty(), "quality": Quality()}


def range_key(key: str, end: str) -> str:
    """The widget key of one end (``low``/``high``) of an uncertain input's range."""
    return f"unc_{key}_{end}"


@lru_cache(maxsize=4)
def _link_default(today: dt.date) -> Scenario:
    return parse_scenario(copy.deepcopy(LINK_DEFAULTS[LINK_VERSION]), strict=False)[0]


def link_default_scenario() -> Scenario:
    """The scenario of a link without parameters (its start month is next month, so keyed on today)."""
    return _link_default(clock.today())


def _month_text(value: dt.date) -> str:
    return value.strftime("%Y-%m")


def widget_values(scenario: Scenario, catalog: Catalog | None = None) -> dict[str, Any]:
    """Every widget's value for ``scenario``; a strategy that is off keeps the link default's settings
    (so that switching it on starts from something sensible). Model names become catalog ids."""
    fallback = link_default_scenario()
    values: dict[str, Any] = {}
    for short, (section, field) in SHORT_KEYS.items():
        holder = scenario if not section else (getattr(scenario, section) or getattr(fallback, section))
        value = getattr(holder, field)
        if isinstance(value, ModelSlot):
            value = value.model
        if isinstance(value, dt.date):
            value = _month_text(value)
        if short in MODEL_KEYS and catalog is not None:
            value = catalog.resolve(value) or value
        values[short] = value
    values |= {toggle: getattr(scenario, key) is not None for key, toggle in TOGGLE_KEYS.items()}
    values[FORWARD_DRAFT_KEY] = bool(scenario.cascade and scenario.cascade.forward_draft)
    for key, (section, field, unit) in PAYLOAD_KEYS.items():
        holder = getattr(scenario, section) or SECTION_DEFAULTS[section]
        name, _, end = field.partition(".")
        value = getattr(holder, name)
        if end:
            value = None if value is None else getattr(value, end)
        if unit == "model":
            value = "" if value is None else (catalog.resolve(value.model) if catalog is not None else None) or value.model
        elif unit == "pct" and value is not None:
            value = round(value * 100, 8)
        values[key] = value
    values[QUALITY_TOGGLE] = scenario.quality is not None
    return values


def default_values() -> Mapping[str, Any]:
    """The widgets' defaults: the link defaults, so that a default value is left out of the URL.
    (Read-only: shared between calls.)"""
    return _default_values(clock.today())


@lru_cache(maxsize=4)
def _default_values(today: dt.date) -> Mapping[str, Any]:
    return MappingProxyType(widget_values(_link_default(today)))


def scenario_from_values(
    values: Mapping[str, Any],
    base: Scenario,
    routes: list[dict] | None = None,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[Scenario, list[str]]:
    """The scenario the widgets describe, and the problems found (each bad field keeps its default).

    ``routes`` are the hybrid's routes (``None`` keeps the base's), ``overrides`` the price
    overrides (``None`` keeps the base's).
    """
    doc = scenario_to_dict(base)
    defaults = LINK_DEFAULTS[LINK_VERSION]
    for key in STRATEGIES:
        if key in doc or not values.get(TOGGLE_KEYS[key], key in defaults):
            continue
        doc[key] = copy.deepcopy(defaults.get(key, {}))  # switched on: start from the link default
    for short, (section, field) in SHORT_KEYS.items():
        if short not in values:
            continue
        value = values[short]
        holder = doc if not section else doc.setdefault(section, {})
        if section == "cascade" and field in ("first", "second"):
            slot = holder.get(field)
            holder[field] = {**(slot if isinstance(slot, dict) else {}), "model": value}
        elif value is None:
            holder.pop(field, None)
        else:
            holder[field] = value
    if FORWARD_DRAFT_KEY in values and isinstance(doc.get("cascade"), dict):
        doc["cascade"]["forward_draft"] = bool(values[FORWARD_DRAFT_KEY])
    if routes is not None and "hybrid" in doc:
        doc["hybrid"] = {"routes": routes}
    if overrides is not None:
        doc["price_overrides"] = {name: dict(o) for name, o in overrides.items()}
        if not overrides:
            del doc["price_overrides"]
    for key in STRATEGIES:
        if not values.get(TOGGLE_KEYS[key], True):
            doc.pop(key, None)
    _payload_values(doc, values)
    return parse_scenario(doc, strict=False, base=link_default_scenario())


def _payload_values(doc: dict, values: Mapping[str, Any]) -> None:
    """Write the ``PAYLOAD_KEYS`` widgets into the scenario document (in place).

    A strategy's settings apply only while it is switched on; the quality section exists while
    its toggle is on; an uncertainty section that holds nothing but defaults is left out, so
    that the default page's link stays empty.
    """
    if QUALITY_TOGGLE in values:
        if values[QUALITY_TOGGLE]:
            doc.setdefault("quality", {})
        else:
            doc.pop("quality", None)
    if any(PAYLOAD_KEYS[k][0] == "uncertainty" for k in values if k in PAYLOAD_KEYS):
        doc.setdefault("uncertainty", {})
    for key, (section, field, unit) in PAYLOAD_KEYS.items():
        holder = doc.get(section)
        if key not in values or not isinstance(holder, dict):
            continue
        value = values[key]
        name, _, end = field.partition(".")
        if end:
            if not isinstance(holder.get(name), dict):
                holder[name] = {}
            holder, name = holder[name], end
        if value is None or (unit == "model" and value == ""):
            holder.pop(name, None)
        elif unit == "model":
            slot = holder.get(name)
            holder[name] = {**(slot if isinstance(slot, dict) else {}), "model": value}
        else:
            holder[name] = round(value / 100, 12) if unit == "pct" else value
    uncertainty = doc.get("uncertainty")
    if isinstance(uncertainty, dict):
        for key in UNCERTAIN_INPUTS:
            if uncertainty.get(key) == {}:
                del uncertainty[key]  # both ends empty: the default range
        default = Uncertainty()
        if {k: v for k, v in uncertainty.items() if v != getattr(default, k, None)} == {}:
            del doc["uncertainty"]  # nothing but defaults


# ----------------------------------------------------------------------------- hybrid routes

ROUTE_COLUMNS = ("model", "share_pct", "reasoning_tokens")


def routes_frame(scenario: Scenario, catalog: Catalog | None = None) -> pd.DataFrame:
    """The routes editor's table (shares in percent); the link default's routes when the scenario has none."""
    hybrid = scenario.hybrid or link_default_scenario().hybrid
    rows = [
        {
            "model": (catalog.resolve(r.model) if catalog is not None else None) or r.model,
            "share_pct": round(r.share * 100, 6),
            "reasoning_tokens": math.nan if r.reasoning_tokens is None else r.reasoning_tokens,
        }
        for r in hybrid.routes
    ]
    return pd.DataFrame(rows, columns=list(ROUTE_COLUMNS)).astype({"share_pct": float, "reasoning_tokens": float})


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def routes_from_frame(frame: pd.DataFrame) -> list[dict]:
    """Routes for the scenario document; rows without a model are skipped (a half-typed new row)."""
    routes = []
    for row in frame.to_dict("records"):
        model = row.get("model")
        if not isinstance(model, str) or not model.strip():
            continue
        share = _number(row.get("share_pct"))
        route: dict[str, Any] = {"model": model.strip(), "share": 0.0 if share is None else round(share / 100, 8)}
        reasoning = _number(row.get("reasoning_tokens"))
        if reasoning is not None:
            route["reasoning_tokens"] = reasoning
        routes.append(route)
    return routes


def share_total(frame: pd.DataFrame) -> float:
    """Sum of the route shares, in percent."""
    return float(pd.to_numeric(frame["share_pct"], errors="coerce").fillna(0).sum()) if len(frame) else 0.0


def normalized_routes(frame: pd.DataFrame) -> pd.DataFrame:
    """The same routes rescaled to sum to 100% (unchanged when they sum to zero)."""
    out = frame.copy()
    shares = pd.to_numeric(out["share_pct"], errors="coerce").fillna(0.0)
    total = shares.sum()
    if total > 0:
        out["share_pct"] = (shares * 100 / total).round(4)
    return out


# ------------------------------------------------------------------------------- price table


def model_order(catalog: Catalog) -> list[str]:
    """Catalog ids grouped by vendor, then tier (flagship → open), then name."""
    vendors = catalog.vendors

    def key(model_id: str):
        m = catalog.models[model_id]
        vendor = vendors[m.vendor].name if m.vendor in vendors else m.vendor
        return (vendor.lower(), TIERS.index(m.tier) if m.tier in TIERS else len(TIERS), m.name.lower())

    return sorted(catalog.models, key=key)


def price_frame(catalog: Catalog, day: dt.date, overrides: Mapping[str, Any] = ()) -> pd.DataFrame:
    """The price table: every catalog model's prices on ``day`` ($ per 1M tokens), overrides applied,
    plus a row for each model known only from an override. Indexed by model id."""
    overrides = dict(overrides)
    resolved = {catalog.resolve(name) or name: o for name, o in overrides.items()}
    rows = []
    for model_id in model_order(catalog):
        m = catalog.models[model_id]
        entry = m.price_on(day)
        row = {
            "model": model_id,
            "name": m.name,
            "vendor": catalog.vendors[m.vendor].name if m.vendor in catalog.vendors else m.vendor,
            "tier": m.tier,
        }
        override = resolved.get(model_id)
        for f in PRICE_FIELDS:
            value = getattr(override, f, None) if override is not None else None
            value = getattr(entry, f) if value is None else value
            row[f] = math.nan if value is None else value
        row["source"], row["checked"] = entry.source, entry.checked
        rows.append(row)
    for name, override in resolved.items():
        if name in catalog.models:
            continue
        row = {"model": name, "name": name, "vendor": "(not in catalog)", "tier": ""}
        for f in PRICE_FIELDS:
            value = getattr(override, f, None)
            row[f] = math.nan if value is None else value
        row["source"], row["checked"] = "scenario price override", None
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("model")
    return frame.astype(dict.fromkeys(PRICE_FIELDS, float))


def overrides_from_frame(frame: pd.DataFrame, reference: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Price overrides: every price in ``frame`` that differs from ``reference`` (the catalog's
    ``price_frame`` without overrides).

    An emptied cell keeps the catalog's price (an override can only set a price); a model missing
    from ``reference`` keeps every price it has. Vectorized: the table has one row per catalog model
    and is compared on every rerun.
    """
    fields = list(PRICE_FIELDS)
    edited = frame[fields].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    known = reference[fields].reindex(frame.index).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        differs = ~np.isnan(edited) & (np.isnan(known) | (np.abs(edited - known) > 1e-9 * np.maximum(1.0, np.abs(known))))
    overrides: dict[str, dict[str, float]] = {}
    for i, j in zip(*np.nonzero(differs), strict=True):
        overrides.setdefault(str(frame.index[i]), {})[fields[j]] = float(edited[i, j])
    return overrides


def apply_edits(frame: pd.DataFrame, edits: Mapping[str, Any] | None) -> pd.DataFrame:
    """``frame`` with a data editor's pending cell edits applied (``{"edited_rows": {row: {col: value}}}``).

    Row keys are positions (Streamlit sends them as ints, or strings after a JSON round trip);
    edits to unknown rows or columns are ignored.
    """
    out = frame.copy()
    for row, changes in ((edits or {}).get("edited_rows") or {}).items():
        try:
            position = int(row)
        except (TypeError, ValueError):
            continue
        if not 0 <= position < len(out):
            continue
        for column, value in (changes or {}).items():
            if column in out.columns:
                out.iloc[position, out.columns.get_loc(column)] = math.nan if value is None else value
    return out


def fold_price_edits(
    overrides: Mapping[str, Mapping[str, float]], frame: pd.DataFrame, edits: Mapping[str, Any] | None, catalog: Catalog
) -> dict[str, dict[str, float]]:
    """The scenario's price overrides after a data editor's pending cell edits on ``frame`` (the table shown).

    Only an edited cell changes anything: it sets that field's override, even to the catalog's price on the
    first month (an override applies to every dated price and to the long-context tier, where it still
    matters); an emptied cell removes that field's override (the catalog's price applies). Overrides of
    cells nobody edited are kept as they are, under the scenario's own names, so opening, closing or
    re-drawing the table never changes a number or the link. Edits to unknown rows or columns are ignored.
    """
    out = {name: dict(values) for name, values in overrides.items()}
    names = {catalog.resolve(name) or name: name for name in out}  # table rows are model ids
    for row, changes in ((edits or {}).get("edited_rows") or {}).items():
        try:
            position = int(row)
        except (TypeError, ValueError):
            continue
        if not 0 <= position < len(frame):
            continue
        model_id = str(frame.index[position])
        name = names.setdefault(model_id, model_id)
        fields = out.setdefault(name, {})
        for column, value in (changes or {}).items():
            if column not in PRICE_FIELDS:
                continue
            number = float(pd.to_numeric(value, errors="coerce")) if value is not None else math.nan
            if math.isfinite(number):
                fields[column] = number
            else:
                fields.pop(column, None)
        if not fields:
            del out[name]
    return out


def overrides_tuple(overrides: Mapping[str, Mapping[str, float]]) -> tuple[tuple[str, PriceOverride], ...]:
    """Overrides as a scenario stores them (sorted, frozen)."""
    return tuple(sorted((name, PriceOverride(**dict(values))) for name, values in overrides.items()))


# ------------------------------------------------------------------------------ error rates

RATE_COLUMNS = ("used_by", "rate_pct")


def rated_models(scenario: Scenario) -> dict[str, list[str]]:
    """Model → the strategies whose expected errors use its rate (each strategy's ``rated`` in the registry).

    The cascade's first model is not rated (its miss rate is), the self-hosted model has its own
    input; the mixed strategy's flagship is the flagship-only model unless it names its own.
    """
    used: dict[str, list[str]] = {}
    for key in scenario.strategies():
        strategy = REGISTRY[key]
        for model, role in strategy.rated(scenario):
            who = strategy.label.lower() + (f" ({role})" if role else "")
            if model and who not in used.setdefault(model, []):
                used[model].append(who)
    return used


def rates_frame(scenario: Scenario, rates: Mapping[str, float], catalog: Catalog | None = None) -> pd.DataFrame:
    """The error-rate editor's table: the models ``scenario`` uses, then any other model that has a rate.
    ``rate_pct`` in percent, NaN where no rate is given. A rate given under another name of the same
    catalog model (an alias) shows on the scenario's name (and is saved under it)."""

    def same(a: str, b: str) -> bool:
        if a == b:
            return True
        found = catalog.resolve(a) if catalog is not None else None
        return found is not None and found == catalog.resolve(b)

    rows, matched = [], set()
    for model, who in rated_models(scenario).items():
        rate = rates.get(model)
        if rate is None:
            rate = next((r for name, r in rates.items() if same(name, model)), None)
        matched |= {name for name in rates if same(name, model)}
        rows.append({"model": model, "used_by": ", ".join(who), "rate_pct": math.nan if rate is None else round(rate * 100, 8)})
    rows += [
        {"model": m, "used_by": "(not used now)", "rate_pct": round(r * 100, 8)} for m, r in rates.items() if m not in matched
    ]
    return pd.DataFrame(rows, columns=["model", *RATE_COLUMNS]).astype({"rate_pct": float})


def rates_from_frame(frame: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    """Error rates as a ``Quality`` stores them (sorted fractions); rows without a rate are left out."""
    out = {}
    for model, value in zip(frame["model"], pd.to_numeric(frame["rate_pct"], errors="coerce"), strict=True):
        if isinstance(model, str) and math.isfinite(value) and 0 <= value <= 100:
            out[str(model)] = round(float(value) / 100, 12)
    return tuple(sorted(out.items()))
