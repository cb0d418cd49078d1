"""``python -m calculators usage FILE.csv [--format F] [--json]``: the body, for calculators/cli.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from calculators.usage.formats import FORMATS
from calculators.usage.importer import UsageImport, import_usage
from calculators.usage.reader import UsageImportError


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def run_usage_cli(path: str, as_json: bool, fmt: str | None, out: TextIO, err: TextIO) -> int:
    """Import ``path`` and print the monthly totals; return the exit code.

    Exit 0 on success: the JSON of ``UsageImport.to_json_dict()`` with ``as_json``, else a
    readable table with the skipped-row summary. Exit 2 with one line ``error: ...`` on
    ``err`` when the file cannot be imported (missing, unreadable, unknown format, no usable
    rows...). Exit 1, also with one line, on an unexpected internal error. Never a traceback.

    Examples
    --------
    >>> import io
    >>> out, err = io.StringIO(), io.StringIO()
    >>> run_usage_cli("missing.csv", True, None, out, err), err.getvalue()
    (2, 'error: missing.csv: no such file\\n')
    """
    try:
        if fmt is not None and fmt not in FORMATS:
            err.write(f"error: unknown format {fmt!r}; known formats: {', '.join(FORMATS)}\n")
            return 2
        file = Path(path)
        if not file.exists():
            err.write(f"error: {path}: no such file\n")
            return 2
        if file.is_dir():
            err.write(f"error: {path}: is a directory, not a file\n")
            return 2
        result = import_usage(file, filename=file.name, format=fmt)
    except UsageImportError as exc:
        err.write(f"error: {_one_line(exc)}\n")
        return 2
    except Exception as exc:  # noqa: BLE001 - the CLI promises one line, never a traceback
        err.write(f"error: {path}: internal error ({type(exc).__name__}: {_one_line(exc)[:200]})\n")
        return 1
    if as_json:
        json.dump(result.to_json_dict(), out, indent=2)
        out.write("\n")
    else:
        out.write(format_table(result))
    return 0


def format_table(result: UsageImport) -> str:
    """A plain-text report: what was read, the monthly table, problems and notes."""
    period = f"{result.period[0]}..{result.period[1]}" if result.period else "no dates"
    lines = [
        f"{result.filename}: {result.format_name}",
        f"rows read {result.rows_read:,}, skipped {result.rows_skipped:,}, empty {result.rows_ignored:,}; period {period}",
        "",
    ]
    header = ["month", "model", "catalog_id", "input", "cached", "output", "requests", "cost_usd"]
    body = []
    for rec in result.monthly.to_dict(orient="records"):
        body.append(
            [
                rec["month"],
                rec["model"],
                _cell(rec["catalog_id"], "?"),
                _num(rec["input_tokens"]),
                _num(rec["cached_input_tokens"]),
                _num(rec["output_tokens"]),
                _num(rec["requests"]),
                _money(rec["cost_usd"]),
            ]
        )
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]
    right = {3, 4, 5, 6, 7}

    def fmt_row(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines.append(fmt_row(header))
    lines.extend(fmt_row(r) for r in body)
    if result.skipped_by_reason:
        lines += ["", "skipped rows:"] + [f"  {n:,} x {reason}" for reason, n in result.skipped_by_reason.items()]
        lines += [f"  {p}" for p in result.problems]
    if result.unresolved_models:
        lines += ["", "not in the price catalog: " + ", ".join(result.unresolved_models)]
    if result.notes:
        lines += ["", *(f"note: {n}" for n in result.notes)]
    return "\n".join(lines) + "\n"


def _cell(value, missing: str = "-") -> str:
    return missing if value is None or value != value or str(value) == "<NA>" else str(value)


def _num(value) -> str:
    text = _cell(value)
    return text if text == "-" else f"{int(value):,}"


def _money(value) -> str:
    text = _cell(value)
    return text if text == "-" else (f"{float(value):,.2f}" if abs(float(value)) >= 10 else f"{float(value):.4f}")
