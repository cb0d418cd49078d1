"""Catalog load time, what a server's first page pays, against reading the files' bytes.

    python benchmarks/catalog_layer.py [--runs 15]

Figures (median of --runs, each in a fresh state):
- floors: reading the bytes of every catalog file, curated and generated; parsing the curated YAML;
- curated load: `load_catalog()`, what the first page pays (the generated layer is not read; the
  curated YAML is read from its snapshot `generated/curated.json` while that matches the files'
  bytes), and the same without the snapshot (the YAML parsed and validated);
- generated layer, first use: `Catalog.generated` (JSON parse + validation), paid by the first
  lookup that misses the curated files (a usage export with a model they lack);
- eager alternative: the generated layer as YAML parsed with the curated files, what loading it
  up front would add to every first page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from pricing.catalog import DATA_DIR, GENERATED_LAYER, SAFE_LOADER, load_catalog  # noqa: E402


def _median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    files = [*sorted((DATA_DIR / "vendors").glob("*.yaml")), DATA_DIR / "gpus.yaml", DATA_DIR / "serving.yaml"]
    layer = DATA_DIR / GENERATED_LAYER
    floor = _median_ms(lambda: [p.read_bytes() for p in [*files, layer]], runs)
    texts = [p.read_text(encoding="utf-8") for p in files]
    parse = _median_ms(lambda: [yaml.load(t, Loader=SAFE_LOADER) for t in texts], runs)  # noqa: S506
    curated = _median_ms(load_catalog, runs)
    curated_yaml = _median_ms(lambda: load_catalog(use_snapshot=False), runs)

    def first_lookup() -> None:
        assert load_catalog().find("a name only the generated layer could know") is None

    with_layer = _median_ms(first_lookup, runs)
    layer_yaml = yaml.safe_dump(json.loads(layer.read_bytes()), sort_keys=False)
    eager_yaml = _median_ms(lambda: yaml.load(layer_yaml, Loader=SAFE_LOADER), max(3, runs // 3))  # noqa: S506
    catalog = load_catalog()
    count = len(catalog.generated)
    print(f"catalog: {len(catalog.models)} curated models, {count} generated ({layer.stat().st_size / 1e3:.0f} kB JSON)")
    print(f"floor, reading every file's bytes:            {floor:7.1f} ms")
    print(f"floor, parsing the curated YAML (libyaml):     {parse:7.1f} ms")
    print(f"curated load (a server's first page):          {curated:7.1f} ms  ({curated / parse:.2f}x the parse floor)")
    print(f"curated load without the snapshot (YAML):      {curated_yaml:7.1f} ms  ({curated_yaml / parse:.2f}x the parse floor)")
    print(
        f"curated load + generated layer on first use:   {with_layer:7.1f} ms  (+{with_layer - curated:.1f} ms, once per process)"
    )
    print(f"eager alternative, the layer as YAML, parse only: {eager_yaml:7.1f} ms more on every first page")


if __name__ == "__main__":
    main()
