"""Share links for portfolios (version-2 scenarios), and one reader for links of any version.

A portfolio link is ``v=2&p=<payload>``: the whole document, defaults left out, in the same
compressed, bounded payload as a version-1 link's ``x`` (``links._encode_payload``), with
the same price snapshot of models the link defaults do not name. A link without ``v=2``
is a version-1 link, read by ``links.params_to_scenario`` exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calculators import links
from calculators.portfolio_scenario import MAX_WORKLOADS, Portfolio, parse_portfolio, portfolio_to_dict, workload_scenario
from calculators.scenario import Scenario

PORTFOLIO_LINK_VERSION = "2"
PAYLOAD_KEY = "p"


def portfolio_to_params(portfolio: Portfolio, catalog=None) -> dict[str, str]:
    """``{"v": "2", "p": payload}`` for a portfolio."""
    doc: dict[str, Any] = portfolio_to_dict(portfolio, omit_defaults=True)
    if catalog is not None:
        snapshot: dict = {}
        for workload in portfolio.workloads:
            snapshot |= links._price_snapshot(workload_scenario(portfolio, workload), catalog)
        if snapshot:
            doc["_prices"] = snapshot
    return {"v": PORTFOLIO_LINK_VERSION, PAYLOAD_KEY: links._encode_payload(doc)}


def document_to_params(document: Scenario | Portfolio, catalog=None) -> dict[str, str]:
    """The link parameters of a scenario of any version."""
    if isinstance(document, Portfolio):
        return portfolio_to_params(document, catalog)
    return links.scenario_to_params(document, catalog)


def is_portfolio_link(params: Mapping[str, Any]) -> bool:
    value = params.get("v")
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return value == PORTFOLIO_LINK_VERSION


def params_to_portfolio(
    params: Mapping[str, Any], catalog=None, base: Portfolio | None = None
) -> tuple[Portfolio | None, list[str]]:
    """Decode a portfolio link; never raises. ``None`` when the payload cannot be read at all."""
    try:
        return _read_portfolio_params(params, catalog, base)
    except Exception as exc:  # the link boundary, as in links.params_to_scenario (the tests treat this as a bug)
        return None, [f"{links.LINK_UNREADABLE} ({type(exc).__name__}); the link defaults are shown"]


def _read_portfolio_params(params: Mapping[str, Any], catalog, base: Portfolio | None) -> tuple[Portfolio | None, list[str]]:
    notices = []
    text = params.get(PAYLOAD_KEY, "")
    if isinstance(text, list | tuple):
        text = text[-1] if text else ""
    unknown = [key for key in params if key not in ("v", PAYLOAD_KEY)]
    if unknown:
        notices.append(f"unknown link parameter {str(unknown[0])[:30]!r} was ignored")
    if not text:
        return None, ["the portfolio link has no p payload"]
    doc, problem = links._decode_payload(str(text))
    if problem:
        return None, [problem.replace("x payload", "p payload")]
    prices = doc.pop("_prices", {})
    if prices and catalog is not None:
        try:
            draft, _ = parse_portfolio(doc, strict=False, source="link", base=base)
            used = {m for w in draft.workloads for m in workload_scenario(draft, w).models_used()}
        except Exception:  # a document the parser cannot read is reported by the call below
            used = set()
        notices += links.apply_snapshot(doc, prices, catalog, used, links.MAX_SNAPSHOT_MODELS * MAX_WORKLOADS)
    portfolio, problems = parse_portfolio(doc, strict=False, source="link", base=base)
    return portfolio, notices + [f"link: {p}" for p in problems]


def params_to_document(params: Mapping[str, Any], catalog=None) -> tuple[Scenario | Portfolio, list[str]]:
    """A link of any version; never raises. An unreadable portfolio link falls back to the default scenario."""
    if is_portfolio_link(params):
        portfolio, notices = params_to_portfolio(params, catalog)
        if portfolio is not None:
            return portfolio, notices
        scenario, more = links.params_to_scenario({}, catalog)
        return scenario, notices + more
    return links.params_to_scenario(params, catalog)
