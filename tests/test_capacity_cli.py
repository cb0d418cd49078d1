"""``python -m calculators capacity``: exact output, JSON fields, and bad arguments exiting 2 without a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

import pytest

from calculators.cli import main

BASE = ["capacity", "--model", "llama-3.3-70b", "--gpu", "h100-sxm", "--gpus", "2", "--precision", "fp8"]
SHAPE = ["--input-tokens", "5000", "--output-tokens", "500"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err):  # argparse writes its own errors to sys.stderr
            code = main(argv, out, err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_readable_output_at_fixed_concurrency():
    code, out, err = run([*BASE, *SHAPE, "--concurrency", "50"])
    assert (code, err) == (0, "")
    assert out == (
        "llama-3.3-70b on 2x h100-sxm, fp8, 5,000 in / 500 out, concurrency 50\n"
        "output tokens/s            762\n"
        "requests/s                1.52\n"
        "concurrency                 50\n"
        "TTFT ms                    752\n"
        "ITL ms                    65.6\n"
        "limit: the number of users\n"
    )


def test_readable_output_at_latency_targets():
    code, out, _ = run([*BASE, *SHAPE, "--max-ttft-ms", "1000", "--max-itl-ms", "40"])
    assert code == 0
    assert out == (
        "llama-3.3-70b on 2x h100-sxm, fp8, 5,000 in / 500 out, latency targets\n"
        "output tokens/s            578\n"
        "requests/s                1.16\n"
        "concurrency                 23\n"
        "TTFT ms                    596\n"
        "ITL ms                    39.8\n"
        "limit: the latency target\n"
    )


def test_json_at_maximum_throughput():
    code, out, _ = run(
        [
            "capacity",
            "--model",
            "llama-3.1-8b",
            "--gpu",
            "h100-sxm",
            "--input-tokens",
            "1000",
            "--output-tokens",
            "1000",
            "--json",
        ]
    )
    assert code == 0
    assert json.loads(out) == {
        "output_tokens_per_s": 15639.801024,
        "requests_per_s": 15.639801,
        "concurrency": 650.0,
        "ttft_ms": 60.923524,
        "itl_ms": 41.560631,
        "batch": 650.0,
        "max_batch": 650.0,
        "limit": "kv_memory",
        "meets_targets": True,
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["capacity", "--model", "nope", "--gpu", "h100-sxm", *SHAPE],
            "error: --model: unknown model 'nope'; known: deepseek-r1",
        ),
        (["capacity", "--model", "llama-3.1-8b", "--gpu", "h100", *SHAPE], "error: --gpu: unknown GPU 'h100'; known: a100-80gb"),
        ([*BASE[:-2], "--precision", "int4", *SHAPE], "argument --precision: invalid choice: 'int4'"),
        ([*BASE, "--input-tokens", "x", "--output-tokens", "5"], "argument --input-tokens: invalid float value: 'x'"),
        ([*BASE, "--input-tokens", "nan", "--output-tokens", "5"], "error: --input-tokens: must be a finite number"),
        ([*BASE, *SHAPE, "--gpus", "0"], "error: --gpus: must be between 1 and 64"),
        (["capacity", "--model", "llama-3.1-405b", "--gpu", "h100-sxm", *SHAPE], "error: llama-3.1-405b at fp8 needs 406 GB"),
        ([*BASE, "--input-tokens", "200000", "--output-tokens", "5"], "exceed llama-3.3-70b's context of 131,072 tokens"),
        ([*BASE, *SHAPE, "--concurrency", "5", "--max-itl-ms", "50"], "error: give either a concurrency or latency targets"),
        ([*BASE, *SHAPE, "--max-itl-ms", "0"], "error: max_itl_ms must be above zero"),
        (["capacity", "--gpu", "h100-sxm", *SHAPE], "the following arguments are required: --model"),
    ],
    ids=[
        "model",
        "gpu",
        "precision",
        "not-a-number",
        "nan",
        "zero-gpus",
        "too-big",
        "too-long",
        "both",
        "zero-target",
        "missing",
    ],
)
def test_bad_arguments_exit_2_with_a_short_message(argv, message):
    code, out, err = run(argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert len(err.splitlines()) <= 12


def test_module_entry_point():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "calculators",
            "capacity",
            "--model",
            "gemma-3-27b",
            "--gpu",
            "l40s",
            "--input-tokens",
            "100",
            "--output-tokens",
            "100",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[0] == "gemma-3-27b on 1x l40s, fp8, 100 in / 100 out, maximum throughput"
