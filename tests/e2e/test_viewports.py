"""Every view at three window sizes: nothing cut, no sideways scroll, no raw "None"/"nan", a screenshot each.

The acceptance test of issue 15's polish. For the default page and for an extreme-but-valid link (40B
requests a month, a flagship model the catalog does not know, 30%/month growth over 120 months), at
1400x1000, 1024x768 and 390x844, it visits the top of the page, every tab (opening the expanders a tab
holds, e.g. its Assumptions; on the default page the usage tab gets a usage export) and every strategy box
of the sidebar, and checks each view:

- no metric value cut: every element of a ``stMetricValue`` has ``scrollWidth <= clientWidth``;
- no sideways scroll: neither the document nor the main area nor the sidebar scrolls sideways;
- no literal ``None``/``nan``/``NaN``: in the page's visible text, and in the
  tables and ECharts options (a chart draws on a canvas too) as the app sends them (a data grid draws on a canvas: its cells are not in
  the DOM, so the test reads the app's own messages on the websocket: a null cell in a column without a
  ``placeholder`` is drawn as "None").

Each view is saved as a PNG under ``$SCREENSHOT_DIR`` (default: a folder in the system's temporary
directory; never inside the checkout, so a test run leaves it clean). ``.ci/run`` keeps it as an artifact.
Every problem of a page and size is collected before the test fails, so one run lists them all.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import ROOT
from playwright.sync_api import Browser, Page
from server import wait_for_app
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from calculators.links import scenario_to_params, share_url
from calculators.scenario import load_scenario_text
from dashboard.sidebar.strategies import STRATEGY_SECTIONS
from pricing import load_catalog

pytestmark = pytest.mark.e2e

VIEWPORTS = {"1400x1000": (1400, 1000), "1024x768": (1024, 768), "390x844": (390, 844)}
RAW = re.compile(r"\b(None|nan|NaN)\b(?! of\b)")  # a value written raw; "None of ..." is English
UNKNOWN_FLAGSHIP = "no-such-flagship-model"
MAX_EXPANDERS = 10  # in one tab
USAGE_TAB = "Your usage"  # on the default page it gets a usage export, so that its tables are checked too
USAGE_SAMPLE = ROOT / "tests" / "usage_corpus" / "valid" / "openai_usage.csv"


def _extreme_link(base: str) -> str:
    """The default scenario at 40B requests a month, an unknown flagship, 30%/month growth for 120 months,
    written by the app's own link writer."""
    scenario = load_scenario_text((ROOT / "scenarios" / "default.yaml").read_text())
    scenario = dataclasses.replace(
        scenario,
        name="Extreme link: 40B requests a month, unknown flagship, +30% a month for 10 years",
        workload=dataclasses.replace(scenario.workload, requests_per_month=40e9),
        growth=dataclasses.replace(scenario.growth, monthly_rate=0.3, horizon_months=120),
        flagship_only=dataclasses.replace(scenario.flagship_only, model=UNKNOWN_FLAGSHIP),
    )
    return share_url(f"{base}/", scenario_to_params(scenario, load_catalog()))


LINKS = {"default": lambda base: f"{base}/", "extreme": _extreme_link}


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "token-cost-forecaster-screenshots")
    folder = folder.resolve()
    if folder.is_relative_to(ROOT):
        pytest.fail(f"SCREENSHOT_DIR={folder} is inside the checkout: a test run must leave it clean")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- what the browser shows -------------------------------------------------------------------------------

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  for (const value of document.querySelectorAll('[data-testid="stMetric"] :is([data-testid="stMetricLabel"], [data-testid="stMetricValue"], [data-testid="stMetricDelta"])')) {
    for (const el of [value, ...value.querySelectorAll('*')]) {
      if (el.scrollWidth > el.clientWidth) {
        problems.push(`metric text "${value.innerText}" cut: ${el.scrollWidth} px wide in ${el.clientWidth} px`);
        break;
      }
    }
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) problems.push(`the page scrolls sideways: ${doc.scrollWidth} px in a ${window.innerWidth} px window`);
  for (const id of ['stMain', 'stSidebarContent']) {
    const el = document.querySelector(`[data-testid="${id}"]`);
    if (el && el.getBoundingClientRect().right > 0 && el.scrollWidth > el.clientWidth)  // on screen
      problems.push(`${id} scrolls sideways: ${el.scrollWidth} px in ${el.clientWidth} px`);
  }
  return problems;
}"""

VISIBLE_TEXT = "() => document.body.innerText"  # the charts' texts are checked in their options (Messages)

# The open tab is settled: its panel has content, the script is done, every chart and grid is drawn.
TAB_SETTLED = """(name) => {
  DRAWN
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED') return false;
  const tab = [...document.querySelectorAll('[role="tab"]')].find(t => t.innerText.trim() === name);
  if (!tab || tab.getAttribute('aria-selected') !== 'true') return false;
  const panel = document.getElementById(tab.getAttribute('aria-controls'));
  if (!panel || !panel.querySelector('[data-testid="stElementContainer"]')) return false;
  return drawn(panel);
}"""

DRAWN = """function drawn(root) {
  const ready = (sel, inner) => [...root.querySelectorAll(sel)].every(e => e.querySelector(inner));
  return ready('[data-testid="stPlotlyChart"]', '.main-svg') && ready('[data-testid="stEChartsChart"]', 'canvas')
    && ready('[data-testid="stDataFrame"]', 'canvas') && !root.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]');  // an element whose script is still loading
}
"""

# An expander opened by a click is settled: its content is drawn and the rerun it asked for is done.
EXPANDER_SETTLED = """(summary) => {
  DRAWN
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  const details = summary.closest('details');
  const body = details && details.querySelector('[data-testid="stExpanderDetails"]');
  return !!(details && details.open && body && body.querySelector('[data-testid="stElementContainer"]') && drawn(body));
}"""


def _settle(page: Page, script: str, arg) -> None:
    page.wait_for_function(script.replace("DRAWN", DRAWN), arg=arg, timeout=30_000)


# --- what the app sends -----------------------------------------------------------------------------------


class Messages:
    """The app's messages to this page: tables and ECharts options, checked for what is drawn as "None"/"nan"."""

    def __init__(self, page: Page):
        self.frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload) -> None:
        if isinstance(payload, bytes):
            self.frames.append(payload)

    def problems(self) -> list[str]:
        found = []
        for frame in self.frames:
            msg = ForwardMsg.FromString(frame)
            if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
                continue
            element = msg.delta.new_element
            kind = element.WhichOneof("type")
            if kind == "dataframe":
                found += _table_problems(element.dataframe)
            elif kind == "echarts_chart":
                found += [f"an ECharts option says {text!r}" for text in _strings(json.loads(element.echarts_chart.spec))]
        return found


def _table_problems(proto) -> list[str]:
    data = proto.arrow_data.data if proto.HasField("arrow_data") else proto.lazy_data.initial_chunk.data
    frame = pa.ipc.open_stream(data).read_all().to_pandas()
    shown_as_none = not proto.HasField("placeholder")  # a grid draws a missing value as "None" unless told
    found = []
    for column in frame.columns:
        values = frame[column]
        if shown_as_none and values.isna().any():
            found.append(f"table column {column!r} shows 'None' for {int(values.isna().sum())} missing value(s)")
        texts = [v for v in values if isinstance(v, str) and RAW.search(v)]
        if texts or RAW.fullmatch(str(column)):
            found.append(f"table column {column!r} holds {(texts or [column])[0]!r}")
    return found


def _strings(value):
    if isinstance(value, str):
        if RAW.search(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --- the views --------------------------------------------------------------------------------------------


class Views:
    """Checks and screenshots each view of one page at one size, collecting every problem."""

    def __init__(self, page: Page, folder: Path, prefix: str):
        self.page, self.folder, self.prefix = page, folder, prefix
        self.problems: list[tuple[str, str]] = []  # (view, problem)
        self.count = 0

    def check(self, view: str, target=None) -> None:
        if target is not None:
            target.evaluate("e => e.scrollIntoView({block: 'start'})")
        found = self.page.evaluate(LAYOUT_PROBLEMS)
        found += [f"the page shows {m!r}" for m in _raw_lines(self.page.evaluate(VISIBLE_TEXT))]
        self.problems += [(view, p) for p in found]
        self.count += 1
        name = re.sub(r"[^a-z0-9]+", "-", view.lower()).strip("-")
        self.page.screenshot(path=str(self.folder / f"{self.prefix}-{self.count:02d}-{name}.png"))


def _raw_lines(text: str) -> list[str]:
    return [line.strip()[:80] for line in text.splitlines() if RAW.search(line)]


def _open_expanders(page: Page, root) -> None:
    """Open every collapsed expander inside ``root``, one at a time, each settled before the next."""
    for _ in range(MAX_EXPANDERS):
        closed = root.locator("details:not([open]) > summary")
        if closed.count() == 0:
            return
        summary = closed.first
        handle = summary.element_handle()
        summary.click()
        _settle(page, EXPANDER_SETTLED, handle)
    pytest.fail(f"more than {MAX_EXPANDERS} expanders to open in one tab, or one that closes again on a rerun")


def _open_sidebar(page: Page) -> None:
    """On a phone the sidebar starts collapsed: open it, and wait until it has slid in."""
    if page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
        page.wait_for_function(
            "() => { const s = document.querySelector('[data-testid=\"stSidebar\"]');"
            " const box = s.getBoundingClientRect();"
            " return s.dataset.collapsed === 'false' && box.left >= 0 && box.width > 0; }"
        )


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("link", LINKS)
def test_every_view_fits_and_reads_well(browser: Browser, app_url, screenshot_dir, link: str, size: str):
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        messages = Messages(page)
        page.goto(LINKS[link](app_url))
        tabs = page.get_by_role("tab")
        tabs.first.wait_for(timeout=30_000)
        wait_for_app(page)
        names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
        assert len(names) >= 9, names
        _settle(page, TAB_SETTLED, names[0])  # the first run done: cards and the first tab drawn
        views = Views(page, screenshot_dir, f"{link}-{size}")
        views.check("top of the page")
        for name in names:
            tab = page.get_by_role("tab", name=name, exact=True)
            if tab.get_attribute("aria-selected") != "true":
                tab.click()
            _settle(page, TAB_SETTLED, name)
            panel = page.locator(f'[id="{tab.get_attribute("aria-controls")}"]')
            if name == USAGE_TAB and link == "default":  # the tab's tables appear with an export
                panel.locator("input[type=file]").first.set_input_files(str(USAGE_SAMPLE))
                panel.get_by_test_id("stMetric").filter(has_text="Rows read").first.wait_for(timeout=30_000)
                _settle(page, TAB_SETTLED, name)
            _open_expanders(page, panel)
            views.check(f"tab {name}", page.get_by_role("tablist"))

        _open_sidebar(page)
        sidebar = page.get_by_test_id("stSidebar")
        for section in STRATEGY_SECTIONS:
            summary = sidebar.locator("summary", has_text=section.label).first
            handle = summary.element_handle()
            summary.click()
            _settle(page, EXPANDER_SETTLED, handle)
            views.check(f"box {section.label}", summary)

        problems = views.problems + [("the app's messages", p) for p in messages.problems()]
    finally:
        context.close()
    where: dict[str, list[str]] = {}  # one line per problem, with the views that show it
    for view, problem in problems:
        where.setdefault(problem, []).append(view)
    assert not where, f"{link} page at {size}, screenshots in {screenshot_dir}:\n" + "\n".join(
        f"- {problem} (in {', '.join(dict.fromkeys(views_))})" for problem, views_ in where.items()
    )
