"""The results: KPI cards, the recommendation, one tab per figure, the table and its CSV.

Each section runs inside ``guard``: if it fails, it shows the message in its place and the
rest of the page keeps working; no traceback reaches the page.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterator

import pandas as pd
import streamlit as st

from calculators import clock
from calculators.engine import Evaluation
from calculators.export import forecast_csv, forecast_rows, safe_frame
from calculators.formatting import SCIENTIFIC_FROM, money, percent, tokens
from calculators.recommendation import VOLUME_TIERS, Recommendation
from calculators.scenario import STRATEGY_LABELS
from dashboard import assumptions, cache, charts
from dashboard.markup import md

log = logging.getLogger(__name__)


@contextlib.contextmanager
def guard(section: str) -> Iterator[None]:
    """Show a failure as an inline error in this section, log the traceback, keep the page going."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the point is to catch anything a section raises
        log.exception("section %s failed", section)
        st.error(md(f"{section} could not be shown: {exc}"), icon="⚠️")


MAX_CARDS_PER_ROW = 5  # at 1280 px a sixth card in the row truncates its dollar figure
# Card labels: the full names do not fit five cards to a row at 1280 px.
KPI_LABELS = {
    "flagship_only": "Flagship only",
    "hybrid": "Hybrid",
    "cascade": "Cascade",
    "hosted_open": "Hosted open",
    "self_hosted": "Self-hosted",
    "self_hosted_mixed": "Self-host + API",
}


def saving_delta(ev: Evaluation, key: str) -> str | None:
    """The card's delta: the change against flagship only (``-60%``, ``+12%``, ``+25×``)."""
    saving = ev.savings_vs_flagship_only.get(key)
    if key == "flagship_only" or saving is None:
        return None
    if saving >= 0:
        return f"-{percent(saving)}"
    ratio = 1 - saving
    return f"+{tokens(ratio)}×" if ratio > 2 else f"+{percent(-saving)}"


def kpis(ev: Evaluation) -> None:
    """This month's cost per strategy, then the self-hosting figures."""
    keys = list(ev.strategies)
    per_row = len(keys) if len(keys) <= MAX_CARDS_PER_ROW else math.ceil(len(keys) / 2)  # six cards: two rows of three
    cols = [col for start in range(0, len(keys), per_row) for col in st.columns(max(per_row, 1))] if keys else []
    for col, key in zip(cols, keys, strict=False):
        result = ev.strategies[key]
        label = KPI_LABELS.get(key, STRATEGY_LABELS.get(key, key)) + (" ✎" if any(m.overridden for m in result.models) else "")
        with col:
            if result.ok:
                st.metric(label, money(result.monthly_cost_usd), saving_delta(ev, key), delta_color="inverse", border=True)
            else:
                st.metric(label, "not priced", border=True)
    st.caption(md("This month's cost; the change is against flagship only. ✎ marks prices overridden in the price table."))
    _self_hosting_cards(ev)


def _self_hosting_cards(ev: Evaluation) -> None:
    info = ev.self_hosted
    fleet, *others, when = st.columns(4)
    if info is None:
        fleet.metric("Self-hosted fleet", "—", "off or not sized", delta_color="off", delta_arrow="off", border=True)
        return
    plan = info.plan
    fleet.metric(
        "Self-hosted fleet",
        f"{info.gpus:,} GPUs",
        f"{info.replicas:,} replica{'s' * (info.replicas != 1)} × {plan.gpus_per_replica}",
        delta_color="off",
        delta_arrow="off",
        help=f"{plan.profile_name} at {money(plan.gpu_hour_usd)} per GPU-hour; a replica absorbs {tokens(info.capacity_per_replica)} requests a month.",
        border=True,
    )
    _break_even_cards(ev, others, info.break_even, "Break-even")
    _wins_from(ev, when, "Self-hosting wins from", ev.forecast.first_self_hosted_cheaper)
    _mixed_cards(ev)


def _break_even_cards(ev: Evaluation, cols, break_even: dict, prefix: str, mixed: bool = False) -> None:
    """Break-even volume against flagship only and the hybrid, one card each (``prefix, flagship``, or for
    the mixed strategy ``prefix vs flagship``, with the request count in the help: labels must stay short)."""
    w = ev.scenario.workload
    for col, other in zip(cols, ("flagship_only", "hybrid"), strict=True):
        be = break_even.get(other)
        name = KPI_LABELS[other].split()[0].lower()
        label = f"{prefix} vs {name}" if mixed else f"{prefix}, {name}"  # short, no help icon: room for the label
        if be is None:
            col.metric(label, "—", "off or not priced", delta_color="off", delta_arrow="off", border=True)
        elif be.first_requests_per_month is None:
            col.metric(label, "never", "marginal cost too high", delta_color="off", delta_arrow="off", border=True)
        else:
            in_tokens = w.tokens_per_request > 0
            unit = "tokens" if in_tokens else "requests"
            col.metric(
                label,
                tokens(be.first_tokens_per_month if in_tokens else be.first_requests_per_month),
                f"{unit}/mo" if mixed else f"{unit}/mo · {tokens(be.first_requests_per_month)} req",
                delta_color="off",
                delta_arrow="off",
                help=f"Break-even: from {tokens(be.first_requests_per_month)} requests a month in all, self-hosted + "
                f"flagship costs no more than {KPI_LABELS[other].lower()}."
                if mixed
                else None,
                border=True,
            )


def _wins_from(ev: Evaluation, when, label: str, first: dict[str, int | None]) -> None:
    other = "hybrid" if "hybrid" in first else "flagship_only"
    index = first.get(other)
    when.metric(
        label,
        ev.forecast.month_label(index) or "not yet",
        f"vs {KPI_LABELS[other].lower()} · month {index + 1}"
        if index is not None
        else f"vs {KPI_LABELS[other].lower()}: not in {len(ev.forecast.months)} months",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )


def _mixed_cards(ev: Evaluation) -> None:
    """The self-hosted + flagship strategy's fleet and break-even, laid out like the self-hosted ones."""
    mixed, info = ev.mixed, ev.self_hosted
    if mixed is None or info is None:
        return
    fleet, *others, when = st.columns(4)
    replicas = int(mixed.cost.replicas[0])
    overflow = float(mixed.cost.overflow[0])
    fleet.metric(
        "Mixed fleet",
        f"{replicas * info.plan.gpus_per_replica:,} GPUs",
        f"{replicas:,} replica{'s' * (replicas != 1)} × {info.plan.gpus_per_replica}",
        delta_color="off",
        delta_arrow="off",
        help=f"Self-hosted + flagship (the {KPI_LABELS['self_hosted_mixed']} card): {percent(mixed.small_share)} of the "
        "requests on the self-hosted server, the rest on the flagship API"
        + (f"; {tokens(overflow)} requests a month overflow to the API." if overflow else "."),
        border=True,
    )
    _break_even_cards(ev, others, mixed.break_even, "Mixed", mixed=True)
    _wins_from(ev, when, "Mixed wins from", mixed.first_cheaper)


def recommendation(rec: Recommendation) -> None:
    with st.container(border=True):
        st.markdown("**Recommendation** · " + md(rec.verdict))
        ladder = []
        for tier in VOLUME_TIERS:
            text = md(f"{tier.label}: {tier.advice}")
            ladder.append(f"**▶ {text}**" if tier == rec.tier else text)
        st.markdown("Article's volume tiers: " + " · ".join(ladder))
        for line in (*rec.latency, *rec.caveats):
            st.caption(md(line))


def _chart(ev: Evaluation, kind: str, build: Callable[[Evaluation], object], key: str) -> None:
    fig = cache.figure(kind, ev.scenario, build, ev)
    st.plotly_chart(fig, width="stretch", theme="streamlit", config=charts.chart_config(ev, kind), key=key)


def _assumptions(ev: Evaluation, kind: str, catalog, with_server: bool = False) -> None:
    box = st.expander(
        "Assumptions: formula and prices used", icon=":material/functions:", key=f"assumptions_{kind}", on_change="rerun"
    )
    if not box.open:  # lazy: the tables are built when someone looks
        return
    with box:
        st.markdown(assumptions.FORMULAS[kind])
        rows = assumptions.prices_used(ev)
        if rows:
            st.dataframe(
                safe_frame(pd.DataFrame(rows)),
                hide_index=True,
                width="stretch",
                column_config={
                    "input": st.column_config.NumberColumn("input $/1M", format="%.4g"),
                    "cached input": st.column_config.NumberColumn("cached $/1M", format="%.4g"),
                    "cache write": st.column_config.NumberColumn("cache write $/1M", format="%.4g"),
                    "output": st.column_config.NumberColumn("output $/1M", format="%.4g"),
                    "batch discount": st.column_config.NumberColumn(format="percent"),
                    "source": st.column_config.LinkColumn(display_text="source"),
                    "checked": st.column_config.DateColumn(),
                },
            )
        if with_server:
            server = assumptions.server_assumptions(ev, catalog)
            if server:
                st.dataframe(
                    safe_frame(pd.DataFrame(server)),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "source": st.column_config.LinkColumn(display_text="source"),
                        "checked": st.column_config.DateColumn(),
                    },
                )


def compare_tab(ev: Evaluation, catalog) -> None:
    from dashboard.uncertainty_view import render_quality  # it draws with this module's helpers' style

    option, height = charts.comparison_chart(ev)
    st.echarts_chart(option, height=height, key="chart_comparison")
    with guard("The quality-adjusted cost"):
        render_quality(ev, catalog)
    _assumptions(ev, "comparison", catalog, with_server=True)


def volume_tab(ev: Evaluation, catalog) -> None:
    _chart(ev, "volume", charts.volume_figure, "chart_volume")
    st.caption(
        md(
            "Log scales. Lines: API strategies. Staircase: self-hosting (one more replica at each step). "
            "◆ break-even points; dashed line: your volume; shaded bands: the article's volume tiers."
        )
    )
    _assumptions(ev, "volume", catalog, with_server=True)


def forecast_tab(ev: Evaluation, catalog) -> None:
    _chart(ev, "forecast", charts.forecast_figure, "chart_forecast")
    _chart(ev, "cumulative", lambda e: charts.forecast_figure(e, cumulative=True), "chart_cumulative")
    if ev.events:
        st.markdown("**Dated price changes and retirements in the horizon**")
        for day, text in ev.events:
            st.markdown(f"- {day:%Y-%m-%d}: {md(text)}")
    _assumptions(ev, "forecast", catalog, with_server=True)


def breakdown_tab(ev: Evaluation, catalog) -> None:
    _chart(ev, "breakdown", charts.breakdown_figure, "chart_breakdown")
    _assumptions(ev, "breakdown", catalog, with_server=True)


def table_tab(ev: Evaluation) -> None:
    header, rows = forecast_rows(ev)
    frame = pd.DataFrame(rows, columns=header)
    numbers = header[1:-1]  # between the month and the events
    # floats: volumes pass int64 inside the documented bounds (1e15 tokens a month growing 10% a month)
    frame = frame.astype(dict.fromkeys(numbers, float))
    usd = [h for h in numbers if "USD" in h]
    huge = bool(usd) and float(frame[usd].abs().max().max()) >= SCIENTIFIC_FROM
    # "$29,907,629,905,160,606,666,568,237,056.00" is not readable: scientific from $1,000T on
    money_columns = {h: st.column_config.NumberColumn(format="$%.3e" if huge else "dollar") for h in usd}
    st.dataframe(
        safe_frame(frame),
        hide_index=True,
        width="stretch",
        column_config={
            "requests": st.column_config.NumberColumn(format="compact"),
            "tokens": st.column_config.NumberColumn(format="compact"),
            **money_columns,
        },
    )
    st.download_button(
        "Download the forecast (CSV)",
        data=lambda: forecast_csv(ev),
        file_name=f"{charts.slug(ev.scenario.name)}-forecast.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="download_csv",
    )


def strategy_errors(ev: Evaluation) -> None:
    for key, error in ev.errors.items():
        st.error(md(f"{STRATEGY_LABELS.get(key, key)}: {error}"), icon=":material/error:")


def engine_notices(ev: Evaluation) -> None:
    """Retirements, overrides in use, missing batch APIs: one click away, not in the way."""
    if ev.notices:
        with st.expander(f"{len(ev.notices)} note{'s' * (len(ev.notices) != 1)} on this scenario", icon=":material/info:"):
            st.markdown("\n".join(f"- {md(n)}" for n in ev.notices))


def catalog_footer(catalog) -> None:
    """How fresh the prices are: the oldest `checked` date, so stale data is never a surprise."""
    oldest = catalog.oldest_checked()
    age = (clock.today() - oldest).days
    vendors = len({m.vendor for m in catalog.models.values()})
    # Only catalog figures and fixed text here (no user data), so the caption keeps its code spans.
    st.caption(
        f"Price catalog: {len(catalog.models)} models from {vendors} vendors and providers, "
        f"{len(catalog.offers)} GPU offers, {len(catalog.profiles)} serving profiles. Every price has a source and a "
        f"checked date; the oldest was checked on {oldest:%Y-%m-%d} ({age} days ago). "
        "Refresh with `python -m pricing import-litellm` and review with `python -m pricing check` (docs/prices.md)."
    )
