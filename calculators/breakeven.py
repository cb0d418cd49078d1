"""Break-even volume of a self-hosted server (a staircase) against a per-token API (a line).

Notation: ``C`` requests a month one replica absorbs (see ``selfhost.replica_capacity_per_month``),
``g`` $ a month per replica, ``ops`` fixed $ a month, ``m`` minimum replicas, ``a`` the API's
$ per request. Self-hosting costs ``S(V) = max(m, ceil(V/C))·g + ops``; the API ``A(V) = a·V``.

Within the step of ``n`` replicas the two are equal at ``V_n = (n·g + ops) / a``, which counts
only if it lies inside the step. Writing ``k = a·C - g`` (what a full replica saves a month):

- ``k <= 0``: a full replica costs at least what its traffic costs on the API, so
  self-hosting is never cheaper (the marginal cost is above the API's);
- first break-even: the smallest ``n >= n0`` with ``n·k >= ops``;
- sustained break-even: the smallest ``n >= n0`` with ``n·k >= g + ops``, from which on every
  jump to one more replica still stays under the API line.

Both volumes are the points where ``S(V) = A(V)`` exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class BreakEven:
    first_requests_per_month: float | None
    sustained_requests_per_month: float | None
    first_replicas: int | None
    sustained_replicas: int | None
    reason: str | None  # why there is no break-even; None when there is one
    tokens_per_request: float

    @property
    def first_tokens_per_month(self) -> float | None:
        return None if self.first_requests_per_month is None else self.first_requests_per_month * self.tokens_per_request

    @property
    def sustained_tokens_per_month(self) -> float | None:
        v = self.sustained_requests_per_month
        return None if v is None else v * self.tokens_per_request

    def as_dict(self) -> dict:
        return {
            "first_requests_per_month": self.first_requests_per_month,
            "sustained_requests_per_month": self.sustained_requests_per_month,
            "first_tokens_per_month": self.first_tokens_per_month,
            "sustained_tokens_per_month": self.sustained_tokens_per_month,
            "first_replicas": self.first_replicas,
            "sustained_replicas": self.sustained_replicas,
            "reason": self.reason,
        }


def _smallest_step(n0: int, need: float, saving_per_replica: float) -> int:
    """Smallest integer ``n >= n0`` with ``n·saving >= need`` (saving > 0)."""
    n = max(n0, math.ceil(need / saving_per_replica - 1e-9))
    return n if n * saving_per_replica >= need * (1 - 1e-12) else n + 1


def break_even(
    api_usd_per_request: float,
    capacity_per_replica: float,
    replica_usd_per_month: float,
    ops_usd_per_month: float,
    min_replicas: int,
    tokens_per_request: float,
) -> BreakEven:
    """First and sustained monthly request volumes at which self-hosting costs what the API does.

    Example: API $0.01 per request; a replica absorbs 1,000,000 requests a month and costs
    $2,920; no ops; one replica minimum. ``k = 0.01·1e6 - 2920 = 7080 > 0``; first step
    n = 1: V = 2920 / 0.01 = 292,000 requests; sustained: n·7080 >= 2920 gives n = 1 too.
    """
    a, C, g, ops = api_usd_per_request, capacity_per_replica, replica_usd_per_month, ops_usd_per_month
    n0 = max(int(min_replicas), 1)

    def never(reason: str) -> BreakEven:
        return BreakEven(None, None, None, None, reason, tokens_per_request)

    if a <= 0:
        return never("the API costs nothing per request at these prices")
    if math.isinf(C):
        return never("the workload has no tokens, so there is nothing to serve")
    saving = a * C - g  # what one full replica saves a month against the API
    if saving <= 0:
        per_m_self = g / (C * tokens_per_request) * 1e6 if tokens_per_request else math.inf
        per_m_api = a / tokens_per_request * 1e6 if tokens_per_request else 0.0
        return never(
            f"a fully used replica costs ${per_m_self:,.3g} per 1M tokens, at or above the API's "
            f"${per_m_api:,.3g}: self-hosting's marginal cost is higher than the API's"
        )
    first_n = _smallest_step(n0, ops, saving)
    sustained_n = _smallest_step(n0, g + ops, saving)

    def volume(n: int) -> float:
        lower = 0.0 if n == n0 else (n - 1) * C
        return max((n * g + ops) / a, lower)

    return BreakEven(volume(first_n), volume(sustained_n), first_n, sustained_n, None, tokens_per_request)
