"""The results around the tabs: the KPI cards, the strategies' errors and the engine's notes, the
recommendation above the tabs, the catalog's freshness below them (the tabs are ``dashboard.tabs``).

Each section runs inside ``guard``: if it fails, it shows the message in its place and the
rest of the page keeps working; no traceback reaches the page.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator

import streamlit as st

from calculators import clock
from calculators.engine import Evaluation
from calculators.formatting import cost_change, money, percent, tokens
from calculators.recommendation import VOLUME_TIERS, Recommendation
from calculators.scenario import STRATEGY_LABELS
from calculators.strategies import BASELINES, REGISTRY
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
KPI_LABELS = {key: strategy.short_label for key, strategy in REGISTRY.items()}


def saving_delta(ev: Evaluation, key: str) -> str | None:
    """The card's delta: the change against flagship only (``-60%``, ``+12%``, ``+25×``)."""
    return None if key == "flagship_only" else cost_change(ev.savings_vs_flagship_only.get(key))


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
    for col, other in zip(cols, BASELINES, strict=True):
        be = break_even.get(other)
        name = REGISTRY[other].word
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
    replicas = mixed.replicas
    overflow = float(mixed.cost.overflow[0])
    fleet.metric(
        "Mixed fleet",
        f"{mixed.gpus:,} GPUs",
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
