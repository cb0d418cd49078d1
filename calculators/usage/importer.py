"""Import one usage export into monthly totals per raw model string.

The pipeline is columnar end to end (Arrow compute + NumPy, no Python loop per row), one module a step:

1. ``reader.sniff``: encoding (``encoding``), delimiter, header line, format (or the ``format=`` override);
2. ``columns.column_map`` and ``reader.read_segments``: only the columns the format needs, in segments;
3. per column, one strict vectorized cast (``cells``: the fast path); a column that fails it is
   re-parsed element-wise by regex so that bad cells become *row problems*, not a crash;
4. every row gets the first failing reason (or none); good rows are summed by
   (UTC month, raw model) with an Arrow hash aggregation (``normalize``);
5. here, the segments' sums are added up and finished into a ``UsageImport`` (``merge`` adds several files).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from calculators.usage.columns import check_mixed_formats, column_map, column_types
from calculators.usage.feature_rows import (
    FEATURE_TRACK_LIMIT,
    MAX_FEATURES,
    fold_features,
    regroup,
)
from calculators.usage.formats import PER_ROW, SPECS_BY_ID, FormatSpec, detect_format, header_index
from calculators.usage.normalize import (
    EPOCH_DAY,
    MAX_PROBLEMS,
    UNKNOWN_MODEL,
    Normalized,
    month_index,
    month_label,
    normalize_segment,
    row_problems,
)
from calculators.usage.reader import BadRows, Restart, Segment, Sniffed, Source, UsageImportError, read_segments, sniff

MAX_UPLOAD_MB = 200  # upload cap for the app and .streamlit/config.toml; why: calculators.usage docstring
FEATURE_COLUMNS = [
    "month",
    "feature",
    "model",
    "catalog_id",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "requests",
    "cost_usd",
]
# Non-token charges: labels the format hooks put in parentheses ("(web_search)") and line items
# that name a tool rather than a model. They are "other charges", never models to map.
_OTHER_CHARGE_RE = re.compile(
    r"^\((?!unknown model\)).*\)$|web[ _-]?search|code[ _-]?execution|file[ _-]?search|tool[ _-]?call|container",
    re.IGNORECASE,
)


def is_other_charge(model: str) -> bool:
    """Whether a model string names a non-token charge (web search, code execution, tool calls).

    >>> [is_other_charge(m) for m in ("(web_search)", "web search tool calls", "gpt-5", "(unknown model)")]
    [True, True, False, False]
    """
    return bool(_OTHER_CHARGE_RE.search(model))


MONTHLY_COLUMNS = ["month", "model", "catalog_id", "input_tokens", "cached_input_tokens", "output_tokens", "requests", "cost_usd"]


@dataclass
class UsageImport:
    """The result of importing one export: monthly totals plus what was skipped and why.

    ``monthly`` has one row per (UTC month, raw model string) with nullable dtypes:
    ``month`` (``"YYYY-MM"``), ``model`` (raw), ``catalog_id`` (or NA when not in the
    catalog), ``input_tokens`` (all input, cache reads and writes included),
    ``cached_input_tokens`` (cache reads), ``output_tokens`` (reasoning included),
    ``requests`` (NA when the export has no request count), ``cost_usd`` (NA when the export
    carries no cost). Token columns are NA for cost-only exports.
    """

    format: str
    format_name: str
    filename: str
    rows_read: int
    rows_skipped: int
    problems: list[str]
    skipped_by_reason: dict[str, int]
    monthly: pd.DataFrame
    period: tuple[dt.date, dt.date] | None
    cost_only: bool
    unresolved_models: list[str]
    rows_ignored: int = 0  # empty rows (e.g. OpenAI buckets without usage): not usage, not errors
    notes: list[str] = field(default_factory=list)
    days_with_data: dict[str, int] = field(default_factory=dict)  # month → distinct UTC days with kept rows
    monthly_rows: bool = False  # every kept row is dated the 1st of its month at 00:00: monthly totals
    other_charges: list[str] = field(default_factory=list)  # non-token charges (web search...): never models
    # Per (month, feature, model) totals when the export names a feature (a trace name, tag, team, key, app...):
    # FEATURE_COLUMNS, at most MAX_FEATURES distinct features (the top by spend, then "(other features)").
    # None when the format has no feature column or every row's is empty.
    features: pd.DataFrame | None = None
    feature_sources: dict[str, str] = field(default_factory=dict)  # feature → the column it came from

    @property
    def unknown_model_rows(self) -> bool:
        return bool((self.monthly["model"] == UNKNOWN_MODEL).any())

    @property
    def requests_known(self) -> bool:
        return bool(len(self.monthly)) and not self.monthly["requests"].isna().any()

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict: format, counts, problems and the monthly rows.

        ``{"format", "format_name", "filename", "rows_read", "rows_skipped", "rows_ignored",
        "skipped_by_reason", "problems", "period": [first, last] | null, "cost_only",
        "unresolved_models", "notes", "monthly": [{"month", "model", "catalog_id",
        "input_tokens", "cached_input_tokens", "output_tokens", "requests", "cost_usd"}]}``;
        unknown values are ``null``.
        """
        return {
            "format": self.format,
            "format_name": self.format_name,
            "filename": self.filename,
            "rows_read": self.rows_read,
            "rows_skipped": self.rows_skipped,
            "rows_ignored": self.rows_ignored,
            "skipped_by_reason": dict(self.skipped_by_reason),
            "problems": list(self.problems),
            "period": None if self.period is None else [d.isoformat() for d in self.period],
            "cost_only": self.cost_only,
            "unresolved_models": list(self.unresolved_models),
            "notes": list(self.notes),
            "monthly": [
                {key: _json_value(row[key]) for key in MONTHLY_COLUMNS} for row in self.monthly.to_dict(orient="records")
            ],
        }


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return round(float(value), 6)
    return value


def import_usage(
    data: bytes | str | Path,
    *,
    filename: str = "upload.csv",
    catalog=None,
    format: str | None = None,
) -> UsageImport:
    """Import a usage or cost export and total it per UTC month and raw model string.

    Parameters
    ----------
    data : bytes, str or Path
        The file content (bytes, or already-decoded text) or a path (``Path``, or a ``str``
        without newline naming an existing file). Large files are best passed as a path:
        Arrow then reads them in blocks.
    filename : str
        Name used in messages (defaults to the path's name for path input).
    catalog : pricing.catalog.Catalog, optional
        Resolves raw model strings to catalog ids; the default loads the shipped catalog
        (models stay unresolved if it cannot be loaded).
    format : str, optional
        A key of ``FORMATS`` to skip header detection.

    Returns
    -------
    UsageImport

    Raises
    ------
    UsageImportError
        For whole-file failures (empty, binary, unknown header, missing column, no usable
        rows...). The message names the file and the problem. Bad *rows* never raise: they
        are skipped, counted in ``skipped_by_reason`` and the first ``MAX_PROBLEMS`` are
        described in ``problems`` with their row number (header = row 1).

    Notes
    -----
    Per row: ``input = Σ input columns`` (e.g. Anthropic ``no_cache + cache_write_5m +
    cache_write_1h + cache_read``; OpenAI ``input_tokens`` already includes cached),
    ``cached = Σ cache-read columns``, ``output = output column``, plus reasoning when the
    export reports it separately and it exceeds output. Per-request exports count every row
    as one request (failed ones too). Months are the UTC month of the row's own timestamp
    (bucket start for bucketed exports); zone-less times are UTC; epoch seconds (or
    milliseconds) are accepted. Empty numeric cells are 0; a row whose model and numbers
    are all empty is ignored (not counted as skipped).

    Examples
    --------
    >>> csv_text = "date,model,input_tokens,output_tokens\\n2026-01-31T23:30:00-05:00,gpt-5,100,10\\n"
    >>> result = import_usage(csv_text, catalog=False)
    >>> result.monthly[["month", "model", "input_tokens", "output_tokens"]].to_dict("records")
    [{'month': '2026-02', 'model': 'gpt-5', 'input_tokens': 100, 'output_tokens': 10}]
    """
    source = Source(data, filename)
    sniffed, acc, grouped = _read_and_group(source, format)
    return _finish(source.name, sniffed.spec, sniffed, acc, grouped, catalog)


def _read_and_group(source: Source, format: str | None) -> tuple[Sniffed, _Accumulator, pa.Table]:
    """Read the Parquet or CSV file into its (month, model) sums; any failure is a ``UsageImportError`` naming it."""
    name = source.name
    try:
        if source.head(4) == b"PAR1":
            sniffed, acc = _read_parquet(source, format)
        else:
            sniffed, acc = _read_csv(source, format)
        if acc.records == 0:
            raise UsageImportError(f"{name}: has a header ({sniffed.spec.name}) but no data rows")
        if acc.token_mass > 2**62:  # 4.6e18: int64 sums could wrap; no real export comes near
            raise UsageImportError(f"{name}: token totals are implausibly large ({acc.token_mass:.2e} tokens)")
        return sniffed, acc, acc.grouped()
    except UsageImportError:
        raise
    except (pa.ArrowException, ValueError, TypeError, OverflowError, MemoryError) as exc:
        # Last line of defence: a file that defeats the checks above still gets a message.
        raise UsageImportError(
            f"{name}: cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''})"
        ) from None


def _read_csv(source: Source, format: str | None) -> tuple[Sniffed, _Accumulator]:
    """Sniff the CSV and read it segment by segment (restarting when the reader learns more about the file)."""
    name = source.name
    sniffed = sniff(source, format)
    spec = sniffed.spec
    colmap = column_map(spec, sniffed.columns)
    wanted = column_types(colmap, sniffed.delimiter)
    for _attempt in range(4):  # at most: quoted newlines found, invalid UTF-8 found, then the good read
        acc = _Accumulator()
        try:
            for segment in read_segments(source, sniffed, wanted, acc.notes):
                check_mixed_formats(name, sniffed, segment.bad_rows, acc.records)
                acc.add(normalize_segment(segment.table, spec, colmap, sniffed), segment, sniffed.header_line)
            break
        except Restart:
            continue
    else:
        raise UsageImportError(f"{name}: cannot be read as CSV")
    return sniffed, acc


PARQUET_BATCH_ROWS = 1 << 20  # rows normalized at a time: memory stays bounded whatever the file size


def _read_parquet(source: Source, format: str | None) -> tuple[Sniffed, _Accumulator]:
    """A Parquet file (any format's columns, typically the generic format's), read batch by batch.

    Parquet carries types: dates and timestamps are taken as they are (zone-less = UTC), numbers
    as numbers. Row numbers in problems count data rows (row 1 = the first).
    """
    import pyarrow.parquet as pq

    name = source.name
    try:
        file = pq.ParquetFile(str(source.path) if source.path is not None else pa.BufferReader(source.data))
    except (pa.ArrowException, OSError) as exc:
        raise UsageImportError(f"{name}: cannot be read as Parquet ({str(exc).splitlines()[0][:200]})") from None
    columns = [f.name for f in file.schema_arrow]
    index = header_index(columns)
    if format is not None:
        spec = SPECS_BY_ID.get(format)
        if spec is None:
            raise UsageImportError(f"{name}: unknown format {format!r}; known formats: {', '.join(SPECS_BY_ID)}")
    else:
        found = detect_format(columns)
        spec = SPECS_BY_ID.get(found) if found else None
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    if spec is None:
        raise UsageImportError(
            f"{name}: Parquet columns not recognised ({shown}); the generic format needs date, model, input_tokens, output_tokens"
        )
    if spec.missing(index):
        raise UsageImportError(f"{name}: not a {spec.name}: missing required column(s) {', '.join(spec.missing(index))}")
    sniffed = Sniffed(spec, columns, ",", 0, 0, False, notes=["Parquet file"])
    colmap = column_map(spec, columns)
    wanted = sorted({c for c in colmap.values() if c is not None})
    acc = _Accumulator()
    time_name = colmap["time"]
    batches = file.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted)
    batch = next(batches, None)
    while batch is not None:
        following = next(batches, None)
        table = pa.Table.from_batches([batch])
        table = _parquet_columns(table, time_name)
        segment = Segment(table, BadRows(len(columns)), following is None)
        acc.add(normalize_segment(table, spec, colmap, sniffed), segment, 0)
        batch = following
    return sniffed, acc


def _parquet_columns(table: pa.Table, time_name: str) -> pa.Table:
    """Parquet types as the normalizer reads them: times as UTC timestamps, dictionaries decoded."""
    for i, column in enumerate(table.columns):
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
            kind = column.type
        if table.column_names[i] == time_name:
            if pa.types.is_date(kind):
                column = column.cast(pa.timestamp("us"))
            elif pa.types.is_timestamp(kind):
                column = (column.cast(pa.timestamp("us", tz="UTC")) if kind.tz else column).cast(pa.timestamp("us"))
            elif not pa.types.is_string(kind) and not pa.types.is_large_string(kind):
                column = column.cast(pa.string())
        elif pa.types.is_large_string(kind):
            column = column.cast(pa.string())
        table = table.set_column(i, table.column_names[i], column)
    return table


def _finish(name: str, spec: FormatSpec, sniffed: Sniffed, acc: _Accumulator, grouped: pa.Table, catalog) -> UsageImport:
    problems = [text for _, text in sorted(acc.entries)[:MAX_PROBLEMS]]
    if acc.kept <= 0:
        if acc.ignored and not acc.skipped:
            raise UsageImportError(f"{name}: contains no usage: all {acc.ignored} data row(s) are empty")
        raise UsageImportError(f"{name}: none of the {acc.records} data row(s) could be used ({'; '.join(problems[:3])})")

    notes = [*sniffed.notes, *acc.notes, *spec.notes]
    for column, (count, example) in acc.fractional.items():
        notes.append(
            f"{column}: {count:,} row(s) hold a fractional count (first: {example}); each row's count is rounded "
            "to the nearest whole number before summing"
        )
    if acc.cached_over:
        notes.append(f"{acc.cached_over} row(s) report more cached than total input tokens: cached capped at input")
    catalog = _catalog(catalog, notes)
    monthly = _monthly_frame(grouped, spec, catalog)
    features, feature_sources = _features_frame(acc.by_feature, spec, catalog)
    models = monthly["model"].unique().tolist()
    other = sorted(m for m in models if is_other_charge(m))
    unresolved = sorted(
        m for m in monthly.loc[monthly["catalog_id"].isna(), "model"].unique().tolist() if m not in other and m != UNKNOWN_MODEL
    )
    return UsageImport(
        format=spec.id,
        format_name=spec.name,
        filename=name,
        rows_read=acc.records,
        rows_skipped=acc.skipped,
        problems=problems,
        skipped_by_reason=acc.by_reason,
        monthly=monthly,
        period=acc.period(),
        cost_only=spec.cost_only,
        unresolved_models=unresolved,
        days_with_data=acc.days_per_month(),
        monthly_rows=acc.monthly_rows,
        other_charges=other,
        rows_ignored=acc.ignored,
        notes=notes,
        features=features,
        feature_sources=feature_sources,
    )


def _features_frame(table: pa.Table | None, spec: FormatSpec, catalog) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """The per-feature totals (``FEATURE_COLUMNS``, at most ``MAX_FEATURES`` features) and where each came from.

    None when no row names a feature (the columns are absent or empty throughout)."""
    if table is None or table.num_rows == 0:
        return None, {}
    table = fold_features(table, MAX_FEATURES)
    sources: dict[str, str] = {}
    for name, index in zip(table.column("feature").to_pylist(), table.column("source").to_pylist(), strict=True):
        if index >= 0:
            sources.setdefault(name, spec.features[index].name)
    if not sources:
        return None, {}
    return _monthly_frame(table.drop_columns(["source"]), spec, catalog), sources


class _Accumulator:
    """Merges the per-segment results: counts, problems, partial sums, covered days."""

    def __init__(self) -> None:
        self.records = self.skipped = self.ignored = self.kept = self.cached_over = 0
        self.token_mass = 0.0
        self.by_reason: dict[str, int] = {}
        self.entries: list[tuple[int, str]] = []  # (file row, problem), first MAX_PROBLEMS per segment
        self.partials: list[pa.Table] = []
        self.first: int | None = None
        self.last: int | None = None
        self.notes: list[str] = []
        self.fractional: dict[str, tuple[int, str]] = {}
        self.days = np.zeros(0, dtype=np.int64)  # distinct days (since 1970-01-01) with kept rows
        self.monthly_rows = True
        self.by_feature: pa.Table | None = None  # (month, model, feature, source) sums, at most FEATURE_TRACK_LIMIT features

    def add(self, norm: Normalized, segment: Segment, header_line: int) -> None:
        records = segment.table.num_rows + len(segment.bad_rows)
        entries, by_reason = row_problems(norm, segment.bad_rows, header_line + self.records, records, segment.last)
        self.entries += entries
        for label, count in by_reason.items():
            self.by_reason[label] = self.by_reason.get(label, 0) + count
        self.records += records
        self.skipped += norm.skipped + len(segment.bad_rows)
        self.ignored += norm.ignored
        self.kept += segment.table.num_rows - norm.skipped - norm.ignored
        self.cached_over += norm.cached_over
        for column, (count, example) in norm.fractional.items():
            before = self.fractional.get(column, (0, example))
            self.fractional[column] = (before[0] + count, before[1])
        self.token_mass += norm.token_mass
        self.partials.append(norm.grouped)
        if norm.features is not None:
            both = norm.features if self.by_feature is None else pa.concat_tables([self.by_feature, norm.features])
            self.by_feature = fold_features(both, FEATURE_TRACK_LIMIT)
        if norm.first is not None:
            self.first = norm.first if self.first is None else min(self.first, norm.first)
            self.days = np.union1d(self.days, norm.days)
            self.monthly_rows = self.monthly_rows and norm.monthly_rows
            self.last = norm.last if self.last is None else max(self.last, norm.last)

    def grouped(self) -> pa.Table:
        if len(self.partials) == 1:
            return self.partials[0]
        return regroup(pa.concat_tables(self.partials), ("month", "model"))

    def days_per_month(self) -> dict[str, int]:
        months, counts = np.unique(month_index(self.days), return_counts=True)
        return {month_label(int(m)): int(c) for m, c in zip(months, counts, strict=True)}

    def period(self) -> tuple[dt.date, dt.date] | None:
        if self.first is None:
            return None
        return EPOCH_DAY + dt.timedelta(days=self.first), EPOCH_DAY + dt.timedelta(days=self.last)


def _monthly_frame(grouped: pa.Table, spec: FormatSpec, catalog) -> pd.DataFrame:
    months = grouped.column("month").to_numpy()
    models = grouped.column("model").to_pylist()
    size = len(models)
    frame = pd.DataFrame(
        {
            "month": pd.array([month_label(m) for m in months], dtype="string"),
            "model": pd.array(models, dtype="string"),
        }
    )
    ids = {m: (catalog.resolve(m) if catalog else None) for m in set(models)}
    frame["catalog_id"] = pd.array([ids[m] for m in models], dtype="string")

    def ints(name: str) -> pd.arrays.IntegerArray:
        if name in grouped.column_names:
            return pd.array(grouped.column(name).to_pylist(), dtype="Int64")
        return pd.array([pd.NA] * size, dtype="Int64")

    frame["input_tokens"] = ints("input_sum")
    frame["cached_input_tokens"] = ints("cached_sum")
    frame["output_tokens"] = ints("output_sum")
    frame["requests"] = ints("month_count" if spec.requests == PER_ROW else "requests_sum")
    if "cost_sum" in grouped.column_names:
        frame["cost_usd"] = pd.array(grouped.column("cost_sum").to_pylist(), dtype="Float64")
    else:
        frame["cost_usd"] = pd.array([pd.NA] * size, dtype="Float64")
    if "feature" in grouped.column_names:
        frame["feature"] = pd.array(grouped.column("feature").to_pylist(), dtype="string")
        return frame.sort_values(["month", "feature", "model"], kind="stable").reset_index(drop=True)[FEATURE_COLUMNS]
    return frame.sort_values(["month", "model"], kind="stable").reset_index(drop=True)[MONTHLY_COLUMNS]


def _catalog(catalog, notes: list[str]):
    """The catalog to resolve with: the one given, the shipped one, or None (False = don't resolve)."""
    if catalog is False:
        return None
    if catalog is not None:
        return catalog
    try:
        from pricing.catalog import CatalogError, load_catalog

        return load_catalog()
    except (CatalogError, OSError) as exc:
        notes.append(f"price catalog not available, models not resolved ({str(exc).splitlines()[0][:120]})")
        return None
