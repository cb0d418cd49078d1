"""The forecast CSV: rows, numbers, and cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from calculators.engine import evaluate
from calculators.export import forecast_csv, forecast_rows, safe_cell, to_csv
from pricing.catalog import Catalog


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("gpt-5", "gpt-5"),  # a dash inside is harmless
        ("", ""),
        (-3.5, -3.5),  # a negative number is data, not a formula
        (0, 0),
        (None, None),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return", "plain", "empty", "negative-number", "zero", "none"],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def _read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_to_csv_makes_text_cells_safe_in_header_and_rows():
    rows = _read(to_csv(["month", "=cmd"], [["2027-01", "@evil"], ["2027-02", 12.5]]))
    assert rows == [["month", "'=cmd"], ["2027-01", "'@evil"], ["2027-02", "12.5"]]


def test_forecast_rows_known_values(toy_catalog, toy_scenario):
    # No growth: every month has 50,000 requests x 2,500 tokens = 125M tokens; flagship $2,250 a month,
    # so month 3 has a cumulative $6,750. Self-hosting: one replica, $2,920.
    header, rows = forecast_rows(evaluate(toy_scenario(), toy_catalog))
    assert header == [
        "month",
        "requests",
        "tokens",
        "Flagship only (USD/month)",
        "Hybrid routing (USD/month)",
        "Cascade (USD/month)",
        "Hosted open model (USD/month)",
        "Self-hosted (USD/month)",
        "Flagship only cumulative (USD)",
        "Hybrid routing cumulative (USD)",
        "Cascade cumulative (USD)",
        "Hosted open model cumulative (USD)",
        "Self-hosted cumulative (USD)",
        "price changes and retirements",
    ]
    assert len(rows) == 12
    assert rows[0][:8] == ["2027-01", 50_000, 125_000_000, 2250.0, 731.25, 675.0, 62.5, 2920.0]
    assert rows[2][8] == 6750.0
    assert rows[-1][0] == "2027-12"


def test_forecast_rows_grow_and_round(toy_catalog, toy_scenario):
    # 10% growth: month 2 has 55,000 requests; flagship 55,000 x $0.045 = $2,475
    _, rows = forecast_rows(evaluate(toy_scenario(growth__monthly_rate=0.1), toy_catalog))
    assert rows[1][1:4] == [55_000, 137_500_000, 2475.0]


def test_price_changes_land_in_their_month(toy_catalog, toy_scenario):
    # "changing" halves on 2027-01-11; "retiring" retires on 2027-03-01
    scenario = toy_scenario(flagship_only={"model": "changing"}, hosted_open={"model": "retiring"})
    _, rows = forecast_rows(evaluate(scenario, toy_catalog))
    assert rows[0][-1] == "Changing: input $2 → $1, output $10 → $5 per 1M"
    assert rows[1][-1] == ""
    assert rows[2][-1].startswith("Retiring ") and "2027-03-01" in rows[2][-1]


def with_model(catalog: Catalog, model_id: str, **changes) -> Catalog:
    """A copy of ``catalog`` with one model's fields changed."""
    models = dict(catalog.models) | {model_id: dataclasses.replace(catalog.models[model_id], **changes)}
    return Catalog(models=models, vendors=catalog.vendors, gpus=catalog.gpus, offers=catalog.offers, profiles=catalog.profiles)


def test_a_formula_in_a_model_name_is_defused_in_the_csv(toy_catalog, toy_scenario):
    catalog = with_model(toy_catalog, "changing", name='=HYPERLINK("http://evil","x")')
    rows = _read(forecast_csv(evaluate(toy_scenario(flagship_only={"model": "changing"}), catalog)))
    assert rows[1][-1].startswith("'=HYPERLINK(")
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
