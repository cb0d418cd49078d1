"""What an imported export's months cost at list price, next to the cost the export reports."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from calculators.costs import tokens_cost
from calculators.prices import PricedModel, UnknownModelError, price_model
from calculators.scenario import PriceOverride
from calculators.usage.importer import UsageImport
from pricing.catalog import Model, PriceEntry

DIFFERENCE_THRESHOLD_PCT = 1.0  # the app points out export-vs-list differences above this


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``"YYYY-MM"``."""
    year, mon = (int(p) for p in month.split("-"))
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


def catalog_id(catalog, raw: str, resolved: Any, model_map: Mapping[str, str] | None) -> str | None:
    if isinstance(resolved, str) and resolved in catalog.models:
        return resolved
    chosen = (model_map or {}).get(raw)
    if chosen is None:
        return None
    return chosen if chosen in catalog.models else catalog.resolve(chosen)


def _entry_weights(model: Model | PricedModel, first: dt.date, last: dt.date) -> list[tuple[PriceEntry, float]]:
    """Price entries in force over [first, last], each with its share of those days."""
    days = (last - first).days + 1
    counts: Counter[int] = Counter()
    entries: dict[int, PriceEntry] = {}
    for offset in range(days):  # at most 31 look-ups per month and model
        entry = model.price_on(first + dt.timedelta(days=offset))
        counts[id(entry)] += 1
        entries[id(entry)] = entry
    return [(entries[k], n / days) for k, n in counts.items()]


def list_price_history(
    usage: UsageImport,
    catalog,
    model_map: Mapping[str, str] | None = None,
    price_overrides: Mapping[str, PriceOverride | Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """What each month's tokens cost at list price, next to the cost the export reports.

    For one month and model with ``I`` input tokens of which ``C`` were cache reads and ``O``
    output tokens, and the price entries ``e`` in force on the month's days covered by the
    export (share ``w_e`` of those days, uniform usage assumed)::

        list_cost = Σ_e w_e · tokens_cost(e, I - C, C, O).total
        difference_pct = (export_cost - list_cost) / list_cost · 100

    Parameters
    ----------
    usage : UsageImport
    catalog : pricing.catalog.Catalog
    model_map : dict, optional
        Raw model string → catalog id (or alias), for models the catalog did not resolve.
    price_overrides : dict, optional
        The scenario's overrides: model name or any alias → ``PriceOverride`` (or a dict of its
        fields) in $ per 1M tokens. Applied exactly as the engine applies them
        (``calculators.prices.price_model``): to every dated catalog entry, field by field, so an
        override of the output price alone keeps the catalog's input price.

    Returns
    -------
    pandas.DataFrame
        Columns ``month, model, catalog_id, list_cost_usd, export_cost_usd, difference_pct``
        (floats; NaN when unknown). A model that cannot be priced gets NaN, never $0
        (``unpriced_models(frame)`` lists them). Cost-only exports have no tokens, so
        their list cost is NaN.

    Notes
    -----
    Cache writes are part of ``input_tokens`` and are priced as plain input (the monthly
    totals do not keep them apart); Anthropic exports with heavy cache writes therefore
    show a list cost slightly below the bill. Long-context tiers cannot be applied to totals.

    Examples
    --------
    GPT-5 at $1.25 in / $0.125 cached / $10 out, 10M input of which 2M cached, 1M output:
    (8·1.25 + 2·0.125 + 1·10) = $20.25; an export reporting $20.45 differs by +0.99%.
    """
    overrides = {k: v if isinstance(v, PriceOverride) else PriceOverride(**v) for k, v in (price_overrides or {}).items()}
    monthly = usage.monthly
    resolved = dict(zip(monthly["model"].tolist(), monthly["catalog_id"].tolist(), strict=True))
    ids = {raw: catalog_id(catalog, raw, found, model_map) for raw, found in resolved.items()}
    rows = [_history_row(usage, catalog, rec, ids[rec["model"]], overrides) for rec in monthly.to_dict(orient="records")]
    return _history_frame(rows)


def _history_row(usage: UsageImport, catalog, rec: Mapping[str, Any], cid: str | None, overrides) -> dict[str, Any]:
    """One month and model: its list cost (NaN without a catalog id or tokens), the export's cost, their difference."""
    export_cost = np.nan if pd.isna(rec["cost_usd"]) else float(rec["cost_usd"])
    list_cost = np.nan
    if cid is None:
        pass  # no list price: NaN, never $0
    elif not usage.cost_only:
        with contextlib.suppress(UnknownModelError):  # two overrides name this model: no list price (the strategies say why)
            list_cost = _month_list_cost(usage, price_model(catalog, cid, overrides), rec)
    diff = (
        (export_cost - list_cost) / list_cost * 100
        if list_cost and not math.isnan(list_cost) and not math.isnan(export_cost)
        else np.nan
    )
    return {
        "month": rec["month"],
        "model": rec["model"],
        "catalog_id": cid,
        "list_cost_usd": list_cost,
        "export_cost_usd": export_cost,
        "difference_pct": diff,
    }


def _month_list_cost(usage: UsageImport, model: PricedModel, rec: Mapping[str, Any]) -> float:
    """``Σ_e w_e · tokens_cost(e, I - C, C, O).total`` over the entries in force on the month's covered days."""
    first, last = month_bounds(rec["month"])
    if usage.period is not None:
        first, last = max(first, usage.period[0]), min(last, usage.period[1])
        if last < first:  # month outside the covered period (cannot happen for imported rows)
            first, last = month_bounds(rec["month"])
    weights = _entry_weights(model, first, last)
    input_, cached, output = (int(rec[k]) for k in ("input_tokens", "cached_input_tokens", "output_tokens"))
    return sum(w * tokens_cost(e, input_ - cached, cached, output).total for e, w in weights)


def _history_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The history rows as a frame with fixed dtypes (strings for the keys, floats for the money), even when empty."""
    frame = pd.DataFrame(rows, columns=["month", "model", "catalog_id", "list_cost_usd", "export_cost_usd", "difference_pct"])
    for name in ("month", "model", "catalog_id"):
        frame[name] = frame[name].astype("string")
    frame["list_cost_usd"] = frame["list_cost_usd"].astype("float64")
    frame["export_cost_usd"] = frame["export_cost_usd"].astype("float64")
    frame["difference_pct"] = frame["difference_pct"].astype("float64")
    return frame


def unpriced_models(history: pd.DataFrame) -> list[str]:
    """The raw models of ``list_price_history``'s frame that have no list price, in first-seen order.

    (Not kept in ``frame.attrs``: pandas deep-copies attrs on every operation, which costs
    seconds with thousands of models.)
    """
    return list(dict.fromkeys(history.loc[history["list_cost_usd"].isna(), "model"].tolist()))
