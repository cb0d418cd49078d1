"""Page and CLI tell the same story for every export format: list price, workload, re-priced costs.

The page (Streamlit's AppTest, the "Your usage" tab with the link's default scenario) and
``python -m calculators usage FILE --scenario S.yaml --json`` (the same scenario as YAML) are read
side by side; every number the page shows must be the CLI's, written by the one money format.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from apptest_support import run_app, shown_charts

from calculators.cli import main as cli_main
from calculators.formatting import money, tokens
from calculators.links import params_to_scenario
from calculators.scenario import scenario_to_yaml
from dashboard.figures.echarts import money_scale
from dashboard.markup import md
from pricing import load_catalog

pytestmark = pytest.mark.usefixtures("fresh_caches")  # Streamlit caches are process-global

VALID = Path(__file__).parent / "usage_corpus" / "valid"
COST_ONLY = {"anthropic_cost.csv", "openai_cost.csv"}
FILES = sorted(p.name for p in VALID.iterdir())


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    scenario, notices = params_to_scenario({}, load_catalog())
    assert notices == []
    path = tmp_path_factory.mktemp("parity") / "link-default.yaml"
    path.write_text(scenario_to_yaml(scenario), encoding="utf-8")
    return path


def _cli(name: str, scenario_file: Path) -> dict:
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["usage", str(VALID / name), "--scenario", str(scenario_file), "--json"], out=out, err=err) == 0
    assert err.getvalue() == ""
    return json.loads(out.getvalue())


def _page(name: str):
    at = run_app(session={"view": "Your usage"})
    at.file_uploader(key="usage_file").set_value((name, (VALID / name).read_bytes(), "text/csv")).run()
    assert not at.exception
    return at


def _axis_unit(axis: dict) -> float:
    """What one unit of a money axis is in dollars: a linear axis labelled ``${value}k`` draws $2,250 as 2.25;
    a log axis (its labels a series of their own) draws dollars."""
    return money_scale(axis["axisLabel"].get("formatter", "${value}"))


@pytest.mark.parametrize("name", FILES, ids=FILES)
def test_page_and_cli_agree(name, scenario_file):
    body = _cli(name, scenario_file)
    at = _page(name)
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    if name in COST_ONLY:
        assert body["workload"] is None and body["repriced"] is None
        assert md("A cost export has no token counts, so there is no list price to compare.") in texts
        return
    # 1. List price per month over the priced models: the CLI's rows summed, as the page writes it.
    tables = [d.value for d in at.dataframe if "list price (priced models)" in d.value.columns]
    months = sorted({row["month"] for row in body["monthly"]})
    priced = {
        m: [r["list_price_usd"] for r in body["monthly"] if r["month"] == m and r["list_price_usd"] is not None] for m in months
    }
    if any(priced.values()):
        (table,) = tables
        assert table["month"].tolist() == months
        assert table["list price (priced models)"].tolist() == [money(sum(v)) if v else "–" for v in priced.values()]
    else:  # nothing priced: the page says so, the CLI has no list price anywhere
        assert tables == []
        assert any(md("No model in this export has a list price yet") in t for t in texts)
    # 2. Workload: the same month, tokens and requests.
    workload = body["workload"]
    if workload is None:
        assert body["repriced"] is None
        return
    line = next(t for t in texts if t.startswith(md(f"Your {workload['month']} workload")))
    assert md(f"{tokens(workload['tokens_per_month'])} tokens a month") in line
    requests = workload["requests_per_month"]
    assert (
        md(f"{tokens(requests)} requests" if requests is not None else "requests unknown: the forecast works in tokens") in line
    )
    # 3. Re-priced: own mix first, then each strategy, the same dollars on the page's bars.
    repriced = body["repriced"]
    assert md(f"your own mix {money(repriced['own_mix_usd'])}") in line
    (option,) = [o for o in (json.loads(c.proto.spec) for c in shown_charts(at)) if "under each strategy" in o["title"]["text"]]
    bars = option["series"][0]["data"]
    unit = _axis_unit(option["xAxis"])
    expected = [repriced["own_mix_usd"], *repriced["strategies"].values()]
    assert [b["value"] * unit for b in bars] == pytest.approx(expected, rel=1e-12)
    assert [b["label"]["formatter"] for b in bars] == [money(v) for v in expected]
    # 4. Own mix = your bill: within 0.5% of the month's list price over the priced models (equal without overrides).
    assert repriced["own_mix_usd"] == pytest.approx(repriced["list_price_usd"], rel=0.005)


def test_readable_output_prints_the_json_numbers(scenario_file):
    # The readable report carries the same workload and re-priced dollars as --json, written by money().
    body = _cli("openai_usage.csv", scenario_file)
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["usage", str(VALID / "openai_usage.csv"), "--scenario", str(scenario_file)], out=out, err=err) == 0
    text = out.getvalue()
    workload, repriced = body["workload"], body["repriced"]
    assert f"workload ({workload['month']}): {workload['tokens_per_month']:,} tokens a month" in text
    assert f"{workload['requests_per_month']:,} requests" in text
    assert f"list price {money(repriced['list_price_usd'])}, own mix {money(repriced['own_mix_usd'])}" in text
    for key, usd in repriced["strategies"].items():
        assert any(line.split() == [key, money(usd)] for line in text.splitlines()), key
    for row in body["monthly"]:
        shown = "-" if row["list_price_usd"] is None else money(row["list_price_usd"])
        assert any(
            line.startswith(row["month"]) and line.split()[1] == row["model"] and line.endswith(shown)
            for line in text.splitlines()
        )
