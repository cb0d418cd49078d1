"""Hostile usage exports generated at test time (issue 13 §3): large files with bad rows, decimal marks, encodings.

The files are generated here rather than stored: a few hundred thousand rows cost the repository
nothing and exercise the segmented, parallel read path. Timing is measured in
``benchmarks/usage_ingest.py --bad-rows``, never asserted.
"""

from __future__ import annotations

import numpy as np
import pytest

from calculators.usage import import_usage
from calculators.usage import reader as usage_reader

ROWS = 300_000


def _generic_rows(n: int, seed: int = 7) -> tuple[list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 365, n)
    dates = (np.datetime64("2025-01-01") + days).astype(str)
    inp = rng.integers(1, 100_000, n)
    out = rng.integers(1, 10_000, n)
    lines = [f"{d},gpt-5,{i},{o}" for d, i, o in zip(dates, inp, out, strict=True)]
    return lines, inp, out


@pytest.mark.parametrize("every", [1, 3, 1000], ids=["all-but-first", "every-3rd", "every-1000th"])
def test_rows_with_an_extra_field_are_skipped_counted_and_numbered(every, tmp_path, monkeypatch):
    # Segments of 1 MB so that the file is read in several pieces, each with its own bad rows.
    monkeypatch.setattr(usage_reader, "SEGMENT_BYTES", 1 << 20)
    lines, inp, out = _generic_rows(ROWS)
    bad = np.zeros(ROWS, dtype=bool)
    bad[1::every] = True  # data row 1 stays good, so that something is left to import
    body = [line + ",extra" if b else line for line, b in zip(lines, bad, strict=True)]
    path = tmp_path / "extra_field.csv"
    path.write_text("date,model,input_tokens,output_tokens\n" + "\n".join(body) + "\n", encoding="utf-8")

    result = import_usage(path, catalog=False)

    assert result.rows_read == ROWS
    assert result.rows_skipped == int(bad.sum())
    assert result.skipped_by_reason == {"wrong number of fields": int(bad.sum())}
    # The first bad record is data row 2 (file row 3, after the header).
    assert result.problems[0].startswith("row 3: wrong number of fields: 5 field(s), expected 4")
    assert int(result.monthly["input_tokens"].sum()) == int(inp[~bad].sum())
    assert int(result.monthly["output_tokens"].sum()) == int(out[~bad].sum())


def test_bad_row_numbers_stay_exact_across_segments(tmp_path, monkeypatch):
    monkeypatch.setattr(usage_reader, "SEGMENT_BYTES", 1 << 20)
    lines, _, _ = _generic_rows(ROWS)
    last = ROWS - 1
    lines[last] = lines[last] + ",extra"  # the last data row only: file row ROWS + 1
    path = tmp_path / "one_bad_at_the_end.csv"
    path.write_text("date,model,input_tokens,output_tokens\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = import_usage(path, catalog=False)
    assert result.problems == [f"row {ROWS + 1}: wrong number of fields: 5 field(s), expected 4 ({lines[last]!r})"]


def test_large_mixed_encoding_file_gives_one_model(tmp_path):
    n = 50_000
    utf8 = "2026-01-05,modèle,10,1\n".encode()
    cp1252 = "2026-01-06,modèle,10,1\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"date,model,input_tokens,output_tokens\n" + (utf8 + cp1252) * n)
    result = import_usage(path, catalog=False)
    assert result.monthly["model"].tolist() == ["modèle"]
    assert int(result.monthly["input_tokens"].sum()) == 2 * n * 10
    assert any(f"file mixes encodings: {n:,} line(s) read as Windows-1252 (first: line 3)" in note for note in result.notes)


def test_large_semicolon_file_decides_its_decimal_mark_once(tmp_path, monkeypatch):
    # The decimal comma shows only in the last segment's cost column; the first segment has
    # '1.000' only. The file's mark is decided from the first segment, with the stated assumption.
    monkeypatch.setattr(usage_reader, "SEGMENT_BYTES", 1 << 16)
    n = 20_000
    head = "date;model;input_tokens;output_tokens\n"
    path = tmp_path / "semicolon.csv"
    path.write_text(head + "2026-01-05;gpt-5;1.000;10\n" * n, encoding="utf-8")
    result = import_usage(path, catalog=False)
    assert int(result.monthly["input_tokens"].sum()) == 1000 * n  # '1.000' = one thousand, n times
    assert sum("assumed: '.' is a thousands separator" in note for note in result.notes) == 1
