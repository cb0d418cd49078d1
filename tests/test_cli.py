"""The command line: evaluate a scenario file, JSON shape, readable table, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from calculators.cli import main
from calculators.engine import evaluate
from calculators.links import scenario_to_params, share_url
from calculators.scenario import load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = ROOT / "scenarios" / "customer-support.yaml"


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_evaluate_json_shape_and_values(catalog):
    code, out, err = run("evaluate", str(SUPPORT), "--json")
    assert code == 0, err
    doc = json.loads(out)
    expected = evaluate(load_scenario_text(SUPPORT.read_text()), catalog)
    assert set(doc["monthly_cost_usd"]) == {"flagship_only", "hybrid", "cascade", "hosted_open", "self_hosted"}
    # Opus 4.5 on 50,000 x (3,000 in x $5 + 800 out x $25) / 1e6 = $1,750
    assert doc["monthly_cost_usd"]["flagship_only"] == pytest.approx(1750)
    assert doc["monthly_cost_usd"] == pytest.approx(expected.monthly_cost_usd)
    assert doc["savings_vs_flagship_only"]["hybrid"] == pytest.approx(0.6)
    be = doc["self_hosted"]["break_even"]
    assert set(be) == {"vs_flagship_only", "vs_hybrid"}
    assert be["vs_flagship_only"]["first_requests_per_month"] == pytest.approx(
        expected.self_hosted.break_even["flagship_only"].first_requests_per_month
    )
    first = doc["forecast"][0]
    assert first["month"] == "2027-01" and first["requests"] == 50000
    assert len(doc["forecast"]) == 24
    assert {"replicas", "gpus"} <= set(doc["self_hosted"])


SUPPORT_TABLE = """\
Customer support chatbot (50k conversations): 50k requests/month, 190M tokens/month
first month 2027-01, growth +5.0%/month over 24 months

strategy           this month  vs flagship  cumulative
Flagship only          $1.75k                   $77.9k
Hybrid routing           $700         -60%      $31.2k
Cascade                  $700         -60%      $31.2k
Hosted open model        $112         -94%      $5.01k
Self-hosted            $11.7k       +6.66×       $280k

self-hosted: 2 replica(s), 4 GPU(s) (Llama 3.3 70B FP8, 2x H100 (TP2))
  break-even vs flagship only: first at 333k requests/month (1.26B tokens), sustained from 333k requests/month (1.26B tokens)
  break-even vs hybrid routing: first at 832k requests/month (3.16B tokens), sustained from 832k requests/month (3.16B tokens)
note: Hosted open model: Llama 3.3 70B Instruct Turbo (Together) shut down on 2026-10-22: priced as its successor Muse Glimmer 30B (Together) from then
"""


def test_evaluate_table_is_the_whole_expected_table():
    # 50,000 requests of 3,000 in + 800 out = 190M tokens. Flagship Opus 4.5: 50,000 x (3,000 x $5 + 800 x $25) / 1e6
    # = $1,750; the hybrid 75% Haiku ($1/$5) + 25% Opus: 1,750 x (0.75/5 + 0.25) = $700, -60%. Self-hosted: 2 replicas
    # of 2 H100: $11.7k, 6.66 times the flagship, a ratio (cost_change) rather than +566%. The hosted open model, Together's
    # Llama 3.3 70B, retired on 2026-10-22: priced as its successor Muse Glimmer 30B ($0.35 in, $1.50 out):
    # 50,000 x (3,000 x 0.35 + 800 x 1.50) / 1e6 = $112.50, shown $112, -94%, with a note saying so.
    code, out, _ = run("evaluate", str(SUPPORT))
    assert code == 0
    assert out == SUPPORT_TABLE


def test_evaluate_a_scenario_without_a_strategy_says_so(tmp_path):
    # a workload and no strategy section: 5M requests x (500 + 200) tokens = 3.5B tokens; no table to print
    path = tmp_path / "only.yaml"
    path.write_text("version: 1\nname: only\nworkload: {requests_per_month: 5000000, input_tokens: 500, output_tokens: 200}\n")
    code, out, _ = run("evaluate", str(path))
    assert code == 0
    assert out.splitlines()[0] == "only: 5M requests/month, 3.5B tokens/month"
    assert out.splitlines()[3:] == [
        "no strategy is switched on: add a section (flagship_only, hybrid, cascade, hosted_open, self_hosted, self_hosted_mixed)"
    ]


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("workload: {requests_per_month: -4}", "workload.requests_per_month"),
        ("flagship_only: {model: gpt-99-ultra}", "flagship_only: model 'gpt-99-ultra' is not in the price catalog"),
        ("hybrid: {routes: [{model: gpt-5, share: 0.5}]}", "add up to 50.0%"),
        ("workload: [", "not valid YAML"),
    ],
    ids=["out-of-range", "unknown-model", "shares", "broken-yaml"],
)
def test_invalid_scenario_exits_2_with_message(tmp_path, content, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    code, out, err = run("evaluate", str(path))
    assert code == 2 and out == ""
    assert fragment in err and "bad.yaml" in err
    assert "Traceback" not in err


def test_missing_file_exits_2(tmp_path):
    code, _, err = run("evaluate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "cannot read" in err


def test_module_entry_point_runs_in_a_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "calculators", "evaluate", str(SUPPORT), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["monthly_cost_usd"]["flagship_only"] == pytest.approx(1750)


def test_evaluate_a_share_link_gives_the_files_numbers(catalog):
    scenario = load_scenario_text(SUPPORT.read_text())
    url = share_url("http://127.0.0.1:8501/", scenario_to_params(scenario, catalog))
    code, out, err = run("evaluate", url, "--json")
    assert code == 0, err
    assert json.loads(out)["monthly_cost_usd"] == pytest.approx(evaluate(scenario, catalog).monthly_cost_usd)


def test_a_damaged_share_link_exits_2_naming_the_problem():
    code, out, err = run("evaluate", "?rpm=-5&x=1.garbage")
    assert code == 2 and out == ""
    assert "workload.requests_per_month" in err and "damaged" in err
