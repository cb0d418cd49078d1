"""Numbers at the documented bounds: volumes past int64, money past $1,000T, readable everywhere.

Bounds (README): horizon up to 120 months, growth up to +100% a month, volume up to 1e15 tokens a month.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pyarrow as pa
import pytest

from calculators.cli import render_table
from calculators.engine import evaluate
from calculators.export import forecast_csv, forecast_rows, whole
from calculators.formatting import compact, money

MAX_RPM = 1e15 / 2_500  # the toy workload's 2,000 + 500 tokens per request at 1e15 tokens a month


@pytest.mark.parametrize(
    "rpm, growth",
    [
        (50_000, 0.24),  # just below the growth that overflowed
        (50_000, 0.25),  # "Python int too large to convert to C long" before
        (50_000, 1.0),  # the growth bound
        (MAX_RPM, 0.10),  # 1e15 tokens a month at +10%: tokens pass 2**63 in year 10
        (MAX_RPM, 1.0),  # both bounds at once
    ],
    ids=["g24", "g25", "g100", "max-volume-g10", "max-volume-g100"],
)
def test_the_forecast_table_and_csv_hold_at_the_bounds(toy_catalog, toy_scenario, rpm, growth):
    scenario = toy_scenario(
        workload__requests_per_month=rpm, growth__monthly_rate=growth, growth__horizon_months=120, self_hosted=None
    )
    header, rows = forecast_rows(evaluate(scenario, toy_catalog))
    # month 120 has rpm·(1 + g)^119 requests of 2,500 tokens
    last_requests = rpm * (1 + growth) ** 119
    assert float(rows[-1][1]) == pytest.approx(last_requests)
    assert float(rows[-1][2]) == pytest.approx(last_requests * 2_500)
    # flagship $0.045 a request (2,000·10 + 500·50) / 1e6
    assert float(rows[-1][3]) == pytest.approx(last_requests * 0.045)
    # the page's table: an Arrow table, as st.dataframe sends it
    frame = pd.DataFrame(rows, columns=header).astype(dict.fromkeys(header[1:-1], float))
    assert pa.Table.from_pandas(frame).num_rows == 120
    # the CSV: parses back to the same numbers
    text = forecast_csv(evaluate(scenario, toy_catalog)).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert len(parsed) == 121
    assert float(parsed[-1][1]) == pytest.approx(last_requests)
    assert float(parsed[-1][3]) == pytest.approx(last_requests * 0.045)


@pytest.mark.parametrize(
    "value, expected",
    [
        (2**53 - 1, 2**53 - 1),  # the last whole number a float holds exactly: an int
        (2.0**53, 2.0**53),  # from there on the float itself
        (1234.5, 1234),  # round half to even
        (8.4e19, 8.4e19),  # past int64
    ],
)
def test_whole_numbers_in_the_csv(value, expected):
    assert whole(value) == expected
    assert type(whole(value)) is type(expected)


@pytest.mark.parametrize(
    "value, expected",
    [
        (999.4e12, "$999T"),  # just below the switch
        (999.5e12, "$1e15"),  # at it: 1,000T would be a fourth digit
        (1.2345e15, "$1.23e15"),
        (2.9907629905160606e31, "$2.99e31"),  # was $29907629905160606666568237056T
        (-4.2e20, "-$4.2e20"),
        (1e300, "$1e300"),
    ],
)
def test_money_stays_short_at_the_bounds(value, expected):
    assert money(value) == expected


@pytest.mark.parametrize("value, expected", [(999e12, "999T"), (1e15, "1e15"), (6.6e50, "6.6e50")])
def test_compact_volumes_at_the_bounds(value, expected):
    assert compact(value) == expected


def test_the_cli_table_keeps_its_columns_apart_at_the_bounds(toy_catalog, toy_scenario):
    scenario = toy_scenario(
        workload__requests_per_month=MAX_RPM, growth__monthly_rate=1.0, growth__horizon_months=120, self_hosted=None
    )
    lines = render_table(evaluate(scenario, toy_catalog)).splitlines()
    start = lines.index(next(line for line in lines if line.startswith("strategy")))
    table = lines[start : start + 5]
    # every row splits into its four cells on runs of two or more spaces; the header's columns line up
    cells = [re.split(r"\s{2,}", line.strip()) for line in table]
    assert cells[0] == ["strategy", "this month", "vs flagship", "cumulative"]
    # flagship: 4e11 requests x $0.045 = $18B this month; cumulative 18e9·(2^120 - 1) = 2.39e46
    assert cells[1] == ["Flagship only", "$18B", "$2.39e46"]
    widths = {len(line) for line in table}
    assert len(widths) == 1  # right-aligned numbers end in the same column
