"""Portfolios from the command line and in links: `evaluate` (table and JSON), `link`, exit codes, round trips.

The fixture (tests/fixtures/portfolio-cli.yaml) uses Claude Opus 4.5 ($5 in / $25 out per 1M tokens),
Haiku 4.5 ($1 / $5) and a server of one GPU at $2/h ($1,460 a month):
- Chat: 100,000 x (1,000 in, 200 out): Opus $0.01 a request = $1,000; Haiku $0.002;
  hybrid 0.8 x 0.002 + 0.2 x 0.01 = $0.0036 = $360 (its plan and its cheapest).
- Extraction: 50,000 x (2,000 in, 100 out): Opus $0.0125 = $625; self-hosted $1,460 + fine-tuning 3,000/3 = $2,460.
- Drafts: 20,000 x (500 in, 500 out): Opus $0.015 = $300; self-hosted $1,460.
Plan: Chat $360 + one pooled replica $1,460 + Extraction's fine-tuning $1,000 = $2,820 (separately: 2 replicas).
All on Opus: 1,000 + 625 + 300 = $1,925. Each on its cheapest: 360 + 625 + 300 = $1,285.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.cli import main
from calculators.links import share_url
from calculators.portfolio_links import document_to_params, params_to_document
from calculators.portfolio_scenario import load_document_text, parse_portfolio
from calculators.scenario import load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "portfolio-cli.yaml"

EXPECTED_TABLE = """\
CLI portfolio: 3 workload(s)
first month 2027-01, default growth +10.0%/month over 6 months

total                       this month    cumulative
Our plan                        $2.82k        $14.5k
All on the flagship             $1.93k        $13.8k
Each on its cheapest            $1.28k        $8.84k

workload                 requests/mo  plan                    plan $  cheapest             cheapest $
Chat                            100k  Hybrid routing            $360  Hybrid routing             $360
  category: Routine classification or extraction (the source article recommends smaller models or open source)
Extraction                       50k  Self-hosted             $1.84k  Flagship only              $625
Drafts                           20k  Self-hosted               $618  Flagship only              $300
  category: Creative generation or synthesis (the source article recommends flagship models at first, smaller models once templates exist)

shared fleet (custom server) for Extraction, Drafts: 1 replica(s) pooled, 2 separate; 1 GPU(s), $1.46k/month against $2.92k separate
  break-even vs their flagship: 110k requests/month of this mix (197M tokens)

move Extraction from self-hosted to flagship only: alone saves nothing over the horizon (the fleet stays for the others)
move Drafts from self-hosted to flagship only: alone saves nothing over the horizon (the fleet stays for the others)
moving all 2 together saves $1.53k this month, $5.7k over the horizon

budget $2k/month: our plan exceeds it in 2027-01 by $820
budget $2k/month: all on the flagship exceeds it in 2027-02 by $55.00
budget $2k/month: each on its cheapest stays within it
"""


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_evaluate_portfolio_table_is_exact():
    code, out, err = run("evaluate", str(FIXTURE))
    assert (code, err) == (0, "")
    assert out == EXPECTED_TABLE


def test_evaluate_portfolio_json():
    code, out, err = run("evaluate", str(FIXTURE), "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    portfolio = doc["portfolio"]
    assert (portfolio["plan_usd"], portfolio["all_flagship_usd"], portfolio["cheapest_usd"]) == pytest.approx((2820, 1925, 1285))
    chat, extraction, drafts = portfolio["workloads"]
    assert (chat["name"], chat["plan"], chat["cheapest"]) == ("Chat", "hybrid", "hybrid")
    assert chat["monthly_cost_usd"] == pytest.approx({"flagship_only": 1000, "hybrid": 360, "self_hosted": 1460})
    assert extraction["monthly_cost_usd"] == pytest.approx({"flagship_only": 625, "self_hosted": 2460})
    assert drafts["cheapest"] == "flagship_only"
    fleet = portfolio["self_hosted"]
    assert (fleet["pooled_replicas"], fleet["separate_replicas"], fleet["gpus"]) == (1, 2, 1)
    # the fleet against Opus for this mix: $925 / 70,000 requests a month; the first replica pays off at 1,460 / (925 / 70,000)
    assert fleet["break_even_vs_flagship_only"]["first_requests_per_month"] == pytest.approx(1460 / (925 / 70_000))
    # budget $2,000: all on Opus grows to 1,300 x 1.1 + 625 = $2,055 in the second month, $55 over
    assert portfolio["budget_usd"] == 2000
    assert portfolio["first_month_over_budget"] == {"plan": "2027-01", "all_flagship": "2027-02", "cheapest": None}
    assert portfolio["over_budget_by_usd"]["all_flagship"] == pytest.approx(55)
    first, second = doc["forecast"][:2]
    assert first == pytest.approx({"month": "2027-01", "requests": 170_000, "plan": 2820, "all_flagship": 1925, "cheapest": 1285})
    # Chat and Drafts grow 10%, Extraction does not: 110,000 + 50,000 + 22,000 requests
    assert second["requests"] == pytest.approx(182_000)
    assert len(doc["forecast"]) == 6


def test_link_prints_a_link_that_reopens_the_same_numbers():
    code, link, err = run("link", str(FIXTURE))
    assert (code, err) == (0, "")
    assert link.startswith("http://localhost:8501/?v=2&p=")
    code, out, err = run("evaluate", link.strip(), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(run("evaluate", str(FIXTURE), "--json")[1])


def test_link_of_a_version_1_file_is_the_dashboards_link(catalog):
    path = ROOT / "scenarios" / "customer-support.yaml"
    code, out, _ = run("link", str(path), "--base", "https://example.org/app")
    assert code == 0
    from calculators.links import scenario_to_params

    assert out == share_url("https://example.org/app", scenario_to_params(load_scenario_text(path.read_text()), catalog)) + "\n"


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("version: 2\nworkloads: 3\n", "workloads: must be a list of 1 to 12 workloads"),
        ("version: 2\nworkloads: [{name: A, flagship_only: {model: gpt-99-ultra}}]\n", "flagship_only: model 'gpt-99-ultra'"),
        (
            "version: 2\nworkloads: [{name: A, flagship_only: {model: claude-opus-4-5}, plan: cascade}]\n",
            "workloads[0].plan: cascade needs",
        ),
        (
            "version: 2\nworkloads: [{name: A, flagship_only: {model: claude-opus-4-5}, workload: {input_tokens: x}}]\n",
            "workloads[0].workload.input_tokens: must be a number",
        ),
        ("version: 3\n", "version: this program reads version 1 (one workload) or 2 (a portfolio), got 3"),
    ],
    ids=["not-a-list", "unknown-model", "plan-without-section", "bad-number", "unknown-version"],
)
@pytest.mark.parametrize("command", ["evaluate", "link"])
def test_bad_portfolio_files_exit_2_without_traceback(tmp_path, content, fragment, command):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    code, out, err = run(command, str(path))
    if command == "link" and "gpt-99" in content:  # a link is written without pricing: an unknown model still travels
        assert code == 0
        return
    assert code == 2 and out == ""
    assert fragment in err and "Traceback" not in err


def test_missing_file_for_link_exits_2():
    code, _, err = run("link", "/nonexistent/portfolio.yaml")
    assert code == 2 and "cannot read" in err


# ---------------------------------------------------------------------------- links

MODELS = ["claude-opus-4-5", "claude-haiku-4-5", "gpt-5", "gpt-5-mini", "gemini-2.5-flash", "together-llama-3.3-70b"]


def five_workloads() -> dict:
    workloads = []
    for i, (name, category) in enumerate(
        [
            ("Support triage", "routine"),
            ("Code review", "code"),
            ("Marketing copy", "creative"),
            ("Analyst", "reasoning"),
            ("Agent", "engineering"),
        ]
    ):
        workloads.append(
            {
                "name": name,
                "category": category,
                "plan": "hybrid",
                "workload": {
                    "requests_per_month": 123_457 * (i + 1),
                    "input_tokens": 1500 + i,
                    "output_tokens": 333 + i,
                    "cached_input_share": 0.25,
                },
                "growth": {"monthly_rate": 0.01 * (i + 1)},
                "flagship_only": {"model": MODELS[i % 3]},
                "hybrid": {"routes": [{"model": MODELS[i % 6], "share": 0.85}, {"model": MODELS[(i + 1) % 6], "share": 0.15}]},
                "cascade": {"first": {"model": MODELS[(i + 2) % 6]}, "second": {"model": MODELS[0]}, "escalation_rate": 0.17},
                "hosted_open": {"model": "together-llama-3.3-70b"},
                "fine_tune": {"one_time_usd": 12_345 + i, "amortize_months": 6 + i},
                "budget_usd": 10_000 + i,
            }
        )
    return {
        "version": 2,
        "name": "Five features",
        "growth": {"monthly_rate": 0.04, "horizon_months": 36, "start_month": "2027-03"},
        "self_hosted": {"profile": "llama-3.3-70b-fp8-2xh100", "utilization": 0.55},
        "budget_usd": 50_000,
        "workloads": workloads,
    }


def test_five_workload_link_is_short_and_round_trips(catalog):
    portfolio, _ = parse_portfolio(five_workloads())
    url = share_url("https://token-cost-forecaster.example.org/", document_to_params(portfolio, catalog))
    assert len(url) < 2000, len(url)
    reopened, notices = params_to_document(dict(parse_qsl(urlsplit(url).query)), catalog)
    assert notices == []
    assert reopened == portfolio


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    volumes=st.lists(st.floats(0, 1e9, allow_nan=False), min_size=1, max_size=12),
    rate=st.floats(-0.5, 0.5),
    budget=st.none() | st.floats(0, 1e9),
)
def test_random_portfolios_round_trip_through_links(catalog, volumes, rate, budget):
    doc = {
        "version": 2,
        "growth": {"monthly_rate": rate, "horizon_months": 12, "start_month": "2027-01"},
        "workloads": [
            {"name": f"W{i}", "workload": {"requests_per_month": v}, "flagship_only": {"model": "claude-opus-4-5"}}
            for i, v in enumerate(volumes)
        ],
    }
    if budget is not None:
        doc["budget_usd"] = budget
    portfolio, _ = parse_portfolio(doc)
    reopened, notices = params_to_document(document_to_params(portfolio, catalog), catalog)
    assert (reopened, notices) == (portfolio, [])


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"v": "2"}, "the portfolio link has no p payload"),
        ({"v": "2", "p": "1.AAAA"}, "p payload is damaged"),
        ({"v": "2", "p": "9.abc"}, "p payload has an unknown version"),
        ({"v": "2", "p": "1." + "A" * 7000}, "above the 6,000 allowed"),
    ],
    ids=["no-payload", "damaged", "unknown-version", "oversized"],
)
def test_damaged_portfolio_links_fall_back_with_a_notice(catalog, params, fragment):
    document, notices = params_to_document(params, catalog)
    assert any(fragment in n for n in notices), notices
    assert document is not None


def test_a_portfolio_file_and_its_yaml_agree():
    portfolio = load_document_text(FIXTURE.read_text())
    assert [w.name for w in portfolio.workloads] == ["Chat", "Extraction", "Drafts"]


# ---------------------------------------------------------------------------- presets

PORTFOLIO_PRESETS = sorted((ROOT / "scenarios" / "portfolios").glob("*.yaml"))


@pytest.mark.parametrize("path", PORTFOLIO_PRESETS, ids=[p.stem for p in PORTFOLIO_PRESETS])
def test_portfolio_presets_evaluate_and_round_trip(catalog, path):
    code, out, err = run("evaluate", str(path), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["portfolio"]["plan_usd"] > 0
    portfolio = load_document_text(path.read_text())
    assert params_to_document(document_to_params(portfolio, catalog), catalog) == (portfolio, [])


def test_four_features_preset_follows_the_articles_allocation():
    portfolio = load_document_text((ROOT / "scenarios" / "portfolios" / "product-with-four-features.yaml").read_text())
    plans = {w.name: (w.category, w.plan) for w in portfolio.workloads}
    assert plans == {
        "General conversation": ("routine", "hybrid"),  # Gemini Flash
        "Complex technical support": ("reasoning", "flagship_only"),  # Opus 4.5
        "Company knowledge": ("routine", "self_hosted"),  # a fine-tuned Llama on the fleet
        "Code generation": ("code", "cascade"),  # Haiku 4.5 escalating to Opus 4.5
    }
    assert portfolio.workloads[2].fine_tune is not None


def test_categories_template_has_the_five_categories_in_order():
    from calculators.portfolio_scenario import CATEGORIES

    portfolio = load_document_text((ROOT / "scenarios" / "portfolios" / "categories-template.yaml").read_text())
    assert tuple(w.category for w in portfolio.workloads) == CATEGORIES
