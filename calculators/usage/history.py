"""What the dashboard does with an imported export: the starting workload and the growth fitted to its months.

The list-price history lives in ``calculators.usage.list_price``; its names are also importable from here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from calculators.scenario import TOKEN_BLOCK
from calculators.usage.importer import UNKNOWN_MODEL, UsageImport
from calculators.usage.list_price import (  # noqa: F401 - re-exported: the list-price history's former home
    DIFFERENCE_THRESHOLD_PCT,
    catalog_id,
    list_price_history,
    month_bounds,
    unpriced_models,
)

# ------------------------------------------------------------------ workload

FULL_MONTH_MISSING_DAYS = 3  # a month whose covered span misses at most this many days is full
GROWTH_MIN_MONTHS = 3  # growth is fitted from at least this many full months
GROWTH_BOUNDS = (-0.99, 1.0)  # the scenario's bounds on growth.monthly_rate
MAX_ROUTES = 12  # the scenario's cap on hybrid routes
TOKEN_UNIT = TOKEN_BLOCK  # without request counts, the volume is counted in blocks of this many tokens
FULL_MONTH_RULE = (
    f"a month is full when the export covers all but at most {FULL_MONTH_MISSING_DAYS} of its days (from its first "
    "to its last day with data, a bucketed export's last bucket end included), or when its rows are monthly totals "
    "(every row dated the 1st at 00:00, as the warehouse SQL writes them); a full month missing a day or more is "
    "scaled to the whole month"
)
# Two-sided 95% Student t quantiles by degrees of freedom (n - 2 for a line through n months).
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def month_coverage(usage: UsageImport) -> dict[str, int]:
    """Days of each month with data the export covers (see ``FULL_MONTH_RULE``)."""
    months = sorted(set(usage.monthly["month"].tolist()))
    if usage.monthly_rows:
        return {m: month_bounds(m)[1].day for m in months}
    if usage.period is None:
        return dict.fromkeys(months, 0)
    return {m: _covered_days(m, usage.period) for m in months}


def full_months(usage: UsageImport) -> list[str]:
    """Months (``YYYY-MM``) that count as full under ``FULL_MONTH_RULE``."""
    coverage = month_coverage(usage)
    return [m for m, days in coverage.items() if days >= month_bounds(m)[1].day - FULL_MONTH_MISSING_DAYS]


def _covered_days(month: str, period: tuple[dt.date, dt.date]) -> int:
    first, last = month_bounds(month)
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


def capped_routes(weights: Mapping[str, float], cap: int = MAX_ROUTES) -> tuple[dict[str, float], str | None]:
    """At most ``cap`` routes: the top ``cap - 1`` models, and the largest of the rest carrying all the rest.

    Returns the weights and, when models were merged, a note naming what the last route carries.

    >>> capped_routes({"a": 5, "b": 3, "c": 1, "d": 1}, cap=3)
    ({'a': 5, 'b': 3, 'c': 2}, "route 'c' also carries 1 smaller model(s) (10.0% of the volume): d")
    """
    if len(weights) <= cap:
        return dict(weights), None
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = dict(ranked[: cap - 1])
    rest = ranked[cap - 1 :]
    carrier = rest[0][0]
    kept[carrier] = sum(w for _, w in rest)
    total = sum(weights.values())
    merged = [m for m, _ in rest[1:]]
    shown = ", ".join(merged[:5]) + (f" and {len(merged) - 5} more" if len(merged) > 5 else "")
    share = sum(w for _, w in rest[1:]) / total if total else 0.0
    return kept, f"route {carrier!r} also carries {len(merged)} smaller model(s) ({share:.1%} of the volume): {shown}"


def _log_linear_growth(months: list[str], totals: list[float]) -> tuple[float, float, float]:
    """The monthly rate ``exp(b) − 1`` of the OLS slope ``b`` of log(total) on the month index, and its 95% range.

    The range is ``exp(b ± t·se) − 1`` with Student's t at n − 2 degrees of freedom (n ≥ 3 months).
    """
    x = np.array([int(m[:4]) * 12 + int(m[5:]) - 1 for m in months], dtype=float)
    y = np.log(totals)
    slope, intercept = np.polyfit(x, y, 1, full=False)
    fitted = slope * x + intercept
    dof = len(months) - 2
    se = math.sqrt(float(np.sum((y - fitted) ** 2)) / dof / float(np.sum((x - x.mean()) ** 2)))
    t = _T95.get(dof, 2.0 if dof < 30 else 1.96)
    rate, low, high = (math.exp(v) - 1 for v in (slope, slope - t * se, slope + t * se))
    return rate, low, high


def fit_growth(usage: UsageImport, months: list[str], scale: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Monthly growth from the full months: OLS of log(monthly total) on the month index.

    ``rate = exp(b) − 1`` for the slope ``b``; the range is the 95% interval of the slope
    (Student t with n − 2 degrees of freedom), ``exp(b ± t·se) − 1``. Needs at least
    ``GROWTH_MIN_MONTHS`` consecutive-or-not full months with usage; the rate is clamped into
    ``GROWTH_BOUNDS`` (the scenario's) and the clamp is said in ``note``.

    Returns ``{"rate", "low", "high", "months", "clamped", "note"}`` (rates None when not fitted).

    >>> from types import SimpleNamespace
    >>> frame = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03"], "input_tokens": [1000, 1100, 1210],
    ...                       "output_tokens": [0, 0, 0], "cost_usd": [None] * 3})
    >>> fit = fit_growth(SimpleNamespace(monthly=frame, cost_only=False), ["2026-01", "2026-02", "2026-03"])
    >>> round(fit["rate"], 6), fit["low"] == fit["high"] == round(fit["rate"], 6)
    (0.1, True)
    """
    frame = usage.monthly
    if usage.cost_only:
        totals = frame.groupby("month")["cost_usd"].sum()
        what = "spend"
    else:
        totals = (frame["input_tokens"] + frame["output_tokens"]).groupby(frame["month"]).sum()
        what = "tokens"
    points = [(m, float(totals[m]) * (scale or {}).get(m, 1.0)) for m in months if m in totals.index and float(totals[m]) > 0]
    used = [m for m, _ in points]
    if len(points) < GROWTH_MIN_MONTHS:
        return {
            "rate": None,
            "low": None,
            "high": None,
            "months": used,
            "clamped": False,
            "note": f"growth not fitted: {len(points)} full month(s) with usage, at least {GROWTH_MIN_MONTHS} needed",
        }
    rate, low, high = _log_linear_growth(used, [v for _, v in points])
    lo_bound, hi_bound = GROWTH_BOUNDS
    clamped = not (lo_bound <= rate <= hi_bound)
    applied = min(max(rate, lo_bound), hi_bound)
    note = (
        f"growth fitted over {len(used)} full months ({used[0]}..{used[-1]}, monthly {what}, log-linear least squares): "
        f"{rate:+.1%}/month, 95% range {low:+.1%} to {high:+.1%}"
    )
    if clamped:
        note += f"; outside the scenario's bounds ({lo_bound:+.0%} to {hi_bound:+.0%}/month), so {applied:+.0%}/month is offered"
    return {
        "rate": round(applied, 6),
        "fitted_rate": round(rate, 6),
        "low": round(low, 6),
        "high": round(high, 6),
        "months": used,
        "clamped": clamped,
        "note": note,
    }


def _priced_models(usage: UsageImport, catalog, model_map: Mapping[str, str] | None, month: str) -> dict[str, str]:
    """Raw model → catalog id for the models of ``month`` that have a list price (mapped ones included)."""
    out: dict[str, str] = {}
    rows = usage.monthly[usage.monthly["month"] == month]
    for rec in rows.to_dict(orient="records"):
        raw = rec["model"]
        if raw == UNKNOWN_MODEL or raw in usage.other_charges:
            continue
        if catalog is None:
            cid = rec["catalog_id"] if isinstance(rec["catalog_id"], str) else (model_map or {}).get(raw)
        else:
            cid = catalog_id(catalog, raw, rec["catalog_id"], model_map)
        if cid is not None:
            out[raw] = cid
    return out


def workload_from_usage(
    usage: UsageImport, model_map: Mapping[str, str] | None = None, catalog=None, month: str | None = None
) -> dict[str, Any]:
    """A partial scenario document ("Start the forecast from my usage") from an import.

    The workload month is the **last full month** (``FULL_MONTH_RULE``); an export with no
    full month uses its best-covered month. A month covering ``d`` of its ``D`` days has its
    totals scaled by ``D / d`` (uniform use assumed; said in ``notes``). Only **priced** usage
    enters the workload (models the catalog resolves, or that ``model_map`` maps); unpriced
    models, "(unknown model)" rows and non-token charges are reported apart in ``unpriced``
    and ``other_charges`` and left out of both sides of every comparison. With ``R``
    requests, ``I`` input tokens (cached included), ``C`` cache reads, ``O`` output tokens::

        requests known:   requests_per_month = R, input_tokens = I / R, output_tokens = O / R
        requests unknown: the volume is counted in units of 1,000 tokens (never an invented
                          request size): requests_per_month = (I + O) / 1000,
                          input_tokens = 1000 · I / (I + O), output_tokens = 1000 · O / (I + O)
        cached_input_share = C / I;  hybrid.routes[m].share = R_m / R (tokens when R unknown)

    Returns
    -------
    dict
        ``{"source_month", "rule", "volume_unit": "requests" | "tokens", "workload" (scenario
        section), "hybrid": {"routes"}, "growth": {"monthly_rate"} | None, "growth_fit",
        "fit_note", "totals" (priced part of the month, scaled), "summary" (the CLI's workload
        object), "unpriced", "other_charges", "notes"}``. Growth is never applied silently: the
        caller offers ``growth`` for the user to confirm.

    ``month`` imposes the workload month (a feature's workload is taken in its export's month,
    ``calculators.usage.features``), even one without usage (then there is no workload).

    Examples
    --------
    Full months 2026-01..03 with 1M, 1.1M, 1.21M tokens: growth +10.0%/month; a 2026-04
    covering only 14 days is not the workload month.
    """
    notes: list[str] = []
    coverage = month_coverage(usage)
    months_full = full_months(usage)
    source = _workload_month(usage, month, coverage, months_full, notes)
    scale_of = {m: month_bounds(m)[1].day / max(days, 1) for m, days in coverage.items()}
    growth_fit = fit_growth(usage, months_full, scale_of)
    doc = _starting_doc(source, growth_fit, notes)
    if source is None:
        return doc
    scale = scale_of[source]
    doc["scale"] = scale
    if scale != 1.0:
        notes.append(
            f"{source}: the export covers {coverage[source]} of its {month_bounds(source)[1].day} days; "
            f"totals scaled x{scale:.2f} to the whole month"
        )
    rows = usage.monthly[usage.monthly["month"] == source]
    doc["other_charges"] = _other_charges_part(rows[rows["model"].isin(usage.other_charges)], scale)
    if usage.cost_only:
        notes.append("cost-only export: no token counts, so no workload; growth is fitted on monthly spend")
        doc["totals"] = {"cost_usd": float(rows["cost_usd"].sum()) * scale}
        return doc
    _add_priced_workload(doc, rows[~rows["model"].isin(usage.other_charges)], _priced_models(usage, catalog, model_map, source))
    return doc


def _starting_doc(source: str | None, growth_fit: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """The document before the month's rows are read: no workload, no routes, the growth fit offered (not applied)."""
    return {
        "source_month": source,
        "rule": FULL_MONTH_RULE,
        "volume_unit": "requests",
        "workload": {},
        "hybrid": {"routes": []},
        "growth": None if growth_fit["rate"] is None else {"monthly_rate": growth_fit["rate"]},
        "growth_fit": growth_fit,
        "fit_note": growth_fit["note"],
        "notes": notes,
        "summary": None,
        "unpriced": None,
        "other_charges": None,
    }


def _other_charges_part(other: pd.DataFrame, scale: float) -> dict[str, Any] | None:
    """The month's non-token charges (names and scaled cost), or None when it has none."""
    if not len(other):
        return None
    return {
        "charges": sorted(other["model"].tolist()),
        "cost_usd": None if other["cost_usd"].isna().all() else float(other["cost_usd"].sum()) * scale,
    }


def _workload_month(
    usage: UsageImport, month: str | None, coverage: dict[str, int], months_full: list[str], notes: list[str]
) -> str | None:
    """The month the workload is taken from: the one imposed, else the last full month, else the best-covered.

    An imposed month without usage is added to ``coverage`` (with the days the export covers of it).
    """
    months_all = sorted(coverage)
    if month is not None:
        if month not in coverage:
            days = month_bounds(month)[1].day
            coverage[month] = days if usage.monthly_rows else (_covered_days(month, usage.period) if usage.period else days)
        notes.append(f"workload from {month}, the export's workload month")
        return month
    if months_full:
        source = months_full[-1]
        later = [m for m in months_all if m > source]
        notes.append(f"workload from {source}, the last full month" + (f" ({later[-1]} is partial)" if later else ""))
        return source
    if months_all:
        source = max(months_all, key=lambda m: (coverage[m], m))
        notes.append(f"no full month in the export: workload from {source}, the best-covered month")
        return source
    return None


def _add_priced_workload(doc: dict[str, Any], tokens_rows: pd.DataFrame, priced: dict[str, str]) -> None:
    """Fill ``doc`` from the month's token rows: priced totals and summary, the unpriced part, workload, routes."""
    source, scale, notes = doc["source_month"], doc["scale"], doc["notes"]
    in_priced = tokens_rows["model"].isin(list(priced))
    p = tokens_rows[in_priced]
    u = tokens_rows[~in_priced]
    requests_known = len(tokens_rows) > 0 and not tokens_rows["requests"].isna().any()

    def total(frame: pd.DataFrame, column: str) -> int:
        return round(int(frame[column].sum()) * scale)

    input_total, cached_total, output_total = (total(p, c) for c in ("input_tokens", "cached_input_tokens", "output_tokens"))
    request_total = total(p, "requests") if requests_known else None
    doc["totals"] = {
        "input_tokens": input_total,
        "cached_input_tokens": cached_total,
        "output_tokens": output_total,
        "requests": request_total,
    }
    doc["summary"] = {
        "month": source,
        "tokens_per_month": input_total + output_total,
        "input_tokens": input_total,
        "output_tokens": output_total,
        "cached_input_tokens": cached_total,
        "requests_per_month": request_total,
    }
    if len(u):
        doc["unpriced"] = _unpriced_part(u, tokens_rows, requests_known, scale)
        notes.append(_unpriced_note(doc["unpriced"], source))
    if not input_total + output_total:
        doc["summary"] = None
        notes.append(f"no priced usage in {source}: map its models to catalog models to get a workload")
        return
    by_requests = bool(requests_known and request_total)
    doc["workload"] = _workload_section(doc, input_total, cached_total, output_total, request_total, requests_known)
    weights: dict[str, float] = {}
    for rec in p.to_dict(orient="records"):
        weight = float(rec["requests"]) if by_requests else float(rec["input_tokens"] + rec["output_tokens"])
        if weight > 0:
            weights[priced[rec["model"]]] = weights.get(priced[rec["model"]], 0.0) + weight
    if not by_requests:
        notes.append("route shares are shares of tokens" + ("" if requests_known else " (the export has no request count)"))
    if weights:
        capped, merged_note = capped_routes(weights)
        if merged_note:
            notes.append(f"the hybrid allows {MAX_ROUTES} routes: {merged_note}")
        doc["hybrid"]["routes"] = _exact_shares(capped)


def _unpriced_part(u: pd.DataFrame, tokens_rows: pd.DataFrame, requests_known: bool, scale: float) -> dict[str, Any]:
    """The models without a list price: their names, share of the month's tokens and requests, and cost."""
    all_tokens = float((tokens_rows["input_tokens"] + tokens_rows["output_tokens"]).sum())
    u_tokens = float((u["input_tokens"] + u["output_tokens"]).sum())
    all_requests = float(tokens_rows["requests"].sum()) if requests_known else None
    return {
        "models": sorted(u["model"].tolist()),
        "token_share": u_tokens / all_tokens if all_tokens else 0.0,
        "request_share": (float(u["requests"].sum()) / all_requests) if requests_known and all_requests else None,
        "cost_usd": None if u["cost_usd"].isna().all() else float(u["cost_usd"].sum()) * scale,
    }


def _unpriced_note(unpriced: dict[str, Any], source: str) -> str:
    """Says which models are left out until mapped (the first five named) and their share of the tokens."""
    names = unpriced["models"]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (
        f"without a list price, left out of the workload and of both sides of every comparison until mapped "
        f"({unpriced['token_share']:.1%} of {source}'s tokens): {shown}"
    )


def _workload_section(
    doc: dict[str, Any], input_total: int, cached_total: int, output_total: int, request_total: int | None, requests_known: bool
) -> dict[str, Any]:
    """The scenario's workload section: per request when requests are known, else in blocks of ``TOKEN_UNIT`` tokens.

    Counting in tokens sets ``doc["volume_unit"]``; each choice is said in ``doc["notes"]``.
    """
    source, notes = doc["source_month"], doc["notes"]
    tokens_total = input_total + output_total
    workload: dict[str, Any] = {}
    if requests_known and request_total:
        workload["requests_per_month"] = request_total
        workload["input_tokens"] = round(input_total / request_total, 1)
        workload["output_tokens"] = round(output_total / request_total, 1)
    elif requests_known:
        notes.append(f"the export reports 0 requests for the priced models in {source}: the volume is counted in tokens instead")
    else:
        notes.append("the export has no request count: the forecast works in tokens")
    if "requests_per_month" not in workload:
        doc["volume_unit"] = "tokens"
        workload["requests_per_month"] = tokens_total / TOKEN_UNIT
        workload["input_tokens"] = round(TOKEN_UNIT * input_total / tokens_total, 4)
        workload["output_tokens"] = round(TOKEN_UNIT - workload["input_tokens"], 4)
        notes.append(
            f"volume: {tokens_total:,} tokens a month, counted in tokens (the scenario's volume unit: blocks of "
            f"{TOKEN_UNIT:,} tokens with the export's input/output mix; no request size is invented)"
        )
    workload["reasoning_tokens"] = 0  # exports report reasoning inside output_tokens
    workload["cached_input_share"] = round(cached_total / input_total, 4) if input_total else 0.0
    return workload
