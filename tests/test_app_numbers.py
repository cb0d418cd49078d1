"""The page's numbers, read back from what a user sees and downloads, against stated arithmetic.

Expected values are worked out here from the inputs and catalog prices (never taken from the engine):
the forecast table, the CSV and YAML downloads (read back through Streamlit's media manager, as a
browser would fetch them), and the numbers and the link while every expander opens and closes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import streamlit.testing.v1.app_test as app_test_module
import yaml
from apptest_support import ROOT, run_app, view_key
from streamlit.runtime.media_file_manager import MediaFileManager

from calculators.links import scenario_to_params
from calculators.scenario import load_scenario_text
from dashboard.sidebar.prices import PRICE_TABLE_KEY
from dashboard.sidebar.scenario_files import PRESETS_BOX
from dashboard.sidebar.strategies import STRATEGY_SECTIONS
from dashboard.tabs.uncertainty import RANGES_KEY
from pricing import load_catalog

pytestmark = pytest.mark.usefixtures("fresh_caches", "pinned_today")  # caches are process-global; the calendar pinned


@pytest.fixture
def downloads(monkeypatch):
    """``read(at, key)``: the bytes a download button serves, generated as on a browser's click."""
    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, storage):
            super().__init__(storage)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)

    def read(at, key: str) -> bytes:
        file_id = at.download_button(key=key).proto.deferred_file_id
        assert file_id, f"{key} serves no file"
        manager = managers[-1]  # the last run's
        url = manager.execute_deferred(file_id)
        return manager._storage.get_file(url.rsplit("/", 1)[-1]).content

    return read


# gemini-3.8-flash: $0.75 in / $3.75 out in December 2026, $1.50 / $7.50 from 2027-01-01 (catalog).
# The scenario overrides input at $0.75, the first month's own price: it still applies from January.
FLASH = """
name: override equal to the first month
workload: {requests_per_month: 1000000, input_tokens: 1000, output_tokens: 100}
growth: {monthly_rate: 0.0, horizon_months: 3, start_month: 2026-12}
flagship_only: {model: gemini-3.8-flash}
price_overrides:
  gemini-3.8-flash: {input: 0.75}
"""
# December: 1e6 x (1,000·0.75 + 100·3.75) / 1e6 = 1,125; January on: 1e6 x (1,000·0.75 + 100·7.50) / 1e6 = 1,500
FLASH_MONTHLY = [1_125.0, 1_500.0, 1_500.0]
FLASH_CUMULATIVE = [1_125.0, 2_625.0, 4_125.0]


def _catalog_prices_are_as_stated():
    entries = load_catalog().model("gemini-3.8-flash").prices
    return [(e.start.isoformat(), e.input, e.output) for e in entries] == [
        ("2026-09-20", 0.75, 3.75),
        ("2027-01-01", 1.5, 7.5),
    ]


def _open(text: str, **session):
    scenario = load_scenario_text(text)
    params = scenario_to_params(scenario, load_catalog())
    return scenario, params, run_app(query=params, session={"view": "Table & CSV", **session})


def _numbers(at) -> tuple:
    frame = at.dataframe[0].value
    return (
        tuple((m.label, m.value) for m in at.metric),
        tuple(frame["Flagship only (USD/month)"]),
        tuple(frame["Flagship only cumulative (USD)"]),
    )


def test_the_table_shows_the_override_from_the_first_month_on():
    assert _catalog_prices_are_as_stated()
    _, _, at = _open(FLASH)
    _, monthly, cumulative = _numbers(at)
    assert list(monthly) == FLASH_MONTHLY
    assert list(cumulative) == FLASH_CUMULATIVE
    assert {m.label: m.value for m in at.metric}["Flagship only ✎"] == "$1.13k"


EXPANDERS = [PRICE_TABLE_KEY, RANGES_KEY, "share", PRESETS_BOX, *(section.box_key for section in STRATEGY_SECTIONS)]


@pytest.mark.parametrize("key", EXPANDERS)
def test_opening_or_closing_an_expander_changes_no_number_and_not_the_link(key):
    assert _catalog_prices_are_as_stated()
    _, params, at = _open(FLASH)
    before = (_numbers(at), dict(at.query_params))
    assert list(before[0][1]) == FLASH_MONTHLY
    for state in (True, False, True):
        at.session_state[key] = state
        at.run()
        assert not at.exception
        assert (_numbers(at), dict(at.query_params)) == before, f"{key} {'opened' if state else 'closed'}"
    # the link still carries the override (an equal override is not an empty one)
    assert dict(at.query_params)["x"] == params["x"]


def test_the_forecast_csv_download_reads_back_to_the_arithmetic(downloads):
    assert _catalog_prices_are_as_stated()
    _, _, at = _open(FLASH)
    rows = list(csv.DictReader(io.StringIO(downloads(at, "download_csv").decode("utf-8-sig"))))
    assert [r["month"] for r in rows] == ["2026-12", "2027-01", "2027-02"]
    # 1M requests of 1,100 tokens every month
    assert [int(r["requests"]) for r in rows] == [1_000_000] * 3
    assert [int(r["tokens"]) for r in rows] == [1_100_000_000] * 3
    assert [float(r["Flagship only (USD/month)"]) for r in rows] == FLASH_MONTHLY
    assert [float(r["Flagship only cumulative (USD)"]) for r in rows] == FLASH_CUMULATIVE


FULL = """
version: 1
name: uncertain and rated
workload: {requests_per_month: 200000, input_tokens: 3000, output_tokens: 400, cached_input_share: 0.3}
growth: {monthly_rate: 0.04, horizon_months: 18, start_month: 2027-03}
flagship_only: {model: claude-opus-4-5}
hybrid:
  routes:
    - {model: claude-haiku-4-5, share: 0.7}
    - {model: claude-opus-4-5, share: 0.3}
cascade: {first: claude-haiku-4-5, second: claude-opus-4-5, escalation_rate: 0.25, forward_draft: true}
uncertainty:
  draws: 500
  seed: 7
  growth_rate: {low: 0.01, high: 0.09}
  escalation_rate: {low: 0.1, high: 0.4}
quality:
  cost_per_error_usd: 3.5
  error_rates: {claude-haiku-4-5: 0.08, claude-opus-4-5: 0.03}
  cascade_miss_rate: 0.05
price_overrides:
  claude-opus-4-5: {input: 4.5}
"""


def test_the_yaml_download_reads_back_to_the_scenario_with_its_uncertainty_and_quality(downloads):
    scenario, _, at = _open(FULL, share=True)
    text = downloads(at, "download_yaml").decode("utf-8")
    doc = yaml.safe_load(text)
    # the settings a stripped download would lose, read from the file itself
    assert doc["uncertainty"]["draws"] == 500 and doc["uncertainty"]["seed"] == 7
    assert doc["uncertainty"]["growth_rate"] == {"low": 0.01, "high": 0.09}
    assert doc["quality"]["cost_per_error_usd"] == 3.5
    assert doc["quality"]["error_rates"] == {"claude-haiku-4-5": 0.08, "claude-opus-4-5": 0.03}
    assert doc["price_overrides"] == {"claude-opus-4-5": {"input": 4.5}}
    assert doc["cascade"]["forward_draft"] is True
    assert load_scenario_text(text) == scenario


@pytest.mark.parametrize(
    "rpm, growth",
    [(1_000_000, 0.25), (400_000_000_000, 0.10), (400_000_000_000, 1.0)],
    ids=["g25", "1e15-tokens-g10", "1e15-tokens-g100"],
)
def test_the_table_tab_holds_at_the_bounds(downloads, rpm, growth):
    # the default link's 2,000 in + 500 out tokens: 4e11 requests are 1e15 tokens a month
    at = run_app(query={"rpm": str(rpm), "g": str(growth), "h": "120"}, session={"view": "Table & CSV"})
    frame = at.dataframe[0].value
    assert len(frame) == 120
    # month 120: rpm·(1 + g)^119 requests
    assert frame["requests"].iloc[-1] == pytest.approx(rpm * (1 + growth) ** 119)
    rows = list(csv.reader(io.StringIO(downloads(at, "download_csv").decode("utf-8-sig"))))
    assert float(rows[-1][1]) == pytest.approx(rpm * (1 + growth) ** 119)


VIEWS = ["Compare", "Cost vs volume", "Forecast", "Uncertainty", "Breakdown", "Table & CSV"]


@pytest.mark.parametrize("view", VIEWS)
def test_a_model_shut_down_mid_horizon_without_successor_is_not_priced_after_it(view):
    # claude-opus-4-1 shuts down on 2027-01-08 (Bedrock, its last seller) and the catalog names no successor: a
    # forecast from 2026-11 prices November and December only, and every view still draws
    at = run_app(query={"start": "2026-11", "fm": "claude-opus-4-1", "h": "6"}, session={"view": view})
    assert not at.exception and not at.error
    if view == "Table & CSV":
        frame = at.dataframe[0].value
        column = frame["Flagship only (USD/month)"]
        assert column.iloc[:2].notna().all() and column.iloc[2:].isna().all()
        assert "not priced from 2027-01" in frame["price changes and retirements"].iloc[2]


# ---------------------------------------------------------------- formulas in downloadable tables


def test_every_page_table_neutralises_formulas():
    # st.dataframe offers a CSV download of its cells as they are: every one goes through safe_frame
    sources = [ROOT / "app.py", *sorted((ROOT / "dashboard").glob("*.py"))]
    calls = [(p.name, m.end()) for p in sources for m in re.finditer(r"st\.dataframe\(\s*", p.read_text(encoding="utf-8"))]
    assert calls, "no table found: the scan is broken"
    unsafe = [
        name
        for name, end in calls
        if not (ROOT / "dashboard" / name if name != "app.py" else ROOT / name)
        .read_text(encoding="utf-8")[end:]
        .startswith("safe_frame(")
    ]
    assert unsafe == []


def test_a_formula_in_a_usage_export_model_name_is_neutralised_in_its_table():
    data = b'date,model,input_tokens,output_tokens,requests\n2026-01-05,"=HYPERLINK(""http://evil"",""x"")",1000000,100000,1000\n'
    at = run_app(session={"view": "Your usage"})
    at.file_uploader(key="usage_file").set_value(("evil.csv", data, "text/csv")).run()
    assert not at.exception
    # the unknown name is listed in the mapping table, neutralised; no cell a download would write starts a formula
    cells = [v for frame in at.dataframe for column in frame.value.columns for v in frame.value[column] if isinstance(v, str)]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert [v for v in cells if v.startswith(("=", "+", "-", "@", "\t", "\r"))] == []


def test_a_formula_in_a_model_name_from_a_link_is_neutralised_in_the_assumptions_table():
    scenario = load_scenario_text(
        """
name: formula
flagship_only: {model: "+cmd|' /C calc'!A0"}
price_overrides:
  "+cmd|' /C calc'!A0": {input: 1, output: 2}
"""
    )
    at = run_app(query=scenario_to_params(scenario, load_catalog()), session={"view": "Compare", "assumptions_comparison": True})
    assert not at.exception
    cells = [v for frame in at.dataframe for column in frame.value.columns for v in frame.value[column] if isinstance(v, str)]
    assert "'+cmd|' /C calc'!A0 ✎" in cells
    assert [v for v in cells if v.startswith(("=", "+", "-", "@", "\t", "\r"))] == []


def test_the_page_reads_the_injected_calendar(monkeypatch):
    # the first month defaults to next month of the injected date, whatever the real calendar says
    from calculators import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2029, 6, 1))
    at = run_app()
    assert at.query_params["start"] == "2029-07"
    assert at.selectbox(key=view_key(at, "start")).value == "2029-07"
