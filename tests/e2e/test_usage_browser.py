"""The usage tab in a real browser, for three export formats: the page shows the CLI's numbers.

With ``WRITE_SCREENSHOTS=1`` in the environment the test also writes ``docs/usage-<format>.png``
(the README shows them); a plain test run writes nothing, so the checkout stays clean.
"""

from __future__ import annotations

import io
import json
import os

import pytest
from conftest import ROOT
from playwright.sync_api import Page, expect
from server import wait_for_app

from calculators.cli import main as cli_main
from calculators.formatting import money, tokens

pytestmark = pytest.mark.e2e

VALID = ROOT / "tests" / "usage_corpus" / "valid"
SCREENS = {
    "openai": "openai_usage.csv",  # requests known
    "anthropic": "anthropic_usage_14.csv",  # no request count: the forecast works in tokens
    "openrouter": "openrouter_grouped.csv",  # a month of real volume, a self-hosted replica barely used
}


def _cli(name: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["usage", str(VALID / name), "--json"], out=out, err=err) == 0, err.getvalue()
    return json.loads(out.getvalue())


@pytest.mark.parametrize("label", sorted(SCREENS), ids=sorted(SCREENS))
def test_usage_tab_shows_the_cli_numbers(label, page: Page, app_url):
    name = SCREENS[label]
    body = _cli(name)
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(f"{app_url}/")
    wait_for_app(page)
    page.get_by_role("tab", name="Your usage").click()
    wait_for_app(page)
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Usage or cost export")
    uploader.locator("input[type=file]").set_input_files(str(VALID / name))
    wait_for_app(page)
    rows = page.get_by_test_id("stMetric").filter(has_text="Rows read")
    expect(rows).to_contain_text(f"{body['rows_read']:,}", timeout=30_000)
    workload = body["workload"]
    if workload is not None:
        line = page.get_by_text(f"Your {workload['month']} workload", exact=False).first
        expect(line).to_contain_text(f"{tokens(workload['tokens_per_month'])} tokens a month", timeout=30_000)
    priced = [r["list_price_usd"] for r in body["monthly"] if r["list_price_usd"] is not None]
    if priced:
        last_month = max(r["month"] for r in body["monthly"] if r["list_price_usd"] is not None)
        month_total = sum(r["list_price_usd"] for r in body["monthly"] if r["month"] == last_month and r["list_price_usd"])
        table = page.get_by_test_id("stDataFrame").filter(has_text="list price (priced models)")
        expect(table).to_contain_text(money(month_total), timeout=30_000)
    page.get_by_role("tabpanel").locator("[data-testid='stEChartsChart'] canvas").first.wait_for(state="visible", timeout=30_000)
    if os.environ.get("WRITE_SCREENSHOTS") == "1":
        page.wait_for_timeout(800)  # let the charts finish their transition
        page.screenshot(path=str(ROOT / "docs" / f"usage-{label}.png"), full_page=True)
