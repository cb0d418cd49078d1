"""Any export's text as UTF-8: BOMs, UTF-16, legacy Windows encodings line by line, and files that are not text."""

from __future__ import annotations

import codecs

from calculators.usage.source import Source, UsageImportError

# Magic numbers of files people upload by mistake, with what to do instead.
_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or ZIP archive, not a CSV file: open it and save as CSV (UTF-8)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) file, not a CSV file: open it and save as CSV (UTF-8)"),
    (b"\x1f\x8b", "gzip-compressed: decompress it and upload the CSV inside"),
    (b"%PDF", "a PDF document, not a CSV file: download the CSV export instead"),
    (b"PAR1", "a Parquet file, not a CSV file"),
    (b"SQLite format 3\x00", "a SQLite database, not a CSV file: export the table to CSV first"),
)


def _utf8_ok(sample: bytes, complete: bool) -> bool:
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample boundary is not an encoding problem.
        return not complete and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"


def transcode(source: Source, sample: bytes, notes: list[str]) -> bytes:
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
    text, note = decode_lines(raw)
    source.replace(text.encode("utf-8"))
    notes.append(note)
    return source.head()


def _legacy(line: bytes) -> tuple[str, str]:
    try:
        return line.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return line.decode("latin-1"), "Latin-1"


def decode_lines(raw: bytes) -> tuple[str, str]:
    r"""Decode a file that is not valid UTF-8 line by line, and say how.

    A file assembled from several sources (a UTF-8 export with lines pasted from a Windows
    spreadsheet) mixes encodings: each line is read as UTF-8 when it is valid UTF-8, else as
    Windows-1252 (Latin-1 for the five bytes Windows-1252 leaves undefined). Decoding it whole
    as Windows-1252 would turn the UTF-8 ``modèle`` into ``modÃ¨le``, a second model.

    >>> decode_lines("modèle\n".encode() + "modèle\n".encode("cp1252"))
    ('modèle\nmodèle\n', 'file mixes encodings: 1 line(s) read as Windows-1252 (first: line 2), the others as UTF-8')
    >>> decode_lines("modèle\n".encode("cp1252"))
    ('modèle\n', 'file is not UTF-8: read as Windows-1252')
    """
    lines = raw.split(b"\n")
    out: list[str] = []
    legacy: list[int] = []
    labels: set[str] = set()
    utf8_non_ascii = 0
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
            utf8_non_ascii += not line.isascii()
        except UnicodeDecodeError:
            text, label = _legacy(line)
            legacy.append(number)
            labels.add(label)
        out.append(text)
    label = "Windows-1252" if labels == {"Windows-1252"} else " or ".join(sorted(labels))
    if utf8_non_ascii:
        note = f"file mixes encodings: {len(legacy):,} line(s) read as {label} (first: line {legacy[0]}), the others as UTF-8"
    else:
        note = f"file is not UTF-8: read as {label}"
    return "\n".join(out), note


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
