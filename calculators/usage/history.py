"""What the dashboard does with an imported export: list-price history and a starting workload."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from calculators.costs import tokens_cost
from calculators.prices import PricedModel, price_model
from calculators.scenario import PriceOverride
from calculators.usage.importer import UsageImport
from pricing.catalog import Model, PriceEntry

DIFFERENCE_THRESHOLD_PCT = 1.0  # the app points out export-vs-list differences above this


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``"YYYY-MM"``."""
    year, mon = (int(p) for p in month.split("-"))
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


def _catalog_id(catalog, raw: str, resolved: Any, model_map: Mapping[str, str] | None) -> str | None:
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
        (floats; NaN when unknown). A model that cannot be priced gets NaN, never $0, and is
        listed in ``frame.attrs["unpriced_models"]``. Cost-only exports have no tokens, so
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
    rows = []
    unpriced: list[str] = []
    for rec in usage.monthly.to_dict(orient="records"):
        raw = rec["model"]
        cid = _catalog_id(catalog, raw, rec["catalog_id"], model_map)
        export_cost = np.nan if pd.isna(rec["cost_usd"]) else float(rec["cost_usd"])
        list_cost = np.nan
        if cid is None:
            if raw not in unpriced:
                unpriced.append(raw)
        elif not usage.cost_only:
            first, last = _month_bounds(rec["month"])
            if usage.period is not None:
                first, last = max(first, usage.period[0]), min(last, usage.period[1])
                if last < first:  # month outside the covered period (cannot happen for imported rows)
                    first, last = _month_bounds(rec["month"])
            weights = _entry_weights(price_model(catalog, cid, overrides), first, last)
            input_, cached, output = (int(rec[k]) for k in ("input_tokens", "cached_input_tokens", "output_tokens"))
            list_cost = sum(w * tokens_cost(e, input_ - cached, cached, output).total for e, w in weights)
        diff = (
            (export_cost - list_cost) / list_cost * 100
            if list_cost and not math.isnan(list_cost) and not math.isnan(export_cost)
            else np.nan
        )
        rows.append(
            {
                "month": rec["month"],
                "model": raw,
                "catalog_id": cid,
                "list_cost_usd": list_cost,
                "export_cost_usd": export_cost,
                "difference_pct": diff,
            }
        )
    frame = pd.DataFrame(rows, columns=["month", "model", "catalog_id", "list_cost_usd", "export_cost_usd", "difference_pct"])
    for name in ("month", "model", "catalog_id"):
        frame[name] = frame[name].astype("string")
    frame["list_cost_usd"] = frame["list_cost_usd"].astype("float64")
    frame["export_cost_usd"] = frame["export_cost_usd"].astype("float64")
    frame["difference_pct"] = frame["difference_pct"].astype("float64")
    frame.attrs["unpriced_models"] = unpriced
    return frame


# ------------------------------------------------------------------ workload


def full_months(usage: UsageImport) -> list[str]:
    """Months (``YYYY-MM``) with data whose every day lies inside the export's covered period."""
    if usage.period is None:
        return []
    start, end = usage.period
    months = sorted(set(usage.monthly["month"].tolist()))
    return [m for m in months if start <= _month_bounds(m)[0] and _month_bounds(m)[1] <= end]


def _covered_days(month: str, period: tuple[dt.date, dt.date]) -> int:
    first, last = _month_bounds(month)
    return max(0, (min(last, period[1]) - max(first, period[0])).days + 1)


def _exact_shares(weights: Mapping[str, float]) -> list[dict[str, Any]]:
    """Shares, largest first, rounded to 4 decimals, that ``sum()`` to exactly 1.0.

    The last share is ``1.0 - sum(the others)``: for a partial sum S in [0, 1] the float
    ``S + (1.0 - S)`` is exactly 1.0, whereas no value of the first share can always repair
    a left-to-right sum. Should rounding leave the last (smallest) share negative (many tiny
    routes), unrounded shares are used instead.
    """
    total = sum(weights.values())
    items = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    for digits in (4, None):
        shares = [w / total if digits is None else round(w / total, digits) for _, w in items]
        shares[-1] = 1.0 - sum(shares[:-1])
        if digits is not None and sum([*shares[:-1], round(shares[-1], digits)]) == 1.0:
            shares[-1] = round(shares[-1], digits)  # the tidy value when it still sums exactly
        if shares[-1] >= 0:
            break
    shares[-1] = max(shares[-1], 0.0)
    return [{"model": k, "share": s} for (k, _), s in zip(items, shares, strict=True)]


def _growth(usage: UsageImport, months: list[str]) -> tuple[dict | None, str]:
    """OLS of log(monthly total) on the month index: rate = exp(slope) − 1."""
    frame = usage.monthly
    if usage.cost_only:
        totals = frame.groupby("month")["cost_usd"].sum()
        what = "spend"
    else:
        totals = (frame["input_tokens"] + frame["output_tokens"]).groupby(frame["month"]).sum()
        what = "tokens"
    points = [(m, float(totals[m])) for m in months if m in totals.index and float(totals[m]) > 0]
    if len(points) < 2:
        return None, f"growth not fitted: {len(points)} full month(s) with usage, at least 2 needed"
    x = np.array([int(m[:4]) * 12 + int(m[5:]) - 1 for m, _ in points], dtype=float)
    y = np.log([v for _, v in points])
    slope = np.polyfit(x, y, 1)[0]
    rate = float(math.exp(slope) - 1)
    note = f"log-linear least squares over {len(points)} full months, {points[0][0]}..{points[-1][0]}: {rate:+.1%}/month (monthly total {what})"
    return {"monthly_rate": round(rate, 6)}, note


def workload_from_usage(usage: UsageImport, model_map: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A partial scenario document ("Start the forecast from my usage") from an import.

    The workload comes from the **last full month** (every day of it inside the export's
    covered period; a partial last month is passed over for the one before). An export with
    no full month uses its best-covered month, totals scaled to a whole month (uniform use
    assumed; said in ``notes``). With ``R``
    requests, ``I`` input tokens (cached included), ``C`` cache reads, ``O`` output tokens in
    that month::

        workload.requests_per_month = R
        workload.input_tokens       = I / R     (average per request)
        workload.output_tokens      = O / R     (reasoning included, so reasoning_tokens = 0)
        workload.cached_input_share = C / I
        hybrid.routes[m].share      = R_m / R   (by tokens when requests are unknown)
        growth.monthly_rate         = exp(b) − 1, b the OLS slope of log(total tokens) on month

    Returns
    -------
    dict
        ``{"workload": {...}, "hybrid": {"routes": [{"model", "share"}]}, "growth":
        {"monthly_rate"} or None, "fit_note": str, "source_month": "YYYY-MM" or None,
        "totals": {...}, "notes": [...]}``. Route models are catalog ids (through the import's
        resolution or ``model_map``); unresolved models are left out of the routes and named
        in ``notes``; shares sum to exactly 1. When the export has no request count,
        ``requests_per_month`` and the per-request averages are left out (totals are given).
        Growth needs at least 2 full months; otherwise ``growth`` is None and ``fit_note``
        says why.

    Examples
    --------
    Full months 2026-01 (1M tokens) and 2026-02 (1.1M tokens): slope = log(1.1), growth
    +10.0%/month; a 2026-03 covering only 14 days is not used.
    """
    notes: list[str] = []
    months_full = full_months(usage)
    months_all = sorted(set(usage.monthly["month"].tolist()))
    if months_full:
        source = months_full[-1]
        if months_all and months_all[-1] != source:
            notes.append(f"workload from {source}, the last full month ({months_all[-1]} is partial)")
        else:
            notes.append(f"workload from {source}, the last full month")
    else:
        source = None
    scale = 1.0
    if source is None and months_all and usage.period is not None:
        # No complete month: take the best-covered one (the later on ties) and scale its
        # totals to a whole month, assuming uniform use over the month.
        covered = {m: _covered_days(m, usage.period) for m in months_all}
        source = max(months_all, key=lambda m: (covered[m], m))
        days = _month_bounds(source)[1].day
        scale = days / max(covered[source], 1)
        notes.append(
            f"no full month in the export: workload from {source}, covered {covered[source]} of {days} days, "
            f"totals scaled x{scale:.2f} to a whole month"
        )

    growth, fit_note = _growth(usage, months_full)
    doc: dict[str, Any] = {"workload": {}, "hybrid": {"routes": []}, "growth": growth, "fit_note": fit_note}
    doc["source_month"] = source
    doc["notes"] = notes
    if source is None:
        return doc
    rows = usage.monthly[usage.monthly["month"] == source]
    if usage.cost_only:
        notes.append("cost-only export: no token counts, so no workload; growth is fitted on monthly spend")
        doc["totals"] = {"cost_usd": float(rows["cost_usd"].sum()) * scale}
        return doc

    input_total = round(int(rows["input_tokens"].sum()) * scale)
    cached_total = round(int(rows["cached_input_tokens"].sum()) * scale)
    output_total = round(int(rows["output_tokens"].sum()) * scale)
    requests_known = not rows["requests"].isna().any()
    request_total = round(int(rows["requests"].sum()) * scale) if requests_known else None
    doc["totals"] = {
        "input_tokens": input_total,
        "cached_input_tokens": cached_total,
        "output_tokens": output_total,
        "requests": request_total,
    }
    workload: dict[str, Any] = {}
    if requests_known and request_total:
        workload["requests_per_month"] = request_total
        workload["input_tokens"] = round(input_total / request_total, 1)
        workload["output_tokens"] = round(output_total / request_total, 1)
    else:
        notes.append(
            "the export has no request count: requests_per_month and per-request token averages left out; enter your request count"
        )
    workload["reasoning_tokens"] = 0  # exports report reasoning inside output_tokens
    workload["cached_input_share"] = round(cached_total / input_total, 4) if input_total else 0.0
    doc["workload"] = workload

    weights: dict[str, float] = {}
    left_out: list[str] = []
    for rec in rows.to_dict(orient="records"):
        cid = rec["catalog_id"] if isinstance(rec["catalog_id"], str) else (model_map or {}).get(rec["model"])
        weight = float(rec["requests"]) if requests_known else float(rec["input_tokens"] + rec["output_tokens"])
        if cid is None:
            left_out.append(rec["model"])
        elif weight > 0:
            weights[cid] = weights.get(cid, 0.0) + weight
    if not requests_known:
        notes.append("route shares are shares of tokens (the export has no request count)")
    if left_out:
        notes.append(f"not in the price catalog, left out of the routes: {', '.join(sorted(left_out))}")
    if weights:
        doc["hybrid"]["routes"] = _exact_shares(weights)
    return doc
