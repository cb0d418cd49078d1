"""How close the capacity model comes to published serving measurements.

    python benchmarks/capacity_validation.py              # the table and the figures per set
    python benchmarks/capacity_validation.py --calibrate  # grid-search the engine factors on the calibration set

Each row of pricing/capacity_measurements.yaml is predicted from pricing/hardware.yaml; the error is
``predicted / measured - 1``. Figures per set (calibration, hold-out): share within +-25% and +-35%,
median absolute error. The hold-out rows are never used by --calibrate.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from calculators.capacity import CapacityError, EngineFactors, Replica, operating_point  # noqa: E402
from pricing.hardware import Hardware, Measurement, load_hardware, load_measurements  # noqa: E402


def predict(row: Measurement, hardware: Hardware, engine: EngineFactors | None = None) -> float:
    """The model's output tokens/s for a measurement's replica, shape and operating point."""
    replica = Replica(
        hardware.model(row.model), hardware.gpu(row.gpu), row.gpus, row.precision, engine or hardware.engines[row.engine]
    )
    return operating_point(replica, row.input_tokens, row.output_tokens, concurrency=row.concurrency).output_tokens_per_s


def errors(rows: list[Measurement], hardware: Hardware, engines: dict[str, EngineFactors] | None = None) -> np.ndarray:
    """``predicted / measured - 1`` per row (NaN where the model refuses the configuration)."""
    out = []
    for row in rows:
        try:
            out.append(predict(row, hardware, (engines or hardware.engines)[row.engine]) / row.output_tokens_per_s - 1.0)
        except CapacityError:
            out.append(math.nan)
    return np.array(out)


def summary(errs: np.ndarray) -> dict[str, float]:
    """Share within +-25% and +-35%, median absolute error (a refused row counts as outside)."""
    a = np.abs(errs)
    finite = np.where(np.isfinite(a), a, np.inf)
    return {
        "rows": float(len(a)),
        "within_25": float(np.mean(finite <= 0.25)) if len(a) else math.nan,
        "within_35": float(np.mean(finite <= 0.35)) if len(a) else math.nan,
        "median_abs_error": float(np.median(finite)) if len(a) else math.nan,
    }


def _fit(rows: list[Measurement], hardware: Hardware, engine_id: str, candidates) -> EngineFactors | None:
    """The candidate with the least mean squared log error on ``rows``."""
    best, best_loss = None, math.inf
    for engine in candidates:
        errs = errors(rows, hardware, {engine_id: engine})
        if not rows or not np.all(np.isfinite(errs)):
            continue
        loss = float(np.mean(np.log1p(errs) ** 2))
        if loss < best_loss:
            best, best_loss = engine, loss
    return best


def calibrate(rows: list[Measurement], hardware: Hardware, engine_id: str) -> EngineFactors:
    """Grid search of one engine family's factors: dense rows first, then ``moe_efficiency`` on MoE rows."""
    base = hardware.engines[engine_id]
    mine = [r for r in rows if r.engine == engine_id]
    dense = [r for r in mine if not hardware.model(r.model).experts]
    moe = [r for r in mine if hardware.model(r.model).experts]
    grid = itertools.product(
        (0.3, 0.4, 0.5, 0.6, 0.7),  # compute efficiency
        (0.5, 0.6, 0.7, 0.8, 0.9),  # bandwidth efficiency
        (2.0, 4.0, 6.0, 8.0, 10.0),  # step overhead ms
        # scaling per doubling: only rows with several GPUs tell it
        (0.8, 0.85, 0.9, 0.95, 1.0) if any(r.gpus > 1 for r in dense) else (base.scaling_per_doubling,),
    )
    candidates = (
        replace(base, compute_efficiency=ce, bandwidth_efficiency=be, step_overhead_ms=ov, scaling_per_doubling=sc)
        for ce, be, ov, sc in grid
    )
    best = _fit(dense, hardware, engine_id, candidates) or base
    moe_grid = (replace(best, moe_efficiency=m) for m in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0))
    return _fit(moe, hardware, engine_id, moe_grid) or best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="fit the engine factors on the calibration rows")
    args = parser.parse_args(argv)
    hardware = load_hardware()
    rows = load_measurements(hardware=hardware)
    if args.calibrate:
        calibration = [r for r in rows if r.set == "calibration"]
        for engine_id in sorted({r.engine for r in calibration}):
            e = calibrate(calibration, hardware, engine_id)
            print(
                f"{engine_id}: compute_efficiency {e.compute_efficiency}, bandwidth_efficiency {e.bandwidth_efficiency}, "
                f"step_overhead_ms {e.step_overhead_ms}, scaling_per_doubling {e.scaling_per_doubling}, "
                f"moe_efficiency {e.moe_efficiency}"
            )
        return 0
    errs = errors(rows, hardware)
    print(f"{'measurement':<34}{'set':<12}{'operating point':<16}{'measured':>10}{'model':>10}{'error':>8}")
    for row, err in zip(rows, errs, strict=True):
        model = row.output_tokens_per_s * (1 + err) if math.isfinite(err) else math.nan
        print(f"{row.id:<34}{row.set:<12}{row.operating_point:<16}{row.output_tokens_per_s:>10,.0f}{model:>10,.0f}{err:>+8.0%}")
    print()
    for name in ("calibration", "holdout"):
        mask = np.array([r.set == name for r in rows])
        s = summary(errs[mask])
        print(
            f"{name:<12} {int(s['rows'])} rows: within +-25% {s['within_25']:.0%}, within +-35% {s['within_35']:.0%}, "
            f"median |error| {s['median_abs_error']:.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
