"""Token Cost Forecaster: ``streamlit run app.py``.

Thin on purpose, a table of contents of the page: the sidebar's sections in (dashboard.sidebar), one engine
call (dashboard.cache.evaluation), figures and tables out (dashboard.sections around one module per tab). The whole
scenario lives in the URL.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from calculators import links
from calculators.recommendation import recommend
from dashboard import cache, inputs, portfolio_view, sections, state, style, workload_picker
from dashboard.markup import md
from dashboard.sidebar import link, prices, scenario_files, strategies, workload
from dashboard.tabs.breakdown import render_breakdown_tab
from dashboard.tabs.compare import render_compare_tab
from dashboard.tabs.forecast import render_forecast_tab
from dashboard.tabs.serving import render_serving_tab
from dashboard.tabs.table import render_table_tab
from dashboard.tabs.uncertainty import render_uncertainty_tab
from dashboard.tabs.volume import render_volume_tab
from dashboard.usage_view import render_usage_tab
from pricing import CatalogError

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
NOTICES_KEY = "_link_notices"
SIDEBAR_PX = 380  # room for a slider and its exact number side by side, and the routes table

# An ASCII icon name: an emoji here would load Streamlit's emoji table (0.1 s on a server's first page)
st.set_page_config(
    page_title="Token Cost Forecaster", page_icon=":material/savings:", layout="wide", initial_sidebar_state=SIDEBAR_PX
)
style.request_chart_script_first()  # before any input: the first page is drawn about 0.5 s sooner
style.apply()  # metric cards that wrap and fit at every window size
try:
    catalog = cache.catalog()
except CatalogError as exc:  # a broken pricing/ edit: say which file and field, show nothing wrong
    st.error("The price catalog cannot be loaded:\n" + "\n".join(f"- {md(p)}" for p in exc.problems))
    st.stop()

if not inputs.loaded() or inputs.history_navigation():
    # The link is the scenario: on a session's first run, and when back/forward changed the address.
    # A broken link keeps its valid parts.
    params, repeated = links.single_valued({key: st.query_params.get_all(key) for key in st.query_params})
    link_scenario, link_notices = workload_picker.load_link(params, catalog) or links.params_to_scenario(params, catalog)
    inputs.load(link_scenario, catalog)
    st.session_state[NOTICES_KEY] = repeated + link_notices
base = st.session_state[state.BASE_KEY]

# Drawn top to bottom, filled in dependency order: the results need the price table's overrides.
header, results, prices_box = st.container(), st.container(), st.container()

with st.sidebar:
    # Collapsed, and drawn only when opened: the workload is what a visit starts with
    presets_box = st.expander("Presets", icon=":material/folder_open:", key=scenario_files.PRESETS_BOX, on_change="rerun")
    if presets_box.open:
        with presets_box:
            scenario_files.presets(SCENARIOS)
            scenario_files.load_messages("preset")
    picker_box = st.container()  # the workload picker, drawn once this run's workload is folded in
    name, name_view = inputs.view("n")
    st.text_input("Scenario name", value=name, max_chars=200, **name_view)
    with st.expander("Workload", expanded=True, icon=":material/data_usage:"):
        workload.workload(catalog)
    routes = strategies.strategy_sections(catalog, base)
    with st.expander("Growth", expanded=True, icon=":material/trending_up:"):
        workload.growth()

with prices_box:
    overrides = prices.price_table(catalog, base, workload.month_of(inputs.get("start")))

values = {key: value for key, value in inputs.values().items() if key in link.SCENARIO_KEYS}
scenario, problems = state.scenario_from_values(values, base, routes, overrides)
portfolio, selected = workload_picker.fold(scenario)
link.write_link(scenario, catalog, portfolio, selected)  # the one URL writer: the address bar is this run's scenario
with picker_box:
    workload_picker.render(portfolio, selected, SCENARIOS / "portfolios")

with header:
    title, share = st.columns([4, 1], vertical_alignment="bottom")  # the Share button keeps its word at 1024 px
    title.title("Token Cost Forecaster")
    title.caption(
        "What your LLM usage costs under each strategy (flagship only, hybrid routing, a cascade, a hosted open model, "
        "your own GPUs), this month and as you grow, and when your own inference server pays off. "
        f"Catalog prices checked {catalog.oldest_checked():%Y-%m-%d} or later."
    )
    popover = share.popover("Share", icon=":material/share:", width="stretch", key="share", on_change="rerun")
    if popover.open:  # lazy: the link and the YAML are built only when asked for
        with popover:
            link.share_and_save(
                scenario, catalog, portfolio and (lambda: workload_picker.share_and_save(portfolio, selected, catalog))
            )
    portfolio_view.header_note(portfolio, selected)
    link.notices(NOTICES_KEY, problems)


def _settings_fingerprint() -> tuple:
    """What the scenario is made of: the settings and the loaded base (replaced by every load and fold)."""
    return repr(inputs.values()), id(st.session_state[state.BASE_KEY])


@st.fragment
def results_area(scenario, catalog, portfolio, fingerprint) -> None:
    """The cards, the recommendation and the tabs. A fragment: switching a tab or using a tab's own view
    controls reruns only this (the sidebar's hundred widgets are not redrawn). When a tab's input changed
    a setting (an uncertainty range, the quality settings, a load from your usage), the whole page reruns,
    so that the sidebar, the numbers and the URL follow together."""
    if _settings_fingerprint() != fingerprint:
        st.rerun(scope="app")
    with sections.guard("The results"):
        ev = cache.evaluation(scenario, catalog)
        sections.kpis(ev)
        sections.strategy_errors(ev)
        sections.engine_notices(ev)
        with sections.guard("The recommendation"):
            sections.recommendation(recommend(ev, catalog))
        renderers = {
            "Compare": lambda: render_compare_tab(ev, catalog),
            "Cost vs volume": lambda: render_volume_tab(ev, catalog),
            "Forecast": lambda: render_forecast_tab(ev, catalog),
            "Uncertainty": lambda: render_uncertainty_tab(ev, catalog),
            "Breakdown": lambda: render_breakdown_tab(ev, catalog),
            "Serving": lambda: render_serving_tab(ev, catalog),
            "Table & CSV": lambda: render_table_tab(ev),
            "Your usage": lambda: render_usage_tab(scenario, catalog, ev),
            "Portfolio": lambda: portfolio_view.render_portfolio_tab(portfolio, catalog),
        }
        # Lazy tabs: only the open tab's figures are built and sent.
        tabs = st.tabs(list(renderers), key="view", on_change="rerun")
        for tab, (label, render) in zip(tabs, renderers.items(), strict=True):
            if tab.open:
                with tab, sections.guard(label):
                    render()


with results:
    results_area(scenario, catalog, portfolio, _settings_fingerprint())

st.divider()
sections.catalog_footer(catalog)
