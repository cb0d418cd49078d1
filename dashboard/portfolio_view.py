"""The Portfolio tab: the totals, the cost by workload, the plan against the alternatives, the pooled fleet, the budget."""

from __future__ import annotations

import streamlit as st

from calculators.formatting import money
from calculators.portfolio import TOTAL_LABELS, TOTALS, PortfolioEvaluation, evaluate_portfolio
from calculators.portfolio_report import category_text, move_lines
from calculators.portfolio_scenario import Portfolio
from calculators.scenario import STRATEGY_LABELS
from dashboard.figures import portfolio as portfolio_charts
from dashboard.markup import md
from dashboard.tables import table


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs={Portfolio: repr})
def evaluation(portfolio: Portfolio, _catalog) -> PortfolioEvaluation:
    return evaluate_portfolio(portfolio, _catalog)


def render_portfolio_tab(portfolio: Portfolio | None, catalog) -> None:
    if portfolio is None:
        st.info(
            md(
                "This page prices one workload. A product usually runs several LLM features at once: open **Workloads** "
                "in the sidebar and add one (or load a portfolio preset) to price them together, with one shared "
                "self-hosted fleet, the plan against all-flagship and each-on-its-cheapest, and a monthly budget."
            ),
            icon=":material/stacks:",
        )
        return
    result = evaluation(portfolio, catalog)
    for key, message in result.errors.items():
        st.error(md(f"{key}: {message}"), icon=":material/error:")
    _totals(result)
    _budget(result)
    for line in move_lines(result):
        st.markdown(f"- {md(line)}")
    plan_tab, compare_tab, fleet_tab, table_tab = st.tabs(["By workload", "Plan vs alternatives", "Shared fleet", "Table"])
    with plan_tab:
        option, height = portfolio_charts.stacked_figure(result)
        st.echarts_chart(option, height=height, key="chart_portfolio_stacked")
    with compare_tab:
        option, height = portfolio_charts.totals_figure(result)
        st.echarts_chart(option, height=height, key="chart_portfolio_totals")
    with fleet_tab:
        _fleet(result)
    with table_tab:
        frame = portfolio_charts.workloads_frame(result)
        dollars = {c: st.column_config.NumberColumn(format="dollar") for c in frame.columns if c.endswith("$/month")}
        table(frame, column_config=dollars)
        st.markdown("**Where each plan's money goes this month**")
        table(
            portfolio_charts.plan_breakdown_frame(result),
            column_config={"$/month": st.column_config.NumberColumn(format="dollar")},
        )
        st.markdown("**The three totals by month**")
        totals = portfolio_charts.totals_frame(result)
        table(
            totals,
            column_config={label: st.column_config.NumberColumn(format="dollar") for label in TOTAL_LABELS.values()},
        )
    categories = [w for w in result.workloads if w.workload.category]
    if categories:
        st.markdown("**By task category**")
        for w in categories:
            st.markdown(
                f"- {md(w.name)}: {md(category_text(w.workload.category))}; its plan is "
                f"{STRATEGY_LABELS[w.workload.plan].lower()}, its cheapest {STRATEGY_LABELS[w.cheapest].lower()}."
            )
    if result.notices:
        with st.expander(f"{len(result.notices)} note(s) on the workloads", icon=":material/info:"):
            st.markdown("\n".join(f"- {md(n)}" for n in result.notices))


def _totals(result: PortfolioEvaluation) -> None:
    now = result.this_month
    columns = st.columns(len(TOTALS))
    for column, key in zip(columns, TOTALS, strict=True):
        delta = None
        if key != "plan" and now["plan"]:
            delta = f"{(now[key] - now['plan']) / now['plan']:+.0%} vs the plan"
        column.metric(
            TOTAL_LABELS[key] + ", this month",
            money(now[key]),
            delta=delta,
            delta_color="off",
        )


def _budget(result: PortfolioEvaluation) -> None:
    for key, crossing in result.budget.items():
        label = TOTAL_LABELS[key].lower()
        if crossing.first_month is None:
            st.caption(md(f"Budget {money(crossing.budget_usd)}/month: {label} stays within it over the forecast."))
        else:
            text = (
                f"Budget {money(crossing.budget_usd)}/month: {label} exceeds it in "
                f"{result.month_label(crossing.first_month)}, by {money(crossing.over_by_usd)}."
            )
            (st.warning if key == "plan" else st.caption)(md(text))
    for name, crossing in result.workload_budget.items():
        if crossing.first_month is not None:
            st.warning(
                md(
                    f"{name} exceeds its budget of {money(crossing.budget_usd)}/month in "
                    f"{result.month_label(crossing.first_month)}, by {money(crossing.over_by_usd)}."
                )
            )


def _fleet(result: PortfolioEvaluation) -> None:
    fleet = result.fleet
    if fleet is None:
        st.caption("No workload's plan is self-hosted: there is no shared fleet. Set a workload's plan to Self-hosted.")
        return
    pooled, separate = st.columns(2)
    pooled.metric(
        "Pooled fleet",
        f"{int(fleet.pooled_replicas[0])} replica(s)",
        delta=f"{int(fleet.pooled_gpus[0])} GPUs, {money(float(fleet.cost[0]))}/month",
        delta_color="off",
    )
    separate.metric(
        "Separate fleets",
        f"{int(fleet.separate_replicas[0])} replica(s)",
        delta=f"{int(fleet.separate_gpus[0])} GPUs, {money(float(fleet.separate_cost[0]))}/month",
        delta_color="off",
    )
    st.caption(
        md(
            f"{fleet.plan.profile_name}, shared by {', '.join(fleet.members)}. Each workload loads the fleet with its "
            "requests over what one replica serves of its token shape; the pool rounds the sum up once and pays "
            "operations once. Peaks at different hours are not modelled."
        )
    )
    be = fleet.break_even
    if be is not None:
        if be.first_requests_per_month is None:
            st.caption(md(f"Against their flagship the fleet never pays off: {be.reason}."))
        else:
            st.caption(
                md(
                    f"Against their flagship, the fleet pays off from {be.first_requests_per_month:,.0f} requests a month "
                    "of this mix."
                )
            )


def header_note(portfolio: Portfolio | None, index: int) -> None:
    """Which workload the page's figures are for, in portfolio mode."""
    if portfolio is not None:
        st.caption(
            md(
                f"Portfolio of {len(portfolio.workloads)} workloads: the figures below are for "
                f"**{portfolio.workloads[index].name}**; the Portfolio tab adds them up."
            )
        )
