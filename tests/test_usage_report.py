"""From an import to a forecast you can trust (issue 11): workload month, growth, routes, messages.

Known values state their arithmetic; the page's messages are checked for each kind of false
message the issue found (no "no token counts" when tokens exist, no "None", no web search to map...).
"""

from __future__ import annotations

import pytest
from apptest_support import fresh_caches, run_app  # noqa: F401 (fresh_caches is an autouse fixture)

from calculators.links import params_to_scenario
from calculators.usage import import_usage, workload_from_usage
from calculators.usage.history import GROWTH_BOUNDS, capped_routes, full_months
from dashboard.markup import md
from dashboard.usage_view import start_scenario
from pricing import load_catalog

HEADER = "date,model,input_tokens,output_tokens,requests\n"


@pytest.fixture(scope="module")
def shipped():
    return load_catalog()


def _daily(months: dict[str, int], model: str = "gpt-5", first_day: int = 1, last_day: int | None = None) -> str:
    """Rows on ``first_day`` and on the month's last day (or ``last_day``): ``tokens`` input, a tenth output, 10 requests."""
    import calendar

    rows = [HEADER.strip()]
    for month, tokens in months.items():
        year, mon = (int(p) for p in month.split("-"))
        end = last_day or calendar.monthrange(year, mon)[1]
        rows.append(f"{month}-{first_day:02d},{model},{tokens},{tokens // 10},10")
        rows.append(f"{month}-{end:02d},{model},0,0,0")
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("first_day", "full"),
    [(1, True), (2, True), (4, True), (5, False)],
    ids=["from-the-1st", "from-the-2nd", "3-days-missing", "4-days-missing"],
)
def test_a_month_missing_up_to_three_days_is_full(first_day, full):
    # January 2026 has 31 days; the rule allows 3 missing: data from the 4th counts, from the 5th does not.
    usage = import_usage(_daily({"2026-01": 1000}, first_day=first_day), catalog=False)
    assert full_months(usage) == (["2026-01"] if full else [])


def test_a_month_starting_on_the_2nd_is_scaled_to_the_whole_month(shipped):
    # 30 of 31 days covered: 31,000 input tokens scaled by 31/30 = 32,033.3 -> 32,033
    usage = import_usage(_daily({"2026-01": 31_000}, first_day=2), catalog=shipped)
    doc = workload_from_usage(usage, catalog=shipped)
    assert doc["source_month"] == "2026-01"
    assert doc["totals"]["input_tokens"] == 32_033
    assert any("covers 30 of its 31 days; totals scaled x1.03" in n for n in doc["notes"])


def test_monthly_totals_rows_are_full_months():
    # The warehouse SQL writes one row per month dated the 1st: each month is complete.
    text = HEADER + "2026-01-01,gpt-5,100,10,1\n2026-02-01,gpt-5,100,10,1\n"
    assert full_months(import_usage(text, catalog=False)) == ["2026-01", "2026-02"]


def test_growth_needs_three_full_months():
    two = workload_from_usage(import_usage(_daily({"2026-01": 1000, "2026-02": 1100}), catalog=False))
    assert two["growth"] is None and two["fit_note"] == "growth not fitted: 2 full month(s) with usage, at least 3 needed"


def test_growth_outside_the_bounds_is_clamped_and_said():
    # Tokens triple each month: exp(slope) - 1 = +200%/month, above the scenario's +100% bound.
    doc = workload_from_usage(import_usage(_daily({"2026-01": 1000, "2026-02": 3000, "2026-03": 9000}), catalog=False))
    fit = doc["growth_fit"]
    assert fit["fitted_rate"] == pytest.approx(2.0) and fit["clamped"]
    assert doc["growth"] == {"monthly_rate": GROWTH_BOUNDS[1]}
    assert "outside the scenario's bounds (-99% to +100%/month), so +100%/month is offered" in fit["note"]
    assert fit["months"] == ["2026-01", "2026-02", "2026-03"]


def test_growth_range_widens_with_noise():
    # 1000, 1300, 1100, 1500: a positive fit with a 95% range that contains it and is not a point.
    doc = workload_from_usage(
        import_usage(_daily({"2026-01": 1000, "2026-02": 1300, "2026-03": 1100, "2026-04": 1500}), catalog=False)
    )
    fit = doc["growth_fit"]
    assert fit["low"] < fit["rate"] < fit["high"]


def test_growth_is_applied_only_when_confirmed(shipped):
    usage = import_usage(_daily({"2026-01": 1000, "2026-02": 1100, "2026-03": 1210}), catalog=shipped)
    doc = workload_from_usage(usage, catalog=shipped)
    base = params_to_scenario({"g": "0.03"}, shipped)[0]
    kept, _ = start_scenario(base, doc)
    applied, _ = start_scenario(base, doc, apply_growth=True)
    assert kept.growth.monthly_rate == 0.03
    assert applied.growth.monthly_rate == pytest.approx(0.10, abs=1e-6)


def test_more_than_twelve_models_keep_the_hybrid(shipped):
    # 15 priced models with 15, 14, ..., 1 requests: routes are the top 11 and a 12th carrying the last 4.
    models = [m for m in shipped.models if shipped.models[m].prices][:15]
    text = HEADER + "".join(f"2026-01-01,{m},100,10,{15 - i}\n2026-01-31,{m},0,0,0\n" for i, m in enumerate(models))
    usage = import_usage(text, catalog=shipped)
    doc = workload_from_usage(usage, catalog=shipped)
    routes = doc["hybrid"]["routes"]
    assert len(routes) == 12 and sum(r["share"] for r in routes) == 1.0
    # the 12th route (the 12th model, 4 requests) carries itself + 3 + 2 + 1 = 10 of 120 requests
    assert {r["model"]: r["share"] for r in routes}[models[11]] == pytest.approx(10 / 120, abs=1e-4)
    started, problems = start_scenario(params_to_scenario({}, shipped)[0], doc)
    assert problems == [] and len(started.hybrid.routes) == 12
    assert any("also carries 3 smaller model(s)" in n for n in doc["notes"])


def test_capped_routes_leaves_small_mixes_alone():
    assert capped_routes({"a": 1.0, "b": 2.0}) == ({"a": 1.0, "b": 2.0}, None)


def test_a_request_count_of_zero_is_not_a_missing_count(shipped):
    usage = import_usage(HEADER + "2026-01-01,gpt-5,1000,100,0\n2026-01-31,gpt-5,0,0,0\n", catalog=shipped)
    assert usage.requests_known
    doc = workload_from_usage(usage, catalog=shipped)
    assert not any("no request count" in n for n in doc["notes"])
    assert any("reports 0 requests" in n for n in doc["notes"])
    assert doc["summary"]["requests_per_month"] == 0


def test_unknown_model_rows_count_in_totals_and_stay_unpriced(shipped):
    usage = import_usage(HEADER + "2026-01-01,,500,50,5\n2026-01-01,gpt-5,1000,100,10\n2026-01-31,gpt-5,0,0,0\n", catalog=shipped)
    assert usage.unknown_model_rows and "(unknown model)" not in usage.unresolved_models  # not offered for mapping
    doc = workload_from_usage(usage, catalog=shipped)
    # 550 of 1,650 tokens are the unknown model's: a third, apart from the workload
    assert doc["unpriced"]["token_share"] == pytest.approx(550 / 1650)
    assert doc["summary"]["tokens_per_month"] == 1100


# ------------------------------------------------------------------ no false message on the page


def _page(name: str, data: bytes):
    at = run_app(session={"view": "Your usage"})
    at.file_uploader(key="usage_file").set_value((name, data, "text/csv")).run()
    assert not at.exception
    return at


def _texts(at) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def test_tokens_without_a_priced_model_do_not_read_as_no_token_counts():
    at = _page("helicone.csv", HEADER.encode() + b"2026-01-05,our-private-model,1000,100,1\n")
    texts = _texts(at)
    assert not any("no token counts" in t for t in texts)
    assert md("No model in this export has a list price yet: map them above to compare with list prices.") in texts


def test_the_export_difference_compares_the_same_models():
    # gpt-5 1M in + 100k out = $2.25 at list, billed $2.25; the unknown model's $7 stays apart: no difference claimed.
    data = b"date,model,input_tokens,output_tokens,requests,cost_usd\n2026-01-05,gpt-5,1000000,100000,10,2.25\n"
    data += b"2026-01-05,our-private-model,1000,100,1,7\n"
    at = _page("litellm.csv", data)
    (table,) = [d.value for d in at.dataframe if "difference" in d.value.columns]
    assert table.to_dict("records") == [
        {
            "month": "2026-01",
            "list price (priced models)": "$2.25",
            "export, same models": "$2.25",
            "difference": "+0.0%",
            "export, unpriced models": "$7.00",
        }
    ]
    assert not any("differs from list prices" in t for t in _texts(at))
    assert "None" not in table.to_string()


def test_web_search_is_an_other_charge_not_a_model_to_map():
    data = (
        b"usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,cost_type,inference_geo\n"
        b"2026-01-05,--,Default,k,web_search,,,0.50,web_search,\n"
        b"2026-01-05,Claude Haiku 4.5,Default,k,message,,input_no_cache,1.00,tokens,\n"
    )
    at = _page("claude_api_cost.csv", data)
    tables = [d.value for d in at.dataframe if "model in the export" in d.value.columns]
    assert tables == []  # every model is in the catalog; web search is not offered for mapping


def test_replica_fill_says_how_full_one_replica_is(toy_scenario, toy_catalog):
    from calculators.engine import evaluate
    from dashboard.usage_view import replica_fill

    ev = evaluate(toy_scenario(), toy_catalog)
    capacity = ev.self_hosted.capacity_per_replica
    # 50,000 requests a month against one replica's monthly capacity
    assert replica_fill(ev, 50_000) == pytest.approx(50_000 / capacity)
    assert replica_fill(ev, capacity / 1000) == pytest.approx(0.001)  # "fills 0.1% of one replica"
