"""The CLI's output for a portfolio: the ``portfolio`` JSON object and the readable table."""

from __future__ import annotations

from calculators.formatting import money, tokens
from calculators.portfolio import TOTAL_LABELS, TOTALS, Fleet, PortfolioEvaluation, WorkloadResult
from calculators.portfolio_scenario import CATEGORY_LABELS, CATEGORY_TIERS
from calculators.scenario import STRATEGY_LABELS


def portfolio_json(result: PortfolioEvaluation) -> dict:
    """The JSON of ``evaluate`` for a version-2 scenario (documented in the README)."""
    now = result.this_month
    portfolio: dict = {
        "plan_usd": now["plan"],
        "all_flagship_usd": now["all_flagship"],
        "cheapest_usd": now["cheapest"],
        "workloads": [_workload_json(result, w) for w in result.workloads],
        "moves": [
            {
                "workload": m.name,
                "from": m.plan,
                "to": m.to,
                "saves_usd_this_month": m.saves_usd_this_month,
                "saves_usd_over_horizon": m.saves_usd_over_horizon,
            }
            for m in result.moves
        ],
        "move_all_saves_usd_this_month": float(result.move_all_saving[0]),
        "move_all_saves_usd_over_horizon": float(result.move_all_saving.sum()),
        "self_hosted": None,
    }
    if result.fleet is not None:
        portfolio["self_hosted"] = _fleet_json(result.fleet)
    if result.budget:
        portfolio["budget_usd"] = result.portfolio.budget_usd
        portfolio["first_month_over_budget"] = {key: result.month_label(c.first_month) for key, c in result.budget.items()}
        portfolio["over_budget_by_usd"] = {key: c.over_by_usd for key, c in result.budget.items()}
    totals = result.totals
    return {
        "scenario": result.portfolio.name,
        "version": 2,
        "start_month": result.months[0].strftime("%Y-%m"),
        "portfolio": portfolio,
        "forecast": _forecast_rows(result),
        "cumulative_cost_usd": {key: float(values.sum()) for key, values in totals.items()},
        "errors": result.errors,
        "notices": result.notices,
    }


def _workload_json(result: PortfolioEvaluation, w: WorkloadResult) -> dict:
    """One workload's entry in the ``workloads`` list, with its budget crossing when it has a budget."""
    entry = {
        "name": w.name,
        "category": w.workload.category,
        "plan": w.workload.plan,
        "cheapest": w.cheapest,
        "monthly_cost_usd": w.monthly_cost_usd,
        "plan_usd": float(result.parts["plan"][w.name][0]),
    }
    crossing = result.workload_budget.get(w.name)
    if crossing is not None:
        entry |= {"budget_usd": crossing.budget_usd, "first_month_over_budget": result.month_label(crossing.first_month)}
    return entry


def _fleet_json(fleet: Fleet) -> dict:
    """The shared self-hosted fleet's entry: pooled against separate replicas, GPUs and cost, and its break-even."""
    return {
        "workloads": list(fleet.members),
        "pooled_replicas": int(fleet.pooled_replicas[0]),
        "separate_replicas": int(fleet.separate_replicas[0]),
        "gpus": int(fleet.pooled_gpus[0]),
        "separate_gpus": int(fleet.separate_gpus[0]),
        "pooled_usd": float(fleet.cost[0]),
        "separate_usd": float(fleet.separate_cost[0]),
        "break_even_vs_flagship_only": fleet.break_even.as_dict() if fleet.break_even else None,
    }


def _forecast_rows(result: PortfolioEvaluation) -> list[dict]:
    """One row per month: the portfolio's requests and each total."""
    totals = result.totals
    requests = sum(w.evaluation.forecast.requests for w in result.workloads)
    return [
        {"month": month.strftime("%Y-%m"), "requests": float(requests[t])} | {key: float(totals[key][t]) for key in TOTALS}
        for t, month in enumerate(result.months)
    ]


def render_portfolio_table(result: PortfolioEvaluation) -> str:
    """The readable, non-JSON output of ``evaluate`` for a portfolio."""
    p = result.portfolio
    now = result.this_month
    totals = result.totals
    lines = [
        f"{p.name}: {len(p.workloads)} workload(s)",
        f"first month {result.months[0]:%Y-%m}, default growth {p.growth.monthly_rate:+.1%}/month over {p.growth.horizon_months} months",
        "",
        f"{'total':<24}{'this month':>14}{'cumulative':>14}",
    ]
    for key in TOTALS:
        lines.append(f"{TOTAL_LABELS[key]:<24}{money(now[key]):>14}{money(float(totals[key].sum())):>14}")
    width = min(max([22, *(len(w.name) for w in result.workloads)]) + 2, 42)
    lines += ["", f"{'workload':<{width}}{'requests/mo':>12}  {'plan':<20}{'plan $':>10}  {'cheapest':<20}{'cheapest $':>11}"]
    for w in result.workloads:
        plan_usd = float(result.parts["plan"][w.name][0])
        cheapest = STRATEGY_LABELS[w.cheapest] if w.cheapest else "n/a"
        cheapest_usd = money(w.monthly_cost_usd[w.cheapest]) if w.cheapest else "n/a"
        lines.append(
            f"{w.name[: width - 1]:<{width}}{tokens(w.workload.workload.requests_per_month):>12}  "
            f"{STRATEGY_LABELS[w.workload.plan]:<20}{money(plan_usd):>10}  {cheapest:<20}{cheapest_usd:>11}"
        )
        if w.workload.category:
            lines.append(f"  {category_text(w.workload.category)}")
    if result.fleet is not None:
        lines += ["", *_fleet_lines(result.fleet)]
    if result.moves:
        lines += ["", *move_lines(result)]
    lines += _budget_lines(result)
    for notice in result.notices:
        lines.append(f"note: {notice}")
    return "\n".join(lines)


def _fleet_lines(fleet: Fleet) -> list[str]:
    """The shared fleet's summary line and its break-even against the members' flagship."""
    lines = [
        f"shared fleet ({fleet.plan.profile_name}) for {', '.join(fleet.members)}: "
        f"{int(fleet.pooled_replicas[0])} replica(s) pooled, {int(fleet.separate_replicas[0])} separate; "
        f"{int(fleet.pooled_gpus[0])} GPU(s), {money(float(fleet.cost[0]))}/month against {money(float(fleet.separate_cost[0]))} separate",
    ]
    be = fleet.break_even
    if be is not None:
        if be.first_requests_per_month is None:
            lines.append(f"  break-even vs their flagship: never ({be.reason})")
        else:
            lines.append(
                f"  break-even vs their flagship: {tokens(be.first_requests_per_month)} requests/month of this mix "
                f"({tokens(be.first_tokens_per_month)} tokens)"
            )
    return lines


def _budget_lines(result: PortfolioEvaluation) -> list[str]:
    """The portfolio's budget crossings (after a blank line), then each workload's exceeded budget."""
    lines = []
    if result.budget:
        lines.append("")
        for key, crossing in result.budget.items():
            if crossing.first_month is None:
                lines.append(f"budget {money(crossing.budget_usd)}/month: {TOTAL_LABELS[key].lower()} stays within it")
            else:
                lines.append(
                    f"budget {money(crossing.budget_usd)}/month: {TOTAL_LABELS[key].lower()} exceeds it in "
                    f"{result.month_label(crossing.first_month)} by {money(crossing.over_by_usd)}"
                )
    for name, crossing in result.workload_budget.items():
        if crossing.first_month is not None:
            lines.append(
                f"budget of {name} ({money(crossing.budget_usd)}/month): exceeded in "
                f"{result.month_label(crossing.first_month)} by {money(crossing.over_by_usd)}"
            )
    return lines


def move_lines(result: PortfolioEvaluation) -> list[str]:
    """Which workloads to move and what that saves (shared by the CLI and the dashboard)."""
    lines = []
    for move in result.moves:
        alone = (
            f"saves {money(move.saves_usd_this_month)} this month, {money(move.saves_usd_over_horizon)} over the horizon"
            if move.saves_usd_over_horizon > 0
            else "alone saves nothing over the horizon (the fleet stays for the others)"
        )
        lines.append(f"move {move.name} from {STRATEGY_LABELS[move.plan].lower()} to {STRATEGY_LABELS[move.to].lower()}: {alone}")
    if len(result.moves) > 1 or (result.moves and result.moves[0].saves_usd_over_horizon <= 0):
        lines.append(
            f"moving all {len(result.moves)} together saves {money(float(result.move_all_saving[0]))} this month, "
            f"{money(float(result.move_all_saving.sum()))} over the horizon"
        )
    return lines


def category_text(category: str) -> str:
    """``category: Complex reasoning (the source article recommends flagship models)``."""
    return f"category: {CATEGORY_LABELS[category]} (the source article recommends {CATEGORY_TIERS[category]})"
