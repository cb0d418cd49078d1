"""The forecast as a table and as a CSV file that is safe to open in a spreadsheet.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return) as a formula: a scenario name or model name such as ``=HYPERLINK(...)`` would
execute on opening (CSV injection, OWASP). Text cells that begin with one of those characters
get a leading apostrophe, which spreadsheets show as plain text. Numbers are written as
numbers: a negative number is data, not a formula.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from calculators.engine import Evaluation
from calculators.scenario import STRATEGY_LABELS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# a signed number as the page writes it ("-3.1%", "+0.0%", "-$2.5B", "-4.2e20"): data, not a formula
PLAIN_NUMBER = re.compile(r"[+-]\$?[0-9][0-9,]*(\.[0-9]+)?(e[+-]?[0-9]+)?[%kMBT]?")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula; other values unchanged.

    >>> safe_cell("=1+1"), safe_cell("gpt-5"), safe_cell(-3.5), safe_cell("-3.1%"), safe_cell("-1+2")
    ("'=1+1", 'gpt-5', -3.5, '-3.1%', "'-1+2")
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


EXACT_INT_BELOW = 2**53  # every whole number below this is exact in a float (and fits a table's int64 column)


def whole(value: float) -> int | float:
    """A volume rounded to a whole number: an ``int`` while it is exact in a float, else the float.

    Volumes grow past 2**63 inside the documented bounds (1e15 tokens a month, +10% a month for ten
    years), where an int column overflows a table ("Python int too large to convert to C long").

    >>> whole(1234.6), whole(8.4e19)
    (1235, 8.4e+19)
    """
    value = float(value)
    return round(value) if abs(value) < EXACT_INT_BELOW else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and column name made safe by ``safe_cell``: the page's tables offer
    Streamlit's CSV download, which writes cells as they are (model names come from links, scenario
    files and usage exports). Numbers, dates and missing values are left alone.

    >>> safe_frame(pd.DataFrame({"model": ["=cmd()", "gpt-5"], "usd": [-1.5, 2.0]})).to_dict("list")
    {'model': ["'=cmd()", 'gpt-5'], 'usd': [-1.5, 2.0]}
    """
    out = frame.rename(columns=safe_cell)
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(safe_cell, na_action="ignore")
    return out


def _cents(value: float) -> float | None:
    """Dollars rounded to cents; None (an empty cell) for a month the strategy is not priced."""
    value = float(value)
    return round(value, 2) if math.isfinite(value) else None


def _label(key: str) -> str:
    return STRATEGY_LABELS.get(key, key)


def forecast_rows(ev: Evaluation) -> tuple[list[str], list[list[Any]]]:
    """Header and one row per forecast month: volume, each strategy's monthly and cumulative cost, events.

    Costs are rounded to cents and volumes to whole requests and tokens; a strategy that could
    not be priced has no column, and a month in which it cannot be priced (its model shut down with
    no successor) an empty cell.
    """
    f = ev.forecast
    keys = list(f.cost)
    header = ["month", "requests", "tokens"]
    header += [f"{_label(k)} (USD/month)" for k in keys]
    header += [f"{_label(k)} cumulative (USD)" for k in keys]
    header.append("price changes and retirements")
    events: dict[str, list[str]] = {}
    for day, text in ev.events:
        events.setdefault(day.strftime("%Y-%m"), []).append(text)
    rows = []
    for t, month in enumerate(f.months):
        label = month.strftime("%Y-%m")
        row: list[Any] = [label, whole(f.requests[t]), whole(f.tokens[t])]
        row += [_cents(f.cost[k][t]) for k in keys]
        row += [_cents(f.cumulative[k][t]) for k in keys]
        row.append("; ".join(events.get(label, [])))
        rows.append(row)
    return header, rows


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """RFC 4180 CSV, UTF-8 with a byte-order mark (so Excel reads "→" and non-Latin names right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def forecast_csv(ev: Evaluation) -> bytes:
    return to_csv(*forecast_rows(ev))
