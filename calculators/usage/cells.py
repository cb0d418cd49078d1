"""Whole columns of cells parsed at once (Arrow compute + NumPy): numbers in any locale, dates and times.

A column goes through one strict vectorized cast (the fast path); a column that fails it is re-parsed by
regex so that bad cells become row problems (masks), never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_NUM_RE = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_NONFINITE_RE = r"(?i)^[+-]?(?:nan|inf|infinity)$"
_NULLISH_RE = r"(?i)^(?:null|none|n/?a|#n/a|-+)$"
_THOUSANDS_RE = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_EPOCH_RE = r"^\d{9,13}(?:\.\d+)?$"


@dataclass
class ParsedNumbers:
    """A number column: its values and, per cell, whether it was empty, not a number, or ambiguous."""

    values: np.ndarray  # float64, NaN where empty or bad
    empty: np.ndarray  # bool
    bad: np.ndarray  # bool: not a number at all
    raw: pa.ChunkedArray
    ambiguous: np.ndarray | None = None  # bool: '1.000' in a file that uses both decimal marks


def bool_mask(array) -> np.ndarray:
    """An Arrow boolean array as a NumPy mask, null read as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def null_mask(array) -> np.ndarray:
    """Null mask; skips the Arrow round trip in the common no-null case."""
    return np.zeros(len(array), dtype=bool) if array.null_count == 0 else bool_mask(pc.is_null(array))


def blank_mask(strings) -> np.ndarray:
    """Null or zero-length (a length test: comparing strings to "" is far slower in Arrow)."""
    return bool_mask(pc.is_null(strings)) | (
        np.asarray(pc.fill_null(pc.binary_length(strings), 0).to_numpy(zero_copy_only=False)) == 0
    )


def float_values(array) -> np.ndarray:
    """An Arrow number array as float64, null read as NaN."""
    return np.asarray(pc.fill_null(array, np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)


_GROUPED_RE = r"^[+-]?\d{1,3}(?:[.,]\d{3})+$"  # '1.000' or '12,000': thousands, or a decimal with 3 places?
_COMMA_DECIMAL_RE = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*),(?:\d{1,2}|\d{4,})$|^[+-]?\d{1,3}(?:\.\d{3})+,\d+$"
_POINT_DECIMAL_RE = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)\.(?:\d{1,2}|\d{4,})$|^[+-]?\d{1,3}(?:,\d{3})+\.\d+$"


def _count(strings, pattern: str) -> int:
    """How many cells match ``pattern``."""
    return int(pc.sum(pc.cast(pc.match_substring_regex(strings, pattern), pa.int64())).as_py() or 0)


def decide_decimal(columns: list[pa.ChunkedArray], notes: list[str]) -> str:
    """The decimal mark of a semicolon file's numbers, decided once from all its number columns.

    ``'0,25'`` shows a decimal comma and ``'0.25'`` a decimal point; ``'1.000'`` or ``'1,000'``
    alone settle nothing (a thousands separator, or a decimal with three places). Returns
    ``","``, ``"."``, or ``"?"`` when the file shows both (its ambiguous values become row
    problems). With no evidence, a semicolon file is taken to come from a decimal-comma locale.
    Every outcome is said in ``notes``; none is silent.
    """
    comma = point = grouped = 0
    example = {}
    for raw in columns:
        text = pc.utf8_trim_whitespace(raw)
        for key, pattern in (("comma", _COMMA_DECIMAL_RE), ("point", _POINT_DECIMAL_RE), ("grouped", _GROUPED_RE)):
            found = _count(text, pattern)
            if found and key not in example:
                hits = pc.filter(text, pc.fill_null(pc.match_substring_regex(text, pattern), False))
                example[key] = hits[0].as_py()
            comma, point, grouped = (
                comma + found * (key == "comma"),
                point + found * (key == "point"),
                grouped + found * (key == "grouped"),
            )
    if comma and point:
        notes.append(
            f"numbers use both a decimal comma ({example['comma']!r}) and a decimal point ({example['point']!r}): "
            "each is read as written; values like '1.000' that could be either are skipped as ambiguous"
        )
        return "?"
    if point:
        notes.append(
            f"numbers read with a decimal point, as {example['point']!r} shows"
            + (f"; {example['grouped']!r}-style values read with ',' as thousands separator" if grouped else "")
        )
        return "."
    if comma:
        notes.append(
            f"numbers read with a decimal comma, as {example['comma']!r} shows"
            + (f"; {example['grouped']!r}-style values read with '.' as thousands separator" if grouped else "")
        )
        return ","
    if grouped:
        notes.append(
            f"assumed: '.' is a thousands separator ({example['grouped']!r} read as "
            f"{example['grouped'].replace('.', '').replace(',', '')}), as in the decimal-comma locales that write "
            "semicolon files; no number in the file has a decimal part that settles it"
        )
    return ","


def parse_numbers(raw: pa.ChunkedArray, delimiter: str, decimal: str | None = None) -> ParsedNumbers:
    """A column of numbers as written: US or European marks, "$0.12", "1,234,567", "n/a" (empty), "inf" (flagged).

    ``delimiter`` is the file's (a semicolon file may use a decimal comma); ``decimal`` is ``decide_decimal``'s answer.
    """
    n = len(raw)
    if not pa.types.is_string(raw.type):  # Arrow parsed the column while reading
        return ParsedNumbers(float_values(pc.cast(raw, pa.float64())), null_mask(raw), np.zeros(n, dtype=bool), raw)
    if delimiter != ";":
        try:  # fast path: one strict cast; empty cells are already null
            values = pc.cast(raw, pa.float64())
            return ParsedNumbers(float_values(values), null_mask(raw), np.zeros(n, dtype=bool), raw)
        except pa.ArrowInvalid:
            pass
    text = pc.replace_substring_regex(pc.utf8_trim_whitespace(raw), r"^\$\s*", "")  # "$0.12" from a spreadsheet
    ambiguous = None
    if delimiter == ";" and decimal == "?":  # both marks in the file: read each unambiguous value as written
        ambiguous = pc.fill_null(pc.match_substring_regex(text, _GROUPED_RE), False)
        comma = pc.fill_null(pc.match_substring_regex(text, _COMMA_DECIMAL_RE), False)
        text = pc.if_else(comma, pc.replace_substring(pc.replace_substring(text, ".", ""), ",", "."), text)
        text = pc.if_else(pc.match_substring_regex(text, _POINT_DECIMAL_RE), pc.replace_substring(text, ",", ""), text)
        text = pc.if_else(ambiguous, pa.scalar(None, pa.string()), text)
    elif delimiter == ";" and decimal != ".":  # decimal comma, '.' groups thousands
        text = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    else:  # "1,234,567" from a spreadsheet
        text = pc.if_else(pc.match_substring_regex(text, _THOUSANDS_RE), pc.replace_substring(text, ",", ""), text)
    nullish = pc.or_kleene(pc.equal(pc.binary_length(text), 0), pc.match_substring_regex(text, _NULLISH_RE))
    nullish = pc.or_kleene(pc.is_null(text), nullish)
    numeric = pc.or_kleene(pc.match_substring_regex(text, _NUM_RE), pc.match_substring_regex(text, _NONFINITE_RE))
    numeric = pc.and_kleene(numeric, pc.invert(nullish))
    values = pc.cast(pc.if_else(numeric, text, pa.scalar(None, pa.string())), pa.float64())
    empty = bool_mask(nullish)
    if ambiguous is not None:
        amb = bool_mask(ambiguous)
        empty &= ~amb
        return ParsedNumbers(float_values(values), empty, ~empty & ~bool_mask(numeric) & ~amb, raw, amb)
    return ParsedNumbers(float_values(values), empty, ~empty & ~bool_mask(numeric), raw)


def parse_times(raw: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(UTC microseconds since the epoch, parsed mask, empty mask) for each cell.

    Strict whole-column casts first (zone-less ISO = UTC, then ISO with offsets, then epoch
    seconds or milliseconds); a column that fails them all is parsed element-wise.
    """
    empty = null_mask(raw)
    micros = None
    for target in (pa.timestamp("us"), pa.timestamp("us", tz="UTC")):
        try:
            micros = pc.cast(pc.cast(raw, target), pa.int64())
            break
        except pa.ArrowInvalid:
            continue
    if micros is None:
        try:
            seconds = pc.cast(raw, pa.float64())
            low, high = pc.min(seconds).as_py(), pc.max(seconds).as_py()
            # Below 1e9 (2001) digits are not epoch seconds; a mix of seconds and milliseconds
            # (1e11 and up) needs the element-wise path.
            if low is not None and low >= 1e9 and (low >= 1e11) == (high >= 1e11):
                factor = 1_000.0 if low >= 1e11 else 1_000_000.0  # milliseconds or seconds → µs
                micros = pc.cast(pc.floor(pc.multiply(seconds, factor)), pa.int64())
        except (pa.ArrowInvalid, OverflowError):
            micros = None
    if micros is None:
        return _parse_times_slow(raw, empty)
    parsed = ~null_mask(micros) & ~empty
    return np.asarray(pc.fill_null(micros, 0).to_numpy(zero_copy_only=False), dtype=np.int64), parsed, empty


def _parse_times_slow(raw: pa.ChunkedArray, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    text = pc.utf8_trim_whitespace(raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw)
    empty = empty | blank_mask(text)
    epoch = bool_mask(pc.match_substring_regex(text, _EPOCH_RE))
    seconds = float_values(pc.cast(pc.if_else(pa.array(epoch), text, pa.scalar(None, pa.string())), pa.float64()))
    seconds = np.where(seconds >= 1e11, seconds / 1000.0, seconds)  # epoch milliseconds
    strings = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    strings[epoch | empty] = None
    stamps = pd.to_datetime(pd.Series(strings, dtype=object), format="ISO8601", utc=True, errors="coerce")
    iso_ok = ~stamps.isna().to_numpy()
    ns = stamps.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)
    micros = np.where(epoch, np.floor(np.nan_to_num(seconds) * 1e6).astype(np.int64), np.floor_divide(ns, 1000))
    parsed = ((epoch & np.isfinite(seconds)) | iso_ok) & ~empty
    return np.where(parsed, micros, 0), parsed, empty
