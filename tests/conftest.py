"""Shared fixtures: the shipped catalog, and a toy catalog with round prices for arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from calculators.scenario import parse_scenario
from pricing import load_catalog
from pricing.catalog import build_catalog

SOURCE = "https://example.com/pricing"


def pytest_report_header(config):
    import pandas
    import streamlit

    return f"streamlit {streamlit.__version__}, pandas {pandas.__version__}"


@pytest.fixture(scope="session")
def catalog():
    """The catalog shipped in pricing/ (real prices)."""
    return load_catalog()


def _entry(start, end, input_price, output_price, **extra):
    return {
        "from": start,
        "to": end,
        "input": input_price,
        "output": output_price,
        "source": SOURCE,
        "checked": "2026-11-01",
        **extra,
    }


TOY_VENDOR = {
    "vendor": "toy",
    "kind": "api",
    "models": [
        # Round numbers so that expected values can be worked out by hand in test comments.
        {
            "id": "big",
            "name": "Big",
            "tier": "flagship",
            "aliases": ["big-2026-01-01"],
            "prices": [
                _entry(
                    "2025-01-01",
                    None,
                    10.0,
                    50.0,
                    cached_input=1.0,
                    cache_write=12.5,
                    batch_discount=0.5,
                    long_context={"threshold": 100_000, "input": 20.0, "output": 75.0},
                )
            ],
        },
        {
            "id": "small",
            "name": "Small",
            "tier": "small",
            "prices": [_entry("2025-01-01", None, 1.0, 5.0, cached_input=0.1, batch_discount=0.5)],
        },
        # A price that halves on 2027-01-11: 10 days of January at the old price, 21 at the new one.
        {
            "id": "changing",
            "name": "Changing",
            "tier": "mid",
            "prices": [_entry("2025-01-01", "2027-01-11", 2.0, 10.0), _entry("2027-01-11", None, 1.0, 5.0)],
        },
        {
            "id": "retiring",
            "name": "Retiring",
            "tier": "mid",
            "status": "deprecated",
            "retires": "2027-03-01",
            "successor": "big",
            "prices": [_entry("2025-01-01", None, 3.0, 15.0)],
        },
    ],
}
TOY_HOST = {
    "vendor": "toyhost",
    "kind": "inference_provider",
    "models": [
        {
            "id": "toyhost-open",
            "name": "Open 70B (ToyHost)",
            "tier": "open",
            "open_model": "open-70b",
            "prices": [_entry("2025-01-01", None, 0.5, 0.5)],
        },
    ],
}
TOY_GPUS = {
    "gpus": [
        {
            "id": "gpu-x",
            "name": "GPU X",
            "memory_gb": 80,
            "offers": [{"provider": "cloud", "usd_per_gpu_hour": 2.0, "source": SOURCE, "checked": "2026-11-01"}],
        }
    ]
}
TOY_SERVING = {
    "profiles": [
        {
            "id": "open-70b-2x",
            "name": "Open 70B on 2x GPU X",
            "model": "open-70b",
            "gpu": "gpu-x",
            "gpus_per_replica": 2,
            "default_offer": "gpu-x@cloud",
            "prefill_tokens_per_s": 50_000,
            "decode_tokens_per_s": 5_000,
            "latency_target": "p99 TTFT <= 1 s",
            "source": SOURCE,
            "checked": "2026-11-01",
        }
    ]
}


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


TODAY = dt.date(2026, 11, 30)
