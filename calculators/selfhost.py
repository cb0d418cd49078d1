"""Self-hosting on rented GPUs: replica capacity, replica count and monthly cost.

A month is 730 hours, for GPU billing and for the demand rate alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0


@dataclass(frozen=True)
class ServerPlan:
    """Resolved self-hosting parameters (profile values with scenario overrides applied)."""

    gpus_per_replica: int
    gpu_hour_usd: float
    prefill_tokens_per_s: float
    decode_tokens_per_s: float
    utilization: float
    peak_to_average: float
    min_replicas: int
    ops_usd_per_month: float
    profile: str | None = None
    profile_name: str = "custom server"
    capacity: Any = None  # calculators.selfhost_capacity.ModelledCapacity when the capacity model sized it

    @property
    def replica_usd_per_month(self) -> float:
        """``gpus_per_replica x $/GPU-hour x 730``."""
        return self.gpus_per_replica * self.gpu_hour_usd * HOURS_PER_MONTH


def replica_requests_per_s(input_tokens: float, generated_tokens: float, prefill_tps: float, decode_tps: float) -> float:
    """Requests per second one replica serves at its latency target.

    ``rps = 1 / (I / prefill_tps + (O + R) / decode_tps)``; a request of zero tokens is
    served infinitely fast (returns ``inf``).

    Example: 2,000 input and 500 output tokens on a replica doing 50,000 prefill and
    5,000 decode tokens/s: 1 / (0.04 + 0.1) = 7.142857 requests/s.
    """
    seconds = input_tokens / prefill_tps + generated_tokens / decode_tps
    return math.inf if seconds <= 0 else 1.0 / seconds


def replica_capacity_per_month(plan: ServerPlan, input_tokens: float, generated_tokens: float) -> float:
    """Average requests a month one replica absorbs once utilization and peaks are allowed for.

    ``capacity = rps x 730 x 3600 x utilization / peak_to_average``: a fleet of ``n``
    replicas serves ``n x capacity`` requests a month at the target utilization of the peak.
    """
    rps = replica_requests_per_s(input_tokens, generated_tokens, plan.prefill_tokens_per_s, plan.decode_tokens_per_s)
    return rps * SECONDS_PER_MONTH * plan.utilization / plan.peak_to_average


def replicas_needed(requests_per_month, capacity_per_month: float, min_replicas: int):
    """``max(min_replicas, ceil(V / capacity))``, elementwise for arrays.

    That is the issue's ``ceil(peak_to_average x demand_rps / (replica_rps x utilization))``
    with demand_rps = V / (730 x 3600). A relative tolerance keeps a volume that exactly
    fills ``n`` replicas (up to float rounding) at ``n``.
    """
    volume = np.asarray(requests_per_month, dtype=float)
    if math.isinf(capacity_per_month):
        need = np.where(volume > 0, 1.0, 0.0)
    else:
        ratio = volume / capacity_per_month
        need = np.ceil(ratio)
        # a volume that fills n replicas up to float rounding stays at n, not n + 1
        need = np.where((need > 1) & (ratio <= (need - 1) * (1 + 1e-12)), need - 1, need)
        need = np.where(volume > 0, np.maximum(need, 1.0), need)  # any traffic needs a replica
    result = np.maximum(float(min_replicas), need)
    return result if result.ndim else float(result)


def self_hosted_monthly_cost(requests_per_month, plan: ServerPlan, capacity_per_month: float):
    """``replicas(V) x GPUs per replica x $/GPU-hour x 730 + ops $/month`` (elementwise)."""
    replicas = replicas_needed(requests_per_month, capacity_per_month, plan.min_replicas)
    return replicas * plan.replica_usd_per_month + plan.ops_usd_per_month
