"""Workloads from an export's feature column: one workload per feature, a portfolio from them.

An export that names what each row was for (a Langfuse trace name, a LiteLLM tag, team or key
alias, a Helicone custom property, an OpenRouter app, an OpenAI project, an Anthropic API key)
is read with a per-row feature (``UsageImport.features``: the top ``MAX_FEATURES - 1`` features
by spend and "(other features)"). Each feature's rows of the **workload month** (the whole
export's, ``FULL_MONTH_RULE``) give that feature's workload exactly as ``workload_from_usage``
gives the whole export's: its tokens, its requests (or tokens when the export has none), its own
model mix as hybrid routes, its other charges. The features' tokens and requests add up to the
month's (a test holds it for every format that carries features).

``portfolio_from_usage`` turns them into a version-2 scenario: one workload per feature, on its
own mix ("hybrid", its plan), next to the base scenario's other strategies and fleet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from calculators.usage.feature_rows import MAX_FEATURES, NO_FEATURE, OTHER_FEATURES
from calculators.usage.history import workload_from_usage
from calculators.usage.importer import MONTHLY_COLUMNS, UsageImport

MAX_NAME_CHARS = 60  # a workload's name, from a feature value


def feature_import(usage: UsageImport, feature: str) -> UsageImport:
    """The rows of one feature, as an import of their own (same period, coverage and other charges)."""
    if usage.features is None:
        raise ValueError(f"{usage.filename}: the export has no feature column")
    rows = usage.features[usage.features["feature"] == feature]
    monthly = rows[MONTHLY_COLUMNS].reset_index(drop=True)
    return dataclasses.replace(usage, monthly=monthly, features=None, feature_sources={})


def features_by_spend(usage: UsageImport) -> list[str]:
    """The export's features, the largest first (export cost when it has one, else tokens); the
    catch-all "(no feature)" and "(other features)" last."""
    frame = usage.features
    if frame is None:
        return []
    cost = frame.groupby("feature")["cost_usd"].sum(min_count=1)
    tokens = (frame["input_tokens"].fillna(0) + frame["output_tokens"].fillna(0)).groupby(frame["feature"]).sum()
    use_cost = bool(cost.fillna(0).sum() > 0)
    weight = cost.fillna(0) if use_cost else tokens
    names = sorted(weight.index, key=lambda f: (f in (NO_FEATURE, OTHER_FEATURES), -float(weight[f]), f))
    return [str(name) for name in names]


def feature_column(usage: UsageImport) -> str | None:
    """The column most features came from (``"traceName"``, ``"project_id"``...), for labels; None without features."""
    if not usage.feature_sources:
        return None
    counts: dict[str, int] = {}
    for column in usage.feature_sources.values():
        counts[column] = counts.get(column, 0) + 1
    return max(counts, key=lambda c: (counts[c], c))


def feature_workloads(usage: UsageImport, model_map: Mapping[str, str] | None = None, catalog=None) -> dict[str, Any]:
    """Each feature's workload in the export's workload month.

    Returns ``{"month", "column", "workloads": [{"feature", "column", "doc"}], "skipped": [feature...]}``
    where ``doc`` is ``workload_from_usage`` of that feature's rows, for the month of the whole
    export; a feature with no priced usage that month has no workload and is listed in ``skipped``.
    """
    whole = workload_from_usage(usage, model_map, catalog)
    month = whole.get("source_month")
    result: dict[str, Any] = {"month": month, "column": feature_column(usage), "workloads": [], "skipped": [], "whole": whole}
    if month is None or usage.features is None:
        return result
    for name in features_by_spend(usage):
        doc = workload_from_usage(feature_import(usage, name), model_map, catalog, month=month)
        if doc.get("summary") is None and not doc.get("other_charges"):
            result["skipped"].append(name)
            continue
        result["workloads"].append({"feature": name, "column": usage.feature_sources.get(name), "doc": doc})
    return result


def summary_rows(features: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per feature workload, as the CLI's JSON prints them (None where unknown)."""
    rows = []
    whole = (features.get("whole") or {}).get("summary") or {}
    requests_known = whole.get("requests_per_month") is not None
    for item in features["workloads"]:
        doc = item["doc"]
        totals = doc.get("totals") or {}  # the priced part of the month (a feature of other charges only: none)
        input_tokens, output_tokens = totals.get("input_tokens", 0), totals.get("output_tokens", 0)
        rows.append(
            {
                "feature": item["feature"],
                "column": item["column"],
                "tokens_per_month": input_tokens + output_tokens,
                "input_tokens": input_tokens,
                "cached_input_tokens": totals.get("cached_input_tokens", 0),
                "output_tokens": output_tokens,
                "requests_per_month": (totals.get("requests") or 0) if requests_known else None,
                "other_charges_usd": (doc.get("other_charges") or {}).get("cost_usd"),
            }
        )
    return rows


def _name(feature: str, taken: set[str]) -> str:
    name = " ".join(feature.split())[:MAX_NAME_CHARS] or NO_FEATURE
    base, n = name, 2
    while name in taken:
        name = f"{base[: MAX_NAME_CHARS - 5]} ({n})"
        n += 1
    taken.add(name)
    return name


def portfolio_document(
    usage: UsageImport,
    scenario,
    catalog,
    model_map: Mapping[str, str] | None = None,
    apply_growth: bool = False,
    features: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """A version-2 scenario document with one workload per feature (None when no feature has a workload).

    Each workload: the feature's volume and cache share (``workload_from_usage``), its other charges
    as ``other_monthly_usd``, its own model mix as the hybrid's routes and its plan; the flagship,
    cascade and hosted open model of ``scenario`` (a version-1 scenario, e.g. the page's) to compare
    with; the portfolio keeps ``scenario``'s growth (with the export's fitted rate when the user
    confirmed it, ``apply_growth``), fleet and price overrides.
    """
    from calculators.scenario import scenario_to_dict

    features = features if features is not None else feature_workloads(usage, model_map, catalog)
    items = [item for item in features["workloads"] if item["doc"].get("workload") or item["doc"].get("other_charges")]
    if not items:
        return None
    base = scenario_to_dict(scenario)
    growth = dict(base.get("growth", {}))
    whole = features["whole"]
    if apply_growth and whole.get("growth"):
        growth.update(whole["growth"])
    doc: dict[str, Any] = {"version": 2, "name": f"{usage.filename} by feature"[:200], "growth": growth}
    for key in ("self_hosted", "price_overrides"):
        if key in base:
            doc[key] = base[key]
    flagship = base.get("flagship_only") or {"model": "claude-opus-4-5"}
    taken: set[str] = set()
    workloads = []
    for item in items[:MAX_FEATURES]:
        feature_doc = item["doc"]
        volume = dict(feature_doc["workload"]) or {"requests_per_month": 0}  # other charges only: no tokens
        other = (feature_doc.get("other_charges") or {}).get("cost_usd")
        if other:
            volume["other_monthly_usd"] = round(float(other), 2)
        workload: dict[str, Any] = {"name": _name(item["feature"], taken), "workload": volume, "flagship_only": flagship}
        routes = feature_doc["hybrid"]["routes"]
        if routes:
            workload["hybrid"] = {"routes": [dict(r) for r in routes]}
        for key in ("cascade", "hosted_open"):
            if key in base:
                workload[key] = base[key]
        workload["plan"] = "hybrid" if routes else "flagship_only"
        workloads.append(workload)
    doc["workloads"] = workloads
    return doc


def portfolio_from_usage(usage: UsageImport, scenario, catalog, model_map=None, apply_growth: bool = False, features=None):
    """``portfolio_document`` parsed: ``(Portfolio, problems)``, or ``(None, [])`` without feature workloads."""
    from calculators.portfolio_scenario import parse_portfolio

    doc = portfolio_document(usage, scenario, catalog, model_map, apply_growth, features)
    if doc is None:
        return None, []
    return parse_portfolio(doc, strict=False, source=usage.filename)


def month_totals(features: Mapping[str, Any]) -> pd.DataFrame:
    """Per feature: tokens, requests and other charges of the workload month (the usage tab's table)."""
    return pd.DataFrame(summary_rows(features))
