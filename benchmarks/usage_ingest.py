"""Usage-import benchmark: our importer vs DuckDB on the same OpenRouter-like per-request export.

    python benchmarks/usage_ingest.py                       # 1M rows
    python benchmarks/usage_ingest.py --rows 1000000 10000000   # linearity check
    python benchmarks/usage_ingest.py --bad-rows               # rows with a wrong field count vs the clean file
    python benchmarks/usage_ingest.py --features               # the per-row feature (app_name) vs none, 2 and 200k apps

The file (24 columns, ~20 models, 12 months, deterministic seed) is generated once into
benchmarks/_data/ (gitignored) and reused. Each timing is the median of ``--repeat`` runs,
ours and DuckDB's interleaved so that background load hits both alike; the ratio is also
given from the best runs and as the median of back-to-back pairs (robust on a busy machine).

What is timed
-------------
* ours: ``calculators.usage.import_usage(path)``: sniff, parse the needed columns, validate
  every row, aggregate per (UTC month, model), resolve models;
* DuckDB: ``read_csv(path)`` + ``GROUP BY month, model`` with the same sums, fetched.

Memory
------
Peak memory is measured in a fresh subprocess per engine as the growth of the peak resident
set size (VmHWM, reset before the import) over the RSS after the modules are loaded. RSS is the honest
figure for Arrow and DuckDB: their buffers come from their own allocators (mimalloc/jemalloc),
which ``tracemalloc`` does not see. ``tracemalloc`` (printed too) only covers Python objects
and NumPy arrays.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "_data"
SEED = 20260101
CHUNK = 1_000_000

HEADER = [
    "generation_id",
    "created_at",
    "cost_total",
    "cost_web_search",
    "cost_cache",
    "cost_file_processing",
    "byok_usage_inference",
    "tokens_prompt",
    "tokens_completion",
    "tokens_reasoning",
    "tokens_cached",
    "model_permaslug",
    "provider_name",
    "variant",
    "cancelled",
    "streamed",
    "user",
    "finish_reason_raw",
    "finish_reason_normalized",
    "generation_time_ms",
    "time_to_first_token_ms",
    "api_key_disabled",
    "api_key_name",
    "app_name",
]
MODELS = [
    ("openai/gpt-5-2025-08-07", "OpenAI"),
    ("openai/gpt-5-mini-2025-08-07", "OpenAI"),
    ("openai/gpt-5-nano-2025-08-07", "OpenAI"),
    ("openai/gpt-4.1-2025-04-14", "OpenAI"),
    ("openai/gpt-4o-mini-2024-07-18", "OpenAI"),
    ("openai/gpt-oss-120b", "DeepInfra"),
    ("anthropic/claude-4.5-haiku-20251001", "Anthropic"),
    ("anthropic/claude-4.5-sonnet-20250929", "Anthropic"),
    ("anthropic/claude-4.1-opus-20250805", "Anthropic"),
    ("anthropic/claude-4-sonnet-20250522", "Amazon Bedrock"),
    ("google/gemini-2.5-flash", "Google"),
    ("google/gemini-2.5-pro", "Google AI Studio"),
    ("google/gemini-2.5-flash-lite", "Google"),
    ("deepseek/deepseek-chat-v3.1", "DeepSeek"),
    ("deepseek/deepseek-r1-0528", "Together"),
    ("meta-llama/llama-3.3-70b-instruct", "Groq"),
    ("meta-llama/llama-4-maverick-17b-128e-instruct", "Fireworks"),
    ("mistralai/mistral-medium-3.1", "Mistral"),
    ("qwen/qwen3-235b-a22b-2507", "Cerebras"),
    ("x-ai/grok-4-fast", "xAI"),
]


def generate(path: Path, rows: int, seed: int = SEED) -> None:
    """Write ``rows`` OpenRouter activity-export rows (2025-09..2026-08, 20 models) to ``path``."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-09-01T00:00:00", "ms").astype(np.int64)
    end = np.datetime64("2026-09-01T00:00:00", "ms").astype(np.int64)
    span = (end - start) // rows
    alphabet = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", dtype="S1")
    names = np.array([m for m, _ in MODELS])
    providers = np.array([p for _, p in MODELS])
    tmp = path.with_suffix(".tmp")
    schema = pa.schema([(name, pa.string()) for name in HEADER])
    with pacsv.CSVWriter(str(tmp), schema, write_options=pacsv.WriteOptions(quoting_style="none")) as writer:
        for first in range(0, rows, CHUNK):
            n = min(CHUNK, rows - first)
            # Sorted times across chunks: row k lies in [start + k·span, start + (k+1)·span).
            ts = start + (np.arange(first, first + n) * span) + rng.integers(0, max(span, 1), n)
            model = rng.choice(len(MODELS), n, p=np.linspace(2, 1, len(MODELS)) / np.linspace(2, 1, len(MODELS)).sum())
            prompt = rng.lognormal(7.0, 1.2, n).astype(np.int64)
            completion = rng.lognormal(5.5, 1.0, n).astype(np.int64)
            reasoning = np.where(rng.random(n) < 0.3, completion // 2, 0)
            cached = np.where(rng.random(n) < 0.4, (prompt * rng.random(n)).astype(np.int64), 0)
            cancelled = rng.random(n) < 0.01
            cost = np.round(prompt * 1.1e-6 + completion * 4.4e-6, 8)
            ids = alphabet[rng.integers(0, len(alphabet), (n, 20))].view("S20").ravel().astype(str)
            stamp = pa.array(ts, pa.timestamp("ms"))
            columns = {
                "generation_id": pc.binary_join_element_wise(
                    "gen-", pc.cast(pa.array(ts // 1000), pa.string()), "-", pa.array(ids), ""
                ),
                "created_at": pc.strftime(stamp, "%Y-%m-%d %H:%M:%S"),
                "cost_total": pc.cast(pa.array(cost), pa.string()),
                "cost_web_search": pa.array(["0"] * n),
                "cost_cache": pa.array(["0"] * n),
                "cost_file_processing": pa.array(["0"] * n),
                "byok_usage_inference": pa.array(["0"] * n),
                "tokens_prompt": pc.cast(pa.array(prompt), pa.string()),
                "tokens_completion": pc.cast(pa.array(completion), pa.string()),
                "tokens_reasoning": pc.cast(pa.array(reasoning), pa.string()),
                "tokens_cached": pc.cast(pa.array(cached), pa.string()),
                "model_permaslug": pa.array(names[model]),
                "provider_name": pa.array(providers[model]),
                "variant": pa.array(["standard"] * n),
                "cancelled": pa.array(np.where(cancelled, "true", "false")),
                "streamed": pa.array(np.where(rng.random(n) < 0.8, "true", "false")),
                "user": pa.array([""] * n),
                "finish_reason_raw": pa.array(np.where(cancelled, "", "stop")),
                "finish_reason_normalized": pa.array(np.where(cancelled, "cancelled", "stop")),
                "generation_time_ms": pc.cast(pa.array(rng.integers(100, 60_000, n)), pa.string()),
                "time_to_first_token_ms": pc.cast(pa.array(rng.integers(50, 3_000, n)), pa.string()),
                "api_key_disabled": pa.array(["false"] * n),
                "api_key_name": pa.array(np.where(rng.random(n) < 0.5, "prod-key", "batch-key")),
                "app_name": pa.array(["Support Bot"] * n),
            }
            writer.write_table(pa.table(columns, schema=schema))
    tmp.replace(path)


def data_file(rows: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"openrouter_activity_{rows}.csv"
    if not path.exists():
        began = time.perf_counter()
        generate(path, rows)
        print(f"generated {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - began:.1f} s")
    return path


DUCKDB_SQL = """
SELECT strftime(created_at, '%Y-%m') AS month, model_permaslug AS model,
       sum(tokens_prompt), sum(tokens_cached), sum(tokens_completion), sum(tokens_reasoning),
       count(*), sum(cost_total)
FROM read_csv('{path}')
GROUP BY ALL
"""


def run_ours(path: Path, catalog) -> int:
    from calculators.usage import import_usage

    return len(import_usage(path, catalog=catalog).monthly)


def run_duckdb(path: Path) -> int:
    import duckdb

    with duckdb.connect() as con:
        return len(con.execute(DUCKDB_SQL.format(path=path)).fetchall())


def same_totals(path: Path) -> bool:
    """Whether our monthly table equals DuckDB's sums (tokens, cached, output, requests, cost)."""
    import duckdb

    from calculators.usage import import_usage

    ours = import_usage(path, catalog=False).monthly
    with duckdb.connect() as con:
        theirs = con.execute(DUCKDB_SQL.format(path=path) + " ORDER BY 1, 2").fetchall()
    if len(theirs) != len(ours):
        return False
    for row, (month, model, prompt, cached, completion, _reasoning, count, cost) in zip(
        ours.to_dict("records"), theirs, strict=True
    ):
        # The generated reasoning never exceeds completion, so output = completion.
        expected = (month, model, prompt, cached, completion, count)
        got = (row["month"], row["model"], row["input_tokens"], row["cached_input_tokens"], row["output_tokens"], row["requests"])
        if got != expected or abs(row["cost_usd"] - cost) > 1e-6 * max(1.0, abs(cost)):
            return False
    return True


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _memory_child(engine: str, path: str) -> None:
    """Subprocess body: peak RSS growth (and tracemalloc peak) over one import.

    Uses the kernel's RSS high-water mark (VmHWM), reset just before the import by writing
    5 to /proc/self/clear_refs. (``ru_maxrss`` is no good here: Linux carries the parent's
    peak across fork+exec, so a child started by a big parent reports the parent's peak.)
    """
    import tracemalloc

    import duckdb  # noqa: F401 - load both engines before the baseline

    from calculators.usage import import_usage  # noqa: F401

    base = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    tracemalloc.start()
    groups = run_ours(Path(path), False) if engine == "ours" else run_duckdb(Path(path))
    traced = tracemalloc.get_traced_memory()[1]
    peak = _status_kb("VmHWM")
    print(json.dumps({"rss_growth": peak - base, "tracemalloc_peak": traced, "groups": groups}))


def measure_memory(engine: str, path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", engine, str(path)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(rows: int, repeat: int) -> dict:
    path = data_file(rows)
    size = path.stat().st_size
    try:
        from pricing.catalog import load_catalog

        catalog = load_catalog()
    except Exception:  # noqa: BLE001 - the price data may not exist yet; resolution is not what we time
        catalog = False
    ours: list[float] = []
    duck: list[float] = []
    groups = run_ours(path, catalog), run_duckdb(path)  # warm the page cache and imports
    for _ in range(repeat):
        began = time.perf_counter()
        run_ours(path, catalog)
        ours.append(time.perf_counter() - began)
        began = time.perf_counter()
        run_duckdb(path)
        duck.append(time.perf_counter() - began)
    mem_ours, mem_duck = measure_memory("ours", path), measure_memory("duckdb", path)
    result = {
        "rows": rows,
        "file_mb": size / 1e6,
        "ours_s": statistics.median(ours),
        "duckdb_s": statistics.median(duck),
        "groups": groups,
        "ours_rss_mb": mem_ours["rss_growth"] / 1e6,
        "ours_tracemalloc_mb": mem_ours["tracemalloc_peak"] / 1e6,
        "duckdb_rss_mb": mem_duck["rss_growth"] / 1e6,
    }
    result["ratio"] = result["ours_s"] / result["duckdb_s"]
    result["ratio_best"] = min(ours) / min(duck)
    result["ratio_pairs"] = statistics.median(a / b for a, b in zip(ours, duck, strict=True))
    print(f"\n{rows:,} rows, {result['file_mb']:,.0f} MB ({path.relative_to(ROOT)}), {os.cpu_count()} CPUs, median of {repeat}")
    print(f"  ours    {result['ours_s']:7.3f} s   (runs: {', '.join(f'{t:.3f}' for t in ours)})")
    print(f"  duckdb  {result['duckdb_s']:7.3f} s   (runs: {', '.join(f'{t:.3f}' for t in duck)})")
    print(
        f"  ratio ours/duckdb = {result['ratio']:.2f} of medians, {result['ratio_best']:.2f} of best runs, "
        f"{result['ratio_pairs']:.2f} median of back-to-back pairs (target <= 1.5)"
    )
    print(
        f"  peak memory, ours: RSS +{result['ours_rss_mb']:,.0f} MB = {result['ours_rss_mb'] / result['file_mb']:.2f}x file size "
        f"(target < 3x); tracemalloc (Python + NumPy only) {result['ours_tracemalloc_mb']:,.0f} MB"
    )
    print(
        f"  peak memory, duckdb: RSS +{result['duckdb_rss_mb']:,.0f} MB = {result['duckdb_rss_mb'] / result['file_mb']:.2f}x file size"
    )
    print(f"  result groups (month x model): ours {groups[0]}, duckdb {groups[1]}; same totals: {same_totals(path)}")
    return result


def generic_file(rows: int, extra_every: int | None) -> Path:
    """A generic-format file (date, model, input, output; ~34 bytes a row); every ``extra_every``-th
    data row from the second on carries one extra field (a wrong field count)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"generic_{rows}_{'clean' if extra_every is None else f'extra_every_{extra_every}'}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(SEED)
    dates = (np.datetime64("2025-01-01") + rng.integers(0, 365, rows)).astype(str)
    models = np.array(["gpt-5", "gpt-5-mini", "claude-sonnet-4-5", "gemini-2.5-pro"])[rng.integers(0, 4, rows)]
    line = pc.binary_join_element_wise(
        pa.array(dates),
        pa.array(models),
        pc.cast(pa.array(rng.integers(1, 100_000, rows)), pa.string()),
        pc.cast(pa.array(rng.integers(1, 10_000, rows)), pa.string()),
        ",",
    )
    if extra_every is not None:
        extra = np.zeros(rows, dtype=bool)
        extra[1::extra_every] = True
        line = pc.if_else(pa.array(extra), pc.binary_join_element_wise(line, "x", ","), line)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("date,model,input_tokens,output_tokens\n" + "\n".join(line.to_pylist()) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def bench_bad_rows(rows: int, repeat: int) -> None:
    """Rows with a wrong field count must not be a slow path: time them against the clean file (target <= 3x)."""
    from calculators.usage import import_usage

    files = {"clean": generic_file(rows, None), "every 2nd row bad": generic_file(rows, 2), "all rows bad": generic_file(rows, 1)}
    for path in files.values():
        import_usage(path, catalog=False)  # warm the page cache and imports
    times: dict[str, list[float]] = {name: [] for name in files}
    for _ in range(repeat):  # interleaved, so that background load hits every file alike
        for name, path in files.items():
            began = time.perf_counter()
            result = import_usage(path, catalog=False)
            times[name].append(time.perf_counter() - began)
            if name != "clean":
                assert result.rows_skipped > 0
    clean = statistics.median(times["clean"])
    size = files["clean"].stat().st_size / 1e6
    print(f"\n{rows:,} generic rows ({size:,.0f} MB clean), {os.cpu_count()} CPUs, median of {repeat}")
    for name, runs in times.items():
        median = statistics.median(runs)
        pairs = statistics.median(a / b for a, b in zip(runs, times["clean"], strict=True))
        print(
            f"  {name:18s} {median:6.3f} s   ratio to clean {median / clean:4.2f} of medians, {pairs:4.2f} median of "
            f"back-to-back pairs (target <= 3)   runs: {', '.join(f'{t:.3f}' for t in runs)}"
        )


FEATURE_APPS = 200_000  # distinct app names in the high-cardinality variant (a feature per end user, say)


def _apps_file(rows: int) -> Path:
    """The benchmark file with ``FEATURE_APPS`` distinct app names instead of one."""
    path = DATA / f"openrouter_activity_{rows}_apps.csv"
    if not path.exists():
        table = pacsv.read_csv(
            data_file(rows), convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(HEADER, pa.string()))
        )
        apps = pc.binary_join_element_wise("app-", pc.cast(pa.array(np.arange(rows) % FEATURE_APPS), pa.string()), "")
        table = table.set_column(HEADER.index("app_name"), "app_name", apps)
        pacsv.write_csv(table, str(path), write_options=pacsv.WriteOptions(quoting_style="none"))
    return path


def bench_features(rows: int, repeat: int) -> None:
    """The import with the format's feature columns read (per (month, model, feature) sums, folded to the top
    1,000 while reading) against the same import with them switched off, on one file with one app and one with
    ``FEATURE_APPS``: the cost of keeping features, against a floor measured in the same run."""
    import dataclasses

    from calculators.usage import formats, import_usage

    spec = formats.SPECS_BY_ID["openrouter_activity"]
    plain = dataclasses.replace(spec, features=())
    for label, path in (("1 app", data_file(rows)), (f"{FEATURE_APPS:,} apps", _apps_file(rows))):
        times: dict[str, list[float]] = {"features": [], "none": []}
        result = None
        import_usage(path, catalog=False)  # warm the page cache
        for _ in range(repeat):
            for key, used in (("features", spec), ("none", plain)):
                formats.SPECS_BY_ID["openrouter_activity"] = used
                began = time.perf_counter()
                imported = import_usage(path, catalog=False, format="openrouter_activity")
                times[key].append(time.perf_counter() - began)
                result = imported if key == "features" else result
        formats.SPECS_BY_ID["openrouter_activity"] = spec
        with_f, without = statistics.median(times["features"]), statistics.median(times["none"])
        kept = 0 if result.features is None else result.features["feature"].nunique()
        print(
            f"{rows:,} rows, {label}: with features {with_f:.3f} s, without {without:.3f} s (medians of {repeat}): "
            f"x{with_f / without:.2f}; features kept {kept}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000], help="row counts (e.g. 1000000 10000000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bad-rows", action="store_true", help="time rows with a wrong field count against clean rows")
    parser.add_argument("--features", action="store_true", help="time the per-row feature column against none")
    parser.add_argument("--memory-child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        _memory_child(*args.memory_child)
        return
    sys.path.insert(0, str(ROOT))
    if args.bad_rows:
        for rows in args.rows:
            bench_bad_rows(rows, args.repeat)
        return
    if args.features:
        for rows in args.rows:
            bench_features(rows, args.repeat)
        return
    results = [bench(rows, args.repeat) for rows in args.rows]
    if len(results) > 1:
        small, large = results[0], results[-1]
        scale = large["rows"] / small["rows"]
        print(
            f"\nlinearity: {large['rows']:,} vs {small['rows']:,} rows ({scale:.0f}x): ours {large['ours_s'] / small['ours_s']:.1f}x, "
            f"duckdb {large['duckdb_s'] / small['duckdb_s']:.1f}x (medians)"
        )


if __name__ == "__main__":
    main()
