"""Time the scenario document reader on hostile and large documents.

Run: python benchmarks/document_load.py [--old]
Prints, for each document, the time and peak memory (tracemalloc) of ``load_yaml`` and the floor measured in
the same run: PyYAML's own C loader (``yaml.CSafeLoader``, no limits) on the same text where it finishes.
``--old`` also times the pure-Python ``yaml.safe_load`` the program used before (slow: about 15 s on the 1 MB
file). Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calculators.document import DocumentError, load_yaml  # noqa: E402


def alias_bomb(levels: int, fan: int = 9) -> str:
    lines = ["notes:", "  l0: &l0 [" + ", ".join(["x"] * fan) + "]"]
    lines += [f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * fan) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\nworkload: {{requests_per_month: *l{levels}}}\n"


DOCUMENTS = {
    "1 MB, 90,000 numbers (loads)": "notes: [" + ", ".join(str(10**8 + i) for i in range(90_000)) + "]\n",
    "1 MB, 111,000 numbers (refused)": ("notes: [" + ", ".join(str(10**6 + i) for i in range(120_000)))[:999_997] + "]\n",
    "alias bomb, 8 levels (refused)": alias_bomb(8),
    "alias bomb, 9 levels (refused)": alias_bomb(9),
    "20,000-deep nesting (refused)": "notes: " + "[" * 20_000 + "]" * 20_000,
    "preset scenario": (Path(__file__).resolve().parent.parent / "scenarios" / "customer-support.yaml").read_text(),
}


def measure(load, text: str) -> tuple[float, float, str]:
    """Seconds (timed alone: tracemalloc slows parsing several-fold), then peak MB in a second, traced run."""
    outcome = "read"
    start = time.perf_counter()
    try:
        load(text)
    except DocumentError as exc:
        outcome = f"refused: {exc}"[:70]
    seconds = time.perf_counter() - start
    tracemalloc.start()
    with contextlib.suppress(DocumentError):
        load(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 1e6, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", action="store_true", help="also time yaml.safe_load (pure Python, no limits)")
    args = parser.parse_args()
    for name, text in DOCUMENTS.items():
        seconds, mb, outcome = measure(load_yaml, text)
        line = f"{name:34} {len(text):>9,} chars  load_yaml {seconds:7.3f} s {mb:7.1f} MB  {outcome}"
        if "bomb" not in name and "deep" not in name:  # the floor loader has no limits: only where it finishes
            start = time.perf_counter()
            yaml.load(text, Loader=yaml.CSafeLoader)
            floor = time.perf_counter() - start
            line += f"  | CSafeLoader {floor:.3f} s ({seconds / floor:.2f}x)"
        if args.old and "bomb" not in name and "deep" not in name:
            start = time.perf_counter()
            yaml.safe_load(text)
            line += f"  | safe_load {time.perf_counter() - start:.2f} s"
        print(line)


if __name__ == "__main__":
    main()
