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
    def replica_usd_per_month(self):
        """``gpus_per_replica x $/GPU-hour x 730`` (an array when the $/GPU-hour is one per draw)."""
        return self.gpus_per_replica * self.gpu_hour_usd * HOURS_PER_MONTH


def replica_requests_per_s(input_tokens, generated_tokens, prefill_tps, decode_tps):
    """Requests per second one replica serves at its latency target (broadcasts over arrays).

    ``rps = 1 / (I / prefill_tps + (O + R) / decode_tps)``, tokens and tokens/s; a request of
    zero tokens is served infinitely fast (``inf``).

    Example: 2,000 input and 500 output tokens on a replica doing 50,000 prefill and
    5,000 decode tokens/s: 1 / (0.04 + 0.1) = 7.142857 requests/s; at 1,000 output tokens
    1 / (0.04 + 0.2) = 4.1667.

    >>> round(replica_requests_per_s(2000, 500, 50_000, 5_000), 6)
    7.142857
    >>> replica_requests_per_s(2000, np.array([500, 1000, 0]), 50_000, 5_000).round(4).tolist()
    [7.1429, 4.1667, 25.0]
    >>> replica_requests_per_s(0, 0, 50_000, 5_000)
    inf
    """
    seconds = input_tokens / prefill_tps + generated_tokens / decode_tps
    if np.ndim(seconds) == 0:
        return math.inf if seconds <= 0 else 1.0 / seconds
    with np.errstate(divide="ignore"):
        return np.where(seconds <= 0, np.inf, 1.0 / seconds)


def replica_capacity_per_month(plan: ServerPlan, input_tokens, generated_tokens):
    """Average requests a month one replica absorbs once utilization and peaks are allowed for.

    ``capacity = rps x 730 x 3600 x utilization / peak_to_average``: a fleet of ``n``
    replicas serves ``n x capacity`` requests a month at the target utilization of the peak.
    Broadcasts: the token counts and the plan's utilization may be arrays (Monte Carlo draws).

    Example: 7.142857 requests/s at 60% utilization and a peak 1.5x the average:
    7.142857 x 2,628,000 x 0.6 / 1.5 = 7,508,571 requests a month.

    >>> plan = ServerPlan(2, 2.0, 50_000, 5_000, utilization=0.6, peak_to_average=1.5, min_replicas=1, ops_usd_per_month=0)
    >>> round(replica_capacity_per_month(plan, 2000, 500))
    7508571
    """
    rps = replica_requests_per_s(input_tokens, generated_tokens, plan.prefill_tokens_per_s, plan.decode_tokens_per_s)
    return capacity_from_requests_per_s(rps, plan)


def capacity_from_requests_per_s(requests_per_s, plan: ServerPlan):
    """``rps x 730 x 3600 x utilization / peak_to_average``: a replica's requests a month from its rate.

    Broadcasts over ``requests_per_s`` and the plan's utilization (Monte Carlo draws). Used
    directly where the rate comes from the capacity model rather than from two throughputs.

    Example: 7.142857 requests/s at 60% utilization and a peak 1.5x the average: 7,508,571.

    >>> plan = ServerPlan(2, 2.0, 50_000, 5_000, utilization=0.6, peak_to_average=1.5, min_replicas=1, ops_usd_per_month=0)
    >>> round(capacity_from_requests_per_s(1 / 0.14, plan))
    7508571
    """
    return requests_per_s * SECONDS_PER_MONTH * plan.utilization / plan.peak_to_average


def replicas_needed(requests_per_month, capacity_per_month, min_replicas: int):
    """``max(min_replicas, ceil(V / capacity))``, elementwise: volume and capacity broadcast.

    That is ``ceil(peak_to_average x demand_rps / (replica_rps x utilization))`` with
    demand_rps = V / (730 x 3600). A relative tolerance keeps a volume that exactly fills
    ``n`` replicas (up to float rounding) at ``n``. Any traffic needs one replica, even a
    volume whose ratio underflows or a replica of infinite capacity (requests of no tokens).

    Example: 2,500 requests on replicas of 1,000 and of 2,000 requests a month need 3 and 2.

    >>> replicas_needed(2500, 1000, 1)
    3.0
    >>> replicas_needed(2500, np.array([1000, 2000, np.inf]), 1).tolist()
    [3.0, 2.0, 1.0]
    >>> replicas_needed(0, 1000, 0), replicas_needed(2000, 1000, 1)
    (0.0, 2.0)
    """
    volume = np.asarray(requests_per_month, dtype=float)
    capacity = np.asarray(capacity_per_month, dtype=float)
    if np.isinf(capacity).any():
        ratio = np.where(np.isinf(capacity), np.where(volume > 0, 1.0, 0.0), volume / capacity)
    else:
        ratio = volume / capacity
    need = np.ceil(ratio)
    # a volume that fills n replicas up to float rounding stays at n, not n + 1
    need = np.where((need > 1) & (ratio <= (need - 1) * (1 + 1e-12)), need - 1, need)
    need = np.where(volume > 0, np.maximum(need, 1.0), need)  # any traffic needs a replica
    result = np.maximum(float(min_replicas), need)
    return result if result.ndim else float(result)


def self_hosted_monthly_cost(requests_per_month, plan: ServerPlan, capacity_per_month):
    """``replicas(V) x GPUs per replica x $/GPU-hour x 730 + ops $/month`` (broadcasts).

    Example: 2,500 requests on replicas of 1,000 requests, 2 GPUs at $2/hour each:
    3 x 2 x 2 x 730 = $8,760 a month.

    >>> plan = ServerPlan(2, 2.0, 50_000, 5_000, utilization=1.0, peak_to_average=1.0, min_replicas=1, ops_usd_per_month=0)
    >>> self_hosted_monthly_cost(2500, plan, 1000)
    8760.0
    """
    replicas = replicas_needed(requests_per_month, capacity_per_month, plan.min_replicas)
    return replicas * plan.replica_usd_per_month + plan.ops_usd_per_month
