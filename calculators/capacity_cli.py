"""``python -m calculators capacity``: one replica's throughput and latency for a request shape.

    python -m calculators capacity --model llama-3.3-70b --gpu h100-sxm --gpus 2 --precision fp8 \\
        --input-tokens 5000 --output-tokens 500 [--concurrency 50 | --max-ttft-ms 1000 --max-itl-ms 60] [--json]

No operating-point option: maximum throughput. Exit 2 with a one-line message on bad input.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import TextIO

from calculators.capacity import PRECISIONS, CapacityError, Replica, operating_point

LIMIT_TEXT = {
    "compute": "compute (prefill and arithmetic)",
    "bandwidth": "memory bandwidth (weights and KV reads)",
    "kv_memory": "KV-cache memory caps the batch",
    "latency": "the latency target",
    "concurrency": "the number of users",
}


def add_parser(sub) -> None:
    cap = sub.add_parser("capacity", help="one replica's output tokens/s, requests/s and latency for a request shape")
    cap.add_argument("--model", required=True, help="open model id (pricing/hardware.yaml), e.g. llama-3.3-70b")
    cap.add_argument("--gpu", required=True, help="GPU id, e.g. h100-sxm")
    cap.add_argument("--gpus", type=int, default=1, help="GPUs per replica (default 1)")
    cap.add_argument("--precision", choices=PRECISIONS, default="fp8")
    cap.add_argument("--engine", default="trtllm", help="engine family whose efficiency applies (default trtllm)")
    cap.add_argument("--input-tokens", type=float, required=True)
    cap.add_argument("--output-tokens", type=float, required=True)
    cap.add_argument("--concurrency", type=float, default=None, help="users in a closed loop")
    cap.add_argument("--max-ttft-ms", type=float, default=None, help="time-to-first-token target")
    cap.add_argument("--max-itl-ms", type=float, default=None, help="time-between-tokens target")
    cap.add_argument("--json", action="store_true", help="print one JSON object")


def render(point, args) -> str:
    """The readable output."""
    target = (
        f"concurrency {args.concurrency:g}"
        if args.concurrency is not None
        else "latency targets"
        if args.max_ttft_ms is not None or args.max_itl_ms is not None
        else "maximum throughput"
    )
    lines = [
        f"{args.model} on {args.gpus}x {args.gpu}, {args.precision}, {args.input_tokens:,.0f} in / {args.output_tokens:,.0f} out, {target}",
        f"output tokens/s   {point.output_tokens_per_s:>12,.0f}",
        f"requests/s        {point.requests_per_s:>12,.2f}",
        f"concurrency       {point.concurrency:>12,.0f}",
        f"TTFT ms           {point.ttft_ms:>12,.0f}",
        f"ITL ms            {point.itl_ms:>12,.1f}",
        f"limit: {LIMIT_TEXT[point.limit]}",
    ]
    if not point.meets_targets:
        lines.append("note: even one request at a time misses the latency target; figures are for one request")
    return "\n".join(lines)


def run_capacity(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pricing import CatalogError
    from pricing.hardware import load_hardware

    try:
        hardware = load_hardware()
    except CatalogError as exc:
        print(f"error: {exc}", file=err)
        return 2
    problems = []
    if args.model not in hardware.models:
        problems.append(f"--model: unknown model {args.model!r}; known: {', '.join(sorted(hardware.models))}")
    if args.gpu not in hardware.gpus:
        problems.append(f"--gpu: unknown GPU {args.gpu!r}; known: {', '.join(sorted(hardware.gpus))}")
    if args.engine not in hardware.engines:
        problems.append(f"--engine: unknown engine {args.engine!r}; known: {', '.join(sorted(hardware.engines))}")
    if not 1 <= args.gpus <= 64:
        problems.append("--gpus: must be between 1 and 64")
    for name in ("input_tokens", "output_tokens", "concurrency", "max_ttft_ms", "max_itl_ms"):
        value = getattr(args, name)
        if value is not None and not math.isfinite(value):
            problems.append(f"--{name.replace('_', '-')}: must be a finite number")
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=err)
        return 2
    try:
        replica = Replica(
            hardware.model(args.model), hardware.gpu(args.gpu), args.gpus, args.precision, hardware.engines[args.engine]
        )
        point = operating_point(
            replica, args.input_tokens, args.output_tokens, args.concurrency, args.max_ttft_ms, args.max_itl_ms
        )
    except CapacityError as exc:
        print(f"error: {exc}", file=err)
        return 2
    if args.json:
        doc = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in point.as_dict().items()}
        print(json.dumps(doc, indent=2), file=out)
    else:
        print(render(point, args), file=out)
    return 0
