"""The usage tab through Streamlit's AppTest: a portfolio from an export's features; other charges in the forecast."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_support import run_app, view_key

from calculators.usage import import_usage
from calculators.usage.features import portfolio_from_usage
from dashboard import portfolio_state as PS
from dashboard.state import link_default_scenario
from pricing import load_catalog

pytestmark = pytest.mark.usefixtures("fresh_caches")  # Streamlit caches are process-global

VALID = Path(__file__).resolve().parent / "usage_corpus" / "valid"
LANGFUSE = (
    b'"id","name","traceId","traceName","startTime","endTime","model","promptTokens","completionTokens","totalCost"\n'
    b'"g1","chat","tr1","support-triage","2026-01-01T10:00:00.000Z","","gpt-5","2000","500","0.0075"\n'
    b'"g2","chat","tr2","support-triage","2026-01-31T10:00:00.000Z","","claude-haiku-4-5","2000","500","0.0045"\n'
    b'"g3","chat","tr3","doc-extraction","2026-01-15T10:00:00.000Z","","claude-haiku-4-5","8000","100","0.0085"\n'
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _upload(name: str, data: bytes):
    at = run_app(session={"view": "Your usage"})
    at.file_uploader(key="usage_file").set_value((name, data, "text/csv")).run()
    assert not at.exception
    return at


def test_an_export_with_features_starts_a_portfolio_of_them(catalog):
    at = _upload("langfuse.csv", LANGFUSE)
    [table] = [d.value for d in at.dataframe if "feature" in d.value.columns]
    assert table["feature"].tolist() == ["support-triage", "doc-extraction"]
    assert table["from column"].tolist() == ["traceName", "traceName"]
    assert table["other charges"].isna().all()  # none in this export: the table's placeholder
    assert table["tokens a month"].tolist() == ["5k", "8.1k"]
    assert table["requests a month"].tolist() == ["2", "1"]
    at.button(key="start_portfolio_from_usage").click().run()
    assert not at.exception
    portfolio = at.session_state[PS.PORTFOLIO_KEY]
    usage = import_usage(LANGFUSE, filename="langfuse.csv", catalog=catalog)
    expected, _ = portfolio_from_usage(usage, link_default_scenario(), catalog)
    assert portfolio == expected
    assert [w.name for w in portfolio.workloads] == ["support-triage", "doc-extraction"]
    assert [w.workload.requests_per_month for w in portfolio.workloads] == [2, 1]


def test_an_export_without_features_offers_only_the_single_forecast():
    at = _upload("generic.csv", (VALID / "generic.csv").read_bytes())
    keys = [b.key for b in at.button]
    assert "start_from_usage" in keys and "start_portfolio_from_usage" not in keys


def test_other_charges_reach_the_sidebar_and_every_strategy():
    data = (
        b"date,model,input_tokens,output_tokens,requests,cost_usd\n"
        b"2026-01-01,gpt-5,1000000,100000,1000,2.25\n"
        b"2026-01-31,gpt-5,1000000,100000,1000,2.25\n"
        b"2026-01-20,web_search,0,0,0,12.5\n"
    )
    at = _upload("search.csv", data)
    at.button(key="start_from_usage").click().run()
    assert not at.exception
    assert at.number_input(key=view_key(at, "oth")).value == 12.5
    assert at.query_params["oth"] == "12.5"
