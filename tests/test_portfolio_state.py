"""The dashboard's portfolio state (pure): folding the widgets' scenario in, add / copy / remove / rename, the URL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.portfolio_scenario import MAX_WORKLOADS, load_document_text
from dashboard import portfolio_state as PS
from dashboard.state import link_default_scenario

FOUR = Path(__file__).resolve().parent.parent / "scenarios" / "portfolios" / "product-with-four-features.yaml"


@pytest.fixture(scope="module")
def four():
    return load_document_text(FOUR.read_text())


def test_folding_back_what_the_widgets_show_changes_nothing(four):
    for index in range(len(four.workloads)):
        assert PS.fold(four, index, PS.selected_scenario(four, index)) == four


@settings(max_examples=50, deadline=None, derandomize=True)
@given(index=st.integers(0, 3), requests=st.floats(0, 1e9), rate=st.floats(-0.5, 0.5), horizon=st.integers(1, 120))
def test_fold_changes_the_selected_workload_and_the_shared_parts_only(four, index, requests, rate, horizon):
    shown = PS.selected_scenario(four, index)
    edited = dataclasses.replace(
        shown,
        workload=dataclasses.replace(shown.workload, requests_per_month=requests),
        growth=dataclasses.replace(shown.growth, monthly_rate=rate, horizon_months=horizon),
    )
    folded = PS.fold(four, index, edited)
    assert folded.workloads[index].workload.requests_per_month == requests
    assert PS.selected_scenario(folded, index).growth.monthly_rate == rate  # the workload's own rate
    assert folded.growth.horizon_months == horizon  # the horizon is the portfolio's
    assert folded.workloads[:index] + folded.workloads[index + 1 :] == four.workloads[:index] + four.workloads[index + 1 :]


def test_a_plan_whose_strategy_is_switched_off_moves_to_a_strategy_still_on(four):
    shown = PS.selected_scenario(four, 3)  # Code generation runs the cascade
    folded = PS.fold(four, 3, dataclasses.replace(shown, cascade=None))
    assert folded.workloads[3].plan == "flagship_only"


def test_add_copy_remove_rename(four):
    added, index = PS.add(four, link_default_scenario())
    assert index == 4 and added.workloads[4].name == "Workload 5"
    copied, index = PS.duplicate(added, 0)
    assert index == 1 and copied.workloads[1].name == "General conversation copy"
    assert dataclasses.replace(copied.workloads[1], name="General conversation") == copied.workloads[0]
    removed, index = PS.remove(copied, 1)
    assert removed == added and index == 0
    renamed, problem = PS.rename(four, 0, "  Chat  ")
    assert problem is None and renamed.workloads[0].name == "Chat"
    for name, reason in (
        ("", "a workload needs a name"),
        ("Code generation", "another workload is already named"),
        ("x" * 201, "200"),
    ):
        unchanged, problem = PS.rename(four, 0, name)
        assert unchanged == four and reason in problem


def test_limits_one_to_twelve(four):
    single, _ = PS.remove(PS.remove(PS.remove(PS.remove(four, 0)[0], 0)[0], 0)[0], 0)
    assert len(single.workloads) == 1
    full = four
    for _ in range(MAX_WORKLOADS):
        full, _ = PS.add(full, link_default_scenario())
    assert len(full.workloads) == MAX_WORKLOADS
    assert PS.duplicate(full, 0)[0] == full


@pytest.mark.parametrize(
    "selected, notice",
    [("3", None), ("99", "w='99' names no workload"), ("two", "w='two' names no workload")],
    ids=["valid", "out-of-range", "not-a-number"],
)
def test_the_url_holds_the_portfolio_and_the_selection(four, catalog, selected, notice):
    params = PS.link_params(four, 0, catalog) | {"w": selected}
    portfolio, index, notices = PS.from_link(params, catalog)
    assert portfolio == four
    if notice is None:
        assert (index, notices) == (2, [])
    else:
        assert index == 0 and any(notice in n for n in notices)
