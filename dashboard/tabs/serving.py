"""The Serving tab: the self-hosted replica as the capacity model sees it, the cheapest hardware for the
workload, and the fleet's month under each billing policy (and bought outright).

The replica comes from the scenario's ``self_hosted`` section: its ``model`` (the engine's plan), or the
serving profile's model and GPUs when only a profile is named (then the strategy keeps the profile's
fixed numbers and this tab says so). The traffic-curve, window and owned-server settings are view
settings of this tab, not part of the scenario.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from calculators.capacity import CapacityError, Replica, operating_point, throughput_curve
from calculators.engine import Evaluation
from calculators.fleet import (
    DAYS_PER_MONTH,
    TRAFFIC_SHAPES,
    FleetError,
    OwnedServer,
    owned_usd_per_month,
    rented_day,
    traffic_curve,
)
from calculators.formatting import money
from calculators.selfhost_capacity import LIMIT_LABELS
from calculators.serving_optimizer import serving_options
from dashboard import tables
from dashboard.figures.cost import slug
from dashboard.figures.serving import throughput_figure
from dashboard.markup import md

SHAPE_KEY = "srv_shape"
WINDOW_KEY = "srv_window"
OWNED_PRICE_KEY = "srv_owned_price"
SHAPE_LABELS = {"flat": "Flat", "business_hours": "Business hours", "consumer_evening": "Consumer, evening peak"}


def replica_in_view(ev: Evaluation, catalog):
    """``(replica, point, targets, note)`` for the tab, or ``None`` and the reason."""
    info, settings = ev.self_hosted, ev.scenario.self_hosted
    if settings is None:
        return None, "Add the self-hosted strategy to see its serving model."
    if info is not None and info.plan.capacity is not None:
        c = info.plan.capacity
        return (c.replica, c.point, (c.max_ttft_ms, c.max_itl_ms), None), None
    hardware = getattr(catalog, "hardware", None)
    profile = catalog.profiles.get(settings.profile or "")
    if hardware is None or profile is None or profile.model not in hardware.models or profile.gpu not in hardware.gpus:
        return None, "Name an open model (self_hosted.model, e.g. llama-3.3-70b) and a GPU to see its serving model."
    w = ev.scenario.workload
    replica = Replica(
        hardware.models[profile.model], hardware.gpus[profile.gpu], profile.gpus_per_replica, "fp8", hardware.engines["trtllm"]
    )
    try:
        point = operating_point(replica, w.input_tokens, max(w.output_tokens + w.reasoning_tokens, 1.0))
    except CapacityError as exc:
        return None, f"The capacity model cannot serve the profile's hardware: {exc}"
    note = (
        f"The strategy uses the fixed numbers of the profile {profile.name}; below is the same hardware as the "
        "capacity model sees it at maximum throughput (FP8). Name the model in the self-hosted section to size the "
        "fleet with it."
    )
    return (replica, point, (None, None), note), None


def render_serving_tab(ev: Evaluation, catalog) -> None:
    found, reason = replica_in_view(ev, catalog)
    if found is None:
        st.info(md(reason))
        return
    replica, point, (max_ttft_ms, max_itl_ms), note = found
    w = ev.scenario.workload
    generated = max(w.output_tokens + w.reasoning_tokens, 1.0)
    if note:
        st.caption(md(note))
    st.markdown(
        f"**{md(replica.model.name)}** on **{md(f'{replica.gpus}x {replica.gpu.name}')}** "
        + md(
            f"({replica.precision}, {replica.engine.name}), {w.input_tokens:,.0f} input and {generated:,.0f} generated tokens per request"
        )
    )
    cols = st.columns(5)
    cols[0].metric("Output tokens/s per replica", f"{point.output_tokens_per_s:,.0f}")
    cols[1].metric("Requests/s per replica", f"{point.requests_per_s:,.2f}")
    cols[2].metric("Requests in flight", f"{point.concurrency:,.0f}")
    cols[3].metric("Time to first token", f"{point.ttft_ms:,.0f} ms")
    cols[4].metric("Time between tokens", f"{point.itl_ms:,.1f} ms")
    st.caption(
        md(
            f"Binding limit: {LIMIT_LABELS[point.limit]}."
            + ("" if point.meets_targets else " Even one request at a time misses the latency target.")
        )
    )
    users = np.unique(np.geomspace(1, max(4.0, 2.0 * point.max_batch), 40).round())
    curve = throughput_curve(replica, w.input_tokens, generated, users)
    option, height = throughput_figure(curve, point, max_itl_ms, export=f"{slug(ev.scenario.name)}-serving")
    st.echarts_chart(option, height=height, key="serving_curve")
    _cheapest(ev, catalog, replica, max_ttft_ms, max_itl_ms)
    _fleet(ev, replica, point)


def _cheapest(ev: Evaluation, catalog, replica, max_ttft_ms, max_itl_ms) -> None:
    w, s = ev.scenario.workload, ev.scenario.self_hosted
    options = serving_options(
        catalog.hardware,
        catalog.offers.values(),
        replica.model.id,
        w.input_tokens,
        max(w.output_tokens + w.reasoning_tokens, 1.0),
        w.requests_per_month,
        precisions=tuple(dict.fromkeys((replica.precision, "fp8", "fp16"))),
        engine=replica.engine.id,
        max_ttft_ms=max_ttft_ms,
        max_itl_ms=max_itl_ms,
        utilization=s.utilization,
        peak_to_average=s.peak_to_average,
        min_replicas=s.min_replicas,
    )
    st.subheader("Cheapest GPU and replica size for this workload")
    if not options:
        st.info("No GPU in the catalog serves this model at these targets.")
        return
    best = options[0]
    fleet = md(f"{best.replicas} replica(s) of {best.gpus_per_replica}x {best.gpu} ({best.precision})")
    st.markdown(
        f"Cheapest: **{fleet}** from **{md(best.offer)}** at {md(money(best.usd_per_gpu_hour))}/GPU\\-hour: "
        f"**{md(money(best.usd_per_month))} a month**, "
        + md(f"{money(best.usd_per_million_tokens)} per 1M tokens, for this month's volume at the same latency targets.")
    )
    table = pd.DataFrame(
        [
            {
                "GPU": o.gpu,
                "Offer": o.offer,
                "GPUs/replica": o.gpus_per_replica,
                "Precision": o.precision,
                "Replicas": o.replicas,
                "$/month": round(o.usd_per_month, 2),
                "$ per 1M tokens": round(o.usd_per_million_tokens, 4),
                "Limit": LIMIT_LABELS[o.limit],
            }
            for o in options[:10]
        ]
    )
    tables.table(table)


def _fleet(ev: Evaluation, replica, point) -> None:
    st.subheader("The fleet over a day: billing policies and owned servers")
    info = ev.self_hosted
    if info is None:
        st.info("The self-hosted strategy has no resolved server plan to price.")
        return
    plan, w = info.plan, ev.scenario.workload
    left, right = st.columns(2)
    shape = left.selectbox("Daily traffic curve", list(TRAFFIC_SHAPES), format_func=SHAPE_LABELS.get, key=SHAPE_KEY)
    start, end = right.select_slider("Active window (hours, UTC)", options=list(range(25)), value=(9, 19), key=WINDOW_KEY)
    hours = max(1, end - start)
    rps = point.requests_per_s * (plan.capacity.efficiency if plan.capacity is not None else 1.0)
    per_day = w.requests_per_month / DAYS_PER_MONTH
    try:
        curve = traffic_curve(shape)
        rows = _rented_rows(per_day, curve, rps, plan, replica.gpus, start, hours)
        price = st.number_input(
            "Price of one 8-GPU server you buy ($; empty: not compared)",
            min_value=0.0,
            max_value=1e8,
            value=None,
            step=10_000.0,
            key=OWNED_PRICE_KEY,
        )
        if price is not None:
            rows.append(_owned_row(per_day, curve, rps, plan, replica.gpus, OwnedServer(price, 8)))
    except FleetError as exc:
        st.warning(md(str(exc)))
        return
    tables.table(pd.DataFrame(rows))
    st.caption(
        md(
            f"This month's {w.requests_per_month:,.0f} requests spread over the day by the curve; each hour needs "
            f"ceil(demand / ({rps:,.2f} requests/s per replica x {plan.utilization:.0%} utilization)) replicas, at least "
            f"{plan.min_replicas}. The strategy's own cost sizes every hour for the peak-to-average ratio instead."
        )
    )


def _rented_rows(per_day: float, curve, rps: float, plan, gpus: int, start: int, hours: int) -> list[dict]:
    """One table row per rental billing policy: the month's dollars and the day's peak replicas."""
    rows = []
    for policy, label in (
        ("always_on", "Rented, always on"),
        ("active_window", f"Rented, {hours} h a day from {start}:00"),
        ("scale_to_zero", "Rented, following demand hourly"),
    ):
        day = rented_day(
            per_day, curve, rps, plan.utilization, gpus, plan.gpu_hour_usd, policy, plan.min_replicas, start % 24, hours
        )
        unserved = f"{day.unserved_share:.0%} of requests outside the window" if day.unserved_share else ""
        rows.append(
            {
                "Fleet": label,
                "$/month": round(float(day.usd_per_month), 2),
                "Peak replicas": int(day.replicas_by_hour.max()),
                "Note": unserved,
            }
        )
    return rows


def _owned_row(per_day: float, curve, rps: float, plan, gpus: int, server: OwnedServer) -> dict:
    """The table row of owned 8-GPU servers: their month's dollars and what a GPU-hour of them costs."""
    cost = owned_usd_per_month(per_day, curve, rps, plan.utilization, gpus, server, plan.min_replicas)
    return {
        "Fleet": "Owned 8-GPU servers (4 years, 8% capital, 10% maintenance, 0.7 kW/GPU, PUE 1.3, $0.10/kWh)",
        "$/month": round(float(cost), 2),
        "Peak replicas": "",
        "Note": f"{money(server.usd_per_gpu_hour)} per GPU-hour",
    }
