"""File-level reading: open the input, sniff encoding, delimiter and header, read columns with Arrow.

Everything that can make a *whole file* unusable is decided here and raised as
``UsageImportError`` with a message that names the file and says what is wrong. Rows that
do not fit the header (wrong field count) are skipped by Arrow's invalid-row handler and
returned to the caller with their row numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from calculators.usage.encoding import transcode
from calculators.usage.formats import (
    EMPTY_PERIOD_HEADERS,
    SPECS_BY_ID,
    FormatSpec,
    describe_formats,
    detect_format,
    header_index,
    near_miss,
)
from calculators.usage.source import KEPT_BAD_ROWS, SAMPLE_BYTES, BadRow, BadRows, Sniffed, Source, UsageImportError

HEADER_SEARCH_LINES = 20  # a header may follow a few title lines (spreadsheet "reports")
SEGMENT_BYTES = 16 << 20  # bytes parsed and normalized at a time: measured best of 4-128 MB (see segment_bounds)
BLOCK_SIZE = 1 << 21  # Arrow block size: 2 MB measured fastest (1 MB: more overhead, 4 MB+: less overlap)


def _split_fields(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def _pick_delimiter(line: str) -> str:
    counts = {d: len(_split_fields(line, d)) - 1 for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return "," if counts[","] >= counts[best] else best


_DELIMITER_NAMES = {";": "semicolon", "\t": "tab", "|": "pipe"}


def _text_sample(source: Source, notes: list[str]) -> bytes:
    """The file's first bytes as UTF-8 text (CR-only line ends made LF); raise for empty, HTML, XML or JSON files."""
    name = source.name
    if source.size == 0:
        raise UsageImportError(f"{name}: the file is empty")
    sample = transcode(source, source.head(), notes)
    if b"\n" not in sample and b"\r" in sample:  # classic Mac line endings (CR only)
        source.replace(source.all_bytes().replace(b"\r", b"\n"))
        sample = source.head()
        notes.append("file uses CR line endings: read as LF")
    text_start = sample.lstrip()
    if not text_start:
        raise UsageImportError(f"{name}: the file is empty (only blank lines)")
    lowered = text_start[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or (
        lowered.startswith(b"<") and b"<html" in lowered
    ):
        raise UsageImportError(
            f"{name}: this is an HTML/XML page saved as CSV, not an export; use the dashboard's Export/Download CSV button"
        )
    if text_start[:1] in (b"{", b"["):
        raise UsageImportError(
            f"{name}: this is JSON, not CSV; export CSV from the dashboard (API JSON responses are not supported)"
        )
    return sample


def _forced_spec(name: str, forced: str | None) -> FormatSpec | None:
    """The format the caller imposed (``format=``), or None to detect it from the header."""
    if forced is None:
        return None
    spec = SPECS_BY_ID.get(forced)
    if spec is None:
        raise UsageImportError(f"{name}: unknown format {forced!r}; known formats: {', '.join(SPECS_BY_ID)}")
    return spec


def sniff(source: Source, forced: str | None) -> Sniffed:
    """Find encoding, delimiter, header and format; raise UsageImportError when impossible."""
    name = source.name
    notes: list[str] = []
    sample = _text_sample(source, notes)
    spec = _forced_spec(name, forced)

    offset, lineno, seen = 0, 0, 0
    first: tuple[list[str], str] | None = None
    complete = source.size <= len(sample)
    lines = sample.split(b"\n")
    for i, raw_line in enumerate(lines):
        lineno += 1
        line_start, offset = offset, offset + len(raw_line) + 1
        if i == len(lines) - 1 and not complete:
            break  # possibly cut by the sample boundary
        line = raw_line.decode("utf-8", errors="replace").rstrip("\r")
        if not line.strip():
            continue
        seen += 1
        if seen > HEADER_SEARCH_LINES:
            break
        delimiter = _pick_delimiter(line)
        columns = [c.strip().lstrip("\ufeff").strip() for c in _split_fields(line, delimiter)]
        if first is None:
            first = (columns, delimiter)
        found = spec if (spec is not None and not spec.missing(header_index(columns))) else None
        if spec is None:
            fid = detect_format(columns)
            found = SPECS_BY_ID[fid] if fid else None
        if found is None:
            continue
        if delimiter != ",":
            notes.append(
                f"{_DELIMITER_NAMES.get(delimiter, repr(delimiter))}-separated file: read with {delimiter!r} as the delimiter"
            )
        if seen > 1:
            notes.append(f"header found on line {lineno}; the {lineno - 1} line(s) above it were ignored")
        data_offset = line_start + len(raw_line) + 1
        if complete and not sample[data_offset:].strip():
            raise UsageImportError(f"{name}: has a header ({found.name}) but no data rows")
        return Sniffed(
            spec=found,
            columns=_dedupe(columns),
            delimiter=delimiter,
            header_line=lineno,
            data_offset=data_offset,
            quoted_newlines=_has_quoted_newline(sample[data_offset:], delimiter),
            notes=notes,
        )
    raise UsageImportError(_unknown_header_message(name, first, spec))


def _dedupe(columns: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        key = c.lower()
        seen[key] = seen.get(key, 0) + 1
        out.append(c if seen[key] == 1 else f"{c}.{seen[key]}")
    return out


def _has_quoted_newline(sample: bytes, delimiter: str) -> bool:
    if b'"' not in sample:
        return False
    text = sample.decode("utf-8", errors="replace")
    cut = text.rfind("\n")
    try:
        return any("\n" in f or "\r" in f for row in csv.reader(io.StringIO(text[:cut]), delimiter=delimiter) for f in row)
    except csv.Error:
        return True


def _unknown_header_message(name: str, first: tuple[list[str], str] | None, spec: FormatSpec | None) -> str:
    if first is None:
        return f"{name}: no line break in the first {SAMPLE_BYTES // 1024} KB: not a CSV export"
    columns, _ = first
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    if spec is not None:
        missing = spec.missing(header_index(columns))
        return f"{name}: not a {spec.name}: missing required column(s) {', '.join(missing)} (header: {shown})"
    if frozenset(c.lower() for c in columns) in EMPTY_PERIOD_HEADERS:
        return f"{name}: this OpenAI export has only the time columns: there was no usage or cost in the exported period"
    if len(columns) == 1 and any(d in columns[0] for d in ";\t|"):
        return f"{name}: cannot split the header into columns (delimiter not recognised): {columns[0][:120]!r}"
    miss = near_miss(columns)
    if miss is not None:
        fmt, missing = miss
        return f"{name}: looks like the {fmt.name} but the required column(s) {', '.join(missing)} are missing (header: {shown})"
    return f"{name}: header not recognised ({shown}). Known formats: {describe_formats()}"


class Restart(Exception):
    """Internal: the file must be read again from the start with other settings."""


@dataclass
class Segment:
    """One piece of the file, read: the wanted columns plus the rows Arrow rejected."""

    table: pa.Table
    bad_rows: BadRows  # numbers are local: the segment's first record is 1
    last: bool


def segment_bounds(source: Source, sniffed: Sniffed) -> list[tuple[int, int]]:
    """Byte ranges [start, end) of about SEGMENT_BYTES, cut just after a line break.

    Reading and normalizing a bounded piece at a time keeps the working set small (time
    grows linearly with the file instead of paging through gigabytes) and peak memory near
    one segment's worth. A file whose quoted values span lines is read in one piece, since a
    cut could fall inside a quoted value.
    """
    start, size = sniffed.data_offset, source.size
    if sniffed.quoted_newlines or size - start <= SEGMENT_BYTES * 1.5:
        return [(start, size)]
    bounds = []
    while size - start > SEGMENT_BYTES * 1.5:
        cut = source.find_newline(start + SEGMENT_BYTES)
        if cut < 0 or cut >= size:
            break
        bounds.append((start, cut + 1))
        start = cut + 1
    bounds.append((start, size))
    return bounds


def read_segments(source: Source, sniffed: Sniffed, wanted: dict[str, pa.DataType], notes: list[str]) -> Iterator[Segment]:
    """Read the ``wanted`` columns segment by segment, the next one while the caller works.

    ``wanted`` maps each column to the type Arrow should parse it as (string, or a number
    type for count and cost columns: parsing while reading is cheaper than a cast later).
    A segment where a number column holds something else is read again with every column
    as a string, so that the bad cells become row problems.

    Arrow parses each segment on all cores; the single-threaded normalization of segment k
    overlaps with the parse of segment k+1 in a helper thread (both release the GIL).
    Raises ``Restart`` (see ``_load``); the caller starts over.
    """
    bounds = segment_bounds(source, sniffed)
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_load, source, sniffed, wanted, *bounds[0], len(bounds), notes)
        for i in range(len(bounds)):
            loaded = future.result()
            if i + 1 < len(bounds):
                future = pool.submit(_load, source, sniffed, wanted, *bounds[i + 1], len(bounds), notes)
            if loaded is not None:
                yield Segment(loaded[0], loaded[1], i == len(bounds) - 1)


def _load(
    source: Source, sniffed: Sniffed, wanted: dict[str, pa.DataType], start: int, end: int, pieces: int, notes: list[str]
) -> tuple[pa.Table, BadRows] | None:
    """One segment: parallel parse; a segment with rejected rows is parsed again serially.

    The parallel parse runs without an invalid-row handler: a row with the wrong field count
    makes it fail, and the segment is parsed once more, serially, with the handler (which also
    gives row numbers). A handler in the parallel parse costs far more than that second read:
    every rejected row takes the GIL from a parsing thread (measured 15-60x slower than the
    clean file, against under 3x now; ``benchmarks/usage_ingest.py --bad-rows``). Raises
    ``Restart`` after switching to ``newlines_in_values`` (a quoted value spans lines) or after
    replacing invalid UTF-8.
    """
    threads = True
    types = wanted
    while True:
        bad = BadRows(len(sniffed.columns))
        try:
            table = _read(source, sniffed, types, start, end, threads, bad)
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "Empty CSV file" in message:  # only blank lines in this piece
                return None
            if threads and "Expected" in message and "columns" in message:
                # A row with the wrong field count: split the piece by line counts, vectorized;
                # when quoting makes that unsafe, the serial read skips and numbers the rows.
                split = None if sniffed.quoted_newlines else _read_by_lines(source, sniffed, types, start, end)
                if split is not None:
                    return split
                threads = False
                continue
            if "conversion error" in message and any(t != pa.string() for t in types.values()):
                types = dict.fromkeys(wanted, pa.string())
                continue
            if not sniffed.quoted_newlines and ("newlines_in_values" in message or "out of sync" in message):
                sniffed.quoted_newlines = True
                raise Restart from None
            if "UTF8" in message or "UTF-8" in message:
                raw = source.all_bytes()
                source.replace(raw.decode("utf-8", errors="replace").encode("utf-8"))
                notes.append("file has bytes that are not valid UTF-8: replaced with U+FFFD")
                raise Restart from None
            raise UsageImportError(f"{source.name}: cannot be read as CSV ({message.splitlines()[0][:200]})") from None
        except (OSError, pa.ArrowException) as exc:
            raise UsageImportError(f"{source.name}: cannot be read ({str(exc).splitlines()[0][:200]})") from None
        if bad and pieces > 1 and not sniffed.quoted_newlines and bad.quoted:
            # A cut may have fallen inside a quoted value spanning lines: read it whole instead.
            sniffed.quoted_newlines = True
            raise Restart
        return table, bad


def _read_by_lines(
    source: Source, sniffed: Sniffed, types: dict[str, pa.DataType], start: int, end: int
) -> tuple[pa.Table, BadRows] | None:
    """Set the rows with a wrong field count apart without a Python call per row; None when unsure.

    Each line's fields are its delimiters + 1, counted with Arrow compute after removing quoted
    sections; lines with an odd number of quotes (a quoted value spanning lines, or an unclosed
    quote) return None and leave the piece to the serial read. The good lines are joined and
    parsed in parallel; records are numbered as Arrow numbers them (empty lines skipped).
    """
    lines = _piece_lines(source, start, end)
    if lines is None:  # invalid UTF-8: the serial read reports it
        return None
    quotes = _np(pc.count_substring(lines, '"'))
    if (quotes % 2).any():
        return None
    unquoted = pc.replace_substring_regex(lines, '"[^"]*"', "Q") if quotes.any() else lines
    fields = _np(pc.count_substring(unquoted, sniffed.delimiter)) + 1
    numbered = _np(pc.binary_length(lines)) > 0
    blank = _np(pc.fill_null(pc.utf8_is_space(lines), False)) & numbered
    expected = len(sniffed.columns)
    good = numbered & ~blank & (fields == expected)
    bad_mask = numbered & ~blank & (fields != expected)
    if not bad_mask.any():
        return None
    record = np.cumsum(numbered)
    good_lines = pc.filter(lines, pa.array(good))
    table = _read_good_lines(good_lines, sniffed, types)
    if table is None or table.num_rows != len(good_lines):
        return None
    bad = BadRows(expected)
    bad_index = np.flatnonzero(bad_mask)
    bad.numbers = record[bad_index].tolist()
    for i in bad_index[:KEPT_BAD_ROWS]:
        bad.kept.append(BadRow(int(record[i]), lines[int(i)].as_py(), int(fields[i]), expected))
    last = int(bad_index[-1])
    bad._last = (int(record[last]), lines[last].as_py(), int(fields[last]))
    bad.quoted = bool(quotes[bad_index].any())
    return table, bad


def _piece_lines(source: Source, start: int, end: int) -> pa.Array | None:
    """The lines of bytes [start, end) as one Arrow string array (CR of CRLF dropped); None when not valid UTF-8."""
    piece = source.piece(start, end).read_buffer()
    offsets = pa.py_buffer(np.array([0, piece.size], dtype=np.int64).tobytes())
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, piece])
    lines = pc.list_flatten(pc.split_pattern(whole, "\n"))
    try:
        lines = pc.cast(lines, pa.large_string())
    except pa.ArrowInvalid:
        return None
    return pc.replace_substring_regex(lines, "\r$", "")


def _read_good_lines(good_lines: pa.Array, sniffed: Sniffed, types: dict[str, pa.DataType]) -> pa.Table | None:
    """The lines with the right field count, joined and parsed by Arrow in parallel; None when Arrow refuses them."""
    if not len(good_lines):
        return pa.table({name: pa.array([], type) for name, type in types.items()})
    joined = pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array([0, len(good_lines)], pa.int64()), good_lines), pa.scalar("\n", pa.large_string())
    )
    body = pa.py_buffer(joined[0].as_buffer().to_pybytes() + b"\n")
    try:
        return pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=sniffed.columns, use_threads=True, block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(delimiter=sniffed.delimiter),
            convert_options=_convert_options(types),
        )
    except pa.ArrowInvalid:
        return None


def _np(array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _convert_options(types: dict[str, pa.DataType]) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        include_columns=list(types),
        column_types=types,
        strings_can_be_null=True,
        null_values=[""],  # "NaN", "NULL" stay visible: NaN tokens are a bad row, not zero
        quoted_strings_can_be_null=True,
    )


def _read(
    source: Source, sniffed: Sniffed, types: dict[str, pa.DataType], start: int, end: int, threads: bool, bad: BadRows
) -> pa.Table:
    def on_invalid(row) -> str:
        text = row.text or ""
        if text.strip():  # whitespace-only lines are not rows
            bad.add(row.number, text, row.actual_columns)
        return "skip"

    return pacsv.read_csv(
        source.piece(start, end),
        read_options=pacsv.ReadOptions(column_names=sniffed.columns, use_threads=threads, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(
            delimiter=sniffed.delimiter,
            newlines_in_values=sniffed.quoted_newlines,
            invalid_row_handler=None if threads else on_invalid,
        ),
        convert_options=_convert_options(types),
    )
