"""Shared fixtures: the shipped catalog, and a toy catalog with round prices for arithmetic."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import settings
from toy_data import TOY_GPUS, TOY_HOST, TOY_SERVING, TOY_VENDOR

from calculators.scenario import parse_scenario
from pricing import load_catalog
from pricing.catalog import build_catalog

# Hypothesis profiles. "ci" (chosen when CI=true): the same examples on every run (derandomize), no
# example database replayed from an earlier run. "dev": ten times the examples, for exploring locally
# (HYPOTHESIS_PROFILE=dev). "default": hypothesis' own (random, with the local database).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "default"))


def pytest_report_header(config):
    import pandas
    import streamlit

    return f"streamlit {streamlit.__version__}, pandas {pandas.__version__}, hypothesis profile {settings._current_profile}"


@pytest.fixture
def fresh_caches():
    """Streamlit's caches are process-global: the AppTest modules clear them (``pytestmark``) so no test sees another's results."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


APP_TODAY = dt.date(2026, 12, 15)  # the page's calendar in AppTest: next month is 2027-01, as in the presets


@pytest.fixture
def pinned_today(monkeypatch):
    """The page and the test read the same fixed date (``calculators.clock``): a test never passes or
    fails with the calendar (a first month picked in the selector stays inside its window). The AppTest
    modules use it for every test (``pytestmark``)."""
    from calculators import clock

    monkeypatch.setattr(clock, "today", lambda: APP_TODAY)
    return APP_TODAY


@pytest.fixture(scope="session")
def catalog():
    """The catalog shipped in pricing/ (real prices)."""
    return load_catalog()


@pytest.fixture(scope="session")
def toy_catalog():
    """A small catalog with round prices: big $10/$50, small $1/$5, a GPU at $2/h."""
    return build_catalog([("vendors/toy.yaml", TOY_VENDOR), ("vendors/toyhost.yaml", TOY_HOST)], TOY_GPUS, TOY_SERVING)


@pytest.fixture
def toy_scenario():
    """50,000 requests of 2,000 in / 500 out, every strategy on the toy catalog, January 2027."""

    def make(**changes):
        doc = {
            "name": "toy",
            "workload": {"requests_per_month": 50_000, "input_tokens": 2_000, "output_tokens": 500},
            "growth": {"monthly_rate": 0.0, "horizon_months": 12, "start_month": "2027-01"},
            "flagship_only": {"model": "big"},
            "hybrid": {"routes": [{"model": "small", "share": 0.75}, {"model": "big", "share": 0.25}]},
            "cascade": {"first": "small", "second": "big", "escalation_rate": 0.2},
            "hosted_open": {"model": "toyhost-open"},
            "self_hosted": {"profile": "open-70b-2x", "utilization": 1.0, "peak_to_average": 1.0, "min_replicas": 1},
        }
        for path, value in changes.items():
            section, _, key = path.partition("__")
            if key:
                doc.setdefault(section, {})[key] = value
            elif value is None:
                doc.pop(section, None)
            else:
                doc[section] = value
        scenario, _ = parse_scenario(doc)
        return scenario

    return make
