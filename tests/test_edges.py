"""Every documented bound and threshold just below, at and just above it (issue 13 §6).

Each case was a one-character mutation that no test caught: the edge itself is the test.
"""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from calculators.engine import evaluate
from calculators.links import MAX_PARAMS, MAX_PAYLOAD_BYTES, _decode_payload, params_to_scenario
from calculators.sensitivity import metric
from calculators.usage import full_months, import_usage, workload_from_usage

# ------------------------------------------------------------- usage export: the month it ends in


def _export(last_day: str) -> str:
    # January to March 2026 with one row on the 1st of each month, and one on ``last_day``
    rows = ["date,model,input_tokens,output_tokens,requests"]
    rows += [f"2026-0{m}-01,gpt-5,1000000,100000,1000" for m in (1, 2, 3)]
    rows.append(f"{last_day},gpt-5,0,0,0")
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    "last_day, full, source",
    [
        # a month is full when the export misses at most 3 of its days (calculators.usage FULL_MONTH_RULE)
        ("2026-03-27", ["2026-01", "2026-02"], "2026-02"),  # misses 4 of March's 31 days: partial
        ("2026-03-28", ["2026-01", "2026-02", "2026-03"], "2026-03"),  # misses 3: full
        ("2026-03-31", ["2026-01", "2026-02", "2026-03"], "2026-03"),  # ends on March's last day: full
    ],
    ids=["misses-4-days", "misses-3-days", "on-month-end"],
)
def test_an_export_ending_on_a_months_last_day_counts_that_month(catalog, last_day, full, source):
    usage = import_usage(_export(last_day), filename="usage.csv", catalog=catalog)
    assert full_months(usage) == full
    assert workload_from_usage(usage)["source_month"] == source


# ---------------------------------------------------------------------------- link limits


def test_the_documented_link_limits():
    # the link limits as documented (calculators/links.py): at most 64 parameters, an x payload expanding to
    # at most 64,000 bytes; the edge tests below use these literals, so a changed constant fails them
    assert (MAX_PARAMS, MAX_PAYLOAD_BYTES) == (64, 64_000)


@pytest.mark.parametrize("count, cut", [(63, False), (64, False), (65, True)])
def test_the_link_parameter_cap(catalog, count, cut):
    # the first parameter sets the volume; the rest are harmless unknown keys (each one notice)
    params = {"rpm": "1234"} | {f"z{i}": "1" for i in range(count - 1)}
    scenario, notices = params_to_scenario(params, catalog)
    assert scenario.workload.requests_per_month == 1234
    expected = f"the link has {count} parameters; only the first 64 were read"
    assert (expected in notices) is cut


def _payload(size: int) -> str:
    """A version-1 payload whose JSON is exactly ``size`` bytes: {"n":"aaa..."}."""
    raw = json.dumps({"n": "a" * (size - len('{"n":""}'))}, separators=(",", ":")).encode()
    assert len(raw) == size
    return "1." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


@pytest.mark.parametrize("size, read", [(63_999, True), (64_000, True), (64_001, False)])
def test_the_decompressed_payload_cap(size, read):
    doc, problem = _decode_payload(_payload(size))
    if read:
        assert problem is None and len(doc["n"]) == size - 8
    else:
        assert doc is None and problem == "the link's x payload expands beyond 64,000 bytes; it was ignored"


# ------------------------------------------------------------------------- hybrid shares


@pytest.mark.parametrize(
    "small, ok",
    [
        (0.745, False),  # 74.5% + 25% = 99.5%
        (0.749998, False),  # 99.9998%: 2e-6 off, above the 1e-6 tolerance
        (0.7499995, True),  # 5e-7 off: float noise, accepted
        (0.75, True),
        (0.755, False),  # 100.5%
    ],
)
def test_hybrid_shares_must_sum_to_100_percent(toy_catalog, toy_scenario, small, ok):
    scenario = toy_scenario(hybrid={"routes": [{"model": "small", "share": small}, {"model": "big", "share": 0.25}]})
    ev = evaluate(scenario, toy_catalog)
    assert ("hybrid" in ev.errors) is not ok
    if not ok:
        assert f"add up to {small + 0.25:.1%}, not 100%" in ev.errors["hybrid"]


# --------------------------------------------------------------- sensitivity: whole horizon


@pytest.mark.parametrize("months", [1, 2, 12])
def test_sensitivity_whole_horizon_includes_the_last_month(toy_catalog, toy_scenario, months):
    # no growth: flagship $2,250 every month (50,000 x (2,000·10 + 500·50) / 1e6); the horizon is months x 2,250
    scenario = toy_scenario(growth={"monthly_rate": 0.0, "horizon_months": months, "start_month": "2027-01"})
    ev = evaluate(scenario, toy_catalog)
    assert metric(ev, "flagship_only", "horizon") == pytest.approx(months * 2_250.0)
    assert metric(ev, "flagship_only", "month0") == pytest.approx(2_250.0)
