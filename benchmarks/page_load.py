"""Opening a share link in a real browser until the first chart is drawn, then every tab, a slider, a box and a
later tab switch, each next to a bare Streamlit page doing the same, measured in the same run.

    python benchmarks/page_load.py [--loads 7] [--visits 3]

Serves `app.py` with `streamlit run` and opens the customer-support preset's share link in
Debian's Chromium (Playwright), the way tests/e2e does. Three figures for the app:
- first page of a fresh server (the script's first run imports and loads the catalog);
- warm server, a new browser profile each time (a colleague opening the link for the first time);
- warm server, one browser profile (a returning user: Streamlit's scripts come from the cache).
Two bare pages give this machine's floor: a metric and one ECharts bar chart (what the app's
first view draws with), and a metric and one plotly bar chart (what it drew with before). Two more say
where the rest goes: the ECharts page plus one number input (Streamlit's cost of the first widget), and a
page with the kinds and counts of elements the app's first page draws but none of its code (so the app's
ratio to it is what the app's own code adds). Targets (issue 15): a complete first page within 1.2x the bare
ECharts page; the first visit to every tab settled within 0.8 s; a slider step, a box opening and a later
tab switch each within 0.3 s (a quiet machine). Each interaction is timed until the page is settled (the
script done, every chart and grid of the view drawn: the same check as tests/e2e/test_viewports.py), and
printed with the same interaction on a bare page as its floor.

What keeps the first page light: every chart is ECharts (its script parses ~0.5 s sooner than plotly.js, and
once loaded serves every tab), an empty chart is the page's first element so that its script is requested
before the inputs' (dashboard/style.py), the Strategies section is drawn on its first opening (~0.6 s of
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
from server import CHROMIUM, CHROMIUM_ARGS, FIRST_PAGE_COMPLETE, streamlit_server, wait_for_app  # noqa: E402
from test_viewports import DRAWN as DRAWN_JS  # noqa: E402
from test_viewports import EXPANDER_SETTLED, TAB_SETTLED  # noqa: E402

from calculators.links import scenario_to_params, share_url  # noqa: E402
from calculators.scenario import load_scenario_text  # noqa: E402
from pricing import load_catalog  # noqa: E402

ECHARTS = "[data-testid='stEChartsChart'] canvas"
# The app's first page is complete when its chart, cards and inputs are drawn and no element waits for its script
# (tests/e2e/server.py; the app draws an empty chart first to load the charts' script: page.css hides it).
APP_COMPLETE = "app"
NO_SKELETON = "() => !document.querySelector('[data-testid=\"stSkeleton\"]')"
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
BARE_ONE_INPUT = """
import streamlit as st
st.sidebar.number_input("Requests per month", value=1_000_000)
st.metric("Flagship only", "$1.75k")
st.echarts_chart({"xAxis": {"type": "value"}, "yAxis": {"type": "category", "data": ["a", "b", "c"]},
                  "series": [{"type": "bar", "data": [1750, 700, 198]}]})
"""
# The same with a slider instead: a slider, toggle, checkbox, button, expander or tab costs next to nothing on a first
# load, a number input, text input or select box about half a second (they share one script chain): the contrast.
BARE_ONE_SLIDER = BARE_ONE_INPUT.replace(
    'st.sidebar.number_input("Requests per month", value=1_000_000)',
    'st.sidebar.slider("Requests per month", 0, 2_000_000, 1_000_000)',
)
# The kinds and counts of elements the app's first page draws (counted in its DOM: 13 expanders, 22 markdowns,
# 9 sliders, 9 number inputs, 9 metrics, 9 tabs, 29 columns ...), with none of the app's code: what Streamlit
# itself needs to draw that page on this machine.
BARE_LAYOUT = """
import streamlit as st
with st.sidebar:
    st.expander("Presets")
    st.button("Portfolio"); st.button("Add"); st.button("Remove")
    st.text_input("Scenario name", "Customer support")
    with st.expander("Workload", expanded=True):
        st.segmented_control("Volume in", ["Requests", "Tokens"], default="Requests")
        for i in range(9):
            a, b = st.columns([3, 2])
            a.slider(f"Setting {i}", 0, 100, 10 * i)
            b.number_input(f"Setting {i} exactly", value=10 * i, label_visibility="collapsed")
            st.markdown(f"help {i}")
        st.selectbox("Flagship", ["gpt-5.1", "claude-opus-4-5"])
    for i in range(9):
        with st.expander(f"Strategy {i}"):
            st.markdown("x")
    with st.expander("Growth", expanded=True):
        st.markdown("5% a month")
title, share = st.columns([4, 1])
title.title("Token Cost Forecaster")
title.caption("What your LLM usage costs under each strategy")
share.popover("Share")
for row in range(2):
    for i, column in enumerate(st.columns(5 - row)):
        column.metric(f"Strategy {i}", "$1.75k", "-10%")
for i in range(8):
    st.markdown(f"Recommendation line {i}")
tabs = st.tabs(["Compare", "Cost vs volume", "Forecast", "Uncertainty", "Breakdown", "Serving", "Table", "Usage",
                "Portfolio"])
with tabs[0]:
    st.echarts_chart({"xAxis": {"type": "value"}, "yAxis": {"type": "category", "data": ["a", "b", "c"]},
                      "series": [{"type": "bar", "data": [1750, 700, 198]}]})
    st.checkbox("Log scale")
    st.expander("How each is computed"); st.expander("Assumptions")
st.html("<style>.x{}</style>")
"""
BARE_TABS = """
import plotly.graph_objects as go
import streamlit as st
for tab, name in zip(st.tabs(["A", "B"], key="view", on_change="rerun"), "AB"):
    if tab.open:
        with tab:
            st.metric("Flagship only", "$1.75k") if name == "A" else st.plotly_chart(go.Figure(go.Bar(x=[1, 2], y=["a", "b"])))
"""
# The same, with ECharts: its chunk is already loaded by the first tab (as the app's Compare chart loads it), so
# the first visit to a chart tab costs its drawing only. The lever for the plotly tabs' first visits.
BARE_TABS_ECHARTS = """
import streamlit as st
BARS = {"xAxis": {"type": "value"}, "yAxis": {"type": "category", "data": ["a", "b"]}, "series": [{"type": "bar", "data": [1, 2]}]}
for tab, name in zip(st.tabs(["A", "B"], key="view", on_change="rerun"), "AB"):
    if tab.open:
        with tab:
            st.echarts_chart(BARS, key=name)
"""
BARE_SLIDER = """
import streamlit as st
share = st.sidebar.slider("Cached input share", 0.0, 1.0, 0.0, 0.01)
st.metric("Flagship only", f"${22500 * (1 - 0.9 * share):,.0f}")
"""
BARE_BOX = """
import streamlit as st
box = st.sidebar.expander("Cascade", key="box", on_change="rerun")
if box.open:
    with box:
        st.toggle("Compare a cascade", True)
        for label in ("First model", "Second model"):
            st.selectbox(label, ["claude-haiku-4-5", "claude-opus-4-5"])
        st.slider("Escalation rate", 0.0, 1.0, 0.2)
        st.checkbox("Escalated requests carry the first model's draft")
st.metric("Flagship only", "$22.5k")
"""
VIEWPORT = {"width": 1280, "height": 1000}
TARGETS = {"first visit to a tab": 0.8, "slider step": 0.3, "box opening": 0.3, "later tab switch": 0.3}


def _open(context, url: str, chart: str) -> float:
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    wait_for_app(page)
    if chart == APP_COMPLETE:
        page.wait_for_function(FIRST_PAGE_COMPLETE, polling="raf", timeout=30_000)
    else:  # a bare page: its chart drawn and, as for the app, no element waiting for its script
        page.locator(chart).first.wait_for(state="visible", timeout=30_000)
        page.wait_for_function(NO_SKELETON, polling="raf", timeout=30_000)
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


def _settle(page, script: str, arg) -> None:
    page.wait_for_function(script.replace("DRAWN", DRAWN_JS), arg=arg, polling="raf", timeout=30_000)


def _timed(page, action, script: str, arg) -> float:
    start = time.perf_counter()
    action()
    _settle(page, script, arg)
    return time.perf_counter() - start


def _slider_step(page) -> float:
    """A step of the cached-share slider until the flagship card shows its new number and the run is done."""
    card = page.get_by_test_id("stMetricValue").first
    before = card.inner_text()
    slider = (
        page.get_by_test_id("stSidebar").get_by_test_id("stSlider").filter(has_text="Cached input share").get_by_role("slider")
    )
    start = time.perf_counter()
    slider.press("ArrowRight")
    page.wait_for_function(
        "([before]) => document.querySelector('[data-testid=stMetricValue]').innerText !== before"
        " && document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'",
        arg=[before],
        polling="raf",
        timeout=30_000,
    )
    return time.perf_counter() - start


def visit(browser, script: Path, query: str, visits: int, tabs: list[str], box: str, back_to: str) -> dict[str, list]:
    """Per new browser profile: the first visit to each of ``tabs``, a later switch to ``back_to``, a slider
    step and the opening of the sidebar box ``box``; seconds, a list per item."""
    times: dict[str, list] = {}
    with streamlit_server(script) as url:
        for _ in range(visits):
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.goto(f"{url}/{query}")
            wait_for_app(page)
            page.get_by_role("tab").first.wait_for(timeout=30_000) if tabs else None
            for name in tabs:
                click = page.get_by_role("tab", name=name, exact=True).click
                times.setdefault(f"first visit: {name}", []).append(_timed(page, click, TAB_SETTLED, name))
            if back_to:
                click = page.get_by_role("tab", name=back_to, exact=True).click
                times.setdefault("later tab switch", []).append(_timed(page, click, TAB_SETTLED, back_to))
            if box:
                summary = page.get_by_test_id("stSidebar").locator("summary", has_text=box).first
                handle = summary.element_handle()
                times.setdefault("box opening", []).append(_timed(page, summary.click, EXPANDER_SETTLED, handle))
            if not tabs and not box:
                times.setdefault("slider step", []).append(_slider_step(page))
            context.close()
    return times


def interactions(browser, query: str, visits: int, tmp: str) -> None:
    """The app's interactions and their bare floors, printed as a table."""
    app_tabs = ["Cost vs volume", "Forecast", "Uncertainty", "Breakdown", "Serving", "Table & CSV", "Your usage", "Portfolio"]
    app = visit(browser, ROOT / "app.py", query, visits, app_tabs, "Cascade", "Compare")
    app |= visit(browser, ROOT / "app.py", query, visits, [], "", "")
    bare = {}
    for name, text, tabs, box, back in (
        ("tabs", BARE_TABS, ["B"], "", "A"),
        ("slider", BARE_SLIDER, [], "", ""),
        ("box", BARE_BOX, [], "Cascade", ""),
    ):
        path = Path(tmp, f"bare_{name}.py")
        path.write_text(text)
        bare |= visit(browser, path, "", visits, tabs, box, back)
    path = Path(tmp, "bare_tabs_echarts.py")
    path.write_text(BARE_TABS_ECHARTS)
    echarts_tab = visit(browser, path, "", visits, ["B"], "", "")["first visit: B"]
    # every chart of the app is ECharts: a first tab visit's floor is a bare page's first ECharts tab
    floors = {"first visit": echarts_tab, "later tab switch": bare["later tab switch"]}
    floors |= {"slider step": bare["slider step"], "box opening": bare["box opening"]}
    print(f"\nseconds until the view is settled (median of {visits} new browser profiles; floor: a bare page doing the same)")
    print(f"{'':34} {'app':>6} {'floor':>6} {'ratio':>6} {'target':>7}")
    for item, seconds in app.items():
        kind = "first visit" if item.startswith("first visit") else item
        target = TARGETS["first visit to a tab" if kind == "first visit" else kind]
        value, floor = statistics.median(seconds), statistics.median(floors[kind])
        verdict = "met" if value <= target else "NOT met"
        print(f"{item:34} {value:6.2f} {floor:6.2f} {value / floor:5.1f}x {target:6.1f}s {verdict}")
    plotly_tab = statistics.median(bare["first visit: B"])
    print(
        f"a bare page's first tab visit: ECharts (script already loaded) {statistics.median(echarts_tab):.2f} s,"
        f" plotly {plotly_tab:.2f} s (what a plotly chart would cost)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=7, help="page loads per figure (default 7)")
    parser.add_argument("--visits", type=int, default=3, help="new browser profiles per interaction (default 3)")
    args = parser.parse_args()
    if CHROMIUM is None:
        raise SystemExit("needs Debian's chromium: apt-get install -y chromium")
    scenario = load_scenario_text((ROOT / "scenarios" / "customer-support.yaml").read_text())
    query = share_url("/", scenario_to_params(scenario, load_catalog()))[1:]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare = {name: Path(tmp, f"bare_{name}.py") for name in ("echarts", "plotly", "one_input", "one_slider", "layout")}
        texts = (BARE_ECHARTS, BARE_PLOTLY, BARE_ONE_INPUT, BARE_ONE_SLIDER, BARE_LAYOUT)
        for name, text in zip(bare, texts, strict=True):
            bare[name].write_text(text)
        # a first page in a new browser process pays the browser's own start-up once: not part of any row
        measure(browser, bare["echarts"], "", ECHARTS, 1)
        rows = {
            "dashboard, customer-support link": measure(browser, ROOT / "app.py", query, APP_COMPLETE, args.loads),
            "bare page: metric + ECharts bars": measure(browser, bare["echarts"], "", ECHARTS, args.loads),
            "bare page: metric + plotly bars": measure(browser, bare["plotly"], "", PLOTLY, args.loads),
            "bare page: + one number input": measure(browser, bare["one_input"], "", ECHARTS, args.loads),
            "bare page: + one slider": measure(browser, bare["one_slider"], "", ECHARTS, args.loads),
            "bare page: the app's elements": measure(browser, bare["layout"], "", ECHARTS, args.loads),
        }
        interactions(browser, query, args.visits, tmp)
        browser.close()
    print("seconds from navigation to a complete first page: the first chart drawn, and for the dashboard also its")
    print(f"sidebar's inputs ({args.loads} loads a median)")
    print(f"{'':36} {'fresh server':>12} {'new profile':>12} {'(max)':>7} {'returning':>10}")
    for name, r in rows.items():
        print(f"{name:36} {r['first']:12.2f} {r['new_profile']:12.2f} {r['new_profile_max']:7.2f} {r['returning']:10.2f}")
    app, floor = rows["dashboard, customer-support link"], rows["bare page: metric + ECharts bars"]
    print(f"dashboard / bare ECharts page, new profile: {app['new_profile'] / floor['new_profile']:.2f}x")
    ratio = app["new_profile"] / floor["new_profile"]
    print(f"target: a complete first page within 1.2x the bare ECharts page -> {'met' if ratio <= 1.2 else 'NOT met'}")
    # Where the time goes: Streamlit's own cost of one widget, and of the app's element kinds and counts
    for name in ("bare page: + one number input", "bare page: + one slider", "bare page: the app's elements"):
        print(f"{name} / bare ECharts page: {rows[name]['new_profile'] / floor['new_profile']:.2f}x")
    layout = rows["bare page: the app's elements"]
    added = app["new_profile"] / layout["new_profile"]
    print(f"dashboard / bare page with the app's elements (what the app's own code adds): {added:.2f}x")


if __name__ == "__main__":
    main()
