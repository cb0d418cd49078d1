"""``python -m calculators usage FILE... [--format F] [--scenario S.yaml] [--json]``: the body, for calculators/cli.py.

Several files or a glob (``'exports/2026-*.csv'``, a month per file as warehouses export them)
are imported one at a time and merged, so memory stays bounded by the largest file, not the sum.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from calculators.formatting import money, percent
from calculators.usage.formats import FORMATS
from calculators.usage.importer import UsageImport, import_usage
from calculators.usage.merge import merge_imports
from calculators.usage.reader import UsageImportError

MAX_SCENARIO_BYTES = 1_000_000
MAX_FILES = 10_000


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def expand_paths(patterns: Sequence[str]) -> list[Path]:
    """Files named or matched by ``patterns`` (shell-style globs), in order, each once.

    Raises UsageImportError naming a pattern that matches nothing or a path that is not a file.
    """
    files: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise UsageImportError(f"{pattern}: no file matches")
        for match in matches:
            path = Path(match)
            if not path.exists():
                raise UsageImportError(f"{match}: no such file")
            if path.is_dir():
                raise UsageImportError(f"{match}: is a directory, not a file")
            if path not in files:
                files.append(path)
    if len(files) > MAX_FILES:
        raise UsageImportError(f"{len(files):,} files: at most {MAX_FILES:,} at a time")
    return files


def _load_scenario(path: str):
    from calculators.scenario import ScenarioError, load_scenario_text

    file = Path(path)
    if not file.is_file():
        raise UsageImportError(f"{path}: no such scenario file")
    if file.stat().st_size > MAX_SCENARIO_BYTES:
        raise UsageImportError(f"{path}: larger than {MAX_SCENARIO_BYTES:,} bytes")
    try:
        return load_scenario_text(file.read_text(encoding="utf-8"), source=file.name)
    except ScenarioError as exc:
        raise UsageImportError(_one_line(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageImportError(f"{path}: cannot read ({exc})") from None


def features_json(usage: UsageImport, catalog) -> dict[str, Any]:
    """``--by feature``: the workload month's workload of each feature (``calculators.usage.features``)."""
    from calculators.usage.features import feature_workloads, summary_rows

    if usage.features is None:
        raise UsageImportError(f"{usage.filename}: this {usage.format_name} has no feature column (or it is empty throughout)")
    found = feature_workloads(usage, None, catalog)
    return {"month": found["month"], "column": found["column"], "workloads": summary_rows(found), "skipped": found["skipped"]}


def portfolio_json(usage: UsageImport, catalog, scenario=None) -> dict[str, Any]:
    """``--portfolio``: the version-2 scenario document, one workload per feature, on ``scenario``'s strategies
    (the link defaults' without one)."""
    from calculators.usage.features import portfolio_document

    if usage.features is None:
        raise UsageImportError(f"{usage.filename}: this {usage.format_name} has no feature column (or it is empty throughout)")
    if scenario is None:
        from calculators.links import LINK_DEFAULTS, LINK_VERSION
        from calculators.scenario import parse_scenario

        scenario = parse_scenario(LINK_DEFAULTS[LINK_VERSION], strict=False)[0]
    doc = portfolio_document(usage, scenario, catalog)
    if doc is None:
        raise UsageImportError(f"{usage.filename}: no feature has priced usage in the workload month: map its models first")
    return doc


def usage_json(usage: UsageImport, catalog, scenario=None) -> dict[str, Any]:
    """What ``--json`` prints: the import, ``list_price_usd`` per monthly row, ``workload`` and ``repriced``."""
    from calculators.usage.report import public, repriced, usage_report

    report = usage_report(usage, catalog)
    body = usage.to_json_dict()
    body["monthly"] = report["monthly"]
    body["workload"] = report["workload"]
    doc = report["workload_doc"]
    body["workload_notes"] = list(doc["notes"])
    body["unpriced"] = doc["unpriced"]
    body["other_charges"] = doc["other_charges"]
    body["growth"] = dict(doc["growth_fit"])
    if scenario is not None:
        body["repriced"] = public(repriced(usage, scenario, catalog, report=report))
    return body


def run_usage_cli(
    paths: str | Sequence[str],
    as_json: bool,
    fmt: str | None,
    out: TextIO,
    err: TextIO,
    scenario_path: str | None = None,
    by: str | None = None,
    portfolio: bool = False,
) -> int:
    """Import the files and print the monthly totals; return the exit code.

    Exit 0 on success: ``usage_json`` with ``as_json``, else a readable report of the same
    numbers; ``by="feature"`` adds ``features`` (each feature's workload, ``features_json``);
    ``portfolio`` prints the version-2 scenario with one workload per feature instead (YAML, or
    JSON with ``as_json``), ready for ``evaluate``. Exit 2 with one line ``error: ...`` on ``err`` when a file cannot be imported
    (missing, unreadable, unknown format, no usable rows...) or the scenario is invalid. Exit 1,
    also with one line, on an unexpected internal error. Never a traceback.

    Examples
    --------
    >>> import io
    >>> out, err = io.StringIO(), io.StringIO()
    >>> run_usage_cli("missing.csv", True, None, out, err), err.getvalue()
    (2, 'error: missing.csv: no such file\\n')
    """
    patterns = [paths] if isinstance(paths, str) else list(paths)
    try:
        if fmt is not None and fmt not in FORMATS:
            err.write(f"error: unknown format {fmt!r}; known formats: {', '.join(FORMATS)}\n")
            return 2
        files = expand_paths(patterns)
        scenario = _load_scenario(scenario_path) if scenario_path else None
        catalog = _catalog()
        imports = (import_usage(file, filename=file.name, format=fmt, catalog=catalog if catalog else False) for file in files)
        result = merge_imports(imports, catalog) if len(files) > 1 else next(imports)
        if portfolio:
            document = portfolio_json(result, catalog, scenario)
        else:
            body = usage_json(result, catalog, scenario) if catalog else result.to_json_dict()
            if by == "feature":
                body["features"] = features_json(result, catalog)
    except UsageImportError as exc:
        err.write(f"error: {_one_line(exc)}\n")
        return 2
    except Exception as exc:  # noqa: BLE001 - the CLI promises one line, never a traceback
        err.write(f"error: {patterns[0]}: internal error ({type(exc).__name__}: {_one_line(exc)[:200]})\n")
        return 1
    if portfolio:
        _write(out, document, as_json, _portfolio_yaml)
    else:
        _write(out, body, as_json, lambda b: format_table(result, b))
    return 0


def _portfolio_yaml(document: dict[str, Any]) -> str:
    from calculators.scenario import dump_yaml

    return dump_yaml(document)


def _write(out: TextIO, body: dict[str, Any], as_json: bool, readable) -> None:
    if as_json:
        json.dump(body, out, indent=2)
        out.write("\n")
    else:
        out.write(readable(body))


def _catalog():
    try:
        from pricing.catalog import CatalogError, load_catalog
    except ImportError:  # pragma: no cover - the package ships with the catalog
        return None
    try:
        return load_catalog()
    except (CatalogError, OSError):
        return None


def format_table(result: UsageImport, body: dict[str, Any] | None = None) -> str:
    """A plain-text report: what was read, the monthly table, the workload, re-priced costs, notes."""
    body = body or result.to_json_dict()
    period = f"{result.period[0]}..{result.period[1]}" if result.period else "no dates"
    lines = [
        f"{result.filename}: {result.format_name}",
        f"rows read {result.rows_read:,}, skipped {result.rows_skipped:,}, empty {result.rows_ignored:,}; period {period}",
        "",
    ]
    lines += _monthly_lines(body["monthly"])
    lines += _read_problem_lines(result)
    lines += _workload_lines(body)
    repriced = body.get("repriced")
    if repriced:
        lines += _repriced_lines(repriced)
    features = body.get("features")
    if features:
        lines += _feature_lines(features)
    notes = [*result.notes, *body.get("workload_notes", [])]
    if notes:
        lines += ["", *(f"note: {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def _monthly_lines(monthly: list[dict]) -> list[str]:
    """The table of tokens, requests, the export's cost and the list price per month and model."""
    header = ["month", "model", "catalog_id", "input", "cached", "output", "requests", "cost_usd", "list_price_usd"]
    rows = [
        [
            rec["month"],
            rec["model"],
            _cell(rec["catalog_id"], "?"),
            _num(rec["input_tokens"]),
            _num(rec["cached_input_tokens"]),
            _num(rec["output_tokens"]),
            _num(rec["requests"]),
            _money(rec["cost_usd"]),
            _money(rec.get("list_price_usd")),
        ]
        for rec in monthly
    ]
    return _table(header, rows, right={3, 4, 5, 6, 7, 8})


def _read_problem_lines(result: UsageImport) -> list[str]:
    """Skipped rows by reason, models missing from the catalog and charges that are not models."""
    lines = []
    if result.skipped_by_reason:
        lines += ["", "skipped rows:"] + [f"  {n:,} x {reason}" for reason, n in result.skipped_by_reason.items()]
        lines += [f"  {p}" for p in result.problems]
    if result.unresolved_models:
        lines += ["", "not in the price catalog: " + ", ".join(result.unresolved_models)]
    if result.other_charges:
        lines += ["", "other charges (not models): " + ", ".join(result.other_charges)]
    return lines


def _workload_lines(body: dict[str, Any]) -> list[str]:
    """The workload month's volume, its unpriced share and the fitted growth, each when present."""
    lines = []
    workload = body.get("workload")
    if workload:
        requests = workload["requests_per_month"]
        lines += [
            "",
            f"workload ({workload['month']}): {workload['tokens_per_month']:,} tokens a month "
            f"({workload['input_tokens']:,} input of which {workload['cached_input_tokens']:,} cached, "
            f"{workload['output_tokens']:,} output), "
            + (f"{requests:,} requests" if requests is not None else "requests unknown (the forecast works in tokens)"),
        ]
    if body.get("unpriced"):
        u = body["unpriced"]
        lines.append(f"unpriced (left out of both sides): {percent(u['token_share'], 1)} of the month's tokens")
    growth = body.get("growth")
    if growth:
        lines.append(growth["note"])
    return lines


def _repriced_lines(repriced: dict[str, Any]) -> list[str]:
    """The workload month re-priced: list price, own mix, and each strategy's cost."""
    lines = [
        "",
        f"re-priced {repriced['month']}: list price {money(repriced['list_price_usd'])}, "
        f"own mix {money(repriced['own_mix_usd'])}, unpriced tokens {percent(repriced['unpriced_token_share'], 1)}",
    ]
    return lines + _table(["strategy", "cost_usd"], [[k, money(v)] for k, v in repriced["strategies"].items()], right={1})


def _feature_lines(features: dict[str, Any]) -> list[str]:
    """The workload month split by the feature column, and the features with no priced usage."""
    lines = ["", f"by feature ({features['column']}), {features['month']}:"]
    lines += _table(
        ["feature", "column", "tokens", "input", "cached", "output", "requests", "other_usd"],
        [
            [
                row["feature"],
                _cell(row["column"]),
                _num(row["tokens_per_month"]),
                _num(row["input_tokens"]),
                _num(row["cached_input_tokens"]),
                _num(row["output_tokens"]),
                _num(row["requests_per_month"]),
                _money(row["other_charges_usd"]),
            ]
            for row in features["workloads"]
        ],
        right={2, 3, 4, 5, 6, 7},
    )
    if features["skipped"]:
        lines.append("no priced usage in the workload month: " + ", ".join(features["skipped"]))
    return lines


def _table(header: list[str], body: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]

    def fmt_row(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [fmt_row(header), *(fmt_row(r) for r in body)]


def _cell(value, missing: str = "-") -> str:
    return missing if value is None or value != value or str(value) == "<NA>" else str(value)


def _num(value) -> str:
    text = _cell(value)
    return text if text == "-" else f"{int(value):,}"


def _money(value) -> str:
    text = _cell(value)
    return text if text == "-" else money(float(value))
