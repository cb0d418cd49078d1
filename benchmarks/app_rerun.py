"""Server-side rerun time of the dashboard after a slider change, next to a bare two-widget script.

    python benchmarks/app_rerun.py [--runs 30]

Both are driven by Streamlit's AppTest in this process (no browser, no websocket): each timed
rerun changes one slider and runs the script once. The dashboard is timed twice: as a link opens
it (strategy boxes not drawn) and with every strategy box open (the most widgets). The bare
script measures AppTest's own floor on this machine, so the ratio (every box open) says what the
dashboard adds. Target: median dashboard rerun under 100 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
BARE = """
import streamlit as st
x = st.slider("x", 0, 100, 50, key="x")
y = st.number_input("y", value=1.0, key="y")
st.write(x * y)
"""


def _timed_reruns(at: AppTest, change, runs: int) -> list[float]:
    times = []
    for i in range(runs):
        change(at, i)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise SystemExit(f"the script raised: {at.exception[0].message}")
    return times


def _growth_slider(at: AppTest):
    """The growth slider now: its key carries a generation (dashboard.inputs), bumped when it is drawn anew."""
    from dashboard import inputs

    generation = at.session_state[inputs.GENERATION_KEY].get("g")
    return at.slider(key="g" if generation is None else f"g#{generation}")


def _change_growth(at: AppTest, i: int) -> None:
    # the growth slider, a new value each time: no rerun is served from the evaluation cache
    _growth_slider(at).set_value(round(0.055 + 0.005 * (i % 180), 3))


def _change_bare(at: AppTest, i: int) -> None:
    at.slider(key="x").set_value(i % 100 if i % 100 != 50 else 51)


def _app_times(runs: int, boxes_open: bool) -> list[float]:
    from dashboard.sidebar.strategies import STRATEGY_SECTIONS

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if boxes_open:  # every strategy box opened, so drawn: the heaviest sidebar
        for section in STRATEGY_SECTIONS:
            app.session_state[section.box_key] = True
    app.run()  # first run: imports, catalog load, caches
    _growth_slider(app).set_value(-0.1).run()  # warm the code paths once
    return _timed_reruns(app, _change_growth, runs)


def measure(runs: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    first_page = _app_times(runs, boxes_open=False)
    all_open = _app_times(runs, boxes_open=True)
    bare = AppTest.from_string(BARE, default_timeout=60)
    bare.run()
    bare_times = _timed_reruns(bare, _change_bare, runs)
    app_ms, bare_ms = statistics.median(all_open) * 1000, statistics.median(bare_times) * 1000
    return {
        "first_page_median_ms": statistics.median(first_page) * 1000,
        "app_median_ms": app_ms,
        "app_p90_ms": sorted(all_open)[int(0.9 * runs)] * 1000,
        "bare_median_ms": bare_ms,
        "ratio": app_ms / bare_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    result = measure(args.runs)
    print(f"dashboard rerun, strategy boxes not opened: median {result['first_page_median_ms']:.1f} ms")
    print(f"dashboard rerun, every box open: median {result['app_median_ms']:.1f} ms (p90 {result['app_p90_ms']:.1f} ms)")
    print(f"bare two-widget script: median {result['bare_median_ms']:.1f} ms")
    print(
        f"ratio: {result['ratio']:.1f}x; target: median under 100 ms -> {'met' if result['app_median_ms'] < 100 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
