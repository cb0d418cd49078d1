"""safe_frame: the one helper that makes a page table's cells safe for Streamlit's CSV download."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from calculators.export import safe_frame


@pytest.mark.parametrize(
    "prefix", ["=", "+", "-", "@", "\t", "\r"], ids=["equals", "plus", "minus", "at", "tab", "carriage-return"]
)
def test_each_formula_prefix_is_neutralised_in_cells_and_column_names(prefix):
    frame = pd.DataFrame({f"{prefix}col": [f"{prefix}SUM(A1)", "gpt-5"], "usd": [-1.5, 2.0]})
    out = safe_frame(frame)
    assert list(out.columns) == [f"'{prefix}col", "usd"]
    assert out[f"'{prefix}col"].tolist() == [f"'{prefix}SUM(A1)", "gpt-5"]
    assert out["usd"].tolist() == [-1.5, 2.0]  # a negative number is data


def test_other_cells_are_left_alone():
    day = dt.date(2027, 1, 1)
    frame = pd.DataFrame({"name": [None, "a-b", ""], "when": [day, None, day], "n": [1, 2, 3]})
    out = safe_frame(frame)
    assert pd.isna(out["name"][0]) and out["name"].tolist()[1:] == ["a-b", ""]
    assert out["when"].tolist() == [day, None, day]
    assert out["n"].tolist() == [1, 2, 3]
    frame.loc[1, "name"] = "=1"
    assert safe_frame(frame)["name"][1] == "'=1" and frame["name"][1] == "=1"  # the input is not modified


@pytest.mark.parametrize(
    "text, expected",
    [
        ("-3.1%", "-3.1%"),  # numbers the page writes as text are data
        ("+0.0%", "+0.0%"),
        ("-$2.5B", "-$2.5B"),
        ("-4.2e20", "-4.2e20"),
        ("-1,234.50", "-1,234.50"),
        ("-1+2", "'-1+2"),  # arithmetic is a formula
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-A1", "'-A1"),
        ("-", "'-"),
        ("-3.1%+1", "'-3.1%+1"),
    ],
)
def test_signed_numbers_as_text_are_data_and_anything_else_is_neutralised(text, expected):
    assert safe_frame(pd.DataFrame({"x": [text]}))["x"][0] == expected
