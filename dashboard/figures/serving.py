"""Pure figure builder of the Serving tab: a replica's throughput and latency against concurrency, as an
ECharts option."""

from __future__ import annotations

import math

from calculators.capacity import OperatingPoint
from calculators.formatting import compact
from dashboard.figures import echarts
from dashboard.theme import NEUTRAL

HEIGHT = 450  # pixels
THROUGHPUT_COLOR = "#2563eb"
ITL_COLOR = "#ea580c"
THROUGHPUT_AXIS, ITL_AXIS = 0, 1  # the left and the right y axis


def throughput_figure(curve: dict, point: OperatingPoint, max_itl_ms: float | None, export: str = "serving") -> tuple[dict, int]:
    """Output tokens/s (left axis) and time between tokens (right axis) against concurrent requests (log axis).
    An ECharts option and its height; ``export`` names its PNG.

    ``curve`` is ``capacity.throughput_curve``'s dict; the chosen operating point is a marker, the
    ITL target a dashed line on the right axis, labelled.
    """
    rows = [
        (float(users), float(rate), float(itl))
        for users, rate, itl in zip(curve["concurrency"], curve["output_tokens_per_s"], curve["itl_ms"], strict=True)
        if users > 0 and math.isfinite(rate) and math.isfinite(itl)
    ]
    lo, hi = echarts.log_range([users for users, _, _ in rows] + [float(point.concurrency)])
    throughput = [
        echarts.point(users, rate, "Output tokens/s", f"{users:,.0f} in flight → {rate:,.0f} tokens/s") for users, rate, _ in rows
    ]
    itl = [echarts.point(users, ms, "Time between tokens", f"{users:,.0f} in flight → ITL {ms:,.1f} ms") for users, _, ms in rows]
    series = [
        echarts.line("Output tokens/s", THROUGHPUT_COLOR, throughput),
        echarts.line("Time between tokens (ms)", ITL_COLOR, itl, style="dotted") | {"yAxisIndex": ITL_AXIS},
        echarts.markers(
            "Operating point",
            [
                echarts.point(
                    float(point.concurrency),
                    float(point.output_tokens_per_s),
                    "Operating point",
                    f"{point.concurrency:,.0f} in flight, {point.output_tokens_per_s:,.0f} tokens/s",
                )
            ],
            size=14,
            color=THROUGHPUT_COLOR,
            itemStyle={"color": THROUGHPUT_COLOR, "borderColor": NEUTRAL, "borderWidth": 2},
        ),
    ]
    if max_itl_ms is not None:
        series.append(_itl_target(float(max_itl_ms), lo))
    series.append(echarts.log_labels("x", lo, hi, 0, compact) | {"yAxisIndex": THROUGHPUT_AXIS})
    value_axis = {"type": "value", "nameLocation": "middle", "nameGap": 52, "min": 0}
    option = echarts.frame(
        "One replica: throughput and latency against concurrency",
        "Output tokens/s (left axis) and time between tokens (right axis)",
        export,
        series,
        x_axis=echarts.log_axis("Requests in flight", lo, hi, nameGap=30),
        y_axis=[
            value_axis | {"name": "Output tokens/s"},
            # its own grid lines would cross the left axis's: the right axis has labels only
            value_axis | {"name": "Time between tokens (ms)", "position": "right", "splitLine": {"show": False}},
        ],
        # without containLabel ECharts fits both axes' labels and names in the chart (with it, the names were cut)
        grid=echarts.FIT_AXIS_NAMES | {"right": 16, "bottom": echarts.LEGEND_HEIGHT + 56},
    )
    return option, HEIGHT


def _itl_target(max_itl_ms: float, x: float) -> dict:
    """The ITL target: a dashed horizontal line on the right axis, labelled at its right end. The carrier holds
    one invisible point at the target so that the right axis reaches it even when every ITL is below it."""
    line = {
        "yAxis": max_itl_ms,
        "lineStyle": {"color": NEUTRAL, "width": 1.5, "type": "dashed"},
        "label": {"formatter": f"ITL target {max_itl_ms:,.0f} ms", "position": "insideEndTop", "color": NEUTRAL},
    }
    return echarts.marks_series([line]) | {"yAxisIndex": ITL_AXIS, "data": [[x, max_itl_ms]]}
