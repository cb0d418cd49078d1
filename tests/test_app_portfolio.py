"""The dashboard with several workloads: the workload picker, the Portfolio tab, and a URL that always holds the whole portfolio."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apptest_support import run_app, shown_charts, view_key

from calculators.formatting import money
from calculators.links import share_url
from calculators.portfolio import evaluate_portfolio
from calculators.portfolio_scenario import load_document_text, portfolio_to_yaml
from dashboard import portfolio_state as PS
from dashboard.state import link_default_scenario
from pricing import load_catalog

pytestmark = pytest.mark.usefixtures("fresh_caches")  # Streamlit caches are process-global

ROOT = Path(__file__).resolve().parent.parent
FOUR = ROOT / "scenarios" / "portfolios" / "product-with-four-features.yaml"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def url_portfolio(at, catalog):
    """The portfolio and selection the page's URL holds (what a colleague opening it gets)."""
    portfolio, index, notices = PS.from_link(dict(at.query_params), catalog)
    assert notices == []
    return portfolio, index


def assert_url_is_the_page(at, catalog):
    portfolio, index = url_portfolio(at, catalog)
    assert portfolio == at.session_state[PS.PORTFOLIO_KEY]
    assert index == at.session_state[PS.SELECTED_KEY]
    return portfolio, index


def shown_totals(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label.endswith(", this month")}


def test_a_one_workload_page_has_no_portfolio_in_its_url():
    at = run_app(session={"view": "Portfolio"})
    assert "v" not in at.query_params and "p" not in at.query_params
    assert any("add one" in i.value for i in at.info)


def test_adding_a_workload_makes_a_portfolio_held_by_the_url(catalog):
    at = run_app()
    at.number_input(key=view_key(at, "rpm")).set_value(2_000_000.0).run()
    at.button(key="wl_start").click().run()
    assert not at.exception
    portfolio, index = assert_url_is_the_page(at, catalog)
    assert [w.name for w in portfolio.workloads] == ["Workload 1", "Workload 2"]
    assert index == 1
    # the first workload keeps what was on the page, the new one starts from the link defaults
    assert portfolio.workloads[0].workload.requests_per_month == 2_000_000
    assert portfolio.workloads[1].workload == link_default_scenario().workload
    assert at.number_input(key=view_key(at, "rpm")).value == link_default_scenario().workload.requests_per_month


def test_a_slider_moves_only_the_selected_workload_and_the_url_follows(catalog):
    at = run_app()
    at.button(key="wl_start").click().run()
    at.number_input(key=view_key(at, "rpm")).set_value(3_000_000.0).run()
    portfolio, _ = assert_url_is_the_page(at, catalog)
    assert portfolio.workloads[1].workload.requests_per_month == 3_000_000
    assert portfolio.workloads[0].workload.requests_per_month == link_default_scenario().workload.requests_per_month
    at.selectbox(key=view_key(at, "wl_pick")).set_value(0).run()  # back to the first: the widgets show it
    assert at.number_input(key=view_key(at, "rpm")).value == link_default_scenario().workload.requests_per_month
    assert assert_url_is_the_page(at, catalog)[1] == 0


def test_rename_duplicate_remove(catalog):
    at = run_app()
    at.button(key="wl_start").click().run()
    at.text_input(key=view_key(at, "wl_name")).set_value("Search").run()
    at.button(key="wl_dup").click().run()
    portfolio, index = assert_url_is_the_page(at, catalog)
    assert [w.name for w in portfolio.workloads] == ["Workload 1", "Search", "Search copy"] and index == 2
    at.text_input(key=view_key(at, "wl_name")).set_value("Search").run()  # taken: refused, the name stays
    assert at.text_input(key=view_key(at, "wl_name")).value == "Search copy"
    assert any("already named" in c.value for c in at.caption)
    at.button(key="wl_remove").click().run()
    portfolio, index = assert_url_is_the_page(at, catalog)
    assert [w.name for w in portfolio.workloads] == ["Workload 1", "Search"] and index == 1


def test_plan_category_fine_tuning_and_budget_reach_the_url(catalog):
    at = run_app()
    at.button(key="wl_start").click().run()
    at.selectbox(key=view_key(at, "wl_plan")).set_value("hybrid").run()
    at.selectbox(key=view_key(at, "wl_category")).set_value("routine").run()
    at.number_input(key=view_key(at, "wl_ft_usd")).set_value(12_000.0).run()
    at.number_input(key=view_key(at, "wl_ft_months")).set_value(6).run()
    at.number_input(key=view_key(at, "pf_budget")).set_value(50_000.0).run()
    portfolio, _ = assert_url_is_the_page(at, catalog)
    chosen = portfolio.workloads[1]
    assert (chosen.plan, chosen.category, chosen.fine_tune.one_time_usd, chosen.fine_tune.amortize_months) == (
        "hybrid",
        "routine",
        12_000,
        6,
    )
    assert portfolio.budget_usd == 50_000
    assert any("recommends smaller models or open source" in c.value for c in at.caption)


def test_a_portfolio_link_opens_with_the_clis_totals(catalog):
    portfolio = load_document_text(FOUR.read_text())
    at = run_app(query=PS.link_params(portfolio, 2, catalog), session={"view": "Portfolio"})
    assert at.session_state[PS.PORTFOLIO_KEY] == portfolio and at.session_state[PS.SELECTED_KEY] == 2
    assert at.text_input(key=view_key(at, "wl_name")).value == "Company knowledge"
    expected = evaluate_portfolio(portfolio, catalog).this_month
    assert shown_totals(at) == {
        "Our plan, this month": money(expected["plan"]),
        "All on the flagship, this month": money(expected["all_flagship"]),
        "Each on its cheapest, this month": money(expected["cheapest"]),
    }
    # the By-workload and Plan-vs-alternatives sub-tabs' figures, their PNGs named after the portfolio
    exports = {json.loads(c.proto.spec)["toolbox"]["feature"]["saveAsImage"]["name"] for c in shown_charts(at)}
    assert {"product-with-four-features-portfolio-plan", "product-with-four-features-portfolio-totals"} <= exports
    assert not at.error
    assert_url_is_the_page(at, catalog)


def test_a_mirror_key_edited_by_hand_cannot_make_the_page_disagree(catalog):
    portfolio = load_document_text(FOUR.read_text())
    at = run_app(query=PS.link_params(portfolio, 0, catalog) | {"rpm": "5"})
    # the bound input takes the URL's value, and the portfolio in the URL follows it at once
    assert at.number_input(key=view_key(at, "rpm")).value == 5
    shown, _ = assert_url_is_the_page(at, catalog)
    assert shown.workloads[0].workload.requests_per_month == 5
    assert shown.workloads[1:] == portfolio.workloads[1:]


def test_the_share_box_gives_the_portfolio_link_and_yaml(catalog):
    portfolio = load_document_text(FOUR.read_text())
    at = run_app(query=PS.link_params(portfolio, 0, catalog), session={"share": True})
    assert at.code[0].value == share_url(None, PS.link_params(portfolio, 0, catalog))
    assert at.download_button(key="download_portfolio_yaml").label == "Download portfolio (YAML)"


def test_an_uploaded_portfolio_loads_and_a_version_1_preset_leaves_it(catalog):
    portfolio = load_document_text(FOUR.read_text())
    at = run_app(session={"share": True})
    at.file_uploader(key="scenario_file").set_value(
        ("four.yaml", portfolio_to_yaml(portfolio).encode(), "application/x-yaml")
    ).run()
    assert not at.exception
    assert assert_url_is_the_page(at, catalog)[0] == portfolio
    at.button(key="preset_customer-support").click().run()
    assert PS.PORTFOLIO_KEY not in at.session_state
    assert "v" not in at.query_params and "p" not in at.query_params


def test_a_damaged_portfolio_link_says_so_and_the_page_works():
    at = run_app(query={"v": "2", "p": "1.broken"})
    assert any("p payload is damaged" in w.value for w in at.warning)
    assert not at.error
