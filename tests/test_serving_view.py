"""The Serving tab through Streamlit's AppTest, and its optimizer and figure builder."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_support import run_app

from calculators.capacity import Replica, operating_point, throughput_curve
from calculators.links import scenario_to_params
from calculators.scenario import load_scenario_text
from calculators.serving_optimizer import serving_options
from dashboard.figures.serving import throughput_figure
from dashboard.markup import md

pytestmark = pytest.mark.usefixtures("fresh_caches")  # Streamlit caches are process-global

ROOT = Path(__file__).resolve().parent.parent
SERVING = {"view": "Serving"}


def preset_link(name, catalog):
    return scenario_to_params(load_scenario_text((ROOT / "scenarios" / name).read_text()), catalog)


def test_a_capacity_model_preset_shows_its_replica_the_cheapest_hardware_and_the_fleet(catalog):
    at = run_app(preset_link("long-prompts-self-hosting.yaml", catalog), SERVING, strategies_open=False)
    metrics = {m.label: m.value for m in at.metric}
    # the same figures as the engine's note: 743 output tokens/s, 44 in flight, ITL 59.2 ms under the 60 ms target
    assert (metrics["Output tokens/s per replica"], metrics["Requests in flight"], metrics["Time between tokens"]) == (
        "743",
        "44",
        "59.2 ms",
    )
    assert any(md("Binding limit: the latency target.") in c.value for c in at.caption)
    assert any(m.value.startswith("Cheapest: **") for m in at.markdown)
    cheapest, fleet = at.dataframe[0].value, at.dataframe[1].value
    assert list(cheapest["$/month"]) == sorted(cheapest["$/month"])
    assert list(fleet["Fleet"])[:3] == ["Rented, always on", "Rented, 10 h a day from 9:00", "Rented, following demand hourly"]
    # following demand never costs more than sizing every hour for the peak
    assert fleet["$/month"][2] <= fleet["$/month"][0]


def test_an_owned_server_price_adds_a_row(catalog):
    at = run_app(
        preset_link("long-prompts-self-hosting.yaml", catalog), SERVING | {"srv_owned_price": 250_000.0}, strategies_open=False
    )
    fleet = at.dataframe[1].value
    assert fleet["Fleet"].iloc[-1].startswith("Owned 8-GPU servers")


def test_a_profile_only_scenario_shows_the_profiles_hardware_and_says_so():
    at = run_app({}, SERVING, strategies_open=False)
    assert any("uses the fixed numbers of the profile" in c.value for c in at.caption)
    assert "Output tokens/s per replica" in [m.label for m in at.metric]


def test_without_self_hosting_the_tab_says_what_to_add():
    at = run_app({"off": "self_hosted.self_hosted_mixed"}, SERVING, strategies_open=False)
    assert any("Add the self" in i.value for i in at.info)


def test_the_optimizer_leaves_out_reference_prices_and_configurations_that_do_not_fit(catalog):
    options = serving_options(catalog.hardware, catalog.offers.values(), "llama-3.3-70b", 2000, 500, 5e6, precisions=("fp16",))
    assert options and all("reference" not in o.offer for o in options)
    assert all(not (o.gpu == "l40s" and o.gpus_per_replica < 4) for o in options)  # 141 GB of FP16 weights
    best = options[0]
    # $ per 1M tokens = $/month / (5M requests x 2,500 tokens) x 1e6
    assert best.usd_per_million_tokens == pytest.approx(best.usd_per_month / (5e6 * 2500) * 1e6)


def test_the_figure_marks_the_operating_point_and_the_target(catalog):
    hw = catalog.hardware
    replica = Replica(hw.model("llama-3.1-8b"), hw.gpu("h100-sxm"), 1, "fp8", hw.engines["trtllm"])
    point = operating_point(replica, 1000, 200, max_itl_ms=30)
    fig = throughput_figure(throughput_curve(replica, 1000, 200, [1, 10, 100, 1000]), point, 30)
    assert [t.name for t in fig.data] == ["Output tokens/s", "Time between tokens (ms)", "Operating point"]
    assert fig.data[2].x[0] == point.concurrency and fig.layout.shapes[0].y0 == 30
