"""Wheels read without installing them, the generated catalog layer, and `python -m pricing audit`.

Fake wheels are built in tmp_path (a zip with the member each package ships), so nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
import yaml

from calculators import clock
from pricing.__main__ import main
from pricing.catalog import GENERATED, GENERATED_LAYER, load_catalog
from pricing.importers import InputError, read_price_file
from pricing.importers.wheels import genai_data_from_source, read_wheel
from pricing.importers.yaml_edit import dump_vendor_document

TODAY = dt.date(2026, 12, 1)
URL = "https://developers.openai.com/api/docs/pricing"
GENAI_SOURCE = """\
from decimal import Decimal
import datetime
from .types import *

providers: list[Provider] = [
    Provider(
        id='openai',
        name='OpenAI',
        pricing_urls=['https://openai.com/api/pricing/'],
        models=[
            ModelInfo(
                id='gpt-x',
                match=ClauseOr(or_=[ClauseEquals(equals='gpt-x'), ClauseEquals(equals='gpt-x-turbo')]),
                prices=[
                    ConditionalPrice(prices=ModelPrice(input_mtok=Decimal('2'), output_mtok=Decimal('8'))),
                    ConditionalPrice(
                        constraint=StartDateConstraint(start_date=datetime.date(2026, 6, 1)),
                        prices=ModelPrice(input_mtok=Decimal('1'), output_mtok=Decimal('4')),
                    ),
                ],
            ),
            ModelInfo(id='gpt-old', match=ClauseEquals(equals='gpt-old'), prices=ModelPrice(input_mtok=Decimal('30'), output_mtok=Decimal('60'))),
        ],
    ),
]
"""
LITELLM_DATA = {
    "gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06},
    "gpt-y": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 5e-07, "output_cost_per_token": 2e-06},
}


def wheel(directory: Path, name: str, member: str, content: str) -> Path:
    path = directory / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, content)
    return path


@pytest.fixture
def wheels(tmp_path: Path) -> tuple[Path, Path]:
    litellm = wheel(
        tmp_path,
        "litellm-1.2.3-py3-none-any.whl",
        "litellm/model_prices_and_context_window_backup.json",
        json.dumps(LITELLM_DATA),
    )
    genai = wheel(tmp_path, "genai_prices-0.4.5-py3-none-any.whl", "genai_prices/data.py", GENAI_SOURCE)
    return litellm, genai


def catalog_dir(directory: Path, prices: list[dict]) -> Path:
    (directory / "vendors").mkdir(parents=True)
    doc = {
        "vendor": "openai",
        "name": "OpenAI",
        "kind": "api",
        "models": [{"id": "gpt-x", "name": "GPT X", "tier": "mid", "prices": prices}],
    }
    (directory / "vendors" / "openai.yaml").write_text(dump_vendor_document(doc))
    (directory / "gpus.yaml").write_text(yaml.safe_dump({"gpus": []}))
    (directory / "serving.yaml").write_text(yaml.safe_dump({"profiles": []}))
    return directory


def entry(start: dt.date, input_price: float, output_price: float, end: dt.date | None = None, **extra: object) -> dict:
    return {"from": start, "to": end, "input": input_price, "output": output_price, "source": URL, "checked": TODAY, **extra}


# ------------------------------------------------------------------- wheels


def test_wheels_give_version_url_and_data(wheels: tuple[Path, Path]) -> None:
    litellm, genai = (read_wheel(w) for w in wheels)
    assert (litellm.database, litellm.version) == ("LiteLLM", "1.2.3")
    assert litellm.url == "https://github.com/BerriAI/litellm/blob/v1.2.3/model_prices_and_context_window.json"
    assert genai.url == "https://github.com/pydantic/genai-prices/blob/v0.4.5/packages/python/genai_prices/data.py"
    assert genai.data[0]["models"][0]["prices"][1] == {
        "constraint": {"start_date": dt.date(2026, 6, 1)},
        "prices": {"input_mtok": 1.0, "output_mtok": 4.0},
    }


def test_records_from_a_wheel_cite_the_versioned_file(wheels: tuple[Path, Path]) -> None:
    result = read_price_file(wheels[1])
    assert result.label == "genai-prices 0.4.5 (genai_prices-0.4.5-py3-none-any.whl)"
    assert {m.source for m in result.models} == {
        "https://github.com/pydantic/genai-prices/blob/v0.4.5/packages/python/genai_prices/data.py"
    }


@pytest.mark.parametrize(
    "source",
    [
        "providers = [__import__('os').system('true')]",
        "providers = [Provider(id=open('/etc/passwd').read())]",
        "providers = [(lambda: 1)()]",
        "providers = [Provider(**{'id': 'x'})]",
        "providers = [x for x in range(3)]",
        "other = []",
    ],
    ids=["import", "builtin-call", "lambda", "star-kwargs", "comprehension", "no-providers"],
)
def test_genai_data_module_that_is_not_plain_data_is_refused(source: str) -> None:
    with pytest.raises(ValueError):
        genai_data_from_source(source)


def test_a_wheel_with_code_instead_of_data_is_an_input_error(tmp_path: Path) -> None:
    bad = wheel(tmp_path, "genai_prices-9.9.9-py3-none-any.whl", "genai_prices/data.py", "providers = [__import__('os')]")
    with pytest.raises(InputError, match="is not price data"):
        read_price_file(bad)


def test_import_command_reads_a_wheel(tmp_path: Path, wheels: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    directory = catalog_dir(tmp_path / "catalog", [entry(dt.date(2025, 1, 1), 2.0, 8.0)])
    code = main(["import-genai-prices", str(wheels[1]), "--catalog-dir", str(directory), "--today", str(TODAY)])
    out = capsys.readouterr().out
    assert code == 0
    assert "gpt-x [openai] ← gpt-x, from 2026-06-01" in out  # the dated cut: 2.00 → 1.00
    assert "gpt-x [openai] + gpt-x-turbo" in out  # an alias the catalog lacks


# ------------------------------------------------------------- generated layer


def test_generate_layer_keeps_curated_models_out_and_is_reproducible(tmp_path: Path, wheels: tuple[Path, Path], capsys) -> None:
    directory = catalog_dir(tmp_path / "catalog", [entry(dt.date(2025, 1, 1), 2.0, 8.0)])
    argv = ["generate-layer", *map(str, wheels), "--read-on", "2026-11-30", "--catalog-dir", str(directory)]
    assert main(argv) == 0
    assert "2 models (openai 2)" in capsys.readouterr().out  # gpt-old (genai-prices) and gpt-y (LiteLLM); gpt-x is curated
    first = (directory / GENERATED_LAYER).read_bytes()
    assert main(argv) == 0
    assert (directory / GENERATED_LAYER).read_bytes() == first
    catalog = load_catalog(directory)
    assert catalog.resolve("gpt-y") is None  # the curated view is unchanged
    found = catalog.find("gpt-y")
    assert (found.id, found.origin, found.prices[0].input) == ("gpt-y", GENERATED, 0.5)  # 5e-07 × 1e6
    assert found.prices[0].source == "https://github.com/BerriAI/litellm/blob/v1.2.3/model_prices_and_context_window.json"
    assert found.prices[0].checked == dt.date(2026, 11, 30)
    assert found.prices[0].note.startswith("generated from LiteLLM 1.2.3")
    assert catalog.find("gpt-x").origin == "curated"
    assert json.loads(first)["sources"][0]["version"] == "0.4.5"  # genai-prices first: it dates its changes


def test_shipped_generated_layer_loads_below_the_curated_files() -> None:
    catalog = load_catalog()
    generated = catalog.generated
    assert len(generated) >= 300
    curated_names = set(catalog._alias_index)
    assert all(m.origin == GENERATED for m in generated.values())
    assert not any(
        catalog.resolve(name) for m in generated.values() for name in (m.id, *m.aliases) if name.lower() in curated_names
    )
    assert all(e.source.startswith("https://github.com/") and "/blob/v" in e.source for m in generated.values() for e in m.prices)
    for name in (
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1-nano",
        "claude-3-5-sonnet",
        "claude-3-5-haiku",
        "grok-4",
        "mistral-large-latest",
    ):
        assert catalog.find(name) is not None, name


# ----------------------------------------------------------------------- audit


@pytest.mark.parametrize(
    ("audit_note", "code", "verdict"),
    [("", 1, "DIFFERS"), ("The vendor's page says 2.10 (checked 2026-11-30); LiteLLM rounds it.", 0, "explained")],
    ids=["unexplained", "explained"],
)
def test_audit_table_and_exit_code(tmp_path: Path, wheels, capsys, audit_note: str, code: int, verdict: str) -> None:
    # The catalog has 2.10/8.00 before the 2026-06-01 cut; genai-prices says 2.00/8.00 then, LiteLLM (undated) 1.00/4.00 now.
    extra = {"audit_note": audit_note} if audit_note else {}
    prices = [entry(dt.date(2025, 1, 1), 2.1, 8.0, end=dt.date(2026, 6, 1), **extra), entry(dt.date(2026, 6, 1), 1.0, 4.0)]
    directory = catalog_dir(tmp_path / "catalog", prices)
    argv = ["audit", f"{wheels[0]}@2026-11-30", f"{wheels[1]}@2026-11-30", "--catalog-dir", str(directory)]
    assert main(argv) == code
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["model", "entry", "from", "field", "catalog", "LiteLLM", "1.2.3", "@", "2026-11-30", "genai-prices", "0.4.5", "@", "2026-11-30", "verdict"]  # fmt: skip
    assert lines[1].split()[:7] == [
        "gpt-x",
        "2025-01-01",
        "input",
        "2.10",
        "-",
        "2.00",
        verdict.rstrip(":") + (":" if audit_note else ""),
    ]
    # 2 entries listed; the second (1.00/4.00) agrees with both; the first differs.
    assert lines[-1] == (
        "Audit against LiteLLM 1.2.3 @ 2026-11-30, genai-prices 0.4.5 @ 2026-11-30: 2 catalog entries listed by a reference, "
        f"1 agree with every reference (50.0%), {int(bool(audit_note))} differ with a recorded reason, {int(not audit_note)} "
        "differ without one; 0 entries listed by no reference."
    )


def test_a_reference_row_older_than_the_catalogs_history_is_stale_not_a_disagreement(tmp_path: Path, wheels, capsys) -> None:
    # The catalog: 2.00/8.00 until the 2026-06-01 cut to 1.00/4.00. A LiteLLM file of 2026-11-30 that still says 2.00/8.00
    # has not caught up with the cut: it is shown as stale for the newer entry, which counts as agreeing with genai-prices
    # (1.00/4.00 from 2026-06-01), and its older row agrees with the first entry.
    litellm = wheel(
        tmp_path,
        "litellm-1.0.0-py3-none-any.whl",
        "litellm/model_prices_and_context_window_backup.json",
        json.dumps({"gpt-x": {**LITELLM_DATA["gpt-x"], "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06}}),
    )
    prices = [entry(dt.date(2025, 1, 1), 2.0, 8.0, end=dt.date(2026, 6, 1)), entry(dt.date(2026, 6, 1), 1.0, 4.0)]
    directory = catalog_dir(tmp_path / "catalog", prices)
    argv = ["audit", f"{litellm}@2026-11-30", f"{wheels[1]}@2026-11-30", "--catalog-dir", str(directory), "--all"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    # --all prints the agreeing entries with a column per reference: "=" agrees, "-" does not speak for it, "stale".
    assert [line.split() for line in lines[1:3]] == [
        ["gpt-x", "2025-01-01", "all", "-", "=", "agree"],
        ["gpt-x", "2026-06-01", "all", "stale", "=", "agree"],
    ]
    assert lines[-1].endswith(
        "2 catalog entries listed by a reference, 2 agree with every reference (100.0%), 0 differ with a recorded reason, "
        "0 differ without one; 0 entries listed by no reference; 1 stale reference rows (an older entry's price) not compared."
    )


def test_a_reference_price_that_is_no_older_entrys_still_differs(tmp_path: Path, wheels, capsys) -> None:
    # Same history, but LiteLLM says 3.00/8.00, which no entry ever was: a disagreement, not a stale row.
    litellm = wheel(
        tmp_path,
        "litellm-1.0.0-py3-none-any.whl",
        "litellm/model_prices_and_context_window_backup.json",
        json.dumps({"gpt-x": {**LITELLM_DATA["gpt-x"], "input_cost_per_token": 3e-06, "output_cost_per_token": 8e-06}}),
    )
    prices = [entry(dt.date(2025, 1, 1), 2.0, 8.0, end=dt.date(2026, 6, 1)), entry(dt.date(2026, 6, 1), 1.0, 4.0)]
    directory = catalog_dir(tmp_path / "catalog", prices)
    assert main(["audit", f"{litellm}@2026-11-30", "--catalog-dir", str(directory)]) == 1
    assert "1 differ without one" in capsys.readouterr().out


def test_a_reference_without_a_date_is_read_as_of_the_clocks_today(tmp_path: Path, wheels, capsys, monkeypatch) -> None:
    # No @date and no --today: the day comes from calculators.clock, which a test pins.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 7, 1))
    directory = catalog_dir(tmp_path / "catalog", [entry(dt.date(2025, 1, 1), 1.0, 4.0)])
    main(["audit", str(wheels[0]), "--catalog-dir", str(directory)])
    assert "LiteLLM 1.2.3 @ 2026-07-01" in capsys.readouterr().out.splitlines()[0]
