"""Golden files: the JSON of ``python -m calculators evaluate --json`` for every preset and published check case.

    python tests/golden/make.py          # rewrite tests/golden/*.json from the code as it is
    python tests/golden/make.py --check  # exit 1 and name the files that differ

A refactor never changes these files. A change that deliberately changes numbers (a billing fix, a price
correction) regenerates them in a commit of its own that says which numbers changed and why.

Nothing here depends on the day it runs: every case pins its start month, and the clock the catalog reads
("retires on" vs "shut down on") is pinned to ``TODAY``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from calculators import cli  # noqa: E402

GOLDEN = Path(__file__).resolve().parent
SCENARIOS = ROOT / "scenarios"
TODAY = dt.date(2026, 11, 30)
_CLOCK_READERS = (
    "pricing.catalog",
    "calculators.clock",
    "calculators.prices",
    "calculators.scenario",
    "calculators.usage.history",
)

# ------------------------------------------------------------------ published check cases
# The documents of tests/test_published_checks.py (the source article and economics.md section 5), by test id.
_PINNED_GROWTH = {"growth": {"start_month": "2027-01", "monthly_rate": 0, "horizon_months": 12}}
_DAYS_PER_MONTH = 730 / 24
_DEEPSEEK_WORKLOAD = {
    "requests_per_month": 168e6 * _DAYS_PER_MONTH,
    "input_tokens": 608e9 / 168e6,
    "output_tokens": 1000,
    "cached_input_share": 342 / 608,
}
_DEEPSEEK_NODE = {"profile": "deepseek-v3-h800-node", "gpu_hour_usd": 2.0, "utilization": 1.0}


def _preset(name: str, **changes) -> dict:
    import yaml

    return yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8")) | changes


def _while_opus_41_is_sold(doc: dict) -> dict:
    return doc | {"growth": doc["growth"] | {"start_month": "2026-06"}}


def _check(doc: dict) -> dict:
    return _PINNED_GROWTH | doc


def check_cases() -> dict[str, dict]:
    """Scenario documents by name; each becomes ``check-<name>.json``."""
    return {
        "article-routing-opus-4.5-current-price": _preset("article-routing-75-25.yaml"),
        "article-routing-opus-old-price": _preset(
            "article-routing-75-25.yaml", price_overrides={"claude-opus-4-5": {"input": 15, "output": 75}}
        ),
        # priced from June 2026, while Opus 4.1 is sold (it shuts down on 2027-01-08 with no successor)
        **{
            f"article-support-{model}": _while_opus_41_is_sold(_preset("customer-support.yaml", flagship_only={"model": model}))
            for model in ("claude-haiku-4-5", "claude-opus-4-5", "claude-opus-4-1")
        },
        # priced in March 2025, while R1 was sold (it shut down on 2025-09-29)
        "2-deepseek-r1-revenue": {
            "workload": _DEEPSEEK_WORKLOAD,
            "flagship_only": {"model": "deepseek-r1"},
            "growth": {"start_month": "2025-03", "monthly_rate": 0, "horizon_months": 6},
        },
        "1-3-deepseek-nodes": _check(
            {
                "workload": _DEEPSEEK_WORKLOAD,
                "self_hosted": _DEEPSEEK_NODE | {"peak_to_average": 1.0, "min_replicas": 1},
            }
        ),
        "4-peak-to-average": _check(
            {"workload": _DEEPSEEK_WORKLOAD, "self_hosted": _DEEPSEEK_NODE | {"peak_to_average": 278 / 226.75}}
        ),
        "5-sglang-per-million-output": _check(
            {
                "workload": {"requests_per_month": 1e6, "input_tokens": 0, "output_tokens": 1000},
                "self_hosted": {
                    "profile": "sglang-deepseek-8xh100",
                    "gpu_hour_usd": 2.0,
                    "utilization": 1.0,
                    "peak_to_average": 1.0,
                },
            }
        ),
        "7-nim-70b": _check(
            {
                "workload": {"requests_per_month": 1e6, "input_tokens": 0, "output_tokens": 500},
                "self_hosted": {
                    "gpus_per_replica": 2,
                    "gpu_hour_usd": 2.0,
                    "prefill_tokens_per_s": 1e9,
                    "decode_tokens_per_s": 814,
                    "utilization": 1.0,
                    "peak_to_average": 1.0,
                },
            }
        ),
        "8-break-even-volume": _check(
            {
                "workload": {"requests_per_month": 1000, "input_tokens": 900_000, "output_tokens": 100_000},
                "flagship_only": {"model": "llama-3.1-70b-together-2024"},
                "price_overrides": {"llama-3.1-70b-together-2024": {"input": 0.88, "output": 0.88}},
                "self_hosted": {
                    "gpus_per_replica": 2,
                    "gpu_hour_usd": 2.0,
                    "prefill_tokens_per_s": 1e9,
                    "decode_tokens_per_s": 1e9,
                    "utilization": 1.0,
                    "peak_to_average": 1.0,
                },
            }
        ),
        "10-routellm-blend": _check(
            {
                "workload": {"requests_per_month": 1e6, "input_tokens": 500, "output_tokens": 500},
                "flagship_only": {"model": "gpt-4"},
                "hybrid": {"routes": [{"model": "gpt-4", "share": 0.134}, {"model": "mixtral-8x7b", "share": 0.866}]},
                "price_overrides": {"gpt-4": {"input": 24.7, "output": 24.7}, "mixtral-8x7b": {"input": 0.24, "output": 0.24}},
            }
        ),
        "12-automix-cascade": _check(
            {
                "workload": {"requests_per_month": 1e6, "input_tokens": 1000, "output_tokens": 0},
                "flagship_only": {"model": "llm"},
                "cascade": {"first": "slm-with-verifier", "second": "llm", "escalation_rate": 0.2},
                "price_overrides": {"slm-with-verifier": {"input": 2, "output": 2}, "llm": {"input": 60, "output": 60}},
            }
        ),
    }


# ------------------------------------------------------------------ running the CLI


class _AnyDate(type):
    def __instancecheck__(cls, obj) -> bool:  # the catalog's isinstance checks still see real dates
        return isinstance(obj, dt.date)


class _PinnedDate(dt.date, metaclass=_AnyDate):
    @classmethod
    def today(cls) -> dt.date:
        return TODAY


@contextlib.contextmanager
def pinned_clock() -> Iterator[None]:
    """``date.today()`` reads ``TODAY`` in the modules that read the clock (a fake clock, not a mock)."""
    pinned = types.ModuleType("datetime")
    pinned.__dict__.update(vars(dt))
    pinned.date = _PinnedDate
    modules = [sys.modules.get(name) or __import__(name, fromlist=["_"]) for name in _CLOCK_READERS]
    saved = [module.dt for module in modules]
    try:
        for module in modules:
            module.dt = pinned
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.dt = original


def evaluate_json(path: Path) -> str:
    """What ``python -m calculators evaluate PATH --json`` prints, with the clock pinned."""
    out, err = io.StringIO(), io.StringIO()
    with pinned_clock():
        code = cli.main(["evaluate", str(path), "--json"], out=out, err=err)
    if code != 0:
        raise RuntimeError(f"{path.name}: exit {code}: {err.getvalue()}")
    return out.getvalue()


def golden_outputs() -> dict[str, str]:
    """File name under tests/golden/ -> its expected content."""
    outputs = {f"preset-{p.stem}.json": evaluate_json(p) for p in sorted(SCENARIOS.glob("*.yaml"))}
    with tempfile.TemporaryDirectory() as tmp:
        for name, doc in check_cases().items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(doc), encoding="utf-8")
            outputs[f"check-{name}.json"] = evaluate_json(path)
    return outputs


def main(argv: list[str]) -> int:
    outputs = golden_outputs()
    if "--check" in argv:
        differ = [
            n for n, text in outputs.items() if not (GOLDEN / n).exists() or (GOLDEN / n).read_text(encoding="utf-8") != text
        ]
        for name in differ:
            print(f"differs: tests/golden/{name}")
        return 1 if differ else 0
    for stale in {p.name for p in GOLDEN.glob("*.json")} - set(outputs):
        (GOLDEN / stale).unlink()
    for name, text in outputs.items():
        (GOLDEN / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(outputs)} golden files to tests/golden/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
