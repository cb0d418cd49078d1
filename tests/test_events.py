"""Dated events of a forecast: what changed in a price, shutdowns, successors, and no silent pricing after a shutdown."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from calculators.engine import evaluate
from calculators.export import forecast_rows
from calculators.prices import describe_change
from pricing.catalog import Catalog, PriceEntry

D = dt.date


def _entry(start, input_price, output_price, **extra):
    return PriceEntry(
        start, None, input_price, output_price, None, None, None, None, "https://example.com", D(2026, 11, 1), **extra
    )


@pytest.mark.parametrize(
    "before, after, expected",
    [
        (_entry(D(2025, 1, 1), 2, 10), _entry(D(2027, 1, 1), 1, 5), "input $2 → $1, output $10 → $5 per 1M"),
        # only the cached price changed: it says so (was "$2/$10 → $2/$10")
        (
            dataclasses.replace(_entry(D(2025, 1, 1), 2, 10), cached_input=0.5),
            dataclasses.replace(_entry(D(2027, 1, 1), 2, 10), cached_input=0.25),
            "cached input $0.5 → $0.25 per 1M",
        ),
        (
            dataclasses.replace(_entry(D(2025, 1, 1), 2, 10), batch_discount=0.5),
            _entry(D(2027, 1, 1), 2, 10),
            "batch discount 50% → none",
        ),
        (_entry(D(2025, 1, 1), 2, 10), dataclasses.replace(_entry(D(2027, 1, 1), 2, 10), source="https://new"), None),
    ],
    ids=["input-output", "cached-only", "batch", "re-sourced"],
)
def test_describe_change(before, after, expected):
    assert describe_change(before, after) == expected


def with_model(catalog: Catalog, model_id: str, **changes) -> Catalog:
    models = dict(catalog.models) | {model_id: dataclasses.replace(catalog.models[model_id], **changes)}
    return Catalog(models=models, vendors=catalog.vendors, gpus=catalog.gpus, offers=catalog.offers, profiles=catalog.profiles)


def test_a_shutdown_before_the_horizon_is_no_event_and_the_successor_is_priced(toy_catalog, toy_scenario):
    # "retiring" ($3/$15) shut down on 2026-06-01, before the forecast's first month (2027-01); successor: big ($10/$50)
    catalog = with_model(toy_catalog, "retiring", retires=D(2026, 6, 1))
    ev = evaluate(toy_scenario(flagship_only={"model": "retiring"}), catalog)
    assert ev.events == []  # never dated inside the horizon
    # every month at Big's price: 50,000 x (2,000·10 + 500·50) / 1e6 = 2,250
    assert ev.forecast.cost["flagship_only"].tolist() == [2_250.0] * 12
    assert "Flagship only: Retiring shut down on 2026-06-01: priced as its successor Big from then" in ev.notices


def test_a_shutdown_without_successor_is_not_priced_after_it(toy_catalog, toy_scenario):
    # "retiring" shuts down on 2027-03-01 and, here, has no successor: January and February only,
    # 50,000 x (2,000·3 + 500·15) / 1e6 = 675 each
    catalog = with_model(toy_catalog, "retiring", successor=None)
    scenario = toy_scenario(flagship_only={"model": "retiring"}, hybrid={"routes": [{"model": "retiring", "share": 1.0}]})
    ev = evaluate(scenario, catalog)
    for key in ("flagship_only", "hybrid"):
        cost = ev.forecast.cost[key]
        assert cost[:2].tolist() == [675.0, 675.0]
        assert all(math.isnan(c) for c in cost[2:])
    assert ev.monthly_cost_usd["flagship_only"] == 675.0
    text = "Retiring shuts down on 2027-03-01 and the catalog names no successor: not priced from 2027-03"
    assert (D(2027, 3, 1), text) in ev.events
    header, rows = forecast_rows(ev)
    column = header.index("Flagship only (USD/month)")
    assert [row[column] for row in rows[:4]] == [675.0, 675.0, None, None]  # empty cells, never a list price
    assert rows[2][-1] == text


def test_a_model_gone_before_the_first_month_without_successor_is_an_error(toy_catalog, toy_scenario):
    catalog = with_model(toy_catalog, "retiring", successor=None, retires=D(2026, 12, 15))
    ev = evaluate(toy_scenario(flagship_only={"model": "retiring"}), catalog)
    assert ev.errors["flagship_only"] == (
        "Retiring shut down on 2026-12-15 and the catalog names no successor: pick another model"
    )
    assert "flagship_only" in ev.errors and ev.monthly_cost_usd.get("hybrid") is not None


def test_a_chain_of_successors(catalog, toy_scenario):
    # deepseek-r1 shut down on 2025-09-29 (successor deepseek-v3-2), which shut down on 2026-07-24
    # (successor deepseek-v4-flash, the model the legacy names moved to): a 2027 forecast prices
    # deepseek-v4-flash, and says so twice
    from calculators.prices import price_model

    priced = price_model(catalog, "deepseek-r1", {})
    assert [h.day for h in priced.handovers] == [D(2025, 9, 29), D(2026, 7, 24)]
    flash = catalog.models["deepseek-v4-flash"].price_on(D(2027, 1, 1))
    on = priced.price_on(D(2027, 1, 1))
    assert (on.input, on.output) == (flash.input, flash.output)
    assert priced.name_at(len(priced.prices) - 1) == catalog.models["deepseek-v4-flash"].name
