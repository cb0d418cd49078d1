"""Slider scales: log-spaced stops for volumes and request sizes, and snapping a value to them."""

from __future__ import annotations

import math
from collections.abc import Sequence

MANTISSAS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)  # 10 stops a decade: round request sizes (800, 3000) sit on a stop


def log_stops(low_exp: int, high_exp: int, *, zero: bool = False) -> tuple[float, ...]:
    """``MANTISSAS`` times each power of ten from ``10**low_exp`` to ``10**high_exp`` inclusive.

    >>> log_stops(0, 1)
    (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
    """
    stops = [float(m * 10**e) for e in range(low_exp, high_exp) for m in MANTISSAS]
    stops.append(float(10**high_exp))
    return ((0.0,) if zero else ()) + tuple(stops)


def nearest_stop(stops: Sequence[float], value: float) -> float:
    """The stop closest to ``value`` on a log scale (0 snaps to a 0 stop if there is one, else the lowest)."""
    if value is None or not math.isfinite(value) or value <= 0:
        return stops[0]
    positive = [s for s in stops if s > 0]
    target = math.log10(value)
    return min(positive, key=lambda s: abs(math.log10(s) - target))


def month_options(today_month: str, current: str | None = None, back: int = 24, ahead: int = 48) -> list[str]:
    """``YYYY-MM`` strings from ``back`` months before to ``ahead`` months after ``today_month``,
    plus ``current`` if it lies outside that window (a scenario may start anywhere)."""
    year, month = (int(p) for p in today_month.split("-"))
    base = year * 12 + month - 1
    options = [f"{(base + i) // 12:04d}-{(base + i) % 12 + 1:02d}" for i in range(-back, ahead + 1)]
    if current and current not in options:
        options = sorted([*options, current])
    return options
