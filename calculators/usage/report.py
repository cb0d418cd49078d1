"""One account of an import, shared by the page and the CLI: list price, workload, re-priced costs.

``usage_report`` gives the monthly rows with their list price and the workload object;
``repriced`` prices the workload month under a scenario's strategies. The dashboard's usage tab
and ``python -m calculators usage FILE [--scenario S.yaml] --json`` both print these numbers, so
page and terminal cannot disagree (``tests/test_usage_parity.py`` holds them together).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from calculators.usage.history import workload_from_usage
from calculators.usage.importer import UsageImport
from calculators.usage.list_price import list_price_history


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def usage_report(
    usage: UsageImport,
    catalog,
    model_map: Mapping[str, str] | None = None,
    price_overrides: Mapping[str, Any] | None = None,
    rows: bool = True,
) -> dict[str, Any]:
    """Monthly rows with ``list_price_usd`` (None when unpriced) and the ``workload`` object.

    ``{"monthly": [{..., "list_price_usd"}], "workload": {"month", "tokens_per_month", "input_tokens",
    "output_tokens", "cached_input_tokens", "requests_per_month"} | None, "workload_doc": {...},
    "history": DataFrame}``; ``history`` and ``workload_doc`` are for the page (not JSON).
    """
    history = list_price_history(usage, catalog, model_map, price_overrides)
    doc = workload_from_usage(usage, model_map, catalog)
    monthly = []
    if rows:  # the CLI's JSON rows; the page reads the frames
        for row, price in zip(usage.to_json_dict()["monthly"], history["list_cost_usd"].tolist(), strict=True):
            monthly.append({**row, "list_price_usd": _number(price)})
    return {"monthly": monthly, "workload": doc["summary"], "workload_doc": doc, "history": history}


def month_list_price(history: pd.DataFrame, month: str) -> float | None:
    """The list price of ``month`` over its priced models (None when none is priced)."""
    values = history.loc[history["month"] == month, "list_cost_usd"].dropna()
    return float(values.sum()) if len(values) else None


def repricing_scenario(scenario, doc: Mapping[str, Any]):
    """``scenario`` with the export's workload and model mix, priced in the workload month, no growth.

    Returns ``(scenario, problems)``; None when the export gives no workload.
    """
    from calculators.scenario import parse_scenario, scenario_to_dict

    if not doc.get("workload") or doc.get("source_month") is None:
        return None, []
    body = scenario_to_dict(scenario)
    body.setdefault("workload", {}).update(dict(doc["workload"]))
    if doc["hybrid"]["routes"]:
        body["hybrid"] = {"routes": [dict(r) for r in doc["hybrid"]["routes"]]}
    body["growth"] = {**body.get("growth", {}), "monthly_rate": 0.0, "start_month": doc["source_month"]}
    return parse_scenario(body, strict=False, base=scenario)


def scenario_price_overrides(scenario, catalog=None) -> dict[str, Any]:
    """The scenario's price overrides, as ``list_price_history`` takes them: it applies them exactly as the
    engine does (``calculators.prices.price_model``: any alias of the model, any subset of the fields)."""
    return scenario.overrides


def repriced(
    usage: UsageImport, scenario, catalog, model_map: Mapping[str, str] | None = None, report: dict | None = None
) -> dict[str, Any] | None:
    """The workload month under each strategy of ``scenario``; None without a workload.

    ``list_price_usd``: the month's tokens of the priced models at catalog list prices;
    ``own_mix_usd``: the same tokens, each model's own, with the scenario's price overrides (equal
    to the list price without overrides: your own mix is your bill); ``unpriced_token_share``: the
    month's tokens left out of both sides; ``strategies``: each strategy's cost for that workload,
    priced with the prices in force in that month (start month set to it, growth 0). A strategy
    that cannot be priced is left out and named in ``errors``.
    """
    from calculators.engine import evaluate

    report = report or usage_report(usage, catalog, model_map)
    doc = report["workload_doc"]
    month = doc.get("source_month")
    if month is None or not doc.get("workload"):
        return None
    own = list_price_history(usage, catalog, model_map, scenario_price_overrides(scenario, catalog))
    start, problems = repricing_scenario(scenario, doc)
    ev = evaluate(start, catalog)
    scale = _scale(doc)
    list_price = month_list_price(report["history"], month)
    own_mix = month_list_price(own, month)
    return {
        "month": month,
        "list_price_usd": None if list_price is None else list_price * scale,
        "own_mix_usd": None if own_mix is None else own_mix * scale,
        "unpriced_token_share": (doc["unpriced"] or {}).get("token_share", 0.0),
        "strategies": {k: float(v) for k, v in ev.monthly_cost_usd.items()},
        "errors": dict(ev.errors),
        "problems": list(problems),
        "_evaluation": ev,
        "_scenario": start,
    }


def _scale(doc: Mapping[str, Any]) -> float:
    """The factor that took the workload month's totals to a whole month (1.0 for a full month)."""
    return float(doc.get("scale", 1.0))


def public(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """``result`` without the page-only entries (keys starting with ``_``)."""
    if result is None:
        return None
    return {k: v for k, v in result.items() if not k.startswith("_")}


__all__ = ["month_list_price", "public", "repriced", "repricing_scenario", "scenario_price_overrides", "usage_report"]
