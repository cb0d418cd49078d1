"""The self-hosted strategy's capacity from the capacity model instead of a profile's fixed numbers.

A scenario's ``self_hosted`` section that names a ``model`` (pricing/hardware.yaml) is sized by
``calculators/capacity.py`` at the workload's own request shape (input tokens; output plus reasoning
tokens generated) and operating point (latency targets, or maximum throughput). The replica's
requests/s ``R`` is turned into the two effective rates the fleet formula of ``selfhost.py`` uses,
``prefill = I / t_pre`` and ``decode = O / (1/R - t_pre)``, so that ``1 / (I / prefill + O / decode) = R``
exactly, each times the section's ``efficiency`` factor (1 unless the uncertainty band varies it).
Fixed ``prefill_tokens_per_s`` / ``decode_tokens_per_s`` in the section still override.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from calculators.capacity import CapacityError, OperatingPoint, Replica, operating_point, requests_per_s

LIMIT_LABELS = {
    "compute": "compute",
    "bandwidth": "memory bandwidth",
    "kv_memory": "KV-cache memory",
    "latency": "the latency target",
    "concurrency": "concurrency",
}
AUTO_GPU_COUNTS = (1, 2, 4, 8)


@dataclass(frozen=True)
class ModelledCapacity:
    """One replica as the capacity model sees it at the scenario's shape and operating point."""

    replica: Replica
    point: OperatingPoint
    input_tokens: float
    generated_tokens: float
    max_ttft_ms: float | None
    max_itl_ms: float | None
    efficiency: float
    offer: str | None  # "<gpu>@<provider>" the $/GPU-hour comes from (None: the scenario's own)

    @property
    def limit(self) -> str:
        return self.point.limit

    def requests_per_s(self, generated_tokens, efficiency=None):
        """Requests/s at other generated-token counts (arrays), times the efficiency factor."""
        factor = self.efficiency if efficiency is None else np.asarray(efficiency, dtype=float)
        rps = requests_per_s(self.replica, self.input_tokens, generated_tokens, None, self.max_ttft_ms, self.max_itl_ms)
        return rps * factor

    def describe(self) -> str:
        r, p = self.replica, self.point
        targets = [f"TTFT <= {self.max_ttft_ms:,.0f} ms" for _ in [0] if self.max_ttft_ms is not None]
        targets += [f"ITL <= {self.max_itl_ms:,.0f} ms" for _ in [0] if self.max_itl_ms is not None]
        where = ", ".join(targets) if targets else "maximum throughput"
        factor = f", efficiency x{self.efficiency:g}" if self.efficiency != 1.0 else ""
        missed = "; even one request at a time misses the target" if not p.meets_targets else ""
        return (
            f"capacity model: {r.model.name} on {r.gpus}x {r.gpu.name} ({r.precision}, {r.engine.id}), "
            f"{self.input_tokens:,.0f} in / {self.generated_tokens:,.0f} out at {where}: "
            f"{p.output_tokens_per_s * self.efficiency:,.0f} output tokens/s per replica, {p.concurrency:,.0f} in flight, "
            f"TTFT {p.ttft_ms:,.0f} ms, ITL {p.itl_ms:,.1f} ms{factor}; binding limit: {LIMIT_LABELS[p.limit]}{missed}"
        )


def resolve_capacity(settings: Any, catalog: Any, profile: Any, input_tokens: float, generated_tokens: float) -> ModelledCapacity:
    """The modelled replica for a ``self_hosted`` section with a ``model``; ``CapacityError`` says what is wrong.

    GPU: the section's ``gpu``, else the profile's. GPUs per replica: the section's, else the profile's
    (same GPU), else whichever of 1, 2, 4, 8 serves the most requests per GPU. $/GPU-hour offer: the profile's
    default offer for that GPU, else the first offer gpus.yaml lists for it.
    """
    hardware = getattr(catalog, "hardware", None)
    if hardware is None:
        raise CapacityError("this catalog has no hardware data (pricing/hardware.yaml) for the capacity model")
    if settings.model not in hardware.models:
        raise CapacityError(f"model {settings.model!r} is not in hardware.yaml; known: {', '.join(sorted(hardware.models))}")
    gpu_id = settings.gpu or (profile.gpu if profile is not None else None)
    if gpu_id is None:
        raise CapacityError("give the gpu to run the model on (self_hosted.gpu)")
    if gpu_id not in hardware.gpus:
        raise CapacityError(f"GPU {gpu_id!r} is not in hardware.yaml; known: {', '.join(sorted(hardware.gpus))}")
    engine_id = settings.engine or "trtllm"
    if engine_id not in hardware.engines:
        raise CapacityError(f"engine {engine_id!r} is not in hardware.yaml; known: {', '.join(sorted(hardware.engines))}")
    counts = AUTO_GPU_COUNTS
    if settings.gpus_per_replica is not None:
        counts = (settings.gpus_per_replica,)
    elif profile is not None and profile.gpu == gpu_id:
        counts = (profile.gpus_per_replica,)
    problem, best = None, None
    for gpus in counts:
        replica = Replica(
            hardware.models[settings.model], hardware.gpus[gpu_id], gpus, settings.precision or "fp8", hardware.engines[engine_id]
        )
        try:
            point = operating_point(
                replica, input_tokens, max(generated_tokens, 1.0), None, settings.max_ttft_ms, settings.max_itl_ms
            )
        except CapacityError as exc:
            problem = problem or exc
            continue
        if best is None or point.requests_per_s / gpus > best[1].requests_per_s / best[0].gpus * (1 + 1e-9):
            best = (replica, point)  # the most requests per GPU-hour; the fewer GPUs on a tie
    if best is None:
        raise problem
    replica, point = best
    offer = None
    if settings.gpu_hour_usd is None:
        if profile is not None and catalog.offers[profile.default_offer].gpu == gpu_id:
            offer = profile.default_offer
        else:
            offer = next((o.id for o in catalog.offers.values() if o.gpu == gpu_id), None)
        if offer is None:
            raise CapacityError(f"no rental offer for GPU {gpu_id!r} in gpus.yaml: give self_hosted.gpu_hour_usd")
    return ModelledCapacity(
        replica,
        point,
        float(input_tokens),
        float(generated_tokens),
        settings.max_ttft_ms,
        settings.max_itl_ms,
        settings.efficiency_factor,
        offer,
    )
