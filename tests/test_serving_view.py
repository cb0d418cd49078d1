"""The Serving tab through Streamlit's AppTest, and its optimizer and figure builder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apptest_support import run_app, shown_charts

from calculators.capacity import Replica, operating_point, throughput_curve
from calculators.links import scenario_to_params
from calculators.scenario import load_scenario_text
from calculators.serving_optimizer import serving_options
from dashboard.figures.cost import slug
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
    # the throughput figure, its PNG named after the scenario
    (chart,) = shown_charts(at)
    option = json.loads(chart.proto.spec)
    assert option["title"]["text"] == "One replica: throughput and latency against concurrency"
    name = load_scenario_text((ROOT / "scenarios" / "long-prompts-self-hosting.yaml").read_text()).name
    assert option["toolbox"]["feature"]["saveAsImage"]["name"] == f"{slug(name)}-serving"


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


def _figure(catalog, max_itl_ms=30):
    hw = catalog.hardware
    replica = Replica(hw.model("llama-3.1-8b"), hw.gpu("h100-sxm"), 1, "fp8", hw.engines["trtllm"])
    point = operating_point(replica, 1000, 200, max_itl_ms=max_itl_ms)
    curve = throughput_curve(replica, 1000, 200, [1, 10, 100, 1000])
    return curve, point, throughput_figure(curve, point, max_itl_ms, export="my-scenario-serving")


def test_the_figure_marks_the_operating_point_and_the_target(catalog):
    curve, point, (option, height) = _figure(catalog)
    named = [s for s in option["series"] if s.get("name")]
    assert [s["name"] for s in named] == ["Output tokens/s", "Time between tokens (ms)", "Operating point"]
    assert option["legend"]["data"] == [s["name"] for s in named]
    throughput, itl, marker = named
    assert marker["data"][0]["value"] == [point.concurrency, point.output_tokens_per_s]
    # throughput on the left axis, time between tokens on the right one
    assert throughput.get("yAxisIndex", 0) == 0 and itl["yAxisIndex"] == 1
    assert [a["name"] for a in option["yAxis"]] == ["Output tokens/s", "Time between tokens (ms)"]
    assert option["yAxis"][1]["position"] == "right"
    assert [p["value"][0] for p in itl["data"]] == list(curve["concurrency"])
    assert [p["value"][1] for p in itl["data"]] == pytest.approx(list(curve["itl_ms"]))
    assert throughput["data"][1]["tooltip"]["formatter"].endswith(
        f"10 in flight → {curve['output_tokens_per_s'][1]:,.0f} tokens/s"
    )
    # the ITL target: a dashed horizontal line on the right axis, labelled
    (target,) = [s for s in option["series"] if "markLine" in s]
    (line,) = target["markLine"]["data"]
    assert target["yAxisIndex"] == 1 and line["yAxis"] == 30 and line["lineStyle"]["type"] == "dashed"
    assert line["label"]["formatter"] == "ITL target 30 ms"
    # concurrency on a log axis 1 ... 1,000, labelled in the app's compact numbers
    assert option["xAxis"]["type"] == "log" and (option["xAxis"]["min"], option["xAxis"]["max"]) == (1.0, 1000.0)
    (labels,) = [s for s in option["series"] if s.get("silent") and s["type"] == "scatter"]
    assert [p["label"]["formatter"] for p in labels["data"]] == ["1", "10", "100", "1k"]
    assert option["toolbox"]["feature"]["saveAsImage"]["name"] == "my-scenario-serving" and height == 450
    json.dumps(option, allow_nan=False)


def test_without_a_target_the_figure_has_no_target_line(catalog):
    _, _, (option, _) = _figure(catalog, max_itl_ms=None)
    assert not any("markLine" in s for s in option["series"])
    json.dumps(option, allow_nan=False)
