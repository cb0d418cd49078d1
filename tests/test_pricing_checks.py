"""Catalog checks: stale entries, retirements, near-collisions, drift from a database; the CLI gate.

Catalogs are built in memory with ``build_catalog`` (or written to tmp_path for the CLI), so
nothing depends on the shipped vendor files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from pricing.__main__ import main
from pricing.catalog import Catalog, build_catalog
from pricing.checks import check_catalog, format_findings
from pricing.importers import dump_vendor_document, litellm_to_models

TODAY = dt.date(2026, 12, 1)
FRESH = dt.date(2026, 11, 30)
FIXTURES = Path(__file__).parent / "fixtures"
SOURCE = "https://example.com/pricing"


def model(model_id: str, *, checked: dt.date = FRESH, to: dt.date | None = None, **fields: object) -> dict:
    """A minimal vendor-file model, 1.00 in / 5.00 out, with one price entry."""
    entry = {"from": dt.date(2025, 1, 1), "to": to, "input": 1.0, "output": 5.0, "source": SOURCE, "checked": checked}
    return {"id": model_id, "name": model_id, "tier": "mid", **fields, "prices": [entry]}


def gpus_doc(checked: dt.date = FRESH) -> dict:
    offer = {"provider": "lambda", "usd_per_gpu_hour": 3.99, "terms": "on-demand", "source": SOURCE, "checked": checked}
    return {"gpus": [{"id": "h100-sxm", "name": "H100", "memory_gb": 80, "offers": [offer]}]}


def serving_doc(checked: dt.date = FRESH) -> dict:
    profile = {
        "id": "llama-70b-2xh100",
        "name": "Llama 70B on 2x H100",
        "model": "llama-3.3-70b",
        "gpu": "h100-sxm",
        "gpus_per_replica": 2,
        "default_offer": "h100-sxm@lambda",
        "prefill_tokens_per_s": 40000,
        "decode_tokens_per_s": 1600,
        "source": SOURCE,
        "checked": checked,
    }
    return {"profiles": [profile]}


def vendor_doc(*models: dict, vendor: str = "openai") -> dict:
    return {"vendor": vendor, "name": vendor.title(), "kind": "api", "models": list(models)}


def catalog(*models: dict, gpu_checked: dt.date = FRESH, profile_checked: dt.date = FRESH) -> Catalog:
    return build_catalog([("vendors/openai.yaml", vendor_doc(*models))], gpus_doc(gpu_checked), serving_doc(profile_checked))


def kinds(findings: list) -> list[str]:
    return [f.kind for f in findings]


# ----------------------------------------------------------------------------- stale


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"checked": dt.date(2026, 9, 2)}, []),  # 2026-12-01 − 2026-09-02 = 90 days: not older than 90
        ({"checked": dt.date(2026, 9, 1)}, ["stale"]),  # 91 days
        ({"checked": dt.date(2025, 1, 1), "to": dt.date(2026, 1, 1)}, []),  # closed entry: history, not rechecked
        ({"checked": dt.date(2025, 1, 1), "status": "retired"}, []),  # retired model
        ({"checked": dt.date(2025, 1, 1), "status": "retired", "retires": dt.date(2026, 1, 1)}, []),
    ],
    ids=["90-days", "91-days", "closed-entry", "retired", "retired-with-date"],
)
def test_stale_price_entries(fields: dict, expected: list[str]) -> None:
    assert kinds(check_catalog(catalog(model("gpt-x", **fields)), TODAY)) == expected


def test_stale_limit_is_configurable() -> None:
    old = catalog(model("gpt-x", checked=dt.date(2026, 9, 1)))
    assert kinds(check_catalog(old, TODAY, max_age_days=91)) == []
    (finding,) = check_catalog(old, TODAY, max_age_days=30)
    assert finding.subject == "gpt-x" and "91 days ago" in finding.message


@pytest.mark.parametrize(
    ("gpu_checked", "profile_checked", "subjects"),
    [
        (dt.date(2026, 1, 1), FRESH, ["h100-sxm@lambda"]),
        (FRESH, dt.date(2026, 1, 1), ["llama-70b-2xh100"]),
        (FRESH, FRESH, []),
    ],
    ids=["gpu-offer", "serving-profile", "fresh"],
)
def test_stale_offers_and_profiles(gpu_checked: dt.date, profile_checked: dt.date, subjects: list[str]) -> None:
    findings = check_catalog(catalog(model("gpt-x"), gpu_checked=gpu_checked, profile_checked=profile_checked), TODAY)
    assert [f.subject for f in findings] == subjects


# ------------------------------------------------------------------------- lifecycle


@pytest.mark.parametrize(
    ("retires", "status", "expected"),
    [
        (dt.date(2026, 11, 30), "deprecated", ["retired"]),  # past its date, not marked retired
        (dt.date(2026, 12, 1), "active", ["retired"]),  # shuts down today
        (dt.date(2026, 11, 30), "retired", []),  # already marked
        (dt.date(2026, 12, 31), "deprecated", ["retiring"]),  # in 30 days: inside the window
        (dt.date(2027, 1, 1), "deprecated", []),  # in 31 days
        (None, "active", []),
    ],
    ids=["past", "today", "marked-retired", "in-30-days", "in-31-days", "no-date"],
)
def test_retirement(retires: dt.date | None, status: str, expected: list[str]) -> None:
    found = check_catalog(catalog(model("gpt-x", retires=retires, status=status)), TODAY)
    assert kinds(found) == expected


def test_retiring_message_names_the_successor() -> None:
    models = (model("gpt-x", retires=dt.date(2026, 12, 11), status="deprecated", successor="gpt-y"), model("gpt-y"))
    (finding,) = check_catalog(catalog(*models), TODAY)
    assert finding.message == "retires on 2026-12-11, in 10 days (successor: gpt-y)"


# ----------------------------------------------------------------------- collisions


@pytest.mark.parametrize(
    ("models", "expected"),
    [
        ((model("claude-haiku-4-5"), model("claude-haiku-old", aliases=["claude-haiku-4.5"])), ["alias"]),
        ((model("gpt-5.1"), model("gpt-5-1-legacy", aliases=["GPT_5_1"])), ["alias"]),  # case and underscores
        ((model("claude-haiku-4-5", aliases=["claude-haiku-4.5", "Claude Haiku 4.5"]),), []),  # one model: fine
        ((model("gpt-5"), model("gpt-5-mini")), []),
    ],
    ids=["dot-vs-dash", "case-underscore", "same-model", "distinct"],
)
def test_near_collisions(models: tuple[dict, ...], expected: list[str]) -> None:
    assert kinds(check_catalog(catalog(*models), TODAY)) == expected


def test_near_collision_message_lists_both_names() -> None:
    (finding,) = check_catalog(catalog(model("claude-haiku-4-5"), model("claude-haiku-old", aliases=["claude-haiku-4.5"])), TODAY)
    assert "'claude-haiku-4-5' (claude-haiku-4-5)" in finding.message
    assert "'claude-haiku-4.5' (claude-haiku-old)" in finding.message


# ------------------------------------------------------------------------ price drift


def litellm(input_per_token: float, **extra: float) -> dict:
    return {
        "gpt-x": {
            "litellm_provider": "openai",
            "mode": "chat",
            "input_cost_per_token": input_per_token,
            "output_cost_per_token": 5e-06,
            **extra,
        }
    }


@pytest.mark.parametrize(
    ("data", "max_diff_pct", "expected"),
    [
        (litellm(1.1e-06), 5.0, ["price-diff"]),  # 1.1e-06 × 1e6 = 1.10 vs 1.00: +10% > 5%
        (litellm(1.1e-06), 15.0, []),  # +10% ≤ 15%
        (litellm(9.6e-07), 5.0, []),  # 0.96 vs 1.00: −4%
        (litellm(9e-07), 5.0, ["price-diff"]),  # 0.90 vs 1.00: −10%
        (litellm(1e-06, cache_read_input_token_cost=1e-07), 5.0, []),  # cache price new to the catalog: no percentage
    ],
    ids=["plus-10-over-5", "plus-10-under-15", "minus-4", "minus-10", "new-field"],
)
def test_price_diff(data: dict, max_diff_pct: float, expected: list[str]) -> None:
    found = check_catalog(catalog(model("gpt-x")), TODAY, against=litellm_to_models(data), max_diff_pct=max_diff_pct)
    assert kinds(found) == expected


def test_price_diff_message_shows_old_and_new() -> None:
    (finding,) = check_catalog(catalog(model("gpt-x")), TODAY, against=litellm_to_models(litellm(1.1e-06)), max_diff_pct=5)
    assert finding.message == "input: 1.00 → 1.10 (+10.0%) vs LiteLLM gpt-x"


def test_format_findings() -> None:
    clean = catalog(model("gpt-x"))
    assert format_findings([], clean, TODAY, 90).endswith("No problems found.")
    stale = catalog(model("gpt-x", checked=dt.date(2026, 1, 1)))
    text = format_findings(check_catalog(stale, TODAY), stale, TODAY, 90)
    assert "stale       gpt-x  price entry from 2025-01-01 last checked 2026-01-01 (334 days ago)" in text
    assert text.endswith("1 finding.")


# ------------------------------------------------------------------------------ CLI


def write_catalog(directory: Path, *models: dict, vendor: str = "openai") -> Path:
    (directory / "vendors").mkdir(parents=True)
    (directory / "vendors" / f"{vendor}.yaml").write_text(dump_vendor_document(vendor_doc(*models, vendor=vendor)))
    (directory / "gpus.yaml").write_text(yaml.safe_dump(gpus_doc()))
    (directory / "serving.yaml").write_text(yaml.safe_dump(serving_doc()))
    return directory


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("checked", "gate", "expected_code"),
    [
        (FRESH, True, 0),
        (dt.date(2026, 1, 1), False, 0),  # findings are reported, but only --gate fails
        (dt.date(2026, 1, 1), True, 1),
    ],
    ids=["clean-gate", "stale-no-gate", "stale-gate"],
)
def test_gate_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], checked: dt.date, gate: bool, expected_code: int
) -> None:
    directory = write_catalog(tmp_path, model("gpt-x", checked=checked))
    argv = ["check", "--catalog-dir", directory, "--today", TODAY, *(["--gate"] if gate else [])]
    code, out, _ = run(capsys, *argv)
    assert code == expected_code
    assert ("\nstale " in out) == (checked != FRESH)


@pytest.mark.parametrize(
    ("fixture", "expected_code", "expected_text"),
    [
        # LiteLLM's Together Qwen3 output 6e-06 × 1e6 = 6.00 vs the list price 0.60: +900% (pricing-facts §5.3)
        (
            "litellm_sample.json",
            1,
            "output: 0.60 → 6.00 (+900.0%) vs LiteLLM together_ai/Qwen/Qwen3-235B-A22B-Instruct-2507-tput",
        ),
        ("genai_prices_sample.json", 0, "No problems found."),  # 0.20 / 0.60, as in the catalog
    ],
    ids=["litellm-typo", "genai-prices"],
)
def test_check_against_detects_the_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture: str, expected_code: int, expected_text: str
) -> None:
    qwen = {
        "id": "together-qwen3-235b-2507-tput",
        "name": "Qwen3 235B-A22B 2507 (Together)",
        "tier": "open",
        "aliases": ["together_ai/Qwen/Qwen3-235B-A22B-Instruct-2507-tput"],
        "prices": [{"from": dt.date(2025, 7, 1), "input": 0.2, "output": 0.6, "source": SOURCE, "checked": FRESH}],
    }
    directory = write_catalog(tmp_path, qwen, vendor="together")
    code, out, _ = run(
        capsys,
        "check",
        "--catalog-dir",
        directory,
        "--today",
        TODAY,
        "--against",
        FIXTURES / fixture,
        "--max-diff-pct",
        10,
        "--gate",
    )
    assert code == expected_code
    assert expected_text in out


@pytest.mark.parametrize(
    ("against", "message"),
    [
        ("{broken", "is not valid JSON"),
        (None, "cannot read"),
        ("[1, 2]", "neither a LiteLLM price map nor a genai-prices data file"),
    ],
    ids=["bad-json", "missing", "unknown-format"],
)
def test_check_unusable_against_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], against: str | None, message: str
) -> None:
    directory = write_catalog(tmp_path / "catalog", model("gpt-x"))
    path = tmp_path / "against.json"
    if against is not None:
        path.write_text(against)
    code, _, err = run(capsys, "check", "--catalog-dir", directory, "--against", path, "--gate")
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_check_invalid_catalog_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--catalog-dir", tmp_path)
    assert code == 2
    assert err.startswith("error: cannot load the price catalog") and "Traceback" not in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--today", "yesterday"]) == 2
    assert "not a date" in capsys.readouterr().err
