"""Loading the price catalog (paid by a server's first page) and resolving model names.

    python benchmarks/catalog_load.py [--repeat 15]

Prints the median time of `load_catalog()` next to a floor measured in the same run: parsing the
same YAML files with the same libyaml loader and no validation. `load_catalog()` reads the snapshot
(`pricing/generated/curated.json`, the parse of exactly those bytes) instead of the YAML while it
matches them; `load_catalog(use_snapshot=False)` is the YAML path (a stale snapshot, or none). Each
figure is given as wall time and CPU time of this process (the CPU figure is the one a busy machine
disturbs least). Then the time of `Catalog.resolve` for a listed name (one dictionary look-up), for a
name the rules resolve (a Bedrock cross-region id) and for an unknown name.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from pricing.catalog import DATA_DIR, SAFE_LOADER, load_catalog  # noqa: E402


def median_seconds(fn, repeat: int) -> float:
    return median_wall_and_cpu(fn, repeat)[0]


def median_wall_and_cpu(fn, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in seconds."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def parse_only() -> None:
    for path in [*sorted((DATA_DIR / "vendors").glob("*.yaml")), DATA_DIR / "gpus.yaml", DATA_DIR / "serving.yaml"]:
        with path.open(encoding="utf-8") as handle:
            yaml.load(handle, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    catalog = load_catalog()
    aliases = sum(len(m.aliases) for m in catalog.models.values())
    print(f"catalog: {len(catalog.models)} models, {len(catalog.vendors)} vendors, {aliases} aliases")
    floor, floor_cpu = median_wall_and_cpu(parse_only, args.repeat)
    print(f"YAML parse only (floor):            {floor * 1e3:7.1f} ms wall  {floor_cpu * 1e3:7.1f} ms CPU")
    for label, load in [
        ("load_catalog() (snapshot):", load_catalog),
        ("load_catalog(use_snapshot=False):", lambda: load_catalog(use_snapshot=False)),
    ]:
        wall, cpu = median_wall_and_cpu(load, args.repeat)
        print(
            f"{label:<35}{wall * 1e3:7.1f} ms wall  {cpu * 1e3:7.1f} ms CPU  "
            f"({wall / floor:.2f}x / {cpu / floor_cpu:.2f}x the floor)"
        )
    for label, name in [
        ("listed name", "claude-haiku-4-5-20251001"),
        ("rule-resolved name", "us.anthropic.claude-3-5-haiku-20241022-v1:0"),
        ("unknown name", "someone/unknown-model-2026-01-01"),
    ]:
        per_call = median_seconds(lambda n=name: [catalog.resolve(n) for _ in range(1000)], 5) / 1000
        print(f"resolve, {label:<20} {per_call * 1e6:7.1f} us")


if __name__ == "__main__":
    main()
