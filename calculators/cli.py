"""Command line: ``python -m calculators evaluate SCENARIO.yaml [--json]``, ``link SCENARIO.yaml``, ``usage FILE.csv``
and ``capacity`` (calculators/capacity_cli.py).

Exit codes: 0 success, 2 invalid input (the message goes to stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from calculators import capacity_cli
from calculators.document import bounded
from calculators.engine import Evaluation, evaluate
from calculators.formatting import cost_change, money, tokens
from calculators.links import share_url, single_valued
from calculators.portfolio import PortfolioEvaluation, evaluate_portfolio
from calculators.portfolio_links import document_to_params, params_to_document
from calculators.portfolio_report import portfolio_json, render_portfolio_table
from calculators.portfolio_scenario import Portfolio, load_document_text
from calculators.scenario import STRATEGY_LABELS, Scenario, ScenarioError
from pricing import CatalogError, load_catalog

MAX_SCENARIO_BYTES = 1_000_000
DEFAULT_LINK_BASE = "http://localhost:8501/"  # where `streamlit run app.py` serves the dashboard


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its usage line
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m calculators", description="Token Cost Forecaster command line")
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="cost of every strategy in a scenario file (YAML or JSON)")
    ev.add_argument(
        "scenario", help="scenario file (YAML or JSON), - for standard input, or a share link (http://...?... or ?...)"
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ln = sub.add_parser("link", help="print the share link of a scenario file (any version)")
    ln.add_argument("scenario", help="scenario file (YAML or JSON), or - for standard input")
    ln.add_argument("--base", default=DEFAULT_LINK_BASE, help=f"the dashboard's address (default {DEFAULT_LINK_BASE})")
    us = sub.add_parser("usage", help="read a provider usage export and aggregate it by month and model")
    us.add_argument("file", nargs="+", help="export file(s) or glob(s), e.g. 'exports/2026-*.csv' (a month per file)")
    us.add_argument("--format", default=None, help="skip detection and read the file as this format")
    us.add_argument("--scenario", default=None, help="scenario file: add the workload month re-priced under its strategies")
    us.add_argument("--json", action="store_true")
    us.add_argument("--by", choices=["feature"], default=None, help="add each feature's workload (trace name, tag, team...)")
    us.add_argument(
        "--portfolio", action="store_true", help="print a version-2 scenario: one workload per feature (YAML, or --json)"
    )
    capacity_cli.add_parser(sub)
    return parser


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _clean(value):
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _printable(text: str) -> str:
    """A name as a terminal should print it: control characters (an escape sequence in a scenario's
    name could rewrite the terminal) shown as Python escapes."""
    return text if text.isprintable() else repr(text)[1:-1]


def render_table(result: Evaluation) -> str:
    """The readable, non-JSON output of ``evaluate``."""
    s = result.scenario
    w = s.workload
    lines = [
        f"{_printable(s.name)}: {tokens(w.requests_per_month)} requests/month, {tokens(w.requests_per_month * w.tokens_per_request)} tokens/month",
        f"first month {result.forecast.months[0]:%Y-%m}, growth {s.growth.monthly_rate:+.1%}/month over {s.growth.horizon_months} months",
        "",
    ]
    lines += _strategy_table(result)
    info = result.self_hosted
    if info is not None:
        lines += ["", f"self-hosted: {info.replicas} replica(s), {info.gpus} GPU(s) ({info.plan.profile_name})"]
        lines += _break_even_lines(info.break_even)
    if result.mixed is not None:
        mixed = result.mixed
        lines += [
            "",
            f"self-hosted + flagship: {mixed.small_share:.0%} of requests on {int(mixed.cost.replicas[0])} replica(s), "
            f"{tokens(float(mixed.cost.overflow[0]))} requests/month overflow to the API",
        ]
        lines += _break_even_lines(mixed.break_even)
    for date, text in result.events:
        lines.append(f"event {date.isoformat()}: {text}")
    for notice in result.notices:
        lines.append(f"note: {notice}")
    return "\n".join(lines)


def _strategy_table(result: Evaluation) -> list[str]:
    """The strategies' costs, columns as wide as their widest cell (two spaces apart, numbers right-aligned)."""
    header = ("strategy", "this month", "vs flagship", "cumulative")
    rows: list[tuple[str, ...]] = []
    errors: list[str] = []
    savings = result.savings_vs_flagship_only
    for key, strategy in result.strategies.items():
        if not strategy.ok:
            errors.append(f"{STRATEGY_LABELS[key]}  error: {strategy.error}")
            continue
        saving_text = "" if key == "flagship_only" else cost_change(savings.get(key)) or ""
        cumulative = result.forecast.cumulative[key][-1]
        rows.append((STRATEGY_LABELS[key], money(strategy.monthly_cost_usd), saving_text, money(cumulative)))
    if not rows and not errors:  # a file with a workload and no strategy section: say so, not an empty table
        return [f"no strategy is switched on: add a section ({', '.join(STRATEGY_LABELS)})"]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    table = [
        "  ".join([row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))])
        for row in (header, *rows)
    ]
    return table + errors


def _break_even_lines(break_even: dict) -> list[str]:
    lines = []
    for other, be in break_even.items():
        label = STRATEGY_LABELS[other].lower()
        if be.first_requests_per_month is None:
            lines.append(f"  break-even vs {label}: never ({be.reason})")
        else:
            lines.append(
                f"  break-even vs {label}: first at {tokens(be.first_requests_per_month)} requests/month "
                f"({tokens(be.first_tokens_per_month)} tokens), sustained from {tokens(be.sustained_requests_per_month)} "
                f"requests/month ({tokens(be.sustained_tokens_per_month)} tokens)"
            )
    return lines


def _scenario_from_link(link: str, catalog) -> Scenario | Portfolio:
    """A share link, read strictly: any notice (a damaged payload, a bad value) is an error here."""
    query = urlsplit(link).query if "://" in link else link.lstrip("?")
    params, repeated = single_valued(parse_qs(query, keep_blank_values=True))
    scenario, notices = params_to_document(params, catalog)
    notices = repeated + notices
    if notices:
        raise ScenarioError(notices, "share link")
    return scenario


def _read_bounded(path: str, name: str) -> str:
    """The file's text, reading at most ``MAX_SCENARIO_BYTES`` + 1 bytes (``/dev/zero`` or a pipe has no size)."""
    if path == "-":
        data = (
            sys.stdin.buffer.read(MAX_SCENARIO_BYTES + 1)
            if hasattr(sys.stdin, "buffer")
            else sys.stdin.read(MAX_SCENARIO_BYTES + 1).encode()
        )
    else:
        with Path(path).open("rb") as file:
            data = file.read(MAX_SCENARIO_BYTES + 1)
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError([f"(document): larger than {MAX_SCENARIO_BYTES:,} bytes"], name)
    return data.decode("utf-8")


def _read_document(path: str, catalog) -> tuple[Scenario | Portfolio, str]:
    """The scenario (any version) of a file, standard input or share link, and the name to report it by."""
    name = "standard input" if path == "-" else path
    if path.startswith(("http://", "https://", "?")):
        return _scenario_from_link(path, catalog), "share link"
    return load_document_text(_read_bounded(path, name), source=name), name


def run_evaluate(path: str, as_json: bool, out: TextIO, err: TextIO, *, link_base: str | None = None) -> int:
    """``evaluate`` (or, with ``link_base``, ``link``): exit 0, or 2 with a message on bad input."""
    name = "standard input" if path == "-" else path
    try:
        catalog = load_catalog()
        scenario, name = _read_document(path, catalog)
    except (ScenarioError, OSError, UnicodeDecodeError, CatalogError) as exc:
        print(f"error: {_read_problem(exc, name)}", file=err)
        return 2
    if link_base is not None:
        print(share_url(link_base, document_to_params(scenario, catalog)), file=out)
        return 0
    if isinstance(scenario, Portfolio):
        result = evaluate_portfolio(scenario, catalog)
        return _print_result(result, lambda: portfolio_json(result), render_portfolio_table, name, as_json, out, err)
    result = evaluate(scenario, catalog)
    return _print_result(result, result.to_json_dict, render_table, name, as_json, out, err)


def _read_problem(exc: Exception, name: str) -> str:
    """What went wrong reading the document ``name`` (or the catalog), in one bounded line."""
    if isinstance(exc, OSError):
        return f"cannot read {bounded(name, 120)}: {bounded(exc.strerror or str(exc), 200)}"
    if isinstance(exc, UnicodeDecodeError):
        return f"cannot read {bounded(name, 120)}: not UTF-8 text (byte {exc.start:,})"
    return str(exc)  # ScenarioError and CatalogError name the file and field themselves


def _print_result(
    result: Evaluation | PortfolioEvaluation,
    json_doc: Callable[[], dict],
    render: Callable[[Any], str],
    name: str,
    as_json: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """A scenario's or a portfolio's result as JSON (``json_doc()``) or a table (``render(result)``); exit 0,
    or 2 with each strategy's error."""
    if result.errors:
        for key, message in result.errors.items():
            print(f"error: {name}: {key}: {message}", file=err)
        return 2
    if as_json:
        print(json.dumps(_clean(json_doc()), indent=2, default=_json_default), file=out)
    else:
        print(render(result), file=out)
    return 0


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "evaluate":
            return run_evaluate(args.scenario, args.json, out, err)
        if args.command == "link":
            return run_evaluate(args.scenario, False, out, err, link_base=args.base)
        if args.command == "capacity":
            return capacity_cli.run_capacity(args, out, err)
        from calculators.usage import run_usage_cli  # imported lazily: pandas is slow to import

        return run_usage_cli(
            args.file, args.json, args.format, out, err, scenario_path=args.scenario, by=args.by, portfolio=args.portfolio
        )
    except Exception as exc:  # a bug, not bad input: one line, exit 1 (the tests require 0 or 2 for any input)
        print(f"error: internal error ({type(exc).__name__}: {bounded(str(exc), 200)}); please report it", file=err)
        return 1
