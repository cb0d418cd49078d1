"""The page never disagrees with itself (issue 15): after any burst of inputs, the widgets, the numbers and
the URL describe one scenario, and it is the last one the user entered.

Each trial opens the page and, at a seeded moment after the first slider appears (before or after the
first run finished), fires a shuffled burst: arrow-key steps on the volume slider and on the cached-share
slider, an exact number typed into the output size, a strategy box opened, with seeded gaps of 0-200 ms
between them (a person dragging or tapping). The gaps are the input's timing, not waits for a result:
every check below waits on the page's own state (Playwright's retrying assertions).

What each trial checks, once the page is idle:
- the URL carries exactly the last value entered for each of the three settings;
- the numbers on the page are the engine's numbers for the URL's scenario;
- the widgets show those values;
- a second page opened on that URL shows the same numbers.
"""

from __future__ import annotations

import dataclasses
import random
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from conftest import IN_CI
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from server import address, wait_for_app
from test_browser import kpi, open_page

from calculators.engine import evaluate
from calculators.formatting import money
from calculators.links import params_to_scenario, scenario_to_params
from dashboard.sidebar.workload import REQUEST_STOPS
from dashboard.state import link_default_scenario
from pricing import load_catalog

pytestmark = pytest.mark.e2e

TRIALS = 12 if IN_CI else 6
BOXES = ("Cascade", "Self-hosted", "Hosted open model", None)
SIZES = (600.0, 750.0, 1200.0, 3000.0)
CARDS = ("flagship_only", "hybrid", "cascade")


def _burst(rng: random.Random) -> tuple[list[tuple[str, object]], dict[str, float]]:
    """A shuffled list of (action, argument) and the values the user entered last."""
    volume_steps, cache_steps = rng.randint(1, 5), rng.randint(1, 5)
    size = rng.choice(SIZES)
    box = rng.choice(BOXES)
    actions = [("volume", "ArrowRight")] * volume_steps + [("cache", "ArrowRight")] * cache_steps
    actions.append(("type", size))
    if box:
        actions.append(("box", box))
    rng.shuffle(actions)
    start = REQUEST_STOPS.index(1e6)  # the default page: 1M requests a month
    expected = {"rpm": REQUEST_STOPS[start + volume_steps], "cache": cache_steps / 100, "out": size}
    return actions, expected


def _sidebar_slider(page: Page, label: str):
    return page.get_by_test_id("stSidebar").get_by_test_id("stSlider").filter(has_text=label).get_by_role("slider")


def _run(page: Page, actions: list[tuple[str, object]], rng: random.Random) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    for action, argument in actions:
        if action == "volume":
            _sidebar_slider(page, "Requests per month").press(str(argument))
        elif action == "cache":
            _sidebar_slider(page, "Cached input share").press(str(argument))
        elif action == "type":
            field = sidebar.get_by_label("Output (exact)")
            field.fill(f"{argument:g}")
            field.press("Enter")
        else:
            sidebar.locator("summary", has_text=str(argument)).first.click()
        page.wait_for_timeout(rng.choice((0, 0, 30, 80, 200)))  # the person's rhythm, not a wait for the page


# Counts, on every frame, the visible copies of the volume's exact field: a widget the page creates anew is
# drawn beside the one it replaces until the run ends, and the page hides that stale twin (page.css).
COUNT_TWINS = """() => {
  window.__twins = 0;
  const count = () => {
    const shown = [...document.querySelectorAll('input[aria-label="Requests per month (exact)"]')].filter(i => i.offsetParent !== null);
    window.__twins = Math.max(window.__twins, shown.length);
    requestAnimationFrame(count);
  };
  count();
}"""


def _url_params(page: Page) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(address(page)).query))


@pytest.mark.parametrize("trial", range(TRIALS))
def test_after_a_burst_the_page_equals_what_its_url_reopens_to(page: Page, app_url, trial):
    rng = random.Random(1000 + trial)
    actions, expected = _burst(rng)
    page.goto(f"{app_url}/")
    _sidebar_slider(page, "Requests per month").wait_for(state="visible", timeout=30_000)
    page.evaluate(COUNT_TWINS)
    if rng.random() < 0.5:
        wait_for_app(page)  # half the trials start after the first run, half during it
    _run(page, actions, rng)

    # the URL ends on the link of the last values entered (retried until the page settles, never a sleep)
    catalog = load_catalog()
    default = link_default_scenario()
    workload = dataclasses.replace(
        default.workload, requests_per_month=expected["rpm"], cached_input_share=expected["cache"], output_tokens=expected["out"]
    )
    scenario = dataclasses.replace(default, workload=workload)
    want = scenario_to_params(scenario, catalog)
    wanted = f"{app_url}/?{urlencode(want)}"
    try:
        page.wait_for_function("(want) => location.href === want", arg=wanted, polling="raf", timeout=15_000)
    except PlaywrightTimeoutError:
        assert address(page) == wanted  # says what the address bar holds instead
    wait_for_app(page)
    params = _url_params(page)
    assert params == want
    # the numbers are the URL's scenario's, and the widgets show its values
    costs = evaluate(scenario, catalog).monthly_cost_usd
    for key in CARDS:
        expect(kpi(page, key)).to_have_text(money(costs[key]))
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_label("Requests per month (exact)").filter(visible=True)).to_have_value(f"{expected['rpm']:.0f}")
    expect(sidebar.get_by_label("Output (exact)").filter(visible=True)).to_have_value(f"{expected['out']:.0f}")
    expect(_sidebar_slider(page, "Cached input share")).to_have_value(f"{expected['cache']:g}")
    assert _url_params(page) == params  # nothing moved while we looked
    assert page.evaluate("window.__twins") == 1  # the exact field never showed twice

    # and the URL reopens to the same page
    second = page.context.new_page()
    open_page(second, address(page))
    for key in CARDS:
        expect(kpi(second, key)).to_have_text(money(costs[key]))
    second.close()


def test_back_reopens_the_previous_scenario(page: Page, app_url):
    """Each change pushes its link: the browser's Back button shows the scenario before it, whole."""
    page.goto(f"{app_url}/")
    wait_for_app(page)
    slider = _sidebar_slider(page, "Requests per month")
    exact = page.get_by_test_id("stSidebar").get_by_label("Requests per month (exact)").filter(visible=True)
    for shown in ("2000000", "5000000"):  # one step at a time: 1M -> 2M -> 5M requests a month
        slider.press("ArrowRight")
        page.wait_for_function("(v) => location.search.includes('rpm=' + v)", arg=shown, polling="raf")
        wait_for_app(page)
        expect(exact).to_have_value(shown)
    page.go_back()
    page.wait_for_function("() => location.search.includes('rpm=2000000')", polling="raf")
    wait_for_app(page)
    expect(exact).to_have_value("2000000")
    catalog = load_catalog()
    costs = evaluate(params_to_scenario(_url_params(page), catalog)[0], catalog).monthly_cost_usd
    for key in CARDS:
        expect(kpi(page, key)).to_have_text(money(costs[key]))


def test_a_setting_inside_a_tab_reaches_the_url(page: Page, app_url):
    """The tabs rerun on their own (a fragment); a setting changed inside one still reruns the page, so the
    URL follows: switching on the quality-adjusted cost (Compare tab) puts a quality section in the link."""
    page.goto(f"{app_url}/")
    wait_for_app(page)
    assert params_to_scenario(_url_params(page), load_catalog())[0].quality is None
    page.get_by_role("tabpanel").get_by_text("Quality-adjusted cost: add the expected cost of wrong answers").click()
    page.wait_for_function("() => new URLSearchParams(location.search).has('x')", polling="raf", timeout=15_000)
    wait_for_app(page)
    assert params_to_scenario(_url_params(page), load_catalog())[0].quality is not None
    second = page.context.new_page()
    open_page(second, address(page))
    expect(second.get_by_role("tabpanel").get_by_role("switch", name="Quality-adjusted cost")).to_be_checked()
    second.close()
