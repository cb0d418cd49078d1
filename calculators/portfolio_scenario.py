"""The scenario document, version 2: a portfolio of 1 to 12 workloads in one file or link.

Version 2 adds a ``workloads`` list to the version-1 document. The portfolio keeps the
sections every workload shares (``growth`` as the default, the one ``self_hosted`` fleet,
``price_overrides``, a monthly ``budget_usd``); each workload carries its own volume, its
strategy sections (``flagship_only``, ``hybrid``, ``cascade``, ``hosted_open``,
``self_hosted_mixed``), the strategy it runs in "our plan", an optional category, growth
rate, fine-tuning cost and budget::

    version: 2
    name: Our product
    growth: {monthly_rate: 0.05, horizon_months: 24, start_month: 2027-01}
    self_hosted: {profile: llama-3.3-70b-fp8-2xh100}
    workloads:
      - name: Support triage
        category: routine
        workload: {requests_per_month: 400000, input_tokens: 1500, output_tokens: 200}
        growth: {monthly_rate: 0.08}
        plan: hybrid
        flagship_only: {model: claude-opus-4-5}
        hybrid: {routes: [{model: claude-haiku-4-5, share: 0.9}, {model: claude-opus-4-5, share: 0.1}]}
        fine_tune: {one_time_usd: 20000, amortize_months: 12}

A workload is priced exactly as the version-1 scenario ``workload_scenario`` builds from it
(its sections plus the shared ones), so the version-1 parser checks every field, and its
problems come back with the workload's path: ``workloads[2].hybrid.routes[0].share``.
Version-1 documents are read by ``parse_document`` unchanged (as one ``Scenario``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from calculators.document import DocumentError, load_yaml, shown
from calculators.scenario import (
    MAX_HORIZON_MONTHS,
    Cascade,
    Growth,
    Hybrid,
    ModelSlot,
    PriceOverride,
    Quality,
    Scenario,
    ScenarioError,
    SelfHosted,
    SelfHostedMixed,
    Uncertainty,
    Workload,
    capped,
    dump_yaml,
    parse_scenario,
    scenario_to_dict,
)
from calculators.schema import Reader

PORTFOLIO_VERSION = 2
MAX_WORKLOADS = 12
MAX_FINE_TUNE_USD = 1e9
MAX_BUDGET_USD = 1e12
# The source article's five task categories, in its order (see scenarios/categories-template.yaml).
CATEGORIES = ("routine", "code", "creative", "reasoning", "engineering")
CATEGORY_LABELS = {
    "routine": "Routine classification or extraction",
    "code": "Standard code generation",
    "creative": "Creative generation or synthesis",
    "reasoning": "Complex reasoning",
    "engineering": "Advanced software engineering",
}
# The tier the source article recommends for each category (its "Step 1: Categorize the Task").
CATEGORY_TIERS = {
    "routine": "smaller models or open source",
    "code": "smaller models, especially Claude Haiku 4.5",
    "creative": "flagship models at first, smaller models once templates exist",
    "reasoning": "flagship models",
    "engineering": "flagship models, particularly Claude Opus 4.5",
}
# Strategy sections a workload carries; self_hosted is the portfolio's one fleet.
WORKLOAD_STRATEGIES = ("flagship_only", "hybrid", "cascade", "hosted_open", "self_hosted_mixed")
PLANS = ("flagship_only", "hybrid", "cascade", "hosted_open", "self_hosted", "self_hosted_mixed")
WORKLOAD_EXTRAS = ("uncertainty", "quality")  # version-1 sections a workload may carry, for its own view
WORKLOAD_KEYS = (
    "name", "category", "workload", "growth", "plan", *WORKLOAD_STRATEGIES, *WORKLOAD_EXTRAS, "fine_tune", "budget_usd", "notes"
)  # fmt: skip
PORTFOLIO_KEYS = ("version", "name", "growth", "self_hosted", "price_overrides", "budget_usd", "workloads", "notes")


@dataclass(frozen=True)
class FineTune:
    """A one-time fine-tuning cost spread evenly over the first ``amortize_months`` forecast months.

    Months beyond the horizon carry their share outside the forecast (a horizon shortened for a
    look keeps the fine-tuning's own schedule)."""

    one_time_usd: float
    amortize_months: int = 12


@dataclass(frozen=True)
class PortfolioWorkload:
    name: str
    plan: str
    workload: Workload = Workload()
    category: str | None = None
    growth_rate: float | None = None  # None: the portfolio's growth.monthly_rate
    flagship_only: ModelSlot | None = None
    hybrid: Hybrid | None = None
    cascade: Cascade | None = None
    hosted_open: ModelSlot | None = None
    self_hosted_mixed: SelfHostedMixed | None = None
    fine_tune: FineTune | None = None
    budget_usd: float | None = None
    uncertainty: Uncertainty | None = None
    quality: Quality | None = None


@dataclass(frozen=True)
class Portfolio:
    name: str
    growth: Growth
    workloads: tuple[PortfolioWorkload, ...]
    self_hosted: SelfHosted | None = None
    price_overrides: tuple[tuple[str, PriceOverride], ...] = ()
    budget_usd: float | None = None
    version: int = PORTFOLIO_VERSION


def workload_scenario(portfolio: Portfolio, workload: PortfolioWorkload) -> Scenario:
    """The version-1 scenario of one workload alone: its sections plus the portfolio's shared ones."""
    growth = portfolio.growth
    if workload.growth_rate is not None:
        growth = replace(growth, monthly_rate=workload.growth_rate)
    return Scenario(
        name=workload.name,
        workload=workload.workload,
        growth=growth,
        flagship_only=workload.flagship_only,
        hybrid=workload.hybrid,
        cascade=workload.cascade,
        hosted_open=workload.hosted_open,
        self_hosted=portfolio.self_hosted,
        self_hosted_mixed=workload.self_hosted_mixed,
        price_overrides=portfolio.price_overrides,
        uncertainty=workload.uncertainty,
        quality=workload.quality,
    )


def defined_strategies(portfolio: Portfolio, workload: PortfolioWorkload) -> list[str]:
    return workload_scenario(portfolio, workload).strategies()


def portfolio_from_scenario(scenario: Scenario, plan: str | None = None) -> Portfolio:
    """A version-1 scenario as a one-workload portfolio (its plan: ``plan`` or its first strategy)."""
    strategies = scenario.strategies()
    chosen = plan or ("flagship_only" if "flagship_only" in strategies else (strategies or ["flagship_only"])[0])
    workload = PortfolioWorkload(
        name=scenario.name,
        plan=chosen,
        workload=scenario.workload,
        **{key: getattr(scenario, key) for key in (*WORKLOAD_STRATEGIES, *WORKLOAD_EXTRAS)},
    )
    return Portfolio(
        name=scenario.name,
        growth=scenario.growth,
        workloads=(workload,),
        self_hosted=scenario.self_hosted,
        price_overrides=scenario.price_overrides,
    )


# ------------------------------------------------------------------------------ parsing


def _number(problems: list[str], raw: Mapping, key: str, path: str, low: float, high: float, *, integer: bool = False):
    """A bounded number read by the version-1 parser's reader (its checks: any int size; its bounded messages)."""
    reader = Reader()
    value = reader.number(raw, key, path, None, low, high, integer=integer)
    problems += reader.problems
    return value


def _unknown(problems: list[str], raw: Mapping, path: str, known: tuple[str, ...]) -> None:
    reader = Reader()
    reader.unknown_keys(raw, path, known)
    problems += reader.problems


def _mapping(problems: list[str], raw: Mapping, key: str, path: str) -> Mapping | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.append(f"{path}: must be a mapping, got {type(value).__name__}")
        return None
    return value


def _workload_growth_rate(own: list[str], raw: Mapping, path: str) -> float | None:
    """A workload's own monthly growth rate; the horizon and start month belong to the portfolio."""
    growth_raw = _mapping(own, raw, "growth", f"{path}.growth") or {}
    _unknown(own, growth_raw, f"{path}.growth", ("monthly_rate", "horizon_months", "start_month"))
    if "horizon_months" in growth_raw or "start_month" in growth_raw:
        own.append(f"{path}.growth: horizon_months and start_month are the portfolio's; set them in the top-level growth")
    return _number(own, growth_raw, "monthly_rate", f"{path}.growth", -0.99, 1.0)


def _workload_plan(own: list[str], plan: Any, path: str, scenario: Scenario, frame: Scenario, base: PortfolioWorkload) -> str:
    """The strategy a workload runs today: as given when it has its section, else its first configured strategy."""
    strategies = [key for key in PLANS if (frame.self_hosted if key == "self_hosted" else getattr(scenario, key))]
    if plan is None:
        return "flagship_only" if "flagship_only" in strategies else (strategies or [base.plan])[0]
    if plan not in PLANS:
        own.append(f"{path}.plan: must be one of {', '.join(PLANS)}, got {str(plan)[:40]!r}")
        return strategies[0] if strategies else base.plan
    if plan not in strategies:
        where = "the portfolio's self_hosted section" if plan == "self_hosted" else f"a {plan} section in this workload"
        own.append(f"{path}.plan: {plan} needs {where}")
        return strategies[0] if strategies else base.plan
    return plan


def _workload_fine_tune(own: list[str], raw: Mapping, path: str) -> FineTune | None:
    """A workload's one-time fine-tuning cost and its amortization (12 months unless given)."""
    ft_raw = _mapping(own, raw, "fine_tune", f"{path}.fine_tune")
    if ft_raw is None:
        return None
    _unknown(own, ft_raw, f"{path}.fine_tune", ("one_time_usd", "amortize_months"))
    amount = _number(own, ft_raw, "one_time_usd", f"{path}.fine_tune", 0, MAX_FINE_TUNE_USD)
    months = _number(own, ft_raw, "amortize_months", f"{path}.fine_tune", 1, MAX_HORIZON_MONTHS, integer=True)
    if amount is None and "one_time_usd" not in ft_raw:
        own.append(f"{path}.fine_tune.one_time_usd: is missing")
    if amount is None:
        return None
    return FineTune(amount, 12 if months is None else months)


def _parse_workload(
    raw: Any, index: int, frame: Scenario, base: PortfolioWorkload, problems: list[str]
) -> PortfolioWorkload | None:
    path = f"workloads[{index}]"
    if not isinstance(raw, Mapping):
        problems.append(f"{path}: must be a mapping with name, workload and strategy sections, got {type(raw).__name__}")
        return None
    _unknown(problems, raw, path, WORKLOAD_KEYS)
    own: list[str] = []
    rate = _workload_growth_rate(own, raw, path)
    # The version-1 parser checks the volume and the strategy sections; its paths get the workload's prefix.
    doc = {key: raw[key] for key in ("name", "workload", *WORKLOAD_STRATEGIES, *WORKLOAD_EXTRAS) if key in raw}
    v1_base = Scenario(name=base.name, workload=base.workload)
    scenario, found = parse_scenario(doc, strict=False, base=v1_base)
    own += [f"{path}.{problem}".replace(".name.name:", ".name:") for problem in found]
    if "name" not in raw:
        own.append(f"{path}.name: is missing")
    category = raw.get("category")
    if category is not None and category not in CATEGORIES:
        own.append(f"{path}.category: must be one of {', '.join(CATEGORIES)}, got {str(category)[:40]!r}")
        category = None
    plan = _workload_plan(own, raw.get("plan"), path, scenario, frame, base)
    if scenario.flagship_only is None and "flagship_only" not in raw:
        own.append(f"{path}.flagship_only: is missing (the all-flagship total needs every workload's flagship)")
    fine_tune = _workload_fine_tune(own, raw, path)
    budget = _number(own, raw, "budget_usd", path, 0, MAX_BUDGET_USD)
    problems += own
    return PortfolioWorkload(
        name=scenario.name,
        plan=plan,
        workload=scenario.workload,
        category=category,
        growth_rate=rate,
        flagship_only=scenario.flagship_only,
        hybrid=scenario.hybrid,
        cascade=scenario.cascade,
        hosted_open=scenario.hosted_open,
        self_hosted_mixed=scenario.self_hosted_mixed,
        fine_tune=fine_tune,
        budget_usd=budget,
        uncertainty=scenario.uncertainty,
        quality=scenario.quality,
    )


def parse_portfolio(
    doc: Any, *, strict: bool = True, source: str = "scenario", base: Portfolio | None = None
) -> tuple[Portfolio, list[str]]:
    """Validate a version-2 document; like ``parse_scenario``, strict mode raises, lenient mode keeps valid parts.

    >>> p, _ = parse_portfolio({"version": 2, "workloads": [
    ...     {"name": "Chat", "workload": {"requests_per_month": 1000}, "flagship_only": {"model": "gpt-5"}}]})
    >>> p.workloads[0].name, p.workloads[0].plan, p.workloads[0].workload.requests_per_month
    ('Chat', 'flagship_only', 1000.0)
    """
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        problems.append(f"(document): must be a mapping of sections, got {type(doc).__name__}")
        doc = {}
    _unknown(problems, doc, "", PORTFOLIO_KEYS)
    if not _is_version(doc.get("version"), PORTFOLIO_VERSION):
        problems.append(f"version: a portfolio document is version {PORTFOLIO_VERSION}, got {shown(doc.get('version'))}")
    frame_doc = {key: doc[key] for key in ("name", "growth", "self_hosted", "price_overrides") if key in doc}
    frame_base = Scenario(name=base.name, growth=base.growth) if base else Scenario()
    frame, found = parse_scenario(frame_doc, strict=False, base=frame_base)
    problems += found
    budget = _number(problems, doc, "budget_usd", "", 0, MAX_BUDGET_USD)
    raw_list = doc.get("workloads")
    workloads: list[PortfolioWorkload] = []
    fallback = PortfolioWorkload(name="Workload", plan="flagship_only")
    if not isinstance(raw_list, list) or not raw_list:
        problems.append("workloads: must be a list of 1 to 12 workloads")
        raw_list = []
    elif len(raw_list) > MAX_WORKLOADS:
        problems.append(f"workloads: has {len(raw_list)} workloads; at most {MAX_WORKLOADS} are allowed")
        raw_list = raw_list[:MAX_WORKLOADS]
    for index, raw in enumerate(raw_list):
        item_base = base.workloads[index] if base and index < len(base.workloads) else fallback
        workload = _parse_workload(raw, index, frame, item_base, problems)
        if workload is not None:
            workloads.append(workload)
    seen: set[str] = set()
    for index, workload in enumerate(workloads):
        if workload.name in seen:
            problems.append(f"workloads[{index}].name: {workload.name!r} is used by another workload; names must differ")
            workloads[index] = replace(workload, name=_unique_name(workload.name, seen))
        seen.add(workloads[index].name)
    if not workloads:
        workloads = list(base.workloads) if base else [replace(fallback, flagship_only=ModelSlot("claude-opus-4-5"))]
    portfolio = Portfolio(
        name=frame.name,
        growth=frame.growth,
        workloads=tuple(workloads),
        self_hosted=frame.self_hosted,
        price_overrides=frame.price_overrides,
        budget_usd=budget,
    )
    if strict and problems:
        raise ScenarioError(problems, source)
    return portfolio, capped(problems)


def _is_version(value: Any, version: int) -> bool:
    """``value`` is the integer ``version`` (``2.0`` and ``true`` are not versions)."""
    return type(value) is int and value == version


def _unique_name(name: str, taken: set[str]) -> str:
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def unique_name(name: str, portfolio: Portfolio) -> str:
    """``name``, or ``name (2)``, ``name (3)``... when a workload already has it."""
    taken = {w.name for w in portfolio.workloads}
    return name if name not in taken else _unique_name(name, taken)


def parse_document(doc: Any, *, strict: bool = True, source: str = "scenario") -> tuple[Scenario | Portfolio, list[str]]:
    """Any version: a version-2 document gives a ``Portfolio``, anything else goes to ``parse_scenario``."""
    if isinstance(doc, Mapping) and _is_version(doc.get("version"), PORTFOLIO_VERSION):
        return parse_portfolio(doc, strict=strict, source=source)
    return parse_scenario(doc, strict=strict, source=source)


def load_document_text(text: str, *, source: str = "scenario") -> Scenario | Portfolio:
    """YAML or JSON text of any version, read strictly with the document limits of ``calculators.document``."""
    try:
        doc = load_yaml(text)
    except DocumentError as exc:
        raise ScenarioError([f"(document): {exc}"], source) from None
    if isinstance(doc, Mapping) and _is_version(doc.get("version"), PORTFOLIO_VERSION):
        return parse_portfolio(doc, strict=True, source=source)[0]
    if isinstance(doc, Mapping) and not _is_version(doc.get("version", 1), 1):
        version = shown(doc.get("version"))
        raise ScenarioError([f"version: this program reads version 1 (one workload) or 2 (a portfolio), got {version}"], source)
    return parse_scenario(doc, strict=True, source=source)[0]


# ---------------------------------------------------------------------------- writing


def portfolio_to_dict(portfolio: Portfolio, *, omit_defaults: bool = False) -> dict:
    """The version-2 document; ``parse_portfolio(portfolio_to_dict(p))`` gives ``p`` back."""
    frame = Scenario(
        name=portfolio.name,
        growth=portfolio.growth,
        self_hosted=portfolio.self_hosted,
        price_overrides=portfolio.price_overrides,
    )
    frame_doc = scenario_to_dict(frame, omit_defaults=omit_defaults)
    doc: dict[str, Any] = {"version": PORTFOLIO_VERSION}
    doc |= {key: frame_doc[key] for key in ("name", "growth", "self_hosted", "price_overrides") if key in frame_doc}
    if portfolio.budget_usd is not None:
        doc["budget_usd"] = _plain(portfolio.budget_usd)
    doc["workloads"] = [_workload_to_dict(portfolio, w, omit_defaults) for w in portfolio.workloads]
    return doc


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def _workload_to_dict(portfolio: Portfolio, workload: PortfolioWorkload, omit_defaults: bool) -> dict:
    single = scenario_to_dict(workload_scenario(portfolio, workload), omit_defaults=omit_defaults)
    out: dict[str, Any] = {"name": workload.name}
    if workload.category:
        out["category"] = workload.category
    out["plan"] = workload.plan
    if "workload" in single:
        out["workload"] = single["workload"]
    if workload.growth_rate is not None:
        out["growth"] = {"monthly_rate": _plain(workload.growth_rate)}
    out |= {key: single[key] for key in (*WORKLOAD_STRATEGIES, *WORKLOAD_EXTRAS) if key in single}
    if workload.fine_tune:
        out["fine_tune"] = {
            "one_time_usd": _plain(workload.fine_tune.one_time_usd),
            "amortize_months": workload.fine_tune.amortize_months,
        }
    if workload.budget_usd is not None:
        out["budget_usd"] = _plain(workload.budget_usd)
    return out


def portfolio_to_yaml(portfolio: Portfolio) -> str:
    return dump_yaml(portfolio_to_dict(portfolio))
