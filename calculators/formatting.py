"""Number formats shared by the CLI and the dashboard: $1.2k, 3.4B tokens, 62%."""

from __future__ import annotations

import math

SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))  # the compact units, largest first


def compact(value: float, digits: int = 3) -> str:
    """``1234 → '1.23k'``, ``3.4e9 → '3.4B'``; small values keep up to ``digits`` significant digits."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    value = abs(value)
    for size, suffix in SUFFIXES:
        if value >= size * 0.9995:
            return f"{sign}{_significant(value / size, digits)}{suffix}"
    return f"{sign}{_significant(value, digits)}"


def _significant(value: float, digits: int) -> str:
    if value == 0:
        return "0"
    if value >= 100:
        return f"{value:.0f}"
    text = f"{value:.{digits}g}"
    if "e" in text:
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text


def money(value: float | None) -> str:
    """``$1.23k``, ``$198``, ``$12.50``; under a cent four decimals (``$0.0045``).

    Cents show only below $100, so every amount fits a narrow card in five or six characters.
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    if abs(value) < 0.01 and value != 0:
        return f"${value:.4f}".replace("$-", "-$")
    if abs(value) < 99.995:
        return f"${value:,.2f}".replace("$-", "-$")
    if abs(value) < 999.5:
        return f"${value:,.0f}".replace("$-", "-$")
    text = compact(value)
    return "-$" + text[1:] if text.startswith("-") else "$" + text


def tokens(value: float | None) -> str:
    """``3.4B``, ``120M``, ``950``."""
    return compact(value)


def percent(value: float | None, digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value * 100:.{digits}f}%"
