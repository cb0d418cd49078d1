#!/usr/bin/env python3
"""A small mutation check: do the tests fail when a formula, a bound or a download is wrong?

Each mutation changes one operator, constant or call on a line of the product (formulas, bounds,
downloads), in a temporary copy of the working tree, and runs only the tests that should catch it.
A mutation is *caught* when those tests fail, *survived* when they pass. Nothing in the checkout
is touched.

    python3 scripts/mutate.py            # every mutation
    python3 scripts/mutate.py -k links   # those whose name contains "links"
    python3 scripts/mutate.py --list

Exit status: 0 when every mutation was caught, 1 when one survived, 2 when the unmutated tests fail
or a mutation no longer applies (its line changed: update the table below).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    before: str  # must occur exactly once in the file
    after: str
    tests: tuple[str, ...]


M = Mutation
MUTATIONS = [
    # ---------------------------------------------------------------- formulas
    M(
        "long-context threshold > to >=",
        "calculators/costs.py",
        "np.asarray(input_tokens) > tier.threshold",
        "np.asarray(input_tokens) >= tier.threshold",
        ("tests/test_engine.py", "tests/test_price_overrides.py"),
    ),
    M(
        "cache reads billed at the input price",
        "calculators/costs.py",
        "(p_in if p_cached is None else p_cached)",
        "p_in",
        ("tests/test_engine.py", "tests/test_price_overrides.py"),
    ),
    M(
        "forwarded draft billed with the cached share",
        "calculators/costs.py",
        "input=(input_tokens * uncached_share + draft_tokens) * p_in * scale",
        "input=(input_tokens + draft_tokens) * uncached_share * p_in * scale",
        ("tests/test_engine.py",),
    ),
    M(
        "draft left out of the threshold",
        "calculators/costs.py",
        "effective_rates(entry, input_tokens + draft_tokens)",
        "effective_rates(entry, input_tokens)",
        ("tests/test_engine.py", "tests/test_price_overrides.py"),
    ),
    M(
        "tier not scaled by an override",
        "calculators/prices.py",
        "return tier_value * (override_value / base_value)",
        "return tier_value",
        ("tests/test_price_overrides.py",),
    ),
    M(
        "override drops the tier",
        "calculators/prices.py",
        "tier = replace(tier, **tier_changes)",
        "tier = None",
        ("tests/test_price_overrides.py",),
    ),
    M(
        "mid-month change weighted by 30 days",
        "calculators/prices.py",
        "weights[i, t] += (b - a).days / days",
        "weights[i, t] += (b - a).days / 30",
        ("tests/test_engine.py",),
    ),
    M(
        "retired model priced after shutdown",
        "calculators/engine.py",
        "per_month = np.where(gone, np.nan, per_month)",
        "per_month = per_month",
        ("tests/test_events.py",),
    ),
    M(
        "successor not followed",
        "calculators/prices.py",
        "if not model.successor or model.successor not in catalog.models",
        "if True or not model.successor",
        ("tests/test_events.py", "tests/test_engine.py"),
    ),
    M(
        "event lists unchanged fields",
        "calculators/prices.py",
        "if getattr(before, f) != getattr(after, f)",
        "if f in ('input', 'output')",
        ("tests/test_events.py",),
    ),
    M(
        "uncertainty band drops the forwarded draft",
        "calculators/uncertainty.py",
        "draft = output if forward_draft else np.zeros_like(output)",
        "draft = np.zeros_like(output)",
        ("tests/test_uncertainty.py",),
    ),
    M(
        "growth exponent off by one",
        "calculators/engine.py",
        "(1.0 + g.monthly_rate) ** np.arange(months)",
        "(1.0 + g.monthly_rate) ** np.arange(1, months + 1)",
        ("tests/test_engine.py",),
    ),
    M(
        "sensitivity horizon drops the last month",
        "calculators/sensitivity.py",
        "evaluation.forecast.cumulative[key][-1]",
        "evaluation.forecast.cumulative[key][-2]",
        ("tests/test_sensitivity.py", "tests/test_edges.py"),
    ),
    # ------------------------------------------------------------------ bounds
    M(
        "hybrid tolerance 1e-6 to 1e-2",
        "calculators/strategies.py",
        "abs(total - 1.0) > 1e-6",
        "abs(total - 1.0) > 1e-2",
        ("tests/test_engine.py", "tests/test_edges.py"),
    ),
    M(
        "link parameter cap doubled",
        "calculators/links.py",
        "MAX_PARAMS = 64",
        "MAX_PARAMS = 128",
        ("tests/test_links.py", "tests/test_edges.py"),
    ),
    M(
        "decompressed payload cap x15",
        "calculators/links.py",
        "MAX_PAYLOAD_BYTES = 64_000",
        "MAX_PAYLOAD_BYTES = 960_000",
        ("tests/test_links.py", "tests/test_edges.py"),
    ),
    M(
        "YAML key given twice kept silently",
        "pricing/catalog_yaml.py",
        "            if key in first_lines:",
        "            if False:",
        ("tests/test_hostile.py", "tests/test_catalog_loader.py"),
    ),
    M(
        "JSON key given twice kept silently",
        "calculators/document.py",
        "    if len(doc) != len(pairs):",
        "    if False:",
        ("tests/test_hostile.py",),
    ),
    M(
        "link parameter given twice read silently",
        "calculators/links.py",
        "if len(set(items)) > 1]",
        "if len(set(items)) > 2]",
        ("tests/test_hostile.py",),
    ),
    M(
        "two overrides of one model: the first taken",
        "calculators/prices.py",
        "    if len(keys) > 1:",
        "    if len(keys) > 2:",
        ("tests/test_hostile.py", "tests/test_price_overrides.py"),
    ),
    M(
        "full-month tolerance off by one",
        "calculators/usage/history.py",
        "if days >= month_bounds(m)[1].day - FULL_MONTH_MISSING_DAYS]",
        "if days > month_bounds(m)[1].day - FULL_MONTH_MISSING_DAYS]",
        ("tests/test_usage.py", "tests/test_edges.py"),
    ),
    M(
        "money switches to scientific 1000x later",
        "calculators/formatting.py",
        "SCIENTIFIC_FROM = 999.5e12",
        "SCIENTIFIC_FROM = 999.5e15",
        ("tests/test_numbers_at_bounds.py",),
    ),
    M(
        "volumes kept as ints past int64",
        "calculators/export.py",
        "EXACT_INT_BELOW = 2**53",
        "EXACT_INT_BELOW = 2**80",
        ("tests/test_numbers_at_bounds.py",),
    ),
    # --------------------------------------------------------------- downloads
    M(
        "empty forecast CSV",
        "calculators/export.py",
        "for t, month in enumerate(f.months):",
        "for t, month in enumerate(f.months[:0]):",
        ("tests/test_export.py", "tests/test_app_numbers.py"),
    ),
    M(
        "CSV formula prefix '+' not neutralised",
        "calculators/export.py",
        'FORMULA_PREFIXES = ("=", "+", "-", "@", "\\t", "\\r")',
        'FORMULA_PREFIXES = ("=", "-", "@", "\\t", "\\r")',
        ("tests/test_export.py", "tests/test_safe_tables.py"),
    ),
    M(
        "YAML download without uncertainty and quality",
        "dashboard/sidebar/link.py",
        "lambda: scenario_to_yaml(scenario),",
        'lambda: scenario_to_yaml(type(scenario)(**{**vars(scenario), "uncertainty": None, "quality": None})),',
        ("tests/test_app_numbers.py",),
    ),
    M(
        "page table not neutralised",
        "dashboard/tables.py",
        "return st.dataframe(safe_frame(frame), **options)",
        "return st.dataframe(frame, **options)",
        ("tests/test_app_numbers.py",),
    ),
    M(
        "price table recomputes overrides against the catalog",
        "dashboard/state.py",
        "names = {catalog.resolve(name) or name: name for name in out}",
        "names = {}",
        ("tests/test_price_overrides.py", "tests/test_app_numbers.py"),
    ),
    M(
        "usage 'Rows read' off by one",
        "dashboard/usage_view.py",
        'cols[1].metric("Rows read", f"{usage.rows_read:,}"',
        'cols[1].metric("Rows read", f"{usage.rows_read + 1:,}"',
        ("tests/test_app.py::test_a_usage_export_is_summarized_and_can_start_the_forecast",),
    ),
]


def _copy(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache", ".hypothesis", "*.pyc", "node_modules")
    shutil.copytree(ROOT, dest, ignore=ignore, dirs_exist_ok=True)


def run(mutations: list[Mutation], verbose: bool) -> int:
    results: list[tuple[Mutation, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        work = Path(tmp) / "repo"
        _copy(work)
        # the tests must pass unmutated, or a "caught" would mean nothing
        baseline = sorted({t for m in mutations for t in m.tests})
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *baseline]
        proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"the unmutated tests fail; fix them first:\n{proc.stdout[-2000:]}")
            return 2
        print(f"baseline: {len(baseline)} test targets pass unmutated", flush=True)
        for m in mutations:
            path = work / m.path
            original = path.read_text(encoding="utf-8")
            if original.count(m.before) != 1:
                results.append((m, "NOT APPLICABLE", 0.0))
                continue
            path.write_text(original.replace(m.before, m.after), encoding="utf-8")
            start = time.perf_counter()
            cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *m.tests]
            proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
            path.write_text(original, encoding="utf-8")
            verdict = "caught" if proc.returncode != 0 else "SURVIVED"
            if proc.returncode not in (0, 1):
                verdict = f"caught (pytest exit {proc.returncode})"
            results.append((m, verdict, time.perf_counter() - start))
            print(f"{verdict:<10} {m.name}  [{m.path}]  {time.perf_counter() - start:.0f} s", flush=True)
            if verbose and proc.returncode == 0:
                print(proc.stdout[-500:])
    caught = sum(v.startswith("caught") for _, v, _ in results)
    survived = [m.name for m, v, _ in results if v == "SURVIVED"]
    stale = [m.name for m, v, _ in results if v == "NOT APPLICABLE"]
    print(f"\ntried {len(results)}, caught {caught}, survived {len(survived)}, not applicable {len(stale)}")
    for name in survived:
        print(f"  survived: {name}")
    for name in stale:
        print(f"  not applicable (line changed): {name}")
    return 2 if stale else (1 if survived else 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutations whose name contains this text")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if args.k.lower() in m.name.lower()]
    if args.list:
        for m in chosen:
            print(f"{m.name}  [{m.path}]  -> {' '.join(m.tests)}")
        return 0
    return run(chosen, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
