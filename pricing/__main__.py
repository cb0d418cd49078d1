"""Command line: ``python -m pricing {import-litellm,import-genai-prices,generate-layer,snapshot,audit,check} ...``.

Argument parsing and dispatch only; the work is in :mod:`pricing.importers` and
:mod:`pricing.checks`. Exit codes: 0 fine, 1 ``check --gate`` found something,
2 unusable input (missing file, bad JSON, invalid catalog) or a refused write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from calculators import clock
from pricing.audit import audit_catalog, format_audit, parse_reference
from pricing.catalog import DATA_DIR, GENERATED_LAYER, CatalogError, write_curated_snapshot
from pricing.checks import DEFAULT_MAX_AGE_DAYS, DEFAULT_MAX_DIFF_PCT, check_catalog, format_findings
from pricing.importers import GENAI_PRICES, LITELLM, InputError, load_catalog_for_cli, read_price_file, run_import
from pricing.importers.layer import generate_layer


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _add_import_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """``import-litellm`` and ``import-genai-prices``: diff the catalog against a price database file."""
    for command, database in (("import-litellm", LITELLM), ("import-genai-prices", GENAI_PRICES)):
        sub = commands.add_parser(
            command,
            parents=[common],
            help=f"diff the catalog against a {database} file; --write applies it",
            description=f"Compare the catalog with a {database} JSON file and print the differences.",
        )
        sub.set_defaults(database=database)
        sub.add_argument("file", help=f"the {database} JSON file")
        sub.add_argument("--vendor", help="only this vendor (catalog id or the database's provider name)")
        sub.add_argument(
            "--model",
            action="append",
            default=[],
            metavar="ID",
            help="only this model (catalog id, alias or database key); repeatable",
        )
        sub.add_argument(
            "--as-of",
            type=_date,
            default=None,
            metavar="YYYY-MM-DD",
            help="the day the file was published: prices are compared with the catalog's on that day (default: today)",
        )
        sub.add_argument("--write", action="store_true", help="apply the changes to the vendor files")


def _add_generate_layer_command(commands: argparse._SubParsersAction) -> None:
    """``generate-layer``: build pricing/generated/layer.json from the LiteLLM and genai-prices wheels."""
    layer = commands.add_parser(
        "generate-layer",
        help="write pricing/generated/layer.json from the LiteLLM and genai-prices wheels",
        description="Build the generated catalog layer from wheels fetched with `pip download --no-deps`.",
    )
    layer.add_argument("wheels", nargs="+", metavar="WHEEL", help="litellm-<ver>-*.whl and/or genai_prices-<ver>-*.whl")
    layer.add_argument("--read-on", type=_date, required=True, metavar="YYYY-MM-DD", help="the day the wheels were read")
    layer.add_argument("--catalog-dir", default=str(DATA_DIR), help="directory with vendors/ (curated models win)")


def _add_snapshot_command(commands: argparse._SubParsersAction) -> None:
    """``snapshot``: write pricing/generated/curated.json from the curated YAML."""
    snapshot = commands.add_parser(
        "snapshot",
        help="write pricing/generated/curated.json, the parsed curated YAML that load_catalog reads while it matches",
        description="Validate the curated YAML files and write their parse with the digest of their bytes.",
    )
    snapshot.add_argument("--catalog-dir", default=str(DATA_DIR), help="directory with vendors/, gpus.yaml, serving.yaml")


def _add_audit_command(commands: argparse._SubParsersAction) -> None:
    """``audit``: compare every dated catalog entry with reference files."""
    audit = commands.add_parser(
        "audit",
        help="compare every dated catalog entry with LiteLLM and genai-prices; exit 1 on an unexplained difference",
        description="Compare every dated entry with each reference file and print one table.",
    )
    audit.add_argument(
        "references", nargs="+", metavar="FILE[@YYYY-MM-DD]", help="a LiteLLM or genai-prices JSON file or wheel, as of a day"
    )
    audit.add_argument("--catalog-dir", default=str(DATA_DIR), help="directory with vendors/, gpus.yaml, serving.yaml")
    audit.add_argument("--today", type=_date, default=None, help="the day of a reference given without @date")
    audit.add_argument("--all", action="store_true", help="print agreeing entries too")


def _add_check_command(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """``check``: report stale, retiring, colliding or drifting catalog data."""
    check = commands.add_parser("check", parents=[common], help="report stale, retiring, colliding or drifting catalog data")
    check.add_argument("--max-age-days", type=int, default=DEFAULT_MAX_AGE_DAYS, help="stale after this many days (default 90)")
    check.add_argument("--against", metavar="FILE.json", help="a LiteLLM or genai-prices file to compare prices with")
    check.add_argument(
        "--max-diff-pct", type=float, default=DEFAULT_MAX_DIFF_PCT, help="report price differences above this percent (default 5)"
    )
    check.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day the --against file was published (default: today)",
    )
    check.add_argument("--gate", action="store_true", help="exit 1 when anything is found")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all subcommands."""
    parser = argparse.ArgumentParser(prog="python -m pricing", description="Keep the price catalog true.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--catalog-dir", default=str(DATA_DIR), help="directory with vendors/, gpus.yaml, serving.yaml")
    common.add_argument("--today", type=_date, default=None, help="run as if today were this date (YYYY-MM-DD)")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_import_commands(commands, common)
    _add_generate_layer_command(commands)
    _add_snapshot_command(commands)
    _add_audit_command(commands)
    _add_check_command(commands, common)
    return parser


def _generate_layer(args: argparse.Namespace) -> int:
    out = Path(args.catalog_dir) / GENERATED_LAYER
    try:
        counts = generate_layer(load_catalog_for_cli(args.catalog_dir), args.wheels, args.read_on, out)
    except CatalogError as exc:
        raise InputError(f"the generated layer does not validate: {exc}") from None
    listed = ", ".join(f"{vendor} {count}" for vendor, count in sorted(counts.items()))
    print(f"Wrote {out}: {sum(counts.values())} models ({listed}).")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        0 fine; 1 ``check --gate`` found something; 2 unusable input or a refused write.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return int(exc.code or 0)
    today = getattr(args, "today", None) or clock.today()
    try:
        if args.command == "generate-layer":
            return _generate_layer(args)
        if args.command == "snapshot":
            try:
                out = write_curated_snapshot(args.catalog_dir)
            except CatalogError as exc:
                raise InputError(f"the curated files do not validate: {exc}") from None
            print(f"Wrote {out}.")
            return 0
        if args.command == "audit":
            catalog = load_catalog_for_cli(args.catalog_dir)
            result = audit_catalog(catalog, [parse_reference(text, today) for text in args.references])
            print(format_audit(result, show_all=args.all))
            return 1 if result.unexplained else 0
        if args.command == "check":
            catalog = load_catalog_for_cli(args.catalog_dir)
            against = read_price_file(args.against) if args.against else None
            findings = check_catalog(catalog, today, args.max_age_days, against, args.max_diff_pct, as_of=args.as_of)
            print(format_findings(findings, catalog, today, args.max_age_days))
            return 1 if args.gate and findings else 0
        return run_import(
            args.file,
            args.database,
            vendor=args.vendor,
            models=args.model,
            write=args.write,
            catalog_dir=args.catalog_dir,
            today=today,
            as_of=args.as_of,
        )
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
