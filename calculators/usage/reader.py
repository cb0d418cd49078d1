"""File-level reading: open the input, sniff encoding, delimiter and header, read columns with Arrow.

Everything that can make a *whole file* unusable is decided here and raised as
``UsageImportError`` with a message that names the file and says what is wrong. Rows that
do not fit the header (wrong field count) are skipped by Arrow's invalid-row handler and
returned to the caller with their row numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from calculators.usage.formats import (
    EMPTY_PERIOD_HEADERS,
    SPECS_BY_ID,
    FormatSpec,
    describe_formats,
    detect_format,
    header_index,
    near_miss,
)

SAMPLE_BYTES = 1 << 16  # enough for the header and the first rows of any export
HEADER_SEARCH_LINES = 20  # a header may follow a few title lines (spreadsheet "reports")
SEGMENT_BYTES = 16 << 20  # bytes parsed and normalized at a time: measured best of 4-128 MB (see segment_bounds)
BLOCK_SIZE = 1 << 21  # Arrow block size: 2 MB measured fastest (1 MB: more overhead, 4 MB+: less overlap)


class UsageImportError(ValueError):
    """The whole file cannot be imported; the message names the file and the problem."""


# Magic numbers of files people upload by mistake, with what to do instead.
_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or ZIP archive, not a CSV file: open it and save as CSV (UTF-8)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) file, not a CSV file: open it and save as CSV (UTF-8)"),
    (b"\x1f\x8b", "gzip-compressed: decompress it and upload the CSV inside"),
    (b"%PDF", "a PDF document, not a CSV file: download the CSV export instead"),
    (b"PAR1", "a Parquet file, not a CSV file"),
    (b"SQLite format 3\x00", "a SQLite database, not a CSV file: export the table to CSV first"),
)


@dataclass
class BadRow:
    """A row Arrow could not split into the header's columns."""

    number: int | None  # 1-based record number within the data (first data row = 1)
    text: str
    fields: int
    expected: int


@dataclass
class Sniffed:
    """What the first bytes say about the file."""

    spec: FormatSpec
    columns: list[str]  # header names as written (BOM and spaces stripped), deduplicated
    delimiter: str
    header_line: int  # 1-based line number of the header
    data_offset: int  # byte offset of the first data line in the (UTF-8) data
    quoted_newlines: bool  # the sample already shows a quoted value spanning lines
    notes: list[str] = field(default_factory=list)


class Source:
    """The bytes to import: a file on disk (memory-mapped piece by piece) or bytes in memory."""

    def __init__(self, data: bytes | bytearray | memoryview | str | Path, filename: str):
        self.path: Path | None = None
        self.data: bytes | memoryview | None = None
        self.base = 0  # bytes to skip at the start (a UTF-8 byte-order mark)
        if isinstance(data, Path) or (isinstance(data, str) and "\n" not in data and os.path.isfile(data)):
            self.path = Path(data)
            if filename == "upload.csv":
                filename = self.path.name
            try:
                self.size = self.path.stat().st_size
            except OSError as exc:
                raise UsageImportError(f"{filename}: cannot read the file ({exc.strerror or exc})") from None
        elif isinstance(data, str):
            self.data = data.encode("utf-8")
            self.size = len(self.data)
        elif isinstance(data, bytes | bytearray | memoryview):
            self.data = memoryview(data).cast("B") if not isinstance(data, bytes) else data
            self.size = len(self.data)
        else:
            raise UsageImportError(f"{filename}: expected bytes, text or a path, got {type(data).__name__}")
        self.name = filename

    def head(self, n: int = SAMPLE_BYTES) -> bytes:
        if self.data is not None:
            return bytes(self.data[self.base : self.base + n])
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.base)
                return handle.read(n)
        except OSError as exc:
            raise UsageImportError(f"{self.name}: cannot read the file ({exc.strerror or exc})") from None

    def all_bytes(self) -> bytes:
        if self.data is not None:
            return bytes(self.data[self.base :])
        try:
            return self.path.read_bytes()[self.base :]
        except OSError as exc:
            raise UsageImportError(f"{self.name}: cannot read the file ({exc.strerror or exc})") from None

    def replace(self, data: bytes) -> None:
        """Swap in transcoded bytes (rare path: UTF-16, Latin-1, invalid UTF-8)."""
        self.data, self.path, self.size, self.base = data, None, len(data), 0

    def piece(self, start: int, end: int):
        """An Arrow input stream over bytes [start, end) (offsets after any byte-order mark)."""
        if self.data is not None:
            return pa.BufferReader(pa.py_buffer(self.data)[self.base + start : self.base + end])
        # A memory map per piece: no copy, and the mapped pages leave RSS when the piece is done.
        mapped = pa.memory_map(str(self.path))
        return pa.BufferReader(mapped.read_at(end - start, self.base + start))

    def find_newline(self, offset: int) -> int:
        """Offset of the first line break at or after ``offset``, or -1."""
        if self.data is not None:
            found = bytes(self.data[self.base + offset : self.base + offset + (1 << 20)]).find(b"\n")
            return -1 if found < 0 else offset + found
        with self.path.open("rb") as handle:
            handle.seek(self.base + offset)
            while chunk := handle.read(1 << 16):
                found = chunk.find(b"\n")
                if found >= 0:
                    return offset + found
                offset += len(chunk)
        return -1


def _utf8_ok(sample: bytes, complete: bool) -> bool:
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample boundary is not an encoding problem.
        return not complete and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"


def _transcode(source: Source, sample: bytes, notes: list[str]) -> bytes:
    """Make the data UTF-8 without BOM; return the new sample. Raise for binary files."""
    name = source.name
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(sample):
        encoding = (
            "utf-16"
            if sample[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
            else ("utf-16-le" if sample[1:2] == b"\0" else "utf-16-be")
        )
        try:
            text = source.all_bytes().decode(encoding)
        except UnicodeDecodeError:
            raise UsageImportError(f"{name}: looks like UTF-16 text but cannot be decoded; save it as CSV (UTF-8)") from None
        source.replace(text.lstrip("\ufeff").encode("utf-8"))
        notes.append("file is UTF-16: converted to UTF-8")
        return source.head()
    for magic, what in _MAGIC:
        if sample.startswith(magic):
            raise UsageImportError(f"{name}: this is {what}")
    if b"\0" in sample or _control_share(sample) > 0.05:
        raise UsageImportError(f"{name}: looks like a binary file, not a CSV text file")
    if sample.startswith(codecs.BOM_UTF8):
        source.base, source.size = 3, source.size - 3
        sample = source.head()
    complete = source.size <= len(sample)
    if _utf8_ok(sample, complete):
        return sample
    raw = source.all_bytes()
    try:
        raw.decode("utf-8")
        return sample  # only the sample edge was odd
    except UnicodeDecodeError:
        pass
    try:
        text, label = raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, label = raw.decode("latin-1"), "Latin-1"
    source.replace(text.encode("utf-8"))
    notes.append(f"file is not UTF-8: read as {label}")
    return source.head()


def _looks_utf16(sample: bytes) -> bool:
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return odd.count(0) > 0.9 * len(odd) or even.count(0) > 0.9 * len(even)


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    return controls / len(sample)


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


def sniff(source: Source, forced: str | None) -> Sniffed:
    """Find encoding, delimiter, header and format; raise UsageImportError when impossible."""
    name = source.name
    notes: list[str] = []
    if source.size == 0:
        raise UsageImportError(f"{name}: the file is empty")
    sample = _transcode(source, source.head(), notes)
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

    spec = None
    if forced is not None:
        spec = SPECS_BY_ID.get(forced)
        if spec is None:
            raise UsageImportError(f"{name}: unknown format {forced!r}; known formats: {', '.join(SPECS_BY_ID)}")

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
    bad_rows: list[BadRow]  # numbers are local: the segment's first record is 1
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
) -> tuple[pa.Table, list[BadRow]] | None:
    """One segment: parallel parse; a segment with rejected rows is parsed again serially.

    Arrow reports no row numbers in parallel mode, hence the second, serial read (bad files
    are small; good files pay nothing). Raises ``Restart`` after switching to
    ``newlines_in_values`` (a quoted value spans lines) or after replacing invalid UTF-8.
    """
    threads = True
    types = wanted
    while True:
        bad: list[BadRow] = []
        try:
            table = _read(source, sniffed, types, start, end, threads, bad)
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "Empty CSV file" in message:  # only blank lines in this piece
                return None
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
        if bad and threads:
            threads = False
            continue
        if bad and pieces > 1 and not sniffed.quoted_newlines and any('"' in r.text for r in bad):
            # A cut may have fallen inside a quoted value spanning lines: read it whole instead.
            sniffed.quoted_newlines = True
            raise Restart
        return table, bad


def _read(
    source: Source, sniffed: Sniffed, types: dict[str, pa.DataType], start: int, end: int, threads: bool, bad: list[BadRow]
) -> pa.Table:
    expected = len(sniffed.columns)

    def on_invalid(row) -> str:
        text = row.text or ""
        if text.strip():  # whitespace-only lines are not rows
            bad.append(BadRow(row.number, text, row.actual_columns, expected))
        return "skip"

    return pacsv.read_csv(
        source.piece(start, end),
        read_options=pacsv.ReadOptions(column_names=sniffed.columns, use_threads=threads, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(
            delimiter=sniffed.delimiter, newlines_in_values=sniffed.quoted_newlines, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(types),
            column_types=types,
            strings_can_be_null=True,
            null_values=[""],  # "NaN", "NULL" stay visible: NaN tokens are a bad row, not zero
            quoted_strings_can_be_null=True,
        ),
    )
