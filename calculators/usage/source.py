"""The input file and what reading it yields: its bytes (from memory or a path), the sniffed header, rejected rows."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from calculators.usage.formats import FormatSpec

SAMPLE_BYTES = 1 << 16  # enough for the header and the first rows of any export


class UsageImportError(ValueError):
    """The whole file cannot be imported; the message names the file and the problem."""


@dataclass
class BadRow:
    """A row Arrow could not split into the header's columns."""

    number: int | None  # 1-based record number within the data (first data row = 1)
    text: str
    fields: int
    expected: int


KEPT_BAD_ROWS = 200  # rejected rows kept whole (for messages and the mixed-format check); the rest are counted


class BadRows:
    """The rows Arrow rejected in one segment: every record number, the first rows whole, counts by kind.

    A file can have a million rejected rows; keeping one small int each (and the text of the
    first ``KEPT_BAD_ROWS`` and of the last) keeps that path as fast as the clean one.
    """

    def __init__(self, expected: int):
        self.expected = expected
        self.numbers: list[int | None] = []
        self.kept: list[BadRow] = []
        self._last: tuple[int | None, str, int] | None = None
        self.unclosed_quotes = 0  # rows with an odd number of double quotes
        self.quoted = False  # any rejected row has a double quote

    def add(self, number: int | None, text: str, fields: int) -> None:
        if '"' in text:
            self.quoted = True
            self.unclosed_quotes += text.count('"') % 2
        if len(self.kept) < KEPT_BAD_ROWS:
            self.kept.append(BadRow(number, text, fields, self.expected))
        self._last = (number, text, fields)
        self.numbers.append(number)

    @property
    def last(self) -> BadRow | None:
        return None if self._last is None else BadRow(*self._last, self.expected)

    def __len__(self) -> int:
        return len(self.numbers)


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
    decimal: str | None = None  # "," or "." once the numbers of the file settled it (semicolon files)


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
