"""Pure figure builder of the Serving tab: a replica's throughput and latency against concurrency."""

from __future__ import annotations

import plotly.graph_objects as go

from calculators.capacity import OperatingPoint


def throughput_figure(curve: dict, point: OperatingPoint, max_itl_ms: float | None) -> go.Figure:
    """Output tokens/s (left axis) and time between tokens (right axis) against concurrent requests.

    ``curve`` is ``capacity.throughput_curve``'s dict; the chosen operating point is a marker, the
    ITL target a dashed line on the right axis.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve["concurrency"],
            y=curve["output_tokens_per_s"],
            name="Output tokens/s",
            mode="lines",
            hovertemplate="%{x:,.0f} in flight → %{y:,.0f} tokens/s<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["concurrency"],
            y=curve["itl_ms"],
            name="Time between tokens (ms)",
            mode="lines",
            line={"dash": "dot"},
            yaxis="y2",
            hovertemplate="%{x:,.0f} in flight → ITL %{y:,.1f} ms<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[point.concurrency],
            y=[point.output_tokens_per_s],
            name="Operating point",
            mode="markers",
            marker={"size": 12, "symbol": "diamond"},
            hovertemplate="operating point: %{x:,.0f} in flight, %{y:,.0f} tokens/s<extra></extra>",
        )
    )
    if max_itl_ms is not None:
        fig.add_hline(y=max_itl_ms, yref="y2", line_dash="dash", annotation_text=f"ITL target {max_itl_ms:,.0f} ms")
    fig.update_layout(
        title="One replica: throughput and latency against concurrency",
        xaxis={"title": "Requests in flight", "type": "log"},
        yaxis={"title": "Output tokens/s", "rangemode": "tozero"},
        yaxis2={"title": "Time between tokens (ms)", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 60, "b": 40},
    )
    return fig
