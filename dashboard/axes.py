"""Money axes for plotly figures: ticks written by ``calculators.formatting.money`` ($0.80, $12.3k, $1.2M).

Plotly's own ``tickformat="~s"`` writes SI prefixes ($800m for 80 cents, $200µ); these helpers
give explicit tick values and texts instead.
"""

from __future__ import annotations

import math

from calculators.formatting import money


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``: 1, 2, 2.5 or 5 times a power of ten apart.

    >>> nice_ticks(0.8)
    [0.0, 0.2, 0.4, 0.6, 0.8]
    >>> nice_ticks(12_300)
    [0.0, 5000.0, 10000.0, 15000.0]
    """
    if not top or top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = []
    while not ticks or ticks[-1] < top * 0.999:
        ticks.append(round(len(ticks) * float(step), 12))
    return ticks


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten covering [low, high] (one below and above), for a log money axis."""
    first = math.floor(math.log10(max(low, 1e-6)))
    last = math.ceil(math.log10(max(high, low, 1e-6)))
    return [10.0**e for e in range(first, last + 1)]


def money_axis(values: list[float], log: bool = False) -> dict:
    """A plotly axis with money ticks written by ``money``."""
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    if log and finite:
        ticks = log_ticks(min(finite), max(finite))
        return {
            "type": "log",
            "tickvals": ticks,
            "ticktext": [money(t) for t in ticks],
            "range": [math.log10(ticks[0]), math.log10(ticks[-1])],
        }
    ticks = nice_ticks(max(finite, default=0.0))
    return {"tickvals": ticks, "ticktext": [money(t) for t in ticks], "rangemode": "tozero"}
