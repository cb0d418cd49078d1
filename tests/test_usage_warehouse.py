"""Warehouse-sized history: the warehouse SQL run for real, Parquet, several files and globs on the CLI.

Each dialect of ``WAREHOUSE_SQL`` is transpiled with sqlglot to DuckDB and run on a generated
per-request table; its monthly output, read back through the generic format, must equal the
CLI's monthly totals for the same requests written as a per-request generic file.
"""

from __future__ import annotations

import io
import json

import duckdb
import numpy as np
import pytest
import sqlglot
from sqlglot import exp

from calculators.cli import main as cli_main
from calculators.usage import WAREHOUSE_SQL, import_usage

REQUESTS = 20_000
KEYS = ("month", "model", "input_tokens", "cached_input_tokens", "output_tokens", "requests")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A DuckDB table of per-request rows (ts with time zones, NULL cache reads) and the same rows as a generic CSV."""
    folder = tmp_path_factory.mktemp("warehouse")
    rng = np.random.default_rng(11)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Seconds from 2025-11-30 to 2026-03-02: month boundaries fall inside, in every time zone below.
    start = np.datetime64("2025-11-30T00:00:00")
    seconds = rng.integers(0, 92 * 86_400, REQUESTS)
    offsets = rng.choice(["+00:00", "-05:00", "+09:00"], REQUESTS)
    stamps = [f"{(start + np.timedelta64(int(s), 's'))}{o}" for s, o in zip(seconds, offsets, strict=True)]
    models = rng.choice(["gpt-5", "claude-haiku-4-5", "gemini-2.5-flash"], REQUESTS)
    inputs = rng.integers(1, 50_000, REQUESTS)
    cached = np.where(rng.random(REQUESTS) < 0.3, -1, (inputs * rng.random(REQUESTS)).astype(np.int64))
    outputs = rng.integers(0, 5_000, REQUESTS)
    rows = folder / "requests.csv"
    with rows.open("w", encoding="utf-8") as out:
        out.write("ts,model,input_tokens,cached_input_tokens,output_tokens\n")
        for t, m, i, c, o in zip(stamps, models, inputs, cached, outputs, strict=True):
            out.write(f"{t},{m},{i},{'' if c < 0 else c},{o}\n")
    con.execute(
        f"CREATE TABLE llm_requests AS SELECT CAST(ts AS TIMESTAMPTZ) AS ts, model, input_tokens, cached_input_tokens, "
        f"output_tokens FROM read_csv('{rows}', all_varchar=false, types={{'ts': 'VARCHAR'}})"
    )
    generic = folder / "per_request_generic.csv"
    con.execute(
        "COPY (SELECT strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS date, model, input_tokens, output_tokens, "
        f"coalesce(cached_input_tokens, 0) AS cached_input_tokens, 1 AS requests FROM llm_requests) TO '{generic}' (HEADER)"
    )
    return con, folder, generic


def _cli_json(*args: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(["usage", *args, "--json"], out=out, err=err)
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


def _monthly(body: dict) -> list[tuple]:
    return [tuple(row[k] for k in KEYS) for row in body["monthly"]]


def _duckdb_sql(dialect: str) -> str:
    tree = sqlglot.parse_one(WAREHOUSE_SQL[dialect], read=dialect)
    for table in tree.find_all(exp.Table):
        table.replace(exp.to_table("llm_requests"))
    return tree.sql(dialect="duckdb")


@pytest.mark.parametrize("dialect", sorted(WAREHOUSE_SQL))
def test_warehouse_sql_equals_the_cli_monthly_totals(dialect, warehouse):
    con, folder, generic = warehouse
    expected = _monthly(_cli_json(str(generic)))
    assert len(expected) == 3 * 5  # 3 models x 5 UTC months: 2025-11-30 .. 2026-03-01, zones shift the edges
    out = folder / f"{dialect}.csv"
    con.execute(f"COPY ({_duckdb_sql(dialect)}) TO '{out}' (HEADER)")
    assert _monthly(_cli_json(str(out))) == expected
    assert sum(r[-1] for r in expected) == REQUESTS


def test_parquet_reads_like_the_csv(warehouse):
    con, folder, generic = warehouse
    parquet = folder / "per_request.parquet"
    con.execute(
        "COPY (SELECT ts AS date, model, input_tokens, output_tokens, coalesce(cached_input_tokens, 0) AS cached_input_tokens,"
        f" 1 AS requests FROM llm_requests) TO '{parquet}' (FORMAT PARQUET, ROW_GROUP_SIZE 4096)"
    )
    body = _cli_json(str(parquet))
    assert body["format"] == "generic" and "Parquet file" in body["notes"]
    assert _monthly(body) == _monthly(_cli_json(str(generic)))


def test_parquet_batches_are_bounded(warehouse, monkeypatch):
    from calculators.usage import importer

    con, folder, generic = warehouse
    monkeypatch.setattr(importer, "PARQUET_BATCH_ROWS", 1000)  # 20 batches
    parquet = folder / "batched.parquet"
    con.execute(f"COPY (SELECT ts AS date, model, input_tokens, output_tokens FROM llm_requests) TO '{parquet}' (FORMAT PARQUET)")
    result = import_usage(parquet, catalog=False)
    assert result.rows_read == REQUESTS
    assert int(result.monthly["input_tokens"].sum()) == con.execute("SELECT sum(input_tokens) FROM llm_requests").fetchone()[0]


def test_a_month_per_file_glob_equals_the_whole_file(warehouse):
    con, folder, generic = warehouse
    months = folder / "months"
    months.mkdir(exist_ok=True)
    for (month,) in con.execute("SELECT DISTINCT strftime(ts, '%Y-%m') FROM llm_requests").fetchall():
        con.execute(
            "COPY (SELECT strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS date, model, input_tokens, output_tokens, "
            "coalesce(cached_input_tokens, 0) AS cached_input_tokens, 1 AS requests FROM llm_requests "
            f"WHERE strftime(ts, '%Y-%m') = '{month}') TO '{months / (month + '.csv')}' (HEADER)"
        )
    whole = _cli_json(str(generic))
    by_glob = _cli_json(str(months / "*.csv"))
    assert _monthly(by_glob) == _monthly(whole)
    assert by_glob["rows_read"] == whole["rows_read"] == REQUESTS
    assert by_glob["workload"] == whole["workload"]


def test_files_of_two_formats_are_refused(tmp_path):
    from calculators.usage.importer import UsageImportError  # noqa: F401 - the CLI turns it into exit 2

    a = tmp_path / "a.csv"
    a.write_text("date,model,input_tokens,output_tokens\n2026-01-05,gpt-5,1,1\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("Date,Slug,Usage,Requests,Prompt Tokens,Completion Tokens\n2026-01-05,x,1,1,1,1\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["usage", str(a), str(b)], out=out, err=err) == 2
    assert err.getvalue().startswith("error: b.csv: is a OpenRouter grouped")
    assert cli_main(["usage", str(tmp_path / "none-*.csv")], out=out, err=(err := io.StringIO())) == 2
    assert err.getvalue() == f"error: {tmp_path / 'none-*.csv'}: no file matches\n"
