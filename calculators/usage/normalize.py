"""One segment of an export checked row by row and summed by (UTC month, raw model), all columnar.

Every row gets the first reason it cannot be used (or none); good rows are summed with an Arrow hash
aggregation; the first ``MAX_PROBLEMS`` problems are named with their file row and cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from calculators.usage.cells import ParsedNumbers, blank_mask, bool_mask, decide_decimal, float_values, parse_numbers, parse_times
from calculators.usage.feature_rows import feature_of_rows, regroup
from calculators.usage.formats import PER_ROW, FormatSpec
from calculators.usage.reader import BadRow, BadRows, Sniffed

MAX_PROBLEMS = 10  # row-level problems listed in full; the rest are counted by reason
MAX_TOKENS_PER_ROW = 1e15  # a quadrillion tokens (~$1B at $1/1M) in one row is a broken file
MAX_COST_PER_ROW = 1e9  # dollars
MIN_DATE, MAX_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)

UNKNOWN_MODEL = "(unknown model)"  # rows with usage but an empty model: kept, counted, unpriced
US_PER_DAY = 86_400_000_000
EPOCH_DAY = dt.date(1970, 1, 1)


@dataclass
class Normalized:
    """One segment checked and summed: each row's reason code, the kept rows' sums and what the file covers."""

    code: np.ndarray  # 0 = kept, k = index+1 into labels
    labels: list[str]
    raws: list[pa.ChunkedArray | None]
    ignored_mask: np.ndarray
    grouped: pa.Table  # partial sums per (month index, model) of the kept rows
    first: int | None  # first and last covered day (days since 1970-01-01)
    last: int | None
    cached_over: int  # kept rows whose cache reads exceeded their input (capped)
    token_mass: float  # Σ of all kept token counts, in float64: guards the int64 sums
    fractional: dict[str, tuple[int, str]]  # count column → (rows with a fractional count, first such value)
    days: np.ndarray  # distinct days with kept rows
    monthly_rows: bool  # every kept row dated the 1st of a month at midnight
    features: pa.Table | None = None  # partial sums per (month index, model, feature, source) of the kept rows

    @property
    def skipped(self) -> int:
        return int(np.count_nonzero(self.code))

    @property
    def ignored(self) -> int:
        return int(np.count_nonzero(self.ignored_mask))


class Reasons:
    """Row problems in priority order; a row is reported with its first one."""

    def __init__(self, n: int):
        self.code = np.zeros(n, dtype=np.int16)
        self.labels: list[str] = []
        self.raws: list[pa.ChunkedArray | None] = []

    def add(self, label: str, mask: np.ndarray, raw: pa.ChunkedArray | None = None) -> None:
        if not mask.any():
            return
        if label not in self.labels:
            self.labels.append(label)
            self.raws.append(raw)
        k = self.labels.index(label) + 1
        self.code[mask & (self.code == 0)] = k


def normalize_segment(table: pa.Table, spec: FormatSpec, colmap: dict[str, str | None], sniffed: Sniffed) -> Normalized:
    """Check every row of ``table`` (its reason or none) and sum the kept ones by (month, model[, feature])."""
    n = table.num_rows
    reasons = Reasons(n)

    def column(role: str) -> pa.ChunkedArray | None:
        actual = colmap.get(role)
        return table.column(actual) if actual is not None else None

    micros, parsed, days = _check_times(column("time"), colmap["time"], reasons)
    numbers = _parse_number_columns(table, colmap, sniffed)
    cost_name = colmap.get("cost")
    fractional = _check_numbers(numbers, cost_name, reasons)
    model, model_empty_raw = _model_column(spec, colmap, column, reasons, n)

    # Empty rows (OpenAI buckets without usage, Langfuse spans): no model, no numbers.
    blank = model_empty_raw.copy()
    for num in numbers.values():
        with np.errstate(invalid="ignore"):
            blank &= num.empty | (num.values == 0)
    code = np.where(blank, 0, reasons.code)
    keep = (code == 0) & ~blank

    tokens, cached_over = ({}, 0) if spec.cost_only else _token_totals(spec, colmap, column, numbers, keep, n)
    month = np.where(keep, month_index(days), -1).astype(np.int32)
    grouped, by_feature = _aggregate(spec, colmap, column, numbers, keep, {"month": pa.array(month), "model": model}, tokens, n)

    first, last = _covered_span(days, (keep | blank) & parsed, column("end_time"))
    mass = sum(float(np.sum(values, where=keep)) for values in tokens.values())
    kept_days = np.unique(days[keep & parsed])
    kept_micros = micros[keep & parsed]
    monthly_rows = bool(
        len(kept_micros)
        and not (kept_micros % US_PER_DAY).any()
        and (kept_days.astype("datetime64[D]") == kept_days.astype("datetime64[D]").astype("datetime64[M]")).all()
    )
    return Normalized(
        code,
        reasons.labels,
        reasons.raws,
        blank,
        grouped,
        first,
        last,
        cached_over,
        mass,
        fractional,
        kept_days,
        monthly_rows,
        by_feature,
    )


def _check_times(time_raw: pa.ChunkedArray, time_name: str, reasons: Reasons) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The time column as (UTC microseconds, parsed mask, day numbers); repeated headers, empty, bad and
    out-of-range times are added to ``reasons``."""
    n = len(time_raw)
    micros, parsed, time_empty = parse_times(time_raw)
    days = np.floor_divide(micros, US_PER_DAY)
    unparsed = np.flatnonzero(~parsed & ~time_empty)
    if len(unparsed):  # a header row repeated mid-file (concatenated exports) has its own name as time
        again = pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(time_raw.take(pa.array(unparsed)))), time_name.lower())
        header_rows = np.zeros(n, dtype=bool)
        header_rows[unparsed] = bool_mask(again)
        reasons.add("repeated header row", header_rows)
    reasons.add(f"{time_name} is empty", time_empty)
    reasons.add(f"{time_name} is not a date/time", ~parsed & ~time_empty, time_raw)
    lo, hi = (MIN_DATE - EPOCH_DAY).days, (MAX_DATE - EPOCH_DAY).days
    reasons.add(f"{time_name} is out of range ({MIN_DATE.year}-{MAX_DATE.year})", parsed & ((days < lo) | (days > hi)), time_raw)
    return micros, parsed, days


def _parse_number_columns(table: pa.Table, colmap: dict[str, str | None], sniffed: Sniffed) -> dict[str, ParsedNumbers]:
    """Each token, request and cost column parsed once (a semicolon file's decimal mark decided from all of them)."""
    numbers: dict[str, pa.ChunkedArray] = {}
    for role, actual in colmap.items():
        if actual is None or not (
            role.split(".")[0] in ("input", "cached", "output") or role in ("reasoning", "requests", "cost")
        ):
            continue
        if actual not in numbers:
            numbers[actual] = table.column(actual)
    if sniffed.delimiter == ";" and sniffed.decimal is None:
        sniffed.decimal = decide_decimal(list(numbers.values()), sniffed.notes)
    return {actual: parse_numbers(raw, sniffed.delimiter, sniffed.decimal) for actual, raw in numbers.items()}


def _check_numbers(numbers: dict[str, ParsedNumbers], cost_name: str | None, reasons: Reasons) -> dict[str, tuple[int, str]]:
    """Add ambiguous, non-numeric, non-finite, negative and implausible cells to ``reasons``.

    Returns the count columns with fractional values: column → (rows, first such value).
    """
    fractional: dict[str, tuple[int, str]] = {}
    for actual, num in numbers.items():
        if num.ambiguous is not None:
            reasons.add(f"{actual} is ambiguous (thousands separator or decimal mark?)", num.ambiguous, num.raw)
        if actual != cost_name:
            with np.errstate(invalid="ignore"):
                frac = np.isfinite(num.values) & (num.values != np.rint(num.values))
            if frac.any():
                first = int(np.flatnonzero(frac)[0])
                fractional[actual] = (int(np.count_nonzero(frac)), _shown(num.raw[first]))
        limit = MAX_COST_PER_ROW if actual == cost_name else MAX_TOKENS_PER_ROW
        low = -MAX_COST_PER_ROW if actual == cost_name else 0.0
        with np.errstate(invalid="ignore"):
            fine = ((num.values >= low) & (num.values <= limit)) | num.empty  # NaN fails both tests
        if fine.all():  # the common case: one pass instead of one per reason
            continue
        reasons.add(f"{actual} is not a number", num.bad, num.raw)
        reasons.add(f"{actual} is not a finite number", ~np.isfinite(num.values) & ~num.empty & ~num.bad, num.raw)
        with np.errstate(invalid="ignore"):
            if actual == cost_name:
                reasons.add(
                    f"{actual} is implausibly large (over ${MAX_COST_PER_ROW:.0e})",
                    np.abs(num.values) > MAX_COST_PER_ROW,
                    num.raw,
                )
            else:
                reasons.add(f"{actual} is negative", num.values < 0, num.raw)
                reasons.add(
                    f"{actual} is implausibly large (over {MAX_TOKENS_PER_ROW:.0e})", num.values > MAX_TOKENS_PER_ROW, num.raw
                )
    return fractional


def _model_column(spec: FormatSpec, colmap: dict[str, str | None], column, reasons: Reasons, n: int) -> tuple[Any, np.ndarray]:
    """The model of each row (the format's hook applied, empty → ``UNKNOWN_MODEL``) and where the file left it empty.

    The format's own row checks add their reasons here.
    """
    model_raw = column("model")
    extra = {key.split(".", 1)[1]: column(key) for key in colmap if key.startswith("extra.")}
    model = None if model_raw is None else pc.utf8_trim_whitespace(model_raw)
    model_empty_raw = np.ones(n, dtype=bool) if model is None else blank_mask(model)
    if spec.model_hook is not None:
        model = pc.utf8_trim_whitespace(spec.model_hook(model, extra, n))
    # A row with usage but no model is kept as "(unknown model)": it counts in every total, unpriced.
    model = pc.if_else(pa.array(blank_mask(model)), pa.scalar(UNKNOWN_MODEL), model)
    if spec.row_check is not None:
        for label, mask, raw in spec.row_check(extra, n):
            reasons.add(label, mask, raw)
    return model, model_empty_raw


def _token_totals(
    spec: FormatSpec, colmap: dict[str, str | None], column, numbers: dict[str, ParsedNumbers], keep: np.ndarray, n: int
) -> tuple[dict[str, np.ndarray], int]:
    """Input, cached and output tokens per row (a format's columns of a group added), and how many kept rows
    reported more cache reads than input (capped to their input)."""

    def total(group: str) -> np.ndarray:
        acc = np.zeros(n, dtype=np.float64)
        for i in range(len(getattr(spec, group))):
            actual = colmap.get(f"{group}.{i}")
            if actual is not None:
                num = numbers[actual]
                acc += np.where(num.empty, 0.0, num.values) if num.empty.any() else num.values
        return acc

    input_ = total("input")
    cached = total("cached")
    output = total("output")
    if colmap.get("cached_json") is not None and spec.cached_json_pattern:
        found = pc.struct_field(pc.extract_regex(column("cached_json"), spec.cached_json_pattern), [0])
        cached = cached + np.nan_to_num(float_values(pc.cast(found, pa.float64())), nan=0.0)
    if colmap.get("reasoning") is not None:
        # Reasoning is part of completion for these exporters; a row whose reasoning
        # exceeds its output evidently reports them apart, so add it there.
        reasoning = np.nan_to_num(numbers[colmap["reasoning"]].values, nan=0.0)
        output = np.where(reasoning > output, output + reasoning, output)
    cached_over = int(np.count_nonzero(keep & (cached > input_)))
    if cached_over:
        cached = np.minimum(cached, input_)
    return {"input": input_, "cached": cached, "output": output}, cached_over


def _aggregate(
    spec: FormatSpec,
    colmap: dict[str, str | None],
    column,
    numbers: dict[str, ParsedNumbers],
    keep: np.ndarray,
    arrays: dict[str, Any],
    tokens: dict[str, np.ndarray],
    n: int,
) -> tuple[pa.Table, pa.Table | None]:
    """The kept rows summed by (month, model), and by (month, model, feature, source) when the format has features.

    ``arrays`` holds the month (−1 for rows not kept) and model columns; tokens, requests and cost are added.
    Unknown requests and costs stay null: a month is NA only if all its rows are.
    """
    aggs: list[tuple] = []
    for key, values in tokens.items():
        arrays[key] = pa.array(np.where(keep, np.rint(values), 0).astype(np.int64))
        aggs.append((key, "sum"))
    if spec.requests == PER_ROW:
        aggs.append(("month", "count"))
    elif colmap.get("requests") is not None:
        # Empty counts stay unknown (null), like empty costs: a month is NA only if all are.
        num = numbers[colmap["requests"]]
        unknown = ~keep | num.empty
        arrays["requests"] = pa.array(np.where(unknown, 0, np.rint(np.nan_to_num(num.values))).astype(np.int64), mask=unknown)
        aggs.append(("requests", "sum", pc.ScalarAggregateOptions(min_count=1)))
    cost_name = colmap.get("cost")
    if cost_name is not None:
        num = numbers[cost_name]
        arrays["cost"] = pa.array(np.where(keep & ~num.empty, num.values, 0.0), mask=~keep | num.empty)
        aggs.append(("cost", "sum", pc.ScalarAggregateOptions(min_count=1)))
    if not spec.cost_only and any(colmap.get(f"feature.{i}") for i in range(len(spec.features))):
        # One pass over the rows by (month, model, feature); the (month, model) sums follow from those.
        arrays["feature"], arrays["source"] = feature_of_rows(spec, column, n)
        by_feature = pa.table(arrays).group_by(["month", "model", "feature", "source"]).aggregate(aggs)
        by_feature = by_feature.filter(pc.greater_equal(by_feature.column("month"), 0))
        return regroup(by_feature.drop_columns(["feature", "source"]), ("month", "model")), by_feature
    grouped = pa.table(arrays).group_by(["month", "model"]).aggregate(aggs)
    return grouped.filter(pc.greater_equal(grouped.column("month"), 0)), None


def _covered_span(days: np.ndarray, covered: np.ndarray, end_raw: pa.ChunkedArray | None) -> tuple[int | None, int | None]:
    """First and last covered day; a bucketed export's coverage runs to its last bucket's exclusive end."""
    if not covered.any():
        return None, None
    first, last = int(days[covered].min()), int(days[covered].max())
    if end_raw is not None:
        end_us, end_ok, _ = parse_times(end_raw)
        end_ok &= covered
        if end_ok.any():
            last = max(last, int(np.floor_divide(end_us[end_ok].max() - 1, US_PER_DAY)))
    return first, last


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 for day numbers since 1970-01-01."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_label(index: int) -> str:
    """``"YYYY-MM"`` of a month index (months since 1970-01)."""
    return str(np.datetime64(int(index), "M"))


def row_problems(
    norm: Normalized, bad_rows: BadRows, base_row: int, records: int, last_segment: bool
) -> tuple[list[tuple[int, str]], dict[str, int]]:
    """One segment's first MAX_PROBLEMS problems as (file row, text), and counts per reason.

    ``base_row`` is the file row just before the segment's first record (the header row for
    the first segment), so local record k is file row ``base_row + k``.
    """
    by_reason: dict[str, int] = {}
    counts = np.bincount(norm.code, minlength=len(norm.labels) + 1)
    for k, label in enumerate(norm.labels, start=1):
        if counts[k]:
            by_reason[label] = int(counts[k])
    entries: list[tuple[int, str]] = []

    def kind(row: BadRow) -> str:
        if row.text.count('"') % 2:
            return "unclosed quote"
        if last_segment and row.number == records and row.fields < row.expected:
            return "truncated last line"
        return "wrong number of fields"

    if bad_rows:
        truncated = int(kind(bad_rows.last) == "truncated last line")
        counted = {
            "unclosed quote": bad_rows.unclosed_quotes,
            "truncated last line": truncated,
            "wrong number of fields": len(bad_rows) - bad_rows.unclosed_quotes - truncated,
        }
        by_reason.update((label, n) for label, n in counted.items() if n)
    shown = bad_rows.kept[:MAX_PROBLEMS]
    if len(bad_rows) > len(shown) and kind(bad_rows.last) == "truncated last line":
        shown.append(bad_rows.last)
    for row in shown:
        label = kind(row)
        where = base_row + row.number if row.number is not None else None
        text = row.text if len(row.text) <= 60 else row.text[:57] + "..."
        entries.append(
            (
                where or base_row + records,
                f"row {where or '?'}: {label}: {row.fields} field(s), expected {row.expected} ({text!r})",
            )
        )
    first = np.flatnonzero(norm.code)[:MAX_PROBLEMS]
    if len(first):
        # Table index i is local record i+1 plus the records Arrow rejected before it.
        skipped = np.array(
            [r for r in bad_rows.numbers if r is not None], dtype=np.int64
        )  # ascending: the serial read numbers them in order
        shifted = skipped - 1 - np.arange(len(skipped))
        local = first + 1 + np.searchsorted(shifted, first, side="right")
        for i, record in zip(first, local, strict=True):
            k = int(norm.code[i]) - 1
            label, raw = norm.labels[k], norm.raws[k]
            value = "" if raw is None else f" ({_shown(raw[int(i)])})"
            entries.append((base_row + int(record), f"row {base_row + int(record)}: {label}{value}"))
    entries.sort(key=lambda e: e[0])
    return entries[:MAX_PROBLEMS], by_reason


def _shown(scalar: pa.Scalar) -> str:
    """A cell as the file had it, quoted: '-5', 'abc' (numbers parsed by Arrow shown as text)."""
    value = scalar.as_py()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = repr(value if value is None or isinstance(value, str) else str(value))
    return text if len(text) <= 40 else text[:37] + "..."
