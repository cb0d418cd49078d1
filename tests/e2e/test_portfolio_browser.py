"""A portfolio in a real browser: add a workload, move a slider, reopen the link, the same totals."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, expect
from server import address, expect_address, wait_for_app
from test_browser import PRESET, link_for, open_page

from calculators.formatting import money
from calculators.portfolio import evaluate_portfolio
from dashboard import portfolio_state as PS
from pricing import load_catalog

pytestmark = pytest.mark.e2e


def url_portfolio(url: str):
    portfolio, index, notices = PS.from_link(dict(parse_qsl(urlsplit(url).query)), load_catalog())
    assert notices == []
    return portfolio, index


def totals(page: Page) -> dict[str, str]:
    """The Portfolio tab's three cards: label → value."""
    cards = page.get_by_test_id("stMetric").filter(has_text=", this month")
    expect(cards).to_have_count(3)
    return {
        card.get_by_test_id("stMetricLabel").inner_text().strip(): card.get_by_test_id("stMetricValue").inner_text().strip()
        for card in cards.all()
    }


def open_portfolio_tab(page: Page) -> None:
    page.get_by_role("tab", name="Portfolio").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stMetric").filter(has_text=", this month")).to_have_count(3)


def test_add_a_workload_move_a_slider_reopen_the_link_same_totals(page: Page, app_url):
    open_page(page, link_for(PRESET, app_url))
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.locator("summary", has_text="Workloads").click()
    sidebar.get_by_role("button", name="Add a workload").click()
    wait_for_app(page)
    expect_address(page, r"[?&]v=2&")
    slider = page.get_by_test_id("stSlider").filter(has_text="Cached input share").get_by_role("slider")
    slider.focus()
    # One step at a time, each seen in the URL before the next: a press during a rerun can still be
    # lost (the URL race of issue 15); this test is about the portfolio link, not about bursts.
    for step in (1, 2, 3):
        before = dict(parse_qsl(urlsplit(address(page)).query)).get("p")
        slider.press("ArrowRight")
        expect_address(page, rf"cache=0\.0{step}\b")  # the bound widget, written at once
        # the portfolio payload, written by the rerun that this step started: wait for that rerun's write
        page.wait_for_function("old => new URLSearchParams(location.search).get('p') !== old", arg=before)
        wait_for_app(page)
    portfolio, index = url_portfolio(address(page))
    assert [w.name for w in portfolio.workloads][0] == "Customer support chatbot (50k conversations)"
    assert index == 1 and portfolio.workloads[1].workload.cached_input_share == 0.03
    open_portfolio_tab(page)
    shown = totals(page)
    expected = evaluate_portfolio(portfolio, load_catalog()).this_month
    assert shown["Our plan, this month"] == money(expected["plan"])
    assert shown["All on the flagship, this month"] == money(expected["all_flagship"])

    second = page.context.new_page()
    open_page(second, address(page))
    open_portfolio_tab(second)
    assert totals(second) == shown
    assert url_portfolio(address(second)) == (portfolio, index)
    second.close()
