"""The usage tab with a 3,000-model export: upload and rerun times, server side.

    python benchmarks/usage_page.py [--models 3000] [--runs 10]

The export (generic format, 3,000 distinct model names no catalog knows, two months, ~480 KB)
is generated in memory. Driven by Streamlit's AppTest in this process (no browser): the upload
is the run that imports the file and draws the tab; a rerun changes one sidebar slider with the
usage tab open (the tab's figures come from the per-upload cache unless the workload changed).
The same runs with a one-model export are the floor measured in the same process.
Target (issue 11): upload and rerun each under 1 s on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def export(models: int) -> bytes:
    rows = ["date,model,input_tokens,output_tokens,requests"]
    for month in ("2026-01", "2026-02"):
        for day in ("01", "28"):
            rows += [f"{month}-{day},acme-tuned-{i:05d},{1000 + i},{100 + i},{1 + i % 7}" for i in range(models)]
    return ("\n".join(rows) + "\n").encode()


def measure(models: int, runs: int) -> dict:
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(ROOT))
    from dashboard import inputs

    data = export(models)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["view"] = "Your usage"
    at.run()
    began = time.perf_counter()
    at.file_uploader(key="usage_file").set_value(("many.csv", data, "text/csv")).run()
    upload = time.perf_counter() - began
    if at.exception:
        raise SystemExit(f"the script raised: {at.exception[0].message}")
    shown = {m.label: m.value for m in at.metric}
    if shown.get("Models") != f"{models:,}":  # the tab was drawn for this file, not skipped
        raise SystemExit(f"the usage tab shows {shown.get('Models')!r} models, expected {models:,}")
    reruns = []
    for i in range(runs):
        # the requests field's key carries a generation (dashboard.inputs): it is drawn anew when rpm changes
        at.number_input(key=f"rpm#{at.session_state[inputs.GENERATION_KEY]['rpm']}").set_value(50_000 + 1_000 * (i + 1))
        began = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - began)
    return {"models": models, "bytes": len(data), "upload": upload, "rerun": statistics.median(reruns), "runs": reruns}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    floor = measure(1, args.runs)
    big = measure(args.models, args.runs)
    for result in (floor, big):
        print(
            f"{result['models']:>5,} models ({result['bytes'] / 1e3:,.0f} KB): upload {result['upload']:.3f} s, "
            f"rerun median {result['rerun']:.3f} s (runs: {', '.join(f'{t:.3f}' for t in result['runs'])})"
        )
    print(
        f"ratio {args.models:,} models / 1 model: upload {big['upload'] / floor['upload']:.2f}x, "
        f"rerun {big['rerun'] / floor['rerun']:.2f}x (target: both under 1 s)"
    )


if __name__ == "__main__":
    main()
