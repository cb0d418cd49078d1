"""The address bar and the Share box: the page's one URL writer, the share link, the YAML download and upload,
and the notices of a damaged link."""

from __future__ import annotations

import streamlit as st

from calculators.links import SHORT_KEYS, share_url
from calculators.scenario import (
    Scenario,
    scenario_to_yaml,
)
from dashboard import cache, inputs, portfolio_state
from dashboard import state as S
from dashboard.markup import md
from dashboard.sidebar.scenario_files import (
    MAX_SCENARIO_MB,
    _load_upload,
    load_messages,
)
from dashboard.widgets import share_box
from pricing.catalog import Catalog


def all_keys() -> tuple[str, ...]:
    """Every setting that makes up the scenario (the scalar short keys, toggles, draft flag, and the
    settings without a short key: the mixed strategy, the uncertainty ranges, the quality settings)."""
    return (*SHORT_KEYS, *S.TOGGLE_KEYS.values(), S.FORWARD_DRAFT_KEY, *S.PAYLOAD_KEYS, S.QUALITY_TOGGLE)


SCENARIO_KEYS = frozenset(all_keys())


def page_params(scenario: Scenario, catalog: Catalog, portfolio=None, selected: int = 0) -> dict[str, str]:
    """The page's whole link: the scenario's parameters, and for a portfolio its ``v``/``p``/``w`` too
    (the scenario's keys then mirror the selected workload)."""
    params = dict(cache.share_params(scenario, catalog))
    if portfolio is not None:
        params |= portfolio_state.link_params(portfolio, selected, catalog)
    return params


def write_link(scenario: Scenario, catalog: Catalog, portfolio=None, selected: int = 0) -> None:
    """The page's one URL writer, at the end of every run: the address bar says this run's scenario."""
    inputs.write_link(page_params(scenario, catalog, portfolio, selected))


def share_and_save(scenario: Scenario, catalog: Catalog, portfolio_box=None) -> None:
    """The link, the download and the upload; ``portfolio_box`` draws a portfolio's link and download instead."""
    if portfolio_box:
        portfolio_box()
    else:
        _link_and_download(scenario, catalog)
    _upload()


def _link_and_download(scenario: Scenario, catalog: Catalog) -> None:
    url = share_url(st.context.url, cache.share_params(scenario, catalog))
    share_box("scenario", url, lambda: scenario_to_yaml(scenario), scenario.name, "download_yaml")


def _upload() -> None:
    st.file_uploader(
        "Load a scenario file (YAML or JSON)",
        type=["yaml", "yml", "json"],
        key="scenario_file",
        on_change=_load_upload,
        max_upload_size=MAX_SCENARIO_MB,
        help="A file saved with the button above, or one of scenarios/*.yaml. A bad file changes nothing.",
    )
    load_messages("file")


def _dismiss(key: str) -> None:
    st.session_state[key] = []


def notices(link_key: str, problems: list[str]) -> None:
    """What was wrong with the link that opened the page, and settings that could not be applied."""
    link_notices = st.session_state.get(link_key) or []
    if link_notices:
        st.warning(
            "The link that opened this page had problems; its valid parts were kept.\n"
            + "\n".join(f"- {md(n)}" for n in link_notices),
            icon=":material/link_off:",
        )
        st.button("Dismiss", key="dismiss_link_notices", on_click=_dismiss, args=(link_key,))
    if problems:
        st.error(
            "These settings were not applied (each keeps its default until fixed):\n" + "\n".join(f"- {md(p)}" for p in problems),
            icon=":material/error:",
        )
