"""Opening a share link in a real browser until the first chart is drawn, next to bare Streamlit pages.

    python benchmarks/page_load.py [--loads 7]

Serves `app.py` with `streamlit run` and opens the customer-support preset's share link in
Debian's Chromium (Playwright), the way tests/e2e does. Three figures for the app:
- first page of a fresh server (the script's first run imports and loads the catalog);
- warm server, a new browser profile each time (a colleague opening the link for the first time);
- warm server, one browser profile (a returning user: Streamlit's scripts come from the cache).
Two bare pages give this machine's floor: a metric and one ECharts bar chart (what the app's
first view draws with), and a metric and one plotly bar chart (what it drew with before). The
ratio says what the app adds to the floor. Target: under 3 s to a complete first page.

What keeps the first page light: the Compare tab's chart is ECharts (its chunk parses ~0.75 s
sooner than plotly.js), the Strategies section is drawn on its first opening (~0.6 s of
widgets), and only the open tab's figures are built.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from playwright.sync_api import sync_playwright  # noqa: E402
from server import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_for_app  # noqa: E402

from calculators.links import scenario_to_params, share_url  # noqa: E402
from calculators.scenario import load_scenario_text  # noqa: E402
from pricing import load_catalog  # noqa: E402

ECHARTS = "[data-testid='stEChartsChart'] canvas"
PLOTLY = ".js-plotly-plot"
BARE_ECHARTS = """
import streamlit as st
st.metric("Flagship only", "$1.75k")
st.echarts_chart({"xAxis": {"type": "value"}, "yAxis": {"type": "category", "data": ["a", "b", "c"]},
                  "series": [{"type": "bar", "data": [1750, 700, 198]}]})
"""
BARE_PLOTLY = """
import plotly.graph_objects as go
import streamlit as st
st.metric("Flagship only", "$1.75k")
st.plotly_chart(go.Figure(go.Bar(x=[1750, 700, 198], y=["a", "b", "c"], orientation="h")))
"""
VIEWPORT = {"width": 1280, "height": 1000}


def _open(context, url: str, chart: str) -> float:
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    wait_for_app(page)
    page.locator(chart).first.wait_for(state="visible", timeout=30_000)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def measure(browser, script: Path, query: str, chart: str, loads: int) -> dict[str, float]:
    with streamlit_server(script) as url:
        link = f"{url}/{query}"
        context = browser.new_context(viewport=VIEWPORT)
        first = _open(context, link, chart)
        context.close()
        fresh = []
        for _ in range(loads):
            context = browser.new_context(viewport=VIEWPORT)
            fresh.append(_open(context, link, chart))
            context.close()
        context = browser.new_context(viewport=VIEWPORT)
        _open(context, link, chart)  # fills this profile's cache
        cached = [_open(context, link, chart) for _ in range(loads)]
        context.close()
    return {
        "first": first,
        "new_profile": statistics.median(fresh),
        "new_profile_max": max(fresh),
        "returning": statistics.median(cached),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=7, help="page loads per figure (default 7)")
    args = parser.parse_args()
    if CHROMIUM is None:
        raise SystemExit("needs Debian's chromium: apt-get install -y chromium")
    scenario = load_scenario_text((ROOT / "scenarios" / "customer-support.yaml").read_text())
    query = share_url("/", scenario_to_params(scenario, load_catalog()))[1:]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare_echarts, bare_plotly = Path(tmp, "bare_echarts.py"), Path(tmp, "bare_plotly.py")
        bare_echarts.write_text(BARE_ECHARTS)
        bare_plotly.write_text(BARE_PLOTLY)
        rows = {
            "dashboard, customer-support link": measure(browser, ROOT / "app.py", query, ECHARTS, args.loads),
            "bare page: metric + ECharts bars": measure(browser, bare_echarts, "", ECHARTS, args.loads),
            "bare page: metric + plotly bars": measure(browser, bare_plotly, "", PLOTLY, args.loads),
        }
        browser.close()
    print(f"seconds from navigation to the first chart drawn ({args.loads} loads a median)")
    print(f"{'':36} {'fresh server':>12} {'new profile':>12} {'(max)':>7} {'returning':>10}")
    for name, r in rows.items():
        print(f"{name:36} {r['first']:12.2f} {r['new_profile']:12.2f} {r['new_profile_max']:7.2f} {r['returning']:10.2f}")
    app, floor = rows["dashboard, customer-support link"], rows["bare page: metric + ECharts bars"]
    print(f"dashboard / bare ECharts page, new profile: {app['new_profile'] / floor['new_profile']:.2f}x")
    met = max(app["first"], app["new_profile_max"], app["returning"]) < 3
    print(f"target: a complete first page under 3 s, every load above -> {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
