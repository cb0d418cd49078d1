"""What the dashboard caches across reruns (and sessions): the catalog, evaluations, figures.

``st.cache_resource`` returns the same object to every caller, without pickling: right for the
catalog (a dataclass of dataclasses), evaluations, figures and tables, which nobody mutates.
The keys are frozen ``Scenario`` values, so a rerun that changed nothing recomputes nothing.
A ``Scenario`` is keyed by its ``repr`` (exact: floats and dates print round-trip), which
Streamlit hashes in microseconds; its default dataclass hashing walks every field and costs
milliseconds per call, on every rerun.
"""

from __future__ import annotations

import streamlit as st

from calculators.engine import Evaluation, evaluate
from calculators.links import scenario_to_params
from calculators.quality import QualityResult, quality_adjusted
from calculators.scenario import Scenario
from calculators.sensitivity import Sensitivity, sensitivity
from calculators.uncertainty import BandResult, monte_carlo
from pricing import load_catalog
from pricing.catalog import Catalog

BY_REPR = {Scenario: repr}


@st.cache_resource(show_spinner=False)
def catalog() -> Catalog:
    return load_catalog()


@st.cache_resource(show_spinner=False, max_entries=128, hash_funcs=BY_REPR)
def evaluation(scenario: Scenario, _catalog: Catalog) -> Evaluation:
    return evaluate(scenario, _catalog)


@st.cache_resource(show_spinner=False, max_entries=128, hash_funcs=BY_REPR)
def figure(kind: str, scenario: Scenario, _build, _ev: Evaluation):
    """``_build(_ev)``, once per (chart kind, scenario)."""
    return _build(_ev)


@st.cache_resource(show_spinner=False, max_entries=128, hash_funcs=BY_REPR)
def share_params(scenario: Scenario, _catalog: Catalog) -> dict[str, str]:
    return scenario_to_params(scenario, _catalog)


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=BY_REPR)
def band(scenario: Scenario, _catalog: Catalog, _ev: Evaluation) -> BandResult:
    """The Monte Carlo band of ``scenario`` (draws, seed and ranges are part of it: its ``uncertainty``)."""
    return monte_carlo(scenario, _catalog, evaluation=_ev)


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=BY_REPR)
def tornado(scenario: Scenario, _catalog: Catalog, strategy: str, savings: bool, measure: str = "month0") -> Sensitivity:
    """One-at-a-time sensitivity of a strategy's cost (or its saving against flagship only), first month or horizon."""
    return sensitivity(scenario, _catalog, strategy, measure=measure, savings=savings)


@st.cache_resource(show_spinner=False, max_entries=128, hash_funcs=BY_REPR)
def quality(scenario: Scenario, _catalog: Catalog, _ev: Evaluation) -> QualityResult | None:
    return quality_adjusted(_ev, _catalog)


@st.cache_resource(show_spinner=False, max_entries=32)
def price_frame(_catalog: Catalog, day, overrides: tuple):
    """The price table for ``day`` with ``overrides`` applied (see ``state.price_frame``)."""
    from dashboard.state import price_frame as build

    return build(_catalog, day, overrides)
