"""Number formats shared by the CLI and the dashboard: $1.2k, 3.4B tokens, 62%."""

from __future__ import annotations

import math

SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))  # the compact units, largest first


SCIENTIFIC_FROM = 999.5e12  # from 1,000T on, compact units would print dozens of digits: 2.99e31 instead


def compact(value: float, digits: int = 3) -> str:
    """``1234 → '1.23k'``, ``3.4e9 → '3.4B'``; small values keep up to ``digits`` significant digits.

    From a thousand trillion on, scientific notation, so a number stays a few characters at the bounds
    (a volume of 1e15 tokens a month growing 10% a month for ten years):

    >>> compact(999e12), compact(2.9907629905e31), compact(-1e15)
    ('999T', '2.99e31', '-1e15')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= SCIENTIFIC_FROM:
        mantissa, _, exponent = f"{value:.{digits - 1}e}".partition("e")
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return f"{sign}{mantissa}e{int(exponent)}"
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

    Cents show only below $100, so every amount fits a narrow card in five or six characters; from
    $1,000T on, scientific notation keeps it short:

    >>> money(0.0045), money(12.5), money(1234), money(-2.5e9), money(2.9907629905e31)
    ('$0.0045', '$12.50', '$1.23k', '-$2.5B', '$2.99e31')
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
